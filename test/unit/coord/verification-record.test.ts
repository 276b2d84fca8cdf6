import { describe, expect, it } from 'vitest'
import { attestResult, attestVote, ResultAttestations, voteStatement, type VoteClaim } from '../../../src/coord/attest.ts'
import type { Vote } from '../../../src/coord/quorum.ts'
import { signerFor } from '../../../src/coord/signing.ts'
import { readVerification, type RecordedVerification, type VerifiedResult } from '../../../src/coord/verification-record.ts'
import { identity, type Identity } from './sim.ts'

const TASK = 't-ab-1'

describe('vote attestations', () => {
  it('sign one vote on one result: any alteration, another result or another signer does not verify', async () => {
    const voter = await identity()
    const other = await identity()
    const claim: VoteClaim = { taskId: TASK, attempt: 2, resultAttest: 'R'.repeat(86), agentId: 'checker', vote: 'support', confidence: 0.9, reason: '2 + 2 is 4', evidence: ['fact:1'] }
    const attest = await attestVote(claim, signerFor(voter.privateKey))
    const check = new ResultAttestations()
    const ok = { ...claim, peerId: voter.peerId, attest }
    const problem = (c: Parameters<ResultAttestations['checkVote']>[0]): string => { const v = check.checkVote(c); return v.ok ? 'ok' : v.problem }
    expect(problem(ok)).toBe('ok')
    // What the graph's JSON round trip does to it (key order, a float) changes nothing.
    expect(problem({ ...JSON.parse(JSON.stringify(ok)) as typeof ok })).toBe('ok')
    expect(problem({ ...ok, vote: 'dispute' })).toBe('bad-signature')
    expect(problem({ ...ok, confidence: 0.95 })).toBe('bad-signature')
    expect(problem({ ...ok, reason: '2 + 2 is 5' })).toBe('bad-signature')
    expect(problem({ ...ok, evidence: [] })).toBe('bad-signature')
    expect(problem({ ...ok, agentId: 'checker2' })).toBe('bad-signature')
    // Bound to the result judged: another attempt, or another result of the same attempt, is another statement.
    expect(problem({ ...ok, attempt: 1 })).toBe('bad-signature')
    expect(problem({ ...ok, resultAttest: 'S'.repeat(86) })).toBe('bad-signature')
    expect(problem({ ...ok, taskId: 't-ab-2' })).toBe('bad-signature')
    expect(problem({ ...ok, peerId: other.peerId })).toBe('bad-signature')
    expect(problem({ ...ok, attest: undefined })).toBe('unsigned')
    expect(problem({ ...ok, peerId: 'nobody' })).toBe('bad-peer-id')
    // No evidence and an empty list are one statement (the graph stores an empty list).
    const bare: VoteClaim = { ...claim, evidence: undefined }
    expect(new TextDecoder().decode(voteStatement(bare))).toBe(new TextDecoder().decode(voteStatement({ ...claim, evidence: [] })))
    expect(new TextDecoder().decode(voteStatement(bare)).startsWith('meshwork-vote/1\n{"agentId":"checker","attempt":2,"confidence":0.9,"evidence":[],')).toBe(true)
  })
})

