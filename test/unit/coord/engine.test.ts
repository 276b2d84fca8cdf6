import { describe, it, expect } from 'vitest'
import { FakeClock, MemoryNetwork, makeNode, runFor, runUntil, settle, type SimNode } from './sim.ts'
import { decideAward } from '../../../src/coord/award.ts'
import { isTerminal } from '../../../src/coord/task-state.ts'
import type { ExecutionHooks } from '../../../src/coord/interfaces.ts'

describe('coordination engine: award', () => {
  it('every node computes the same winner, and the task completes once', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 3, jitterMs: 4 })
    const a = await makeNode(net, clock, [{ id: 'calc-a', skill: 'math', keywords: ['sum'], confidence: 0.6 }])
    const b = await makeNode(net, clock, [{ id: 'calc-b', skill: 'math', keywords: ['sum'], confidence: 0.9 }])
    const c = await makeNode(net, clock, [{ id: 'calc-c', skill: 'math', keywords: ['sum'], confidence: 0.9 }, { id: 'other', skill: 'x', keywords: ['zzz'], confidence: 1 }])
    const nodes = [a, b, c]
    await runFor(clock, 50)
    const id = a.engine.tasks.submit({ text: 'sum 2 and 3' })
    await runUntil(clock, () => nodes.every(n => n.engine.tasks.get(id)?.state === 'completed'), 2000)
    const snaps = nodes.map(n => n.engine.tasks.get(id)!)
    // calc-b and calc-c tie on score: the rule's salted tie-break decides, the same way on every node.
    const awards = nodes.flatMap(n => n.recorder.awards)
    expect(awards, JSON.stringify({ snaps: snaps.map(x => [x.state, x.agentId, x.attempts]), runs: nodes.map(n => n.runs.length) })).toHaveLength(1)
    expect(awards[0]!.bids.map(x => x.agentId).sort()).toEqual(['calc-a', 'calc-b', 'calc-c'])
    const expected = decideAward(awards[0]!.bids, { minConfidence: 0.3, excluded: [], tieSalt: id }).winner!
    expect(['calc-b', 'calc-c']).toContain(expected.agentId)
    const winner = expected.agentId === 'calc-b' ? b : c
    for (const s of snaps) {
      expect(s.agentId).toBe(expected.agentId)
      expect(s.peerId).toBe(winner.id.peerId)
      expect(s.skillId).toBe('math')
      expect(s.result?.text).toBe(`${expected.agentId} did: sum 2 and 3`)
    }
    expect(winner.runs.length).toBe(1)
    expect(nodes.filter(n => n !== winner).reduce((k, n) => k + n.runs.length, 0)).toBe(0)
    expect(a.recorder.outcomes.get(id)?.state).toBe('completed')
    expect(winner.recorder.results).toHaveLength(1)
    for (const n of nodes) expect(n.engine.stats().rejected).toEqual({})
  })

  it('a bid estimates its latency from how long the agent took before, and from its load', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const a = await makeNode(net, clock, [{ id: 'slow', skill: 'math', keywords: ['sum'], confidence: 0.9, workMs: 300 }])
    const b = await makeNode(net, clock, [])
    const latencies = (): number[] => b.recorder.awards.concat(a.recorder.awards).flatMap(x => x.bids.filter(y => y.agentId === 'slow').map(y => y.latencyMs))
    // Untried: the 1 s prior.
    const first = b.engine.tasks.submit({ text: 'sum 1 and 1' })
    await runUntil(clock, () => b.engine.tasks.get(first)?.state === 'completed', 5000)
    expect(latencies()).toEqual([1000])
    // After three runs of 300 ms, the EWMA (α 0.2) has moved from 1,000 towards 300.
    for (const k of [2, 3]) {
      const id = b.engine.tasks.submit({ text: `sum ${k} and ${k}` })
      await runUntil(clock, () => b.engine.tasks.get(id)?.state === 'completed', 5000)
    }
    const ewma = [300, 300, 300].reduce(x => x + 0.2 * (300 - x), 1000)
    const fourth = b.engine.tasks.submit({ text: 'sum 4 and 4' })
    // A second task while the fourth runs: the agent is busy with one, so the wait doubles.
    await runUntil(clock, () => b.engine.tasks.get(fourth)?.state === 'working', 5000)
    const fifth = b.engine.tasks.submit({ text: 'sum 5 and 5' })
    await runUntil(clock, () => [fourth, fifth].every(t => b.engine.tasks.get(t)?.state === 'completed'), 5000)
    expect(latencies().slice(3)).toEqual([Math.round(ewma), Math.round(ewma * 2)])
  })
})

