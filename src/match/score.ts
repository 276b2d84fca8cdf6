/**
 * Pure scoring for capability matching: how well does a skill fit a task?
 *
 * A match combines a semantic score (cosine of normalized sentence embeddings) with a lexical one
 * (tf-idf cosine of character n-grams for capability matching, {@link gramCosine}; idf-weighted coverage of
 * stemmed terms for graph retrieval, {@link lexicalOverlap}), then maps the combination to a calibrated
 * confidence in 0..1. An agent bids only when its best confidence clears a threshold:
 * abstaining is the normal answer for a task nobody here can do.
 */

/** Dot product. For L2-normalized vectors this is their cosine similarity. Zero vectors give 0. */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`cosine: length ${a.length} vs ${b.length}`)
  let s = 0
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number)
  return s
}

/** Returns `v` scaled to unit length (a new array); a zero vector stays zero. */
export function normalize(v: Float32Array): Float32Array {
  let n = 0
  for (let i = 0; i < v.length; i++) n += (v[i] as number) * (v[i] as number)
  const out = new Float32Array(v.length)
  if (n === 0) return out
  const inv = 1 / Math.sqrt(n)
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) * inv
  return out
}

const STOPWORDS = new Set(
  (
    'a an the and or but if then else of to in on at by for with from into onto about as is are was were be been ' +
    'being am do does did done doing have has had having i me my we our you your he she it its they them their ' +
    'this that these those there here what which who whom whose when where why how all any some each every no ' +
    'not only own same so than too very can could will would shall should may might must just also please ' +
    'help want need like get give make let us up down out over under again further once more most other such ' +
    'both few nor off while until via per using use something thing things'
  ).split(' '),
)

/**
 * Light suffix stripping so "summaries"/"summary" and "translating"/"translate" meet. Deliberately
 * crude: the embedding carries the real meaning; this only rewards shared vocabulary.
 */
export function stem(word: string): string {
  const rules: [string, string][] = [
    ['ational', 'ate'],
    ['ization', 'ize'],
    ['isation', 'ize'],
    ['ations', 'ate'],
    ['ation', 'ate'],
    ['ising', 'ize'],
    ['izing', 'ize'],
    ['ies', 'y'],
    ['ing', ''],
    ['ed', ''],
    ['es', ''],
    ['s', ''],
    ['ly', ''],
  ]
  let base = word
  for (const [suffix, replacement] of rules) {
    if (suffix === 's' && word.endsWith('ss')) continue
    if (word.endsWith(suffix) && word.length - suffix.length + replacement.length >= 3) {
      base = word.slice(0, -suffix.length) + replacement
      break
    }
  }
  // "translate", "translating", "translation" all end up as "translat".
  return base.length > 3 && base.endsWith('e') ? base.slice(0, -1) : base
}

/** The one term every number becomes: "12", "3.5" and "2024" all say "this task has a number in it". */
export const NUMBER_TERM = '#'

/**
 * Lowercased, accent-stripped, stop-word-free, stemmed terms of `text`, in order (duplicates kept).
 * Numbers map to {@link NUMBER_TERM}: a skill whose examples carry numbers (arithmetic, conversions,
 * dates) shares that with a task that does, whatever the digits. With `numbers: 'literal'` each
 * number is its own term, as the graph needs: a question about "3 and 4" is not about an entity
 * that says "1024" (with one term for every number it was, and the researcher answered it so).
 */
export function terms(text: string, numbers: 'any' | 'literal' = 'any'): string[] {
  const words = text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .match(/[\p{L}\p{N}]+/gu)
  if (!words) return []
  const out: string[] = []
  for (const w of words) {
    if (STOPWORDS.has(w)) continue
    out.push(/^\p{N}/u.test(w) ? (numbers === 'literal' ? w : NUMBER_TERM) : stem(w))
  }
  return out
}

/**
 * Share of the query's (idf-weighted) distinct terms that occur in the document, 0..1.
 * Coverage of the query rather than Jaccard: a skill description is longer than a task and should not
 * be punished for saying more. Without `idf` every term weighs 1.
 */
