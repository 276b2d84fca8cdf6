import { describe, expect, it } from 'vitest'
import {
  GLOVE_CALIBRATION,
  GLOVE_SKILL_CALIBRATION,
  MINILM_SKILL_CALIBRATION,
  charGrams,
  combinedScore,
  confidence,
  cosine,
  decideBid,
  gramCosine,
  gramDocument,
  gramWeight,
  idf,
  lexicalOverlap,
  normalize,
  NUMBER_TERM,
  pooledSemantic,
  skillCalibrationFor,
  stem,
  terms,
} from '../../../src/match/score.ts'

describe('cosine / normalize', () => {
  it('is the dot product of normalized vectors', () => {
    const a = normalize(Float32Array.from([3, 4]))
    const b = normalize(Float32Array.from([4, 3]))
    expect(cosine(a, a)).toBeCloseTo(1, 6)
    expect(cosine(a, b)).toBeCloseTo(24 / 25, 6)
    expect(cosine(a, Float32Array.from([-0.6, -0.8]))).toBeCloseTo(-1, 6)
  })

  it('keeps zero vectors zero and rejects mismatched lengths', () => {
    expect([...normalize(new Float32Array(3))]).toEqual([0, 0, 0])
    expect(() => cosine(new Float32Array(2), new Float32Array(3))).toThrow(RangeError)
  })
})

describe('terms / stem', () => {
  it('lowercases, strips accents and stop words, and stems', () => {
    expect(terms('Please summarize THESE Articles for me, café')).toEqual(['summariz', 'articl', 'caf'])
  })

  it('maps every number to one term', () => {
    expect(terms('add 12 and 3.5 in 2024')).toEqual(['add', NUMBER_TERM, NUMBER_TERM, NUMBER_TERM, NUMBER_TERM])
  })

  it('maps inflections of one word to one stem', () => {
    expect(new Set(['translate', 'translating', 'translation', 'translated'].map(stem)).size).toBe(1)
    expect(stem('summaries')).toBe(stem('summary'))
    expect(stem('images')).toBe(stem('image'))
    expect(stem('class')).toBe('class')
  })
})

describe('charGrams / gramDocument / gramCosine', () => {
  it('takes 3- and 4-grams of each lowercased, accent-stripped word between < and >', () => {
    expect([...charGrams('Café')]).toEqual([['<ca', 1], ['caf', 1], ['afe', 1], ['fe>', 1], ['<caf', 1], ['cafe', 1], ['afe>', 1]])
    expect(charGrams('a')).toEqual(new Map([['<a>', 1]]))
    expect(charGrams('the the').get('<th')).toBe(2)
    expect(charGrams('  ,. ')).toEqual(new Map())
  })

  it('maps every number to one gram', () => {
    expect(charGrams('add 12 and 3.5')).toEqual(charGrams('add 7 and 1 9'))
    expect(charGrams('12').get(`<${NUMBER_TERM}>`)).toBe(1)
  })

  it('weights counts sublinearly and makes documents unit length', () => {
    expect(gramWeight(0)).toBe(0)
    expect(gramWeight(1)).toBe(1)
    expect(gramWeight(Math.E)).toBeCloseTo(2, 9)
    const doc = gramDocument(charGrams('translate text between English and French'))
    expect(Math.hypot(...doc.values())).toBeCloseTo(1, 9)
    expect(gramDocument(new Map())).toEqual(new Map())
  })

  it('is a cosine: 1 for the same text, 0 for nothing shared, and meets inflections', () => {
    const doc = gramDocument(charGrams('summarise long articles'))
    expect(gramCosine(charGrams('summarise long articles'), doc)).toBeCloseTo(1, 9)
    expect(gramCosine(charGrams('xyz qqq'), doc)).toBe(0)
    expect(gramCosine(new Map(), doc)).toBe(0)
    // Different stems, shared grams: "summaries" meets "summarise", "article" meets "articles".
    expect(gramCosine(charGrams('summaries of an article'), doc)).toBeGreaterThan(0.3)
  })

  it('lets rare grams outweigh common ones through idf', () => {
    const fr = gramDocument(charGrams('translate text into French'))
    const de = gramDocument(charGrams('German'))
    const q = charGrams('translate text into German')
    // Without idf the French skill shares more grams; when "german" is rare and the rest common, German wins.
    expect(gramCosine(q, fr)).toBeGreaterThan(gramCosine(q, de))
    const german = new Set(charGrams('german').keys())
    const rare = (g: string) => (german.has(g) ? 3 : 0.1)
    expect(gramCosine(q, de, rare)).toBeGreaterThan(gramCosine(q, fr, rare))
    expect(gramCosine(q, de, rare)).toBeGreaterThan(0.9)
  })
})

