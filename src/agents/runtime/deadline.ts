/**
 * A task's wall-clock budget that stands still while the task waits for a person. The runtime
 * pauses it for as long as at least one `ctx.ask` is pending: an answer may take minutes, and an
 * agent should not be timed out for our slowness. Time spent computing, and waiting in the queue,
 * counts as before.
 */

/** The timer functions the deadline uses; injectable so that tests control time. */
export interface DeadlineClock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const systemClock: DeadlineClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: h => { clearTimeout(h as ReturnType<typeof setTimeout>) }
}

export class TaskDeadline {
  private remaining: number
  private since: number
  private timer: unknown
  private pauses = 0
  private done = false
  private wasPaused = false

  /** Starts counting `ms` now; `onExpire` runs once, when the budget is used up outside pauses. */
  constructor (ms: number, private readonly onExpire: () => void, private readonly clock: DeadlineClock = systemClock) {
    this.remaining = ms
    this.since = clock.now()
    this.timer = clock.setTimeout(() => this.expire(), ms)
  }

  /** Budget left, ms (frozen while paused). */
  get remainingMs (): number {
    return this.pauses > 0 || this.done ? Math.max(0, this.remaining) : Math.max(0, this.remaining - (this.clock.now() - this.since))
  }

  get paused (): boolean { return this.pauses > 0 }
  /** True once the clock has been paused at least once (the timeout message says so). */
  get everPaused (): boolean { return this.wasPaused }

  /**
   * Stops the clock until the returned function is called. Pauses nest (two questions at once):
   * the clock runs again when the last one ends. Calling the returned function twice does nothing.
   */
  pause (): () => void {
    if (this.done) return () => {}
    this.wasPaused = true
    if (this.pauses++ === 0) {
      this.clock.clearTimeout(this.timer)
      this.remaining -= this.clock.now() - this.since
    }
    let resumed = false
    return () => {
      if (resumed) return
      resumed = true
      if (--this.pauses > 0 || this.done) return
      this.since = this.clock.now()
      this.timer = this.clock.setTimeout(() => this.expire(), Math.max(0, this.remaining))
    }
  }

  /** Stops for good (the task settled). */
  clear (): void {
    this.done = true
    this.clock.clearTimeout(this.timer)
  }

  private expire (): void {
    if (this.done || this.pauses > 0) return
    this.done = true
    this.onExpire()
  }
}
