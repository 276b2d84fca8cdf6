import { describe, it, expect } from 'vitest'
import { bidScore, bidSetDigest, bidWindowMs, checkAward, decideAward, makeAward, unionBidSets, windowClosesAt } from '../../../src/coord/award.ts'
import { assembleMission, assemblePartial, buildDag, inputDigest, legacyMissionText, PlanError, readySubtasks, staleParts, subtaskInput, whyNotDone } from '../../../src/coord/dag.ts'
import { grantLease, isLapsed, leaseExpiresAt, nextAttempt, renewLease } from '../../../src/coord/lease.ts'
import { LIMITS, validateFailure, type Bid } from '../../../src/coord/messages.ts'
import { verificationStatus, type Vote } from '../../../src/coord/quorum.ts'
import { newSkillRecord, recordCompletion, recordVerification, reputationFactor, ReputationBook } from '../../../src/coord/reputation.ts'
import { takeoverDelayMs, takeoverRank } from '../../../src/coord/stewardship.ts'
import { applyTransition, canTransition, TASK_STATES, TERMINAL_STATES } from '../../../src/coord/task-state.ts'

const bid = (over: Partial<Bid>): Bid => ({ peerId: 'P1', agentId: 'a', skillId: 's', confidence: 0.8, reputation: 1, load: 0, latencyMs: 10, ...over })
const rule = { minConfidence: 0.3, excluded: [] }

describe('award rule', () => {
  it('scores confidence × reputation × availability', () => {
    expect(bidScore(bid({ confidence: 0.8, reputation: 1.5, load: 1 }))).toBeCloseTo(0.6)
  })
  it('picks the best score; ties by agentId, then peerId; the same whatever the order', () => {
    const bids = [bid({ agentId: 'b', peerId: 'P1' }), bid({ agentId: 'a', peerId: 'P2' }), bid({ agentId: 'a', peerId: 'P1' }), bid({ agentId: 'z', confidence: 0.5 })]
    const w1 = decideAward(bids, rule).winner
    const w2 = decideAward([...bids].reverse(), rule).winner
    expect(w1).toEqual(bid({ agentId: 'a', peerId: 'P1' }))
    expect(w2).toEqual(w1)
  })
  it('load and reputation move the award', () => {
    expect(decideAward([bid({ agentId: 'busy', load: 3 }), bid({ agentId: 'idle', confidence: 0.5 })], rule).winner?.agentId).toBe('idle')
    expect(decideAward([bid({ agentId: 'x', reputation: 0.5 }), bid({ agentId: 'y', confidence: 0.6 })], rule).winner?.agentId).toBe('y')
  })
  it('leaves out excluded agents (by peer and agent) and abstaining bids, saying why nobody won', () => {
    const bids = [bid({ agentId: 'a', peerId: 'P1' }), bid({ agentId: 'a', peerId: 'P2', confidence: 0.2 })]
    const r = decideAward(bids, { minConfidence: 0.3, excluded: [{ peerId: 'P1', agentId: 'a' }] })
    expect(r.winner).toBeNull()
    expect(r.winner === null && r.reason).toMatch(/below the threshold 0.3/)
    expect(decideAward([], rule)).toMatchObject({ winner: null, reason: 'no capable agent in the room: nobody bid' })
    const allOut = decideAward([bid({})], { minConfidence: 0, excluded: [{ peerId: 'P1', agentId: 'a' }] })
    expect(allOut.winner === null && allOut.reason).toMatch(/excluded/)
  })
  it('digests bid sets independently of order', () => {
    const bids = [bid({ agentId: 'a' }), bid({ agentId: 'b', peerId: 'P0' })]
    expect(bidSetDigest(bids)).toBe(bidSetDigest([...bids].reverse()))
    expect(bidSetDigest(bids)).not.toBe(bidSetDigest([bid({ agentId: 'a', confidence: 0.81 }), bid({ agentId: 'b', peerId: 'P0' })]))
  })
  it('checks awards: accepts the rule, refuses a wrong winner, a bad digest, duplicates and altered bids', () => {
    const bids = [bid({ agentId: 'a' }), bid({ agentId: 'b', confidence: 0.9 })]
    const award = makeAward('t', 1, bids, rule, 3000)
    expect(award.winner?.agentId).toBe('b')
    expect(checkAward(award, rule)).toBeNull()
    expect(checkAward({ ...award, winner: bids[0]! }, rule)).toMatch(/the rule awards b/)
    expect(checkAward({ ...award, digest: 'nope' }, rule)).toMatch(/digest/)
    expect(checkAward({ ...award, bids: [...award.bids, award.bids[0]!] }, rule)).toMatch(/twice/)
    expect(checkAward(award, rule, new Map([['P1\nb', bid({ agentId: 'b', confidence: 0.7 })]]))).toMatch(/differs/)
    expect(checkAward(award, { minConfidence: 0.3, excluded: [{ peerId: 'P1', agentId: 'b' }] })).toMatch(/the rule awards a/)
    const none = makeAward('t', 1, [], rule, 3000)
    expect(none.reason).toMatch(/nobody bid/)
    expect(checkAward(none, rule)).toBeNull()
  })
  it('merges two bid sets of racing awards, refusing contradictions', () => {
    expect(unionBidSets([bid({ agentId: 'a' })], [bid({ agentId: 'b' })])?.map(b => b.agentId)).toEqual(['a', 'b'])
    expect(unionBidSets([bid({ agentId: 'a' })], [bid({ agentId: 'a', load: 2 })])).toBeNull()
  })
  it('keeps the bid window small and adaptive, closing early when everyone responded', () => {
    expect(bidWindowMs(undefined)).toBe(80)
    expect(bidWindowMs(2)).toBe(15)
    expect(bidWindowMs(10)).toBe(30)
    expect(bidWindowMs(1000)).toBe(80)
    const expected = new Set(['A', 'B'])
    expect(windowClosesAt(100, 50, expected, new Set(['A']), 110)).toBe(150)
    expect(windowClosesAt(100, 50, expected, new Set(['A', 'B']), 110)).toBe(110)
  })
})

