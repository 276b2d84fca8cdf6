import { describe, expect, it } from 'vitest'
import type * as Comlink from 'comlink'
import { HandoffSignal, createWorkerContext, fromWireError, type WorkerRunState } from '../../../src/agents/runtime/worker-context.ts'
import { toWireError, type AskOutcome, type RunHost, type RunOutcome, type RunRequest } from '../../../src/agents/runtime/protocol.ts'
import { AgentRunError, AgentToolError } from '../../../src/agents/types.ts'

/** A host like the main thread's, recording calls; every method async as through comlink. */
function fakeHost (spawnOutcome: RunOutcome = { ok: true, result: { text: 'child' } }, askOutcome: AskOutcome | Promise<AskOutcome> = { ok: true, answer: 'Thai' }) {
  const calls: unknown[][] = []
  const host = {
    progress: async (...a: unknown[]) => { calls.push(['progress', ...a]) },
    log: async (...a: unknown[]) => { calls.push(['log', ...a]) },
    embed: async (texts: string[]) => texts.map(() => new Float32Array([1, 0])),
    graphSearch: async (text: string, k?: number) => { calls.push(['graphSearch', text, k]); return [] },
    graphGet: async () => undefined,
    graphList: async (filter?: unknown) => { calls.push(['graphList', filter]); return [] },
    meshStatus: async () => { calls.push(['meshStatus']); return { at: 0, peerId: 'p', peers: [], agents: [], tasks: [] } },
    meshMatch: async (capability: string, k?: number) => { calls.push(['meshMatch', capability, k]); return [] },
    llm: async () => { const e = new Error('not allowed'); e.name = 'AgentToolError'; throw e },
    spawn: async () => spawnOutcome,
    ask: async (text: string, to: string) => { calls.push(['ask', text, to]); return askOutcome },
    alert: async (...a: unknown[]) => { calls.push(['alert', ...a]) }
  }
  return { host: host as unknown as Comlink.Remote<RunHost>, calls }
}

const request = (tools: RunRequest['tools']): RunRequest => ({ agentId: 'a1', kind: 'custom', task: { id: 't', text: 'x' }, tools, llmAvailable: true })

describe('worker context', () => {
  it('throws AgentToolError naming the tool for services the manifest does not grant', async () => {
    const { host, calls } = fakeHost()
    const ctx = createWorkerContext(request([]), host, new AbortController().signal)
    await expect(ctx.graph.search('q')).rejects.toMatchObject({ name: 'AgentToolError', tool: 'graph.read' })
    await expect(ctx.graph.list({ kind: 'fact' })).rejects.toMatchObject({ name: 'AgentToolError', tool: 'graph.read' })
    await expect(ctx.llm({ messages: [] })).rejects.toBeInstanceOf(AgentToolError)
    await expect(ctx.spawn('calculator', { id: 'c', text: '1' })).rejects.toMatchObject({ tool: 'spawn' })
    await expect(ctx.mesh.status()).rejects.toMatchObject({ name: 'AgentToolError', tool: 'mesh.read' })
    await expect(ctx.mesh.match('run JavaScript')).rejects.toMatchObject({ name: 'AgentToolError', tool: 'mesh.read' })
    expect(calls).toEqual([])
    // Always available: embeddings, progress, log.
    expect(await ctx.embed(['a'])).toHaveLength(1)
  })

  it('passes granted calls through', async () => {
    const { host, calls } = fakeHost()
    const ctx = createWorkerContext(request(['graph.read']), host, new AbortController().signal)
    await ctx.graph.search('q', 3)
    await ctx.graph.list({ kind: 'decision', limit: 5 })
    expect(calls).toEqual([['graphSearch', 'q', 3], ['graphList', { kind: 'decision', limit: 5 }]])
    const seer = createWorkerContext(request(['mesh.read']), host, new AbortController().signal)
    expect(await seer.mesh.status()).toMatchObject({ peerId: 'p' })
    await seer.mesh.match('run JavaScript', 3)
    expect(calls.slice(2)).toEqual([['meshStatus'], ['meshMatch', 'run JavaScript', 3]])
    expect(ctx.agentId).toBe('a1')
    expect(ctx.llmAvailable).toBe(true)
  })

  it('gives a tool refusal from the main thread its class back', async () => {
    const { host } = fakeHost()
    const ctx = createWorkerContext(request(['llm']), host, new AbortController().signal)
    await expect(ctx.llm({ messages: [] })).rejects.toBeInstanceOf(AgentToolError)
  })

  it('spawn returns the child result, or throws the error with its code', async () => {
    const ok = createWorkerContext(request(['spawn']), fakeHost().host, new AbortController().signal)
    expect(await ok.spawn('calculator', { id: 'c', text: '1' })).toEqual({ text: 'child' })
    const limited = createWorkerContext(request(['spawn']), fakeHost({ ok: false, error: { name: 'AgentRunError', code: 'limit', message: 'too many' } }).host, new AbortController().signal)
    const err = await limited.spawn('calculator', { id: 'c', text: '1' }).catch(e => e as AgentRunError)
    expect(err).toBeInstanceOf(AgentRunError)
    expect(err).toMatchObject({ code: 'limit', message: 'too many' })
  })

  it('drops progress reports closer than 50 ms apart, but never the final one, and clamps', async () => {
    const { host, calls } = fakeHost()
    const ctx = createWorkerContext(request([]), host, new AbortController().signal)
    ctx.progress(0.1)
    ctx.progress(0.2)
    ctx.progress(Number.NaN)
    ctx.progress(7, 'done')
    await Promise.resolve()
    expect(calls).toEqual([['progress', 0.1, undefined], ['progress', 1, 'done']])
  })
})