describe('coordination engine: missions and verification', () => {
  it('decomposes a two-part mission, runs the parts in parallel on different nodes, a third node verifies, and assembles the result', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2, jitterMs: 3 })
    const planner = {
      id: 'planner', skill: 'plan', keywords: ['mission'], confidence: 0.95, workMs: 5,
      run: () => ({ text: 'two parts and a join', plan: { subtasks: [
        { id: 'area', text: 'compute area 3*4', dependsOn: [] },
        { id: 'name', text: 'shout name bob', dependsOn: [] },
        { id: 'report', text: 'report join', dependsOn: ['area', 'name'] }
      ] } })
    }
    const a = await makeNode(net, clock, [planner, {
      id: 'reporter', skill: 'write', keywords: ['report'], confidence: 0.9, workMs: 20,
      run: task => ({ text: `report: ${JSON.stringify(task.input)}`, output: task.input })
    }])
    const b = await makeNode(net, clock, [{ id: 'calc', skill: 'math', keywords: ['compute'], confidence: 0.9, workMs: 200, run: () => ({ text: '12', output: 12 }) }])
    const c = await makeNode(net, clock, [{ id: 'shout', skill: 'text', keywords: ['shout'], confidence: 0.9, workMs: 200, run: () => ({ text: 'BOB', output: 'BOB' }) }])
    const d = await makeNode(net, clock, [{
      id: 'checker', skill: 'verify', keywords: [], confidence: 0, workMs: 10,
      run: () => ({ text: 'ok', verdict: { vote: 'support', confidence: 0.9, reason: 'checked' } })
    }], { verifiers: ['checker'] })
    const nodes = [a, b, c, d]
    const missions: string[] = []
    a.engine.on('mission', e => { missions.push(e.state) })
    await runFor(clock, 20)
    const id = d.engine.tasks.submit({ text: 'mission: area of 3x4 and shout bob, then report' })
    await runUntil(clock, () => nodes.every(n => n.engine.tasks.get(id)?.state === 'completed'), 10_000)

    const snap = d.engine.tasks.get(id)!
    expect(snap.mission?.subtasks.map(s => [s.planId, s.state])).toEqual([['area', 'completed'], ['name', 'completed'], ['report', 'completed']])
    expect(snap.result?.output).toEqual({ area: 12, name: 'BOB', report: { area: 12, name: 'BOB' } })
    expect(snap.result?.text).toBe('report: {"area":12,"name":"BOB"}')
    // The parts ran on different nodes, at the same time.
    const area = b.runs.find(r => r.taskId === `${id}/1`)!
    const name = c.runs.find(r => r.taskId === `${id}/2`)!
    expect(area.startedAt).toBeLessThan(name.finishedAt!)
    expect(name.startedAt).toBeLessThan(area.finishedAt!)
    // Every part was verified by the fourth node (the only one with a verifier), never by its producer.
    for (const sub of snap.mission!.subtasks) {
      const s = a.engine.tasks.get(sub.taskId)!
      expect(s.verification?.status).toBe('verified')
      expect(s.verification?.supporters).toEqual([d.id.peerId])
    }
    // The working group, the solution recorded by the mission's steward, and events.
    expect(snap.mission!.group.map(g => g.agentId).sort()).toEqual(['calc', 'reporter', 'shout'])
    expect(d.recorder.solutions).toHaveLength(1)
    expect(d.recorder.solutions[0]!.parts.map(p => p.verification)).toEqual(['verified', 'verified', 'verified'])
    expect(nodes.flatMap(n => n.recorder.solutions)).toHaveLength(1)
    expect(missions[0]).toBe('planned')
    expect(missions.at(-1)).toBe('completed')
    expect(d.recorder.verifications.filter(v => v.status === 'verified')).toHaveLength(3)
    expect(d.recorder.votes).toHaveLength(3)
    // The group dissolves with the mission: its outcome record names who was in it.
    expect(d.recorder.outcomes.get(snap.id)?.group?.map(g => g.agentId).sort()).toEqual(['calc', 'reporter', 'shout'])
  })

  it('rejects a plan with a cycle, naming it', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const a = await makeNode(net, clock, [{
      id: 'planner', skill: 'plan', keywords: ['mission'], confidence: 0.9,
      run: () => ({ text: 'loop', plan: { subtasks: [{ id: 'x', text: 'x', dependsOn: ['y'] }, { id: 'y', text: 'y', dependsOn: ['x'] }] } })
    }])
    const b = await makeNode(net, clock, [])
    const id = b.engine.tasks.submit({ text: 'mission impossible' })
    await runUntil(clock, () => [a, b].every(n => n.engine.tasks.get(id)?.state === 'failed'), 5000)
    expect(b.engine.tasks.get(id)!.reason).toMatch(/cycle (x → y → x|y → x → y)/)
  })

  it('marks a result disputed when a verifier disputes it with a reason', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const a = await makeNode(net, clock, [{ id: 'guesser', skill: 'math', keywords: ['sum'], confidence: 0.9, run: () => ({ text: '5' }) }])
    const b = await makeNode(net, clock, [{ id: 'checker', skill: 'verify', keywords: [], confidence: 0, run: () => ({ text: 'no', verdict: { vote: 'dispute', confidence: 0.8, reason: '2+2 is 4' } }) }], { verifiers: ['checker'] })
    const id = b.engine.tasks.submit({ text: 'sum 2 and 2', verify: 1 })
    await runUntil(clock, () => a.engine.tasks.get(id)?.verification?.status === 'disputed' && b.engine.tasks.get(id)?.verification?.status === 'disputed', 5000)
    expect(b.recorder.verifications.at(-1)).toMatchObject({ status: 'disputed', disputes: [{ reason: '2+2 is 4' }] })
    expect(a.engine.tasks.get(id)!.state).toBe('completed')
  })
  it('verifies by default wherever a verifier runs on another present peer, and nowhere else', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const verifying = new Set<string>()
    const extra = { verifyingPeers: () => verifying }
    const worker = { id: 'adder', skill: 'math', keywords: ['sum'], confidence: 0.9, run: () => ({ text: '4' }) }
    const checker = { id: 'checker', skill: 'verify', keywords: [], confidence: 0, run: () => ({ text: 'yes', verdict: { vote: 'support' as const, confidence: 0.9, reason: '2+2 is 4' } }) }
    const a = await makeNode(net, clock, [worker], {}, extra)
    const b = await makeNode(net, clock, [checker], { verifiers: ['checker'] }, extra)
    const fixed = await makeNode(net, clock, [], { verifyQuorum: 0 }, extra)
    verifying.add(b.id.peerId)
    const done = async (n: typeof a, req: { text: string, verify?: number }) => {
      const id = n.engine.tasks.submit(req)
      await runUntil(clock, () => a.engine.tasks.get(id)?.state === 'completed', 5000)
      await runFor(clock, 300)
      return a.engine.tasks.get(id)!
    }
    // From A: B's verifier is on another present peer, so the result is verified without asking.
    expect((await done(a, { text: 'sum 2 and 2' })).verification).toMatchObject({ status: 'verified', supporters: [b.id.peerId] })
    // An explicit verify: 0 and a node configured with a number keep theirs.
    expect((await done(a, { text: 'sum 2 and 2', verify: 0 })).verification).toBeUndefined()
    expect((await done(fixed, { text: 'sum 2 and 2' })).verification).toBeUndefined()
    // From B: the room's only verifier is B's own, so B's tasks ask for no verification.
    expect((await done(b, { text: 'sum 2 and 2' })).verification).toBeUndefined()
    // A verifier listed for a peer that is not present does not count.
    verifying.clear(); verifying.add('12D3KooWGhostPeerThatIsNotHere')
    expect((await done(a, { text: 'sum 2 and 2' })).verification).toBeUndefined()
  })

  it('a verifier registered after the engine started votes too (the verifier list is read at each verification)', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const verifiers: string[] = []
    const a = await makeNode(net, clock, [{ id: 'adder', skill: 'math', keywords: ['sum'], confidence: 0.9, run: () => ({ text: '4' }) }])
    const b = await makeNode(net, clock, [{ id: 'checker', skill: 'verify', keywords: [], confidence: 0, run: () => ({ text: 'yes', verdict: { vote: 'support' as const, confidence: 0.9, reason: '2+2 is 4' } }) }], { verifiers: () => verifiers })
    const before = a.engine.tasks.submit({ text: 'sum 2 and 2', verify: 1 })
    await runUntil(clock, () => a.engine.tasks.get(before)?.state === 'completed', 5000)
    await runFor(clock, 1000)
    expect(a.engine.tasks.get(before)!.verification).toMatchObject({ status: 'pending', supporters: [] })
    verifiers.push('checker')
    const after = a.engine.tasks.submit({ text: 'sum 2 and 2', verify: 1 })
    await runUntil(clock, () => a.engine.tasks.get(after)?.verification?.status === 'verified', 5000)
    expect(a.engine.tasks.get(after)!.verification!.supporters).toEqual([b.id.peerId])
  })

  it('a verifier that abstains leaves the result pending and is listed with its reason on every node', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const a = await makeNode(net, clock, [{ id: 'guesser', skill: 'math', keywords: ['sum'], confidence: 0.9, run: () => ({ text: '4' }) }])
    const b = await makeNode(net, clock, [{ id: 'checker', skill: 'verify', keywords: [], confidence: 0, run: () => ({ text: 'cannot tell', verdict: { vote: 'abstain', confidence: 0, reason: 'nothing relevant is known' } }) }], { verifiers: ['checker'] })
    const id = b.engine.tasks.submit({ text: 'sum 2 and 2', verify: 1 })
    await runUntil(clock, () => [a, b].every(n => (n.engine.tasks.get(id)?.verification?.abstained?.length ?? 0) === 1), 5000)
    for (const n of [a, b]) {
      const v = n.engine.tasks.get(id)!.verification!
      expect(v.status).toBe('pending')
      expect(v.abstained).toEqual([{ peerId: b.id.peerId, agentId: 'checker', reason: 'nothing relevant is known' }])
    }
  })

  it('assembles a mission once every verifying peer has voted, abstentions included, instead of waiting out verifyTimeoutMs', async () => {
    // Planner and worker on one node; two other nodes run verifiers that cannot judge.
    const scenario = async (hint: boolean): Promise<number> => {
      const clock = new FakeClock()
      const net = new MemoryNetwork(clock, { delayMs: 2 })
      const verifying = new Set<string>()
      const extra = hint ? { verifyingPeers: () => verifying } : {}
      const options = { verifyTimeoutMs: 10_000 }
      const a = await makeNode(net, clock, [
        { id: 'planner', skill: 'plan', keywords: ['mission'], confidence: 0.95, run: () => ({ text: 'two parts', plan: { subtasks: [{ id: 's1', text: 'compute one', dependsOn: [] }, { id: 's2', text: 'compute two', dependsOn: ['s1'] }] } }) },
        { id: 'calc', skill: 'math', keywords: ['compute'], confidence: 0.9, run: () => ({ text: '1', output: 1 }) }
      ], options, extra)
      const abstain = { id: 'checker', skill: 'verify', keywords: [], confidence: 0, workMs: 30, run: () => ({ text: '?', verdict: { vote: 'abstain' as const, confidence: 0, reason: 'nothing relevant is known' } }) }
      const b = await makeNode(net, clock, [abstain], { ...options, verifiers: ['checker'] }, extra)
      const c = await makeNode(net, clock, [abstain], { ...options, verifiers: ['checker'] }, extra)
      verifying.add(b.id.peerId).add(c.id.peerId)
      const id = a.engine.tasks.submit({ text: 'mission: two parts' })
      const took = await runUntil(clock, () => a.engine.tasks.get(id)?.state === 'completed', 30_000)
      const snap = a.engine.tasks.get(id)!
      expect(snap.mission!.subtasks.map(s => s.state)).toEqual(['completed', 'completed'])
      // Both verifiers voted (abstained) on each part; the parts are unverified either way, and say why.
      for (const sub of snap.mission!.subtasks) {
        const v = a.engine.tasks.get(sub.taskId)!.verification!
        expect(v.status).toBe('unverified')
        expect(v.reason).toBe(hint ? 'every verifier on another present peer has voted and the quorum of 1 was not reached (2 abstained)' : 'no verdict within 10 s; 2 abstained')
        expect(v.abstained?.map(x => x.peerId).sort()).toEqual([b.id.peerId, c.id.peerId].sort())
      }
      return took
    }
    const withHint = await scenario(true)
    const without = await scenario(false)
    expect(withHint).toBeLessThan(1_000)
    // Without knowing who verifies, the last part waits out the timeout.
    expect(without).toBeGreaterThanOrEqual(10_000)
  })
})

