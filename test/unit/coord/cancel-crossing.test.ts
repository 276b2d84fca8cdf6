/**
 * A cancel and a result that cross: the holder finished (and sent its result) before the cancel
 * reached it. Each node sees the two messages in its own order; all of them must end the same way.
 * The rule (docs/protocol.md, "Cancel"): a holder that gets the cancel first aborts and sends no
 * result, so a result means the work was done, and it beats the cancel wherever it arrives second.
 */
import { describe, it, expect } from 'vitest'
import { FakeClock, MemoryNetwork, makeNode, runFor, runUntil, type SimAgent, type SimNode } from './sim.ts'

interface Crossing {
  clock: FakeClock
  net: MemoryNetwork
  /** Submits the task: its steward. */
  s: SimNode
  /** Holds the task (its agent works 1 s). */
  h: SimNode
  /** Cancels the task 5 ms before the agent finishes; what it sends reaches h and d 50 ms late. */
  c: SimNode
  /** Gets the result before the cancel. */
  d: SimNode
  nodes: SimNode[]
  id: string
  /** Every state change, per node, in order. */
  states: Map<SimNode, string[]>
}

async function crossing (agent: SimAgent): Promise<Crossing> {
  const clock = new FakeClock()
  const net = new MemoryNetwork(clock)
  const s = await makeNode(net, clock, [])
  const h = await makeNode(net, clock, [agent])
  const c = await makeNode(net, clock, [])
  const d = await makeNode(net, clock, [])
  const nodes = [s, h, c, d]
  const states = new Map<SimNode, string[]>(nodes.map(n => [n, []]))
  for (const n of nodes) n.engine.on('task', e => { states.get(n)!.push(e.state) })
  await runFor(clock, 20)
  const id = s.engine.tasks.submit({ text: 'work on it', verify: 0 })
  await runUntil(clock, () => h.runs.length === 1, 2_000)
  await runFor(clock, h.runs[0]!.startedAt + 995 - clock.now())
  // c's cancel reaches s at once, h and d only after h's result has gone out; h's result reaches c late.
  net.slow(c.id.peerId, h.id.peerId, 50)
  net.slow(c.id.peerId, d.id.peerId, 50)
  net.slow(h.id.peerId, c.id.peerId, 50)
  c.engine.tasks.cancel(id)
  return { clock, net, s, h, c, d, nodes, id, states }
}

