import { describe, expect, it } from 'vitest'
import { decideAward } from '../../../src/coord/award.ts'
import type { Bid } from '../../../src/coord/messages.ts'

const bid = (peer: string): Bid => ({ peerId: peer, agentId: `calculator@${peer}`, skillId: 'arithmetic', confidence: 0.8, reputation: 1, load: 0, latencyMs: 100 })

describe('award ties', () => {
  const bids = ['peer-a', 'peer-b', 'peer-c'].map(bid)

  it('spreads tied tasks over the peers, the same way on every node', () => {
    const winners = new Map<string, number>()
    for (let i = 0; i < 300; i++) {
      const rule = { minConfidence: 0.3, excluded: [], tieSalt: `task-${i}` }
      const a = decideAward(bids, rule)
      const b = decideAward([...bids].reverse(), rule)
      expect(a.winner).toEqual(b.winner)
      const w = a.winner!.peerId
      winners.set(w, (winners.get(w) ?? 0) + 1)
    }
    expect([...winners.keys()].sort()).toEqual(['peer-a', 'peer-b', 'peer-c'])
    for (const n of winners.values()) expect(n).toBeGreaterThan(60)
  })

  it('without a salt, ties go by agent id; a higher score always beats a tie-break', () => {
    expect(decideAward(bids, { minConfidence: 0.3, excluded: [] }).winner?.peerId).toBe('peer-a')
    const better = { ...bid('peer-c'), confidence: 0.81 }
    for (let i = 0; i < 20; i++) expect(decideAward([...bids.slice(0, 2), better], { minConfidence: 0.3, excluded: [], tieSalt: `t${i}` }).winner?.peerId).toBe('peer-c')
  })
})
