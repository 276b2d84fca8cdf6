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
import { shortPeer } from './graph-record-ids.ts'

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

/** Ended states that are not a completion, most canonical first (see `endedOf`). */
const ENDED_RANK: ReadonlyMap<string, number> = new Map([['canceled', 0], ['failed', 1], ['rejected', 2], ['unassigned', 3]])

/**
 * How a side ended a task without completing it: the value's `outcome` when its state is canceled,
 * failed, rejected or unassigned. Two ended sides are ordered by that state (a person's cancel, then
 * failed: an agent tried, then rejected: every agent refused, then unassigned: nobody could), then
 * the earlier end (`outcome.at`), then the outcome's JSON text.
 */
export interface Ended {
  state: string
  at: number
  outcome: JsonObject
}

export function endedOf (data: JsonObject | undefined): Ended | undefined {
  const outcome = obj(data?.outcome)
  const state = outcome?.state
  if (typeof state !== 'string' || !ENDED_RANK.has(state) || data?.state !== state) return undefined
  return { state, at: typeof outcome!.at === 'number' ? outcome!.at : 0, outcome: outcome! }
}

function compareEnded (a: Ended, b: Ended): number {
  return ENDED_RANK.get(a.state)! - ENDED_RANK.get(b.state)! || a.at - b.at || cmpStr(JSON.stringify(a.outcome), JSON.stringify(b.outcome))
}

/** Bounds on `alsoEnded`: the thread's data must stay within the graph's size limit. */
const MAX_ALSO_ENDED = 16
const MAX_FAILURES = 8
const MAX_REASON = 300

/**
 * What `alsoEnded` keeps of a side that ended the task another way (small: thread data has a size
 * limit). Only what the side's end itself records (never its attempts list, which a merge unions),
 * so an entry reads the same whether it is taken from that side's value or from a merge of it.
 */
function endedEntry (v: JsonObject, e: Ended): JsonObject {
  return entryOf({ state: e.state, at: e.at, reason: v.reason ?? null, steward: v.steward ?? null, attempts: e.outcome.attempts ?? null, failures: e.outcome.failures ?? null })
}

/**
 * An `alsoEnded` entry in its one shape: known fields of the right types, bounded. Applied to
 * entries read back from a value too (a peer may have written anything there); applying it again
 * changes nothing.
 */
function entryOf (x: JsonObject): JsonObject {
  const entry: JsonObject = { state: String(x.state), at: typeof x.at === 'number' ? x.at : 0 }
  if (typeof x.reason === 'string') entry.reason = clipReason(x.reason)
  if (typeof x.steward === 'string') entry.steward = x.steward.slice(0, 100)
  if (typeof x.attempts === 'number') entry.attempts = x.attempts
  if (Array.isArray(x.failures)) {
    const failures: JsonObject[] = []
    for (const f of x.failures.slice(0, MAX_FAILURES)) {
      const y = obj(f)
      if (y === undefined) continue
      const one: JsonObject = {}
      if (typeof y.attempt === 'number') one.attempt = y.attempt
      if (typeof y.code === 'string') one.code = y.code.slice(0, 40)
      if (typeof y.reason === 'string') one.reason = clipReason(y.reason)
      if (typeof y.peerId === 'string') one.peerId = y.peerId.slice(0, 100)
      if (typeof y.agentId === 'string') one.agentId = y.agentId.slice(0, 200)
      failures.push(one)
    }
    entry.failures = failures
  }
  return entry
}

function clipReason (reason: string): string {
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason
}

function entryKey (e: JsonObject): string {
  return `${ENDED_RANK.get(String(e.state)) ?? 9}|${String(e.at).padStart(16, '0')}|${JSON.stringify(e)}`
}

/**
 * The union of every value's attempts by attempt number: the primary's entry where it has one, else
 * the entry with the smallest JSON text among the values (a choice that does not depend on the
 * order of the values, nor on whether one of them is an earlier merge).
 */
function unionAttempts (primary: JsonObject, values: readonly JsonObject[]): JsonObject[] {
  const chosen = new Map<number, { e: JsonObject, text: string | undefined }>()
  for (const a of Array.isArray(primary.attempts) ? primary.attempts : []) {
    const e = obj(a)
    if (e !== undefined && typeof e.attempt === 'number') chosen.set(e.attempt, { e, text: undefined })
  }
  for (const v of values) {
    for (const a of Array.isArray(v.attempts) ? v.attempts : []) {
      const e = obj(a)
      if (e === undefined || typeof e.attempt !== 'number') continue
      const had = chosen.get(e.attempt)
      if (had !== undefined && had.text === undefined) continue // the primary's
      const text = JSON.stringify(e)
      if (had === undefined || text < had.text!) chosen.set(e.attempt, { e, text })
    }
  }
  return [...chosen.keys()].sort((a, b) => a - b).map(k => chosen.get(k)!.e)
}

