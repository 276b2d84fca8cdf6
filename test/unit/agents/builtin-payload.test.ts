import { describe, expect, it } from 'vitest'
import { findPayload, instructionOf, protect } from '../../../src/agents/builtin/payload.ts'
import { IMPERATIVE, planByRules } from '../../../src/agents/builtin/planner.ts'

const plan = (text: string) => planByRules(text).map((s) => [s.text, s.dependsOn.join(',')])
const PASSAGE = 'The mesh is a set of browser tabs that talk directly over WebRTC. Each tab runs agents. A relay only helps tabs find each other.'

describe('requests that carry material', () => {
  it('finds the instruction and its material after a colon', () => {
    expect(findPayload(`Summarise: ${PASSAGE}`)).toMatchObject({ head: 'Summarise', material: PASSAGE, start: 0 })
    expect(findPayload('Please summarise the next chapter: It was dark. It rained.')).toMatchObject({ head: 'Please summarise the next chapter', material: 'It was dark. It rained.' })
    // The instruction starts after the clause before it ("... and summarise this:").
    const p = findPayload('Calculate 17% of 2340 and summarise this: A is good. B is bad.', IMPERATIVE)
    expect(p).toMatchObject({ head: 'summarise this', material: 'A is good. B is bad.' })
    expect('Calculate 17% of 2340 and summarise this: A is good. B is bad.'.slice(p!.start)).toMatch(/^summarise this:/)
  })

  it('does not read introductions, labels, times or URLs as instructions with material', () => {
    expect(findPayload('Do the following: 1. compute 2+2 2. summarise it', IMPERATIVE)).toBeUndefined()
    expect(findPayload('Split this request into subtasks: 1. fetch the data 2. clean it', IMPERATIVE)).toBeUndefined()
    expect(findPayload('Run these steps: fetch the data, then chart it', IMPERATIVE)).toBeUndefined()
    expect(findPayload('Note: I need the sum of 3 and 4', IMPERATIVE)).toBeUndefined()
    expect(findPayload('At 10:30 compute 2+2', IMPERATIVE)).toBeUndefined()
    expect(findPayload('Check http://example.com and then summarise it', IMPERATIVE)).toBeUndefined()
    expect(findPayload('Plain text: with a colon but no instruction.')).toBeUndefined()
  })

  it('ends the material at a line that starts a new part, and at the next list item inside a list', () => {
    expect(findPayload('Summarise this: The tabs merge. They sync.\nThen translate the summary into French.')?.material).toBe('The tabs merge. They sync.')
    // A line of the passage that merely starts with "Finally" stays in it.
    expect(findPayload('Summarise this: The tabs merge.\nFinally, the relay restarts.')?.material).toBe('The tabs merge.\nFinally, the relay restarts.')
    expect(findPayload('Do this:\n1. Summarise this: x is one. y is two.\n2. Translate it into French', IMPERATIVE)?.material).toBe('x is one. y is two.')
    expect(findPayload('Summarise this:\n- point a\n- point b')?.material).toBe('- point a\n- point b')
  })

  it('protects quotes, code and material, and restores them exactly', () => {
    const text = 'Translate "Hello. How are you?" into French; then run `a; b`'
    const p = protect(text)
    expect(p.text).not.toContain('Hello')
    expect(p.text).not.toContain('a; b')
    expect(p.restore(p.text)).toBe(text)
    const code = 'Run this code:\n```js\nconst x = 1;\nconst y = 2;\nx + y\n```'
    expect(protect(code).restore(protect(code).text)).toBe(code)
  })

  it('takes any verb of choosing, and a head that names a text, as an instruction with material', () => {
    // Before: "Pick ...:" was not an instruction, and the planner made a part of every sentence.
    expect(plan('Pick the most important sentences from this text: Tabs link. The relay introduces them. Agents bid.')).toHaveLength(1)
    expect(findPayload('Here is my essay: It was dark. It rained.')?.material).toBe('It was dark. It rained.')
  })

  it('gives the instruction without its material for routing', () => {
    expect(instructionOf(`Summarise: ${PASSAGE}`)).toBe('Summarise')
    expect(instructionOf('Run this JavaScript: const a = 1; const b = 2; a + b')).toBe('Run this JavaScript')
    expect(instructionOf('What is 17% of 2,340?')).toBe('What is 17% of 2,340?')
  })
})

describe('planner: material is never cut into parts', () => {
  it('keeps a passage, code, a quote and a list of material whole', () => {
    expect(plan(`Summarise: ${PASSAGE}`)).toEqual([[`Summarise: ${PASSAGE}`, '']])
    expect(plan('Run this JavaScript: const a = 1; const b = 2; a + b')).toEqual([['Run this JavaScript: const a = 1; const b = 2; a + b', '']])
    expect(plan('Translate "Hello. How are you? I am fine, and then some." into French')).toEqual([['Translate "Hello. How are you? I am fine, and then some." into French', '']])
    expect(plan('Summarise this:\n- point a\n- point b')).toEqual([['Summarise this:\n- point a\n- point b', '']])
    expect(plan('Summarise the pros and cons: A is good. B is bad.')).toEqual([['Summarise the pros and cons: A is good. B is bad.', '']])
  })

  it('still splits the parts around the material', () => {
    expect(plan('Calculate 17% of 2340 and summarise this: A is good. B is bad. C is ugly.')).toEqual([
      ['Calculate 17% of 2340', ''],
      ['Summarise this: A is good. B is bad. C is ugly.', '']
    ])
    expect(plan('Summarise this: The tabs merge. They sync.\nThen translate the summary into French.')).toEqual([
      ['Summarise this: The tabs merge. They sync.', ''],
      ['Translate the summary into French', 's1']
    ])
    expect(plan('Run this code:\n```js\nconst x = 1;\nconst y = 2;\nx + y\n```\nThen summarise the result.')).toEqual([
      ['Run this code:\n```js\nconst x = 1;\nconst y = 2;\nx + y\n```', ''],
      ['Summarise the result', 's1']
    ])
    expect(plan('Do the following:\n1. Summarise this: x is one. y is two.\n2. Translate it into French')).toEqual([
      ['Summarise this: x is one. y is two.', ''],
      ['Translate it into French', 's1']
    ])
    // "Then compute 2+2" brings its own numbers: it runs alongside (planner.ts).
    expect(plan('He said "stop. now". Then compute 2+2')).toEqual([['He said "stop. now"', ''], ['Compute 2+2', '']])
  })
})