describe('coordination engine: a mission with a part nobody can do', () => {
  it('runs the parts that do not depend on it, skips those that do, and fails with what the others delivered', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2, jitterMs: 3 })
    const planner = {
      id: 'planner', skill: 'plan', keywords: ['mission'], confidence: 0.95, workMs: 5,
      run: () => ({ text: 'three parts', plan: { subtasks: [
        { id: 's1', text: 'compute 15% of 200', dependsOn: [] },
        { id: 's2', text: 'name the capital of France', dependsOn: [] },
        { id: 's3', text: 'translate it into Spanish', dependsOn: ['s2'] }
      ] } })
    }
    // The calculation takes a while: nobody bids on the capital long before it is done.
    const a = await makeNode(net, clock, [planner, { id: 'calc', skill: 'math', keywords: ['compute'], confidence: 0.9, workMs: 1500, run: () => ({ text: '30', output: 30 }) }])
    const b = await makeNode(net, clock, [])
    const nodes = [a, b]
    await runFor(clock, 20)
    const id = b.engine.tasks.submit({ text: 'mission: compute 15% of 200 and name the capital of France in Spanish' })
    await runUntil(clock, () => nodes.every(n => n.engine.tasks.get(id)?.state === 'failed'), 20_000)
    for (const n of nodes) {
      const snap = n.engine.tasks.get(id)!
      // Before: s1 was canceled as soon as s2 went unassigned, and its 30 was lost.
      expect(snap.mission?.subtasks.map(s => [s.planId, s.state])).toEqual([['s1', 'completed'], ['s2', 'unassigned'], ['s3', 'pending']])
      expect(snap.reason).toMatch(/^subtask s2 unassigned: no capable agent in the room.*; not run: s3 \(after s2\)$/)
      expect(snap.result?.output).toEqual({ s1: 30 })
      expect(snap.result?.text).toMatch(/^Partly done \(1 of 3 parts\):\ncompute 15% of 200: 30\nname the capital of France: not done, unassigned: no capable agent in the room.*\ntranslate it into Spanish: not done, not run: it depends on "name the capital of France" \(s2\)$/)
    }
    expect(a.runs.filter(r => r.taskId === `${id}/1`)).toHaveLength(1)
    // The steward (the submitting node) records the mission as failed.
    expect(b.recorder.outcomes.get(id)?.state).toBe('failed')
  })
})

