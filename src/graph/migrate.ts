/**
 * Carrying a room's graph over from a document of an earlier layout (layout.ts, LAYOUT_VERSION).
 *
 * A layout change gives every room a new DocumentId and a new genesis, so the document a tab
 * stored under the old layout is not found, synced or merged any more. When a room opens, the
 * graph's Repo looks in its own storage (never on the network) for the room's document of each
 * layout in `EARLIER_LAYOUTS`. If it finds one, it reads it with that layout's shard count,
 * validating every entry as the index does (an entry that fails, or sits in a shard it does not
 * belong in, is left behind and reported), merges the entities and edges into the current
 * document as a JSON import does (ids, provenance, status, attestations and thread messages
 * kept; graph-export.ts `planImport`), writes the result to storage, and only then removes the
 * old document from storage. A failure before that leaves the old document in place for the
 * next open. What the old history knew beyond each entry's current value (earlier values,
 * Automerge conflicts' losing values) is not carried over; conflicts the graph had turned into
 * conflict entities are, as entities.
 *
 * Tabs that migrate the same room at once (two tabs of one browser profile, or several peers
 * each migrating their own stored copy) write the same entries concurrently; identical values
 * are no conflict (conflicts.ts), so they merge to one graph.
 */
import type { DocumentId, Repo } from '@automerge/automerge-repo/slim'
import { planImport, type ImportReport } from './graph-export.ts'
import type { GraphStore } from './graph-store.ts'
import { GraphIndex } from './graph-index.ts'
import { EARLIER_LAYOUTS, roomDocumentId, shardIn, type GraphDoc } from './layout.ts'
import type { Edge, Entity } from './schema.ts'

export interface LayoutRead {
  entities: Entity[]
  edges: Edge[]
  /** Entries left behind, with where they were (`e/<shard>/<key>`) and why. */
  invalid: Array<{ where: string, reason: string }>
}

export interface LayoutMigration {
  /** The layout version the room's graph was stored in. */
  from: number
  documentId: DocumentId
  /** What the merge did (added, merged, unchanged, edgesAdded, divergent). */
  report: ImportReport
  invalid: LayoutRead['invalid']
  ms: number
}

/**
 * Every valid entity and edge of a graph document stored with `shards` shards per collection (the
 * entries' format is the same in every layout so far), read by a GraphIndex of that layout, so an
 * entry is valid here exactly when the index would show it.
 */
export function readLayout (doc: unknown, shards: number): LayoutRead {
  const index = new GraphIndex(shards)
  index.rebuild(doc as GraphDoc)
  const byId = <T extends { id: string }>(a: T, b: T): number => a.id < b.id ? -1 : a.id > b.id ? 1 : 0
  return {
    entities: [...index.entities.values()].sort(byId),
    edges: [...index.edges.values()].sort(byId),
    invalid: [...index.invalid].map(([where, err]) => ({ where, reason: `${err.field}: ${err.reason}` }))
  }
}

/**
 * Moves `room`'s graph from any earlier-layout document in `repo`'s storage into `store` (the
 * current layout's document, open), then removes the old document from storage. Returns one
 * entry per layout migrated (none when storage holds no older graph, or there is no storage).
 * Throws if the merge or the write to storage fails; the old document then stays.
 */
export async function migrateEarlierLayouts (repo: Repo, room: string, store: Pick<GraphStore, 'index' | 'commit' | 'flush'>): Promise<LayoutMigration[]> {
  const storage = repo.storageSubsystem
  if (storage === undefined) return []
  const done: LayoutMigration[] = []
  for (const { version, shards } of EARLIER_LAYOUTS) {
    const documentId = roomDocumentId(room, version)
    const old = await storage.loadDoc<unknown>(documentId)
    if (old === null) continue
    const start = performance.now()
    const read = readLayout(old, shards)
    const index = store.index()
    const known = new Set([...index.entities.keys(), ...read.entities.map(e => e.id)])
    const edges: Edge[] = []
    for (const edge of read.edges) {
      // An edge whose end was left behind (invalid) would refuse the whole import: it stays behind too.
      if (known.has(edge.from) && known.has(edge.to)) edges.push(edge)
      else read.invalid.push({ where: `r/${shardIn(edge.from, shards)}/${edge.id}`, reason: `refers to an entity that was not carried over (${known.has(edge.from) ? edge.to : edge.from})` })
    }
    const { writes, report } = planImport(index.entities, index.edges, read.entities, edges)
    if (writes.length > 0) store.commit(writes)
    await store.flush()
    await storage.removeDoc(documentId)
    done.push({ from: version, documentId, report, invalid: read.invalid, ms: performance.now() - start })
  }
  return done
}

/** One line for a log: what a migration carried over and left behind, or why it failed. */
export function describeMigration (m: LayoutMigration | { error: Error }): string {
  if ('error' in m) return `graph: could not move the room's graph from an earlier layout (it stays, and the next open tries again): ${m.error.message}`
  const r = m.report
  return `graph: moved the room's graph from layout ${m.from} to the current layout in ${Math.round(m.ms)} ms: ` +
    `${r.added} entities added, ${r.merged} merged, ${r.unchanged} already here, ${r.edgesAdded} edges added` +
    (r.divergent.length > 0 ? `, ${r.divergent.length} fields kept as the current graph has them` : '') +
    (m.invalid.length > 0 ? `; ${m.invalid.length} invalid entries left behind (first: ${m.invalid[0]!.where}: ${m.invalid[0]!.reason})` : '')
}
