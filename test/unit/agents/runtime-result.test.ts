import { describe, expect, it } from 'vitest'
import { MAX_RESULT_CHARS, ResultError, SUMMARY_CHARS, checkTask, normaliseResult, toJsonValue } from '../../../src/agents/runtime/result.ts'

const bad = (value: unknown): string => {
  try {
    normaliseResult(value)
  } catch (err) {
    expect(err).toBeInstanceOf(ResultError)
    return (err as Error).message
  }
  throw new Error('expected a ResultError')
}

describe('normaliseResult', () => {
  it('a string is the text', () => {
    expect(normaliseResult('hello')).toEqual({ text: 'hello' })
  })

  it('a number or boolean is both text and output', () => {
    expect(normaliseResult(42)).toEqual({ text: '42', output: 42 })
    expect(normaliseResult(false)).toEqual({ text: 'false', output: false })
  })

  it('an object without result fields becomes output, with a JSON summary as text', () => {
    expect(normaliseResult({ sum: 3, items: [1, 2] })).toEqual({ text: '{"sum":3,"items":[1,2]}', output: { sum: 3, items: [1, 2] } })
    expect(normaliseResult([1, 'a'])).toEqual({ text: '[1,"a"]', output: [1, 'a'] })
  })

  it('a result without text takes a summary of its output', () => {
    expect(normaliseResult({ output: { a: 1 }, working: ['step'] })).toEqual({ text: '{"a":1}', output: { a: 1 }, working: ['step'] })
    expect(normaliseResult({ citations: ['e1'] })).toEqual({ text: '{"citations":["e1"]}', citations: ['e1'] })
    expect(normaliseResult({ text: 'not so', contradicts: ['e2'] })).toEqual({ text: 'not so', contradicts: ['e2'] })
    expect(normaliseResult({ text: 'Decision: so', settles: ['dispute:t-1:1'] })).toEqual({ text: 'Decision: so', settles: ['dispute:t-1:1'] })
  })

  it('cuts long summaries with an ellipsis', () => {
    const r = normaliseResult({ blob: 'x'.repeat(2000) })
    expect(r.text).toHaveLength(SUMMARY_CHARS)
    expect(r.text.endsWith('…')).toBe(true)
  })

  it('keeps a well-formed full result as it is', () => {
    const full = {
      text: 'ok',
      output: { n: 1 },
      working: ['a'],
      citations: ['e1'],
      verdict: { vote: 'support', confidence: 0.8, reason: 'matches', evidence: ['e1'] },
      plan: { subtasks: [{ id: 's1', text: 'do', dependsOn: [] }] }
    }
    expect(normaliseResult(full)).toEqual(full)
  })

  it('drops undefined properties as JSON does', () => {
    expect(normaliseResult({ text: 'ok', output: { a: 1, b: undefined } })).toEqual({ text: 'ok', output: { a: 1 } })
  })

  it('refuses nothing, and names what to return instead', () => {
    expect(bad(undefined)).toBe("the agent returned undefined; return a string, or an object such as { text: '...' }")
    expect(bad(null)).toContain('returned null')
  })

  it('refuses data JSON cannot carry, naming the path', () => {
    expect(bad(() => 1)).toBe('the agent returned a function, which is not JSON data')
    expect(bad({ text: 'x', output: { f: () => 1 } })).toBe('result.output.f is a function, which is not JSON data')
    expect(bad({ text: 'x', output: new Date(0) })).toContain('result.output is a Date, not plain JSON data')
    expect(bad({ text: 'x', output: new Map() })).toContain('result.output is a Map')
    expect(bad({ text: 'x', output: new Float32Array(2) })).toContain('result.output is a Float32Array')
    expect(bad({ text: 'x', output: [1, Number.NaN] })).toBe('result.output[1] is NaN, which JSON cannot represent')
    expect(bad({ text: 'x', output: [1, undefined] })).toBe('result.output[1] is undefined')
    expect(bad({ text: 'x', output: 10n })).toContain('result.output is a bigint')
    expect(bad(Symbol('s'))).toContain('a symbol')
  })

  it('refuses cycles but accepts shared (non-cyclic) references', () => {
    const a: Record<string, unknown> = {}
    a.self = a
    expect(bad({ output: a })).toBe('result.output.self refers back to one of its parents (a cycle)')
    const shared = { v: 1 }
    expect(normaliseResult({ output: [shared, shared] }).output).toEqual([{ v: 1 }, { v: 1 }])
  })

  it('refuses ill-typed result fields', () => {
    expect(bad({ text: 5 })).toBe('result.text must be a string, got a number')
    expect(bad({ text: 'x', working: 'step' })).toBe('result.working must be an array of strings, got a string')
    expect(bad({ text: 'x', citations: [1] })).toBe('result.citations[0] must be a string, got a number')
    expect(bad({ text: 'x', contradicts: 'fact:1' })).toBe('result.contradicts must be an array of strings, got a string')
    expect(bad({ text: 'x', settles: [3] })).toBe('result.settles[0] must be a string, got a number')
    expect(bad({ text: 'x', verdict: { vote: 'maybe', confidence: 1, reason: '' } })).toContain('result.verdict.vote must be support, dispute or abstain')
    expect(bad({ text: 'x', verdict: { vote: 'support', confidence: 2, reason: '' } })).toContain('result.verdict.confidence')
    expect(bad({ text: 'x', plan: { subtasks: [{ id: 's', text: 't' }] } })).toBe('result.plan.subtasks[0].dependsOn must be an array of strings, got undefined')
  })

  it('refuses unknown fields next to text rather than dropping them silently', () => {
    expect(bad({ text: 'x', colour: 'red' })).toBe('result.colour is not a result field (text, output, working, citations, contradicts, settles, verdict, plan); put other data in output')
  })

  it('refuses results over the size limit', () => {
    expect(bad('x'.repeat(MAX_RESULT_CHARS))).toContain(`more than the ${MAX_RESULT_CHARS} allowed`)
  })

  it('refuses absurd nesting', () => {
    let deep: unknown = 1
    for (let i = 0; i < 100; i++) deep = [deep]
    expect(bad({ output: deep })).toContain('nested deeper than 64 levels')
  })
})

