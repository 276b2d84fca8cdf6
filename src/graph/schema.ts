/**
 * The knowledge graph's schema: entity and relationship types, their bounds, and hand-written
 * validators. Every write is validated before it reaches Automerge, and every entity that
 * arrives from a peer (or from an import) is validated again before the graph exposes it.
 *
 * Validators return a fresh, normalised value (no extra fields, no Automerge proxies) or throw
 * a {@link GraphValidationError} naming the offending field with a path such as
 * `verifiedBy[2].at` or `entities[7].confidence`.
 */

/**
 * Version of the entity/edge schema. Bump it when a stored shape changes incompatibly; peers
 * quarantine entities they cannot validate instead of exposing them.
 */
export const SCHEMA_VERSION = 1

export const ENTITY_KINDS = [
  'fact', 'hypothesis', 'conflict', 'question', 'decision', 'thread', 'solution', 'unknown'
] as const
export type EntityKind = typeof ENTITY_KINDS[number]

export const ENTITY_STATUSES = ['proposed', 'verified', 'disputed', 'retracted'] as const
export type EntityStatus = typeof ENTITY_STATUSES[number]

/** The relationship types every peer understands. Others may be used if they match {@link RELATION_PATTERN}. */
export const CORE_RELATIONS = [
  'supports', 'contradicts', 'refines', 'answers', 'depends-on', 'derived-from', 'about'
] as const
export type CoreRelation = typeof CORE_RELATIONS[number]
/** Relation names: lower-case, start with a letter, letters/digits/hyphens, at most 40 characters. */
export const RELATION_PATTERN = /^[a-z][a-z0-9-]{0,39}$/
export type RelationType = CoreRelation | (string & Record<never, never>)

/** Ids: 1-100 characters, letters, digits and `_ . : -`, starting with a letter or digit. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/

export const LIMITS = {
  titleLength: 200,
  textLength: 8000,
  reasonLength: 1000,
  agentIdLength: 128,
  peerIdLength: 128,
  tags: 32,
  tagLength: 40,
  /** Bytes of the JSON serialisation of `data`. */
  dataBytes: 32 * 1024,
  dataDepth: 8,
  attestations: 256,
  messages: 2000,
  messageLength: 4000,
  /** Timestamps are epoch milliseconds between 2000-01-01 and 2200-01-01. */
  minTime: 946_684_800_000,
  maxTime: 7_258_118_400_000
} as const

export const TAG_PATTERN = /^[a-z0-9][a-z0-9_:.-]{0,39}$/

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

/** Who vouched for or against an entity. */
export interface Attestation {
  peerId: string
  agentId?: string
  /** Epoch milliseconds. */
  at: number
  reason?: string
  /**
   * The signature of `peerId` over what this attestation states about the entity as it then stood
   * (attestation-proof.ts): without it, or when it does not check, nothing proves that peer said so.
   */
  sig?: string
}

export interface Provenance {
  /** The agent that created the entity. */
  agentId: string
  /** The libp2p peer id of the node the agent ran on. */
  peerId: string
  createdAt: number
  updatedAt: number
}

export interface ThreadMessage {
  id: string
  agentId: string
  peerId: string
  text: string
  at: number
}

export interface Entity {
  id: string
  kind: EntityKind
  title?: string
  text: string
  provenance: Provenance
  /** 0..1 */
  confidence: number
  status: EntityStatus
  verifiedBy: Attestation[]
  disputedBy: Attestation[]
  /** Set when status is `retracted`. */
  retraction?: Attestation
  tags?: string[]
  data?: JsonObject
  /** Required for `solution`: the task id the solution solves. Not allowed on other kinds. */
  taskId?: string
  /** Only on `thread`. */
  messages?: ThreadMessage[]
}

export interface EdgeProvenance {
  agentId: string
  peerId: string
  createdAt: number
}

export interface Edge {
  /** Derived from (from, type, to): see `edgeId` in layout.ts. */
  id: string
  from: string
  type: RelationType
  to: string
  provenance: EdgeProvenance
  retracted?: boolean
}

