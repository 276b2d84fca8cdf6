/**
 * Where a KnowledgeGraph's document lives.
 *
 * A KnowledgeGraph validates and plans every operation against its index (plain, validated
 * views of the document, graph-index.ts) and hands the resulting document writes to its store.
 * Two stores exist:
 * - {@link DocGraphStore}: the Automerge document is here, in a DocHandle (Node, tests, and the
 *   graph worker). It keeps the index in step with the handle's patches and turns concurrent
 *   writes into conflict entities.
 * - RemoteGraphStore (remote-graph-store.ts): the document lives in a worker; the store keeps a
 *   replica of the index fed by deltas from the worker, so reads stay synchronous and the page's
 *   main thread never runs Automerge.
 */
import { Automerge, type DocHandle, type DocHandleChangePayload } from '@automerge/automerge-repo/slim'
import { applyWrites, writeEdge, writeNewEntity, type GraphActor, type Write } from './batch-planner.ts'
import { CONFLICT_FIELDS, buildConflictEntity, toFieldConflict, type ConflictField, type FieldConflict } from './conflicts.ts'
import type { ImportReport } from './graph-export.ts'
import { GraphIndex, sameHeads, touched } from './graph-index.ts'
import { edgeId, genesis, plain, shardOf, storedFields, type GraphDoc } from './layout.ts'
import { GraphValidationError, validateEntity, type Edge, type Entity, type JsonValue } from './schema.ts'

export interface GraphChange {
  /** Entities added, changed or removed (including attestation and message changes). */
  ids: string[]
  /** Edges added or changed. */
  edgeIds: string[]
  /** `local` if made through this graph instance, `remote` otherwise (sync, import, storage). */
  origin: 'local' | 'remote'
}

/** The entities and edges as a batch leaves them (the planner knows them before any write lands). */
export interface Overlay {
  entities: Entity[]
  edges: Edge[]
}

export interface GraphStore {
  /** The DocHandle, when the document lives here. */
  readonly handle?: DocHandle<GraphDoc>
  /** The index, up to date with everything this store knows. */
  index: () => GraphIndex
  /** Applies `writes` as one change. `overlay`: their result, for stores that show it before the document has it. */
  commit: (writes: Write[], overlay?: Overlay) => void
  /** The one listener for changes (the KnowledgeGraph fans out). */
  subscribe: (listener: (change: GraphChange) => void) => void
  exportBinary: () => Promise<Uint8Array>
  importBinary: (bytes: Uint8Array) => Promise<ImportReport>
  /**
   * Resolves once the document as it is when called (every earlier commit, and whatever sync had
   * brought) is in persistent storage; at once when there is none. Storage otherwise follows a
   * change within about 100 ms (automerge-repo's save throttle), so a page reloaded sooner may
   * come back without it.
   */
  flush: () => Promise<void>
  close: () => void
}

/** Entities (or fields) checked for conflicts per task: about 10 ms of work. */
const CONFLICT_CHECK_SLICE = 400

/** Ids of entities a patch set concerns: their own fields, attestations or messages. */
export function changedEntityIds (t: ReturnType<typeof touched>): string[] {
  const ids = new Set(t.entities.keys())
  for (const key of [...t.attestations.keys(), ...t.messages.keys()]) {
    const bar = key.indexOf('|')
    ids.add(bar === -1 ? key : key.slice(0, bar))
  }
  return [...ids]
}

function toJsonValue (value: unknown): JsonValue {
  const p = plain(value)
  return JSON.parse(JSON.stringify(p ?? null)) as JsonValue
}

export interface DocGraphStoreOptions {
  actor: GraphActor
  now: () => number
  /** Turn concurrent same-field writes into conflict entities (default true). */
  detectConflicts?: boolean
  /** Writes the document to storage now (the Repo's `flush`); omitted: nothing to write to. */
  persist?: () => Promise<void>
}

/** A store holding the Automerge document itself, in a ready DocHandle. */
export class DocGraphStore implements GraphStore {
  readonly handle: DocHandle<GraphDoc>
  readonly #actor: GraphActor
  readonly #now: () => number
  readonly #detectConflicts: boolean
  readonly #persist: (() => Promise<void>) | undefined
  readonly #index = new GraphIndex()
  #listener: ((change: GraphChange) => void) | undefined
  #inLocalChange = false
  /** The document adopt() is taking in: the index shows it before the DocHandle holds it. */
  #adopting: Automerge.Doc<GraphDoc> | undefined
  #pendingConflictChecks: Array<[string, string]> = []
  #conflictCheckScheduled = false
  #closed = false
  readonly #onHandleChange = (payload: DocHandleChangePayload<GraphDoc>): void => { if (!this.#closed) this.#onChange(payload) }

