/**
 * Semantic retrieval over the knowledge graph, for the host tab's `ctx.graph.search`.
 *
 * A {@link GraphRetriever} scores entities against a query by cosine of sentence embeddings plus
 * idf-weighted lexical overlap (the same scoring as capability matching, src/match/score.ts). It
 * keeps one vector per entity, keyed by id and `updatedAt`, so a search embeds only the entities
 * that are new or changed since the last one, in batches; entities that left the graph are
 * forgotten. Retracted entities are not returned unless asked for.
 */
import type { GraphHit } from './types.ts'
import { combinedScore, cosine, GLOVE_CALIBRATION, idf, terms, type Calibration } from '../match/score.ts'

/** The fields of a graph entity retrieval needs (a projection of `Entity` plus its `provenance.updatedAt`). */
export interface RetrievableEntity {
  id: string
  kind: string
  text: string
  status: string
  confidence: number
  /** Epoch ms of the last change; a different value means the entity must be embedded again. */
  updatedAt: number
  /** When it was recorded (epoch ms), passed through to hits. */
  createdAt?: number
  /** A task's verified result: the request it answers (`GraphHit.answers`), passed through to hits. */
  answers?: string
}

export type EmbedFunction = (texts: string[], options?: { signal?: AbortSignal }) => Promise<Float32Array[]>

export interface GraphRetrieverOptions {
  embed: EmbedFunction
  /** Texts per embed call. Default 64. */
  batchSize?: number
  /** How cosine and lexical overlap combine. Default: the embedded GloVe model's weights. */
  calibration?: Calibration
  /** Return retracted entities too. Default false. */
  includeRetracted?: boolean
}

export interface SearchOptions {
  /** Hits to return. Default 5. */
  k?: number
  signal?: AbortSignal
  /** Only entities of these kinds. */
  kinds?: readonly string[]
}

interface Cached {
  updatedAt: number
  text: string
  vector: Float32Array
  terms: Set<string>
}

export class GraphRetriever {
  private readonly embed: EmbedFunction
  private readonly batchSize: number
  private readonly calibration: Calibration
  private readonly includeRetracted: boolean
  private readonly cache = new Map<string, Cached>()
  /** Refreshes run one at a time, so two searches never embed the same entity twice. */
  private queue: Promise<unknown> = Promise.resolve()
  /** Texts embedded so far, over the retriever's life (for tests and diagnostics). */
  embeddedCount = 0

  constructor (options: GraphRetrieverOptions) {
    this.embed = options.embed
    this.batchSize = Math.max(1, options.batchSize ?? 64)
    this.calibration = options.calibration ?? GLOVE_CALIBRATION
    this.includeRetracted = options.includeRetracted ?? false
  }

  /** Entities with a vector in the cache. */
  get size (): number {
    return this.cache.size
  }

  /**
   * Brings the cache up to date with `entities`: embeds the new and changed ones, forgets the ones
   * that are gone. Returns how many were embedded.
   */
  refresh (entities: readonly RetrievableEntity[], signal?: AbortSignal): Promise<number> {
    const run = this.queue.then(() => this.doRefresh(entities, signal))
    this.queue = run.catch(() => {})
    return run
  }

  private async doRefresh (entities: readonly RetrievableEntity[], signal?: AbortSignal): Promise<number> {
    const stale: RetrievableEntity[] = []
    let known = 0
    for (const e of entities) {
      const c = this.cache.get(e.id)
      if (c !== undefined) known++
      if (c === undefined || c.updatedAt !== e.updatedAt || c.text !== e.text) stale.push(e)
    }
    // Every cached id is among `entities` (ids are unique) unless some are not: only then look for them.
    if (known < this.cache.size) {
      const present = new Set(entities.map(e => e.id))
      for (const id of this.cache.keys()) if (!present.has(id)) this.cache.delete(id)
    }
    for (let i = 0; i < stale.length; i += this.batchSize) {
      signal?.throwIfAborted()
      const batch = stale.slice(i, i + this.batchSize)
      const vectors = await this.embed(batch.map((e) => e.text), signal === undefined ? undefined : { signal })
      if (vectors.length !== batch.length) throw new Error(`graph retrieval: the embedder returned ${vectors.length} vectors for ${batch.length} texts`)
      batch.forEach((e, j) => {
        this.cache.set(e.id, { updatedAt: e.updatedAt, text: e.text, vector: vectors[j]!, terms: new Set(terms(e.text, 'literal')) })
      })
      this.embeddedCount += batch.length
    }
    return stale.length
  }

  /** The `k` entities most relevant to `query`, best first; `score` is the combined score. */
  async search (query: string, entities: readonly RetrievableEntity[], options: SearchOptions = {}): Promise<GraphHit[]> {
    const k = options.k ?? 5
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`graph retrieval: k must be a positive integer, got ${k}`)
    if (query.trim() === '') return []
    await this.refresh(entities, options.signal)
    const [q] = await this.embed([query], options.signal === undefined ? undefined : { signal: options.signal })
    if (q === undefined) throw new Error('graph retrieval: the embedder returned no vector for the query')

    const kinds = options.kinds === undefined ? undefined : new Set(options.kinds)
    const candidates: RetrievableEntity[] = []
    const cached: Cached[] = []
    let count = 0
    for (const e of entities) {
      if ((!this.includeRetracted && e.status === 'retracted') || (kinds !== undefined && !kinds.has(e.kind))) continue
      count++
      const c = this.cache.get(e.id)
      if (c === undefined) continue
      candidates.push(e)
      cached.push(c)
    }
    // idf-weighted overlap (lexicalOverlap in src/match/score.ts), with each query term's weight taken once.
    const queryTerms = [...new Set(terms(query, 'literal'))]
    const weights = queryTerms.map((t) => {
      let df = 0
      for (const c of cached) if (c.terms.has(t)) df++
      return idf(df, count)
    })
    const total = weights.reduce((a, b) => a + b, 0)

    // The best k, kept in order as they come (k is small): no sort of every candidate, no hit for each.
    const best: Array<{ i: number, score: number }> = []
    /** Whether candidate `i` at `score` ranks before `b`: by score, then confidence, then id. */
    const before = (i: number, score: number, b: { i: number, score: number }): boolean => {
      if (score !== b.score) return score > b.score
      const ea = candidates[i]!
      const eb = candidates[b.i]!
      return ea.confidence !== eb.confidence ? ea.confidence > eb.confidence : ea.id < eb.id
    }
    for (let i = 0; i < cached.length; i++) {
      const c = cached[i]!
      const semantic = c.vector.length === q.length ? cosine(q, c.vector) : 0
      let hit = 0
      for (let t = 0; t < queryTerms.length; t++) if (c.terms.has(queryTerms[t]!)) hit += weights[t]!
      const score = combinedScore(semantic, total === 0 ? 0 : hit / total, this.calibration)
      if (best.length === k) {
        if (!before(i, score, best[k - 1]!)) continue
        best.pop()
      }
      let at = best.length
      while (at > 0 && before(i, score, best[at - 1]!)) at--
      best.splice(at, 0, { i, score })
    }
    return best.map(({ i, score }) => {
      const e = candidates[i]!
      return { id: e.id, kind: e.kind, text: e.text, status: e.status, confidence: e.confidence, score, updatedAt: e.updatedAt, ...(e.createdAt !== undefined ? { createdAt: e.createdAt } : {}), ...(e.answers !== undefined ? { answers: e.answers } : {}) }
    })
  }

  /** Drops every cached vector (e.g. after the embedding model changed). */
  clear (): void {
    this.cache.clear()
  }
}
