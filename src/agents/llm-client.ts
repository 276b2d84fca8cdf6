/**
 * A client for OpenAI-compatible chat endpoints: OpenAI and other hosted APIs, Ollama
 * (`http://localhost:11434/v1`), LM Studio (`http://localhost:1234/v1`), llama.cpp's server
 * (`http://localhost:8080/v1`). The host tab uses it to implement `ctx.llm`.
 *
 * Only `POST {baseUrl}/chat/completions` (non-streaming) and `GET {baseUrl}/models` are used.
 * Every failure is an {@link LlmError} whose `code` says what went wrong and whose message says
 * where, with the server's own error message when it sent one.
 */
import type { ChatRequest, ChatResponse } from './types.ts'

export interface ChatClientOptions {
  /** Base URL including the API prefix, e.g. `http://localhost:11434/v1`. A trailing slash is ignored. */
  baseUrl: string
  /** Sent as `Authorization: Bearer ...` when given. */
  apiKey?: string
  model: string
  /** Per request, from sending to the whole body read. Default 60 s. */
  timeoutMs?: number
  /** For tests or custom transports; default the global fetch. */
  fetch?: typeof fetch
}

export interface ChatClient {
  readonly baseUrl: string
  readonly model: string
  chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResponse>
  /** Model ids the endpoint offers. */
  models(signal?: AbortSignal): Promise<string[]>
}

export type LlmErrorCode =
  | 'config' | 'unreachable' | 'timeout' | 'aborted'
  | 'unauthorized' | 'not-found' | 'rate-limited' | 'server' | 'http'
  | 'bad-response'

export class LlmError extends Error {
  constructor (readonly code: LlmErrorCode, message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'LlmError'
  }
}

export const DEFAULT_LLM_TIMEOUT_MS = 60_000
/** Characters of a server's error body quoted in an error message. */
const QUOTE_LIMIT = 300

export function createChatClient (options: ChatClientOptions): ChatClient {
  const baseUrl = normaliseBaseUrl(options.baseUrl)
  if (typeof options.model !== 'string' || options.model.trim() === '') throw new LlmError('config', 'llm: no model given; set the model name the endpoint serves')
  const model = options.model.trim()
  const timeoutMs = options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new LlmError('config', `llm: timeoutMs must be a positive number, got ${timeoutMs}`)
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args))

  async function call (method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    const url = `${baseUrl}${path}`
    signal?.throwIfAborted()
    const timeout = AbortSignal.timeout(timeoutMs)
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
    const headers: Record<string, string> = { accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (options.apiKey !== undefined && options.apiKey !== '') headers.authorization = `Bearer ${options.apiKey}`

    const failed = (err: unknown): LlmError => {
      if (signal?.aborted === true) return new LlmError('aborted', `llm: request to ${url} was cancelled`, undefined, { cause: err })
      if (timeout.aborted) return new LlmError('timeout', `llm: ${url} did not answer within ${timeoutMs} ms`, undefined, { cause: err })
      const detail = describeCause(err)
      return new LlmError('unreachable', `llm: cannot reach ${url}: ${detail} (is the server running, and does it allow this page's origin (CORS)?)`, undefined, { cause: err })
    }

    let response: Response
    try {
      response = await doFetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: combined })
    } catch (err) {
      throw failed(err)
    }
    let text: string
    try {
      text = await response.text()
    } catch (err) {
      throw failed(err)
    }
    if (!response.ok) throw httpError(response.status, response.statusText, url, text)
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw new LlmError('bad-response', `llm: ${url} answered with malformed JSON: ${quote(text)}`, response.status)
    }
  }

  return {
    baseUrl,
    model,
    async chat (request, signal) {
      if (!Array.isArray(request.messages) || request.messages.length === 0) throw new LlmError('config', 'llm: a chat request needs at least one message')
      const body: Record<string, unknown> = { model, messages: request.messages, stream: false }
      if (request.temperature !== undefined) body.temperature = request.temperature
      if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens
      const data = await call('POST', '/chat/completions', body, signal)
      return parseChatResponse(data, `${baseUrl}/chat/completions`, model)
    },
    async models (signal) {
      const data = await call('GET', '/models', undefined, signal)
      const list = isRecord(data) ? data.data : undefined
      if (!Array.isArray(list)) throw new LlmError('bad-response', `llm: ${baseUrl}/models answered without a "data" list: ${quote(JSON.stringify(data))}`)
      return list.map((m) => (isRecord(m) && typeof m.id === 'string' ? m.id : undefined)).filter((id): id is string => id !== undefined)
    }
  }
}

