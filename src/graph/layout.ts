/**
 * How the knowledge graph is laid out inside one Automerge document, and the deterministic
 * genesis every room graph starts from.
 *
 * Layout (LAYOUT_VERSION 2):
 *
 *     { meta: { layout: 2 },
 *       e: { "00": { <entityId>: StoredEntity }, ..., "ff": {...} },        // entities, 256 shards
 *       r: { "00": { <edgeId>: StoredEdge }, ... },                          // edges, by shard of `from`
 *       a: { "00": { "<entityId>|<token>": JSON attestation }, ... },       // verify/dispute entries
 *       m: { "00": { "<threadId>|<messageId>": JSON message }, ... } }      // thread messages
 *
 * Why shards: the cost of an Automerge change grows with the size of the maps it touches
 * (~3-5 ms per single-entry change into one flat map of 10k keys, ~0.4 ms with 32 shards).
 * Automerge's JS side copies every map a change touches (its documents are immutable values),
 * so a change costs about the size of the shards it writes into. Why 256 (layout 2) and not 32
 * (layout 1): with 32, a 50-entity change cost the same as with 256 at 10k entities but 3.7x
 * more at 60k (61 ms against 16 ms to write, 147 against 41 ms to write, sync and apply), and a
 * room that records tasks passes 60k entities within hours. 1024 flattened that further (13 ms)
 * but made changes to a small graph dearer. A document of an earlier layout found in storage is
 * copied into the current one when the room opens (migrate.ts).
 * Why ImmutableString: Automerge 3 stores plain strings as collaborative text (one op per
 * character); our strings are replaced whole, never edited character by character, and as
 * scalars they make documents ~3.5x smaller and give clean per-field conflicts.
 *
 * Entries are written as a map holding one JSON field `c` (the entity or edge as created) and,
 * later, a field per update (`text`, `status`, `updatedAt`, ...), which overrides `c`'s value.
 * Every Automerge op costs every tab that writes, syncs, applies or loads it, and a field each
 * at creation is 9-14 ops where `c` is one: 10k entities write ~2.5x, apply ~4x and load ~2x
 * faster. Updates stay per field, so two peers updating one field concurrently still leave an
 * Automerge conflict the graph surfaces (conflicts.ts). Entries written field by field at
 * creation (before this) read the same way: a map without `c` is all fields.
 */
import {
  Automerge,
  ImmutableString,
  interpretAsDocumentId,
  type BinaryDocumentId,
  type DocumentId
} from '@automerge/automerge-repo/slim'
import { fnv1a32, sha256, utf8 } from './hash.ts'
import {
  GraphValidationError,
  LIMITS,
  validateAttestation,
  validateEdge,
  validateEntity,
  validateThreadMessage,
  type Attestation,
  type Edge,
  type Entity,
  type JsonObject,
  type ThreadMessage
} from './schema.ts'

export const LAYOUT_VERSION = 2
export const SHARD_COUNT = 256

/** Layouts this code can still read (to migrate a room stored by an earlier version): version and shard count. */
export const EARLIER_LAYOUTS: ReadonlyArray<{ version: number, shards: number }> = [{ version: 1, shards: 32 }]

/** The genesis change's actor. Used for nothing else, ever: every real writer has a random actor. */
export const GENESIS_ACTOR = '6d657368776f726b2d67656e65736973' // "meshwork-genesis"

type S = ImmutableString

/**
 * An entity's own fields: a flat map of scalars (list-like values such as tags and data are
 * JSON text): `c`, the entity as created, then any field written since (in entries written
 * before `c` existed, every field). Flat matters: nested Automerge objects make sync and merge
 * of a 10k-entity graph ~5x slower. Attestations and thread messages live in their own sharded
 * maps (`a`, `m`) as one JSON entry each, so concurrent additions merge without touching the entity.
 */
export interface StoredEntity {
  /** JSON of the entity as created: every field below, in one op. Absent in entries written before. */
  c?: S
  id?: S
  kind?: S
  title?: S
  text?: S
  agentId?: S
  peerId?: S
  createdAt?: number
  updatedAt?: number
  confidence?: number
  status?: S
  /** JSON Attestation */
  retraction?: S
  /** JSON string[] */
  tags?: S
  /** JSON object */
  data?: S
  taskId?: S
}

