/**
 * Opens the room's knowledge graph in a tab: Automerge's wasm, an automerge-repo Repo persisted in
 * IndexedDB and synced over libp2p with the room's linked peers only (never through the relay:
 * it carries no application data), and the KnowledgeGraph on top. Works offline: the graph
 * loads from IndexedDB without any peer or relay.
 */
import { initializeWasm } from '@automerge/automerge-repo/slim'
import automergeWasmUrl from '@automerge/automerge/automerge.wasm?url'
import { createGraphRepo, createIndexedDbStorage, Libp2pNetworkAdapter, openRoomGraph, type KnowledgeGraph } from '../graph/index.ts'
import type { MeshNode } from '../net/mesh-node.ts'
import { openAgentRegistry, type AgentRegistry } from '../agents/registry.ts'

/** The agent id under which a person's own edits are recorded. */
export const PERSON_AGENT = 'person'

export interface OpenGraph {
  graph: KnowledgeGraph
  /** The room's agent registry: a second document in the same Repo, synced the same way. */
  registry: AgentRegistry
  adapter: Libp2pNetworkAdapter
  close: () => Promise<void>
}

export async function openGraph (node: MeshNode): Promise<OpenGraph> {
  await initializeWasm(automergeWasmUrl)
  const adapter = new Libp2pNetworkAdapter(node.libp2p, {
    // Only peers whose link hello matched our room; relayed connections would route app data through the relay.
    acceptPeer: id => node.isRoomPeer(id.toString()),
    runOnLimitedConnection: false
  })
  const refresh = (): void => { void adapter.refreshPeers() }
  const offJoin = node.on('peer:join', refresh)
  const offLeave = node.on('peer:leave', refresh)
  // Membership events race with stream set-up on duplicate or replaced connections (both sides of a
  // pair may dial); a periodic pass re-opens any half-session that such a race left behind.
  const repair = setInterval(refresh, 2_000)
  const repo = createGraphRepo({ network: adapter, storage: createIndexedDbStorage('meshwork-graph'), peerId: `${node.peerId}` })
  const [graph, registry] = await Promise.all([
    openRoomGraph(repo, node.room, { actor: { agentId: PERSON_AGENT, peerId: node.peerId } }),
    openAgentRegistry(repo, node.room)
  ])
  return {
    graph,
    registry,
    adapter,
    close: async () => {
      offJoin(); offLeave(); clearInterval(repair)
      graph.close()
      registry.close()
      await repo.shutdown()
    }
  }
}
