/**
 * GraphIndex: plain, validated views of a graph document (entities, edges, adjacency),
 * maintained incrementally from Automerge patches so reads never walk the whole document.
 *
 * Whatever fails validation (written by a buggy or hostile peer, or found in an import) is
 * kept out of the views and listed in `invalid`, keyed by where it sits in the document.
 */
import { Automerge, type Patch } from '@automerge/automerge-repo/slim'
import {
  SHARD_COUNT,
  SHARD_KEYS,
  assembleEntity,
  entryOwner,
  loadAttestationEntry,
  loadEdge,
  loadEntityCore,
  loadMessageEntry,
  shardIn,
  shardKeysOf,
  type AttestationList,
  type GraphDoc
} from './layout.ts'
import { GraphValidationError, type Attestation, type Edge, type Entity, type ThreadMessage } from './schema.ts'

export interface Touched {
  /** entity id -> shards it was touched in (normally just its own) */
  entities: Map<string, Set<string>>
  /** edge id -> shards */
  edges: Map<string, Set<string>>
  /** attestation entry key -> shard */
  attestations: Map<string, string>
  /** message entry key -> shard */
  messages: Map<string, string>
  /** A patch replaced something above shard level: re-read everything. */
  all: boolean
  /** (entity id, top-level field or `*` for the whole entity) pairs, for conflict checks. */
  fields: Array<[string, string]>
  /**
   * The subset of `fields` whose patch says the value is now conflicted (a `put` with
   * `conflict: true`, or a `conflict` patch when the winning value did not change).
   */
  conflicted: Array<[string, string]>
}

const noneTouched = (): Touched => ({ entities: new Map(), edges: new Map(), attestations: new Map(), messages: new Map(), all: false, fields: [], conflicted: [] })

function add (map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key)
  if (set === undefined) map.set(key, set = new Set())
  set.add(value)
}

/** What a list of patches touched. */
export function touched (patches: readonly Patch[]): Touched {
  const t = noneTouched()
  for (const patch of patches) {
    const [root, shard, key, field] = patch.path
    if (root === undefined) { t.all = true; continue }
    if (root !== 'e' && root !== 'r' && root !== 'a' && root !== 'm') continue
    if (typeof shard !== 'string' || typeof key !== 'string') { t.all = true; continue }
    switch (root) {
      case 'e': {
        add(t.entities, key, shard)
        const pair: [string, string] = [key, typeof field === 'string' ? field : '*']
        t.fields.push(pair)
        if (patch.action === 'conflict' || (patch.action === 'put' && patch.conflict === true)) t.conflicted.push(pair)
        break
      }
      case 'r': add(t.edges, key, shard); break
      case 'a': t.attestations.set(key, shard); break
      case 'm': t.messages.set(key, shard); break
    }
  }
  return t
}

interface AttestationRecord { list: AttestationList, attestation: Attestation }

export class GraphIndex {
  readonly entities = new Map<string, Entity>()
  readonly edges = new Map<string, Edge>()
  /** entity id -> ids of edges starting or ending there */
  readonly adjacency = new Map<string, Set<string>>()
  /** document location (`e/<shard>/<id>`, `r/...`, `a/...`, `m/...`) -> why it is invalid */
  readonly invalid = new Map<string, GraphValidationError>()
  readonly #attestations = new Map<string, Map<string, AttestationRecord>>()
  readonly #shards: number
  readonly #shardKeys: readonly string[]
  readonly #messages = new Map<string, Map<string, ThreadMessage>>()
  #heads: string[] | undefined

  /**
   * `shards`: the shard count of the document's layout (layout.ts); an earlier layout's, to read a
   * document stored by an earlier version (migrate.ts).
   */
  constructor (shards = SHARD_COUNT) {
    this.#shards = shards
    this.#shardKeys = shards === SHARD_COUNT ? SHARD_KEYS : shardKeysOf(shards)
  }

  #shardOf (id: string): string {
    return shardIn(id, this.#shards)
  }

  /** The heads of the document the views show, once built. */
  get heads (): readonly string[] | undefined {
    return this.#heads
  }

