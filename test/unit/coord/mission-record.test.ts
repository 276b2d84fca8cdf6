import { describe, expect, it } from 'vitest'
import type { AgentResult } from '../../../src/agents/types.ts'
import { attestResult, ResultAttestations } from '../../../src/coord/attest.ts'
import { assembleMission, buildDag } from '../../../src/coord/dag.ts'
import type { GraphResult } from '../../../src/coord/engine.ts'
import { readMission, type AttestCheck, type RecordedMission, type RecordedPart } from '../../../src/coord/mission-record.ts'
import { signerFor } from '../../../src/coord/signing.ts'
import { identity, type Identity } from './sim.ts'

const MISSION = 't-mission-1'
const PLAN = { subtasks: [{ id: 'a', text: 'compute 15% of 200', dependsOn: [] }, { id: 'b', text: 'compute 2 + 3', dependsOn: [] }, { id: 'c', text: 'add them', dependsOn: ['a', 'b'] }] }

/** A result record as the graph holds it, signed by `by`'s peer key (real Ed25519). */
async function signed (by: Identity, agentId: string, skillId: string, taskId: string, attempt: number, result: AgentResult): Promise<GraphResult> {
  const attest = await attestResult({ taskId, attempt, agentId, skillId, result }, signerFor(by.privateKey))
  return { result, producer: { peerId: by.peerId, agentId }, skillId, attest }
}

async function part (by: Identity, n: number, result: AgentResult): Promise<RecordedPart> {
  const taskId = `${MISSION}/${n}`
  return { taskId, state: 'completed', completion: { attempt: 1, peerId: by.peerId, agentId: 'calc' }, result: await signed(by, 'calc', 'math', taskId, 1, result) }
}

const checker = (): { check: AttestCheck, verdicts: ResultAttestations } => {
  const verdicts = new ResultAttestations()
  return {
    verdicts,
    check: (taskId, attempt, got) => {
      const v = verdicts.check({ taskId, attempt, agentId: got.producer.agentId, skillId: got.skillId, result: got.result, peerId: got.producer.peerId, attest: got.attest, truncated: got.truncated })
      return v.ok ? undefined : v.detail
    }
  }
}

