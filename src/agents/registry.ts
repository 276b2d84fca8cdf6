/**
 * The room's agent registry: which agents exist on which peer, with their manifests and status,
 * so that every node knows the mesh's skills. It lives in its own Automerge document next to the
 * knowledge graph (in a tab, in its own Repo in the graph worker, synced over its own protocol; the
 * page keeps a validated mirror, see remote-registry.ts), so that agents coming and going (and
 * their status changing) never churn the graph's entities. What callers may rely on is
 * {@link AgentRegistryApi} (registry-api.ts); `AgentRegistry` here is the in-process implementation.
 *
 * Layout (REGISTRY_LAYOUT 1): `{ meta: { layout: 1, kind: 'agent-registry' }, agents: { <agentId>: JSON } }`.
 * Every record is one immutable JSON string replaced whole, written only by the peer that owns the
 * agent (or put back verbatim by another tab, see below), so concurrent writers rarely touch the same key, and signed by it (`sig`: Ed25519 over
 * `meshwork-agent-record/1\n` + the record's canonical JSON), so that a record another member of
 * the room writes in a peer's name does not count. A removed agent's key holds a signed removal
 * (`removed: true`, `meshwork-agent-removal/1\n`) instead, and every write of an agent is newer
 * (`updatedAt`) than the value it replaces, so other tabs can put back what a member deletes or
 * replays while the owner is away (registry-keeper.ts). Like the graph, the document starts from a
 * deterministic genesis (fixed actor, fixed time) and has a DocumentId derived from the room name,
 * so two peers that create it concurrently end up on one document.
 *
 * Records are validated when read: a malformed or unsigned record, or one its peer did not sign
 * (from a buggy or hostile peer), is skipped and reported through `invalid()`, never handed to the
 * UI or the matcher.
 */
import {
  Automerge,
  ImmutableString,
  interpretAsDocumentId,
  type BinaryDocumentId,
  type DocHandle,
  type DocumentId,
  type Repo
} from '@automerge/automerge-repo/slim'
import { parseManifest, ManifestError, type AgentManifest } from './manifest.ts'
import { sha256, utf8 } from '../graph/hash.ts'
import { validateRoomName } from '../graph/layout.ts'
import { canonicalJson } from '../net/canonical-json.ts'
import { ownedBy, shortPeer } from '../net/peer-ids.ts'
import { PeerStatements, signStatement } from '../net/peer-signature.ts'
import type { AgentRegistryApi, RegistryChange, RegistryOwner } from './registry-api.ts'

export type { AgentRegistryApi, RegistryChange, RegistryOwner } from './registry-api.ts'

export const REGISTRY_LAYOUT = 1
const GENESIS_ACTOR = '6d657368776f726b2d72656769737472' // "meshwork-registr"

/** Limits for one record; a record over them is refused on write and skipped on read. */
export const REGISTRY_LIMITS = {
  /** Source of a custom agent. */
  sourceBytes: 64 * 1024,
  /** Whole record as JSON. */
  recordBytes: 160 * 1024,
  agentIdLength: 200
} as const

export const AGENT_STATES = ['starting', 'idle', 'working', 'failed', 'stopped'] as const
export type RegistryAgentState = typeof AGENT_STATES[number]

export interface AgentRecord {
  /** `<manifest id>@<peer id>`: unique in the room, readable. */
  agentId: string
  /** The peer that hosts (runs) the agent. */
  peerId: string
  /** A built-in kind, or 'custom' for code a person wrote. */
  kind: string
  manifest: AgentManifest
  /** Who wrote it: a person's name for custom agents, 'meshwork' for built-ins. */
  author: string
  /** ES module source of a custom agent, published so other peers can opt in to run it. */
  source?: string
  /** For a copy of another peer's custom agent that this peer opted in to run: the original's id. */
  originId?: string
  state: RegistryAgentState
  /** Tasks running now. */
  running: number
  completed: number
  failures: number
  restarts: number
  lastError?: string
  /** Per skill: how the agent has done on the mesh (kept by its own peer; used in bid scoring). */
  reputation?: Record<string, SkillReputation>
  /** Per skill: texts of tasks it completed well, matched as extra examples (learning from experience). */
  learned?: Record<string, string[]>
  registeredAt: number
  updatedAt: number
}

