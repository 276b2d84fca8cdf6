/**
 * The coordination protocol's messages: every kind, its body, its version, its limits and its
 * validator. Everything else in src/coord imports message shapes from here (docs/protocol.md is the
 * written spec; keep the two in step).
 *
 * Messages travel in signed frames (see "Frames" below): one gossip message carries one or more
 * envelopes of one sender under one Ed25519 signature, one JSON line per envelope.
 *
 * `decodeFrame` either returns the frame's well-formed envelopes or throws a
 * {@link CoordMessageError} whose `reason` is a short stable code (counted and shown) and whose
 * `path` names the offending field, e.g. `items[0].body.bids[2].confidence`. It never checks the
 * signature or freshness: that is signing.ts and replay.ts.
 */
import { AGENT_RESULT_KEYS, isTimeZoneName, type AgentResult, type PlannedSubtask, type Verdict } from '../agents/types.ts'
import { SIGNATURE_LENGTH } from '../net/peer-signature.ts'

/**
 * 7: a result may name what a decision settles (`settles`): conflicts it takes a side in and
 *    statements it overrules; a version-6 node would refuse such a result as an unknown field.
 * 6: a result may name the graph entities it states the opposite of (`contradicts`), which the mesh
 *    turns into a conflict; a version-5 node would refuse such a result as an unknown field.
 * 5: a vote names the result it judged (`attempt`, `resultAttest`), so a vote on another copy of a
 *    result (one a partition merge replaced) is told from a forged one.
 * 4: a vote (`verify`, `dispute`) carries its voter's attestation (`attest`, attest.ts), kept with the verification in the graph.
 * 3: a result carries its producer's attestation (`attest`, attest.ts), kept with it in the graph.
 * 2: frames (several envelopes under one signature).
 */
export const COORD_PROTOCOL_VERSION = 7
/**
 * Largest frame accepted, in bytes, checked before parsing. Below the mesh's 64 KiB gossip limit
 * so a frame always fits in one gossip message with its wrapper.
 */
export const MAX_COORD_MESSAGE_BYTES = 60 * 1024

export const MESSAGE_KINDS = [
  'announce', 'bid', 'decline', 'award', 'progress', 'result', 'failure', 'verify', 'dispute',
  'handoff', 'question', 'answer', 'alert', 'decision', 'lease', 'cancel'
] as const
export type MessageKind = typeof MESSAGE_KINDS[number]

/**
 * Per-kind byte limits (all at most {@link MAX_COORD_MESSAGE_BYTES}). Small control messages get
 * small limits so a peer cannot make every node parse and verify 60 KiB heartbeats.
 */
export const KIND_LIMIT_BYTES: Record<MessageKind, number> = {
  announce: MAX_COORD_MESSAGE_BYTES,
  bid: 32 * 1024,
  decline: 16 * 1024,
  award: 32 * 1024,
  progress: 4 * 1024,
  result: MAX_COORD_MESSAGE_BYTES,
  failure: 8 * 1024,
  verify: 8 * 1024,
  dispute: 8 * 1024,
  handoff: 4 * 1024,
  question: 8 * 1024,
  answer: 8 * 1024,
  alert: 8 * 1024,
  decision: 8 * 1024,
  lease: 16 * 1024,
  cancel: 2 * 1024
}

export const LIMITS = {
  idLength: 200,
  agentIdLength: 128,
  skillIdLength: 128,
  peerIdLength: 128,
  textLength: 8000,
  reasonLength: 1000,
  noteLength: 500,
  /** Attempts are numbered from 1; the engine stops at its `maxAttempts` (3), the wire allows a little more. */
  maxAttempt: 16,
  excluded: 64,
  /** Entries in one bid, decline or lease message (several tasks batched in one message). */
  batch: 256,
  /** Bids carried by one award (the bid set the award was computed from). */
  awardBids: 128,
  maxLoad: 1_000_000,
  maxLatencyMs: 86_400_000,
  maxQuorum: 16,
  subtasks: 64,
  evidence: 32,
  listItems: 200,
  listItemLength: 2000,
  /** Timestamps: epoch milliseconds between 2000-01-01 and 2200-01-01. */
  minTime: 946_684_800_000,
  maxTime: 7_258_118_400_000
} as const

/** Task ids: letters, digits and `_ . : / -`, starting with a letter or digit. Subtasks are `${parent}/${n}`. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,199}$/
/** Other ids (messages, questions, alerts, decisions). */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,199}$/

// ---------------------------------------------------------------------------------------------
// Bodies

/** An agent instance: the same agent id may run on several peers. */
export interface AgentRef {
  peerId: string
  agentId: string
}

