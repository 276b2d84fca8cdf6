/**
 * The agent runtime of a tab: starts agents, runs their tasks in Web Workers, and keeps the tab
 * standing when an agent crashes, hangs or misbehaves.
 *
 * - Built-in agents (`{ kind }`) are logical: they share a small pool of workers (see
 *   worker-pool.ts), so a tab hosts a hundred of them for the cost of their bookkeeping.
 * - Custom agents (`{ source, manifest, author }`) get a worker each, never shared, in which their
 *   module runs in a QuickJS sandbox with a memory limit and an interrupt handler (quickjs-sandbox.ts).
 * - A task runs within its timeout (the manifest's `limits.timeoutMs` unless the caller overrides
 *   it, counted from the `run` call, so time spent waiting for a slot counts, but paused while the
 *   agent waits for an answer to `ctx.ask`) and can be cancelled with an AbortSignal, which reaches
 *   the agent as `ctx.signal`. A worker that does not answer
 *   shortly after a timeout or cancellation is stuck (a busy loop cannot hear an abort): it is
 *   terminated and restarted, which fails the other tasks on it too.
 * - A worker that dies (uncaught error, unhandled rejection, self.close(), killed by the browser,
 *   stuck) fails only the tasks that were on it; the agent reports the crash and is restarted,
 *   later and later if it keeps crashing, until it has crashed `crashPolicy.maxCrashes` times within
 *   `crashPolicy.windowMs` and goes to `failed`.
 * - Consultation: `ctx.ask` and `ctx.alert` go to the run's `consult` (the mesh's hooks); without
 *   one, ask rejects (nobody to ask) and alerts only reach the log. `ctx.handOff` ends the run with
 *   `AgentRunError('handoff')` carrying the reason, for the caller to re-route the task.
 * - Admission: a task starts when its agent runs fewer than its manifest's `maxConcurrentTasks` and
 *   the tab fewer than `maxConcurrentTasks` (factory option); otherwise it waits in a FIFO queue,
 *   and when `maxQueuedTasks` already wait, `run` fails at once with `busy`. Sub-agents started by
 *   `ctx.spawn` bypass the queue (their parent holds a slot; queueing them could deadlock) and are
 *   bounded by their parent's `maxSubAgents` and `maxDepth` instead.
 *
 * The main thread is the authority: the tools a manifest grants and the shape of every result are
 * checked here, whatever the worker claims.
 */
import { Emitter } from '../../net/emitter.ts'
import { builtinManifest } from '../builtin/index.ts'
import { ManifestError, parseManifest, type AgentManifest } from '../manifest.ts'
import {
  AgentRunError,
  AgentToolError,
  BUILTIN_KINDS,
  type AgentResult,
  type AgentSpec,
  type AgentState,
  type AgentStatus,
  type AgentTask,
  type AlertSeverity,
  type AskAudience,
  type BuiltinKind,
  type ChatRequest,
  type ChatResponse,
  type Consultation,
  type GraphHit,
  type GraphListFilter,
  type MeshMatch,
  type MeshView
} from '../types.ts'
import { MAX_ALERTS_PER_TASK, MAX_ASKS_PER_TASK, NOBODY_TO_ASK, checkAlert, checkAsk, checkHandoff } from './consult.ts'
import { TaskDeadline } from './deadline.ts'
import { CrashHistory, DEFAULT_CRASH_POLICY, checkCrashPolicy, type CrashPolicy } from './crash-policy.ts'
import { DEFAULT_MAX_QUEUED, DEFAULT_TAB_CONCURRENCY, childDepthBudget, defaultPoolSize, effectiveTimeout, spawnRefusal } from './limits.ts'
import { toWireError, type AbortReason, type AskOutcome, type LoadOutcome, type LoadProblem, type RunHost, type RunOutcome, type RunRequest, type WireError } from './protocol.ts'
import { ResultError, checkTask, normaliseResult } from './result.ts'
import { QueueFullError, TaskQueue, type Release } from './task-queue.ts'
import { WorkerDeathError, WorkerHandle, defaultWorkerFactory, type WorkerDeath, type WorkerFactory } from './worker-handle.ts'
import { WorkerPool } from './worker-pool.ts'

/**
 * The host side of {@link AgentContext}: what the tab lends its agents. The runtime checks each
 * call against the calling agent's manifest before it gets here.
 */
export interface AgentServices {
  /** L2-normalised sentence embeddings, one per text. */
  embed(texts: string[]): Promise<Float32Array[]>
  /** Semantic search of the room's knowledge graph (tool `graph.read`). */
  graphSearch(text: string, k: number): Promise<GraphHit[]>
  graphGet(id: string): Promise<GraphHit | undefined>
  /** Entities by kind and status, newest first (tool `graph.read`); the filter is checked before. */
  graphList(filter: GraphListFilter): Promise<GraphHit[]>
  /** The mesh as this tab sees it (tool `mesh.read`). */
  meshStatus(): Promise<MeshView>
  /** The online agents best fit for `capability`, one skill each (tool `mesh.read`); `k` is checked before. */
  meshMatch(capability: string, k: number): Promise<MeshMatch[]>
  /** Chat with the configured endpoint (tool `llm`); may throw, e.g. "no endpoint configured". */
  llm(request: ChatRequest): Promise<ChatResponse>
  /** Read once per task, as `ctx.llmAvailable`. */
  llmAvailable(): boolean
}

