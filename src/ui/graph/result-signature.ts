/**
 * Whether a result entity in the graph is what its producer signed (coord/attest.ts), for the
 * entity's detail: a person looking at a recorded answer sees whether it can be trusted to be the
 * producer's, or was written or altered by someone else.
 */
import { ResultAttestations, resultEntityClaim, type ResultEntityLike } from '../../coord/attest.ts'
import { shortPeer } from '../../coord/graph-record-ids.ts'

const checker = new ResultAttestations()

export interface ResultSignature { ok: boolean, text: string }

/** Undefined for an entity that is not a recorded result. */
export function resultSignature (e: ResultEntityLike & { tags?: string[] }): ResultSignature | undefined {
  if (!(e.tags ?? []).includes('result')) return undefined
  const claim = resultEntityClaim(e)
  if (claim === undefined) return undefined
  const v = checker.check(claim)
  return v.ok
    ? { ok: true, text: `signed by its producer, ${shortPeer(claim.peerId)}` }
    : { ok: false, text: `not taken as the producer's: ${v.detail}` }
}
