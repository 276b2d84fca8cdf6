/**
 * The CoordRecorder that writes what the mesh does into the room's knowledge graph. The mapping
 * (entity ids, kinds, relations, thread messages) is specified in docs/protocol.md, "What the mesh
 * records in the graph"; the ids come from graph-record-ids.ts.
 *
 * Contracts:
 * - Records become *intents* at once (bad records are reported through `onProblem` and dropped
 *   there) and are written every `flushMs` as one `graph.batch`, i.e. one Automerge change, so a
 *   tab can record hundreds of tasks a second.
 * - Intents are resolved against the graph when flushed, not when recorded: an entity that already
 *   exists (in the graph or earlier in the same flush) is not added again, data updates are merged
 *   into what is there, a thread line already posted is not posted again, an attestation by the same
 *   peer is not repeated. Recording the same thing twice, on one node or on two, is harmless.
 * - Nothing waits for the network. An intent that needs an entity this node does not have yet (the
 *   steward's task thread on the producer's node, the producer's result on the steward's node) is
 *   *parked* and written when the entity arrives (the graph's change event wakes it). No node ever
 *   creates a placeholder of an entity another node owns, so each deterministic id is created by
 *   one node and concurrent creation of one key (an Automerge conflict) does not happen in normal
 *   operation.
 * - One op the graph refuses never sinks the batch: the op (and the ops that depend on an entity
 *   it would have added) is dropped, reported, and the rest is written.
 */
import type { KnowledgeGraph, GraphOp } from '../graph/knowledge-graph.ts'
import {
  GraphValidationError,
  LIMITS as GRAPH_LIMITS,
  validateJsonObject,
  type Entity,
  type JsonObject,
  type JsonValue,
  type NewEntity
} from '../graph/schema.ts'
import {
  alertsThreadId,
  answerId,
  decisionId,
  disputeId,
  factId,
  isGraphId,
  keyProblem,
  questionId,
  reputationId,
  resultId,
  resultWildcard,
  resultIdParts,
  resultWildcardOf,
  agentOn,
  ownedBy,
  shortPeer,
  solutionId,
  taskThreadId
} from './graph-record-ids.ts'
import type { CoordRecorder } from './interfaces.ts'
import { LIMITS, type AgentRef, type Bid } from './messages.ts'
import { isTimeZoneName, type AgentResult } from '../agents/types.ts'
import { compareCompletions, completionOf, endedOf, endedWhere, mergedEndReason, mergeTaskData, type Completion } from './outcome-merge.ts'
import type { GraphResult, RecordedTask } from './engine.ts'
import { resultEntityClaim } from './attest.ts'
import { partTaskId, type RecordedPart } from './mission-record.ts'
import type { Vote } from './quorum.ts'
import { CONFLICTING_STATEMENTS } from '../agents/builtin/contradiction.ts'
import { parseRecordedVerification } from './verification-record.ts'
import { StatementIndex, apartConflictText, nearest, relatedPairs, statementOf, unraised, type ApartConflict } from './statement-conflicts.ts'

type Arg<K extends keyof CoordRecorder> = Parameters<CoordRecorder[K]>[0]

export type ReputationRecord = Arg<'reputation'>

export interface GraphRecorderOptions {
  /** How long records gather before they are written as one change (default 50 ms). */
  flushMs?: number
  /**
   * A busy recorder's wait instead: after a flush of at least `busyOps` graph ops (default 60,
   * about ten trivial task lifecycles) the next flush waits `busyFlushMs` (default `flushMs`).
   * Every change is synced to and applied by every tab, and much of that cost is per change, so a
   * busy room writes fewer, larger changes; a quiet one keeps the graph close behind the engine.
   */
  busyFlushMs?: number
  busyOps?: number
  /** Reputation is kept by the tab's agent registry, not in the graph: it is handed over here. */
  onReputation?: (r: ReputationRecord) => void
  /** A record or op that could not be written, with the reason. */
  onProblem?: (message: string) => void
  /**
   * Queued intents that trigger an immediate flush, and the most intents kept parked waiting for
   * an entity (the oldest are dropped and reported beyond it). Default 10,000.
   */
  maxPending?: number
  /**
   * The completion a task thread records, whenever a thread with a completed outcome (or a result
   * it names) changes here or arrives from a peer. After a partition the sides' completions are
   * merged into one (outcome-merge.ts); the engine uses this to settle on the same one.
   */
  onCompletion?: (taskId: string, completion: Completion) => void
  /**
   * A task thread whose recorded state is terminal changed here or arrived from a peer (called
   * before `onCompletion`): a node that does not know the task can list it (`recordedTask`).
   */
  onEnded?: (taskId: string) => void
  /**
   * A task thread that ended on every side of a partition without a completion (its data lists the
   * other sides' ends in `alsoEnded`) changed here or arrived from a peer: `state` and `reason` are
   * the merged end (outcome-merge.ts), which the engine adopts when it had ended the task too.
   */
  onMergedEnd?: (taskId: string, end: { state: string, reason: string }) => void
  /**
   * A result arrived: a node that missed the result message (it was reloading) can still complete
   * the task from the graph, and a mission listed from the graph that waits for its parts' results
   * (their threads ended, the results came later) can be assembled.
   */
  onResult?: (taskId: string, attempt: number) => void
  /**
   * Statements recorded apart that say opposite things (statement-conflicts.ts) are looked for this
   * long after a statement arrives or changes (default 500 ms), and after the recorder starts (every
   * statement the graph holds). A tab that recorded the later statement of a pair raises the conflict
   * then; any other tab waits `statementGraceMs` more (default 4 s) and raises it only if nobody has.
   */
  statementCheckMs?: number
  statementGraceMs?: number
}

/** An attempt's result as the graph holds it (`result:<key>:<attempt>`): what the engine reads (engine.ts). */
export type RecordedResult = GraphResult

export interface GraphRecorderStats {
  /** Records received, by method. */
  records: number
  /** Intents waiting for the next flush. */
  queued: number
  /** Intents waiting for an entity this node does not have yet. */
  parked: number
  flushes: number
  /** Successful `graph.batch` calls (Automerge changes). */
  changes: number
  /** Ops written. */
  ops: number
  /** Intents that found their effect already in the graph (idempotency at work). */
  skipped: number
  /** Problems reported through `onProblem`. */
  problems: number
  /** Parked intents dropped because more than `maxPending` were parked. */
  evicted: number
  /** Batches retried after the graph refused one op. */
  retries: number
  /** Task threads whose completions were merged into one (a partition ran the task on both sides). */
  merges: number
  /** Conflicts raised between statements recorded apart (statement-conflicts.ts). */
  apartConflicts: number
  largestBatch: number
  lastFlushMs: number
  totalFlushMs: number
}

export interface GraphRecorder extends CoordRecorder {
  /** Writes everything queued now (one change). Parked intents stay parked. */
  flush (): void
  /** Changes how long records gather before they are written, quiet and busy (from the next flush on). */
  setFlushMs (ms: number, busyMs?: number): void
  stats (): GraphRecorderStats
  /**
   * A task that ended, as its thread records it (undefined while the thread is missing or its state
   * is not terminal): what `CoordEngine.importTask` takes. `running: true`: only a task that has
   * not ended (for `CoordEngine.resumeTask`).
   */
  recordedTask (taskId: string, opts?: { running?: boolean }): RecordedTask | undefined
  /**
   * The winner the task thread records for an attempt (its steward's award), if any: what
   * `CoordEngineInit.recordedAward` reads for a node that missed the award message.
   */
  awardOf (taskId: string, attempt: number): (AgentRef & { skillId: string }) | undefined
  /** The result an attempt recorded in the graph (`result:<key>:<attempt>`), if it is here. */
  resultOf (taskId: string, attempt: number): RecordedResult | undefined
  /** Flushes, stops the timer and stops listening to the graph. */
  close (): void
}

/** Agent named on attestations and records that no agent made (quorum verdicts, people). */
export const MESH_AGENT = 'meshwork:coord'

// ---------------------------------------------------------------------------------------------
// Intents

interface AttestBy { peerId: string, agentId?: string, at?: number, reason?: string }

interface View {
  exists (id: string): boolean
  entity (id: string): Pick<Entity, 'id' | 'kind' | 'text' | 'title' | 'status' | 'provenance' | 'data'> | undefined
  attemptOf (taskId: string): number | undefined
}

type Expansion = { intents: Intent[] } | { waitFor: string[] }

type Intent = { source: string } & (
  | { t: 'add', id: string, entity: NewEntity, by?: { agentId: string } }
  /**
   * `text`: the entity's text from its merged data, for an entity whose text summarises its data;
   * written once per flush, from the data as the flush leaves it.
   */
  | { t: 'merge', id: string, merge: (data: JsonObject) => JsonObject, text?: (data: JsonObject) => string }
  /** `optional`: skip when an end is missing instead of waiting for it (citations, evidence). */
  | { t: 'relate', from: string, type: string, to: string, optional?: boolean }
  /** Retracts an edge; nothing to do when it or an end does not exist. */
  | { t: 'unrelate', from: string, type: string, to: string }
  /** `at`: when the event the line tells of happened (the record's time; `record` stamps it). */
  | { t: 'post', threadId: string, line: string, at?: number }
  | { t: 'attest', id: string, list: 'verifiedBy' | 'disputedBy', by: AttestBy, optional?: boolean }
  | { t: 'resolve', expand: (view: View) => Expansion }
)

interface Parked { intent: Intent, keys: string[] }

interface PlannedOp { op: GraphOp, source: string }

// ---------------------------------------------------------------------------------------------
// Small pure helpers

/** Longest text, and largest output (JSON characters), of a partial result kept in a task thread's outcome. */
const PARTIAL_TEXT = 2000
const PARTIAL_OUTPUT_BYTES = 4096
/** A mission's outcome lists at most this many members of its working group (and counts the rest). */
const MAX_GROUP = 64