describe('coordination engine: a retry nobody takes', () => {
  it('fails with the earlier attempt\'s reason, not "unassigned", and a twin of the failed agent is told so and can decline', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const broken = { skill: 'math', keywords: ['sum'], run: () => { throw new Error('calculator: cannot parse this') } }
    const a = await makeNode(net, clock, [{ id: 'calc-a', confidence: 0.9, ...broken }])
    // The same code on another node: it declines once calc-a failed the task with an error.
    const b = await makeNode(net, clock, [{ id: 'calc-b', confidence: 0.8, declineAfterFailureOf: ['calc-a'], ...broken }])
    const c = await makeNode(net, clock, [])
    const id = c.engine.tasks.submit({ text: 'sum two and two' })
    await runUntil(clock, () => [a, b, c].every(n => n.engine.tasks.get(id)?.state === 'failed'), 10_000)
    const snap = c.engine.tasks.get(id)!
    expect(snap.reason).toMatch(/^no other agent bid after the failed attempt: attempt 1 \(calc-a\): calculator: cannot parse this$/)
    expect(snap.attempts).toHaveLength(2)
    expect(b.runs).toEqual([])
    // Recorded as failed, not unassigned.
    expect(c.recorder.outcomes.get(id)?.state).toBe('failed')
  })

  it('ends rejected when every agent that took it refused it (handed it off), with each refusal', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const refuse = { skill: 'legal', keywords: ['contract'], run: (_t: unknown, hooks: ExecutionHooks) => hooks.handOff('I do not give legal advice') }
    const a = await makeNode(net, clock, [{ id: 'clerk-a', confidence: 0.9, ...refuse }])
    const b = await makeNode(net, clock, [{ id: 'clerk-b', confidence: 0.8, ...refuse }])
    const c = await makeNode(net, clock, [])
    const id = c.engine.tasks.submit({ text: 'review this contract' })
    await runUntil(clock, () => [a, b, c].every(n => isTerminal(n.engine.tasks.get(id)?.state ?? 'submitted')), 10_000)
    for (const n of [a, b, c]) {
      const snap = n.engine.tasks.get(id)!
      expect(snap.state).toBe('rejected')
      // The third attempt found nobody left to bid: every agent that took the task refused it.
      expect(snap.attempts.map(x => [x.agentId, x.outcome])).toEqual([['clerk-a', 'refused: handed off: I do not give legal advice'], ['clerk-b', 'refused: handed off: I do not give legal advice'], [undefined, undefined]])
      expect(snap.reason).toContain('attempt 1 (clerk-a): handed off: I do not give legal advice')
      expect(snap.reason).toContain('attempt 2 (clerk-b): handed off: I do not give legal advice')
    }
    expect(c.recorder.outcomes.get(id)?.state).toBe('rejected')
  })
})

