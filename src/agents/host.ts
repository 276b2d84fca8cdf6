/**
 * The agents side of a tab: it runs this tab's agents (through the worker runtime), publishes them
 * in the room's registry, keeps a capability index of every agent in the room, and answers "who
 * can do this?" on-device with the embedding model.
 *
 *     AgentHost ─ runner (AgentRuntime, Web Workers)   runs local agents
 *               ├ registry (AgentRegistryApi)          every agent of the room, with its peer and status
 *               ├ embedder (embedding worker)          skill and task vectors
 *               └ CapabilityIndex                      skills of all room agents, matched in milliseconds
 *
 * Only the owner writes an agent's record. Status changes reach the registry at most twice a
 * second per agent, so busy agents do not flood the document with changes.
 */
import { parseManifest, type AgentManifest, type Skill as ManifestSkill } from './manifest.ts'
import { agentIdFor, LEARNED_LIMITS, REGISTRY_LIMITS, type AgentRecord, type SkillReputation } from './registry.ts'
import type { AgentRegistryApi, RegistryChange } from './registry-api.ts'
import { RegistryKeeper } from './registry-keeper.ts'
import type { AgentResult, AgentSpec, AgentStatus, AgentTask, BuiltinKind, Consultation, GraphHit } from './types.ts'
import { CapabilityIndex, type Skill } from '../match/capability-index.ts'
import { skillCalibrationFor } from '../match/score.ts'
import type { Embedder } from '../match/embedder.ts'
import { canonicalJson } from '../net/canonical-json.ts'
import { Emitter } from '../net/emitter.ts'
import { ownedBy } from '../net/peer-ids.ts'

/** What the host needs from the worker runtime (src/agents/runtime). */
export interface AgentRunner {
  start: (id: string, spec: AgentSpec) => Promise<AgentStatus>
  run: (id: string, task: AgentTask, options?: { timeoutMs?: number, signal?: AbortSignal, onProgress?: (p: { fraction: number, note?: string }) => void, consult?: Consultation }) => Promise<AgentResult>
  stop: (id: string) => Promise<void> | void
  status: (id: string) => AgentStatus | undefined
  on: (event: 'state', fn: (e: { id: string }) => void) => () => void
}

/** An agent of the room as the API and UI show it. */
export interface AgentView extends AgentRecord {
  /** Runs in this tab. */
  local: boolean
  /** Its peer is here now (this tab, or a peer we hear from). */
  online: boolean
}

export interface AgentMatch {
  agentId: string
  peerId: string
  skillId: string
  /** Calibrated 0..1. */
  confidence: number
  semantic: number
  lexical: number
}

export interface ModelStatus {
  state: 'loading' | 'ready' | 'failed'
  /** What the settings asked for. */
  requested: string
  /** What actually loaded (after any fallback). */
  modelId?: string
  dims?: number
  fellBackFrom?: { model: string, reason: string }
  /** Download progress over every file seen so far, 0..1. */
  progress: number
  /** Files being fetched, with bytes. */
  files: Record<string, { loaded: number, total: number }>
  error?: string
  loadMs?: number
}

export interface RegisterInput {
  /** A manifest object or its JSON text. Optional for built-in kinds (their own manifest is used). */
  manifest?: unknown
  /** A built-in kind. */
  kind?: BuiltinKind
  /** ES module source of a custom agent: `export default async (task, ctx) => result`. */
  source?: string
  /** Who wrote it. Default: 'person at <peer>'. */
  author?: string
}

export class AgentRegisterError extends Error {
  constructor (readonly field: string, reason: string) {
    super(`${field}: ${reason}`)
    this.name = 'AgentRegisterError'
  }
}

