/**
 * The coordination engine: one per node, no central orchestrator. It turns the decisions of the
 * pure modules (award, lease, dag, task-state, reputation, quorum, stewardship) into protocol
 * messages and back. Every node sees the same signed messages and applies them the same way, so
 * every node holds the same picture of every task.
 *
 * Roles per task (see docs/protocol.md):
 *  - the steward (the node that announced the current attempt; another takes over if it leaves)
 *    closes the bid window and publishes the award with the bid set it saw, watches the lease,
 *    re-announces, publishes the final failure, runs a mission's DAG and records outcomes;
 *  - every node bids for its agents, checks every award against the rule over its bid set, and
 *    tracks state, leases, votes and reputation;
 *  - the winner's node runs the agent, sends heartbeats and the result.
 *
 * Cost per message is kept small for a browser tab's main thread: one signature verification
 * (async; verifications run concurrently, messages are applied in arrival order), bids, declines
 * and heartbeats batched per node, and no per-message timers (one tick sweeps leases).
 */
import { isTimeZoneName, type AgentResult, type AgentTask } from '../agents/types.ts'
import { Emitter } from '../net/emitter.ts'
import { randomToken } from '../graph/hash.ts'
import {
  bidKey, bidWindowMs, checkAward, decideAward, DEFAULT_BID_WINDOW, DEFAULT_MIN_CONFIDENCE, everyoneResponded, ewma,
  isExcluded, makeAward, sameBid, unionBidSets, type AwardRule, type BidWindowOptions
} from './award.ts'
import { assembleMission, assemblePartial, blockedBy, buildDag, inputDigest, PlanError, readySubtasks, staleParts, subtaskInput, whyNotDone, type MissionDag } from './dag.ts'
import {
  HandoffRequest, systemClock,
  type BidHints, type BidOffer, type Clock, type CoordBidder, type CoordExecutor, type CoordRecorder, type CoordTransport, type ExecutionHooks
} from './interfaces.ts'
import { DEFAULT_MAX_ATTEMPTS, giveUp, grantLease, heartbeatIntervalMs, isLapsed, nextAttempt, renewLease, type FailedAttempt, type Lease } from './lease.ts'
import {
  COORD_PROTOCOL_VERSION, frameItemLine, frameOverheadBytes, KIND_LIMIT_BYTES, LIMITS, MAX_COORD_MESSAGE_BYTES, MAX_FRAME_ITEMS, utf8Bytes, validateAgentResult, validateAnswer, validateDecision, CoordMessageError,
  type AgentRef, type AnyEnvelope, type AwardBody, type Bid, type BidEntry, type BodyByKind, type Envelope,
  type FailureBody, type FailureCode, type MessageKind, type TaskAttemptRef
} from './messages.ts'
import { DEFAULT_VOTE_MIN_CONFIDENCE, isCountingSupport, isWellFoundedDispute, verificationStatus, type VerificationOutcome, type VerificationStatus, type Vote } from './quorum.ts'
import { ReplayGuard, type ReplayGuardOptions } from './replay.ts'
import { ReputationBook, type SkillRecord } from './reputation.ts'
import { EnvelopeOpener, sealFrame, type Signer } from './signing.ts'
import { attestResult, attestVote, ResultAttestations } from './attest.ts'
import { DEFAULT_TAKEOVER, takeoverDelayMs, takeoverRank, type TakeoverTiming } from './stewardship.ts'
import { applyTransition, isTerminal, TASK_STATES, type TaskState } from './task-state.ts'
import { compareCompletions, type Completion } from './outcome-merge.ts'
import { partTaskId, readMission, type RecordedMission, type RecordedPart } from './mission-record.ts'
import { MAX_RECORDED_VOTE_BYTES, MAX_RECORDED_VOTES, readVerification, type RecordedVerification } from './verification-record.ts'
// Lines and reasons name peers and agents as the graph's lines and the UI do.
import { agentOn, shortPeer as short } from './graph-record-ids.ts'

export interface CoordEngineOptions {
  /** Attempts before a task fails (default 3). */
  maxAttempts?: number
  /** Bids below this confidence never win (default 0.3). */
  minConfidence?: number
  /** Lease time-to-live, ms (default 3000); heartbeats every third of it. */
  leaseMs?: number
  bidWindow?: Partial<BidWindowOptions>
  takeover?: Partial<TakeoverTiming>
  /** Sweep interval for leases, deadlines and takeovers, ms (default 100). */
  tickMs?: number
  /** Bids, declines and heartbeats produced within this many ms go out in one message (default 0: same turn). */
  batchMs?: number
  /**
   * Frames: messages this node sends go out together, under one signature, in one gossip message.
   * A quiet node (at most 4 open tasks) sends what it has as soon as the current job is done; a busy
   * one that sent a frame less than `frameMs` ago waits until `frameMs` have passed, so under load
   * frames grow instead of multiplying (default 0: every turn).
   */
  frameMs?: number
  /**
   * Verification quorum for tasks submitted here without `verify`: a number, or `'auto'` (the
   * default): 1 when a verifier runs on another present peer (`verifyingPeers`), else 0, so that a
   * result is checked wherever the room can check it and a room without verifiers asks nobody.
   */
  verifyQuorum?: number | 'auto'
  /**
   * The time zone of the person at this tab, sent with the tasks submitted here (announce
   * `timeZone`) so that agents elsewhere read "today" and "now" as the person does. Default: the
   * runtime's (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
   */
  timeZone?: string
  /** Verification quorum for mission subtasks (default 1). */
  missionQuorum?: number
  /**
   * Local agent ids that verify results of other peers (their result carries a `verdict`): a list, or
   * a function read at each verification, for a tab whose agents come and go (one registered after
   * the engine started verifies too).
   */
  verifiers?: readonly string[] | (() => readonly string[])
  /** A mission waits at most this long for its parts' verification before assembling (default 10 s). */
  verifyTimeoutMs?: number
  minVoteConfidence?: number
  replay?: ReplayGuardOptions
  /** Finished tasks kept in memory (default 5000; older ones are forgotten). */
  retainTasks?: number
}

export interface CoordEngineInit {
  /** This node's peer id (string form). */
  peerId: string
  /** Signs with this node's libp2p private key (`signerFor(privateKey)`). */
  sign: Signer
  transport: CoordTransport
  bidder: CoordBidder
  executor: CoordExecutor
  recorder: CoordRecorder
  clock?: Clock
  options?: CoordEngineOptions
  /**
   * The skill ids of an agent as the room's registry lists it (its manifest), or undefined if this
   * node does not know the agent (yet). A bid naming a skill its known agent does not have is refused
   * (`unknown-skill`): an agent's record is per skill, and a made-up skill id has none.
   */
  skillsOf?: (agentId: string, peerId: string) => readonly string[] | undefined
  /**
   * The peers of the room that run a verifier agent, as the registry lists them. A mission part whose
   * verification is pending is settled once every such peer that is present (but the part's producer)
   * has voted, abstentions included, or at once when there is none: no vote is still to come, so
   * waiting `verifyTimeoutMs` for one would only delay the mission. Without it, the timeout decides.
   */
  verifyingPeers?: () => Iterable<string>
  /**
   * The winner the graph records for a task's attempt (`GraphRecorder.awardOf`). A node that missed
   * an award message holds its holder's messages back (they name an attempt it saw no award for);
   * after `AWARD_LOOKUP_MS` it looks the award up here, since the graph syncs what gossip lost.
   */
  recordedAward?: (taskId: string, attempt: number) => (AgentRef & { skillId: string }) | undefined
  /** Checks results read from the graph against their producers' signatures (default: a new `ResultAttestations`). */
  attestations?: ResultAttestations
  /**
   * The decision a submitted request states, if any ("Decision: we ship the beta on 3 December" →
   * "We ship the beta on 3 December."). Such a request is also sent as the person's decision about
   * the task (a `decision` message, recorded as a decision entity), besides being announced.
   */
  decisionIn?: (text: string) => string | undefined
  /**
   * The question a submitted request asks the room to keep open, if any ("Question: should we support
   * Safari 15?" → "Should we support Safari 15?"). This node records it as the person's open question
   * about the task (a question entity), besides announcing the task.
   */
  questionIn?: (text: string) => string | undefined
}

export interface AttemptInfo {
  attempt: number
  agentId?: string
  skillId?: string
  peerId?: string
  /** How the attempt ended, when it did: `completed`, or the failure code and reason. */
  outcome?: string
}

export interface TaskSnapshot {
  id: string
  text: string
  input?: unknown
  state: TaskState
  reason?: string
  attempt: number
  attempts: AttemptInfo[]
  /** The agent holding (or that last held) the task, with the skill it won with and its peer. */
  agentId?: string
  skillId?: string
  peerId?: string
  steward: string
  owner: string
  result?: AgentResult
  /**
   * A task listed from the graph whose recorded result was not taken: why (it is not what its
   * producer signed, or it was stored cut). The state stays as the graph records it.
   */
  resultProblem?: string
  /** A mission listed from the graph whose answer waits for its parts' records to arrive: which. */
  resultPending?: string
  /** Since when (this tab's clock) `resultPending` has waited. */
  resultPendingSince?: number
  /**
   * `abstained`: verifiers that voted but could not judge (an abstention, which counts neither
   * way), so a person sees why a result is still pending. `refused`: a task listed from the graph
   * whose recorded verdict its signed votes do not support: why (the status is what they support).
   */
  verification?: { status: VerificationStatus, supporters: string[], disputes: Vote[], abstained?: Array<{ peerId: string, agentId: string, reason: string }>, reason?: string, refused?: string }
  missionId?: string
  mission?: { subtasks: Array<{ planId: string, taskId: string, text: string, dependsOn: string[], state: TaskState | 'pending' }>, group: AgentRef[] }
  questions: Array<{ questionId: string, agentId: string, text: string, to: 'person' | 'mesh', answer?: string }>
  /** The holder's last progress report, while the task runs (a task that ended has none). */
  progress?: { fraction: number, note?: string }
  /**
   * finishedAt: when the agent finished (its result); completedAt: when the task completed here;
   * endedAt: when it reached its end state here, whichever (failed, canceled, ... have only this).
   */
  timings: { submittedAt: number, awardedAt?: number, startedAt?: number, finishedAt?: number, completedAt?: number, endedAt?: number }
}

export interface TaskStateEvent { taskId: string, state: TaskState, previous: TaskState | null, reason?: string, attempt: number, at: number }
export interface ProtocolEvent { kind: MessageKind | 'window-closed' | 'lapsed' | 'takeover' | 'mission' | 'executing' | 'merged' | 'resumed' | 'uncanceled'; taskId?: string; from: string; summary: string; at: number }
export interface RejectedEvent { reason: string, detail: string, from?: string, at: number }

export interface CoordEvents extends Record<string, unknown> {
  /** A task changed state. */
  task: TaskStateEvent
  /** Every accepted protocol message and local step, for a timeline. */
  protocol: ProtocolEvent
  /** A message refused: malformed, forged, replayed, or breaking a protocol rule. */
  rejected: RejectedEvent
  /** A message that was valid but redundant (duplicate result, stale attempt). */
  ignored: { reason: string, taskId?: string, from: string, at: number }
  question: { questionId: string, taskId: string, agentId: string, peerId: string, text: string, to: 'person' | 'mesh', at: number }
  answer: { questionId: string, taskId: string, text: string, agentId?: string, from: string, at: number }
  alert: { alertId: string, taskId?: string, agentId?: string, peerId: string, severity: 'info' | 'warning' | 'critical', text: string, at: number }
  decision: { decisionId: string, about: string, text: string, from: string, at: number }
  verification: { taskId: string, status: VerificationStatus, supporters: string[], disputes: Vote[], at: number }
  mission: { missionId: string, state: 'planned' | 'progress' | 'completed' | 'failed', subtasks: Array<{ planId: string, taskId: string, state: TaskState | 'pending' }>, group: AgentRef[], at: number }
  /** Our own side failed (recorder, transport, bidder): reported, never fatal. */
  problem: { source: string, message: string, at: number }
}

export interface CoordStats {
  /** Messages (envelopes) accepted from peers and sent. */
  messagesIn: number
  messagesOut: number
  /** Frames (gossip messages, one signature each) accepted and sent. */
  framesIn: number
  framesOut: number
  /** Tasks that took the graph's completion after a partition merge (adoptCompletion). */
  merged: number
  /** Canceled tasks whose result had crossed the cancel, so they completed (see onResult). */
  uncanceled: number
  /** Missions assembled again: failed for a part that completed after all (see reassembles), or completed with a part a partition merge replaced (reassembleMerged). */
  reassembled: number
  /** Awards this node missed and read from the graph (lookUpAward). */
  awardsFromGraph: number
  /** Ended tasks learned from the graph (importTask): after a reload, a late join or a partition. */
  imported: number
  /** Running tasks whose stewardship this node took up again from the graph after a reload (resumeTask). */
  resumed: number
  rejected: Record<string, number>
  ignored: Record<string, number>
  states: Record<string, number>
}

export interface TasksApi {
  submit (req: { text: string, input?: unknown, deadlineMs?: number, verify?: number, timeZone?: string }): string
  get (id: string): TaskSnapshot | undefined
  wait (id: string, opts?: { timeoutMs?: number, signal?: AbortSignal }): Promise<TaskSnapshot>
  list (): TaskSnapshot[]
  cancel (id: string, reason?: string): void
  /** `agentId`: the agent answering, when one of this node's agents does (the mesh answering an agent's question). */
  answer (questionId: string, text: string, agentId?: string): void
  decide (about: string, text: string): string
  on<K extends keyof CoordEvents> (event: K, fn: (e: CoordEvents[K]) => void): () => void
}

/** A completion recorded in the graph: the attempt's producer, and (read lazily) what it produced. */
export interface RecordedCompletion extends Completion {
  /** The attempt's result entity, if it is in this node's graph yet. */
  read: () => Omit<GraphResult, 'producer'> | undefined
}

/** An attempt's result as the graph recorded it. */
export interface GraphResult {
  result: AgentResult
  producer: AgentRef
  skillId: string
  startedAt?: number
  finishedAt?: number
  /** What the attempt ran on (dag.ts inputDigest), if the producer recorded it. */
  inputDigest?: string
  /** The producer's attestation (attest.ts), as recorded; absent from a record that was written without one. */
  attest?: string
  /** The result was too large for the graph and is stored cut. */
  truncated?: boolean
}

/** A task that ended, as the graph recorded it: what a node that never saw it (or reloaded) learns. */
export interface RecordedTask {
  taskId: string
  text: string
  state: TaskState
  reason?: string
  attempt: number
  steward: string
  missionId?: string
  submittedAt: number
  endedAt?: number
  /** Accepted awards: who held each attempt. */
  history: Array<{ attempt: number, peerId: string, agentId: string, skillId: string }>
  failures: Array<{ attempt: number, code: string, reason: string, agent?: AgentRef }>
  producer?: Completion & { skillId: string }
  /** What the record of `result` (the completed attempt's) holds to check it against the producer's signature (attest.ts). */
  resultRecord?: { attest?: string, truncated?: boolean }
  input?: unknown
  deadline?: number
  /** The submitting person's time zone, as announced (absent in records written before it was kept). */
  timeZone?: string
  result?: AgentResult
  startedAt?: number
  finishedAt?: number
  /** As recorded: a claim, checked against the signed votes it holds (verification-record.ts) before it is shown. */
  verification?: RecordedVerification
  /**
   * A mission (its planner's result is a plan, or the graph records a solution, a partial result or
   * a working group): what its answer is assembled from again (mission-record.ts). Its `result`, the
   * planner's plan, is not its answer.
   */
  mission?: RecordedMission
}

export interface CoordEngine {
  readonly peerId: string
  readonly tasks: TasksApi
  start (): void
  stop (): void
  stats (): CoordStats
  /**
   * The graph records `c` as the task's completion (after a partition, the sides' completions were
   * merged by the rule in outcome-merge.ts). If it is more canonical than what this node holds
   * (another completion, or none yet), the task takes it: its result, producer and state become the
   * graph's, a local run of the task is aborted, waiters resolve. Returns whether anything changed.
   */
  adoptCompletion (taskId: string, c: RecordedCompletion): boolean
  /**
   * The graph records that the task ended without a completion on every side of a partition, and
   * merged the ends (outcome-merge.ts): `state` is the most canonical of them, `reason` names them
   * all. A task that ended here too takes that state and reason, so every node shows the same end;
   * one still running here is left to finish (its outcome merges in its turn), a completed one keeps
   * its completion. Missions are left as they are. Returns whether anything changed.
   */
  adoptEnd (taskId: string, end: { state: string, reason: string }): boolean
  /**
   * A task that ended before this node knew it (it joined later, reloaded, or was cut off when the
   * task ran): the task is listed, read and waited on like any other, from what the graph recorded.
   * Ignored if the task is known here or `r.state` is not terminal. Returns whether it was added.
   * A result is listed only if its producer signed it; a mission's answer is assembled again from
   * its signed plan and parts (`r.mission`, mission-record.ts), never taken from the record.
   */
  importTask (r: RecordedTask): boolean
  /**
   * The mission listed from the graph (importTask) that waits for records of `taskId` (its plan:
   * the mission itself; a part: `<missionId>/<n>`) to reach this graph, if any: the caller reads
   * the mission again (`recordedTask`) and hands it to `reimportMission`.
   */
  missionAwaiting (taskId: string): string | undefined
  /** A mission that waited (missionAwaiting) read again from the graph: its answer, if it can be assembled now. Returns whether it changed. */
  reimportMission (r: RecordedTask): boolean
  /**
   * Starts this node's reputation record of one of its own agents' skills from what was kept of it
   * (the registry, after a reload), unless the book has one already: otherwise the reloaded host bids
   * the agent as untried (at the cap), and nodes that saw its record refuse those bids as inflated.
   */
  seedReputation (agentId: string, skillId: string, record: SkillRecord): void
  /** Whether this node's book holds the task (cheap; `tasks.get` builds a snapshot). */
  knows (taskId: string): boolean
  /**
   * A task this node was steward of and that was still running when the tab went away (a reload):
   * the node takes its stewardship up again from what the graph recorded. The current attempt's
   * holder keeps its lease (its result or heartbeats, pending since the reload, are applied now);
   * a holder that is gone, or an attempt still in its bid window, is re-announced as the next
   * attempt. Ignored unless `r.steward` is this node, the state is not terminal and the task is
   * unknown here. Returns whether it was resumed.
   */
  resumeTask (r: RecordedTask): boolean
  /**
   * The graph holds attempt `attempt`'s result of a task that has not ended here: if its producer
   * holds that attempt, the task completes as if the result message had arrived (a node that was
   * reloading when it was sent). Returns whether it completed.
   */
  resultFromGraph (taskId: string, attempt: number, read: () => GraphResult | undefined): boolean
  on<K extends keyof CoordEvents> (event: K, fn: (e: CoordEvents[K]) => void): () => void
}