export interface AgentRuntimeOptions {
  services: AgentServices
  /** Workers shared by built-in agents; default from `navigator.hardwareConcurrency` (2-4). */
  poolSize?: number
  /** Tasks running at once in the tab; more wait. Default 32. */
  maxConcurrentTasks?: number
  /** Tasks that may wait; beyond that `run` fails with `busy`. Default 1024. */
  maxQueuedTasks?: number
  workerFactory?: WorkerFactory
  crashPolicy?: Partial<CrashPolicy>
  /** How long a worker may take to start and load an agent. Default 10 s. */
  startTimeoutMs?: number
  /** After a timeout or cancellation, how long a worker has to answer before it is deemed stuck and killed. Default 1 s. */
  hangProbeMs?: number
}

export interface AgentProgress {
  id: string
  taskId: string
  fraction: number
  note?: string
}

export interface RunOptions {
  /** Overrides the manifest's `limits.timeoutMs` (same bounds). */
  timeoutMs?: number
  signal?: AbortSignal
  onProgress?: (progress: AgentProgress) => void
  /**
   * Where the agent's `ctx.ask` and `ctx.alert` go (the coordination engine's hooks for a task of
   * the mesh). Without it `ctx.ask` rejects: the task has nobody to ask. While an ask is pending
   * the task's timeout is paused. A handoff needs no hook: `run` rejects with code `handoff`.
   */
  consult?: Consultation
}

export interface AgentRuntimeEvents extends Record<string, unknown> {
  state: { id: string, state: AgentState, previous: AgentState | undefined, status: AgentStatus }
  progress: AgentProgress
  /** A worker running this agent's task died or was killed; `willRestart` false means the agent is now `failed`. */
  crash: { id: string, taskId?: string, code: 'crashed' | 'timeout', error: string, restarts: number, willRestart: boolean }
  log: { id: string, taskId?: string, message: string }
}

/** Why `start` refused. `problem` says which part to fix. */
export type StartProblem = LoadProblem | 'spec' | 'manifest' | 'tool' | 'builtin' | 'exists' | 'timeout' | 'crashed' | 'closed'

export class AgentStartError extends Error {
  constructor (readonly problem: StartProblem, message: string) {
    super(message)
    this.name = 'AgentStartError'
  }
}

/** Source text above this size is refused. */
export const MAX_SOURCE_CHARS = 1_000_000
const MAX_LOG_CHARS = 2000
const MAX_LOGS_PER_TASK = 1000
const MAX_EMBED_TEXTS = 1024
/** `ctx.mesh.match`: the longest capability text. */
const MAX_CAPABILITY_CHARS = 2000
/** `ctx.graph.list`: the most entities one call returns, and the default. */
export const MAX_LISTED = 200
const DEFAULT_LISTED = 50

/**
 * `ctx.graph.list`'s filter as an agent gave it, checked: kind and status each a word or a list of
 * at most 16 words, limit a whole number from 1 to {@link MAX_LISTED}. A bad one is a TypeError
 * naming the field.
 */
export function checkListFilter (filter: unknown): GraphListFilter & { limit: number } {
  if (filter === undefined || filter === null) return { limit: DEFAULT_LISTED }
  if (typeof filter !== 'object' || Array.isArray(filter)) throw new TypeError('ctx.graph.list takes an optional filter { kind?, status?, limit? }')
  const { kind, status, limit, ...rest } = filter as Record<string, unknown>
  const extra = Object.keys(rest)
  if (extra.length > 0) throw new TypeError(`ctx.graph.list: unknown filter field ${JSON.stringify(extra[0])} (it takes kind, status and limit)`)
  const words = (v: unknown, field: string): string | string[] | undefined => {
    if (v === undefined) return undefined
    const list = Array.isArray(v) ? v : [v]
    if (list.length === 0 || list.length > 16 || !list.every(w => typeof w === 'string' && /^[a-z][a-z-]{0,39}$/.test(w))) {
      throw new TypeError(`ctx.graph.list: filter.${field} must be a lowercase word or a list of 1 to 16 of them, got ${JSON.stringify(v)?.slice(0, 80)}`)
    }
    return v as string | string[]
  }
  const n = limit ?? DEFAULT_LISTED
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_LISTED) throw new TypeError(`ctx.graph.list: filter.limit must be a whole number from 1 to ${MAX_LISTED}, got ${JSON.stringify(limit)}`)
  const k = words(kind, 'kind')
  const st = words(status, 'status')
  return { ...(k !== undefined ? { kind: k } : {}), ...(st !== undefined ? { status: st } : {}), limit: n }
}

interface Deferred {
  promise: Promise<void>
  resolve: () => void
  reject: (err: unknown) => void
  settled: boolean
}

function deferred (): Deferred {
  let resolve!: () => void
  let reject!: (err: unknown) => void
  const d: Deferred = {
    promise: new Promise<void>((res, rej) => { resolve = res; reject = rej }),
    resolve: () => { d.settled = true; resolve() },
    reject: err => { d.settled = true; reject(err) },
    settled: false
  }
  d.promise.catch(() => {})
  return d
}

interface AgentRecord {
  id: string
  kind: BuiltinKind | 'custom'
  manifest: AgentManifest
  source?: string
  author?: string
  state: AgentState
  running: number
  completed: number
  failures: number
  restarts: number
  lastError?: string
  crashes: CrashHistory
  /** Custom agents only: the dedicated worker (undefined while restarting). */
  worker?: WorkerHandle
  /** Settles when the agent can take tasks again (after a start or restart). */
  ready: Deferred
  /** Sub-agents alive now across the agent's tasks. */
  spawn: { live: number }
  /** Controllers of the agent's tasks, queued or running, so stop() can end them. */
  tasks: Set<AbortController>
  lastDeath?: WorkerDeath
  restartTimer?: ReturnType<typeof setTimeout>
  /** Bumped by stop and by a new start, so late callbacks of an old life do nothing. */
  generation: number
  bootedOnce: boolean
}

