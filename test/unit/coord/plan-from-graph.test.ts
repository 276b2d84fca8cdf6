/**
 * A planner's result read from the graph before its message arrives (the graph's sync can be the
 * faster path). Before, `resultFromGraph` completed the planner's task as a plain one, with the plan
 * as its result: that node never ran the mission's DAG, listed the request as completed with "two
 * parts" as its answer, and ignored the result message when it came (the task had ended). It showed
 * as a flaky partition test (about 1 run in 6).
 */
import { describe, it, expect } from 'vitest'
import { FakeClock, MemoryNetwork, makeNode, runFor, runUntil, type SimAgent } from './sim.ts'

const plan = { subtasks: [{ id: 'a', text: 'echo one', dependsOn: [] }, { id: 'b', text: 'echo two', dependsOn: ['a'] }] }
const planner: SimAgent = { id: 'planner', skill: 'plan', keywords: ['mission'], confidence: 0.95, workMs: 5, run: () => ({ text: 'two parts', plan }) }
const echo: SimAgent = { id: 'echo', skill: 'echo', keywords: ['echo'], confidence: 0.9, workMs: 20 }

describe('a plan read from the graph before its result message', () => {
  it('starts the mission on that node, which then assembles it like every other', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2, jitterMs: 2 })
    const s = await makeNode(net, clock, [planner])
    const w = await makeNode(net, clock, [echo])
    const o = await makeNode(net, clock, [])
    await runFor(clock, 20)
    const id = s.engine.tasks.submit({ text: 'mission: echo one, then echo two', verify: 0 })
    // Once the onlooker has the award, what the planner's node sends it arrives 300 ms late.
    await runUntil(clock, () => o.engine.tasks.get(id)?.state === 'working', 2_000)
    net.slow(s.id.peerId, o.id.peerId, 300)
    await runUntil(clock, () => s.recorder.results.some(r => r.taskId === id), 2_000)
    const recorded = s.recorder.results.find(r => r.taskId === id)!
    expect(recorded.result.plan).toEqual(plan)
    expect(o.engine.tasks.get(id)!.state).not.toBe('completed')
    // The onlooker's graph has the plan first.
    expect(o.engine.resultFromGraph(id, recorded.attempt, () => ({ result: recorded.result, producer: recorded.producer, skillId: recorded.skillId, startedAt: recorded.startedAt, finishedAt: recorded.finishedAt, attest: recorded.attest }))).toBe(true)
    expect(o.engine.tasks.get(id)!.state).not.toBe('completed')
    // The parts wait for a verdict no verifier will give (10 s) before the mission assembles.
    await runFor(clock, 15_000)
    for (const n of [s, w, o]) {
      const t = n.engine.tasks.get(id)!
      expect(t.state).toBe('completed')
      expect(t.result?.output).toEqual({ a: { by: 'echo', task: `${id}/1` }, b: { by: 'echo', task: `${id}/2` } })
    }
    // The message, when it came, was the same result.
    expect(o.engine.stats().ignored['duplicate-result']).toBe(1)
    expect(o.engine.stats().rejected).toEqual({})
  })
})