export class GraphValidationError extends Error {
  readonly field: string
  readonly reason: string

  constructor (field: string, reason: string) {
    super(`${field}: ${reason}`)
    this.name = 'GraphValidationError'
    this.field = field
    this.reason = reason
  }

  /** The same error with its field nested under `prefix` (e.g. `entities[3]`). */
  under (prefix: string): GraphValidationError {
    const field = this.field === '' ? prefix : `${prefix}.${this.field}`
    return new GraphValidationError(field, this.reason)
  }
}

// ---------------------------------------------------------------------------------------------
// Primitive checks

type Rec = Record<string, unknown>

/** An Ed25519 signature in base64url without padding, as net/peer-signature.ts writes it (SIGNATURE_LENGTH). */
const SIGNATURE_CHARS = 86
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{86}$/

function fail (field: string, reason: string): never {
  throw new GraphValidationError(field, reason)
}

export function isRecord (value: unknown): value is Rec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function requireRecord (value: unknown, field: string): Rec {
  if (!isRecord(value)) fail(field, `must be an object, got ${describe(value)}`)
  return value
}

function describe (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (value instanceof Uint8Array) return 'bytes'
  return typeof value
}

function onlyKeys (record: Rec, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) fail(field === '' ? key : `${field}.${key}`, 'unknown field')
  }
}

function join (field: string, key: string): string {
  return field === '' ? key : `${field}.${key}`
}

function str (value: unknown, field: string, min: number, max: number): string {
  if (typeof value !== 'string') fail(field, `must be a string, got ${describe(value)}`)
  if (value.length < min) fail(field, min === 1 ? 'must not be empty' : `must have at least ${min} characters`)
  if (value.length > max) fail(field, `must have at most ${max} characters, got ${value.length}`)
  return value
}

function optionalStr (value: unknown, field: string, min: number, max: number): string | undefined {
  return value === undefined ? undefined : str(value, field, min, max)
}

function time (value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(field, `must be an integer epoch-milliseconds timestamp, got ${describe(value)}`)
  if (value < LIMITS.minTime || value > LIMITS.maxTime) fail(field, `timestamp ${value} is outside 2000..2200`)
  return value
}

function oneOf<T extends string> (value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(field, `must be one of ${allowed.join(', ')}, got ${typeof value === 'string' ? JSON.stringify(value) : describe(value)}`)
  }
  return value as T
}

export function validateId (value: unknown, field = 'id'): string {
  const id = str(value, field, 1, 100)
  if (!ID_PATTERN.test(id)) fail(field, `must match ${ID_PATTERN.source}, got ${JSON.stringify(id)}`)
  return id
}

export function validateRelationType (value: unknown, field = 'type'): RelationType {
  if (typeof value !== 'string') fail(field, `must be a string, got ${describe(value)}`)
  if (!RELATION_PATTERN.test(value)) fail(field, `must match ${RELATION_PATTERN.source}, got ${JSON.stringify(value)}`)
  return value
}

export function validateConfidence (value: unknown, field = 'confidence'): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, `must be a finite number, got ${describe(value)}`)
  if (value < 0 || value > 1) fail(field, `must be between 0 and 1, got ${value}`)
  return value
}

function validateTags (value: unknown, field: string): string[] {
  if (!Array.isArray(value)) fail(field, `must be an array, got ${describe(value)}`)
  if (value.length > LIMITS.tags) fail(field, `must have at most ${LIMITS.tags} tags, got ${value.length}`)
  const seen = new Set<string>()
  return value.map((tag, i) => {
    const t = str(tag, `${field}[${i}]`, 1, LIMITS.tagLength)
    if (!TAG_PATTERN.test(t)) fail(`${field}[${i}]`, `must match ${TAG_PATTERN.source}, got ${JSON.stringify(t)}`)
    if (seen.has(t)) fail(`${field}[${i}]`, `duplicate tag ${JSON.stringify(t)}`)
    seen.add(t)
    return t
  })
}

/**
 * Checks that `value` is plain JSON (no undefined, functions, bytes, NaN, cycles), at most
 * {@link LIMITS.dataDepth} deep, and that its serialisation fits in {@link LIMITS.dataBytes}.
 */
