/**
 * A steward that leaves while its task runs quietly (no window to close, nothing to re-announce).
 * The first in line takes the stewardship over and says so by publishing the award it holds again;
 * before, nobody heard of the takeover, so the next in line took over too, each in turn, and every
 * one of them recorded the outcome (docs/protocol.md, "Takeover").
 */
import { describe, it, expect } from 'vitest'
import { FakeClock, MemoryNetwork, makeNode, runFor, runUntil, type SimNode } from './sim.ts'
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

describe('a steward that leaves while its task runs quietly', () => {
  it('one node takes over, every other node learns it, and the outcome is recorded once', async () => {
    const r = await running()
    const rest = [r.h, r.x, r.y]
    const first = firstInLine(r, rest)
    r.net.remove(r.s.id.peerId)
    r.s.engine.stop()
    await runFor(r.clock, 15_000)
    for (const n of rest) {
      const t = n.engine.tasks.get(r.id)!
      expect(t.state).toBe('completed')
      expect(t.steward).toBe(first.id.peerId)
      expect(n.engine.stats().rejected).toEqual({})
    }
    // Only the new steward recorded the outcome, once.
    expect(rest.map(n => n.recorder.outcomeWrites.get(r.id) ?? 0)).toEqual(rest.map(n => n === first ? 1 : 0))
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
    for (const n of rest) {
      expect(n.engine.tasks.get(r.id)!.state).toBe('completed')
      expect(n.engine.tasks.get(r.id)!.steward).toBe(first.id.peerId)
      expect(n.engine.stats().rejected).toEqual({})
    }
    expect(rest.map(n => n.recorder.outcomeWrites.get(r.id) ?? 0)).toEqual(rest.map(n => n === first ? 1 : 0))
  })
})
