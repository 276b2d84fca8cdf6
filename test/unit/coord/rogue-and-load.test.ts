import { describe, it, expect } from 'vitest'
import { canonicalJson } from '../../../src/net/canonical-json.ts'
import { sealEnvelope, signerFor, type Signer } from '../../../src/coord/signing.ts'
import { attestVote } from '../../../src/coord/attest.ts'
import { COORD_PROTOCOL_VERSION, type Envelope as UnsignedEnvelope, type MessageKind } from '../../../src/coord/messages.ts'
import { FakeClock, MemoryNetwork, identity, makeNode, runFor, runUntil, type SimNode } from './sim.ts'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** A room member outside the engine: it sends what it likes, each envelope numbered and signed with its own key. */
async function rogueMember (net: MemoryNetwork, clock: FakeClock): Promise<{ peerId: string, sign: Signer, send: (kind: MessageKind, body: unknown) => Promise<void> }> {
  const rogue = await identity()
  net.transport(rogue.peerId)
  const sign = signerFor(rogue.privateKey)
  let seq = 0
  const send = async (kind: MessageKind, body: unknown): Promise<void> => {
    seq++
    net.inject(rogue.peerId, (await sealEnvelope({ v: COORD_PROTOCOL_VERSION, kind, id: `r.${seq}`, from: rogue.peerId, seq, ts: clock.now(), body } as UnsignedEnvelope, sign)).bytes)
  }
  return { peerId: rogue.peerId, sign, send }
}

