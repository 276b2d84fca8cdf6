/**
 * Whether a result entity in the graph is what its producer signed (coord/attest.ts), and whether
 * the verdict on it is what its voters signed (coord/verification-record.ts), for the entity's
 * detail: a person looking at a recorded answer, or at the fact a verification made of it, sees
 * whether it can be trusted to be the producer's and the verifiers', or was written or altered by
 * someone else; and, for any entity, whether its status is what signed attestations prove.
 */
import { resultEntityClaim, type ResultEntityLike } from '../../coord/attest.ts'
import { EntityProofs, type EntityProof, type ResultVerdict } from '../../coord/entity-proof.ts'
import { shortPeer } from '../../coord/graph-record-ids.ts'
import type { Entity } from '../../graph/schema.ts'

export { claimsStatus, verdictThread, type EntityProof, type ResultVerdict } from '../../coord/entity-proof.ts'

const proofs = new EntityProofs()

export interface ResultSignature { ok: boolean, text: string }

type Recorded = ResultEntityLike & { id?: string, tags?: string[] }

/** Undefined for an entity that is not a recorded result. */
export function resultSignature (e: Recorded): ResultSignature | undefined {
  if (!(e.tags ?? []).includes('result')) return undefined
  const claim = resultEntityClaim(e)
  if (claim === undefined) return undefined
  const v = proofs.results.check(claim)
  return v.ok
    ? { ok: true, text: `signed by its producer, ${shortPeer(claim.peerId)}` }
    : { ok: false, text: `not taken as the producer's: ${v.detail}` }
}

/**
 * The verdict on a recorded result or the fact made of it, as far as its signed votes prove it
 * (coord/entity-proof.ts); undefined for any other entity.
 */
export function resultVerdict (e: Recorded, get: (id: string) => Recorded | undefined): ResultVerdict | undefined {
  return proofs.resultVerdict(e, get)
}

/** The status the signatures on `e` prove, and why it differs from the written one if it does. */
export function statusProof (e: Entity, get: (id: string) => Entity | undefined): EntityProof {
  return proofs.prove(e, get)
}
