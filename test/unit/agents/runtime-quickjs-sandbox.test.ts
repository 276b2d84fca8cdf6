/**
 * Custom agents in QuickJS (src/agents/runtime/quickjs-sandbox.ts), in Node: QuickJS loads from
 * node_modules. The context is the worker-side one (createWorkerContext) over a fake RunHost, so
 * grants, consultation checks and handoffs behave as in a real worker.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { CustomAgentSandbox, type SandboxLoad } from '../../../src/agents/runtime/quickjs-sandbox.ts'
import { createWorkerContext, type WorkerRunState } from '../../../src/agents/runtime/worker-context.ts'
import type { AskOutcome, RunHost, RunOutcome, RunRequest } from '../../../src/agents/runtime/protocol.ts'
import type { AgentTask, AlertSeverity, AskAudience } from '../../../src/agents/types.ts'
import type { ToolName } from '../../../src/agents/manifest.ts'

const loaded: CustomAgentSandbox[] = []
const crashes: string[] = []

afterEach(() => {
  for (const s of loaded.splice(0)) s.dispose()
  crashes.length = 0
})

async function load (source: string, memoryMb?: number): Promise<CustomAgentSandbox> {
  const r = await CustomAgentSandbox.load(source, { onCrash: reason => crashes.push(reason), ...(memoryMb !== undefined ? { memoryMb } : {}) })
  if (!r.ok) throw new Error(`load failed: ${r.problem}: ${r.message}`)
  loaded.push(r.sandbox)
  return r.sandbox
}

async function loadOutcome (source: string): Promise<SandboxLoad> {
  const r = await CustomAgentSandbox.load(source, { onCrash: reason => crashes.push(reason) })
  if (r.ok) loaded.push(r.sandbox)
  return r
}

interface Recorded {
  progress: { fraction: number, note?: string }[]
  logs: string[]
  alerts: { text: string, severity: AlertSeverity }[]
  asks: { text: string, to: AskAudience }[]
}

/** A worker-side context over a host that records what reaches it; `answer` answers ctx.ask. */
function context (opts: { tools?: ToolName[], answer?: string, controller?: AbortController } = {}) {
  const rec: Recorded = { progress: [], logs: [], alerts: [], asks: [] }
  const host = {
    progress: async (fraction: number, note?: string) => { rec.progress.push(note === undefined ? { fraction } : { fraction, note }) },
    log: async (message: string) => { rec.logs.push(message) },
    embed: async (texts: string[]) => texts.map(t => new Float32Array([t.length, 1, 0])),
    graphSearch: async (text: string, k?: number) => [{ id: 'e1', kind: 'fact', text: `about ${text}`, status: 'verified', confidence: 0.9, score: k ?? 5 }],
    graphGet: async (id: string) => id === 'e1' ? { id: 'e1', kind: 'fact', text: 'one', status: 'verified', confidence: 1, score: 1 } : undefined,
    graphList: async (filter?: { kind?: string }) => [{ id: 'd1', kind: filter?.kind ?? 'any', text: 'listed', status: 'proposed', confidence: 1, score: 1 }],
    meshStatus: async () => ({ at: 1, peerId: 'p1', peers: [{ peerId: 'p1', self: true }], agents: [], tasks: [] }),
    meshMatch: async (capability: string, k?: number) => [{ agentId: `fits ${capability}`, peerId: 'p1', skillId: 's', confidence: k ?? 10 }],
    llm: async () => ({ text: 'model says hi', model: 'm' }),
    spawn: async (_kind: string, task: AgentTask): Promise<RunOutcome> => ({ ok: true, result: { text: `child did ${task.text}` } }),
    ask: async (text: string, to: AskAudience): Promise<AskOutcome> => {
      rec.asks.push({ text, to })
      if (opts.answer === undefined) return { ok: false, error: { name: 'Error', message: 'ask: this task has nobody to ask (it was not submitted through the mesh)' } }
      await new Promise(resolve => setTimeout(resolve, 150))
      return { ok: true, answer: opts.answer }
    },
    alert: async (text: string, severity: AlertSeverity) => { rec.alerts.push({ text, severity }) }
  }
  const request: RunRequest = { agentId: 'mine', kind: 'custom', task: { id: 't', text: '' }, tools: opts.tools ?? [], llmAvailable: true }
  const controller = opts.controller ?? new AbortController()
  const state: WorkerRunState = {}
  const ctx = createWorkerContext(request, host as unknown as Parameters<typeof createWorkerContext>[1], controller.signal, state)
  return { ctx, rec, state, controller }
}

