import { describe, it, expect } from 'vitest'
import { FakeClock, MemoryNetwork, makeNode, runFor, runUntil, type SimNode } from './sim.ts'

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
    // calc-b and calc-c tie on score: agentId breaks the tie.
    for (const s of snaps) {
      expect(s.agentId).toBe('calc-b')
      expect(s.peerId).toBe(b.id.peerId)
      expect(s.skillId).toBe('math')
      expect(s.result?.text).toBe('calc-b did: sum 2 and 3')
    }
    expect(b.runs.length).toBe(1)
    expect(a.runs.length + c.runs.length).toBe(0)
    const awards = nodes.flatMap(n => n.recorder.awards)
    expect(awards).toHaveLength(1)
    expect(awards[0]!.bids.map(x => x.agentId).sort()).toEqual(['calc-a', 'calc-b', 'calc-c'])
    expect(a.recorder.outcomes.get(id)?.state).toBe('completed')
    expect(b.recorder.results).toHaveLength(1)
    for (const n of nodes) expect(n.engine.stats().rejected).toEqual({})
  })
})
