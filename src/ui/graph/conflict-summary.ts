/**
 * Reading a `conflict` entity's data (written by the graph's conflict detector, see
 * src/graph/conflicts.ts) for display: which entity and field clashed, and the values.
 */
import type { Entity, JsonValue } from '../../graph/schema.ts'

export interface ConflictSummary {
  entityId: string | undefined
  field: string
  /** Each clashing value, shown as short text. */
  values: string[]
  truncated: boolean
}

function show (value: JsonValue | undefined, max = 160): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value ?? null)
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

/** Undefined unless `entity` is a conflict; tolerant of data written by other versions. */
export function conflictSummary (entity: Entity): ConflictSummary | undefined {
  if (entity.kind !== 'conflict') return undefined
  const data = entity.data ?? {}
  const entityId = typeof data.entityId === 'string' ? data.entityId : undefined
  const field = typeof data.field === 'string' ? (data.field === '*' ? 'the whole entity' : data.field) : 'unknown field'
  const raw = Array.isArray(data.values) ? data.values : []
  const values = raw.map(v => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return show(v)
    // Large values are stored shortened as `preview` (already JSON text).
    if ('value' in v) return show(v.value)
    if (typeof v.preview === 'string') return `${v.preview.slice(0, 159)}…`
    return show(v)
  })
  return { entityId, field, values, truncated: data.truncated === true }
}
