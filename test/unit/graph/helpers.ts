// Loads Automerge's wasm in Node (the library modules import the slim entry and leave that to the app).
import '@automerge/automerge-repo'
/** Small helpers shared by the graph tests. */
import type { Repo } from '@automerge/automerge-repo/slim'
import type { GraphActor, KnowledgeGraph } from '../../../src/graph/knowledge-graph.ts'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import { MemoryHub, type MemoryNetworkAdapter } from './memory-network.ts'

/** Polls `check` until it returns true or `timeoutMs` passes; then throws with `what`. */
export async function waitFor (what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

export const pause = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

export const alice: GraphActor = { agentId: 'agent-alice', peerId: '12D3KooWAlice' }
export const bob: GraphActor = { agentId: 'agent-bob', peerId: '12D3KooWBob' }

/** A fixed, increasing clock for deterministic timestamps. */
export function clock (start = 1_700_000_000_000): () => number {
  let t = start
  return () => (t += 1000)
}

export interface GraphPair { ga: KnowledgeGraph, gb: KnowledgeGraph, netA: MemoryNetworkAdapter, netB: MemoryNetworkAdapter, hub: MemoryHub }

/** Two graph Repos (`repo-a`, `repo-b`) on one in-memory hub; cut them apart with `hub.partition(netA, netB)`. */
export function repoPair (): { hub: MemoryHub, netA: MemoryNetworkAdapter, netB: MemoryNetworkAdapter, repoA: Repo, repoB: Repo } {
  const hub = new MemoryHub()
  const netA = hub.adapter()
  const netB = hub.adapter()
  return { hub, netA, netB, repoA: createGraphRepo({ network: netA, peerId: 'repo-a' }), repoB: createGraphRepo({ network: netB, peerId: 'repo-b' }) }
}

/**
 * Two peers' graphs of `room` on one in-memory hub (cut them apart with `hub.partition`). Their
 * Repos go into `repos`, for the caller to shut down.
 */
export async function graphPair (room: string, actors: readonly [GraphActor, GraphActor], repos: Repo[]): Promise<GraphPair> {
  const { hub, netA, netB, repoA, repoB } = repoPair()
  repos.push(repoA, repoB)
  const ga = await openRoomGraph(repoA, room, { actor: actors[0] })
  const gb = await openRoomGraph(repoB, room, { actor: actors[1] })
  return { ga, gb, netA, netB, hub }
}
