/**
 * A verification that gets no verdict: every verifier that could vote has voted without reaching
 * the quorum, the only verifier runs on the producer's own peer, a verifier's tab leaves before it
 * votes, or none answers in time. The result is then `unverified` (with the reason) rather than
 * `pending` for good, and a late vote still settles it.
 */
import { describe, it, expect } from 'vitest'
import { FakeClock, MemoryNetwork, makeNode, runFor, runUntil, type SimAgent, type SimNode } from './sim.ts'

const adder: SimAgent = { id: 'adder', skill: 'math', keywords: ['sum'], confidence: 0.9, run: () => ({ text: '4' }) }
const checker = (workMs = 10): SimAgent => ({ id: 'checker', skill: 'verify', keywords: [], confidence: 0, workMs, run: () => ({ text: 'yes', verdict: { vote: 'support', confidence: 0.9, reason: '2+2 is 4' } }) })
const short = (peerId: string): string => `…${peerId.slice(-6)}`

/** Verification statuses each node reports for `id`, in order. */
function statuses (nodes: SimNode[], id: () => string | undefined): Map<SimNode, string[]> {
  const seen = new Map<SimNode, string[]>(nodes.map(n => [n, []]))
  for (const n of nodes) n.engine.on('verification', e => { if (e.taskId === id()) seen.get(n)!.push(e.status) })
  return seen
}

/** a runs the adder, b a checker that answers after `checkMs`; b is listed as verifying; a 10 s verification timeout. */
async function adderAndChecker (checkMs: number): Promise<{ clock: FakeClock, net: MemoryNetwork, a: SimNode, b: SimNode }> {
  const clock = new FakeClock()
  const net = new MemoryNetwork(clock)
  const verifying = new Set<string>()
  const extra = { verifyingPeers: () => verifying }
  const options = { verifyTimeoutMs: 10_000 }
  const a = await makeNode(net, clock, [adder], options, extra)
  const b = await makeNode(net, clock, [checker(checkMs)], { ...options, verifiers: ['checker'] }, extra)
  verifying.add(b.id.peerId)
  return { clock, net, a, b }
}