describe('coordination engine: recovery', () => {
  it('reassigns the task of a node that vanishes mid-task, without that agent, and completes it', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 3 })
    const a = await makeNode(net, clock, [])
    const b = await makeNode(net, clock, [{ id: 'slow', skill: 's', keywords: ['work'], confidence: 0.95, workMs: 2000 }])
    const c = await makeNode(net, clock, [{ id: 'slow', skill: 's', keywords: ['work'], confidence: 0.8, workMs: 2000 }])
    const id = a.engine.tasks.submit({ text: 'work hard' })
    await runUntil(clock, () => b.runs.length === 1, 1000)
    await runFor(clock, 500)
    net.remove(b.id.peerId)
    b.engine.stop()
    const removedAt = clock.now()
    let reawardedAt = 0
    a.engine.on('task', e => { if (e.taskId === id && e.state === 'working' && e.attempt === 2) reawardedAt = clock.now() })
    await runUntil(clock, () => [a, c].every(n => n.engine.tasks.get(id)?.state === 'completed'), 10_000)
    const snap = a.engine.tasks.get(id)!
    expect(snap.attempt).toBe(2)
    expect(snap.peerId).toBe(c.id.peerId)
    expect(snap.attempts[0]).toMatchObject({ attempt: 1, agentId: 'slow', peerId: b.id.peerId })
    expect(snap.attempts[0]!.outcome).toMatch(/^left:/)
    expect(snap.attempts[1]).toMatchObject({ attempt: 2, peerId: c.id.peerId, outcome: 'completed' })
    const recoveryMs = reawardedAt - removedAt
    expect(recoveryMs).toBeGreaterThan(0)
    expect(recoveryMs).toBeLessThan(5000)
    console.log(`recovery (peer loss → re-award) in simulated time: ${recoveryMs} ms; completion ${clock.now() - removedAt} ms after the loss`)
  })

  it('re-announces after a lease lapses (silent holder) and fails after 3 attempts with the reasons', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const hang = { skill: 's', keywords: ['hang'], workMs: 60_000 }
    const a = await makeNode(net, clock, [], { leaseMs: 600 })
    const nodes = [a]
    for (let i = 0; i < 3; i++) {
      const n = await makeNode(net, clock, [{ id: `hanger-${i}`, confidence: 0.9 - i * 0.1, ...hang }], { leaseMs: 600 })
      nodes.push(n)
    }
    // Holders crash silently: their heartbeats never leave (the transport swallows them).
    for (const n of nodes.slice(1)) {
      const t = (n.engine as unknown as { transport: { publish: (b: Uint8Array) => void } }).transport
      const publish = t.publish.bind(t)
      t.publish = bytes => { if (!new TextDecoder().decode(bytes).includes('"kind":"lease"')) publish(bytes) }
    }
    const id = a.engine.tasks.submit({ text: 'hang forever' })
    await runUntil(clock, () => nodes.every(n => n.engine.tasks.get(id)?.state === 'failed'), 20_000)
    const snap = a.engine.tasks.get(id)!
    expect(snap.attempts.map(x => x.agentId)).toEqual(['hanger-0', 'hanger-1', 'hanger-2'])
    expect(snap.reason).toMatch(/gave up after 3 attempts/)
    expect(snap.reason).toMatch(/lease lapsed/)
    expect(a.recorder.outcomes.get(id)?.failures).toHaveLength(3)
  })

  it('a task nobody can do ends unassigned with the reason', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const a = await makeNode(net, clock, [{ id: 'calc', skill: 'math', keywords: ['sum'], confidence: 0.9 }])
    const b = await makeNode(net, clock, [{ id: 'weak', skill: 'poem', keywords: ['poem'], confidence: 0.1 }])
    const c = await makeNode(net, clock, [])
    const id = c.engine.tasks.submit({ text: 'paint the house' })
    await runUntil(clock, () => [a, b, c].every(n => n.engine.tasks.get(id)?.state === 'unassigned'), 2000)
    expect(a.engine.tasks.get(id)!.reason).toBe('no capable agent in the room: nobody bid')
    const id2 = c.engine.tasks.submit({ text: 'write a poem' })
    await runUntil(clock, () => [a, b, c].every(n => n.engine.tasks.get(id2)?.state === 'unassigned'), 2000)
    expect(a.engine.tasks.get(id2)!.reason).toMatch(/below the threshold/)
    expect(c.recorder.outcomes.get(id)?.state).toBe('unassigned')
    await expect(c.engine.tasks.wait(id2, { timeoutMs: 10 })).resolves.toMatchObject({ state: 'unassigned' })
  })
})

/** Node a hosts an agent that asks a person whom to greet; b has no agents and notes the questions it sees. */
async function askingRoom (): Promise<{ clock: FakeClock, a: SimNode, b: SimNode, questions: string[] }> {
  const clock = new FakeClock()
  const net = new MemoryNetwork(clock)
  const a = await makeNode(net, clock, [{
    id: 'asker', skill: 'q', keywords: ['greet'], confidence: 0.9,
    run: async (_task, hooks) => ({ text: `hello ${await hooks.ask('whom should I greet?')}` })
  }])
  const b = await makeNode(net, clock, [])
  const questions: string[] = []
  b.engine.on('question', q => { questions.push(q.questionId) })
  return { clock, a, b, questions }
}