describe('a verification read from the graph (readVerification)', () => {
  interface Room { producer: Identity, v1: Identity, v2: Identity, rogue: Identity, task: VerifiedResult }
  async function room (): Promise<Room> {
    const [producer, v1, v2, rogue] = [await identity(), await identity(), await identity(), await identity()]
    const resultAttest = await attestResult({ taskId: TASK, attempt: 1, agentId: 'calc', skillId: 'math', result: { text: '4' } }, signerFor(producer.privateKey))
    return { producer, v1, v2, rogue, task: { taskId: TASK, attempt: 1, producerPeerId: producer.peerId, resultAttest, minConfidence: 0.5 } }
  }
  /** A vote by `by` on the room's result, signed as the engine signs it. */
  async function vote (r: Room, by: Identity, v: Omit<Vote, 'peerId' | 'attest'>, over: Partial<VoteClaim> = {}): Promise<Vote> {
    const attest = await attestVote({ taskId: TASK, attempt: 1, resultAttest: r.task.resultAttest!, ...v, ...over }, signerFor(by.privateKey))
    return { peerId: by.peerId, ...v, evidence: v.evidence ?? [], attest }
  }
  const support = { agentId: 'checker', vote: 'support' as const, confidence: 0.9, reason: 'the sum checks out' }
  const dispute = { agentId: 'checker', vote: 'dispute' as const, confidence: 0.8, reason: '2 + 2 is 5' }
  const read = (r: Room, v: RecordedVerification, task: Partial<VerifiedResult> = {}): ReturnType<typeof readVerification> => {
    const verdicts = new ResultAttestations()
    return readVerification(v, { ...r.task, ...task }, c => verdicts.checkVote(c))
  }

  it('takes a verdict its signed votes prove: verified by the supporters it names, disputed with the signed disputes', async () => {
    const r = await room()
    const votes = [await vote(r, r.v1, support), await vote(r, r.v2, support)]
    expect(read(r, { status: 'verified', supporters: [r.v2.peerId, r.v1.peerId], disputes: [], attempt: 1, votes })).toEqual({
      shown: { status: 'verified', supporters: [r.v1.peerId, r.v2.peerId].sort(), disputes: [] }, badVotes: []
    })
    const d = await vote(r, r.v2, dispute)
    expect(read(r, { status: 'disputed', supporters: [r.v1.peerId], disputes: [], attempt: 1, votes: [d, votes[0]!] })).toEqual({
      shown: { status: 'disputed', supporters: [r.v1.peerId], disputes: [d] }, badVotes: []
    })
    // Claims of nothing (pending, unverified) stand, with only the supporters whose votes hold.
    expect(read(r, { status: 'unverified', reason: 'no verdict within 5 s', supporters: [r.v1.peerId, r.rogue.peerId], disputes: [], attempt: 1, votes: [votes[0]!] }).shown)
      .toEqual({ status: 'unverified', supporters: [r.v1.peerId], disputes: [], reason: 'no verdict within 5 s' })
  })

  it('refuses a verdict its votes do not prove and says what is missing; a bad vote is dropped and named', async () => {
    const r = await room()
    const good = await vote(r, r.v1, support)
    // A member adds itself as a second supporter without a vote, and one with an altered vote.
    const forged: Vote = { ...await vote(r, r.rogue, support), reason: 'rewritten' }
    const reading = read(r, { status: 'verified', supporters: [r.v1.peerId, r.rogue.peerId], disputes: [], attempt: 1, votes: [good, forged] })
    expect(reading.shown).toMatchObject({ status: 'unverified', supporters: [r.v1.peerId], disputes: [] })
    expect(reading.shown!.refused).toBe(`the graph records it verified by …${r.v1.peerId.slice(-6)}, …${r.rogue.peerId.slice(-6)}, but holds no signed support of this result by …${r.rogue.peerId.slice(-6)}`)
    expect(reading.shown!.reason).toBe(reading.shown!.refused)
    expect(reading.badVotes.map(b => [b.vote.peerId, b.problem])).toEqual([[r.rogue.peerId, 'bad-signature']])
    // Verified with nobody named, or by the producer's own peer (which cannot vouch for itself).
    expect(read(r, { status: 'verified', supporters: [], disputes: [], attempt: 1 }).shown).toMatchObject({ status: 'unverified', refused: 'the graph records it verified, but names no supporter' })
    const own = await vote(r, r.producer, support)
    expect(read(r, { status: 'verified', supporters: [r.producer.peerId], disputes: [], attempt: 1, votes: [own] }).shown).toMatchObject({ status: 'unverified', supporters: [] })
    // A record written before votes were signed proves nothing.
    expect(read(r, { status: 'verified', supporters: [r.v1.peerId], disputes: [], attempt: 1 }).shown?.status).toBe('unverified')
    // A support signed over another result (the record moved it onto this one) does not count.
    const elsewhere = await vote(r, r.v1, support, { resultAttest: 'Q'.repeat(86) })
    expect(read(r, { status: 'verified', supporters: [r.v1.peerId], disputes: [], attempt: 1, votes: [elsewhere] })).toMatchObject({ shown: { status: 'unverified' }, badVotes: [{ problem: 'bad-signature' }] })
    // Disputed with an unsigned or weak dispute: not taken either (a smear needs a signature too).
    const unsigned: Vote = { peerId: r.rogue.peerId, ...dispute }
    const weak = await vote(r, r.v2, { ...dispute, confidence: 0.1 })
    const smear = read(r, { status: 'disputed', supporters: [], disputes: [], attempt: 1, votes: [unsigned, weak] })
    expect(smear.shown).toMatchObject({ status: 'unverified', disputes: [], refused: 'the graph records it disputed, but holds no signed dispute of this result' })
    expect(smear.badVotes.map(b => b.problem)).toEqual(['unsigned'])
  })

  it('a signed dispute disputes the result whatever status the record states', async () => {
    const r = await room()
    const d = await vote(r, r.v2, dispute)
    const reading = read(r, { status: 'verified', supporters: [r.v1.peerId], disputes: [], attempt: 1, votes: [await vote(r, r.v1, support), d] })
    expect(reading.shown).toMatchObject({ status: 'disputed', supporters: [r.v1.peerId], disputes: [d] })
    expect(reading.shown!.refused).toBe(`the graph records it verified, but holds a signed dispute of it by checker on …${r.v2.peerId.slice(-6)}`)
  })

  it('shows nothing for a verification of another attempt, or of a result this tab did not take', async () => {
    const r = await room()
    const votes = [await vote(r, r.v1, support)]
    expect(read(r, { status: 'verified', supporters: [r.v1.peerId], disputes: [], attempt: 2, votes })).toEqual({ badVotes: [] })
    expect(read(r, { status: 'verified', supporters: [r.v1.peerId], disputes: [], attempt: 1, votes }, { resultAttest: undefined })).toEqual({ badVotes: [] })
  })
})
