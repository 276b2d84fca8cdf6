import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createChatClient, LlmError } from '../../../src/agents/llm-client.ts'
import { startOpenAiServer } from '../../support/openai-server.mjs'

type TestServer = Awaited<ReturnType<typeof startOpenAiServer>>
let server: TestServer
beforeAll(async () => { server = await startOpenAiServer() })
afterAll(async () => { await server?.close() })

const hello = { messages: [{ role: 'user' as const, content: 'Hello there' }] }

async function failure (p: Promise<unknown>): Promise<LlmError> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(LlmError)
  return err as LlmError
}

describe('createChatClient', () => {
  it('chats with an OpenAI-compatible endpoint', async () => {
    server.setMode('ok')
    const client = createChatClient({ baseUrl: server.url + '/', model: 'meshwork-test-model' })
    const r = await client.chat({ ...hello, temperature: 0.2, maxTokens: 50 })
    expect(r.text).toBe('Echo: Hello there')
    expect(r.model).toBe('meshwork-test-model')
    expect(r.usage).toEqual({ promptTokens: 2, completionTokens: 3 })
    const sent = server.requests.at(-1)!
    expect(sent.method).toBe('POST')
    expect(sent.path).toBe('/v1/chat/completions')
    expect(sent.body).toEqual({ model: 'meshwork-test-model', messages: hello.messages, stream: false, temperature: 0.2, max_tokens: 50 })
    expect(sent.headers['content-type']).toBe('application/json')
    expect(sent.headers.authorization).toBeUndefined()
  })

  it('lists models', async () => {
    const client = createChatClient({ baseUrl: server.url, model: 'x' })
    expect(await client.models()).toEqual(['meshwork-test-model', 'meshwork-planner'])
  })

  it('sends the API key and explains a 401 with the server message', async () => {
    const keyed = await startOpenAiServer({ apiKey: 'sk-right' })
    try {
      const good = createChatClient({ baseUrl: keyed.url, apiKey: 'sk-right', model: 'meshwork-test-model' })
      expect((await good.chat(hello)).text).toBe('Echo: Hello there')
      expect(keyed.requests.at(-1)!.headers.authorization).toBe('Bearer sk-right')
      const bad = createChatClient({ baseUrl: keyed.url, apiKey: 'sk-wrong', model: 'meshwork-test-model' })
      const err = await failure(bad.chat(hello))
      expect(err.code).toBe('unauthorized')
      expect(err.status).toBe(401)
      expect(err.message).toBe(`llm: ${keyed.url}/chat/completions refused the request (HTTP 401, check the API key): Incorrect API key provided.`)
    } finally {
      await keyed.close()
    }
  })

  it('reports 404 (unknown model), 429 and 5xx with the server message', async () => {
    const unknown = await failure(createChatClient({ baseUrl: server.url, model: 'gpt-nonexistent' }).chat(hello))
    expect(unknown.code).toBe('not-found')
    expect(unknown.message).toMatch(/HTTP 404; check the base URL and the model name\): The model `gpt-nonexistent` does not exist/)
    const limited = await failure(createChatClient({ baseUrl: server.url, model: 'fail:rate-limit' }).chat(hello))
    expect(limited.code).toBe('rate-limited')
    expect(limited.message).toMatch(/HTTP 429; try again later\): Rate limit reached for requests\./)
    const broken = await failure(createChatClient({ baseUrl: server.url, model: 'fail:server-error' }).chat(hello))
    expect(broken.code).toBe('server')
    expect(broken.status).toBe(500)
    expect(broken.message).toMatch(/failed with HTTP 500 Internal Server Error: The server had an error/)
    const wrongPath = await failure(createChatClient({ baseUrl: server.url.replace(/\/v1$/, '/nope'), model: 'x' }).models())
    expect(wrongPath.code).toBe('not-found')
  })

  it('reports malformed JSON and missing choices', async () => {
    const malformed = await failure(createChatClient({ baseUrl: server.url, model: 'fail:malformed' }).chat(hello))
    expect(malformed.code).toBe('bad-response')
    expect(malformed.message).toMatch(/answered with malformed JSON: \{"choices": \[ this is not json/)
    const empty = await failure(createChatClient({ baseUrl: server.url, model: 'fail:no-choices' }).chat(hello))
    expect(empty.code).toBe('bad-response')
    expect(empty.message).toMatch(/answered without choices/)
    server.setMode('malformed')
    try {
      expect((await failure(createChatClient({ baseUrl: server.url, model: 'x' }).models())).code).toBe('bad-response')
    } finally {
      server.setMode('ok')
    }
  })

  it('reports an unreachable endpoint', async () => {
    // A port that was just free: connection refused.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const err = await failure(createChatClient({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm' }).chat(hello))
    expect(err.code).toBe('unreachable')
    expect(err.message).toMatch(new RegExp(`^llm: cannot reach http://127\\.0\\.0\\.1:${port}/v1/chat/completions: .*ECONNREFUSED`))
  })

  it('times out, and tells a timeout from a cancellation', async () => {
    const slow = createChatClient({ baseUrl: server.url, model: 'slow:2000', timeoutMs: 150 })
    const t0 = Date.now()
    const err = await failure(slow.chat(hello))
    expect(err.code).toBe('timeout')
    expect(err.message).toMatch(/did not answer within 150 ms/)
    expect(Date.now() - t0).toBeLessThan(1500)

    const cancellable = createChatClient({ baseUrl: server.url, model: 'slow:2000' })
    const c = new AbortController()
    setTimeout(() => c.abort(), 50)
    expect((await failure(cancellable.chat(hello, c.signal))).code).toBe('aborted')
  })

  it('refuses a bad configuration up front', () => {
    expect(() => createChatClient({ baseUrl: '', model: 'm' })).toThrow(/no endpoint configured/)
    expect(() => createChatClient({ baseUrl: 'localhost:11434', model: 'm' })).toThrow(/must be http\(s\)|not a URL/)
    expect(() => createChatClient({ baseUrl: 'http://x/v1', model: ' ' })).toThrow(/no model given/)
  })

  it('accepts content given as parts and a reply without usage', async () => {
    let stub: Server | undefined
    try {
      stub = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: [{ type: 'text', text: 'Hel' }, { type: 'text', text: 'lo' }] } }] }))
      })
      await new Promise<void>((resolve) => stub!.listen(0, '127.0.0.1', resolve))
      const url = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/v1`
      const r = await createChatClient({ baseUrl: url, model: 'm' }).chat(hello)
      expect(r).toEqual({ text: 'Hello', model: 'm' })
    } finally {
      await new Promise<void>((resolve) => stub?.close(() => resolve()) ?? resolve())
    }
  })
})

describe('the OpenAI test server', () => {
  it('answers CORS preflights and plans when asked for subtasks', async () => {
    const pre = await fetch(`${server.url}/chat/completions`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('*')
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/)
    const client = createChatClient({ baseUrl: server.url, model: 'meshwork-planner' })
    const r = await client.chat({ messages: [{ role: 'system', content: 'Give subtasks as JSON' }, { role: 'user', content: 'find X, then compute Y' }] })
    expect(JSON.parse(r.text)).toEqual({ subtasks: [{ id: 's1', text: 'find X', dependsOn: [] }, { id: 's2', text: 'compute Y', dependsOn: ['s1'] }] })
  })
})
