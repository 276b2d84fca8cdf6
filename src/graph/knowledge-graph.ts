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
import { Automerge, type DocHandle, type DocHandleChangePayload } from '@automerge/automerge-repo/slim'
import { BatchPlanner, applyWrites, writeEdge, writeNewEntity, type AttestationInput, type GraphActor, type GraphOp, type Write } from './batch-planner.ts'
import {
  CONFLICT_FIELDS,
  buildConflictEntity,
  toFieldConflict,
  type ConflictField,
  type FieldConflict
} from './conflicts.ts'
import { EXPORT_FORMAT, parseExport, planImport, type GraphExport, type ImportReport } from './graph-export.ts'
import { GraphIndex, touched } from './graph-index.ts'
import { edgeId, genesis, plain, shardOf, type GraphDoc } from './layout.ts'
import {
  GraphValidationError,
  SCHEMA_VERSION,
  validateActor,
  validateEntity,
  type Edge,
  type Entity,
  type EntityKind,
  type EntityPatch,
  type EntityStatus,
  type JsonValue,
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
}

export interface GraphChange {
  /** Entities added, changed or removed (including attestation and message changes). */
  ids: string[]
  /** Edges added or changed. */
  edgeIds: string[]
  /** `local` if made through this graph instance, `remote` otherwise (sync, import, storage). */
  origin: 'local' | 'remote'
}

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

/** Entities (or fields) checked for conflicts per task: about 10 ms of work. */
const CONFLICT_CHECK_SLICE = 400

function toJsonValue (value: unknown): JsonValue {
  const p = plain(value)
  return JSON.parse(JSON.stringify(p ?? null)) as JsonValue
}

/** Ids of entities a patch set concerns: their own fields, attestations or messages. */
function changedEntityIds (t: ReturnType<typeof touched>): string[] {
  const ids = new Set(t.entities.keys())
  for (const key of [...t.attestations.keys(), ...t.messages.keys()]) {
    const bar = key.indexOf('|')
    ids.add(bar === -1 ? key : key.slice(0, bar))
  }
  return [...ids]
}

export class KnowledgeGraph {
  readonly handle: DocHandle<GraphDoc>
  readonly actor: GraphActor
  readonly #now: () => number
  readonly #detectConflicts: boolean

  readonly #index = new GraphIndex()

  readonly #listeners = new Set<Listener>()
  #inLocalChange = false
  #pendingConflictChecks: Array<[string, string]> = []
  #conflictCheckScheduled = false
  #closed = false
  readonly #onHandleChange = (payload: DocHandleChangePayload<GraphDoc>): void => { this.#handleChange(payload) }

