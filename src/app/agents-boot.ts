/**
 * Starts a tab's agents: the embedding worker (with load progress), the worker runtime and the
 * services it lends agents (embeddings, graph search, the person's LLM endpoint), the AgentHost
 * over the room's registry, and this tab's built-in agents. Problems are reported on the node
 * (counted, shown in the event log), never thrown away.
 */
import { AgentHost } from '../agents/host.ts'
import { builtinManifest, isBuiltinKind } from '../agents/builtin/index.ts'
import { statementToRecord } from '../agents/builtin/researcher.ts'
import { GraphRetriever } from '../agents/graph-retrieval.ts'
import { createChatClient, type ChatClient } from '../agents/llm-client.ts'
import { createAgentRuntime } from '../agents/runtime/agent-runtime.ts'
import { loadAgentSettings, resolveModel } from '../agents/settings.ts'
import type { BuiltinKind, GraphHit, GraphListFilter } from '../agents/types.ts'
import { createWorkerEmbedder, type WorkerEmbedder } from '../match/embedding-client.ts'
import { calibrationFor } from '../match/score.ts'
import { claimsStatus, EntityProofs } from '../coord/entity-proof.ts'
import type { TaskSnapshot } from '../coord/engine.ts'
import type { Entity, KnowledgeGraph } from '../graph/index.ts'
import type { MeshNode } from '../net/mesh-node.ts'
import { meshView } from './mesh-view.ts'
import type { OpenGraph } from './graph-boot.ts'

/** Every tab runs one of each; the LLM agent only when the person configured an endpoint. */
export const DEFAULT_BUILTINS: readonly BuiltinKind[] = ['calculator', 'summariser', 'researcher', 'js-runner', 'verifier', 'planner']

/**
 * Entities the coordination layer records for its own bookkeeping (src/coord/graph-recorder.ts):
 * task threads, alert threads and results not yet verified (a verified result is also recorded as
 * a fact, tagged 'result' and 'verified', which stays searchable). A statement a person told the room
 * to record (the researcher's `graph.record` result) is knowledge as soon as it is recorded: a
 * hypothesis until verified, which the researcher quotes as such; so is what a person said before a
 * question ({@link toldStatements}).
 */
export function isBookkeeping (e: Pick<Entity, 'kind' | 'tags' | 'title' | 'data'>): boolean {
  const tags = e.tags ?? []
  return tags.includes('task') || tags.includes('subtask') || tags.includes('alerts') || tags.includes('reputation') ||
    (tags.includes('result') && e.kind !== 'fact' && !isRecordedStatement(e) && toldStatements(e) === undefined)
}

/**
 * What a person told the room before a question, kept with the researcher's answer to it
 * ("The standup is at 9:30 every weekday. When is the standup?"): the statements the graph did not
 * already hold (its `remember`; `byWord` in answers written before that). The answer itself stays
 * a hypothesis nobody can check, but what was said is knowledge for the next question ("When is
 * the standup?"), as a statement told to be recorded is. Before, it was bookkeeping, and nobody bid
 * on the next question. Undefined for any other entity.
 */
export function toldStatements (e: Pick<Entity, 'kind' | 'tags' | 'data'>): string[] | undefined {
  if (e.kind !== 'hypothesis' || !(e.tags ?? []).includes('result')) return undefined
  const result = e.data?.result
  const output = typeof result === 'object' && result !== null && !Array.isArray(result) ? result.output : undefined
  if (typeof output !== 'object' || output === null || Array.isArray(output)) return undefined
  const said = Array.isArray(output.remember) ? output.remember : Array.isArray(output.byWord) ? output.byWord : []
  const statements = said.filter((x): x is string => typeof x === 'string' && x.trim() !== '')
  return statements.length > 0 ? statements : undefined
}

/**
 * Whether `e` is the result of a task that told the room a statement to record ("Remember that ...":
 * its title is "Result: <request>", or "Verified: <request>" once verified).
 */
function isRecordedStatement (e: Pick<Entity, 'tags' | 'title'>): boolean {
  if (!(e.tags ?? []).includes('result') || e.title === undefined) return false
  // Read once per title: every graph search reads every result entity this way (up to three times),
  // and reading a plain statement (record-ask.ts) costs about 10 µs.
  let recorded = recordedTitles.get(e.title)
  if (recorded === undefined) {
    if (recordedTitles.size >= MAX_CACHED) recordedTitles.clear()
    recorded = statementToRecord(e.title.replace(/^(?:Result|Verified): /, '')) !== undefined
    recordedTitles.set(e.title, recorded)
  }
  return recorded
}
const recordedTitles = new Map<string, boolean>()
/** Entries a per-entity reading cache keeps before it starts again. */
const MAX_CACHED = 20_000