/** An agent's reputation fact's text: per skill, its tries, success and verification, latency and factor. */
function reputationText (agentId: string, peerId: string, skills: JsonObject): string {
  const n = (v: JsonValue | undefined): number => typeof v === 'number' && Number.isFinite(v) ? v : 0
  const parts = Object.entries(skills).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([skillId, v]) => {
    const k = asObject(v)
    const tries = n(k.successes) + n(k.failures)
    const checked = n(k.verified) + n(k.disputed)
    return `${skillId}: ${n(k.successes)} of ${tries} tr${tries === 1 ? 'y' : 'ies'} succeeded` +
      (checked > 0 ? `, ${n(k.verified)} of ${checked} checked results verified` : ', no result checked yet') +
      `, about ${Math.round(n(k.latencyMs))} ms, reputation ${n(k.factor).toFixed(2)}`
  })
  return clip(`${agentOn({ agentId, peerId })}. ${parts.join('; ')}.`, 8000)
}

/** A check for statements recorded apart works this long at a time (graph-recorder, statement-conflicts.ts). */
const STATEMENT_SLICE_MS = 8

/** A result names at most this many entities it states the opposite of (`AgentResult.contradicts`). */
const MAX_CONTRADICTED = 8

/**
 * The conflict a result raises by stating the opposite of entities the graph holds
 * (`AgentResult.contradicts`): the result `contradicts` each, and a conflict entity is about all of
 * them and the task's thread. Its id is the attempt's dispute id, so verifiers' disputes of the same
 * result, if any come, join it rather than raise a second one. An entity not (yet) in this graph is
 * named by its id alone.
 */
function statementConflict (taskId: string, attempt: number, rid: string, said: string, against: readonly string[], source: string): Intent {
  return {
    t: 'resolve', source,
    expand: (view) => {
      const cid = disputeId(taskId, attempt)
      const thread = taskThreadId(taskId)
      const named = against.map(c => { const e = view.entity(c); return e === undefined ? `[${c}]` : `"${clip(oneLine(e.text), 300)}" [${c}]` })
      const text = clip(`${CONFLICTING_STATEMENTS}"${clip(oneLine(said), 600)}" [${rid}] says the opposite of ${named.join(' and of ')}.`, GRAPH_LIMITS.textLength)
      const intents: Intent[] = [
        { t: 'add', id: cid, source, by: { agentId: MESH_AGENT }, entity: { kind: 'conflict', text, tags: ['statements'], data: { taskId, attempt, result: rid, statements: [rid, ...against], disputes: [] } } },
        { t: 'relate', from: cid, type: 'about', to: rid, source },
        { t: 'relate', from: cid, type: 'about', to: thread, source },
        { t: 'post', threadId: thread, source, line: `Conflict ${cid}: ${rid} says the opposite of ${against.join(', ')}.` }
      ]
      for (const c of against) intents.push({ t: 'relate', from: rid, type: 'contradicts', to: c, optional: true, source }, { t: 'relate', from: cid, type: 'about', to: c, optional: true, source })
      return { intents }
    }
  }
}

/**
 * What a decision settles (`AgentResult.settles`): a conflict between statements it takes a side in
 * is answered by the result (edge `answers`, its id added to the conflict's `settledBy`, a line on the
 * conflict's task thread and on the decision's); any other entity named is one it overrules (edge
 * `contradicts`, no conflict raised). An entity not (yet) in this graph is skipped.
 */
function settlement (taskId: string, rid: string, ids: readonly string[], source: string): Intent {
  return {
    t: 'resolve', source,
    expand: (view) => {
      const intents: Intent[] = []
      const thread = taskThreadId(taskId)
      for (const id of ids) {
        const e = view.entity(id)
        if (e === undefined) continue
        if (e.kind !== 'conflict' || !Array.isArray(e.data?.statements)) {
          intents.push({ t: 'relate', from: rid, type: 'contradicts', to: id, optional: true, source })
          continue
        }
        intents.push(
          { t: 'relate', from: rid, type: 'answers', to: id, source },
          { t: 'merge', id, source, merge: d => ({ ...d, settledBy: [...new Set([...asArray(d.settledBy).filter((x): x is string => typeof x === 'string'), rid])] }) },
          { t: 'post', threadId: thread, source, line: `Conflict ${id} settled by ${rid}.` }
        )
        const raisedIn = typeof e.data.taskId === 'string' ? taskThreadId(e.data.taskId) : undefined
        if (raisedIn !== undefined && raisedIn !== thread) intents.push({ t: 'post', threadId: raisedIn, source, line: `Conflict ${id} settled by ${rid}, the room's decision.` })
      }
      return { intents }
    }
  }
}

function clip (text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/** A solution entity's text when the mission's answer is empty (an entity's text cannot be). */
const EMPTY_SOLUTION = '(empty solution)'

/** Why an ended task thread ended; after a partition, every side's end (outcome-merge.ts). */
function endReasonOf (d: Readonly<JsonObject>): string | undefined {
  const text = (v: JsonValue | undefined): string | undefined => typeof v === 'string' ? v : undefined
  return mergedEndReason(d) ?? text(d.reason) ?? text(asObject(d.outcome).reason)
}

function oneLine (text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** Plain JSON copy, or undefined if `value` is not serialisable (BigInt, cycles). */
function jsonCopy (value: unknown): JsonValue | undefined {
  try {
    const s = JSON.stringify(value)
    return s === undefined ? undefined : JSON.parse(s) as JsonValue
  } catch {
    return undefined
  }
}

function parseJson (text: string): JsonValue | undefined {
  try { return JSON.parse(text) as JsonValue } catch { return undefined }
}

function asObject (value: JsonValue | undefined): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}
}

function asArray (value: JsonValue | undefined): JsonValue[] {
  return Array.isArray(value) ? value : []
}

/**
 * A bid as the thread records it. The peer id is left out when the agent id already ends with it
 * (`<manifest id>@<peer id>`, every registered agent's): the bids were a third of the bytes every
 * tab syncs, applies and stores for a trivial task (its steward's change is 18 % smaller now;
 * bench:coord's throughput did not change, so bytes are not what limits it).
 */
/** A signed vote as a verification record keeps it (verification-record.ts reads it back). */
function recordedVote (v: Vote): JsonObject {
  return { peerId: v.peerId, agentId: v.agentId, vote: v.vote, confidence: v.confidence, reason: v.reason, evidence: [...(v.evidence ?? [])], ...(v.attest !== undefined ? { attest: v.attest } : {}) }
}

function compactBid (b: Bid): JsonObject {
  const out: JsonObject = { agentId: b.agentId, skillId: b.skillId, confidence: b.confidence, reputation: b.reputation, load: b.load }
  if (!ownedBy(b.agentId, b.peerId)) out.peerId = b.peerId
  return out
}

function bidScore (b: Bid): number {
  return b.confidence * b.reputation / (1 + b.load)
}

function ref (a: AgentRef): JsonObject {
  return { peerId: a.peerId, agentId: a.agentId }
}

/** The thread line that tells a person a partition's two completions were merged into one. */
function mergeLine (thread: string, merged: JsonObject): string {
  const w = completionOf(merged)
  const by = (c: JsonObject): string => `attempt ${String(c.attempt)} by ${agentOn({ agentId: String(c.agentId), peerId: String(c.peerId) })}`
  const ends = asArray(merged.alsoEnded).map(asObject).map(endedWhere).join(', ')
  if (w === undefined) {
    return clip(`Merged after a partition: no side completed the task. It stays ${endedWhere(merged)}; it also ended ${ends} (kept on record).`, 1000)
  }
  const dups = asArray(merged.duplicates).map(asObject)
  return clip(`Merged after a partition: ${by({ ...w })} is the task's result (${thread.replace(/^task:/, 'result:')}:${w.attempt})` +
    (dups.length > 0 ? `; ${dups.map(by).join(', ')} ran too and ${dups.length === 1 ? 'is' : 'are'} kept as a duplicate.` : '.') +
    (ends !== '' ? ` It had also ended ${ends} (kept on record).` : ''), 1000)
}

/** A task's input is kept in its thread's data up to this many characters of JSON. */
const MAX_RECORDED_INPUT = 4096

/** Ended tasks one graph change may announce through `onEnded` (the newest). */
export const MAX_ENDED_PER_CHANGE = 200

const TERMINAL = new Set(['completed', 'failed', 'canceled', 'rejected', 'unassigned'])

/** Puts `patch` into the entry of `attempt` in `data.attempts` (sorted by attempt). */
function upsertAttempt (data: JsonObject, attempt: number, patch: JsonObject): JsonObject {
  const attempts = asArray(data.attempts).map(asObject)
  const i = attempts.findIndex(a => a.attempt === attempt)
  if (i >= 0) attempts[i] = { ...attempts[i], ...patch, attempt }
  else attempts.push({ attempt, ...patch })
  attempts.sort((a, b) => Number(a.attempt) - Number(b.attempt))
  return { ...data, attempts }
}

/**
 * Shrinks data that is over the graph's size limit, least valuable first: the lowest-scored half
 * of the longest bid list (bids are stored best first; the count dropped is kept), then structured
 * output. Returns false when there is nothing left to shrink.
 */
function shrink (data: JsonObject): boolean {
  const attempts = asArray(data.attempts).map(asObject)
  let longest: JsonObject | undefined
  for (const a of attempts) if (asArray(a.bids).length > 4 && asArray(a.bids).length > asArray(longest?.bids).length) longest = a
  if (longest !== undefined) {
    const bids = asArray(longest.bids)
    const keep = Math.ceil(bids.length / 2)
    longest.bids = bids.slice(0, keep)
    longest.bidsOmitted = Number(longest.bidsOmitted ?? 0) + bids.length - keep
    data.attempts = attempts
    return true
  }
  for (const key of ['result', 'output']) {
    if (data[key] !== undefined && typeof data[key] !== 'string') {
      const bytes = JSON.stringify(data[key]).length
      data[key] = `omitted: about ${Math.round(bytes / 1024)} KiB of JSON does not fit the graph's ${GRAPH_LIMITS.dataBytes / 1024} KiB data limit`
      data.truncated = true
      return true
    }
  }
  return false
}

/** Validated data that fits the graph's limits, shrunk if needed, or the reason it cannot. */
function fitData (data: JsonObject): { data: JsonObject } | { problem: string } {
  let current: JsonObject = structuredClone(data)
  for (let round = 0; round < 64; round++) {
    try {
      return { data: validateJsonObject(current) }
    } catch (err) {
      if (!(err instanceof GraphValidationError)) throw err
      const tooBig = /bytes of JSON|deeper than/.test(err.reason)
      if (!tooBig || !shrink(current)) return { problem: `data ${err.field}: ${err.reason}` }
      current = structuredClone(current)
    }
  }
  return { problem: 'data does not fit the graph limits' }
}

