/**
 * The contract between agents, the runtime that hosts them, and the tab that owns the runtime.
 *
 * An agent is a handler `async (task, ctx) => result` that runs inside a Web Worker. Built-in agents
 * (src/agents/builtin/) share a pool of workers; custom code from a person runs in a worker of its
 * own. Everything an agent may do beyond pure computation goes through `ctx`, whose methods the host
 * tab implements on the main thread (they cross the worker boundary through comlink).
 */
import type { AgentManifest } from './manifest.ts'

/** What an agent is asked to do. JSON-serialisable (it crosses worker and network boundaries). */
/** An IANA time zone name as written ("Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+5"). */
const TIME_ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/

/** Whether `value` is shaped as an IANA time zone name of at most 64 characters (whether a runtime knows it is another matter). */
export function isTimeZoneName (value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && TIME_ZONE_NAME.test(value)
}

export interface AgentTask {
  /** Task id, unique in the room. Sub-tasks get `${parent}/${n}`. */
  id: string
  /** The request in words. */
  text: string
  /** Structured input, e.g. the outputs of the tasks this one depends on, keyed by their id. */
  input?: unknown
  /** The skill the agent won the task with, when it came through the mesh. */
  skillId?: string
  /**
   * The IANA time zone of the person who asked ("Europe/Berlin"), when the task came through the
   * mesh: "today" and "now" are theirs, not the agent's peer's.
   */
  timeZone?: string
  /**
   * The peer id of the tab the task was asked on (its owner), when it came through the mesh: "my tab"
   * and "your" are that tab's, not the agent's peer's.
   */
  askedOn?: string
}

/** A vote on a claim, as a verifier agent gives it. */
export interface Verdict {
  vote: 'support' | 'dispute' | 'abstain'
  /** 0..1. */
  confidence: number
  reason: string
  /** Graph entity ids the vote rests on. */
  evidence?: string[]
}

/** One subtask of a plan. `dependsOn` names other subtasks of the same plan by `id`. */
export interface PlannedSubtask {
  id: string
  text: string
  dependsOn: string[]
}

/** The fields of an {@link AgentResult}: what an agent may return, and what a result message may carry (one list for both). */
export const AGENT_RESULT_KEYS = ['text', 'output', 'working', 'citations', 'contradicts', 'settles', 'verdict', 'plan'] as const

/** What an agent returns. JSON-serialisable. */
export interface AgentResult {
  /** The answer for a person to read. Always present (the runtime fills it from `output` if a custom agent omits it). */
  text: string
  /** Structured output handed to dependent tasks. */
  output?: unknown
  /** Steps that show how the answer was reached (the calculator's working, the runner's console, ...). */
  working?: string[]
  /** Graph entity ids the answer relies on. */
  citations?: string[]
  /**
   * Graph entity ids the answer states the opposite of, as its producer read them (the researcher
   * recording "The login bug is not caused by the cache TTL." against the graph's "... is caused by
   * ..."). The mesh relates the result to each (`contradicts`) and raises a conflict for the room.
   */
  contradicts?: string[]
  /**
   * Graph entity ids a decision settles, as its producer read them: each conflict between statements
   * it takes a side in (the mesh relates the result as `answers` to it, and the conflict is settled),
   * and each statement it says the opposite of (related `contradicts`, with no conflict raised: the
   * room decided otherwise). The researcher recording "Decision: the login bug is caused by the cache
   * TTL." while the room holds both that and "... is not caused ..." in conflict.
   */
  settles?: string[]
  /** Set by verifiers. */
  verdict?: Verdict
  /** Set by planners. */
  plan?: { subtasks: PlannedSubtask[] }
}

/** A graph entity as agents see it: a read-only, plain projection. */
export interface GraphHit {
  id: string
  kind: string
  text: string
  status: string
  confidence: number
  /** Relevance to the query, higher is better (cosine for semantic retrieval). */
  score: number
  /** When the entity last changed (epoch ms), where the graph says. */
  updatedAt?: number
  /** When the entity was recorded (epoch ms, the recording peer's clock), where the graph says. */
  createdAt?: number
  /**
   * Set on a task's verified result: the request it answers. `text` is then "<request>: <answer>".
   * Such an entity answers that request only: a different number in it says nothing against the
   * answer to another ("Convert 3.5 hours to minutes: 210 minutes" against "604800 seconds").
   */
  answers?: string
  /**
   * Set on a question or a conflict: the ids of the live entities that answer it (edges `answers`);
   * empty while it is open. A conflict between statements is answered by the decision that settles it.
   */
  answeredBy?: string[]
}

