/**
 * When to dial whom. Pure rules, unit-tested; the node applies them.
 *
 * First WebRTC dials fail often (signalling timeouts while both sides dial each other at once), so
 * only one side of each pair dials first (see dialsFirst). If the pair is still not
 * linked after `symmetricAfterMs` (the other side may not have discovered us yet), the higher side
 * dials too. Failed dials are retried with capped exponential backoff and jitter.
 */

export interface DialPlanOptions {
  baseDelayMs: number
  maxDelayMs: number
  /** After this long without a direct link, the higher-id peer dials as well. */
  symmetricAfterMs: number
  /** 0..1: fraction of the delay randomised, so many tabs do not retry in lockstep. */
  jitter: number
}

export const defaultDialPlan: DialPlanOptions = {
  baseDelayMs: 300,
  maxDelayMs: 5000,
  symmetricAfterMs: 4000,
  jitter: 0.3
}

export interface DialTarget {
  peerId: string
  discoveredAt: number
  attempts: number
  /** Earliest time the next attempt may start. */
  nextAttemptAt: number
  dialing: boolean
  lastError?: string
}

/**
 * Whether this node is the one that dials first in the pair. Both sides compute the same answer;
 * a hash of the pair picks the side, so each tab dials about half of its peers (with "the lower id
 * dials", the lowest tab would dial everyone and finish last).
 */
export function dialsFirst (self: string, other: string): boolean {
  const [lo, hi] = self < other ? [self, other] : [other, self]
  let h = 2166136261
  for (const s of [lo, hi]) for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619)
  return ((h >>> 0) & 1) === 0 ? self === lo : self === hi
}

/**
 * Whether to start a dial to `t` now. `negotiating`: a WebRTC negotiation with that peer is under
 * way already (a signalling stream is open, whichever side opened it). Starting a second one then
 * makes both fail at ICE: with slow first dials the other side's symmetric dial (after
 * `symmetricAfterMs`) used to collide with ours, and such pairs kept failing for 40-50 s.
 */
export function shouldDial (self: string, t: DialTarget, linked: boolean, now: number, opts: DialPlanOptions = defaultDialPlan, negotiating = false): boolean {
  if (linked || negotiating || t.dialing || now < t.nextAttemptAt) return false
  if (dialsFirst(self, t.peerId)) return true
  return now - t.discoveredAt >= opts.symmetricAfterMs
}

/** Delay before retry number `attempts` (1 = after the first failure). */
export function backoffDelay (attempts: number, random: number, opts: DialPlanOptions = defaultDialPlan): number {
  const exp = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.max(0, attempts - 1))
  const spread = exp * opts.jitter
  return Math.round(exp - spread / 2 + spread * random)
}

/**
 * How long to give the WebRTC part of a dial (signalling over the relayed connection, ICE, DTLS)
 * before abandoning it. A dial that has not connected by then mostly never will (measured: successful
 * dials p95 3.4 s with 10 tabs on 2 cores, while about a third of first dials hang until their
 * timeout), so the timeout follows the dials that did succeed: three times their median, within
 * [minMs, maxMs]. Each failed attempt at the same peer stretches it by half (up to twice maxMs): on a
 * machine so loaded that every dial needs longer than the timeout, a fixed timeout would abandon
 * every attempt and the mesh would never form.
 */
export function dialTimeout (recentSuccessMs: number[], attempts = 0, minMs = 4_000, maxMs = 12_000, initialMs = 6_000): number {
  let base = initialMs
  if (recentSuccessMs.length >= 3) {
    const sorted = [...recentSuccessMs].sort((a, b) => a - b)
    const median = sorted[Math.floor(sorted.length / 2)]!
    base = Math.min(maxMs, Math.max(minMs, Math.round(3 * median)))
  }
  return Math.min(2 * maxMs, Math.round(base * 1.5 ** Math.max(0, attempts)))
}

/**
 * How long to give the relayed connection a WebRTC dial signals over (circuit relay hop and stop,
 * noise and yamux through the relay). It is set up once per pair and kept for retries, so it gets a
 * generous timeout of its own instead of sharing the WebRTC one: abandoning it halfway (the slowest
 * part of a dial on a busy machine) throws away the most expensive work.
 */
export function relayedTimeout (attempts = 0, baseMs = 10_000, maxMs = 30_000): number {
  return Math.min(maxMs, Math.round(baseMs * 1.5 ** Math.max(0, attempts)))
}

