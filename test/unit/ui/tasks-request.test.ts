import { describe, expect, it } from 'vitest'
import { LIMITS } from '../../../src/coord/messages.ts'
import { decisionFor, MAX_TEXT, parseRequest } from '../../../src/ui/tasks/task-request.ts'
import type { TaskSnapshot } from '../../../src/coord/engine.ts'
import { MAX_ROWS, taskRows } from '../../../src/ui/tasks/task-rows.ts'

const fields = (over: Partial<Parameters<typeof parseRequest>[0]> = {}) => ({ text: 'What is 2 + 2?', inputJson: '', deadlineSeconds: '', quorum: 0, ...over })

describe('composer request', () => {
  it('builds the request from the fields', () => {
    expect(parseRequest(fields())).toEqual({ ok: true, request: { text: 'What is 2 + 2?', verify: 0 } })
    // 'auto' leaves the quorum to the mesh's default: no verify field at all.
    expect(parseRequest(fields({ quorum: 'auto' }))).toEqual({ ok: true, request: { text: 'What is 2 + 2?' } })
    expect(parseRequest(fields({ text: '  sum these  ', inputJson: ' {"numbers": [1, 2]} ', deadlineSeconds: '2.5', quorum: 2 })))
      .toEqual({ ok: true, request: { text: 'sum these', input: { numbers: [1, 2] }, deadlineMs: 2500, verify: 2 } })
  })

  it('says which field is wrong and why', () => {
    expect(parseRequest(fields({ text: '   ' }))).toMatchObject({ ok: false, field: 'text', message: expect.stringMatching(/empty/) })
    expect(parseRequest(fields({ text: 'x'.repeat(MAX_TEXT + 1) }))).toMatchObject({ ok: false, field: 'text' })
    expect(parseRequest(fields({ inputJson: '{numbers: [1}' }))).toMatchObject({ ok: false, field: 'input', message: expect.stringMatching(/not valid JSON/) })
    expect(parseRequest(fields({ deadlineSeconds: 'soon' }))).toMatchObject({ ok: false, field: 'deadline' })
    expect(parseRequest(fields({ deadlineSeconds: '0' }))).toMatchObject({ ok: false, field: 'deadline' })
    expect(parseRequest(fields({ deadlineSeconds: '1e9' }))).toMatchObject({ ok: false, field: 'deadline' })
    expect(parseRequest(fields({ quorum: 4 }))).toMatchObject({ ok: false, field: 'quorum' })
    expect(parseRequest(fields({ quorum: 1.5 }))).toMatchObject({ ok: false, field: 'quorum' })
  })

  it('agrees with the protocol limits', () => {
    expect(MAX_TEXT).toBe(LIMITS.textLength)
    expect(3).toBeLessThanOrEqual(LIMITS.maxQuorum)
  })
})

const snap = (id: string, submittedAt: number, extra: Partial<TaskSnapshot> = {}): TaskSnapshot => ({
  id, text: id, state: 'submitted', attempt: 1, attempts: [], steward: 's', owner: 'o', questions: [], timings: { submittedAt }, ...extra
})

describe('task list rows', () => {
  it('puts the newest request first and each mission\'s parts under it in plan order', () => {
    const mission = snap('t-1', 10, { mission: { subtasks: [{ planId: 'b', taskId: 't-1/2', text: '', dependsOn: [], state: 'working' }, { planId: 'a', taskId: 't-1/1', text: '', dependsOn: [], state: 'working' }], group: [] } })
    const { rows, hidden } = taskRows([snap('t-1/1', 12, { missionId: 't-1' }), snap('t-2', 20), mission, snap('t-1/2', 12, { missionId: 't-1' }), snap('t-0', 5)])
    expect(rows.map(r => [r.task.id, r.depth])).toEqual([['t-2', 0], ['t-1', 0], ['t-1/2', 1], ['t-1/1', 1], ['t-0', 0]])
    expect(hidden).toBe(0)
  })

  it('shows a subtask whose mission is forgotten as a row of its own', () => {
    expect(taskRows([snap('t-9/1', 3, { missionId: 't-9' })]).rows).toEqual([{ task: expect.objectContaining({ id: 't-9/1' }), depth: 0 }])
  })

  it('renders at most MAX_ROWS rows of many tasks, quickly', () => {
    const many = Array.from({ length: 5000 }, (_, i) => snap(`t-${i}`, i))
    const t0 = performance.now()
    const { rows, hidden } = taskRows(many)
    expect(performance.now() - t0).toBeLessThan(100)
    expect(rows).toHaveLength(MAX_ROWS)
    expect(hidden).toBe(5000 - MAX_ROWS)
    expect(rows[0]!.task.id).toBe('t-4999')
  })
})

describe('the decision sent by a conflict\'s "This holds"', () => {
  it('puts the statement after a decision label, in small letters after a determiner, a name kept, any label it had replaced', () => {
    expect(decisionFor('The login bug is caused by the cache TTL.')).toBe('Decision: the login bug is caused by the cache TTL.')
    expect(decisionFor('  We support   Safari 15 ')).toBe('Decision: we support Safari 15.')
    expect(decisionFor('Safari 15 is supported!')).toBe('Decision: Safari 15 is supported!')
    expect(decisionFor('Hypothesis: the relay is public')).toBe('Decision: the relay is public.')
    expect(decisionFor('Decision: the relay is public.')).toBe('Decision: the relay is public.')
    expect(decisionFor('   ')).toBeUndefined()
    expect(decisionFor('Fact:')).toBeUndefined()
  })
})
