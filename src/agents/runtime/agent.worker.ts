/**
 * The agent worker. One script, two roles (set by `init`):
 * - `pool`: hosts built-in agents of any kind, each loaded on first use from src/agents/builtin/;
 *   many tasks of many agents interleave on it.
 * - `custom`: hosts exactly one person's agent. Before the source is imported (as a module, from a
 *   Blob URL), network, shared storage and cross-context APIs are removed from the global scope.
 *
 * Faults the main thread cannot see through comlink are reported out of band: an unhandled
 * rejection, or the agent closing its own worker. The worker also holds a Web Lock until it dies,
 * which tells the main thread about deaths nobody reports (see protocol.ts).
 */
import * as Comlink from 'comlink'
import { BUILTIN_KINDS, type AgentHandler, type BuiltinAgent, type BuiltinKind, type Handoff } from '../types.ts'
import { CRASH_MESSAGE, toWireError, type AbortReason, type AgentWorkerApi, type CrashMessage, type LoadOutcome, type RunHost, type RunOutcome, type RunRequest, type WorkerInit, type WorkerReady, type WorkerRole } from './protocol.ts'
import { normaliseResult } from './result.ts'
import { BLOCKED_GLOBALS, BLOCKED_NAVIGATOR, interceptClose, removeGlobals } from './sandbox.ts'
import { createWorkerContext, type WorkerRunState } from './worker-context.ts'

declare const self: DedicatedWorkerGlobalScope

let role: WorkerRole | undefined
let customHandler: AgentHandler | undefined
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

async function importSource (source: string): Promise<LoadOutcome> {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }))
  let mod: { default?: unknown }
  try {
    mod = await import(/* @vite-ignore */ url) as { default?: unknown }
  } catch (err) {
    const e = toWireError(err)
    if (e.name === 'SyntaxError') return { ok: false, problem: 'syntax', message: `the source does not parse as a JavaScript module: ${e.message}` }
    return { ok: false, problem: 'threw', message: `the source threw while loading: ${e.name}: ${e.message}` }
  } finally {
    URL.revokeObjectURL(url)
  }
  if (!('default' in mod) || mod.default === undefined) {
    return { ok: false, problem: 'no-default', message: 'the source has no default export; write `export default async (task, ctx) => result`' }
  }
  if (typeof mod.default !== 'function') {
    return { ok: false, problem: 'not-function', message: `the default export is ${mod.default === null ? 'null' : typeof mod.default}, not a function; write \`export default async (task, ctx) => result\`` }
  }
  customHandler = mod.default as AgentHandler
  return { ok: true, sandbox: { removed: [] } }
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

  async loadCustom (source: string): Promise<LoadOutcome> {
    if (role !== 'custom' || customHandler !== undefined) return { ok: false, problem: 'role', message: 'this worker does not take custom source' }
    interceptClose(self, () => reportCrash('the agent closed its own worker (self.close())'))
    const g = removeGlobals(self, BLOCKED_GLOBALS)
    const n = removeGlobals(self.navigator, BLOCKED_NAVIGATOR)
    const remaining = [...g.remaining, ...n.remaining.map(x => `navigator.${x}`)]
    if (remaining.length > 0) return { ok: false, problem: 'sandbox', message: `could not remove ${remaining.join(', ')} from the worker; refusing to run custom code` }
    const outcome = await importSource(source)
    if (outcome.ok) outcome.sandbox.removed = [...g.removed, ...n.removed.map(x => `navigator.${x}`)]
    return outcome
  },

  async run (runId: string, request: RunRequest, port: MessagePort): Promise<RunOutcome> {
    const host = Comlink.wrap<RunHost>(port)
    const controller = new AbortController()
    const state: WorkerRunState = {}
    runs.set(runId, controller)
    try {
      let handler: AgentHandler
      if (request.kind === 'custom') {
        if (role !== 'custom' || customHandler === undefined) throw new Error('agent worker: no custom agent loaded here')
        handler = customHandler
      } else {
        if (role !== 'pool') throw new Error('agent worker: built-in agents run in pool workers only')
        handler = (await builtin(request.kind)).handler
      }
      const ctx = createWorkerContext(request, host, controller.signal, state)
      const value: unknown = await handler(request.task, ctx)
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
