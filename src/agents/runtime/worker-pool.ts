/**
 * The workers that host built-in agents. Agents are logical: a built-in agent owns no worker, each of
 * its tasks goes to the least loaded live worker of the pool, so a hundred idle agents cost nothing
 * but their bookkeeping. When a pool worker dies, only the tasks on it fail (the runtime attributes
 * them to their agents); the slot is refilled, after a growing delay if it keeps dying.
 */
import { CrashHistory, type CrashPolicy } from './crash-policy.ts'
import { WorkerHandle, type WorkerDeath, type WorkerFactory } from './worker-handle.ts'

export interface WorkerPoolOptions {
  size: number
  factory: WorkerFactory
  crashPolicy: CrashPolicy
  /** How long a worker may take to start. */
  startTimeoutMs: number
  /** Hears of every death of a pool worker (the tasks on it are rejected separately). */
  onDeath?: (handle: WorkerHandle, death: WorkerDeath) => void
}

interface Slot {
  handle: WorkerHandle | undefined
  crashes: CrashHistory
  refill: ReturnType<typeof setTimeout> | undefined
}

export class WorkerPool {
  private readonly slots: Slot[]
  private started = false
  private closed = false
  private waiters: (() => void)[] = []
  private seq = 0

  constructor (private readonly opts: WorkerPoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1) throw new RangeError(`poolSize must be an integer >= 1, got ${opts.size}`)
    this.slots = Array.from({ length: opts.size }, () => ({ handle: undefined, crashes: new CrashHistory(opts.crashPolicy), refill: undefined }))
  }

  get size (): number { return this.slots.length }

  /** Live, initialised workers and the tasks on each. */
  loads (): number[] {
    return this.slots.map(s => s.handle?.initialised === true ? s.handle.load : -1)
  }

  /**
   * The least loaded initialised worker, waiting for one if none is up yet. Starts the pool on first
   * use. The pick is reserved on the worker until the caller hands it a task (`run`) or gives it
   * back (`unreserve`), so tasks picked in one burst spread over the pool.
   */
  async acquire (signal?: AbortSignal): Promise<WorkerHandle> {
    this.start()
    for (;;) {
      if (this.closed) throw new Error('the agent runtime is closed')
      signal?.throwIfAborted()
      let best: WorkerHandle | undefined
      for (const s of this.slots) {
        const h = s.handle
        if (h?.initialised === true && (best === undefined || h.load < best.load)) best = h
      }
      if (best !== undefined) {
        best.reserve()
        return best
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(signal!.reason)
        signal?.addEventListener('abort', onAbort, { once: true })
        this.waiters.push(() => { signal?.removeEventListener('abort', onAbort); resolve() })
      })
    }
  }

  close (): void {
    this.closed = true
    for (const s of this.slots) {
      clearTimeout(s.refill)
      s.handle?.kill('the agent runtime was closed', { intentional: true })
      s.handle = undefined
    }
    this.wake()
  }

  private start (): void {
    if (this.started) return
    this.started = true
    this.slots.forEach(s => this.fill(s))
  }

  private fill (slot: Slot): void {
    if (this.closed) return
    const handle = new WorkerHandle(this.opts.factory, 'pool', `meshwork-agent-pool-${++this.seq}`, (h, death) => this.onDeath(slot, h, death))
    slot.handle = handle
    const timer = setTimeout(() => handle.kill(`the pool worker did not start within ${this.opts.startTimeoutMs} ms`), this.opts.startTimeoutMs)
    handle.ready.then(() => { clearTimeout(timer); this.wake() }, () => clearTimeout(timer))
  }

  private onDeath (slot: Slot, handle: WorkerHandle, death: WorkerDeath): void {
    if (slot.handle !== handle) return
    slot.handle = undefined
    this.opts.onDeath?.(handle, death)
    if (this.closed) return
    // The pool never gives up (built-ins are ours; an agent that keeps crashing it is failed by the
    // runtime instead), but it does slow down.
    const decision = slot.crashes.record(Date.now())
    const delay = decision.action === 'restart' ? decision.delayMs : this.opts.crashPolicy.maxDelayMs
    slot.refill = setTimeout(() => { slot.refill = undefined; this.fill(slot) }, delay)
  }

  private wake (): void {
    const w = this.waiters
    this.waiters = []
    for (const fn of w) fn()
  }
}
