/**
 * One completion per task, even across a network partition.
 *
 * Execution is at-least-once: when a room splits, each side can give the task its own steward and
 * winner, and both sides complete it. When the sides meet again their graphs merge and the task
 * thread holds two completed outcomes (as an Automerge conflict on its `data` when both were
 * written concurrently, or one written over the other). Every node then applies the same rule to
 * the values it sees, so all of them settle on one completion without talking to each other:
 *
 * - a completed outcome beats any other (failed, unassigned… or none yet: the work was done);
 * - among completed outcomes, the lowest attempt wins (it was awarded first), then the lower
 *   producer peer id, then the lower agent id (code-unit order);
 * - the merged thread data is the winning value, with every side's attempts (by attempt number,
 *   the winner's entry first) and `duplicates`: the other completions, kept for provenance (the
 *   work was done twice; it is recorded once).
 *
 * `mergeTaskData` is a pure function of the *set* of values: the same set in any order gives the
 * same result, and merging a merged value again with one of its inputs changes nothing, so nodes
 * that merge at different times converge.
 */
import type { JsonObject, JsonValue } from '../graph/schema.ts'

/** A completion as the thread's `data.outcome.producer` records it. */
export interface Completion {
  attempt: number
  peerId: string
  agentId: string
}

function obj (v: JsonValue | undefined): JsonObject | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined
}

/** The completion a thread data value records, if its outcome is `completed` with a producer. */
export function completionOf (data: JsonObject | undefined): Completion | undefined {
  const outcome = obj(data?.outcome)
  if (outcome?.state !== 'completed') return undefined
  const p = obj(outcome.producer)
  if (p === undefined || typeof p.attempt !== 'number' || typeof p.peerId !== 'string' || typeof p.agentId !== 'string') return undefined
  return { attempt: p.attempt, peerId: p.peerId, agentId: p.agentId }
}

function cmpStr (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Negative when `a` is the canonical one of the two (see the rule above). */
export function compareCompletions (a: Completion, b: Completion): number {
  return a.attempt - b.attempt || cmpStr(a.peerId, b.peerId) || cmpStr(a.agentId, b.agentId)
}

export function sameCompletion (a: Completion | undefined, b: Completion | undefined): boolean {
  return a !== undefined && b !== undefined && compareCompletions(a, b) === 0
}

function completionKey (c: Completion): string {
  return `${c.attempt}|${c.peerId}|${c.agentId}`
}

function duplicatesOf (data: JsonObject): Completion[] {
  const list = Array.isArray(data.duplicates) ? data.duplicates : []
  const out: Completion[] = []
  for (const v of list) {
    const d = obj(v)
    if (d !== undefined && typeof d.attempt === 'number' && typeof d.peerId === 'string' && typeof d.agentId === 'string') out.push({ attempt: d.attempt, peerId: d.peerId, agentId: d.agentId })
  }
  return out
}

/**
 * Merges task thread data values under the rule above. Undefined when no value records a
 * completion: the rule only settles completions (two sides that both failed keep Automerge's pick).
 */
export function mergeTaskData (values: readonly JsonObject[]): JsonObject | undefined {
  const all = new Map<string, Completion>()
  let best: Completion | undefined
  for (const v of values) {
    const c = completionOf(v)
    for (const x of [...(c !== undefined ? [c] : []), ...duplicatesOf(v)]) all.set(completionKey(x), x)
    if (c !== undefined && (best === undefined || compareCompletions(c, best) < 0)) best = c
  }
  if (best === undefined) return undefined
  // A `duplicates` entry is kept but never wins: it lost to a lower completion where it was merged.
  const winner = best
  // The base: among values whose outcome is the winner, the one with the smallest JSON (any order
  // of `values` picks the same).
  const texts = values.filter(v => sameCompletion(completionOf(v), winner)).map(v => JSON.stringify(v)).sort()
  const base = JSON.parse(texts[0]!) as JsonObject
  const attempts = new Map<number, JsonObject>()
  for (const a of Array.isArray(base.attempts) ? base.attempts : []) {
    const e = obj(a)
    if (e !== undefined && typeof e.attempt === 'number') attempts.set(e.attempt, e)
  }
  const others = values.filter(v => JSON.stringify(v) !== texts[0]).map(v => JSON.stringify(v)).sort().map(t => JSON.parse(t) as JsonObject)
  let attempt = typeof base.attempt === 'number' ? base.attempt : 0
  for (const v of others) {
    if (typeof v.attempt === 'number') attempt = Math.max(attempt, v.attempt)
    for (const a of Array.isArray(v.attempts) ? v.attempts : []) {
      const e = obj(a)
      if (e !== undefined && typeof e.attempt === 'number' && !attempts.has(e.attempt)) attempts.set(e.attempt, e)
    }
  }
  const duplicates = [...all.values()]
    .filter(c => compareCompletions(c, winner) !== 0)
    .sort(compareCompletions)
    .map(c => ({ attempt: c.attempt, peerId: c.peerId, agentId: c.agentId }))
  const merged: JsonObject = { ...base, state: 'completed', attempt, attempts: [...attempts.keys()].sort((a, b) => a - b).map(k => attempts.get(k)!) }
  delete merged.reason
  if (duplicates.length > 0) merged.duplicates = duplicates
  else delete merged.duplicates
  return merged
}
