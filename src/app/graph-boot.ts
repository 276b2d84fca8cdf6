/**
 * Opens the room's knowledge graph in a tab: Automerge's wasm, an automerge-repo Repo persisted in
 * IndexedDB and synced over libp2p with the room's linked peers only (never through the relay:
 * it carries no application data), and the KnowledgeGraph on top. Works offline: the graph
 * loads from IndexedDB without any peer or relay.
 */
import { initializeWasm } from '@automerge/automerge-repo/slim'
import automergeWasmUrl from '@automerge/automerge/automerge.wasm?url'
import { peerIdFromString } from '@libp2p/peer-id'
import {
  createGraphRepo, createIndexedDbStorage, genesis, Libp2pNetworkAdapter, openRoomGraph, roomDocumentId,
  SnapshotCatchUp, SnapshotService, type KnowledgeGraph
} from '../graph/index.ts'
import type { MeshNode } from '../net/mesh-node.ts'
import { openAgentRegistry, type AgentRegistry } from '../agents/registry.ts'

/** The agent id under which a person's own edits are recorded. */
export const PERSON_AGENT = 'person'

/** A graph with fewer entities than this catches up from a peer's snapshot rather than through sync. */
const YOUNG_GRAPH_ENTITIES = 100

export interface OpenGraph {
  graph: KnowledgeGraph
  /** The room's agent registry: a second document in the same Repo, synced the same way. */
  registry: AgentRegistry
  adapter: Libp2pNetworkAdapter
  /** Serves this tab's snapshot of the room graph, and fetched ours if we joined young. */
  snapshots: SnapshotService
  catchUp: SnapshotCatchUp
  close: () => Promise<void>
}

export async function openGraph (node: MeshNode): Promise<OpenGraph> {
  await initializeWasm(automergeWasmUrl)
  const adapter = new Libp2pNetworkAdapter(node.libp2p, {
    // Only peers whose link hello matched our room; relayed connections would route app data through the relay.
    acceptPeer: id => node.isRoomPeer(id.toString()),
    runOnLimitedConnection: false
  })
  const repo = createGraphRepo({ network: adapter, storage: createIndexedDbStorage('meshwork-graph'), peerId: `${node.peerId}` })
  const documentId = roomDocumentId(node.room)
  const snapshots = new SnapshotService(node.libp2p, repo, { acceptPeer: id => node.isRoomPeer(id.toString()), serves: id => id === documentId })
  await snapshots.start()
  const catchUp = new SnapshotCatchUp(snapshots, adapter, peerIdFromString)
  // Registered before `refresh`, so a catch-up holds the adapter before the new peer's session exists.
  const offCatchUp = node.on('peer:join', e => { catchUp.peerJoined(e.peerId) })
  const refresh = (): void => { void adapter.refreshPeers() }
  const offJoin = node.on('peer:join', refresh)
  const offLeave = node.on('peer:leave', refresh)
  // Membership events race with stream set-up on duplicate or replaced connections (both sides of a
  // pair may dial); a periodic pass re-opens any half-session that such a race left behind.
  const repair = setInterval(refresh, 2_000)
  const opening = (async () => {
    const opened = await Promise.all([
      openRoomGraph(repo, node.room, { actor: { agentId: PERSON_AGENT, peerId: node.peerId } }),
      openAgentRegistry(repo, node.room)
    ])
    const linked = node.peers().filter(p => p.transport === 'webrtc').map(p => p.peerId)
    catchUp.arm(opened[0].handle, [genesis().hash], opened[0].size < YOUNG_GRAPH_ENTITIES, linked)
    return opened
  })()
  // No sync session starts before the graph is open and we know whether to catch up by snapshot.
  adapter.hold(opening)
  const [graph, registry] = await opening
  return {
    graph,
    registry,
    adapter,
    snapshots,
    catchUp,
    close: async () => {
      offCatchUp(); offJoin(); offLeave(); clearInterval(repair)
      await snapshots.stop().catch(() => {})
      graph.close()
      registry.close()
      await repo.shutdown()
    }
  }
}