  constructor (handle: DocHandle<GraphDoc>, options: DocGraphStoreOptions) {
    if (!handle.isReady()) throw new Error('KnowledgeGraph needs a ready DocHandle (use openRoomGraph)')
    this.handle = handle
    this.#actor = options.actor
    this.#now = options.now
    this.#detectConflicts = options.detectConflicts ?? true
    this.#persist = options.persist
    handle.on('change', this.#onHandleChange)
    if (this.#detectConflicts) {
      // Conflicts may already sit in what we loaded from storage.
      this.#scheduleConflictCheck(this.#allFieldKeys())
    }
  }

  index (): GraphIndex {
    return this.#index.sync(this.#adopting ?? this.handle.doc())
  }

  subscribe (listener: (change: GraphChange) => void): void {
    this.#listener = listener
  }

  close (): void {
    this.#closed = true
    this.handle.off('change', this.#onHandleChange)
    this.#listener = undefined
  }

  commit (writes: Write[]): void {
    if (writes.length === 0) return
    this.#inLocalChange = true
    try {
      this.handle.change(doc => { applyWrites(doc, writes) })
    } finally {
      this.#inLocalChange = false
    }
  }

  /**
   * Replaces the document by `doc`, which must contain everything the handle holds (a loaded
   * snapshot our document was merged into). The index is rebuilt by reading `doc` (every entry
   * validated) and announced before the DocHandle takes the document, so the listener (the page)
   * never waits for the handle. The handle's patches for this change (the whole history) are not
   * read: a conflict scan in slices looks at every entity instead, and in the browser the handle
   * no longer diffs at all (scripts/patch-automerge-repo.ts; it was 0.2-0.25 s of a 10k-entity
   * catch-up). Returns where the time went, ms.
   *
   * `shown`: what the listener already shows beyond the index (a snapshot's preview,
   * snapshot-view.ts). Its entries are announced too (removed if the document lacks them), except
   * those the document holds exactly as shown.
   */
  adopt (merged: Automerge.Doc<unknown>, shown?: { entities: ReadonlyMap<string, Entity>, edges: ReadonlyMap<string, Edge> }): { indexMs: number, updateMs: number } {
    // Whatever shape it has, every entry is validated as it is indexed.
    const doc = merged as Automerge.Doc<GraphDoc>
    if (!Automerge.hasHeads(doc, Automerge.getHeads(this.handle.doc()))) throw new Error('adopt: the document does not contain the handle\'s')
    const t0 = performance.now()
    const { entities, edges } = this.index()
    // Whatever the index showed and the document no longer holds is announced as removed
    // (nothing, normally: merging only adds).
    const ids = new Set(entities.keys())
    const edgeIds = new Set(edges.keys())
    this.#adopting = doc
    try {
      this.#index.reset(doc)
      for (const id of this.#index.entities.keys()) ids.add(id)
      for (const id of this.#index.edges.keys()) edgeIds.add(id)
      if (shown !== undefined) {
        const same = (a: unknown, b: unknown): boolean => a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b)
        // The page shows the preview's value of these (it came after the index's): announce only the differences.
        for (const [id, e] of shown.entities) if (same(e, this.#index.entities.get(id))) ids.delete(id); else ids.add(id)
        for (const [id, e] of shown.edges) if (same(e, this.#index.edges.get(id))) edgeIds.delete(id); else edgeIds.add(id)
      }
      // One announcement: a page takes it in as one burst of deltas (one refresh of its views).
      this.#listener?.({ ids: [...ids], edgeIds: [...edgeIds], origin: 'remote' })
      const t1 = performance.now()
      this.handle.update(() => doc)
      return { indexMs: Math.round(t1 - t0), updateMs: Math.round(performance.now() - t1) }
    } finally {
      this.#adopting = undefined
      // Had the handle not taken the document (an exception), the index follows the handle again.
      const held = this.handle.doc()
      if (!sameHeads(this.#index.heads ?? [], Automerge.getHeads(held))) {
        this.#index.reset(held)
        for (const id of this.#index.entities.keys()) ids.add(id)
        for (const id of this.#index.edges.keys()) edgeIds.add(id)
        this.#listener?.({ ids: [...ids], edgeIds: [...edgeIds], origin: 'remote' })
      }
    }
  }

  async exportBinary (): Promise<Uint8Array> {
    return Automerge.save(this.handle.doc())
  }

  async flush (): Promise<void> {
    await this.#persist?.()
  }

  /**
   * Merges an Automerge binary export. It must be a graph document (it shares our genesis,
   * so its history merges cleanly) and every entry in it must validate; otherwise nothing
   * is merged. Its history is merged as is.
   */
  async importBinary (bytes: Uint8Array): Promise<ImportReport> {
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
    const before = this.index()
    const entitiesBefore = new Set(before.entities.keys())
    const edgesBefore = new Set(before.edges.keys())
    this.handle.update(doc => Automerge.merge(doc, loaded))
    const after = this.index()
    const report: ImportReport = { added: 0, merged: 0, unchanged: 0, edgesAdded: 0, divergent: [] }
    for (const id of incoming.entities.keys()) {
      if (!entitiesBefore.has(id)) report.added++
      else report.merged++
    }
    for (const id of after.edges.keys()) if (!edgesBefore.has(id)) report.edgesAdded++
    return report
  }

  #onChange (payload: DocHandleChangePayload<GraphDoc>): void {
    // adopt() built and announced the index for exactly this document already. Its patches (the
    // whole history) are not read: in the browser the DocHandle diffs only for a listener that reads
    // them (scripts/patch-automerge-repo.ts), and a scan in slices finds the history's conflicts.
    if (this.#adopting !== undefined && this.#index.heads !== undefined && sameHeads(this.#index.heads, Automerge.getHeads(payload.doc))) {
      if (this.#detectConflicts) this.#scheduleConflictCheck(this.#allFieldKeys())
      return
    }
    const t = touched(payload.patches)
    // Keep the index in step with the patches the DocHandle computed (no second diff).
    this.#index.advance(payload.doc, Automerge.getHeads(payload.patchInfo.before), t)
    if (this.#detectConflicts && !this.#inLocalChange) {
      // Automerge flags in the patch every property that a merge leaves conflicted, so only
      // those need a look (a 10k-entity sync has ~100k patches and no conflict at all).
      this.#scheduleConflictCheck(t.all ? this.#allFieldKeys() : t.conflicted)
    }
    const change: GraphChange = {
      ids: t.all ? [...this.index().entities.keys()] : changedEntityIds(t),
      edgeIds: [...t.edges.keys()],
      origin: this.#inLocalChange ? 'local' : 'remote'
    }
    if (change.ids.length === 0 && change.edgeIds.length === 0) return
    this.#listener?.(change)
  }

  // -------------------------------------------------------------------------------------------
  // Conflicts

  #allFieldKeys (): Array<[string, string]> {
    const out: Array<[string, string]> = []
    for (const id of this.index().entities.keys()) out.push([id, '*'])
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
      const kind = (() => { try { return storedFields(stored, 'entity').kind } catch { return undefined } })()
      if (kind === 'conflict') return
      let conflict: FieldConflict | undefined
      if (field === '*') {
        const raw = Automerge.getConflicts(shard, id) as Record<string, unknown> | undefined
        conflict = toFieldConflict(id, '*', raw, v => {
          // The list-like fields as JSON text, as they are stored on their own (and as readers of
          // conflict entities expect them; it also keeps the conflict entity's data shallow).
          let fields: Record<string, unknown>
          try {
            fields = storedFields(v, 'entity', { jsonText: true })
          } catch {
            return toJsonValue(plain(v))
          }
          // Who wrote each copy and when differs by nature; compare and report the content.
          const { agentId: _a, peerId: _p, createdAt: _c, updatedAt: _u, ...content } = fields
          return toJsonValue(content)
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
    const { entities } = this.index()
    const writes: Write[] = []
    const now = this.#now()
    for (const conflict of conflicts) {
      const entity = buildConflictEntity(conflict, this.#actor.peerId, now)
      if (entities.has(entity.id)) continue // already surfaced (here or by a peer)
      validateEntity(entity)
      const edge: Edge = {
        id: edgeId(entity.id, 'about', conflict.entityId),
        from: entity.id,
        type: 'about',
        to: conflict.entityId,
        provenance: { agentId: entity.provenance.agentId, peerId: this.#actor.peerId, createdAt: now }
      }
      writes.push(...writeNewEntity(entity), writeEdge(edge))
    }
    // Conflict entities are written as a remote-looking change so listeners learn about them.
    if (writes.length > 0) this.handle.change(doc => { applyWrites(doc, writes) })
  }
}
