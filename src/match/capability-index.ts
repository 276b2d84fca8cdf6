/**
 * An in-memory index of the skills agents on the mesh advertise, answering "who can do this task?".
 *
 * Every skill contributes one or more embedding rows (its description, and each example) to one packed,
 * row-major Float32Array, and its mean row to a second matrix. A skill's semantic score pools its best row
 * with the cosine of its centroid; the centroid part is exact from the mean row alone (the sum of the rows'
 * scores is n times the mean's), and the best row is bounded by it: every row lies within the skill's
 * radius of the mean, so no row scores above mean·q + radius·|q|. `match` therefore scans only the mean
 * rows, adds the lexical score (tf-idf cosine of character n-grams, see `gramCosine` in score.ts) from an
 * inverted index, and opens a skill's rows only when that upper bound could still reach the current top k.
 * The result is exact, not approximate.
 */
import {
  type Calibration,
  GLOVE_SKILL_CALIBRATION,
  charGrams,
  combinedScore,
  confidence,
  gramCosine,
  gramDocument,
  gramWeight,
  idf,
} from './score.ts'

export interface Skill {
  id: string
  agentId: string
  peerId: string
  description: string
  examples?: readonly string[]
}

export interface SkillMatch {
  skill: Skill
  /** Best-row cosine and centroid cosine over the skill's rows (description, examples), pooled per the calibration. */
  semantic: number
  /** Tf-idf cosine of the query's character n-grams with the skill's texts' (idf over the index), 0..1. */
  lexical: number
  /** Weighted combination of the two. */
  score: number
  /** Calibrated 0..1. */
  confidence: number
}

export interface MatchOptions {
  /** Drop matches below this confidence. Default 0: return the top k whatever they are. */
  minConfidence?: number
}

/** Writes the dot products of rows `first` .. `first + count - 1` of `matrix` with `query` into `out[0 .. count - 1]`. */
type RowScanner = (matrix: Float32Array, query: Float32Array, first: number, count: number, out: Float64Array) => void

/**
 * A row scanner specialised for one width. The scan dominates matching at 10k skills; in V8 a width the
 * closure holds as a constant, no remainder loop and four independent accumulators measured ~1.5-2x the
 * plain loop (copying the query into a Float64Array measured slower).
 */
function rowScanner(dims: number): RowScanner {
  // One scanner per width for the whole process: V8 specialises a closure on its captured constant only
  // while the function literal has a single closure, so every index of one width shares it.
  let scanner = scanners.get(dims)
  if (!scanner) scanners.set(dims, (scanner = makeRowScanner(dims)))
  return scanner
}

const scanners = new Map<number, RowScanner>()

function makeRowScanner(dims: number): RowScanner {
  if (dims % 4 !== 0) {
    return (m, q, first, count, out) => {
      for (let r = 0, base = first * dims; r < count; r++, base += dims) {
        let s = 0
        for (let i = 0; i < dims; i++) s += (m[base + i] as number) * (q[i] as number)
        out[r] = s
      }
    }
  }
  return (m, q, first, count, out) => {
    for (let r = 0, base = first * dims; r < count; r++, base += dims) {
      let s0 = 0
      let s1 = 0
      let s2 = 0
      let s3 = 0
      for (let i = 0; i < dims; i += 4) {
        s0 += (m[base + i] as number) * (q[i] as number)
        s1 += (m[base + i + 1] as number) * (q[i + 1] as number)
        s2 += (m[base + i + 2] as number) * (q[i + 2] as number)
        s3 += (m[base + i + 3] as number) * (q[i + 3] as number)
      }
      out[r] = s0 + s1 + s2 + s3
    }
  }
}

/** Skills containing one gram: parallel arrays of entry slot and the gram's weight in that skill. */
interface Posting {
  slots: number[]
  weights: number[]
}

/** The text a skill is matched on lexically: its description and examples. */
function skillDocument(skill: Skill): string {
  return [skill.description, ...(skill.examples ?? [])].join('\n')
}

interface Entry {
  skill: Skill
  firstRow: number
  rowCount: number
  /** Largest distance of one of the skill's rows from their mean: bounds how far a row's score can exceed the mean's. */
  radius: number
  /** 1 / length of the sum of the skill's rows: turns the sum of row scores into the centroid's cosine. */
  centroidScale: number
  /** The skill's unit tf vector of character n-grams (`gramDocument`). */
  grams: Map<string, number>
  alive: boolean
}