describe('calibrations', () => {
  it('picks the skill calibration by model and keeps each one a convex blend', () => {
    expect(skillCalibrationFor('meshwork-glove-100d')).toBe(GLOVE_SKILL_CALIBRATION)
    expect(skillCalibrationFor('Xenova/all-MiniLM-L6-v2')).toBe(MINILM_SKILL_CALIBRATION)
    for (const c of [GLOVE_SKILL_CALIBRATION, MINILM_SKILL_CALIBRATION]) {
      expect(c.semanticWeight + c.lexicalWeight).toBeCloseTo(1, 9)
      expect(c.centroidWeight).toBeGreaterThanOrEqual(0)
      expect(c.centroidWeight).toBeLessThanOrEqual(1)
    }
  })
})

describe('lexicalOverlap', () => {
  const doc = new Set(terms('Translate text between English and French'))

  it('is the covered share of the query terms', () => {
    expect(lexicalOverlap(terms('translate to french'), doc)).toBe(1)
    expect(lexicalOverlap(terms('translate to german'), doc)).toBe(0.5)
    expect(lexicalOverlap(terms('resize image'), doc)).toBe(0)
    expect(lexicalOverlap([], doc)).toBe(0)
  })

  it('weights rare terms more through idf', () => {
    const weights: Record<string, number> = { translat: 0.1, german: 3 }
    const w = (t: string) => weights[t] ?? 1
    expect(lexicalOverlap(terms('translate to german'), doc, w)).toBeCloseTo(0.1 / 3.1, 6)
    expect(idf(1, 100)).toBeGreaterThan(idf(50, 100))
    expect(idf(100, 100)).toBeGreaterThan(0)
  })
})

describe('confidence and the abstain rule', () => {
  it('is monotonic, 0.5 at the midpoint, and stays in 0..1', () => {
    const c = GLOVE_CALIBRATION
    expect(confidence(c.midpoint)).toBeCloseTo(0.5, 6)
    expect(confidence(0.6)).toBeGreaterThan(confidence(0.4))
    expect(confidence(0.9)).toBeLessThanOrEqual(1)
    expect(confidence(-1)).toBeGreaterThanOrEqual(0)
    expect(confidence(combinedScore(0.7, 1))).toBeGreaterThan(0.9)
    expect(confidence(combinedScore(0.05, 0))).toBeLessThan(0.1)
  })

  it('bids with the most confident candidate and abstains otherwise', () => {
    expect(decideBid([])).toEqual({ bid: false, reason: 'no-skills', confidence: 0 })
    expect(decideBid([{ id: 'a', confidence: 0.2 }])).toMatchObject({ bid: false, reason: 'low-confidence' })
    const d = decideBid([{ id: 'a', confidence: 0.6 }, { id: 'b', confidence: 0.9 }])
    expect(d).toMatchObject({ bid: true, best: { id: 'b' }, confidence: 0.9 })
    expect(decideBid([{ id: 'b', confidence: 0.9 }], { minConfidence: 0.95 }).bid).toBe(false)
  })
})

describe('pooledSemantic', () => {
  it('blends best row and centroid by the calibration', () => {
    const c = { ...GLOVE_CALIBRATION, centroidWeight: 0.25 }
    expect(pooledSemantic(0.8, 0.4, c)).toBeCloseTo(0.7, 6)
    expect(pooledSemantic(0.8, 0.4, { ...c, centroidWeight: 0 })).toBeCloseTo(0.8, 6)
  })
})
