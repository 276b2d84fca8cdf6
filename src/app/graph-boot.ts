/**
 * Opens the room's knowledge graph in a tab. The graph's Automerge document, its Repo and its
 * IndexedDB storage live in the graph worker (src/graph/graph.worker.ts), so syncing, loading and
 * merging never block the page; the page keeps a replica of the index (RemoteGraphStore) under
 * the KnowledgeGraph everything else uses, and the libp2p side of sync (RTCPeerConnection exists
 * only here). Sync runs with the room's linked peers only (never through the relay: it carries no
 * application data). Works offline: the graph loads from IndexedDB without any peer or relay.
 *
 * The agent registry is a small document of its own, synced over its own protocol; its Repo and
 * storage are in the graph worker too (a second Repo there), and the page keeps a validated mirror
 * of its records (RemoteAgentRegistry). The page still loads Automerge's wasm, for small things
 * only: checking incoming sync frames (the genesis hash it needs is a constant, GENESIS_HASH).
 */
import { initializeWasm } from '@automerge/automerge-repo/slim'
import automergeWasmUrl from '@automerge/automerge/automerge.wasm?url'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import {
  GENESIS_HASH, KnowledgeGraph, Libp2pNetworkAdapter, RemoteGraphStore, roomDocumentId,
  SnapshotCatchUp, SnapshotService, SYNC_PROTOCOL, type Endpoint
} from '../graph/index.ts'
import type { PageToWorker } from '../graph/graph-worker-protocol.ts'
import type { MeshNode } from '../net/mesh-node.ts'
import { syncSignerFor } from '../net/peer-signature.ts'
import { syncNeighbours } from '../graph/sync-topology.ts'
import type { AgentRegistryApi } from '../agents/registry-api.ts'
import { RemoteAgentRegistry } from '../agents/remote-registry.ts'
import { PERSON_AGENT } from '../coord/statement-conflicts.ts'

/** The agent id under which a person's own edits are recorded (one constant: the recorder reads it to tell a person's statements). */
export { PERSON_AGENT }

/** A graph with fewer entities than this catches up from a peer's snapshot rather than through sync. */
const YOUNG_GRAPH_ENTITIES = 100

/** The registry's Repo syncs over its own protocol, next to the graph worker's. */
export const REGISTRY_SYNC_PROTOCOL = SYNC_PROTOCOL.replace('/automerge/', '/automerge-registry/')

export interface OpenGraph {
  graph: KnowledgeGraph
  /** The room's agent registry (its document is in the graph worker; this is the page's mirror). */
  registry: AgentRegistryApi
  /** The graph's sync adapter (its Repo is in the worker). */
  adapter: Libp2pNetworkAdapter
  /** The registry's sync adapter (its Repo is in the worker too). */
  registryAdapter: Libp2pNetworkAdapter
  /** The peers this tab syncs the graph with by itself (sync-topology.ts): all of them in rooms of up to 4. */
  syncTargets: () => string[]
  /** Serves this tab's snapshot of the room graph, and fetched ours if we joined young. */
  snapshots: SnapshotService
  catchUp: SnapshotCatchUp
  store: RemoteGraphStore
  close: () => Promise<void>
}

