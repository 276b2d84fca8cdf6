import { describe, expect, it } from 'vitest'
import {
  bidReputation, CEILING_TOLERANCE, newSkillRecord, recordCompletion, recordVerification, ReputationBook, reputationCeiling, type SkillRecord
} from '../../../src/coord/reputation.ts'
import { FakeClock, MemoryNetwork, makeNode, runUntil } from './sim.ts'

/** A small deterministic PRNG (mulberry32). */
function rng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Outcome = { kind: 'done', ok: boolean, ms: number } | { kind: 'verdict', ok: boolean }
const apply = (r: SkillRecord, o: Outcome): SkillRecord => o.kind === 'done' ? recordCompletion(r, o.ok, o.ms) : recordVerification(r, o.ok)

describe('reputation ceiling (what a bid may claim, judged by a node that is not the host)', () => {
  it('an untried agent may bid the cap; a poor record may not', () => {
    expect(reputationCeiling(newSkillRecord(), 0)).toBe(1.5)
    let poor = newSkillRecord()
    for (let i = 0; i < 17; i++) poor = recordCompletion(poor, false)
    for (let i = 0; i < 3; i++) poor = recordCompletion(poor, true, 4000)
    for (let i = 0; i < 3; i++) poor = recordVerification(poor, false)
    const ceiling = reputationCeiling(poor, 500)
    expect(ceiling).toBeLessThan(1.2)
    // The host's own honest figure is within it, whatever the room's experience.
    for (const total of [20, 500, 100_000]) expect(bidReputation(poor, total)).toBeLessThanOrEqual(ceiling)
  })

  it('never refuses an honest bid from a host whose checker lags two outcomes and saw a dispute first (5 seeds, 2,000 histories)', () => {
    let worst = -Infinity
    for (let seed = 1; seed <= 5; seed++) {
      const random = rng(seed)
      for (let h = 0; h < 400; h++) {
        const pSuccess = random()
        const pVerified = random()
        const outcomes: Outcome[] = []
        const len = 1 + Math.floor(random() * 80)
        for (let i = 0; i < len; i++) {
          outcomes.push(random() < 0.7 ? { kind: 'done', ok: random() < pSuccess, ms: 10 + random() * 5000 } : { kind: 'verdict', ok: random() < pVerified })
        }
        // The host saw everything; the checker lags up to two completions (the host's own, in flight)
        // and may have seen one more dispute than the host (votes come from other peers).
        const host = outcomes.reduce(apply, newSkillRecord())
        let lag = Math.floor(random() * 3)
        const seen: Outcome[] = []
        for (let i = outcomes.length - 1; i >= 0; i--) {
          if (lag > 0 && outcomes[i]!.kind === 'done') { lag--; continue }
          seen.unshift(outcomes[i]!)
        }
        if (random() < 0.3) seen.push({ kind: 'verdict', ok: false })
        const checker = seen.reduce(apply, newSkillRecord())
        // The host's room experience may be far larger than the checker's (it joined long before).
        const hostTotal = len + Math.floor(random() * 50_000)
        const checkerTotal = Math.floor(random() * (hostTotal + 1))
        const claim = bidReputation(host, hostTotal)
        const ceiling = reputationCeiling(checker, checkerTotal)
        worst = Math.max(worst, claim - ceiling)
        expect(claim, `history ${seed}/${h}`).toBeLessThanOrEqual(ceiling)
      }
    }
    // How close honest bids came to the ceiling (negative: below it): the tolerance is not all slack.
    expect(worst).toBeGreaterThan(-CEILING_TOLERANCE)
  })

  it('a seeded record starts the book only where it has none', () => {
    const book = new ReputationBook()
    book.completed('a', 's', true, 100)
    book.seed('a', 's', { ...newSkillRecord(), successes: 50 })
    expect(book.get('a', 's').successes).toBe(1)
    book.seed('b', 's', { ...newSkillRecord(), successes: 5, failures: 15 })
    expect(book.get('b', 's')).toMatchObject({ successes: 5, failures: 15 })
    expect(book.totalOutcomes()).toBe(21)
    expect(book.bidFactor('b', 's')).toBeLessThan(1.5)
  })
})

describe('coordination engine: a peer that inflates its reputation', () => {
  it('has its bids refused (counted by reason) once its agent\'s record here is poor, and the honest agent wins', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2 })
    const steward = await makeNode(net, clock, [])
    const honest = await makeNode(net, clock, [{ id: 'calc', skill: 'math', keywords: ['beta'], confidence: 0.8 }])
    const rogue = await makeNode(net, clock, [{ id: 'bad', skill: 'math', keywords: ['alpha'], confidence: 0.9, run: () => { throw new Error('broken agent') } }])
    // The rogue's agent fails every task it is given: only it can do these, so each ends failed.
    const first: string[] = []
    for (let i = 0; i < 8; i++) first.push(steward.engine.tasks.submit({ text: `alpha ${i}` }))
    await runUntil(clock, () => first.every(id => ['failed', 'unassigned'].includes(steward.engine.tasks.get(id)?.state ?? '')), 60_000).catch(err => { throw new Error(`${(err as Error).message}: ${first.map(id => steward.engine.tasks.get(id)?.state).join(',')}`) })
    // From now on it bids as if untried (the cap), whatever its record says.
    const book = (rogue.engine as unknown as { reputation: ReputationBook }).reputation
    book.bidFactor = () => 1.5
    // Both can do these; the rogue's claim (0.9 × 1.5) would beat the honest bid (0.8 × 1.5, untried).
    const runsBefore = rogue.runs.length
    const second: string[] = []
    for (let i = 0; i < 5; i++) second.push(steward.engine.tasks.submit({ text: `alpha beta ${i}` }))
    await runUntil(clock, () => second.every(id => steward.engine.tasks.get(id)?.state === 'completed'), 60_000)
    // The honest agent won each at the first attempt: the rogue's agent never got one.
    for (const id of second) expect(steward.engine.tasks.get(id)?.attempts.map(a => a.agentId)).toEqual(['calc'])
    expect(rogue.runs.length).toBe(runsBefore)
    expect(steward.engine.stats().rejected['inflated-reputation']).toBe(5)
    expect(honest.engine.stats().rejected['inflated-reputation']).toBe(5)
    // Its honest bids were accepted before: it ran every task of the first batch.
    expect(runsBefore).toBe(8)
  })
})

describe('coordination engine: a bid under a skill its agent does not have', () => {
  it('is refused (counted by reason) where the registry knows the agent; unknown agents still bid', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2 })
    const honest = await makeNode(net, clock, [{ id: 'calc', skill: 'math', keywords: ['sum'], confidence: 0.8 }])
    // Its manifest lists 'math'; it bids under a skill id of its own making (no record anywhere: untried).
    const rogue = await makeNode(net, clock, [{ id: 'bad', skill: 'made-up', keywords: ['sum'], confidence: 0.95 }])
    const skillsOf = (agentId: string, peerId: string): string[] | undefined => agentId === 'bad' && peerId === rogue.id.peerId ? ['math'] : undefined
    const steward = await makeNode(net, clock, [], {}, { skillsOf })
    const id = steward.engine.tasks.submit({ text: 'sum 2 and 3' })
    await runUntil(clock, () => steward.engine.tasks.get(id)?.state === 'completed', 10_000)
    expect(steward.engine.tasks.get(id)?.attempts.map(a => a.agentId)).toEqual(['calc'])
    expect(steward.engine.stats().rejected['unknown-skill']).toBe(1)
    expect(rogue.runs).toHaveLength(0)
  })
})
