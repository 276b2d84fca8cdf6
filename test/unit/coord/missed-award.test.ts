/**
 * A node that missed an award message (gossip lost it on the way to that node only). The holder's
 * progress and result name an attempt it saw no award for: they are held back, not refused as
 * forged, and after a second the node reads the award from the graph (which syncs what gossip lost),
 * so the held-back result completes the task there too.
 */
import { describe, it, expect } from 'vitest'
import { FakeClock, MemoryNetwork, makeNode, runFor, runUntil, type SimAgent } from './sim.ts'

describe('a node that missed the award', () => {
  it('holds the holder\'s messages back, reads the award from the graph, and completes with the result; without the graph it cannot', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const worker: SimAgent = {
      id: 'worker', skill: 'w', keywords: ['work'], confidence: 0.9, workMs: 200,
      run: async (_task, hooks) => { hooks.progress(0.5, 'half way'); await new Promise<void>(resolve => clock.setTimeout(() => { resolve() }, 300)); return { text: 'done it' } }
    }
    const s = await makeNode(net, clock, [])
    const h = await makeNode(net, clock, [worker])
    // d reads awards from "the graph": here the steward's records, as its graph would hold them once synced.
    const d = await makeNode(net, clock, [], {}, { recordedAward: (taskId, attempt) => s.recorder.awardOf(taskId, attempt) })
    // e has no graph to read from.
    const e = await makeNode(net, clock, [])
    const timeline: string[] = []
    d.engine.on('protocol', ev => { timeline.push(`${ev.kind}: ${ev.summary}`) })
    await runFor(clock, 20)
    const id = s.engine.tasks.submit({ text: 'work on it', verify: 0 })
    await runFor(clock, 3) // the announcement reaches everyone
    for (const x of [d, e]) net.mute(s.id.peerId, x.id.peerId)
    await runUntil(clock, () => h.runs.length === 1, 2_000)
    net.heal()
    for (const x of [d, e]) expect(x.engine.tasks.get(id)!.state).toBe('submitted')
    await runUntil(clock, () => s.engine.tasks.get(id)?.state === 'completed', 2_000)
    const completedAt = clock.now()
    await runUntil(clock, () => d.engine.tasks.get(id)?.state === 'completed', 3_000)
    expect(clock.now() - completedAt).toBeLessThan(1_200)
    const snap = d.engine.tasks.get(id)!
    expect(snap).toMatchObject({ state: 'completed', agentId: 'worker', peerId: h.id.peerId, result: { text: 'done it' } })
    expect(snap.attempts).toEqual([expect.objectContaining({ attempt: 1, agentId: 'worker', peerId: h.id.peerId, outcome: 'completed' })])
    expect(d.engine.stats().awardsFromGraph).toBe(1)
    // The holder's progress was held back, then applied: nothing was refused as coming from a non-holder.
    for (const x of [d, e]) expect(x.engine.stats().rejected).toEqual({})
    expect(timeline.filter(x => x.startsWith('award: ')).map(x => x.replace(/ on \S+ /, ' on … '))).toEqual([`award: ${id} attempt 1 → worker on … (w), read from the graph: the award message never reached this tab`])
    // Without the graph the node keeps waiting for an award that never comes (the gap this closes).
    await runFor(clock, 5_000)
    expect(e.engine.tasks.get(id)!.state).toBe('submitted')
    expect(e.engine.stats().awardsFromGraph).toBe(0)
  })

  it('looks nothing up when no award is missing; an award message that comes after one read from the graph changes nothing', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const s = await makeNode(net, clock, [])
    const worker: SimAgent = {
      id: 'worker', skill: 'w', keywords: ['work'], confidence: 0.9, workMs: 10,
      run: async (_task, hooks) => { hooks.progress(0.1, 'started'); await new Promise<void>(resolve => clock.setTimeout(() => { resolve() }, 3_000)); return { text: 'done it' } }
    }
    const h = await makeNode(net, clock, [worker])
    const lookups = { d: 0, late: 0 }
    const reader = (who: keyof typeof lookups) => (taskId: string, attempt: number) => { lookups[who]++; return s.recorder.awardOf(taskId, attempt) }
    const d = await makeNode(net, clock, [], {}, { recordedAward: reader('d') })
    const late = await makeNode(net, clock, [], {}, { recordedAward: reader('late') })
    await runFor(clock, 20)
    const id = s.engine.tasks.submit({ text: 'work on it', verify: 0 })
    await runFor(clock, 3)
    // What the steward sends `late` from now on (the award) comes 2.5 s late; h's progress does not.
    net.slow(s.id.peerId, late.id.peerId, 2_500)
    await runUntil(clock, () => late.engine.stats().awardsFromGraph === 1, 2_000)
    expect(late.engine.tasks.get(id)!.state).toBe('working')
    await runUntil(clock, () => [s, d, late].every(x => x.engine.tasks.get(id)?.state === 'completed'), 5_000)
    await runFor(clock, 3_000)
    expect(lookups).toEqual({ d: 0, late: 1 })
    expect(d.engine.stats().awardsFromGraph).toBe(0)
    // The award message came after all and named the same winner: one attempt, nothing refused or ignored as a duplicate.
    expect(late.engine.tasks.get(id)!.attempts).toHaveLength(1)
    expect(late.engine.tasks.get(id)!.result?.text).toBe('done it')
    for (const x of [d, late, h]) expect(x.engine.stats().rejected).toEqual({})
    expect(late.engine.stats().ignored['duplicate-award']).toBeUndefined()
  })
})