describe('leases and attempts', () => {
  const holder = { peerId: 'P', agentId: 'a' }
  it('lapses after the ttl unless the holder renews it', () => {
    const l = grantLease('t', 1, holder, 1000, 300)
    expect(leaseExpiresAt(l)).toBe(1300)
    expect(isLapsed(l, 1299)).toBe(false)
    expect(isLapsed(l, 1300)).toBe(true)
    const r = renewLease(l, holder, 1, 1200)
    expect(isLapsed(r, 1400)).toBe(false)
    expect(renewLease(l, { peerId: 'Q', agentId: 'a' }, 1, 1200)).toBe(l)
    expect(renewLease(l, holder, 2, 1200)).toBe(l)
  })
  it('retries without the failed agent, then gives up after 3 attempts with reasons', () => {
    const f1 = { attempt: 1, agent: holder, code: 'lapsed', reason: 'no heartbeat' }
    expect(nextAttempt({ attempt: 1, excluded: [] }, [f1])).toEqual({ kind: 'retry', attempt: 2, excluded: [holder] })
    const f2 = { attempt: 2, agent: { peerId: 'Q', agentId: 'b' }, code: 'error', reason: 'crashed' }
    const f3 = { attempt: 3, agent: { peerId: 'R', agentId: 'c' }, code: 'timeout', reason: 'slow' }
    expect(nextAttempt({ attempt: 3, excluded: [] }, [f1, f2, f3])).toEqual({
      kind: 'give-up', state: 'failed', reasons: ['attempt 1 (a): no heartbeat', 'attempt 2 (b): crashed', 'attempt 3 (c): slow']
    })
    const refusals = [1, 2, 3].map(attempt => ({ attempt, code: 'refused', reason: 'not mine' }))
    expect(nextAttempt({ attempt: 3, excluded: [] }, refusals)).toMatchObject({ kind: 'give-up', state: 'rejected' })
  })
  it('gives up with reasons a failure message may carry, however long an attempt\'s reason was', () => {
    // The give-up after the last attempt sent them uncut: peers would refuse the message that ends the task.
    const long = [1, 2, 3].map(attempt => ({ attempt, agent: holder, code: 'error', reason: 'x'.repeat(LIMITS.reasonLength) }))
    const step = nextAttempt({ attempt: 3, excluded: [] }, long)
    if (step.kind !== 'give-up') throw new Error('expected the end')
    expect(step.reasons.map(r => r.length)).toEqual([LIMITS.reasonLength, LIMITS.reasonLength, LIMITS.reasonLength])
    expect(step.reasons[0]!.startsWith('attempt 1 (a): xxx')).toBe(true)
    expect(() => validateFailure({ taskId: 't-1', attempt: 3, code: 'exhausted', reason: 'gave up', final: true, state: step.state, reasons: step.reasons }, 'body')).not.toThrow()
  })
})

