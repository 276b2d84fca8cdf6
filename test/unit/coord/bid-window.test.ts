import { describe, it, expect } from 'vitest'
import { FakeClock, MemoryNetwork, makeNode, runUntil, type SimNode } from './sim.ts'
import type { BidOffer } from '../../../src/coord/interfaces.ts'

/** Makes a node's bidder answer `ms` late (a tab whose main thread is busy). */
function slowBidder (node: SimNode, clock: FakeClock, ms: number): void {
  const bidder = (node.engine as unknown as { bidder: { bid: (t: unknown) => BidOffer[] | Promise<BidOffer[]> } }).bidder
  const bid = bidder.bid.bind(bidder)
  bidder.bid = async task => { await new Promise<void>(resolve => clock.setTimeout(resolve, ms)); return await bid(task) }
}

describe('bid window: a late bid is not turned into "nobody bid"', () => {
  it('waits past the window for a slow capable peer when no bid could win yet', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2, jitterMs: 2 })
    const a = await makeNode(net, clock, [])
    const b = await makeNode(net, clock, [{ id: 'calc', skill: 'math', keywords: ['sum'], confidence: 0.9 }])
    slowBidder(b, clock, 400) // five times the 80 ms window
    const id = a.engine.tasks.submit({ text: 'sum 2 and 3' })
    await runUntil(clock, () => [a, b].every(n => ['completed', 'unassigned'].includes(n.engine.tasks.get(id)?.state ?? '')), 5000)
    expect(a.engine.tasks.get(id)).toMatchObject({ state: 'completed', agentId: 'calc', peerId: b.id.peerId })
  })

  it('still closes on time when a bid that can win is in, and ends unassigned if an expected peer never answers', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2, jitterMs: 2 })
    const a = await makeNode(net, clock, [{ id: 'fast', skill: 'math', keywords: ['sum'], confidence: 0.6 }])
    const b = await makeNode(net, clock, [{ id: 'slow', skill: 'math', keywords: ['sum'], confidence: 0.9 }])
    const c = await makeNode(net, clock, [])
    slowBidder(b, clock, 400)
    const id = a.engine.tasks.submit({ text: 'sum 2 and 3' })
    await runUntil(clock, () => a.engine.tasks.get(id)?.state === 'completed', 2000)
    expect(a.engine.tasks.get(id)).toMatchObject({ agentId: 'fast' })
    expect(a.engine.tasks.get(id)!.timings.awardedAt! - a.engine.tasks.get(id)!.timings.submittedAt).toBeLessThanOrEqual(100)
    // c goes mute (its answers never leave): nobody can do the task, and it ends unassigned after the wait.
    const t = (c.engine as unknown as { transport: { publish: (b: Uint8Array) => void } }).transport
    t.publish = () => {}
    const started = clock.now()
    const id2 = a.engine.tasks.submit({ text: 'paint the fence' })
    await runUntil(clock, () => a.engine.tasks.get(id2)?.state === 'unassigned', 10_000)
    expect(clock.now() - started).toBeGreaterThanOrEqual(3000)
    expect(a.engine.tasks.get(id2)!.reason).toMatch(/nobody bid/)
  })
})
