/**
 * The conversation between the runtime (main thread) and an agent worker, in one place: the API the
 * worker exposes through comlink, the per-task host the main thread exposes back on a
 * MessagePort of its own, and the out-of-band crash message.
 *
 * Errors cross as values ({@link WireError}) rather than thrown, so their `name`, `code` and `tool`
 * survive: comlink keeps only `name`, `message` and `stack` of a thrown error.
 */
import type { ToolName } from '../manifest.ts'
import type { AgentResult, AgentTask, AlertSeverity, AskAudience, BuiltinKind, ChatRequest, ChatResponse, GraphHit, GraphListFilter, Handoff, MeshMatch, MeshView } from '../types.ts'

/** `pool`: hosts built-in agents of any kind. `custom`: hosts one person's source, in QuickJS. */
export type WorkerRole = 'pool' | 'custom'

export interface WorkerInit {
  role: WorkerRole
  /**
   * Name of a Web Lock the worker takes and holds until it dies; the main thread queues for the
   * same lock and so learns of the worker's death even when nothing else tells it (self.close(),
   * out of memory). Undefined where Web Locks are missing.
   */
  lockName?: string
}

export interface WorkerReady {
  /** True when the worker holds the liveness lock. */
  holdsLock: boolean
}

export type LoadProblem = 'syntax' | 'threw' | 'no-default' | 'not-function' | 'sandbox' | 'role'

/** What a custom agent runs in: QuickJS with these limits. */
export interface SandboxInfo {
  engine: 'quickjs'
  memoryMb: number
  stackKb: number
}

/** How to load a custom agent: `memoryMb` is the manifest's `limits.memoryMb` (absent: the sandbox's default). */
export interface LoadOptions {
  memoryMb?: number
}

export type LoadOutcome =
  | { ok: true, sandbox: SandboxInfo }
  | { ok: false, problem: LoadProblem, message: string }

/** One task handed to a worker. `tools` are the manifest's grants, checked again on the main thread. */
export interface RunRequest {
  agentId: string
  kind: BuiltinKind | 'custom'
  task: AgentTask
  tools: ToolName[]
  llmAvailable: boolean
  /**
   * Custom agents: the task's remaining budget when it was handed over (ms); the sandbox interrupts
   * the agent's code once it is used up, so a busy loop ends without killing the worker.
   */
  timeoutMs?: number
  /**
   * Custom agents, where the page is cross-origin isolated: one Int32 the main thread sets to 1
   * when it gives the task up (timeout, cancel, stop). The sandbox's interrupt handler reads it, so
   * it reaches code that keeps the worker's thread busy, which no message could.
   */
  stop?: SharedArrayBuffer
}

export interface WireError {
  name: string
  message: string
  /** AgentRunError's code. */
  code?: string
  /** AgentToolError's tool. */
  tool?: string
  /**
   * Set only by the worker's `run` when the agent called `ctx.handOff` during that run (never
   * copied by {@link toWireError}), so that a sub-agent's handoff rethrown by its parent is the
   * parent's failure, not a handoff of the parent's task.
   */
  handoff?: Handoff
}

export type RunOutcome = { ok: true, result: AgentResult } | { ok: false, error: WireError }

/** The answer to `ctx.ask`, or why there is none (as a value, so the error's code survives). */
export type AskOutcome = { ok: true, answer: string } | { ok: false, error: WireError }

export type AbortReason = 'timeout' | 'cancelled' | 'stopped'

/** Exposed by the worker (comlink on the worker's own endpoint). */
export interface AgentWorkerApi {
  init(init: WorkerInit): Promise<WorkerReady>
  /** Custom role only: loads the source as a module into a QuickJS sandbox (see quickjs-sandbox.ts). */
  loadCustom(source: string, options?: LoadOptions): Promise<LoadOutcome>
  /** Runs one task; `host` is a MessagePort on which the main thread exposes a {@link RunHost}. */
  run(runId: string, request: RunRequest, host: MessagePort): Promise<RunOutcome>
  abort(runId: string, reason: AbortReason): void
  ping(): true
}

/** Exposed by the main thread for one task; every call is checked against the task's grants there. */
export interface RunHost {
  progress(fraction: number, note?: string): void
  log(message: string): void
  embed(texts: string[]): Promise<Float32Array[]>
  graphSearch(text: string, k?: number): Promise<GraphHit[]>
  graphGet(id: string): Promise<GraphHit | undefined>
  graphList(filter?: GraphListFilter): Promise<GraphHit[]>
  meshStatus(): Promise<MeshView>
  meshMatch(capability: string, k?: number): Promise<MeshMatch[]>
  llm(request: ChatRequest): Promise<ChatResponse>
  spawn(kind: BuiltinKind, task: AgentTask): Promise<RunOutcome>
  /** Resolves once someone answers, or the task is cancelled; the task's timeout is paused meanwhile. */
  ask(text: string, to: AskAudience): Promise<AskOutcome>
  /** Fire-and-forget. */
  alert(text: string, severity: AlertSeverity): void
}

/** Posted by a worker outside comlink when it is about to die or has hit a fatal fault. */
export const CRASH_MESSAGE = 'meshwork:agent-worker-crash'
export interface CrashMessage { type: typeof CRASH_MESSAGE, reason: string }

export function isCrashMessage (data: unknown): data is CrashMessage {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === CRASH_MESSAGE &&
    typeof (data as { reason?: unknown }).reason === 'string'
}

/** Any thrown value as a {@link WireError}. */
export function toWireError (err: unknown): WireError {
  if (err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err)) {
    const e = err as { name?: unknown, message?: unknown, code?: unknown, tool?: unknown }
    const out: WireError = {
      name: typeof e.name === 'string' ? e.name : 'Error',
      message: typeof e.message === 'string' ? e.message : String(e.message)
    }
    if (typeof e.code === 'string') out.code = e.code
    if (typeof e.tool === 'string') out.tool = e.tool
    return out
  }
  return { name: 'Error', message: `threw a non-error value: ${safeString(err)}` }
}

function safeString (v: unknown): string {
  try {
    return typeof v === 'string' ? JSON.stringify(v) : String(v)
  } catch {
    return typeof v
  }
}