describe('coordination engine: consultation and cancel', () => {
  it('an agent asks a person; the task is input-required until someone at any tab answers', async () => {
    const { clock, a, b, questions } = await askingRoom()
    const id = b.engine.tasks.submit({ text: 'greet someone' })
    await runUntil(clock, () => b.engine.tasks.get(id)?.state === 'input-required', 2000)
    expect(a.engine.tasks.get(id)!.state).toBe('input-required')
    await runFor(clock, 5000) // leases stay alive while waiting
    expect(b.engine.tasks.get(id)!.attempt).toBe(1)
    b.engine.tasks.answer(questions[0]!, 'Ada')
    await runUntil(clock, () => [a, b].every(n => n.engine.tasks.get(id)?.state === 'completed'), 2000)
    expect(b.engine.tasks.get(id)!.result?.text).toBe('hello Ada')
    expect(b.recorder.consultations.map(c => c.kind)).toEqual(['answer'])
    expect(a.recorder.consultations.map(c => c.kind)).toEqual(['question'])
  })

  it('a person decides about a task: every node sees it, the deciding node records it; a bad answer or decision is refused before it is sent', async () => {
    const { clock, a, b, questions } = await askingRoom()
    const decisions: Array<{ about: string, text: string, from: string }> = []
    a.engine.on('decision', d => { decisions.push({ about: d.about, text: d.text, from: d.from }) })
    const id = b.engine.tasks.submit({ text: 'greet someone' })
    await runUntil(clock, () => b.engine.tasks.get(id)?.state === 'input-required', 2000)
    const sentBefore = b.engine.stats().messagesOut
    expect(() => { b.engine.tasks.answer(questions[0]!, '') }).toThrow('answer.text: must not be empty')
    expect(() => b.engine.tasks.decide(id, '')).toThrow('decision.text: must not be empty')
    expect(() => b.engine.tasks.decide(id, 'x'.repeat(8001))).toThrow('decision.text: must have at most 8000 characters, got 8001')
    expect(() => b.engine.tasks.decide('', 'go ahead')).toThrow(/^decision\.about: /)
    expect(b.engine.stats().messagesOut).toBe(sentBefore)
    const decisionId = b.engine.tasks.decide(id, 'greet Ada first')
    b.engine.tasks.answer(questions[0]!, 'Ada')
    await runUntil(clock, () => [a, b].every(n => n.engine.tasks.get(id)?.state === 'completed'), 2000)
    expect(decisions).toEqual([{ about: id, text: 'greet Ada first', from: b.id.peerId }])
    // The deciding node records the decision (the others only show it); no node refused anything.
    expect(b.recorder.consultations.filter(c => c.kind === 'decision')).toMatchObject([{ id: decisionId, about: id, text: 'greet Ada first' }])
    expect(a.recorder.consultations.filter(c => c.kind === 'decision')).toEqual([])
    for (const n of [a, b]) expect(n.engine.stats().rejected).toEqual({})
  })

  it('a request that states a decision is also sent as the person\'s decision about its task; one that cannot be sent is said, not thrown', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const recorder = await makeNode(net, clock, [{ id: 'rec', skill: 'record', keywords: ['decision', 'ship'], confidence: 0.9, run: async task => ({ text: task.text }) }])
    const decisionIn = (text: string): string | undefined => /^decision:\s*/i.test(text) ? text.replace(/^decision:\s*/i, '') : undefined
    const b = await makeNode(net, clock, [], {}, { decisionIn })
    const seen: Array<{ about: string, text: string }> = []
    recorder.engine.on('decision', d => { seen.push({ about: d.about, text: d.text }) })
    const problems: string[] = []
    b.engine.on('problem', p => { problems.push(p.message) })
    const id = b.engine.tasks.submit({ text: 'Decision: we ship on Friday' })
    const plain = b.engine.tasks.submit({ text: 'ship the parcel' })
    await runUntil(clock, () => [id, plain].every(t => b.engine.tasks.get(t)?.state === 'completed'), 3000)
    // The task ran as any other; the decision went out once, about it, and the deciding node recorded it.
    expect(b.engine.tasks.get(id)!.result?.text).toBe('Decision: we ship on Friday')
    expect(seen).toEqual([{ about: id, text: 'we ship on Friday' }])
    expect(b.recorder.consultations.filter(c => c.kind === 'decision')).toMatchObject([{ about: id, text: 'we ship on Friday' }])
    // A decision the message would refuse (here an empty one) is a problem reported; the task still goes out.
    const empty = b.engine.tasks.submit({ text: 'Decision:   ' })
    expect(problems).toEqual([`task ${empty} states a decision that could not be sent: decision.text: must not be empty`])
    await runUntil(clock, () => b.engine.tasks.get(empty)?.state === 'completed', 3000)
    expect(seen).toHaveLength(1)
  })

  it('a request that asks the room to keep a question open is recorded by the asking node as a person\'s open question about its task', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const answerer = await makeNode(net, clock, [{ id: 'look', skill: 'lookup', keywords: ['question', 'safari', 'ship'], confidence: 0.9, run: async task => ({ text: `looked up: ${task.text}` }) }])
    const questionIn = (text: string): string | undefined => /^question:\s*/i.test(text) ? text.replace(/^question:\s*/i, '') : undefined
    const b = await makeNode(net, clock, [], {}, { questionIn })
    const id = b.engine.tasks.submit({ text: 'Question: should we support Safari 15?' })
    const plain = b.engine.tasks.submit({ text: 'ship the parcel' })
    await runUntil(clock, () => [id, plain].every(t => b.engine.tasks.get(t)?.state === 'completed'), 3000)
    // The task ran as any other; the question was recorded once, by the node it was asked at, with no agent named.
    expect(b.engine.tasks.get(id)!.result?.text).toBe('looked up: Question: should we support Safari 15?')
    const asked = b.recorder.consultations.filter(c => c.kind === 'question')
    expect(asked).toHaveLength(1)
    expect(asked[0]).toMatchObject({ taskId: id, text: 'should we support Safari 15?', peerId: b.id.peerId })
    expect(asked[0]!.agentId).toBeUndefined()
    expect(answerer.recorder.consultations.filter(c => c.kind === 'question')).toEqual([])
  })

  it('the holder posts each new progress note of an attempt to the thread, not every fraction', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const a = await makeNode(net, clock, [{
      id: 'worker', skill: 'w', keywords: ['work'], confidence: 0.9,
      run: async (_task, hooks) => {
        hooks.progress(0.1, 'loading')
        hooks.progress(0.2, 'loading')
        hooks.progress(0.3)
        hooks.progress(0.5, 'running')
        hooks.progress(1)
        return { text: 'done' }
      }
    }])
    const b = await makeNode(net, clock, [])
    const id = b.engine.tasks.submit({ text: 'work on it' })
    await runUntil(clock, () => [a, b].every(n => n.engine.tasks.get(id)?.state === 'completed'), 2000)
    const notes = (n: typeof a): unknown[] => n.recorder.consultations.filter(c => c.kind === 'progress').map(c => [c.id, c.text, c.agentId])
    expect(notes(a)).toEqual([[`${id}:progress:1:1`, '10%: loading', 'worker'], [`${id}:progress:1:2`, '50%: running', 'worker']])
    expect(notes(b)).toEqual([])
  })

  it('an agent hands its task off; the next best agent does it', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const a = await makeNode(net, clock, [{ id: 'generalist', skill: 'g', keywords: ['translate'], confidence: 0.9, run: (_t, hooks) => hooks.handOff('a translator would do better', 'translator') }])
    const b = await makeNode(net, clock, [{ id: 'translator', skill: 't', keywords: ['translate'], confidence: 0.7 }])
    const id = a.engine.tasks.submit({ text: 'translate hi' })
    await runUntil(clock, () => [a, b].every(n => n.engine.tasks.get(id)?.state === 'completed'), 3000)
    expect(a.engine.tasks.get(id)!.agentId).toBe('translator')
    expect(a.engine.tasks.get(id)!.attempts[0]!.outcome).toMatch(/^refused: handed off/)
  })

  it('a handoff that names an agent: the next attempt goes to it, though another agent scores higher; the handoff counts against the hander in reputation', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const a = await makeNode(net, clock, [{ id: 'generalist', skill: 'g', keywords: ['translate'], confidence: 0.9, run: (_t, hooks) => hooks.handOff('a translator would do better', 'translator') }])
    const b = await makeNode(net, clock, [{ id: 'translator', skill: 't', keywords: ['translate'], confidence: 0.6 }])
    const c = await makeNode(net, clock, [{ id: 'interpreter', skill: 'i', keywords: ['translate'], confidence: 0.8 }])
    const id = c.engine.tasks.submit({ text: 'translate hi' })
    await runUntil(clock, () => [a, b, c].every(n => n.engine.tasks.get(id)?.state === 'completed'), 3000)
    for (const n of [a, b, c]) expect(n.engine.tasks.get(id)!.agentId).toBe('translator')
    const handed = [...a.recorder.reputations.values()].filter(r => r.agentId === 'generalist')
    expect(handed.map(r => [r.record.successes, r.record.failures])).toEqual([[0, 1]])
    // Named but absent: the usual rule decides (the interpreter scores highest once the generalist is excluded).
    const d = await makeNode(net, clock, [{ id: 'hander', skill: 'h', keywords: ['summarise'], confidence: 0.95, run: (_t, hooks) => hooks.handOff('not me', 'nobody-here') }, { id: 'summariser', skill: 's', keywords: ['summarise'], confidence: 0.5 }])
    const e = await makeNode(net, clock, [{ id: 'abstracter', skill: 's', keywords: ['summarise'], confidence: 0.7 }])
    const id2 = e.engine.tasks.submit({ text: 'summarise this' })
    await runUntil(clock, () => [d, e].every(n => n.engine.tasks.get(id2)?.state === 'completed'), 3000)
    expect(e.engine.tasks.get(id2)!.agentId).toBe('abstracter')
    expect(e.engine.stats().rejected).toEqual({})
  })

  it('cancel stops the running agent on its node and the task ends canceled everywhere', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const a = await makeNode(net, clock, [{ id: 'slow', skill: 's', keywords: ['work'], confidence: 0.9, workMs: 10_000 }])
    const b = await makeNode(net, clock, [])
    const id = b.engine.tasks.submit({ text: 'work' })
    await runUntil(clock, () => a.runs.length === 1, 1000)
    b.engine.tasks.cancel(id)
    await runUntil(clock, () => [a, b].every(n => n.engine.tasks.get(id)?.state === 'canceled'), 1000)
    await runFor(clock, 11_000)
    expect(a.runs[0]!.finishedAt).toBeUndefined()
    expect(a.engine.stats().messagesOut).toBeLessThan(20)
  })

  it('a task past its deadline fails everywhere with that reason, the running agent is stopped, and the end time is kept', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const a = await makeNode(net, clock, [{ id: 'slow', skill: 's', keywords: ['work'], confidence: 0.9, workMs: 10_000 }])
    const b = await makeNode(net, clock, [])
    const submittedAt = clock.now()
    const id = b.engine.tasks.submit({ text: 'work', deadlineMs: 2_000 })
    await runUntil(clock, () => a.runs.length === 1, 1000)
    await runUntil(clock, () => [a, b].every(n => n.engine.tasks.get(id)?.state === 'failed'), 5_000)
    for (const n of [a, b]) {
      const snap = n.engine.tasks.get(id)!
      expect(snap.reason).toBe('the deadline passed')
      // Before, a failed task had no end time in its timings (only completed ones had one).
      expect(snap.timings.endedAt! - submittedAt).toBeGreaterThanOrEqual(2_000)
      expect(snap.timings.endedAt! - submittedAt).toBeLessThan(3_000)
      expect(snap.timings.completedAt).toBeUndefined()
      expect(snap.progress).toBeUndefined()
    }
    await runFor(clock, 11_000)
    expect(a.runs[0]!.finishedAt).toBeUndefined()
    expect(b.engine.tasks.get(id)!.state).toBe('failed')
  })
})

