/**
 * When a worker crashes or hangs, the runtime restarts it; when it keeps doing so, the agent is
 * given up on. This is that decision, kept pure so it can be tested without workers or clocks.
 *
 * The first crash in a window restarts at once (a one-off fault should cost nothing); each further
 * crash inside the window waits twice as long as the previous one, so a poison agent cannot spin a
 * core re-creating workers; the `maxCrashes`-th crash inside `windowMs` fails the agent for good
 * (a person has to start it again).
 */
export interface CrashPolicy {
  /** Crashes inside `windowMs` that fail the agent. */
  maxCrashes: number
  windowMs: number
  /** Delay before the second restart in a window; doubles for each one after. */
  baseDelayMs: number
  maxDelayMs: number
}

export const DEFAULT_CRASH_POLICY: CrashPolicy = { maxCrashes: 5, windowMs: 60_000, baseDelayMs: 200, maxDelayMs: 5_000 }

export type CrashDecision =
  | { action: 'restart', delayMs: number, crashesInWindow: number }
  | { action: 'fail', crashesInWindow: number }

/** Restart delay for the n-th crash (1-based) inside the window. */
export function restartDelay (n: number, policy: CrashPolicy): number {
  if (n <= 1) return 0
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 2))
}

/** The crash times of one agent (or one pool slot), and what to do about the next one. */
export class CrashHistory {
  private times: number[] = []

  constructor (readonly policy: CrashPolicy = DEFAULT_CRASH_POLICY) {}

  /** Records a crash at `now` (ms) and decides. */
  record (now: number): CrashDecision {
    this.times = this.times.filter(t => now - t < this.policy.windowMs)
    this.times.push(now)
    const n = this.times.length
    if (n >= this.policy.maxCrashes) return { action: 'fail', crashesInWindow: n }
    return { action: 'restart', delayMs: restartDelay(n, this.policy), crashesInWindow: n }
  }

  /** Crashes still inside the window at `now`. */
  count (now: number): number {
    return this.times.filter(t => now - t < this.policy.windowMs).length
  }

  reset (): void {
    this.times = []
  }
}

/** Checks a caller-supplied policy; throws RangeError naming the bad field. */
export function checkCrashPolicy (p: CrashPolicy): CrashPolicy {
  const int = (v: number, name: string, min: number): void => {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`crashPolicy.${name} must be an integer >= ${min}, got ${v}`)
  }
  int(p.maxCrashes, 'maxCrashes', 1)
  int(p.windowMs, 'windowMs', 1)
  int(p.baseDelayMs, 'baseDelayMs', 0)
  int(p.maxDelayMs, 'maxDelayMs', 0)
  return p
}
