/**
 * An in-memory index of the skills agents on the mesh advertise, answering "who can do this task?".
 *
 * Every skill contributes one or more embedding rows (its description, and each example) to one packed,
 * row-major Float32Array. `match` scans that matrix with a plain dot-product loop (tens of thousands of
 * rows per millisecond), keeps each skill's best row and the sum of its rows' scores (which, divided by
 * the length of the rows' sum, is the cosine with the skill's centroid: no extra row needed), pools the
 * two, adds idf-weighted lexical overlap from an inverted index, and returns the top k with calibrated
 * confidences.
 */
import {
  type Calibration,
  GLOVE_CALIBRATION,
  pooledSemantic,
  combinedScore,
  confidence,
  idf,
  lexicalOverlap,
  terms,
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
  /** Idf-weighted share of the query's terms found in the skill's texts, 0..1. */
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

/** Writes the dot product of each of the first `rows` rows of `matrix` with `query` into `out`. */
type RowScanner = (matrix: Float32Array, query: Float32Array, rows: number, out: Float64Array) => void

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
    return (m, q, rows, out) => {
      for (let r = 0, base = 0; r < rows; r++, base += dims) {
        let s = 0
        for (let i = 0; i < dims; i++) s += (m[base + i] as number) * (q[i] as number)
        out[r] = s
      }
    }
  }
  return (m, q, rows, out) => {
    for (let r = 0, base = 0; r < rows; r++, base += dims) {
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

interface Entry {
  skill: Skill
  firstRow: number
  rowCount: number
  /** 1 / length of the sum of the skill's rows: turns the sum of row scores into the centroid's cosine. */
  centroidScale: number
  terms: Set<string>
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
  #rowScores = new Float64Array(0)
  #semantic = new Float64Array(0)
  #lexical = new Float64Array(0)
  #scan: RowScanner
  /** Term → slots of live skills containing it (lazily cleaned of dead slots on compaction). */
  #postings = new Map<string, number[]>()

  constructor(dims: number, options: { calibration?: Calibration; initialRows?: number } = {}) {
    if (!Number.isInteger(dims) || dims <= 0) throw new RangeError(`CapabilityIndex: bad dims ${dims}`)
    this.dims = dims
    this.calibration = options.calibration ?? GLOVE_CALIBRATION
    this.#scan = rowScanner(dims)
    const capacity = Math.max(16, options.initialRows ?? 256)
    this.#matrix = new Float32Array(capacity * dims)
    this.#rowOwner = new Int32Array(capacity)
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
    const sum = new Float64Array(this.dims)
    for (const v of vectors) for (let i = 0; i < this.dims; i++) sum[i] = (sum[i] as number) + (v[i] as number)
    const sumLength = Math.hypot(...sum)
    for (const v of vectors) {
      this.#matrix.set(v, this.#rows * this.dims)
      this.#rowOwner[this.#rows] = slot
      this.#rows++
    }
    const skillTerms = new Set(terms([skill.description, ...(skill.examples ?? [])].join(' ')))
    this.#entries.push({ skill, firstRow, rowCount: vectors.length, centroidScale: sumLength > 0 ? 1 / sumLength : 0, terms: skillTerms, alive: true })
    this.#slotById.set(skill.id, slot)
    for (const t of skillTerms) {
      const list = this.#postings.get(t)
      if (list) list.push(slot)
      else this.#postings.set(t, [slot])
    }
  }

  remove(skillId: string): boolean {
    const slot = this.#slotById.get(skillId)
    if (slot === undefined) return false
    const entry = this.#entries[slot] as Entry
    entry.alive = false
    this.#slotById.delete(skillId)
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

    // Semantic: one flat pass scores every row (dead rows too: at most a quarter, and skipping them costs
    // more than it saves), then each live skill pools its contiguous rows' scores: the best, and the sum,
    // which times the skill's centroid scale is the cosine with its centroid.
    if (this.#rowScores.length < this.#rows) this.#rowScores = new Float64Array(this.#rowOwner.length)
    const rowScores = this.#rowScores
    this.#scan(this.#matrix, queryVec, this.#rows, rowScores)
    if (this.#semantic.length < entryCount) {
      this.#semantic = new Float64Array(Math.max(entryCount, 2 * this.#semantic.length))
      this.#lexical = new Float64Array(this.#semantic.length)
    }
    const semantic = this.#semantic
    semantic.fill(-Infinity, 0, entryCount)
    const entries = this.#entries
    const w = this.calibration.centroidWeight
    for (let slot = 0; slot < entryCount; slot++) {
      const e = entries[slot] as Entry
      if (!e.alive) continue
      let best = -Infinity
      let sum = 0
      for (let r = e.firstRow, end = e.firstRow + e.rowCount; r < end; r++) {
        const x = rowScores[r] as number
        if (x > best) best = x
        sum += x
      }
      semantic[slot] = (1 - w) * best + w * sum * e.centroidScale
    }

    // Lexical: idf-weighted query coverage, accumulated through the postings of the query's terms only.
    const queryTerms = [...new Set(terms(queryText))]
    const lexical = this.#lexical
    lexical.fill(0, 0, entryCount)
    const n = this.size
    let totalWeight = 0
    for (const t of queryTerms) {
      const list = this.#postings.get(t)
      const df = list ? this.#liveCount(list) : 0
      const w = idf(df, n)
      totalWeight += w
      if (!list) continue
      for (const slot of list) lexical[slot] = (lexical[slot] as number) + w
    }
    const c = this.calibration
    const minConfidence = options.minConfidence ?? 0

    // Top k by combined score; k is small, so an insertion-sorted array beats a heap.
    const top: { slot: number; score: number }[] = []
    for (let slot = 0; slot < entryCount; slot++) {
      const sem = semantic[slot] as number
      if (sem === -Infinity) continue
      const lex = totalWeight > 0 ? (lexical[slot] as number) / totalWeight : 0
      const score = combinedScore(sem, lex, c)
      if (top.length === k && score <= (top[k - 1] as { score: number }).score) continue
      let i = top.length < k ? top.length : k - 1
      top[i] = { slot, score }
      while (i > 0 && (top[i - 1] as { score: number }).score < score) {
        top[i] = top[i - 1] as { slot: number; score: number }
        top[i - 1] = { slot, score }
        i--
      }
    }

    const out: SkillMatch[] = []
    for (const { slot, score } of top) {
      const conf = confidence(score, c)
      if (conf < minConfidence) continue
      out.push({
        skill: (this.#entries[slot] as Entry).skill,
        semantic: semantic[slot] as number,
        lexical: totalWeight > 0 ? (lexical[slot] as number) / totalWeight : 0,
        score,
        confidence: conf,
      })
    }
    return out
  }

  /** Lexical score of one skill against a text, without the index-wide idf (for explanations and tests). */
  static lexical(skill: Skill, queryText: string): number {
    return lexicalOverlap(terms(queryText), new Set(terms([skill.description, ...(skill.examples ?? [])].join(' '))))
  }

  #liveCount(list: number[]): number {
    let n = 0
    for (const slot of list) if ((this.#entries[slot] as Entry).alive) n++
    return n
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
    let row = 0
    this.#slotById.clear()
    this.#postings.clear()
    live.forEach((e, slot) => {
      matrix.set(this.#matrix.subarray(e.firstRow * d, (e.firstRow + e.rowCount) * d), row * d)
      owner.fill(slot, row, row + e.rowCount)
      e.firstRow = row
      row += e.rowCount
      this.#slotById.set(e.skill.id, slot)
      for (const t of e.terms) {
        const list = this.#postings.get(t)
        if (list) list.push(slot)
        else this.#postings.set(t, [slot])
      }
    })
    this.#matrix = matrix
    this.#rowOwner = owner
    this.#entries = live
    this.#rows = row
    this.#deadRows = 0
  }
}
