// Loads Automerge's wasm in Node (the library modules import the slim entry and leave that to the app).
import '@automerge/automerge-repo'
/** Small helpers shared by the graph tests. */
import type { GraphActor } from '../../../src/graph/knowledge-graph.ts'

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
