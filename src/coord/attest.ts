/**
 * Result attestations: a producer's signature over what its agent produced, kept with the result in
 * the graph (docs/protocol.md, "Signed results in the graph").
 *
 * Protocol messages are signed (signing.ts), but the graph is a shared document every member of the
 * room can write: a member could put a made-up result into a task's record and name the awarded
 * agent as its producer. A tab that takes a result from the graph instead of from its message (a
 * steward that reloaded, a partition merge, a tab listing a task that ended while it was away) would
 * then show it as the task's answer. So the producer signs a statement of the result with its peer
 * key, the statement travels in the result message (`attest`) and is stored with the result
 * entity, and a result read from the graph counts only when the signature of the peer it names
 * verifies over the statement rebuilt from the record.
 *
 * The statement: `meshwork-result/1\n` + canonical JSON of `{ taskId, attempt, agentId, skillId,
 * result }` (canonical-json.ts: equal values give equal bytes, so it survives the graph's JSON round
 * trip). The signer's public key is the one its Ed25519 peer id embeds.
 *
 * Verification is synchronous (net/peer-signature.ts), about 1-2 ms, and runs only where a result
 * comes from the graph, never on the message path. Verdicts are cached per signature.
 *
 * Votes are attested the same way (`meshwork-vote/1\n` + canonical JSON of {@link VoteClaim}): a
 * verifier signs its vote over the producer's attestation of the result it judged, so a vote counts
 * for that one result only. The steward records the votes that decided a verification with it, and a
 * tab that lists the task from the graph takes a verdict only as far as those signatures carry it
 * (verification-record.ts). Votes are few (one per verifier per checked result), so every node also
 * checks a vote's attestation when its message arrives: a vote the graph would refuse never counts.
 */
import type { AgentResult } from '../agents/types.ts'
import { canonicalJson } from '../net/canonical-json.ts'
import { encodeSignature, PeerStatements } from '../net/peer-signature.ts'
import { shortPeer } from './graph-record-ids.ts'
import { utf8Bytes } from './messages.ts'
import type { Signer } from './signing.ts'

export const RESULT_STATEMENT_PREFIX = 'meshwork-result/1\n'
export const VOTE_STATEMENT_PREFIX = 'meshwork-vote/1\n'

/** What a producer attests: one attempt's result, by one agent, with one skill. */
export interface ResultClaim {
  taskId: string
  attempt: number
  agentId: string
  skillId: string
  result: AgentResult
}

/** The statement a producer signs for `claim`, as text. */
function statementText (claim: ResultClaim): string {
  const { taskId, attempt, agentId, skillId, result } = claim
  return RESULT_STATEMENT_PREFIX + canonicalJson({ taskId, attempt, agentId, skillId, result })
}

/** The bytes a producer signs for `claim`. */
export function resultStatement (claim: ResultClaim): Uint8Array {
  return utf8Bytes(statementText(claim))
}

/** Signs `claim` with this node's key; the signature in base64url (SIGNATURE_LENGTH characters). */
export async function attestResult (claim: ResultClaim, sign: Signer): Promise<string> {
  return encodeSignature(await sign(resultStatement(claim)))
}

/**
 * What a verifier attests: its agent's vote on one attempt's result, the result named by its
 * producer's attestation (`resultAttest`), which binds the vote to that result's exact content.
 */
export interface VoteClaim {
  taskId: string
  attempt: number
  resultAttest: string
  agentId: string
  vote: 'support' | 'abstain' | 'dispute'
  confidence: number
  reason: string
  evidence?: readonly string[]
}

function voteText (c: VoteClaim): string {
  const { taskId, attempt, resultAttest, agentId, vote, confidence, reason } = c
  return VOTE_STATEMENT_PREFIX + canonicalJson({ taskId, attempt, resultAttest, agentId, vote, confidence, reason, evidence: [...(c.evidence ?? [])] })
}

/** The bytes a verifier signs for its vote (no evidence and an empty list state the same). */
export function voteStatement (c: VoteClaim): Uint8Array {
  return utf8Bytes(voteText(c))
}

/** Signs a vote with this node's key; the signature in base64url. */
export async function attestVote (c: VoteClaim, sign: Signer): Promise<string> {
  return encodeSignature(await sign(voteStatement(c)))
}

/**
 * Why a recorded result does not count:
 * - `unsigned`: the record carries no attestation (written by a peer that does not sign, or forged);
 * - `truncated`: the result was too large for the graph and was stored cut, so it is not what was signed;
 * - `bad-peer-id`: the producer named is not an Ed25519 peer id;
 * - `bad-signature`: the attestation does not verify: the result, attempt, agent or skill recorded is
 *   not what the named producer signed.
 */