export function lexicalOverlap(
  queryTerms: readonly string[],
  docTerms: ReadonlySet<string>,
  idf?: (term: string) => number,
): number {
  let total = 0
  let hit = 0
  for (const t of new Set(queryTerms)) {
    const w = idf ? idf(t) : 1
    total += w
    if (docTerms.has(t)) hit += w
  }
  return total === 0 ? 0 : hit / total
}

/** BM25-style idf, always positive: log(1 + (N − df + 0.5) / (df + 0.5)). */
export function idf(documentFrequency: number, documentCount: number): number {
  return Math.log(1 + (documentCount - documentFrequency + 0.5) / (documentFrequency + 0.5))
}

/**
 * Character n-grams (3 and 4 characters) of the words of `text`, with counts: the lexical features of
 * capability matching. Words are lowercased and accent-stripped and wrapped in `<` `>` so that starts and
 * ends of words are features of their own; every number becomes {@link NUMBER_TERM} (one gram, `<#>`).
 * No stop words and no stemming: n-grams meet inflections ("summaries"/"summarise" share `<summ`, `umma`)
 * and compounds ("timezone"/"time zone") on their own, and idf over the index gives words that every skill
 * shares ("the", "how", "please") next to no weight.
 */
export function charGrams(text: string): Map<string, number> {
  const out = new Map<string, number>()
  const words = text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .match(/[\p{L}\p{N}]+/gu)
  if (!words) return out
  for (const w of words) {
    const word = `<${/^\p{N}/u.test(w) ? NUMBER_TERM : w}>`
    for (const n of GRAM_SIZES) {
      for (let i = 0; i + n <= word.length; i++) {
        const g = word.slice(i, i + n)
        out.set(g, (out.get(g) ?? 0) + 1)
      }
    }
  }
  return out
}

const GRAM_SIZES = [3, 4] as const

/** Sublinear term frequency, 1 + ln(tf): a gram repeated across a skill's examples counts, but not linearly. */
export function gramWeight(count: number): number {
  return count > 0 ? 1 + Math.log(count) : 0
}

/**
 * A skill's lexical document: each gram's sublinear tf, scaled so the vector has unit length. Fixed when
 * the skill is indexed (no idf in it), so adding skills never re-weights the ones already there.
 */
export function gramDocument(grams: ReadonlyMap<string, number>): Map<string, number> {
  let norm = 0
  for (const c of grams.values()) norm += gramWeight(c) ** 2
  const out = new Map<string, number>()
  if (norm === 0) return out
  const inv = 1 / Math.sqrt(norm)
  for (const [g, c] of grams) out.set(g, gramWeight(c) * inv)
  return out
}

/**
 * Lexical score of a skill for a query, 0..1: the cosine of the query's tf-idf gram vector (idf over the
 * skills of the index, see {@link idf}) with the skill's unit tf vector ({@link gramDocument}). Rare grams
 * ("regex", "cron", "korean") carry the score; grams every skill has carry almost nothing.
 */
export function gramCosine(
  queryGrams: ReadonlyMap<string, number>,
  doc: ReadonlyMap<string, number>,
  idfOf: (gram: string) => number = () => 1,
): number {
  let dot = 0
  let norm = 0
  for (const [g, c] of queryGrams) {
    const w = gramWeight(c) * idfOf(g)
    norm += w * w
    dot += w * (doc.get(g) ?? 0)
  }
  return norm === 0 ? 0 : dot / Math.sqrt(norm)
}

/**
 * How semantic and lexical scores combine and what a combined score means.
 * `midpoint` is the combined score at which confidence is 0.5; `steepness` sets how fast it saturates.
 */
export interface Calibration {
  /**
   * How a skill's rows (description, examples) pool into its semantic score:
   * `(1 - centroidWeight) * best row + centroidWeight * cosine with the rows' normalized mean`.
   * The best row alone rewards one lucky example; the centroid alone blurs a skill with varied examples.
   */
  centroidWeight: number
  semanticWeight: number
  lexicalWeight: number
  midpoint: number
  steepness: number
}

