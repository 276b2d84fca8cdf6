/**
 * `window.meshwork`: the scripting API of a tab (documented in the README). Tests, benchmarks and
 * people at the console drive the mesh through it. Later layers (graph, agents, tasks) extend it.
 */
import type { MeshEvents, MeshNode, PeerView } from '../net/mesh-node.ts'
import type { Entity, GraphChange, KnowledgeGraph, ListFilter, NewEntity, RelationType } from '../graph/index.ts'
import type { OpenGraph } from './graph-boot.ts'

/** `window.meshwork.graph`: the room's shared knowledge graph (see docs/graph.md for the schema). */
export interface GraphApi {
  /** Resolves once the graph is open (loaded from IndexedDB, or created; peers merge in as they sync). */
  ready: Promise<void>
  add: (entity: NewEntity) => string
  get: (id: string) => Entity | undefined
  list: (filter?: ListFilter) => Entity[]
  relate: (fromId: string, type: RelationType, toId: string) => string
  verify: (id: string) => void
  dispute: (id: string, reason: string) => void
  retract: (id: string, reason?: string) => void
  on: (event: 'change', fn: (change: GraphChange) => void) => () => void
  exportJson: () => unknown
  importJson: (data: unknown) => unknown
  exportBinary: () => Uint8Array
  importBinary: (bytes: Uint8Array) => unknown
  /** Sync counters of the libp2p network adapter: frames and bytes in/out, rejected frames by reason, and the peers it syncs with. */
  syncStats: () => OpenGraph['adapter']['stats'] & { syncingWith: string[], sessions: OpenGraph['adapter']['sessions'] }
  /** The KnowledgeGraph itself (neighbours, threads, batches…). */
  readonly graph: KnowledgeGraph | undefined
}

function createGraphApi (opened: Promise<OpenGraph>): GraphApi {
  let graph: KnowledgeGraph | undefined
  let open: OpenGraph | undefined
  const ready = opened.then(o => { open = o; graph = o.graph })
  const g = (): KnowledgeGraph => {
    if (graph === undefined) throw new Error('meshwork.graph: the graph is still opening; await meshwork.graph.ready first')
    return graph
  }
  return {
    ready,
    get graph () { return graph },
    add: e => g().add(e),
    get: id => g().get(id),
    list: f => g().list(f),
    relate: (a, t, b) => g().relate(a, t, b),
    verify: id => { g().verify(id) },
    dispute: (id, reason) => { g().dispute(id, undefined, reason) },
    retract: (id, reason) => { g().retract(id, reason) },
    on: (_event, fn) => {
      if (graph !== undefined) return graph.on('change', fn)
      let off: (() => void) | undefined
      let cancelled = false
      void ready.then(() => { if (!cancelled) off = graph!.on('change', fn) })
      return () => { cancelled = true; off?.() }
    },
    exportJson: () => g().exportJson(),
    importJson: d => g().importJson(d),
    exportBinary: () => g().exportBinary(),
    importBinary: b => g().importBinary(b),
    syncStats: () => { g(); return { ...open!.adapter.stats, syncingWith: open!.adapter.sessionPeers, sessions: open!.adapter.sessions } }
  }
}

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
  graph: GraphApi
}

export function createApi (nodePromise: Promise<MeshNode>, graphPromise: Promise<OpenGraph>): MeshworkApi {
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
    stats: () => ({ ...need().stats, relayConnected: need().relayConnected() }),
    graph: createGraphApi(graphPromise)
  }
}