describe('worker context: consultation', () => {
  it('ask sends the checked question and resolves with the answer; bad questions never leave the worker', async () => {
    const { host, calls } = fakeHost()
    const ctx = createWorkerContext(request([]), host, new AbortController().signal)
    expect(await ctx.ask('Which cuisine?')).toBe('Thai')
    expect(await ctx.ask('Anyone?', { to: 'mesh' })).toBe('Thai')
    await expect(ctx.ask('x'.repeat(2001))).rejects.toThrow(/more than the 2000 allowed/)
    await expect(ctx.ask('q', { to: 'all' as 'mesh' })).rejects.toBeInstanceOf(TypeError)
    await expect(ctx.ask('q', 'mesh' as unknown as { to: 'mesh' })).rejects.toThrow(/options must be/)
    expect(calls).toEqual([['ask', 'Which cuisine?', 'person'], ['ask', 'Anyone?', 'mesh']])
  })

  it("ask rejects with the main thread's error, code kept", async () => {
    const { host } = fakeHost(undefined, { ok: false, error: { name: 'AgentRunError', code: 'cancelled', message: 'task t was cancelled' } })
    const ctx = createWorkerContext(request([]), host, new AbortController().signal)
    await expect(ctx.ask('q')).rejects.toMatchObject({ name: 'AgentRunError', code: 'cancelled' })
    const nobody = createWorkerContext(request([]), fakeHost(undefined, { ok: false, error: { name: 'Error', message: 'ask: this task has nobody to ask (it was not submitted through the mesh)' } }).host, new AbortController().signal)
    await expect(nobody.ask('q')).rejects.toThrow('ask: this task has nobody to ask (it was not submitted through the mesh)')
  })

  it('ask rejects as soon as the task aborts, even if no answer ever comes', async () => {
    const { host } = fakeHost(undefined, new Promise<AskOutcome>(() => {}))
    const ac = new AbortController()
    const ctx = createWorkerContext(request([]), host, ac.signal)
    const pending = ctx.ask('q')
    ac.abort(new DOMException('the task was cancelled', 'AbortError'))
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    await expect(ctx.ask('again')).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('alert is fire-and-forget with a default severity; bad input throws where the agent called', async () => {
    const { host, calls } = fakeHost()
    const ctx = createWorkerContext(request([]), host, new AbortController().signal)
    ctx.alert('disk almost full')
    ctx.alert('really', 'critical')
    expect(() => ctx.alert('x', 'loud' as 'info')).toThrow(TypeError)
    await Promise.resolve()
    expect(calls).toEqual([['alert', 'disk almost full', 'warning'], ['alert', 'really', 'critical']])
  })

  it('handOff throws and records the first handoff, which catching does not undo', () => {
    const state: WorkerRunState = {}
    const ctx = createWorkerContext(request([]), fakeHost().host, new AbortController().signal, state)
    expect(() => ctx.handOff('needs a translator', 'tr@p')).toThrow(HandoffSignal)
    try { ctx.handOff('second thoughts') } catch { /* the agent swallows it */ }
    expect(state.handoff).toEqual({ reason: 'needs a translator', toAgentId: 'tr@p' })
    const bad: WorkerRunState = {}
    expect(() => createWorkerContext(request([]), fakeHost().host, new AbortController().signal, bad).handOff('')).toThrow(TypeError)
    expect(bad.handoff).toBeUndefined()
  })
})

describe('wire errors', () => {
  it('keep name, code and tool across the boundary', () => {
    expect(toWireError(new AgentRunError('limit', 'x'))).toEqual({ name: 'AgentRunError', message: 'x', code: 'limit' })
    expect(toWireError(new AgentToolError('llm', 'y'))).toEqual({ name: 'AgentToolError', message: 'y', tool: 'llm' })
    expect(toWireError('a string')).toEqual({ name: 'Error', message: 'threw a non-error value: "a string"' })
    expect(toWireError(undefined)).toEqual({ name: 'Error', message: 'threw a non-error value: undefined' })
    expect(fromWireError({ name: 'AgentToolError', message: 'y', tool: 'llm' })).toBeInstanceOf(AgentToolError)
    // A handoff is never copied: only the worker's run reports one.
    expect(toWireError(new AgentRunError('handoff', 'h', { reason: 'r' }))).toEqual({ name: 'AgentRunError', message: 'h', code: 'handoff' })
    const plain = fromWireError({ name: 'RangeError', message: 'z' })
    expect(plain).toMatchObject({ name: 'RangeError', message: 'z' })
  })
})
