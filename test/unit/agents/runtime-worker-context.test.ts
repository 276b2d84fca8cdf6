import { describe, expect, it } from 'vitest'
import type * as Comlink from 'comlink'
import { createWorkerContext, fromWireError } from '../../../src/agents/runtime/worker-context.ts'
import { toWireError, type RunHost, type RunOutcome, type RunRequest } from '../../../src/agents/runtime/protocol.ts'
import { AgentRunError, AgentToolError } from '../../../src/agents/types.ts'

/** A host like the main thread's, recording calls; every method async as through comlink. */
function fakeHost (spawnOutcome: RunOutcome = { ok: true, result: { text: 'child' } }) {
  const calls: unknown[][] = []
  const host = {
    progress: async (...a: unknown[]) => { calls.push(['progress', ...a]) },
    log: async (...a: unknown[]) => { calls.push(['log', ...a]) },
    embed: async (texts: string[]) => texts.map(() => new Float32Array([1, 0])),
    graphSearch: async (text: string, k?: number) => { calls.push(['graphSearch', text, k]); return [] },
    graphGet: async () => undefined,
    llm: async () => { const e = new Error('not allowed'); e.name = 'AgentToolError'; throw e },
    spawn: async () => spawnOutcome
  }
  return { host: host as unknown as Comlink.Remote<RunHost>, calls }
}

const request = (tools: RunRequest['tools']): RunRequest => ({ agentId: 'a1', kind: 'custom', task: { id: 't', text: 'x' }, tools, llmAvailable: true })

describe('worker context', () => {
  it('throws AgentToolError naming the tool for services the manifest does not grant', async () => {
    const { host, calls } = fakeHost()
    const ctx = createWorkerContext(request([]), host, new AbortController().signal)
    await expect(ctx.graph.search('q')).rejects.toMatchObject({ name: 'AgentToolError', tool: 'graph.read' })
    await expect(ctx.llm({ messages: [] })).rejects.toBeInstanceOf(AgentToolError)
    await expect(ctx.spawn('calculator', { id: 'c', text: '1' })).rejects.toMatchObject({ tool: 'spawn' })
    expect(calls).toEqual([])
    // Always available: embeddings, progress, log.
    expect(await ctx.embed(['a'])).toHaveLength(1)
  })

  it('passes granted calls through', async () => {
    const { host, calls } = fakeHost()
    const ctx = createWorkerContext(request(['graph.read']), host, new AbortController().signal)
    await ctx.graph.search('q', 3)
    expect(calls).toEqual([['graphSearch', 'q', 3]])
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

describe('wire errors', () => {
  it('keep name, code and tool across the boundary', () => {
    expect(toWireError(new AgentRunError('limit', 'x'))).toEqual({ name: 'AgentRunError', message: 'x', code: 'limit' })
    expect(toWireError(new AgentToolError('llm', 'y'))).toEqual({ name: 'AgentToolError', message: 'y', tool: 'llm' })
    expect(toWireError('a string')).toEqual({ name: 'Error', message: 'threw a non-error value: "a string"' })
    expect(toWireError(undefined)).toEqual({ name: 'Error', message: 'threw a non-error value: undefined' })
    expect(fromWireError({ name: 'AgentToolError', message: 'y', tool: 'llm' })).toBeInstanceOf(AgentToolError)
    const plain = fromWireError({ name: 'RangeError', message: 'z' })
    expect(plain).toMatchObject({ name: 'RangeError', message: 'z' })
  })
})
