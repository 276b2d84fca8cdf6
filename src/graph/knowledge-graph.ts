/**
 * KnowledgeGraph: the shared, replicated knowledge graph of one room, on top of an
 * automerge-repo DocHandle laid out as described in layout.ts.
 *
 * Contracts:
 * - Every write is validated against the schema before it touches the document; a batch is
 *   one Automerge change and either applies completely or not at all.
 * - Everything read from the document (local or from peers) is validated again; entities that
 *   fail are quarantined (see {@link KnowledgeGraph.invalid}) instead of returned.
 * - Concurrent writes to the same field surface as `conflict` entities (see conflicts.ts).
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { SyncSigner } from '../net/peer-signature.ts'
import { BatchPlanner, validateWrites, type AttestationInput, type GraphActor, type GraphOp } from './batch-planner.ts'
import type { FieldConflict } from './conflicts.ts'
import { EXPORT_FORMAT, parseExport, planImport, type GraphExport, type ImportReport } from './graph-export.ts'
import type { GraphIndex } from './graph-index.ts'
import { DocGraphStore, type GraphChange, type GraphStore } from './graph-store.ts'
import type { GraphDoc } from './layout.ts'
import {
  GraphValidationError,
  SCHEMA_VERSION,
  validateActor,
  type Edge,
  type Entity,
  type EntityKind,
  type EntityPatch,
  type EntityStatus,
  type NewEntity,
  type RelationType
} from './schema.ts'

export type { AttestationInput, GraphActor, GraphOp } from './batch-planner.ts'
export type { GraphExport, ImportReport } from './graph-export.ts'

export interface KnowledgeGraphOptions {
  actor: GraphActor
  /** Clock in epoch ms; injectable for tests. */
  now?: () => number
  /** Turn concurrent same-field writes into conflict entities (default true). */
  detectConflicts?: boolean
  /** Over a DocHandle: writes the document to storage now (its Repo's `flush`), for {@link KnowledgeGraph.flush}. */
  persist?: () => Promise<void>
  /**
   * The actor's peer key: verifications, disputes and retractions in this peer's name are signed
   * with it, so readers can tell them from ones written in its name by someone else
   * (attestation-proof.ts). Without it they are written unsigned and prove nothing.
   */
  sign?: SyncSigner
}

export type { GraphChange } from './graph-store.ts'

export interface ListFilter {
  kind?: EntityKind | EntityKind[]
  status?: EntityStatus | EntityStatus[]
  /** Case-insensitive substring of title or text. */
  text?: string
  tag?: string
  limit?: number
}

export interface Neighbour {
  edge: Edge
  /** `out`: the edge starts at the queried entity; `in`: it ends there. */
  direction: 'out' | 'in'
  /** The entity at the other end, if present and valid. */
  entity: Entity | undefined
}

export interface NeighbourFilter {
  type?: RelationType
  direction?: 'out' | 'in' | 'both'
  includeRetracted?: boolean
}

type Listener = (change: GraphChange) => void

export class KnowledgeGraph {
  readonly actor: GraphActor
  readonly #now: () => number
  readonly #sign: SyncSigner | undefined
  readonly #store: GraphStore
  readonly #listeners = new Set<Listener>()
  #closed = false