describe('toJsonValue', () => {
  it('copies, so later changes by the agent do not leak into the result', () => {
    const src = { a: [1, 2] }
    const copy = toJsonValue(src, 'x') as typeof src
    src.a.push(3)
    expect(copy).toEqual({ a: [1, 2] })
  })

  it('accepts null-prototype objects', () => {
    const o = Object.create(null) as Record<string, unknown>
    o.k = 'v'
    expect(toJsonValue(o, 'x')).toEqual({ k: 'v' })
  })
})

describe('checkTask', () => {
  it('keeps known fields only', () => {
    expect(checkTask({ id: 't1', text: 'go', input: { a: 1 }, skillId: 's', extra: true })).toEqual({ id: 't1', text: 'go', input: { a: 1 }, skillId: 's' })
    // The person's time zone reaches the agent (an e2e test caught it dropped here).
    expect(checkTask({ id: 't1', text: 'go', timeZone: 'Asia/Tokyo' })).toEqual({ id: 't1', text: 'go', timeZone: 'Asia/Tokyo' })
    expect(() => checkTask({ id: 't1', text: 'go', timeZone: '../x' })).toThrow('task.timeZone must be an IANA time zone name such as "Europe/Berlin"')
    expect(checkTask({ id: 't1', text: 'go', askedOn: '12D3KooWAsker' })).toEqual({ id: 't1', text: 'go', askedOn: '12D3KooWAsker' })
    expect(() => checkTask({ id: 't1', text: 'go', askedOn: '' })).toThrow('task.askedOn must be a peer id (a string of 1-128 characters)')
    expect(() => checkTask({ id: 't1', text: 'go', askedOn: 'x'.repeat(129) })).toThrow('task.askedOn must be a peer id')
  })

  it('names the bad field', () => {
    expect(() => checkTask(null)).toThrow('task must be an object, got null')
    expect(() => checkTask({ text: 'x' })).toThrow('task.id must be a string of 1-200 characters')
    expect(() => checkTask({ id: 't', text: 3 })).toThrow('task.text must be a string')
    expect(() => checkTask({ id: 't', text: 'x', input: { f: () => 1 } })).toThrow('task.input.f is a function')
    expect(() => checkTask({ id: 't', text: 'x', skillId: 1 }, 'sub-task')).toThrow('sub-task.skillId must be a string')
  })
})
