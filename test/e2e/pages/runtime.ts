/**
 * The agent runtime on a page of its own, for test/e2e/agents-runtime.spec.ts: real workers, with
 * services that are simple but real (deterministic vectors, a small in-memory graph, no LLM
 * endpoint). Exposes `window.runtime` and a few helpers that turn errors into plain data, since
 * Playwright carries only messages of thrown errors across.
 */
import { createAgentRuntime, type AgentRuntime, type AgentServices } from '../../../src/agents/runtime/agent-runtime.ts'
import { defaultWorkerFactory, type WorkerFactory } from '../../../src/agents/runtime/worker-handle.ts'
import type { AgentManifest } from '../../../src/agents/manifest.ts'
import type { AgentResult, AgentTask, Consultation, GraphHit } from '../../../src/agents/types.ts'

const graph: GraphHit[] = [
  { id: 'e1', kind: 'fact', text: 'CRDTs merge concurrent edits without coordination.', status: 'verified', confidence: 0.9, score: 0 },
  { id: 'e2', kind: 'fact', text: 'WebRTC needs a signalling channel to connect.', status: 'proposed', confidence: 0.6, score: 0 }
]

/** A deterministic unit vector per text (the embedder is not the subject here). */
function vector (text: string): Float32Array {
  const v = new Float32Array(8)
  for (let i = 0; i < text.length; i++) v[i % 8]! += text.charCodeAt(i)
  const norm = Math.hypot(...v)
  return v.map(x => x / norm)
}

const services: AgentServices = {
  embed: async texts => texts.map(vector),
  graphSearch: async (text, k) => graph
    .map(e => ({ ...e, score: text.split(/\W+/).filter(w => w !== '' && e.text.toLowerCase().includes(w.toLowerCase())).length }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k),
  graphGet: async id => graph.find(e => e.id === id),
  graphList: async filter => graph.filter(e => filter.kind === undefined || [filter.kind].flat().includes(e.kind)).slice(0, filter.limit),
  // This page is one tab with no mesh: itself, and the agents the runtime suite starts are not registered.
  meshStatus: async () => ({ at: Date.now(), peerId: 'runtime-page', peers: [{ peerId: 'runtime-page', self: true }], agents: [], tasks: [] }),
  meshMatch: async () => [],
  llm: async () => { throw new Error('no endpoint configured') },
  llmAvailable: () => false
}

function manifest (id: string, extra: Partial<AgentManifest> = {}): AgentManifest {
  return {
    manifestVersion: 1,
    id,
    name: `Test agent ${id}`,
    description: 'An agent written by the runtime e2e suite.',
    version: '1.0.0',
    skills: [{ id: 'test', name: 'Test', description: 'Does what the test says.', tags: [], examples: [], level: 'novice' }],
    tools: [],
    limits: { timeoutMs: 30_000, maxConcurrentTasks: 1, maxSubAgents: 0, maxDepth: 0 },
    ...extra
  }
}

type Outcome = { ok: true, result: AgentResult, ms: number } | { ok: false, name: string, code?: string, problem?: string, message: string, ms: number, handoff?: { reason: string, toAgentId?: string } }

async function attempt (fn: () => Promise<unknown>): Promise<Outcome> {
  const t0 = performance.now()
  try {
    const result = await fn() as AgentResult
    return { ok: true, result, ms: performance.now() - t0 }
  } catch (err) {
    const e = err as { name: string, message: string, code?: string, problem?: string, handoff?: { reason: string, toAgentId?: string } }
    return {
      ok: false,
      name: e.name,
      message: e.message,
      ms: performance.now() - t0,
      ...(e.code !== undefined ? { code: e.code } : {}),
      ...(e.problem !== undefined ? { problem: e.problem } : {}),
      ...(e.handoff !== undefined ? { handoff: e.handoff } : {})
    }
  }
}

/** Pool workers as created, so a test can poison one (see pool-test.worker.ts); custom workers are the real default. */
const poolWorkers: Worker[] = []
const workerFactory: WorkerFactory = (role, name) => {
  if (role !== 'pool') return defaultWorkerFactory(role, name)
  const w = new Worker(new URL('./pool-test.worker.ts', import.meta.url), { type: 'module', name })
  poolWorkers.push(w)
  return w
}

const params = new URL(location.href).searchParams
const runtime = createAgentRuntime({ services, workerFactory, poolSize: Number(params.get('pool') ?? 2), hangProbeMs: 500, startTimeoutMs: 4000 })
const events: { type: string, e: unknown }[] = []
for (const type of ['state', 'progress', 'crash', 'log'] as const) {
  runtime.on(type, e => { events.push({ type, e: type === 'state' ? { id: e.id, state: (e as { state: string }).state } : e }) })
}

/** What reached the host's consultation hooks, in order. */
const consults: Array<{ type: 'ask', text: string, to: string } | { type: 'alert', text: string, severity: string }> = []

/** A host-side consultation: answers every question with `answer` after `answerAfterMs`, or never. */
function consultation (how: ConsultHow): Consultation {
  return {
    ask: async (text, to) => {
      consults.push({ type: 'ask', text, to })
      if (how.answer === undefined) return await new Promise<string>(() => {})
      await new Promise(resolve => setTimeout(resolve, how.answerAfterMs ?? 0))
      return how.answer
    },
    alert: (text, severity) => { consults.push({ type: 'alert', text, severity }) }
  }
}
interface ConsultHow { answer?: string, answerAfterMs?: number }

declare global {
  interface Window {
    runtime: AgentRuntime
    testkit: {
      manifest: typeof manifest
      /** Starts a custom agent; resolves with the status or the start error as data. */
      startCustom(id: string, source: string, extra?: Partial<AgentManifest>): Promise<Outcome>
      /** `consult`: give the task consultation hooks (else it runs as a direct run, with nobody to ask). */
      run(id: string, task: AgentTask, opts?: { timeoutMs?: number, cancelAfterMs?: number, consult?: ConsultHow }): Promise<Outcome & { progress: number[] }>
      consults: typeof consults
      events: typeof events
      /** Makes the i-th pool worker created so far block for `blockMs`, then throw an uncaught error (or close itself without a word). */
      poisonPoolWorker(i: number, blockMs: number, how?: 'throw' | 'close'): void
      poolWorkerCount(): number
    }
  }
}

window.runtime = runtime
window.testkit = {
  manifest,
  startCustom: async (id, source, extra) => await attempt(async () => await runtime.start(id, { source, author: 'e2e', manifest: manifest(id, extra) })),
  run: async (id, task, opts = {}) => {
    const progress: number[] = []
    const ac = new AbortController()
    if (opts.cancelAfterMs !== undefined) setTimeout(() => ac.abort(new Error('the test cancelled it')), opts.cancelAfterMs)
    const out = await attempt(async () => await runtime.run(id, task, {
      signal: ac.signal,
      onProgress: p => progress.push(p.fraction),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.consult !== undefined ? { consult: consultation(opts.consult) } : {})
    }))
    return { ...out, progress }
  },
  events,
  consults,
  poisonPoolWorker: (i, blockMs, how = 'throw') => { poolWorkers[i]!.postMessage({ type: 'test:poison', blockMs, throw: how === 'throw', close: how === 'close' }) },
  poolWorkerCount: () => poolWorkers.length
}