/** One task being executed: a registered agent's (top) or a sub-agent's. */
interface RunTarget {
  owner: AgentRecord
  agentId: string
  kind: BuiltinKind | 'custom'
  manifest: AgentManifest
  top: boolean
  depthBudget: number
  spawn: { live: number }
  /** Top-level tasks only: the caller's consultation and the timeout to pause while asking. */
  consult?: Consultation
  deadline?: TaskDeadline
}

export class AgentRuntime {
  private readonly agents = new Map<string, AgentRecord>()
  private readonly events = new Emitter<AgentRuntimeEvents>()
  private readonly queue: TaskQueue
  private readonly pool: WorkerPool
  private readonly factory: WorkerFactory
  private readonly crashPolicy: CrashPolicy
  private readonly startTimeoutMs: number
  private readonly hangProbeMs: number
  private readonly services: AgentServices
  private runSeq = 0
  private closed = false

  constructor (opts: AgentRuntimeOptions) {
    this.services = opts.services
    this.factory = opts.workerFactory ?? defaultWorkerFactory
    this.crashPolicy = checkCrashPolicy({ ...DEFAULT_CRASH_POLICY, ...opts.crashPolicy })
    this.startTimeoutMs = opts.startTimeoutMs ?? 10_000
    this.hangProbeMs = opts.hangProbeMs ?? 1000
    this.queue = new TaskQueue(opts.maxConcurrentTasks ?? DEFAULT_TAB_CONCURRENCY, opts.maxQueuedTasks ?? DEFAULT_MAX_QUEUED)
    const hc = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : undefined
    this.pool = new WorkerPool({
      size: opts.poolSize ?? defaultPoolSize(hc),
      factory: this.factory,
      crashPolicy: this.crashPolicy,
      startTimeoutMs: this.startTimeoutMs
    })
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof AgentRuntimeEvents> (type: K, fn: (e: AgentRuntimeEvents[K]) => void): () => void {
    return this.events.on(type, fn)
  }

  status (id: string): AgentStatus | undefined {
    const rec = this.agents.get(id)
    return rec === undefined ? undefined : statusOf(rec)
  }

  list (): AgentStatus[] {
    return [...this.agents.values()].map(statusOf)
  }

  /** Workers in the built-in pool and the tasks on each (-1: not up). For the UI and tests. */
  poolLoads (): number[] {
    return this.pool.loads()
  }

  /**
   * Starts an agent under `id` (unique in this runtime; a stopped or failed agent's id may be
   * reused). Resolves once it can take tasks; throws {@link AgentStartError} naming the problem
   * (bad manifest, source that does not parse, no default export, ...).
   */
  async start (id: string, spec: AgentSpec): Promise<AgentStatus> {
    if (this.closed) throw new AgentStartError('closed', 'the agent runtime is closed')
    if (typeof id !== 'string' || id === '' || id.length > 200) throw new AgentStartError('spec', 'agent id must be a string of 1-200 characters')
    const existing = this.agents.get(id)
    if (existing !== undefined && existing.state !== 'stopped' && existing.state !== 'failed') {
      throw new AgentStartError('exists', `agent ${id} already exists (${existing.state}); stop it first`)
    }
    if (existing !== undefined) this.retire(existing)
    if (typeof spec !== 'object' || spec === null) throw new AgentStartError('spec', 'spec must be { kind } or { source, manifest, author }')

    if ('kind' in spec) {
      if (!(BUILTIN_KINDS as readonly string[]).includes(spec.kind)) throw new AgentStartError('spec', `unknown built-in kind ${JSON.stringify(spec.kind)}; known: ${BUILTIN_KINDS.join(', ')}`)
      let manifest: AgentManifest
      try {
        manifest = spec.manifest !== undefined ? parseManifest(spec.manifest) : builtinManifest(spec.kind)
      } catch (err) {
        if (err instanceof ManifestError) throw new AgentStartError('manifest', `manifest ${err.message}`)
        throw new AgentStartError('builtin', `could not load built-in agent ${spec.kind}: ${(err as Error).message}`)
      }
      const rec = this.newRecord(id, spec.kind, manifest)
      rec.bootedOnce = true
      this.setState(rec, 'idle')
      rec.ready.resolve()
      return statusOf(rec)
    }

    const { source, author } = spec as { source: unknown, author: unknown }
    if (typeof source !== 'string' || source.trim() === '') throw new AgentStartError('spec', 'source must be the non-empty text of a JavaScript module')
    if (source.length > MAX_SOURCE_CHARS) throw new AgentStartError('spec', `source has ${source.length} characters, more than the ${MAX_SOURCE_CHARS} allowed`)
    if (typeof author !== 'string' || author.trim() === '' || author.length > 200) throw new AgentStartError('spec', 'author must be a non-blank string of at most 200 characters')
    let manifest: AgentManifest
    try {
      manifest = parseManifest(spec.manifest)
    } catch (err) {
      if (err instanceof ManifestError) throw new AgentStartError('manifest', `manifest ${err.message}`)
      throw err
    }
    if (manifest.tools.includes('net.fetch')) {
      throw new AgentStartError('tool', 'tools: "net.fetch" cannot be granted to a custom agent: its worker has no network')
    }
    const rec = this.newRecord(id, 'custom', manifest)
    rec.source = source
    rec.author = author
    try {
      await this.bootCustom(rec)
    } catch (err) {
      const e = this.startFailure(err)
      if (this.agents.get(id) === rec && rec.state !== 'stopped') {
        rec.worker?.kill('start failed', { intentional: true })
        rec.worker = undefined
        rec.lastError = e.message
        this.setState(rec, 'failed')
        rec.ready.reject(new AgentRunError('failed', e.message))
      }
      throw e
    }
    if (this.agents.get(id) !== rec || rec.state === 'stopped') throw new AgentStartError('closed', `agent ${id} was stopped while starting`)
    rec.bootedOnce = true
    this.setState(rec, 'idle')
    rec.ready.resolve()
    return statusOf(rec)
  }

  /**
   * Runs one task on agent `id`. Rejects with {@link AgentRunError}: `unknown-agent`, `stopped`,
   * `failed` (the agent threw, or is in state failed), `timeout`, `cancelled`, `crashed` (its
   * worker died under it), `bad-result`, `limit` (a sub-agent limit the agent did not handle),
   * `busy` (the queue is full). A malformed task or option is a TypeError.
   */
  async run (id: string, task: AgentTask, opts: RunOptions = {}): Promise<AgentResult> {
    if (this.closed) throw new AgentRunError('stopped', 'the agent runtime is closed')
    const rec = this.agents.get(id)
    if (rec === undefined) throw new AgentRunError('unknown-agent', `no agent ${JSON.stringify(id)} in this tab`)
    const clean = checkTask(task)
    const timeoutMs = effectiveTimeout(rec.manifest.limits, opts.timeoutMs)
    const consult = checkConsultation(opts.consult)
    if (rec.state === 'stopped') throw new AgentRunError('stopped', `agent ${id} is stopped`)
    if (rec.state === 'failed') throw new AgentRunError('failed', `agent ${id} has failed (${rec.lastError ?? 'unknown error'}); start it again`)

    const controller = new AbortController()
    const deadline = new TaskDeadline(timeoutMs, () => {
      controller.abort(new AgentRunError('timeout', `task ${clean.id} of agent ${id} took longer than ${timeoutMs} ms${deadline.everPaused ? ' (not counting time waiting for answers)' : ''}`))
    })
    const onCancel = (): void => {
      const why = opts.signal?.reason as { message?: unknown } | undefined
      const detail = typeof why?.message === 'string' && why.message !== '' ? `: ${why.message}` : ''
      controller.abort(new AgentRunError('cancelled', `task ${clean.id} of agent ${id} was cancelled${detail}`))
    }
    if (opts.signal?.aborted === true) onCancel()
    else opts.signal?.addEventListener('abort', onCancel, { once: true })
    rec.tasks.add(controller)

    let release: Release | undefined
    try {
      release = await this.queue.acquire(id, rec.manifest.limits.maxConcurrentTasks, controller.signal).catch(err => {
        throw err instanceof QueueFullError ? new AgentRunError('busy', `the tab is busy: ${err.message}; try later`) : err
      })
      await raceAbort(rec.ready.promise, controller.signal)
      const target: RunTarget = {
        owner: rec,
        agentId: id,
        kind: rec.kind,
        manifest: rec.manifest,
        top: true,
        depthBudget: rec.manifest.limits.maxDepth,
        spawn: rec.spawn,
        deadline,
        ...(consult !== undefined ? { consult } : {})
      }
      return await this.execute(target, clean, controller.signal, opts.onProgress)
    } catch (err) {
      const e = asRunError(err)
      if (e.code !== 'cancelled' && e.code !== 'stopped' && e.code !== 'busy' && e.code !== 'handoff') {
        rec.failures++
        rec.lastError = e.message
      }
      throw e
    } finally {
      deadline.clear()
      opts.signal?.removeEventListener('abort', onCancel)
      release?.()
      rec.tasks.delete(controller)
    }
  }

  /** Stops an agent: its queued and running tasks fail with `stopped`, a custom agent's worker is terminated. */
  async stop (id: string): Promise<void> {
    const rec = this.agents.get(id)
    if (rec === undefined || rec.state === 'stopped') return
    this.retire(rec)
    this.setState(rec, 'stopped')
  }

  /** Stops every agent and the pool. The runtime cannot be used afterwards. */
  close (): void {
    if (this.closed) return
    this.closed = true
    for (const rec of this.agents.values()) {
      if (rec.state === 'stopped') continue
      this.retire(rec)
      this.setState(rec, 'stopped')
    }
    this.pool.close()
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  private newRecord (id: string, kind: BuiltinKind | 'custom', manifest: AgentManifest): AgentRecord {
    const rec: AgentRecord = {
      id,
      kind,
      manifest,
      state: 'starting',
      running: 0,
      completed: 0,
      failures: 0,
      restarts: 0,
      crashes: new CrashHistory(this.crashPolicy),
      ready: deferred(),
      spawn: { live: 0 },
      tasks: new Set(),
      generation: 0,
      bootedOnce: false
    }
    this.agents.set(id, rec)
    this.emitState(rec, undefined)
    return rec
  }

  /** Ends the current life of an agent: tasks fail with `stopped`, the worker goes, pending restarts are dropped. */
  private retire (rec: AgentRecord, err = new AgentRunError('stopped', `agent ${rec.id} was stopped`)): void {
    rec.generation++
    clearTimeout(rec.restartTimer)
    for (const c of rec.tasks) c.abort(err)
    if (!rec.ready.settled) rec.ready.reject(err)
    rec.ready = deferred()
    rec.ready.reject(err)
    rec.worker?.kill(err.message, { intentional: true })
    rec.worker = undefined
  }

  /** Creates the custom agent's worker and loads its source. Throws AgentStartError or WorkerDeathError. */
  private async bootCustom (rec: AgentRecord): Promise<void> {
    const generation = rec.generation
    const handle = new WorkerHandle(this.factory, 'custom', `meshwork-agent-${rec.id}`, (h, death) => this.onCustomDeath(rec, h, death))
    rec.worker = handle
    const timer = setTimeout(() => {
      handle.kill(`agent ${rec.id} did not load within ${this.startTimeoutMs} ms (a busy loop or a top-level await that never ends?)`, { code: 'timeout' })
    }, this.startTimeoutMs)
    try {
      await handle.ready
      const memoryMb = rec.manifest.limits.memoryMb
      const outcome = await handle.whileAlive(handle.remote.loadCustom(rec.source!, memoryMb !== undefined ? { memoryMb } : {}) as Promise<LoadOutcome>)
      if (!outcome.ok) throw new AgentStartError(outcome.problem, `agent ${rec.id}: ${outcome.message}`)
      if (generation === rec.generation) {
        const sb = outcome.sandbox
        this.events.emit('log', { id: rec.id, message: `sandbox: QuickJS, memory limit ${sb.memoryMb} MiB, stack ${sb.stackKb} KiB; no network, storage, DOM or modules` })
      }
    } finally {
      clearTimeout(timer)
    }
  }

  private startFailure (err: unknown): AgentStartError {
    if (err instanceof AgentStartError) return err
    if (err instanceof WorkerDeathError) {
      return new AgentStartError(err.death.code === 'timeout' ? 'timeout' : 'crashed', err.death.code === 'timeout' ? err.message : `the worker died while loading the source: ${err.message}`)
    }
    return new AgentStartError('crashed', `could not start: ${(err as Error)?.message ?? String(err)}`)
  }

  private onCustomDeath (rec: AgentRecord, handle: WorkerHandle, death: WorkerDeath): void {
    if (rec.worker !== handle || death.intentional || !rec.bootedOnce) return
    rec.worker = undefined
    this.noteCrash(rec, death, { code: death.code, charge: true })
  }

  /**
   * Accounts for a worker death an agent lived through: counts it, reports it, and either restarts
   * the agent (custom agents get a new worker; built-ins' pool refills itself) or fails it.
   * `charge` false for bystanders of another task's hang: reported, not held against them.
   */
  private noteCrash (rec: AgentRecord, death: WorkerDeath, how: { code: 'crashed' | 'timeout', charge: boolean, taskId?: string }): void {
    if (rec.lastDeath === death || rec.state === 'stopped' || rec.state === 'failed') return
    rec.lastDeath = death
    const decision = how.charge ? rec.crashes.record(Date.now()) : { action: 'restart' as const, delayMs: 0, crashesInWindow: 0 }
    rec.lastError = death.reason
    const willRestart = decision.action === 'restart'
    if (willRestart) rec.restarts++
    this.events.emit('crash', {
      id: rec.id,
      ...(how.taskId !== undefined ? { taskId: how.taskId } : {}),
      code: how.code,
      error: death.reason,
      restarts: rec.restarts,
      willRestart
    })
    if (!willRestart) {
      const p = this.crashPolicy
      rec.lastError = `${death.reason} (${decision.crashesInWindow} crashes within ${p.windowMs} ms: given up)`
      this.retire(rec, new AgentRunError('failed', `agent ${rec.id} has failed: ${rec.lastError}`))
      this.setState(rec, 'failed')
      return
    }
    if (rec.kind !== 'custom') return
    this.setState(rec, 'starting')
    if (rec.ready.settled) rec.ready = deferred()
    const generation = rec.generation
    rec.restartTimer = setTimeout(() => {
      rec.restartTimer = undefined
      if (generation !== rec.generation) return
      this.bootCustom(rec).then(() => {
        if (generation !== rec.generation) return
        this.setState(rec, rec.running > 0 ? 'working' : 'idle')
        rec.ready.resolve()
      }, err => {
        // A death while loading is already handled by onCustomDeath (another restart, or failed).
        if (generation !== rec.generation || err instanceof WorkerDeathError) return
        rec.lastError = `restart failed: ${(err as Error).message}`
        this.retire(rec, new AgentRunError('failed', `agent ${rec.id} has failed: ${rec.lastError}`))
        this.setState(rec, 'failed')
      })
    }, decision.delayMs)
  }

  private setState (rec: AgentRecord, state: AgentState): void {
    if (rec.state === state) return
    const previous = rec.state
    rec.state = state
    this.emitState(rec, previous)
  }

  private emitState (rec: AgentRecord, previous: AgentState | undefined): void {
    this.events.emit('state', { id: rec.id, state: rec.state, previous, status: statusOf(rec) })
  }

  private adjustRunning (rec: AgentRecord, delta: number): void {
    rec.running += delta
    if (rec.state === 'idle' && rec.running > 0) this.setState(rec, 'working')
    else if (rec.state === 'working' && rec.running === 0) this.setState(rec, 'idle')
  }

  // ---------------------------------------------------------------------------------------------
  // Execution

  private async execute (target: RunTarget, task: AgentTask, signal: AbortSignal, onProgress?: (p: AgentProgress) => void): Promise<AgentResult> {
    const { owner } = target
    signal.throwIfAborted()
    const handle = target.kind === 'custom' ? owner.worker : await this.pool.acquire(signal)
    if (handle === undefined) throw new AgentRunError('crashed', `agent ${owner.id} has no worker (it is restarting)`)
    if (signal.aborted) {
      handle.unreserve()
      throw signal.reason
    }
    const runId = String(++this.runSeq)
    const request: RunRequest = {
      agentId: target.agentId,
      kind: target.kind,
      task,
      tools: [...target.manifest.tools],
      llmAvailable: this.llmAvailable()
    }
    // A custom agent's sandbox interrupts its own code at the deadline or when told to stop (see RunRequest).
    const stop = target.kind === 'custom' ? stopFlag() : undefined
    if (target.kind === 'custom') {
      if (target.deadline !== undefined) request.timeoutMs = Math.max(1, Math.ceil(target.deadline.remainingMs))
      if (stop !== undefined) request.stop = stop.buffer as SharedArrayBuffer
    }
    const host = this.hostFor(target, task, signal, onProgress)
    if (target.top) this.adjustRunning(owner, +1)
    try {
      const outcome = await new Promise<RunOutcome>((resolve, reject) => {
        const onAbort = (): void => {
          if (stop !== undefined) Atomics.store(stop, 0, 1)
          reject(signal.reason)
          this.abandon(handle, runId, target, task.id, abortReasonOf(signal.reason))
        }
        signal.addEventListener('abort', onAbort, { once: true })
        handle.run(runId, request, host).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
      })
      if (!outcome.ok) throw outcomeError(outcome.error, target.agentId, task.id)
      let result: AgentResult
      try {
        result = normaliseResult(outcome.result)
      } catch (err) {
        throw new AgentRunError('bad-result', `agent ${target.agentId} returned a bad result for task ${task.id}: ${(err as Error).message}`)
      }
      if (target.top) owner.completed++
      return result
    } catch (err) {
      if (err instanceof WorkerDeathError) {
        const death = err.death
        if (!death.intentional && target.top && target.kind !== 'custom') {
          const culprit = death.culprit === undefined || death.culprit === runId
          this.noteCrash(owner, death, { code: culprit ? death.code : 'crashed', charge: culprit, taskId: task.id })
        }
        if (death.intentional) throw new AgentRunError('stopped', `task ${task.id} of agent ${target.agentId} ended: ${death.reason}`)
        throw new AgentRunError('crashed', `the worker running task ${task.id} of agent ${target.agentId} died: ${death.reason}`)
      }
      throw err
    } finally {
      if (target.top) this.adjustRunning(owner, -1)
    }
  }

  /**
   * The caller has been answered (timeout, cancel, stop); now make the worker let go. The task's
   * signal is aborted inside the worker; if the worker then does not answer a ping within
   * `hangProbeMs`, it is stuck (a busy loop never sees the abort) and is killed, which fails the
   * other tasks on it as bystanders and restarts it.
   */
  private abandon (handle: WorkerHandle, runId: string, target: RunTarget, taskId: string, reason: AbortReason): void {
    handle.abortTask(runId, reason)
    // A custom agent's next task must not land on a worker that may be stuck (it would die with it):
    // hold new tasks until the probe clears the worker, or until the restart after killing it.
    const owner = target.owner
    let gate: Deferred | undefined
    if (target.kind === 'custom' && target.top && owner.ready.settled && owner.worker === handle) {
      gate = deferred()
      owner.ready = gate
    }
    const release = (): void => { if (gate !== undefined && owner.ready === gate && !gate.settled && handle.alive) gate.resolve() }
    void (async () => {
      if (!handle.hasTask(runId) || await handle.responds(this.hangProbeMs) || !handle.alive) { release(); return }
      const code = reason === 'timeout' ? 'timeout' : 'crashed'
      const what = reason === 'timeout' ? 'its timeout' : reason === 'cancelled' ? 'cancellation' : 'stop'
      const death = handle.kill(`task ${taskId} of agent ${target.agentId} did not stop at ${what}: the worker was stuck and has been terminated`, { code, culprit: runId })
      if (target.top && target.kind !== 'custom') this.noteCrash(target.owner, death, { code, charge: true, taskId })
      else if (!target.top) this.events.emit('log', { id: target.owner.id, taskId, message: `sub-agent ${target.kind} hung and its worker was restarted` })
    })()
  }

  private llmAvailable (): boolean {
    try {
      return this.services.llmAvailable() === true
    } catch {
      return false
    }
  }

  /** The services one task may call, checked against its manifest (the authority: the worker's checks can be bypassed). */
  private hostFor (target: RunTarget, task: AgentTask, signal: AbortSignal, onProgress?: (p: AgentProgress) => void): RunHost {
    const { owner, manifest } = target
    const grant = (tool: 'graph.read' | 'llm' | 'mesh.read', what: string): void => {
      if (!manifest.tools.includes(tool)) throw new AgentToolError(tool, `${what} needs the "${tool}" tool, which agent ${target.agentId}'s manifest does not list`)
    }
    let logs = 0
    let children = 0
    let asks = 0
    let alerts = 0
    const prefix = target.top ? '' : `[${target.kind}] `
    const log = (message: string): void => {
      if (++logs > MAX_LOGS_PER_TASK) return
      const text = logs === MAX_LOGS_PER_TASK ? `${prefix}(further log lines of this task dropped)` : `${prefix}${String(message).slice(0, MAX_LOG_CHARS)}`
      this.events.emit('log', { id: owner.id, taskId: task.id, message: text })
    }
    return {
      progress: (fraction: number, note?: string): void => {
        if (!target.top || signal.aborted || typeof fraction !== 'number' || Number.isNaN(fraction)) return
        const p: AgentProgress = { id: owner.id, taskId: task.id, fraction: Math.min(1, Math.max(0, fraction)) }
        if (typeof note === 'string') p.note = note.slice(0, 500)
        this.events.emit('progress', p)
        try { onProgress?.(p) } catch (err) { console.error('onProgress failed', err) }
      },
      log,
      embed: async (texts: string[]): Promise<Float32Array[]> => {
        if (!Array.isArray(texts) || texts.length > MAX_EMBED_TEXTS || !texts.every(t => typeof t === 'string')) {
          throw new TypeError(`ctx.embed takes an array of at most ${MAX_EMBED_TEXTS} strings`)
        }
        return await this.services.embed(texts)
      },
      graphSearch: async (text: string, k?: number): Promise<GraphHit[]> => {
        grant('graph.read', 'ctx.graph.search')
        const n = k ?? 5
        if (typeof text !== 'string' || !Number.isInteger(n) || n < 1 || n > 100) throw new TypeError('ctx.graph.search takes a string and k between 1 and 100')
        return await this.services.graphSearch(text, n)
      },
      graphGet: async (id: string): Promise<GraphHit | undefined> => {
        grant('graph.read', 'ctx.graph.get')
        if (typeof id !== 'string') throw new TypeError('ctx.graph.get takes an entity id')
        return await this.services.graphGet(id)
      },
      graphList: async (filter?: GraphListFilter): Promise<GraphHit[]> => {
        grant('graph.read', 'ctx.graph.list')
        return await this.services.graphList(checkListFilter(filter))
      },
      meshStatus: async (): Promise<MeshView> => {
        grant('mesh.read', 'ctx.mesh.status')
        return await this.services.meshStatus()
      },
      meshMatch: async (capability: string, k?: number): Promise<MeshMatch[]> => {
        grant('mesh.read', 'ctx.mesh.match')
        const n = k ?? 10
        if (typeof capability !== 'string' || capability.trim() === '' || capability.length > MAX_CAPABILITY_CHARS || !Number.isInteger(n) || n < 1 || n > 50) {
          throw new TypeError(`ctx.mesh.match takes a capability in words (1-${MAX_CAPABILITY_CHARS} characters) and k between 1 and 50`)
        }
        return await this.services.meshMatch(capability, n)
      },
      llm: async (request: ChatRequest): Promise<ChatResponse> => {
        grant('llm', 'ctx.llm')
        if (typeof request !== 'object' || request === null || !Array.isArray(request.messages)) throw new TypeError('ctx.llm takes { messages: [...] }')
        return await this.services.llm(request)
      },
      spawn: async (kind: BuiltinKind, childTask: AgentTask): Promise<RunOutcome> => {
        return await this.spawnChild(target, task, signal, kind, childTask, ++children)
      },
      ask: async (text: string, to: AskAudience): Promise<AskOutcome> => {
        try {
          const q = checkAsk(text, to)
          if (!target.top) throw new Error('ask: a sub-agent cannot ask; its parent agent may')
          const consult = target.consult
          if (consult === undefined) throw new Error(NOBODY_TO_ASK)
          if (++asks > MAX_ASKS_PER_TASK) throw new AgentRunError('limit', `ask: task ${task.id} has asked ${MAX_ASKS_PER_TASK} questions, the most one task may ask`)
          signal.throwIfAborted()
          log(`asks ${q.to === 'person' ? 'a person' : 'the mesh'}: ${q.text}`)
          // A person may take minutes: the task's budget stands still until the answer comes.
          const resume = target.deadline?.pause()
          try {
            const answer = await raceAbort(Promise.resolve().then(async () => await consult.ask(q.text, q.to)), signal)
            if (typeof answer !== 'string') throw new TypeError(`ask: the answer is ${typeof answer}, not text`)
            return { ok: true, answer }
          } finally {
            resume?.()
          }
        } catch (err) {
          return { ok: false, error: toWireError(err) }
        }
      },
      alert: (text: string, severity: AlertSeverity): void => {
        let a: { text: string, severity: AlertSeverity }
        try {
          a = checkAlert(text, severity)
        } catch (err) {
          log(`alert refused: ${(err as Error).message}`)
          return
        }
        if (signal.aborted) return
        if (++alerts > MAX_ALERTS_PER_TASK) {
          if (alerts === MAX_ALERTS_PER_TASK + 1) log(`(further alerts of this task dropped: at most ${MAX_ALERTS_PER_TASK})`)
          return
        }
        log(`alert (${a.severity}): ${a.text}`)
        if (!target.top || target.consult === undefined) return
        try { target.consult.alert(a.text, a.severity) } catch (err) { console.error('consult.alert failed', err) }
      }
    }
  }

  private async spawnChild (parent: RunTarget, parentTask: AgentTask, parentSignal: AbortSignal, kind: BuiltinKind, childTask: AgentTask, n: number): Promise<RunOutcome> {
    try {
      const refusal = spawnRefusal({ tools: parent.manifest.tools, maxSubAgents: parent.manifest.limits.maxSubAgents, depthBudget: parent.depthBudget, live: parent.spawn.live })
      if (refusal?.tool === true) return { ok: false, error: { name: 'AgentToolError', tool: 'spawn', message: `ctx.spawn: ${refusal.reason}` } }
      if (refusal !== undefined) throw new AgentRunError('limit', `agent ${parent.agentId} cannot spawn ${String(kind)}: ${refusal.reason}`)
      if (!(BUILTIN_KINDS as readonly string[]).includes(kind)) throw new AgentRunError('failed', `ctx.spawn: unknown built-in kind ${JSON.stringify(kind)}; known: ${BUILTIN_KINDS.join(', ')}`)
      let task: AgentTask
      try {
        const given = (typeof childTask === 'object' && childTask !== null ? childTask : {}) as Partial<AgentTask>
        task = checkTask({ ...given, id: `${parentTask.id}/${n}` }, 'sub-task')
      } catch (err) {
        throw new AgentRunError('failed', `ctx.spawn: ${(err as Error).message}`)
      }
      parentSignal.throwIfAborted()
      parent.spawn.live++
      const controller = new AbortController()
      const onParent = (): void => controller.abort(parentSignal.reason)
      parentSignal.addEventListener('abort', onParent, { once: true })
      let timer: ReturnType<typeof setTimeout> | undefined
      try {
        const manifest = builtinManifest(kind)
        const timeoutMs = manifest.limits.timeoutMs
        timer = setTimeout(() => controller.abort(new AgentRunError('timeout', `sub-agent ${kind} (task ${task.id}) took longer than ${timeoutMs} ms`)), timeoutMs)
        const child: RunTarget = {
          owner: parent.owner,
          agentId: `${parent.agentId}/${kind}`,
          kind,
          manifest,
          top: false,
          depthBudget: childDepthBudget(parent.depthBudget, manifest.limits.maxDepth),
          spawn: { live: 0 }
        }
        return { ok: true, result: await this.execute(child, task, controller.signal) }
      } finally {
        clearTimeout(timer)
        parentSignal.removeEventListener('abort', onParent)
        parent.spawn.live--
      }
    } catch (err) {
      return { ok: false, error: toWireError(asRunError(err)) }
    }
  }
}

/** Creates a runtime. The pool's workers start with the first built-in agent. */
export function createAgentRuntime (opts: AgentRuntimeOptions): AgentRuntime {
  return new AgentRuntime(opts)
}

function statusOf (rec: AgentRecord): AgentStatus {
  const s: AgentStatus = {
    id: rec.id,
    manifest: rec.manifest,
    kind: rec.kind,
    state: rec.state,
    running: rec.running,
    completed: rec.completed,
    failures: rec.failures,
    restarts: rec.restarts
  }
  if (rec.lastError !== undefined) s.lastError = rec.lastError
  return s
}

function abortReasonOf (reason: unknown): AbortReason {
  if (reason instanceof AgentRunError && (reason.code === 'timeout' || reason.code === 'stopped')) return reason.code
  return 'cancelled'
}

/** A shared Int32 to tell a busy custom agent's sandbox to stop, where shared memory may cross to a worker (cross-origin isolated pages). */
function stopFlag (): Int32Array | undefined {
  if (typeof SharedArrayBuffer !== 'function' || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) return undefined
  return new Int32Array(new SharedArrayBuffer(4))
}

/** `RunOptions.consult` checked: both hooks must be functions. */
function checkConsultation (c: unknown): Consultation | undefined {
  if (c === undefined) return undefined
  const o = c as Partial<Consultation> | null
  if (typeof o !== 'object' || o === null || typeof o.ask !== 'function' || typeof o.alert !== 'function') {
    throw new TypeError('consult must be { ask(text, to) => Promise<string>, alert(text, severity) }')
  }
  return o as Consultation
}

/** The error a failed outcome from the worker stands for. */
function outcomeError (e: WireError, agentId: string, taskId: string): AgentRunError {
  // Only a handoff the worker's run itself reported counts (`handoff` is never copied from a sub-agent's error).
  if (e.name === 'AgentRunError' && e.code === 'handoff' && e.handoff !== undefined) {
    let h
    try {
      h = checkHandoff(e.handoff.reason, e.handoff.toAgentId)
    } catch (err) {
      return new AgentRunError('failed', `agent ${agentId} handed task ${taskId} off badly: ${(err as Error).message}`)
    }
    return new AgentRunError('handoff', `agent ${agentId} handed task ${taskId} off${h.toAgentId !== undefined ? ` to ${h.toAgentId}` : ''}: ${h.reason}`, h)
  }
  if (e.name === 'ResultError') return new AgentRunError('bad-result', `agent ${agentId} returned a bad result for task ${taskId}: ${e.message}`)
  // A sub-agent limit the agent did not handle keeps its code; other errors from sub-agents are the agent's failure.
  if (e.name === 'AgentRunError' && e.code === 'limit') return new AgentRunError('limit', e.message)
  const name = e.name !== 'Error' && e.name !== '' ? `${e.name}: ` : ''
  return new AgentRunError('failed', `agent ${agentId} failed on task ${taskId}: ${name}${e.message}`)
}

function asRunError (err: unknown): AgentRunError {
  if (err instanceof AgentRunError) return err
  if (err instanceof ResultError) return new AgentRunError('bad-result', err.message)
  if (err instanceof WorkerDeathError) return new AgentRunError('crashed', err.message)
  const e = err as { name?: string, message?: string }
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return new AgentRunError(e.name === 'TimeoutError' ? 'timeout' : 'cancelled', e.message ?? 'aborted')
  return new AgentRunError('failed', e?.message ?? String(err))
}

/** `p`, or the signal's reason if it aborts first. */
function raceAbort<T> (p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
