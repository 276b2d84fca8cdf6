/**
 * Starts a tab's agents: the embedding worker (with load progress), the worker runtime and the
 * services it lends agents (embeddings, graph search, the person's LLM endpoint), the AgentHost
 * over the room's registry, and this tab's built-in agents. Problems are reported on the node
 * (counted, shown in the event log), never thrown away.
 */
import { AgentHost } from '../agents/host.ts'
import { builtinManifest, isBuiltinKind } from '../agents/builtin/index.ts'
import { GraphRetriever } from '../agents/graph-retrieval.ts'
import { createChatClient, type ChatClient } from '../agents/llm-client.ts'
import { createAgentRuntime } from '../agents/runtime/agent-runtime.ts'
import { loadAgentSettings, resolveModel } from '../agents/settings.ts'
import type { BuiltinKind } from '../agents/types.ts'
import { createWorkerEmbedder, type WorkerEmbedder } from '../match/embedding-client.ts'
import { calibrationFor } from '../match/score.ts'
import { EntityProofs } from '../coord/entity-proof.ts'
import type { TaskSnapshot } from '../coord/engine.ts'
import type { Entity } from '../graph/index.ts'
import type { MeshNode } from '../net/mesh-node.ts'
import { knowledgeSearch, listKnowledge, provenView } from './knowledge.ts'
import { meshMatches, meshView, type Offer } from './mesh-view.ts'
import type { OpenGraph } from './graph-boot.ts'

/** Every tab runs one of each; the LLM agent only when the person configured an endpoint. */
export const DEFAULT_BUILTINS: readonly BuiltinKind[] = ['calculator', 'summariser', 'researcher', 'js-runner', 'verifier', 'planner']

export interface StartedAgents {
  host: Promise<AgentHost>
  /** Resolves with the host once this tab's built-ins (and earlier custom agents) run. */
  started: Promise<AgentHost>
  /** Resolves when the built-ins run and the model is loaded. */
  ready: Promise<void>
  /** Where `ctx.mesh.status()` reads the tasks of the room from: the coordination engine, once it runs. */
  setTaskSource: (source: () => readonly TaskSnapshot[]) => void
  /** Where `ctx.mesh.match()` asks who would bid on a request: the coordination layer's bid rules, once it runs. */
  setBidSource: (source: (request: string) => Promise<readonly Offer[]>) => void
}


export function startAgents (node: MeshNode, graphOpened: Promise<OpenGraph>, serverModel: string | undefined): StartedAgents {
  const settings = loadAgentSettings()
  const { model, problems } = resolveModel({ url: new URLSearchParams(location.search).get('model'), settings: settings.model, server: serverModel })
  for (const p of problems) node.report('config', 'bad-model', p)

  let host: AgentHost | undefined
  // The tasks `ctx.mesh.status()` lists: the coordination engine's, once it starts (setTaskSource).
  let taskSource: (() => readonly TaskSnapshot[]) | undefined
  // Who would bid on a request (`ctx.mesh.match`): the coordination layer's bid rules, once it starts (setBidSource).
  let bidSource: ((request: string) => Promise<readonly Offer[]>) | undefined
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
    const graphSearch = knowledgeSearch(graph, proofs, async () => {
      const e = await embedder
      return (retriever ??= new GraphRetriever({ embed: async t => await e.embed(t), calibration: calibrationFor(e.modelId) }))
    })
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
          return meshMatches(k, await host.match(capability, k), await bidSource?.(capability))
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
  return { host: hostReady, started, ready, setTaskSource: source => { taskSource = source }, setBidSource: source => { bidSource = source } }
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