/** Call for proposals. `attempt` starts at 1 and rises by one at each re-announcement. */
export interface AnnounceBody {
  taskId: string
  attempt: number
  text: string
  input?: unknown
  /** Absolute deadline, epoch ms. */
  deadline?: number
  /** The mission (parent task) this task is a subtask of. */
  missionId?: string
  /** Agents that may not bid in this attempt (they failed, lapsed or handed the task off). */
  excluded: AgentRef[]
  /** Distinct verifying peers needed to make the result a verified fact; 0 = no verification. */
  quorum: number
  /**
   * The agent the previous holder handed the task off to (`handoff.toAgentId`): if it bids in this
   * attempt, it wins (award.ts); if it does not, the usual rule applies.
   */
  preferred?: string
  /**
   * The IANA time zone of the person who submitted the task ("Europe/Berlin"), so that an agent on a
   * peer elsewhere reads "today" and "now" as they do. Absent: the agent's own.
   */
  timeZone?: string
}

/** One agent's offer for one task attempt. The bidding peer is the envelope's `from`. */
export interface BidEntry {
  taskId: string
  attempt: number
  agentId: string
  skillId: string
  /** 0..1, the matcher's calibrated confidence. */
  confidence: number
  /** 0.5..1.5, the agent's reputation factor for this skill with the bidder's exploration bonus (`bidReputation` in reputation.ts). */
  reputation: number
  /** Tasks the agent is running or holds awards for. */
  load: number
  /** Estimated latency, ms. */
  latencyMs: number
}
/** Several bids (for one or more tasks) in one message: batching keeps per-message cost down. */
export interface BidBody { bids: BidEntry[] }

export interface TaskAttemptRef { taskId: string, attempt: number }
/** This peer has no agent for these task attempts (lets the bid window close early). */
export interface DeclineBody { tasks: TaskAttemptRef[], reason: string }

/** A bid as it appears in an award's bid set: the bidder's peer id made explicit. */
export interface Bid {
  peerId: string
  agentId: string
  skillId: string
  confidence: number
  reputation: number
  load: number
  latencyMs: number
}

/**
 * The outcome of a bid window. `bids` is the bid set the award was computed from and `digest` its
 * digest (award.ts); every node checks `winner` against the rule over `bids`. `winner: null` means
 * no eligible bid: the task becomes unassigned with `reason`.
 */
export interface AwardBody {
  taskId: string
  attempt: number
  winner: Bid | null
  bids: Bid[]
  digest: string
  reason?: string
  /** Lease time-to-live granted to the winner, ms. */
  leaseMs: number
}

export interface ProgressBody { taskId: string, attempt: number, agentId: string, fraction: number, note?: string }

export interface ResultBody {
  taskId: string
  attempt: number
  agentId: string
  skillId: string
  result: AgentResult
  startedAt: number
  finishedAt: number
  /**
   * The producer's signature (base64url, SIG_LENGTH characters) over the result statement
   * (attest.ts): what lets a tab that reads the result from the graph trust it.
   */
  attest: string
}

export const FAILURE_CODES = ['error', 'timeout', 'refused', 'too-large', 'lapsed', 'left', 'deadline', 'exhausted', 'invalid-plan', 'mission'] as const
export type FailureCode = typeof FAILURE_CODES[number]

/**
 * A failed attempt (`final: false`, from the agent's peer: the steward re-announces) or the end of the
 * task (`final: true`, from the steward: the task becomes `state`).
 */
export interface FailureBody {
  taskId: string
  attempt: number
  agentId?: string
  code: FailureCode
  reason: string
  final: boolean
  /** With `final`: `rejected` when every attempt was refused, else `failed`. */
  state?: 'failed' | 'rejected'
  /** With `final`: the reasons of every attempt. */
  reasons?: string[]
}

/** A verifier's vote on a completed task's result. Disputes travel as {@link DisputeBody}. */
export interface VerifyBody {
  taskId: string
  /** The attempt whose result the vote judged. */
  attempt: number
  /** That result's producer attestation (the result message's `attest`): which copy of it was judged. */
  resultAttest: string
  agentId: string
  vote: 'support' | 'abstain'
  confidence: number
  reason: string
  evidence?: string[]
  /**
   * The voter's signature over the vote and the result it judged (attest.ts `VoteClaim`: the
   * result named by its producer's `attest`): what lets a tab that reads the verification from the
   * graph trust it.
   */
  attest: string
}

export interface DisputeBody {
  taskId: string
  /** As {@link VerifyBody.attempt}. */
  attempt: number
  /** As {@link VerifyBody.resultAttest}. */
  resultAttest: string
  agentId: string
  confidence: number
  reason: string
  evidence?: string[]
  /** As {@link VerifyBody.attest}, over the vote `dispute`. */
  attest: string
}

/** The working agent gives the task up for a better-matched one; the steward re-announces without it. */
export interface HandoffBody { taskId: string, attempt: number, agentId: string, reason: string, toAgentId?: string }

export interface QuestionBody { questionId: string, taskId: string, agentId: string, text: string, to: 'person' | 'mesh' }
/** `agentId`: the agent that answered, when an agent did (the mesh answering an agent's question); none for a person. */
export interface AnswerBody { questionId: string, taskId: string, text: string, agentId?: string }
export interface AlertBody { alertId: string, taskId?: string, agentId?: string, severity: 'info' | 'warning' | 'critical', text: string }
/** A person's decision about a question, an alert or a task; recorded in the graph. */
export interface DecisionBody { decisionId: string, about: string, text: string }

