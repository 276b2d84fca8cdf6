/**
 * EntityCatalog: the graph explorer's own copy of the entities and edges it shows, kept in the
 * graph's order (createdAt, then id) and updated from change events entity by entity.
 *
 * Why a copy: `KnowledgeGraph.list()` clones and sorts every entity on each call. At 10k
 * entities that is too much to do per keystroke in the search box or per incoming change, so
 * the explorer reads the whole graph once, then only re-reads what a change names, and answers
 * filter queries by a linear scan over an already sorted array with lower-cased search text.
 */
import type { KnowledgeGraph, Neighbour } from '../../graph/knowledge-graph.ts'
import { ENTITY_KINDS, ENTITY_STATUSES, type Edge, type Entity, type EntityKind, type EntityStatus } from '../../graph/schema.ts'

/** The read side of a KnowledgeGraph the catalog needs (a real graph fits). */
export type GraphReader = Pick<KnowledgeGraph, 'list' | 'get' | 'edges' | 'edge' | 'view'>

export interface EntityQuery {
  kind?: EntityKind | undefined
  status?: EntityStatus | undefined
  /** Case-insensitive substring of title, text or id. */
  text?: string | undefined
}

export interface QueryResult {
  /** The first `limit` matches, in graph order. */
  items: Entity[]
  /** How many entities match in all. */
  total: number
}

export interface Counts {
  total: number
  byKind: Record<EntityKind, number>
  byStatus: Record<EntityStatus, number>
}

/** Above this many changed entities a full re-read is cheaper than one `get` per id. */
export const FULL_REFRESH_THRESHOLD = 2000

/** `search`: the lower-cased title, text and id, built the first time a text query needs it (building it for 10k entities on every full load took most of a 50-75 ms page task). */
interface Entry { entity: Entity, search: string | undefined }

function searchText (e: Entity): string {
  return `${e.title ?? ''}\n${e.text}\n${e.id}`.toLowerCase()
}

function before (a: Entity, b: Entity): boolean {
  const d = a.provenance.createdAt - b.provenance.createdAt
  return d < 0 || (d === 0 && a.id < b.id)
}

/** The graph's order as a comparator: createdAt, then id. */
function byGraphOrder (a: Entry, b: Entry): number {
  const d = a.entity.provenance.createdAt - b.entity.provenance.createdAt
  if (d !== 0) return d
  return a.entity.id < b.entity.id ? -1 : a.entity.id > b.entity.id ? 1 : 0
}

function zeroCounts (): Counts {
  return {
    total: 0,
    byKind: Object.fromEntries(ENTITY_KINDS.map(k => [k, 0])) as Record<EntityKind, number>,
    byStatus: Object.fromEntries(ENTITY_STATUSES.map(s => [s, 0])) as Record<EntityStatus, number>
  }
}

export class EntityCatalog {
  #order: Entry[] = []
  readonly #byId = new Map<string, Entry>()
  readonly #edges = new Map<string, Edge>()
  /** entity id -> ids of live (not retracted) edges touching it */
  readonly #adjacency = new Map<string, Set<string>>()
  #counts: Counts = zeroCounts()

