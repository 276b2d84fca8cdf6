/**
 * Signed attestations: who verified, disputed or retracted an entity, proven by that peer's key.
 *
 * The graph is a document every member of the room can write, so an attestation's `peerId` is only
 * what its writer typed: a member can write "verified by …c41e" in another peer's name, or set an
 * entity's status to `verified` with no attestation at all. A tab that verifies, disputes or
 * retracts as itself therefore signs the attestation with its peer key (net/peer-signature.ts),
 * over a statement of what it attests and of the entity as it then stood:
 *
 *   meshwork-attest/1\n{"agentId","at","claim","entity","list","peerId","reason"}   (canonical JSON)
 *
 * `claim` is a digest of the entity's kind, title and text: an attestation vouches for those, so a
 * later edit of the text leaves it unproven for the new text. A reader rebuilds the statement from
 * what it reads and checks the signature against the public key the peer id embeds.
 *
 * {@link provenStatus} is the status the proven attestations alone give (deriveStatus over them):
 * what the entity's written `status` would be if nobody could write in another's name. Results the
 * mesh's verification recorded are proven differently (their voters' signed votes on the task's
 * thread, coord/result-verdict.ts); coord/entity-proof.ts combines both.
 */
import { canonicalJson } from '../net/canonical-json.ts'
import { PeerStatements, signStatement, type SyncSigner } from '../net/peer-signature.ts'
import { sha256Hex } from './hash.ts'
import { deriveStatus, type Attestation, type Entity, type EntityStatus } from './schema.ts'

export const ATTEST_STATEMENT_PREFIX = 'meshwork-attest/1\n'

/** Where an attestation sits on its entity. */
export type AttestedAs = 'verifiedBy' | 'disputedBy' | 'retraction'

/** The part of an entity an attestation vouches for. */
export type AttestedClaim = Pick<Entity, 'id' | 'kind' | 'text'> & { title?: string | undefined }

/** A digest of what the entity states (kind, title, text), 32 hex characters. */
export function claimDigest (e: AttestedClaim): string {
  return sha256Hex(canonicalJson({ kind: e.kind, text: e.text, title: e.title ?? null }), 32)
}

/** The statement an attestation's signature is over (its `sig`, if any, is not part of it). */
export function attestationStatement (e: AttestedClaim, as: AttestedAs, a: Attestation): string {
  return ATTEST_STATEMENT_PREFIX + canonicalJson({
    agentId: a.agentId ?? null,
    at: a.at,
    claim: claimDigest(e),
    entity: e.id,
    list: as,
    peerId: a.peerId,
    reason: a.reason ?? null
  })
}

/** `a` with its peer's signature over what it attests of `e` (`a.peerId` must be the signer's peer). */
export function signAttestation (e: AttestedClaim, as: AttestedAs, a: Attestation, sign: SyncSigner): Attestation {
  return { ...a, sig: signStatement(attestationStatement(e, as, a), sign) }
}

/** Why an attestation does not prove what it says. */
export type UnprovenWhy = 'unsigned' | 'bad-peer-id' | 'bad-signature'

export interface AttestationCheck {
  as: AttestedAs
  attestation: Attestation
  /** Undefined when it holds. */
  why?: UnprovenWhy
}

export interface ProvenStatus {
  /** The status the proven attestations give. */
  status: EntityStatus
  /** The status the entity's record states. */
  written: EntityStatus
  /** Every attestation on the entity, checked. */
  checks: AttestationCheck[]
}

/** Checks attestations' signatures (keys and verdicts cached, bounded). */
export class AttestationChecker {
  readonly #statements: PeerStatements

  constructor (statements = new PeerStatements()) {
    this.#statements = statements
  }

  /** Signature verifications actually run (not answered from the cache). */
  get verifications (): number { return this.#statements.verifications }

  check (e: AttestedClaim, as: AttestedAs, a: Attestation): UnprovenWhy | undefined {
    if (a.sig === undefined) return 'unsigned'
    const v = this.#statements.verify(a.peerId, attestationStatement(e, as, a), a.sig)
    return v.ok ? undefined : v.problem
  }

  /** The entity's status as far as signed attestations prove it. */
  provenStatus (e: Entity): ProvenStatus {
    const checks: AttestationCheck[] = []
    const look = (as: AttestedAs, a: Attestation): boolean => {
      const why = this.check(e, as, a)
      checks.push(why === undefined ? { as, attestation: a } : { as, attestation: a, why })
      return why === undefined
    }
    const verifiedBy = e.verifiedBy.filter(a => look('verifiedBy', a))
    const disputedBy = e.disputedBy.filter(a => look('disputedBy', a))
    const retraction = e.retraction !== undefined && look('retraction', e.retraction) ? e.retraction : undefined
    return { status: deriveStatus({ verifiedBy, disputedBy, retraction }), written: e.status, checks }
  }
}
