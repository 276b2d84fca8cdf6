/**
 * Planning a batch of graph operations: each op is validated against the state the previous
 * ops of the batch leave behind (an overlay on the index), and turned into document writes.
 * Nothing touches the document until every op has passed, so a batch is all-or-nothing.
 */
import { ImmutableString } from '@automerge/automerge-repo/slim'
import type { SyncSigner } from '../net/peer-signature.ts'
import { signAttestation, type AttestedAs } from './attestation-proof.ts'
import { randomToken, sha256Hex } from './hash.ts'
import {
  ROOTS,
  SHARD_KEY_SET,
  attestationEntry,
  edgeId,
  messageEntry,
  plain,
  shardOf,
  storeData,
  storeEdge,
  storeEntity,
  storeRetraction,
  storeTags,
  type GraphDoc
} from './layout.ts'
import {
  GraphValidationError,
  LIMITS,
  PATCH_KEYS,
  deriveStatus,
  validateAttestation,
  validateEdge,
  validateEntity,
  validateId,
  validateNewEntity,
  validatePatch,
  validateRelationType,
  validateThreadMessage,
  type Attestation,
  type Edge,
  type Entity,
  type EntityPatch,
  type NewEntity,
  type RelationType,
  type ThreadMessage
} from './schema.ts'

/** The agent (and the node it runs on) on whose behalf a graph instance writes. */
export interface GraphActor {
  agentId: string
  peerId: string
}

/** Who attests; defaults to the graph's actor and the current time. */
export interface AttestationInput {
  peerId?: string
  agentId?: string
  at?: number
  reason?: string
}

export type GraphOp =
  /** `by.agentId` names the agent the entity comes from (default: the graph's actor), on this peer. */
  | { op: 'add', entity: NewEntity, id?: string, by?: { agentId: string } }
  | { op: 'update', id: string, patch: EntityPatch }
  | { op: 'retract', id: string, reason?: string, by?: AttestationInput }
  | { op: 'relate', from: string, type: RelationType, to: string }
  | { op: 'unrelate', from: string, type: RelationType, to: string }
  | { op: 'verify', id: string, by?: AttestationInput }
  | { op: 'dispute', id: string, reason: string, by?: AttestationInput }
  /**
   * `at`: when what the message tells of happened (default: now), for a writer that posts it later
   * (the coordination recorder writes its lines a flush after the events). At most a minute ahead of now.
   */
  | { op: 'post', threadId: string, text: string, at?: number }

/** How far ahead of now a post's own `at` may be (clocks of one writer's tabs drift a little). */
const MAX_POST_AHEAD_MS = 60_000

export function shardIn<T> (root: Record<string, Record<string, T>>, key: string): Record<string, T> {
  const shard = root[key]
  if (shard === undefined) throw new Error(`graph layout is damaged: shard ${key} is missing`)
  return shard
}

/** A stored scalar; strings are stored as ImmutableString. */
export type DocScalar = string | number | boolean
/** What a write puts: a scalar, or a flat map of scalars (an entity or edge entry). */
export type DocValue = DocScalar | { [field: string]: DocScalar }

/**
 * A mutation of the document, as plain data so it can cross to a worker holding the document:
 * put `value` at `root/shard/key` (the whole entry), or only its `field` (skipped if the entry is
 * gone); `value: undefined` deletes. Strings become ImmutableString (see layout.ts). A batch's
 * writes are applied inside one Automerge change (see {@link applyWrites}).
 */
export interface Write {
  root: typeof ROOTS[number]
  shard: string
  key: string
  field?: string
  value?: DocValue
}