function normaliseBaseUrl (raw: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new LlmError('config', 'llm: no endpoint configured; set the base URL of an OpenAI-compatible API, e.g. http://localhost:11434/v1')
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    throw new LlmError('config', `llm: the endpoint ${JSON.stringify(raw)} is not a URL; expected e.g. http://localhost:11434/v1`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LlmError('config', `llm: the endpoint must be http(s), got ${url.protocol}`)
  return url.href.replace(/\/+$/, '')
}

function parseChatResponse (data: unknown, url: string, requested: string): ChatResponse {
  if (!isRecord(data)) throw new LlmError('bad-response', `llm: ${url} answered with ${data === null ? 'null' : typeof data}, not an object`)
  const choices = data.choices
  if (!Array.isArray(choices) || choices.length === 0) {
    throw new LlmError('bad-response', `llm: ${url} answered without choices: ${quote(JSON.stringify(data))}`)
  }
  const first: unknown = choices[0]
  const message = isRecord(first) ? first.message : undefined
  const content = isRecord(message) ? message.content : undefined
  let text: string | undefined
  if (typeof content === 'string') text = content
  // Some servers send content as parts: [{ type: 'text', text: '...' }].
  else if (Array.isArray(content)) text = content.map((p) => (isRecord(p) && typeof p.text === 'string' ? p.text : '')).join('')
  if (text === undefined) throw new LlmError('bad-response', `llm: ${url} answered without choices[0].message.content: ${quote(JSON.stringify(first))}`)
  const out: ChatResponse = { text, model: typeof data.model === 'string' && data.model !== '' ? data.model : requested }
  const usage = data.usage
  if (isRecord(usage) && typeof usage.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number') {
    out.usage = { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens }
  }
  return out
}

function httpError (status: number, statusText: string, url: string, body: string): LlmError {
  const server = serverMessage(body)
  const said = server === '' ? '' : `: ${server}`
  if (status === 401 || status === 403) return new LlmError('unauthorized', `llm: ${url} refused the request (HTTP ${status}${status === 401 ? ', check the API key' : ''})${said}`, status)
  if (status === 404) return new LlmError('not-found', `llm: ${url} not found (HTTP 404; check the base URL and the model name)${said}`, status)
  if (status === 429) return new LlmError('rate-limited', `llm: ${url} is rate-limiting (HTTP 429; try again later)${said}`, status)
  if (status >= 500) return new LlmError('server', `llm: ${url} failed with HTTP ${status}${statusText === '' ? '' : ` ${statusText}`}${said}`, status)
  return new LlmError('http', `llm: ${url} answered HTTP ${status}${statusText === '' ? '' : ` ${statusText}`}${said}`, status)
}

/** The message of an OpenAI-style error body (`{ error: { message } }`, `{ error: "..." }`, `{ message }`), else the body. */
function serverMessage (body: string): string {
  try {
    const data: unknown = JSON.parse(body)
    if (isRecord(data)) {
      if (isRecord(data.error) && typeof data.error.message === 'string') return quote(data.error.message)
      if (typeof data.error === 'string') return quote(data.error)
      if (typeof data.message === 'string') return quote(data.message)
      if (typeof data.detail === 'string') return quote(data.detail)
    }
  } catch {}
  return quote(body.trim())
}

function describeCause (err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const cause = (err as { cause?: unknown }).cause
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    return typeof code === 'string' ? `${err.message} (${code})` : `${err.message} (${cause.message})`
  }
  return err.message
}

function quote (s: string): string {
  return s.length > QUOTE_LIMIT ? `${s.slice(0, QUOTE_LIMIT)}…` : s
}

function isRecord (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