export interface StoredEdge {
  /** JSON of the edge as created (all fields below but `retracted`). Absent in entries written before. */
  c?: S
  id?: S
  from?: S
  type?: S
  to?: S
  agentId?: S
  peerId?: S
  createdAt?: number
  retracted?: boolean
}

export interface GraphDoc {
  meta: { layout: number }
  /** entities by shard of their id */
  e: Record<string, Record<string, StoredEntity>>
  /** edges by shard of their `from` id */
  r: Record<string, Record<string, StoredEdge>>
  /** attestations (verify/dispute) by shard of the entity id; key `<entityId>|<token>` */
  a: Record<string, Record<string, S>>
  /** thread messages by shard of the thread id; key `<threadId>|<messageId>` */
  m: Record<string, Record<string, S>>
}

export const ROOTS = ['e', 'r', 'a', 'm'] as const

/** The shard keys of a layout with `count` shards (up to 256: two hex digits each). */
export function shardKeysOf (count: number): string[] {
  return Array.from({ length: count }, (_, i) => i.toString(16).padStart(2, '0'))
}

export const SHARD_KEYS: readonly string[] = shardKeysOf(SHARD_COUNT)
export const SHARD_KEY_SET: ReadonlySet<string> = new Set(SHARD_KEYS)

/** The shard an entity id (or an edge's `from` id) lives in. Must never change within a layout version. */
export function shardOf (id: string): string {
  return shardIn(id, SHARD_COUNT)
}

/** The shard `id` lives in among `count` shards (up to 256: two hex digits); `shardOf` is the current layout's. */
export function shardIn (id: string, count: number): string {
  return (fnv1a32(id) % count).toString(16).padStart(2, '0')
}

/** Edge ids are derived from their endpoints and type, so relating twice (on any peer) is one edge. */
export function edgeId (from: string, type: string, to: string): string {
  const digest = sha256(utf8(`${from}\n${type}\n${to}`))
  let hex = ''
  for (const byte of digest.subarray(0, 12)) hex += byte.toString(16).padStart(2, '0')
  return `r:${hex}`
}

// ---------------------------------------------------------------------------------------------
// Genesis and the room's DocumentId

let genesisCache: { bytes: Uint8Array, hash: string } | undefined

/**
 * The genesis change: fixed actor, fixed timestamp (0), fixed content, so every peer that
 * creates a room graph produces byte-identical history with the same change hash and the
 * same object ids for `e`, `r` and every shard. Two peers that create the graph concurrently
 * therefore merge into one document with nothing hidden behind a conflict. It is identical
 * for every room; the room only selects the DocumentId.
 */
export function genesis (): { bytes: Uint8Array, hash: string } {
  if (genesisCache !== undefined) return genesisCache
  const empty = Automerge.init<GraphDoc>({ actor: GENESIS_ACTOR as Automerge.ActorId })
  const doc = Automerge.change(empty, { time: 0 }, d => {
    d.meta = { layout: LAYOUT_VERSION }
    d.e = {}
    d.r = {}
    d.a = {}
    d.m = {}
    for (const key of SHARD_KEYS) {
      d.e[key] = {}
      d.r[key] = {}
      d.a[key] = {}
      d.m[key] = {}
    }
  })
  const heads = Automerge.getHeads(doc)
  const hash = heads[0]
  if (hash === undefined || heads.length !== 1) throw new Error('genesis must have exactly one head')
  genesisCache = { bytes: Automerge.save(doc), hash }
  return genesisCache
}

/**
 * The genesis change's hash, as a constant: the page needs only the hash (to ask a snapshot to
 * descend from it), and computing it runs Automerge on the main thread (40-50 ms on a tab that is
 * starting up). A unit test checks it against genesis(), so a layout change cannot leave it stale.
 */
export const GENESIS_HASH = '6ba0baf5eab8ba3f696301b317af4c4cae845d6b22e0766866d97d3f84ed7f89'

export const ROOM_NAME_MAX = 200

export function validateRoomName (room: unknown): string {
  if (typeof room !== 'string' || room.length === 0) throw new GraphValidationError('room', 'must be a non-empty string')
  if (room.length > ROOM_NAME_MAX) throw new GraphValidationError('room', `must have at most ${ROOM_NAME_MAX} characters`)
  return room
}