export class CapabilityIndex {
  readonly dims: number
  readonly calibration: Calibration
  #matrix: Float32Array
  /** Row → entry slot. */
  #rowOwner: Int32Array
  #rows = 0
  #deadRows = 0
  #entries: Entry[] = []
  #slotById = new Map<string, number>()
  /** Scratch, reused across queries (allocating ~1 MB per query at 10k skills made GC a visible cost). */
  #meanScores = new Float64Array(0)
  #rowScores = new Float64Array(0)
  /** Most rows any skill has had: sizes the row-score scratch. */
  #maxRowCount = 1
  #bounds = new Float64Array(0)
  #lexical = new Float64Array(0)
  /** Mean row of each entry slot (dead slots keep theirs until compaction), row-major. */
  #means: Float32Array
  #scan: RowScanner
  /** Gram → slots of skills containing it, and the gram's weight in each (dead slots stay until compaction). */
  #postings = new Map<string, Posting>()
  /** Gram → number of live skills containing it. */
  #df = new Map<string, number>()

  constructor(dims: number, options: { calibration?: Calibration; initialRows?: number } = {}) {
    if (!Number.isInteger(dims) || dims <= 0) throw new RangeError(`CapabilityIndex: bad dims ${dims}`)
    this.dims = dims
    this.calibration = options.calibration ?? GLOVE_SKILL_CALIBRATION
    this.#scan = rowScanner(dims)
    const capacity = Math.max(16, options.initialRows ?? 256)
    this.#matrix = new Float32Array(capacity * dims)
    this.#rowOwner = new Int32Array(capacity)
    this.#means = new Float32Array(64 * dims)
  }

  /** Number of live skills. */
  get size(): number {
    return this.#slotById.size
  }

  has(skillId: string): boolean {
    return this.#slotById.has(skillId)
  }