  /** Brings the views up to date with `doc`, using a diff from the last indexed heads. */
  sync (doc: Automerge.Doc<GraphDoc>): this {
    const heads = Automerge.getHeads(doc)
    const last = this.#heads
    if (last !== undefined && sameHeads(last, heads)) return this
    if (last === undefined) {
      this.rebuild(doc)
    } else {
      this.apply(doc, touched(Automerge.diff(doc, last, heads)))
    }
    this.#heads = heads
    return this
  }

  /**
   * Brings the views from `before` to `doc` with patches already computed for that step (a
   * DocHandle's change event carries them), instead of diffing the document a second time: on a
   * 10k-entity sync the diff is the largest single cost. Does nothing while the index has not
   * been built (the first read builds it) and falls back to a diff when the index is elsewhere.
   */
  advance (doc: Automerge.Doc<GraphDoc>, before: readonly string[], t: Touched): this {
    const last = this.#heads
    if (last === undefined) return this
    if (!sameHeads(last, before)) return this.sync(doc)
    this.apply(doc, t)
    this.#heads = Automerge.getHeads(doc)
    return this
  }

  // Replica updates: an index that mirrors a document held elsewhere (remote-graph-store.ts)
  // is maintained entry by entry from validated entities and edges instead of from patches.

  putEntity (entity: Entity): void {
    this.entities.set(entity.id, entity)
  }

  removeEntity (id: string): void {
    this.entities.delete(id)
  }

  putEdge (edge: Edge): void {
    this.removeEdge(edge.id)
    this.edges.set(edge.id, edge)
    for (const end of [edge.from, edge.to]) {
      let set = this.adjacency.get(end)
      if (set === undefined) this.adjacency.set(end, set = new Set())
      set.add(edge.id)
    }
  }

  removeEdge (id: string): void {
    const old = this.edges.get(id)
    if (old === undefined) return
    this.adjacency.get(old.from)?.delete(id)
    this.adjacency.get(old.to)?.delete(id)
    this.edges.delete(id)
  }

  rebuild (doc: GraphDoc): void {
    this.entities.clear()
    this.edges.clear()
    this.adjacency.clear()
    this.invalid.clear()
    this.#attestations.clear()
    this.#messages.clear()
    const t = noneTouched()
    for (const shard of this.#shardKeys) {
      for (const id of Object.keys(doc.e?.[shard] ?? {})) add(t.entities, id, shard)
      for (const id of Object.keys(doc.r?.[shard] ?? {})) add(t.edges, id, shard)
      for (const key of Object.keys(doc.a?.[shard] ?? {})) t.attestations.set(key, shard)
      for (const key of Object.keys(doc.m?.[shard] ?? {})) t.messages.set(key, shard)
    }
    this.apply(doc, t)
  }

  /**
   * Rebuilds the views by reading all of `doc` (every entry validated, as always) and records its
   * heads. For a document that arrived whole (a loaded snapshot) this costs a fraction of diffing
   * its history into patches.
   */
  reset (doc: Automerge.Doc<GraphDoc>): void {
    this.rebuild(doc)
    this.#heads = Automerge.getHeads(doc)
  }

