/**
 * Finding (or creating) a room's graph document, and building the Repo it lives in.
 *
 * Every peer derives the same DocumentId from the room name (see `roomDocumentId`) and seeds
 * it with the same genesis change (see `genesis`), so peers never have to agree on who
 * creates the graph: whoever opens it first creates it, concurrent creators produce identical
 * history, and sync merges everything else.
 */
import {
  Automerge,
  Repo,
  type DocHandle,
  type NetworkAdapterInterface,
  type PeerId,
  type SharePolicy,
  type StorageAdapterInterface
} from '@automerge/automerge-repo/slim'
import { DocGraphStore } from './graph-store.ts'
import { KnowledgeGraph, type GraphActor, type KnowledgeGraphOptions } from './knowledge-graph.ts'
import { genesis, roomDocumentId, type GraphDoc } from './layout.ts'
import { describeMigration, migrateEarlierLayouts, type LayoutMigration } from './migrate.ts'
import { validateActor } from './schema.ts'

export interface GraphRepoOptions {
  /** Zero or more network adapters (e.g. a Libp2pNetworkAdapter). */
  network?: NetworkAdapterInterface | NetworkAdapterInterface[]
  /** Persistent storage; in the browser `new IndexedDBStorageAdapter('meshwork')`. Omit for memory only. */
  storage?: StorageAdapterInterface
  /** The Repo's peer id; defaults to a random one. */
  peerId?: string
  /** Which documents to announce to which peers; defaults to all (the adapter already filters peers). */
  sharePolicy?: SharePolicy
  /** At most one storage write per document this often, ms (automerge-repo's default: 100). */
  saveDebounceMs?: number
}

/**
 * A Repo configured for room graphs. In the browser, call automerge-repo's `initializeWasm`
 * (from `@automerge/automerge-repo/slim`) before this.
 */
export function createGraphRepo (options: GraphRepoOptions = {}): Repo {
  const network = options.network === undefined ? [] : Array.isArray(options.network) ? options.network : [options.network]
  return new Repo({
    network,
    ...(options.storage !== undefined ? { storage: options.storage } : {}),
    ...(options.peerId !== undefined ? { peerId: options.peerId as PeerId } : {}),
    ...(options.sharePolicy !== undefined ? { sharePolicy: options.sharePolicy } : {}),
    ...(options.saveDebounceMs !== undefined ? { saveDebounceRate: options.saveDebounceMs } : {})
  })
}

/** Writes `handle`'s document to the Repo's storage now (the `persist` of a DocGraphStore over it). */
export function persistNow (repo: Repo, handle: DocHandle<unknown>): () => Promise<void> {
  return async () => { await repo.flush([handle.documentId]) }
}

const SETTLED_STATES = ['ready', 'requesting', 'unavailable'] as const

/**
 * Returns the ready DocHandle of `room`'s graph. Loads it from storage when present; does not
 * wait for peers: if neither storage nor (quickly) a peer has it, it is created from the
 * deterministic genesis and merges with peers' copies whenever they sync.
 */
export async function openRoomDoc (repo: Repo, room: string): Promise<DocHandle<GraphDoc>> {
  const documentId = roomDocumentId(room)
  const cached = repo.handles[documentId] as DocHandle<GraphDoc> | undefined
  // Let the Repo load from storage and ask connected peers; findWithProgress never throws for
  // a missing document, it reports `unavailable`.
  const handle = cached ?? repo.findWithProgress<GraphDoc>(documentId).handle
  await handle.whenReady([...SETTLED_STATES])
  if (handle.isDeleted() || handle.isUnloaded()) throw new Error(`room graph ${documentId} was ${String(handle.state)}`)
  const { bytes, hash } = genesis()
  if (!handle.isReady() || !Automerge.hasHeads(handle.doc(), [hash])) {
    // Either nobody has the graph yet (`requesting`/`unavailable`) or we hold it without
    // genesis (cannot happen through this module). Loading the genesis bytes makes the handle
    // ready; if a peer's copy arrives later it shares this genesis and merges cleanly.
    handle.update(doc => Automerge.loadIncremental(doc, bytes))
    handle.doneLoading()
  }
  return handle
}

export interface OpenRoomGraphOptions extends Omit<KnowledgeGraphOptions, 'actor'> {
  actor: GraphActor
  /**
   * Told what was carried over when the Repo's storage held the room's graph in an earlier layout
   * (migrate.ts), or why that failed (the old document then stays, and the next open tries again).
   * Default: one console line each.
   */
  onMigration?: (result: LayoutMigration | { error: Error }) => void
}

/**
 * Opens the room's graph over `handle` as a store, first carrying over any earlier-layout graph the
 * Repo's storage holds for the room. A failed migration is reported, never fatal: the room opens.
 */
export async function openRoomStore (repo: Repo, room: string, handle: DocHandle<GraphDoc>, options: { actor: GraphActor, now?: () => number, detectConflicts?: boolean, persist?: () => Promise<void>, onMigration?: OpenRoomGraphOptions['onMigration'] }): Promise<DocGraphStore> {
  const store = new DocGraphStore(handle, {
    actor: validateActor(options.actor),
    now: options.now ?? Date.now,
    detectConflicts: options.detectConflicts ?? true,
    persist: options.persist ?? persistNow(repo, handle)
  })
  const tell = options.onMigration ?? (r => { if ('error' in r) console.warn(describeMigration(r)); else console.info(describeMigration(r)) })
  try {
    for (const m of await migrateEarlierLayouts(repo, room, store)) tell(m)
  } catch (err) {
    tell({ error: err instanceof Error ? err : new Error(String(err)) })
  }
  return store
}

/** Opens `room`'s graph as a KnowledgeGraph writing on behalf of `options.actor`. */
export async function openRoomGraph (repo: Repo, room: string, options: OpenRoomGraphOptions): Promise<KnowledgeGraph> {
  const handle = await openRoomDoc(repo, room)
  const { onMigration, ...graphOptions } = options
  const store = await openRoomStore(repo, room, handle, { ...graphOptions, ...(onMigration !== undefined ? { onMigration } : {}) })
  return new KnowledgeGraph(store, graphOptions)
}