/** Heartbeat: the sender still works on these task attempts. One message renews all of a peer's leases. */
export interface LeaseBody { leases: Array<{ taskId: string, attempt: number, agentId: string }> }

export interface CancelBody { taskId: string, reason: string }

export interface BodyByKind {
  announce: AnnounceBody
  bid: BidBody
  decline: DeclineBody
  award: AwardBody
  progress: ProgressBody
  result: ResultBody
  failure: FailureBody
  verify: VerifyBody
  dispute: DisputeBody
  handoff: HandoffBody
  question: QuestionBody
  answer: AnswerBody
  alert: AlertBody
  decision: DecisionBody
  lease: LeaseBody
  cancel: CancelBody
}

type Rec = Record<string, unknown>

function fail (path: string, what: string): never {
  throw new CoordMessageError('bad-field', path, what)
}

function describe (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}

function rec (value: unknown, path: string): Rec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, `must be an object, got ${describe(value)}`)
  return value as Rec
}


function timeZoneName (value: unknown, path: string): string {
  const name = str(value, path, 64)
  const shown = JSON.stringify(name.slice(0, 40))
  if (!isTimeZoneName(name)) fail(path, `must be an IANA time zone name such as "Europe/Berlin", got ${shown}`)
  return name
}

function str (value: unknown, path: string, max: number, min = 1): string {
  if (typeof value !== 'string') fail(path, `must be a string, got ${describe(value)}`)
  if (value.length < min) fail(path, 'must not be empty')
  if (value.length > max) fail(path, `must have at most ${max} characters, got ${value.length}`)
  return value
}

function optStr (value: unknown, path: string, max: number): string | undefined {
  return value === undefined ? undefined : str(value, path, max)
}

function pattern (value: unknown, path: string, re: RegExp): string {
  const s = str(value, path, LIMITS.idLength)
  if (!re.test(s)) fail(path, `must match ${re.source}, got ${JSON.stringify(s.slice(0, 60))}`)
  return s
}

const taskId = (value: unknown, path: string): string => pattern(value, path, TASK_ID_PATTERN)
const anyId = (value: unknown, path: string): string => pattern(value, path, ID_PATTERN)

function num (value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, `must be a finite number, got ${describe(value)}`)
  if (value < min || value > max) fail(path, `must be between ${min} and ${max}, got ${value}`)
  return value
}

function int (value: unknown, path: string, min: number, max: number): number {
  const n = num(value, path, min, max)
  if (!Number.isInteger(n)) fail(path, `must be an integer, got ${n}`)
  return n
}

function time (value: unknown, path: string): number {
  return num(value, path, LIMITS.minTime, LIMITS.maxTime)
}

function bool (value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, `must be true or false, got ${describe(value)}`)
  return value
}

function oneOf<T extends string> (value: unknown, allowed: readonly T[], path: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(path, `must be one of ${allowed.join(', ')}, got ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : describe(value)}`)
  }
  return value as T
}

function arr (value: unknown, path: string, max: number, min = 0): unknown[] {
  if (!Array.isArray(value)) fail(path, `must be an array, got ${describe(value)}`)
  if (value.length < min) fail(path, `must have at least ${min} entr${min === 1 ? 'y' : 'ies'}`)
  if (value.length > max) fail(path, `must have at most ${max} entries, got ${value.length}`)
  return value
}

function strList (value: unknown, path: string, maxItems: number, maxLength: number): string[] {
  return arr(value, path, maxItems).map((s, i) => str(s, `${path}[${i}]`, maxLength))
}

function onlyKeys (r: Rec, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(r)) {
    if (!allowed.includes(key)) fail(path === '' ? key : `${path}.${key}`, 'unknown field')
  }
}

const agentId = (v: unknown, p: string): string => str(v, p, LIMITS.agentIdLength)
const peerId = (v: unknown, p: string): string => str(v, p, LIMITS.peerIdLength)
const attempt = (v: unknown, p: string): number => int(v, p, 1, LIMITS.maxAttempt)

// ---------------------------------------------------------------------------------------------
// Body validators: each returns a fresh, normalised copy

function agentRef (value: unknown, path: string): AgentRef {
  const r = rec(value, path)
  onlyKeys(r, ['peerId', 'agentId'], path)
  return { peerId: peerId(r.peerId, `${path}.peerId`), agentId: agentId(r.agentId, `${path}.agentId`) }
}