/**
 * The DocumentId of a room's graph: the first 16 bytes of
 * SHA-256("meshwork/room-graph/layout-<LAYOUT_VERSION>/<room>"), in automerge-repo's
 * base58check form. Every peer computes the same id without talking to anyone. `layout`: an
 * earlier layout's id (where a room stored by an earlier version sits).
 */
export function roomDocumentId (room: string, layout = LAYOUT_VERSION): DocumentId {
  validateRoomName(room)
  const digest = sha256(utf8(`meshwork/room-graph/layout-${layout}/${room}`))
  return interpretAsDocumentId(digest.slice(0, 16) as BinaryDocumentId)
}

/** True if `doc` grew from our genesis (and so can be merged without clobbering the layout). */
export function hasGenesis (doc: Automerge.Doc<unknown>): boolean {
  return Automerge.hasHeads(doc, [genesis().hash])
}

// ---------------------------------------------------------------------------------------------
// Conversions between validated plain values and their stored form

const imm = (value: string): ImmutableString => new ImmutableString(value)
const json = (value: unknown): ImmutableString => imm(JSON.stringify(value))

export type AttestationList = 'verifiedBy' | 'disputedBy'

/** The id an `a`/`m` entry belongs to: the part of its key before the first `|`. */
export function entryOwner (key: string): string {
  const bar = key.indexOf('|')
  return bar === -1 ? key : key.slice(0, bar)
}

export function storeData (data: JsonObject): ImmutableString {
  return json(data)
}

export function storeTags (tags: string[]): ImmutableString {
  return json(tags)
}

export function storeRetraction (a: Attestation): ImmutableString {
  return json(a)
}

/**
 * The entity's own fields as created, in the stored form: one JSON field `c` (see the layout
 * notes above). Attestations and messages are written as entries (below).
 */
export function storeEntity (e: Entity): { c: S } {
  const fields: Record<string, unknown> = {
    id: e.id,
    kind: e.kind,
    text: e.text,
    agentId: e.provenance.agentId,
    peerId: e.provenance.peerId,
    createdAt: e.provenance.createdAt,
    updatedAt: e.provenance.updatedAt,
    confidence: e.confidence,
    status: e.status
  }
  // Inside `c` the list-like fields are JSON values (written on their own later, JSON text).
  if (e.title !== undefined) fields.title = e.title
  if (e.retraction !== undefined) fields.retraction = e.retraction
  if (e.tags !== undefined) fields.tags = e.tags
  if (e.data !== undefined) fields.data = e.data
  if (e.taskId !== undefined) fields.taskId = e.taskId
  return { c: json(fields) }
}

export interface Entry { key: string, value: ImmutableString }

/** An attestation entry. `token` makes concurrent attestations distinct keys. */
export function attestationEntry (entityId: string, list: AttestationList, a: Attestation, token: string): Entry {
  return { key: `${entityId}|${token}`, value: json({ entity: entityId, list, ...a }) }
}

export function messageEntry (threadId: string, m: ThreadMessage): Entry {
  return { key: `${threadId}|${m.id}`, value: json({ thread: threadId, ...m }) }
}

/** An edge as created, in the stored form: one JSON field `c`, plus `retracted` if it is. */
export function storeEdge (edge: Edge): { c: S, retracted?: true } {
  const out: { c: S, retracted?: true } = {
    c: json({ id: edge.id, from: edge.from, type: edge.type, to: edge.to, agentId: edge.provenance.agentId, peerId: edge.provenance.peerId, createdAt: edge.provenance.createdAt })
  }
  if (edge.retracted === true) out.retracted = true
  return out
}

/**
 * Turns a stored value (a frozen Automerge snapshot) into plain JS: ImmutableStrings become
 * strings, Automerge lists and maps become arrays and objects.
 */
export function plain (value: unknown): unknown {
  if (Automerge.isImmutableString(value)) return value.val
  if (Array.isArray(value)) return value.map(plain)
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = plain(item)
    return out
  }
  return value
}

function parseJsonField (record: Record<string, unknown>, field: string): void {
  const value = record[field]
  if (value === undefined) return
  if (typeof value !== 'string') throw new GraphValidationError(field, 'must be stored as JSON text')
  try {
    record[field] = JSON.parse(value) as unknown
  } catch {
    throw new GraphValidationError(field, 'is not valid JSON text')
  }
}

