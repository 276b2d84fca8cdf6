import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handler } from '../../../src/agents/builtin/llm.ts'
import { handler as planner, type PlanOutput } from '../../../src/agents/builtin/planner.ts'
import { createChatClient } from '../../../src/agents/llm-client.ts'
import { startOpenAiServer } from '../../support/openai-server.mjs'
import { testContext } from './builtin-context.ts'

type TestServer = Awaited<ReturnType<typeof startOpenAiServer>>
let server: TestServer
beforeAll(async () => { server = await startOpenAiServer() })
afterAll(async () => { await server?.close() })

/** A context whose ctx.llm goes through the real client to the local OpenAI-compatible server. */
function llmContext (model = 'meshwork-test-model') {
  const client = createChatClient({ baseUrl: server.url, model })
  return testContext({ llm: (request) => client.chat(request) })
}

describe('llm agent', () => {
  it('answers through the configured endpoint', async () => {
    const ctx = llmContext()
    const r = await handler({ id: 't', text: 'Tell me a joke about cats' }, ctx)
    expect(r.text).toBe('Echo: Tell me a joke about cats')
    expect(r.output).toBe(r.text)
    expect(r.working).toEqual(['model: meshwork-test-model', 'tokens: 31 in, 7 out'])
    const sent = server.requests.at(-1)!.body as { messages: { role: string, content: string }[] }
    expect(sent.messages[0]!.role).toBe('system')
    expect(sent.messages[1]).toEqual({ role: 'user', content: 'Tell me a joke about cats' })
  })

  it('passes the system prompt, options and upstream results as context', async () => {
    const ctx = llmContext()
    await handler({ id: 't', text: 'Explain the result', input: { system: 'Be brief.', temperature: 0, maxTokens: 20, s1: { output: 42 } } }, ctx)
    expect(ctx.llmRequests[0]).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Explain the result\n\nContext:\n{\n  "s1": {\n    "output": 42\n  }\n}' }
      ],
      temperature: 0,
      maxTokens: 20
    })
  })

  it('fails clearly without an endpoint, and passes endpoint errors on', async () => {
    await expect(handler({ id: 't', text: 'hi' }, testContext())).rejects.toThrow(/^llm: no language model endpoint is configured; set an OpenAI-compatible endpoint/)
    await expect(handler({ id: 't', text: 'hi' }, llmContext('fail:rate-limit'))).rejects.toThrow(/HTTP 429/)
    await expect(handler({ id: 't', text: 'hi', input: { temperature: 5 } }, llmContext())).rejects.toThrow(/temperature must be between 0 and 2/)
  })

  it('lets the planner plan through the same endpoint, and fall back on prose', async () => {
    const r = await planner({ id: 't', text: 'Find the population of France, then compute 3% of it' }, llmContext('meshwork-planner'))
    expect((r.output as PlanOutput).method).toBe('llm')
    expect(r.plan?.subtasks.map((s) => s.dependsOn)).toEqual([[], ['s1']])
    const prose = await planner({ id: 't', text: 'Find the population of France, then compute 3% of it' }, llmContext('fail:not-json-plan'))
    expect((prose.output as PlanOutput).method).toBe('rules')
    expect(prose.working?.[0]).toMatch(/fell back to the rules/)
  })
})
