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
import {
  Automerge,
  ImmutableString,
  type DocHandle,
  type DocHandleChangePayload,
  type Patch
} from '@automerge/automerge-repo/slim'
import {
  CONFLICT_FIELDS,
  buildConflictEntity,
  toFieldConflict,
  type ConflictField,
  type FieldConflict
} from './conflicts.ts'
import { randomToken } from './hash.ts'
import {
  SHARD_KEYS,
  edgeId,
  genesis,
  loadEdge,
  loadEntity,
  plain,
  shardOf,
  storeAttestation,
  storeData,
  storeEdge,
  storeEntity,
  storeMessage,
  storeTags,
  type GraphDoc,
  type StoredEdge,
  type StoredEntity
} from './layout.ts'
import {
  GraphValidationError,
  LIMITS,
  PATCH_KEYS,
  SCHEMA_VERSION,
  deriveStatus,
  validateActor,
  validateAttestation,
  validateEdge,
  validateEntity,
  validateId,
  validateNewEntity,
  validatePatch,
  validateRelationType,
  validateThreadMessage,
  type Attestation,
  type Edge,
  type Entity,
  type EntityKind,
  type EntityPatch,
  type EntityStatus,
  type JsonValue,
  type NewEntity,
  type RelationType,
  type ThreadMessage
} from './schema.ts'

/** The agent (and the node it runs on) on whose behalf this graph instance writes. */
export interface GraphActor {
  agentId: string
  peerId: string
}

export interface KnowledgeGraphOptions {
  actor: GraphActor
  /** Clock in epoch ms; injectable for tests. */
  now?: () => number
  /** Turn concurrent same-field writes into conflict entities (default true). */
  detectConflicts?: boolean
}

/** Who attests; defaults to the graph's actor and the current time. */
export interface AttestationInput {
  peerId?: string
  agentId?: string
  at?: number
  reason?: string
}

export type GraphOp =
  | { op: 'add', entity: NewEntity, id?: string }
  | { op: 'update', id: string, patch: EntityPatch }
  | { op: 'retract', id: string, reason?: string, by?: AttestationInput }
  | { op: 'relate', from: string, type: RelationType, to: string }
  | { op: 'unrelate', from: string, type: RelationType, to: string }
  | { op: 'verify', id: string, by?: AttestationInput }
  | { op: 'dispute', id: string, reason: string, by?: AttestationInput }
  | { op: 'post', threadId: string, text: string }

export interface GraphChange {
  /** Entities added, changed or removed. */
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

/** JSON export envelope; documented in docs/graph.md. */
export interface GraphExport {
  format: 'meshwork.graph'
  schemaVersion: number
  exportedAt: number
  entities: Entity[]
  edges: Edge[]
}

export interface ImportReport {
  added: number
  merged: number
  unchanged: number
  edgesAdded: number
  /** Fields where the import and the graph disagree; the graph's value was kept. */
  divergent: Array<{ id: string, field: string }>
}

export const EXPORT_FORMAT = 'meshwork.graph'
export const MAX_IMPORT_ITEMS = 100_000

type Write = (doc: GraphDoc) => void
type Listener = (change: GraphChange) => void

const ENTITY_ROOT = 'e'
const EDGE_ROOT = 'r'

function shardIn<T> (root: Record<string, Record<string, T>>, key: string): Record<string, T> {
  const shard = root[key]
  if (shard === undefined) throw new Error(`graph layout is damaged: shard ${key} is missing`)
  return shard
}

function sameHeads (a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (a === undefined || a.length !== b.length) return false
  return a.every((h, i) => h === b[i])
}

function toJsonValue (value: unknown): JsonValue {
  const p = plain(value)
  return JSON.parse(JSON.stringify(p ?? null)) as JsonValue
}

interface Touched {
  /** entity id -> shards it was touched in (normally exactly its own shard) */
  entities: Map<string, Set<string>>
  edges: Set<string>
  /** A patch replaced something above shard level: re-read everything. */
  all: boolean
  /** (entity id, top-level field or `*` for the whole entity) pairs, for conflict checks. */
  fields: Array<[string, string]>
}

function touched (patches: readonly Patch[]): Touched {
  const t: Touched = { entities: new Map(), edges: new Set(), all: false, fields: [] }
  for (const patch of patches) {
    const [root, shard, id, field] = patch.path
    if (root !== ENTITY_ROOT && root !== EDGE_ROOT) {
      if (root === undefined) t.all = true
      continue
    }
    if (typeof shard !== 'string' || typeof id !== 'string') { t.all = true; continue }
    if (root === ENTITY_ROOT) {
      let shards = t.entities.get(id)
      if (shards === undefined) t.entities.set(id, shards = new Set())
      shards.add(shard)
      t.fields.push([id, typeof field === 'string' ? field : '*'])
    } else {
      t.edges.add(id)
    }
  }
  return t
}

export class KnowledgeGraph {
  readonly handle: DocHandle<GraphDoc>
  readonly actor: GraphActor
  readonly #now: () => number
  readonly #detectConflicts: boolean

