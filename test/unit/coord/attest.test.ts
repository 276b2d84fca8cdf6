import { describe, expect, it } from 'vitest'
import { attestResult, resultStatement, ResultAttestations, type ResultClaim } from '../../../src/coord/attest.ts'
import { signerFor } from '../../../src/coord/signing.ts'
import { identity } from './sim.ts'

describe('result attestations', () => {
  const claim: ResultClaim = { taskId: 't-ab-1/2', attempt: 2, agentId: 'calc@x', skillId: 'math', result: { text: '30', output: { value: 30, unit: null }, working: ['15% of 200 = 30'] } }

  it('states a result canonically: key order and a JSON round trip (the graph\'s) do not change the bytes', () => {
    const reordered: ResultClaim = { skillId: 'math', result: { working: ['15% of 200 = 30'], output: { unit: null, value: 30 }, text: '30' }, agentId: 'calc@x', attempt: 2, taskId: 't-ab-1/2' }
    const text = new TextDecoder().decode(resultStatement(claim))
    expect(text.startsWith('meshwork-result/1\n{"agentId":"calc@x","attempt":2,')).toBe(true)
    expect(new TextDecoder().decode(resultStatement(reordered))).toBe(text)
    expect(new TextDecoder().decode(resultStatement(JSON.parse(JSON.stringify(claim)) as ResultClaim))).toBe(text)
  })

  it('accepts what the named producer signed and refuses every alteration, another signer, no signature and a cut result', async () => {
    const producer = await identity()
    const other = await identity()
    const attest = await attestResult(claim, signerFor(producer.privateKey))
    expect(attest).toMatch(/^[A-Za-z0-9_-]{86}$/)
    const check = new ResultAttestations()
    const ok = { ...claim, peerId: producer.peerId, attest }
    expect(check.check(ok)).toEqual({ ok: true })
    // A second check of the same record is answered from the cache.
    expect(check.check(ok)).toEqual({ ok: true })
    expect(check.verifications).toBe(1)
    const problem = (c: Parameters<ResultAttestations['check']>[0]): string => { const v = check.check(c); return v.ok ? 'ok' : v.problem }
    expect(problem({ ...ok, result: { ...claim.result, text: '31' } })).toBe('bad-signature')
    expect(problem({ ...ok, attempt: 1 })).toBe('bad-signature')
    expect(problem({ ...ok, agentId: 'calc@y' })).toBe('bad-signature')
    expect(problem({ ...ok, skillId: 'echo' })).toBe('bad-signature')
    expect(problem({ ...ok, taskId: 't-ab-1/3' })).toBe('bad-signature')
    expect(problem({ ...ok, peerId: other.peerId })).toBe('bad-signature')
    expect(problem({ ...ok, attest: await attestResult(claim, signerFor(other.privateKey)) })).toBe('bad-signature')
    expect(problem({ ...ok, attest: 'A'.repeat(86) })).toBe('bad-signature')
    expect(problem({ ...ok, attest: 'short' })).toBe('bad-signature')
    expect(problem({ ...ok, attest: undefined })).toBe('unsigned')
    expect(problem({ ...ok, truncated: true })).toBe('truncated')
    expect(problem({ ...ok, peerId: 'not-a-peer-id' })).toBe('bad-peer-id')
    // The altered copy did not poison the cache: the signed one still verifies.
    expect(problem(ok)).toBe('ok')
  })
})
