/**
 * How the knowledge graph is laid out inside one Automerge document, and the deterministic
 * genesis every room graph starts from.
 *
 * Layout (LAYOUT_VERSION 1):
 *
 *     { meta: { layout: 1 },
 *       e: { "00": { <entityId>: StoredEntity, ... }, ..., "1f": {...} },   // entities, 32 shards
 *       r: { "00": { <edgeId>: StoredEdge, ... },     ..., "1f": {...} } }  // edges, sharded by `from`
 *
 * Why shards: the cost of an Automerge change grows with the size of the map it touches
 * (~3-5 ms per single-entry change into one flat map of 10k keys, ~0.4 ms with 32 shards).
 * Why ImmutableString: Automerge 3 stores plain strings as collaborative text (one op per
 * character); our strings are replaced whole, never edited character by character, and as
 * scalars they make documents ~3.5x smaller and give clean per-field conflicts.
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
  validateEdge,
  validateEntity,
  type Attestation,
  type Edge,
  type Entity,
  type JsonObject,
  type ThreadMessage
} from './schema.ts'

export const LAYOUT_VERSION = 1
export const SHARD_COUNT = 32

/** The genesis change's actor. Used for nothing else, ever: every real writer has a random actor. */
export const GENESIS_ACTOR = '6d657368776f726b2d67656e65736973' // "meshwork-genesis"

type S = ImmutableString

export interface StoredAttestation { peerId: S, agentId?: S, at: number, reason?: S }
export interface StoredMessage { id: S, agentId: S, peerId: S, text: S, at: number }
export interface StoredEntity {
  id: S
  kind: S
  title?: S
  text: S
  provenance: { agentId: S, peerId: S, createdAt: number, updatedAt: number }
  confidence: number
  status: S
  verifiedBy: StoredAttestation[]
  disputedBy: StoredAttestation[]
  retraction?: StoredAttestation
  tags?: S[]
  /** JSON text of the entity's `data`. */
  data?: S
  taskId?: S
  messages?: StoredMessage[]
}
export interface StoredEdge {
  id: S
  from: S
  type: S
  to: S
  provenance: { agentId: S, peerId: S, createdAt: number }
  retracted?: boolean
}

export interface GraphDoc {
  meta: { layout: number }
  e: Record<string, Record<string, StoredEntity>>
  r: Record<string, Record<string, StoredEdge>>
}

export const SHARD_KEYS: readonly string[] = Array.from({ length: SHARD_COUNT }, (_, i) => i.toString(16).padStart(2, '0'))

/** The shard an entity id (or an edge's `from` id) lives in. Must never change within a layout version. */
export function shardOf (id: string): string {
  return (fnv1a32(id) % SHARD_COUNT).toString(16).padStart(2, '0')
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
    for (const key of SHARD_KEYS) {
      d.e[key] = {}
      d.r[key] = {}
    }
  })
  const heads = Automerge.getHeads(doc)
  const hash = heads[0]
  if (hash === undefined || heads.length !== 1) throw new Error('genesis must have exactly one head')
  genesisCache = { bytes: Automerge.save(doc), hash }
  return genesisCache
}

export const ROOM_NAME_MAX = 200

export function validateRoomName (room: unknown): string {
  if (typeof room !== 'string' || room.length === 0) throw new GraphValidationError('room', 'must be a non-empty string')
  if (room.length > ROOM_NAME_MAX) throw new GraphValidationError('room', `must have at most ${ROOM_NAME_MAX} characters`)
  return room
}

/**
 * The DocumentId of a room's graph: the first 16 bytes of
 * SHA-256("meshwork/room-graph/layout-<LAYOUT_VERSION>/<room>"), in automerge-repo's
 * base58check form. Every peer computes the same id without talking to anyone.
 */
export function roomDocumentId (room: string): DocumentId {
  validateRoomName(room)
  const digest = sha256(utf8(`meshwork/room-graph/layout-${LAYOUT_VERSION}/${room}`))
  return interpretAsDocumentId(digest.slice(0, 16) as BinaryDocumentId)
}

/** True if `doc` grew from our genesis (and so can be merged without clobbering the layout). */
export function hasGenesis (doc: Automerge.Doc<unknown>): boolean {
  return Automerge.hasHeads(doc, [genesis().hash])
}

// ---------------------------------------------------------------------------------------------
// Conversions between validated plain values and their stored form

const imm = (value: string): ImmutableString => new ImmutableString(value)

function storeAttestation (a: Attestation): StoredAttestation {
  const out: StoredAttestation = { peerId: imm(a.peerId), at: a.at }
  if (a.agentId !== undefined) out.agentId = imm(a.agentId)
  if (a.reason !== undefined) out.reason = imm(a.reason)
  return out
}

export function storeMessage (m: ThreadMessage): StoredMessage {
  return { id: imm(m.id), agentId: imm(m.agentId), peerId: imm(m.peerId), text: imm(m.text), at: m.at }
}

/** A stored attestation; pushed into `verifiedBy`/`disputedBy` lists. */
export { storeAttestation }

export function storeData (data: JsonObject): ImmutableString {
  return imm(JSON.stringify(data))
}

export function storeTags (tags: string[]): ImmutableString[] {
  return tags.map(imm)
}

/** Converts a validated entity to the value written into its shard. */
export function storeEntity (e: Entity): StoredEntity {
  const out: StoredEntity = {
    id: imm(e.id),
    kind: imm(e.kind),
    text: imm(e.text),
    provenance: {
      agentId: imm(e.provenance.agentId),
      peerId: imm(e.provenance.peerId),
      createdAt: e.provenance.createdAt,
      updatedAt: e.provenance.updatedAt
    },
    confidence: e.confidence,
    status: imm(e.status),
    verifiedBy: e.verifiedBy.map(storeAttestation),
    disputedBy: e.disputedBy.map(storeAttestation)
  }
  if (e.title !== undefined) out.title = imm(e.title)
  if (e.retraction !== undefined) out.retraction = storeAttestation(e.retraction)
  if (e.tags !== undefined) out.tags = storeTags(e.tags)
  if (e.data !== undefined) out.data = storeData(e.data)
  if (e.taskId !== undefined) out.taskId = imm(e.taskId)
  if (e.messages !== undefined) out.messages = e.messages.map(storeMessage)
  return out
}

export function storeEdge (edge: Edge): StoredEdge {
  const out: StoredEdge = {
    id: imm(edge.id),
    from: imm(edge.from),
    type: imm(edge.type),
    to: imm(edge.to),
    provenance: {
      agentId: imm(edge.provenance.agentId),
      peerId: imm(edge.provenance.peerId),
      createdAt: edge.provenance.createdAt
    }
  }
  if (edge.retracted === true) out.retracted = true
  return out
}

/**
 * Turns a stored value (a frozen Automerge snapshot or a proxy) into plain JS:
 * ImmutableStrings become strings, Automerge lists and maps become arrays and objects.
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

/** Reads and validates a stored entity; throws GraphValidationError if it is malformed. */
export function loadEntity (stored: unknown): Entity {
  const value = plain(stored)
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>
    if (typeof record.data === 'string') {
      try {
        record.data = JSON.parse(record.data) as unknown
      } catch {
        throw new GraphValidationError('data', 'is not valid JSON text')
      }
    }
  }
  return validateEntity(value)
}

export function loadEdge (stored: unknown): Edge {
  return validateEdge(plain(stored))
}

/** Plain, comparable form of a single stored field value (for conflict reports). */
export function plainField (value: unknown): unknown {
  return plain(value)
}