/**
 * For graph retrieval (src/agents/graph-retrieval.ts), whose lexical part is idf-weighted coverage of the
 * query's stemmed {@link terms}. Tuned on the dev split of the routing benchmark before capability matching
 * moved to character n-grams ({@link GLOVE_SKILL_CALIBRATION}); kept as it was for retrieval.
 */
export const GLOVE_CALIBRATION: Calibration = { centroidWeight: 0.7, semanticWeight: 0.7, lexicalWeight: 0.3, midpoint: 0.34, steepness: 12 }

/**
 * For MiniLM-class models, whose unrelated pairs sit nearer 0-0.2 and related ones 0.4-0.8.
 * Not measured here (the hub is unreachable on the build machine): revisit with real data.
 */
export const MINILM_CALIBRATION: Calibration = { centroidWeight: 0, semanticWeight: 0.8, lexicalWeight: 0.2, midpoint: 0.35, steepness: 10 }

/** Picks the graph-retrieval calibration for a model id; unknown models get the MiniLM one. */
export function calibrationFor(modelId: string): Calibration {
  return modelId.includes('glove') ? GLOVE_CALIBRATION : MINILM_CALIBRATION
}

/**
 * Capability matching with the embedded GloVe model: semantic (best row and centroid) plus the character
 * n-gram lexical score ({@link gramCosine}). Fitted by `npm run bench:routing -- --fit` on the routing
 * corpus' training texts only: the three weights by a softmax (multinomial logistic) fit on the `fit` part
 * of the dev split, the midpoint (the abstain threshold: bids need confidence 0.5) on its `validation` part,
 * for the best accuracy keeping out-of-scope recall at 60 % or more. The test split is never looked at.
 */
export const GLOVE_SKILL_CALIBRATION: Calibration = { centroidWeight: 0.61, semanticWeight: 0.46, lexicalWeight: 0.54, midpoint: 0.24, steepness: 12 }

/**
 * Capability matching with MiniLM-class models. Not measured (no hub here); the semantic part is expected
 * to carry more than with GloVe, so it weighs more.
 */
export const MINILM_SKILL_CALIBRATION: Calibration = { centroidWeight: 0.3, semanticWeight: 0.7, lexicalWeight: 0.3, midpoint: 0.3, steepness: 10 }

/** Picks the capability-matching calibration for a model id; unknown models get the MiniLM one. */
export function skillCalibrationFor(modelId: string): Calibration {
  return modelId.includes('glove') ? GLOVE_SKILL_CALIBRATION : MINILM_SKILL_CALIBRATION
}

/** Pools a skill's best-row cosine and its centroid cosine into one semantic score. */
export function pooledSemantic(bestRow: number, centroid: number, c: Calibration = GLOVE_CALIBRATION): number {
  return (1 - c.centroidWeight) * bestRow + c.centroidWeight * centroid
}

export function combinedScore(semantic: number, lexical: number, c: Calibration = GLOVE_CALIBRATION): number {
  return c.semanticWeight * semantic + c.lexicalWeight * lexical
}

/** Logistic map of a combined score to 0..1. */
export function confidence(score: number, c: Calibration = GLOVE_CALIBRATION): number {
  return 1 / (1 + Math.exp(-c.steepness * (score - c.midpoint)))
}

export interface BidPolicy {
  /** Below this confidence an agent does not bid. */
  minConfidence: number
}

export const DEFAULT_BID_POLICY: BidPolicy = { minConfidence: 0.5 }

export type BidDecision<T> = { bid: true; best: T; confidence: number } | { bid: false; reason: 'no-skills' | 'low-confidence'; confidence: number }

/**
 * The abstain rule: bid with the best-scoring skill only if its confidence clears the policy.
 * `candidates` need not be sorted.
 */
export function decideBid<T extends { confidence: number }>(
  candidates: readonly T[],
  policy: BidPolicy = DEFAULT_BID_POLICY,
): BidDecision<T> {
  let best: T | undefined
  for (const c of candidates) if (!best || c.confidence > best.confidence) best = c
  if (!best) return { bid: false, reason: 'no-skills', confidence: 0 }
  if (best.confidence < policy.minConfidence) return { bid: false, reason: 'low-confidence', confidence: best.confidence }
  return { bid: true, best, confidence: best.confidence }
}