function opRefs (op: GraphOp): string[] {
  switch (op.op) {
    case 'add': return []
    case 'relate': case 'unrelate': return [op.from, op.to]
    case 'post': return [op.threadId]
    default: return [op.id]
  }
}

// ---------------------------------------------------------------------------------------------
// One flush: intents resolved against the graph plus what this flush already plans

class FlushPlan implements View {
  readonly adds = new Map<string, { entity: NewEntity, by?: { agentId: string }, text?: (data: JsonObject) => string, source: string }>()
  readonly updates = new Map<string, { data: JsonObject, before: string, text?: (data: JsonObject) => string, textBefore?: string, source: string }>()
  readonly relates = new Map<string, PlannedOp>()
  readonly attests = new Map<string, PlannedOp>()
  readonly lines = new Map<string, { lines: Array<{ line: string, at?: number }>, seen: Set<string>, source: string }>()
  readonly parked: Parked[] = []
  readonly problems: string[] = []
  skipped = 0
  readonly #cache = new Map<string, Readonly<Entity> | undefined>()

  constructor (private readonly graph: KnowledgeGraph, private readonly attempts: (taskId: string) => number | undefined) {}

  /** The stored entity, read in place (`peek`: a task thread's copy would copy all its messages); never modified here. */
  #stored (id: string): Readonly<Entity> | undefined {
    if (!this.#cache.has(id)) this.#cache.set(id, this.graph.peek(id))
    return this.#cache.get(id)
  }

  exists (id: string): boolean {
    return this.adds.has(id) || this.graph.has(id)
  }

  entity (id: string): ReturnType<View['entity']> {
    const stored = this.#stored(id)
    if (stored !== undefined) return stored
    const planned = this.adds.get(id)
    if (planned === undefined) return undefined
    return { id, ...planned.entity, status: 'proposed', provenance: { agentId: planned.by?.agentId ?? this.graph.actor.agentId, peerId: this.graph.actor.peerId, createdAt: 0, updatedAt: 0 } }
  }

  attemptOf (taskId: string): number | undefined {
    return this.attempts(taskId)
  }

  apply (intent: Intent): void {
    switch (intent.t) {
      case 'add': {
        if (this.exists(intent.id)) { this.skipped++; return }
        const entity = structuredClone(intent.entity)
        this.adds.set(intent.id, intent.by === undefined ? { entity, source: intent.source } : { entity, by: intent.by, source: intent.source })
        return
      }
      case 'merge': {
        const planned = this.adds.get(intent.id)
        if (planned !== undefined) {
          planned.entity.data = intent.merge(planned.entity.data ?? {})
          if (intent.text !== undefined) planned.text = intent.text
          return
        }
        const update = this.updates.get(intent.id)
        if (update !== undefined) {
          update.data = intent.merge(update.data)
          if (intent.text !== undefined) update.text = intent.text
          return
        }
        const stored = this.#stored(intent.id)
        if (stored === undefined) { this.park(intent, [intent.id]); return }
        const before = stored.data ?? {}
        this.updates.set(intent.id, { data: intent.merge(structuredClone(before)), before: JSON.stringify(before), ...(intent.text !== undefined ? { text: intent.text, textBefore: stored.text } : {}), source: intent.source })
        return
      }
      case 'relate': {
        const missing = [intent.from, intent.to].filter(id => !this.exists(id))
        if (missing.length > 0) {
          if (intent.optional === true) this.skipped++
          else this.park(intent, missing)
          return
        }
        const key = `${intent.from}\n${intent.type}\n${intent.to}`
        if (this.relates.get(key)?.op.op === 'relate') { this.skipped++; return }
        this.relates.set(key, { op: { op: 'relate', from: intent.from, type: intent.type, to: intent.to }, source: intent.source })
        return
      }
      case 'unrelate': {
        if (!this.exists(intent.from) || !this.exists(intent.to)) { this.skipped++; return }
        this.relates.set(`${intent.from}\n${intent.type}\n${intent.to}`, { op: { op: 'unrelate', from: intent.from, type: intent.type, to: intent.to }, source: intent.source })
        return
      }
      case 'post': {
        let thread = this.lines.get(intent.threadId)
        if (thread === undefined) {
          const seen = new Set<string>()
          if (!this.adds.has(intent.threadId)) {
            const stored = this.#stored(intent.threadId)
            if (stored === undefined) { this.park(intent, [intent.threadId]); return }
            if (stored.kind !== 'thread') { this.problems.push(`${intent.source}: ${intent.threadId} is a ${stored.kind}, not a thread`); return }
            for (const m of stored.messages ?? []) for (const line of m.text.split('\n')) seen.add(line)
          }
          thread = { lines: [], seen, source: intent.source }
          this.lines.set(intent.threadId, thread)
        }
        if (thread.seen.has(intent.line)) { this.skipped++; return }
        thread.seen.add(intent.line)
        thread.lines.push({ line: intent.line, at: intent.at })
        return
      }
      case 'attest': {
        if (!this.exists(intent.id)) {
          if (intent.optional === true) this.skipped++
          else this.park(intent, [intent.id])
          return
        }
        const { by, list } = intent
        const key = `${intent.id}\n${list}\n${by.peerId}\n${by.agentId ?? ''}\n${list === 'disputedBy' ? by.reason ?? '' : ''}`
        const already = (this.#stored(intent.id)?.[list] ?? []).some(a => a.peerId === by.peerId && (a.agentId ?? '') === (by.agentId ?? '') &&
          (list === 'verifiedBy' || a.reason === by.reason))
        if (already || this.attests.has(key)) { this.skipped++; return }
        const op: GraphOp = list === 'verifiedBy'
          ? { op: 'verify', id: intent.id, by }
          : { op: 'dispute', id: intent.id, reason: by.reason ?? 'disputed', by }
        this.attests.set(key, { op, source: intent.source })
        return
      }
      case 'resolve': {
        const expansion = intent.expand(this)
        if ('waitFor' in expansion) { this.park(intent, expansion.waitFor); return }
        for (const next of expansion.intents) this.apply(next)
      }
    }
  }

  park (intent: Intent, keys: string[]): void {
    this.parked.push({ intent, keys })
  }

  /** The ops, in an order where each op's referents come before it. */
  ops (): PlannedOp[] {
    const out: PlannedOp[] = []
    for (const [id, { entity, by, text, source }] of this.adds) {
      if (text !== undefined) entity.text = text(entity.data ?? {})
      if (entity.data !== undefined) {
        const fitted = fitData(entity.data)
        if ('problem' in fitted) { this.problems.push(`${source}: ${id}: ${fitted.problem}; added without data`); delete entity.data } else entity.data = fitted.data
      }
      out.push({ op: by === undefined ? { op: 'add', id, entity } : { op: 'add', id, entity, by }, source })
    }
    for (const [id, { data, before, text, textBefore, source }] of this.updates) {
      const fitted = fitData(data)
      if ('problem' in fitted) { this.problems.push(`${source}: ${id}: ${fitted.problem}`); continue }
      const written = text?.(data)
      const newText = written !== undefined && written !== textBefore ? written : undefined
      if (JSON.stringify(fitted.data) === before && newText === undefined) { this.skipped++; continue }
      out.push({ op: { op: 'update', id, patch: newText !== undefined ? { data: fitted.data, text: newText } : { data: fitted.data } }, source })
    }
    out.push(...this.relates.values(), ...this.attests.values())
    for (const [threadId, { lines, source }] of this.lines) {
      // Lines of one flush go out as one message (one message is far cheaper than several), dated
      // by the earliest event it tells of: a line written late (parked until its entity arrived,
      // or replayed from the journal after a reload) still sorts among the events of its time,
      // not after everything that happened since.
      let chunk = ''
      let at: number | undefined
      const emit = (): void => {
        out.push({ op: at === undefined ? { op: 'post', threadId, text: chunk } : { op: 'post', threadId, text: chunk, at }, source })
        chunk = ''
        at = undefined
      }
      for (const l of lines) {
        if (chunk !== '' && chunk.length + 1 + l.line.length > GRAPH_LIMITS.messageLength) emit()
        chunk = chunk === '' ? l.line : `${chunk}\n${l.line}`
        if (l.at !== undefined) at = at === undefined ? l.at : Math.min(at, l.at)
      }
      if (chunk !== '') emit()
    }
    return out
  }
}

/** `intents` with `at` on their lines (and on those their resolutions will post) that have none. */
function stampLines (intents: Intent[], at: number): Intent[] {
  return intents.map(i => {
    if (i.t === 'post') return i.at === undefined ? { ...i, at } : i
    if (i.t !== 'resolve') return i
    const expand = i.expand
    return { ...i, expand: (view: View): Expansion => { const e = expand(view); return 'intents' in e ? { intents: stampLines(e.intents, at) } : e } }
  })
}

// ---------------------------------------------------------------------------------------------
// The recorder

