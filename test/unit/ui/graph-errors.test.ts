import { describe, expect, it } from 'vitest'
import { alice, clock } from '../graph/helpers.ts'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import { buildConflictEntity } from '../../../src/graph/conflicts.ts'
import { describeError, formField } from '../../../src/ui/graph/graph-errors.ts'
import { conflictSummary } from '../../../src/ui/graph/conflict-summary.ts'

function thrown (f: () => unknown): unknown {
  try { f() } catch (err) { return err }
  throw new Error('expected a throw')
}

describe('graph errors for forms', () => {
  it('names the form field of what the graph rejects', async () => {
    const g = await openRoomGraph(createGraphRepo(), 'ui-errors', { actor: alice, now: clock() })
    // Whether single-op writes name the field `ops[0].entity.text` or just `text`, the form gets `text`.
    expect(describeError(thrown(() => g.add({ kind: 'fact', text: '' }))).field).toBe('text')
    expect(formField('ops[0].entity.text')).toBe('text')
    expect(formField('text')).toBe('text')
    expect(describeError(thrown(() => g.add({ kind: 'thread', title: '', text: 'x' }))).field).toBe('title')
    expect(describeError(thrown(() => g.add({ kind: 'fact', text: 'x', confidence: 2 }))).field).toBe('confidence')
    const f = g.add({ kind: 'fact', text: 'x' })
    expect(describeError(thrown(() => g.dispute(f, undefined, ''))).field).toBe('reason')
    expect(describeError(thrown(() => g.relate(f, 'Not A Type', f))).field).toBe('type')
    const e = describeError(new Error('boom'))
    expect(e).toEqual({ field: '', path: '', message: 'boom' })
    expect(formField('ops[12].patch.tags[3]')).toBe('tags[3]')
  })

  it('summarises conflict entities for display', () => {
    const c = buildConflictEntity({ entityId: 'fact:abc', field: 'text', values: [{ opId: '1@aa', value: 'one' }, { opId: '2@bb', value: 'two' }] }, 'peer', 1_700_000_000_000)
    expect(conflictSummary(c)).toEqual({ kind: 'writes', entityId: 'fact:abc', field: 'text', values: ['one', 'two'], truncated: false })
    const whole = buildConflictEntity({ entityId: 'fact:abc', field: '*', values: [{ opId: '1@aa', value: { text: 'a' } }, { opId: '2@bb', value: { text: 'b' } }] }, 'peer', 1_700_000_000_000)
    expect(conflictSummary(whole)).toMatchObject({ kind: 'writes', field: 'the whole entity', values: ['{"text":"a"}', '{"text":"b"}'] })
    expect(conflictSummary({ ...c, kind: 'fact' })).toBeUndefined()
    // Statements that say opposite things (the recorder, from a result's `contradicts`), later disputed too.
    const dispute = { peerId: '12D3KooWAbcdefXYZ123', agentId: 'verifier', confidence: 0.8, reason: '[f-1] (verified) says the opposite', evidence: ['f-1'] }
    expect(conflictSummary({ ...c, data: { taskId: 't', attempt: 1, result: 'result:t:1', statements: ['result:t:1', 'f-1', 7], disputes: [dispute] } })).toEqual({
      kind: 'statements', statements: ['result:t:1', 'f-1'], disputes: [{ by: 'verifier on XYZ123', reason: '[f-1] (verified) says the opposite' }], settledBy: [], apart: false
    })
    // Recorded apart (coord/statement-conflicts.ts): raised when the graphs met; anything but `true` is not.
    expect(conflictSummary({ ...c, data: { statements: ['result:b:1', 'result:a:1'], apart: true } })).toMatchObject({ kind: 'statements', apart: true, settledBy: [] })
    expect(conflictSummary({ ...c, data: { statements: ['result:b:1', 'result:a:1'], apart: 'yes' } })).toMatchObject({ kind: 'statements', apart: false })
    // Settled by the room's decision (the recorder, from a result's `settles`); junk ids left out.
    expect(conflictSummary({ ...c, data: { statements: ['result:t:1', 'f-1'], disputes: [], settledBy: ['result:d:1', null, 'result:d:2'] } })).toMatchObject({ kind: 'statements', settledBy: ['result:d:1', 'result:d:2'] })
    // A disputed result: had been shown as "Concurrent writes to unknown field".
    expect(conflictSummary({ ...c, data: { taskId: 't', attempt: 1, result: 'result:t:1', disputes: [dispute, 'junk', { reason: 3 }] } })).toEqual({
      kind: 'dispute', result: 'result:t:1', disputes: [{ by: 'verifier on XYZ123', reason: '[f-1] (verified) says the opposite' }, { by: 'a verifier', reason: '3' }]
    })
  })
})
