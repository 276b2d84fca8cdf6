/**
 * A task's verification read back from the graph (docs/protocol.md, "Signed results in the graph"):
 * what a tab that lists a task it did not see end (`importTask`) shows of its verdict.
 *
 * The steward records a verification on the task's thread (`data.verification`): the status, the
 * supporting peers, the disputes, and the votes that decided it, each with its voter's attestation
 * (attest.ts `VoteClaim`, signed over the producer's attestation of the result judged). The thread
 * is a document every member of the room can write, so the status and the supporters are claims;
 * the signed votes are what proves them. `readVerification` (pure) takes the claim only as far as the
 * signatures carry it:
 * - `verified`: every supporter it names must have a signed support (confidence at least the rule's)
 *   on this result; a claim naming no supporter, or one whose supporter has no signed vote, is not
 *   taken: the result shows as `unverified`, with what the record lacks;
 * - `disputed`: at least one signed, well-founded dispute on this result, else not taken (as above);
 * - a signed, well-founded dispute makes the result `disputed` whatever the record's status says (one
 *   dispute is enough, as on the message path: quorum.ts);
 * - `pending` and `unverified` claim nothing: shown as recorded, with only the supporters whose
 *   signed votes hold.
 * A recorded vote whose signature does not hold is dropped and named. A verification of another
 * attempt's result (after a partition merge the completion moved), or of a result this tab did not
 * take, is not shown at all: there is no result here for it to be about.
 *
 * What it cannot prove: that no vote was removed (a member that deletes a recorded dispute leaves a
 * verification that names fewer voters, which reads as what it names), and the quorum the task asked
 * for (not in the graph: a verified claim is checked against the supporters it names).
 */
import type { AttestProblem, AttestVerdict, VoteClaim } from './attest.ts'
import { isRecord } from '../graph/schema.ts'
import { shortPeer } from './graph-record-ids.ts'
import { isCountingSupport, isWellFoundedDispute, type VerificationStatus, type Vote } from './quorum.ts'

/** Votes a verification record keeps at most (deciding votes first: supporters, then disputes). */
export const MAX_RECORDED_VOTES = 16
/** Bytes of votes (as JSON) a verification record keeps beyond its first vote: the thread's data is bounded. */
export const MAX_RECORDED_VOTE_BYTES = 12 * 1024

/** A verification as the graph records it (graph-recorder.ts `recordedTask`). */
export interface RecordedVerification {
  status: VerificationStatus
  supporters: string[]
  disputes: Vote[]
  reason?: string
  /** The attempt whose result it is about. */
  attempt?: number
  /** The votes that decided it, with their attestations (none in records written before votes were signed). */
  votes?: Vote[]
}

/** The task's signed result, which the votes must be about. */
export interface VerifiedResult {
  taskId: string
  attempt: number
  producerPeerId: string
  /** The producer's attestation of the result (undefined: this tab took no signed result). */
  resultAttest?: string
  minConfidence: number
}

export interface ShownVerification {
  status: VerificationStatus
  supporters: string[]
  disputes: Vote[]
  reason?: string
  /** Why the record's verdict was not taken (then `status` is what the signed votes support). */
  refused?: string
}

export interface VerificationReading {
  /** Undefined: nothing to show (no record, or one about another result). */
  shown?: ShownVerification
  /** Recorded votes whose attestation does not hold (dropped). */
  badVotes: Array<{ vote: Vote, problem: AttestProblem, detail: string }>
}

const asObject = (value: unknown): Record<string, unknown> => isRecord(value) ? value : {}