describe('coordination engine: frames', () => {
  it('a busy node sends fewer, larger frames (at most one per frameMs), and every task still completes once', async () => {
    const run = async (frameMs: number): Promise<{ frames: number, messages: number, completed: number, rejected: number }> => {
      const clock = new FakeClock()
      const net = new MemoryNetwork(clock, { delayMs: 2, jitterMs: 3 })
      const nodes: SimNode[] = []
      for (let i = 0; i < 3; i++) nodes.push(await makeNode(net, clock, [{ id: `echo-${i}`, skill: 'echo', keywords: ['*'], confidence: 0.5 + i * 0.1, workMs: 5 + i }], { frameMs }))
      const ids: string[] = []
      for (let k = 0; k < 60; k++) {
        ids.push(nodes[k % 3]!.engine.tasks.submit({ text: `echo ${k}` }))
        await runFor(clock, 1)
      }
      await runUntil(clock, () => ids.every(id => nodes.every(n => n.engine.tasks.get(id)?.state === 'completed')), 5000)
      const completions = new Set(nodes.flatMap(n => n.runs.map(r => r.taskId)))
      const stats = nodes.map(n => n.engine.stats())
      return {
        frames: stats.reduce((s, x) => s + x.framesOut, 0),
        messages: stats.reduce((s, x) => s + x.messagesOut, 0),
        completed: completions.size,
        rejected: stats.reduce((s, x) => s + Object.values(x.rejected).reduce((a, b) => a + b, 0), 0)
      }
    }
    const eager = await run(0)
    const framed = await run(20)
    expect(eager.completed).toBe(60)
    expect(framed.completed).toBe(60)
    expect(eager.rejected + framed.rejected).toBe(0)
    // Every message lands in a frame; with frameMs a node sends at most one frame per 20 ms.
    expect(eager.frames).toBeLessThanOrEqual(eager.messages)
    expect(framed.frames).toBeLessThan(eager.frames / 2)
    expect(framed.frames).toBeLessThan(framed.messages / 3)
  })

  it('splits a burst of bids into messages under the size limit instead of dropping them all', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2 })
    // A submits without an agent of its own; B's agent (with an id as long as a real one) is the only bidder.
    const a = await makeNode(net, clock, [], { frameMs: 50 })
    const b = await makeNode(net, clock, [{ id: `echo@12D3KooW${'x'.repeat(44)}`, skill: 'echo', keywords: ['*'], confidence: 0.9, workMs: 1 }], { frameMs: 50 })
    const problems: string[] = []
    b.engine.on('problem', p => { problems.push(p.message) })
    // 400 tasks at once: B's bids on them gather in its outbox for one frame (256 per message would be ~40 KB).
    const ids = Array.from({ length: 400 }, (_, k) => a.engine.tasks.submit({ text: `echo ${k}` }))
    await runUntil(clock, () => ids.every(id => a.engine.tasks.get(id)?.state === 'completed'), 20_000)
    expect(problems).toEqual([])
    expect(ids.filter(id => a.engine.tasks.get(id)?.state !== 'completed')).toEqual([])
    expect(new Set(b.runs.map(r => r.taskId)).size).toBe(400)
  })

  /**
   * Submits `n` tasks on `node`, `advanceMs` of fake time apart, and says for each whether a frame
   * went out at once: after promise work only, before the clock moves (so before any frame timer).
   */
  async function sentAtOnce (node: Awaited<ReturnType<typeof makeNode>>, clock: FakeClock, n: number, advanceMs: number): Promise<boolean[]> {
    const eager: boolean[] = []
    for (let k = 0; k < n; k++) {
      const before = node.engine.stats().framesOut
      node.engine.tasks.submit({ text: `echo ${k}` })
      await settle()
      eager.push(node.engine.stats().framesOut > before)
      await runFor(clock, advanceMs)
    }
    return eager
  }

  it('a quiet node sends at once (no timer), a node with many open tasks waits for the frame timer', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2 })
    // Alone, with a slow agent: every task it submits stays open (awarded to itself, running).
    const a = await makeNode(net, clock, [{ id: 'slow', skill: 'echo', keywords: ['*'], confidence: 0.9, workMs: 60_000 }], { frameMs: 50 })
    // Between submissions its bid and award go out on frame timers.
    const eager = await sentAtOnce(a, clock, 8, 300)
    expect(a.engine.tasks.list().filter(t => t.state === 'working')).toHaveLength(8)
    // Up to 4 open tasks the announcement leaves at once; with more open, it waits for the timer.
    expect(eager).toEqual([true, true, true, true, true, false, false, false])
  })

  it('a quiet node does not wait for frameMs, however recently it sent a frame', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2 })
    const a = await makeNode(net, clock, [{ id: 'slow', skill: 'echo', keywords: ['*'], confidence: 0.9, workMs: 60_000 }], { frameMs: 1000 })
    const eager = await sentAtOnce(a, clock, 3, 1) // 1 ms apart: well within frameMs of the last frame
    expect(eager).toEqual([true, true, true])
  })

  it("the steward's own bids travel only in its award; the other nodes' bids as messages", async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2 })
    const a = await makeNode(net, clock, [{ id: 'calc-a', skill: 'math', keywords: ['sum'], confidence: 0.9 }])
    const b = await makeNode(net, clock, [{ id: 'calc-b', skill: 'math', keywords: ['sum'], confidence: 0.6 }])
    const id = a.engine.tasks.submit({ text: 'sum 1 and 2' })
    await runUntil(clock, () => [a, b].every(n => n.engine.tasks.get(id)?.state === 'completed'), 2000)
    const kinds = (from: string): string[] => net.tap.filter(m => m.from === from).flatMap(m => new TextDecoder().decode(m.bytes).split('\n').slice(1, -1).map(l => (JSON.parse(l) as { kind: string }).kind))
    expect(kinds(a.id.peerId)).not.toContain('bid')
    expect(kinds(b.id.peerId)).toContain('bid')
    expect(a.recorder.awards[0]!.bids.map(x => x.agentId).sort()).toEqual(['calc-a', 'calc-b'])
    for (const n of [a, b]) {
      expect(n.engine.tasks.get(id)!.agentId).toBe('calc-a')
      expect(n.engine.stats().rejected).toEqual({})
    }
  })
})