describe('mission DAG', () => {
  const plan = [
    { id: 'a', text: 'A', dependsOn: [] },
    { id: 'b', text: 'B', dependsOn: [] },
    { id: 'c', text: 'C', dependsOn: ['a', 'b'] }
  ]
  it('orders, reports ready subtasks, feeds outputs forward and assembles', () => {
    const dag = buildDag(plan)
    expect(dag.order).toEqual(['a', 'b', 'c'])
    expect(readySubtasks(dag, new Set(), new Set())).toEqual(['a', 'b'])
    expect(readySubtasks(dag, new Set(['a']), new Set(['a', 'b']))).toEqual([])
    expect(readySubtasks(dag, new Set(['a', 'b']), new Set(['a', 'b']))).toEqual(['c'])
    const results = new Map([['a', { text: 'one', output: 1 }], ['b', { text: 'two' }]])
    expect(subtaskInput(dag, 'c', results)).toEqual({ a: 1, b: 'two' })
    expect(subtaskInput(dag, 'a', results)).toBeUndefined()
    results.set('c', { text: 'three', output: 3 })
    expect(assembleMission(dag, results)).toMatchObject({ text: 'three', output: { a: 1, b: 'two', c: 3 } })
  })
  it('names each answer of a mission with several by the part it answers, not by its plan id', () => {
    const dag = buildDag([
      { id: 's1', text: 'What is 15% of 80', dependsOn: [] },
      { id: 's2', text: 'What is the square root of 144?', dependsOn: [] },
      { id: 's3', text: 'Convert 5 km to miles.', dependsOn: [] },
      { id: 's4', text: 'List the primes below 10', dependsOn: [] }
    ])
    const results = new Map([['s1', { text: '12', output: 12 }], ['s2', { text: '12', output: 12 }], ['s3', { text: '3.11 miles' }], ['s4', { text: '2\n3\n5\n7' }]])
    const done = assembleMission(dag, results)
    // Before: "s1: 12\ns2: 12\n...", and which 12 answered which question was left to guess.
    expect(done.text).toBe('What is 15% of 80? 12\nWhat is the square root of 144? 12\nConvert 5 km to miles: 3.11 miles\nList the primes below 10:\n2\n3\n5\n7')
    expect(done.output).toEqual({ s1: 12, s2: 12, s3: '3.11 miles', s4: '2\n3\n5\n7' })
    expect(done.working?.[0]).toBe('s1 (What is 15% of 80): 12')
    expect(legacyMissionText(dag, results)).toBe('s1: 12\ns2: 12\ns3: 3.11 miles\ns4: 2\n3\n5\n7')
    // A part that works on the one before is named with it: "How many days until that date?" alone says not which date.
    const counted = buildDag([
      { id: 's1', text: 'What is 15% of 80', dependsOn: [] },
      { id: 's2', text: 'Find when the beta launches', dependsOn: [] },
      { id: 's3', text: 'How many days until that date?', dependsOn: ['s2'] }
    ])
    expect(assembleMission(counted, new Map([['s1', { text: '12' }], ['s2', { text: '3 December 2026' }], ['s3', { text: '9 days' }]])).text)
      .toBe('What is 15% of 80? 12\nFind when the beta launches, then how many days until that date? 9 days')
    // A part that asks a question is answered too, also when another works on it; a step is not shown.
    const both = buildDag([{ id: 's1', text: 'When is the beta launch', dependsOn: [] }, { id: 's2', text: 'How many days until it?', dependsOn: ['s1'] }])
    expect(assembleMission(both, new Map([['s1', { text: 'On 3 December 2026' }], ['s2', { text: '9 days' }]])).text)
      .toBe('When is the beta launch? On 3 December 2026\nHow many days until it? 9 days')
    const step = buildDag([{ id: 's1', text: 'Square 5', dependsOn: [] }, { id: 's2', text: 'Add 1', dependsOn: ['s1'] }])
    expect(assembleMission(step, new Map([['s1', { text: '25' }], ['s2', { text: '26' }]])).text).toBe('26')
    // A long part is named by its start.
    const long = buildDag([{ id: 'a', text: `Summarise ${'the report '.repeat(20)}`, dependsOn: [] }, { id: 'b', text: 'B', dependsOn: [] }])
    const line = assembleMission(long, new Map([['a', { text: 'short' }], ['b', { text: 'b' }]])).text.split('\n')[0]!
    expect(line).toMatch(/^Summarise the report the report .*…: short$/)
    expect(line.length).toBeLessThan(130)
  })
  it('says of a part that cannot run which part it waits for, by its text', () => {
    const dag = buildDag([
      { id: 's1', text: 'compute 15% of 200', dependsOn: [] },
      { id: 's2', text: 'name the capital of France', dependsOn: [] },
      { id: 's3', text: 'translate it into Spanish', dependsOn: ['s2'] }
    ])
    const notDone = whyNotDone(dag, new Map([['s2', 'unassigned: no capable agent in the room']]))
    expect([...notDone]).toEqual([['s2', 'unassigned: no capable agent in the room'], ['s3', 'not run: it depends on "name the capital of France" (s2)']])
    expect(assemblePartial(dag, new Map([['s1', { text: '30', output: 30 }]]), notDone)?.text).toBe([
      'Partly done (1 of 3 parts):',
      'compute 15% of 200: 30',
      'name the capital of France: not done, unassigned: no capable agent in the room',
      'translate it into Spanish: not done, not run: it depends on "name the capital of France" (s2)'
    ].join('\n'))
  })
  it('names the parts whose result ran on other outputs of their dependencies than those kept', () => {
    const dag = buildDag(plan)
    const results = new Map([['a', { text: 'one', output: 1 }], ['b', { text: 'two' }], ['c', { text: 'three' }]])
    // The digest ignores key order, so an input that went through a signed message still matches.
    expect(inputDigest({ b: 'two', a: 1 })).toBe(inputDigest(subtaskInput(dag, 'c', results)))
    expect(staleParts(dag, results, () => inputDigest({ a: 1, b: 'two' }))).toEqual([])
    // c ran when a's output was 2: a's result was replaced since.
    expect(staleParts(dag, results, () => inputDigest({ a: 2, b: 'two' }))).toEqual([{ id: 'c', deps: ['a', 'b'] }])
    // Unknown (recorded without a digest), or a dependency not done: nothing to say.
    expect(staleParts(dag, results, () => null)).toEqual([])
    results.delete('b')
    expect(staleParts(dag, results, () => inputDigest({ a: 2 }))).toEqual([])
  })
  it.each([
    [[{ id: 'a', text: 'A', dependsOn: ['b'] }, { id: 'b', text: 'B', dependsOn: ['c'] }, { id: 'c', text: 'C', dependsOn: ['a'] }], /dependency cycle a → c → b → a/],
    [[{ id: 'a', text: 'A', dependsOn: ['a'] }], /subtasks\[0\].dependsOn\[0\]: "a" depends on itself/],
    [[{ id: 'a', text: 'A', dependsOn: ['x'] }], /unknown subtask "x"/],
    [[{ id: 'a', text: 'A', dependsOn: [] }, { id: 'a', text: 'A', dependsOn: [] }], /subtasks\[1\].id: duplicate id/],
    [[{ id: 'a b', text: 'A', dependsOn: [] }], /subtasks\[0\].id: must match/],
    [[], /at least one subtask/]
  ])('rejects a bad plan (%#)', (subtasks, message) => {
    expect(() => buildDag(subtasks)).toThrow(PlanError)
    expect(() => buildDag(subtasks)).toThrow(message)
  })
  it('names the cycle in the order work would flow', () => {
    // c needs a, b needs c, a needs b.
    expect(() => buildDag([{ id: 'a', text: 'a', dependsOn: ['b'] }, { id: 'b', text: 'b', dependsOn: ['c'] }, { id: 'c', text: 'c', dependsOn: ['a'] }])).toThrow('dependency cycle a → c → b → a')
    expect(() => buildDag([{ id: 'x', text: 'x', dependsOn: ['y'] }, { id: 'y', text: 'y', dependsOn: ['x'] }])).toThrow('dependency cycle x → y → x')
  })
})