export async function openGraph (node: MeshNode, privateKey: PrivateKey): Promise<OpenGraph> {
  const worker = new Worker(new URL('../graph/graph.worker.ts', import.meta.url), { type: 'module', name: 'meshwork-graph' })
  // The page keeps its replica and stays up; the person sees why the graph stopped syncing.
  worker.addEventListener('error', e => { node.report('graph', 'worker-failed', `the graph worker failed: ${e.message ?? 'unknown error'}; reload the tab to restart it`) })
  // Only peers whose link hello matched our room; relayed connections would route app data through the relay.
  const inRoom = (id: { toString: () => string }): boolean => node.isRoomPeer(id.toString())
  // Rooms of 5+ tabs sync the graph along a ring with chords, not a full mesh (sync-topology.ts).
  const syncTargets = (): Set<string> => syncNeighbours(node.peerId, node.peerIds())
  const adapter = new Libp2pNetworkAdapter(node.libp2p, { acceptPeer: inRoom, syncWith: id => syncTargets().has(id.toString()), runOnLimitedConnection: false })
  const registryAdapter = new Libp2pNetworkAdapter(node.libp2p, { acceptPeer: inRoom, runOnLimitedConnection: false, protocol: REGISTRY_SYNC_PROTOCOL })
  const actor = { agentId: PERSON_AGENT, peerId: node.peerId }
  const sign = syncSignerFor(privateKey)
  const store = new RemoteGraphStore(worker as unknown as Endpoint, { room: node.room, actor, repoPeerId: node.peerId, storage: 'meshwork-graph' }, adapter)
  // The registry's own channel to the worker, served there by a second Repo (graph-worker-core.ts).
  // Its writes queue in the channel until the worker has opened the document.
  const registryChannel = new MessageChannel()
  worker.postMessage({ t: 'records', port: registryChannel.port2 } satisfies PageToWorker, [registryChannel.port2])
  const registry = new RemoteAgentRegistry(registryChannel.port1 as unknown as Endpoint, {
    room: node.room,
    // The tab's agents' records are signed with its peer key, so nobody else can write in its name.
    owner: { peerId: node.peerId, sign },
    repoPeerId: node.peerId,
    storage: 'meshwork-registry',
    network: registryAdapter,
    onFailure: message => { node.report('agents', 'registry-failed', `${message}; this tab's agents are not published to the room`) }
  })
  const documentId = roomDocumentId(node.room)
  const snapshots = new SnapshotService(node.libp2p, store.snapshotSource(), { acceptPeer: inRoom, serves: id => id === documentId })
  const catchUp = new SnapshotCatchUp(snapshots, adapter, peerIdFromString)
  // Registered before `refresh`, so a catch-up holds the adapter before the new peer's session exists.
  const offCatchUp = node.on('peer:join', e => { catchUp.peerJoined(e.peerId) })
  // A newly discovered peer may be a new tab that will ask for our snapshot as soon as it links
  // (some 0.3-0.6 s later): have the document saved and its view made by then.
  const offDiscovered = node.on('peer:discovered', () => {
    if (store.index().entities.size >= YOUNG_GRAPH_ENTITIES) void snapshots.prepare(documentId)
  })
  const refresh = (): void => { void adapter.refreshPeers(); void registryAdapter.refreshPeers() }
  const offJoin = node.on('peer:join', refresh)
  const offLeave = node.on('peer:leave', refresh)
  // Membership events race with stream set-up on duplicate or replaced connections (both sides of a
  // pair may dial); a periodic pass re-opens any half-session that such a race left behind.
  const repair = setInterval(refresh, 2_000)
  const opening = (async () => {
    // The registry's records from storage before the agents start (they re-start this peer's
    // custom agents from it); if it cannot open, that was reported and the tab goes on without.
    await Promise.all([initializeWasm(automergeWasmUrl), snapshots.start(), store.ready, registry.ready.catch(() => {})])
    // Verifications, disputes and retractions in this tab's name are signed with its peer key.
    const graph = new KnowledgeGraph(store, { actor, sign })
    const linked = node.peers().filter(p => p.transport === 'webrtc').map(p => p.peerId)
    catchUp.arm(documentId, [GENESIS_HASH], graph.size < YOUNG_GRAPH_ENTITIES, linked)
    return { graph }
  })()
  // No graph sync session starts before the graph is open and we know whether to catch up by snapshot.
  adapter.hold(opening)
  const { graph } = await opening
  return {
    graph,
    registry,
    adapter,
    registryAdapter,
    syncTargets: () => [...syncTargets()],
    snapshots,
    catchUp,
    store,
    close: async () => {
      offCatchUp(); offDiscovered(); offJoin(); offLeave(); clearInterval(repair)
      await snapshots.stop().catch(() => {})
      graph.close()
      registry.close()
      adapter.disconnect()
      registryAdapter.disconnect()
      worker.terminate()
    }
  }
}