  /**
   * Adds or replaces a skill. `vectors` are its normalized embeddings, conventionally
   * [description, ...examples]; at least one.
   */
  upsert(skill: Skill, vectors: readonly Float32Array[]): void {
    if (vectors.length === 0) throw new RangeError(`skill ${skill.id}: no vectors`)
    for (const v of vectors) {
      if (v.length !== this.dims) throw new RangeError(`skill ${skill.id}: vector length ${v.length}, index dims ${this.dims}`)
    }
    this.remove(skill.id)
    this.#reserve(this.#rows + vectors.length)
    const slot = this.#entries.length
    const firstRow = this.#rows
    const d = this.dims
    const sum = new Float64Array(d)
    for (const v of vectors) for (let i = 0; i < d; i++) sum[i] = (sum[i] as number) + (v[i] as number)
    const sumLength = Math.hypot(...sum)
    const mean = sum.map((x) => x / vectors.length)
    let radius = 0
    for (const v of vectors) {
      let dist = 0
      for (let i = 0; i < d; i++) dist += ((v[i] as number) - (mean[i] as number)) ** 2
      radius = Math.max(radius, Math.sqrt(dist))
    }
    if ((slot + 1) * d > this.#means.length) {
      const means = new Float32Array(Math.max((slot + 1) * d, 2 * this.#means.length))
      means.set(this.#means)
      this.#means = means
    }
    this.#means.set(mean, slot * d)
    for (const v of vectors) {
      this.#matrix.set(v, this.#rows * this.dims)
      this.#rowOwner[this.#rows] = slot
      this.#rows++
    }
    const grams = gramDocument(charGrams(skillDocument(skill)))
    this.#maxRowCount = Math.max(this.#maxRowCount, vectors.length)
    this.#entries.push({ skill, firstRow, rowCount: vectors.length, radius, centroidScale: sumLength > 0 ? 1 / sumLength : 0, grams, alive: true })
    this.#slotById.set(skill.id, slot)
    this.#post(slot, grams)
    for (const g of grams.keys()) this.#df.set(g, (this.#df.get(g) ?? 0) + 1)
  }

  remove(skillId: string): boolean {
    const slot = this.#slotById.get(skillId)
    if (slot === undefined) return false
    const entry = this.#entries[slot] as Entry
    entry.alive = false
    this.#slotById.delete(skillId)
    for (const g of entry.grams.keys()) {
      const n = (this.#df.get(g) ?? 1) - 1
      if (n > 0) this.#df.set(g, n)
      else this.#df.delete(g)
    }
    this.#deadRows += entry.rowCount
    for (let r = entry.firstRow; r < entry.firstRow + entry.rowCount; r++) this.#rowOwner[r] = -1
    if (this.#deadRows > 64 && this.#deadRows * 4 > this.#rows) this.#compact()
    return true
  }

  /** Removes every skill of an agent (e.g. when it retires). Returns how many went. */
  removeAgent(agentId: string): number {
    return this.#removeWhere((s) => s.agentId === agentId)
  }

  /** Removes every skill hosted by a peer (e.g. when it leaves the mesh). */
  removePeer(peerId: string): number {
    return this.#removeWhere((s) => s.peerId === peerId)
  }

  skills(): Skill[] {
    return this.#entries.filter((e) => e.alive).map((e) => e.skill)
  }

  /**
   * The k best skills for a task, best first. `queryVec` must be normalized and `dims` long;
   * `queryText` feeds the lexical part.
   */
  match(queryVec: Float32Array, queryText: string, k: number, options: MatchOptions = {}): SkillMatch[] {
    if (queryVec.length !== this.dims) throw new RangeError(`query length ${queryVec.length}, index dims ${this.dims}`)
    const entryCount = this.#entries.length
    if (k <= 0 || this.size === 0) return []

    const d = this.dims
    const entries = this.#entries
    const c = this.calibration
    const w = c.centroidWeight
    if (this.#meanScores.length < entryCount) {
      const n = Math.max(entryCount, 2 * this.#meanScores.length)
      this.#meanScores = new Float64Array(n)
      this.#bounds = new Float64Array(n)
      this.#lexical = new Float64Array(n)
    }
    let queryNorm = 0
    for (let i = 0; i < d; i++) queryNorm += (queryVec[i] as number) ** 2
    queryNorm = Math.sqrt(queryNorm)

    // Each skill's mean row against the query: the exact centroid cosine, and a bound on its best row.
    const meanScores = this.#meanScores
    this.#scan(this.#means, queryVec, 0, entryCount, meanScores)

    // Lexical: tf-idf cosine of character n-grams, accumulated through the postings of the query's grams
    // only (a dead slot may collect a share; its bound is -Infinity, so it never ranks).
    const lexical = this.#lexical
    lexical.fill(0, 0, entryCount)
    const n = this.size
    let queryNormSq = 0
    for (const [g, count] of charGrams(queryText)) {
      const weight = gramWeight(count) * idf(this.#df.get(g) ?? 0, n)
      queryNormSq += weight * weight
      const posting = this.#postings.get(g)
      if (!posting) continue
      const { slots, weights } = posting
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i] as number
        lexical[slot] = (lexical[slot] as number) + weight * (weights[i] as number)
      }
    }
    const lexicalScale = queryNormSq > 0 ? 1 / Math.sqrt(queryNormSq) : 0

    // Upper bound of every live skill's combined score; the k highest bounds seed the top k.
    const bounds = this.#bounds
    const seeds: number[] = []
    for (let slot = 0; slot < entryCount; slot++) {
      const e = entries[slot] as Entry
      if (!e.alive) {
        bounds[slot] = -Infinity
        continue
      }
      const mq = meanScores[slot] as number
      // Rows are unit length, so no row scores above |q|; 1e-6 absorbs float32 rounding in the mean.
      const bestRowBound = e.rowCount === 1 ? mq : Math.min(queryNorm, mq + e.radius * queryNorm) + 1e-6
      const centroid = e.rowCount * mq * e.centroidScale
      const bound = combinedScore((1 - w) * bestRowBound + w * centroid, (lexical[slot] as number) * lexicalScale, c)
      bounds[slot] = bound
      if (seeds.length === k && bound <= (bounds[seeds[k - 1] as number] as number)) continue
      let i = seeds.length < k ? seeds.length : k - 1
      seeds[i] = slot
      while (i > 0 && (bounds[seeds[i - 1] as number] as number) < bound) {
        seeds[i] = seeds[i - 1] as number
        seeds[i - 1] = slot
        i--
      }
    }

    // Top k by exact combined score; k is small, so an insertion-sorted array beats a heap. A skill whose
    // bound cannot beat the current k-th score is never opened.
    const top: { slot: number; score: number; semantic: number }[] = []
    const m = this.#matrix
    if (this.#rowScores.length < this.#maxRowCount) this.#rowScores = new Float64Array(this.#maxRowCount)
    const rowScores = this.#rowScores
    const consider = (slot: number) => {
      const e = entries[slot] as Entry
      const mq = meanScores[slot] as number
      let best = mq
      if (e.rowCount > 1 && w < 1) {
        this.#scan(m, queryVec, e.firstRow, e.rowCount, rowScores)
        best = -Infinity
        for (let r = 0; r < e.rowCount; r++) if ((rowScores[r] as number) > best) best = rowScores[r] as number
      }
      const sem = (1 - w) * best + w * e.rowCount * mq * e.centroidScale
      const score = combinedScore(sem, (lexical[slot] as number) * lexicalScale, c)
      if (top.length === k && score <= (top[k - 1] as { score: number }).score) return
      let i = top.length < k ? top.length : k - 1
      top[i] = { slot, score, semantic: sem }
      while (i > 0 && (top[i - 1] as { score: number }).score < score) {
        top[i] = top[i - 1] as { slot: number; score: number; semantic: number }
        top[i - 1] = { slot, score, semantic: sem }
        i--
      }
    }
    for (const slot of seeds) consider(slot)
    const seeded = new Set(seeds)
    for (let slot = 0; slot < entryCount; slot++) {
      const bound = bounds[slot] as number
      if (bound === -Infinity || seeded.has(slot)) continue
      if (top.length === k && bound <= (top[k - 1] as { score: number }).score) continue
      consider(slot)
    }

    const minConfidence = options.minConfidence ?? 0
    const out: SkillMatch[] = []
    for (const { slot, score, semantic } of top) {
      const conf = confidence(score, c)
      if (conf < minConfidence) continue
      out.push({
        skill: (this.#entries[slot] as Entry).skill,
        semantic,
        lexical: (lexical[slot] as number) * lexicalScale,
        score,
        confidence: conf,
      })
    }
    return out
  }

  /** Lexical score of one skill against a text, without the index-wide idf (for explanations and tests). */
  static lexical(skill: Skill, queryText: string): number {
    return gramCosine(charGrams(queryText), gramDocument(charGrams(skillDocument(skill))))
  }

  #post(slot: number, grams: ReadonlyMap<string, number>): void {
    for (const [g, w] of grams) {
      const posting = this.#postings.get(g)
      if (posting) {
        posting.slots.push(slot)
        posting.weights.push(w)
      } else this.#postings.set(g, { slots: [slot], weights: [w] })
    }
  }

  #removeWhere(pred: (s: Skill) => boolean): number {
    const ids = this.#entries.filter((e) => e.alive && pred(e.skill)).map((e) => e.skill.id)
    for (const id of ids) this.remove(id)
    return ids.length
  }

  #reserve(rows: number): void {
    const capacity = this.#rowOwner.length
    if (rows <= capacity) return
    let next = capacity
    while (next < rows) next *= 2
    const matrix = new Float32Array(next * this.dims)
    matrix.set(this.#matrix.subarray(0, this.#rows * this.dims))
    const owner = new Int32Array(next)
    owner.set(this.#rowOwner.subarray(0, this.#rows))
    this.#matrix = matrix
    this.#rowOwner = owner
  }

  /** Drops dead rows and entries, renumbering slots; amortized by only running when a quarter is dead. */
  #compact(): void {
    const live = this.#entries.filter((e) => e.alive)
    const d = this.dims
    const matrix = new Float32Array(this.#matrix.length)
    const owner = new Int32Array(this.#rowOwner.length)
    const means = new Float32Array(this.#means.length)
    const oldSlots = new Map(this.#entries.map((e, slot) => [e, slot]))
    let row = 0
    this.#slotById.clear()
    this.#postings.clear()
    live.forEach((e, slot) => {
      matrix.set(this.#matrix.subarray(e.firstRow * d, (e.firstRow + e.rowCount) * d), row * d)
      owner.fill(slot, row, row + e.rowCount)
      const old = oldSlots.get(e) as number
      means.set(this.#means.subarray(old * d, (old + 1) * d), slot * d)
      e.firstRow = row
      row += e.rowCount
      this.#slotById.set(e.skill.id, slot)
      this.#post(slot, e.grams)
    })
    this.#matrix = matrix
    this.#rowOwner = owner
    this.#means = means
    this.#entries = live
    this.#rows = row
    this.#deadRows = 0
  }
}