  apply (doc: GraphDoc, t: Touched): void {
    if (t.all) { this.rebuild(doc); return }
    const owners = new Map(t.entities)
    for (const [key, shard] of t.attestations) {
      const owner = this.#reindexAttestation(doc, shard, key)
      if (owner !== undefined) add(owners, owner, this.#shardOf(owner))
    }
    for (const [key, shard] of t.messages) {
      const owner = this.#reindexMessage(doc, shard, key)
      if (owner !== undefined) add(owners, owner, this.#shardOf(owner))
    }
    for (const [id, shards] of owners) for (const shard of shards) this.#reindexEntity(doc, shard, id)
    for (const [id, shards] of t.edges) for (const shard of shards) this.#reindexEdge(doc, shard, id)
  }

  /** Returns the owning entity id if the entry sits in its owner's shard. */
  #reindexAttestation (doc: GraphDoc, shard: string, key: string): string | undefined {
    const owner = entryOwner(key)
    const where = `a/${shard}/${key}`
    this.invalid.delete(where)
    this.#attestations.get(owner)?.delete(key)
    const stored = doc.a?.[shard]?.[key]
    if (stored === undefined) return owner
    try {
      if (this.#shardOf(owner) !== shard) throw new GraphValidationError('key', `belongs in shard ${this.#shardOf(owner)}, not ${shard}`)
      const { list, attestation } = loadAttestationEntry(key, stored)
      let map = this.#attestations.get(owner)
      if (map === undefined) this.#attestations.set(owner, map = new Map())
      map.set(key, { list, attestation })
    } catch (err) {
      this.invalid.set(where, asValidationError(err))
    }
    return owner
  }

  #reindexMessage (doc: GraphDoc, shard: string, key: string): string | undefined {
    const owner = entryOwner(key)
    const where = `m/${shard}/${key}`
    this.invalid.delete(where)
    this.#messages.get(owner)?.delete(key)
    const stored = doc.m?.[shard]?.[key]
    if (stored === undefined) return owner
    try {
      if (this.#shardOf(owner) !== shard) throw new GraphValidationError('key', `belongs in shard ${this.#shardOf(owner)}, not ${shard}`)
      const { message } = loadMessageEntry(key, stored)
      let map = this.#messages.get(owner)
      if (map === undefined) this.#messages.set(owner, map = new Map())
      map.set(key, message)
    } catch (err) {
      this.invalid.set(where, asValidationError(err))
    }
    return owner
  }

  /**
   * Re-reads entity `id` from `shard`. Only the entry in the id's own shard can be a valid
   * entity; an entry anywhere else is quarantined.
   */
  #reindexEntity (doc: GraphDoc, shard: string, id: string): void {
    const home = this.#shardOf(id)
    const where = `e/${shard}/${id}`
    if (shard === home) this.entities.delete(id)
    this.invalid.delete(where)
    const stored = doc.e?.[shard]?.[id]
    if (stored === undefined) return
    try {
      if (shard !== home) throw new GraphValidationError('id', `is stored in shard ${shard} but belongs in shard ${home}`)
      const core = loadEntityCore(stored)
      const verifiedBy: Attestation[] = []
      const disputedBy: Attestation[] = []
      for (const { list, attestation } of this.#attestations.get(id)?.values() ?? []) {
        (list === 'verifiedBy' ? verifiedBy : disputedBy).push(attestation)
      }
      const entity = assembleEntity(core, verifiedBy, disputedBy, [...(this.#messages.get(id)?.values() ?? [])])
      if (entity.id !== id) throw new GraphValidationError('id', `does not match its key ${JSON.stringify(id)}`)
      this.entities.set(id, entity)
    } catch (err) {
      this.invalid.set(where, asValidationError(err))
    }
  }

  #reindexEdge (doc: GraphDoc, shard: string, id: string): void {
    const where = `r/${shard}/${id}`
    this.invalid.delete(where)
    const old = this.edges.get(id)
    if (old !== undefined && this.#shardOf(old.from) === shard) {
      this.adjacency.get(old.from)?.delete(id)
      this.adjacency.get(old.to)?.delete(id)
      this.edges.delete(id)
    }
    const stored = doc.r?.[shard]?.[id]
    if (stored === undefined) return
    try {
      const edge = loadEdge(stored)
      if (edge.id !== id) throw new GraphValidationError('id', `does not match its key ${JSON.stringify(id)}`)
      if (this.#shardOf(edge.from) !== shard) throw new GraphValidationError('from', `edge belongs in shard ${this.#shardOf(edge.from)}, not ${shard}`)
      this.edges.set(id, edge)
      for (const end of [edge.from, edge.to]) {
        let set = this.adjacency.get(end)
        if (set === undefined) this.adjacency.set(end, set = new Set())
        set.add(id)
      }
    } catch (err) {
      this.invalid.set(where, asValidationError(err))
    }
  }
}

export function sameHeads (a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((h, i) => h === b[i])
}

function asValidationError (err: unknown): GraphValidationError {
  return err instanceof GraphValidationError ? err : new GraphValidationError('', err instanceof Error ? err.message : String(err))
}
