/**
 * Verification of a result by verifier agents on other peers. Votes from the producer's own peer
 * never count (a peer cannot vouch for itself), and each peer counts once however many of its
 * agents vote.
 *  - `disputed` as soon as one well-founded dispute arrives: from another peer, with a reason and
 *    at least `minConfidence` (a dispute raises a conflict in the graph for people to look at);
 *  - else `verified` once `quorum` distinct peers support it with at least `minConfidence`;
 *  - else `pending`.
 * The engine adds `unverified` (never returned here: it depends on who is present): pending with no
 * vote still to come (every verifier on a present peer but the producer's has voted, or there is
 * none), or no verdict within the verification timeout. A later vote can still settle it.
 */

export interface Vote {
  peerId: string
  agentId: string
  vote: 'support' | 'dispute' | 'abstain'
  confidence: number
  reason: string
  evidence?: string[]
  /** The voter's signature over the vote and the result it judged (attest.ts `VoteClaim`). */
  attest?: string
}

export interface QuorumRule {
  quorum: number
  producerPeerId: string
  minConfidence: number
}

export const DEFAULT_VOTE_MIN_CONFIDENCE = 0.5

export type VerificationStatus = 'pending' | 'verified' | 'disputed' | 'unverified'

export interface VerificationOutcome {
  status: VerificationStatus
  /** Distinct supporting peers that count (sorted). */
  supporters: string[]
  /** Well-founded disputes. */
  disputes: Vote[]
  /** Why a result is `unverified` (only then). */
  reason?: string
}

/** Who may vouch for a result, and how sure a vote must be to count. */
export type VoteRule = Pick<QuorumRule, 'producerPeerId' | 'minConfidence'>

export function isWellFoundedDispute (v: Vote, rule: VoteRule): boolean {
  return v.vote === 'dispute' && v.peerId !== rule.producerPeerId && v.reason.trim().length > 0 && v.confidence >= rule.minConfidence
}

/** A support that counts towards the quorum: from another peer than the producer's, sure enough. */
export function isCountingSupport (v: Vote, rule: VoteRule): boolean {
  return v.vote === 'support' && v.peerId !== rule.producerPeerId && v.confidence >= rule.minConfidence
}

export function verificationStatus (votes: readonly Vote[], rule: QuorumRule): VerificationOutcome {
  const disputes = votes.filter(v => isWellFoundedDispute(v, rule))
  const supporters = [...new Set(votes.filter(v => isCountingSupport(v, rule)).map(v => v.peerId))].sort()
  if (disputes.length > 0) return { status: 'disputed', supporters, disputes }
  if (rule.quorum > 0 && supporters.length >= rule.quorum) return { status: 'verified', supporters, disputes }
  return { status: 'pending', supporters, disputes }
}
