/**
 * Replay protection. A signed message stays valid forever, so a peer could record one (an award, a
 * cancel) and send it again later. Every node therefore accepts a message only
 *  - when its `ts` lies within `maxSkewMs` of the local clock (older: `stale`, newer: `future`), and
 *  - once per (from, id): ids seen are remembered for `windowMs`, which is at least twice the skew
 *    bound, so a copy is either still remembered or already too old to pass the clock check.
 * Memory is bounded by the message rate times the window; expired ids are dropped oldest first.
 */

export type ReplayVerdict = 'ok' | 'replayed' | 'stale' | 'future'

export interface ReplayGuardOptions {
  /** Largest accepted difference between a message's ts and the local clock. Default 30 s. */
  maxSkewMs?: number
  /** How long ids are remembered; raised to 2 × maxSkewMs if smaller. Default 2 × maxSkewMs. */
  windowMs?: number
}

export class ReplayGuard {
  readonly maxSkewMs: number
  readonly windowMs: number
  private readonly seen = new Map<string, number>()
  /** Keys in the order they were remembered, with their expiry: pruning walks from the front. */
  private readonly order: Array<{ key: string, expires: number }> = []
  private head = 0

  constructor (opts: ReplayGuardOptions = {}) {
    this.maxSkewMs = opts.maxSkewMs ?? 30_000
    this.windowMs = Math.max(opts.windowMs ?? 0, 2 * this.maxSkewMs)
  }

  /** Whether a message may be accepted now; does not remember it (see `remember`). */
  check (from: string, id: string, ts: number, now: number): ReplayVerdict {
    if (ts < now - this.maxSkewMs) return 'stale'
    if (ts > now + this.maxSkewMs) return 'future'
    return this.seen.has(key(from, id)) ? 'replayed' : 'ok'
  }

  /**
   * Remembers an accepted message. Called only after its signature verified, so a forger cannot
   * make a victim's future ids look replayed.
   */
  remember (from: string, id: string, now: number): void {
    this.prune(now)
    const k = key(from, id)
    if (this.seen.has(k)) return
    const expires = now + this.windowMs
    this.seen.set(k, expires)
    this.order.push({ key: k, expires })
  }

  /** Check and remember in one step: `ok` means accepted and remembered. */
  admit (from: string, id: string, ts: number, now: number): ReplayVerdict {
    const verdict = this.check(from, id, ts, now)
    if (verdict === 'ok') this.remember(from, id, now)
    return verdict
  }

  get size (): number {
    return this.seen.size
  }

  private prune (now: number): void {
    while (this.head < this.order.length && this.order[this.head]!.expires <= now) {
      this.seen.delete(this.order[this.head]!.key)
      this.head++
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head)
      this.head = 0
    }
  }
}

function key (from: string, id: string): string {
  return `${from}\n${id}`
}