/** Every side that ended the task without completing it, but the primary: one entry each, ordered. */
function alsoEndedOf (primary: JsonObject, values: readonly JsonObject[]): JsonObject[] {
  const own = endedOf(primary)
  const skip = own !== undefined ? entryKey(endedEntry(primary, own)) : undefined
  const all = new Map<string, JsonObject>()
  for (const v of values) {
    const e = endedOf(v)
    if (e !== undefined) { const entry = endedEntry(v, e); all.set(entryKey(entry), entry) }
    for (const x of Array.isArray(v.alsoEnded) ? v.alsoEnded : []) {
      const entry = obj(x)
      if (entry === undefined || typeof entry.state !== 'string' || !ENDED_RANK.has(entry.state)) continue
      const normal = entryOf(entry)
      all.set(entryKey(normal), normal)
    }
  }
  if (skip !== undefined) all.delete(skip)
  // The first few in a fixed order: merging again with any input keeps the same ones.
  return [...all.keys()].sort().slice(0, MAX_ALSO_ENDED).map(k => all.get(k)!)
}

function maxAttempt (values: readonly JsonObject[]): number {
  let attempt = 0
  for (const v of values) if (typeof v.attempt === 'number') attempt = Math.max(attempt, v.attempt)
  return attempt
}

/**
 * Merges task thread data values under the rule above, or, when no value records a completion
 * but some value records an end (canceled, failed, rejected, unassigned), under the rule for ends:
 * the most canonical end (see `endedOf`) is the thread's state, reason and outcome; the other ends
 * are kept in `alsoEnded` (state, reason, steward, attempts, failures, at) and every side's attempts
 * are kept. A value still running contributes its attempts: an end beats it, and a completion,
 * should the running side complete, beats the end in its turn. Undefined when no value has ended.
 */
export function mergeTaskData (values: readonly JsonObject[]): JsonObject | undefined {
  const all = new Map<string, Completion>()
  let best: Completion | undefined
  for (const v of values) {
    const c = completionOf(v)
    for (const x of [...(c !== undefined ? [c] : []), ...duplicatesOf(v)]) all.set(completionKey(x), x)
    if (c !== undefined && (best === undefined || compareCompletions(c, best) < 0)) best = c
  }
  if (best === undefined) return mergeEnded(values)
  // A `duplicates` entry is kept but never wins: it lost to a lower completion where it was merged.
  const winner = best
  // The base: among values whose outcome is the winner, the one with the smallest JSON (any order
  // of `values` picks the same).
  const texts = values.filter(v => sameCompletion(completionOf(v), winner)).map(v => JSON.stringify(v)).sort()
  const base = JSON.parse(texts[0]!) as JsonObject
  const duplicates = [...all.values()]
    .filter(c => compareCompletions(c, winner) !== 0)
    .sort(compareCompletions)
    .map(c => ({ attempt: c.attempt, peerId: c.peerId, agentId: c.agentId }))
  const merged: JsonObject = { ...base, state: 'completed', attempt: maxAttempt(values), attempts: unionAttempts(base, values) }
  delete merged.reason
  if (duplicates.length > 0) merged.duplicates = duplicates
  else delete merged.duplicates
  // Sides that failed (or were canceled…) before the completion reached them: their ends stay on record.
  const ended = alsoEndedOf(merged, values)
  if (ended.length > 0) merged.alsoEnded = ended
  else delete merged.alsoEnded
  return merged
}

/** The rule for ends (no completion anywhere): see `mergeTaskData`. */
function mergeEnded (values: readonly JsonObject[]): JsonObject | undefined {
  let best: { v: JsonObject, e: Ended, core: string } | undefined
  for (const v of values) {
    const e = endedOf(v)
    if (e === undefined) continue
    const { attempts: _a, attempt: _n, alsoEnded: _x, ...rest } = v
    const core = JSON.stringify(rest)
    if (best === undefined || compareEnded(e, best.e) < 0 || (compareEnded(e, best.e) === 0 && core < best.core)) best = { v, e, core }
  }
  if (best === undefined) return undefined
  const base = JSON.parse(best.core) as JsonObject
  const merged: JsonObject = { ...base, attempt: maxAttempt(values), attempts: unionAttempts(best.v, values) }
  const ended = alsoEndedOf(merged, values)
  if (ended.length > 0) merged.alsoEnded = ended
  return merged
}

/**
 * The reason a task ended on every side of a partition gives, the same on every node (the engine
 * adopts it, a node that lists the task from the graph reads it): undefined unless `data` records
 * an end with other sides' ends in `alsoEnded`.
 */
export function mergedEndReason (data: JsonObject | undefined): string | undefined {
  const others = Array.isArray(data?.alsoEnded) ? data!.alsoEnded.map(obj).filter(x => x !== undefined) : []
  const e = others.length > 0 ? endedOf(data) : undefined
  if (e === undefined) return undefined
  const side = (x: JsonObject): string => `${endedWhere(x)}${typeof x.reason === 'string' && x.reason !== '' ? `: ${x.reason}` : ''}`
  const text = `ended on every side of a partition: ${side({ state: e.state, steward: data!.steward ?? null, reason: data!.reason ?? null })}; also ${others.map(side).join('; ')}`
  return text.length > 1000 ? `${text.slice(0, 999)}…` : text
}

/** `failed where …A was steward`: how a line or reason names one side's end (an `alsoEnded` entry, or thread data). */
export function endedWhere (e: JsonObject): string {
  return `${String(e.state)}${typeof e.steward === 'string' ? ` where ${shortPeer(e.steward)} was steward` : ''}`
}
