/**
 * Admission of tasks: at most `limit` run at once in the tab, and at most `keyLimit` per agent
 * (its manifest's `maxConcurrentTasks`). A task that cannot start waits in one FIFO queue; a
 * waiting task whose agent is saturated does not hold up tasks of other agents behind it. When
 * `maxQueued` tasks already wait, `acquire` refuses at once with {@link QueueFullError} (the runtime
 * turns that into `AgentRunError('busy')`), so a flood is refused instead of piling up.
 *
 * Pure bookkeeping: no timers, no workers. Waiting ends with the slot, or when the signal aborts
 * (rejects with the signal's reason), or through {@link TaskQueue.rejectWaiting}.
 */
export class QueueFullError extends Error {
  constructor (readonly maxQueued: number) {
    super(`${maxQueued} tasks are already waiting for a slot`)
    this.name = 'QueueFullError'
  }
}

/** Gives the slot back; calling it again does nothing. */
export type Release = () => void

interface Waiter {
  key: string
  keyLimit: number
  grant: (release: Release) => void
  reject: (err: unknown) => void
  cleanup: () => void
}

export class TaskQueue {
  private readonly perKey = new Map<string, number>()
  private readonly waiting: Waiter[] = []
  private total = 0

  constructor (readonly limit: number, readonly maxQueued: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be an integer >= 1, got ${limit}`)
    if (!Number.isInteger(maxQueued) || maxQueued < 0) throw new RangeError(`maxQueued must be an integer >= 0, got ${maxQueued}`)
  }

  get running (): number { return this.total }
  get queued (): number { return this.waiting.length }
  runningFor (key: string): number { return this.perKey.get(key) ?? 0 }
  queuedFor (key: string): number { return this.waiting.filter(w => w.key === key).length }

  acquire (key: string, keyLimit: number, signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted === true) return Promise.reject(signal.reason)
    if (this.canStart(key, keyLimit) && !this.waiting.some(w => w.key === key)) return Promise.resolve(this.take(key))
    if (this.waiting.length >= this.maxQueued) return Promise.reject(new QueueFullError(this.maxQueued))
    return new Promise<Release>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiting.indexOf(waiter)
        if (i >= 0) this.waiting.splice(i, 1)
        reject(signal!.reason)
      }
      const waiter: Waiter = {
        key,
        keyLimit,
        grant: resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiting.push(waiter)
    })
  }

  /** Rejects every task of `key` that is still waiting (e.g. its agent was stopped). */
  rejectWaiting (key: string, err: unknown): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const w = this.waiting[i]!
      if (w.key !== key) continue
      this.waiting.splice(i, 1)
      w.cleanup()
      w.reject(err)
    }
  }

  private canStart (key: string, keyLimit: number): boolean {
    return this.total < this.limit && this.runningFor(key) < keyLimit
  }

  private take (key: string): Release {
    this.total++
    this.perKey.set(key, this.runningFor(key) + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      this.total--
      const n = this.runningFor(key) - 1
      if (n <= 0) this.perKey.delete(key)
      else this.perKey.set(key, n)
      this.pump()
    }
  }

  /** Starts waiting tasks in arrival order, skipping those whose agent is saturated. */
  private pump (): void {
    for (let i = 0; i < this.waiting.length && this.total < this.limit;) {
      const w = this.waiting[i]!
      if (this.runningFor(w.key) < w.keyLimit) {
        this.waiting.splice(i, 1)
        w.cleanup()
        w.grant(this.take(w.key))
      } else {
        i++
      }
    }
  }
}