export function validateJsonObject (value: unknown, field = 'data'): JsonObject {
  const copy = copyJson(value, field, 0)
  if (!isRecord(copy)) fail(field, `must be an object, got ${describe(value)}`)
  const bytes = new TextEncoder().encode(JSON.stringify(copy)).length
  if (bytes > LIMITS.dataBytes) fail(field, `must serialise to at most ${LIMITS.dataBytes} bytes of JSON, got ${bytes}`)
  return copy
}

function copyJson (value: unknown, field: string, depth: number): JsonValue {
  if (depth > LIMITS.dataDepth) fail(field, `nests deeper than ${LIMITS.dataDepth} levels`)
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(field, 'numbers must be finite')
    return value
  }
  if (Array.isArray(value)) return value.map((item, i) => copyJson(item, `${field}[${i}]`, depth + 1))
  if (isRecord(value)) {
    const out: JsonObject = {}
    for (const [key, item] of Object.entries(value)) out[key] = copyJson(item, join(field, key), depth + 1)
    return out
  }
  fail(field, `is not JSON: ${describe(value)}`)
}

// ---------------------------------------------------------------------------------------------
// Composite validators

export function validateAttestation (value: unknown, field = 'attestation'): Attestation {
  const r = requireRecord(value, field)
  onlyKeys(r, ['peerId', 'agentId', 'at', 'reason', 'sig'], field)
  const out: Attestation = {
    peerId: str(r.peerId, join(field, 'peerId'), 1, LIMITS.peerIdLength),
    at: time(r.at, join(field, 'at'))
  }
  const agentId = optionalStr(r.agentId, join(field, 'agentId'), 1, LIMITS.agentIdLength)
  if (agentId !== undefined) out.agentId = agentId
  const reason = optionalStr(r.reason, join(field, 'reason'), 1, LIMITS.reasonLength)
  if (reason !== undefined) out.reason = reason
  if (r.sig !== undefined) {
    if (typeof r.sig !== 'string' || !SIGNATURE_PATTERN.test(r.sig)) fail(join(field, 'sig'), `must be an Ed25519 signature (${SIGNATURE_CHARS} base64url characters), got ${typeof r.sig === 'string' ? `${JSON.stringify(r.sig.slice(0, 20))}${r.sig.length > 20 ? '…' : ''} (${r.sig.length} characters)` : describe(r.sig)}`)
    out.sig = r.sig
  }
  return out
}

function validateAttestations (value: unknown, field: string): Attestation[] {
  if (!Array.isArray(value)) fail(field, `must be an array, got ${describe(value)}`)
  if (value.length > LIMITS.attestations) fail(field, `must have at most ${LIMITS.attestations} entries, got ${value.length}`)
  return value.map((item, i) => validateAttestation(item, `${field}[${i}]`))
}

export function validateThreadMessage (value: unknown, field = 'message'): ThreadMessage {
  const r = requireRecord(value, field)
  onlyKeys(r, ['id', 'agentId', 'peerId', 'text', 'at'], field)
  return {
    id: validateId(r.id, join(field, 'id')),
    agentId: str(r.agentId, join(field, 'agentId'), 1, LIMITS.agentIdLength),
    peerId: str(r.peerId, join(field, 'peerId'), 1, LIMITS.peerIdLength),
    text: str(r.text, join(field, 'text'), 1, LIMITS.messageLength),
    at: time(r.at, join(field, 'at'))
  }
}

/** The agent and node a graph instance writes as. */
export function validateActor (value: unknown, field = 'actor'): { agentId: string, peerId: string } {
  const r = requireRecord(value, field)
  return {
    agentId: str(r.agentId, join(field, 'agentId'), 1, LIMITS.agentIdLength),
    peerId: str(r.peerId, join(field, 'peerId'), 1, LIMITS.peerIdLength)
  }
}

