/**
 * What an entity's status is worth: the status that signatures prove, next to the one its record
 * states. Anyone in the room can write the graph, so a written `verified` proves nothing by itself.
 *
 * Two kinds of proof:
 * - A result the mesh verified (`result:<key>:<n>`, a hypothesis, and the fact its verification made
 *   of it): its verdict must be what its voters signed (the votes recorded on its task's thread,
 *   verification-record.ts) about what its producer signed (attest.ts). {@link resultVerdict}.
 * - Any entity: attestations signed by the peers they name, over the entity's claim as it stood
 *   (graph/attestation-proof.ts): a person's Verify, Dispute or Retract in the Graph tab, or through
 *   `meshwork.graph`.
 *
 * Agents read the proven status (app/agents-boot.ts: what the researcher cites as verified, what
 * the verifier weighs a claim against); the Graph tab shows both and says why they differ.
 */
import { AttestationChecker } from '../graph/attestation-proof.ts'
import type { Entity, EntityStatus } from '../graph/schema.ts'
import { ResultAttestations, resultEntityClaim, type ResultEntityLike } from './attest.ts'
import { resultIdParts, shortPeer } from './graph-record-ids.ts'
import { DEFAULT_VOTE_MIN_CONFIDENCE } from './quorum.ts'
import { parseRecordedVerification, readVerification } from './verification-record.ts'

type Recorded = ResultEntityLike & { id?: string, tags?: string[] }

/**
 * `ok` undefined: neither proven nor refuted (no verdict yet, or none is to come). `status`: the
 * verdict the signed votes prove (set only when `ok` is true).
 */
export interface ResultVerdict { ok?: boolean, text: string, status?: 'verified' | 'disputed' }

/**
 * Whether an entity claims anything a proof must check: a status other than proposed, an
 * attestation, or a result's verdict. One that claims nothing is proposed, proven or not.
 */
export function claimsStatus (e: Pick<Entity, 'status' | 'verifiedBy' | 'disputedBy' | 'tags'>): boolean {
  return e.status !== 'proposed' || e.verifiedBy.length > 0 || e.disputedBy.length > 0 || (e.tags ?? []).includes('result')
}

/**
 * Which recorded result a result entity's verdict is about: its own id (the hypothesis) or, for the
 * fact its verification made of it, the one `data.result` names. Undefined for any other entity.
 */
function resultRead (e: Recorded): { isFact: boolean, rid?: string } | undefined {
  const tags = e.tags ?? []
  if (!tags.includes('result')) return undefined
  const isFact = e.kind === 'fact' && tags.includes('verified')
  const rid = isFact ? (typeof e.data?.result === 'string' ? e.data.result : undefined) : e.kind === 'hypothesis' ? e.id : undefined
  return rid === undefined ? { isFact } : { isFact, rid }
}

/** The task thread whose recorded verdict a result entity's proof reads (it may sync after the entity), or undefined. */
export function verdictThread (e: Recorded): string | undefined {
  const rid = resultRead(e)?.rid
  return rid === undefined ? undefined : resultIdParts(rid)?.thread
}

/** Checks entities' proofs; keeps the signature caches of both kinds. */
export class EntityProofs {
  readonly results = new ResultAttestations()
  readonly attestations = new AttestationChecker()