// A type alias (not an interface) so it satisfies the emitter's Record constraint.
export type AgentHostEvents = {
  /** The room's agents changed (registered, removed, status). */
  change: { ids: string[] }
  model: ModelStatus
  /**
   * A registration was refused, or an agent of this tab crashed, hung or failed; or the room's
   * registry holds a record that does not count (`record-refused`: malformed, or not signed by the
   * peer it names) or another member changed this peer's records (`record-overwritten`, put right),
   * or the records of a peer that is away (`record-restored`: this tab put back the newest one).
   * Shown in the event log and counted.
   */
  problem: { agentId: string, code: 'bad-manifest' | 'bad-source' | 'start-failed' | 'agent-crashed' | 'agent-failed' | 'index-failed' | 'record-refused' | 'record-overwritten' | 'record-restored', message: string }
}

export interface AgentHostOptions {
  peerId: string
  registry: AgentRegistryApi
  runner: AgentRunner
  /** Resolves with the embedder once the model is loaded. */
  embedder: Promise<Embedder>
  /** Requested model id (for the status before it loads). */
  model: string
  /** Peers we hear from now; their agents count as online. */
  livePeers: () => Iterable<string>
  /** Built-in manifests, by kind (sync; never loads the agents' code). */
  builtinManifest: (kind: BuiltinKind) => AgentManifest
  /** Semantic search over the room's graph, as the agents' `ctx.graph.search` does it. */
  searchGraph?: (text: string, k: number) => Promise<GraphHit[]>
  now?: () => number
}

const STATE_FLUSH_MS = 500
/**
 * At most one registry write per agent in this long while it keeps changing. Every write is synced
 * to and applied by every tab; at a few thousand tasks a minute the per-task status writes (running,
 * completed, reputation, learned) were ~15% of each tab's main thread (bench:coord profile).
 */
const BUSY_FLUSH_MS = 2_500
/** Learned examples per skill an index row set may carry, pooled over identical agents. */
const POOLED_LEARNED = 48
/** Task texts whose vectors are kept (LRU). */
const QUERY_CACHE = 512

/** Texts embedded for a skill: description (led by the name) and each example, one row each. */
export function skillRows (skill: ManifestSkill): string[] {
  return [`${skill.name}. ${skill.description}`, ...skill.examples]
}

export class AgentHost {
  readonly peerId: string
  readonly registry: AgentRegistryApi
  readonly runner: AgentRunner
  readonly #emitter = new Emitter<AgentHostEvents>()
  readonly #opts: AgentHostOptions
  readonly #now: () => number
  #embedder: Embedder | undefined
  #index: CapabilityIndex | undefined
  /** agentId → manifest fingerprint currently in the index. */
  #indexed = new Map<string, string>()
  #indexing: Promise<void> = Promise.resolve()
  #model: ModelStatus
  #dirty = new Map<string, ReturnType<typeof setTimeout>>()
  /** When each agent's record was last written. */
  readonly #flushedAt = new Map<string, number>()
  #queries = new Map<string, Promise<Float32Array>>()
  /** Learned examples of local agents (the latest, written with the next status write). */
  #learned = new Map<string, Record<string, string[]>>()
  /** Reputation of local agents not yet written to the registry. */
  #reputation = new Map<string, Record<string, SkillReputation>>()
  /**
   * What this tab last wrote for each agent it runs: its own copy, so what it writes next never
   * starts from the registry's (which another member of the room may have overwritten or removed).
   */
  readonly #own = new Map<string, AgentRecord>()
  /** Own agents whose record must be written again even if unchanged (someone else changed it). */
  readonly #forced = new Set<string>()
  /** Records refused as read (invalid()), reported once per agent and reason. */
  readonly #refused = new Map<string, string>()
  /** Whether startDefaults has run: until then, records of ours from an earlier session are expected. */
  #started = false
  /** Restart count last seen per local agent, to report each crash once. */
  #restarts = new Map<string, number>()
  #offRegistry: () => void
  #offState: () => void
  /** Puts back the records of peers that are away when another member removes or replaces them. */
  readonly #keeper: RegistryKeeper