function validateProvenance (value: unknown, field: string): Provenance {
  const r = requireRecord(value, field)
  onlyKeys(r, ['agentId', 'peerId', 'createdAt', 'updatedAt'], field)
  const out: Provenance = {
    agentId: str(r.agentId, join(field, 'agentId'), 1, LIMITS.agentIdLength),
    peerId: str(r.peerId, join(field, 'peerId'), 1, LIMITS.peerIdLength),
    createdAt: time(r.createdAt, join(field, 'createdAt')),
    updatedAt: time(r.updatedAt, join(field, 'updatedAt'))
  }
  if (out.updatedAt < out.createdAt) fail(join(field, 'updatedAt'), 'must not be before createdAt')
  return out
}

const ENTITY_KEYS = [
  'id', 'kind', 'title', 'text', 'provenance', 'confidence', 'status', 'verifiedBy', 'disputedBy',
  'retraction', 'tags', 'data', 'taskId', 'messages'
] as const

/** Validates a complete entity (as stored, received or imported). */
export function validateEntity (value: unknown, field = ''): Entity {
  const r = requireRecord(value, field === '' ? 'entity' : field)
  onlyKeys(r, ENTITY_KEYS, field)
  const kind = oneOf(r.kind, ENTITY_KINDS, join(field, 'kind'))
  const entity: Entity = {
    id: validateId(r.id, join(field, 'id')),
    kind,
    text: str(r.text, join(field, 'text'), 1, LIMITS.textLength),
    provenance: validateProvenance(r.provenance, join(field, 'provenance')),
    confidence: validateConfidence(r.confidence, join(field, 'confidence')),
    status: oneOf(r.status, ENTITY_STATUSES, join(field, 'status')),
    verifiedBy: validateAttestations(r.verifiedBy, join(field, 'verifiedBy')),
    disputedBy: validateAttestations(r.disputedBy, join(field, 'disputedBy'))
  }
  const title = optionalStr(r.title, join(field, 'title'), 1, LIMITS.titleLength)
  if (title !== undefined) entity.title = title
  if (kind === 'thread' && title === undefined) fail(join(field, 'title'), 'is required for a thread')
  if (r.retraction !== undefined) entity.retraction = validateAttestation(r.retraction, join(field, 'retraction'))
  if ((entity.status === 'retracted') !== (entity.retraction !== undefined)) {
    fail(join(field, 'retraction'), entity.status === 'retracted' ? 'is required when status is retracted' : 'is only allowed when status is retracted')
  }
  if (r.tags !== undefined) entity.tags = validateTags(r.tags, join(field, 'tags'))
  if (r.data !== undefined) entity.data = validateJsonObject(r.data, join(field, 'data'))
  if (kind === 'solution') {
    entity.taskId = validateId(r.taskId, join(field, 'taskId'))
  } else if (r.taskId !== undefined) {
    fail(join(field, 'taskId'), `is only allowed on a solution, not on a ${kind}`)
  }
  if (kind === 'thread') {
    const messages = r.messages ?? []
    if (!Array.isArray(messages)) fail(join(field, 'messages'), `must be an array, got ${describe(messages)}`)
    if (messages.length > LIMITS.messages) fail(join(field, 'messages'), `must have at most ${LIMITS.messages} messages, got ${messages.length}`)
    entity.messages = messages.map((m, i) => validateThreadMessage(m, `${join(field, 'messages')}[${i}]`))
  } else if (r.messages !== undefined) {
    fail(join(field, 'messages'), `are only allowed on a thread, not on a ${kind}`)
  }
  return entity
}

/** What a caller supplies to `KnowledgeGraph.add`; the graph fills in id, provenance and status. */
export interface NewEntity {
  kind: EntityKind
  text: string
  title?: string
  confidence?: number
  tags?: string[]
  data?: JsonObject
  taskId?: string
}

const NEW_ENTITY_KEYS = ['kind', 'text', 'title', 'confidence', 'tags', 'data', 'taskId'] as const

/** Fields `update` may change. Status changes go through verify/dispute/retract. */
export interface EntityPatch {
  text?: string
  title?: string
  confidence?: number
  tags?: string[]
  data?: JsonObject
  taskId?: string
}