function parseEntry (stored: unknown, field: string): Record<string, unknown> {
  const value = plain(stored)
  if (typeof value !== 'string') throw new GraphValidationError(field, 'must be JSON text')
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    throw new GraphValidationError(field, 'is not valid JSON text')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new GraphValidationError(field, 'must be a JSON object')
  return parsed as Record<string, unknown>
}

/** The fields of an entity written as JSON text when written on their own (inside `c`, JSON values). */
const ENTITY_JSON_FIELDS = ['retraction', 'tags', 'data']

/**
 * A stored entry's fields as one flat plain record: `c` (the entry as created) with the fields
 * written since laid over it, an entity's list-like fields as JSON values; with `jsonText`, as JSON
 * text instead (as each is stored on its own: what conflict entities report). Not validated.
 */
export function storedFields (stored: unknown, what: 'entity' | 'edge', { jsonText = false }: { jsonText?: boolean } = {}): Record<string, unknown> {
  const value = plain(stored)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new GraphValidationError(what, 'must be a map')
  const { c, ...written } = value as Record<string, unknown>
  if (what === 'entity' && !jsonText) for (const field of ENTITY_JSON_FIELDS) parseJsonField(written, field)
  if (c === undefined) return written
  if (typeof c !== 'string') throw new GraphValidationError('c', 'must be JSON text')
  let created: unknown
  try {
    created = JSON.parse(c)
  } catch {
    throw new GraphValidationError('c', 'is not valid JSON text')
  }
  if (typeof created !== 'object' || created === null || Array.isArray(created)) throw new GraphValidationError('c', 'must be a JSON object')
  const fields = { ...created as Record<string, unknown>, ...written }
  if (what === 'entity' && jsonText) {
    for (const field of ENTITY_JSON_FIELDS) if (field in created && !(field in written)) fields[field] = JSON.stringify(fields[field])
  }
  return fields
}

/** The entity's own fields as a plain, not yet validated record in Entity shape (no lists). */
export function loadEntityCore (stored: unknown): Record<string, unknown> {
  const r = storedFields(stored, 'entity')
  const { agentId, peerId, createdAt, updatedAt, ...rest } = r
  return { ...rest, provenance: { agentId, peerId, createdAt, updatedAt } }
}

/** Validates an entity from its stored core plus its attestation and message entries. */
export function assembleEntity (core: Record<string, unknown>, verifiedBy: Attestation[], disputedBy: Attestation[], messages: ThreadMessage[]): Entity {
  const byTime = <T extends { at: number }>(a: T, b: T): number => a.at - b.at
  const record: Record<string, unknown> = {
    ...core,
    verifiedBy: verifiedBy.slice().sort(byTime).slice(0, LIMITS.attestations),
    disputedBy: disputedBy.slice().sort(byTime).slice(0, LIMITS.attestations)
  }
  if (core.kind === 'thread') {
    record.messages = messages.slice().sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, LIMITS.messages)
  }
  return validateEntity(record)
}

export function loadAttestationEntry (key: string, stored: unknown): { entityId: string, list: AttestationList, attestation: Attestation } {
  const { entity, list, ...rest } = parseEntry(stored, 'attestation')
  if (entity !== entryOwner(key)) throw new GraphValidationError('attestation.entity', 'does not match its key')
  if (list !== 'verifiedBy' && list !== 'disputedBy') throw new GraphValidationError('attestation.list', 'must be verifiedBy or disputedBy')
  return { entityId: entity, list, attestation: validateAttestation(rest, 'attestation') }
}

export function loadMessageEntry (key: string, stored: unknown): { threadId: string, message: ThreadMessage } {
  const { thread, ...rest } = parseEntry(stored, 'message')
  if (thread !== entryOwner(key)) throw new GraphValidationError('message.thread', 'does not match its key')
  const message = validateThreadMessage(rest, 'message')
  if (key !== `${thread}|${message.id}`) throw new GraphValidationError('message.id', 'does not match its key')
  return { threadId: thread, message }
}

export function loadEdge (stored: unknown): Edge {
  const { agentId, peerId, createdAt, ...rest } = storedFields(stored, 'edge')
  const edge = validateEdge({ ...rest, provenance: { agentId, peerId, createdAt } })
  if (edge.id !== edgeId(edge.from, edge.type, edge.to)) throw new GraphValidationError('id', 'does not match its endpoints and type')
  return edge
}