  constructor (handle: DocHandle<GraphDoc>, options: KnowledgeGraphOptions) {
    if (!handle.isReady()) throw new Error('KnowledgeGraph needs a ready DocHandle (use openRoomGraph)')
    this.handle = handle
    this.actor = validateActor(options.actor)
    this.#now = options.now ?? Date.now
    this.#detectConflicts = options.detectConflicts ?? true
    handle.on('change', this.#onHandleChange)
    if (this.#detectConflicts) {
      // Conflicts may already sit in what we loaded from storage.
      this.#scheduleConflictCheck(this.#allFieldKeys())
    }
  }

  /** Stop listening to the handle. The handle itself stays open in its Repo. */
  close (): void {
    this.#closed = true
    this.handle.off('change', this.#onHandleChange)
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

  #handleChange (payload: DocHandleChangePayload<GraphDoc>): void {
    if (this.#closed) return
    const t = touched(payload.patches)
    // Keep the index in step with the patches the DocHandle already computed (no second diff).
    this.#index.advance(payload.doc, Automerge.getHeads(payload.patchInfo.before), t)
    const change: GraphChange = {
      ids: t.all ? [...this.#sync().entities.keys()] : changedEntityIds(t),
      edgeIds: [...t.edges.keys()],
      origin: this.#inLocalChange ? 'local' : 'remote'
    }
    if (this.#detectConflicts && !this.#inLocalChange) {
      // Automerge flags in the patch every property that a merge leaves conflicted, so only
      // those need a look (a 10k-entity sync has ~100k patches and no conflict at all).
      this.#scheduleConflictCheck(t.all ? this.#allFieldKeys() : t.conflicted)
    }
    if (change.ids.length === 0 && change.edgeIds.length === 0) return
    for (const listener of this.#listeners) {
      try {
        listener(change)
      } catch (err) {
        // A failing subscriber must not break the graph or other subscribers.
        console.error('KnowledgeGraph change listener failed', err)
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Index: plain, validated views of the document, maintained incrementally from patches

  #sync (): GraphIndex {
    return this.#index.sync(this.handle.doc())
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

  neighbours (id: string, filter: NeighbourFilter = {}): Neighbour[] {
    const { entities, edges } = this.#sync()
    const direction = filter.direction ?? 'both'
    const out: Neighbour[] = []
    for (const eid of this.#index.adjacency.get(id) ?? []) {
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
  post (threadId: string, message: string | { text: string }): string {
    const text = typeof message === 'string' ? message : message.text
    return this.#one({ op: 'post', threadId, text }) ?? ''
  }

  /**
   * Applies `ops` as one Automerge change. Every op is validated against the state the
   * previous ops leave behind; if any fails, nothing is written and the error (naming the op,
   * e.g. `ops[3].patch.confidence`) is thrown. Returns per op the entity, edge or message id.
   */
  batch (ops: readonly GraphOp[]): string[] {
    if (!Array.isArray(ops)) throw new GraphValidationError('ops', 'must be an array')
    const { entities, edges } = this.#sync()
    const plan = new BatchPlanner(entities, edges, this.actor, this.#now())
    const results = ops.map((op, i) => {
      try {
        return plan.apply(op)
      } catch (err) {
        if (err instanceof GraphValidationError) throw err.under(`ops[${i}]`)
        throw err
      }
    })
    this.#commit(plan.writes)
    return results
  }

  #commit (writes: Write[]): void {
    if (writes.length === 0) return
    this.#inLocalChange = true
    try {
      this.handle.change(doc => { applyWrites(doc, writes) })
    } finally {
      this.#inLocalChange = false
    }
  }

  // -------------------------------------------------------------------------------------------
  // Conflicts

  #allFieldKeys (): Array<[string, string]> {
    const out: Array<[string, string]> = []
    for (const id of this.#sync().entities.keys()) out.push([id, '*'])
    return out
  }

  #scheduleConflictCheck (fields: Array<[string, string]>): void {
    for (const f of fields) this.#pendingConflictChecks.push(f)
    if (this.#pendingConflictChecks.length === 0 || this.#conflictCheckScheduled) return
    this.#conflictCheckScheduled = true
    // Not inside the 'change' event: writing from within it would re-enter the DocHandle.
    // In slices, so the full scan after opening a large graph never blocks the page for long.
    setTimeout(() => {
      this.#conflictCheckScheduled = false
      if (this.#closed) return
      const slice = this.#pendingConflictChecks.splice(0, CONFLICT_CHECK_SLICE)
      try {
        this.#surfaceConflicts(this.findConflicts(slice))
      } catch (err) {
        console.error('KnowledgeGraph conflict detection failed', err)
      }
      if (this.#pendingConflictChecks.length > 0) this.#scheduleConflictCheck([])
    }, 0)
  }

  /**
   * Finds current Automerge conflicts on the given (entity id, field) pairs; field `*` checks
   * the entity key itself and every conflict-prone field. Conflict entities are not checked
   * (their concurrent creation by several peers is expected and harmless).
   */
  findConflicts (fields: ReadonlyArray<readonly [string, string]>): FieldConflict[] {
    const doc = this.handle.doc()
    const found = new Map<string, FieldConflict>()
    const seen = new Set<string>()
    const check = (id: string, field: ConflictField): void => {
      const key = `${id}\n${field}`
      if (seen.has(key)) return
      seen.add(key)
      const shard = doc.e?.[shardOf(id)]
      const stored = shard?.[id]
      if (shard === undefined || stored === undefined) return
      if (plain(stored.kind) === 'conflict') return
      let conflict: FieldConflict | undefined
      if (field === '*') {
        const raw = Automerge.getConflicts(shard, id) as Record<string, unknown> | undefined
        conflict = toFieldConflict(id, '*', raw, v => {
          const p = plain(v)
          // Who wrote each copy and when differs by nature; compare and report the content.
          if (typeof p === 'object' && p !== null) {
            const { agentId: _a, peerId: _p, createdAt: _c, updatedAt: _u, ...content } = p as Record<string, unknown>
            return toJsonValue(content)
          }
          return toJsonValue(p)
        })
      } else {
        conflict = toFieldConflict(id, field, Automerge.getConflicts(stored, field) as Record<string, unknown> | undefined, toJsonValue)
      }
      if (conflict !== undefined) found.set(key, conflict)
    }
    for (const [id, field] of fields) {
      if (field === '*') {
        check(id, '*')
        for (const f of CONFLICT_FIELDS) check(id, f)
      } else if ((CONFLICT_FIELDS as readonly string[]).includes(field)) {
        check(id, field as ConflictField)
      }
    }
    return [...found.values()]
  }

  #surfaceConflicts (conflicts: FieldConflict[]): void {
    if (conflicts.length === 0) return
    const { entities } = this.#sync()
    const writes: Write[] = []
    const now = this.#now()
    for (const conflict of conflicts) {
      const entity = buildConflictEntity(conflict, this.actor.peerId, now)
      if (entities.has(entity.id)) continue // already surfaced (here or by a peer)
      validateEntity(entity)
      const edge: Edge = {
        id: edgeId(entity.id, 'about', conflict.entityId),
        from: entity.id,
        type: 'about',
        to: conflict.entityId,
        provenance: { agentId: entity.provenance.agentId, peerId: this.actor.peerId, createdAt: now }
      }
      writes.push(...writeNewEntity(entity), writeEdge(edge))
    }
    // Conflict entities are written as a remote-looking change so listeners learn about them.
    if (writes.length > 0) this.handle.change(doc => { applyWrites(doc, writes) })
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

  /** The whole document as Automerge binary (includes history). */
  exportBinary (): Uint8Array {
    return Automerge.save(this.handle.doc())
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
    this.#commit(writes)
    return report
  }

  /**
   * Merges an Automerge binary export. It must be a graph document (it shares our genesis,
   * so its history merges cleanly) and every entry in it must validate; otherwise nothing
   * is merged. Its history is merged as is.
   */
  importBinary (bytes: Uint8Array): ImportReport {
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new GraphValidationError('binary', 'must be non-empty bytes')
    let loaded: Automerge.Doc<GraphDoc>
    try {
      loaded = Automerge.load<GraphDoc>(bytes)
    } catch (err) {
      throw new GraphValidationError('binary', `is not an Automerge document (${err instanceof Error ? err.message : String(err)})`)
    }
    if (!Automerge.hasHeads(loaded, [genesis().hash])) {
      throw new GraphValidationError('binary', 'is not a Meshwork graph document (genesis change missing)')
    }
    const incoming = new GraphIndex().sync(loaded)
    const [firstInvalid] = incoming.invalid
    if (firstInvalid !== undefined) {
      const [where, error] = firstInvalid
      throw error.under(`binary[${JSON.stringify(where)}]`)
    }
    const before = this.#sync()
    const entitiesBefore = new Set(before.entities.keys())
    const edgesBefore = new Set(before.edges.keys())
    this.handle.update(doc => Automerge.merge(doc, loaded))
    const after = this.#sync()
    const report: ImportReport = { added: 0, merged: 0, unchanged: 0, edgesAdded: 0, divergent: [] }
    for (const id of incoming.entities.keys()) {
      if (!entitiesBefore.has(id)) report.added++
      else report.merged++
    }
    for (const id of after.edges.keys()) if (!edgesBefore.has(id)) report.edgesAdded++
    return report
  }
}