/** A recorded vote read back; undefined for an entry that is not one (a malformed or foreign record). */
function voteOf (value: unknown): Vote | undefined {
  const o = asObject(value)
  const { peerId, agentId, vote, confidence, reason, attest } = o
  if (typeof peerId !== 'string' || typeof agentId !== 'string' || typeof confidence !== 'number' || typeof reason !== 'string') return undefined
  if (vote !== 'support' && vote !== 'abstain' && vote !== 'dispute') return undefined
  const evidence = Array.isArray(o.evidence) ? o.evidence : []
  if (!evidence.every(x => typeof x === 'string')) return undefined
  return { peerId, agentId, vote, confidence, reason, evidence: evidence as string[], ...(typeof attest === 'string' ? { attest } : {}) }
}

/** A verdict as a thread's `data.verification` holds it (graph-recorder.ts writes it); undefined when it is none. */
export function parseRecordedVerification (value: unknown): RecordedVerification | undefined {
  const v = asObject(value)
  if (v.status !== 'verified' && v.status !== 'disputed' && v.status !== 'pending' && v.status !== 'unverified') return undefined
  const r: RecordedVerification = { status: v.status, supporters: (Array.isArray(v.supporters) ? v.supporters : []).filter((x): x is string => typeof x === 'string'), disputes: [] }
  if (v.status === 'unverified' && typeof v.reason === 'string') r.reason = v.reason
  if (typeof v.attempt === 'number' && Number.isFinite(v.attempt)) r.attempt = v.attempt
  const votes = (Array.isArray(v.votes) ? v.votes : []).slice(0, MAX_RECORDED_VOTES).map(voteOf).filter((x): x is Vote => x !== undefined)
  if (votes.length > 0) r.votes = votes
  return r
}

/** Checks the record `v` of `task`'s verification against its signed votes; see the module's doc. */
export function readVerification (v: RecordedVerification, task: VerifiedResult, check: (c: VoteClaim & { peerId: string, attest?: string }) => AttestVerdict): VerificationReading {
  if (task.resultAttest === undefined || (v.attempt !== undefined && v.attempt !== task.attempt)) return { badVotes: [] }
  const resultAttest = task.resultAttest
  const badVotes: VerificationReading['badVotes'] = []
  const good: Vote[] = []
  for (const vote of (v.votes ?? []).slice(0, MAX_RECORDED_VOTES)) {
    const verdict = check({ ...vote, taskId: task.taskId, attempt: task.attempt, resultAttest })
    if (verdict.ok) good.push(vote)
    else badVotes.push({ vote, problem: verdict.problem, detail: verdict.detail })
  }
  const rule = { producerPeerId: task.producerPeerId, minConfidence: task.minConfidence }
  const proven = new Set(good.filter(x => isCountingSupport(x, rule)).map(x => x.peerId))
  const disputes = good.filter(x => isWellFoundedDispute(x, rule))
  const claimed = [...new Set(v.supporters)]
  const supporters = claimed.filter(p => proven.has(p)).sort()
  if (disputes.length > 0) {
    const refused = v.status === 'disputed' ? undefined : `the graph records it ${v.status}, but holds a signed dispute of it by ${disputes.map(d => `${d.agentId} on ${shortPeer(d.peerId)}`).join(', ')}`
    return { shown: { status: 'disputed', supporters, disputes, ...(refused !== undefined ? { refused } : {}) }, badVotes }
  }
  let refused: string | undefined
  if (v.status === 'verified') {
    const unsigned = claimed.filter(p => !proven.has(p))
    if (claimed.length === 0) refused = 'the graph records it verified, but names no supporter'
    else if (unsigned.length > 0) refused = `the graph records it verified by ${claimed.map(shortPeer).join(', ')}, but holds no signed support of this result by ${unsigned.map(shortPeer).join(', ')}`
  } else if (v.status === 'disputed') {
    refused = 'the graph records it disputed, but holds no signed dispute of this result'
  }
  if (refused !== undefined) return { shown: { status: 'unverified', supporters, disputes: [], reason: refused, refused }, badVotes }
  return { shown: { status: v.status, supporters, disputes: [], ...(v.reason !== undefined ? { reason: v.reason } : {}) }, badVotes }
}
