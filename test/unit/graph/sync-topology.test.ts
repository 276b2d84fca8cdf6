import { describe, expect, it } from 'vitest'
import { FULL_MESH_MAX, syncNeighbours } from '../../../src/graph/sync-topology.ts'

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `12D3KooW${String.fromCharCode(65 + ((i * 7) % 26))}${i}`)

/** Hops from `from` to every peer over the neighbour relation; Infinity if unreachable. */
function diameter (all: string[]): number {
  const nb = new Map(all.map(p => [p, syncNeighbours(p, all)]))
  let worst = 0
  for (const from of all) {
    const dist = new Map([[from, 0]])
    const queue = [from]
    while (queue.length > 0) {
      const p = queue.shift()!
      for (const q of nb.get(p)!) if (!dist.has(q)) { dist.set(q, dist.get(p)! + 1); queue.push(q) }
    }
    if (dist.size < all.length) return Infinity
    worst = Math.max(worst, ...dist.values())
  }
  return worst
}

describe('graph sync topology', () => {
  it('is a full mesh in small rooms', () => {
    for (let n = 1; n <= FULL_MESH_MAX; n++) {
      const all = ids(n)
      for (const p of all) expect([...syncNeighbours(p, all)].sort()).toEqual(all.filter(q => q !== p).sort())
    }
  })

  it('is symmetric, connected, of small degree and few hops across in larger rooms', () => {
    const expected: Record<number, { degree: number, maxHops: number }> = { 5: { degree: 2, maxHops: 2 }, 8: { degree: 4, maxHops: 2 }, 10: { degree: 4, maxHops: 3 }, 16: { degree: 6, maxHops: 3 }, 40: { degree: 8, maxHops: 4 } }
    for (const [n, want] of Object.entries(expected)) {
      const all = ids(Number(n))
      for (const p of all) {
        const nb = syncNeighbours(p, all)
        expect(nb.has(p)).toBe(false)
        expect(nb.size).toBe(want.degree)
        for (const q of nb) expect(syncNeighbours(q, all).has(p)).toBe(true)
      }
      expect(diameter(all)).toBeLessThanOrEqual(want.maxHops)
    }
  })

  it('does not depend on the order peers are listed in, and ignores duplicates and self', () => {
    const all = ids(9)
    const me = all[3]!
    const a = syncNeighbours(me, all)
    const b = syncNeighbours(me, [...all].reverse().concat([me, all[0]!]))
    expect([...a].sort()).toEqual([...b].sort())
  })
})