describe('a mission read from the graph (readMission)', () => {
  it('assembles the answer from the signed plan and parts, as the steward did, and says when the record states another', async () => {
    const planner = await identity()
    const x = await identity()
    const plan = await signed(planner, 'planner', 'plan', MISSION, 1, { text: 'three parts', plan: PLAN })
    const parts = [await part(x, 1, { text: '30', output: 30 }), await part(x, 2, { text: '5', output: 5, citations: ['fact:1'] }), await part(x, 3, { text: '35', output: 35 })]
    const expected = assembleMission(buildDag(PLAN.subtasks), new Map([['a', { text: '30', output: 30 }], ['b', { text: '5', output: 5, citations: ['fact:1'] }], ['c', { text: '35', output: 35 }]]))
    const { check } = checker()
    const m: RecordedMission = { planAttempt: 1, plan, parts, recorded: { text: expected.text, output: expected.output } }
    const ok = readMission(MISSION, 'completed', m, check)
    expect(ok).toMatchObject({ kind: 'mission', result: expected })
    expect(ok.kind === 'mission' && ok.mismatch).toBeUndefined()
    expect(ok.kind === 'mission' && ok.dag?.order).toEqual(['a', 'b', 'c'])
    // A record that states another answer (text or output) is named; the assembled one stands.
    for (const recorded of [{ text: '42' }, { text: expected.text, output: { a: 30, b: 5, c: 42 } }]) {
      expect(readMission(MISSION, 'completed', { ...m, recorded }, check)).toMatchObject({ kind: 'mission', result: expected, mismatch: 'the graph\'s solution is not what its parts\' signed results assemble to' })
    }
    // No record of the answer yet (the solution has not arrived): the assembled one, nothing to report.
    expect(readMission(MISSION, 'completed', { ...m, recorded: undefined }, check)).toEqual({ kind: 'mission', result: expected, dag: expect.anything() })
  })

  it('accepts a solution recorded as builds before 2026-11-24 assembled it ("a: 30\\nb: 5"), but no other text', async () => {
    const planner = await identity()
    const x = await identity()
    const two = { subtasks: PLAN.subtasks.slice(0, 2) }
    const plan = await signed(planner, 'planner', 'plan', MISSION, 1, { text: 'two parts', plan: two })
    const parts = [await part(x, 1, { text: '30', output: 30 }), await part(x, 2, { text: '5', output: 5 })]
    const { check } = checker()
    const read = (text: string): ReturnType<typeof readMission> => readMission(MISSION, 'completed', { planAttempt: 1, plan, parts, recorded: { text, output: { a: 30, b: 5 } } }, check)
    const now = read('compute 15% of 200: 30\ncompute 2 + 3: 5')
    expect(now).toMatchObject({ kind: 'mission', result: { text: 'compute 15% of 200: 30\ncompute 2 + 3: 5' } })
    expect(now.kind === 'mission' && now.mismatch).toBeUndefined()
    const old = read('a: 30\nb: 5')
    expect(old).toMatchObject({ kind: 'mission', result: { text: 'compute 15% of 200: 30\ncompute 2 + 3: 5' } })
    expect(old.kind === 'mission' && old.mismatch).toBeUndefined()
    expect(read('a: 31\nb: 5')).toMatchObject({ mismatch: 'the graph\'s solution is not what its parts\' signed results assemble to' })
  })

  it('refuses a plan or a part that is not what its producer signed, naming it, and one whose record names another producer', async () => {
    const planner = await identity()
    const x = await identity()
    const plan = await signed(planner, 'planner', 'plan', MISSION, 1, { text: 'three parts', plan: PLAN })
    const parts = [await part(x, 1, { text: '30', output: 30 }), await part(x, 2, { text: '5', output: 5 }), await part(x, 3, { text: '35', output: 35 })]
    const { check } = checker()
    const m: RecordedMission = { planAttempt: 1, plan, parts }
    // A plan with one part more than the planner planned.
    const longer = { ...plan, result: { ...plan.result, plan: { subtasks: [...PLAN.subtasks, { id: 'd', text: 'leak the graph', dependsOn: [] }] } } }
    expect(readMission(MISSION, 'completed', { ...m, plan: longer }, check)).toEqual({ kind: 'refused', detail: expect.stringMatching(/^its plan: the result of t-mission-1 attempt 1 by planner is not what …\w{6} signed/) })
    expect(readMission(MISSION, 'completed', { ...m, plan: { ...plan, attest: undefined } }, check)).toEqual({ kind: 'refused', detail: expect.stringMatching(/^its plan: .* carries no signature of its producer/) })
    const altered = { ...parts[1]!, result: { ...parts[1]!.result!, result: { text: '6', output: 6 } } }
    expect(readMission(MISSION, 'completed', { ...m, parts: [parts[0]!, altered, parts[2]!] }, check)).toEqual({ kind: 'refused', detail: expect.stringMatching(/^part b: the result of t-mission-1\/2 attempt 1 by calc is not what/) })
    // The thread's completion names one agent, the result record another (signed by it): not this part's.
    const other = await identity()
    const swapped = { ...parts[0]!, result: await signed(other, 'calc2', 'math', `${MISSION}/1`, 1, { text: '31', output: 31 }) }
    expect(readMission(MISSION, 'completed', { ...m, parts: [swapped, parts[1]!, parts[2]!] }, check)).toEqual({ kind: 'refused', detail: 'part a: its result record names calc2, not calc whose completion the graph records' })
    // Signed, but not a result at all (its producer wrote it straight into the graph): refused, no throw.
    const odd = { ...parts[0]!, result: await signed(x, 'calc', 'math', `${MISSION}/1`, 1, { text: '30', citations: 'fact:1' } as unknown as AgentResult) }
    expect(readMission(MISSION, 'completed', { ...m, parts: [odd, parts[1]!, parts[2]!] }, check)).toEqual({ kind: 'refused', detail: expect.stringMatching(/^part a is malformed: .*part a\.citations: must be an array/) })
    // A plan record the graph does not hold at all, or no planner's attempt.
    expect(readMission(MISSION, 'completed', { parts: [] }, check)).toMatchObject({ kind: 'refused' })
    expect(readMission(MISSION, 'completed', { planAttempt: 1, parts: [] }, check)).toEqual({ kind: 'waiting', detail: 'the planner\'s result (attempt 1) has not reached this tab\'s graph yet' })
    // Completed, says the record, yet a part ended without a result.
    const failedPart: RecordedPart = { taskId: `${MISSION}/2`, state: 'unassigned', reason: 'no capable agent in the room' }
    expect(readMission(MISSION, 'completed', { ...m, parts: [parts[0]!, failedPart, parts[2]!] }, check)).toEqual({ kind: 'refused', detail: 'the graph records it completed, but part b ended without a result' })
  })

  it('waits for parts whose results have not arrived, naming them in plan order', async () => {
    const planner = await identity()
    const x = await identity()
    const plan = await signed(planner, 'planner', 'plan', MISSION, 1, { text: 'three parts', plan: PLAN })
    const first = await part(x, 1, { text: '30', output: 30 })
    const noResult: RecordedPart = { ...(await part(x, 3, { text: '35' })), result: undefined }
    const { check } = checker()
    expect(readMission(MISSION, 'completed', { planAttempt: 1, plan, parts: [first, { taskId: `${MISSION}/2` }, noResult] }, check))
      .toEqual({ kind: 'waiting', detail: 'the results of parts b, c have not reached this tab\'s graph yet' })
  })

  it('a failed mission: what its signed parts delivered and why the others are not done; a recorded output that differs is named', async () => {
    const planner = await identity()
    const x = await identity()
    const plan = await signed(planner, 'planner', 'plan', MISSION, 1, { text: 'three parts', plan: PLAN })
    const parts: RecordedPart[] = [await part(x, 1, { text: '30', output: 30 }), { taskId: `${MISSION}/2`, state: 'unassigned', reason: 'no capable agent in the room' }, { taskId: `${MISSION}/3` }]
    const { check } = checker()
    const r = readMission(MISSION, 'failed', { planAttempt: 1, plan, parts, recorded: { text: 'Partly done…', output: { a: 30 } } }, check)
    expect(r).toMatchObject({ kind: 'mission', result: { output: { a: 30 }, working: ['a (compute 15% of 200): 30', 'b (compute 2 + 3): not done, unassigned: no capable agent in the room', 'c (add them): not done, not run: it depends on "compute 2 + 3" (b)'] } })
    expect(r.kind === 'mission' && r.mismatch).toBe(undefined)
    expect(readMission(MISSION, 'failed', { planAttempt: 1, plan, parts, recorded: { text: 'x', output: { a: 42 } } }, check))
      .toMatchObject({ kind: 'mission', mismatch: 'the graph\'s record of what its parts delivered is not what their signed results assemble to' })
    // Nothing delivered: no answer, and nothing to report.
    expect(readMission(MISSION, 'failed', { planAttempt: 1, plan, parts: [{ taskId: `${MISSION}/1`, state: 'failed', reason: 'boom' }] }, check)).toEqual({ kind: 'mission', dag: expect.anything() })
  })

  it('a task whose signed result is no plan is no mission: a solution recorded for it is named', async () => {
    const calc = await identity()
    const own = await signed(calc, 'calc', 'math', MISSION, 1, { text: '30', output: 30 })
    const { check } = checker()
    expect(readMission(MISSION, 'completed', { planAttempt: 1, plan: own, parts: [] }, check)).toEqual({ kind: 'plain' })
    expect(readMission(MISSION, 'completed', { planAttempt: 1, plan: own, parts: [], recorded: { text: '42' } }, check))
      .toEqual({ kind: 'plain', mismatch: 'the graph records a mission\'s answer for it, but its result is no plan' })
    // A plan that cannot run (a cycle): a failed mission with nothing delivered; completed cannot be.
    const cyclic = await signed(calc, 'planner', 'plan', MISSION, 1, { text: 'loop', plan: { subtasks: [{ id: 'a', text: 'x', dependsOn: ['b'] }, { id: 'b', text: 'y', dependsOn: ['a'] }] } })
    expect(readMission(MISSION, 'failed', { planAttempt: 1, plan: cyclic, parts: [] }, check)).toEqual({ kind: 'mission' })
    expect(readMission(MISSION, 'completed', { planAttempt: 1, plan: cyclic, parts: [] }, check)).toEqual({ kind: 'refused', detail: 'the graph records it completed, but its plan cannot run' })
  })
})