export function validateAnnounce (value: unknown, path = 'body'): AnnounceBody {
  const r = rec(value, path)
  onlyKeys(r, ['taskId', 'attempt', 'text', 'input', 'deadline', 'missionId', 'excluded', 'quorum', 'preferred', 'timeZone'], path)
  const out: AnnounceBody = {
    taskId: taskId(r.taskId, `${path}.taskId`),
    attempt: attempt(r.attempt, `${path}.attempt`),
    text: str(r.text, `${path}.text`, LIMITS.textLength),
    excluded: arr(r.excluded, `${path}.excluded`, LIMITS.excluded).map((x, i) => agentRef(x, `${path}.excluded[${i}]`)),
    quorum: int(r.quorum, `${path}.quorum`, 0, LIMITS.maxQuorum)
  }
  if (r.input !== undefined) out.input = r.input
  if (r.deadline !== undefined) out.deadline = time(r.deadline, `${path}.deadline`)
  if (r.missionId !== undefined) out.missionId = taskId(r.missionId, `${path}.missionId`)
  if (r.preferred !== undefined) out.preferred = agentId(r.preferred, `${path}.preferred`)
  if (r.timeZone !== undefined) out.timeZone = timeZoneName(r.timeZone, `${path}.timeZone`)
  return out
}

function bidFields (r: Rec, path: string): Omit<Bid, 'peerId'> {
  return {
    agentId: agentId(r.agentId, `${path}.agentId`),
    skillId: str(r.skillId, `${path}.skillId`, LIMITS.skillIdLength),
    confidence: num(r.confidence, `${path}.confidence`, 0, 1),
    reputation: num(r.reputation, `${path}.reputation`, 0.5, 1.5),
    load: int(r.load, `${path}.load`, 0, LIMITS.maxLoad),
    latencyMs: num(r.latencyMs, `${path}.latencyMs`, 0, LIMITS.maxLatencyMs)
  }
}

export function validateBidEntry (value: unknown, path: string): BidEntry {
  const r = rec(value, path)
  onlyKeys(r, ['taskId', 'attempt', 'agentId', 'skillId', 'confidence', 'reputation', 'load', 'latencyMs'], path)
  return { taskId: taskId(r.taskId, `${path}.taskId`), attempt: attempt(r.attempt, `${path}.attempt`), ...bidFields(r, path) }
}

export function validateBidBody (value: unknown, path = 'body'): BidBody {
  const r = rec(value, path)
  onlyKeys(r, ['bids'], path)
  return { bids: arr(r.bids, `${path}.bids`, LIMITS.batch, 1).map((b, i) => validateBidEntry(b, `${path}.bids[${i}]`)) }
}

function taskAttemptRef (value: unknown, path: string): TaskAttemptRef {
  const r = rec(value, path)
  onlyKeys(r, ['taskId', 'attempt'], path)
  return { taskId: taskId(r.taskId, `${path}.taskId`), attempt: attempt(r.attempt, `${path}.attempt`) }
}

export function validateDecline (value: unknown, path = 'body'): DeclineBody {
  const r = rec(value, path)
  onlyKeys(r, ['tasks', 'reason'], path)
  return {
    tasks: arr(r.tasks, `${path}.tasks`, LIMITS.batch, 1).map((t, i) => taskAttemptRef(t, `${path}.tasks[${i}]`)),
    reason: str(r.reason, `${path}.reason`, LIMITS.reasonLength)
  }
}

export function validateBid (value: unknown, path: string): Bid {
  const r = rec(value, path)
  onlyKeys(r, ['peerId', 'agentId', 'skillId', 'confidence', 'reputation', 'load', 'latencyMs'], path)
  return { peerId: peerId(r.peerId, `${path}.peerId`), ...bidFields(r, path) }
}

export function validateAward (value: unknown, path = 'body'): AwardBody {
  const r = rec(value, path)
  onlyKeys(r, ['taskId', 'attempt', 'winner', 'bids', 'digest', 'reason', 'leaseMs'], path)
  const out: AwardBody = {
    taskId: taskId(r.taskId, `${path}.taskId`),
    attempt: attempt(r.attempt, `${path}.attempt`),
    winner: r.winner === null ? null : validateBid(r.winner, `${path}.winner`),
    bids: arr(r.bids, `${path}.bids`, LIMITS.awardBids).map((b, i) => validateBid(b, `${path}.bids[${i}]`)),
    digest: str(r.digest, `${path}.digest`, 64),
    leaseMs: int(r.leaseMs, `${path}.leaseMs`, 100, 600_000)
  }
  const reason = optStr(r.reason, `${path}.reason`, LIMITS.reasonLength)
  if (reason !== undefined) out.reason = reason
  if (out.winner === null && reason === undefined) fail(`${path}.reason`, 'is required when there is no winner')
  return out
}

export function validateProgress (value: unknown, path = 'body'): ProgressBody {
  const r = rec(value, path)
  onlyKeys(r, ['taskId', 'attempt', 'agentId', 'fraction', 'note'], path)
  const out: ProgressBody = {
    taskId: taskId(r.taskId, `${path}.taskId`),
    attempt: attempt(r.attempt, `${path}.attempt`),
    agentId: agentId(r.agentId, `${path}.agentId`),
    fraction: num(r.fraction, `${path}.fraction`, 0, 1)
  }
  const note = optStr(r.note, `${path}.note`, LIMITS.noteLength)
  if (note !== undefined) out.note = note
  return out
}

