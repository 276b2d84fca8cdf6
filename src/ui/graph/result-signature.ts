/**
 * Whether a result entity in the graph is what its producer signed (coord/attest.ts), and whether
 * the verdict on it is what its voters signed (coord/verification-record.ts), for the entity's
 * detail: a person looking at a recorded answer, or at the fact a verification made of it, sees
 * whether it can be trusted to be the producer's and the verifiers', or was written or altered by
 * someone else. (The entity's own status and its "Verified by" list are written by the steward and
 * not signed.)
 */
import { ResultAttestations, resultEntityClaim, type ResultEntityLike } from '../../coord/attest.ts'
import { resultIdParts, shortPeer } from '../../coord/graph-record-ids.ts'
import { DEFAULT_VOTE_MIN_CONFIDENCE } from '../../coord/quorum.ts'
import { parseRecordedVerification, readVerification } from '../../coord/verification-record.ts'

const checker = new ResultAttestations()

export interface ResultSignature { ok: boolean, text: string }

type Recorded = ResultEntityLike & { id?: string, tags?: string[] }

/** Undefined for an entity that is not a recorded result. */
export function resultSignature (e: Recorded): ResultSignature | undefined {
  if (!(e.tags ?? []).includes('result')) return undefined
  const claim = resultEntityClaim(e)
  if (claim === undefined) return undefined
  const v = checker.check(claim)
  return v.ok
    ? { ok: true, text: `signed by its producer, ${shortPeer(claim.peerId)}` }
    : { ok: false, text: `not taken as the producer's: ${v.detail}` }
}

/** `ok` undefined: neither proven nor refuted (no verdict yet, or none is to come). */
export interface ResultVerdict { ok?: boolean, text: string }

/**
 * The verdict on a recorded result (`result:<key>:<n>`, a hypothesis) or on the fact its verification
 * made of it (tags `result, verified`, `data.result` naming the hypothesis), as far as the signed votes
 * recorded on its task's thread prove it. `get` reads an entity of the graph. Undefined for any other
 * entity, and for a result with no verdict recorded that claims none.
 */
export function resultVerdict (e: Recorded, get: (id: string) => Recorded | undefined): ResultVerdict | undefined {
  const tags = e.tags ?? []
  if (!tags.includes('result')) return undefined
  const isFact = e.kind === 'fact' && tags.includes('verified')
  const rid = isFact ? (typeof e.data?.result === 'string' ? e.data.result : undefined) : e.kind === 'hypothesis' ? e.id : undefined
  const parts = rid !== undefined ? resultIdParts(rid) : undefined
  if (parts === undefined) return isFact ? { ok: false, text: 'names no recorded result it was made from' } : undefined
  const hyp = isFact ? get(rid!) : e
  const claim = hyp !== undefined ? resultEntityClaim(hyp) : undefined
  const recorded = parseRecordedVerification(get(parts.thread)?.data?.verification)
  if (recorded === undefined || (recorded.attempt !== undefined && recorded.attempt !== parts.attempt)) {
    return isFact ? { ok: false, text: `no verdict on ${rid!} is recorded on its task's thread` } : undefined
  }
  if (claim === undefined) return { ok: false, text: `${rid!} is not in this graph, so no verdict on it can be checked` }
  const signed = checker.check(claim)
  const reading = readVerification(recorded, { taskId: claim.taskId, attempt: parts.attempt, producerPeerId: claim.peerId, resultAttest: signed.ok ? claim.attest : undefined, minConfidence: DEFAULT_VOTE_MIN_CONFIDENCE }, c => checker.checkVote(c))
  const shown = reading.shown
  const bad = reading.badVotes.length > 0 ? `; ${reading.badVotes.length} recorded vote${reading.badVotes.length === 1 ? ' does' : 's do'} not check` : ''
  if (shown === undefined) return { ok: false, text: `the result is not what its producer signed, so no verdict on it counts${bad}` }
  if (shown.refused !== undefined) return { ok: false, text: `not proven: ${shown.refused}${bad}` }
  if (shown.status === 'verified') return { ok: true, text: `verified by ${shown.supporters.map(shortPeer).join(', ')}: their signed votes check${bad}` }
  if (shown.status === 'disputed') return { ok: true, text: `disputed by ${shown.disputes.map(d => `${d.agentId} on ${shortPeer(d.peerId)}`).join(', ')}: the signed dispute checks${bad}` }
  return { text: `${shown.status}${shown.reason !== undefined ? `: ${shown.reason}` : ''}${bad}` }
}