describe('task states', () => {
  it('allows the A2A lifecycle and refuses changes out of terminal states', () => {
    expect(applyTransition('submitted', 'working')).toBe('changed')
    expect(applyTransition('working', 'input-required')).toBe('changed')
    expect(applyTransition('input-required', 'working')).toBe('changed')
    expect(applyTransition('working', 'submitted')).toBe('changed')
    expect(applyTransition('submitted', 'completed')).toBe('changed')
    expect(applyTransition('completed', 'completed')).toBe('duplicate-completion')
    for (const from of TERMINAL_STATES) for (const to of TASK_STATES) if (!(from === 'completed' && to === 'completed')) expect(applyTransition(from, to)).toBe('illegal')
    expect(canTransition('unassigned', 'working')).toBe(false)
  })
})

describe('reputation', () => {
  it('starts neutral, stays in [0.5, 1.5], and moves with outcomes', () => {
    expect(reputationFactor(newSkillRecord())).toBe(1)
    let good = newSkillRecord()
    let bad = newSkillRecord()
    for (let i = 0; i < 50; i++) {
      good = recordVerification(recordCompletion(good, true, 50), true)
      bad = recordVerification(recordCompletion(bad, false), false)
    }
    expect(reputationFactor(good)).toBeGreaterThan(1.3)
    expect(reputationFactor(good)).toBeLessThanOrEqual(1.5)
    expect(reputationFactor(bad)).toBeLessThan(0.7)
    expect(reputationFactor(bad)).toBeGreaterThanOrEqual(0.5)
    const book = new ReputationBook()
    book.completed('a', 's', true, 100)
    expect(book.factor('a', 's')).toBeGreaterThan(1)
    expect(book.factor('a', 'other')).toBe(1)
  })
})