/**
 * A verified answer the researcher gave from the graph ("According to the graph, ... [id]"): it only
 * quotes entities the graph holds itself, so it is not knowledge to answer from again. Before, "What
 * did we decide about peer links?" was answered by quoting such an answer, which quoted another
 * (the result's producer skill is on the result it verifies, coord/graph-recorder.ts). So is a
 * listing ("List the decisions we made"): "What did we decide about the relay?" quoted one.
 */
export function quotesTheGraph (e: Pick<Entity, 'kind' | 'tags' | 'data'>, get: (id: string) => Pick<Entity, 'data'> | undefined): boolean {
  if (e.kind !== 'fact' || !(e.tags ?? []).includes('result')) return false
  const result = e.data?.result
  if (typeof result !== 'string') return false
  // Read once per result (every search reads every verified result this way); a result not here yet is asked again.
  let quotes = answeredFromGraph.get(result)
  if (quotes === undefined) {
    const r = get(result)
    if (r === undefined) return false
    if (answeredFromGraph.size >= MAX_CACHED) answeredFromGraph.clear()
    quotes = typeof r.data?.skillId === 'string' && QUOTING_SKILLS.has(r.data.skillId)
    answeredFromGraph.set(result, quotes)
  }
  return quotes
}
/**
 * What agents read of the graph as knowledge, by search or by listing: neither the mesh's bookkeeping
 * ({@link isBookkeeping}) nor answers that only quote the graph ({@link quotesTheGraph}).
 */
export function isKnowledge (e: Pick<Entity, 'kind' | 'tags' | 'title' | 'data'>, get: (id: string) => Pick<Entity, 'data'> | undefined): boolean {
  return !isBookkeeping(e) && !quotesTheGraph(e, get)
}

/**
 * The researcher's skills whose answers are not knowledge to answer from: its answers and its listings
 * (graph-listing.ts) only quote the graph, and its reports on the mesh (mesh-status.ts) say what one
 * tab saw at one moment ("7 agents are online").
 */
const QUOTING_SKILLS = new Set(['graph.answer', 'graph.lookup', 'mesh.status'])
const answeredFromGraph = new Map<string, boolean>()

export interface StartedAgents {
  host: Promise<AgentHost>
  /** Resolves with the host once this tab's built-ins (and earlier custom agents) run. */
  started: Promise<AgentHost>
  /** Resolves when the built-ins run and the model is loaded. */
  ready: Promise<void>
  /** Where `ctx.mesh.status()` reads the tasks of the room from: the coordination engine, once it runs. */
  setTaskSource: (source: () => readonly TaskSnapshot[]) => void
}

/**
 * The request a task's verified result answers (a fact tagged `result`, titled "Verified: <request>"),
 * or a mission's solution (tagged `mission`, titled with its request), or undefined for any other
 * entity. Such an entity answers that request only: a mission's solution had been quoted as the answer
 * to "If I drive 450 km and my car uses 6.5 litres per 100 km, how much fuel do I need?" because it
 * converted miles to kilometres.
 */
export function answeredRequest (e: Pick<Entity, 'kind' | 'tags' | 'title'>): string | undefined {
  if (e.kind === 'solution' && (e.tags ?? []).includes('mission') && e.title !== undefined && e.title.trim() !== '' && !/^Mission /.test(e.title)) return e.title.trim()
  if (e.kind !== 'fact' || !(e.tags ?? []).includes('result') || e.title === undefined || isRecordedStatement(e)) return undefined
  const request = e.title.replace(/^Verified: /, '').trim()
  return request === '' ? undefined : request
}

/**
 * An entity as agents see it (`GraphHit` without the score). Its text is its title (if any) and text;
 * a verified result's "<request>: <answer>" (`answers` names the request); a recorded statement's
 * text alone, since its title is only the request that told it ("Result: Remember that ..."); what a
 * person told before a question, the statements alone ({@link toldStatements}).
 */
export function agentView (e: Entity): Omit<GraphHit, 'score'> & { updatedAt: number, createdAt: number } {
  const answers = answeredRequest(e)
  const told = answers === undefined ? toldStatements(e) : undefined
  const text = answers !== undefined ? `${answers}: ${e.text}`
    : told !== undefined ? told.map(x => /[.!?]$/.test(x.trim()) ? x.trim() : `${x.trim()}.`).join(' ')
      : e.title === undefined || isRecordedStatement(e) ? e.text : `${e.title}: ${e.text}`
  return { id: e.id, kind: e.kind, text, status: e.status, confidence: e.confidence, updatedAt: e.provenance.updatedAt, createdAt: e.provenance.createdAt, ...(answers !== undefined ? { answers } : {}) }
}