/** What `ctx.graph.list` selects: the graph's knowledge (not the mesh's task bookkeeping), newest first. */
export interface GraphListFilter {
  kind?: string | string[]
  /** Retracted entities are listed only when asked for by this status. */
  status?: string | string[]
  /** At most this many (1-200, default 50). */
  limit?: number
}

/** A tab of the room as `ctx.mesh.status()` lists it: this one (`self`) and the peers it hears from now. */
export interface MeshPeer {
  peerId: string
  self: boolean
  /** How this tab reaches it ('webrtc', 'websocket', 'relayed'); absent for itself. */
  transport?: string
  /** Round trip from this tab, ms, when measured. */
  rttMs?: number
}

/** An agent of the room as `ctx.mesh.status()` lists it (from the room's agent registry). */
export interface MeshAgent {
  agentId: string
  /** Its manifest's name ("Calculator"). */
  name: string
  /** A built-in kind, or 'custom'. */
  kind: string
  peerId: string
  /** Its peer is present now (this tab, or one it hears from). */
  online: boolean
  /** As its peer last recorded it: 'idle', 'working', 'failed', ... */
  state: string
  running: number
  completed: number
  failures: number
  skills: Array<{ id: string, name: string }>
  /** Per skill it has a record for: the award factor (0.5..1.5, 1 neutral), and the verified and disputed results. */
  reputation: Record<string, { factor: number, verified: number, disputed: number }>
}

/** A task of the room as `ctx.mesh.status()` lists it, as this tab's coordination engine knows it. */
export interface MeshTask {
  id: string
  text: string
  /** As A2A names it: 'submitted', 'working', 'input-required', 'completed', 'failed', 'canceled', 'rejected', or 'unassigned' (nobody took it). */
  state: string
  agentId?: string
  skillId?: string
  submittedAt: number
  endedAt?: number
  /** The result's text, cut to 300 characters. */
  answer?: string
  /** 'verified', 'disputed', 'pending', 'unverified', when the result has a verification. */
  verification?: string
  /** Why it failed or was canceled. */
  reason?: string
}

/** The mesh as the host tab sees it now (tool `mesh.read`). */
export interface MeshView {
  /** When it was read (epoch ms). */
  at: number
  /** The host tab's peer id. */
  peerId: string
  /** This tab first, then the peers it hears from. */
  peers: MeshPeer[]
  /** Every agent the registry lists, online or not. */
  agents: MeshAgent[]
  /** Tasks this tab knows, newest first (at most {@link MAX_MESH_TASKS}); empty before coordination starts. */
  tasks: MeshTask[]
}

/** The most tasks `ctx.mesh.status()` lists. */
export const MAX_MESH_TASKS = 200

/** An agent's best skill for a capability, as the mesh's bidding would rank it (`ctx.mesh.match`). */
export interface MeshMatch {
  agentId: string
  peerId: string
  skillId: string
  /** Calibrated 0..1, the scale bids use (0.45 is the least a bid takes). */
  confidence: number
  /**
   * Whether the agent would bid on the capability asked as a request, by the bid rules (its tab's, as
   * the host tab sees them): then `confidence` and `skillId` are its bid's. False for an agent whose
   * skill words are near but that would not bid (below 0.45, or left out by a rule).
   */
  bids: boolean
}

/** OpenAI-compatible chat completion request (the subset agents use). */
export interface ChatRequest {
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[]
  temperature?: number
  maxTokens?: number
}

export interface ChatResponse {
  text: string
  model: string
  usage?: { promptTokens: number; completionTokens: number }
}

/**
 * Services of the host tab. All asynchronous because they cross the worker boundary.
 * A service the agent's manifest does not list in `tools` throws `AgentToolError`.
 */
