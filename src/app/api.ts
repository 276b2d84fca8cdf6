/**
 * `window.meshwork`: the scripting API of a tab (documented in the README). Tests, benchmarks and
 * people at the console drive the mesh through it. Later layers (graph, agents, tasks) extend it.
 */
import type { MeshEvents, MeshNode, PeerView } from '../net/mesh-node.ts'
import type { Entity, GraphChange, KnowledgeGraph, ListFilter, NewEntity, RelationType, SyncPartner } from '../graph/index.ts'
import type { OpenGraph } from './graph-boot.ts'
import type { AgentHost, AgentHostEvents, AgentMatch, AgentView, ModelStatus, RegisterInput } from '../agents/host.ts'
import type { AgentResult, AgentTask } from '../agents/types.ts'
import type { CoordEngine, CoordEvents, CoordStats, TaskSnapshot } from '../coord/engine.ts'
import type { GraphRecorderStats } from '../coord/graph-recorder.ts'
import type { RecordJournalStats, SweepResult } from '../coord/record-journal.ts'
import type { StartedCoord } from './coord-boot.ts'

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
  exportBinary: () => Promise<Uint8Array>
  importBinary: (bytes: Uint8Array) => Promise<unknown>
  /**
   * Resolves once the graph as this tab holds it now is stored in IndexedDB. Storage follows every
   * change within about 100 ms anyway, and the tab asks for this when it is hidden or goes away.
   */
  flush: () => Promise<void>
  /** Sync counters of the libp2p network adapter: frames and bytes in/out, rejected frames by reason, and the peers it syncs with. */
  syncStats: () => OpenGraph['adapter']['stats'] & { syncingWith: string[], sessions: OpenGraph['adapter']['sessions'], snapshot: OpenGraph['catchUp']['report'] & OpenGraph['snapshots']['stats'], registry: OpenGraph['registryAdapter']['stats'], syncTargets: string[], partners: readonly SyncPartner[] }
  /** The KnowledgeGraph itself (neighbours, threads, batches…). */
  readonly graph: KnowledgeGraph | undefined
}

/**
 * Subscribes at once if `current` exists, otherwise as soon as `later` resolves, so scripts can
 * subscribe before the node or graph is up. The returned function unsubscribes in either case.
 */
function subscribeWhenReady<T> (current: T | undefined, later: Promise<T>, subscribe: (target: T) => () => void): () => void {
  if (current !== undefined) return subscribe(current)
  let off: (() => void) | undefined
  let cancelled = false
  void later.then(target => { if (!cancelled) off = subscribe(target) }, () => {})
  return () => { cancelled = true; off?.() }
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
    on: (_event, fn) => subscribeWhenReady(graph, opened.then(o => o.graph), gr => gr.on('change', fn)),
    exportJson: () => g().exportJson(),
    importJson: d => g().importJson(d),
    exportBinary: async () => await g().exportBinary(),
    importBinary: async b => await g().importBinary(b),
    flush: async () => { await g().flush() },
    syncStats: () => {
      g()
      return { ...open!.adapter.stats, syncingWith: open!.adapter.sessionPeers, sessions: open!.adapter.sessions, snapshot: { ...open!.catchUp.report, ...open!.snapshots.stats, failed: { ...open!.snapshots.stats.failed } }, registry: open!.registryAdapter.stats, syncTargets: open!.syncTargets(), partners: open!.store.syncPartners }
    }
  }
}

/** `window.meshwork.agents`: the room's agents and on-device capability matching (see docs/agents.md). */
export interface AgentsApi {
  /** Resolves once this tab's agents run and the embedding model is loaded (rejects if it cannot load). */
  ready: Promise<void>
  /** Every agent in the room, with its peer, status, and whether it runs here / its peer is present. */
  list: () => AgentView[]
  /** Starts an agent here and publishes it to the room: `{ kind }` for a built-in, `{ manifest, source }` for custom code. Resolves with its id. */
  register: (input: RegisterInput) => Promise<string>
  unregister: (agentId: string) => Promise<void>
  /** Runs a copy of another peer's custom agent here (opting in to its code). */
  adopt: (agentId: string) => Promise<string>
  /** Sentence embeddings (L2-normalised) from the tab's embedding worker, as plain arrays. */
  embed: (texts: string[]) => Promise<number[][]>
  /** The room's agents ranked for a task, best first: `[{ agentId, peerId, skillId, confidence }]`. */
  match: (text: string, k?: number) => Promise<AgentMatch[]>
  /** Runs a task on one of this tab's agents directly (no bidding). */
  run: (agentId: string, task: AgentTask | string, options?: { timeoutMs?: number }) => Promise<AgentResult>
  /** The embedding model's status: requested and loaded model, download progress, fallback. */
  model: () => ModelStatus | undefined
  on: <K extends keyof AgentHostEvents>(event: K, fn: (e: AgentHostEvents[K]) => void) => () => void
  readonly host: AgentHost | undefined
}