  constructor (options: AgentHostOptions) {
    this.#opts = options
    this.peerId = options.peerId
    this.registry = options.registry
    this.runner = options.runner
    this.#now = options.now ?? Date.now
    this.#model = { state: 'loading', requested: options.model, progress: 0, files: {} }
    this.#keeper = new RegistryKeeper({
      registry: this.registry,
      peerId: this.peerId,
      livePeers: options.livePeers,
      now: this.#now,
      onRestore: e => { this.#emitter.emit('problem', { agentId: e.agentId, code: 'record-restored', message: e.message }) }
    })
    this.#offRegistry = this.registry.on('change', c => { this.#onRegistryChange(c) })
    this.#offState = this.runner.on('state', s => { this.#scheduleFlush(s.id) })
    options.embedder.then(e => {
      this.#embedder = e
      this.#index = new CapabilityIndex(e.dims, { calibration: skillCalibrationFor(e.modelId) })
      const records = this.registry.list()
      this.#reindex(records.map(r => r.agentId), records)
    }, () => {})
  }

  on<K extends keyof AgentHostEvents>(event: K, fn: (e: AgentHostEvents[K]) => void): () => void {
    return this.#emitter.on(event, fn)
  }

  get model (): ModelStatus { return this.#model }

  /** Called by the composition root as the model loads. */
  setModel (patch: Partial<ModelStatus>): void {
    this.#model = { ...this.#model, ...patch }
    this.#emitter.emit('model', this.#model)
  }

  /**
   * Records how one of this tab's agents did on a skill (from the coordination layer). Written with
   * the agent's next status write, so a burst of tasks makes one registry change, not one each.
   */
  setReputation (agentId: string, skillId: string, rep: SkillReputation): void {
    const record = this.#own.get(agentId)
    if (record === undefined) return
    this.#reputation.set(agentId, { ...(this.#reputation.get(agentId) ?? record.reputation ?? {}), [skillId]: rep })
    this.#scheduleFlush(agentId)
  }

  /**
   * Learning from experience: the text of a task one of this tab's agents completed well becomes an
   * extra example of the skill it won with, published in the registry, so every tab's index matches
   * similar tasks to it better. Newest kept, at most LEARNED_LIMITS.perSkill per skill.
   */
  learn (agentId: string, skillId: string, text: string): void {
    const record = this.#own.get(agentId)
    const t = text.trim().slice(0, LEARNED_LIMITS.textLength)
    if (record === undefined || t === '' || !record.manifest.skills.some(s => s.id === skillId)) return
    const current = this.#learned.get(agentId) ?? record.learned ?? {}
    const list = current[skillId] ?? []
    if (list.includes(t) || record.manifest.skills.find(s => s.id === skillId)!.examples.includes(t)) return
    this.#learned.set(agentId, { ...current, [skillId]: [...list, t].slice(-LEARNED_LIMITS.perSkill) })
    this.#scheduleFlush(agentId)
  }

  /** Forgets a learned example (e.g. its result was disputed). */
  unlearn (agentId: string, skillId: string, text: string): void {
    const record = this.#own.get(agentId)
    if (record === undefined) return
    const current = this.#learned.get(agentId) ?? record.learned ?? {}
    const t = text.trim().slice(0, LEARNED_LIMITS.textLength)
    if (!(current[skillId] ?? []).includes(t)) return
    this.#learned.set(agentId, { ...current, [skillId]: current[skillId]!.filter(x => x !== t) })
    this.#scheduleFlush(agentId)
  }

  /** The reputation factor of an agent's skill as last recorded (1 when unknown). */
  reputationOf (agentId: string, skillId: string): number {
    return this.#reputation.get(agentId)?.[skillId]?.factor ?? (this.#own.get(agentId) ?? this.registry.get(agentId))?.reputation?.[skillId]?.factor ?? 1
  }

  /** Peers came or went: their agents' `online` changed (and records of a peer that left may need putting back). */
  refreshPresence (): void {
    this.#keeper.presenceChanged()
    this.#emitter.emit('change', { ids: [] })
  }

  /** Resolves once every registered agent's skills are in the index (after the model loads). */
  async indexed (): Promise<void> {
    await this.#opts.embedder
    let last: Promise<void> | undefined
    while (last !== this.#indexing) { last = this.#indexing; await last }
  }

  /**
   * Starts this tab's agents: the given built-in kinds, plus the custom agents this peer ran in an
   * earlier session (their source is in the registry). Records of agents that no longer run here
   * are removed.
   */
  async startDefaults (kinds: readonly BuiltinKind[]): Promise<string[]> {
    const previous = this.registry.list().filter(r => r.peerId === this.peerId)
    const started: string[] = []
    const results = await Promise.allSettled([
      ...kinds.map(async kind => await this.register({ kind })),
      ...previous.filter(r => r.kind === 'custom' && r.source !== undefined)
        .map(async r => await this.register({ manifest: r.manifest, source: r.source, author: r.author }, r.originId))
    ])
    for (const r of results) {
      if (r.status === 'fulfilled') started.push(r.value)
      // register() already reported it.
    }
    const stale = previous.map(r => r.agentId).filter(id => !started.includes(id))
    this.registry.remove(...stale)
    this.#started = true
    // Records in this peer's name it did not sign (someone else wrote them): gone, not listed.
    this.#repairOwn(this.registry.invalid().map(i => i.agentId).filter(id => this.#isOwnId(id)))
    return started
  }

  /**
   * Starts an agent in this tab and publishes it to the room. Returns its id. Throws
   * AgentRegisterError (bad manifest or source, naming the field) or the runtime's error
   * (e.g. a syntax error in the source) without publishing anything.
   */
  async register (input: RegisterInput, originId?: string): Promise<string> {
    try {
      return await this.#register(input, originId)
    } catch (err) {
      const field = (err as { field?: unknown }).field
      const code = err instanceof AgentRegisterError ? (typeof field === 'string' && field.startsWith('manifest') ? 'bad-manifest' : 'bad-source') : 'start-failed'
      this.#emitter.emit('problem', { agentId: '', code, message: `agent not registered: ${(err as Error).message}` })
      throw err
    }
  }

  async #register (input: RegisterInput, originId?: string): Promise<string> {
    if (typeof input !== 'object' || input === null) throw new AgentRegisterError('input', 'must be an object { manifest, source } or { kind }')
    let manifest: AgentManifest
    let spec: AgentSpec
    const author = input.author ?? (input.source !== undefined ? `person at ${this.peerId.slice(-8)}` : 'meshwork')
    if (input.source !== undefined) {
      if (input.kind !== undefined) throw new AgentRegisterError('kind', 'give either a built-in kind or source, not both')
      if (typeof input.source !== 'string' || input.source.trim() === '') throw new AgentRegisterError('source', 'must be the non-empty text of an ES module')
      if (new TextEncoder().encode(input.source).length > REGISTRY_LIMITS.sourceBytes) throw new AgentRegisterError('source', `must be at most ${REGISTRY_LIMITS.sourceBytes / 1024} KiB`)
      if (input.manifest === undefined) throw new AgentRegisterError('manifest', 'is required for a custom agent')
      manifest = parseManifestField(input.manifest)
      spec = { source: input.source, manifest, author }
    } else if (input.kind !== undefined) {
      let base: AgentManifest
      try { base = this.#opts.builtinManifest(input.kind) } catch (err) { throw new AgentRegisterError('kind', (err as Error).message) }
      manifest = input.manifest !== undefined ? parseManifestField(input.manifest) : base
      spec = { kind: input.kind, manifest }
    } else {
      throw new AgentRegisterError('source', 'give a built-in kind or the source of a custom agent')
    }
    const agentId = agentIdFor(manifest.id, this.peerId)
    const existing = this.runner.status(agentId)
    // A failed or stopped agent of the same id (e.g. a start that failed on bad source) may be replaced.
    if (existing !== undefined && existing.state !== 'stopped' && existing.state !== 'failed') throw new AgentRegisterError('manifest.id', `an agent with id ${JSON.stringify(manifest.id)} already runs in this tab; unregister it first or pick another id`)
    const status = await this.runner.start(agentId, spec)
    const now = this.#now()
    // An agent this tab ran before (a reload restarts its built-ins and custom agents) keeps what it
    // earned, the same code under the same id: its reputation and the examples it learned.
    const prior = this.registry.get(agentId)
    const same = prior !== undefined && prior.peerId === this.peerId && prior.kind === ('kind' in spec ? spec.kind : 'custom') && prior.source === ('source' in spec ? spec.source : undefined)
    this.#publish({
      agentId,
      peerId: this.peerId,
      kind: 'kind' in spec ? spec.kind : 'custom',
      manifest,
      author,
      ...('source' in spec ? { source: spec.source } : {}),
      ...(originId !== undefined ? { originId } : {}),
      state: status.state,
      running: status.running,
      completed: status.completed,
      failures: status.failures,
      restarts: status.restarts,
      ...(status.lastError !== undefined ? { lastError: status.lastError.slice(0, 2000) } : {}),
      ...(same && prior.reputation !== undefined ? { reputation: prior.reputation } : {}),
      ...(same && prior.learned !== undefined ? { learned: prior.learned } : {}),
      registeredAt: now,
      updatedAt: now
    })
    return agentId
  }

  /** Stops one of this tab's agents and removes it from the room's registry. */
  async unregister (agentId: string): Promise<void> {
    const record = this.registry.get(agentId)
    if (record !== undefined && record.peerId !== this.peerId) throw new AgentRegisterError('agentId', `${agentId} runs on peer ${record.peerId}; only its own tab can unregister it`)
    if (record === undefined && this.runner.status(agentId) === undefined) throw new AgentRegisterError('agentId', `no agent ${agentId} in this tab`)
    const t = this.#dirty.get(agentId)
    if (t !== undefined) { clearTimeout(t); this.#dirty.delete(agentId) }
    await this.runner.stop(agentId)
    this.#own.delete(agentId)
    this.#forced.delete(agentId)
    this.registry.remove(agentId)
  }

  /**
   * Runs another peer's custom agent here too (the person opted in): a copy under this peer's id,
   * with the same manifest and source, marked with the original's id.
   */
  async adopt (originId: string): Promise<string> {
    const origin = this.registry.get(originId)
    if (origin === undefined) throw new AgentRegisterError('agentId', `no agent ${originId} in the room`)
    if (origin.kind !== 'custom' || origin.source === undefined) throw new AgentRegisterError('agentId', `${originId} is a built-in agent; every tab runs its own`)
    if (origin.peerId === this.peerId) throw new AgentRegisterError('agentId', `${originId} already runs in this tab`)
    return await this.register({ manifest: origin.manifest, source: origin.source, author: origin.author }, origin.originId ?? originId)
  }

  /** Every agent of the room (valid records only), with whether it runs here and whether its peer is present. */
  list (): AgentView[] {
    const live = new Set(this.#opts.livePeers())
    return this.registry.list().map(r => {
      const local = r.peerId === this.peerId
      const status = local ? this.runner.status(r.agentId) : undefined
      const fresh = status !== undefined
        ? { state: status.state, running: status.running, completed: status.completed, failures: status.failures, restarts: status.restarts, ...(status.lastError !== undefined ? { lastError: status.lastError } : {}) }
        : {}
      return { ...r, ...fresh, local, online: local || live.has(r.peerId) }
    })
  }

  /** Sentence embeddings from the tab's embedding worker. */
  async embed (texts: string[]): Promise<Float32Array[]> {
    if (!Array.isArray(texts) || texts.some(t => typeof t !== 'string')) throw new TypeError('embed: texts must be an array of strings')
    const e = this.#embedder ?? await this.#opts.embedder
    return await e.embed(texts)
  }

  /** The graph entities most relevant to `text` (as a researcher here would find them); none without a graph. */
  async searchGraph (text: string, k = 5): Promise<GraphHit[]> {
    return this.#opts.searchGraph === undefined ? [] : await this.#opts.searchGraph(text, k)
  }

  /**
   * Ranks the room's agents for a task: best skill per agent, best first, online agents only
   * unless `includeOffline`. Confidence is calibrated; below `minConfidence` (default 0) dropped.
   */
  async match (text: string, k = 5, options: { minConfidence?: number, includeOffline?: boolean, localOnly?: boolean } = {}): Promise<AgentMatch[]> {
    if (typeof text !== 'string' || text.trim() === '') throw new TypeError('match: text must be a non-empty string')
    if (!Number.isInteger(k) || k <= 0) throw new RangeError('match: k must be a positive integer')
    await this.indexed()
    const index = this.#index
    if (index === undefined) return []
    const vec = await this.#queryVector(text)
    const live = new Set(this.#opts.livePeers())
    live.add(this.peerId)
    // Several skills of one agent may rank; keep the best per agent, so ask for more than k.
    const raw = index.match(vec!, text, Math.min(index.size, k * 4 + 8), { minConfidence: options.minConfidence ?? 0 })
    const out: AgentMatch[] = []
    const seen = new Set<string>()
    for (const m of raw) {
      const s = m.skill
      if (seen.has(s.agentId)) continue
      if (options.localOnly === true && s.peerId !== this.peerId) continue
      if (options.includeOffline !== true && !live.has(s.peerId)) continue
      seen.add(s.agentId)
      out.push({ agentId: s.agentId, peerId: s.peerId, skillId: s.id.slice(s.agentId.length + 1), confidence: m.confidence, semantic: m.semantic, lexical: m.lexical })
      if (out.length === k) break
    }
    return out
  }

  /**
   * A task's vector, from a small cache: every tab embeds each announced task to bid, and a task
   * re-announced after a failure (or a burst of identical tasks) must not wait for the model again.
   */
  async #queryVector (text: string): Promise<Float32Array> {
    const hit = this.#queries.get(text)
    if (hit !== undefined) { this.#queries.delete(text); this.#queries.set(text, hit); return await hit }
    const p = this.embed([text]).then(v => v[0]!)
    this.#queries.set(text, p)
    p.catch(() => { this.#queries.delete(text) })
    if (this.#queries.size > QUERY_CACHE) this.#queries.delete(this.#queries.keys().next().value!)
    return await p
  }

  /** Runs a task on one of this tab's agents. */
  async run (agentId: string, task: AgentTask, options?: Parameters<AgentRunner['run']>[2]): Promise<AgentResult> {
    return await this.runner.run(agentId, task, options)
  }

  /** Records of peers that were away that this tab put back. */
  get restoredRecords (): number { return this.#keeper.restored }

  close (): void {
    this.#keeper.close()
    this.#offRegistry()
    this.#offState()
    for (const t of this.#dirty.values()) clearTimeout(t)
    this.#dirty.clear()
  }

  #onRegistryChange (c: RegistryChange): void {
    this.#keeper.seen(c.ids)
    if (c.origin === 'remote') {
      this.#repairOwn(c.ids.filter(id => this.#isOwnId(id)))
      this.#reportRefused(c.ids.filter(id => !this.#isOwnId(id)))
    }
    // Identical agents (same kind and manifest id) pool what they learned: re-index all of them.
    const records = this.registry.list()
    const changed = new Set(c.ids)
    const keys = new Set(records.filter(r => changed.has(r.agentId)).map(poolKey))
    for (const r of records) if (keys.has(poolKey(r))) changed.add(r.agentId)
    this.#reindex([...changed], records)
    this.#emitter.emit('change', { ids: c.ids })
  }

  /** Reports each record the registry refused to read (malformed, or not signed by its peer), once per reason. */
  #reportRefused (ids: readonly string[]): void {
    const missing = ids.filter(id => this.registry.get(id) === undefined)
    if (missing.length === 0) return
    const reasons = new Map(this.registry.invalid().map(i => [i.agentId, i.reason]))
    for (const id of missing) {
      const reason = reasons.get(id)
      if (reason === undefined) { this.#refused.delete(id); continue }
      if (this.#refused.get(id) === reason) continue
      this.#refused.set(id, reason)
      this.#emitter.emit('problem', { agentId: id, code: 'record-refused', message: `the room's registry holds a record for ${id.slice(0, 200)} that does not count: ${reason}` })
    }
  }

  /** Re-embeds the skills of agents whose manifest changed; drops removed or invalid ones. */
  #reindex (ids: string[], records: AgentRecord[]): void {
    if (this.#index === undefined || this.#embedder === undefined) return
    const index = this.#index
    const embedder = this.#embedder
    const pooled = pooledLearned(records)
    const work: Array<{ record: AgentRecord, fingerprint: string, learned: Record<string, string[]> }> = []
    for (const id of ids) {
      const record = this.registry.get(id)
      if (record === undefined) {
        if (this.#indexed.delete(id)) index.removeAgent(id)
        continue
      }
      const learned = pooled.get(poolKey(record)) ?? {}
      const fingerprint = `${record.manifest.version}|${JSON.stringify(record.manifest.skills)}|${JSON.stringify(learned)}`
      if (this.#indexed.get(id) === fingerprint) continue
      this.#indexed.set(id, fingerprint)
      work.push({ record, fingerprint, learned })
    }
    if (work.length === 0) return
    this.#indexing = this.#indexing.then(async () => {
      for (const { record, fingerprint, learned } of work) {
        if (this.#indexed.get(record.agentId) !== fingerprint) continue
        const rows = record.manifest.skills.map(s => [...skillRows(s), ...(learned[s.id] ?? [])])
        const vectors = await embedder.embed(rows.flat())
        if (this.#indexed.get(record.agentId) !== fingerprint) continue
        index.removeAgent(record.agentId)
        let at = 0
        for (const [i, skill] of record.manifest.skills.entries()) {
          const n = rows[i]!.length
          const entry: Skill = { id: `${record.agentId}#${skill.id}`, agentId: record.agentId, peerId: record.peerId, description: `${skill.name}. ${skill.description}`, examples: [...skill.examples, ...(learned[skill.id] ?? [])] }
          index.upsert(entry, vectors.slice(at, at + n))
          at += n
        }
      }
    }).catch(err => {
      this.#emitter.emit('problem', { agentId: '', code: 'index-failed', message: `indexing skills failed: ${(err as Error).message}` })
    })
  }

  #scheduleFlush (agentId: string): void {
    const s = this.runner.status(agentId)
    if (s !== undefined) {
      const before = this.#restarts.get(agentId) ?? 0
      this.#restarts.set(agentId, s.restarts)
      if (s.restarts > before) this.#emitter.emit('problem', { agentId, code: 'agent-crashed', message: `${agentId} was restarted${s.lastError !== undefined ? `: ${s.lastError}` : ''}` })
    }
    if (this.#dirty.has(agentId)) return
    const last = this.#flushedAt.get(agentId)
    const delay = last === undefined ? STATE_FLUSH_MS : Math.max(STATE_FLUSH_MS, last + BUSY_FLUSH_MS - this.#now())
    this.#dirty.set(agentId, setTimeout(() => {
      this.#dirty.delete(agentId)
      this.#flush(agentId)
    }, delay))
    if (s?.state === 'failed' && s.lastError !== undefined) this.#emitter.emit('problem', { agentId, code: 'agent-failed', message: `${agentId}: ${s.lastError}` })
    this.#emitter.emit('change', { ids: [agentId] })
  }

  #flush (agentId: string): void {
    const record = this.#own.get(agentId)
    const s = this.runner.status(agentId)
    const forced = this.#forced.delete(agentId)
    if (record === undefined || s === undefined) return
    const next: AgentRecord = {
      ...record,
      state: s.state,
      running: s.running,
      completed: s.completed,
      failures: s.failures,
      restarts: s.restarts,
      updatedAt: this.#now()
    }
    if (s.lastError !== undefined) next.lastError = s.lastError.slice(0, 2000)
    const rep = this.#reputation.get(agentId)
    if (rep !== undefined) next.reputation = rep
    const learned = this.#learned.get(agentId)
    if (learned !== undefined) next.learned = learned
    const same = rep === undefined && learned === undefined && record.state === next.state && record.running === next.running && record.completed === next.completed &&
      record.failures === next.failures && record.restarts === next.restarts && record.lastError === next.lastError
    if (same && !forced) return
    this.#publish(next)
  }

  /** Writes one of this tab's agents' records (signed by the registry) and keeps it as its own copy. */
  #publish (record: AgentRecord): void {
    this.registry.put(record)
    // The record as the registry validated it (reads show our writes at once), so #repairOwn
    // compares like with like.
    this.#own.set(record.agentId, this.registry.get(record.agentId) ?? record)
    this.#flushedAt.set(record.agentId, this.#now())
  }

  #isOwnId (agentId: string): boolean {
    return ownedBy(agentId, this.peerId)
  }

  /**
   * Someone else changed records under this peer's name (the registry is a document every member
   * of the room can write): a record of an agent this tab runs that is gone, refused (not signed by
   * us) or not what we last wrote (an older one of ours, replayed) is written again; one of an agent
   * this tab does not run is removed. Each is reported (`record-overwritten`). Rewrites go through
   * the flush timer, so a peer that keeps overwriting gets at most one rewrite per BUSY_FLUSH_MS.
   */
  #repairOwn (ids: readonly string[]): void {
    const strays: string[] = []
    let refused: Set<string> | undefined
    const isRefused = (id: string): boolean => (refused ??= new Set(this.registry.invalid().map(i => i.agentId))).has(id)
    for (const id of ids) {
      const mine = this.#own.get(id)
      const current = this.registry.get(id)
      if (mine !== undefined) {
        if (current === mine || (current !== undefined && canonicalJson(current) === canonicalJson(mine))) continue
        const what = current === undefined
          ? (isRefused(id) ? 'replaced its record in the room\'s registry with one this peer did not sign' : 'removed its record from the room\'s registry')
          : 'replaced its record in the room\'s registry with an older one of this peer'
        this.#emitter.emit('problem', { agentId: id, code: 'record-overwritten', message: `${id}: another member of the room ${what}; this tab writes it again` })
        this.#forced.add(id)
        this.#scheduleFlush(id)
      } else if (this.#started && this.runner.status(id) === undefined && (current !== undefined || isRefused(id))) {
        strays.push(id)
      }
    }
    if (strays.length === 0) return
    this.#emitter.emit('problem', { agentId: strays[0]!, code: 'record-overwritten', message: `${strays.join(', ').slice(0, 600)}: written into the room's registry under this peer's name, which does not run ${strays.length === 1 ? 'it' : 'them'}; removed` })
    this.registry.remove(...strays)
  }
}

function parseManifestField (input: unknown): AgentManifest {
  try {
    return parseManifest(input)
  } catch (err) {
    const e = err as Error & { field?: string, reason?: string }
    if (e.field !== undefined) throw new AgentRegisterError(e.field === 'manifest' ? 'manifest' : `manifest.${e.field}`, e.reason ?? e.message)
    throw err
  }
}

/** Agents that learn together: same kind and manifest id. */
function poolKey (r: AgentRecord): string {
  return `${r.kind}|${r.manifest.id}`
}

/**
 * What skills learned, pooled over every agent with the same kind and manifest id: identical agents
 * (every tab's calculator) learn together, so one instance's lucky first win does not make it the
 * only one that matches similar tasks well (reputation stays per agent). One pass over the records;
 * the same sorted, capped set on every tab.
 */
function pooledLearned (records: readonly AgentRecord[]): Map<string, Record<string, string[]>> {
  const out = new Map<string, Record<string, Set<string>>>()
  for (const r of records) {
    if (r.learned === undefined) continue
    const key = poolKey(r)
    const bySkill = out.get(key) ?? {}
    out.set(key, bySkill)
    for (const [skill, texts] of Object.entries(r.learned)) {
      const set = bySkill[skill] ?? (bySkill[skill] = new Set())
      for (const t of texts) set.add(t)
    }
  }
  return new Map([...out].map(([key, bySkill]) => [key, Object.fromEntries(Object.entries(bySkill).map(([skill, set]) => [skill, [...set].sort().slice(0, POOLED_LEARNED)]))]))
}