export interface SkillReputation {
  /** The award factor, 0.5..1.5 (1 = neutral). */
  factor: number
  successes: number
  failures: number
  verified: number
  disputed: number
  latencyMs: number
}

function reputationField (v: unknown): Record<string, SkillReputation> | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RegistryRecordError('reputation', 'must be an object keyed by skill id')
  const out: Record<string, SkillReputation> = {}
  const entries = Object.entries(v as Record<string, unknown>)
  if (entries.length > 64) throw new RegistryRecordError('reputation', 'must have at most 64 skills')
  for (const [skill, raw] of entries) {
    if (typeof raw !== 'object' || raw === null) throw new RegistryRecordError(`reputation.${skill}`, 'must be an object')
    const r = raw as Record<string, unknown>
    const num = (k: string, min: number, max: number): number => {
      const x = r[k]
      if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x > max) throw new RegistryRecordError(`reputation.${skill}.${k}`, `must be a number in [${min}, ${max}]`)
      return x
    }
    out[skill] = { factor: num('factor', 0.5, 1.5), successes: num('successes', 0, 1e9), failures: num('failures', 0, 1e9), verified: num('verified', 0, 1e9), disputed: num('disputed', 0, 1e9), latencyMs: num('latencyMs', 0, 1e7) }
  }
  return out
}

/** Learned examples kept per skill, and their length. */
export const LEARNED_LIMITS = { perSkill: 16, textLength: 500 } as const

function learnedField (v: unknown): Record<string, string[]> | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RegistryRecordError('learned', 'must be an object keyed by skill id')
  const out: Record<string, string[]> = {}
  const entries = Object.entries(v as Record<string, unknown>)
  if (entries.length > 64) throw new RegistryRecordError('learned', 'must have at most 64 skills')
  for (const [skill, list] of entries) {
    if (!Array.isArray(list) || list.length > LEARNED_LIMITS.perSkill) throw new RegistryRecordError(`learned.${skill}`, `must be a list of at most ${LEARNED_LIMITS.perSkill} texts`)
    out[skill] = list.map((t, i) => {
      if (typeof t !== 'string' || t.trim() === '' || t.length > LEARNED_LIMITS.textLength) throw new RegistryRecordError(`learned.${skill}[${i}]`, `must be a non-blank text of at most ${LEARNED_LIMITS.textLength} characters`)
      return t
    })
  }
  return out
}

interface RegistryDoc {
  meta: { layout: number, kind: string }
  agents: Record<string, ImmutableString>
}

export class RegistryRecordError extends Error {
  constructor (readonly field: string, readonly reason: string) {
    super(`agent record: ${field} ${reason}`)
    this.name = 'RegistryRecordError'
  }
}

export function agentIdFor (manifestId: string, peerId: string): string {
  return `${manifestId}@${peerId}`
}

function str (r: Record<string, unknown>, key: string, max = 2000, optional = false): string | undefined {
  const v = r[key]
  if (v === undefined && optional) return undefined
  if (typeof v !== 'string' || v.length === 0) throw new RegistryRecordError(key, 'must be a non-empty string')
  if (v.length > max) throw new RegistryRecordError(key, `must have at most ${max} characters`)
  return v
}

function count (r: Record<string, unknown>, key: string): number {
  const v = r[key]
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new RegistryRecordError(key, 'must be a non-negative integer')
  return v
}

