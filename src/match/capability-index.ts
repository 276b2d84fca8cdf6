/**
 * An in-memory index of the skills agents on the mesh advertise, answering "who can do this task?".
 *
 * Every skill contributes one or more embedding rows (its description, and each example) to one packed,
 * row-major Float32Array. `match` scans that matrix with a plain dot-product loop (tens of thousands of
 * rows per millisecond), keeps each skill's best row, adds idf-weighted lexical overlap from an inverted
 * index, and returns the top k with calibrated confidences.
 */
import {
  type Calibration,
  GLOVE_CALIBRATION,
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
  /** Best cosine over the skill's rows (description, examples). */
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

interface Entry {
  skill: Skill
  firstRow: number
  rowCount: number
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
  /** Term → slots of live skills containing it (lazily cleaned of dead slots on compaction). */
  #postings = new Map<string, number[]>()

  constructor(dims: number, options: { calibration?: Calibration; initialRows?: number } = {}) {
    if (!Number.isInteger(dims) || dims <= 0) throw new RangeError(`CapabilityIndex: bad dims ${dims}`)
    this.dims = dims
    this.calibration = options.calibration ?? GLOVE_CALIBRATION
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
    for (const v of vectors) {
      this.#matrix.set(v, this.#rows * this.dims)
      this.#rowOwner[this.#rows] = slot
      this.#rows++
    }
    const skillTerms = new Set(terms([skill.description, ...(skill.examples ?? [])].join(' ')))
    this.#entries.push({ skill, firstRow, rowCount: vectors.length, terms: skillTerms, alive: true })
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

    // Semantic: best row per skill.
    const best = new Float32Array(entryCount).fill(-Infinity)
    const m = this.#matrix
    const d = this.dims
    const owner = this.#rowOwner
    for (let r = 0, base = 0; r < this.#rows; r++, base += d) {
      const slot = owner[r] as number
      if (slot < 0) continue
      let s = 0
      for (let i = 0; i < d; i++) s += (m[base + i] as number) * (queryVec[i] as number)
      if (s > (best[slot] as number)) best[slot] = s
    }

    // Lexical: idf-weighted query coverage, accumulated through the postings of the query's terms only.
    const queryTerms = [...new Set(terms(queryText))]
    const lexical = new Float64Array(entryCount)
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
      const sem = best[slot] as number
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
        semantic: best[slot] as number,
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
