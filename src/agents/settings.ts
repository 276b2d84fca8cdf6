/**
 * The person's agent settings: which embedding model matches tasks to skills, and the
 * OpenAI-compatible chat endpoint the LLM agent (and the planner) may use. Kept in this browser
 * only (localStorage): the API key never leaves it except in requests to the endpoint itself.
 *
 * Model precedence, like the mesh settings: `?model=` in the URL, then the saved setting, then what
 * the serving host says in `/config.json` (tests and offline installs serve the embedded model),
 * then the online default (which falls back to the embedded model when the hub is unreachable).
 */
import { EMBEDDED_MODEL, ONLINE_MODEL } from '../match/models.ts'

export interface LlmSettings {
  /** Base URL of an OpenAI-compatible API, e.g. http://localhost:11434/v1 (Ollama). */
  baseUrl: string
  model: string
  apiKey?: string
}

export interface AgentSettings {
  model?: string
  llm?: LlmSettings
  /** Custom agents of other peers this person agreed to run here, by original agent id. */
  optIn?: string[]
}

export class SettingError extends Error {
  constructor (readonly field: 'model' | 'llm.baseUrl' | 'llm.model' | 'llm.apiKey', reason: string) {
    super(`${field}: ${reason}`)
    this.name = 'SettingError'
  }
}

const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/

/**
 * Checks a model setting: a hub id (`org/name`), the embedded model's name, an http(s) URL or an
 * absolute path of a model directory served by this app. Returns it trimmed.
 */
export function parseModelSetting (input: string): string {
  const m = input.trim()
  if (m === '') throw new SettingError('model', 'is empty')
  if (m === EMBEDDED_MODEL || HUB_ID.test(m)) return m
  if (m.startsWith('/')) {
    if (m.includes('..')) throw new SettingError('model', `path ${JSON.stringify(m)} must not contain ".."`)
    return m
  }
  let url: URL
  try { url = new URL(m) } catch {
    throw new SettingError('model', `${JSON.stringify(m.slice(0, 100))} is not a hub id (org/name), "${EMBEDDED_MODEL}", an http(s) URL or an absolute path`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SettingError('model', `URL must be http or https, got ${url.protocol}`)
  return m
}

export function parseLlmSettings (input: { baseUrl?: string, model?: string, apiKey?: string }): LlmSettings | undefined {
  const baseUrl = (input.baseUrl ?? '').trim()
  const model = (input.model ?? '').trim()
  const apiKey = (input.apiKey ?? '').trim()
  if (baseUrl === '' && model === '' && apiKey === '') return undefined
  if (baseUrl === '') throw new SettingError('llm.baseUrl', 'is required when a model or key is set')
  let url: URL
  try { url = new URL(baseUrl) } catch { throw new SettingError('llm.baseUrl', `${JSON.stringify(baseUrl.slice(0, 100))} is not a URL`) }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SettingError('llm.baseUrl', `must be http or https, got ${url.protocol}`)
  if (model === '') throw new SettingError('llm.model', 'is required (e.g. llama3.2, gpt-4o-mini)')
  if (model.length > 200) throw new SettingError('llm.model', 'must have at most 200 characters')
  if (/\s/.test(apiKey)) throw new SettingError('llm.apiKey', 'must not contain spaces')
  return { baseUrl: baseUrl.replace(/\/+$/, ''), model, ...(apiKey !== '' ? { apiKey } : {}) }
}

export interface ModelSources {
  url?: string | null
  settings?: string
  server?: string
}

/** Picks the model by precedence; an invalid source is skipped and reported. */
export function resolveModel (src: ModelSources): { model: string, problems: string[] } {
  const problems: string[] = []
  for (const [source, value] of [['url', src.url], ['settings', src.settings], ['server', src.server]] as const) {
    if (value == null || value === '') continue
    try { return { model: parseModelSetting(value), problems } } catch (err) { problems.push(`${(err as Error).message} (from ${source}; ignored)`) }
  }
  return { model: ONLINE_MODEL, problems }
}

const KEY = 'meshwork.agents.v1'

export function loadAgentSettings (storage: Pick<Storage, 'getItem'> = localStorage): AgentSettings {
  try {
    const raw = storage.getItem(KEY)
    if (raw == null) return {}
    const obj = JSON.parse(raw) as Record<string, unknown>
    const out: AgentSettings = {}
    if (typeof obj.model === 'string') out.model = obj.model
    if (typeof obj.llm === 'object' && obj.llm !== null) {
      try {
        const llm = parseLlmSettings(obj.llm as LlmSettings)
        if (llm !== undefined) out.llm = llm
      } catch { /* a stale bad value is dropped; the settings panel shows the fields empty */ }
    }
    if (Array.isArray(obj.optIn)) out.optIn = obj.optIn.filter((x): x is string => typeof x === 'string')
    return out
  } catch {
    return {}
  }
}

export function saveAgentSettings (s: AgentSettings, storage: Pick<Storage, 'setItem'> = localStorage): void {
  storage.setItem(KEY, JSON.stringify(s))
}