/** Validates an untrusted record (parsed JSON). Throws RegistryRecordError naming the field. */
export function validateAgentRecord (input: unknown): AgentRecord {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new RegistryRecordError('record', 'must be an object')
  const r = input as Record<string, unknown>
  const agentId = str(r, 'agentId', REGISTRY_LIMITS.agentIdLength)!
  const peerId = str(r, 'peerId', 100)!
  const kind = str(r, 'kind', 40)!
  let manifest: AgentManifest
  try {
    manifest = parseManifest(r.manifest)
  } catch (err) {
    if (err instanceof ManifestError) throw new RegistryRecordError(`manifest.${err.field}`, err.reason)
    throw err
  }
  if (agentId !== agentIdFor(manifest.id, peerId)) throw new RegistryRecordError('agentId', `must be "${agentIdFor(manifest.id, peerId)}" (manifest id @ peer id)`)
  const author = str(r, 'author', 200)!
  const source = str(r, 'source', REGISTRY_LIMITS.sourceBytes, true)
  if (kind === 'custom' && source === undefined) throw new RegistryRecordError('source', 'is required for a custom agent')
  const originId = str(r, 'originId', REGISTRY_LIMITS.agentIdLength, true)
  const state = r.state
  if (typeof state !== 'string' || !(AGENT_STATES as readonly string[]).includes(state)) throw new RegistryRecordError('state', `must be one of ${AGENT_STATES.join(', ')}`)
  const lastError = str(r, 'lastError', 2000, true)
  const reputation = reputationField(r.reputation)
  const learned = learnedField(r.learned)
  const out: AgentRecord = {
    agentId,
    peerId,
    kind,
    manifest,
    author,
    ...(source !== undefined ? { source } : {}),
    ...(originId !== undefined ? { originId } : {}),
    state: state as RegistryAgentState,
    running: count(r, 'running'),
    completed: count(r, 'completed'),
    failures: count(r, 'failures'),
    restarts: count(r, 'restarts'),
    ...(lastError !== undefined ? { lastError } : {}),
    ...(reputation !== undefined ? { reputation } : {}),
    ...(learned !== undefined ? { learned } : {}),
    registeredAt: count(r, 'registeredAt'),
    updatedAt: count(r, 'updatedAt')
  }
  return out
}

/**
 * The genesis as data, for a holder of the document that builds it itself (the graph worker, see
 * RecordDocInit in graph-worker-protocol.ts): the same change as `registryGenesis`. Its hash is
 * pinned because every stored copy and every peer's registry descends from it.
 */
export const REGISTRY_GENESIS = {
  actor: GENESIS_ACTOR,
  root: { meta: { layout: REGISTRY_LAYOUT, kind: 'agent-registry' }, agents: {} },
  hash: '5ac909acf78d4c4b2236bb35a503a0bcdca02f8da3a24bb33248a925e69a2cd3'
} as const

let genesisCache: { bytes: Uint8Array, hash: string } | undefined

/** The registry's genesis: identical bytes on every peer, so concurrent creation merges. */
export function registryGenesis (): { bytes: Uint8Array, hash: string } {
  if (genesisCache !== undefined) return genesisCache
  const doc = Automerge.change(Automerge.init<RegistryDoc>({ actor: GENESIS_ACTOR as Automerge.ActorId }), { time: 0 }, d => {
    d.meta = { layout: REGISTRY_LAYOUT, kind: 'agent-registry' }
    d.agents = {}
  })
  const heads = Automerge.getHeads(doc)
  if (heads.length !== 1 || heads[0] === undefined) throw new Error('registry genesis must have exactly one head')
  genesisCache = { bytes: Automerge.save(doc), hash: heads[0] }
  return genesisCache
}

/** SHA-256("meshwork/agent-registry/layout-1/<room>")[0..16] as an automerge-repo DocumentId. */
export function registryDocumentId (room: string): DocumentId {
  validateRoomName(room)
  const digest = sha256(utf8(`meshwork/agent-registry/layout-${REGISTRY_LAYOUT}/${room}`))
  return interpretAsDocumentId(digest.slice(0, 16) as BinaryDocumentId)
}

/** What a record's signature states: this prefix, then the record's canonical JSON (without `sig`). */
export const RECORD_STATEMENT_PREFIX = 'meshwork-agent-record/1\n'
/** What a removal's signature states: this prefix, then the removal's canonical JSON (without `sig`). */
export const REMOVAL_STATEMENT_PREFIX = 'meshwork-agent-removal/1\n'

/**
 * A signed removal (a tombstone): the peer took its agent away at `updatedAt`. Stored under the
 * agent's id in place of its record, so that a removal is something its peer said, not something
 * any member may do, and an older record of the agent replayed later reads as older.
 */
export interface AgentRemoval {
  agentId: string
  peerId: string
  removed: true
  updatedAt: number
}

/**
 * One stored value as read: a valid record, a valid removal, or why it counts as neither (then
 * `reason`). `raw` is the stored JSON, or the length of one too large to have been handed over.
 */
export interface RegistryEntry {
  raw: string | number
  record?: AgentRecord
  removal?: AgentRemoval
  reason?: string
}

