/**
 * The {@link AgentContext} an agent sees inside its worker: a thin shell over the task's
 * {@link RunHost} on the main thread. Grants are checked here first so an agent gets an
 * {@link AgentToolError} naming the tool right where it called, and again on the main thread,
 * which is the authority.
 */
import type * as Comlink from 'comlink'
import type { ToolName } from '../manifest.ts'
import { AgentRunError, AgentToolError, type AgentContext, type AgentResult, type AgentTask, type AlertSeverity, type AskAudience, type BuiltinKind, type ChatRequest, type ChatResponse, type GraphHit, type GraphListFilter, type Handoff, type MeshMatch, type MeshView } from '../types.ts'
import { checkAlert, checkAsk, checkHandoff } from './consult.ts'
import type { AskOutcome, RunHost, RunOutcome, RunRequest, WireError } from './protocol.ts'

/** Progress reports closer together than this are dropped (except the final 1). */
export const PROGRESS_INTERVAL_MS = 50

/** What the worker's `run` learns from the context besides the handler's return: whether the agent handed off. */
export interface WorkerRunState {
  /** The first `ctx.handOff` of the run; once set the run ends as a handoff, whatever the handler does next. */
  handoff?: Handoff
  /**
   * The last fire-and-forget call (progress, log, alert). The outcome travels on another channel
   * than these calls, and the host's port closes when the outcome arrives, so the run waits for
   * this (replies come in order) before answering: an alert raised just before returning is not lost.
   */
  lastSend?: Promise<unknown>
}

/** Thrown by `ctx.handOff`; catching it does not undo the handoff (see {@link WorkerRunState}). */
export class HandoffSignal extends Error {
  constructor (readonly handoff: Handoff) {
    super(`handed off: ${handoff.reason}`)
    this.name = 'HandoffSignal'
  }
}

export function createWorkerContext (request: RunRequest, host: Comlink.Remote<RunHost>, signal: AbortSignal, state: WorkerRunState = {}): AgentContext {
  const grants = new Set<ToolName>(request.tools)
  const need = (tool: ToolName, what: string): void => {
    if (!grants.has(tool)) throw new AgentToolError(tool, `${what} needs the "${tool}" tool, which agent ${request.agentId}'s manifest does not list`)
  }
  let lastProgress = -Infinity
  return {
    agentId: request.agentId,
    signal,
    llmAvailable: request.llmAvailable,
    progress (fraction: number, note?: string): void {
      if (typeof fraction !== 'number' || Number.isNaN(fraction)) return
      const now = performance.now()
      if (fraction < 1 && now - lastProgress < PROGRESS_INTERVAL_MS) return
      lastProgress = now
      state.lastSend = host.progress(Math.min(1, Math.max(0, fraction)), typeof note === 'string' ? note : undefined).catch(() => {})
    },
    log (message: string): void {
      state.lastSend = host.log(String(message)).catch(() => {})
    },
    async embed (texts: string[]): Promise<Float32Array[]> {
      return await rethrow(host.embed(texts))
    },
    graph: {
      async search (text: string, k?: number): Promise<GraphHit[]> {
        need('graph.read', 'ctx.graph.search')
        return await rethrow(host.graphSearch(text, k))
      },
      async get (id: string): Promise<GraphHit | undefined> {
        need('graph.read', 'ctx.graph.get')
        return await rethrow(host.graphGet(id))
      },
      async list (filter?: GraphListFilter): Promise<GraphHit[]> {
        need('graph.read', 'ctx.graph.list')
        return await rethrow(host.graphList(filter))
      }
    },
    mesh: {
      async status (): Promise<MeshView> {
        need('mesh.read', 'ctx.mesh.status')
        return await rethrow(host.meshStatus())
      },
      async match (capability: string, k?: number): Promise<MeshMatch[]> {
        need('mesh.read', 'ctx.mesh.match')
        return await rethrow(host.meshMatch(capability, k))
      }
    },
    async llm (req: ChatRequest): Promise<ChatResponse> {
      need('llm', 'ctx.llm')
      return await rethrow(host.llm(req))
    },
    async spawn (kind: BuiltinKind, task: AgentTask): Promise<AgentResult> {
      need('spawn', 'ctx.spawn')
      // comlink's Promisify spreads over the union; name the type it really is.
      const outcome = await rethrow(host.spawn(kind, task) as Promise<RunOutcome>)
      if (outcome.ok) return outcome.result
      throw fromWireError(outcome.error)
    },
    async ask (text: string, options?: { to?: AskAudience }): Promise<string> {
      if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError("ask: options must be { to: 'person' | 'mesh' }")
      const q = checkAsk(text, options?.to)
      signal.throwIfAborted()
      const outcome = await untilAborted(rethrow(host.ask(q.text, q.to) as Promise<AskOutcome>), signal)
      if (outcome.ok) return outcome.answer
      throw fromWireError(outcome.error)
    },
    alert (text: string, severity?: AlertSeverity): void {
      const a = checkAlert(text, severity)
      state.lastSend = host.alert(a.text, a.severity).catch(() => {})
    },
    handOff (reason: string, toAgentId?: string): never {
      const h = checkHandoff(reason, toAgentId)
      state.handoff ??= h
      throw new HandoffSignal(h)
    }
  }
}

/** `p`, or the signal's reason as soon as it aborts (the agent should not wait on an answer nobody will read). */
function untilAborted<T> (p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/** The error a {@link WireError} stands for, as the agent should see it. */
export function fromWireError (e: WireError): Error {
  if (e.name === 'AgentRunError' && e.code !== undefined) return new AgentRunError(e.code as AgentRunError['code'], e.message, e.handoff)
  if (e.name === 'AgentToolError') return new AgentToolError(e.tool ?? 'unknown', e.message)
  const err = new Error(e.message)
  err.name = e.name
  return err
}

/** comlink rebuilds a thrown error as a plain Error with the name copied; give tool errors their class back. */
async function rethrow<T> (p: Promise<T>): Promise<T> {
  try {
    return await p
  } catch (err) {
    const e = err as { name?: string, message?: string, tool?: string }
    if (e?.name === 'AgentToolError') throw new AgentToolError(e.tool ?? 'unknown', e.message ?? 'tool not allowed')
    throw err
  }
}