const task = (text: string, input?: unknown): AgentTask => ({ id: `t-${text.slice(0, 10)}`, text, ...(input !== undefined ? { input } : {}) })

describe('custom agents in QuickJS', () => {
  it('runs the default export with the task and returns its plain result; module state persists between tasks', async () => {
    const s = await load(`let n = 0
      export default async (task, ctx) => { n++; return { text: task.text.toUpperCase(), output: { n, input: task.input, agent: ctx.agentId, llm: ctx.llmAvailable } } }`)
    const { ctx } = context()
    expect(await s.run(task('hello', { a: [1, 2] }), ctx)).toEqual({ text: 'HELLO', output: { n: 1, input: { a: [1, 2] }, agent: 'mine', llm: true } })
    expect(await s.run(task('again'), context().ctx)).toMatchObject({ output: { n: 2 } })
    expect(await s.run(task('x'), context().ctx)).toMatchObject({ text: 'X' })
  })

  it('bridges ctx: progress, log, console, embed, graph, llm, spawn, alert, mesh', async () => {
    const s = await load(`export default async (task, ctx) => {
      ctx.progress(0.5, 'half way')
      ctx.log('logged ' + task.text)
      console.log('console', { a: 1 })
      console.warn('careful')
      const [v] = await ctx.embed(['abcd'])
      const hits = await ctx.graph.search('crdt', 2)
      const one = await ctx.graph.get('e1')
      const none = await ctx.graph.get('nope')
      const listed = await ctx.graph.list({ kind: 'decision' })
      const chat = await ctx.llm({ messages: [{ role: 'user', content: 'hi' }] })
      const child = await ctx.spawn('calculator', { id: 'c', text: '1 + 1' })
      ctx.alert('disk almost full', 'critical')
      ctx.alert('default severity')
      const mesh = await ctx.mesh.status()
      const [fit] = await ctx.mesh.match('run code', 3)
      return { text: 'ok', output: { isF32: v instanceof Float32Array, v: Array.from(v), hits: hits.map(h => h.text + '/' + h.score), one: one.text, none: none === undefined, listed: listed.map(h => h.id + '/' + h.kind), chat: chat.text, child: child.text, tabs: mesh.peers.length, fit: fit.agentId + '/' + fit.confidence } }
    }`)
    const { ctx, rec } = context({ tools: ['graph.read', 'llm', 'spawn', 'mesh.read'] })
    const r = await s.run(task('go'), ctx)
    expect(r).toEqual({ text: 'ok', output: { isF32: true, v: [4, 1, 0], hits: ['about crdt/2'], one: 'one', none: true, listed: ['d1/decision'], chat: 'model says hi', child: 'child did 1 + 1', tabs: 1, fit: 'fits run code/3' } })
    await new Promise(resolve => setTimeout(resolve, 10))
    expect(rec.progress).toEqual([{ fraction: 0.5, note: 'half way' }])
    expect(rec.logs).toEqual(['logged go', 'console {"a":1}', '[warn] careful'])
    expect(rec.alerts).toEqual([{ text: 'disk almost full', severity: 'critical' }, { text: 'default severity', severity: 'warning' }])
  })

  it('a tool the manifest does not grant throws AgentToolError with its tool inside the sandbox', async () => {
    const s = await load(`export default async (task, ctx) => {
      try { await ctx.graph.search('x') } catch (e) { return { text: e.name, output: { tool: e.tool, instance: e instanceof Error, message: e.message } } }
    }`)
    const r = await s.run(task('go'), context().ctx) as { text: string, output: { tool: string, instance: boolean, message: string } }
    expect(r.text).toBe('AgentToolError')
    expect(r.output.tool).toBe('graph.read')
    expect(r.output.instance).toBe(true)
    expect(r.output.message).toContain('needs the "graph.read" tool')
  })

  it('ctx.ask resolves with the answer; without anybody to ask it rejects with the reason; bad text is a TypeError', async () => {
    const s = await load(`export default async (task, ctx) => {
      if (task.text === 'long') { try { await ctx.ask('?'.repeat(2001)) } catch (e) { return e.name + ': ' + e.message } }
      const a = await ctx.ask('Which cuisine?', { to: task.text === 'mesh' ? 'mesh' : 'person' })
      return 'Dinner: ' + a
    }`)
    const answered = context({ answer: 'Thai' })
    expect(await s.run(task('plan'), answered.ctx)).toBe('Dinner: Thai')
    expect(answered.rec.asks).toEqual([{ text: 'Which cuisine?', to: 'person' }])
    const mesh = context({ answer: 'Pho' })
    expect(await s.run(task('mesh'), mesh.ctx)).toBe('Dinner: Pho')
    expect(mesh.rec.asks).toEqual([{ text: 'Which cuisine?', to: 'mesh' }])
    await expect(s.run(task('plan'), context().ctx)).rejects.toThrow('ask: this task has nobody to ask')
    expect(await s.run(task('long'), context().ctx)).toBe('TypeError: ask: the question has 2001 characters, more than the 2000 allowed')
  })

  it('the timeout stands still while ctx.ask waits for its answer', async () => {
    const s = await load(`export default async (task, ctx) => 'Dinner: ' + await ctx.ask('Which cuisine?')`)
    // The answer takes 150 ms; the budget is 50 ms (plus the sandbox's grace), paused meanwhile.
    expect(await s.run(task('plan'), context({ answer: 'Thai' }).ctx, { timeoutMs: 50 })).toBe('Dinner: Thai')
  })

  it('ctx.handOff throws inside the agent and marks the run as handed off, even when the agent swallows it', async () => {
    const s = await load(`export default async (task, ctx) => {
      try { ctx.handOff('I only speak French', 'translator@peer') } catch (e) { return 'swallowed ' + e.name }
    }`)
    const { ctx, state } = context()
    expect(await s.run(task('go'), ctx)).toBe('swallowed HandoffSignal')
    expect(state.handoff).toEqual({ reason: 'I only speak French', toAgentId: 'translator@peer' })
  })

  it('ctx.signal aborts inside the sandbox with the reason; the agent may react', async () => {
    const s = await load(`export default async (task, ctx) => {
      await new Promise(resolve => ctx.signal.addEventListener('abort', resolve))
      return 'saw ' + ctx.signal.reason.name + ' ' + ctx.signal.aborted
    }`)
    const { ctx, controller } = context()
    const p = s.run(task('wait'), ctx)
    setTimeout(() => controller.abort(new DOMException('the task was cancelled', 'AbortError')), 50)
    expect(await p).toBe('saw AbortError true')
  })

  it('timers work inside the sandbox', async () => {
    const s = await load(`export default async () => {
      const t0 = Date.now()
      await new Promise(r => setTimeout(r, 60))
      let ticks = 0
      await new Promise(r => { const id = setInterval(() => { if (++ticks === 3) { clearInterval(id); r() } }, 10) })
      const cancelled = setTimeout(() => { throw new Error('should not fire') }, 5)
      clearTimeout(cancelled)
      return { waited: Date.now() - t0 >= 55, ticks }
    }`)
    expect(await s.run(task('go'), context().ctx)).toEqual({ waited: true, ticks: 3 })
  })

  it('a memory bomb fails with the memory-limit error; the sandbox is rebuilt and the next task works', async () => {
    const s = await load(`let kept = []
      export default async (task) => {
        if (task.text === 'bomb') { while (true) kept.push(new Array(100000).fill(task.text)) }
        return 'fine, kept ' + kept.length
      }`, 16)
    const t0 = Date.now()
    await expect(s.run(task('bomb'), context().ctx)).rejects.toThrow('custom agent exceeded its memory limit of 16 MiB')
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(await s.run(task('after'), context().ctx)).toBe('fine, kept 0')
    expect(crashes).toEqual([])
    // A string that doubles until it cannot.
    const s2 = await load(`export default async (task) => { if (task.text === 'bomb') { let x = 'ab'; for (;;) x = x + x } return 'ok' }`, 16)
    await expect(s2.run(task('bomb'), context().ctx)).rejects.toThrow(/custom agent exceeded its memory limit of 16 MiB|string too long/)
    expect(await s2.run(task('next'), context().ctx)).toBe('ok')
  })

  it('the memory limit is the one given (a manifest\'s limits.memoryMb): 32 MiB holds what 16 MiB cannot', async () => {
    const source = `export default async () => { const a = []; for (let i = 0; i < 20; i++) a.push(new Uint8Array(1 << 20)); return a.length }`
    await expect((await load(source, 16)).run(task('go'), context().ctx)).rejects.toThrow('custom agent exceeded its memory limit of 16 MiB')
    expect(await (await load(source, 32)).run(task('go'), context().ctx)).toBe(20)
  })

  it('an infinite loop is interrupted at the timeout, and the sandbox takes the next task', async () => {
    const s = await load(`export default async (task) => { if (task.text === 'spin') { while (true) {} } return 'still here' }`)
    const t0 = Date.now()
    await expect(s.run(task('spin'), context().ctx, { timeoutMs: 300 })).rejects.toMatchObject({ name: 'AgentRunError', code: 'timeout' })
    const ms = Date.now() - t0
    expect(ms).toBeGreaterThanOrEqual(300)
    expect(ms).toBeLessThan(1500)
    expect(await s.run(task('hi'), context().ctx)).toBe('still here')
  })

  it('deep recursion is a stack overflow inside the agent, which it may catch; the sandbox goes on', async () => {
    const s = await load(`export default async (task) => {
      const down = n => down(n + 1) + 1
      if (task.text === 'catch') { try { down(0) } catch (e) { return 'caught ' + e.name + ': ' + e.message } }
      if (task.text === 'throw') down(0)
      return 'fine'
    }`)
    expect(await s.run(task('catch'), context().ctx)).toBe('caught InternalError: stack overflow')
    await expect(s.run(task('throw'), context().ctx)).rejects.toMatchObject({ name: 'InternalError', message: expect.stringContaining('stack overflow') })
    expect(await s.run(task('ok'), context().ctx)).toBe('fine')
    expect(crashes).toEqual([])
  })

  it('a stop flag set while the code spins interrupts it as cancelled', async () => {
    const s = await load(`export default async () => { while (true) {} }`)
    const stopAt = Date.now() + 200
    await expect(s.run(task('spin'), context().ctx, { stopped: () => Date.now() > stopAt })).rejects.toMatchObject({ code: 'cancelled' })
  })

  it('a result that is not plain JSON is refused with a clear error naming its path', async () => {
    const s = await load(`export default async (task) => {
      if (task.text === 'function') return { text: 'x', output: { f: () => 1 } }
      if (task.text === 'date') return { text: 'x', output: new Date() }
      if (task.text === 'nan') return { output: [1, NaN] }
      if (task.text === 'cycle') { const a = {}; a.self = a; return a }
      if (task.text === 'map') return new Map()
      if (task.text === 'nothing') return undefined
      if (task.text === 'bigint') return 1n
    }`)
    const bad = async (text: string) => await s.run(task(text), context().ctx).then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`)
    expect(await bad('function')).toBe('ResultError: result.output.f is a function, which is not JSON data')
    expect(await bad('date')).toBe('ResultError: result.output is a Date, not plain JSON data (use plain objects, arrays, strings, numbers, booleans and null)')
    expect(await bad('nan')).toBe('ResultError: result.output[1] is NaN, which JSON cannot represent')
    expect(await bad('cycle')).toBe('ResultError: result.self refers back to one of its parents (a cycle)')
    expect(await bad('map')).toBe('ResultError: result is a Map, not plain JSON data (use plain objects, arrays, strings, numbers, booleans and null)')
    expect(await bad('bigint')).toBe('ResultError: the agent returned a bigint, which is not JSON data')
    // Nothing crosses as undefined: the runtime's normaliseResult then says "the agent returned undefined".
    expect(await s.run(task('nothing'), context().ctx)).toBeUndefined()
  })

  it('an error thrown by the agent keeps its name and message, and says where in the source', async () => {
    const s = await load(`export default async (task) => {
      throw new TypeError('I cannot do ' + task.text)
    }`)
    await expect(s.run(task('this'), context().ctx)).rejects.toMatchObject({ name: 'TypeError', message: "I cannot do this (at line 2, column 26 of the agent's source)" })
  })

  it('an uncaught error in a timer callback is the agent crash', async () => {
    const s = await load(`export default async () => { setTimeout(() => { throw new Error('boom at top level') }, 10); return new Promise(() => {}) }`)
    const p = s.run(task('go'), context().ctx)
    await expect(p).rejects.toThrow('boom at top level')
    expect(crashes).toEqual(['uncaught error in a timer callback of the agent: Error: boom at top level (line 1, column 64)'])
  })

  it('refuses at load: a syntax error with line and column, an import, a top-level throw, no default export, a non-function', async () => {
    const syntax = await loadOutcome('export default async (task) => {\n  return task.text +* 1\n}')
    expect(syntax).toEqual({ ok: false, problem: 'syntax', message: "the source does not parse as a JavaScript module: SyntaxError at line 2, column 21: unexpected token in expression: '*'" })
    const imp = await loadOutcome('import x from "left-pad"; export default async () => x')
    expect(imp).toMatchObject({ ok: false, problem: 'threw' })
    expect(!imp.ok && imp.message).toBe("the source could not be loaded: the sandbox has no modules to import ('left-pad'): a custom agent is one self-contained module")
    expect(await loadOutcome('throw new RangeError("bad config"); export default async () => "x"')).toMatchObject({ ok: false, problem: 'threw', message: 'the source threw while loading: RangeError: bad config (line 1, column 21)' })
    expect(await loadOutcome('const hoard = []; for (;;) hoard.push(new Uint8Array(1 << 20)); export default async () => "x"')).toEqual({ ok: false, problem: 'threw', message: 'the source exceeded the custom agent memory limit of 64 MiB while loading' })
    expect(await loadOutcome('export const handler = async () => "x"')).toMatchObject({ ok: false, problem: 'no-default' })
    expect(await loadOutcome('export default 42')).toMatchObject({ ok: false, problem: 'not-function', message: 'the default export is number, not a function; write `export default async (task, ctx) => result`' })
    expect(await loadOutcome('export default null')).toMatchObject({ ok: false, problem: 'not-function', message: expect.stringContaining('is null') })
  })

  it('has no network, storage, DOM or worker: those globals do not exist', async () => {
    const s = await load(`export default async () => {
      const names = ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'importScripts', 'indexedDB', 'caches', 'BroadcastChannel', 'Worker', 'SharedWorker', 'navigator', 'self', 'window', 'document', 'postMessage', 'close', 'location', 'localStorage', 'require', 'process', '__meshworkHost']
      const out = {}
      for (const n of names) out[n] = typeof globalThis[n]
      try { await import('https://example.org/x.js'); out.import = 'loaded' } catch (e) { out.import = e.message }
      return out
    }`)
    const r = await s.run(task('probe'), context().ctx) as Record<string, string>
    for (const [name, type] of Object.entries(r)) if (name !== 'import') expect(type, name).toBe('undefined')
    expect(r.import).toContain('the sandbox has no modules to import')
  })
})