function validateVerdict (value: unknown, path: string): Verdict {
  const r = rec(value, path)
  onlyKeys(r, ['vote', 'confidence', 'reason', 'evidence'], path)
  const out: Verdict = {
    vote: oneOf(r.vote, ['support', 'dispute', 'abstain'] as const, `${path}.vote`),
    confidence: num(r.confidence, `${path}.confidence`, 0, 1),
    reason: str(r.reason, `${path}.reason`, LIMITS.reasonLength, 0)
  }
  if (r.evidence !== undefined) out.evidence = strList(r.evidence, `${path}.evidence`, LIMITS.evidence, LIMITS.idLength)
  return out
}

function validatePlannedSubtask (value: unknown, path: string): PlannedSubtask {
  const r = rec(value, path)
  onlyKeys(r, ['id', 'text', 'dependsOn'], path)
  // Ids and dependencies are only shape-checked here; dag.ts checks uniqueness, references and cycles.
  return {
    id: str(r.id, `${path}.id`, 100),
    text: str(r.text, `${path}.text`, LIMITS.textLength),
    dependsOn: strList(r.dependsOn, `${path}.dependsOn`, LIMITS.subtasks, 100)
  }
}

export function validateAgentResult (value: unknown, path: string): AgentResult {
  const r = rec(value, path)
  onlyKeys(r, AGENT_RESULT_KEYS, path)
  const out: AgentResult = { text: str(r.text, `${path}.text`, 32_000, 0) }
  if (r.output !== undefined) out.output = r.output
  if (r.working !== undefined) out.working = strList(r.working, `${path}.working`, LIMITS.listItems, LIMITS.listItemLength)
  if (r.citations !== undefined) out.citations = strList(r.citations, `${path}.citations`, LIMITS.listItems, LIMITS.idLength)
  if (r.contradicts !== undefined) out.contradicts = strList(r.contradicts, `${path}.contradicts`, LIMITS.listItems, LIMITS.idLength)
  if (r.settles !== undefined) out.settles = strList(r.settles, `${path}.settles`, LIMITS.listItems, LIMITS.idLength)
  if (r.verdict !== undefined) out.verdict = validateVerdict(r.verdict, `${path}.verdict`)
  if (r.plan !== undefined) {
    const p = rec(r.plan, `${path}.plan`)
    onlyKeys(p, ['subtasks'], `${path}.plan`)
    out.plan = { subtasks: arr(p.subtasks, `${path}.plan.subtasks`, LIMITS.subtasks).map((s, i) => validatePlannedSubtask(s, `${path}.plan.subtasks[${i}]`)) }
  }
  return out
}

/** An attestation: 64 signature bytes in unpadded base64url (attest.ts). */
function signature (value: unknown, path: string): string {
  const s = str(value, path, SIG_LENGTH)
  if (!SIG_PATTERN.test(s)) fail(path, 'must be 64 signature bytes in unpadded base64url')
  return s
}

export function validateResult (value: unknown, path = 'body'): ResultBody {
  const r = rec(value, path)
  onlyKeys(r, ['taskId', 'attempt', 'agentId', 'skillId', 'result', 'startedAt', 'finishedAt', 'attest'], path)
  const out: ResultBody = {
    taskId: taskId(r.taskId, `${path}.taskId`),
    attempt: attempt(r.attempt, `${path}.attempt`),
    agentId: agentId(r.agentId, `${path}.agentId`),
    skillId: str(r.skillId, `${path}.skillId`, LIMITS.skillIdLength),
    result: validateAgentResult(r.result, `${path}.result`),
    startedAt: time(r.startedAt, `${path}.startedAt`),
    finishedAt: time(r.finishedAt, `${path}.finishedAt`),
    attest: signature(r.attest, `${path}.attest`)
  }
  if (out.finishedAt < out.startedAt) fail(`${path}.finishedAt`, 'must not be before startedAt')
  return out
}

export function validateFailure (value: unknown, path = 'body'): FailureBody {
  const r = rec(value, path)
  onlyKeys(r, ['taskId', 'attempt', 'agentId', 'code', 'reason', 'final', 'state', 'reasons'], path)
  const out: FailureBody = {
    taskId: taskId(r.taskId, `${path}.taskId`),
    attempt: attempt(r.attempt, `${path}.attempt`),
    code: oneOf(r.code, FAILURE_CODES, `${path}.code`),
    reason: str(r.reason, `${path}.reason`, LIMITS.reasonLength),
    final: bool(r.final, `${path}.final`)
  }
  const agent = r.agentId === undefined ? undefined : agentId(r.agentId, `${path}.agentId`)
  if (agent !== undefined) out.agentId = agent
  if (r.state !== undefined) out.state = oneOf(r.state, ['failed', 'rejected'] as const, `${path}.state`)
  if (r.reasons !== undefined) out.reasons = strList(r.reasons, `${path}.reasons`, LIMITS.maxAttempt * 2, LIMITS.reasonLength)
  if (!out.final && out.agentId === undefined) fail(`${path}.agentId`, 'is required for a failed attempt (final: false)')
  if (!out.final && out.state !== undefined) fail(`${path}.state`, 'is only allowed with final: true')
  return out
}

