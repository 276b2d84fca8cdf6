import { describe, expect, it } from 'vitest'
import { dependencyDepths, layoutMission } from '../../../src/ui/tasks/mission-layout.ts'

const part = (planId: string, ...dependsOn: string[]) => ({ planId, dependsOn })

describe('mission board layout', () => {
  it('layers parts left to right by dependency depth', () => {
    // a, b independent; c needs a; d needs b and c.
    const parts = [part('a'), part('b'), part('c', 'a'), part('d', 'b', 'c')]
    expect(Object.fromEntries(dependencyDepths(parts))).toEqual({ a: 0, b: 0, c: 1, d: 2 })
    const l = layoutMission(parts, { nodeWidth: 100, nodeHeight: 40, columnGap: 20, rowGap: 10, padding: 0 })
    const at = Object.fromEntries(l.nodes.map(n => [n.planId, n]))
    expect(l.depth).toBe(3)
    expect([at.a!.x, at.c!.x, at.d!.x]).toEqual([0, 120, 240])
    expect(at.b!.x).toBe(0)
    // Two rows in the first column; single parts are centred against them.
    expect([at.a!.y, at.b!.y]).toEqual([0, 50])
    expect(at.c!.y).toBe(25)
    expect(l.width).toBe(340)
    expect(l.height).toBe(90)
    expect(l.arrows.map(a => `${a.from}>${a.to}`).sort()).toEqual(['a>c', 'b>d', 'c>d'])
    // An arrow runs from the right edge of the dependency to the left edge of the dependant.
    const ac = l.arrows.find(a => a.from === 'a')!
    expect(ac.path.startsWith('M 100 20 ')).toBe(true)
    expect(ac.path.endsWith(' 120 45')).toBe(true)
  })

  it('puts independent parts (a parallel mission) in one column, in plan order', () => {
    const l = layoutMission([part('calc'), part('research')])
    expect(l.depth).toBe(1)
    expect(l.arrows).toEqual([])
    expect(l.nodes.map(n => [n.planId, n.row, n.depth])).toEqual([['calc', 0, 0], ['research', 1, 0]])
    expect(l.nodes[0]!.x).toBe(l.nodes[1]!.x)
    expect(l.nodes[1]!.y).toBeGreaterThan(l.nodes[0]!.y + l.nodes[0]!.height)
  })

  it('tolerates unknown dependencies, self-references and cycles', () => {
    const parts = [part('a', 'ghost', 'a'), part('b', 'c'), part('c', 'b'), part('d', 'a', 'a')]
    const depths = dependencyDepths(parts)
    expect(depths.get('a')).toBe(0)
    expect(depths.get('d')).toBe(1)
    // The cycle is cut where found: one of b, c sits at depth 0 and the other after it.
    expect([depths.get('b'), depths.get('c')].sort()).toEqual([0, 1])
    const l = layoutMission(parts)
    expect(l.nodes).toHaveLength(4)
    // Only rightward arrows are drawn, and a duplicated dependency once.
    expect(l.arrows.map(a => `${a.from}>${a.to}`).filter(s => s.startsWith('a>'))).toEqual(['a>d'])
    expect(l.arrows.filter(a => ['b', 'c'].includes(a.from))).toHaveLength(1)
  })

  it('is empty for no parts and stays fast for a large plan', () => {
    expect(layoutMission([])).toMatchObject({ nodes: [], arrows: [], width: 0, height: 0, depth: 0 })
    const chain = Array.from({ length: 500 }, (_, i) => part(`p${i}`, ...(i > 0 ? [`p${i - 1}`] : [])))
    const t0 = performance.now()
    const l = layoutMission(chain)
    expect(performance.now() - t0).toBeLessThan(200)
    expect(l.depth).toBe(500)
    expect(l.arrows).toHaveLength(499)
  })
})