describe('a cancel that crosses the result', () => {
  it('the result beats the cancel on every node, whichever arrived first; the steward records the completion over the cancel', async () => {
    const x = await crossing({ id: 'worker', skill: 'w', keywords: ['work'], confidence: 0.9, workMs: 1_000 })
    await runFor(x.clock, 500)
    for (const n of x.nodes) {
      const snap = n.engine.tasks.get(x.id)!
      expect(snap.state).toBe('completed')
      expect(snap.agentId).toBe('worker')
      expect(snap.result?.text).toBe('worker did: work on it')
    }
    // The agent was not stopped: it had finished.
    expect(x.h.runs[0]!.finishedAt).toBeDefined()
    // s and c saw the cancel first, then the result: they moved from canceled to completed and say why.
    for (const n of [x.s, x.c]) {
      expect(x.states.get(n)!.slice(-2)).toEqual(['canceled', 'completed'])
      expect(n.engine.stats().uncanceled).toBe(1)
      expect(n.engine.tasks.get(x.id)!.reason).toMatch(/^its result was sent before the cancel reached worker on .+: the work was done \(cancel: cancelled by a person\)$/)
    }
    // h and d saw the result first: the cancel came late and changed nothing.
    for (const n of [x.h, x.d]) {
      expect(x.states.get(n)!).not.toContain('canceled')
      expect(n.engine.stats().uncanceled).toBe(0)
      expect(n.engine.stats().ignored['late-cancel']).toBe(1)
    }
    // The steward wrote the outcome twice: canceled, then completed with its producer.
    expect(x.s.recorder.outcomeWrites.get(x.id)).toBe(2)
    const outcome = x.s.recorder.outcomes.get(x.id)!
    expect(outcome.state).toBe('completed')
    expect(outcome.producer).toEqual({ peerId: x.h.id.peerId, agentId: 'worker', attempt: 1 })
    // Nobody else records outcomes, and nothing was rejected.
    for (const n of [x.h, x.c, x.d]) expect(n.recorder.outcomes.has(x.id)).toBe(false)
    for (const n of x.nodes) expect(n.engine.stats().rejected).toEqual({})
    // A wait that starts now gets the completion.
    const waited = await x.c.engine.tasks.wait(x.id, { timeoutMs: 10 })
    expect(waited.state).toBe('completed')
    // The reputation counts the success everywhere.
    expect(x.s.engine.tasks.get(x.id)!.attempts.map(a => a.outcome)).toEqual(['completed'])
  })

  it('a cancel that reaches the holder first stops the agent: canceled everywhere, no result', async () => {
    const x = await crossing({ id: 'worker', skill: 'w', keywords: ['work'], confidence: 0.9, workMs: 1_000 })
    // Undo the lag before the cancel goes out on its frame: it reaches h 2 ms later, before the agent's last 5 ms.
    x.net.slow(x.c.id.peerId, x.h.id.peerId, 0)
    x.net.slow(x.c.id.peerId, x.d.id.peerId, 0)
    await runFor(x.clock, 500)
    for (const n of x.nodes) expect(n.engine.tasks.get(x.id)!.state).toBe('canceled')
    expect(x.h.runs[0]!.finishedAt).toBeUndefined()
    for (const n of x.nodes) expect(n.engine.stats().uncanceled).toBe(0)
    expect(x.s.recorder.outcomes.get(x.id)!.state).toBe('canceled')
  })

  it('a plan is not the work: a mission whose plan crossed the cancel ends canceled everywhere', async () => {
    const x = await crossing({
      id: 'planner', skill: 'plan', keywords: ['work'], confidence: 0.9, workMs: 1_000,
      run: () => ({ text: 'the plan', plan: { subtasks: [{ id: 'a', text: 'part a', dependsOn: [] }, { id: 'b', text: 'part b', dependsOn: [] }] } })
    })
    await runFor(x.clock, 500)
    for (const n of x.nodes) expect(n.engine.tasks.get(x.id)!.state).toBe('canceled')
    for (const n of x.nodes) expect(n.engine.stats().uncanceled).toBe(0)
    expect(x.s.recorder.outcomes.get(x.id)!.state).toBe('canceled')
  })

  it('a node that missed the result stays canceled until the graph brings the completion (adoptCompletion)', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const s = await makeNode(net, clock, [])
    const h = await makeNode(net, clock, [{ id: 'worker', skill: 'w', keywords: ['work'], confidence: 0.9, workMs: 1_000 }])
    const d = await makeNode(net, clock, [])
    await runFor(clock, 20)
    const id = s.engine.tasks.submit({ text: 'work on it', verify: 0 })
    await runUntil(clock, () => h.runs.length === 1, 2_000)
    await runFor(clock, h.runs[0]!.startedAt + 995 - clock.now())
    net.slow(d.id.peerId, h.id.peerId, 50)
    net.mute(h.id.peerId, d.id.peerId)
    d.engine.tasks.cancel(id)
    await runFor(clock, 500)
    expect(s.engine.tasks.get(id)!.state).toBe('completed')
    expect(d.engine.tasks.get(id)!.state).toBe('canceled')
    // The steward's completed outcome reaches d's graph with the result entity (as its producer recorded it, with its attestation).
    const recorded = h.recorder.results.find(r => r.taskId === id)!
    expect(recorded.attest).toMatch(/^[A-Za-z0-9_-]{86}$/)
    // A copy someone altered, or one without the producer's signature, is not taken (counted once each).
    const forged = (): { result: { text: string }, skillId: string, attest?: string } => ({ result: { text: 'a forged answer' }, skillId: 'w', attest: recorded.attest })
    expect(d.engine.adoptCompletion(id, { attempt: 1, peerId: h.id.peerId, agentId: 'worker', read: forged })).toBe(false)
    expect(d.engine.adoptCompletion(id, { attempt: 1, peerId: h.id.peerId, agentId: 'worker', read: forged })).toBe(false)
    expect(d.engine.adoptCompletion(id, { attempt: 1, peerId: h.id.peerId, agentId: 'worker', read: () => ({ result: recorded.result, skillId: 'w' }) })).toBe(false)
    // The right result, signed by h, claimed for another peer: not what that peer signed.
    expect(d.engine.adoptCompletion(id, { attempt: 1, peerId: s.id.peerId, agentId: 'worker', read: () => ({ result: recorded.result, skillId: 'w', attest: recorded.attest }) })).toBe(false)
    expect(d.engine.stats().rejected).toEqual({ 'graph-result-bad-signature': 2, 'graph-result-unsigned': 1 })
    expect(d.engine.tasks.get(id)!.state).toBe('canceled')
    const read = (): { result: { text: string }, skillId: string, attest?: string } => ({ result: recorded.result, skillId: recorded.skillId, attest: recorded.attest })
    expect(d.engine.adoptCompletion(id, { attempt: 1, peerId: h.id.peerId, agentId: 'worker', read })).toBe(true)
    const snap = d.engine.tasks.get(id)!
    expect(snap.state).toBe('completed')
    expect(snap.result?.text).toBe('worker did: work on it')
    expect(snap.reason).toBe(`completed by attempt 1 (worker on …${h.id.peerId.slice(-6)}), as the graph records it`)
  })
})