const statements = new PeerStatements()

/** The statement a record's peer signs: the record as read (every field but `sig`), canonically. */
function recordStatement (fields: Record<string, unknown>): string {
  return RECORD_STATEMENT_PREFIX + canonicalJson(fields)
}

function removalStatement (removal: AgentRemoval): string {
  return REMOVAL_STATEMENT_PREFIX + canonicalJson(removal)
}

function checkSignature (peerId: string, statement: string, sig: unknown, what: string): void {
  if (typeof sig !== 'string' || sig === '') throw new RegistryRecordError('sig', `is missing: a ${what} counts only when signed by the peer it names (written in ${shortPeer(peerId)}'s name by another peer, or before records were signed)`)
  const v = statements.verify(peerId, statement, sig)
  if (!v.ok && v.problem === 'bad-peer-id') throw new RegistryRecordError('peerId', 'is not an Ed25519 peer id, so nothing it signs can be checked')
  if (!v.ok) throw new RegistryRecordError('sig', `does not verify: the ${what} is not what ${shortPeer(peerId)} signed (written in its name by another peer, or altered)`)
}

const REMOVAL_FIELDS = new Set(['agentId', 'peerId', 'removed', 'updatedAt'])

function validateRemoval (agentId: string, fields: Record<string, unknown>): AgentRemoval {
  const extra = Object.keys(fields).find(k => !REMOVAL_FIELDS.has(k))
  if (extra !== undefined) throw new RegistryRecordError(extra.slice(0, 100), 'is not a field of a removal (agentId, peerId, removed, updatedAt, sig)')
  const peerId = str(fields, 'peerId', 100)!
  const id = str(fields, 'agentId', REGISTRY_LIMITS.agentIdLength)!
  if (id !== agentId) throw new RegistryRecordError('agentId', `does not match its key ${agentId}`)
  if (!ownedBy(id, peerId)) throw new RegistryRecordError('agentId', `must end in @${shortPeer(peerId)}: a peer removes only its own agents`)
  return { agentId: id, peerId, removed: true, updatedAt: count(fields, 'updatedAt') }
}

/**
 * Reads one stored value (JSON, untrusted): the valid record or removal, or why it is skipped.
 * `raw` may also be the length of a value too large to have been handed over. A record or removal
 * counts only if the peer it names signed it (`sig`): any member of the room can write the
 * document, and a record says which skills a peer's agent has, its reputation and the code it runs.
 */
export function readRegistryEntry (agentId: string, raw: string | number): RegistryEntry {
  try {
    if (typeof raw === 'number' || raw.length > REGISTRY_LIMITS.recordBytes) throw new RegistryRecordError('record', `is larger than ${REGISTRY_LIMITS.recordBytes} bytes`)
    const parsed: unknown = JSON.parse(raw)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new RegistryRecordError('record', 'must be an object')
    const { sig, ...fields } = parsed as Record<string, unknown>
    if (fields.removed === true) {
      const removal = validateRemoval(agentId, fields)
      checkSignature(removal.peerId, removalStatement(removal), sig, 'removal')
      return { raw, removal }
    }
    const record = validateAgentRecord(fields)
    if (record.agentId !== agentId) throw new RegistryRecordError('agentId', `does not match its key ${agentId}`)
    checkSignature(record.peerId, recordStatement(fields), sig, 'record')
    return { raw, record }
  } catch (err) {
    return { raw, reason: (err as Error).message }
  }
}

/** The time a valid record or removal was written by its peer; undefined for one that does not count. */
export function entryTime (e: RegistryEntry | undefined): number | undefined {
  return e?.record?.updatedAt ?? e?.removal?.updatedAt
}

/**
 * Whether `candidate` (a valid record or removal) should replace `current` in the document: it is
 * newer than what counts there, or nothing there counts (absent, malformed, not signed).
 */
export function supersedes (candidate: RegistryEntry, current: RegistryEntry | undefined): boolean {
  const t = entryTime(candidate)
  if (t === undefined) return false
  const c = entryTime(current)
  return c === undefined || t > c
}

/**
 * A record as this peer writes it: validated, then signed with its key. Its `updatedAt` is raised
 * above that of the value the document holds for the agent, if need be.
 */
