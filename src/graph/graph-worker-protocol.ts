/**
 * Messages between the page and the graph worker (graph-worker-core.ts), which holds the room
 * graph's Automerge document, its Repo and IndexedDB storage. The page keeps a replica of the
 * index (remote-graph-store.ts) and the libp2p side of the network (port-network-adapter.ts).
 * Both ends are our own code in one origin; the worker still validates the writes it is sent.
 */
import type { Message, PeerId, PeerMetadata } from '@automerge/automerge-repo/slim'
import type { GraphActor, Write } from './batch-planner.ts'
import type { Edge, Entity } from './schema.ts'

/** The minimal endpoint both ends talk through: a Worker, the worker's global scope, or a MessagePort. */
export interface Endpoint {
  postMessage: (message: unknown, transfer?: Transferable[]) => void
  addEventListener: (type: 'message', listener: (event: MessageEvent) => void) => void
  removeEventListener: (type: 'message', listener: (event: MessageEvent) => void) => void
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
  | { t: 'call', id: number, op: 'snapshotSave', documentId: string }
  | { t: 'call', id: number, op: 'snapshotPrepare', documentId: string }
  | { t: 'call', id: number, op: 'snapshotApply', documentId: string, bytes: Uint8Array, requiredHeads: string[] }
  | { t: 'net', ev: 'ready' }
  | { t: 'net', ev: 'peer-candidate', peerId: PeerId, peerMetadata: PeerMetadata }
  | { t: 'net', ev: 'peer-disconnected', peerId: PeerId }
  | { t: 'net', ev: 'message', message: Message }
  | { t: 'net', ev: 'close' }

export type WorkerToPage =
  | { t: 'delta', delta: GraphDelta }
  /** The initial state has been sent; `documentId` is the room graph's. */
  | { t: 'ready', documentId: string }
  | { t: 'reply', id: number, ok: true, value: unknown }
  | { t: 'reply', id: number, ok: false, error: { name: string, message: string, field?: string, reason?: string, snapshotReason?: string } }
  | { t: 'net', ev: 'connect', peerId: PeerId, peerMetadata: PeerMetadata }
  | { t: 'net', ev: 'send', message: Message }
  | { t: 'net', ev: 'disconnect' }
  | { t: 'failed', message: string }