/**
 * A mission part whose result crosses its cancel. The nodes that saw the cancel first fail the
 * mission (the steward sends its `failure`, code `mission`); the others complete the part, and
 * every node gets the part's result in the end. The parts decide, alike on every node.
 */
async function partCrossing (parts: Array<{ id: string, text: string }>): Promise<Crossing & { missionId: string, partId: string }> {
  const clock = new FakeClock()
  const net = new MemoryNetwork(clock)
  const options = { missionQuorum: 0 }
  const planner: SimAgent = { id: 'planner', skill: 'plan', keywords: ['mission'], confidence: 0.95, workMs: 5, run: () => ({ text: 'the plan', plan: { subtasks: parts.map(p => ({ ...p, dependsOn: [] })) } }) }
  const quick: SimAgent = { id: 'quick', skill: 'q', keywords: ['quick'], confidence: 0.9, workMs: 5, run: () => ({ text: 'quick one', output: 1 }) }
  const worker: SimAgent = { id: 'worker', skill: 'w', keywords: ['slow'], confidence: 0.9, workMs: 1_000, run: () => ({ text: 'slow one', output: 2 }) }
  const s = await makeNode(net, clock, [planner, quick], options)
  const h = await makeNode(net, clock, [worker], options)
  const c = await makeNode(net, clock, [], options)
  const d = await makeNode(net, clock, [], options)
  const nodes = [s, h, c, d]
  const states = new Map<SimNode, string[]>(nodes.map(n => [n, []]))
  await runFor(clock, 20)
  const missionId = s.engine.tasks.submit({ text: 'a mission', verify: 0 })
  for (const n of nodes) n.engine.on('task', e => { if (e.taskId === missionId) states.get(n)!.push(e.state) })
  await runUntil(clock, () => h.runs.length === 1, 2_000)
  const partId = h.runs[0]!.taskId
  await runFor(clock, h.runs[0]!.startedAt + 995 - clock.now())
  // As in crossing(): c's cancel of the part reaches h and d late, h's result reaches c late.
  net.slow(c.id.peerId, h.id.peerId, 50)
  net.slow(c.id.peerId, d.id.peerId, 50)
  net.slow(h.id.peerId, c.id.peerId, 50)
  c.engine.tasks.cancel(partId)
  return { clock, net, s, h, c, d, nodes, id: missionId, missionId, partId, states }
}

