import { describe, expect, it } from 'vitest'
import { alice, bob, clock } from '../graph/helpers.ts'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import type { GraphChange, KnowledgeGraph } from '../../../src/graph/knowledge-graph.ts'
import { EntityCatalog } from '../../../src/ui/graph/entity-catalog.ts'

async function fresh (now = clock()): Promise<KnowledgeGraph> {
  return await openRoomGraph(createGraphRepo(), 'ui-catalog', { actor: alice, now })
}

/** A catalog kept current from the graph's change events, as GraphState does per frame. */
function follow (g: KnowledgeGraph): { catalog: EntityCatalog, flush: () => void } {
  const catalog = new EntityCatalog()
  catalog.loadAll(g)
  const pending: GraphChange[] = []
  g.on('change', c => { pending.push(c) })
  return {
    catalog,
    flush () {
      const ids = new Set(pending.flatMap(c => c.ids))
      const edgeIds = new Set(pending.flatMap(c => c.edgeIds))
      pending.length = 0
      catalog.apply(g, ids, edgeIds)
    }
  }
}

describe('EntityCatalog', () => {
  it('matches graph.list() after incremental updates, in the same order', async () => {
    const g = await fresh()
    const first = g.add({ kind: 'fact', text: 'Copper conducts' })
    const { catalog, flush } = follow(g)
    const q = g.add({ kind: 'question', text: 'Why is the sky blue?' })
    const h = g.add({ kind: 'hypothesis', title: 'Scattering', text: 'Rayleigh scattering', confidence: 0.3 })
    g.verify(first)
    g.dispute(h, undefined, 'needs a source')
    g.relate(h, 'answers', q)
    flush()
    expect(catalog.query({}, 100).items).toEqual(g.list())
    expect(catalog.counts).toMatchObject({ total: 3, byKind: { fact: 1, question: 1, hypothesis: 1, conflict: 0 }, byStatus: { verified: 1, disputed: 1, proposed: 1 } })
    expect(catalog.neighbours(q).map(n => [n.direction, n.edge.type, n.entity?.id])).toEqual([['in', 'answers', h]])
    expect(catalog.adjacent(h)).toEqual([q])
  })

  it('filters by kind, status and case-insensitive text over title, text and id, capping the items', async () => {
    const g = await fresh()
    for (let i = 0; i < 30; i++) g.add({ kind: i % 3 === 0 ? 'question' : 'fact', text: `item ${i} ${i % 2 === 0 ? 'EVEN' : 'odd'}` })
    const t = g.openThread('Planning the Launch')
    const catalog = new EntityCatalog()
    catalog.loadAll(g)
    expect(catalog.query({ kind: 'question' }, 4)).toMatchObject({ total: 10 })
    expect(catalog.query({ kind: 'question' }, 4).items).toHaveLength(4)
    expect(catalog.query({ text: 'even' }, 100).total).toBe(15)
    expect(catalog.query({ text: '  launch ' }, 100).items.map(e => e.id)).toEqual([t])
    expect(catalog.query({ text: t.slice(0, 12) }, 100).items.map(e => e.id)).toEqual([t])
    expect(catalog.query({ kind: 'fact', text: 'even' }, 100).items.map(e => e.text)).toEqual(g.list({ kind: 'fact', text: 'even' }).map(e => e.text))
    expect(catalog.query({ status: 'verified' }, 100).total).toBe(0)
  })

  it('keeps graph order when entities arrive out of order from a peer', async () => {
    const repoA = createGraphRepo()
    const a = await openRoomGraph(repoA, 'ui-order', { actor: alice, now: clock(1_700_000_000_000) })
    const { catalog, flush } = follow(a)
    a.add({ kind: 'fact', text: 'late' })
    flush()
    // Entities with earlier timestamps arrive later (as from a peer whose clock is behind).
    const b = await openRoomGraph(createGraphRepo(), 'ui-order', { actor: bob, now: clock(1_600_000_000_000) })
    for (let i = 0; i < 40; i++) b.add({ kind: 'fact', text: `early ${i}` })
    const report = a.importJson(b.exportJson())
    expect(report.added).toBe(40)
    flush()
    expect(catalog.query({}, 1000).items.map(e => e.id)).toEqual(a.list().map(e => e.id))
    expect(catalog.query({}, 1).items[0]?.text).toBe('early 0')
  })

  it('drops retracted edges from adjacency and updates statuses in place', async () => {
    const g = await fresh()
    const { catalog, flush } = follow(g)
    const x = g.add({ kind: 'fact', text: 'x' })
    const y = g.add({ kind: 'fact', text: 'y' })
    g.relate(x, 'supports', y)
    flush()
    expect(catalog.edgesAmong(new Set([x, y]))).toHaveLength(1)
    g.unrelate(x, 'supports', y)
    g.retract(x, 'wrong')
    flush()
    expect(catalog.edgesAmong(new Set([x, y]))).toHaveLength(0)
    expect(catalog.neighbours(x)).toEqual([])
    expect(catalog.get(x)?.status).toBe('retracted')
    expect(catalog.counts.byStatus.retracted).toBe(1)
  })
})
