import './helpers.ts'
import { describe, expect, it } from 'vitest'
import { Automerge } from '@automerge/automerge-repo/slim'
import { GraphIndex, touched } from '../../../src/graph/graph-index.ts'
import { genesis, shardOf, storeEntity, type GraphDoc } from '../../../src/graph/layout.ts'
import type { Entity } from '../../../src/graph/schema.ts'

const entity = (id: string, text: string): Entity => ({
  id, kind: 'fact', text, tags: [], confidence: 0.5, status: 'proposed', verifiedBy: [], disputedBy: [],
  provenance: { agentId: 'person', peerId: '12D3KooWTest', createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000 }
} as unknown as Entity)

const fromGenesis = (actor: string): Automerge.Doc<GraphDoc> => Automerge.load<GraphDoc>(genesis().bytes, { actor })
const put = (doc: Automerge.Doc<GraphDoc>, e: Entity): Automerge.Doc<GraphDoc> =>
  Automerge.change(doc, d => { d.e[shardOf(e.id)]![e.id] = storeEntity(e) })

describe('GraphIndex', () => {
  it('touched() flags exactly the properties a merge leaves conflicted, whichever side merges', () => {
    const base = put(fromGenesis('aaaa'), entity('e1', 'original'))
    const a = Automerge.change(Automerge.clone(base, { actor: 'aaaa01' }), d => { d.e[shardOf('e1')]!.e1!.text = new Automerge.ImmutableString('from a') })
    const b = Automerge.change(Automerge.clone(base, { actor: 'ffff01' }), d => { d.e[shardOf('e1')]!.e1!.text = new Automerge.ImmutableString('from b') })
    const c = put(Automerge.clone(base, { actor: 'cccc01' }), entity('e2', 'unrelated'))
    for (const [left, right] of [[a, b], [b, a]] as const) {
      const merged = Automerge.merge(Automerge.merge(Automerge.clone(left), right), c)
      const t = touched(Automerge.diff(merged, Automerge.getHeads(left), Automerge.getHeads(merged)))
      expect(t.conflicted).toEqual([['e1', 'text']])
      expect(t.fields.map(f => f[0])).toContain('e2')
    }
  })

  it('advance() with a change\'s patches gives the same views as a rebuild, and re-diffs when out of step', () => {
    let doc = put(fromGenesis('aaaa'), entity('e1', 'one'))
    const index = new GraphIndex().sync(doc)
    expect([...index.invalid.values()].map(String)).toEqual([])
    const before = Automerge.getHeads(doc)
    doc = put(put(doc, entity('e2', 'two')), entity('e3', 'three'))
    index.advance(doc, before, touched(Automerge.diff(doc, before, Automerge.getHeads(doc))))
    expect([...index.entities.keys()].sort()).toEqual(['e1', 'e2', 'e3'])
    // Patches from a step the index did not start at: it must not trust them.
    const later = put(doc, entity('e4', 'four'))
    index.advance(later, before, touched([]))
    expect([...index.entities.keys()].sort()).toEqual(['e1', 'e2', 'e3', 'e4'])
    expect(index.entities.get('e4')?.text).toBe('four')
  })
})