describe('a mission part whose result crosses its cancel', () => {
  it('the mission completes on every node, the ones that had failed it too; the steward records the completion over the failure', async () => {
    const x = await partCrossing([{ id: 'q', text: 'the quick part' }, { id: 'w', text: 'the slow part' }])
    await runFor(x.clock, 500)
    for (const n of x.nodes) {
      expect(n.engine.tasks.get(x.partId)!.state).toBe('completed')
      const m = n.engine.tasks.get(x.missionId)!
      expect(m.state).toBe('completed')
      expect(m.result?.output).toEqual({ q: 1, w: 2 })
    }
    // The steward failed the mission when the cancel came (the slow part had ended without a
    // result), then assembled it when the part's result came; it says why.
    expect(x.states.get(x.s)!).toEqual(['working', 'failed', 'completed'])
    expect(x.s.engine.tasks.get(x.missionId)!.reason).toMatch(/^every part completed after it had failed \(subtask w canceled: cancelled by a person\)$/)
    expect(x.s.engine.stats().reassembled).toBe(1)
    expect(x.s.recorder.outcomeWrites.get(x.missionId)).toBe(2)
    expect(x.s.recorder.outcomes.get(x.missionId)!.state).toBe('completed')
    // Every node ends with the same completion, whatever order it saw the messages in.
    for (const n of x.nodes) expect(x.states.get(n)!.at(-1)).toBe('completed')
    for (const n of x.nodes) expect(n.engine.stats().rejected).toEqual({})
    // A wait that starts now gets the completion, with the assembled result.
    expect((await x.c.engine.tasks.wait(x.missionId, { timeoutMs: 10 })).result?.output).toEqual({ q: 1, w: 2 })
  })

  it('a mission that failed for another part too stays failed everywhere', async () => {
    // Nobody can do the third part: it ends unassigned.
    const x = await partCrossing([{ id: 'q', text: 'the quick part' }, { id: 'w', text: 'the slow part' }, { id: 'z', text: 'nobody does this' }])
    await runFor(x.clock, 3_000)
    for (const n of x.nodes) {
      expect(n.engine.tasks.get(x.partId)!.state).toBe('completed')
      const m = n.engine.tasks.get(x.missionId)!
      expect(m.state).toBe('failed')
      expect(m.reason).toContain('subtask z unassigned')
      expect(n.engine.stats().reassembled).toBe(0)
    }
    expect(x.s.recorder.outcomes.get(x.missionId)!.state).toBe('failed')
  })
})

describe('a mission part completed from the graph after its mission failed', () => {
  it('the mission assembles on the node that missed the part\'s result', async () => {
    const x = await partCrossing([{ id: 'q', text: 'the quick part' }, { id: 'w', text: 'the slow part' }])
    x.net.mute(x.h.id.peerId, x.d.id.peerId)
    await runFor(x.clock, 500)
    expect(x.s.engine.tasks.get(x.missionId)!.state).toBe('completed')
    // d saw the cancel and the mission's failure, never the part's result.
    expect(x.d.engine.tasks.get(x.partId)!.state).toBe('canceled')
    expect(x.d.engine.tasks.get(x.missionId)!.state).toBe('failed')
    const recorded = x.h.recorder.results.find(r => r.taskId === x.partId)!
    expect(recorded.result).toEqual({ text: 'slow one', output: 2 })
    const read = (): { result: { text: string, output?: unknown }, skillId: string, attest?: string } => ({ result: recorded.result, skillId: recorded.skillId, attest: recorded.attest })
    expect(x.d.engine.adoptCompletion(x.partId, { attempt: 1, peerId: x.h.id.peerId, agentId: 'worker', read })).toBe(true)
    const m = x.d.engine.tasks.get(x.missionId)!
    expect(m.state).toBe('completed')
    expect(m.result?.output).toEqual({ q: 1, w: 2 })
    expect(x.d.engine.stats().reassembled).toBe(1)
    // d is not the steward: it records nothing.
    expect(x.d.recorder.outcomes.has(x.missionId)).toBe(false)
  })
})