export type AttestProblem = 'unsigned' | 'truncated' | 'bad-peer-id' | 'bad-signature'

export type AttestVerdict = { ok: true } | { ok: false, problem: AttestProblem, detail: string }

/** A recorded result to check: the claim, the peer it names as producer, and what the record holds. */
export interface RecordedClaim extends ResultClaim {
  peerId: string
  attest?: string
  truncated?: boolean
}

/** Checks attestations (keys and verdicts cached by PeerStatements, bounded). */
export class ResultAttestations {
  private readonly statements = new PeerStatements()
  /** Checks made, whatever the verdict. */
  checks = 0

  /** Signature verifications actually run (not answered from the cache). */
  get verifications (): number { return this.statements.verifications }

  check (c: RecordedClaim): AttestVerdict {
    const what = `the result of ${c.taskId} attempt ${c.attempt} by ${c.agentId}`
    if (c.truncated === true) {
      this.checks++
      return { ok: false, problem: 'truncated', detail: `${what} was too large for the graph and is stored cut, so it is not what its producer signed` }
    }
    return this.verify(c.peerId, c.attest, () => statementText(c), {
      what,
      unsigned: 'carries no signature of its producer (a forgery, or a record written before results were signed)',
      altered: 'result, attempt, agent or skill altered, or the signature forged'
    })
  }

  /** Checks a vote's attestation by `peerId` (the voter); `unsigned`, `bad-peer-id` or `bad-signature` when it does not hold. */
  checkVote (c: VoteClaim & { peerId: string, attest?: string }): AttestVerdict {
    return this.verify(c.peerId, c.attest, () => voteText(c), {
      what: `${c.agentId}'s ${c.vote} vote on ${c.taskId} attempt ${c.attempt}`,
      unsigned: 'carries no signature of its voter',
      altered: 'vote, confidence, reason or evidence altered, signed on another result, or the signature forged'
    })
  }

  /** Whether `attest` is `peerId`'s signature over the statement `state` builds; `say` words the verdict. */
  private verify (peerId: string, attest: string | undefined, state: () => string, say: { what: string, unsigned: string, altered: string }): AttestVerdict {
    this.checks++
    if (typeof attest !== 'string' || attest === '') return { ok: false, problem: 'unsigned', detail: `${say.what} ${say.unsigned}` }
    let text: string
    try {
      text = state()
    } catch (err) {
      return { ok: false, problem: 'bad-signature', detail: `${say.what} cannot be stated: ${(err as Error).message}` }
    }
    const v = this.statements.verify(peerId, text, attest)
    if (v.ok) return v
    if (v.problem === 'bad-peer-id') return { ok: false, problem: 'bad-peer-id', detail: `${say.what} names ${peerId.slice(0, 60)}, which is not an Ed25519 peer id` }
    return { ok: false, problem: 'bad-signature', detail: `${say.what} is not what ${shortPeer(peerId)} signed (${say.altered})` }
  }
}

/** A result entity as graph-recorder.ts writes it (`result:<key>:<attempt>`, a hypothesis). */
export interface ResultEntityLike {
  kind: string
  text: string
  provenance: { peerId: string, agentId: string }
  data?: Record<string, unknown>
}

/**
 * What a result entity claims: the attempt, its producer and the result rebuilt as it was produced
 * (the structured part from `data.result`, the text from `data.result.text` when the entity's text
 * had to be cut, else from the entity's text), with the record's attestation. Undefined for an
 * entity that is not a result record (not a hypothesis, no task id or attempt).
 */
export function resultEntityClaim (e: ResultEntityLike): RecordedClaim | undefined {
  const d = e.data ?? {}
  if (e.kind !== 'hypothesis' || typeof d.taskId !== 'string' || typeof d.attempt !== 'number') return undefined
  const structured = typeof d.result === 'object' && d.result !== null && !Array.isArray(d.result) ? d.result as Record<string, unknown> : {}
  const text = typeof structured.text === 'string' ? structured.text : e.text
  const p = typeof d.producer === 'object' && d.producer !== null ? d.producer as Record<string, unknown> : {}
  return {
    taskId: d.taskId,
    attempt: d.attempt,
    agentId: typeof p.agentId === 'string' ? p.agentId : e.provenance.agentId,
    peerId: typeof p.peerId === 'string' ? p.peerId : e.provenance.peerId,
    skillId: typeof d.skillId === 'string' ? d.skillId : '',
    result: { ...structured, text } as unknown as AgentResult,
    ...(typeof d.attest === 'string' ? { attest: d.attest } : {}),
    ...(d.truncated === true ? { truncated: true } : {})
  }
}