  /**
   * Over a ready DocHandle (the document lives here), or over a {@link GraphStore} (e.g. a
   * RemoteGraphStore whose document lives in a worker).
   */
  constructor (source: DocHandle<GraphDoc> | GraphStore, options: KnowledgeGraphOptions) {
    this.actor = validateActor(options.actor)
    this.#now = options.now ?? Date.now
    this.#sign = options.sign
    this.#store = 'commit' in source
      ? source
      : new DocGraphStore(source, { actor: this.actor, now: this.#now, detectConflicts: options.detectConflicts ?? true, ...(options.persist !== undefined ? { persist: options.persist } : {}) })
    this.#store.subscribe(change => { this.#emit(change) })
  }

  /** The DocHandle, if the document lives in this thread (it does not when a worker holds it). */
  get handle (): DocHandle<GraphDoc> {
    const handle = this.#store.handle
    if (handle === undefined) throw new Error('this graph\'s document lives in a worker; there is no DocHandle here')
    return handle
  }

  /** Stop listening to the store. A DocHandle itself stays open in its Repo. */
  close (): void {
    this.#closed = true
    this.#store.close()
    this.#listeners.clear()
  }

  // -------------------------------------------------------------------------------------------
  // Events

  /** Subscribe to changes; returns an unsubscribe function. */
  on (event: 'change', listener: Listener): () => void {
    if (event !== 'change') throw new Error(`unknown event ${String(event)}`)
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  #emit (change: GraphChange): void {
    if (this.#closed) return
    for (const listener of this.#listeners) {
      try {
        listener(change)
      } catch (err) {
        // A failing subscriber must not break the graph or other subscribers.
        console.error('KnowledgeGraph change listener failed', err)
      }
    }
  }

  #sync (): GraphIndex {
    return this.#store.index()
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  get (id: string): Entity | undefined {
    const entity = this.#sync().entities.get(id)
    return entity === undefined ? undefined : structuredClone(entity)
  }

  has (id: string): boolean {
    return this.#sync().entities.has(id)
  }

  /**
   * The entity as the index holds it, without `get`'s copy: for hot paths that only read a field or
   * two (a copy of a task thread copies all its messages). Never modify or keep it: the index
   * replaces it on the next change.
   */
  peek (id: string): Readonly<Entity> | undefined {
    return this.#sync().entities.get(id)
  }

  list (filter: ListFilter = {}): Entity[] {
    const { entities } = this.#sync()
    const kinds = filter.kind === undefined ? undefined : new Set(Array.isArray(filter.kind) ? filter.kind : [filter.kind])
    const statuses = filter.status === undefined ? undefined : new Set(Array.isArray(filter.status) ? filter.status : [filter.status])
    const needle = filter.text?.toLowerCase()
    const out: Entity[] = []
    for (const entity of entities.values()) {
      if (kinds !== undefined && !kinds.has(entity.kind)) continue
      if (statuses !== undefined && !statuses.has(entity.status)) continue
      if (filter.tag !== undefined && !(entity.tags ?? []).includes(filter.tag)) continue
      if (needle !== undefined && !entity.text.toLowerCase().includes(needle) && !(entity.title ?? '').toLowerCase().includes(needle)) continue
      out.push(entity)
    }
    out.sort((a, b) => a.provenance.createdAt - b.provenance.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    return structuredClone(filter.limit === undefined ? out : out.slice(0, filter.limit))
  }

  edge (id: string): Edge | undefined {
    const edge = this.#sync().edges.get(id)
    return edge === undefined ? undefined : structuredClone(edge)
  }

  edges (): Edge[] {
    return structuredClone([...this.#sync().edges.values()].sort((a, b) => (a.id < b.id ? -1 : 1)))
  }

  /**
   * Every entity and edge as the index holds them: no copies, no order. For readers that read a
   * whole large graph and never mutate what they get (the explorer's catalog); `list()` copies
   * and sorts, which at 10k entities costs a long task. The index replaces an entity's object
   * when it changes, so what a reader holds never changes under it.
   */
  view (): { entities: Iterable<Readonly<Entity>>, edges: Iterable<Readonly<Edge>> } {
    const index = this.#sync()
    return { entities: index.entities.values(), edges: index.edges.values() }
  }

  neighbours (id: string, filter: NeighbourFilter = {}): Neighbour[] {
    const { entities, edges } = this.#sync()
    const direction = filter.direction ?? 'both'
    const out: Neighbour[] = []
    for (const eid of this.#sync().adjacency.get(id) ?? []) {
      const edge = edges.get(eid)
      if (edge === undefined) continue
      if (edge.retracted === true && filter.includeRetracted !== true) continue
      if (filter.type !== undefined && edge.type !== filter.type) continue
      const dir = edge.from === id ? 'out' : 'in'
      if (direction !== 'both' && direction !== dir) continue
      const other = entities.get(dir === 'out' ? edge.to : edge.from)
      out.push(structuredClone({ edge, direction: dir, entity: other }))
    }
    return out.sort((a, b) => (a.edge.id < b.edge.id ? -1 : 1))
  }

  /**
   * Entries present in the document that failed validation (e.g. written by a buggy peer),
   * by location: `e/<shard>/<entityId>`, `r/<shard>/<edgeId>`, `a/<shard>/<key>`, `m/<shard>/<key>`.
   */
  invalid (): Array<{ where: string, error: GraphValidationError }> {
    return [...this.#sync().invalid].map(([where, error]) => ({ where, error }))
  }

  get size (): number {
    return this.#sync().entities.size
  }

  // -------------------------------------------------------------------------------------------
  // Writes

  add (entity: NewEntity): string {
    return this.#one({ op: 'add', entity }) ?? ''
  }

  update (id: string, patch: EntityPatch): void {
    this.#one({ op: 'update', id, patch })
  }

  retract (id: string, reason?: string): void {
    this.#one(reason === undefined ? { op: 'retract', id } : { op: 'retract', id, reason })
  }

  /** Relates two entities; idempotent (the edge id is derived from the triple). Returns the edge id. */
  relate (fromId: string, type: RelationType, toId: string): string {
    return this.#one({ op: 'relate', from: fromId, type, to: toId }) ?? ''
  }

  unrelate (fromId: string, type: RelationType, toId: string): void {
    this.#one({ op: 'unrelate', from: fromId, type, to: toId })
  }

  verify (id: string, by?: AttestationInput): void {
    this.#one(by === undefined ? { op: 'verify', id } : { op: 'verify', id, by })
  }

  dispute (id: string, by: AttestationInput | undefined, reason: string): void {
    this.#one(by === undefined ? { op: 'dispute', id, reason } : { op: 'dispute', id, reason, by })
  }

  /**
   * One op as its own change. Errors name the field as the caller wrote it (`kind`, `confidence`),
   * not its place inside a batch (`ops[0].entity.kind`).
   */
  #one (op: GraphOp): string | undefined {
    try {
      return this.batch([op])[0]
    } catch (err) {
      if (!(err instanceof GraphValidationError)) throw err
      const field = err.field.replace(/^ops\[0\]\.?/, '').replace(/^(entity|patch)\./, '')
      throw new GraphValidationError(field === '' ? 'op' : field, err.reason)
    }
  }

  openThread (title: string, text?: string, tags?: string[]): string {
    const entity: NewEntity = { kind: 'thread', title, text: text ?? title }
    if (tags !== undefined) entity.tags = tags
    return this.add(entity)
  }

  /** Appends a message to a thread; returns the message id. */
  post (threadId: string, message: string | { text: string, at?: number }): string {
    const text = typeof message === 'string' ? message : message.text
    const at = typeof message === 'string' ? undefined : message.at
    return this.#one(at === undefined ? { op: 'post', threadId, text } : { op: 'post', threadId, text, at }) ?? ''
  }

  /**
   * Applies `ops` as one Automerge change. Every op is validated against the state the
   * previous ops leave behind; if any fails, nothing is written and the error (naming the op,
   * e.g. `ops[3].patch.confidence`) is thrown. Returns per op the entity, edge or message id.
   */
  batch (ops: readonly GraphOp[]): string[] {
    if (!Array.isArray(ops)) throw new GraphValidationError('ops', 'must be an array')
    const { entities, edges } = this.#sync()
    const plan = new BatchPlanner(entities, edges, this.actor, this.#now(), this.#sign)
    const results = ops.map((op, i) => {
      try {
        return plan.apply(op)
      } catch (err) {
        if (err instanceof GraphValidationError) throw err.under(`ops[${i}]`)
        throw err
      }
    })
    this.#store.commit(plan.writes, plan.overlay())
    return results
  }

  /**
   * Applies document writes planned elsewhere (by a KnowledgeGraph over a RemoteGraphStore,
   * which validated them): how the graph worker applies the page's batches.
   */
  applyWrites (writes: unknown): void {
    this.#store.commit(validateWrites(writes))
  }

  /** Current Automerge conflicts on (entity id, field) pairs; needs the document here. */
  findConflicts (fields: ReadonlyArray<readonly [string, string]>): FieldConflict[] {
    if (!(this.#store instanceof DocGraphStore)) throw new Error('conflicts are found where the document lives (the graph worker)')
    return this.#store.findConflicts(fields)
  }

  // -------------------------------------------------------------------------------------------
  // Export / import

  exportJson (): GraphExport {
    const { entities, edges } = this.#sync()
    const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    return structuredClone({
      format: EXPORT_FORMAT,
      schemaVersion: SCHEMA_VERSION,
      exportedAt: this.#now(),
      entities: [...entities.values()].sort(byId),
      edges: [...edges.values()].sort(byId)
    })
  }

  /**
   * Resolves once the graph as it is now (every write made so far, and what sync has brought) is
   * in persistent storage (IndexedDB in the browser); at once when the graph has none. Without it
   * storage follows within about 100 ms.
   */
  async flush (): Promise<void> {
    await this.#store.flush()
  }

  /** The whole document as Automerge binary (includes history). */
  async exportBinary (): Promise<Uint8Array> {
    return await this.#store.exportBinary()
  }

  /**
   * Merges a JSON export into the graph. Everything is validated first; on any error nothing
   * is written. Entities not in the graph are added with their ids and provenance; for
   * entities already present, attestations, tags and thread messages are unioned and any
   * other differing field keeps the graph's value (reported in `divergent`).
   */
  importJson (input: unknown): ImportReport {
    const parsed = parseExport(input)
    const { entities, edges } = this.#sync()
    const { writes, report } = planImport(entities, edges, parsed.entities, parsed.edges)
    this.#store.commit(writes)
    return report
  }

  /**
   * Merges an Automerge binary export. It must be a graph document (it shares our genesis,
   * so its history merges cleanly) and every entry in it must validate; otherwise nothing
   * is merged. Its history is merged as is.
   */
  async importBinary (bytes: Uint8Array): Promise<ImportReport> {
    return await this.#store.importBinary(bytes)
  }
}
