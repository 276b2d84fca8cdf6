/**
 * Turning Automerge conflicts into `conflict` entities.
 *
 * When two peers write the same field of the same entity concurrently, Automerge keeps both
 * values and picks a deterministic winner; the loser is only visible through `getConflicts`.
 * The graph makes such clashes first-class: a `conflict` entity whose data lists every value,
 * related `about` the entity. Its id is derived from (entity id, field, the conflicting op
 * ids), so every peer that notices the same clash writes the same entity under the same key:
 * the copies collapse into one, and noticing it again is a no-op.
 */
import { sha256Hex } from './hash.ts'
import { LIMITS, type Entity, type JsonObject, type JsonValue } from './schema.ts'

/** Entity fields whose concurrent writes become conflict entities. `*` means the whole entity. */
export const CONFLICT_FIELDS = ['text', 'title', 'confidence', 'status', 'tags', 'data', 'taskId'] as const
export type ConflictField = typeof CONFLICT_FIELDS[number] | '*'

/** The agent id conflict entities are attributed to. */
export const CONFLICT_AGENT = 'meshwork:conflict-detector'

export interface ConflictValue {
  /** Automerge op id of the write, e.g. `17@5fa3...`. */
  opId: string
  value: JsonValue
}

export interface FieldConflict {
  entityId: string
  field: ConflictField
  values: ConflictValue[]
}

export function conflictId (entityId: string, field: string, opIds: readonly string[]): string {
  const ops = [...opIds].sort().join(',')
  return `conflict:${sha256Hex(`${entityId}\n${field}\n${ops}`, 32)}`
}

/**
 * Normalises the raw result of Automerge's getConflicts into a FieldConflict, or undefined if
 * every value is the same (two peers verifying at once both write `verified`: no real clash).
 */
export function toFieldConflict (
  entityId: string,
  field: ConflictField,
  raw: Record<string, unknown> | undefined,
  toJson: (value: unknown) => JsonValue
): FieldConflict | undefined {
  if (raw === undefined) return undefined
  const values = Object.entries(raw)
    .map(([opId, value]) => ({ opId, value: toJson(value) }))
    .sort((a, b) => (a.opId < b.opId ? -1 : a.opId > b.opId ? 1 : 0))
  if (values.length < 2) return undefined
  const distinct = new Set(values.map(v => JSON.stringify(v.value)))
  if (distinct.size < 2) return undefined
  return { entityId, field, values }
}

/** Keeps the conflict entity's data within LIMITS.dataBytes by shortening large values. */
function boundedValues (values: ConflictValue[]): { values: JsonValue[], truncated: boolean } {
  const budget = Math.floor((LIMITS.dataBytes - 2048) / Math.max(1, values.length))
  let truncated = false
  const out = values.map(({ opId, value }): JsonValue => {
    const text = JSON.stringify(value)
    if (new TextEncoder().encode(text).length <= budget) return { opId, value }
    truncated = true
    // A UTF-16 unit encodes to at most 3 UTF-8 bytes.
    return { opId, preview: text.slice(0, Math.floor(budget / 3) - 64) }
  })
  return { values: out, truncated }
}

/** The conflict entity for `conflict`, written by the peer `detectedBy` at time `now`. */
export function buildConflictEntity (conflict: FieldConflict, detectedBy: string, now: number): Entity {
  const id = conflictId(conflict.entityId, conflict.field, conflict.values.map(v => v.opId))
  const { values, truncated } = boundedValues(conflict.values)
  const data: JsonObject = { entityId: conflict.entityId, field: conflict.field, values }
  if (truncated) data.truncated = true
  const what = conflict.field === '*' ? 'the entity' : `"${conflict.field}"`
  return {
    id,
    kind: 'conflict',
    title: `Concurrent writes to ${what} of ${conflict.entityId}`.slice(0, LIMITS.titleLength),
    text: `${conflict.values.length} peers wrote different values for ${what} of ${conflict.entityId} at the same time; Automerge kept one, all are listed here.`,
    provenance: { agentId: CONFLICT_AGENT, peerId: detectedBy, createdAt: now, updatedAt: now },
    confidence: 1,
    status: 'proposed',
    verifiedBy: [],
    disputedBy: [],
    tags: ['auto-conflict'],
    data
  }
}
