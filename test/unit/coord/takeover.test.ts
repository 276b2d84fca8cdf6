/**
 * A steward that leaves while its task runs quietly (no window to close, nothing to re-announce).
 * The first in line takes the stewardship over and says so by publishing the award it holds again;
 * before, nobody heard of the takeover, so the next in line took over too, each in turn, and every
 * one of them recorded the outcome (docs/protocol.md, "Takeover"). When the first one's claim
 * reaches the next in line only after its own turn, both take over; they settle on the first in line.
 */
import { describe, it, expect } from 'vitest'
import { FakeClock, MemoryNetwork, identity, makeNode, runFor, runUntil, startSimEngine, type SimAgent, type SimNode } from './sim.ts'
import { MemoryRecorder } from '../../../src/coord/memory-recorder.ts'
import { takeoverRank } from '../../../src/coord/stewardship.ts'

interface Room { clock: FakeClock, net: MemoryNetwork, s: SimNode, h: SimNode, x: SimNode, y: SimNode, id: string }

/** s submits a task that h's worker runs for 10 s; x and y look on. */
async function running (): Promise<Room> {
  const clock = new FakeClock()
  const net = new MemoryNetwork(clock, { delayMs: 2, jitterMs: 2 })
  const s = await makeNode(net, clock, [])
  const h = await makeNode(net, clock, [{ id: 'worker', skill: 'w', keywords: ['work'], confidence: 0.9, workMs: 10_000 }])
  const x = await makeNode(net, clock, [])
  const y = await makeNode(net, clock, [])
  await runFor(clock, 20)
  const id = s.engine.tasks.submit({ text: 'work on it', verify: 0 })
  await runUntil(clock, () => h.runs.length === 1, 2_000)
  await runFor(clock, 100)
  return { clock, net, s, h, x, y, id }
}

function firstInLine (r: Room, nodes: SimNode[]): SimNode {
  return nodes.find(n => takeoverRank(n.id.peerId, r.s.id.peerId, nodes.map(m => m.id.peerId)) === 0)!
}

/** Every node of `nodes` holds the task completed, with `steward` as its steward and nothing rejected; only the steward recorded the outcome, once. */
function expectSettledOn (nodes: SimNode[], taskId: string, steward: SimNode): void {
  for (const n of nodes) {
    const t = n.engine.tasks.get(taskId)!
    expect(t.state).toBe('completed')
    expect(t.steward).toBe(steward.id.peerId)
    expect(n.engine.stats().rejected).toEqual({})
  }
  expect(nodes.map(n => n.recorder.outcomeWrites.get(taskId) ?? 0)).toEqual(nodes.map(n => n === steward ? 1 : 0))
}

describe('a steward that leaves while its task runs quietly', () => {
  it('one node takes over, every other node learns it, and the outcome is recorded once', async () => {
    const r = await running()
    const rest = [r.h, r.x, r.y]
    const first = firstInLine(r, rest)
    r.net.remove(r.s.id.peerId)
    r.s.engine.stop()
    await runFor(r.clock, 15_000)
    // Only the new steward recorded the outcome, once.
    expectSettledOn(rest, r.id, first)
    // It recorded the task as it knows it (the old steward's records may never have been written).
    expect(first.recorder.tasks.filter(t => t.taskId === r.id).map(t => [t.steward, t.takeoverFrom])).toEqual([[first.id.peerId, r.s.id.peerId]])
    // The work ran once, on the first attempt.
    expect(r.h.runs.map(x => x.taskId)).toEqual([r.id])
    expect(first.engine.tasks.get(r.id)!.attempts).toHaveLength(1)
  })

  it('a node that still sees the old steward when the takeover reaches it holds it back until the steward leaves its view too', async () => {
    const r = await running()
    const rest = [r.h, r.x, r.y]
    const first = firstInLine(r, rest)
    // The steward's tab stops, but one node other than the first in line keeps its link to it a while.
    const late = rest.find(n => n !== first)!
    const seeing = rest.filter(n => n !== late)
    r.s.engine.stop()
    r.net.partition([r.s.id.peerId], seeing.map(n => n.id.peerId))
    await runFor(r.clock, 2_000)
    for (const n of seeing) expect(n.engine.tasks.get(r.id)!.steward).toBe(first.id.peerId)
    // Held back, not refused.
    expect(late.engine.tasks.get(r.id)!.steward).toBe(r.s.id.peerId)
    expect(late.engine.stats().rejected).toEqual({})
    r.net.remove(r.s.id.peerId)
    await runFor(r.clock, 15_000)
    expectSettledOn(rest, r.id, first)
  })

  for (const lateTo of ['the second in line', 'every other node'] as const) {
    it(`two nodes that both took over (the first one's claim reached ${lateTo} late) settle on the first in line, and the outcome is recorded once`, async () => {
      const r = await running()
      const rest = [r.h, r.x, r.y]
      const rank = (n: SimNode): number => takeoverRank(n.id.peerId, r.s.id.peerId, rest.map(m => m.id.peerId))!
      const [first, second, third] = [...rest].sort((a, b) => rank(a) - rank(b)) as [SimNode, SimNode, SimNode]
      // What the first in line sends arrives 800 ms late: the second's own turn (grace + one
      // stagger, 300 ms) comes first, so it takes over too.
      r.net.slow(first.id.peerId, second.id.peerId, 800)
      if (lateTo === 'every other node') r.net.slow(first.id.peerId, third.id.peerId, 800)
      r.net.remove(r.s.id.peerId)
      r.s.engine.stop()
      await runFor(r.clock, 700)
      // Both claimed it; the third follows whichever claim it heard first.
      expect(first.engine.tasks.get(r.id)!.steward).toBe(first.id.peerId)
      expect(second.engine.tasks.get(r.id)!.steward).toBe(second.id.peerId)
      expect(third.engine.tasks.get(r.id)!.steward).toBe(lateTo === 'every other node' ? second.id.peerId : first.id.peerId)
      await runFor(r.clock, 1_500)
      // The late claim arrived: the second stepped back for the first in line, and so did the third.
      for (const n of rest) expect(n.engine.tasks.get(r.id)!.steward).toBe(first.id.peerId)
      await runFor(r.clock, 15_000)
      expectSettledOn(rest, r.id, first)
      // The second's claim, heard after the first's, was set aside, not applied.
      expect(first.engine.stats().ignored['outranked-takeover']).toBe(1)
      expect(r.h.runs.map(x => x.taskId)).toEqual([r.id])
    })
  }

})