export function validateVerify (value: unknown, path = 'body'): VerifyBody {
  const r = rec(value, path)
  onlyKeys(r, ['taskId', 'attempt', 'resultAttest', 'agentId', 'vote', 'confidence', 'reason', 'evidence', 'attest'], path)
  const out: VerifyBody = {
    taskId: taskId(r.taskId, `${path}.taskId`),
    attempt: attempt(r.attempt, `${path}.attempt`),
    resultAttest: signature(r.resultAttest, `${path}.resultAttest`),
    agentId: agentId(r.agentId, `${path}.agentId`),
    vote: oneOf(r.vote, ['support', 'abstain'] as const, `${path}.vote`),
    confidence: num(r.confidence, `${path}.confidence`, 0, 1),
    reason: str(r.reason, `${path}.reason`, LIMITS.reasonLength, 0),
    attest: signature(r.attest, `${path}.attest`)
  }
  if (r.evidence !== undefined) out.evidence = strList(r.evidence, `${path}.evidence`, LIMITS.evidence, LIMITS.idLength)
  return out
}

export function validateDispute (value: unknown, path = 'body'): DisputeBody {
  const r = rec(value, path)
  onlyKeys(r, ['taskId', 'attempt', 'resultAttest', 'agentId', 'confidence', 'reason', 'evidence', 'attest'], path)
  const out: DisputeBody = {
    taskId: taskId(r.taskId, `${path}.taskId`),
    attempt: attempt(r.attempt, `${path}.attempt`),
    resultAttest: signature(r.resultAttest, `${path}.resultAttest`),
    agentId: agentId(r.agentId, `${path}.agentId`),
    confidence: num(r.confidence, `${path}.confidence`, 0, 1),
    reason: str(r.reason, `${path}.reason`, LIMITS.reasonLength),
    attest: signature(r.attest, `${path}.attest`)
  }
  if (r.evidence !== undefined) out.evidence = strList(r.evidence, `${path}.evidence`, LIMITS.evidence, LIMITS.idLength)
  return out
}

export function validateHandoff (value: unknown, path = 'body'): HandoffBody {
  const r = rec(value, path)
  onlyKeys(r, ['taskId', 'attempt', 'agentId', 'reason', 'toAgentId'], path)
  const out: HandoffBody = {
    taskId: taskId(r.taskId, `${path}.taskId`),
    attempt: attempt(r.attempt, `${path}.attempt`),
    agentId: agentId(r.agentId, `${path}.agentId`),
    reason: str(r.reason, `${path}.reason`, LIMITS.reasonLength)
  }
  if (r.toAgentId !== undefined) out.toAgentId = agentId(r.toAgentId, `${path}.toAgentId`)
  return out
}

export function validateQuestion (value: unknown, path = 'body'): QuestionBody {
  const r = rec(value, path)
  onlyKeys(r, ['questionId', 'taskId', 'agentId', 'text', 'to'], path)
  return {
    questionId: anyId(r.questionId, `${path}.questionId`),
    taskId: taskId(r.taskId, `${path}.taskId`),
    agentId: agentId(r.agentId, `${path}.agentId`),
    text: str(r.text, `${path}.text`, LIMITS.textLength),
    to: oneOf(r.to, ['person', 'mesh'] as const, `${path}.to`)
  }
}

export function validateAnswer (value: unknown, path = 'body'): AnswerBody {
  const r = rec(value, path)
  onlyKeys(r, ['questionId', 'taskId', 'text', 'agentId'], path)
  const out: AnswerBody = {
    questionId: anyId(r.questionId, `${path}.questionId`),
    taskId: taskId(r.taskId, `${path}.taskId`),
    text: str(r.text, `${path}.text`, LIMITS.textLength)
  }
  if (r.agentId !== undefined) out.agentId = agentId(r.agentId, `${path}.agentId`)
  return out
}

export function validateAlert (value: unknown, path = 'body'): AlertBody {
  const r = rec(value, path)
  onlyKeys(r, ['alertId', 'taskId', 'agentId', 'severity', 'text'], path)
  const out: AlertBody = {
    alertId: anyId(r.alertId, `${path}.alertId`),
    severity: oneOf(r.severity, ['info', 'warning', 'critical'] as const, `${path}.severity`),
    text: str(r.text, `${path}.text`, LIMITS.textLength)
  }
  if (r.taskId !== undefined) out.taskId = taskId(r.taskId, `${path}.taskId`)
  if (r.agentId !== undefined) out.agentId = agentId(r.agentId, `${path}.agentId`)
  return out
}

export function validateDecision (value: unknown, path = 'body'): DecisionBody {
  const r = rec(value, path)
  onlyKeys(r, ['decisionId', 'about', 'text'], path)
  return {
    decisionId: anyId(r.decisionId, `${path}.decisionId`),
    about: anyId(r.about, `${path}.about`),
    text: str(r.text, `${path}.text`, LIMITS.textLength)
  }
}

