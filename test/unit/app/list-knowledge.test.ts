import { describe, expect, it } from 'vitest'
import { listKnowledge } from '../../../src/app/knowledge.ts'
import { checkListFilter } from '../../../src/agents/runtime/agent-runtime.ts'
import { EntityProofs } from '../../../src/coord/entity-proof.ts'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import { syncSignerFor } from '../../../src/net/peer-signature.ts'
import { clock } from '../graph/helpers.ts'
import { identity } from '../coord/sim.ts'

describe('ctx.graph.list on the host (listKnowledge)', () => {
  it('lists knowledge by kind and proven status, newest first, without the mesh\'s bookkeeping; questions carry what answers them', async () => {
    const me = await identity()
    const graph = await openRoomGraph(createGraphRepo(), 'list-knowledge', { actor: { agentId: 'person', peerId: me.peerId }, now: clock(), sign: syncSignerFor(me.privateKey) })
    const d1 = graph.add({ kind: 'decision', text: 'We use Postgres for the ledger.' })
    const f1 = graph.add({ kind: 'fact', text: 'The relay listens on port 9090.' })
    graph.verify(f1)
    const thread = graph.add({ kind: 'thread', title: 'Task t-1', text: 'What is 2 + 2?', tags: ['task'] })
    const q1 = graph.add({ kind: 'question', text: 'Which port does the relay use?' })
    const q2 = graph.add({ kind: 'question', text: 'Which cuisine for the offsite?' })
    graph.relate(f1, 'answers', q1)
    const f2 = graph.add({ kind: 'fact', text: 'The relay listens on port 8080.' })
    graph.retract(f2, 'wrong port')
    const d2 = graph.add({ kind: 'decision', text: 'We ship the app in March.' })
    const proofs = new EntityProofs()

    expect(listKnowledge(graph, proofs, { kind: 'decision' }).map(h => h.id)).toEqual([d2, d1])
    expect(listKnowledge(graph, proofs, { kind: 'decision', limit: 1 }).map(h => h.id)).toEqual([d2])
    // Bookkeeping (a task's thread) and retracted entities are not listed unless asked for by status.
    const all = listKnowledge(graph, proofs, {}).map(h => h.id)
    expect(all).not.toContain(thread)
    expect(all).not.toContain(f2)
    expect(all).toEqual([d2, q2, q1, f1, d1])
    expect(listKnowledge(graph, proofs, { status: 'retracted' }).map(h => h.id)).toEqual([f2])
    expect(listKnowledge(graph, proofs, { kind: 'fact', status: 'verified' })).toMatchObject([{ id: f1, status: 'verified', score: 1, text: 'The relay listens on port 9090.' }])
    const questions = listKnowledge(graph, proofs, { kind: 'question' })
    expect(questions).toMatchObject([{ id: q2, answeredBy: [] }, { id: q1, answeredBy: [f1] }])
    // An answer that is retracted answers nothing.
    graph.retract(f1, 'moved')
    expect(listKnowledge(graph, proofs, { kind: 'question' })).toMatchObject([{ id: q2, answeredBy: [] }, { id: q1, answeredBy: [] }])
    // A conflict carries the decisions that settled it; other kinds carry nothing.
    const c1 = graph.add({ kind: 'conflict', text: 'Conflicting statements: "A is not B." [x] says the opposite of "A is B." [y].', data: { statements: ['x', 'y'] } })
    expect(listKnowledge(graph, proofs, { kind: 'conflict' })).toMatchObject([{ id: c1, answeredBy: [] }])
    graph.relate(d2, 'answers', c1)
    expect(listKnowledge(graph, proofs, { kind: 'conflict' })).toMatchObject([{ id: c1, answeredBy: [d2] }])
    expect(listKnowledge(graph, proofs, { kind: 'decision' })[0]).not.toHaveProperty('answeredBy')
  })

  it('a status written in another peer\'s name is listed as what its signatures prove', async () => {
    const honest = await identity()
    const graph = await openRoomGraph(createGraphRepo(), 'list-proven', { actor: { agentId: 'person', peerId: honest.peerId }, now: clock(), sign: syncSignerFor(honest.privateKey) })
    const rogue = await openRoomGraph(createGraphRepo(), 'list-proven-rogue', { actor: { agentId: 'person', peerId: honest.peerId }, now: clock(1_700_000_500_000) })
    const forged = rogue.add({ kind: 'fact', text: 'The moon is made of green cheese.' })
    rogue.verify(forged)
    graph.importJson(JSON.parse(JSON.stringify(rogue.exportJson())))
    expect(graph.get(forged)?.status).toBe('verified')
    const proofs = new EntityProofs()
    expect(listKnowledge(graph, proofs, { status: 'verified' })).toEqual([])
    expect(listKnowledge(graph, proofs, { status: 'proposed' })).toMatchObject([{ id: forged, status: 'proposed' }])
  })

  it('an agent\'s filter is checked: a clear error naming the field', () => {
    expect(checkListFilter(undefined)).toEqual({ limit: 50 })
    expect(checkListFilter({ kind: ['fact', 'decision'], status: 'verified', limit: 200 })).toEqual({ kind: ['fact', 'decision'], status: 'verified', limit: 200 })
    expect(() => checkListFilter('facts')).toThrow('ctx.graph.list takes an optional filter { kind?, status?, limit? }')
    expect(() => checkListFilter({ kinds: 'fact' })).toThrow('unknown filter field "kinds"')
    expect(() => checkListFilter({ kind: 'Fact!' })).toThrow('filter.kind must be a lowercase word or a list of 1 to 16 of them, got "Fact!"')
    expect(() => checkListFilter({ status: [] })).toThrow('filter.status must be')
    expect(() => checkListFilter({ limit: 0 })).toThrow('filter.limit must be a whole number from 1 to 200, got 0')
    expect(() => checkListFilter({ limit: 2.5 })).toThrow('filter.limit')
  })
})