describe('a steward that took a task over and leaves in its turn', () => {
  it('is taken over from by the next in line, whose claim is not taken for a rival\'s, and the outcome is recorded once', async () => {
    // A room where the first in line is an onlooker, not the worker's tab (peer ids are random).
    let r = await running()
    while (firstInLine(r, [r.h, r.x, r.y]) === r.h) {
      for (const n of [r.s, r.h, r.x, r.y]) n.engine.stop()
      r = await running()
    }
    const rest = [r.h, r.x, r.y]
    const first = firstInLine(r, rest)
    r.net.remove(r.s.id.peerId)
    r.s.engine.stop()
    await runFor(r.clock, 2_000)
    for (const n of rest) expect(n.engine.tasks.get(r.id)!.steward).toBe(first.id.peerId)
    // The new steward leaves too, well within the time a rival's claim is still resolved.
    const left = rest.filter(n => n !== first)
    const next = left.find(n => takeoverRank(n.id.peerId, first.id.peerId, left.map(m => m.id.peerId)) === 0)!
    r.net.remove(first.id.peerId)
    first.engine.stop()
    await runFor(r.clock, 15_000)
    expectSettledOn(left, r.id, next)
    for (const n of left) expect(n.engine.stats().ignored['outranked-takeover']).toBeUndefined()
    expect(r.h.runs.map(x => x.taskId)).toEqual([r.id])
  })
})

describe('a steward that leaves during its bid window', () => {
  it('two nodes that both closed the bid window of a steward that left, over different bids, settle on one award and the first in line', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2, jitterMs: 2 })
    // Peer ids decide the takeover line: the two lowest look on, the others host the agents.
    const ids = (await Promise.all([1, 2, 3, 4].map(async () => await identity()))).sort((a, b) => a.peerId < b.peerId ? -1 : 1)
    const node = (i: number, agents: SimAgent[]): SimNode => {
      const recorder = new MemoryRecorder()
      const runs: SimNode['runs'] = []
      return { id: ids[i]!, engine: startSimEngine(net, clock, ids[i]!, agents, recorder, {}, runs), recorder, agents, runs }
    }
    const first = node(0, [])
    const second = node(1, [])
    const h = node(2, [{ id: 'fair', skill: 'w', keywords: ['work'], confidence: 0.8, workMs: 2_000 }])
    const g = node(3, [{ id: 'best', skill: 'w', keywords: ['work'], confidence: 0.95, workMs: 2_000 }])
    const s = await makeNode(net, clock, [])
    const rest = [first, second, h, g]
    await runFor(clock, 20)
    // The best bid reaches the first in line only after it has closed the window; what the first
    // in line sends the second arrives 800 ms late.
    net.slow(g.id.peerId, first.id.peerId, 600)
    net.slow(first.id.peerId, second.id.peerId, 800)
    // The steward never hears one of the bids, so its window stays open (80 ms) ...
    net.mute(h.id.peerId, s.id.peerId)
    const id = s.engine.tasks.submit({ text: 'work on it', verify: 0 })
    // ... and it leaves before it closes it.
    await runFor(clock, 20)
    net.slow(g.id.peerId, first.id.peerId, 0)
    expect(s.engine.tasks.get(id)!.state).toBe('submitted')
    net.remove(s.id.peerId)
    s.engine.stop()
    await runFor(clock, 10_000)
    expectSettledOn(rest, id, first)
    // Every node resolved to the award over both closers' bids.
    for (const n of rest) expect(n.engine.tasks.get(id)!.agentId).toBe('best')
    // The fair agent had started on the first closer's award; the merged one stopped it.
    expect(h.runs.filter(x => x.finishedAt !== undefined)).toEqual([])
    expect(g.runs.filter(x => x.finishedAt !== undefined).map(x => x.taskId)).toEqual([id])
  })
})
