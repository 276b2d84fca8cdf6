import { describe, expect, it } from 'vitest'
import { alice, clock } from './helpers.ts'
import { GraphValidationError } from '../../../src/graph/schema.ts'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import type { GraphChange, KnowledgeGraph } from '../../../src/graph/knowledge-graph.ts'

async function fresh (): Promise<KnowledgeGraph> {
  return await openRoomGraph(createGraphRepo(), 'ops', { actor: alice, now: clock() })
}

describe('KnowledgeGraph operations', () => {
  it('adds, gets and lists entities with provenance filled in', async () => {
    const g = await fresh()
    const f = g.add({ kind: 'fact', text: 'Copper conducts electricity', tags: ['physics'] })
    const h = g.add({ kind: 'hypothesis', text: 'Graphene beats copper', confidence: 0.3 })
    expect(f).toMatch(/^fact:[a-z2-7]{16}$/)
    const fact = g.get(f)
    expect(fact).toMatchObject({ id: f, kind: 'fact', status: 'proposed', confidence: 0.5, tags: ['physics'], verifiedBy: [], disputedBy: [] })
    expect(fact?.provenance).toEqual({ agentId: 'agent-alice', peerId: '12D3KooWAlice', createdAt: 1_700_000_001_000, updatedAt: 1_700_000_001_000 })
    expect(g.list().map(e => e.id)).toEqual([f, h])
    expect(g.list({ kind: 'hypothesis' }).map(e => e.id)).toEqual([h])
    expect(g.list({ text: 'COPPER' }).map(e => e.id)).toEqual([f, h])
    expect(g.list({ tag: 'physics' }).map(e => e.id)).toEqual([f])
    expect(g.size).toBe(2)
    // get returns a copy: mutating it does not touch the graph
    fact!.text = 'changed'
    expect(g.get(f)?.text).toBe('Copper conducts electricity')
  })

  it('updates fields, keeps createdAt and bumps updatedAt', async () => {
    const g = await fresh()
    const id = g.add({ kind: 'fact', text: 'v1' })
    g.update(id, { text: 'v2', confidence: 0.9, data: { source: 'lab' }, tags: ['a', 'b'] })
    const e = g.get(id)
    expect(e).toMatchObject({ text: 'v2', confidence: 0.9, data: { source: 'lab' }, tags: ['a', 'b'] })
    expect(e!.provenance.updatedAt).toBeGreaterThan(e!.provenance.createdAt)
  })

  it('rejects bad writes with the field named and writes nothing', async () => {
    const g = await fresh()
    const id = g.add({ kind: 'fact', text: 'ok' })
    const heads = g.handle.heads()
    expect(() => g.add({ kind: 'fact', text: '' })).toThrow('text: must not be empty')
    expect(() => g.update(id, { confidence: 7 })).toThrow('confidence: must be between 0 and 1, got 7')
    expect(() => g.update('nope', { text: 'x' })).toThrow('id: no entity with id "nope"')
    expect(() => g.relate(id, 'Bad Rel', id)).toThrow(GraphValidationError)
    expect(() => g.add({ kind: 'solution', text: 'done' })).toThrow('taskId: must be a string, got undefined')
    // a batch with one bad op writes none of the others
    expect(() => g.batch([
      { op: 'add', entity: { kind: 'fact', text: 'would be fine' } },
      { op: 'update', id, patch: { text: 'also fine' } },
      { op: 'verify', id: 'missing' }
    ])).toThrow('ops[2].id: no entity with id "missing"')
    expect(g.handle.heads()).toEqual(heads)
    expect(g.size).toBe(1)
    expect(g.get(id)?.text).toBe('ok')
  })

  it('verifies, disputes and retracts with status derived from attestations', async () => {
    const g = await fresh()
    const id = g.add({ kind: 'hypothesis', text: 'P = NP' })
    g.verify(id)
    expect(g.get(id)).toMatchObject({ status: 'verified', verifiedBy: [{ peerId: '12D3KooWAlice', agentId: 'agent-alice' }] })
    g.dispute(id, { peerId: 'peer-2', agentId: 'skeptic' }, 'no proof')
    expect(g.get(id)).toMatchObject({ status: 'disputed', disputedBy: [{ peerId: 'peer-2', agentId: 'skeptic', reason: 'no proof' }] })
    expect(() => g.dispute(id, undefined, '')).toThrow('reason: a dispute needs a reason')
    g.retract(id, 'withdrawn')
    expect(g.get(id)).toMatchObject({ status: 'retracted', retraction: { reason: 'withdrawn', peerId: '12D3KooWAlice' } })
    expect(() => g.verify(id)).toThrow(/is retracted/)
    expect(() => g.update(id, { text: 'x' })).toThrow(/is retracted/)
    expect(g.list({ status: 'retracted' })).toHaveLength(1)
  })

  it('relates entities idempotently and answers neighbour queries in both directions', async () => {
    const g = await fresh()
    const q = g.add({ kind: 'question', text: 'Why is the sky blue?' })
    const a = g.add({ kind: 'fact', text: 'Rayleigh scattering' })
    const h = g.add({ kind: 'hypothesis', text: 'Ocean reflection' })
    const e1 = g.relate(a, 'answers', q)
    expect(g.relate(a, 'answers', q)).toBe(e1)
    g.relate(h, 'contradicts', a)
    g.relate(h, 'cites-weakly', q)
    expect(g.edges()).toHaveLength(3)
    const around = g.neighbours(a)
    expect(around.map(n => [n.direction, n.edge.type, n.entity?.id]).sort()).toEqual([
      ['in', 'contradicts', h],
      ['out', 'answers', q]
    ].sort())
    expect(g.neighbours(q, { type: 'answers' }).map(n => n.entity?.text)).toEqual(['Rayleigh scattering'])
    expect(g.neighbours(q, { direction: 'out' })).toEqual([])
    expect(() => g.relate(a, 'supports', 'ghost')).toThrow('to: no entity with id "ghost"')
    g.unrelate(a, 'answers', q)
    expect(g.neighbours(q, { type: 'answers' })).toEqual([])
    expect(g.neighbours(q, { type: 'answers', includeRetracted: true })).toHaveLength(1)
    g.relate(a, 'answers', q)
    expect(g.neighbours(q, { type: 'answers' })).toHaveLength(1)
  })

  it('opens threads and appends messages', async () => {
    const g = await fresh()
    const t = g.openThread('Boiling point', 'Let us discuss')
    const m1 = g.post(t, 'first')
    const m2 = g.post(t, { text: 'second' })
    expect(g.get(t)?.messages?.map(m => [m.id, m.text, m.agentId])).toEqual([[m1, 'first', 'agent-alice'], [m2, 'second', 'agent-alice']])
    const f = g.add({ kind: 'fact', text: 'x' })
    expect(() => g.post(f, 'hi')).toThrow(`threadId: "${f}" is a fact, not a thread`)
    expect(() => g.post(t, '')).toThrow('message.text: must not be empty')
  })

  it('keeps a writer\'s messages in the order it posted them, within one millisecond too', async () => {
    // A clock that stands still: every post happens in the same millisecond.
    const g = await openRoomGraph(createGraphRepo(), 'ops', { actor: alice, now: () => 1_800_000_000_000 })
    const t = g.openThread('Order', 'All posted in one millisecond')
    const texts = Array.from({ length: 30 }, (_, i) => `line ${i}`)
    for (const text of texts) g.post(t, text)
    const messages = g.get(t)?.messages ?? []
    expect(messages.map(m => m.text)).toEqual(texts)
    // Each message takes the next millisecond, no more: the times stay truthful to within 29 ms.
    expect(messages.at(-1)!.at - messages[0]!.at).toBe(29)
  })

  it('dates a post by its event when asked: it sorts among the events of its time, never ties with its writer\'s own, and is checked', async () => {
    let now = 1_800_000_010_000
    const g = await openRoomGraph(createGraphRepo(), 'ops', { actor: alice, now: () => now })
    const t = g.openThread('Events', 'told late')
    g.post(t, 'posted now')
    const late = g.post(t, { text: 'happened 5 s ago', at: now - 5000 })
    g.post(t, { text: 'happened 5 s ago too', at: now - 5000 })
    const sorted = [...g.get(t)!.messages!].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1))
    expect(sorted.map(m => [m.text, m.at - now])).toEqual([['happened 5 s ago', -5000], ['happened 5 s ago too', -4999], ['posted now', 0]])
    expect(sorted[0]!.id).toBe(late)
    // A post without a time still goes after everything the writer sees.
    now += 1
    g.post(t, 'and after all of them')
    expect(g.get(t)!.messages!.at(-1)!.at).toBe(now)
    expect(() => g.post(t, { text: 'x', at: Number.NaN })).toThrow('at: must be a time in ms since the epoch')
    expect(() => g.post(t, { text: 'x', at: -1 })).toThrow('at: must be a time in ms since the epoch')
    expect(() => g.post(t, { text: 'x', at: now + 61_000 })).toThrow('at: must not be more than a minute ahead of now')
    expect(g.get(t)!.messages).toHaveLength(4)
  })

  it('records solutions with their task id and unknowns', async () => {
    const g = await fresh()
    const s = g.add({ kind: 'solution', text: 'Sorted with merge sort', taskId: 'task-7' })
    const u = g.add({ kind: 'unknown', text: 'Input size distribution' })
    expect(g.get(s)?.taskId).toBe('task-7')
    expect(g.list({ kind: ['solution', 'unknown'] }).map(e => e.id)).toEqual([s, u])
  })

  it('applies a batch as one Automerge change and reports per-op ids', async () => {
    const g = await fresh()
    const before = g.handle.history()?.length ?? 0
    const ids = g.batch([
      { op: 'add', entity: { kind: 'fact', text: 'one' } },
      { op: 'add', entity: { kind: 'fact', text: 'two' }, id: 'fact:two' }
    ])
    expect(ids[1]).toBe('fact:two')
    const ids2 = g.batch([
      { op: 'relate', from: 'fact:two', type: 'refines', to: ids[0] ?? '' },
      { op: 'verify', id: 'fact:two' },
      { op: 'update', id: ids[0] ?? '', patch: { text: 'one!' } }
    ])
    expect(ids2[1]).toBe('fact:two')
    expect((g.handle.history()?.length ?? 0) - before).toBe(2)
    expect(g.get(ids[0] ?? '')?.text).toBe('one!')
    expect(() => g.batch([{ op: 'add', entity: { kind: 'fact', text: 'dup' }, id: 'fact:two' }])).toThrow('id: an entity with id "fact:two" already exists')
  })

  it('records the agent an added entity comes from, on this peer', async () => {
    const g = await fresh()
    const [id] = g.batch([{ op: 'add', entity: { kind: 'hypothesis', text: '42' }, by: { agentId: 'calculator@peer' } }])
    expect(g.get(id ?? '')?.provenance).toMatchObject({ agentId: 'calculator@peer', peerId: g.actor.peerId })
    expect(() => g.batch([{ op: 'add', entity: { kind: 'fact', text: 'x' }, by: { agentId: '' } }])).toThrow(/agentId/)
  })

  it('emits change events with the changed ids', async () => {
    const g = await fresh()
    const seen: GraphChange[] = []
    const off = g.on('change', c => seen.push(c))
    const id = g.add({ kind: 'fact', text: 'x' })
    const other = g.add({ kind: 'fact', text: 'y' })
    const edge = g.relate(id, 'supports', other)
    g.update(id, { text: 'z' })
    off()
    g.update(id, { text: 'after unsubscribe' })
    expect(seen).toEqual([
      { ids: [id], edgeIds: [], origin: 'local' },
      { ids: [other], edgeIds: [], origin: 'local' },
      { ids: [], edgeIds: [edge], origin: 'local' },
      { ids: [id], edgeIds: [], origin: 'local' }
    ])
  })
})