export interface AgentContext {
  readonly agentId: string
  /** Aborted when the task is cancelled or times out. */
  readonly signal: AbortSignal
  /** Reports progress 0..1 with an optional note; shown in the UI. */
  progress(fraction: number, note?: string): void
  log(message: string): void
  /** Sentence embeddings from the tab's embedding worker (L2-normalised). */
  embed(texts: string[]): Promise<Float32Array[]>
  /** Read-only queries of the room's knowledge graph (tool `graph.read`). */
  graph: {
    search(text: string, k?: number): Promise<GraphHit[]>
    get(id: string): Promise<GraphHit | undefined>
    /** Entities by kind and status, newest first (`score` is 1); questions carry `answeredBy`. */
    list(filter?: GraphListFilter): Promise<GraphHit[]>
  }
  /** What the host tab sees of the mesh (tool `mesh.read`): its tabs, the room's agents, the tasks it knows. */
  mesh: {
    status(): Promise<MeshView>
    /**
     * The online agents for `capability` as bidding ranks them, one skill each: those that would bid
     * (`bids`) first, by their bid, then the nearest by skill words (`k` 1-50, default 10).
     */
    match(capability: string, k?: number): Promise<MeshMatch[]>
  }
  /** True when the person configured an OpenAI-compatible endpoint. */
  readonly llmAvailable: boolean
  /** Chat with the configured endpoint (tool `llm`). */
  llm(request: ChatRequest): Promise<ChatResponse>
  /** Runs a sub-agent of a built-in kind within the manifest's `maxSubAgents` / `maxDepth` (tool `spawn`). */
  spawn(kind: BuiltinKind, task: AgentTask): Promise<AgentResult>
  /**
   * Asks a question (`to`: a person at any tab of the room, the default, or the mesh) and resolves
   * with the answer. Through the mesh the task is `input-required` until someone answers; the
   * task's timeout does not run meanwhile. Rejects when the task is cancelled, when the task was
   * not submitted through the mesh (a direct run has nobody to ask), and on text that is blank or
   * over {@link MAX_CONSULT_CHARS} characters (TypeError).
   */
  ask(text: string, options?: { to?: AskAudience }): Promise<string>
  /** Raises an alert on the task (fire-and-forget; default severity `warning`). Bad text throws a TypeError. */
  alert(text: string, severity?: AlertSeverity): void
  /**
   * Gives the task up for a better-matched agent (optionally naming one): throws, and the task ends
   * as a handoff even if the agent catches that and returns something. `run` rejects with an
   * {@link AgentRunError} of code `handoff` whose `handoff` carries the reason.
   */
  handOff(reason: string, toAgentId?: string): never
}

/** Who a question is for: a person at any tab, or the mesh (its agents and people). */
export type AskAudience = 'person' | 'mesh'
export type AlertSeverity = 'info' | 'warning' | 'critical'
/** Longest question, alert text or handoff reason an agent may give. */
export const MAX_CONSULT_CHARS = 2000

/** Why and to whom an agent handed its task off. */
export interface Handoff {
  reason: string
  toAgentId?: string
}

/**
 * How a running task reaches people and the mesh: the host side of `ctx.ask` and `ctx.alert`,
 * passed by whoever runs the task (the coordination engine's hooks, for tasks of the mesh). A run
 * without one has nobody to ask: `ctx.ask` rejects, alerts only go to the runtime's log.
 */
export interface Consultation {
  /** Resolves with the answer; may take minutes (a person is typing). */
  ask(text: string, to: AskAudience): Promise<string>
  alert(text: string, severity: AlertSeverity): void
}

export type AgentHandler = (task: AgentTask, ctx: AgentContext) => Promise<AgentResult>

export const BUILTIN_KINDS = ['calculator', 'summariser', 'researcher', 'js-runner', 'verifier', 'planner', 'llm'] as const
export type BuiltinKind = typeof BUILTIN_KINDS[number]

/** A built-in agent: its manifest and its handler. */
export interface BuiltinAgent {
  kind: BuiltinKind
  manifest: AgentManifest
  handler: AgentHandler
}

/** Lifecycle of an agent as the runtime reports it. */
export type AgentState = 'starting' | 'idle' | 'working' | 'failed' | 'stopped'

/** How an agent came to exist: a built-in kind, or custom source written by a person. */
export type AgentSpec =
  | { kind: BuiltinKind; manifest?: AgentManifest }
  | { source: string; manifest: AgentManifest; author: string }

export interface AgentStatus {
  id: string
  manifest: AgentManifest
  /** Built-in kind, or 'custom'. */
  kind: BuiltinKind | 'custom'
  state: AgentState
  /** Tasks running now. */
  running: number
  completed: number
  failures: number
  restarts: number
  /** Last error, crash or timeout, for the UI. */
  lastError?: string
}

/** Thrown by `AgentRuntime.run`; `code` says why. Code `handoff` (the agent called `ctx.handOff`) carries `handoff`. */
export class AgentRunError extends Error {
  constructor (
    readonly code: 'timeout' | 'cancelled' | 'crashed' | 'failed' | 'busy' | 'stopped' | 'unknown-agent' | 'bad-result' | 'limit' | 'handoff',
    message: string,
    readonly handoff?: Handoff
  ) {
    super(message)
    this.name = 'AgentRunError'
  }
}

/** Thrown inside an agent when it calls a service its manifest does not allow. */
export class AgentToolError extends Error {
  constructor (readonly tool: string, message: string) {
    super(message)
    this.name = 'AgentToolError'
  }
}