// ---------------------------------------------------------------------------------------------

interface Mission {
  dag: MissionDag
  /** Plan id → subtask task id, and back. */
  taskIdOf: Map<string, string>
  planIdOf: Map<string, string>
  done: Map<string, AgentResult>
  verifyDeadline?: number
  finished: boolean
}

interface Task {
  id: string
  text: string
  input?: unknown
  /**
   * What the kept result ran on (inputDigest), when it came from the graph (adoptCompletion): a
   * partition's other side may have run it on another input. Null: not recorded. Unset: the result
   * ran on `input`, as this node heard it announced.
   */
  ranOn?: string | null
  deadline?: number
  /** The submitting person's time zone (announce `timeZone`). */
  timeZone?: string
  missionId?: string
  quorum: number
  owner: string
  steward: string
  attempt: number
  excluded: AgentRef[]
  /** The agent a handoff named for this attempt (announce `preferred`). */
  preferred?: string
  /** The agent the holder of `attempt` handed off to, for the next announcement. */
  handoffTo?: { attempt: number, agentId: string }
  state: TaskState
  reason?: string
  submittedAt: number
  // The current attempt's bidding.
  bids: Map<string, Bid>
  myBids: Map<string, Bid>
  expected: Set<string>
  responded: Set<string>
  windowOpenedAt: number
  windowMs: number
  windowTimer?: unknown
  award?: AwardBody
  awardedAt?: number
  lease?: Lease
  /** Every accepted award: whose results count. */
  history: Array<{ attempt: number, peerId: string, agentId: string, skillId: string }>
  failures: FailedAttempt[]
  retriedAttempt: number
  result?: AgentResult
  producer?: AgentRef & { attempt: number, skillId: string }
  /** The producer's attestation of `result` (its result message's `attest`), recorded with it. */
  attest?: string
  /** Why the result the graph records was not taken (imported task): it is not what its producer signed. */
  resultProblem?: string
  /** An imported mission whose answer waits for records that have not reached this graph yet: which. */
  resultPending?: string
  /** When it began to wait: kept while it is read again and still waits. */
  resultPendingSince?: number
  /**
   * An imported mission: its answer comes from its plan and parts (takeMissionRecord), never from
   * its own completion (the plan). `dag` and `parts` as the graph records them, once the plan is read.
   */
  recordedMission?: { dag?: MissionDag, parts: Map<string, RecordedPart> }
  startedAt?: number
  finishedAt?: number
  completedAt?: number
  votes: Vote[]
  /** `refused`: a verification listed from the graph whose recorded verdict its signed votes do not support (verification-record.ts). */
  verification?: VerificationOutcome & { refused?: string }
  /** When a pending verification is settled as `unverified` if no verdict came (verifyTimeoutMs after the result). */
  verifyBy?: number
  /** Since when a holder's messages wait for the current attempt's award this node never got; when it last looked it up. */
  awardMissing?: { since: number, lookedUpAt?: number }
  questions: Map<string, { agentId: string, text: string, to: 'person' | 'mesh', answer?: string }>
  progress?: { fraction: number, note?: string }
  /** The holder's progress notes of this node posted to the thread for one attempt (the last, how many). */
  notes?: { attempt: number, last: string | undefined, count: number }
  stewardGoneSince?: number
  /**
   * The steward the current one took the task over from, and when (watchSteward, or a takeover
   * heard): two nodes may both take over from the same gone steward when the first one's claim
   * reaches the second late; the one first in line keeps it (rival).
   */
  takeover?: { from: string, at: number }
  mission?: Mission
  /** A mission's parts this node heard announced, kept even without its plan (a node that missed the plan's result knows its parts only this way). */
  parts?: Set<string>
  /** The outcome was recorded (steward). */
  finalRecorded: boolean
  /** The steward recorded the result itself, its producer having left (see tick). */
  resultRerecorded?: boolean
  /** The steward has declared the end (deadline). */
  ending?: boolean
  /** The code of the final failure that ended it (`mission`: a part ended without a result). */
  endCode?: string
  /** When this node saw the task end. */
  endedAt?: number
  /** The completion this node had before a partition merge gave the task another one. */
  superseded?: Completion
  /** Stewardship taken up again after a reload (resumeTask), until its grace period ends. */
  resume?: { until: number, reannounce: boolean }
}

interface Running {
  attempt: number
  agentId: string
  skillId: string
  controller: AbortController
  startedAt: number
}

const PENDING_PER_TASK = 64
const PENDING_TOTAL = 10_000
const PENDING_TTL_MS = 30_000
/**
 * A node holding back a holder's messages for an attempt it saw no award for looks the award up in
 * the graph after this long (the award message usually comes a moment later by another path), and
 * again at this interval while the graph does not have it yet.
 */
const AWARD_LOOKUP_MS = 1_000
const SILENT_AFTER_MISSES = 3
/**
 * A peer not waited for (silent) is waited for again in the first window that opens this long after
 * its last miss: a steward that never waits for a peer closes its windows before that peer can
 * answer (the award often travels in the announcement's frame), so without a probe the peer could
 * never show it is back.
 */
const SILENT_RETRY_MS = 10_000
/** With at most this many tasks open, a node sends its frame at the end of the current job, not a timer later. */
const EAGER_FRAME_MAX_OPEN = 4
/** Bytes a message's line takes besides its body (kind, id, seq and the JSON around them), an upper bound. */
const ITEM_LINE_SLACK_BYTES = 256
/**
 * An upper bound on one bid or decline entry's JSON: its ids are at most 200 + 128 + 128 characters
 * (LIMITS), its numbers and keys about 150 more; doubled for escaping.
 */
const MAX_BATCH_ENTRY_BYTES = 1024
/** A task that ended this recently when its steward left has its outcome recorded by the first in line. */
const LATE_RECORD_MS = 10_000
/**
 * How long after a takeover a rival claim from a node before the new steward in line still wins
 * (rival). The rivals' claims go out within a few staggers of each other, but a loaded tab or a slow
 * link can deliver one seconds later (5 s was too short: both rivals stayed stewards and both
 * recorded the outcome); a claim this much later is not a race but a peer claiming a task that runs.
 */
const RIVAL_TAKEOVER_MS = 30_000

/**
 * Checks a body this node sends for a person (an answer, a decision) as every peer will check it:
 * the person gets `decision.text: must not be empty`, not a message every peer refuses (and
 * counts against this tab).
 */
function forSending<T> (validate: () => T): T {
  try {
    return validate()
  } catch (err) {
    if (err instanceof CoordMessageError) throw new Error(err.message.slice(err.reason.length + 2))
    throw err
  }
}

/** A bid in a timeline line: agent, confidence and estimated latency. */
function bidLine (b: { agentId: string, confidence: number, latencyMs: number }): string {
  return `${b.agentId}@${b.confidence.toFixed(2)} ~${b.latencyMs < 1000 ? `${Math.round(b.latencyMs)} ms` : `${(b.latencyMs / 1000).toFixed(1)} s`}`
}

/** At most this many progress notes of one attempt go to the task's thread. */
const MAX_PROGRESS_NOTES = 20

/** After a reload, how long a resumed task's holder may stay unlinked before it counts as gone. */
const RESUME_GRACE_MS = 10_000

export function createCoordEngine (init: CoordEngineInit): CoordEngine {
  return new Engine(init)
}

class Engine extends Emitter<CoordEvents> implements CoordEngine {
  readonly peerId: string
  readonly tasks: TasksApi

  private readonly sign: Signer
  private readonly attestations: ResultAttestations
  /** Graph records refused (refuseRecordOnce), so each is counted and shown once. */
  private readonly refusedRecords = new Set<string>()
  /** Missions listed from the graph whose answer waits for records to arrive (missionAwaiting). */
  private readonly awaitingMissions = new Set<string>()
  private readonly transport: CoordTransport
  private readonly bidder: CoordBidder
  private readonly executor: CoordExecutor
  private readonly recorder: CoordRecorder
  private readonly skillsOf: CoordEngineInit['skillsOf']
  private readonly verifyingPeers: CoordEngineInit['verifyingPeers']
  private readonly decisionIn: CoordEngineInit['decisionIn']
  private readonly questionIn: CoordEngineInit['questionIn']
  private readonly recordedAward: CoordEngineInit['recordedAward']
  private readonly clock: Clock
  private readonly opts: {
    maxAttempts: number, minConfidence: number, leaseMs: number, bidWindow: BidWindowOptions, takeover: TakeoverTiming,
    tickMs: number, batchMs: number, frameMs: number, verifyQuorum: number | 'auto', missionQuorum: number, verifiers: readonly string[] | (() => readonly string[]),
    verifyTimeoutMs: number, minVoteConfidence: number, retainTasks: number, timeZone?: string
  }

  private readonly opener: EnvelopeOpener
  private readonly reputation = new ReputationBook()
  private readonly book = new Map<string, Task>()
  private readonly finishedOrder: string[] = []
  private readonly running = new Map<string, Running>()
  private readonly asks = new Map<string, { resolve: (text: string) => void, reject: (err: Error) => void }>()
  private readonly pending = new Map<string, Array<{ env: AnyEnvelope, at: number }>>()
  /** Completed tasks whose verification is pending: settled as `unverified` when no vote is to come. */
  private readonly verifying = new Set<string>()
  private pendingCount = 0
  private readonly waiters = new Map<string, Set<(s: TaskSnapshot) => void>>()
  private live = new Set<string>()
  /** Peers that missed this many bid windows in a row are not waited for (until SILENT_RETRY_MS after the last miss). */
  private readonly misses = new Map<string, number>()
  private readonly lastMissAt = new Map<string, number>()
  private responderEwma: number | undefined
  private readonly counters = { messagesIn: 0, messagesOut: 0, framesIn: 0, framesOut: 0, merged: 0, uncanceled: 0, reassembled: 0, awardsFromGraph: 0, imported: 0, resumed: 0, rejected: {} as Record<string, number>, ignored: {} as Record<string, number> }

  private readonly session = randomToken(8)
  private seq = 0
  private outChain: Promise<void> = Promise.resolve()
  private inChain: Promise<void> = Promise.resolve()
  private outBids: BidEntry[] = []
  /** Encoded messages waiting for the next frame. */
  private outbox: Array<{ kind: MessageKind, line: Uint8Array }> = []
  private frameTimer: unknown
  private lastFrameAt = -Infinity
  /** Tasks this node knows that are not terminal. */
  private openTasks = 0
  private outDeclines: TaskAttemptRef[] = []
  private flushTimer: unknown
  private tickTimer: unknown
  private heartbeatTimer: unknown
  private readonly unsubscribe: Array<() => void> = []
  private started = false
  private stopped = false
  private counter = 0

  constructor (init: CoordEngineInit) {
    super()
    this.peerId = init.peerId
    this.sign = init.sign
    this.attestations = init.attestations ?? new ResultAttestations()
    this.transport = init.transport
    this.bidder = init.bidder
    this.executor = init.executor
    this.recorder = init.recorder
    this.skillsOf = init.skillsOf
    this.verifyingPeers = init.verifyingPeers
    this.decisionIn = init.decisionIn
    this.questionIn = init.questionIn
    this.recordedAward = init.recordedAward
    this.clock = init.clock ?? systemClock
    const o = init.options ?? {}
    this.opts = {
      maxAttempts: o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      minConfidence: o.minConfidence ?? DEFAULT_MIN_CONFIDENCE,
      leaseMs: o.leaseMs ?? 3000,
      bidWindow: { ...DEFAULT_BID_WINDOW, ...o.bidWindow },
      takeover: { ...DEFAULT_TAKEOVER, ...o.takeover },
      tickMs: o.tickMs ?? 100,
      batchMs: o.batchMs ?? 0,
      frameMs: o.frameMs ?? 0,
      verifyQuorum: o.verifyQuorum ?? 'auto',
      timeZone: o.timeZone ?? runtimeTimeZone(),
      missionQuorum: o.missionQuorum ?? 1,
      verifiers: o.verifiers ?? [],
      verifyTimeoutMs: o.verifyTimeoutMs ?? 10_000,
      minVoteConfidence: o.minVoteConfidence ?? DEFAULT_VOTE_MIN_CONFIDENCE,
      retainTasks: o.retainTasks ?? 5000
    }
    this.opener = new EnvelopeOpener(new ReplayGuard(o.replay), () => this.clock.now())
    this.tasks = {
      submit: req => this.submit(req),
      get: id => { const t = this.book.get(id); return t === undefined ? undefined : this.snapshot(t) },
      wait: (id, opts) => this.wait(id, opts),
      list: () => [...this.book.values()].map(t => this.snapshot(t)),
      cancel: (id, reason) => { this.cancel(id, reason) },
      answer: (questionId, text, agentId) => { this.answer(questionId, text, agentId) },
      decide: (about, text) => this.decide(about, text),
      on: (event, fn) => this.on(event, fn)
    }
  }

  start (): void {
    if (this.started) return
    this.started = true
    this.refreshLive()
    this.unsubscribe.push(this.transport.onMessage((bytes, from) => { this.receive(bytes, from) }))
    if (this.transport.onPeerLeave !== undefined) {
      this.unsubscribe.push(this.transport.onPeerLeave(() => { this.tick(false) }))
    }
    this.scheduleTick()
  }

  stop (): void {
    if (this.stopped) return
    this.stopped = true
    for (const u of this.unsubscribe) u()
    this.clock.clearTimeout(this.tickTimer)
    this.clock.clearTimeout(this.heartbeatTimer)
    this.clock.clearTimeout(this.flushTimer)
    this.clock.clearTimeout(this.frameTimer)
    for (const t of this.book.values()) this.clock.clearTimeout(t.windowTimer)
    for (const r of this.running.values()) r.controller.abort(new Error('engine stopped'))
    for (const a of this.asks.values()) a.reject(new Error('engine stopped'))
  }

  stats (): CoordStats {
    const states: Record<string, number> = {}
    for (const t of this.book.values()) states[t.state] = (states[t.state] ?? 0) + 1
    const rejected = { ...this.counters.rejected }
    for (const [reason, n] of Object.entries(this.opener.rejected)) rejected[reason] = (rejected[reason] ?? 0) + (n ?? 0)
    const c = this.counters
    return { messagesIn: c.messagesIn, messagesOut: c.messagesOut, framesIn: c.framesIn, framesOut: c.framesOut, merged: c.merged, uncanceled: c.uncanceled, reassembled: c.reassembled, awardsFromGraph: c.awardsFromGraph, imported: c.imported, resumed: c.resumed, rejected, ignored: { ...c.ignored }, states }
  }

  seedReputation (agentId: string, skillId: string, record: SkillRecord): void {
    this.reputation.seed(agentId, skillId, record)
  }

  adoptCompletion (taskId: string, c: RecordedCompletion): boolean {
    const t = this.book.get(taskId)
    // Missions assemble their parts as they finish; a merged part is left to the graph (not yet here).
    // A canceled task moves too: a completion beats a cancel (the result crossed it, see onResult).
    if (t === undefined || t.mission !== undefined || t.recordedMission !== undefined) return false
    const mine = t.state === 'completed' && t.producer !== undefined ? { attempt: t.producer.attempt, peerId: t.producer.peerId, agentId: t.producer.agentId } : undefined
    if (mine !== undefined && compareCompletions(c, mine) > 0) return false
    if (mine !== undefined && compareCompletions(c, mine) === 0) {
      // The same completion: only a task imported before its result reached this graph lacks it.
      if (t.result !== undefined) return false
      const got = c.read()
      if (got === undefined || !this.attested(t.id, c.attempt, c, got)) return false
      t.result = got.result
      t.attest = got.attest
      t.resultProblem = undefined
      t.startedAt ??= got.startedAt
      t.finishedAt ??= got.finishedAt
      if (got.inputDigest !== undefined) t.ranOn = got.inputDigest
      this.emit('task', { taskId: t.id, state: t.state, previous: t.state, reason: t.reason, attempt: t.attempt, at: this.clock.now() })
      return true
    }
    const read = c.read()
    if (read === undefined) return false // the result has not reached this graph yet; asked again when it does
    // Only what the named producer signed: a completion any member could have written is not taken.
    if (!this.attested(t.id, c.attempt, c, read)) return false
    const previous = t.state
    t.producer = { peerId: c.peerId, agentId: c.agentId, attempt: c.attempt, skillId: read.skillId }
    t.result = read.result
    t.attest = read.attest
    t.resultProblem = undefined
    t.ranOn = read.inputDigest ?? null
    t.startedAt = read.startedAt ?? t.startedAt
    t.finishedAt = read.finishedAt ?? t.finishedAt
    // Votes are signed over the result they judged (attest.ts): those on the replaced one do not count for this one.
    t.verification = undefined
    t.votes = []
    t.lease = undefined
    if (!t.history.some(h => h.attempt === c.attempt && h.peerId === c.peerId && h.agentId === c.agentId)) {
      t.history.push({ attempt: c.attempt, peerId: c.peerId, agentId: c.agentId, skillId: read.skillId })
    }
    t.attempt = Math.max(t.attempt, c.attempt)
    // The graph holds the merged record already: recording an outcome again would only fight it.
    t.finalRecorded = true
    if (mine !== undefined) t.superseded = mine
    const reason = mine !== undefined
      ? `merged after a partition: attempt ${c.attempt} by ${agentOn(c)} is the result; attempt ${mine.attempt} by ${agentOn(mine)} ran too`
      : `completed by attempt ${c.attempt} (${agentOn(c)}), as the graph records it`
    this.timeline('merged', this.peerId, `${t.id}: ${reason}`, t.id)
    this.counters.merged++
    if (isTerminal(previous)) {
      // Already over here (completed with another result, or failed on this side): the state moves
      // to the graph's completion (which the graph holds already: nothing to record).
      t.completedAt ??= this.clock.now()
      this.completeEnded(t, reason, false)
      // A part: its mission, failed here for it, may assemble now (see reassembles).
      if (t.missionId !== undefined) this.missionStep(t.missionId)
    } else {
      t.completedAt = this.clock.now()
      this.setState(t, 'completed', reason)
    }
    if (t.missionId !== undefined) this.reassembleMerged(t.missionId)
    return true
  }

