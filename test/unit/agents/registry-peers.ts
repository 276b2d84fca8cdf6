// Peers of a registry for the agent registry tests: a page whose registry document is in the
// graph worker's code, and a hostile peer.
import '../graph/helpers.ts'
import { MessageChannel } from 'node:worker_threads'
import { ImmutableString, type Repo } from '@automerge/automerge-repo/slim'
import { openAgentRegistry } from '../../../src/agents/registry.ts'
import type { RegistryOwner } from '../../../src/agents/registry-api.ts'
import { RemoteAgentRegistry } from '../../../src/agents/remote-registry.ts'
import { serveGraph } from '../../../src/graph/graph-worker-core.ts'
import type { Endpoint } from '../../../src/graph/graph-worker-protocol.ts'
import { createGraphRepo } from '../../../src/graph/room.ts'
import type { MemoryHub } from '../graph/memory-network.ts'
import { waitFor } from '../graph/helpers.ts'
import type { RegistryNetwork } from './registry-suite.ts'
import { PEER_Z } from './test-peers.ts'

/**
 * A peer that writes raw strings without validating them. With `like`, it first waits until it
 * holds what `like` reads for each of those ids, so its write replaces that value rather than
 * racing it (a concurrent write would be a conflict Automerge settles by its own order).
 */
export function forger (hub: MemoryHub, repos: Repo[]): RegistryNetwork['forge'] {
  let opened: ReturnType<typeof openAgentRegistry> | undefined
  return async (raw, like) => {
    if (opened === undefined) {
      const repo = createGraphRepo({ network: hub.adapter(), peerId: 'hostile' })
      repos.push(repo)
      opened = openAgentRegistry(repo, 'lab', PEER_Z)
    }
    const reg = await opened
    if (like !== undefined) {
      await waitFor('the hostile peer holds what it overwrites', () => Object.keys(raw).every(id => reg.handle.doc().agents[id]?.toString() === like.entry(id)?.raw), 10_000)
    }
    reg.handle.change(d => { for (const [id, value] of Object.entries(raw)) d.agents[id] = new ImmutableString(value) })
  }
}

/** A page's registry: the graph worker's code on one end of a channel, the page's mirror on the other. */
export function openRemote (hub: MemoryHub, repoPeerId: string, owner: RegistryOwner, options: { storage?: string, serve?: Parameters<typeof serveGraph>[1] } = {}): { registry: RemoteAgentRegistry, close: () => void } {
  const worker = new MessageChannel()
  serveGraph(worker.port1 as unknown as Endpoint, options.serve)
  const records = new MessageChannel()
  worker.port2.postMessage({ t: 'records', port: records.port2 }, [records.port2])
  const registry = new RemoteAgentRegistry(records.port1 as unknown as Endpoint, {
    room: 'lab', owner, repoPeerId, network: hub.adapter(), ...(options.storage !== undefined ? { storage: options.storage } : {})
  })
  return {
    registry,
    close: () => { registry.close(); records.port1.close(); worker.port1.close(); worker.port2.close() }
  }
}
