import { describe, expect, it } from 'vitest'
import { attestResult } from '../../../src/coord/attest.ts'
import { signerFor } from '../../../src/coord/signing.ts'
import { resultSignature } from '../../../src/ui/graph/result-signature.ts'
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
