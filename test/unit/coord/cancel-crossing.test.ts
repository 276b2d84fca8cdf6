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
    // The steward's completed outcome reaches d's graph with the result entity.
    const read = (): { result: { text: string }, skillId: string } => ({ result: { text: 'worker did: work on it' }, skillId: 'w' })
    expect(d.engine.adoptCompletion(id, { attempt: 1, peerId: h.id.peerId, agentId: 'worker', read })).toBe(true)
    const snap = d.engine.tasks.get(id)!
    expect(snap.state).toBe('completed')
    expect(snap.result?.text).toBe('worker did: work on it')
    expect(snap.reason).toBe(`completed by attempt 1 (worker on …${h.id.peerId.slice(-8)}), as the graph records it`)
  })
})