describe('a verification with no verdict to come', () => {
  it('the only verifier runs on the producer\'s peer: unverified at once on every node, with the reason; the steward records it; no reputation verdict', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const verifying = new Set<string>()
    const extra = { verifyingPeers: () => verifying }
    const a = await makeNode(net, clock, [adder, checker()], { verifiers: ['checker'] }, extra)
    const s = await makeNode(net, clock, [], {}, extra)
    verifying.add(a.id.peerId)
    let id: string | undefined
    const seen = statuses([a, s], () => id)
    // The submitter sees a verifier on another present peer, so the default quorum is 1; but that
    // peer is also the one whose agent does the task, and a peer cannot vouch for itself.
    id = s.engine.tasks.submit({ text: 'sum 2 and 2' })
    await runUntil(clock, () => s.engine.tasks.get(id!)?.state === 'completed', 5_000)
    const completedAt = clock.now()
    await runUntil(clock, () => [a, s].every(n => n.engine.tasks.get(id!)?.verification?.status === 'unverified'), 1_000)
    expect(clock.now() - completedAt).toBeLessThan(50)
    for (const n of [a, s]) {
      const v = n.engine.tasks.get(id)!.verification!
      expect(v.reason).toBe(`no verifier runs on a present peer other than the producer's (${short(a.id.peerId)})`)
      expect(seen.get(n)).toEqual(['unverified'])
    }
    expect(s.recorder.verifications.map(r => [r.status, r.reason])).toEqual([['unverified', `no verifier runs on a present peer other than the producer's (${short(a.id.peerId)})`]])
    expect(a.recorder.verifications).toEqual([])
    const rep = [...a.recorder.reputations.values()].find(r => r.agentId === 'adder')!.record
    expect([rep.successes, rep.verified, rep.disputed]).toEqual([1, 0, 0])
    await runFor(clock, 15_000)
    expect(s.engine.tasks.get(id)!.verification!.status).toBe('unverified')
  })

  it('a verifier slower than the timeout: unverified when it passes, naming the peer waited for; its late support still verifies the result, and counts once', async () => {
    const { clock, a, b } = await adderAndChecker(15_000)
    let id: string | undefined
    const seen = statuses([a, b], () => id)
    id = a.engine.tasks.submit({ text: 'sum 2 and 2' })
    await runUntil(clock, () => a.engine.tasks.get(id!)?.state === 'completed', 5_000)
    const completedAt = clock.now()
    await runUntil(clock, () => a.engine.tasks.get(id!)?.verification?.status === 'unverified', 11_000)
    expect(clock.now() - completedAt).toBeGreaterThanOrEqual(10_000)
    expect(a.engine.tasks.get(id)!.verification!.reason).toBe(`no verdict within 10 s (waited for ${short(b.id.peerId)})`)
    await runUntil(clock, () => [a, b].every(n => n.engine.tasks.get(id!)?.verification?.status === 'verified'), 10_000)
    for (const n of [a, b]) {
      expect(seen.get(n)).toEqual(['unverified', 'verified'])
      expect(n.engine.tasks.get(id)!.verification!.reason).toBeUndefined()
    }
    expect(a.recorder.verifications.map(r => r.status)).toEqual(['unverified', 'verified'])
    const rep = [...a.recorder.reputations.values()].find(r => r.agentId === 'adder')!.record
    expect([rep.successes, rep.verified, rep.disputed]).toEqual([1, 1, 0])
  })

  it('a verifier\'s tab that leaves before it votes: unverified on the next tick instead of at the timeout', async () => {
    const { clock, net, a, b } = await adderAndChecker(5_000)
    const id = a.engine.tasks.submit({ text: 'sum 2 and 2' })
    await runUntil(clock, () => a.engine.tasks.get(id)?.state === 'completed', 5_000)
    await runFor(clock, 1_000)
    expect(a.engine.tasks.get(id)!.verification!.status).toBe('pending')
    net.remove(b.id.peerId)
    const leftAt = clock.now()
    await runUntil(clock, () => a.engine.tasks.get(id)?.verification?.status === 'unverified', 5_000)
    expect(clock.now() - leftAt).toBeLessThan(500)
    expect(a.engine.tasks.get(id)!.verification!.reason).toBe(`no verifier runs on a present peer other than the producer's (${short(a.id.peerId)})`)
  })

  it('verifiers that abstain or vote too weakly: unverified once the last has voted, with the tally', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock)
    const verifying = new Set<string>()
    const extra = { verifyingPeers: () => verifying }
    const a = await makeNode(net, clock, [adder], {}, extra)
    const abstainer: SimAgent = { id: 'checker', skill: 'verify', keywords: [], confidence: 0, workMs: 20, run: () => ({ text: '?', verdict: { vote: 'abstain', confidence: 0, reason: 'nothing relevant is known' } }) }
    const weak: SimAgent = { id: 'checker', skill: 'verify', keywords: [], confidence: 0, workMs: 200, run: () => ({ text: '?', verdict: { vote: 'support', confidence: 0.2, reason: 'looks plausible' } }) }
    const b = await makeNode(net, clock, [abstainer], { verifiers: ['checker'] }, extra)
    const c = await makeNode(net, clock, [weak], { verifiers: ['checker'] }, extra)
    verifying.add(b.id.peerId).add(c.id.peerId)
    const id = a.engine.tasks.submit({ text: 'sum 2 and 2' })
    await runUntil(clock, () => a.engine.tasks.get(id)?.state === 'completed', 5_000)
    // After the abstention, c's vote is still to come.
    await runUntil(clock, () => (a.engine.tasks.get(id)?.verification?.abstained?.length ?? 0) === 1, 1_000)
    expect(a.engine.tasks.get(id)!.verification!.status).toBe('pending')
    await runUntil(clock, () => [a, b, c].every(n => n.engine.tasks.get(id)?.verification?.status === 'unverified'), 1_000)
    for (const n of [a, b, c]) expect(n.engine.tasks.get(id)!.verification!.reason).toBe('every verifier on another present peer has voted and the quorum of 1 was not reached (1 abstained, 1 voted too weakly to count)')
  })
})