describe('coordination engine: a rogue peer', () => {
  it('forged, oversized, replayed, malformed, unknown-version and rule-breaking messages change nothing and are counted by reason', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2 })
    const a = await makeNode(net, clock, [{ id: 'calc', skill: 'math', keywords: ['sum'], confidence: 0.7 }])
    const b = await makeNode(net, clock, [{ id: 'calc', skill: 'math', keywords: ['sum'], confidence: 0.9, workMs: 300 }])
    const c = await makeNode(net, clock, [])
    const honest = [a, b, c]
    const rogue = await identity()
    net.transport(rogue.peerId) // the rogue is a room member
    const rogueSign = signerFor(rogue.privateKey)
    let seq = 0
    const envelope = (over: Partial<UnsignedEnvelope> & { body: unknown }): UnsignedEnvelope => ({
      v: COORD_PROTOCOL_VERSION, kind: 'award', id: `r.${++seq}`, from: rogue.peerId, seq, ts: clock.now(), ...over
    } as UnsignedEnvelope)
    const signed = async (e: UnsignedEnvelope): Promise<Uint8Array> => (await sealEnvelope(e, rogueSign)).bytes

    const id = a.engine.tasks.submit({ text: 'sum 1 and 2' })
    await runUntil(clock, () => b.runs.length === 1, 1000)
    const award = net.tap.find(m => new TextDecoder().decode(m.bytes).includes('"kind":"award"'))!
    const fakeAward = { taskId: id, attempt: 1, winner: { peerId: rogue.peerId, agentId: 'evil', skillId: 'math', confidence: 1, reputation: 1.5, load: 0, latencyMs: 1 }, bids: [], digest: 'x', leaseMs: 3000 }

    // Forged: claims to be a, signed by the rogue (the transport cannot tell who sent it).
    net.inject(rogue.peerId, await signed(envelope({ from: a.id.peerId, kind: 'cancel', body: { taskId: id, reason: 'forged' } })), false)
    // Forged: the transport knows the rogue sent it, the envelope claims a.
    net.inject(rogue.peerId, await signed(envelope({ from: a.id.peerId, kind: 'cancel', body: { taskId: id, reason: 'forged' } })))
    // Oversized.
    net.inject(rogue.peerId, utf8(`{"v":1,"kind":"result","pad":"${'x'.repeat(70_000)}"}`))
    // Oversized for its kind (a fat heartbeat).
    net.inject(rogue.peerId, await signed(envelope({ kind: 'lease', body: { leases: [{ taskId: id, attempt: 1, agentId: 'x'.repeat(20_000) }] } })))
    // Replayed: the real award, sent again by its real sender.
    net.inject(award.from, award.bytes)
    // Malformed.
    net.inject(rogue.peerId, utf8('{oops'))
    net.inject(rogue.peerId, new Uint8Array([0xff, 0xfe, 0x00]))
    net.inject(rogue.peerId, await signed(envelope({ kind: 'bid', body: { bids: [{ taskId: id, attempt: 1, agentId: 'evil', skillId: 's', confidence: 7, reputation: 1, load: 0, latencyMs: 1 }] } })))
    // Unknown version and kind.
    net.inject(rogue.peerId, await signed({ ...envelope({ kind: 'cancel', body: { taskId: id, reason: 'v2' } }), v: 2 } as unknown as UnsignedEnvelope))
    net.inject(rogue.peerId, await signed(envelope({ kind: 'takeover' as 'award', body: {} as never })))
    // Stale: a correctly signed message from an hour ago.
    net.inject(rogue.peerId, await signed(envelope({ kind: 'cancel', ts: clock.now() - 3_600_000, body: { taskId: id, reason: 'old' } })))
    // Tampered: a correctly signed message whose body was changed after signing.
    const tampered = new TextDecoder().decode(await signed(envelope({ kind: 'decision', body: { decisionId: 'd1', about: id, text: 'fine' } })))
    net.inject(rogue.peerId, utf8(tampered.replace('"text":"fine"', '"text":"evil"')))
    // Correctly signed by the rogue, but breaking protocol rules: an award for someone else's task,
    // and a result nobody awarded it.
    net.inject(rogue.peerId, await signed(envelope({ kind: 'award', body: fakeAward })))
    net.inject(rogue.peerId, await signed(envelope({ kind: 'result', body: { taskId: id, attempt: 1, agentId: 'evil', skillId: 'math', result: { text: 'evil' }, startedAt: clock.now(), finishedAt: clock.now(), attest: 'A'.repeat(86) } })))

    await runUntil(clock, () => honest.every(n => n.engine.tasks.get(id)?.state === 'completed'), 3000)
    for (const n of honest) {
      const snap = n.engine.tasks.get(id)!
      expect(snap.result?.text).toBe('calc did: sum 1 and 2')
      expect(snap.peerId).toBe(b.id.peerId)
      expect(n.engine.tasks.list()).toHaveLength(1)
      expect(n.engine.stats().rejected).toEqual({
        'bad-signature': 2, // the forged cancel and the tampered decision
        'sender-mismatch': 1,
        'too-large': 2,
        ...(n === a ? {} : { replayed: 1 }), // a sent the award: the copy goes to the others
        'not-json': 1,
        'not-utf8': 1,
        'bad-field': 1,
        'unknown-version': 1,
        'unknown-kind': 1,
        stale: 1,
        'not-steward': 1,
        'result-not-awarded': 1
      })
    }
    expect(b.runs).toHaveLength(1)
  })
})

