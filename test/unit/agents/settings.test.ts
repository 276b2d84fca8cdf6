import { describe, expect, it } from 'vitest'
import { loadAgentSettings, parseLlmSettings, parseModelSetting, resolveModel, saveAgentSettings } from '../../../src/agents/settings.ts'

class MemoryStorage {
  map = new Map<string, string>()
  getItem (k: string): string | null { return this.map.get(k) ?? null }
  setItem (k: string, v: string): void { this.map.set(k, v) }
}

describe('agent settings', () => {
  it('accepts hub ids, the embedded model, URLs and absolute paths', () => {
    expect(parseModelSetting(' Xenova/all-MiniLM-L6-v2 ')).toBe('Xenova/all-MiniLM-L6-v2')
    expect(parseModelSetting('meshwork-glove-100d')).toBe('meshwork-glove-100d')
    expect(parseModelSetting('https://models.example.org/minilm')).toBe('https://models.example.org/minilm')
    expect(parseModelSetting('/models/custom')).toBe('/models/custom')
  })

  it('rejects a bad model setting with the reason', () => {
    expect(() => parseModelSetting('')).toThrow(/model: is empty/)
    expect(() => parseModelSetting('just words')).toThrow(/not a hub id/)
    expect(() => parseModelSetting('ftp://x/y')).toThrow(/http or https/)
    expect(() => parseModelSetting('/models/../etc')).toThrow(/\.\./)
  })

  it('resolves the model by precedence and reports skipped sources', () => {
    expect(resolveModel({}).model).toBe('Xenova/all-MiniLM-L6-v2')
    expect(resolveModel({ server: 'meshwork-glove-100d' }).model).toBe('meshwork-glove-100d')
    expect(resolveModel({ url: 'a/b', settings: 'c/d', server: 'e/f' }).model).toBe('a/b')
    const r = resolveModel({ url: 'not a model', settings: 'c/d' })
    expect(r.model).toBe('c/d')
    expect(r.problems[0]).toMatch(/from url; ignored/)
  })

  it('validates LLM endpoint settings', () => {
    expect(parseLlmSettings({})).toBeUndefined()
    expect(parseLlmSettings({ baseUrl: 'http://localhost:11434/v1/', model: 'llama3.2' })).toEqual({ baseUrl: 'http://localhost:11434/v1', model: 'llama3.2' })
    expect(() => parseLlmSettings({ model: 'x' })).toThrow(/llm.baseUrl: is required/)
    expect(() => parseLlmSettings({ baseUrl: 'localhost:1234', model: 'x' })).toThrow(/llm.baseUrl: must be http/)
    expect(() => parseLlmSettings({ baseUrl: 'http://h/v1' })).toThrow(/llm.model: is required/)
    expect(() => parseLlmSettings({ baseUrl: 'http://h/v1', model: 'm', apiKey: 'a b' })).toThrow(/llm.apiKey/)
  })

  it('round-trips through storage and drops stale garbage', () => {
    const s = new MemoryStorage()
    saveAgentSettings({ model: 'a/b', llm: { baseUrl: 'http://h/v1', model: 'm', apiKey: 'k' }, optIn: ['x@p'] }, s)
    expect(loadAgentSettings(s)).toEqual({ model: 'a/b', llm: { baseUrl: 'http://h/v1', model: 'm', apiKey: 'k' }, optIn: ['x@p'] })
    s.setItem('meshwork.agents.v1', '{"llm":{"baseUrl":"nope"},"optIn":[1,"y@q"]}')
    expect(loadAgentSettings(s)).toEqual({ optIn: ['y@q'] })
    s.setItem('meshwork.agents.v1', '{not json')
    expect(loadAgentSettings(s)).toEqual({})
  })
})