describe('verification quorum', () => {
  const vote = (peerId: string, v: Vote['vote'], reason = 'checked', confidence = 0.9): Vote => ({ peerId, agentId: 'v', vote: v, confidence, reason })
  const q = { quorum: 2, producerPeerId: 'P', minConfidence: 0.5 }
  it('needs distinct peers other than the producer', () => {
    expect(verificationStatus([vote('P', 'support'), vote('A', 'support'), { ...vote('A', 'support'), agentId: 'w' }], q).status).toBe('pending')
    expect(verificationStatus([vote('A', 'support'), vote('B', 'support')], q)).toMatchObject({ status: 'verified', supporters: ['A', 'B'] })
    expect(verificationStatus([vote('A', 'support'), vote('B', 'support', 'meh', 0.2)], q).status).toBe('pending')
    expect(verificationStatus([vote('A', 'abstain'), vote('B', 'abstain')], q).status).toBe('pending')
  })
  it('any well-founded dispute makes it disputed; unfounded ones do not count', () => {
    expect(verificationStatus([vote('A', 'support'), vote('B', 'support'), vote('C', 'dispute', 'wrong sum')], q).status).toBe('disputed')
    expect(verificationStatus([vote('A', 'support'), vote('B', 'support'), vote('C', 'dispute', ' ')], q).status).toBe('verified')
    expect(verificationStatus([vote('P', 'dispute', 'self')], q).status).toBe('pending')
    expect(verificationStatus([vote('C', 'dispute', 'unsure', 0.1)], q).status).toBe('pending')
  })
})

describe('stewardship', () => {
  it('ranks the same candidates the same way on every node', () => {
    const live = ['C', 'A', 'B']
    expect(takeoverRank('A', 'S', live)).toBe(0)
    expect(takeoverRank('B', 'S', ['A', 'C', 'S2'])).toBe(1)
    expect(takeoverRank('A', 'B', live)).toBeNull() // the steward is here
    expect(takeoverRank('A', 'A', live)).toBeNull()
    expect(takeoverDelayMs(2, { graceMs: 10, staggerMs: 100 })).toBe(210)
  })
})