function createAgentsApi (hostPromise: Promise<AgentHost>, ready: Promise<void>): AgentsApi {
  let host: AgentHost | undefined
  void hostPromise.then(h => { host = h }, () => {})
  const h = async (): Promise<AgentHost> => await hostPromise
  let runs = 0
  return {
    ready,
    get host () { return host },
    list: () => host?.list() ?? [],
    register: async input => await (await h()).register(input),
    unregister: async id => { await (await h()).unregister(id) },
    adopt: async id => await (await h()).adopt(id),
    embed: async texts => (await (await h()).embed(texts)).map(v => Array.from(v)),
    match: async (text, k = 5) => await (await h()).match(text, k),
    run: async (agentId, task, options) => {
      const t: AgentTask = typeof task === 'string' ? { id: `run-${Date.now().toString(36)}-${++runs}`, text: task } : task
      return await (await h()).run(agentId, t, options)
    },
    model: () => host?.model,
    on: (event, fn) => subscribeWhenReady(host, hostPromise, x => x.on(event, fn))
  }
}

/** `window.meshwork.tasks`: state a task and let the mesh organise itself (see docs/protocol.md). */
export interface TasksApi {
  /** Resolves once this tab takes part in coordination (graph open, agents running). */
  ready: Promise<void>
  /** Announces a task to the room; returns its id. `verify`: distinct other peers whose verifiers must support the result. `timeZone`: the IANA zone in which agents read "today" and "now" (default: this tab's). */
  submit: (req: { text: string, input?: unknown, deadlineMs?: number, verify?: number, timeZone?: string }) => string
  /** State, the assigned agent with its skill and peer, attempts, result, verification, mission, questions, timings. */
  get: (id: string) => TaskSnapshot | undefined
  wait: (id: string, opts?: { timeoutMs?: number }) => Promise<TaskSnapshot>
  list: () => TaskSnapshot[]
  cancel: (id: string, reason?: string) => void
  /** Answers an agent's question (the task was input-required). */
  answer: (questionId: string, text: string) => void
  /** Records a person's decision about a task or entity. */
  decide: (about: string, text: string) => string
  on: <K extends keyof CoordEvents>(event: K, fn: (e: CoordEvents[K]) => void) => () => void
  stats: () => CoordStats
  /**
   * This tab's graph recording (docs/protocol.md, "What the mesh records in the graph"): records
   * waiting to be written and the journal that carries them over a reload; `setFlushMs` changes how
   * long records gather before they are written (quiet, busy), for diagnostics and tests.
   */
  readonly recording: {
    stats: () => GraphRecorderStats & { journal: RecordJournalStats }
    setFlushMs: (ms: number, busyMs?: number) => void
    /** Adopts the journals of this room's departed tabs now, instead of at the next sweep (every 30 s; only those 60 s old, or `minAgeMs`). */
    sweepJournals: (options?: { minAgeMs?: number }) => SweepResult
  }
  readonly engine: CoordEngine | undefined
}

function createTasksApi (coordPromise: Promise<StartedCoord>): TasksApi {
  let coord: StartedCoord | undefined
  const enginePromise = coordPromise.then(c => c.engine)
  const ready = coordPromise.then(c => { coord = c })
  const c = (): StartedCoord => {
    if (coord === undefined) throw new Error('meshwork.tasks: coordination is still starting; await meshwork.tasks.ready first')
    return coord
  }
  const e = (): CoordEngine => c().engine
  return {
    ready,
    get engine () { return coord?.engine },
    submit: req => e().tasks.submit(req),
    get: id => e().tasks.get(id),
    wait: async (id, opts) => { await ready; return await e().tasks.wait(id, opts) },
    list: () => coord?.engine.tasks.list() ?? [],
    cancel: (id, reason) => { e().tasks.cancel(id, reason) },
    answer: (q, text) => { e().tasks.answer(q, text) },
    decide: (about, text) => e().tasks.decide(about, text),
    on: (event, fn) => subscribeWhenReady(coord?.engine, enginePromise, x => x.on(event, fn)),
    stats: () => e().stats(),
    recording: {
      stats: () => ({ ...c().recorder.stats(), journal: c().journal.stats() }),
      setFlushMs: (ms, busyMs) => { c().recorder.setFlushMs(ms, busyMs) },
      sweepJournals: options => c().sweepJournals(options)
    }
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
  agents: AgentsApi
  tasks: TasksApi
}

export function createApi (nodePromise: Promise<MeshNode>, graphPromise: Promise<OpenGraph>, agents: { host: Promise<AgentHost>, ready: Promise<void> }, coord: Promise<StartedCoord>): MeshworkApi {
  let node: MeshNode | undefined
  const ready = nodePromise.then(async n => { node = n; await n.ready })
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
    on: (event, fn) => subscribeWhenReady(node, nodePromise, n => n.on(event, fn)),
    send: (channel, body) => need().publish(channel, body),
    stats: () => ({ ...need().stats, relayConnected: need().relayConnected() }),
    graph: createGraphApi(graphPromise),
    agents: createAgentsApi(agents.host, agents.ready),
    tasks: createTasksApi(coord)
  }
}
