/**
 * A local HTTP server speaking the subset of the OpenAI API Meshwork uses: the test double at the
 * HTTP boundary for the LLM client (unit tests) and for the app (e2e tests, from a browser tab: it
 * sends CORS headers and answers preflights).
 *
 *   GET  /v1/models             -> { object: 'list', data: [{ id, object: 'model', ... }] }
 *   POST /v1/chat/completions   -> { id, object: 'chat.completion', model, choices: [...], usage }
 *
 * Answers are deterministic: `answer(request)` when given, else a plan in JSON when the system
 * message asks for "subtasks" (split on "then", ";" and "and then"), else `Echo: <last user message>`.
 *
 * Failures on demand, per server (`setMode`, or `mode` at start) or per request (a model named
 * `fail:<mode>`): 'unauthorized' (401), 'not-found' (404), 'rate-limit' (429), 'server-error'
 * (500), 'malformed' (200 with a body that is not JSON), 'no-choices' (200 with `choices: []`),
 * 'not-json-plan' (200 whose content is prose), and `slow:<ms>` delays the answer. With `apiKey`
 * set, requests without `Authorization: Bearer <apiKey>` get a 401; an unknown model gets a 404.
 *
 * Usage: `const server = await startOpenAiServer(); ... server.url ('http://127.0.0.1:PORT/v1') ...
 * await server.close()`. `server.requests` records every request: { method, path, headers, body }.
 */
import { createServer } from 'node:http'

export const DEFAULT_MODELS = ['meshwork-test-model', 'meshwork-planner']

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, accept',
  'access-control-max-age': '600',
  // The app runs cross-origin isolated (COEP require-corp); CORS covers fetch, this covers the rest.
  'cross-origin-resource-policy': 'cross-origin'
}

/**
 * @param {{ port?: number, host?: string, models?: string[], apiKey?: string, mode?: string,
 *           answer?: (request: any) => string | undefined }} [options]
 */
export async function startOpenAiServer (options = {}) {
  const models = options.models ?? DEFAULT_MODELS
  const requests = []
  let mode = options.mode ?? 'ok'

  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      let body
      try { body = raw === '' ? undefined : JSON.parse(raw) } catch { body = raw }
      const path = new URL(req.url ?? '/', 'http://x').pathname
      if (req.method !== 'OPTIONS') requests.push({ method: req.method, path, headers: { ...req.headers }, body })
      handle(req.method ?? 'GET', path, req.headers, body, raw).then(
        ({ status, payload, delay }) => {
          const send = () => {
            if (res.destroyed) return
            const text = typeof payload === 'string' ? payload : JSON.stringify(payload)
            res.writeHead(status, { ...CORS, 'content-type': typeof payload === 'string' ? 'text/plain' : 'application/json' })
            res.end(text)
          }
          if (delay > 0) setTimeout(send, delay).unref?.()
          else send()
        },
        (err) => {
          res.writeHead(500, { ...CORS, 'content-type': 'application/json' })
          res.end(JSON.stringify({ error: { message: String(err), type: 'server_error' } }))
        }
      )
    })
  })

  /** @returns {Promise<{ status: number, payload: unknown, delay: number }>} */
  async function handle (method, path, headers, body, raw) {
    if (method === 'OPTIONS') return { status: 204, payload: '', delay: 0 }
    const model = body && typeof body === 'object' && typeof body.model === 'string' ? body.model : undefined
    const effective = model?.startsWith('fail:') ? model.slice(5) : model?.startsWith('slow:') ? model : mode
    const delay = effective.startsWith('slow:') ? Number(effective.slice(5)) || 0 : 0

    if (options.apiKey !== undefined && headers.authorization !== `Bearer ${options.apiKey}`) {
      return error(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key')
    }
    const failure = failureFor(effective)
    if (failure !== undefined) return failure

    if (method === 'GET' && path === '/v1/models') {
      return ok({ object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'meshwork-tests' })) })
    }
    if (method === 'POST' && path === '/v1/chat/completions') {
      if (typeof body !== 'object' || body === null) return error(400, `could not parse the JSON body: ${raw.slice(0, 80)}`, 'invalid_request_error')
      if (!Array.isArray(body.messages) || body.messages.length === 0) return error(400, "'messages' must be a non-empty array", 'invalid_request_error')
      const known = model !== undefined && (models.includes(model) || model.startsWith('fail:') || model.startsWith('slow:'))
      if (!known) return error(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found')
      const content = effective === 'not-json-plan' ? 'Sure! First do one thing, then another.' : (options.answer?.(body) ?? defaultAnswer(body.messages))
      const prompt = body.messages.reduce((n, m) => n + String(m.content ?? '').split(/\s+/).length, 0)
      return {
        status: 200,
        delay,
        payload: {
          id: `chatcmpl-${requests.length}`,
          object: 'chat.completion',
          created: 1_700_000_000,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: prompt, completion_tokens: content.split(/\s+/).length, total_tokens: prompt + content.split(/\s+/).length }
        }
      }
    }
    return error(404, `Unknown request URL: ${method} ${path}`, 'invalid_request_error', 'unknown_url')

    function ok (payload) { return { status: 200, payload, delay } }
    function error (status, message, type, code) { return { status, payload: { error: { message, type, param: null, code: code ?? null } }, delay } }
    function failureFor (m) {
      switch (m) {
        case 'unauthorized': return error(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key')
        case 'not-found': return error(404, 'The model does not exist.', 'invalid_request_error', 'model_not_found')
        case 'rate-limit': return error(429, 'Rate limit reached for requests.', 'requests', 'rate_limit_exceeded')
        case 'server-error': return error(500, 'The server had an error while processing your request.', 'server_error')
        case 'malformed': return { status: 200, payload: '{"choices": [ this is not json', delay }
        case 'no-choices': return ok({ id: 'x', object: 'chat.completion', model: 'm', choices: [] })
        default: return undefined
      }
    }
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve)
  })
  const address = server.address()
  const url = `http://${options.host ?? '127.0.0.1'}:${address.port}/v1`
  return {
    url,
    port: address.port,
    requests,
    /** Sets the failure mode for later requests ('ok' to answer normally). */
    setMode (next) { mode = next },
    close () {
      server.closeAllConnections?.()
      return new Promise((resolve) => server.close(() => resolve()))
    }
  }
}

/** Deterministic answers: a JSON plan when asked for subtasks, else an echo of the last user message. */
function defaultAnswer (messages) {
  const system = messages.filter((m) => m.role === 'system').map((m) => String(m.content)).join('\n')
  const user = String([...messages].reverse().find((m) => m.role === 'user')?.content ?? '')
  if (/subtasks/i.test(system)) {
    const parts = user.split(/\s*(?:;|,?\s+and then\s+|,?\s+then\s+)\s*/i).map((s) => s.trim()).filter((s) => s !== '')
    return JSON.stringify({ subtasks: parts.map((text, i) => ({ id: `s${i + 1}`, text, dependsOn: i === 0 ? [] : [`s${i}`] })) })
  }
  return `Echo: ${user}`
}

// `node test/support/openai-server.mjs [port]` runs it by hand, e.g. to point the app at it.
if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startOpenAiServer({ port: Number(process.argv[2] ?? 0) || 0 })
  console.log(`OpenAI-compatible test server at ${server.url}`)
}