const toStored = (value: DocValue): unknown => {
  if (typeof value === 'string') return new ImmutableString(value)
  if (typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = typeof v === 'string' ? new ImmutableString(v) : v
  return out
}

/** Applies writes to a document inside a change callback. */
export function applyWrites (doc: GraphDoc, writes: readonly Write[]): void {
  for (const w of writes) {
    const shard = shardIn(doc[w.root] as Record<string, Record<string, unknown>>, w.shard)
    if (w.field === undefined) {
      if (w.value === undefined) delete shard[w.key]
      else shard[w.key] = toStored(w.value)
      continue
    }
    const entry = shard[w.key]
    if (typeof entry !== 'object' || entry === null) continue
    if (w.value === undefined) delete (entry as Record<string, unknown>)[w.field]
    else (entry as Record<string, unknown>)[w.field] = toStored(w.value)
  }
}

/** Checks that `value` is a list of writes this module could have made (they may come from another thread). */
export function validateWrites (value: unknown): Write[] {
  if (!Array.isArray(value)) throw new GraphValidationError('writes', 'must be an array')
  const scalar = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
  value.forEach((w: unknown, i) => {
    const ok = typeof w === 'object' && w !== null &&
      (ROOTS as readonly unknown[]).includes((w as Write).root) && SHARD_KEY_SET.has((w as Write).shard) &&
      typeof (w as Write).key === 'string' && ((w as Write).field === undefined || typeof (w as Write).field === 'string') &&
      ((w as Write).value === undefined || scalar((w as Write).value) ||
        (typeof (w as Write).value === 'object' && Object.values((w as Write).value as object).every(scalar)))
    if (!ok) throw new GraphValidationError(`writes[${i}]`, 'is not a valid document write')
  })
  return value as Write[]
}

/** Writes of a single field of an entry. */
export const fieldWrite = (root: Write['root'], owner: string, key: string, field: string, value: DocValue | undefined): Write =>
  ({ root, shard: shardOf(owner), key, field, value })

/**
 * Writes that create `entity` (its fields, attestations and thread messages). Only an entity carried
 * from elsewhere (an import, a layout migration) comes with attestations; their keys come from their
 * content ({@link writeCarriedAttestation}).
 */
export function writeNewEntity (entity: Entity): Write[] {
  const writes: Write[] = [{ root: 'e', shard: shardOf(entity.id), key: entity.id, value: plain(storeEntity(entity)) as DocValue }]
  for (const list of ['verifiedBy', 'disputedBy'] as const) {
    for (const a of entity[list]) writes.push(writeCarriedAttestation(entity.id, list, a))
  }
  for (const m of entity.messages ?? []) writes.push(writeMessage(entity.id, m))
  return writes
}

/** A new attestation (verify, dispute): its entry key has a random token, so concurrent ones never collide. */
export function writeAttestation (entityId: string, list: 'verifiedBy' | 'disputedBy', a: Attestation, token = randomToken(12)): Write {
  const { key, value } = attestationEntry(entityId, list, a, token)
  return { root: 'a', shard: shardOf(entityId), key, value: value.val }
}

/**
 * An attestation carried from elsewhere (a JSON import, a graph of an earlier layout): its key is
 * derived from its content, so peers that carry the same attestation at once (two tabs importing
 * one file, or migrating the same stored graph) write one entry, not one each.
 */
export function writeCarriedAttestation (entityId: string, list: 'verifiedBy' | 'disputedBy', a: Attestation): Write {
  return writeAttestation(entityId, list, a, `c${sha256Hex(JSON.stringify([entityId, list, a.peerId, a.agentId ?? null, a.at, a.reason ?? null]), 20)}`)
}

export function writeMessage (threadId: string, m: ThreadMessage): Write {
  const { key, value } = messageEntry(threadId, m)
  return { root: 'm', shard: shardOf(threadId), key, value: value.val }
}

export function writeEdge (edge: Edge): Write {
  return { root: 'r', shard: shardOf(edge.from), key: edge.id, value: plain(storeEdge(edge)) as DocValue }
}

export class BatchPlanner {
  readonly writes: Write[] = []
  readonly #entities: ReadonlyMap<string, Entity>
  readonly #edges: ReadonlyMap<string, Edge>
  readonly #overlay = new Map<string, Entity>()
  readonly #edgeOverlay = new Map<string, Edge>()
  readonly #actor: GraphActor
  readonly #now: number
  readonly #sign: SyncSigner | undefined

  /** `sign`: the actor's peer key; attestations in the actor's own peer's name are signed with it (attestation-proof.ts). */
  constructor (entities: ReadonlyMap<string, Entity>, edges: ReadonlyMap<string, Edge>, actor: GraphActor, now: number, sign?: SyncSigner) {
    this.#entities = entities
    this.#edges = edges
    this.#actor = actor
    this.#now = now
    this.#sign = sign
  }

  /** `a`, signed if it is in this peer's name and the planner has its key; another peer's attestation cannot be signed here. */
  #signed (e: Entity, as: AttestedAs, a: Attestation): Attestation {
    return this.#sign !== undefined && a.peerId === this.#actor.peerId ? signAttestation(e, as, a, this.#sign) : a
  }

  #get (id: unknown, field: string): Entity {
    const key = validateId(id, field)
    const entity = this.#overlay.get(key) ?? this.#entities.get(key)
    if (entity === undefined) throw new GraphValidationError(field, `no entity with id ${JSON.stringify(key)}`)
    return entity
  }

  #attestation (by: AttestationInput | undefined, reason: string | undefined, field: string): Attestation {
    const raw: Record<string, unknown> = {
      peerId: by?.peerId ?? this.#actor.peerId,
      agentId: by?.agentId ?? this.#actor.agentId,
      at: by?.at ?? this.#now
    }
    const why = reason ?? by?.reason
    if (why !== undefined) raw.reason = why
    return validateAttestation(raw, field)
  }

  /** The entities and edges as the ops applied so far leave them. */
  overlay (): { entities: Entity[], edges: Edge[] } {
    return { entities: [...this.#overlay.values()], edges: [...this.#edgeOverlay.values()] }
  }

  /** Validates `op` and queues its writes; returns the entity, edge or message id it concerns. */
  apply (op: GraphOp): string {
    if (typeof op !== 'object' || op === null) throw new GraphValidationError('', 'must be an op object')
    switch (op.op) {
      case 'add': return this.#add(op.entity, op.id, op.by)
      case 'update': return this.#update(op.id, op.patch)
      case 'retract': return this.#retract(op.id, op.reason, op.by)
      case 'relate': return this.#relate(op.from, op.type, op.to, false)
      case 'unrelate': return this.#relate(op.from, op.type, op.to, true)
      case 'verify': return this.#attest(op.id, op.by, undefined, 'verifiedBy')
      case 'dispute': {
        if (typeof op.reason !== 'string' || op.reason.length === 0) throw new GraphValidationError('reason', 'a dispute needs a reason')
        return this.#attest(op.id, op.by, op.reason, 'disputedBy')
      }
      case 'post': return this.#post(op.threadId, op.text, op.at)
      default: throw new GraphValidationError('op', `unknown op ${JSON.stringify((op as { op?: unknown }).op)}`)
    }
  }

  #add (input: NewEntity, requestedId: string | undefined, by?: { agentId: string }): string {
    const fields = validateNewEntity(input, 'entity')
    const id = requestedId === undefined ? `${fields.kind}:${randomToken(16)}` : validateId(requestedId, 'id')
    if (this.#overlay.has(id) || this.#entities.has(id)) throw new GraphValidationError('id', `an entity with id ${JSON.stringify(id)} already exists`)
    const entity = validateEntity({
      ...fields,
      id,
      provenance: { agentId: by?.agentId ?? this.#actor.agentId, peerId: this.#actor.peerId, createdAt: this.#now, updatedAt: this.#now },
      confidence: fields.confidence ?? 0.5,
      status: 'proposed',
      verifiedBy: [],
      disputedBy: [],
      ...(fields.kind === 'thread' ? { messages: [] } : {})
    }, 'entity')
    this.#overlay.set(id, entity)
    this.writes.push(...writeNewEntity(entity))
    return id
  }

  #update (id: string, rawPatch: EntityPatch): string {
    const current = this.#get(id, 'id')
    if (current.status === 'retracted') throw new GraphValidationError('id', `entity ${JSON.stringify(id)} is retracted`)
    const patch = validatePatch(rawPatch, 'patch')
    const next = validateEntity({
      ...current,
      ...patch,
      provenance: { ...current.provenance, updatedAt: Math.max(this.#now, current.provenance.updatedAt) }
    })
    this.#overlay.set(current.id, next)
    const key = current.id
    for (const field of PATCH_KEYS) {
      if (patch[field] === undefined) continue
      let value: DocValue
      switch (field) {
        case 'confidence': value = next.confidence; break
        case 'tags': value = storeTags(next.tags ?? []).val; break
        case 'data': value = storeData(next.data ?? {}).val; break
        case 'text': value = next.text; break
        case 'title': value = next.title ?? ''; break
        case 'taskId': value = next.taskId ?? ''; break
        default: continue
      }
      this.writes.push(fieldWrite('e', key, key, field, value))
    }
    this.writes.push(fieldWrite('e', key, key, 'updatedAt', next.provenance.updatedAt))
    return key
  }

  #retract (id: string, reason: string | undefined, by: AttestationInput | undefined): string {
    const current = this.#get(id, 'id')
    if (current.status === 'retracted') return current.id
    const retraction = this.#signed(current, 'retraction', this.#attestation(by, reason, 'retraction'))
    const next = validateEntity({ ...current, status: 'retracted', retraction })
    this.#overlay.set(current.id, next)
    const key = current.id
    this.writes.push(fieldWrite('e', key, key, 'retraction', storeRetraction(retraction).val), fieldWrite('e', key, key, 'status', 'retracted'))
    return key
  }

  #attest (id: string, by: AttestationInput | undefined, reason: string | undefined, list: 'verifiedBy' | 'disputedBy'): string {
    const current = this.#get(id, 'id')
    if (current.status === 'retracted') throw new GraphValidationError('id', `entity ${JSON.stringify(id)} is retracted`)
    const attestation = this.#signed(current, list, this.#attestation(by, reason, 'by'))
    const nextList = [...current[list], attestation]
    if (nextList.length > LIMITS.attestations) throw new GraphValidationError(list, `already has ${LIMITS.attestations} attestations`)
    const withList = { ...current, [list]: nextList }
    const status = deriveStatus(withList)
    const next = validateEntity({ ...withList, status })
    this.#overlay.set(current.id, next)
    const key = current.id
    this.writes.push(writeAttestation(key, list, attestation))
    if (status !== current.status) this.writes.push(fieldWrite('e', key, key, 'status', status))
    return key
  }

  #relate (from: string, type: RelationType, to: string, remove: boolean): string {
    this.#get(from, 'from')
    this.#get(to, 'to')
    const relation = validateRelationType(type, 'type')
    const id = edgeId(from, relation, to)
    const existing = this.#edgeOverlay.get(id) ?? this.#edges.get(id)
    if (remove) {
      if (existing === undefined || existing.retracted === true) return id
      this.#edgeOverlay.set(id, { ...existing, retracted: true })
      this.writes.push(fieldWrite('r', from, id, 'retracted', true))
      return id
    }
    if (existing !== undefined && existing.retracted !== true) return id
    if (existing !== undefined) {
      const restored: Edge = { ...existing }
      delete restored.retracted
      this.#edgeOverlay.set(id, restored)
      this.writes.push(fieldWrite('r', from, id, 'retracted', undefined))
      return id
    }
    const edge = validateEdge({
      id, from, type: relation, to,
      provenance: { agentId: this.#actor.agentId, peerId: this.#actor.peerId, createdAt: this.#now }
    }, 'edge')
    this.#edgeOverlay.set(id, edge)
    this.writes.push(writeEdge(edge))
    return id
  }

  #post (threadId: string, text: string, at?: number): string {
    const thread = this.#get(threadId, 'threadId')
    if (thread.kind !== 'thread') throw new GraphValidationError('threadId', `${JSON.stringify(threadId)} is a ${thread.kind}, not a thread`)
    if (thread.status === 'retracted') throw new GraphValidationError('threadId', `thread ${JSON.stringify(threadId)} is retracted`)
    const messages = thread.messages ?? []
    if (messages.length >= LIMITS.messages) throw new GraphValidationError('threadId', `thread already has ${LIMITS.messages} messages`)
    if (at !== undefined && (typeof at !== 'number' || !Number.isFinite(at) || at < 0)) throw new GraphValidationError('at', 'must be a time in ms since the epoch')
    if (at !== undefined && at > this.#now + MAX_POST_AHEAD_MS) throw new GraphValidationError('at', 'must not be more than a minute ahead of now')
    const message: ThreadMessage = validateThreadMessage({
      id: `msg:${randomToken(16)}`,
      agentId: this.#actor.agentId,
      peerId: this.#actor.peerId,
      text,
      at: at === undefined ? Math.max(this.#now, (messages.at(-1)?.at ?? -1) + 1) : this.#untied(messages, at)
    }, 'message')
    this.#overlay.set(thread.id, { ...thread, messages: [...messages, message] })
    this.writes.push(writeMessage(thread.id, message))
    return message.id
  }

  /**
   * A thread lists its messages by time, then id. A message posted now sorts after every message
   * its writer sees (the default above: at least the next millisecond). One posted with the time of
   * its event sorts by that time, but never ties with one of this writer's own messages, whose
   * random ids would otherwise order two lines of one writer by chance.
   */
  #untied (messages: readonly ThreadMessage[], at: number): number {
    const own = new Set(messages.filter(m => m.peerId === this.#actor.peerId).map(m => m.at))
    while (own.has(at)) at++
    return at
  }
}