describe('coordination engine: 1,000 tasks while nodes leave', () => {
  it('loses no task and completes none twice', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2, jitterMs: 6 })
    const nodes: SimNode[] = []
    for (let i = 0; i < 5; i++) {
      nodes.push(await makeNode(net, clock, [{ id: `echo-${i}`, skill: 'echo', keywords: ['*'], confidence: 0.5 + i * 0.1, workMs: 40 + i * 30 }], { leaseMs: 1000 }))
    }
    const completions = nodes.map(() => new Map<string, number>())
    nodes.forEach((n, i) => n.engine.on('task', e => { if (e.state === 'completed') completions[i]!.set(e.taskId, (completions[i]!.get(e.taskId) ?? 0) + 1) }))
    const ids: string[] = []
    const gone = new Set<number>()
    for (let round = 0; round < 20; round++) {
      const alive = nodes.filter((_, i) => !gone.has(i))
      for (let k = 0; k < 50; k++) ids.push(alive[k % alive.length]!.engine.tasks.submit({ text: `task ${round}.${k}` }))
      // Let the announcements leave before anyone goes.
      await runFor(clock, 60)
      if (round === 6 || round === 12) {
        const leaving = round === 6 ? 4 : 1 // a node with busy agents, then a submitter
        net.remove(nodes[leaving]!.id.peerId)
        nodes[leaving]!.engine.stop()
        gone.add(leaving)
      }
    }
    const survivors = nodes.filter((_, i) => !gone.has(i))
    await runUntil(clock, () => ids.every(id => survivors.every(n => n.engine.tasks.get(id)?.state === 'completed')), 120_000)

    expect(ids).toHaveLength(1000)
    // Never completed twice on any node.
    for (const [i, m] of completions.entries()) {
      for (const [id, count] of m) expect(count, `${id} completed ${count} times on node ${i}`).toBe(1)
    }
    // Every surviving node agrees on who produced each result.
    for (const id of ids) {
      const producers = new Set(survivors.map(n => { const s = n.engine.tasks.get(id)!; return `${s.peerId}/${s.agentId}/${s.attempt}` }))
      expect(producers.size, id).toBe(1)
    }
    // Outcomes recorded by stewards (any node, including departed ones) agree per task.
    const recorded = new Map<string, Set<string>>()
    for (const n of nodes) {
      for (const [id, o] of n.recorder.outcomes) {
        if (o.state !== 'completed') continue
        const set = recorded.get(id) ?? new Set()
        set.add(`${o.producer?.peerId}/${o.producer?.agentId}/${o.producer?.attempt}`)
        recorded.set(id, set)
      }
    }
    for (const id of ids) expect(recorded.get(id)?.size, id).toBe(1)
    const reassigned = ids.filter(id => survivors[0]!.engine.tasks.get(id)!.attempt > 1).length
    const takenOver = ids.filter(id => survivors.some(n => n.engine.tasks.get(id)!.steward === n.id.peerId && n.engine.tasks.get(id)!.owner !== n.id.peerId)).length
    console.log(`${ids.length} tasks: ${reassigned} reassigned after a peer left, ${takenOver} taken over by another steward, runs ${nodes.reduce((s, n) => s + n.runs.length, 0)}, simulated ${clock.now() - 1_700_000_000_000} ms`)
    // The departures must have touched live work (which of the two depends on award timing, which
    // varies with the real, asynchronous signing), or the run proves nothing about recovery.
    expect(reassigned + takenOver).toBeGreaterThan(0)
    for (const n of survivors) expect(n.engine.stats().rejected).toEqual({})
  })
})

describe('coordination engine: a lossy network', () => {
  it('with 5% of messages dropped, every task still completes once at its steward', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2, jitterMs: 5, dropRate: 0.05, seed: 7 })
    const nodes: SimNode[] = []
    for (let i = 0; i < 4; i++) nodes.push(await makeNode(net, clock, [{ id: `echo-${i}`, skill: 'echo', keywords: ['*'], confidence: 0.6 + i * 0.1, workMs: 30 }], { leaseMs: 600 }))
    const completions = new Map<string, number>()
    nodes[0]!.engine.on('task', e => { if (e.state === 'completed') completions.set(e.taskId, (completions.get(e.taskId) ?? 0) + 1) })
    const ids: string[] = []
    for (let i = 0; i < 100; i++) ids.push(nodes[0]!.engine.tasks.submit({ text: `lossy ${i}` }))
    await runUntil(clock, () => ids.every(id => nodes[0]!.engine.tasks.get(id)?.state === 'completed'), 30_000)
    expect(net.dropped).toBeGreaterThan(0)
    expect([...completions.values()].every(n => n === 1)).toBe(true)
    expect(completions.size).toBe(100)
  })
})

