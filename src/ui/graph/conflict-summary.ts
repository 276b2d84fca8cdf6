/**
 * Reading a `conflict` entity's data for display. Three kinds of conflict are written:
 * - concurrent writes to one field, by the graph's conflict detector (src/graph/conflicts.ts):
 *   which entity and field clashed, and the values;
 * - statements that say opposite things, by the mesh's recorder when an agent's result names entities
 *   it contradicts (`AgentResult.contradicts`; data `statements`): the ids in conflict, and the
 *   decisions that settled it, if any (`AgentResult.settles`; data `settledBy`);
 * - a result verifiers disputed (data `disputes`, also joined to the statements' conflict when the
 *   same result is disputed): the result and each dispute's reason.
 */
import type { Entity, JsonValue } from '../../graph/schema.ts'

export interface WritesConflict {
  kind: 'writes'
  entityId: string | undefined
  field: string
  /** Each clashing value, shown as short text. */
  values: string[]
  truncated: boolean
}

export interface StatementsConflict {
  kind: 'statements'
  /** The entities that say opposite things, the one that raised the conflict first. */
  statements: string[]
  /** Verifiers' disputes of the first, when some came too. */
  disputes: Dispute[]
  /** The room's decisions that settled it (empty while it is open). */
  settledBy: string[]
  /** Recorded where neither tab had the other (coord/statement-conflicts.ts): raised once the graphs met. */
  apart: boolean
}

export interface DisputeConflict {
  kind: 'dispute'
  /** The disputed result. */
  result: string | undefined
  disputes: Dispute[]
}

export interface Dispute { by: string, reason: string }

/** Sends "Decision: <statement>" for the room (tasks-state.svelte.ts `decideStatement`): the task's id, or why not. */
export type Decide = (statement: string) => { id: string } | { error: string }

export type ConflictSummary = WritesConflict | StatementsConflict | DisputeConflict

function show (value: JsonValue | undefined, max = 160): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value ?? null)
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

function disputesIn (raw: JsonValue | undefined): Dispute[] {
  if (!Array.isArray(raw)) return []
  return raw.flatMap(d => {
    if (d === null || typeof d !== 'object' || Array.isArray(d)) return []
    const who = [d.agentId, d.peerId].filter((x): x is string => typeof x === 'string')
    return [{ by: who.length === 2 ? `${who[0]} on ${who[1]!.slice(-6)}` : who[0] ?? 'a verifier', reason: show(d.reason ?? 'no reason given', 300) }]
  })
}

/** Undefined unless `entity` is a conflict; tolerant of data written by other versions. */
export function conflictSummary (entity: Entity): ConflictSummary | undefined {
  if (entity.kind !== 'conflict') return undefined
  const data = entity.data ?? {}
  if (Array.isArray(data.statements)) {
    const ids = (raw: JsonValue | undefined): string[] => Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : []
    return { kind: 'statements', statements: ids(data.statements), disputes: disputesIn(data.disputes), settledBy: ids(data.settledBy), apart: data.apart === true }
  }
  if (Array.isArray(data.disputes) || typeof data.result === 'string') {
    return { kind: 'dispute', result: typeof data.result === 'string' ? data.result : undefined, disputes: disputesIn(data.disputes) }
  }
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
  return { kind: 'writes', entityId, field, values, truncated: data.truncated === true }
}