export const PATCH_KEYS = ['text', 'title', 'confidence', 'tags', 'data', 'taskId'] as const

/** Shape check for `add` input; the full entity is validated again once built. */
export function validateNewEntity (value: unknown, field = 'entity'): NewEntity {
  const r = requireRecord(value, field)
  onlyKeys(r, NEW_ENTITY_KEYS, field)
  const kind = oneOf(r.kind, ENTITY_KINDS, join(field, 'kind'))
  const out: NewEntity = { kind, text: str(r.text, join(field, 'text'), 1, LIMITS.textLength) }
  return Object.assign(out, optionalFields(r, field))
}

/** The optional fields that both `add` and `update` accept, validated. */
function optionalFields (r: Record<string, unknown>, field: string): Omit<EntityPatch, 'text'> {
  const out: Omit<EntityPatch, 'text'> = {}
  if (r.title !== undefined) out.title = str(r.title, join(field, 'title'), 1, LIMITS.titleLength)
  if (r.confidence !== undefined) out.confidence = validateConfidence(r.confidence, join(field, 'confidence'))
  if (r.tags !== undefined) out.tags = validateTags(r.tags, join(field, 'tags'))
  if (r.data !== undefined) out.data = validateJsonObject(r.data, join(field, 'data'))
  if (r.taskId !== undefined) out.taskId = validateId(r.taskId, join(field, 'taskId'))
  return out
}

export function validatePatch (value: unknown, field = 'patch'): EntityPatch {
  const r = requireRecord(value, field)
  onlyKeys(r, PATCH_KEYS, field)
  if (Object.keys(r).length === 0) fail(field, 'must change at least one field')
  const out: EntityPatch = {}
  if (r.text !== undefined) out.text = str(r.text, join(field, 'text'), 1, LIMITS.textLength)
  return Object.assign(out, optionalFields(r, field))
}

export function validateEdge (value: unknown, field = ''): Edge {
  const r = requireRecord(value, field === '' ? 'edge' : field)
  onlyKeys(r, ['id', 'from', 'type', 'to', 'provenance', 'retracted'], field)
  const p = requireRecord(r.provenance, join(field, 'provenance'))
  onlyKeys(p, ['agentId', 'peerId', 'createdAt'], join(field, 'provenance'))
  const edge: Edge = {
    id: validateId(r.id, join(field, 'id')),
    from: validateId(r.from, join(field, 'from')),
    type: validateRelationType(r.type, join(field, 'type')),
    to: validateId(r.to, join(field, 'to')),
    provenance: {
      agentId: str(p.agentId, join(field, 'provenance.agentId'), 1, LIMITS.agentIdLength),
      peerId: str(p.peerId, join(field, 'provenance.peerId'), 1, LIMITS.peerIdLength),
      createdAt: time(p.createdAt, join(field, 'provenance.createdAt'))
    }
  }
  if (edge.from === edge.to) fail(join(field, 'to'), 'an entity cannot relate to itself')
  if (r.retracted !== undefined) {
    if (typeof r.retracted !== 'boolean') fail(join(field, 'retracted'), `must be a boolean, got ${describe(r.retracted)}`)
    if (r.retracted) edge.retracted = true
  }
  return edge
}

// ---------------------------------------------------------------------------------------------
// Pure status logic

/**
 * An entity's status after its attestations change: retraction is final; otherwise the most
 * recent attestation decides (a later verification overrides an earlier dispute and vice
 * versa); with none the entity is `proposed`. Ties go to the dispute, the cautious reading.
 */
export function deriveStatus (entity: Pick<Entity, 'verifiedBy' | 'disputedBy' | 'retraction'>): EntityStatus {
  if (entity.retraction !== undefined) return 'retracted'
  const lastVerified = Math.max(-Infinity, ...entity.verifiedBy.map(a => a.at))
  const lastDisputed = Math.max(-Infinity, ...entity.disputedBy.map(a => a.at))
  if (lastDisputed === -Infinity && lastVerified === -Infinity) return 'proposed'
  return lastDisputed >= lastVerified ? 'disputed' : 'verified'
}
