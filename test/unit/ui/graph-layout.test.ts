import { describe, expect, it } from 'vitest'
import type { Edge, EntityKind } from '../../../src/graph/schema.ts'
import { MAX_DRAWN, buildDrawing, fillArc, kindLayout, labelOf, neighbourhood, radialLayout } from '../../../src/ui/graph/graph-layout.ts'

const entity = (id: string, kind: EntityKind = 'fact') => ({ id, kind, status: 'proposed' as const, text: `text of ${id}` })
const edge = (from: string, to: string, type = 'supports'): Edge => ({
  id: `r:${from}-${to}`, from, to, type, provenance: { agentId: 'a', peerId: 'p', createdAt: 1_700_000_000_000 }
})

function minDistance (points: Array<{ x: number, y: number }>): number {
  let best = Infinity
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const a = points[i]!; const b = points[j]!
      best = Math.min(best, Math.hypot(a.x - b.x, a.y - b.y))
    }
  }
  return best
}

describe('graph layout', () => {
  it('walks the neighbourhood breadth first, two steps, capped', () => {
    // a - b - c - d, and a - e
    const adj: Record<string, string[]> = { a: ['b', 'e'], b: ['a', 'c'], c: ['b', 'd'], d: ['c'], e: ['a'] }
    const { nodes, capped } = neighbourhood('a', id => adj[id] ?? [])
    expect(nodes).toEqual([
      { id: 'a', depth: 0 },
      { id: 'b', depth: 1, parent: 'a' },
      { id: 'e', depth: 1, parent: 'a' },
      { id: 'c', depth: 2, parent: 'b' }
    ])
    expect(capped).toBe(0)
    const star = (id: string): string[] => id === 'hub' ? Array.from({ length: 500 }, (_, i) => `n${i}`) : ['hub']
    const big = neighbourhood('hub', star, MAX_DRAWN)
    expect(big.nodes).toHaveLength(MAX_DRAWN)
    expect(big.capped).toBe(500 - (MAX_DRAWN - 1))
  })

  it('spreads crowded arcs over lanes so nodes keep apart', () => {
    const points = fillArc(150, 0, Math.PI * 2, 150)
    expect(points).toHaveLength(150)
    expect(minDistance(points)).toBeGreaterThan(15)
    expect(fillArc(0, 0, 1, 100)).toEqual([])
  })

  it('gives each kind its own sector, deterministically', () => {
    const es = [...Array.from({ length: 100 }, (_, i) => entity(`f${i}`, 'fact')), entity('c1', 'conflict'), entity('q1', 'question')]
    const one = kindLayout(es)
    expect(kindLayout(es)).toEqual(one)
    expect(one.size).toBe(102)
    expect(minDistance([...one.values()])).toBeGreaterThan(10)
    const angle = (id: string): number => { const p = one.get(id)!; return Math.atan2(p.y, p.x) }
    // The lone conflict is not inside the facts' sector.
    const factAngles = es.filter(e => e.kind === 'fact').map(e => angle(e.id))
    const c = angle('c1')
    expect(factAngles.every(a => Math.abs(a - c) > 0.05)).toBe(true)
    expect(kindLayout([entity('solo')]).get('solo')).toEqual({ x: 0, y: 0 })
  })

  it('puts the focus in the middle and each ring further out', () => {
    const pos = radialLayout([
      { id: 'a', depth: 0 }, { id: 'b', depth: 1, parent: 'a' }, { id: 'c', depth: 1, parent: 'a' }, { id: 'd', depth: 2, parent: 'b' }
    ])
    const r = (id: string): number => Math.hypot(pos.get(id)!.x, pos.get(id)!.y)
    expect(pos.get('a')).toEqual({ x: 0, y: 0 })
    expect(r('b')).toBeGreaterThan(100)
    expect(r('d')).toBeGreaterThan(r('b') + 100)
  })

  it('builds a drawing with edges among drawn nodes only, labels when few, and a fitting view box', () => {
    const es = [entity('a', 'question'), entity('b'), entity('c', 'conflict')]
    const d = buildDrawing({ entities: es, edges: [edge('b', 'a', 'answers'), edge('c', 'b', 'about'), edge('b', 'zzz')], selected: 'b' })
    expect(d.mode).toBe('overview')
    expect(d.nodes.map(n => [n.id, n.selected, n.showLabel])).toEqual([['a', false, true], ['b', true, true], ['c', false, true]])
    expect(d.edges.map(e => [e.type, e.focused, e.showLabel])).toEqual([['answers', true, true], ['about', true, true]])
    for (const n of d.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(d.viewBox.x)
      expect(n.x).toBeLessThanOrEqual(d.viewBox.x + d.viewBox.width)
      expect(n.y).toBeGreaterThanOrEqual(d.viewBox.y)
      expect(n.y).toBeLessThanOrEqual(d.viewBox.y + d.viewBox.height)
    }
    const many = Array.from({ length: 400 }, (_, i) => entity(`e${i}`))
    const capped = buildDrawing({ entities: many, edges: [], hidden: 600 })
    expect(capped.nodes).toHaveLength(MAX_DRAWN)
    expect(capped.hidden).toBe(600 + 400 - MAX_DRAWN)
    expect(capped.nodes.every(n => !n.showLabel)).toBe(true)
  })

  it('shortens labels', () => {
    expect(labelOf({ text: 'short' })).toBe('short')
    expect(labelOf({ title: 'A title', text: 'ignored' })).toBe('A title')
    expect(labelOf({ text: 'x'.repeat(50) }, 10)).toBe(`${'x'.repeat(9)}…`)
  })
})
