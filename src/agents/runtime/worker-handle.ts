/**
 * The main thread's hold on one agent worker: its comlink proxy, the tasks running on it, and
 * every way of learning that it died. A worker dies by an uncaught error, an unhandled rejection,
 * closing itself, the browser killing it (noticed through the liveness lock), or by {@link kill}
 * (a hang, a stop). Whatever the cause, death happens once: the worker is terminated, every task
 * still on it is rejected with a {@link WorkerDeath}, and the owner's `onDeath` hears of it.
 */
import * as Comlink from 'comlink'
import { isCrashMessage, type AbortReason, type AgentWorkerApi, type RunHost, type RunOutcome, type RunRequest, type WorkerRole } from './protocol.ts'

/** Creates the Worker for a role; tests and other bundlers may supply their own. */
export type WorkerFactory = (role: WorkerRole, name: string) => Worker

export const defaultWorkerFactory: WorkerFactory = (_role, name) =>
  new Worker(new URL('./agent.worker.ts', import.meta.url), { type: 'module', name })

/** Why a worker died. One object per death, so several tasks failing from one death count once. */
export class WorkerDeath {
  readonly at = Date.now()
  constructor (
    readonly reason: string,
    /** Stopped or closed on purpose: not a crash. */
    readonly intentional: boolean,
    /** `timeout` when killed because a task hung past its timeout. */
    readonly code: 'crashed' | 'timeout' = 'crashed',
    /** The task whose hang caused the kill, if one did; the other tasks on the worker are bystanders. */
    readonly culprit?: string
  ) {}
}

export interface KillOptions {
  intentional?: boolean
  code?: 'crashed' | 'timeout'
  culprit?: string
}

/** Rejection of a task whose worker died under it. */
export class WorkerDeathError extends Error {
  constructor (readonly death: WorkerDeath) {
    super(death.reason)
    this.name = 'WorkerDeathError'
  }
}

let lockSeq = 0

export class WorkerHandle {
  readonly remote: Comlink.Remote<AgentWorkerApi>
  /** Resolves once the worker is initialised; rejects with a WorkerDeathError if it dies first. */
  readonly ready: Promise<void>
  /** Resolves with the death, whenever it comes. */
  readonly died: Promise<WorkerDeath>
  private readonly worker: Worker
  private readonly tasks = new Map<string, (death: WorkerDeath) => void>()
  private readonly lockWatch = new AbortController()
  private death: WorkerDeath | undefined
  private resolveDied!: (d: WorkerDeath) => void
  private isReady = false
  /** Tasks promised to this worker by the pool but not yet handed over. */
  private reserved = 0

  constructor (
    factory: WorkerFactory,
    readonly role: WorkerRole,
    readonly name: string,
    private readonly onDeath: (handle: WorkerHandle, death: WorkerDeath) => void
  ) {
    this.died = new Promise(resolve => { this.resolveDied = resolve })
    this.worker = factory(role, name)
    this.worker.addEventListener('error', (e: ErrorEvent) => {
      // Handled here: reported as the agent's crash, not as an uncaught error of the page.
      e.preventDefault()
      const message = typeof e.message === 'string' && e.message !== '' ? e.message.replace(/^Uncaught /, '') : 'the worker failed to load or threw'
      this.die(`uncaught error in the worker: ${message}`)
    })
    this.worker.addEventListener('messageerror', () => this.die('the worker sent a message that could not be read'))
    this.worker.addEventListener('message', (e: MessageEvent) => {
      if (isCrashMessage(e.data)) this.die(e.data.reason)
    })
    this.remote = Comlink.wrap<AgentWorkerApi>(this.worker)
    this.ready = this.whileAlive(this.init())
    this.ready.catch(() => {})
  }

  get alive (): boolean { return this.death === undefined }
  get initialised (): boolean { return this.isReady && this.alive }
  /** Tasks on this worker now, counting those reserved for it. */
  get load (): number { return this.tasks.size + this.reserved }

  /** Counts a task as on its way here, so the pool's next pick sees it before it arrives. */
  reserve (): void { this.reserved++ }
  unreserve (): void { if (this.reserved > 0) this.reserved-- }

  private async init (): Promise<void> {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks
    const lockName = locks !== undefined ? `meshwork-agent-worker-${Date.now().toString(36)}-${++lockSeq}-${Math.random().toString(36).slice(2)}` : undefined
    const ready = await this.remote.init({ role: this.role, ...(lockName !== undefined ? { lockName } : {}) })
    if (ready.holdsLock && lockName !== undefined && locks !== undefined) {
      // Granted only when the worker no longer holds it, i.e. when it is gone.
      locks.request(lockName, { signal: this.lockWatch.signal }, () => { this.die('the worker exited') }).catch(() => {})
    }
    this.isReady = true
  }

  /** `p`, or a WorkerDeathError if the worker dies first. */
  whileAlive<T> (p: Promise<T>): Promise<T> {
    if (this.death !== undefined) return Promise.reject(new WorkerDeathError(this.death))
    return Promise.race([p, this.died.then(d => { throw new WorkerDeathError(d) })])
  }

  /** Runs one task; `host` is exposed to the worker on a port of its own, closed when the task settles. */
  run (runId: string, request: RunRequest, host: RunHost): Promise<RunOutcome> {
    this.unreserve()
    if (this.death !== undefined) return Promise.reject(new WorkerDeathError(this.death))
    const { port1, port2 } = new MessageChannel()
    Comlink.expose(host, port1)
    return new Promise<RunOutcome>((resolve, reject) => {
      this.tasks.set(runId, death => reject(new WorkerDeathError(death)))
      this.remote.run(runId, request, Comlink.transfer(port2, [port2])).then(resolve, reject)
    }).finally(() => {
      this.tasks.delete(runId)
      port1.close()
    })
  }

  /** True while the task is still running on the worker (not settled, worker alive). */
  hasTask (runId: string): boolean { return this.tasks.has(runId) }

  abortTask (runId: string, reason: AbortReason): void {
    if (this.death === undefined) this.remote.abort(runId, reason).catch(() => {})
  }

  /** True if the worker answers within `ms`; a worker stuck in a loop cannot. */
  async responds (ms: number): Promise<boolean> {
    if (this.death !== undefined) return false
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<false>(resolve => { timer = setTimeout(() => resolve(false), ms) })
    try {
      return await Promise.race([this.remote.ping().then(() => true, () => false), late, this.died.then(() => false)])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Terminates the worker (if it is not dead already) and returns its death. */
  kill (reason: string, opts: KillOptions = {}): WorkerDeath {
    return this.die(reason, opts)
  }

  private die (reason: string, opts: KillOptions = {}): WorkerDeath {
    if (this.death !== undefined) return this.death
    const death = new WorkerDeath(reason, opts.intentional === true, opts.code, opts.culprit)
    this.death = death
    this.lockWatch.abort()
    this.worker.terminate()
    this.resolveDied(death)
    const tasks = [...this.tasks.values()]
    this.tasks.clear()
    for (const fail of tasks) fail(death)
    // After the tasks' rejections have reached their callers, so that a task that died here fails
    // as `crashed` even when the owner reacts to the death by failing the whole agent.
    setTimeout(() => this.onDeath(this, death), 0)
    return death
  }
}
