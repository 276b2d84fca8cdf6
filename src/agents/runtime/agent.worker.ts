/**
 * The agent worker. One script, two roles (set by `init`):
 * - `pool`: hosts built-in agents of any kind, each loaded on first use from src/agents/builtin/;
 *   many tasks of many agents interleave on it.
 * - `custom`: hosts exactly one person's agent, whose module runs in a QuickJS sandbox
 *   (quickjs-sandbox.ts) with a memory limit and an interrupt handler; the person's code never runs
 *   as the worker's own JavaScript, so it has none of the worker's globals (network, storage, the
 *   worker itself) to begin with.
 *
 * Faults the main thread cannot see through comlink are reported out of band: an unhandled
 * rejection, or the agent closing its own worker. The worker also holds a Web Lock until it dies,
 * which tells the main thread about deaths nobody reports (see protocol.ts).
 */
import * as Comlink from 'comlink'
import { BUILTIN_KINDS, type AgentHandler, type BuiltinAgent, type BuiltinKind, type Handoff } from '../types.ts'
import { CRASH_MESSAGE, toWireError, type AbortReason, type AgentWorkerApi, type CrashMessage, type LoadOptions, type LoadOutcome, type RunHost, type RunOutcome, type RunRequest, type WorkerInit, type WorkerReady, type WorkerRole } from './protocol.ts'
import { normaliseResult } from './result.ts'
import type { CustomAgentSandbox } from './quickjs-sandbox.ts'
import { createWorkerContext, type WorkerRunState } from './worker-context.ts'

declare const self: DedicatedWorkerGlobalScope

let role: WorkerRole | undefined
let customSandbox: CustomAgentSandbox | undefined
const builtins = new Map<BuiltinKind, Promise<BuiltinAgent>>()
const runs = new Map<string, AbortController>()
// Captured before any custom code runs, which may replace globals.
const post = self.postMessage.bind(self)
const setTimer = self.setTimeout.bind(self)
const clearTimer = self.clearTimeout.bind(self)

function reportCrash (reason: string): void {
  const msg: CrashMessage = { type: CRASH_MESSAGE, reason }
  try { post(msg) } catch { /* the worker is going anyway */ }
}

self.addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => {
  // Reported as the agent's crash; not also as an uncaught error of the page.
  e.preventDefault()
  const r = e.reason as { message?: unknown } | undefined
  reportCrash(`unhandled promise rejection: ${typeof r?.message === 'string' ? r.message : String(e.reason)}`)
})

function builtin (kind: BuiltinKind): Promise<BuiltinAgent> {
  let p = builtins.get(kind)
  if (p === undefined) {
    p = (async () => {
      if (!(BUILTIN_KINDS as readonly string[]).includes(kind)) throw new Error(`unknown built-in agent kind ${JSON.stringify(kind)}; known: ${BUILTIN_KINDS.join(', ')}`)
      // Dynamic, so a custom worker never loads the built-ins (nor mathjs, nor QuickJS).
      const { loadBuiltin } = await import('../builtin/index.ts')
      return await loadBuiltin(kind)
    })()
    p.catch(() => builtins.delete(kind))
    builtins.set(kind, p)
  }
  return p
}

async function holdLivenessLock (name: string | undefined): Promise<boolean> {
  const locks = (self.navigator as Navigator & { locks?: LockManager }).locks
  if (name === undefined || locks === undefined) return false
  return await new Promise<boolean>(resolve => {
    // Held until the worker dies: the callback's promise never settles.
    locks.request(name, () => { resolve(true); return new Promise<never>(() => {}) }).catch(() => resolve(false))
  })
}

/** Waits (briefly: the main thread may be gone) until the host has received the run's last fire-and-forget call. */
async function delivered (last: Promise<unknown> | undefined): Promise<void> {
  if (last === undefined) return
  let timer: number | undefined
  await Promise.race([last, new Promise(resolve => { timer = setTimer(resolve, 1000) })])
  clearTimer(timer)
}

function handedOff (handoff: Handoff): RunOutcome {
  return { ok: false, error: { name: 'AgentRunError', code: 'handoff', message: `handed off: ${handoff.reason}`, handoff } }
}

const api: AgentWorkerApi = {
  async init (init: WorkerInit): Promise<WorkerReady> {
    if (role !== undefined) throw new Error('agent worker: init called twice')
    role = init.role
    return { holdsLock: await holdLivenessLock(init.lockName) }
  },

  async loadCustom (source: string, options: LoadOptions = {}): Promise<LoadOutcome> {
    if (role !== 'custom' || customSandbox !== undefined) return { ok: false, problem: 'role', message: 'this worker does not take custom source' }
    // Dynamic, so pool workers never load the sandbox's host side.
    const { CustomAgentSandbox } = await import('./quickjs-sandbox.ts')
    const memoryMb = typeof options.memoryMb === 'number' && Number.isInteger(options.memoryMb) && options.memoryMb > 0 ? options.memoryMb : undefined
    const loaded = await CustomAgentSandbox.load(source, { onCrash: reportCrash, ...(memoryMb !== undefined ? { memoryMb } : {}) })
    if (!loaded.ok) return loaded
    customSandbox = loaded.sandbox
    return { ok: true, sandbox: loaded.sandbox.info }
  },

  async run (runId: string, request: RunRequest, port: MessagePort): Promise<RunOutcome> {
    const host = Comlink.wrap<RunHost>(port)
    const controller = new AbortController()
    const state: WorkerRunState = {}
    runs.set(runId, controller)
    try {
      const ctx = createWorkerContext(request, host, controller.signal, state)
      let value: unknown
      if (request.kind === 'custom') {
        if (role !== 'custom' || customSandbox === undefined) throw new Error('agent worker: no custom agent loaded here')
        const flag = request.stop !== undefined ? new Int32Array(request.stop) : undefined
        value = await customSandbox.run(request.task, ctx, {
          ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
          ...(flag !== undefined ? { stopped: () => Atomics.load(flag, 0) !== 0 } : {})
        })
      } else {
        if (role !== 'pool') throw new Error('agent worker: built-in agents run in pool workers only')
        const handler: AgentHandler = (await builtin(request.kind)).handler
        value = await handler(request.task, ctx)
      }
      if (state.handoff !== undefined) return handedOff(state.handoff)
      return { ok: true, result: normaliseResult(value) }
    } catch (err) {
      // A handoff stands even when the agent caught the throw and failed some other way afterwards.
      if (state.handoff !== undefined) return handedOff(state.handoff)
      return { ok: false, error: toWireError(err) }
    } finally {
      await delivered(state.lastSend)
      runs.delete(runId)
      port.close()
    }
  },

  abort (runId: string, reason: AbortReason): void {
    runs.get(runId)?.abort(new DOMException(`the task was ${reason === 'timeout' ? 'timed out' : reason}`, reason === 'timeout' ? 'TimeoutError' : 'AbortError'))
  },

  ping (): true {
    return true
  }
}

Comlink.expose(api)