/**
 * The relayed address a WebRTC address signals over: `<relay>/p2p-circuit/webrtc/p2p/<peer>` becomes
 * `<relay>/p2p-circuit/p2p/<peer>`. Undefined for anything else.
 */
export function circuitAddressOf (webrtcAddr: string): string | undefined {
  const m = /^(.+\/p2p-circuit)\/webrtc(\/p2p\/[^/]+)$/.exec(webrtcAddr)
  return m === null ? undefined : m[1]! + m[2]!
}

export interface AnnounceOptions {
  /** Least time between two announcements with the same addresses. */
  minGapMs: number
  /** The same, for an announcement a peer waits for: a newcomer that is to dial us needs our address. */
  urgentGapMs: number
}

export const defaultAnnounce: AnnounceOptions = { minGapMs: 500, urgentGapMs: 100 }

export interface PeriodicAnnounceOptions {
  /** While some peer this tab knows is not linked (or it knows none): how often it announces itself. */
  intervalMs: number
  /** Once it is linked to every peer it knows. */
  linkedIntervalMs: number
}

/**
 * The periodic announcement keeps this tab's address fresh for tabs that still have to dial it (they
 * forget a peer that has not announced for 30 s) and lets tabs that missed it find it. A tab linked to
 * every peer it knows needs it much less: a newcomer's own announcement draws an answer at once (see
 * announceDelay), so only the rare lost announcement waits for the slow period. Every announcement
 * goes to every tab of the room through gossip (10 tabs every 5 s: ~12 of a tab's 28-31 idle
 * data-channel messages a second).
 */
export const defaultPeriodicAnnounce: PeriodicAnnounceOptions = { intervalMs: 5_000, linkedIntervalMs: 20_000 }

/** Whether the periodic announcement is due, `last` being when the previous one was made. */
export function periodicAnnounceDue (now: number, last: number, fullyLinked: boolean, opts: PeriodicAnnounceOptions = defaultPeriodicAnnounce): boolean {
  return now - last >= (fullyLinked ? opts.linkedIntervalMs : opts.intervalMs)
}

/**
 * How long to wait before announcing this node's addresses on the discovery topic. Announcements are
 * rate-limited because every one goes to every tab of the room (each checks its signature), and a
 * burst of newcomers would otherwise draw a burst of answers; but the limit only holds back
 * repetitions. New addresses (the first announcement after the relay reservation; one that nobody
 * heard: `last` is only what was actually published) go out at once, and an answer a newcomer is
 * waiting for (it dials first, see dialsFirst) after a short gap only. Before, every announcement
 * waited at least 50 ms and any within 500 ms of the last: the announcement with the new circuit
 * address waited out the one sent without it moments before, and a newcomer's answer waited out both.
 */
export function announceDelay (now: number, addrs: string, last: { at: number, addrs: string } | undefined, urgent: boolean, opts: AnnounceOptions = defaultAnnounce): number {
  if (last === undefined || last.addrs !== addrs) return 0
  return Math.max(0, last.at + (urgent ? opts.urgentGapMs : opts.minGapMs) - now)
}

/**
 * How many dials a tab keeps in flight: additive increase, multiplicative decrease, as TCP does with
 * its congestion window. A dial that times out is the sign of a loaded machine (relay hops and
 * handshakes queue behind busy tabs), and more dials at once then only make each slower: with 10
 * tabs on 2 cores and 3 dials each in flight, 110-140 of 170-190 dials timed out; with 1 each, 10-26
 * of 66-80, the mesh forming as fast. So the window halves (to at least `min`) on a timeout and
 * grows by one, up to `max`, after `growAfter` successes in a row; a small mesh keeps dialing 3 at once.
 */
export class DialWindow {
  #size: number
  #successes = 0
  constructor (readonly min = 1, readonly max = 3, readonly growAfter = 2) { this.#size = max }
  get size (): number { return this.#size }
  /** A dial ended: `timedOut` when it was abandoned for time (not refused or broken). */
  record (ok: boolean, timedOut: boolean): void {
    if (ok) {
      if (++this.#successes >= this.growAfter && this.#size < this.max) { this.#size++; this.#successes = 0 }
      return
    }
    this.#successes = 0
    if (timedOut) this.#size = Math.max(this.min, Math.floor(this.#size / 2))
  }
}
