import { describe, expect, it } from 'vitest'
import { attestResult, attestVote } from '../../../src/coord/attest.ts'
import { signerFor } from '../../../src/coord/signing.ts'
import { resultSignature, resultVerdict } from '../../../src/ui/graph/result-signature.ts'
import { identity } from '../coord/sim.ts'

describe('the graph detail\'s result signature', () => {
  it('says whether a recorded result entity is what its producer signed', async () => {
    const producer = await identity()
    const result = { text: 'x'.repeat(10), output: 10 }
    const attest = await attestResult({ taskId: 't-1', attempt: 1, agentId: 'calc', skillId: 'math', result }, signerFor(producer.privateKey))
    // As graph-recorder.ts writes it: the text in the entity's text, the structured rest in data.result.
    const entity = {
      kind: 'hypothesis', text: result.text, tags: ['result'], provenance: { peerId: producer.peerId, agentId: 'calc' },
      data: { taskId: 't-1', attempt: 1, skillId: 'math', producer: { peerId: producer.peerId, agentId: 'calc' }, result: { output: 10 }, attest }
    }
    expect(resultSignature(entity)).toEqual({ ok: true, text: `signed by its producer, …${producer.peerId.slice(-6)}` })
    const altered = resultSignature({ ...entity, data: { ...entity.data, result: { output: 11 } } })
    expect(altered?.ok).toBe(false)
    expect(altered?.text).toMatch(/^not taken as the producer's: the result of t-1 attempt 1 by calc is not what …\w{6} signed/)
    expect(resultSignature({ ...entity, data: { ...entity.data, attest: undefined } })?.text).toMatch(/carries no signature of its producer/)
    // Not a result: no signature row.
    expect(resultSignature({ ...entity, tags: ['fact'] })).toBeUndefined()
    expect(resultSignature({ ...entity, kind: 'fact' })).toBeUndefined()
  })
})

describe('the graph detail\'s verdict on a result', () => {
  it('says whether the verdict recorded on the task\'s thread is what its voters signed, on the result and on the fact made of it', async () => {
    const [producer, verifier, rogue] = [await identity(), await identity(), await identity()]
    const result = { text: '4' }
    const attest = await attestResult({ taskId: 't-1', attempt: 1, agentId: 'calc', skillId: 'math', result }, signerFor(producer.privateKey))
    const hyp = {
      id: 'result:t-1:1', kind: 'hypothesis', text: '4', tags: ['result'], provenance: { peerId: producer.peerId, agentId: 'calc' },
      data: { taskId: 't-1', attempt: 1, skillId: 'math', producer: { peerId: producer.peerId, agentId: 'calc' }, result: {}, attest }
    }
    const fact = { id: 'fact:t-1:1', kind: 'fact', text: '4', tags: ['result', 'verified'], provenance: { peerId: producer.peerId, agentId: 'meshwork:coord' }, data: { taskId: 't-1', attempt: 1, result: hyp.id } }
    const vote = { agentId: 'checker', vote: 'support' as const, confidence: 0.9, reason: '2 + 2 = 4' }
    const signedVote = { peerId: verifier.peerId, ...vote, evidence: [], attest: await attestVote({ taskId: 't-1', attempt: 1, resultAttest: attest, ...vote }, signerFor(verifier.privateKey)) }
    const graph = (verification: unknown): (id: string) => typeof hyp | typeof fact | { id: string, kind: string, text: string, provenance: typeof hyp.provenance, data: Record<string, unknown> } | undefined => {
      const thread = { id: 'task:t-1', kind: 'thread', text: 'sum 2 and 2', provenance: hyp.provenance, data: { taskId: 't-1', verification } }
      return id => [hyp, fact, thread].find(x => x.id === id)
    }
    const v1 = `…${verifier.peerId.slice(-6)}`
    const honest = graph({ status: 'verified', attempt: 1, supporters: [verifier.peerId], votes: [signedVote] })
    expect(resultVerdict(hyp, honest)).toEqual({ ok: true, status: 'verified', text: `verified by ${v1}: their signed votes check` })
    expect(resultVerdict(fact, honest)).toEqual({ ok: true, status: 'verified', text: `verified by ${v1}: their signed votes check` })
    // A member vouches in its own name: not proven, on the result and on the fact.
    const r = `…${rogue.peerId.slice(-6)}`
    const vouched = graph({ status: 'verified', attempt: 1, supporters: [rogue.peerId], votes: [{ ...signedVote, peerId: rogue.peerId }] })
    expect(resultVerdict(fact, vouched)).toEqual({ ok: false, text: `not proven: the graph records it verified by ${r}, but holds no signed support of this result by ${r}; 1 recorded vote does not check` })
    // A fact with no verdict behind it, and a result whose text was rewritten (no vote on it can count).
    expect(resultVerdict(fact, graph(undefined))).toEqual({ ok: false, text: 'no verdict on result:t-1:1 is recorded on its task\'s thread' })
    expect(resultVerdict({ ...hyp, text: '5' }, honest)?.text).toBe('the result is not what its producer signed, so no verdict on it counts')
    // No verdict recorded on a plain result: no row; an unverified one says so, proving nothing.
    expect(resultVerdict(hyp, graph(undefined))).toBeUndefined()
    expect(resultVerdict(hyp, graph({ status: 'unverified', attempt: 1, supporters: [], reason: 'no verdict within 5 s' }))).toEqual({ text: 'unverified: no verdict within 5 s' })
    // Not a result.
    expect(resultVerdict({ ...fact, tags: ['note'] }, honest)).toBeUndefined()
  })
})
