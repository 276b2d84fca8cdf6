/**
 * `window.meshwork`: the scripting API of a tab (documented in the README). Tests, benchmarks and
 * people at the console drive the mesh through it. Later layers (graph, agents, tasks) extend it.
 */
import type { MeshEvents, MeshNode, PeerView } from '../net/mesh-node.ts'

export interface MeshworkApi {
  /** Resolves once the node runs and holds a reservation on the relay (so other tabs can reach it). */
  ready: Promise<void>
  readonly peerId: string | undefined
  readonly room: string | undefined
  /** Peers of the room that this tab hears from, with the transport of the live connection. */
  peers: () => PeerView[]
  /** Subscribes to an event; returns the function that unsubscribes. */
  on: <K extends keyof MeshEvents>(event: K, fn: (e: MeshEvents[K]) => void) => () => void
  /** Sends a JSON-serialisable body to every peer of the room on a channel; returns the message id. */
  send: (channel: string, body: unknown) => string
  /** Counters: messages, dials, links, and rejected input by reason. */
  stats: () => MeshNode['stats'] & { relayConnected: boolean }
  /** Node internals, for debugging at the console. Not a stable interface. */
  readonly node: MeshNode | undefined
}

export function createApi (nodePromise: Promise<MeshNode>): MeshworkApi {
  let node: MeshNode | undefined
  const pendingListeners: Array<() => void> = []
  const ready = nodePromise.then(async n => { node = n; for (const f of pendingListeners.splice(0)) f(); await n.ready })
  const need = (): MeshNode => {
    if (node === undefined) throw new Error('meshwork: the node is still starting; await meshwork.ready first')
    return node
  }
  return {
    ready,
    get peerId () { return node?.peerId },
    get room () { return node?.room },
    get node () { return node },
    peers: () => node?.peers() ?? [],
    on (event, fn) {
      if (node !== undefined) return node.on(event, fn)
      let off: (() => void) | undefined
      let cancelled = false
      pendingListeners.push(() => { if (!cancelled) off = node!.on(event, fn) })
      return () => { cancelled = true; off?.() }
    },
    send: (channel, body) => need().publish(channel, body),
    stats: () => ({ ...need().stats, relayConnected: need().relayConnected() })
  }
}
