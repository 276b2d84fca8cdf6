/** The routing benchmark's corpus (bench/routing/corpus.json) and its deterministic dev/test split. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { corpusProblems, DEV_SHARE, devPartOf, fnv1a, normalizeText, splitOf, VALIDATION_SHARE, type RoutingCorpus } from '../../../src/match/routing-corpus.ts'

const corpus = JSON.parse(readFileSync(new URL('../../../bench/routing/corpus.json', import.meta.url), 'utf8')) as RoutingCorpus

describe('routing corpus file', () => {
  it('is well-formed: skills with 6-10 examples, known labels, no duplicates, recorded splits match the hash', () => {
    expect(corpusProblems(corpus)).toEqual([])
  })

  it('is large enough: >= 30 skills, >= 1000 texts, >= 150 out of scope, every skill with >= 20 texts', () => {
    expect(corpus.skills.length).toBeGreaterThanOrEqual(30)
    expect(corpus.tasks.length).toBeGreaterThanOrEqual(1000)
    expect(corpus.tasks.filter((t) => t.label === null).length).toBeGreaterThanOrEqual(150)
    for (const s of corpus.skills) expect(corpus.tasks.filter((t) => t.label === s.id).length, s.id).toBeGreaterThanOrEqual(20)
  })

  it('holds out no text a skill already carries as an example or description', () => {
    const skillTexts = new Set(corpus.skills.flatMap((s) => [s.description, ...s.examples]).map(normalizeText))
    expect(corpus.tasks.filter((t) => t.split === 'test' && skillTexts.has(normalizeText(t.text)))).toEqual([])
  })

  it('splits about 30/70, with out-of-scope texts on both sides', () => {
    const dev = corpus.tasks.filter((t) => t.split === 'dev')
    expect(dev.length / corpus.tasks.length).toBeGreaterThan(DEV_SHARE - 0.05)
    expect(dev.length / corpus.tasks.length).toBeLessThan(DEV_SHARE + 0.05)
    expect(dev.some((t) => t.label === null)).toBe(true)
    expect(corpus.tasks.some((t) => t.split === 'test' && t.label === null)).toBe(true)
  })
})

describe('devPartOf', () => {
  it('cuts dev into fit and validation by a stable hash independent of the dev/test split', () => {
    expect(devPartOf('Convert 5 Miles')).toBe(devPartOf('  convert 5   miles '))
    const dev = corpus.tasks.filter((t) => t.split === 'dev')
    const validation = dev.filter((t) => devPartOf(t.text) === 'validation')
    expect(validation.length / dev.length).toBeGreaterThan(VALIDATION_SHARE - 0.1)
    expect(validation.length / dev.length).toBeLessThan(VALIDATION_SHARE + 0.1)
    // Both parts hold in-scope and out-of-scope texts, and a test text never decides anything here.
    for (const part of ['fit', 'validation'] as const) {
      expect(dev.some((t) => devPartOf(t.text) === part && t.label === null)).toBe(true)
      expect(dev.some((t) => devPartOf(t.text) === part && t.label !== null)).toBe(true)
    }
    // Independent of splitOf: the test split also falls on both sides (it is not a function of it).
    const test = corpus.tasks.filter((t) => t.split === 'test').map((t) => devPartOf(t.text))
    expect(new Set(test).size).toBe(2)
  })
})

describe('splitOf / corpusProblems', () => {
  it('is a stable hash of the normalized text', () => {
    expect(fnv1a('')).toBe(0x811c9dc5)
    expect(fnv1a('a')).toBe(0xe40c292c) // FNV-1a reference value
    expect(splitOf('Convert 5 Miles')).toBe(splitOf('  convert 5   miles '))
  })

  it('reports unknown labels, duplicates, leaked examples and wrong splits', () => {
    const bad: RoutingCorpus = {
      skills: [{ id: 's', agent: 'a', name: 'S', description: 'does s', examples: ['one', 'two', 'three', 'four', 'five', 'six'] }],
      tasks: [
        { text: 'x task', label: 'nope', split: splitOf('x task') },
        { text: 'X  task', label: null, split: splitOf('x task') },
        { text: 'one', label: 's', split: splitOf('one') },
        { text: 'y task', label: 's', split: splitOf('y task') === 'dev' ? 'test' : 'dev' },
      ],
    }
    const p = corpusProblems(bad).join('\n')
    expect(p).toMatch(/unknown label nope/)
    expect(p).toMatch(/duplicate text/)
    expect(p).toMatch(/repeats a text of skill s/)
    expect(p).toMatch(/hash says/)
  })
})
