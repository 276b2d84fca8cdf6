// The stored form of entities and edges: one JSON field `c` as created, fields written since laid
// over it, and entries from before `c` (every field on its own) still read the same.
import './helpers.ts'
import { describe, expect, it } from 'vitest'
import { Automerge, ImmutableString } from '@automerge/automerge-repo/slim'
import { GraphIndex } from '../../../src/graph/graph-index.ts'
import { edgeId, genesis, GENESIS_HASH, shardOf, storeEdge, storeEntity, type GraphDoc } from '../../../src/graph/layout.ts'
import { openRoomGraph } from '../../../src/graph/room.ts'
import { Repo } from '@automerge/automerge-repo'
import type { Edge, Entity } from '../../../src/graph/schema.ts'
import { alice, bob } from './helpers.ts'

const at = 1_700_000_000_000
const entity: Entity = {
  id: 'solution:one', kind: 'solution', title: 'A title', text: 'water boils at 100 C', tags: ['physics'], data: { unit: 'C' }, taskId: 't-1',
  confidence: 0.7, status: 'proposed', verifiedBy: [], disputedBy: [],
  provenance: { agentId: 'person', peerId: '12D3KooWTest', createdAt: at, updatedAt: at }
}
const edge: Edge = { id: edgeId('solution:one', 'about', 'fact:two'), from: 'solution:one', type: 'about', to: 'fact:two', provenance: { agentId: 'person', peerId: '12D3KooWTest', createdAt: at } }
const two: Entity = { ...entity, id: 'fact:two', kind: 'fact', text: 'the other end', tags: undefined, data: undefined, title: undefined, taskId: undefined } as unknown as Entity

const fromGenesis = (): Automerge.Doc<GraphDoc> => Automerge.load<GraphDoc>(genesis().bytes)
const imm = (s: string): ImmutableString => new ImmutableString(s)

/** How an entity was stored before `c`: one field each. */
function fieldByField (e: Entity): Record<string, unknown> {
  return {
    id: imm(e.id), kind: imm(e.kind), title: imm(e.title!), text: imm(e.text), agentId: imm(e.provenance.agentId), peerId: imm(e.provenance.peerId),
    createdAt: e.provenance.createdAt, updatedAt: e.provenance.updatedAt, confidence: e.confidence, status: imm(e.status),
    tags: imm(JSON.stringify(e.tags)), data: imm(JSON.stringify(e.data)), taskId: imm(e.taskId!)
  }
}

/** Ops of the changes from `before` to `doc`. */
function opsSince (doc: Automerge.Doc<unknown>, before: Automerge.Doc<unknown>): number {
  return Automerge.getChanges(before, doc).reduce((n, c) => n + Automerge.decodeChange(c).ops.length, 0)
}

describe('graph layout', () => {
  it('GENESIS_HASH is the hash of the genesis change (the page uses the constant)', () => {
    expect(genesis().hash).toBe(GENESIS_HASH)
  })

  it('an entity and an edge are one JSON field each when created, and read back whole', () => {
    const base = fromGenesis()
    const doc = Automerge.change(base, d => {
      d.e[shardOf(entity.id)]![entity.id] = storeEntity(entity) as never
      d.e[shardOf(two.id)]![two.id] = storeEntity(two) as never
      d.r[shardOf(edge.from)]![edge.id] = storeEdge(edge) as never
    })
    // A map and its `c` per entry: 6 ops for two entities and an edge (it was 9-14 per entity, 8 per edge).
    expect(opsSince(doc, base)).toBe(6)
    const index = new GraphIndex().sync(doc)
    expect([...index.invalid.values()].map(String)).toEqual([])
    expect(index.entities.get(entity.id)).toEqual(entity)
    expect(index.edges.get(edge.id)).toEqual(edge)
  })

  it('an entry written field by field (before `c`) reads the same as one written now', () => {
    const doc = Automerge.change(fromGenesis(), d => {
      d.e[shardOf(entity.id)]![entity.id] = fieldByField(entity) as never
      d.r[shardOf(edge.from)]![edge.id] = { id: imm(edge.id), from: imm(edge.from), type: imm(edge.type), to: imm(edge.to), agentId: imm('person'), peerId: imm('12D3KooWTest'), createdAt: at } as never
    })
    const index = new GraphIndex().sync(doc)
    expect([...index.invalid.values()].map(String)).toEqual([])
    expect(index.entities.get(entity.id)).toEqual(entity)
    expect(index.edges.get(edge.id)).toEqual(edge)
  })

  it('fields written after creation override `c`; a bad `c` is quarantined with the reason', () => {
    let doc = Automerge.change(fromGenesis(), d => { d.e[shardOf(entity.id)]![entity.id] = storeEntity(entity) as never })
    doc = Automerge.change(doc, d => {
      const e = d.e[shardOf(entity.id)]![entity.id]!
      e.text = imm('water boils at 100 C at sea level')
      e.updatedAt = at + 5
      e.data = imm(JSON.stringify({ unit: 'C', pressure: '1 atm' }))
      d.e[shardOf('fact:bad')]!['fact:bad'] = { c: imm('{not json') } as never
      d.e[shardOf('fact:list')]!['fact:list'] = { c: imm('[1,2]') } as never
    })
    const index = new GraphIndex().sync(doc)
    expect(index.entities.get(entity.id)).toMatchObject({ text: 'water boils at 100 C at sea level', data: { unit: 'C', pressure: '1 atm' }, title: 'A title', provenance: { updatedAt: at + 5, createdAt: at } })
    expect(String(index.invalid.get(`e/${shardOf('fact:bad')}/fact:bad`))).toMatch(/c: is not valid JSON text/)
    expect(String(index.invalid.get(`e/${shardOf('fact:list')}/fact:list`))).toMatch(/c: must be a JSON object/)
  })

  it('through the graph: two peers updating one field of an entity created as `c` still give one conflict entity', async () => {
    const repoA = new Repo()
    const a = await openRoomGraph(repoA, 'layout-room', { actor: alice })
    const id = a.add({ kind: 'hypothesis', text: 'the meeting is on Monday' })
    const repoB = new Repo()
    const handleB = repoB.import<GraphDoc>(Automerge.save(a.handle.doc()))
    const b = await openRoomGraph(repoB, 'layout-room', { actor: bob })
    b.handle.merge(handleB)
    a.update(id, { text: 'Tuesday' })
    b.update(id, { text: 'Wednesday' })
    a.handle.merge(b.handle)
    b.handle.merge(a.handle)
    for (const g of [a, b]) {
      await expect.poll(() => g.list({ kind: 'conflict' }).length).toBe(1)
      expect(g.list({ kind: 'conflict' })[0]?.data).toMatchObject({ entityId: id, field: 'text' })
    }
    a.close(); b.close()
    await repoA.shutdown(); await repoB.shutdown()
  })
})