/**
 * {@link agentView} with the status signatures prove (coord/entity-proof.ts) instead of the written
 * one: anyone in the room can write "verified", so agents (the researcher's "(verified)", the
 * verifier's weighing of evidence) go by what a peer's signed attestation, or a result's signed
 * votes, prove. `get` reads other entities (a result's task thread).
 */
export function provenView (e: Entity, proofs: EntityProofs, get: (id: string) => Entity | undefined): Omit<GraphHit, 'score'> & { updatedAt: number, createdAt: number } {
  const view = agentView(e)
  return claimsStatus(e) ? { ...view, status: proofs.prove(e, get).status } : view
}

/**
 * `ctx.graph.list`: the graph's knowledge (what a search reads: no task bookkeeping, no answers that
 * only quote the graph) by kind and status, newest first. Statuses are the ones signatures prove
 * ({@link provenView}), checked newest first only until `limit` entities are found (a check is
 * ~1.5 ms); a retracted entity is listed only when its status is asked for. A question carries the
 * ids of the live entities that answer it.
 */
export function listKnowledge (graph: Pick<KnowledgeGraph, 'view' | 'get' | 'neighbours'>, proofs: EntityProofs, filter: GraphListFilter): GraphHit[] {
  const get = (id: string): Entity | undefined => graph.get(id)
  const kinds = filter.kind === undefined ? undefined : new Set([filter.kind].flat())
  const statuses = filter.status === undefined ? undefined : new Set([filter.status].flat())
  const limit = filter.limit ?? 50
  const candidates: Array<Readonly<Entity>> = []
  for (const e of graph.view().entities) {
    if (kinds !== undefined && !kinds.has(e.kind)) continue
    if (!isKnowledge(e, get)) continue
    candidates.push(e)
  }
  candidates.sort((a, b) => b.provenance.createdAt - a.provenance.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
  const out: GraphHit[] = []
  for (const e of candidates) {
    if (out.length >= limit) break
    const view = provenView(e as Entity, proofs, get)
    if (statuses === undefined ? view.status === 'retracted' : !statuses.has(view.status)) continue
    out.push(withAnswers(graph, e, { ...view, score: 1 }))
  }
  return out
}

/**
 * A question or a conflict with the ids of the live entities that answer it (edges `answers`): a
 * question's answers, the decision that settles a conflict. Other hits unchanged.
 */
export function withAnswers (graph: Pick<KnowledgeGraph, 'neighbours'>, e: Pick<Entity, 'id' | 'kind'>, hit: GraphHit): GraphHit {
  if (e.kind !== 'question' && e.kind !== 'conflict') return hit
  const answeredBy = graph.neighbours(e.id, { type: 'answers', direction: 'in' }).filter(n => n.entity !== undefined && n.entity.status !== 'retracted').map(n => n.edge.from)
  return { ...hit, answeredBy }
}

export function startAgents (node: MeshNode, graphOpened: Promise<OpenGraph>, serverModel: string | undefined): StartedAgents {
  const settings = loadAgentSettings()
  const { model, problems } = resolveModel({ url: new URLSearchParams(location.search).get('model'), settings: settings.model, server: serverModel })
  for (const p of problems) node.report('config', 'bad-model', p)

  let host: AgentHost | undefined
  // The tasks `ctx.mesh.status()` lists: the coordination engine's, once it starts (setTaskSource).
  let taskSource: (() => readonly TaskSnapshot[]) | undefined
  const loadStarted = performance.now()
  const files: Record<string, { loaded: number, total: number }> = {}
  const embedder: Promise<WorkerEmbedder> = createWorkerEmbedder({ model }, p => {
    files[p.file] = { loaded: p.loaded, total: p.total }
    host?.setModel({ files: { ...files }, progress: p.progress / 100 })
  })
  embedder.then(e => {
    if (e.fellBackFrom !== undefined) node.report('agents', 'model-fallback', `${e.fellBackFrom.model} could not be loaded (${e.fellBackFrom.reason}); using the embedded model`)
  }, err => { node.report('agents', 'model-failed', `the embedding model ${model} could not be loaded: ${(err as Error).message}`) })

  let chat: ChatClient | undefined
  if (settings.llm !== undefined) chat = createChatClient(settings.llm)

  const hostReady = graphOpened.then(async opened => {
    const graph = opened.graph
    const proofs = new EntityProofs()
    const get = (id: string): Entity | undefined => graph.get(id)
    let retriever: GraphRetriever | undefined
    const graphSearch = async (text: string, k: number): Promise<GraphHit[]> => {
      const e = await embedder
      retriever ??= new GraphRetriever({ embed: async t => await e.embed(t), calibration: calibrationFor(e.modelId) })
      // The mesh's own bookkeeping (task threads, unverified results) is not knowledge to answer
      // from: a researcher would find the question itself. Verified results become facts, but for
      // the researcher's own answers, which only quote the graph.
      // Statuses are checked against their signatures for what is returned only (a signature check
      // is ~1.5 ms), and for retracted entities before ranking (few), so a retraction written in
      // another's name hides nothing.
      const entities = graph.list().filter(x => isKnowledge(x, get)).map(x => x.status === 'retracted' ? provenView(x, proofs, get) : agentView(x))
      const hits = await retriever.search(text, entities, { k })
      return hits.map(h => {
        const e = graph.get(h.id)
        return e === undefined || e.status === 'retracted' ? h : withAnswers(graph, e, { ...h, status: provenView(e, proofs, get).status })
      })
    }
    const runtime = createAgentRuntime({
      services: {
        embed: async texts => await (await embedder).embed(texts),
        graphSearch,
        graphGet: async id => { const e = graph.get(id); return e === undefined ? undefined : { ...provenView(e, proofs, get), score: 1 } },
        graphList: async filter => listKnowledge(graph, proofs, filter),
        meshStatus: async () => {
          if (host === undefined) throw new Error('the agent host is not ready yet')
          return meshView({ peerId: node.peerId, peers: node.peers(), agents: host.list(), tasks: taskSource?.() ?? [], now: Date.now() })
        },
        meshMatch: async (capability, k) => {
          if (host === undefined) throw new Error('the agent host is not ready yet')
          return (await host.match(capability, k)).map(m => ({ agentId: m.agentId, peerId: m.peerId, skillId: m.skillId, confidence: m.confidence }))
        },
        llm: async request => {
          if (chat === undefined) throw new Error('no LLM endpoint is configured: set one in Settings (base URL and model of an OpenAI-compatible API)')
          return await chat.chat(request)
        },
        llmAvailable: () => chat !== undefined
      }
    })
    host = new AgentHost({
      peerId: node.peerId,
      registry: opened.registry,
      runner: runtime,
      embedder,
      model,
      livePeers: () => node.peerIds(),
      builtinManifest,
      searchGraph: graphSearch
    })
    host.on('problem', p => { node.report('agents', p.code, p.message) })
    // Presence changes which agents are online.
    const touch = (): void => { host?.refreshPresence() }
    node.on('peer:join', touch)
    node.on('peer:leave', touch)
    embedder.then(e => {
      host?.setModel({ state: 'ready', modelId: e.modelId, dims: e.dims, ...(e.fellBackFrom !== undefined ? { fellBackFrom: e.fellBackFrom } : {}), progress: 1, loadMs: Math.round(performance.now() - loadStarted) })
    }, err => { host?.setModel({ state: 'failed', error: (err as Error).message }) })
    return host
  })

  const kinds = chooseBuiltins(new URLSearchParams(location.search).get('agents'), settings.llm !== undefined, p => { node.report('config', 'bad-agents', p) })
  const started = hostReady.then(async h => { await h.startDefaults(kinds); return h })
  const ready = started.then(async h => {
    await embedder
    await h.indexed()
  })
  ready.catch(err => { node.report('agents', 'start-failed', `the agents could not start: ${(err as Error).message}`) })
  return { host: hostReady, started, ready, setTaskSource: source => { taskSource = source } }
}

/**
 * Which built-ins this tab runs: `?agents=calculator,summariser` (or `none`) picks them, e.g. to
 * give tabs different skills; default all of DEFAULT_BUILTINS, plus the LLM agent when configured.
 */
export function chooseBuiltins (param: string | null, llm: boolean, problem: (message: string) => void): BuiltinKind[] {
  const all: BuiltinKind[] = llm ? [...DEFAULT_BUILTINS, 'llm'] : [...DEFAULT_BUILTINS]
  if (param === null || param.trim() === '') return all
  if (param.trim() === 'none') return []
  const out: BuiltinKind[] = []
  for (const raw of param.split(',').map(x => x.trim()).filter(Boolean)) {
    if (!isBuiltinKind(raw)) { problem(`?agents: unknown built-in ${JSON.stringify(raw.slice(0, 40))} (known: ${[...DEFAULT_BUILTINS, 'llm'].join(', ')}); ignored`); continue }
    if (raw === 'llm' && !llm) { problem('?agents: the llm agent needs an LLM endpoint in Settings; ignored'); continue }
    if (!out.includes(raw)) out.push(raw)
  }
  return out
}