export function validateLease (value: unknown, path = 'body'): LeaseBody {
  const r = rec(value, path)
  onlyKeys(r, ['leases'], path)
  return {
    leases: arr(r.leases, `${path}.leases`, LIMITS.batch, 1).map((x, i) => {
      const p = `${path}.leases[${i}]`
      const l = rec(x, p)
      onlyKeys(l, ['taskId', 'attempt', 'agentId'], p)
      return { taskId: taskId(l.taskId, `${p}.taskId`), attempt: attempt(l.attempt, `${p}.attempt`), agentId: agentId(l.agentId, `${p}.agentId`) }
    })
  }
}

export function validateCancel (value: unknown, path = 'body'): CancelBody {
  const r = rec(value, path)
  onlyKeys(r, ['taskId', 'reason'], path)
  return { taskId: taskId(r.taskId, `${path}.taskId`), reason: str(r.reason, `${path}.reason`, LIMITS.reasonLength) }
}

/** The validator of each kind's body. */
export const BODY_VALIDATORS: { [K in MessageKind]: (value: unknown, path?: string) => BodyByKind[K] } = {
  announce: validateAnnounce,
  bid: validateBidBody,
  decline: validateDecline,
  award: validateAward,
  progress: validateProgress,
  result: validateResult,
  failure: validateFailure,
  verify: validateVerify,
  dispute: validateDispute,
  handoff: validateHandoff,
  question: validateQuestion,
  answer: validateAnswer,
  alert: validateAlert,
  decision: validateDecision,
  lease: validateLease,
  cancel: validateCancel
}

// ---------------------------------------------------------------------------------------------
// Frames: what travels

/**
 * A frame is what one gossip message carries: one or more envelopes of one sender under one
 * signature. Text, one JSON value per line (JSON never contains a raw newline):
 *
 *   {"v":3,"from":"12D3KooW…","ts":1700000000123.4,"n":2}     header
 *   {"kind":"bid","id":"k3x9.41","seq":41,"body":{…}}          item 1
 *   {"kind":"award","id":"k3x9.42","seq":42,"body":{…}}        item 2
 *   <86 characters: base64url Ed25519 signature>               over every byte before this line
 *
 * The signature covers the bytes exactly as sent, so nothing is re-encoded to verify it (v1 signed
 * each envelope's canonical JSON and every receiver re-encoded every message). Each item is an
 * envelope to the engine: `from` and `ts` are the header's, `id`/`seq` its own, and it is validated,
 * size-limited by kind (its line's bytes) and replay-checked on its own. A frame is a transport
 * detail: the engine applies its items in order as if they had come one by one.
 */
export const FRAME_HEADER_KEYS = ['v', 'from', 'ts', 'n'] as const
export const FRAME_ITEM_KEYS = ['kind', 'id', 'seq', 'body'] as const
/** Items in one frame. */
export const MAX_FRAME_ITEMS = 512

/** One envelope as the engine sees it (an item of a frame, with the frame's sender and time). */
export interface Envelope<K extends MessageKind = MessageKind> {
  v: typeof COORD_PROTOCOL_VERSION
  kind: K
  /** Unique per sender; with `from` it is what replay protection remembers. */
  id: string
  /** Sender's peer id (base58btc string); the frame's signature is checked with the key it embeds. */
  from: string
  /** Per-sender counter, rising by one per envelope of a session. */
  seq: number
  /** Sender's clock when the frame was sealed, epoch ms. */
  ts: number
  body: BodyByKind[K]
}

/** Any envelope, narrowed by `kind`. */
export type AnyEnvelope = { [K in MessageKind]: Envelope<K> }[MessageKind]
/** What a sender puts in a frame for one envelope. */
export interface FrameItem<K extends MessageKind = MessageKind> { kind: K, id: string, seq: number, body: BodyByKind[K] }
export interface FrameHeader { v: typeof COORD_PROTOCOL_VERSION, from: string, ts: number, n: number }

// ---------------------------------------------------------------------------------------------
// Errors

export type DecodeErrorReason =
  | 'too-large' | 'not-utf8' | 'not-json' | 'not-object' | 'unknown-version' | 'unknown-kind' | 'bad-field'

export class CoordMessageError extends Error {
  constructor (readonly reason: DecodeErrorReason, readonly path: string, detail: string) {
    super(path === '' ? `${reason}: ${detail}` : `${reason}: ${path}: ${detail}`)
    this.name = 'CoordMessageError'
  }
}