  #indexHeads: string[] | undefined
  readonly #entities = new Map<string, Entity>()
  readonly #invalid = new Map<string, GraphValidationError>()
  readonly #edges = new Map<string, Edge>()
  readonly #adjacency = new Map<string, Set<string>>()

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
    const change: GraphChange = {
      ids: t.all ? [...this.#sync().entities.keys()] : [...t.entities.keys()],
      edgeIds: [...t.edges],
      origin: this.#inLocalChange ? 'local' : 'remote'
    }
    if (this.#detectConflicts && !this.#inLocalChange) {
      this.#scheduleConflictCheck(t.all ? this.#allFieldKeys() : t.fields)
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

  #sync (): { entities: Map<string, Entity>, edges: Map<string, Edge> } {
    const doc = this.handle.doc()
    const heads = Automerge.getHeads(doc)
    if (sameHeads(this.#indexHeads, heads)) return { entities: this.#entities, edges: this.#edges }
    if (this.#indexHeads === undefined) {
      this.#rebuild(doc)
    } else {
      const t = touched(Automerge.diff(doc, this.#indexHeads, heads))
      if (t.all) {
        this.#rebuild(doc)
      } else {
        for (const [id, shards] of t.entities) for (const shard of shards) this.#reindexEntity(doc, shard, id)
        for (const id of t.edges) this.#reindexEdge(doc, id)
      }
    }
    this.#indexHeads = heads
    return { entities: this.#entities, edges: this.#edges }
  }

  #rebuild (doc: GraphDoc): void {
    this.#entities.clear()
    this.#invalid.clear()
    this.#edges.clear()
    this.#adjacency.clear()
    for (const key of SHARD_KEYS) {
      for (const id of Object.keys(doc.e?.[key] ?? {})) this.#reindexEntity(doc, key, id)
      for (const id of Object.keys(doc.r?.[key] ?? {})) this.#reindexEdge(doc, id)
    }
  }

  /**
   * Re-reads the entry `id` of entity shard `shard`. Only the entry in the id's own shard can
   * be a valid entity; an entry anywhere else was written by a buggy peer and is quarantined.
   */
  #reindexEntity (doc: GraphDoc, shard: string, id: string): void {
    const home = shardOf(id)
    const invalidKey = shard === home ? id : `${id} (in shard ${shard})`
    const stored: StoredEntity | undefined = doc.e?.[shard]?.[id]
    if (shard === home) this.#entities.delete(id)
    this.#invalid.delete(invalidKey)
    if (stored === undefined) return
    try {
      if (shard !== home) throw new GraphValidationError('id', `is stored in shard ${shard} but belongs in shard ${home}`)
      const entity = loadEntity(stored)
      if (entity.id !== id) throw new GraphValidationError('id', `does not match its key ${JSON.stringify(id)}`)
      this.#entities.set(id, entity)
    } catch (err) {
      this.#invalid.set(invalidKey, err instanceof GraphValidationError ? err : new GraphValidationError('', String(err)))
    }
  }

  #reindexEdge (doc: GraphDoc, id: string): void {
    const old = this.#edges.get(id)
    if (old !== undefined) {
      this.#adjacency.get(old.from)?.delete(id)
      this.#adjacency.get(old.to)?.delete(id)
      this.#edges.delete(id)
    }
    this.#invalid.delete(id)
    // Edges live in the shard of their `from` id, which we only know once we find them.
    let stored: StoredEdge | undefined
    for (const key of SHARD_KEYS) {
      stored = doc.r?.[key]?.[id]
      if (stored !== undefined) break
    }
    if (stored === undefined) return
    try {
      const edge = loadEdge(stored)
      if (edge.id !== id || edgeId(edge.from, edge.type, edge.to) !== id) {
        throw new GraphValidationError('id', 'does not match its endpoints and type')
      }
      this.#edges.set(id, edge)
      for (const end of [edge.from, edge.to]) {
        let set = this.#adjacency.get(end)
        if (set === undefined) this.#adjacency.set(end, set = new Set())
        set.add(id)
      }
    } catch (err) {
      this.#invalid.set(id, err instanceof GraphValidationError ? err : new GraphValidationError('', String(err)))
    }
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
    for (const eid of this.#adjacency.get(id) ?? []) {
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

  /** Entities and edges present in the document that failed validation (e.g. from a buggy peer). */
  invalid (): Array<{ id: string, error: GraphValidationError }> {
    this.#sync()
    return [...this.#invalid].map(([id, error]) => ({ id, error }))
  }

  get size (): number {
    return this.#sync().entities.size
  }

  // -------------------------------------------------------------------------------------------
  // Writes

  add (entity: NewEntity): string {
    return this.batch([{ op: 'add', entity }])[0] ?? ''
  }

  update (id: string, patch: EntityPatch): void {
    this.batch([{ op: 'update', id, patch }])
  }

  retract (id: string, reason?: string): void {
    this.batch([reason === undefined ? { op: 'retract', id } : { op: 'retract', id, reason }])
  }

  /** Relates two entities; idempotent (the edge id is derived from the triple). Returns the edge id. */
  relate (fromId: string, type: RelationType, toId: string): string {
    return this.batch([{ op: 'relate', from: fromId, type, to: toId }])[0] ?? ''
  }

  unrelate (fromId: string, type: RelationType, toId: string): void {
    this.batch([{ op: 'unrelate', from: fromId, type, to: toId }])
  }

  verify (id: string, by?: AttestationInput): void {
    this.batch([by === undefined ? { op: 'verify', id } : { op: 'verify', id, by }])
  }

  dispute (id: string, by: AttestationInput | undefined, reason: string): void {
    this.batch([by === undefined ? { op: 'dispute', id, reason } : { op: 'dispute', id, reason, by }])
  }

  openThread (title: string, text?: string, tags?: string[]): string {
    const entity: NewEntity = { kind: 'thread', title, text: text ?? title }
    if (tags !== undefined) entity.tags = tags
    return this.add(entity)
  }

  /** Appends a message to a thread; returns the message id. */
  post (threadId: string, message: string | { text: string }): string {
    const text = typeof message === 'string' ? message : message.text
    return this.batch([{ op: 'post', threadId, text }])[0] ?? ''
  }

  /**
   * Applies `ops` as one Automerge change. Every op is validated against the state the
   * previous ops leave behind; if any fails, nothing is written and the error (naming the op,
   * e.g. `ops[3].patch.confidence`) is thrown. Returns per op the entity, edge or message id.
   */
  batch (ops: readonly GraphOp[]): string[] {
    if (!Array.isArray(ops)) throw new GraphValidationError('ops', 'must be an array')
    const { entities, edges } = this.#sync()
    const plan = new Planner(entities, edges, this.actor, this.#now())
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
      this.handle.change(doc => { for (const write of writes) write(doc) })
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
    if (fields.length === 0) return
    for (const f of fields) this.#pendingConflictChecks.push(f)
    if (this.#conflictCheckScheduled) return
    this.#conflictCheckScheduled = true
    // Not inside the 'change' event: writing from within it would re-enter the DocHandle.
    setTimeout(() => {
      this.#conflictCheckScheduled = false
      const pending = this.#pendingConflictChecks
      this.#pendingConflictChecks = []
      if (this.#closed) return
      try {
        this.#surfaceConflicts(this.findConflicts(pending))
      } catch (err) {
        console.error('KnowledgeGraph conflict detection failed', err)
      }
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
          if (typeof p === 'object' && p !== null && 'provenance' in p) delete (p as { provenance?: unknown }).provenance
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
      if (entities.has(entity.id) || this.#invalid.has(entity.id)) continue // already surfaced (here or by a peer)
      validateEntity(entity)
      const edge: Edge = {
        id: edgeId(entity.id, 'about', conflict.entityId),
        from: entity.id,
        type: 'about',
        to: conflict.entityId,
        provenance: { agentId: entity.provenance.agentId, peerId: this.actor.peerId, createdAt: now }
      }
      writes.push(doc => {
        shardIn(doc.e, shardOf(entity.id))[entity.id] = storeEntity(entity)
        shardIn(doc.r, shardOf(edge.from))[edge.id] = storeEdge(edge)
      })
    }
    // Conflict entities are written as a remote-looking change so listeners learn about them.
    if (writes.length > 0) this.handle.change(doc => { for (const write of writes) write(doc) })
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
    return this.#mergeEntities(parsed.entities, parsed.edges)
  }

  /**
   * Merges an Automerge binary export. A graph document (same genesis) is merged as history;
   * every entity and edge in it is validated first. Anything else is rejected.
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
    let entityCount = 0
    for (const key of SHARD_KEYS) {
      for (const [id, stored] of Object.entries(loaded.e?.[key] ?? {})) {
        let entity: Entity
        try {
          entity = loadEntity(stored)
        } catch (err) {
          if (err instanceof GraphValidationError) throw err.under(`binary.entities[${JSON.stringify(id)}]`)
          throw err
        }
        if (entity.id !== id || shardOf(id) !== key) throw new GraphValidationError(`binary.entities[${JSON.stringify(id)}].id`, 'does not match its key or shard')
        entityCount++
      }
      for (const [id, stored] of Object.entries(loaded.r?.[key] ?? {})) {
        let edge: Edge
        try {
          edge = loadEdge(stored)
        } catch (err) {
          if (err instanceof GraphValidationError) throw err.under(`binary.edges[${JSON.stringify(id)}]`)
          throw err
        }
        if (edge.id !== id || edgeId(edge.from, edge.type, edge.to) !== id) throw new GraphValidationError(`binary.edges[${JSON.stringify(id)}].id`, 'does not match its endpoints and type')
      }
    }
    const before = this.#sync()
    const entitiesBefore = new Set(before.entities.keys())
    const edgesBefore = new Set(before.edges.keys())
    this.handle.update(doc => Automerge.merge(doc, loaded))
    const after = this.#sync()
    let added = 0
    for (const id of after.entities.keys()) if (!entitiesBefore.has(id)) added++
    let edgesAdded = 0
    for (const id of after.edges.keys()) if (!edgesBefore.has(id)) edgesAdded++
    return { added, merged: entityCount - added, unchanged: 0, edgesAdded, divergent: [] }
  }

  #mergeEntities (incoming: Entity[], incomingEdges: Edge[]): ImportReport {
    const { entities, edges } = this.#sync()
    const report: ImportReport = { added: 0, merged: 0, unchanged: 0, edgesAdded: 0, divergent: [] }
    const writes: Write[] = []
    const known = new Set([...entities.keys(), ...incoming.map(e => e.id)])
    incomingEdges.forEach((edge, i) => {
      for (const end of ['from', 'to'] as const) {
        if (!known.has(edge[end])) throw new GraphValidationError(`edges[${i}].${end}`, `refers to unknown entity ${JSON.stringify(edge[end])}`)
      }
    })
    for (const entity of incoming) {
      const existing = entities.get(entity.id)
      if (existing === undefined) {
        report.added++
        writes.push(doc => { shardIn(doc.e, shardOf(entity.id))[entity.id] = storeEntity(entity) })
        continue
      }
      const merged = mergeEntity(existing, entity)
      for (const field of merged.divergent) report.divergent.push({ id: entity.id, field })
      if (merged.writes.length === 0) { report.unchanged++; continue }
      report.merged++
      const id = entity.id
      writes.push(doc => {
        const stored = shardIn(doc.e, shardOf(id))[id]
        if (stored === undefined) return
        for (const write of merged.writes) write(stored)
      })
    }
    for (const edge of incomingEdges) {
      const existing = edges.get(edge.id)
      if (existing !== undefined && (existing.retracted ?? false) === (edge.retracted ?? false)) continue
      if (existing !== undefined) continue // differing retraction: keep ours
      report.edgesAdded++
      writes.push(doc => { shardIn(doc.r, shardOf(edge.from))[edge.id] = storeEdge(edge) })
    }
    this.#commit(writes)
    return report
  }
}


// ---------------------------------------------------------------------------------------------
// Planning a batch: validate each op against an overlay of the current state, collect writes

class Planner {
  readonly writes: Write[] = []
  readonly #entities: Map<string, Entity>
  readonly #edges: Map<string, Edge>
  readonly #overlay = new Map<string, Entity>()
  readonly #edgeOverlay = new Map<string, Edge>()
  readonly #actor: GraphActor
  readonly #now: number

  constructor (entities: Map<string, Entity>, edges: Map<string, Edge>, actor: GraphActor, now: number) {
    this.#entities = entities
    this.#edges = edges
    this.#actor = actor
    this.#now = now
  }

  #get (id: unknown, field: string): Entity {
    const key = validateId(id, field)
    const entity = this.#overlay.get(key) ?? this.#entities.get(key)
    if (entity === undefined) throw new GraphValidationError(field, `no entity with id ${JSON.stringify(key)}`)
    return entity
  }

  #getEdge (id: string): Edge | undefined {
    return this.#edgeOverlay.get(id) ?? this.#edges.get(id)
  }

  #attestation (by: AttestationInput | undefined, reason: string | undefined, field: string): Attestation {
    const raw: Record<string, unknown> = {
      peerId: by?.peerId ?? this.#actor.peerId,
      agentId: by?.agentId ?? this.#actor.agentId,
      at: by?.at ?? this.#now
    }
    const why = reason ?? by?.reason
    if (why !== undefined) raw.reason = why
    return validateAttestation(raw, field)
  }

  apply (op: GraphOp): string {
    if (typeof op !== 'object' || op === null) throw new GraphValidationError('', 'must be an op object')
    switch (op.op) {
      case 'add': return this.#add(op.entity, op.id)
      case 'update': return this.#update(op.id, op.patch)
      case 'retract': return this.#retract(op.id, op.reason, op.by)
      case 'relate': return this.#relate(op.from, op.type, op.to, false)
      case 'unrelate': return this.#relate(op.from, op.type, op.to, true)
      case 'verify': return this.#attest(op.id, op.by, undefined, 'verifiedBy')
      case 'dispute': {
        if (typeof op.reason !== 'string' || op.reason.length === 0) throw new GraphValidationError('reason', 'a dispute needs a reason')
        return this.#attest(op.id, op.by, op.reason, 'disputedBy')
      }
      case 'post': return this.#post(op.threadId, op.text)
      default: throw new GraphValidationError('op', `unknown op ${JSON.stringify((op as { op?: unknown }).op)}`)
    }
  }

  #add (input: NewEntity, requestedId: string | undefined): string {
    const fields = validateNewEntity(input, 'entity')
    const id = requestedId === undefined ? `${fields.kind}:${randomToken(16)}` : validateId(requestedId, 'id')
    if (this.#overlay.has(id) || this.#entities.has(id)) throw new GraphValidationError('id', `an entity with id ${JSON.stringify(id)} already exists`)
    const entity = validateEntity({
      ...fields,
      id,
      provenance: { agentId: this.#actor.agentId, peerId: this.#actor.peerId, createdAt: this.#now, updatedAt: this.#now },
      confidence: fields.confidence ?? 0.5,
      status: 'proposed',
      verifiedBy: [],
      disputedBy: [],
      ...(fields.kind === 'thread' ? { messages: [] } : {})
    }, 'entity')
    this.#overlay.set(id, entity)
    this.writes.push(doc => { shardIn(doc.e, shardOf(id))[id] = storeEntity(entity) })
    return id
  }

  #update (id: string, rawPatch: EntityPatch): string {
    const current = this.#get(id, 'id')
    if (current.status === 'retracted') throw new GraphValidationError('id', `entity ${JSON.stringify(id)} is retracted`)
    const patch = validatePatch(rawPatch, 'patch')
    const next = validateEntity({
      ...current,
      ...patch,
      provenance: { ...current.provenance, updatedAt: Math.max(this.#now, current.provenance.updatedAt) }
    })
    this.#overlay.set(current.id, next)
    const key = current.id
    this.writes.push(doc => {
      const stored = shardIn(doc.e, shardOf(key))[key]
      if (stored === undefined) return
      for (const field of PATCH_KEYS) {
        const value = patch[field]
        if (value === undefined) continue
        switch (field) {
          case 'confidence': stored.confidence = value as number; break
          case 'tags': stored.tags = storeTags(value as string[]); break
          case 'data': stored.data = storeData(next.data ?? {}); break
          default: stored[field] = new ImmutableString(value as string)
        }
      }
      stored.provenance.updatedAt = next.provenance.updatedAt
    })
    return key
  }

  #retract (id: string, reason: string | undefined, by: AttestationInput | undefined): string {
    const current = this.#get(id, 'id')
    if (current.status === 'retracted') return current.id
    const retraction = this.#attestation(by, reason, 'retraction')
    const next = validateEntity({ ...current, status: 'retracted', retraction })
    this.#overlay.set(current.id, next)
    const key = current.id
    this.writes.push(doc => {
      const stored = shardIn(doc.e, shardOf(key))[key]
      if (stored === undefined) return
      stored.retraction = storeAttestation(retraction)
      stored.status = new ImmutableString('retracted')
    })
    return key
  }

  #attest (id: string, by: AttestationInput | undefined, reason: string | undefined, list: 'verifiedBy' | 'disputedBy'): string {
    const current = this.#get(id, 'id')
    if (current.status === 'retracted') throw new GraphValidationError('id', `entity ${JSON.stringify(id)} is retracted`)
    const attestation = this.#attestation(by, reason, 'by')
    const nextList = [...current[list], attestation]
    if (nextList.length > LIMITS.attestations) throw new GraphValidationError(list, `already has ${LIMITS.attestations} attestations`)
    const withList = { ...current, [list]: nextList }
    const status = deriveStatus(withList)
    const next = validateEntity({ ...withList, status })
    this.#overlay.set(current.id, next)
    const key = current.id
    const statusChanged = status !== current.status
    this.writes.push(doc => {
      const stored = shardIn(doc.e, shardOf(key))[key]
      if (stored === undefined) return
      stored[list].push(storeAttestation(attestation))
      if (statusChanged) stored.status = new ImmutableString(status)
    })
    return key
  }

  #relate (from: string, type: RelationType, to: string, remove: boolean): string {
    this.#get(from, 'from')
    this.#get(to, 'to')
    const relation = validateRelationType(type, 'type')
    const id = edgeId(from, relation, to)
    const existing = this.#getEdge(id)
    if (remove) {
      if (existing === undefined || existing.retracted === true) return id
      this.#edgeOverlay.set(id, { ...existing, retracted: true })
      this.writes.push(doc => {
        const stored = shardIn(doc.r, shardOf(from))[id]
        if (stored !== undefined) stored.retracted = true
      })
      return id
    }
    if (existing !== undefined && existing.retracted !== true) return id
    if (existing !== undefined) {
      this.#edgeOverlay.set(id, { ...existing, retracted: false })
      this.writes.push(doc => {
        const stored = shardIn(doc.r, shardOf(from))[id]
        if (stored !== undefined) delete stored.retracted
      })
      return id
    }
    const edge = validateEdge({
      id, from, type: relation, to,
      provenance: { agentId: this.#actor.agentId, peerId: this.#actor.peerId, createdAt: this.#now }
    }, 'edge')
    this.#edgeOverlay.set(id, edge)
    this.writes.push(doc => { shardIn(doc.r, shardOf(from))[id] = storeEdge(edge) })
    return id
  }

  #post (threadId: string, text: string): string {
    const thread = this.#get(threadId, 'threadId')
    if (thread.kind !== 'thread') throw new GraphValidationError('threadId', `${JSON.stringify(threadId)} is a ${thread.kind}, not a thread`)
    if (thread.status === 'retracted') throw new GraphValidationError('threadId', `thread ${JSON.stringify(threadId)} is retracted`)
    const messages = thread.messages ?? []
    if (messages.length >= LIMITS.messages) throw new GraphValidationError('threadId', `thread already has ${LIMITS.messages} messages`)
    const message: ThreadMessage = validateThreadMessage({
      id: `msg:${randomToken(16)}`,
      agentId: this.#actor.agentId,
      peerId: this.#actor.peerId,
      text,
      at: this.#now
    }, 'message')
    this.#overlay.set(thread.id, { ...thread, messages: [...messages, message] })
    const key = thread.id
    this.writes.push(doc => {
      const stored = shardIn(doc.e, shardOf(key))[key]
      if (stored === undefined) return
      if (stored.messages === undefined) stored.messages = []
      stored.messages.push(storeMessage(message))
    })
    return message.id
  }
}


// ---------------------------------------------------------------------------------------------
// Import helpers (pure)

function attestationKey (a: Attestation): string {
  return `${a.peerId}\n${a.agentId ?? ''}\n${a.at}`
}

type StoredWrite = (stored: StoredEntity) => void

/** What merging `incoming` into `existing` would write, and which scalar fields disagree. */
export function mergeEntity (existing: Entity, incoming: Entity): { writes: StoredWrite[], divergent: string[] } {
  const writes: StoredWrite[] = []
  const divergent: string[] = []
  const lists = { verifiedBy: existing.verifiedBy, disputedBy: existing.disputedBy }
  for (const list of ['verifiedBy', 'disputedBy'] as const) {
    const have = new Set(existing[list].map(attestationKey))
    const missing = incoming[list].filter(a => !have.has(attestationKey(a)))
    if (missing.length > 0 && existing[list].length + missing.length <= LIMITS.attestations) {
      lists[list] = [...existing[list], ...missing]
      writes.push(stored => { for (const a of missing) stored[list].push(storeAttestation(a)) })
    }
  }
  // New attestations may change the status (see deriveStatus); a retraction stays final.
  const status = existing.retraction === undefined ? deriveStatus(lists) : existing.status
  if (status !== existing.status) writes.push(stored => { stored.status = new ImmutableString(status) })
  if (incoming.tags !== undefined) {
    const have = new Set(existing.tags ?? [])
    const missing = incoming.tags.filter(t => !have.has(t))
    if (missing.length > 0 && have.size + missing.length <= LIMITS.tags) {
      const union = [...(existing.tags ?? []), ...missing]
      writes.push(stored => { stored.tags = storeTags(union) })
    }
  }
  if (existing.kind === 'thread' && incoming.messages !== undefined) {
    const have = new Set((existing.messages ?? []).map(m => m.id))
    const missing = incoming.messages.filter(m => !have.has(m.id))
    if (missing.length > 0 && have.size + missing.length <= LIMITS.messages) {
      writes.push(stored => {
        if (stored.messages === undefined) stored.messages = []
        for (const m of missing) stored.messages.push(storeMessage(m))
      })
    }
  }
  for (const field of ['kind', 'title', 'text', 'confidence', 'taskId'] as const) {
    if (existing[field] !== incoming[field]) divergent.push(field)
  }
  if (status !== incoming.status) divergent.push('status')
  if (JSON.stringify(existing.data ?? null) !== JSON.stringify(incoming.data ?? null)) divergent.push('data')
  return { writes, divergent }
}

/** Validates a JSON export envelope and every entity and edge in it. */
export function parseExport (input: unknown): { entities: Entity[], edges: Edge[] } {
  let value = input
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown
    } catch {
      throw new GraphValidationError('json', 'is not valid JSON text')
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new GraphValidationError('export', 'must be an object')
  const r = value as Record<string, unknown>
  if (r.format !== EXPORT_FORMAT) throw new GraphValidationError('format', `must be ${JSON.stringify(EXPORT_FORMAT)}, got ${JSON.stringify(r.format) ?? 'nothing'}`)
  if (r.schemaVersion !== SCHEMA_VERSION) throw new GraphValidationError('schemaVersion', `must be ${SCHEMA_VERSION}, got ${JSON.stringify(r.schemaVersion) ?? 'nothing'}`)
  if (!Array.isArray(r.entities)) throw new GraphValidationError('entities', 'must be an array')
  if (!Array.isArray(r.edges)) throw new GraphValidationError('edges', 'must be an array')
  if (r.entities.length + r.edges.length > MAX_IMPORT_ITEMS) throw new GraphValidationError('entities', `an import holds at most ${MAX_IMPORT_ITEMS} entities and edges`)
  const ids = new Set<string>()
  const entities = r.entities.map((e: unknown, i: number) => {
    const entity = validateEntity(e, `entities[${i}]`)
    if (ids.has(entity.id)) throw new GraphValidationError(`entities[${i}].id`, `duplicate id ${JSON.stringify(entity.id)}`)
    ids.add(entity.id)
    return entity
  })
  const edges = r.edges.map((e: unknown, i: number) => {
    const edge = validateEdge(e, `edges[${i}]`)
    if (edge.id !== edgeId(edge.from, edge.type, edge.to)) throw new GraphValidationError(`edges[${i}].id`, 'does not match its endpoints and type')
    return edge
  })
  return { entities, edges }
}