  /**
   * The verdict on a recorded result (`result:<key>:<n>`, a hypothesis) or on the fact its verification
   * made of it (tags `result, verified`, `data.result` naming the hypothesis), as far as the signed votes
   * recorded on its task's thread prove it. `get` reads an entity of the graph. Undefined for any other
   * entity, and for a result with no verdict recorded that claims none.
   */
  resultVerdict (e: Recorded, get: (id: string) => Recorded | undefined): ResultVerdict | undefined {
    const read = resultRead(e)
    if (read === undefined) return undefined
    const { isFact, rid } = read
    const parts = rid !== undefined ? resultIdParts(rid) : undefined
    if (parts === undefined) return isFact ? { ok: false, text: 'names no recorded result it was made from' } : undefined
    const hyp = isFact ? get(rid!) : e
    const claim = hyp !== undefined ? resultEntityClaim(hyp) : undefined
    const recorded = parseRecordedVerification(get(parts.thread)?.data?.verification)
    if (recorded === undefined || (recorded.attempt !== undefined && recorded.attempt !== parts.attempt)) {
      return isFact ? { ok: false, text: `no verdict on ${rid!} is recorded on its task's thread` } : undefined
    }
    if (claim === undefined) return { ok: false, text: `${rid!} is not in this graph, so no verdict on it can be checked` }
    const signed = this.results.check(claim)
    const reading = readVerification(recorded, { taskId: claim.taskId, attempt: parts.attempt, producerPeerId: claim.peerId, resultAttest: signed.ok ? claim.attest : undefined, minConfidence: DEFAULT_VOTE_MIN_CONFIDENCE }, c => this.results.checkVote(c))
    const shown = reading.shown
    const bad = reading.badVotes.length > 0 ? `; ${reading.badVotes.length} recorded vote${reading.badVotes.length === 1 ? ' does' : 's do'} not check` : ''
    if (shown === undefined) return { ok: false, text: `the result is not what its producer signed, so no verdict on it counts${bad}` }
    if (shown.refused !== undefined) return { ok: false, text: `not proven: ${shown.refused}${bad}` }
    if (shown.status === 'verified') return { ok: true, status: 'verified', text: `verified by ${shown.supporters.map(shortPeer).join(', ')}: their signed votes check${bad}` }
    if (shown.status === 'disputed') return { ok: true, status: 'disputed', text: `disputed by ${shown.disputes.map(d => `${d.agentId} on ${shortPeer(d.peerId)}`).join(', ')}: the signed dispute checks${bad}` }
    return { text: `${shown.status}${shown.reason !== undefined ? `: ${shown.reason}` : ''}${bad}` }
  }

  /** `e`'s status as signatures prove it; `get` reads other entities of the graph (a result's thread). */
  prove (e: Entity, get: (id: string) => Entity | undefined): EntityProof {
    const signed = this.attestations.provenStatus(e)
    const verdict = this.resultVerdict(e, get)
    let status = signed.status
    // A verdict of the mesh's signed votes stands unless the entity was retracted, or (verified) a
    // peer's signed dispute came on top of it.
    if (status !== 'retracted' && verdict?.status !== undefined && !(verdict.status === 'verified' && status === 'disputed')) status = verdict.status
    const written = e.status
    const by = (as: 'verifiedBy' | 'disputedBy' | 'retraction'): string[] =>
      [...new Set(signed.checks.filter(c => c.as === as && c.why === undefined).map(c => shortPeer(c.attestation.peerId)))]
    const proof = (): string => {
      if (status === 'retracted') return `retracted by ${by('retraction').join(', ')}: the signature checks`
      if (verdict?.status === status) return verdict.text
      const names = by(status === 'verified' ? 'verifiedBy' : 'disputedBy')
      return `${status} by ${names.join(', ')}: ${names.length === 1 ? 'the signature checks' : 'their signatures check'}`
    }
    if (status === written) {
      if (status === 'proposed') return { status, written, text: verdict?.text ?? 'proposed: nobody has verified or disputed it' }
      return { status, written, ok: true, text: proof() }
    }
    const failed = signed.checks.filter(c => c.why !== undefined).map(c => {
      const who = `the ${c.as === 'verifiedBy' ? 'verification' : c.as === 'disputedBy' ? 'dispute' : 'retraction'} in ${shortPeer(c.attestation.peerId)}'s name`
      return c.why === 'unsigned' ? `${who} is not signed`
        : c.why === 'bad-peer-id' ? `${who} names no Ed25519 peer, so nothing can prove it`
          : `${who} is not what that peer signed (the entity was changed since, or the signature is forged)`
    })
    const why = [verdict?.ok === false ? verdict.text : undefined, ...failed].filter((x): x is string => x !== undefined)
    const reading = status === 'proposed' ? 'agents read it as proposed' : `agents read it as ${status} (${proof()})`
    return { status, written, ok: false, text: `written as ${written}, but ${why.length > 0 ? why.join('; ') : 'no signed attestation says so'}: ${reading}` }
  }
}

export interface EntityProof {
  /** The status signatures prove. */
  status: EntityStatus
  /** The status the entity's record states. */
  written: EntityStatus
  /** true: the written status is proven; false: it claims what no signature proves; undefined: it claims nothing (proposed). */
  ok?: boolean
  /** What the proof rests on, or why the written status is not taken, for a person to read. */
  text: string
}