describe('coordination engine: a dishonest steward', () => {
  it('an award that breaks the rule over its own bid set is rejected by every node', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2 })
    const a = await makeNode(net, clock, [{ id: 'good', skill: 's', keywords: ['job'], confidence: 0.9 }])
    const b = await makeNode(net, clock, [{ id: 'meh', skill: 's', keywords: ['job'], confidence: 0.5 }])
    const { send } = await rogueMember(net, clock)
    await send('announce', { taskId: 'rogue-1', attempt: 1, text: 'job', excluded: [], quorum: 0 })
    await runFor(clock, 20)
    const bids = [
      { peerId: a.id.peerId, agentId: 'good', skillId: 's', confidence: 0.9, reputation: 1, load: 0, latencyMs: 10 },
      { peerId: b.id.peerId, agentId: 'meh', skillId: 's', confidence: 0.5, reputation: 1, load: 0, latencyMs: 10 }
    ]
    const { bidSetDigest, canonicalBidOrder } = await import('../../../src/coord/award.ts')
    const set = canonicalBidOrder(bids)
    await send('award', { taskId: 'rogue-1', attempt: 1, winner: bids[1], bids: set, digest: bidSetDigest(set), leaseMs: 3000 })
    await runFor(clock, 50)
    for (const n of [a, b]) {
      expect(n.engine.stats().rejected['award-violates-rule']).toBe(1)
      expect(n.engine.tasks.get('rogue-1')!.state).toBe('submitted')
    }
    expect(b.runs).toHaveLength(0)
  })
})

describe('coordination engine: a rogue voter', () => {
  it('a vote whose attestation does not hold for the result it names is refused by every node; one on another result is not counted; a signed one counts', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2 })
    const a = await makeNode(net, clock, [])
    const b = await makeNode(net, clock, [{ id: 'calc', skill: 'math', keywords: ['sum'], confidence: 0.9 }])
    const { peerId: roguePeerId, sign, send } = await rogueMember(net, clock)
    const vote = async (body: object): Promise<void> => { await send('verify', body) }
    const id = a.engine.tasks.submit({ text: 'sum 2 and 2', verify: 1 })
    await runUntil(clock, () => [a, b].every(n => n.engine.tasks.get(id)?.verification?.status === 'pending'), 3000)
    const resultAttest = b.recorder.results.find(r => r.taskId === id)!.attest!
    const support = { taskId: id, agentId: 'checker', vote: 'support' as const, confidence: 0.9, reason: 'fine' }
    const named = { ...support, attempt: 1, resultAttest }
    // The envelope is the rogue's own and well signed; the vote's attestation is not: garbage, then a
    // signature over another attempt than the vote names (one the graph would refuse, so no node counts it).
    await vote({ ...named, attest: 'A'.repeat(86) })
    await vote({ ...named, attest: await attestVote({ ...named, attempt: 2 }, sign) })
    // Well signed, but on another copy of the result than the nodes hold (as after a partition merge
    // replaced it): not counted, and no forgery either.
    const other = { ...support, attempt: 2, resultAttest: 'Q'.repeat(86) }
    await vote({ ...other, attest: await attestVote(other, sign) })
    await runFor(clock, 50)
    for (const n of [a, b]) {
      expect(n.engine.stats().rejected).toEqual({ 'vote-bad-attest': 2 })
      expect(n.engine.stats().ignored['vote-other-result']).toBe(1)
      expect(n.engine.tasks.get(id)!.verification).toMatchObject({ status: 'pending', supporters: [] })
    }
    // Signed over this result: it counts (a room member may vote; Sybil votes are docs/protocol.md's open problem).
    await vote({ ...named, attest: await attestVote(named, sign) })
    await runUntil(clock, () => [a, b].every(n => n.engine.tasks.get(id)?.verification?.status === 'verified'), 1000)
    expect(a.engine.tasks.get(id)!.verification!.supporters).toEqual([roguePeerId])
    // The steward records the deciding vote with its attestation, for the graph's readers.
    expect(a.recorder.verifications.at(-1)).toMatchObject({ status: 'verified', votes: [{ peerId: roguePeerId, vote: 'support', attest: expect.stringMatching(/^[A-Za-z0-9_-]{86}$/) }] })
  })
})
