/**
 * The shared knowledge graph: schema, the KnowledgeGraph API over one Automerge document per
 * room, the libp2p sync adapter, and the Repo/room plumbing. See docs/graph.md.
 *
 * In the browser, call `initializeWasm` from `@automerge/automerge-repo/slim` before using
 * anything here; these modules import only the slim entry points.
 */
export * from './schema.ts'
export { KnowledgeGraph } from './knowledge-graph.ts'
export type {
  AttestationInput,
  GraphActor,
  GraphChange,
  GraphExport,
  GraphOp,
  ImportReport,
  KnowledgeGraphOptions,
  ListFilter,
  Neighbour,
  NeighbourFilter
} from './knowledge-graph.ts'
export { EXPORT_FORMAT, MAX_IMPORT_ITEMS, parseExport } from './graph-export.ts'
export { CONFLICT_AGENT, CONFLICT_FIELDS, conflictId, type FieldConflict } from './conflicts.ts'
export { LAYOUT_VERSION, SHARD_COUNT, roomDocumentId, genesis, GENESIS_HASH, type GraphDoc } from './layout.ts'
export { createGraphRepo, openRoomDoc, openRoomGraph, type GraphRepoOptions, type OpenRoomGraphOptions } from './room.ts'
export { createIndexedDbStorage } from './storage.ts'
export {
  Libp2pNetworkAdapter,
  type AdapterStats,
  type Libp2pNetworkAdapterOptions,
  type Libp2pNodeLike
} from './libp2p-network-adapter.ts'
export { DEFAULT_MAX_FRAME_BYTES, SYNC_PROTOCOL, WIRE_VERSION, FrameError, type RejectReason } from './sync-frames.ts'
export { MAX_SNAPSHOT_BYTES, SNAPSHOT_PROTOCOL, SnapshotCatchUp, SnapshotError, SnapshotService, type CatchUpReport, type SnapshotStats } from './snapshot.ts'
export { RemoteGraphStore } from './remote-graph-store.ts'
export { partnerReach, watchSyncPartners, type PartnerReach, type SyncPartner } from './sync-partners.ts'
export { DocGraphStore, type GraphStore } from './graph-store.ts'
export type { Endpoint, GraphDelta } from './graph-worker-protocol.ts'
export { docSnapshotSource, type SnapshotSource } from './snapshot.ts'