  adoptEnd (taskId: string, end: { state: string, reason: string }): boolean {
    const t = this.book.get(taskId)
    const state = end.state as TaskState
    if (t === undefined || t.mission !== undefined || !isTerminal(t.state) || t.state === 'completed') return false
    if (!isTerminal(state) || state === 'completed' || (t.state === state && t.reason === end.reason)) return false
    const previous = t.state
    t.state = state
    t.reason = end.reason
    // The graph holds the merged end already: recording this node's own again would only fight it.
    t.finalRecorded = true
    this.timeline('merged', this.peerId, `${t.id}: ${end.reason}`, t.id)
    this.counters.merged++
    this.emit('task', { taskId: t.id, state, previous, reason: end.reason, attempt: t.attempt, at: this.clock.now() })
    return true
  }

  knows (taskId: string): boolean {
    return this.book.has(taskId)
  }

  resumeTask (r: RecordedTask): boolean {
    if (this.book.has(r.taskId) || isTerminal(r.state) || r.steward !== this.peerId) return false
    const now = this.clock.now()
    const t = newTask({
      ...recordedSeed(r), input: r.input, deadline: r.deadline, timeZone: r.timeZone ?? this.opts.timeZone, steward: this.peerId, state: 'submitted', retriedAttempt: r.attempt - 1,
      // Agents of earlier attempts stay excluded, as the steward had announced.
      excluded: r.history.filter(h => h.attempt < r.attempt).map(h => ({ peerId: h.peerId, agentId: h.agentId }))
    })
    const holder = t.history.find(h => h.attempt === r.attempt)
    this.book.set(t.id, t)
    this.openTasks++
    this.counters.resumed++
    this.emit('task', { taskId: t.id, state: 'submitted', previous: null, reason: 'resumed after this tab reloaded', attempt: t.attempt, at: now })
    this.timeline('resumed', this.peerId, `${t.id} attempt ${t.attempt}: stewardship taken up again from the graph${holder !== undefined ? ` (${holder.agentId} on ${short(holder.peerId)} holds it)` : ''}`, t.id)
    // A tab that just loaded has few links yet: for a grace period a holder that is not linked is
    // not taken for gone (its lease, longer by the grace, still lapses), and a re-announcement
    // waits for the first peer.
    t.resume = { until: now + RESUME_GRACE_MS, reannounce: holder === undefined }
    if (holder !== undefined) {
      t.awardedAt = now
      t.lease = grantLease(t.id, t.attempt, { peerId: holder.peerId, agentId: holder.agentId }, now, this.opts.leaseMs + RESUME_GRACE_MS)
      this.setState(t, 'working')
      // What the holder sent while this tab was loading: its heartbeats, progress, result.
      this.replayPending(t.id)
    }
    return true
  }

  resultFromGraph (taskId: string, attempt: number, read: () => GraphResult | undefined): boolean {
    const t = this.book.get(taskId)
    // A task that needs verification waits for the result message (its voters start from it).
    if (t === undefined || isTerminal(t.state) || t.mission !== undefined || t.result !== undefined || t.quorum > 0) return false
    const got = read()
    if (got === undefined || !this.isHolder(t, got.producer.peerId, got.producer.agentId, attempt)) return false
    if (!this.attested(t.id, attempt, got.producer, got)) return false
    t.producer = { peerId: got.producer.peerId, agentId: got.producer.agentId, attempt, skillId: got.skillId }
    t.result = got.result
    t.attest = got.attest
    t.startedAt = got.startedAt
    t.finishedAt = got.finishedAt
    t.lease = undefined
    // As from the result message: before, the planner's task completed here with the plan as its
    // answer, and this node never ran the mission (the message, when it came, found the task ended).
    if (this.startFromPlan(t, got.result, got.producer.peerId, ' (read from the graph)')) return true
    t.completedAt = this.clock.now()
    this.timeline('result', got.producer.peerId, `${t.id} by ${got.producer.agentId} (read from the graph): ${got.result.text.slice(0, 80)}`, t.id)
    this.setState(t, 'completed')
    return true
  }

  importTask (r: RecordedTask): boolean {
    if (this.book.has(r.taskId) || !isTerminal(r.state)) return false
    const t = newTask({
      ...recordedSeed(r), steward: r.steward, state: r.state, reason: r.reason, retriedAttempt: r.attempt, finalRecorded: true,
      endedAt: r.endedAt ?? r.submittedAt
    })
    if (r.producer !== undefined) t.producer = { peerId: r.producer.peerId, agentId: r.producer.agentId, attempt: r.producer.attempt, skillId: r.producer.skillId }
    if (r.mission !== undefined) this.takeMissionRecord(t, r.state, r.mission)
    else if (r.result !== undefined && r.producer !== undefined) {
      // The attempt's result as recorded: listed only if it is what its producer signed.
      const problem = this.attestProblem(t.id, r.producer.attempt, r.producer, { result: r.result, skillId: r.producer.skillId, ...r.resultRecord })
      if (problem === undefined) {
        t.result = r.result
        t.attest = r.resultRecord?.attest
      } else t.resultProblem = problem
    }
    if (r.startedAt !== undefined) t.startedAt = r.startedAt
    if (r.finishedAt !== undefined) t.finishedAt = r.finishedAt
    if (r.state === 'completed') t.completedAt = r.endedAt ?? r.finishedAt
    if (r.verification !== undefined) this.takeVerificationRecord(t, r.verification)
    this.book.set(t.id, t)
    this.retain(t.id)
    this.counters.imported++
    this.emit('task', { taskId: t.id, state: t.state, previous: null, reason: t.reason, attempt: t.attempt, at: this.clock.now() })
    return true
  }

  missionAwaiting (taskId: string): string | undefined {
    if (this.awaitingMissions.size === 0) return undefined
    if (this.awaitingMissions.has(taskId)) return taskId
    const slash = taskId.lastIndexOf('/')
    const missionId = slash > 0 ? taskId.slice(0, slash) : undefined
    return missionId !== undefined && this.awaitingMissions.has(missionId) ? missionId : undefined
  }

  reimportMission (r: RecordedTask): boolean {
    const t = this.book.get(r.taskId)
    if (t === undefined || !this.awaitingMissions.has(r.taskId) || r.mission === undefined || r.state !== t.state) return false
    this.takeMissionRecord(t, r.state, r.mission)
    if (t.resultPending !== undefined) return false
    this.emit('task', { taskId: t.id, state: t.state, previous: t.state, reason: t.reason, attempt: t.attempt, at: this.clock.now() })
    return true
  }

  /**
   * An imported mission's answer: assembled again from its signed plan and parts (mission-record.ts),
   * never the record's. A record that states another answer is reported once; one that waits for
   * records keeps the mission in `awaitingMissions` until they come (or it is forgotten).
   */
  private takeMissionRecord (t: Task, state: TaskState, m: RecordedMission): void {
    const reading = readMission(t.id, state, m, (taskId, attempt, got) => this.attestProblem(taskId, attempt, got.producer, got))
    t.result = undefined
    t.attest = undefined
    t.resultProblem = undefined
    t.resultPending = undefined
    this.awaitingMissions.delete(t.id)
    if (reading.kind !== 'plain') t.recordedMission = { ...(reading.kind === 'mission' && reading.dag !== undefined ? { dag: reading.dag } : {}), parts: new Map(m.parts.map(p => [p.taskId, p])) }
    if (reading.kind === 'waiting') {
      t.resultPending = reading.detail
      t.resultPendingSince ??= this.clock.now()
      if (this.awaitingMissions.size >= this.opts.retainTasks) this.awaitingMissions.delete(this.awaitingMissions.values().next().value!)
      this.awaitingMissions.add(t.id)
      return
    }
    t.resultPendingSince = undefined
    if (reading.kind === 'refused') { t.resultProblem = reading.detail; return }
    if (reading.kind === 'plain') {
      // No mission after all: the attempt's own result (attested by readMission) is the task's.
      if (m.plan !== undefined) { t.result = m.plan.result; t.attest = m.plan.attest }
    } else if (reading.result !== undefined) t.result = reading.result
    const mismatch = reading.mismatch
    if (mismatch === undefined) return
    const shown = reading.kind === 'plain' ? 'its own signed result is shown' : 'the answer shown is assembled from its signed plan and parts'
    this.refuseRecordOnce(`mission\n${t.id}\n${mismatch}`, 'graph-solution-mismatch', `${t.id}: ${mismatch} (a forgery, or a record not yet assembled again); ${shown}`)
  }

  /**
   * An imported task's verification: the record's verdict only as far as its signed votes carry it
   * (verification-record.ts). A vote that does not verify is dropped, and a verdict the votes do not
   * support is shown as what they do support, each reported once.
   */
  private takeVerificationRecord (t: Task, v: RecordedVerification): void {
    if (t.producer === undefined) return
    const reading = readVerification(v, { taskId: t.id, attempt: t.producer.attempt, producerPeerId: t.producer.peerId, resultAttest: t.attest, minConfidence: this.opts.minVoteConfidence }, c => this.attestations.checkVote(c))
    for (const b of reading.badVotes) {
      this.refuseRecordOnce(`vote\n${t.id}\n${b.vote.peerId}\n${b.vote.agentId}\n${b.vote.attest ?? ''}`, `graph-vote-${b.problem}`, `${b.detail}: the graph's copy was not taken`)
    }
    const shown = reading.shown
    if (shown === undefined) return
    t.verification = { status: shown.status, supporters: shown.supporters, disputes: shown.disputes, ...(shown.reason !== undefined ? { reason: shown.reason } : {}), ...(shown.refused !== undefined ? { refused: shown.refused } : {}) }
    if (shown.refused !== undefined) this.refuseRecordOnce(`verification\n${t.id}\n${shown.refused}`, 'graph-verification-unproven', `${t.id}: ${shown.refused}; shown as ${shown.status}`)
  }

  /** Counts and shows a refused graph record once per `key` (a tab reads the same record again and again). */
  private refuseRecordOnce (key: string, reason: string, detail: string): void {
    if (this.refusedRecords.has(key)) return
    if (this.refusedRecords.size >= 4096) this.refusedRecords.clear()
    this.refusedRecords.add(key)
    this.reject(reason, detail)
  }

  /** Whether a result read from the graph is what its producer signed (attest.ts); a refusal is counted and shown once per record. */
  private attested (taskId: string, attempt: number, producer: AgentRef, got: Omit<GraphResult, 'producer'>): boolean {
    return this.attestProblem(taskId, attempt, producer, got) === undefined
  }

  private attestProblem (taskId: string, attempt: number, producer: AgentRef, got: Omit<GraphResult, 'producer'>): string | undefined {
    const v = this.attestations.check({ taskId, attempt, agentId: producer.agentId, skillId: got.skillId, result: got.result, peerId: producer.peerId, attest: got.attest, truncated: got.truncated })
    if (v.ok) return undefined
    this.refuseRecordOnce(`${taskId}\n${attempt}\n${producer.peerId}\n${producer.agentId}\n${got.attest ?? ''}`, `graph-result-${v.problem}`, `${v.detail}: the graph's copy was not taken`)
    return v.detail
  }

  // -------------------------------------------------------------------------------------------
  // The tasks API

  private submit (req: { text: string, input?: unknown, deadlineMs?: number, verify?: number, timeZone?: string }): string {
    if (typeof req.text !== 'string' || req.text.trim() === '') throw new TypeError('submit: text must be a non-empty string')
    if (req.text.length > LIMITS.textLength) throw new RangeError(`submit: text must have at most ${LIMITS.textLength} characters`)
    if (req.timeZone !== undefined && !isTimeZoneName(req.timeZone)) {
      throw new TypeError(`submit: timeZone must be an IANA time zone name such as "Europe/Berlin", got ${JSON.stringify(req.timeZone)?.slice(0, 40)}`)
    }
    const timeZone = req.timeZone ?? this.opts.timeZone
    const id = `t-${this.session}-${++this.counter}`
    const now = this.clock.now()
    this.send('announce', {
      taskId: id,
      attempt: 1,
      text: req.text,
      input: req.input,
      deadline: req.deadlineMs !== undefined ? now + req.deadlineMs : undefined,
      ...(timeZone !== undefined ? { timeZone } : {}),
      excluded: [],
      quorum: Math.min(LIMITS.maxQuorum, Math.max(0, Math.floor(req.verify ?? this.defaultQuorum())))
    })
    const decision = this.decisionIn?.(req.text)
    if (decision !== undefined) {
      // The person at this tab decided it: their decision, signed by this node, about the task that
      // records it. A decision text the message would refuse is said, not thrown: the task is out.
      try {
        this.decide(id, decision)
      } catch (err) {
        this.problem('protocol', `task ${id} states a decision that could not be sent: ${(err as Error).message}`)
      }
    }
    const question = this.questionIn?.(req.text)
    if (question !== undefined && question.trim() !== '') {
      // The person at this tab asks the room: an open question (no agent asked it), about the task
      // that answers what the graph holds on it. Other peers learn of it from the graph.
      const questionId = `pq-${this.session}-${++this.counter}`
      this.record('consultation', { kind: 'question', id: questionId, taskId: id, peerId: this.peerId, text: question.slice(0, LIMITS.textLength), at: now })
      this.timeline('question', this.peerId, `${id}: a person asks the room: ${question.slice(0, 80)}`, id)
    }
    return id
  }

  /** The quorum of a task submitted without `verify` (see `verifyQuorum`). */
  private defaultQuorum (): number {
    const q = this.opts.verifyQuorum
    if (q !== 'auto') return q
    if (this.verifyingPeers === undefined) return 0
    let present: Set<string> | undefined
    for (const peer of this.verifyingPeers()) {
      if (peer === this.peerId) continue
      present ??= new Set(this.transport.peers())
      if (present.has(peer)) return 1
    }
    return 0
  }