describe('coordination engine: the person\'s time zone', () => {
  it('goes with a task to the agent that runs it, on another node, and to a mission\'s parts, with the tab it was asked on', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const seen = new Map<string, string | undefined>()
    const askedOn = new Map<string, string | undefined>()
    const planner = {
      id: 'planner', skill: 'plan', keywords: ['mission'], confidence: 0.95,
      run: () => ({ text: 'two parts', plan: { subtasks: [{ id: 'p1', text: 'clock one', dependsOn: [] }, { id: 'p2', text: 'clock two', dependsOn: ['p1'] }] } })
    }
    // No verifier here: mission parts need no verification.
    const a = await makeNode(net, clock, [], { timeZone: 'Asia/Tokyo', missionQuorum: 0 })
    const b = await makeNode(net, clock, [planner, { id: 'clock', skill: 'time', keywords: ['clock'], confidence: 0.9, run: task => { seen.set(task.text, task.timeZone); askedOn.set(task.text, task.askedOn); return { text: 'ok' } } }], { timeZone: 'Europe/Lisbon' })
    await runFor(clock, 20)
    const own = a.engine.tasks.submit({ text: 'clock now' })
    const named = a.engine.tasks.submit({ text: 'clock there', timeZone: 'America/Lima' })
    const mission = a.engine.tasks.submit({ text: 'mission: clock one then clock two' })
    await runUntil(clock, () => [own, named, mission].every(id => a.engine.tasks.get(id)?.state === 'completed'), 5000)
    // The submitting tab's zone by default, the one named otherwise; never the running node's.
    expect(seen.get('clock now')).toBe('Asia/Tokyo')
    expect(seen.get('clock there')).toBe('America/Lima')
    expect(seen.get('clock one')).toBe('Asia/Tokyo')
    expect(seen.get('clock two')).toBe('Asia/Tokyo')
    // "My tab" is the asker's: a's, where each was submitted (the mission's parts too), not b's, which runs them.
    expect([...askedOn.values()]).toEqual(Array(4).fill(a.id.peerId))
    expect(() => a.engine.tasks.submit({ text: 'clock', timeZone: 'not a zone!' })).toThrow('submit: timeZone must be an IANA time zone name such as "Europe/Berlin", got "not a zone!"')
    expect(b.runs.length).toBeGreaterThanOrEqual(4)
  })
})