/** 64 signature bytes in unpadded base64url (net/peer-signature.ts, which statements use too). */
export const SIG_LENGTH = SIGNATURE_LENGTH
const SIG_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${SIG_LENGTH}}$`)
const NEWLINE = 0x0a

const utf8Decoder = new TextDecoder('utf-8', { fatal: true })
const utf8Encoder = new TextEncoder()

export interface DecodedFrame {
  header: FrameHeader
  envelopes: AnyEnvelope[]
  /** The bytes the signature covers (a view into the frame). */
  signed: Uint8Array
  sig: string
}

function parseLine (text: string, path: string): Rec {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new CoordMessageError('not-json', path, `not JSON (${(err as Error).message.slice(0, 80)})`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CoordMessageError('not-object', path, `must be a JSON object, got ${describe(value)}`)
  }
  return value as Rec
}

function checkVersion (m: Rec): void {
  if (m.v !== COORD_PROTOCOL_VERSION) {
    throw new CoordMessageError('unknown-version', 'v', `version ${JSON.stringify(m.v) ?? 'undefined'} is not supported (this node speaks ${COORD_PROTOCOL_VERSION})`)
  }
}

/** Validates a frame header (already parsed). */
export function validateFrameHeader (value: unknown): FrameHeader {
  const m = rec(value, '')
  checkVersion(m)
  onlyKeys(m, FRAME_HEADER_KEYS, '')
  return { v: COORD_PROTOCOL_VERSION, from: peerId(m.from, 'from'), ts: time(m.ts, 'ts'), n: int(m.n, 'n', 1, MAX_FRAME_ITEMS) }
}

/** Validates one item (already parsed) of a frame from `header`; `bytes` is its line's size, for the per-kind limit. */
export function validateFrameItem (value: unknown, header: Pick<FrameHeader, 'from' | 'ts'>, path: string, bytes = 0): AnyEnvelope {
  const m = rec(value, path)
  if (typeof m.kind !== 'string' || !(MESSAGE_KINDS as readonly string[]).includes(m.kind)) {
    throw new CoordMessageError('unknown-kind', `${path}.kind`, `${JSON.stringify(m.kind) ?? 'undefined'} is not a coordination message kind`)
  }
  const kind = m.kind as MessageKind
  if (bytes > KIND_LIMIT_BYTES[kind]) {
    throw new CoordMessageError('too-large', path, `a ${kind} message may have at most ${KIND_LIMIT_BYTES[kind]} bytes, got ${bytes}`)
  }
  onlyKeys(m, FRAME_ITEM_KEYS, path)
  return {
    v: COORD_PROTOCOL_VERSION,
    kind,
    id: anyId(m.id, `${path}.id`),
    from: header.from,
    seq: int(m.seq, `${path}.seq`, 0, Number.MAX_SAFE_INTEGER),
    ts: header.ts,
    body: BODY_VALIDATORS[kind](m.body, `${path}.body`)
  } as AnyEnvelope
}

/**
 * Bytes → a validated frame. The size is checked before anything is decoded; then UTF-8, the
 * header (JSON, version, fields, item count), the signature line's form, and each item (JSON,
 * kind, the kind's size limit, every field). Never checks the signature or freshness (signing.ts).
 */
export function decodeFrame (data: Uint8Array): DecodedFrame {
  if (data.byteLength > MAX_COORD_MESSAGE_BYTES) {
    throw new CoordMessageError('too-large', '', `message is ${data.byteLength} bytes; the limit is ${MAX_COORD_MESSAGE_BYTES}`)
  }
  let text: string
  try {
    text = utf8Decoder.decode(data)
  } catch {
    throw new CoordMessageError('not-utf8', '', 'payload is not valid UTF-8')
  }
  // Line boundaries in bytes (a newline byte never occurs inside a multi-byte UTF-8 sequence).
  const ends: number[] = []
  for (let i = data.indexOf(NEWLINE); i !== -1; i = data.indexOf(NEWLINE, i + 1)) {
    ends.push(i)
    if (ends.length > MAX_FRAME_ITEMS + 1) break
  }
  const lines = text.split('\n', MAX_FRAME_ITEMS + 3)
  const header = validateFrameHeader(parseLine(lines[0]!, ''))
  if (lines.length !== header.n + 2 || ends.length !== header.n + 1) {
    fail('n', `the frame has ${Math.max(0, lines.length - 2)} item line(s) and a signature line, but its header says ${header.n} item(s)`)
  }
  const sig = lines[lines.length - 1]!
  if (!SIG_PATTERN.test(sig)) fail('sig', 'the last line must be 64 signature bytes in unpadded base64url')
  const envelopes: AnyEnvelope[] = []
  for (let i = 1; i <= header.n; i++) {
    const path = `items[${i - 1}]`
    envelopes.push(validateFrameItem(parseLine(lines[i]!, path), header, path, ends[i]! - ends[i - 1]! - 1))
  }
  return { header, envelopes, signed: data.subarray(0, ends[ends.length - 1]! + 1), sig }
}

/** A frame's header line (without its newline). */
export function frameHeaderLine (header: FrameHeader): string {
  return JSON.stringify({ v: header.v, from: header.from, ts: header.ts, n: header.n })
}

/** An item's line (without its newline). */
export function frameItemLine (item: FrameItem): string {
  return JSON.stringify({ kind: item.kind, id: item.id, seq: item.seq, body: item.body })
}

/** Bytes a frame's header, signature line and newlines take besides its items' lines (an upper bound). */
export function frameOverheadBytes (items: number): number {
  return 64 + LIMITS.peerIdLength + 40 + SIG_LENGTH + items
}

export function utf8Bytes (text: string): Uint8Array {
  return utf8Encoder.encode(text)
}