export interface EncodedRecord {
  agentId: string
  /** The stored JSON: the record's fields and its `sig`. */
  raw: string
  record: AgentRecord
}

/**
 * Validates records for writing and encodes each as stored, signed by `owner`. Throws on the first
 * bad one, and on a record of another peer's agent (only the peer hosting an agent writes its record).
 */
export function encodeAgentRecords (records: readonly AgentRecord[], owner: RegistryOwner, stored: (agentId: string) => RegistryEntry | undefined = () => undefined): EncodedRecord[] {
  return records.map(r => {
    const valid = validateAgentRecord(r)
    if (valid.peerId !== owner.peerId) throw new RegistryRecordError('peerId', `is ${shortPeer(valid.peerId)}, another peer: only the peer hosting an agent writes its record`)
    // Each write of an agent is newer than the last one the document holds (a clock that went back
    // would otherwise make it read as older, and the room's keepers would put the older one back).
    const before = entryTime(stored(valid.agentId))
    if (before !== undefined && valid.updatedAt <= before) valid.updatedAt = before + 1
    const sig = signStatement(recordStatement(valid as unknown as Record<string, unknown>), owner.sign)
    const raw = JSON.stringify({ ...valid, sig })
    if (raw.length > REGISTRY_LIMITS.recordBytes) throw new RegistryRecordError('record', `is larger than ${REGISTRY_LIMITS.recordBytes} bytes`)
    return { agentId: valid.agentId, raw, record: valid }
  })
}

/** Throws if one of `agentIds` is of an agent `owner` does not host: it may not remove that record. */
function checkOwnIds (agentIds: readonly string[], owner: RegistryOwner): void {
  const other = agentIds.find(id => !ownedBy(id, owner.peerId))
  if (other !== undefined) throw new RegistryRecordError('agentId', `${other.slice(0, 200)} is another peer's agent: only the peer hosting an agent removes its record`)
}

/** A removal as this peer writes it. */
export interface EncodedRemoval {
  agentId: string
  raw: string
  removal: AgentRemoval
}

/**
 * Signed removals of this peer's agents (throws on another peer's id, writing nothing), each newer
 * than the value the document holds for the agent, so the record it removes reads as older from
 * then on. Ids with nothing stored, or whose stored value is already a removal, are skipped.
 */
export function encodeRemovals (agentIds: readonly string[], owner: RegistryOwner, stored: (agentId: string) => RegistryEntry | undefined, now: number): EncodedRemoval[] {
  checkOwnIds(agentIds, owner)
  const out: EncodedRemoval[] = []
  for (const agentId of new Set(agentIds)) {
    const current = stored(agentId)
    if (current === undefined || current.removal !== undefined) continue
    const before = entryTime(current)
    const removal: AgentRemoval = { agentId, peerId: owner.peerId, removed: true, updatedAt: Math.max(Math.floor(now), before === undefined ? 0 : before + 1) }
    const sig = signStatement(removalStatement(removal), owner.sign)
    out.push({ agentId, raw: JSON.stringify({ ...removal, sig }), removal })
  }
  return out
}

/**
 * Checks a value to be restored (another peer's record or removal, as that peer signed it):
 * returns it read, or throws RegistryRecordError saying why it does not count.
 */
export function checkRestorable (agentId: string, raw: string): RegistryEntry {
  const e = readRegistryEntry(agentId, raw)
  if (e.reason !== undefined) throw new RegistryRecordError('record', `cannot be restored: ${e.reason}`)
  return e
}

/** The registry over a DocHandle in this process (Node, tests); a tab uses RemoteAgentRegistry. */
export class AgentRegistry implements AgentRegistryApi {
  readonly handle: DocHandle<RegistryDoc>
  #cache = new Map<string, RegistryEntry>()
  #listeners = new Set<(c: RegistryChange) => void>()
  #local = false
  readonly #onChange = (p: { patches: Automerge.Patch[] }): void => {
    const ids = new Set<string>()
    for (const patch of p.patches) {
      if (patch.path[0] === 'agents' && typeof patch.path[1] === 'string') ids.add(patch.path[1])
    }
    if (ids.size === 0) return
    const change: RegistryChange = { ids: [...ids], origin: this.#local ? 'local' : 'remote' }
    for (const fn of this.#listeners) {
      try { fn(change) } catch (err) { console.error('agent registry listener failed', err) }
    }
  }

