/**
 * An AgentContext for calling built-in handlers directly in tests: services are plain functions
 * the test passes in; progress and log calls are recorded. A service a test does not provide
 * throws, as the runtime does for a tool the manifest does not list.
 */
import path from 'node:path'
import { buildModel, DEFAULT_OUT_DIR } from '../../../scripts/model/build.mjs'
import { createEmbedder, EMBEDDED_MODEL, type LoadedEmbedder } from '../../../src/match/embedder.ts'
import type { AgentContext, AgentResult, AgentTask, BuiltinKind, ChatRequest, ChatResponse, GraphHit, GraphListFilter, MeshMatch, MeshView } from '../../../src/agents/types.ts'
import { AgentToolError } from '../../../src/agents/types.ts'
import { GraphRetriever, type RetrievableEntity } from '../../../src/agents/graph-retrieval.ts'

export interface TestContext extends AgentContext {
  readonly logs: string[]
  readonly progressReports: { fraction: number, note?: string }[]
  readonly llmRequests: ChatRequest[]
  readonly searches: { text: string, k?: number }[]
  abort(reason?: unknown): void
}

export interface TestServices {
  embed?: (texts: string[]) => Promise<Float32Array[]>
  search?: (text: string, k?: number) => Promise<GraphHit[]>
  get?: (id: string) => Promise<GraphHit | undefined>
  list?: (filter?: GraphListFilter) => Promise<GraphHit[]>
  meshStatus?: () => Promise<MeshView>
  meshMatch?: (capability: string, k?: number) => Promise<MeshMatch[]>
  llm?: (request: ChatRequest) => Promise<ChatResponse>
  spawn?: (kind: BuiltinKind, task: AgentTask) => Promise<AgentResult>
}

export function testContext (services: TestServices = {}): TestContext {
  const controller = new AbortController()
  const logs: string[] = []
  const progressReports: { fraction: number, note?: string }[] = []
  const llmRequests: ChatRequest[] = []
  const searches: { text: string, k?: number }[] = []
  const missing = (tool: string) => () => Promise.reject(new AgentToolError(tool, `the test gave no ${tool}`))
  return {
    agentId: 'test-agent',
    signal: controller.signal,
    logs,
    progressReports,
    llmRequests,
    searches,
    abort: (reason?: unknown) => controller.abort(reason),
    progress (fraction, note) {
      progressReports.push(note === undefined ? { fraction } : { fraction, note })
    },
    log (message) {
      logs.push(message)
    },
    embed: services.embed ?? missing('embed'),
    graph: {
      search: services.search === undefined
        ? missing('graph.read')
        : async (text, k) => {
          searches.push(k === undefined ? { text } : { text, k })
          return await services.search!(text, k)
        },
      get: services.get ?? missing('graph.read'),
      list: services.list ?? missing('graph.read')
    },
    mesh: {
      status: services.meshStatus ?? missing('mesh.read'),
      match: services.meshMatch ?? missing('mesh.read')
    },
    llmAvailable: services.llm !== undefined,
    llm: services.llm === undefined
      ? missing('llm')
      : async (request) => {
        llmRequests.push(request)
        return await services.llm!(request)
      },
    spawn: services.spawn ?? missing('spawn'),
    // As in a direct run: nobody to ask; alerts are logged; a handoff throws.
    ask: async () => { throw new Error('ask: this task has nobody to ask (it was not submitted through the mesh)') },
    alert (text, severity = 'warning') { logs.push(`alert (${severity}): ${text}`) },
    handOff (reason) { throw new Error(`handed off: ${reason}`) }
  }
}

let embedder: Promise<LoadedEmbedder> | undefined

/** The real embedded model (built once if missing), shared by the tests of one file. */
export function realEmbedder (): Promise<LoadedEmbedder> {
  embedder ??= (async () => {
    await buildModel({ log: () => {} })
    return await createEmbedder({ model: EMBEDDED_MODEL, embeddedModelPath: path.dirname(DEFAULT_OUT_DIR) + '/' })
  })()
  return embedder
}

/** A graph entity as the retriever takes it (all updated at one fixed time). */
export function retrievable (id: string, kind: string, text: string, status: string, confidence: number): RetrievableEntity {
  return { id, kind, text, status, confidence, updatedAt: 1_700_000_000_000 }
}

function hitOf (e: RetrievableEntity): GraphHit {
  return { id: e.id, kind: e.kind, text: e.text, status: e.status, confidence: e.confidence, score: 1, updatedAt: e.updatedAt, ...(e.createdAt !== undefined ? { createdAt: e.createdAt } : {}), ...(e.answers !== undefined ? { answers: e.answers } : {}) }
}

/**
 * A context whose `graph.search` is real semantic retrieval over `entities` with `embedder`, and whose
 * `graph.list` lists them as the host does (agents-boot.ts `listKnowledge`): by kind and status,
 * newest first (`createdAt`, else `updatedAt`; ties in the order given, the later first), retracted
 * ones only when asked for; a question's or conflict's `answeredBy` from `answers` (its id →
 * answering ids), in listings and search hits alike, as the host gives it. `graph.get` reads them by id.
 */
export function graphSearchContext (embedder: LoadedEmbedder, entities: readonly RetrievableEntity[], options: { includeRetracted?: boolean, answers?: Record<string, string[]> } = {}): TestContext {
  const { answers, ...retrieval } = options
  const retriever = new GraphRetriever({ embed: (t) => embedder.embed(t), ...retrieval })
  const answered = (e: { id: string, kind: string }): { answeredBy?: string[] } => e.kind === 'question' || e.kind === 'conflict' ? { answeredBy: answers?.[e.id] ?? [] } : {}
  return testContext({
    search: async (text, k) => (await retriever.search(text, [...entities], { k: k ?? 5 })).map((h) => ({ ...h, ...answered(h) })),
    list: async (filter = {}) => {
      const kinds = filter.kind === undefined ? undefined : [filter.kind].flat()
      const statuses = filter.status === undefined ? undefined : [filter.status].flat()
      const at = (e: RetrievableEntity): number => e.createdAt ?? e.updatedAt
      return entities.map((e, i) => ({ e, i }))
        .filter(({ e }) => (kinds === undefined || kinds.includes(e.kind)) && (statuses === undefined ? e.status !== 'retracted' : statuses.includes(e.status)))
        .sort((a, b) => at(b.e) - at(a.e) || b.i - a.i)
        .slice(0, filter.limit ?? 50)
        .map(({ e }) => ({ ...hitOf(e), ...answered(e) }))
    },
    get: async (id) => {
      const e = entities.find((x) => x.id === id)
      return e === undefined ? undefined : hitOf(e)
    }
  })
}