  get size (): number { return this.#order.length }
  get counts (): Counts { return this.#counts }

  /** Re-reads everything from the graph. */
  loadAll (graph: GraphReader): void {
    const { entities, edges } = graph.view()
    this.#order = Array.from(entities, (entity): Entry => ({ entity: entity as Entity, search: undefined }))
    this.#order.sort(byGraphOrder)
    this.#byId.clear()
    for (const entry of this.#order) this.#byId.set(entry.entity.id, entry)
    this.#edges.clear()
    this.#adjacency.clear()
    for (const edge of edges) this.#putEdge(edge as Edge)
    this.#recount()
  }

  /**
   * Re-reads the named entities and edges. Entities that are gone (or now invalid) leave the
   * catalog; new ones are inserted in order.
   */
  apply (graph: GraphReader, ids: Iterable<string>, edgeIds: Iterable<string>): void {
    const inserted: Entry[] = []
    let removed = false
    for (const id of ids) {
      const entity = graph.get(id)
      const old = this.#byId.get(id)
      if (entity === undefined) {
        if (old !== undefined) { this.#byId.delete(id); removed = true }
        continue
      }
      if (old !== undefined && old.entity.provenance.createdAt === entity.provenance.createdAt) {
        old.entity = entity
        old.search = undefined
        continue
      }
      if (old !== undefined) removed = true // its sort key moved: take it out, put it back
      const entry: Entry = { entity, search: undefined }
      this.#byId.set(id, entry)
      inserted.push(entry)
    }
    if (removed) this.#order = this.#order.filter(e => this.#byId.get(e.entity.id) === e)
    if (inserted.length > 32) {
      this.#order.push(...inserted)
      this.#order.sort(byGraphOrder)
    } else {
      for (const entry of inserted) this.#order.splice(this.#insertionPoint(entry.entity), 0, entry)
    }
    for (const id of edgeIds) {
      const edge = graph.edge(id)
      this.#dropEdge(id)
      if (edge !== undefined) this.#putEdge(edge)
    }
    this.#recount()
  }

  get (id: string): Entity | undefined {
    return this.#byId.get(id)?.entity
  }

  /** Entities matching the query in graph order; at most `limit` returned, all counted. */
  query (q: EntityQuery, limit: number): QueryResult {
    const needle = q.text?.trim().toLowerCase() ?? ''
    const items: Entity[] = []
    let total = 0
    for (const entry of this.#order) {
      const entity = entry.entity
      if (q.kind !== undefined && entity.kind !== q.kind) continue
      if (q.status !== undefined && entity.status !== q.status) continue
      if (needle !== '' && !(entry.search ??= searchText(entity)).includes(needle)) continue
      if (total < limit) items.push(entity)
      total++
    }
    return { items, total }
  }

  /** Live edges of an entity with the entity at the other end, like `KnowledgeGraph.neighbours`. */
  neighbours (id: string): Neighbour[] {
    const out: Neighbour[] = []
    for (const eid of this.#adjacency.get(id) ?? []) {
      const edge = this.#edges.get(eid)
      if (edge === undefined) continue
      const direction = edge.from === id ? 'out' : 'in'
      out.push({ edge, direction, entity: this.get(direction === 'out' ? edge.to : edge.from) })
    }
    return out.sort((a, b) => a.edge.type.localeCompare(b.edge.type) || (a.edge.id < b.edge.id ? -1 : 1))
  }

  /** Ids of the entities adjacent to `id` over live edges. */
  adjacent (id: string): string[] {
    const out: string[] = []
    for (const eid of this.#adjacency.get(id) ?? []) {
      const edge = this.#edges.get(eid)
      if (edge === undefined) continue
      const other = edge.from === id ? edge.to : edge.from
      if (this.#byId.has(other)) out.push(other)
    }
    return out.sort()
  }

  /** Live edges whose both ends are in `ids`. */
  edgesAmong (ids: ReadonlySet<string>): Edge[] {
    const out = new Map<string, Edge>()
    for (const id of ids) {
      for (const eid of this.#adjacency.get(id) ?? []) {
        const edge = this.#edges.get(eid)
        if (edge !== undefined && ids.has(edge.from) && ids.has(edge.to)) out.set(eid, edge)
      }
    }
    return [...out.values()].sort((a, b) => (a.id < b.id ? -1 : 1))
  }

  #insertionPoint (entity: Entity): number {
    let lo = 0
    let hi = this.#order.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const at = this.#order[mid]
      if (at !== undefined && before(at.entity, entity)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  #putEdge (edge: Edge): void {
    this.#edges.set(edge.id, edge)
    if (edge.retracted === true) return
    for (const end of [edge.from, edge.to]) {
      let set = this.#adjacency.get(end)
      if (set === undefined) this.#adjacency.set(end, set = new Set())
      set.add(edge.id)
    }
  }

  #dropEdge (id: string): void {
    const edge = this.#edges.get(id)
    if (edge === undefined) return
    this.#edges.delete(id)
    for (const end of [edge.from, edge.to]) this.#adjacency.get(end)?.delete(id)
  }

  #recount (): void {
    const counts = zeroCounts()
    for (const { entity } of this.#order) {
      counts.total++
      counts.byKind[entity.kind]++
      counts.byStatus[entity.status]++
    }
    this.#counts = counts
  }
}