  readonly owner: RegistryOwner
  readonly #now: () => number

  constructor (handle: DocHandle<RegistryDoc>, owner: RegistryOwner, now: () => number = Date.now) {
    this.handle = handle
    this.owner = owner
    this.#now = now
    handle.on('change', this.#onChange)
  }

  close (): void {
    this.handle.off('change', this.#onChange)
    this.#listeners.clear()
  }

  on (_event: 'change', fn: (c: RegistryChange) => void): () => void {
    this.#listeners.add(fn)
    return () => { this.#listeners.delete(fn) }
  }

  /** Every valid record. Malformed ones are skipped; see `invalid()`. */
  list (): AgentRecord[] {
    const agents = this.handle.doc().agents
    const out: AgentRecord[] = []
    for (const id of Object.keys(agents)) {
      const r = this.get(id)
      if (r !== undefined) out.push(r)
    }
    return out
  }

  get (agentId: string): AgentRecord | undefined {
    return this.entry(agentId)?.record
  }

  entry (agentId: string): RegistryEntry | undefined {
    const value = this.handle.doc().agents[agentId]
    if (value === undefined) return undefined
    const raw = value.toString()
    const hit = this.#cache.get(agentId)
    if (hit?.raw === raw) return hit
    const read = readRegistryEntry(agentId, raw)
    this.#cache.set(agentId, read)
    return read
  }

  /** Records that failed validation, by agent id, with the reason. */
  invalid (): Array<{ agentId: string, reason: string }> {
    const out: Array<{ agentId: string, reason: string }> = []
    const agents = this.handle.doc().agents
    for (const id of Object.keys(agents)) {
      const reason = this.entry(id)?.reason
      if (reason !== undefined) out.push({ agentId: id, reason })
    }
    // Values since removed from the document are forgotten.
    for (const id of this.#cache.keys()) if (agents[id] === undefined) this.#cache.delete(id)
    return out
  }

  /** Writes (adds or replaces) records, all in one change. Each is validated first; nothing is written if one is bad. */
  put (...records: AgentRecord[]): void {
    const encoded = encodeAgentRecords(records, this.owner, id => this.entry(id))
    // Our own records, just signed: no need to verify them when read back.
    for (const e of encoded) this.#cache.set(e.agentId, { raw: e.raw, record: e.record })
    this.#change(d => { for (const e of encoded) d.agents[e.agentId] = new ImmutableString(e.raw) })
  }

  remove (...agentIds: string[]): void {
    const encoded = encodeRemovals(agentIds, this.owner, id => this.entry(id), this.#now())
    if (encoded.length === 0) return
    for (const e of encoded) this.#cache.set(e.agentId, { raw: e.raw, removal: e.removal })
    this.#change(d => { for (const e of encoded) d.agents[e.agentId] = new ImmutableString(e.raw) })
  }

  restore (agentId: string, raw: string): boolean {
    const e = checkRestorable(agentId, raw)
    if (!supersedes(e, this.entry(agentId))) return false
    this.#cache.set(agentId, e)
    this.#change(d => { d.agents[agentId] = new ImmutableString(raw) })
    return true
  }

  #change (fn: (d: RegistryDoc) => void): void {
    this.#local = true
    try { this.handle.change(fn) } finally { this.#local = false }
  }
}

/** Opens (loading, fetching or creating from genesis) the registry of `room` in `repo`, writing as `owner`. */
export async function openAgentRegistry (repo: Repo, room: string, owner: RegistryOwner, now: () => number = Date.now): Promise<AgentRegistry> {
  const documentId = registryDocumentId(room)
  const cached = repo.handles[documentId] as DocHandle<RegistryDoc> | undefined
  const handle = cached ?? repo.findWithProgress<RegistryDoc>(documentId).handle
  await handle.whenReady(['ready', 'requesting', 'unavailable'])
  const { bytes, hash } = registryGenesis()
  if (!handle.isReady() || !Automerge.hasHeads(handle.doc(), [hash])) {
    handle.update(doc => Automerge.loadIncremental(doc, bytes))
    handle.doneLoading()
  }
  return new AgentRegistry(handle, owner, now)
}
