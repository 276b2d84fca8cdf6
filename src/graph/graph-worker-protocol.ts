/**
 * Messages between the page and the graph worker (graph-worker-core.ts), which holds the room
 * graph's Automerge document, its Repo and IndexedDB storage. The page keeps a replica of the
 * index (remote-graph-store.ts) and the libp2p side of the network (port-network-adapter.ts).
 * Both ends are our own code in one origin; the worker still validates the writes it is sent.
 */
import type { Message, PeerId, PeerMetadata } from '@automerge/automerge-repo/slim'
import type { GraphActor, Write } from './batch-planner.ts'
import type { Edge, Entity } from './schema.ts'
import type { SyncPartner } from './sync-partners.ts'

/** The minimal endpoint both ends talk through: a Worker, the worker's global scope, or a MessagePort. */
export interface Endpoint {
  postMessage: (message: unknown, transfer?: Transferable[]) => void
  addEventListener: (type: 'message', listener: (event: MessageEvent) => void) => void
  removeEventListener: (type: 'message', listener: (event: MessageEvent) => void) => void
  /** A MessagePort delivers nothing to `addEventListener` listeners before this is called. */
  start?: () => void
}

/** Entities and edges per delta message: a large sync reaches the page in tasks of bounded size. */
export const DELTA_CHUNK = 500

export interface GraphInit {
  room: string
  actor: GraphActor
  /** The worker Repo's peer id (the page's libp2p peer id). */
  repoPeerId: string
  /** IndexedDB database name; omit for memory only (tests). */
  storage?: string
}

/** What changed in the document, as validated plain values. */
export interface GraphDelta {
  /** The last page write (`write.seq`) the worker had applied when it computed this delta. */
  seq: number
  /** `local`: caused by the page's own writes (already shown there); `remote`: sync, storage, conflicts, imports. */
  origin: 'local' | 'remote'
  entities: Entity[]
  removed: string[]
  edges: Edge[]
  removedEdges: string[]
  /** When present, the complete list of quarantined entries: [location, field, reason]. */
  invalid?: Array<[string, string, string]>
  /**
   * More deltas of the same document change follow at once (a large change is split into
   * chunks). The page announces the change once, with the last: one refresh of its views.
   */
  more?: true
}

export type PageToWorker =
  | { t: 'init', init: GraphInit }
  | { t: 'write', seq: number, writes: Write[] }
  | { t: 'call', id: number, op: 'exportBinary' }
  | { t: 'call', id: number, op: 'importBinary', bytes: Uint8Array }
  /** Stores the document now (replies once it is stored). */
  | { t: 'call', id: number, op: 'flush' }
  | { t: 'call', id: number, op: 'snapshotSave', documentId: string }
  | { t: 'call', id: number, op: 'snapshotPrepare', documentId: string }
  | { t: 'call', id: number, op: 'snapshotApply', documentId: string, bytes: Uint8Array, requiredHeads: string[] }
  | { t: 'call', id: number, op: 'snapshotView', documentId: string }
  | { t: 'call', id: number, op: 'snapshotPreview', documentId: string, view: Uint8Array }
  | { t: 'call', id: number, op: 'snapshotWithdraw', documentId: string }
  /** Hosts a record document (below) on `port`, independent of the graph (it does not wait for `init`). */
  | { t: 'records', port: MessagePort }
  | { t: 'net', ev: 'ready' }
  | { t: 'net', ev: 'peer-candidate', peerId: PeerId, peerMetadata: PeerMetadata }
  | { t: 'net', ev: 'peer-disconnected', peerId: PeerId }
  | { t: 'net', ev: 'message', message: Message }
  | { t: 'net', ev: 'close' }

export type WorkerToPage =
  | { t: 'delta', delta: GraphDelta }
  /** The initial state has been sent; `documentId` is the room graph's. */
  /** `migrations`: what opening carried over from an earlier layout's graph in storage (migrate.ts), one line each. */
  | { t: 'ready', documentId: string, migrations?: string[] }
  | { t: 'reply', id: number, ok: true, value: unknown }
  | { t: 'reply', id: number, ok: false, error: { name: string, message: string, field?: string, reason?: string, snapshotReason?: string } }
  | { t: 'net', ev: 'connect', peerId: PeerId, peerMetadata: PeerMetadata }
  | { t: 'net', ev: 'send', message: Message }
  | { t: 'net', ev: 'disconnect' }
  | { t: 'failed', message: string }
  /** The graph's sync partners and whether this document holds what each has (sent when that changes). */
  | { t: 'sync-partners', partners: SyncPartner[] }

// ---------------------------------------------------------------------------------------------
// Record documents: small side documents the graph worker hosts next to the graph (the room's
// agent registry, src/agents/remote-registry.ts). Each is a map of JSON records, one immutable
// string per id, replaced whole; each has its own Repo, storage, network (its own sync protocol)
// and MessagePort. The worker knows nothing of what the records mean: the page validates them
// (a hostile peer's record is skipped there) and keeps the mirror everything else reads.

/** How to open a record document; sent by the page. */
export interface RecordDocInit {
  documentId: string
  /**
   * The deterministic genesis: one change by `actor` at time 0 setting these root values (in key
   * order). The worker builds it and refuses to open the document if its hash is not `hash`.
   */
  genesis: { actor: string, root: Record<string, unknown>, hash: string }
  /** The root key of the map of records. */
  map: string
  /** Longest record (JSON) the worker writes. */
  maxRecordBytes: number
  /** The Repo's peer id (the page's libp2p peer id). */
  repoPeerId: string
  /** IndexedDB database name; omit for memory only (tests). */
  storage?: string
}

/**
 * A record as it is in the document: [id, JSON], [id, null] for a removed one, or [id, length] for
 * one longer than `maxRecordBytes` (the page reports it; the worker does not copy it over).
 */
export type RecordEntry = [string, string | number | null]
/**
 * A page's write of one record: its new value (null removes it) and, for a conditional write, the
 * value the page saw (null: none): the worker writes only if the document still holds that value.
 */
export type RecordWrite = [string, string | null] | [string, string | null, string | number | null]

export type PageToRecordDoc =
  | { t: 'init', init: RecordDocInit }
  /** Writes, numbered from 1 in the order the page made them; applied in that order, none dropped. */
  | { t: 'write', seq: number, entries: RecordWrite[] }
  | { t: 'close' }
  | Extract<PageToWorker, { t: 'net' }>

export type RecordDocToPage =
  /**
   * The document's current value of these records. `seq`: the last page write the worker had
   * applied. After each write the worker sends the value of every record it touched (so a write
   * that failed is corrected on the page). `all`: these are all the records, any other is gone
   * (sent after `init`, before `ready`).
   */
  | { t: 'records', seq: number, entries: RecordEntry[], all?: true }
  | { t: 'ready' }
  | { t: 'failed', message: string }
  | Extract<WorkerToPage, { t: 'net' }>