  private async wait (id: string, opts: { timeoutMs?: number, signal?: AbortSignal } = {}): Promise<TaskSnapshot> {
    const t = this.book.get(id)
    if (t === undefined) throw new Error(`unknown task ${id}`)
    if (isTerminal(t.state)) return this.snapshot(t)
    return await new Promise<TaskSnapshot>((resolve, reject) => {
      let set = this.waiters.get(id)
      if (set === undefined) { set = new Set(); this.waiters.set(id, set) }
      let timer: unknown
      const done = (s: TaskSnapshot): void => { cleanup(); resolve(s) }
      const onAbort = (): void => { cleanup(); reject(opts.signal?.reason ?? new Error('aborted')) }
      const cleanup = (): void => {
        set.delete(done)
        this.clock.clearTimeout(timer)
        opts.signal?.removeEventListener('abort', onAbort)
      }
      set.add(done)
      if (opts.timeoutMs !== undefined) {
        timer = this.clock.setTimeout(() => { cleanup(); reject(new Error(`task ${id} not finished after ${opts.timeoutMs} ms (state ${this.book.get(id)?.state ?? 'forgotten'})`)) }, opts.timeoutMs)
      }
      opts.signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  private cancel (id: string, reason = 'cancelled by a person'): void {
    const t = this.book.get(id)
    if (t === undefined) throw new Error(`unknown task ${id}`)
    if (isTerminal(t.state)) return
    this.send('cancel', { taskId: id, reason })
  }

  private answer (questionId: string, text: string, agentId?: string): void {
    for (const t of this.book.values()) {
      const q = t.questions.get(questionId)
      if (q === undefined) continue
      if (q.answer !== undefined) return
      this.send('answer', forSending(() => validateAnswer({ questionId, taskId: t.id, text, ...(agentId !== undefined ? { agentId } : {}) }, 'answer')))
      return
    }
    throw new Error(`unknown question ${questionId}`)
  }

  private decide (about: string, text: string): string {
    const decisionId = `d-${this.session}-${this.counter + 1}`
    const body = forSending(() => validateDecision({ decisionId, about, text }, 'decision'))
    this.counter++
    this.send('decision', body)
    return decisionId
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  /** Applies a message locally at once, then queues it for the next frame (frames go out in order). */
  private send<K extends MessageKind> (kind: K, body: BodyByKind[K]): void {
    if (this.stopped) return
    const id = `${this.session}.${++this.seq}`
    const text = frameItemLine({ kind, id, seq: this.seq, body })
    const clean = (JSON.parse(text) as { body: BodyByKind[K] }).body
    const line = utf8Bytes(text)
    this.counters.messagesOut++
    if (line.byteLength > KIND_LIMIT_BYTES[kind] || line.byteLength + frameOverheadBytes(1) > MAX_COORD_MESSAGE_BYTES) {
      // Peers would refuse it (and with it every message framed with it): applied here only.
      this.problem('transport', `not sending ${kind} ${id}: ${line.byteLength} bytes is over the limit of ${Math.min(KIND_LIMIT_BYTES[kind], MAX_COORD_MESSAGE_BYTES - frameOverheadBytes(1))}`)
    } else {
      this.outbox.push({ kind, line })
      this.scheduleFrame()
    }
    this.apply({ v: COORD_PROTOCOL_VERSION, kind, id, from: this.peerId, seq: this.seq, ts: this.clock.now(), body: clean } as AnyEnvelope)
  }

  private scheduleFrame (): void {
    if (this.frameTimer !== undefined) return
    const since = this.clock.now() - this.lastFrameAt
    if (this.openTasks <= EAGER_FRAME_MAX_OPEN) {
      // A quiet room (a few tasks open) sends as soon as the current work is done, however recently
      // it sent a frame: a timer would wait behind everything queued on a busy tab, and in a quiet
      // room every hop of a task is on its critical path. With many tasks open, the timer batches
      // the messages of many tasks into one frame: every frame costs every peer a gossip message
      // (which gossipsub signs, verifies, acknowledges and forwards: O(N²) sends) and a verification.
      const marker = this.frameTimer = {}
      queueMicrotask(() => { if (this.frameTimer === marker) this.sendFrames() })
      return
    }
    this.frameTimer = this.clock.setTimeout(() => { this.sendFrames() }, Math.max(0, this.opts.frameMs - since))
  }

  /** Seals what the outbox holds into as few frames as the limits allow and publishes them in order. */
  private sendFrames (): void {
    if (this.stopped) return
    // Bids and declines of this turn join the frame.
    if (this.outBids.length > 0 || this.outDeclines.length > 0) { this.clock.clearTimeout(this.flushTimer); this.flush() }
    this.frameTimer = undefined
    if (this.outbox.length === 0) return
    this.lastFrameAt = this.clock.now()
    const items = this.outbox
    this.outbox = []
    const frames: Array<Array<{ kind: MessageKind, line: Uint8Array }>> = []
    let current: Array<{ kind: MessageKind, line: Uint8Array }> = []
    let size = 0
    for (const item of items) {
      if (current.length > 0 && (current.length >= MAX_FRAME_ITEMS || size + item.line.byteLength + frameOverheadBytes(current.length + 1) > MAX_COORD_MESSAGE_BYTES)) {
        frames.push(current)
        current = []
        size = 0
      }
      current.push(item)
      size += item.line.byteLength
    }
    if (current.length > 0) frames.push(current)
    for (const frame of frames) {
      const ts = this.clock.now()
      const sealed = sealFrame(this.peerId, ts, frame.map(f => f.line), this.sign)
      this.counters.framesOut++
      this.outChain = this.outChain.then(async () => {
        const bytes = await sealed
        if (!this.stopped) this.transport.publish(bytes)
      }).catch(err => { this.problem('transport', `sending ${frame.length} message(s) (${[...new Set(frame.map(f => f.kind))].join(', ')}): ${(err as Error).message}`) })
    }
  }

  private queueBid (entry: BidEntry): void {
    this.outBids.push(entry)
    this.scheduleFlush()
  }

  private queueDecline (ref: TaskAttemptRef): void {
    this.outDeclines.push(ref)
    this.scheduleFlush()
  }

  private scheduleFlush (): void {
    // Without a batching delay the next frame takes the turn's bids and declines: one timer, not two in a row.
    if (this.opts.batchMs === 0) { this.scheduleFrame(); return }
    if (this.flushTimer !== undefined) return
    this.flushTimer = this.clock.setTimeout(() => { this.flush() }, this.opts.batchMs)
  }

  private flush (): void {
    this.flushTimer = undefined
    this.sendBatches('bid', this.outBids.splice(0), bids => ({ bids }))
    this.sendBatches('decline', this.outDeclines.splice(0), tasks => ({ tasks, reason: 'no capable agent on this peer' }))
  }

  /**
   * Sends `items` in messages of at most LIMITS.batch each, fewer where a message would be over its
   * kind's byte limit: a burst of bids (hundreds of tasks re-announced after a peer left) used to go
   * as one message that peers would refuse, so `send` dropped it whole.
   */
  private sendBatches<K extends 'bid' | 'decline', T> (kind: K, items: T[], body: (part: T[]) => BodyByKind[K]): void {
    const limit = Math.min(KIND_LIMIT_BYTES[kind], MAX_COORD_MESSAGE_BYTES - frameOverheadBytes(1)) - ITEM_LINE_SLACK_BYTES
    for (let i = 0; i < items.length;) {
      let n = Math.min(LIMITS.batch, items.length - i)
      // Only a batch that could be over the limit is measured (the usual flush holds a few entries).
      while (n > 1 && n * MAX_BATCH_ENTRY_BYTES > limit && utf8Bytes(JSON.stringify(body(items.slice(i, i + n)))).byteLength > limit) n = Math.ceil(n / 2)
      this.send(kind, body(items.slice(i, i + n)))
      i += n
    }
  }

  // -------------------------------------------------------------------------------------------
  // Receiving

  private receive (bytes: Uint8Array, fromPeer?: string): void {
    if (this.stopped) return
    // Verification runs concurrently; messages are applied in arrival order.
    const opened = this.opener.open(bytes, fromPeer)
    this.inChain = this.inChain.then(async () => {
      const r = await opened
      if (this.stopped) return
      if (!r.ok) {
        this.emit('rejected', { reason: r.reason, detail: r.detail, from: r.from, at: this.clock.now() })
        return
      }
      this.counters.framesIn++
      for (const env of r.envelopes) {
        this.counters.messagesIn++
        this.apply(env)
      }
    }).catch(err => { this.problem('engine', `applying a message: ${(err as Error).stack ?? String(err)}`) })
  }

  private apply (env: AnyEnvelope): void {
    switch (env.kind) {
      case 'announce': this.onAnnounce(env); break
      case 'bid': this.onBid(env); break
      case 'decline': this.onDecline(env); break
      case 'award': this.onAward(env); break
      case 'lease': this.onLease(env); break
      case 'progress': this.onProgress(env); break
      case 'result': this.onResult(env); break
      case 'failure': this.onFailure(env); break
      case 'verify': this.onVote(env, { peerId: env.from, agentId: env.body.agentId, vote: env.body.vote, confidence: env.body.confidence, reason: env.body.reason, evidence: env.body.evidence, attest: env.body.attest }); break
      case 'dispute': this.onVote(env, { peerId: env.from, agentId: env.body.agentId, vote: 'dispute', confidence: env.body.confidence, reason: env.body.reason, evidence: env.body.evidence, attest: env.body.attest }); break
      case 'handoff': this.onHandoff(env); break
      case 'question': this.onQuestion(env); break
      case 'answer': this.onAnswer(env); break
      case 'alert': this.onAlert(env); break
      case 'decision': this.onDecision(env); break
      case 'cancel': this.onCancel(env); break
    }
  }

  private reject (reason: string, detail: string, from?: string): void {
    this.counters.rejected[reason] = (this.counters.rejected[reason] ?? 0) + 1
    this.emit('rejected', { reason, detail, from, at: this.clock.now() })
  }

  private ignore (reason: string, from: string, taskId?: string): void {
    this.counters.ignored[reason] = (this.counters.ignored[reason] ?? 0) + 1
    this.emit('ignored', { reason, taskId, from, at: this.clock.now() })
  }

  private timeline (kind: ProtocolEvent['kind'], from: string, summary: string, taskId?: string): void {
    this.emit('protocol', { kind, taskId, from, summary, at: this.clock.now() })
  }

  private problem (source: string, message: string): void {
    this.emit('problem', { source, message, at: this.clock.now() })
  }

  private record<K extends keyof CoordRecorder> (method: K, arg: Parameters<CoordRecorder[K]>[0]): void {
    try {
      const r = (this.recorder[method] as (a: typeof arg) => void | Promise<void>).call(this.recorder, arg)
      if (r instanceof Promise) r.catch(err => { this.problem('recorder', `${method}: ${(err as Error).message}`) })
    } catch (err) {
      this.problem('recorder', `${method}: ${(err as Error).message}`)
    }
  }

  /** Keeps a message that refers to a task this node does not know yet (gossip reorders). */
  private pend (env: AnyEnvelope, taskId: string): void {
    if (this.pendingCount >= PENDING_TOTAL) { this.ignore('pending-full', env.from, taskId); return }
    let list = this.pending.get(taskId)
    if (list === undefined) { list = []; this.pending.set(taskId, list) }
    if (list.length >= PENDING_PER_TASK) { this.ignore('pending-full', env.from, taskId); return }
    list.push({ env, at: this.clock.now() })
    this.pendingCount++
  }

  private replayPending (taskId: string): void {
    const list = this.pending.get(taskId)
    if (list === undefined) return
    this.pending.delete(taskId)
    this.pendingCount -= list.length
    for (const { env } of list) this.apply(env)
  }

  // -------------------------------------------------------------------------------------------
  // Authority

  /**
   * Whether `from` may act as the task's steward: it is the steward, the steward is gone, or the
   * steward took the task over and `from`, another node that did so too, ranks before it (rival).
   */
  private mayStew (t: Task, from: string): boolean {
    if (from === t.steward) return true
    if (this.rival(t, from) < 0) return true
    if (t.steward === this.peerId) return false
    return !this.live.has(t.steward)
  }

  /**
   * Where `from`, a rival claimant, stands against the steward: -1 before it in the takeover line,
   * 1 after it, 0 when `from` is no rival. A rival is a node other than the steward that claims the
   * task while the steward (this node, or present) has taken it over, from a steward that is still
   * gone, within RIVAL_TAKEOVER_MS. The first in line takes over after the grace period and the next one only
   * a stagger later, unless it has heard the first one's claim by then; a claim that took longer
   * than the stagger to arrive left two stewards, each recording the outcome. Every node applies
   * this rule (peer id order, as takeoverRank sorts) to the claims it hears, so they all settle on
   * the first in line, which is also the one every node would have picked.
   */
  private rival (t: Task, from: string): -1 | 0 | 1 {
    const k = t.takeover
    if (k === undefined || from === k.from || from === t.steward || this.live.has(k.from) || this.clock.now() - k.at > RIVAL_TAKEOVER_MS) return 0
    // A steward that left in its turn is taken over from, not rivalled (watchSteward).
    if (t.steward !== this.peerId && !this.live.has(t.steward)) return 0
    return from < t.steward ? -1 : 1
  }

  /** A rival before the steward in line takes the stewardship here (the steward steps back if it is this node). */
  private rivalTakes (t: Task, from: string): void {
    this.timeline('takeover', from, `${short(from)} took ${t.id} over from ${short(t.takeover!.from)} too and is before ${t.steward === this.peerId ? 'this node' : short(t.steward)} in line: it is the steward`, t.id)
    this.stewardTakenBy(t, from)
  }

  /** `from` takes over as the task's steward here (watchSteward, or its takeover award or announce heard). */
  private stewardTakenBy (t: Task, from: string): void {
    // A rival that steps back for one before it in line (rival) did not leave: what it took over
    // from, the steward both of them replaced, stays.
    const rivalStepsBack = t.takeover !== undefined && (t.steward === this.peerId || this.live.has(t.steward))
    if (!rivalStepsBack) t.takeover = { from: t.steward, at: this.clock.now() }
    t.steward = from
    t.stewardGoneSince = undefined
  }

  /**
   * Whether this node records the task's outcomes: it is the steward, or the steward is gone and
   * this node is first in line to take over (a result may land before the takeover happens).
   */
  private records (t: Task): boolean {
    return t.steward === this.peerId || takeoverRank(this.peerId, t.steward, this.live) === 0
  }

  /** A task completed here by another peer's agent that left soon after, whose result this node records (see tick). */
  private producerLeftUnrecorded (t: Task, now: number): boolean {
    const p = t.producer
    return t.state === 'completed' && t.result !== undefined && p !== undefined && t.resultRerecorded !== true &&
      t.mission === undefined && p.peerId !== this.peerId && !this.live.has(p.peerId) &&
      now - (t.endedAt ?? 0) < LATE_RECORD_MS && this.records(t)
  }

  /**
   * Whether a holder's message for `attempt` may come before this node has seen the attempt's award
   * (a later attempt, or the current one not awarded here yet): it is held back, not refused. For the
   * current attempt the wait is noted, so the tick looks the award up in the graph (lookUpAward).
   */
  private awaitsAward (t: Task, attempt: number): boolean {
    if (attempt > t.attempt) return true
    if (attempt !== t.attempt || t.award !== undefined || isTerminal(t.state)) return false
    t.awardMissing ??= { since: this.clock.now() }
    return true
  }

  /**
   * The award this node missed, read from the graph: its winner holds the attempt here too, so the
   * messages held back from it apply (its result completes the task). Only a winner on another peer
   * (a node that missed its own award does not start work the room may have re-announced since).
   */
  private lookUpAward (t: Task, now: number): void {
    const missing = t.awardMissing
    if (missing === undefined || t.award !== undefined || isTerminal(t.state) || this.recordedAward === undefined) { t.awardMissing = undefined; return }
    if (now - missing.since < AWARD_LOOKUP_MS || now - (missing.lookedUpAt ?? 0) < AWARD_LOOKUP_MS) return
    missing.lookedUpAt = now
    const w = this.recordedAward(t.id, t.attempt)
    if (w === undefined || w.peerId === this.peerId || this.isHolder(t, w.peerId, w.agentId, t.attempt)) return
    t.awardMissing = undefined
    this.clock.clearTimeout(t.windowTimer)
    t.awardedAt = now
    t.lease = grantLease(t.id, t.attempt, { peerId: w.peerId, agentId: w.agentId }, now, this.opts.leaseMs)
    t.history.push({ attempt: t.attempt, peerId: w.peerId, agentId: w.agentId, skillId: w.skillId })
    this.counters.awardsFromGraph++
    this.timeline('award', this.peerId, `${t.id} attempt ${t.attempt} → ${w.agentId} on ${short(w.peerId)} (${w.skillId}), read from the graph: the award message never reached this tab`, t.id)
    if (t.state === 'submitted') this.setState(t, 'working')
    this.replayPending(t.id)
  }

  private isHolder (t: Task, from: string, agentId: string, attempt: number): boolean {
    return t.history.some(h => h.attempt === attempt && h.peerId === from && h.agentId === agentId)
  }

  private rule (t: Task): AwardRule {
    return { minConfidence: this.opts.minConfidence, excluded: t.excluded, tieSalt: t.id, preferred: t.preferred }
  }

  // -------------------------------------------------------------------------------------------
  // State changes

  private setState (t: Task, to: TaskState, reason?: string): boolean {
    const from = t.state
    const outcome = applyTransition(from, to)
    if (outcome === 'duplicate-completion') { this.ignore('duplicate-completion', this.peerId, t.id); return false }
    if (outcome === 'illegal') { this.ignore(`illegal-transition:${from}->${to}`, this.peerId, t.id); return false }
    t.state = to
    t.reason = reason
    if (from !== to) this.emit('task', { taskId: t.id, state: to, previous: from, reason, attempt: t.attempt, at: this.clock.now() })
    if (isTerminal(to)) this.finished(t)
    return true
  }

  /** The task as this node, its steward, announced it; `takeoverFrom`: the steward it took over from (see watchSteward). */
  private recordTask (t: Task, at: number, takeoverFrom?: string): void {
    this.record('task', { taskId: t.id, attempt: t.attempt, text: t.text, input: t.input, missionId: t.missionId, deadline: t.deadline, ...(t.timeZone !== undefined ? { timeZone: t.timeZone } : {}), excluded: t.excluded, steward: this.peerId, ...(takeoverFrom !== undefined ? { takeoverFrom } : {}), at })
  }

  private recordOutcome (t: Task): void {
    if (t.finalRecorded) return
    t.finalRecorded = true
    this.record('outcome', {
      taskId: t.id, state: t.state, reason: t.reason, attempts: t.attempt,
      producer: t.producer !== undefined ? { peerId: t.producer.peerId, agentId: t.producer.agentId, attempt: t.producer.attempt } : undefined,
      // A failed mission's record keeps what its parts delivered (nothing is lost for a tab that
      // lists it from the graph later); its own result is only the planner's plan.
      result: t.mission !== undefined && t.state === 'failed' ? this.missionPartial(t.mission) : t.result,
      failures: t.failures.map(f => ({ attempt: f.attempt, code: f.code, reason: f.reason, ...(f.agent !== undefined ? { agent: f.agent } : {}) })),
      ...(t.mission !== undefined ? { group: this.missionGroup(t) } : {}),
      at: this.clock.now()
    })
  }

  private finished (t: Task): void {
    this.openTasks--
    this.clock.clearTimeout(t.windowTimer)
    t.lease = undefined
    const r = this.running.get(t.id)
    if (r !== undefined && !(t.state === 'completed' && t.producer?.peerId === this.peerId && t.producer.attempt === r.attempt)) {
      r.controller.abort(new Error(`task ${t.state}`))
    }
    for (const [qid] of t.questions) this.asks.get(qid)?.reject(new Error(`task ${t.state}`))
    t.endedAt = this.clock.now()
    if (t.mission !== undefined) {
      const group = this.missionGroup(t)
      this.timeline('mission', t.steward, `${t.id}: ${t.state}; its working group of ${group.length} agent${group.length === 1 ? '' : 's'} dissolves`, t.id)
    }
    if (this.records(t)) this.recordOutcome(t)
    const snap = this.snapshot(t)
    for (const w of this.waiters.get(t.id) ?? []) w(snap)
    this.waiters.delete(t.id)
    if (t.missionId !== undefined) this.missionStep(t.missionId)
    this.retain(t.id)
  }

  /** Keeps the ended task `id`, forgetting the oldest ended ones beyond `retainTasks`. */
  private retain (id: string): void {
    this.finishedOrder.push(id)
    while (this.finishedOrder.length > this.opts.retainTasks) {
      const old = this.finishedOrder.shift()!
      const o = this.book.get(old)
      if (o !== undefined && isTerminal(o.state) && o.mission === undefined) {
        this.book.delete(old)
        this.awaitingMissions.delete(old)
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // announce, bid, decline, award

  private onAnnounce (env: Envelope<'announce'>): void {
    const b = env.body
    const now = this.clock.now()
    let t = this.book.get(b.taskId)
    if (t === undefined) {
      t = newTask({
        id: b.taskId, text: b.text, input: b.input, deadline: b.deadline, timeZone: b.timeZone, missionId: b.missionId, quorum: b.quorum,
        owner: env.from, steward: env.from, attempt: b.attempt, excluded: b.excluded, preferred: b.preferred, state: 'submitted', submittedAt: now
      })
      this.book.set(t.id, t)
      this.openTasks++
      if (b.missionId !== undefined) {
        const mt = this.book.get(b.missionId)
        if (mt !== undefined) (mt.parts ??= new Set()).add(t.id)
      }
      this.emit('task', { taskId: t.id, state: 'submitted', previous: null, attempt: t.attempt, at: now })
    } else {
      if (b.attempt <= t.attempt || isTerminal(t.state)) { this.ignore('stale-attempt', env.from, t.id); return }
      if (!this.mayStew(t, env.from)) { this.reject('not-steward', `${short(env.from)} re-announced ${t.id} but ${short(t.steward)} is its steward`, env.from); return }
      const holder = t.lease?.holder ?? t.award?.winner ?? undefined
      if (!t.failures.some(f => f.attempt === t!.attempt)) {
        t.failures.push({ attempt: t.attempt, agent: holder !== undefined ? { peerId: holder.peerId, agentId: holder.agentId } : undefined, code: 'lapsed', reason: 're-announced by the steward' })
      }
      t.attempt = b.attempt
      t.excluded = b.excluded
      t.preferred = b.preferred
      if (env.from !== t.steward) this.stewardTakenBy(t, env.from)
      t.bids = new Map()
      t.myBids = new Map()
      t.award = undefined
      t.lease = undefined
      t.stewardGoneSince = undefined
      this.clock.clearTimeout(t.windowTimer)
      this.setState(t, 'submitted', `attempt ${b.attempt}`)
    }
    this.timeline('announce', env.from, `${t.id} attempt ${b.attempt}: ${b.text.slice(0, 80)}`, t.id)
    if (env.from === this.peerId) this.recordTask(t, now)
    if (t.missionId !== undefined) this.missionStep(t.missionId, false)
    this.openWindow(t)
    void this.bidFor(t, t.attempt)
    this.replayPending(t.id)
  }

  /**
   * Re-reads the present peers. One that was not present before starts with a clean record: a tab
   * that crashed and came back under the same identity, or one that joined while its coordination
   * was still starting, is not "silent" for what its earlier incarnation (or its start-up) missed.
   */
  private refreshLive (): void {
    const before = this.live
    this.live = new Set(this.transport.peers())
    for (const p of this.live) if (!before.has(p)) { this.misses.delete(p); this.lastMissAt.delete(p) }
  }

  private openWindow (t: Task): void {
    const now = this.clock.now()
    this.refreshLive()
    t.expected = new Set([...this.live].filter(p => (this.misses.get(p) ?? 0) < SILENT_AFTER_MISSES || now - (this.lastMissAt.get(p) ?? 0) >= SILENT_RETRY_MS))
    t.expected.add(this.peerId)
    t.responded = new Set()
    t.windowOpenedAt = now
    t.windowMs = bidWindowMs(this.responderEwma, this.opts.bidWindow)
    if (t.steward === this.peerId) this.armWindow(t, t.windowMs)
  }

  private armWindow (t: Task, ms: number): void {
    this.clock.clearTimeout(t.windowTimer)
    const attempt = t.attempt
    t.windowTimer = this.clock.setTimeout(() => { this.closeWindow(t, attempt) }, ms)
  }

  private async bidFor (t: Task, attempt: number): Promise<void> {
    let offers: BidOffer[]
    try {
      const hints: BidHints = {}
      if (t.preferred !== undefined) hints.preferred = t.preferred
      const failedBy = t.failures.flatMap(f => f.code === 'error' && f.agent !== undefined ? [f.agent.agentId] : [])
      if (failedBy.length > 0) hints.failedBy = failedBy
      offers = await this.bidder.bid({ id: t.id, text: t.text, input: t.input }, hints.preferred !== undefined || hints.failedBy !== undefined ? hints : undefined)
    } catch (err) {
      this.problem('bidder', `${t.id}: ${(err as Error).message}`)
      offers = []
    }
    if (t.attempt !== attempt || this.stopped) return
    // If the window closed before this node could answer (a loaded tab), it answers anyway: everyone
    // ignores the late bid (or decline) for the task, but the steward learns this peer is not silent
    // and keeps waiting for it. Without it, a steward that stopped waiting for a slow peer would award
    // in the announcement's frame, before the peer can answer, and never hear from it again.
    if (t.state !== 'submitted' && t.steward === this.peerId) return
    // The steward's own bids need no message: they go straight into its bid set and reach everyone
    // in the award (if the steward leaves before awarding, its agents are gone with it).
    const steward = t.steward === this.peerId && t.award === undefined
    const mine: Bid[] = []
    let any = false
    for (const o of offers) {
      if (isExcluded({ peerId: this.peerId, agentId: o.agentId }, t.excluded)) continue
      if (!(o.confidence >= 0 && o.confidence <= 1)) continue
      const bid: Bid = {
        peerId: this.peerId,
        agentId: o.agentId,
        skillId: o.skillId,
        confidence: o.confidence,
        // The earned factor plus the exploration bonus (reputation.ts); the award reads only this value.
        reputation: this.reputation.bidFactor(o.agentId, o.skillId),
        load: this.loadOf(o.agentId),
        latencyMs: Math.round(Math.max(0, Math.min(LIMITS.maxLatencyMs, o.latencyMs ?? this.estimatedLatency(o.agentId, o.skillId))))
      }
      t.myBids.set(o.agentId, bid)
      any = true
      if (steward) { mine.push(bid); continue }
      const { peerId: _p, ...rest } = bid
      this.queueBid({ taskId: t.id, attempt, ...rest })
    }
    if (steward) {
      for (const bid of mine) t.bids.set(bidKey(bid), bid)
      if (mine.length > 0) this.timeline('bid', this.peerId, `${mine.length} own bid(s), kept for the award: ${mine.slice(0, 3).map(bidLine).join(', ')}`, t.id)
      this.responded(t, this.peerId)
      return
    }
    if (!any) this.queueDecline({ taskId: t.id, attempt })
  }

  /**
   * A bid's estimated latency when the bidder gives none: how long the agent took at this skill
   * (the book's EWMA of its completions, 1 s before any), once per task it is already running.
   */
  private estimatedLatency (agentId: string, skillId: string): number {
    return this.reputation.get(agentId, skillId).latencyEwmaMs * (1 + this.loadOf(agentId))
  }

  private loadOf (agentId: string): number {
    let n = 0
    for (const r of this.running.values()) if (r.agentId === agentId) n++
    return n
  }

  private onBid (env: Envelope<'bid'>): void {
    // A peer that answers, even too late for a window, is not silent: it is waited for again.
    this.misses.set(env.from, 0)
    for (const entry of env.body.bids) {
      const t = this.book.get(entry.taskId)
      if (t === undefined || entry.attempt > t.attempt) { this.pendPart(env, entry.taskId, { bids: [entry] }); continue }
      if (entry.attempt < t.attempt || t.state !== 'submitted') { this.ignore('late-bid', env.from, t.id); continue }
      const { taskId: _t, attempt: _a, ...fields } = entry
      const bid: Bid = { peerId: env.from, ...fields }
      const key = bidKey(bid)
      if (t.bids.has(key)) { this.reject('conflicting-bid', `${short(env.from)} bid twice for ${entry.agentId} on ${t.id}`, env.from); continue }
      // A refused bid never enters an award this node builds; the peer did answer.
      const refusal = env.from === this.peerId ? undefined : this.implausible(entry, env.from, t.id)
      if (refusal !== undefined) {
        this.reject(refusal.reason, refusal.detail, env.from)
        this.responded(t, env.from)
        continue
      }
      t.bids.set(key, bid)
      this.responded(t, env.from)
    }
    this.timeline('bid', env.from, `${env.body.bids.length} bid(s): ${env.body.bids.slice(0, 3).map(bidLine).join(', ')}`, env.body.bids[0]?.taskId)
  }

  /**
   * Why another peer's bid is not credible here, if it is not: a skill its agent's manifest does not
   * list (where the registry knows the agent), or a reputation far above what the agent's record in
   * this node's book supports (a poor record bidding as untried; reputation.ts, reputationCeiling).
   * The reputation a bid carries is the bidder's own figure.
   */
  private implausible (bid: { agentId: string, skillId: string, reputation: number }, from: string, taskId: string): { reason: string, detail: string } | undefined {
    const skills = this.skillsOf?.(bid.agentId, from)
    if (skills !== undefined && !skills.includes(bid.skillId)) {
      return { reason: 'unknown-skill', detail: `${short(from)} bid ${bid.agentId} on ${taskId} with skill ${bid.skillId}, which its manifest does not list` }
    }
    const ceiling = this.reputation.ceiling(bid.agentId, bid.skillId)
    if (bid.reputation > ceiling) {
      return { reason: 'inflated-reputation', detail: `${short(from)} bid ${bid.agentId} (${bid.skillId}) on ${taskId} with reputation ${bid.reputation}; its record here supports at most ${ceiling.toFixed(4)}` }
    }
    return undefined
  }

  private onDecline (env: Envelope<'decline'>): void {
    this.misses.set(env.from, 0)
    for (const ref of env.body.tasks) {
      const t = this.book.get(ref.taskId)
      if (t === undefined || ref.attempt > t.attempt) { this.pendPart(env, ref.taskId, { tasks: [ref], reason: env.body.reason }); continue }
      if (ref.attempt < t.attempt || t.state !== 'submitted') continue
      this.responded(t, env.from)
    }
  }

  /** Pends the part of a batched message that concerns one task. */
  private pendPart<K extends 'bid' | 'decline'> (env: Envelope<K>, taskId: string, body: BodyByKind[K]): void {
    this.pend({ ...env, body } as unknown as AnyEnvelope, taskId)
  }

  private responded (t: Task, peer: string): void {
    if (t.responded.has(peer)) return
    t.responded.add(peer)
    this.misses.set(peer, 0)
    if (t.steward === this.peerId && t.award === undefined && everyoneResponded(t.expected, t.responded)) {
      // A peer not waited for (silent) that answers an empty window closes it too (closeWindow), but
      // its answer says nothing about how fast the room answers.
      if (t.expected.size > 1 && t.expected.has(peer)) this.responderEwma = ewma(this.responderEwma, this.clock.now() - t.windowOpenedAt)
      // Close once the message being applied is done (a peer's bids for a task travel in one
      // message), not a timer later: on a busy tab a timer waits behind everything queued.
      this.clock.clearTimeout(t.windowTimer)
      const attempt = t.attempt
      const marker = t.windowTimer = {}
      queueMicrotask(() => { if (t.windowTimer === marker) this.closeWindow(t, attempt) })
    }
  }

  private closeWindow (t: Task, attempt: number): void {
    t.windowTimer = undefined
    if (t.attempt !== attempt || t.state !== 'submitted' || t.award !== undefined || t.steward !== this.peerId || this.stopped) return
    // Nobody to award yet, but someone expected has not answered: wait for them rather than declare the task unassigned.
    const waited = this.clock.now() - t.windowOpenedAt
    // Before a final "nobody bid", a present peer not waited for (it missed recent windows) is asked
    // too: it may be back, or may have been starting, and be the only one that can do the task.
    if (waited < this.opts.bidWindow.emptyWaitMs && (!everyoneResponded(t.expected, t.responded) || this.silentPending(t)) && decideAward([...t.bids.values()], this.rule(t)).winner === null) {
      this.armWindow(t, Math.min(t.windowMs, this.opts.bidWindow.emptyWaitMs - waited))
      return
    }
    for (const p of t.expected) {
      if (!t.responded.has(p)) { this.misses.set(p, (this.misses.get(p) ?? 0) + 1); this.lastMissAt.set(p, this.clock.now()) }
    }
    const award = makeAward(t.id, t.attempt, [...t.bids.values()], this.rule(t), this.opts.leaseMs)
    this.timeline('window-closed', this.peerId, `${t.id}: ${t.bids.size} bid(s), ${t.responded.size}/${t.expected.size} peers responded in ${this.clock.now() - t.windowOpenedAt} ms`, t.id)
    if (award.winner === null && t.failures.length > 0) {
      // A retry nobody bids on: the task failed (with the earlier attempts' reasons), it was not
      // "unassigned" (that says no agent could take it, and one did).
      const end = giveUp(t.failures)
      const reason = `no other agent bid after ${t.failures.length === 1 ? 'the failed attempt' : `${t.failures.length} failed attempts`}`
      this.send('failure', { taskId: t.id, attempt: t.attempt, code: 'exhausted', reason, final: true, state: end.state, reasons: end.reasons })
      return
    }
    this.send('award', award)
  }

  /** Whether a present peer that this window does not wait for (silent) has not answered yet. */
  private silentPending (t: Task): boolean {
    for (const p of this.live) if (!t.expected.has(p) && !t.responded.has(p)) return true
    return false
  }

  private onAward (env: Envelope<'award'>): void {
    const b = env.body
    const t = this.book.get(b.taskId)
    if (t === undefined || b.attempt > t.attempt) { this.pend(env, b.taskId); return }
    if (b.attempt < t.attempt || isTerminal(t.state)) { this.ignore('stale-attempt', env.from, t.id); return }
    // A rival claim that lost (the steward took the task over too, and comes before it in line): the
    // same award is set aside; another one still counts for its bids (two closers raced, below).
    const behind = this.rival(t, env.from) > 0
    if (behind && t.award?.digest === b.digest) { this.ignore('outranked-takeover', env.from, t.id); return }
    if (!this.mayStew(t, env.from) && !(behind && t.award !== undefined)) {
      // The award this node holds, from a peer that took the stewardship over (watchSteward) while
      // the steward still looks present here: applied when this node sees the steward leave.
      if (t.award?.digest === b.digest) { this.pend(env, t.id); return }
      // If this node merely has not noticed yet that the steward left, it takes over itself a
      // little later and publishes the same award (or one that merges with it).
      this.reject('not-steward', `${short(env.from)} awarded ${t.id} but ${short(t.steward)} is its steward`, env.from)
      return
    }
    // Our own award was just built by the rule over our own bid set (makeAward): no need to check it again.
    const problem = env.from === this.peerId ? null : checkAward(b, this.rule(t), t.bids)
    if (problem !== null) { this.reject('award-violates-rule', `${t.id} attempt ${b.attempt}: ${problem}`, env.from); return }
    const now = this.clock.now()
    if (t.award !== undefined) {
      if (t.award.digest === b.digest) {
        // The same award from another peer that may act as steward: it took the stewardship over
        // and says so (watchSteward), so this node stops waiting to take it over itself.
        if (env.from !== t.steward) {
          if (this.rival(t, env.from) < 0) {
            this.rivalTakes(t, env.from)
          } else {
            this.timeline('takeover', env.from, `${short(env.from)} took ${t.id} over from ${short(t.steward)}`, t.id)
            this.stewardTakenBy(t, env.from)
          }
        } else if (env.from !== this.peerId) {
          this.ignore('duplicate-award', env.from, t.id)
        }
        return
      }
      // Two closers raced (a takeover): every node resolves to the winner over the union of both sets.
      const union = unionBidSets(t.award.bids, b.bids)
      if (union === null) { this.reject('award-conflict', `${t.id}: two awards disagree about a bid`, env.from); return }
      const merged = makeAward(t.id, t.attempt, union, this.rule(t), t.award.leaseMs)
      const before = t.award.winner
      t.award = merged
      if (this.rival(t, env.from) < 0) this.rivalTakes(t, env.from)
      if (merged.winner !== null && (before === null || bidKey(before) !== bidKey(merged.winner))) {
        const r = this.running.get(t.id)
        if (r !== undefined && r.attempt === t.attempt) r.controller.abort(new Error('superseded by a merged award'))
        this.grant(t, merged.winner, merged.leaseMs, env.from)
      }
      return
    }
    this.clock.clearTimeout(t.windowTimer)
    t.award = b
    t.awardMissing = undefined
    // The award message after all, for an attempt this node took from the graph: the same winner holds it.
    const fromGraph = t.history.find(h => h.attempt === t.attempt)
    if (fromGraph !== undefined && b.winner !== null && fromGraph.peerId === b.winner.peerId && fromGraph.agentId === b.winner.agentId) return
    t.awardedAt = now
    if (env.from !== t.steward) {
      this.timeline('takeover', env.from, `${short(env.from)} closed ${t.id} in place of ${short(t.steward)}`, t.id)
      this.stewardTakenBy(t, env.from)
    }
    if (env.from === this.peerId) this.record('award', { taskId: t.id, attempt: t.attempt, winner: b.winner, bids: b.bids, digest: b.digest, reason: b.reason, at: now })
    if (b.winner === null) {
      this.timeline('award', env.from, `${t.id}: nobody (${b.reason ?? ''})`, t.id)
      this.setState(t, 'unassigned', b.reason)
      return
    }
    this.grant(t, b.winner, b.leaseMs, env.from)
    this.setState(t, 'working')
    this.replayPending(t.id)
  }

  private grant (t: Task, winner: Bid, leaseMs: number, from: string): void {
    const now = this.clock.now()
    t.lease = grantLease(t.id, t.attempt, { peerId: winner.peerId, agentId: winner.agentId }, now, leaseMs)
    t.history.push({ attempt: t.attempt, peerId: winner.peerId, agentId: winner.agentId, skillId: winner.skillId })
    this.timeline('award', from, `${t.id} attempt ${t.attempt} → ${winner.agentId} on ${short(winner.peerId)} (${winner.skillId}, confidence ${winner.confidence.toFixed(2)})`, t.id)
    if (winner.peerId === this.peerId) {
      const mine = t.myBids.get(winner.agentId)
      if (mine === undefined || !sameBid(mine, winner)) {
        this.reject('award-for-unknown-bid', `${t.id}: awarded ${winner.agentId} here, but this node made no such bid`, from)
        return
      }
      void this.execute(t, winner)
    }
  }

  // -------------------------------------------------------------------------------------------
  // Execution on the winner's node

  private async execute (t: Task, winner: Bid): Promise<void> {
    if (this.running.has(t.id)) return
    const attempt = t.attempt
    const controller = new AbortController()
    const startedAt = this.clock.now()
    this.running.set(t.id, { attempt, agentId: winner.agentId, skillId: winner.skillId, controller, startedAt })
    this.scheduleHeartbeat()
    this.timeline('executing', this.peerId, `${t.id}: ${winner.agentId} starts`, t.id)
    const task: AgentTask = { id: t.id, text: t.text, skillId: winner.skillId }
    if (t.input !== undefined) task.input = t.input
    if (t.timeZone !== undefined) task.timeZone = t.timeZone
    task.askedOn = t.owner
    const hooks: ExecutionHooks = {
      progress: (fraction, note) => {
        if (controller.signal.aborted) return
        this.send('progress', { taskId: t.id, attempt, agentId: winner.agentId, fraction: Math.min(1, Math.max(0, fraction)), note: note?.slice(0, LIMITS.noteLength) })
      },
      ask: async (text, to = 'person') => await this.ask(t.id, winner.agentId, text, to, controller.signal),
      alert: (text, severity = 'warning') => {
        this.send('alert', { alertId: `a-${this.session}-${++this.counter}`, taskId: t.id, agentId: winner.agentId, severity, text: text.slice(0, LIMITS.textLength) })
      },
      handOff: (reason, toAgentId) => { throw new HandoffRequest(reason, toAgentId) }
    }
    try {
      const raw = await this.executor.run(winner.agentId, task, controller.signal, hooks)
      if (controller.signal.aborted) return
      let result: AgentResult
      try {
        result = validateAgentResult(JSON.parse(JSON.stringify(raw)), 'result')
      } catch (err) {
        this.send('failure', { taskId: t.id, attempt, agentId: winner.agentId, code: 'error', reason: `bad result: ${(err as Error).message}`.slice(0, LIMITS.reasonLength), final: false })
        return
      }
      const body = { taskId: t.id, attempt, agentId: winner.agentId, skillId: winner.skillId, result, startedAt, finishedAt: Math.max(startedAt, this.clock.now()) }
      const size = JSON.stringify(body).length * 1.1 + 1024
      if (size > KIND_LIMIT_BYTES.result) {
        this.send('failure', { taskId: t.id, attempt, agentId: winner.agentId, code: 'too-large', reason: `result is about ${Math.round(size / 1024)} KiB; the limit is ${KIND_LIMIT_BYTES.result / 1024} KiB`, final: false })
        return
      }
      // The attestation lets a tab that reads this result from the graph trust it (attest.ts).
      const attest = await attestResult({ taskId: t.id, attempt, agentId: winner.agentId, skillId: winner.skillId, result }, this.sign)
      if (controller.signal.aborted || this.stopped) return
      this.record('result', { taskId: t.id, attempt, producer: { peerId: this.peerId, agentId: winner.agentId }, skillId: winner.skillId, text: t.text, result, startedAt, finishedAt: body.finishedAt, attest, ...this.ranOnRecord(t) })
      this.send('result', { ...body, attest })
    } catch (err) {
      if (controller.signal.aborted) return
      if (err instanceof HandoffRequest) {
        this.send('handoff', { taskId: t.id, attempt, agentId: winner.agentId, reason: err.reason.slice(0, LIMITS.reasonLength) || 'handed off', toAgentId: err.toAgentId })
        return
      }
      const code = (err as { code?: string }).code
      const failure: FailureCode = code === 'timeout' ? 'timeout' : code === 'refused' ? 'refused' : 'error'
      this.send('failure', { taskId: t.id, attempt, agentId: winner.agentId, code: failure, reason: (err as Error).message?.slice(0, LIMITS.reasonLength) || 'failed', final: false })
    } finally {
      const r = this.running.get(t.id)
      if (r?.controller === controller) this.running.delete(t.id)
    }
  }

  private async ask (taskId: string, agentId: string, text: string, to: 'person' | 'mesh', signal: AbortSignal): Promise<string> {
    const questionId = `q-${this.session}-${++this.counter}`
    const answer = new Promise<string>((resolve, reject) => {
      this.asks.set(questionId, { resolve, reject })
      signal.addEventListener('abort', () => { reject(signal.reason ?? new Error('aborted')) }, { once: true })
    })
    this.send('question', { questionId, taskId, agentId, text: text.slice(0, LIMITS.textLength), to })
    try {
      return await answer
    } finally {
      this.asks.delete(questionId)
    }
  }

  private scheduleHeartbeat (): void {
    if (this.heartbeatTimer !== undefined || this.stopped) return
    this.heartbeatTimer = this.clock.setTimeout(() => {
      this.heartbeatTimer = undefined
      if (this.running.size === 0) return
      const leases = [...this.running].map(([taskId, r]) => ({ taskId, attempt: r.attempt, agentId: r.agentId }))
      for (let i = 0; i < leases.length; i += LIMITS.batch) this.send('lease', { leases: leases.slice(i, i + LIMITS.batch) })
      this.scheduleHeartbeat()
    }, heartbeatIntervalMs(this.opts.leaseMs))
  }

  // -------------------------------------------------------------------------------------------
  // lease, progress, result, failure, handoff

  private onLease (env: Envelope<'lease'>): void {
    const now = this.clock.now()
    for (const l of env.body.leases) {
      const t = this.book.get(l.taskId)
      if (t?.lease === undefined) continue
      t.lease = renewLease(t.lease, { peerId: env.from, agentId: l.agentId }, l.attempt, now)
    }
  }

  private onProgress (env: Envelope<'progress'>): void {
    const b = env.body
    const t = this.book.get(b.taskId)
    if (t === undefined) return
    if (!this.isHolder(t, env.from, b.agentId, b.attempt)) {
      // An award this node has not seen (yet): the progress is held back with the holder's other messages, not called forged.
      if (this.awaitsAward(t, b.attempt)) { this.pend(env, b.taskId); return }
      this.reject('not-holder', `progress for ${t.id} from an agent that does not hold it`, env.from)
      return
    }
    if (t.lease !== undefined) t.lease = renewLease(t.lease, { peerId: env.from, agentId: b.agentId }, b.attempt, this.clock.now())
    t.progress = { fraction: b.fraction, note: b.note }
    this.timeline('progress', env.from, `${t.id}: ${Math.round(b.fraction * 100)}%${b.note !== undefined ? ` ${b.note}` : ''}`, t.id)
    // The holder's node posts each new note of an attempt to the task's thread (a working group
    // posts its progress there); a fraction alone, or the same note again, is only shown.
    if (env.from === this.peerId && b.note !== undefined && b.note !== '') {
      const noted = t.notes?.attempt === b.attempt ? t.notes : { attempt: b.attempt, last: undefined, count: 0 }
      if (noted.last !== b.note && noted.count < MAX_PROGRESS_NOTES) {
        t.notes = { attempt: b.attempt, last: b.note, count: noted.count + 1 }
        this.record('consultation', { kind: 'progress', id: `${t.id}:progress:${b.attempt}:${noted.count + 1}`, taskId: t.id, agentId: b.agentId, peerId: this.peerId, text: `${Math.round(b.fraction * 100)}%: ${b.note}`, at: this.clock.now() })
      }
    }
  }

  private onResult (env: Envelope<'result'>): void {
    const b = env.body
    const t = this.book.get(b.taskId)
    if (t === undefined) { this.pend(env, b.taskId); return }
    if (!this.isHolder(t, env.from, b.agentId, b.attempt)) {
      if (this.awaitsAward(t, b.attempt)) { this.pend(env, b.taskId); return }
      this.reject('result-not-awarded', `${t.id}: result from ${b.agentId} on ${short(env.from)}, which holds no award for attempt ${b.attempt}`, env.from)
      return
    }
    if (t.state === 'completed' || (t.mission !== undefined && t.result !== undefined)) { this.ignore('duplicate-result', env.from, t.id); return }
    const plan = b.result.plan?.subtasks
    // A holder aborts its run when the cancel reaches it and then sends nothing, so a result from it
    // was sent before the cancel got there: the work was done, and the result beats the cancel on
    // every node, whichever of the two crossing messages arrived first (docs/protocol.md, "Cancel").
    // A plan is not the work (the mission had not run), and a mission's own cancel stays.
    const crossed = t.state === 'canceled' && t.mission === undefined && (plan === undefined || plan.length === 0)
    if (isTerminal(t.state) && !crossed) { this.ignore('late-result', env.from, t.id); return }
    const now = this.clock.now()
    t.producer = { peerId: env.from, agentId: b.agentId, attempt: b.attempt, skillId: b.skillId }
    t.startedAt = b.startedAt
    t.finishedAt = b.finishedAt
    t.lease = undefined
    const rec = this.reputation.completed(b.agentId, b.skillId, true, b.finishedAt - b.startedAt)
    if (env.from === this.peerId) this.record('reputation', { agentId: b.agentId, skillId: b.skillId, peerId: this.peerId, record: rec, factor: this.reputation.factor(b.agentId, b.skillId), at: now })
    if (this.startFromPlan(t, b.result, env.from)) return
    t.result = b.result
    t.attest = b.attest
    t.completedAt = now
    this.timeline('result', env.from, `${t.id} by ${b.agentId}: ${b.result.text.slice(0, 80)}`, t.id)
    if (t.quorum > 0) {
      t.verification = { status: 'pending', supporters: [], disputes: [] }
      t.verifyBy = now + this.opts.verifyTimeoutMs
      this.verifying.add(t.id)
      const m = t.missionId !== undefined ? this.book.get(t.missionId)?.mission : undefined
      if (m !== undefined) m.verifyDeadline = t.verifyBy
    }
    if (crossed) this.uncancel(t, b.agentId, env.from)
    else this.setState(t, 'completed')
    if (t.quorum > 0 && env.from !== this.peerId) void this.verify(t)
    this.replayPending(t.id)
    // No verifier on a present peer but the producer's: nobody will vote.
    if (t.quorum > 0) this.settleVerification(t, now)
  }

  /** A canceled task whose result crossed the cancel completes (completeEnded); the steward records the completion over the cancel. */
  private uncancel (t: Task, agentId: string, from: string): void {
    const cancel = t.reason
    const reason = `its result was sent before the cancel reached ${agentId} on ${short(from)}: the work was done${cancel !== undefined ? ` (cancel: ${cancel})` : ''}`
    this.counters.uncanceled++
    this.timeline('uncanceled', from, `${t.id}: ${reason}`, t.id)
    this.completeEnded(t, reason, true)
    // A part counts as done for its mission, which may complete now even if it failed for it (reassembles).
    if (t.missionId !== undefined) this.missionStep(t.missionId)
  }

  /**
   * Moves the ended task `t` to `completed` without ending it a second time (its waiters were
   * answered; later ones get the completion): a result that crossed its cancel (uncancel), a
   * mission whose parts all completed after it failed (unfail), a completion the graph brings
   * (adoptCompletion). With `rerecord`, the recorder of its outcome writes the completion over the
   * earlier end.
   */
  private completeEnded (t: Task, reason: string, rerecord: boolean): void {
    const previous = t.state
    t.state = 'completed'
    t.reason = reason
    this.emit('task', { taskId: t.id, state: 'completed', previous, reason, attempt: t.attempt, at: this.clock.now() })
    if (rerecord && this.records(t)) {
      t.finalRecorded = false
      this.recordOutcome(t)
    }
  }

  private onFailure (env: Envelope<'failure'>): void {
    const b = env.body
    const t = this.book.get(b.taskId)
    if (t === undefined) { this.pend(env, b.taskId); return }
    if (isTerminal(t.state)) { this.ignore('late-failure', env.from, t.id); return }
    if (b.final) {
      if (!this.mayStew(t, env.from)) { this.reject('not-steward', `${short(env.from)} declared ${t.id} over but is not its steward`, env.from); return }
      this.timeline('failure', env.from, `${t.id} ${b.state ?? 'failed'}: ${b.reason}`, t.id)
      t.endCode = b.code
      this.setState(t, b.state ?? 'failed', b.reasons !== undefined && b.reasons.length > 0 ? `${b.reason}: ${b.reasons.join('; ')}` : b.reason)
      // Its parts may all have completed meanwhile here (a part's result crossed its cancel).
      if (t.mission !== undefined) this.missionStep(t.id)
      return
    }
    if (b.agentId === undefined || !this.isHolder(t, env.from, b.agentId, b.attempt)) {
      this.reject('not-holder', `${t.id}: failure from an agent that does not hold attempt ${b.attempt}`, env.from)
      return
    }
    this.timeline('failure', env.from, `${t.id} attempt ${b.attempt} (${b.agentId}): ${b.code}: ${b.reason}`, t.id)
    this.unsuccessful(t, env.from, b.agentId, b.attempt)
    if (b.attempt !== t.attempt) return
    this.attemptFailed(t, { attempt: b.attempt, agent: { peerId: env.from, agentId: b.agentId }, code: b.code, reason: b.reason })
  }

  private onHandoff (env: Envelope<'handoff'>): void {
    const b = env.body
    const t = this.book.get(b.taskId)
    if (t === undefined || isTerminal(t.state)) return
    if (!this.isHolder(t, env.from, b.agentId, b.attempt) || b.attempt !== t.attempt) {
      this.reject('not-holder', `${t.id}: handoff from an agent that does not hold attempt ${b.attempt}`, env.from)
      return
    }
    this.timeline('handoff', env.from, `${t.id}: ${b.agentId} hands off${b.toAgentId !== undefined ? ` to ${b.toAgentId}` : ''}: ${b.reason}`, t.id)
    if (env.from === this.peerId) this.record('consultation', { kind: 'handoff', id: `${t.id}:handoff:${b.attempt}`, taskId: t.id, agentId: b.agentId, peerId: this.peerId, text: b.reason, at: this.clock.now() })
    // For reputation a handoff is a try that did not succeed: otherwise an agent that hands off every
    // task stays untried and keeps bidding the exploration cap (reputation.ts).
    this.unsuccessful(t, env.from, b.agentId, b.attempt)
    if (b.toAgentId !== undefined) t.handoffTo = { attempt: b.attempt, agentId: b.toAgentId }
    this.attemptFailed(t, { attempt: b.attempt, agent: { peerId: env.from, agentId: b.agentId }, code: 'refused', reason: `handed off: ${b.reason}` })
  }

  /** An attempt that did not succeed (a failure or a handoff) goes into every node's reputation book; the agent's own node records it. */
  private unsuccessful (t: Task, from: string, agentId: string, attempt: number): void {
    const skillId = t.history.find(h => h.attempt === attempt && h.agentId === agentId)?.skillId ?? ''
    const rec = this.reputation.completed(agentId, skillId, false)
    if (from === this.peerId) this.record('reputation', { agentId, skillId, peerId: this.peerId, record: rec, factor: this.reputation.factor(agentId, skillId), at: this.clock.now() })
  }

  /** Notes a failed attempt; the steward moves on to the next attempt or gives up. */
  private attemptFailed (t: Task, f: FailedAttempt): void {
    if (!t.failures.some(x => x.attempt === f.attempt)) t.failures.push(f)
    t.lease = undefined
    if (t.steward !== this.peerId || t.retriedAttempt >= t.attempt) return
    t.retriedAttempt = t.attempt
    const step = nextAttempt(t, t.failures, this.opts.maxAttempts)
    if (step.kind === 'retry') {
      // A handoff that named an agent: the next attempt prefers it (it wins if it bids).
      const named = t.handoffTo?.attempt === f.attempt ? t.handoffTo.agentId : undefined
      const preferred = named !== undefined && !step.excluded.some(x => x.agentId === named) ? named : undefined
      this.send('announce', { taskId: t.id, attempt: step.attempt, text: t.text, input: t.input, deadline: t.deadline, missionId: t.missionId, excluded: step.excluded, quorum: t.quorum, ...(preferred !== undefined ? { preferred } : {}), ...(t.timeZone !== undefined ? { timeZone: t.timeZone } : {}) })
    } else {
      this.send('failure', { taskId: t.id, attempt: t.attempt, code: 'exhausted', reason: `gave up after ${t.attempt} attempts`, final: true, state: step.state, reasons: step.reasons })
    }
  }

  // -------------------------------------------------------------------------------------------
  // Verification

  private async verify (t: Task): Promise<void> {
    const producer = t.producer
    const resultAttest = t.attest
    if (producer === undefined || producer.peerId === this.peerId || t.result === undefined || resultAttest === undefined) return
    const v = this.opts.verifiers
    const verifier = (typeof v === 'function' ? v() : v)[0]
    if (verifier === undefined) return
    const controller = new AbortController()
    let vote: Vote
    try {
      const res = await this.executor.run(verifier, {
        id: `${t.id}:verify`,
        text: `Verify this answer to "${t.text}": ${t.result.text}`,
        input: { task: { id: t.id, text: t.text, input: t.input, ...(t.timeZone !== undefined ? { timeZone: t.timeZone } : {}) }, result: t.result }
      }, controller.signal, this.passiveHooks())
      const v = res.verdict
      vote = v === undefined
        ? { peerId: this.peerId, agentId: verifier, vote: 'abstain', confidence: 0, reason: 'the verifier gave no verdict' }
        : { peerId: this.peerId, agentId: verifier, vote: v.vote, confidence: v.confidence, reason: v.reason.slice(0, LIMITS.reasonLength), evidence: v.evidence }
    } catch (err) {
      vote = { peerId: this.peerId, agentId: verifier, vote: 'abstain', confidence: 0, reason: `verifier failed: ${(err as Error).message}`.slice(0, LIMITS.reasonLength) }
    }
    if (this.stopped) return
    if (vote.vote === 'dispute' && vote.reason.trim() === '') vote.reason = 'disputed without a reason'
    // Signed over the producer's attestation of the result judged, so the vote stands in the graph
    // for that result only (attest.ts).
    const attest = await attestVote({ taskId: t.id, attempt: producer.attempt, resultAttest, agentId: verifier, vote: vote.vote, confidence: vote.confidence, reason: vote.reason, evidence: vote.evidence }, this.sign)
    if (this.stopped) return
    if (vote.vote === 'dispute') {
      this.send('dispute', { taskId: t.id, attempt: producer.attempt, resultAttest, agentId: verifier, confidence: vote.confidence, reason: vote.reason, evidence: vote.evidence, attest })
    } else {
      this.send('verify', { taskId: t.id, attempt: producer.attempt, resultAttest, agentId: verifier, vote: vote.vote, confidence: vote.confidence, reason: vote.reason, evidence: vote.evidence, attest })
    }
  }

  /**
   * Settles the pending verification of `t` as `unverified` when no verdict is to come: every
   * verifier on a present peer but the producer's has voted (abstentions and weak votes included),
   * or there is none; or none came within `verifyTimeoutMs` of the result. A later vote still
   * counts (a verifier that joins, or a slow one): `unverified` moves to `verified` or `disputed`.
   */
  private settleVerification (t: Task, now: number): void {
    const v = t.verification
    if (v === undefined || v.status !== 'pending' || t.producer === undefined || t.state !== 'completed') { this.verifying.delete(t.id); return }
    let reason: string | undefined
    const others = t.votes.filter(x => x.peerId !== t.producer!.peerId)
    const awaited = this.awaitedVoters(t)
    if (awaited?.length === 0) {
      reason = others.length === 0
        ? `no verifier runs on a present peer other than the producer's (${short(t.producer.peerId)})`
        : `every verifier on another present peer has voted and the quorum of ${Math.max(1, t.quorum)} was not reached (${tally(others)})`
    } else if (t.verifyBy !== undefined && now >= t.verifyBy) {
      reason = `no verdict within ${Math.round(this.opts.verifyTimeoutMs / 1000)} s${awaited !== undefined ? ` (waited for ${awaited.map(short).join(', ')})` : ''}${others.length > 0 ? `; ${tally(others)}` : ''}`
    }
    if (reason === undefined) return
    this.verifying.delete(t.id)
    t.verification = { ...v, status: 'unverified', reason }
    this.timeline('verify', this.peerId, `${t.id}: unverified: ${reason}`, t.id)
    this.emit('verification', { taskId: t.id, status: 'unverified', supporters: v.supporters, disputes: v.disputes, at: now })
    if (this.records(t)) {
      this.record('verification', { taskId: t.id, status: 'unverified', reason, producer: { peerId: t.producer.peerId, agentId: t.producer.agentId }, supporters: v.supporters, disputes: v.disputes, votes: this.decidingVotes(t), at: now })
    }
    if (t.missionId !== undefined) this.missionStep(t.missionId)
  }

  /**
   * The votes on `t` that count (each well-founded dispute, then one supporting vote per peer), with
   * their attestations, within the record's bounds: recorded with the verification so that a tab reading it from the graph
   * can check who decided it (verification-record.ts).
   */
  private decidingVotes (t: Task): Vote[] {
    if (t.producer === undefined) return []
    const rule = { producerPeerId: t.producer.peerId, minConfidence: this.opts.minVoteConfidence }
    // Every vote here carries its attestation (onVote refuses one whose attestation does not hold).
    const supporters = new Set<string>()
    const deciding = [
      ...t.votes.filter(v => isWellFoundedDispute(v, rule)),
      ...t.votes.filter(v => {
        if (!isCountingSupport(v, rule) || supporters.has(v.peerId)) return false
        supporters.add(v.peerId)
        return true
      })
    ]
    const out: Vote[] = []
    let bytes = 0
    for (const v of deciding) {
      bytes += JSON.stringify(v).length
      if (out.length >= MAX_RECORDED_VOTES || (out.length > 0 && bytes > MAX_RECORDED_VOTE_BYTES)) break
      out.push(v)
    }
    return out
  }

  /** Whether every present peer that runs a verifier (but the producer's) has voted on `t` (see `verifyingPeers`). */
  private noVoteToCome (t: Task): boolean {
    return this.awaitedVoters(t)?.length === 0
  }

  /** The present peers running a verifier (but the producer's) that have not voted on `t`; undefined without `verifyingPeers`. */
  private awaitedVoters (t: Task): string[] | undefined {
    if (this.verifyingPeers === undefined || t.producer === undefined) return undefined
    const producer = t.producer.peerId
    const awaited: string[] = []
    for (const peer of this.verifyingPeers()) {
      if (peer === producer || (peer !== this.peerId && !this.live.has(peer))) continue
      if (!t.votes.some(v => v.peerId === peer)) awaited.push(peer)
    }
    return awaited
  }

  private passiveHooks (): ExecutionHooks {
    return {
      progress: () => {},
      ask: async () => { throw new Error('verifiers cannot ask questions') },
      alert: () => {},
      handOff: reason => { throw new HandoffRequest(reason) }
    }
  }

  private onVote (env: Envelope<'verify'> | Envelope<'dispute'>, vote: Vote): void {
    const t = this.book.get(env.body.taskId)
    if (t === undefined || (t.result === undefined && !isTerminal(t.state))) { this.pend(env, env.body.taskId); return }
    if (t.producer === undefined || t.state !== 'completed') { this.ignore('vote-without-result', env.from, t.id); return }
    if (t.votes.some(v => v.peerId === vote.peerId && v.agentId === vote.agentId)) { this.ignore('duplicate-vote', env.from, t.id); return }
    // A vote counts only if its attestation holds for the result this node holds: one the graph's
    // readers would refuse never decides a verification here either.
    if (t.attest === undefined) { this.ignore('vote-without-result', env.from, t.id); return }
    const { attempt, resultAttest } = env.body
    const v = this.attestations.checkVote({ ...vote, taskId: t.id, attempt, resultAttest })
    if (!v.ok) { this.reject('vote-bad-attest', `${t.id}: ${v.detail}; not counted`, env.from); return }
    if (attempt !== t.producer.attempt || resultAttest !== t.attest) {
      // A well-signed vote on another copy of the result: one this node no longer holds (a partition
      // merge replaced it) or never held. It says nothing of the result here, and is no forgery.
      this.ignore('vote-other-result', env.from, t.id)
      this.timeline(env.kind, env.from, `${t.id}: ${vote.vote} of attempt ${attempt}'s result as another node held it, not the one here (attempt ${t.producer.attempt}); not counted`, t.id)
      return
    }
    t.votes.push(vote)
    const now = this.clock.now()
    this.timeline(env.kind, env.from, `${t.id}: ${vote.vote} (${vote.confidence.toFixed(2)}) ${vote.reason.slice(0, 80)}`, t.id)
    if (env.from === this.peerId) this.record('vote', { taskId: t.id, vote, at: now })
    const before = t.verification?.status ?? 'pending'
    const outcome = verificationStatus(t.votes, { quorum: Math.max(1, t.quorum), producerPeerId: t.producer.peerId, minConfidence: this.opts.minVoteConfidence })
    // Still no verdict: an unverified result stays unverified (with its reason), a pending one may become so.
    t.verification = outcome.status === 'pending' && before === 'unverified' ? { ...outcome, status: 'unverified', reason: t.verification?.reason } : outcome
    if (outcome.status === 'pending') {
      // An abstention changes no status, but it may be the last vote the result (or its mission) waited for.
      if (before === 'pending') this.settleVerification(t, now)
      if (t.missionId !== undefined) this.missionStep(t.missionId)
      return
    }
    this.verifying.delete(t.id)
    if (outcome.status === before) {
      if (t.missionId !== undefined) this.missionStep(t.missionId)
      return
    }
    this.emit('verification', { taskId: t.id, status: outcome.status, supporters: outcome.supporters, disputes: outcome.disputes, at: now })
    if (before === 'pending' || before === 'unverified') {
      const rec = this.reputation.verified(t.producer.agentId, t.producer.skillId, outcome.status === 'verified')
      if (t.producer.peerId === this.peerId) this.record('reputation', { agentId: t.producer.agentId, skillId: t.producer.skillId, peerId: this.peerId, record: rec, factor: this.reputation.factor(t.producer.agentId, t.producer.skillId), at: now })
    }
    if (this.records(t)) {
      this.record('verification', { taskId: t.id, status: outcome.status, producer: { peerId: t.producer.peerId, agentId: t.producer.agentId }, supporters: outcome.supporters, disputes: outcome.disputes, votes: this.decidingVotes(t), at: now })
    }
    if (t.missionId !== undefined) this.missionStep(t.missionId)
  }

  // -------------------------------------------------------------------------------------------
  // Consultation and cancel

  private onQuestion (env: Envelope<'question'>): void {
    const b = env.body
    const t = this.book.get(b.taskId)
    if (t === undefined) { this.pend(env, b.taskId); return }
    if (!t.history.some(h => h.peerId === env.from && h.agentId === b.agentId)) {
      if (this.awaitsAward(t, t.attempt)) { this.pend(env, b.taskId); return }
      this.reject('not-holder', `${t.id}: question from an agent that does not hold it`, env.from)
      return
    }
    if (isTerminal(t.state)) return
    t.questions.set(b.questionId, { agentId: b.agentId, text: b.text, to: b.to })
    const now = this.clock.now()
    if (env.from === this.peerId) this.record('consultation', { kind: 'question', id: b.questionId, taskId: t.id, agentId: b.agentId, peerId: this.peerId, text: b.text, at: now })
    this.timeline('question', env.from, `${t.id}: ${b.agentId} asks ${b.to === 'person' ? 'a person' : 'the mesh'}: ${b.text.slice(0, 80)}`, t.id)
    this.setState(t, 'input-required', b.text)
    this.emit('question', { questionId: b.questionId, taskId: t.id, agentId: b.agentId, peerId: env.from, text: b.text, to: b.to, at: now })
  }

  private onAnswer (env: Envelope<'answer'>): void {
    const b = env.body
    const t = this.book.get(b.taskId)
    const q = t?.questions.get(b.questionId)
    if (t === undefined || q === undefined) { this.pend(env, b.taskId); return }
    if (q.answer !== undefined) { this.ignore('duplicate-answer', env.from, t.id); return }
    q.answer = b.text
    const now = this.clock.now()
    if (env.from === this.peerId) this.record('consultation', { kind: 'answer', id: `${b.questionId}:answer`, taskId: t.id, about: b.questionId, ...(b.agentId !== undefined ? { agentId: b.agentId } : {}), peerId: this.peerId, text: b.text, at: now })
    this.timeline('answer', env.from, `${t.id}: ${b.agentId !== undefined ? `${b.agentId}: ` : ''}${b.text.slice(0, 80)}`, t.id)
    this.emit('answer', { questionId: b.questionId, taskId: t.id, text: b.text, ...(b.agentId !== undefined ? { agentId: b.agentId } : {}), from: env.from, at: now })
    this.asks.get(b.questionId)?.resolve(b.text)
    if (t.state === 'input-required' && [...t.questions.values()].every(x => x.answer !== undefined)) this.setState(t, 'working')
  }

  private onAlert (env: Envelope<'alert'>): void {
    const b = env.body
    const now = this.clock.now()
    if (env.from === this.peerId) this.record('consultation', { kind: 'alert', id: b.alertId, taskId: b.taskId, agentId: b.agentId, peerId: this.peerId, text: `${b.severity}: ${b.text}`, at: now })
    this.timeline('alert', env.from, `${b.severity}: ${b.text.slice(0, 80)}`, b.taskId)
    this.emit('alert', { ...b, peerId: env.from, at: now })
  }

  private onDecision (env: Envelope<'decision'>): void {
    const b = env.body
    const now = this.clock.now()
    if (env.from === this.peerId) this.record('consultation', { kind: 'decision', id: b.decisionId, about: b.about, peerId: this.peerId, text: b.text, at: now })
    this.timeline('decision', env.from, `about ${b.about}: ${b.text.slice(0, 80)}`, this.book.has(b.about) ? b.about : undefined)
    this.emit('decision', { ...b, from: env.from, at: now })
  }

  private onCancel (env: Envelope<'cancel'>): void {
    const t = this.book.get(env.body.taskId)
    if (t === undefined) { this.pend(env, env.body.taskId); return }
    if (isTerminal(t.state)) { this.ignore('late-cancel', env.from, t.id); return }
    this.timeline('cancel', env.from, `${t.id}: ${env.body.reason}`, t.id)
    this.setState(t, 'canceled', env.body.reason)
    if (this.records(t)) this.cancelParts(t)
  }

  /**
   * Cancels the parts of the canceled mission `t` that have not ended here. The mission's steward
   * does it, or, the steward gone, the first in its takeover line (`records`): a canceled mission
   * is terminal, so nobody takes its stewardship over, and its parts would otherwise run on (see
   * tick for a steward that leaves after the cancel). A duplicate cancel is ignored as late-cancel.
   * The parts are those of its plan and those heard announced: a node that missed the plan's result
   * (a lost frame) still knows the parts that run.
   */
  private cancelParts (t: Task): void {
    if (t.mission === undefined && t.parts === undefined) return
    for (const sub of new Set([...t.mission?.taskIdOf.values() ?? [], ...t.parts ?? []])) {
      const s = this.book.get(sub)
      if (s !== undefined && !isTerminal(s.state)) this.send('cancel', { taskId: sub, reason: `mission ${t.id} cancelled` })
    }
  }

  // -------------------------------------------------------------------------------------------
  // Missions

  /**
   * A planner's result (from its message or the graph) for a task that is no mission's part and
   * runs no mission yet: the plan is not the work, it starts the mission. Whether it did.
   */
  private startFromPlan (t: Task, result: AgentResult, from: string, how = ''): boolean {
    const plan = result.plan?.subtasks
    if (plan === undefined || plan.length === 0 || t.missionId !== undefined || t.mission !== undefined) return false
    t.result = result
    this.timeline('result', from, `${t.id}: plan with ${plan.length} subtasks${how}`, t.id)
    this.startMission(t, result)
    return true
  }

  private startMission (t: Task, planResult: AgentResult): void {
    let dag: MissionDag
    try {
      dag = buildDag(planResult.plan!.subtasks)
    } catch (err) {
      const reason = err instanceof PlanError ? `invalid plan: ${err.message}` : `invalid plan: ${(err as Error).message}`
      // Every node sees the same plan and reaches the same verdict; the steward makes it official.
      if (t.steward === this.peerId) this.send('failure', { taskId: t.id, attempt: t.attempt, code: 'invalid-plan', reason: reason.slice(0, LIMITS.reasonLength), final: true, state: 'failed' })
      return
    }
    const taskIdOf = new Map<string, string>()
    const planIdOf = new Map<string, string>()
    for (const node of dag.nodes.values()) {
      const sub = partTaskId(t.id, node.index)
      taskIdOf.set(node.id, sub)
      planIdOf.set(sub, node.id)
    }
    t.mission = { dag, taskIdOf, planIdOf, done: new Map(), finished: false }
    this.timeline('mission', t.steward, `${t.id}: ${dag.order.length} subtasks (${dag.order.join(', ')})`, t.id)
    this.emitMission(t, 'planned')
    this.missionStep(t.id)
  }

  /** Announces ready subtasks (steward), collects done ones, assembles or fails the mission. */
  private missionStep (missionId: string, announce = true): void {
    const t = this.book.get(missionId)
    const m = t?.mission
    if (t === undefined || m === undefined) return
    if ((m.finished || isTerminal(t.state)) && !this.reassembles(t, m)) return
    const { started, results, ended } = this.missionParts(m)
    for (const [planId, result] of results) m.done.set(planId, result)
    if (ended.size > 0) {
      // A part ended without a result: the parts that depend on it never run, but the others still
      // do, and the mission fails once they are done, with their results (missionPartial). Before,
      // it failed at once and canceled them: "What is 15% of 200, and what is the capital of
      // France?" lost the 30 because nobody could name a capital.
      const blocked = blockedBy(m.dag, ended.keys())
      const open = m.dag.order.filter(p => !m.done.has(p) && !ended.has(p) && !blocked.has(p))
      if (open.length === 0) {
        m.finished = true
        const reasons = [...ended].map(([p, why]) => `subtask ${p} ${why}`)
        if (blocked.size > 0) reasons.push(`not run: ${[...blocked.keys()].join(', ')} (after ${[...new Set(blocked.values())].join(', ')})`)
        const reason = reasons.join('; ')
        this.emitMission(t, 'failed')
        if (t.steward === this.peerId) this.send('failure', { taskId: t.id, attempt: t.attempt, code: 'mission', reason: reason.slice(0, LIMITS.reasonLength), final: true, state: 'failed' })
        return
      }
    }
    if (m.done.size === m.dag.order.length) {
      const now = this.clock.now()
      const settled = m.dag.order.every(p => {
        const s = this.book.get(m.taskIdOf.get(p)!)!
        return s.quorum === 0 || s.verification === undefined || s.verification.status !== 'pending' || this.noVoteToCome(s)
      })
      if (!settled && (m.verifyDeadline === undefined || now < m.verifyDeadline)) return
      m.finished = true
      const result = assembleMission(m.dag, m.done)
      t.result = result
      t.completedAt = now
      if (this.records(t)) this.recordSolution(t, m, result, now)
      this.timeline('mission', t.steward, `${t.id}: assembled from ${m.dag.order.length} parts`, t.id)
      const stale = this.staleNote(m, m.done)
      if (t.state === 'failed') this.unfail(t, stale)
      else this.setState(t, 'completed', stale)
      this.emitMission(t, 'completed')
      return
    }
    this.emitMission(t, 'progress')
    if (!announce || t.steward !== this.peerId) return
    for (const planId of readySubtasks(m.dag, new Set(m.done.keys()), started)) {
      const node = m.dag.nodes.get(planId)!
      this.send('announce', {
        taskId: m.taskIdOf.get(planId)!,
        attempt: 1,
        text: node.text,
        input: subtaskInput(m.dag, planId, m.done),
        deadline: t.deadline,
        ...(t.timeZone !== undefined ? { timeZone: t.timeZone } : {}),
        missionId: t.id,
        excluded: [],
        quorum: this.opts.missionQuorum
      })
    }
  }

  /** What the task's kept result ran on (inputDigest), null when unknown. */
  private ranOnOf (t: Task): string | null {
    if (t.ranOn !== undefined) return t.ranOn
    return t.input === undefined ? null : inputDigest(t.input)
  }

  /**
   * A result record's `inputDigest` (ranOnOf), for a mission part with an input: only parts are
   * checked against their dependencies (staleNote), so other tasks do not pay for hashing theirs.
   */
  private ranOnRecord (t: Task): { inputDigest?: string } {
    if (t.missionId === undefined) return {}
    const d = this.ranOnOf(t)
    return d === null ? {} : { inputDigest: d }
  }

  /**
   * The mission's parts that ran on a result of a dependency other than the one it kept (a
   * partition merge replaced it, and the part's only result came from the side whose result lost),
   * as a sentence for the mission's reason; undefined when there is none. Such a part is not run
   * again: its result is what was done, and the reason says what it ran on.
   */
  private staleNote (m: Mission, results: ReadonlyMap<string, AgentResult>): string | undefined {
    const stale = staleParts(m.dag, results, p => {
      const s = this.book.get(m.taskIdOf.get(p)!)
      return s === undefined ? null : this.ranOnOf(s)
    })
    if (stale.length === 0) return undefined
    return stale.map(s => `${s.id} ran on ${s.deps.length === 1 ? 'a result' : 'results'} of ${s.deps.join(', ')} that the merge replaced (it is not run again)`).join('; ')
  }

  private recordSolution (t: Task, m: Mission, result: AgentResult, now: number): void {
    this.record('solution', {
      missionId: t.id, text: t.text, result, group: this.missionGroup(t), at: now,
      parts: m.dag.order.map(p => {
        const s = this.book.get(m.taskIdOf.get(p)!)!
        return { planId: p, taskId: s.id, producer: s.producer !== undefined ? { peerId: s.producer.peerId, agentId: s.producer.agentId, attempt: s.producer.attempt } : undefined, verification: s.verification?.status }
      })
    })
  }

  /**
   * A completed mission one of whose parts took another completion from the graph (a partition
   * merge, adoptCompletion): both sides had assembled it, each from its own part. Its result is
   * assembled again from the parts as they are now, so every node ends with the same one, and the
   * steward records it over the old one. Parts that ran on the old part's output are not run again.
   */
  private reassembleMerged (missionId: string): void {
    const t = this.book.get(missionId)
    const m = t?.mission
    if (t === undefined || m === undefined || t.state !== 'completed' || !m.finished) return
    const { results } = this.missionParts(m)
    if (results.size !== m.dag.order.length) return
    const result = assembleMission(m.dag, results)
    if (JSON.stringify(result) === JSON.stringify(t.result)) return
    for (const [p, r] of results) m.done.set(p, r)
    t.result = result
    const now = this.clock.now()
    const stale = this.staleNote(m, results)
    const reason = `merged after a partition: assembled again from its parts as the graph settled them${stale !== undefined ? `; ${stale}` : ''}`
    t.reason = reason
    this.counters.reassembled++
    this.timeline('merged', this.peerId, `${t.id}: ${reason}`, t.id)
    this.emit('task', { taskId: t.id, state: 'completed', previous: 'completed', reason, attempt: t.attempt, at: now })
    this.emitMission(t, 'completed')
    if (this.records(t)) {
      this.recordSolution(t, m, result, now)
      t.finalRecorded = false
      this.recordOutcome(t)
    }
  }

  /**
   * Whether the mission `t`, failed (or failing: its steward's failure not here yet) because a part
   * ended without a result, has had every part complete since, and assembles after all. A part's
   * result that crossed its cancel completes it late on the nodes that saw the cancel first
   * (uncancel), and the graph can bring a part's completion after a partition (adoptCompletion);
   * the nodes that saw the result first completed the mission. The parts decide, the same on every
   * node: all of them completed, so the mission completes. A mission failed for anything else (its
   * deadline, its plan) stays failed, and so does a canceled one. When it does, the mission is
   * opened again (`finished` cleared) for missionStep to assemble, once its parts' votes are in.
   */
  private reassembles (t: Task, m: Mission): boolean {
    const failing = t.state === 'failed' ? t.endCode === 'mission' : !isTerminal(t.state) && m.finished
    if (!failing) return false
    if (!m.dag.order.every(p => this.book.get(m.taskIdOf.get(p)!)?.state === 'completed')) return false
    m.finished = false
    return true
  }

  /** The failed mission `t` completes (reassembles, completeEnded); the steward records the completion over the failure. */
  private unfail (t: Task, stale?: string): void {
    const failure = t.reason
    const reason = `every part completed after it had failed${failure !== undefined ? ` (${failure})` : ''}${stale !== undefined ? `; ${stale}` : ''}`
    t.endCode = undefined
    this.counters.reassembled++
    this.timeline('mission', this.peerId, `${t.id}: ${reason}`, t.id)
    this.completeEnded(t, reason, true)
  }

  /**
   * A mission's parts as the book holds them now: those announced (`started`), the results of the
   * completed ones, and for each that ended otherwise its state and reason ("unassigned: ...").
   */
  private missionParts (m: NonNullable<Task['mission']>): { started: Set<string>, results: Map<string, AgentResult>, ended: Map<string, string> } {
    const started = new Set<string>()
    const results = new Map<string, AgentResult>()
    const ended = new Map<string, string>()
    for (const [planId, sub] of m.taskIdOf) {
      const s = this.book.get(sub)
      if (s === undefined) continue
      started.add(planId)
      if (s.state === 'completed' && s.result !== undefined) results.set(planId, s.result)
      else if (isTerminal(s.state)) ended.set(planId, `${s.state}${s.reason !== undefined ? `: ${s.reason}` : ''}`)
    }
    return { started, results, ended }
  }

  /** The parts of a mission that completed, and why each other is not done, read from the book now. */
  private missionPartial (m: NonNullable<Task['mission']>): AgentResult | undefined {
    const { results, ended } = this.missionParts(m)
    return assemblePartial(m.dag, results, whyNotDone(m.dag, ended))
  }

  private missionGroup (t: Task): AgentRef[] {
    const seen = new Map<string, AgentRef>()
    for (const sub of t.mission?.taskIdOf.values() ?? []) {
      for (const h of this.book.get(sub)?.history ?? []) seen.set(bidKey(h), { peerId: h.peerId, agentId: h.agentId })
    }
    return [...seen.values()]
  }

  private emitMission (t: Task, state: CoordEvents['mission']['state']): void {
    const m = t.mission
    if (m === undefined) return
    this.emit('mission', {
      missionId: t.id,
      state,
      subtasks: m.dag.order.map(p => ({ planId: p, taskId: m.taskIdOf.get(p)!, state: this.book.get(m.taskIdOf.get(p)!)?.state ?? 'pending' as const })),
      group: this.missionGroup(t),
      at: this.clock.now()
    })
  }

  // -------------------------------------------------------------------------------------------
  // The tick: leases, deadlines, takeovers, pending messages

  private scheduleTick (): void {
    if (this.stopped) return
    this.tickTimer = this.clock.setTimeout(() => { this.tick(true) }, this.opts.tickMs)
  }

  private tick (reschedule: boolean): void {
    if (this.stopped) return
    if (reschedule) this.scheduleTick()
    const now = this.clock.now()
    const before = this.live
    this.refreshLive()
    const changed = before.size !== this.live.size || [...before].some(p => !this.live.has(p))
    // Verifications that wait: the timeout, or a verifier's peer that left with its vote not cast.
    for (const id of [...this.verifying]) {
      const t = this.book.get(id)
      if (t === undefined) this.verifying.delete(id)
      else if (changed || (t.verifyBy !== undefined && now >= t.verifyBy)) this.settleVerification(t, now)
    }
    for (const t of [...this.book.values()]) {
      if (isTerminal(t.state)) {
        // A steward that left just after the task ended here may never have seen the end (the result
        // was on its way): the first in line records the outcome (recording is idempotent).
        if (changed && !t.finalRecorded && now - (t.endedAt ?? 0) < LATE_RECORD_MS && this.records(t)) this.recordOutcome(t)
        // Likewise a producer that left just after its result went out may never have written it to
        // the graph (its recorder gathers records for a second or more): the peers its last frame
        // missed would wait for it forever. The recorder of the outcome writes the result it holds
        // (idempotent too: a result the producer did write is left as it is).
        if (changed && this.producerLeftUnrecorded(t, now)) {
          t.resultRerecorded = true
          const p = t.producer!
          this.record('result', { taskId: t.id, attempt: p.attempt, producer: { peerId: p.peerId, agentId: p.agentId }, skillId: p.skillId, text: t.text, result: t.result!, startedAt: t.startedAt ?? t.finishedAt ?? now, finishedAt: t.finishedAt ?? now, ...(t.attest !== undefined ? { attest: t.attest } : {}), ...this.ranOnRecord(t) })
          this.timeline('result', this.peerId, `${t.id}: recorded the result of ${p.agentId} on ${short(p.peerId)}, which left just after sending it`, t.id)
        }
        // A mission canceled here whose steward left before it cancelled the parts (the cancel may
        // never have reached it): the first in line does.
        if (changed && t.state === 'canceled' && (t.mission !== undefined || t.parts !== undefined) && this.records(t)) this.cancelParts(t)
        // A failed mission reassembling (see reassembles) whose parts' verifications it waits for.
        if (t.mission !== undefined && !t.mission.finished && t.mission.verifyDeadline !== undefined && now >= t.mission.verifyDeadline) this.missionStep(t.id)
        continue
      }
      if (t.awardMissing !== undefined) this.lookUpAward(t, now)
      if (t.steward === this.peerId) {
        this.stewardDuties(t, now)
      } else {
        this.watchSteward(t, now)
      }
      if (t.mission !== undefined && !t.mission.finished && t.mission.verifyDeadline !== undefined && now >= t.mission.verifyDeadline) this.missionStep(t.id)
    }
    for (const [taskId, list] of [...this.pending]) {
      const fresh = list.filter(p => now - p.at < PENDING_TTL_MS)
      if (fresh.length !== list.length) {
        this.pendingCount -= list.length - fresh.length
        if (fresh.length === 0) this.pending.delete(taskId); else this.pending.set(taskId, fresh)
      }
      if (changed && this.book.has(taskId)) this.replayPending(taskId)
    }
  }

  private stewardDuties (t: Task, now: number): void {
    if (t.deadline !== undefined && now >= t.deadline) {
      if (!t.ending) {
        t.ending = true
        this.send('failure', { taskId: t.id, attempt: t.attempt, code: 'deadline', reason: 'the deadline passed', final: true, state: 'failed' })
      }
      return
    }
    if (t.resume !== undefined) {
      if (t.resume.reannounce) {
        // The bids of the attempt that was open went to the old page: announce the next one.
        if (this.live.size === 0 && now < t.resume.until) return
        t.resume = undefined
        this.attemptFailed(t, { attempt: t.attempt, code: 'lapsed', reason: 'the steward reloaded during the bid window' })
        return
      }
      if (now < t.resume.until) {
        if (t.lease !== undefined && isLapsed(t.lease, now)) t.resume = undefined
        else return
      } else {
        t.resume = undefined
      }
    }
    if (t.state === 'submitted' && t.award === undefined && t.windowTimer === undefined) {
      // A window this node inherited (takeover) or whose timer was lost: close it now.
      this.closeWindow(t, t.attempt)
      return
    }
    const lease = t.lease
    if (lease === undefined || (t.state !== 'working' && t.state !== 'input-required')) return
    const holderGone = lease.holder.peerId !== this.peerId && !this.live.has(lease.holder.peerId)
    if (holderGone || isLapsed(lease, now)) {
      const reason = holderGone ? `its peer ${short(lease.holder.peerId)} left` : `its lease lapsed (no heartbeat for ${now - lease.renewedAt} ms)`
      this.timeline('lapsed', this.peerId, `${t.id} attempt ${t.attempt}: ${lease.holder.agentId} ${reason}`, t.id)
      this.attemptFailed(t, { attempt: t.attempt, agent: lease.holder, code: holderGone ? 'left' : 'lapsed', reason: `${lease.holder.agentId}: ${reason}` })
    }
  }

  private watchSteward (t: Task, now: number): void {
    const rank = takeoverRank(this.peerId, t.steward, this.live)
    if (rank === null) { t.stewardGoneSince = undefined; return }
    t.stewardGoneSince ??= now
    if (now - t.stewardGoneSince < takeoverDelayMs(rank, this.opts.takeover)) return
    this.timeline('takeover', this.peerId, `${t.id}: steward ${short(t.steward)} left; this node takes over`, t.id)
    // The old steward's tab may have closed before its recorder wrote the task and its award (it
    // gathers records for a second or more): the outcome would wait for a thread nobody writes.
    // Recording is idempotent, so a thread that was written only gains the new steward.
    this.recordTask(t, now, t.steward)
    if (t.award !== undefined) this.record('award', { taskId: t.id, attempt: t.attempt, winner: t.award.winner, bids: t.award.bids, digest: t.award.digest, reason: t.award.reason, at: t.awardedAt ?? now })
    this.stewardTakenBy(t, this.peerId)
    t.retriedAttempt = Math.min(t.retriedAttempt, t.attempt - 1)
    if (t.state === 'submitted' && t.award === undefined) {
      this.closeWindow(t, t.attempt)
    } else {
      // The others learn of it from the award it holds, published again (its award, or its next
      // announce, would make it the steward everywhere, but a task that runs quietly has neither):
      // without it the next in line took over too, each in turn, and every one of them recorded
      // the outcome.
      if (t.award !== undefined && (t.state === 'working' || t.state === 'input-required')) this.send('award', t.award)
      this.stewardDuties(t, now)
    }
    if (t.mission !== undefined) this.missionStep(t.id)
  }

  // -------------------------------------------------------------------------------------------

  private snapshot (t: Task): TaskSnapshot {
    const last = t.producer ?? t.history[t.history.length - 1]
    const attempts: AttemptInfo[] = []
    for (let a = 1; a <= t.attempt; a++) {
      const h = [...t.history].reverse().find(x => x.attempt === a)
      const f = t.failures.find(x => x.attempt === a)
      const info: AttemptInfo = { attempt: a }
      if (h !== undefined) { info.agentId = h.agentId; info.peerId = h.peerId; info.skillId = h.skillId }
      if (t.producer?.attempt === a) info.outcome = 'completed'
      else if (t.superseded?.attempt === a) info.outcome = 'duplicate: also completed during a partition, not counted'
      else if (f !== undefined) info.outcome = `${f.code}: ${f.reason}`
      attempts.push(info)
    }
    const snap: TaskSnapshot = {
      id: t.id,
      text: t.text,
      state: t.state,
      attempt: t.attempt,
      attempts,
      steward: t.steward,
      owner: t.owner,
      questions: [...t.questions].map(([questionId, q]) => ({ questionId, ...q })),
      timings: { submittedAt: t.submittedAt, awardedAt: t.awardedAt, startedAt: t.startedAt, finishedAt: t.finishedAt, completedAt: t.completedAt, endedAt: isTerminal(t.state) ? t.endedAt : undefined }
    }
    if (t.input !== undefined) snap.input = t.input
    if (t.reason !== undefined) snap.reason = t.reason
    if (last !== undefined) { snap.agentId = last.agentId; snap.skillId = last.skillId; snap.peerId = last.peerId }
    if (t.result !== undefined) snap.result = t.result
    if (t.resultProblem !== undefined) snap.resultProblem = t.resultProblem
    if (t.resultPending !== undefined) { snap.resultPending = t.resultPending; snap.resultPendingSince = t.resultPendingSince }
    // A failed mission shows what its parts still delivered (the planner's plan is not a result).
    if (t.mission !== undefined && t.state === 'failed') {
      const partial = this.missionPartial(t.mission)
      if (partial !== undefined) snap.result = partial
    }
    if (t.verification !== undefined) {
      snap.verification = { status: t.verification.status, supporters: t.verification.supporters, disputes: t.verification.disputes }
      if (t.verification.reason !== undefined) snap.verification.reason = t.verification.reason
      if (t.verification.refused !== undefined) snap.verification.refused = t.verification.refused
      const abstained = t.votes.filter(v => v.vote === 'abstain').map(v => ({ peerId: v.peerId, agentId: v.agentId, reason: v.reason }))
      if (abstained.length > 0) snap.verification.abstained = abstained
    }
    if (t.missionId !== undefined) snap.missionId = t.missionId
    // A task that ended does not go on showing "running, 10%" (a deadline or a cancel stopped it mid-run).
    if (t.progress !== undefined && !isTerminal(t.state)) snap.progress = t.progress
    const m = t.mission
    if (m !== undefined) {
      snap.mission = {
        subtasks: m.dag.order.map(p => {
          const node = m.dag.nodes.get(p)!
          return { planId: p, taskId: m.taskIdOf.get(p)!, text: node.text, dependsOn: node.dependsOn, state: this.book.get(m.taskIdOf.get(p)!)?.state ?? 'pending' }
        }),
        group: this.missionGroup(t)
      }
    }
    // A mission listed from the graph: its plan and parts as recorded, and who delivered them.
    const rm = t.recordedMission
    if (m === undefined && rm?.dag !== undefined) {
      const dag = rm.dag
      const group = new Map<string, AgentRef>()
      snap.mission = {
        subtasks: dag.order.map(p => {
          const node = dag.nodes.get(p)!
          const taskId = partTaskId(t.id, node.index)
          const part = rm.parts.get(taskId)
          if (part?.completion !== undefined) group.set(bidKey(part.completion), { peerId: part.completion.peerId, agentId: part.completion.agentId })
          const state = part?.state !== undefined && (TASK_STATES as readonly string[]).includes(part.state) ? part.state as TaskState : 'pending'
          return { planId: p, taskId, text: node.text, dependsOn: node.dependsOn, state }
        }),
        group: [...group.values()]
      }
    }
    return snap
  }
}

/** A task's identity and state; everything else of a new book entry starts empty. */
type TaskSeed = Pick<Task, 'id' | 'text' | 'quorum' | 'owner' | 'steward' | 'attempt' | 'excluded' | 'state' | 'submittedAt'> & Partial<Task>

/** A new book entry: no bids, no awards yet, nothing recorded, `seed` on top. */
/** The time zone this runtime runs in, if it says. */
function runtimeTimeZone (): string | undefined {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    return isTimeZoneName(zone) ? zone : undefined
  } catch {
    return undefined
  }
}

function newTask (seed: TaskSeed): Task {
  return {
    bids: new Map(), myBids: new Map(), expected: new Set(), responded: new Set(), windowOpenedAt: seed.submittedAt, windowMs: 0,
    history: [], failures: [], retriedAttempt: 0, votes: [], questions: new Map(), finalRecorded: false,
    ...seed
  }
}

/** What a task recorded in the graph gives its book entry, ended (importTask) or taken up again (resumeTask). */
function recordedSeed (r: RecordedTask): Omit<TaskSeed, 'steward' | 'state'> {
  return {
    id: r.taskId, text: r.text, missionId: r.missionId, quorum: 0, owner: r.steward, attempt: r.attempt, excluded: [], submittedAt: r.submittedAt,
    history: r.history.map(h => ({ ...h })),
    failures: r.failures.map(f => ({ attempt: f.attempt, agent: f.agent, code: f.code as FailureCode, reason: f.reason }))
  }
}

/** Votes that gave no verdict, in a few words: "2 abstained, 1 voted too weakly to count". */
function tally (votes: readonly Vote[]): string {
  const n = { abstained: 0, weak: 0 }
  for (const v of votes) {
    if (v.vote === 'abstain') n.abstained++
    else n.weak++
  }
  return [n.abstained > 0 ? `${n.abstained} abstained` : '', n.weak > 0 ? `${n.weak} voted too weakly to count` : ''].filter(x => x !== '').join(', ') || 'no votes'
}