export function createGraphRecorder (graph: KnowledgeGraph, options: GraphRecorderOptions = {}): GraphRecorder {
  let flushMs = options.flushMs ?? 50
  let busyFlushMs = Math.max(flushMs, options.busyFlushMs ?? flushMs)
  const busyOps = options.busyOps ?? 60
  /** Ops the last flush wrote: decides how long the next one waits. */
  let lastOps = 0
  const wait = (): number => lastOps >= busyOps ? busyFlushMs : flushMs
  const maxPending = options.maxPending ?? 10_000
  let queue: Intent[] = []
  /** Parked intents by the id they wait for; one Parked may sit under several keys. */
  const waiting = new Map<string, Set<Parked>>()
  /** Every parked intent once, oldest first (for eviction). */
  const parkedOrder = new Set<Parked>()
  /** Which attempt produced a task's result, as far as this node knows; `sure` once an outcome said so. */
  const attemptOf = new Map<string, { attempt: number, sure: boolean }>()
  let timer: ReturnType<typeof setTimeout> | undefined
  let flushing = false
  let closed = false
  const s: GraphRecorderStats = {
    records: 0, queued: 0, parked: 0, flushes: 0, changes: 0, ops: 0, skipped: 0, problems: 0, evicted: 0, retries: 0, merges: 0, apartConflicts: 0,
    largestBatch: 0, lastFlushMs: 0, totalFlushMs: 0
  }

  const problem = (message: string): void => {
    s.problems++
    try { options.onProblem?.(message) } catch { /* a failing listener must not break recording */ }
  }

  const noteAttempt = (taskId: string, attempt: number, sure: boolean): void => {
    const known = attemptOf.get(taskId)
    if (known?.sure === true && !sure) return
    attemptOf.delete(taskId) // re-insert: the map is kept in recency order for trimming
    attemptOf.set(taskId, { attempt, sure })
    if (attemptOf.size > 4 * maxPending) attemptOf.delete(attemptOf.keys().next().value!)
  }

  const schedule = (): void => {
    if (closed || flushing) return
    if (queue.length >= maxPending) { flush(); return }
    if (timer === undefined && queue.length > 0) timer = setTimeout(() => { timer = undefined; flush() }, wait())
  }

  const enqueue = (intents: Intent[]): void => {
    queue.push(...intents)
    schedule()
  }

  const park = (p: Parked): void => {
    parkedOrder.add(p)
    for (const key of p.keys) {
      let set = waiting.get(key)
      if (set === undefined) waiting.set(key, set = new Set())
      set.add(p)
    }
    while (parkedOrder.size > maxPending) {
      const oldest = parkedOrder.values().next().value!
      unpark(oldest)
      s.evicted++
      problem(`${oldest.intent.source}: dropped after waiting for ${oldest.keys.join(', ')} (more than ${maxPending} records waiting)`)
    }
  }

  const unpark = (p: Parked): void => {
    parkedOrder.delete(p)
    for (const key of p.keys) {
      const set = waiting.get(key)
      set?.delete(p)
      if (set?.size === 0) waiting.delete(key)
    }
  }

  /** Conflict entities already turned into a merge by this recorder. */
  const mergedConflicts = new Set<string>()

  /**
   * Completions and partition merges. A `conflict` entity about a task thread's `data` means two
   * sides wrote it concurrently: its values are merged by the rule in outcome-merge.ts (every node
   * that sees the conflict writes the same merged value, so the copies agree). Then every task
   * thread (or result) that changed is reported to `onCompletion`.
   */
  const watchCompletions = (ids: readonly string[]): void => {
    let threads: Set<string> | undefined
    for (const id of ids) {
      if (id.startsWith('task:')) (threads ??= new Set()).add(id)
      else if (id.startsWith('result:')) {
        const parts = resultIdParts(id)
        if (parts === undefined) continue
        ;(threads ??= new Set()).add(parts.thread)
        const d = options.onResult !== undefined ? graph.peek(parts.thread)?.data : undefined
        if (d !== undefined && typeof d.taskId === 'string') {
          try { options.onResult!(d.taskId, parts.attempt) } catch (err) { problem(`result of ${d.taskId}: ${(err as Error).message}`) }
        }
      } else if (id.startsWith('conflict:') && !mergedConflicts.has(id)) {
        const c = graph.peek(id)
        const data = c?.data
        // `data`: both sides wrote the thread's data. `*`: both created the thread (a steward that took
        // over had never seen it), so each value is a whole entity, whose data is its `data` field.
        const field = data?.field
        if (c?.kind !== 'conflict' || (field !== 'data' && field !== '*') || typeof data?.entityId !== 'string' || !data.entityId.startsWith('task:')) continue
        mergedConflicts.add(id)
        if (data.resolution !== undefined) continue
        // Entity data is stored as JSON text, so each conflicting value is a JSON string (or a
        // `preview` when it was too large to list whole: such a value cannot take part).
        const values = asArray(data.values).map(asObject)
          .map(v => field === '*' ? asObject(v.value).data : v.value)
          .map(v => asObject(typeof v === 'string' ? parseJson(v) : v))
          .filter(v => Object.keys(v).length > 0)
        const merged = mergeTaskData(values)
        if (merged === undefined) continue
        const thread = data.entityId
        const winner = completionOf(merged)
        const end = endedOf(merged)
        const resolution: JsonObject = winner !== undefined
          ? { rule: 'lowest completed attempt', winner: { ...winner } }
          : { rule: 'most canonical end', end: { state: end!.state, at: end!.at } }
        const source = `partition merge of ${thread}`
        s.merges++
        queue.push(
          { t: 'merge', id: thread, source, merge: d => mergeTaskData([d, merged]) ?? merged },
          { t: 'merge', id, source, merge: d => ({ ...d, resolution }) },
          { t: 'post', threadId: thread, source, line: mergeLine(thread, merged) }
        )
        if (!closed && timer === undefined) timer = setTimeout(() => { timer = undefined; flush() }, wait())
      }
    }
    if (threads === undefined || (options.onCompletion === undefined && options.onEnded === undefined && options.onMergedEnd === undefined)) return
    const ended: Array<{ taskId: string, createdAt: number, c: Completion | undefined, mergedEnd: { state: string, reason: string } | undefined }> = []
    for (const thread of threads) {
      const e = graph.peek(thread)
      const taskId = e?.data?.taskId
      const state = String(e?.data?.state)
      if (typeof taskId !== 'string' || !TERMINAL.has(state)) continue
      const c = completionOf(e?.data)
      const reason = c === undefined ? mergedEndReason(e?.data) : undefined
      ended.push({ taskId, createdAt: e!.provenance.createdAt, c, mergedEnd: reason !== undefined ? { state, reason } : undefined })
    }
    // A bulk arrival (a snapshot or a long sync) announces only its newest ended tasks as new to
    // this node: listing thousands of old tasks would cost the page a long task and help nobody.
    const fresh = ended.length <= MAX_ENDED_PER_CHANGE ? ended : [...ended].sort((a, b) => b.createdAt - a.createdAt).slice(0, MAX_ENDED_PER_CHANGE)
    const announce = new Set(fresh.map(x => x.taskId))
    for (const { taskId, c, mergedEnd } of ended) {
      try {
        if (announce.has(taskId)) options.onEnded?.(taskId)
        if (c !== undefined) options.onCompletion?.(taskId, c)
        else if (mergedEnd !== undefined) options.onMergedEnd?.(taskId, mergedEnd)
      } catch (err) { problem(`ended task ${taskId}: ${(err as Error).message}`) }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Statements recorded apart (statement-conflicts.ts). The index follows the graph's statements one
  // change at a time; a check reads the statements that arrived or changed against it, in slices of
  // at most STATEMENT_SLICE_MS so a large graph never holds the page up.
  const statementCheckMs = Math.max(0, options.statementCheckMs ?? 500)
  const statementGraceMs = Math.max(0, options.statementGraceMs ?? 4000)
  const statements = new StatementIndex()
  /** Entities that changed since the last check (`all`: the whole graph, at start). */
  let statementsDue: Set<string> | 'all' = 'all'
  /** Statements of pairs another tab should raise first: checked again after the grace period. */
  let statementsGrace = new Set<string>()
  let statementTimer: ReturnType<typeof setTimeout> | undefined
  let graceTimer: ReturnType<typeof setTimeout> | undefined
  /** A check under way (it goes on in later tasks): new changes wait for it to end. */
  let statementCheckRunning = false

  const scheduleStatementCheck = (): void => {
    if (closed || statementTimer !== undefined || statementCheckRunning) return
    statementTimer = setTimeout(() => {
      statementTimer = undefined
      const due = statementsDue
      statementsDue = new Set()
      checkStatements(due, false)
    }, statementCheckMs)
  }

  const noteStatements = (ids: readonly string[]): void => {
    if (statementsDue === 'all' || ids.length === 0) return
    for (const id of ids) statementsDue.add(id)
    scheduleStatementCheck()
  }

  /**
   * Brings the index up to date with the `due` entities, then raises a conflict for each opposite pair
   * the statements among them form that the graph does not relate yet. `final`: the grace period of
   * another tab is over, raise whatever is still missing.
   */
  const checkStatements = (due: Set<string> | 'all', final: boolean): void => {
    if (closed) return
    statementCheckRunning = true
    const entities: Array<Readonly<Entity>> | string[] = due === 'all' ? [...graph.view().entities] : [...due]
    const fresh: string[] = []
    const found: ApartConflict[] = []
    let i = 0
    let scan: Generator<ApartConflict | undefined> | undefined
    let pairs: ApartConflict[] = []
    let f = 0
    const done = (): void => {
      statementCheckRunning = false
      if (statementsDue === 'all' || statementsDue.size > 0) scheduleStatementCheck()
    }
    const step = (): void => {
      if (closed) { statementCheckRunning = false; return }
      const until = performance.now() + STATEMENT_SLICE_MS
      try {
        // 1. The index follows the entities (a statement retracted or gone leaves it).
        for (; i < entities.length; i++) {
          if ((i & 255) === 255 && performance.now() > until) { setTimeout(step, 0); return }
          const item = entities[i]!
          const e = typeof item === 'string' ? graph.peek(item) : item
          const id = typeof item === 'string' ? item : item.id
          const st = e === undefined ? undefined : statementOf(e)
          if (st === undefined) { statements.remove(id); continue }
          statements.put(st)
          fresh.push(id)
        }
        // 2. Each fresh statement against the index: its nearest opposites.
        for (;;) {
          if (scan === undefined) {
            if (f >= fresh.length) break
            scan = statements.scan(fresh[f++]!)
            pairs = []
          }
          const r = scan.next()
          if (r.done === true) {
            scan = undefined
            found.push(...nearest(pairs))
            if (performance.now() > until) { setTimeout(step, 0); return }
            continue
          }
          if (r.value !== undefined) pairs.push(r.value)
          if (performance.now() > until) { setTimeout(step, 0); return }
        }
        raise(found, final)
      } catch (err) {
        problem(`statements recorded apart: ${(err as Error).message}`)
      }
      done()
    }
    step()
  }

  /** Queues a conflict for each pair the graph does not relate yet; leaves the pairs another tab should raise for after its grace period. */
  const raise = (found: ApartConflict[], final: boolean): void => {
    if (found.length === 0) return
    const view = graph.view()
    const related = relatedPairs(view.entities, view.edges, id => graph.peek(id))
    const own = graph.actor.peerId
    let raised = 0
    for (const c of unraised(found, related)) {
      if (!final && c.later.peerId !== own) { statementsGrace.add(c.later.id); continue }
      queue.push(apartConflict(c))
      raised++
    }
    if (raised > 0) schedule()
    if (statementsGrace.size > 0) armGrace(statementGraceMs)
  }

  /** Checks the statements of deferred pairs as final once `ms` have passed (and no other check is under way). */
  const armGrace = (ms: number): void => {
    if (graceTimer !== undefined || closed) return
    graceTimer = setTimeout(() => {
      graceTimer = undefined
      // A check under way owns the index: try again as soon as it is likely done, still as final.
      if (statementCheckRunning) { armGrace(STATEMENT_SLICE_MS * 4); return }
      const grace = statementsGrace
      statementsGrace = new Set()
      checkStatements(grace, true)
    }, ms)
  }

  /** The conflict between two statements recorded apart, unless a tab raised it meanwhile. */
  const apartConflict = (c: ApartConflict): Intent => {
    const source = `statements recorded apart: ${c.later.id} and ${c.earlier.id}`
    return {
      t: 'resolve', source,
      expand: (view) => {
        if (view.exists(c.id)) return { intents: [] }
        s.apartConflicts++
        const text = clip(apartConflictText(c, (x, n) => clip(oneLine(x), n)), GRAPH_LIMITS.textLength)
        const intents: Intent[] = [
          { t: 'add', id: c.id, source, by: { agentId: MESH_AGENT }, entity: { kind: 'conflict', text, tags: ['statements', 'recorded-apart'], data: { statements: [c.later.id, c.earlier.id], apart: true, why: c.why } } },
          { t: 'relate', from: c.id, type: 'about', to: c.later.id, optional: true, source },
          { t: 'relate', from: c.id, type: 'about', to: c.earlier.id, optional: true, source },
          { t: 'relate', from: c.later.id, type: 'contradicts', to: c.earlier.id, optional: true, source }
        ]
        for (const st of [c.later, c.earlier]) {
          const thread = resultIdParts(st.id)?.thread
          if (thread !== undefined && view.exists(thread)) {
            intents.push({ t: 'post', threadId: thread, source, line: `Conflict ${c.id}: ${c.later.id} says the opposite of ${c.earlier.id}; they were recorded apart.` })
          }
        }
        return { intents }
      }
    }
  }

  /** The graph gained or changed entities (here or from a peer): wake what waited for them. */
  const unsubscribe = graph.on('change', ({ ids }) => {
    watchCompletions(ids)
    noteStatements(ids)
    if (waiting.size === 0) return
    let woke = false
    for (const id of ids) {
      for (const key of [id, resultWildcardOf(id)]) {
        if (key === undefined) continue
        const set = waiting.get(key)
        if (set === undefined) continue
        for (const p of [...set]) {
          unpark(p)
          queue.push(p.intent)
          woke = true
        }
      }
    }
    // Never flush inside the graph's change event: the graph is mid-change.
    if (woke && !closed && timer === undefined) timer = setTimeout(() => { timer = undefined; flush() }, wait())
  })

  function flush (): void {
    if (flushing || queue.length === 0) return
    flushing = true
    if (timer !== undefined) { clearTimeout(timer); timer = undefined }
    const started = performance.now()
    const intents = queue
    queue = []
    try {
      s.flushes++
      const plan = new FlushPlan(graph, taskId => attemptOf.get(taskId)?.attempt)
      for (const intent of intents) {
        try {
          plan.apply(intent)
        } catch (err) {
          problem(`${intent.source}: ${(err as Error).message}`)
        }
      }
      const ops = plan.ops()
      lastOps = ops.length
      s.skipped += plan.skipped
      for (const message of plan.problems) problem(message)
      write(ops)
      for (const p of plan.parked) park(p)
    } finally {
      flushing = false
      const ms = performance.now() - started
      s.lastFlushMs = ms
      s.totalFlushMs += ms
      schedule()
    }
  }

  /** One change; if the graph refuses an op, drop it (and what depends on it), report, retry. */
  function write (ops: PlannedOp[]): void {
    let remaining = ops
    for (let attempt = 0; remaining.length > 0; attempt++) {
      try {
        graph.batch(remaining.map(o => o.op))
        s.changes++
        s.ops += remaining.length
        s.largestBatch = Math.max(s.largestBatch, remaining.length)
        return
      } catch (err) {
        const index = err instanceof GraphValidationError ? /^ops\[(\d+)\]/.exec(err.field)?.[1] : undefined
        if (index === undefined || attempt >= 32) {
          // Not an op's fault (or too many faults): write op by op so the good ones still land.
          for (const o of remaining) {
            try {
              graph.batch([o.op])
              s.changes++
              s.ops++
            } catch (e) {
              problem(`${o.source}: ${describeOp(o.op)} refused: ${(e as Error).message}`)
            }
          }
          return
        }
        s.retries++
        const bad = remaining[Number(index)]!
        const reason = err instanceof GraphValidationError ? `${err.field.replace(/^ops\[\d+\]\.?/, '')}: ${err.reason}` : String(err)
        const gone = new Set<string>(bad.op.op === 'add' && bad.op.id !== undefined ? [bad.op.id] : [])
        const dependents = remaining.filter(o => o !== bad && opRefs(o.op).some(id => gone.has(id)))
        problem(`${bad.source}: ${describeOp(bad.op)} refused (${reason})${dependents.length > 0 ? `; ${dependents.length} op(s) on it dropped` : ''}`)
        remaining = remaining.filter(o => o !== bad && !dependents.includes(o))
      }
    }
  }

  function describeOp (op: GraphOp): string {
    switch (op.op) {
      case 'add': return `add ${op.id ?? op.entity.kind}`
      case 'relate': case 'unrelate': return `${op.op} ${op.from} ${op.type} ${op.to}`
      case 'post': return `post to ${op.threadId}`
      default: return `${op.op} ${op.id}`
    }
  }

  /** Checks the ids a record maps to; reports and returns false if one cannot be mapped. */
  const valid = (source: string, ids: Array<[string, unknown]>): boolean => {
    for (const [field, id] of ids) {
      const why = keyProblem(id)
      if (why !== undefined) { problem(`${source}: ${field} ${why}; not recorded`); return false }
    }
    return true
  }

  /** `at`: the record's time, stamped on the lines it posts (see the `post` intent). */
  const record = (source: string, ids: Array<[string, unknown]>, build: () => Intent[], at?: unknown): void => {
    s.records++
    if (closed) { problem(`${source}: recorder is closed; not recorded`); return }
    if (!valid(source, ids)) return
    let intents: Intent[]
    try {
      intents = build()
    } catch (err) {
      problem(`${source}: ${(err as Error).message}; not recorded`)
      return
    }
    enqueue(typeof at === 'number' && Number.isFinite(at) && at >= 0 ? stampLines(intents, at) : intents)
  }

  /** Finds the result entity of a task (for verification and solutions, which do not carry the attempt). */
  const findResult = (view: View, taskId: string, producer: (AgentRef & { attempt?: number }) | undefined): { id: string } | { waitFor: string[] } => {
    // The producer's own attempt when the record names it: after a partition merge the thread's
    // latest attempt is not always the one that counts.
    if (producer?.attempt !== undefined) {
      const id = resultId(taskId, producer.attempt)
      return view.exists(id) ? { id } : { waitFor: [id] }
    }
    const known = view.attemptOf(taskId)
    const producedBy = (id: string): boolean => {
      const p = asObject(view.entity(id)?.data?.producer)
      return producer === undefined || (p.agentId === producer.agentId && p.peerId === producer.peerId)
    }
    if (known !== undefined && view.exists(resultId(taskId, known)) && producedBy(resultId(taskId, known))) return { id: resultId(taskId, known) }
    for (let attempt = 16; attempt >= 1; attempt--) {
      const id = resultId(taskId, attempt)
      if (view.exists(id) && producedBy(id)) return { id }
    }
    return { waitFor: known !== undefined ? [resultId(taskId, known), resultWildcard(taskId)] : [resultWildcard(taskId)] }
  }

  const recorder: GraphRecorder = {
    task (r) {
      const takeover = typeof r.takeoverFrom === 'string' ? r.takeoverFrom : undefined
      const source = takeover !== undefined ? `task ${String(r.taskId)} attempt ${r.attempt} takeover` : `task ${String(r.taskId)} attempt ${r.attempt}`
      record(source, [['taskId', r.taskId], ...(r.missionId !== undefined ? [['missionId', r.missionId] as [string, unknown]] : [])], () => {
        const thread = taskThreadId(r.taskId)
        const title = clip(oneLine(r.text), GRAPH_LIMITS.titleLength) || `Task ${r.taskId}`
        const excluded = r.excluded.map(agentOn)
        const intents: Intent[] = [
          { t: 'add', id: thread, source, entity: { kind: 'thread', title, text: clip(r.text, GRAPH_LIMITS.textLength) || title, tags: r.missionId !== undefined ? ['task', 'subtask'] : ['task'], data: {} } },
          {
            t: 'merge', id: thread, source,
            merge: d => {
              const next: JsonObject = { ...d, taskId: r.taskId, steward: r.steward }
              if (r.missionId !== undefined) next.missionId = r.missionId
              // The input goes along (when small) so a steward that reloads can announce the task again.
              const input = r.input !== undefined ? jsonCopy(r.input) : undefined
              if (input !== undefined && JSON.stringify(input).length <= MAX_RECORDED_INPUT) next.input = input
              if (r.deadline !== undefined) next.deadline = r.deadline
              if (r.timeZone !== undefined) next.timeZone = r.timeZone
              if (r.attempt >= Number(d.attempt ?? 0)) {
                next.attempt = r.attempt
                if (!TERMINAL.has(String(d.state)) && takeover === undefined) next.state = 'submitted'
              }
              return upsertAttempt(next, r.attempt, takeover !== undefined ? { steward: r.steward } : { steward: r.steward, announcedAt: r.at, excluded: r.excluded.map(ref) })
            }
          },
          {
            t: 'post', threadId: thread, source,
            line: takeover !== undefined
              ? `Steward ${shortPeer(r.steward)} took attempt ${r.attempt} over from ${shortPeer(takeover)}, which left.`
              : `Attempt ${r.attempt} announced by steward ${shortPeer(r.steward)}${excluded.length > 0 ? ` (excluded: ${excluded.join(', ')})` : ''}.`
          }
        ]
        // The mission's completion depends on each of its subtasks.
        if (r.missionId !== undefined) intents.push({ t: 'relate', from: taskThreadId(r.missionId), type: 'depends-on', to: thread, source })
        return intents
      }, r.at)
    },

    award (r) {
      const source = `award ${String(r.taskId)} attempt ${r.attempt}`
      record(source, [['taskId', r.taskId]], () => {
        const thread = taskThreadId(r.taskId)
        if (r.winner !== null) noteAttempt(r.taskId, r.attempt, false)
        const bids = [...r.bids].sort((a, b) => bidScore(b) - bidScore(a) || (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0)).map(compactBid)
        const w = r.winner
        const line = w !== null
          ? `Attempt ${r.attempt} awarded to ${agentOn(w)} (skill ${w.skillId}, confidence ${w.confidence.toFixed(2)}, reputation ${w.reputation.toFixed(2)}, load ${w.load}) out of ${r.bids.length} bid${r.bids.length === 1 ? '' : 's'}.`
          : `Attempt ${r.attempt}: nobody awarded (${r.reason ?? 'no eligible bid'}); ${r.bids.length} bid${r.bids.length === 1 ? '' : 's'}.`
        return [
          {
            t: 'merge', id: thread, source,
            merge: d => {
              const next: JsonObject = { ...d }
              if (w !== null && !TERMINAL.has(String(d.state)) && r.attempt >= Number(d.attempt ?? 0)) next.state = 'working'
              // The winner is one of the bids: who and with which skill is enough here.
              const patch: JsonObject = { bids, winner: w !== null ? { agentId: w.agentId, peerId: w.peerId, skillId: w.skillId } : null, digest: r.digest, awardedAt: r.at }
              if (r.reason !== undefined) patch.reason = r.reason
              return upsertAttempt(next, r.attempt, patch)
            }
          },
          { t: 'post', threadId: thread, source, line }
        ]
      }, r.at)
    },

    result (r) {
      const source = `result ${String(r.taskId)} attempt ${r.attempt}`
      record(source, [['taskId', r.taskId]], () => {
        noteAttempt(r.taskId, r.attempt, false)
        const id = resultId(r.taskId, r.attempt)
        const thread = taskThreadId(r.taskId)
        const full = typeof r.result.text === 'string' ? r.result.text : ''
        const text = clip(full, GRAPH_LIMITS.textLength) || '(empty result)'
        const { text: _text, ...structured } = r.result
        const result = asObject(jsonCopy(structured) ?? null)
        // The full text goes into data only when the text field had to be cut.
        if (full.length > GRAPH_LIMITS.textLength) result.text = full
        const data: JsonObject = {
          taskId: r.taskId, attempt: r.attempt, skillId: r.skillId, producer: ref(r.producer),
          startedAt: r.startedAt, finishedAt: r.finishedAt, result
        }
        if (full.length > GRAPH_LIMITS.textLength) data.textTruncated = true
        if (r.inputDigest !== undefined) data.inputDigest = r.inputDigest
        if (typeof r.attest === 'string') data.attest = r.attest
        const intents: Intent[] = [
          { t: 'add', id, source, by: { agentId: r.producer.agentId }, entity: { kind: 'hypothesis', title: clip(`Result: ${oneLine(r.text)}`, GRAPH_LIMITS.titleLength), text, tags: ['result'], data } },
          // A signed result replaces whatever the entity holds if it differs (nothing is written when
          // it is equal): a copy someone wrote first, a forgery, would otherwise keep the real one out.
          ...(typeof r.attest === 'string' ? [{ t: 'merge', id, source, merge: () => data, text: () => text } as Intent] : []),
          { t: 'relate', from: id, type: 'answers', to: thread, source },
          { t: 'post', threadId: thread, source, line: `Attempt ${r.attempt}: ${agentOn(r.producer)} answered (${id}): ${clip(oneLine(full), 200) || '(empty)'}` }
        ]
        for (const cited of new Set(r.result.citations ?? [])) {
          if (isGraphId(cited) && cited !== id) intents.push({ t: 'relate', from: id, type: 'derived-from', to: cited, optional: true, source })
        }
        const against = [...new Set(r.result.contradicts ?? [])].filter(c => isGraphId(c) && c !== id).slice(0, MAX_CONTRADICTED)
        if (against.length > 0) intents.push(statementConflict(r.taskId, r.attempt, id, full, against, source))
        const settles = [...new Set(r.result.settles ?? [])].filter(c => isGraphId(c) && c !== id).slice(0, MAX_CONTRADICTED)
        if (settles.length > 0) intents.push(settlement(r.taskId, id, settles, source))
        return intents
      }, r.finishedAt)
    },

    vote (r) {
      const source = `vote ${String(r.taskId)} by ${r.vote.agentId}`
      record(source, [['taskId', r.taskId]], () => {
        const v = r.vote
        const evidence = (v.evidence ?? []).length > 0 ? ` [evidence: ${(v.evidence ?? []).join(', ')}]` : ''
        return [{ t: 'post', threadId: taskThreadId(r.taskId), source, line: clip(`${agentOn(v)} votes ${v.vote} (${v.confidence.toFixed(2)}): ${oneLine(v.reason)}${evidence}`, 1000) }]
      }, r.at)
    },

    verification (r) {
      const source = `verification ${String(r.taskId)} ${r.status}`
      if (r.status === 'pending') { s.records++; return }
      record(source, [['taskId', r.taskId]], () => {
        const thread = taskThreadId(r.taskId)
        const supporters = [...new Set(r.supporters)]
        const disputes = r.disputes
        const expand = (view: View): Expansion => {
          const found = findResult(view, r.taskId, r.producer)
          if ('waitFor' in found) return found
          const rid = found.id
          const attempt = Number(rid.slice(rid.lastIndexOf(':') + 1))
          const fid = factId(r.taskId, attempt)
          const intents: Intent[] = []
          const verification: JsonObject = { status: r.status, attempt, result: rid, supporters, at: r.at }
          // The signed votes that decided it: what a tab reading it back checks it against (verification-record.ts).
          if (r.votes !== undefined && r.votes.length > 0) verification.votes = r.votes.map(recordedVote)
          const hyp = view.entity(rid)!
          if (r.status === 'unverified') {
            // No verdict came: the result stays a hypothesis; the thread says why.
            if (r.reason !== undefined) verification.reason = clip(r.reason, GRAPH_LIMITS.reasonLength)
            return {
              intents: [
                { t: 'post', threadId: thread, source, line: clip(`Not verified: ${rid} stays a hypothesis: ${oneLine(r.reason ?? 'no verdict came')}.`, 1000) },
                { t: 'merge', id: thread, source, merge: d => ({ ...d, verification }) }
              ]
            }
          }
          if (hyp.status === 'retracted') {
            // Someone withdrew the result meanwhile: a verdict on it is noted, not turned into a fact.
            return { intents: [{ t: 'post', threadId: thread, source, line: `${r.status === 'verified' ? 'Verified' : 'Disputed'} by quorum, but ${rid} had been retracted; nothing recorded on it.` }] }
          }
          if (r.status === 'verified') {
            const title = hyp.title !== undefined ? clip(hyp.title.replace(/^Result: /, 'Verified: '), GRAPH_LIMITS.titleLength) : undefined
            intents.push({
              t: 'add', id: fid, source,
              entity: { kind: 'fact', text: hyp.text, ...(title !== undefined ? { title } : {}), tags: ['result', 'verified'], data: { taskId: r.taskId, attempt, result: rid, producer: ref(r.producer), supporters } }
            })
            intents.push({ t: 'relate', from: fid, type: 'derived-from', to: rid, source })
            for (const peerId of supporters) {
              const by: AttestBy = { peerId, agentId: MESH_AGENT, at: r.at, reason: `supported by ${shortPeer(peerId)}; quorum reached` }
              intents.push({ t: 'attest', id: rid, list: 'verifiedBy', by, source }, { t: 'attest', id: fid, list: 'verifiedBy', by, source })
            }
            intents.push({ t: 'post', threadId: thread, source, line: `Verified: ${rid} supported by ${supporters.length} peer${supporters.length === 1 ? '' : 's'} (${supporters.map(shortPeer).join(', ')}); recorded as ${fid}.` })
          } else {
            const cid = disputeId(r.taskId, attempt)
            const compact = disputes.map(d => ({ peerId: d.peerId, agentId: d.agentId, confidence: d.confidence, reason: d.reason, evidence: d.evidence ?? [] }))
            const text = clip(`Disputed result ${rid}: ${disputes.map(d => `${agentOn(d)}: ${oneLine(d.reason)}`).join('; ')}`, GRAPH_LIMITS.textLength)
            intents.push(
              { t: 'add', id: cid, source, entity: { kind: 'conflict', text, tags: ['dispute'], data: { taskId: r.taskId, attempt, result: rid, disputes: [] } } },
              {
                t: 'merge', id: cid, source,
                merge: d => {
                  const list = asArray(d.disputes).map(asObject)
                  for (const c of compact) if (!list.some(x => x.peerId === c.peerId && x.agentId === c.agentId)) list.push(c)
                  return { ...d, disputes: list }
                }
              },
              { t: 'relate', from: cid, type: 'contradicts', to: rid, source },
              { t: 'relate', from: cid, type: 'about', to: thread, source }
            )
            for (const d of disputes) {
              const by: AttestBy = { peerId: d.peerId, agentId: d.agentId, at: r.at, reason: clip(d.reason.trim() === '' ? 'disputed' : d.reason, GRAPH_LIMITS.reasonLength) }
              intents.push({ t: 'attest', id: rid, list: 'disputedBy', by, source }, { t: 'attest', id: fid, list: 'disputedBy', by, optional: true, source })
              for (const ev of new Set(d.evidence ?? [])) {
                if (!isGraphId(ev) || ev === rid || ev === cid) continue
                intents.push({ t: 'relate', from: cid, type: 'derived-from', to: ev, optional: true, source }, { t: 'relate', from: ev, type: 'contradicts', to: rid, optional: true, source })
              }
            }
            verification.disputes = compact
            intents.push({ t: 'post', threadId: thread, source, line: clip(`Disputed: ${rid} by ${disputes.map(d => `${agentOn(d)} (${oneLine(d.reason)})`).join(', ')}; see ${cid}.`, 1000) })
          }
          intents.push({ t: 'merge', id: thread, source, merge: d => ({ ...d, verification }) })
          return { intents }
        }
        return [{ t: 'resolve', source, expand }]
      }, r.at)
    },

    outcome (r) {
      const source = `outcome ${String(r.taskId)} ${r.state}`
      record(source, [['taskId', r.taskId]], () => {
        const thread = taskThreadId(r.taskId)
        if (r.producer !== undefined) noteAttempt(r.taskId, r.producer.attempt, true)
        // Who failed each attempt stays with the outcome (a partition merge keeps one side's attempts list).
        const failures = (r.failures ?? []).map(f => ({ attempt: f.attempt, code: f.code, reason: f.reason, ...(f.agent !== undefined ? ref(f.agent) : {}) }))
        const outcome: JsonObject = { state: r.state, attempts: r.attempts, failures, at: r.at }
        if (r.reason !== undefined) outcome.reason = r.reason
        if (r.producer !== undefined) outcome.producer = { ...ref(r.producer), attempt: r.producer.attempt, result: resultId(r.taskId, r.producer.attempt) }
        // What a task that did not complete still delivered (a failed mission's parts that were done),
        // kept small: the thread's data, attempts and all, must stay within the graph's 32 KiB.
        if (r.state !== 'completed' && r.result !== undefined && typeof r.result.text === 'string' && r.result.text !== '') {
          const partial: JsonObject = { text: clip(r.result.text, PARTIAL_TEXT) }
          const output = jsonCopy(r.result.output)
          if (output !== undefined && JSON.stringify(output).length <= PARTIAL_OUTPUT_BYTES) partial.output = output
          outcome.partial = partial
        }
        let line: string
        const producer = r.producer
        if (r.state === 'completed' && producer !== undefined) line = `Completed: attempt ${producer.attempt} by ${agentOn(producer)} (${resultId(r.taskId, producer.attempt)}).`
        else {
          const what = r.state.charAt(0).toUpperCase() + r.state.slice(1)
          line = clip(`${what} after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}${r.reason !== undefined ? `: ${oneLine(r.reason)}` : '.'}`, 1000)
        }
        if (r.group !== undefined) {
          // A mission's working group dissolves with it: who was in it stays on the record.
          outcome.group = r.group.slice(0, MAX_GROUP).map(ref)
          if (r.group.length > MAX_GROUP) outcome.groupOmitted = r.group.length - MAX_GROUP
          line = clip(`${line}\nThe working group dissolves: ${r.group.map(agentOn).join(', ') || 'nobody was awarded a part'}.`, 1000)
        }
        // The thread may already record another completion (the other side of a partition, synced
        // before this write): then the line says this run is not the one that counts.
        const post: Intent = producer === undefined
          ? { t: 'post', threadId: thread, source, line }
          : {
              t: 'resolve',
              source,
              expand: view => {
                const there = completionOf(view.entity(thread)?.data)
                const mine = { attempt: producer.attempt, peerId: producer.peerId, agentId: producer.agentId }
                const other = there !== undefined && compareCompletions(there, mine) < 0 ? there : undefined
                return { intents: [{ t: 'post', threadId: thread, source, line: other === undefined ? line : `Attempt ${mine.attempt} by ${agentOn(mine)} also completed it (a partition); attempt ${other.attempt} by ${agentOn(other)} stays the task's result.` }] }
              }
            }
        return [
          {
            t: 'merge',
            id: thread,
            source,
            merge: d => {
              const next = { ...d, state: r.state, ...(r.reason !== undefined ? { reason: r.reason } : {}), outcome }
              // Another side may have completed or ended the task already (a partition): one
              // completion, or one end with the others kept beside it, stays.
              return completionOf(d) !== undefined || endedOf(d) !== undefined ? mergeTaskData([d, next]) ?? next : next
            }
          },
          post
        ]
      }, r.at)
    },

    solution (r) {
      const source = `solution ${String(r.missionId)}`
      record(source, [['missionId', r.missionId], ...r.parts.map(p => ['parts.taskId', p.taskId] as [string, unknown])], () => {
        const id = solutionId(r.missionId)
        const thread = taskThreadId(r.missionId)
        const full = r.result.text ?? ''
        const text = clip(full, GRAPH_LIMITS.textLength) || EMPTY_SOLUTION
        const parts = r.parts.map(p => {
          const part: JsonObject = { planId: p.planId, taskId: p.taskId }
          if (p.producer !== undefined) part.producer = ref(p.producer)
          if (p.verification !== undefined) part.verification = p.verification
          return part
        })
        const data: JsonObject = { missionId: r.missionId, parts, group: r.group.map(ref), at: r.at }
        const output = jsonCopy(r.result.output)
        if (output !== undefined) data.output = output
        if (full.length > GRAPH_LIMITS.textLength) { data.text = full; data.textTruncated = true }
        const intents: Intent[] = [
          {
            t: 'add', id, source,
            entity: { kind: 'solution', taskId: isGraphId(r.missionId) ? r.missionId : thread, title: clip(oneLine(r.text), GRAPH_LIMITS.titleLength) || `Mission ${r.missionId}`, text, tags: ['mission'], data }
          },
          // A mission assembled again (a part replaced by a partition merge) brings its new result
          // over the one recorded (the add above is skipped then).
          { t: 'merge', id, source, merge: d => {
            const next: JsonObject = { ...d, ...data }
            if (data.output === undefined) delete next.output
            if (data.text === undefined) { delete next.text; delete next.textTruncated }
            return next
          },
          text: () => text },
          { t: 'relate', from: id, type: 'answers', to: thread, source },
          { t: 'merge', id: thread, source, merge: d => ({ ...d, solution: id }) },
          { t: 'post', threadId: thread, source, line: clip(`Solution ${id} assembled from ${r.parts.length} part${r.parts.length === 1 ? '' : 's'} (${r.parts.map(p => p.planId).join(', ')}) by ${r.group.map(agentOn).join(', ') || 'nobody'}.`, 1000) }
        ]
        for (const p of r.parts) {
          intents.push({
            t: 'resolve', source: `${source} part ${p.planId}`,
            expand: view => {
              const found = findResult(view, p.taskId, p.producer)
              if ('waitFor' in found) return found
              const src = `${source} part ${p.planId}`
              // A mission assembled again after a partition merge: it no longer derives from the
              // part's other result (which stays in the graph, a duplicate).
              const stale: Intent[] = []
              for (let n = 1; n <= 16; n++) {
                const other = resultId(p.taskId, n)
                if (other !== found.id && view.exists(other)) stale.push({ t: 'unrelate', from: id, type: 'derived-from', to: other, source: src })
              }
              return { intents: [{ t: 'relate', from: id, type: 'derived-from', to: found.id, source: src }, ...stale] }
            }
          })
        }
        return intents
      }, r.at)
    },

    consultation (r) {
      const source = `${r.kind} ${String(r.id)}`
      const ids: Array<[string, unknown]> = [['id', r.id]]
      if (r.taskId !== undefined) ids.push(['taskId', r.taskId])
      if (r.kind === 'answer') ids.push(['about', r.about])
      record(source, ids, () => {
        const thread = r.taskId !== undefined ? taskThreadId(r.taskId) : undefined
        const text = clip(r.text, GRAPH_LIMITS.textLength) || '(empty)'
        const line = (s: string): Intent[] => thread !== undefined ? [{ t: 'post', threadId: thread, source, line: clip(s, 1000) }] : []
        const by = r.agentId !== undefined ? { by: { agentId: r.agentId } } : {}
        const who = r.agentId !== undefined ? agentOn({ agentId: r.agentId, peerId: r.peerId }) : `a person on ${shortPeer(r.peerId)}`
        switch (r.kind) {
          case 'question': {
            const qid = questionId(r.id)
            return [
              { t: 'add', id: qid, source, ...by, entity: { kind: 'question', text, tags: ['consultation'], data: { questionId: r.id, ...(r.taskId !== undefined ? { taskId: r.taskId } : {}), agentId: r.agentId ?? null, peerId: r.peerId } } },
              ...(thread !== undefined ? [{ t: 'relate', from: qid, type: 'about', to: thread, source } as Intent] : []),
              ...line(`${who} asks (${qid}): ${oneLine(r.text)}`)
            ]
          }
          case 'answer': {
            const about = r.about!
            const aid = answerId(about, r.peerId)
            return [
              { t: 'add', id: aid, source, ...by, entity: { kind: 'fact', text, tags: ['consultation', 'answer'], data: { questionId: about, ...(r.taskId !== undefined ? { taskId: r.taskId } : {}), peerId: r.peerId } } },
              { t: 'relate', from: aid, type: 'answers', to: questionId(about), source },
              ...line(`Answer from ${who} to ${questionId(about)}: ${oneLine(r.text)}`)
            ]
          }
          case 'alert': {
            if (thread !== undefined) return line(`Alert from ${who}: ${oneLine(r.text)}`)
            const alerts = alertsThreadId(r.peerId)
            return [
              { t: 'add', id: alerts, source, entity: { kind: 'thread', title: `Alerts from ${shortPeer(r.peerId)}`, text: `Alerts raised on peer ${r.peerId} that concern no task.`, tags: ['alerts'] } },
              { t: 'post', threadId: alerts, source, line: clip(`Alert from ${who} (${r.id}): ${oneLine(r.text)}`, 1000) }
            ]
          }
          case 'decision': {
            const did = decisionId(r.id)
            const about = r.about
            const targets: string[] = []
            if (about !== undefined && keyProblem(about) === undefined) targets.push(taskThreadId(about))
            if (about !== undefined && isGraphId(about)) targets.push(about)
            const intents: Intent[] = [
              { t: 'add', id: did, source, ...by, entity: { kind: 'decision', text, tags: ['consultation'], data: { decisionId: r.id, about: about ?? null, peerId: r.peerId } } }
            ]
            if (targets.length > 0) {
              intents.push({
                t: 'resolve', source,
                expand: view => {
                  const target = targets.find(id => view.exists(id))
                  if (target === undefined) return { waitFor: targets }
                  const out: Intent[] = [{ t: 'relate', from: did, type: 'about', to: target, source }]
                  if (target.startsWith('task:')) out.push({ t: 'post', threadId: target, source, line: clip(`Decision by ${who} (${did}): ${oneLine(r.text)}`, 1000) })
                  return { intents: out }
                }
              })
            }
            return intents
          }
          case 'progress': {
            const attempt = /:progress:(\d+):\d+$/.exec(r.id)?.[1]
            return line(`${attempt !== undefined ? `Attempt ${attempt}: ` : ''}${who} reports ${oneLine(r.text)}`)
          }
          case 'handoff': {
            const attempt = /:handoff:(\d+)$/.exec(r.id)?.[1]
            return line(`${attempt !== undefined ? `Attempt ${attempt}: ` : ''}${who} hands off: ${oneLine(r.text)}`)
          }
        }
        throw new Error(`unknown consultation kind ${JSON.stringify((r as { kind?: unknown }).kind)}`)
      }, r.at)
    },

    reputation (r) {
      try {
        options.onReputation?.(r)
      } catch (err) {
        problem(`reputation ${r.agentId}/${r.skillId}: onReputation failed: ${(err as Error).message}`)
      }
      // In the graph too: one fact per agent, its skills' records in data and summed up in its text,
      // updated in place (the records of one flush make one update). Every tab reads it; the hosting
      // node alone writes it.
      const source = `reputation ${String(r.agentId)}/${String(r.skillId)}`
      record(source, [], () => {
        if (typeof r.agentId !== 'string' || r.agentId === '' || typeof r.skillId !== 'string' || r.skillId === '') throw new Error('agentId and skillId must be non-empty strings')
        const id = reputationId(r.agentId)
        const skill: JsonObject = {
          successes: r.record.successes, failures: r.record.failures, verified: r.record.verified, disputed: r.record.disputed,
          latencyMs: Math.round(r.record.latencyEwmaMs), factor: Math.round(r.factor * 1e4) / 1e4, at: r.at
        }
        const merge = (d: JsonObject): JsonObject => ({ ...d, agentId: r.agentId, peerId: r.peerId, skills: { ...asObject(d.skills), [r.skillId]: skill } })
        // The text sums up the skills as the flush leaves them: written once per flush, by the merge.
        const text = (d: JsonObject): string => reputationText(r.agentId, r.peerId, asObject(d.skills))
        const title = `Reputation of ${clip(r.agentId, 180)}`
        return [
          { t: 'add', id, source, entity: { kind: 'fact', title, text: title, tags: ['reputation'], data: {} } },
          { t: 'merge', id, source, merge, text }
        ]
      }, r.at)
    },

    flush,

    setFlushMs (ms: number, busyMs = ms) {
      if (!Number.isFinite(ms) || ms < 0) return
      flushMs = ms
      busyFlushMs = Number.isFinite(busyMs) ? Math.max(ms, busyMs) : ms
    },

    stats () {
      return { ...s, queued: queue.length, parked: parkedOrder.size }
    },

    awardOf (taskId, attempt) {
      const d = graph.get(taskThreadId(taskId))?.data
      if (d === undefined || d.taskId !== taskId) return undefined
      const w = asObject(asArray(d.attempts).map(asObject).find(a => a.attempt === attempt)?.winner)
      return typeof w.peerId === 'string' && typeof w.agentId === 'string' && typeof w.skillId === 'string' ? { peerId: w.peerId, agentId: w.agentId, skillId: w.skillId } : undefined
    },

    recordedTask (taskId, opts = {}) {
      const thread = graph.get(taskThreadId(taskId))
      const d = thread?.data
      if (thread === undefined || d === undefined || d.taskId !== taskId || TERMINAL.has(String(d.state)) === (opts.running === true)) return undefined
      const str = (v: JsonValue | undefined): string | undefined => typeof v === 'string' ? v : undefined
      const num = (v: JsonValue | undefined): number | undefined => typeof v === 'number' && Number.isFinite(v) ? v : undefined
      const attempts = asArray(d.attempts).map(asObject)
      const history: RecordedTask['history'] = []
      for (const a of attempts) {
        const w = asObject(a.winner)
        const attempt = num(a.attempt)
        if (attempt !== undefined && typeof w.peerId === 'string' && typeof w.agentId === 'string') history.push({ attempt, peerId: w.peerId, agentId: w.agentId, skillId: str(w.skillId) ?? '' })
      }
      const outcome = asObject(d.outcome)
      const failures: RecordedTask['failures'] = []
      for (const f of asArray(outcome.failures).map(asObject)) {
        const attempt = num(f.attempt)
        const agent = typeof f.peerId === 'string' && typeof f.agentId === 'string' ? { peerId: f.peerId, agentId: f.agentId } : undefined
        if (attempt !== undefined) failures.push({ attempt, code: str(f.code) ?? 'error', reason: str(f.reason) ?? '', ...(agent !== undefined ? { agent } : {}) })
      }
      const r: RecordedTask = {
        taskId,
        text: thread.text,
        state: String(d.state) as RecordedTask['state'],
        attempt: num(d.attempt) ?? Math.max(1, ...history.map(h => h.attempt)),
        steward: str(d.steward) ?? thread.provenance.peerId,
        submittedAt: num(asObject(attempts[0]).announcedAt) ?? thread.provenance.createdAt,
        history,
        failures
      }
      const reason = endReasonOf(d)
      if (reason !== undefined) r.reason = reason
      const endedAt = num(outcome.at)
      if (endedAt !== undefined) r.endedAt = endedAt
      const missionId = str(d.missionId)
      if (missionId !== undefined) r.missionId = missionId
      if (d.input !== undefined) r.input = d.input
      const deadline = num(d.deadline)
      if (deadline !== undefined) r.deadline = deadline
      // A zone name is checked as a received announce's is: a graph written by a peer is input too.
      const timeZone = str(d.timeZone)
      if (timeZone !== undefined && isTimeZoneName(timeZone)) r.timeZone = timeZone
      const c = completionOf(d)
      const read = c !== undefined ? recorder.resultOf(taskId, c.attempt) : undefined
      if (c !== undefined) {
        r.producer = { ...c, skillId: read?.skillId ?? history.find(h => h.attempt === c.attempt)?.skillId ?? '' }
        if (read !== undefined) {
          r.result = read.result
          r.resultRecord = { ...(read.attest !== undefined ? { attest: read.attest } : {}), ...(read.truncated === true ? { truncated: true } : {}) }
          if (read.startedAt !== undefined) r.startedAt = read.startedAt
          if (read.finishedAt !== undefined) r.finishedAt = read.finishedAt
        }
      }
      // What the record says a mission delivered: its assembled solution, or what a mission that did
      // not complete still delivered (its parts, in the outcome). Neither is signed: the engine
      // assembles the answer again from what is (mission-record.ts), the plan and each part's result
      // read here, and only compares this claim with it.
      const solution = str(d.solution) !== undefined ? graph.peek(str(d.solution)!) : undefined
      const partial = asObject(outcome.partial)
      const claimed: AgentResult | undefined = solution !== undefined
        ? { text: typeof solution.data?.text === 'string' ? solution.data.text : solution.text === EMPTY_SOLUTION ? '' : solution.text, ...(solution.data?.output !== undefined ? { output: solution.data.output } : {}) }
        : c === undefined && typeof partial.text === 'string' ? { text: partial.text, ...(partial.output !== undefined ? { output: partial.output } : {}) } : undefined
      if (missionId === undefined) {
        const planAttempt = c?.attempt ?? num(asObject(outcome.producer).attempt)
        const plan = c !== undefined ? read : planAttempt !== undefined ? recorder.resultOf(taskId, planAttempt) : undefined
        const subtasks: unknown = plan?.result.plan?.subtasks
        const planned = Array.isArray(subtasks) ? Math.min(subtasks.length, LIMITS.subtasks) : 0
        if (planned > 0 || claimed !== undefined || outcome.group !== undefined) {
          const parts: RecordedPart[] = []
          for (let i = 0; i < planned; i++) {
            const partId = partTaskId(taskId, i)
            const pd = graph.peek(taskThreadId(partId))?.data
            if (pd === undefined || pd.taskId !== partId) { parts.push({ taskId: partId }); continue }
            const part: RecordedPart = { taskId: partId, state: String(pd.state) }
            const reason = endReasonOf(pd)
            if (reason !== undefined) part.reason = reason
            const pc = completionOf(pd)
            if (pc !== undefined) {
              part.completion = pc
              const read = recorder.resultOf(partId, pc.attempt)
              if (read !== undefined) part.result = read
            }
            parts.push(part)
          }
          r.mission = { parts, ...(planAttempt !== undefined ? { planAttempt } : {}), ...(plan !== undefined ? { plan } : {}), ...(claimed !== undefined ? { recorded: claimed } : {}) }
        }
      }
      const verification = parseRecordedVerification(d.verification)
      if (verification !== undefined) r.verification = verification
      return r
    },

    resultOf (taskId, attempt) {
      const e = graph.get(resultId(taskId, attempt))
      const c = e !== undefined ? resultEntityClaim(e) : undefined
      if (c === undefined) return undefined
      const d = e!.data ?? {}
      return {
        result: c.result,
        producer: { peerId: c.peerId, agentId: c.agentId },
        skillId: c.skillId,
        ...(typeof d.startedAt === 'number' ? { startedAt: d.startedAt } : {}),
        ...(typeof d.finishedAt === 'number' ? { finishedAt: d.finishedAt } : {}),
        ...(typeof d.inputDigest === 'string' ? { inputDigest: d.inputDigest } : {}),
        ...(c.attest !== undefined ? { attest: c.attest } : {}),
        ...(c.truncated === true ? { truncated: true } : {})
      }
    },

    close () {
      flush()
      closed = true
      if (timer !== undefined) { clearTimeout(timer); timer = undefined }
      if (statementTimer !== undefined) { clearTimeout(statementTimer); statementTimer = undefined }
      if (graceTimer !== undefined) { clearTimeout(graceTimer); graceTimer = undefined }
      unsubscribe()
    }
  }
  // Every statement the graph holds already (loaded from storage) is checked once, shortly after start.
  scheduleStatementCheck()
  return recorder
}
