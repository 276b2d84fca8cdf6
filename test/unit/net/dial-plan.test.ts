import { describe, it, expect } from 'vitest'
import { backoffDelay, defaultDialPlan, dialsFirst, dialTimeout, shouldDial, type DialTarget } from '../../../src/net/dial-plan.ts'

const target = (peerId: string, over: Partial<DialTarget> = {}): DialTarget =>
  ({ peerId, discoveredAt: 0, attempts: 0, nextAttemptAt: 0, dialing: false, ...over })

describe('dial plan', () => {
  it('lets exactly one side of a pair dial first', () => {
    expect(dialsFirst('a', 'b')).toBe(true)
    expect(dialsFirst('b', 'a')).toBe(false)
    expect(shouldDial('a', target('b'), false, 0)).toBe(true)
    expect(shouldDial('b', target('a'), false, 0)).toBe(false)
  })
  it('lets the other side dial too once the pair stayed unlinked', () => {
    expect(shouldDial('b', target('a'), false, defaultDialPlan.symmetricAfterMs - 1)).toBe(false)
    expect(shouldDial('b', target('a'), false, defaultDialPlan.symmetricAfterMs)).toBe(true)
  })
  it('never dials a linked peer, twice at once, or before the backoff ends', () => {
    expect(shouldDial('a', target('b'), true, 0)).toBe(false)
    expect(shouldDial('a', target('b', { dialing: true }), false, 0)).toBe(false)
    expect(shouldDial('a', target('b', { nextAttemptAt: 100 }), false, 99)).toBe(false)
    expect(shouldDial('a', target('b', { nextAttemptAt: 100 }), false, 100)).toBe(true)
  })
  it('backs off exponentially with bounded jitter and a cap', () => {
    const o = { ...defaultDialPlan, jitter: 0 }
    expect([1, 2, 3, 4, 10].map(n => backoffDelay(n, 0.5, o))).toEqual([300, 600, 1200, 2400, 5000])
    const lo = backoffDelay(2, 0, defaultDialPlan); const hi = backoffDelay(2, 1, defaultDialPlan)
    expect(lo).toBe(510); expect(hi).toBe(690)
  })
  it('sets the dial timeout from recent successful dials, within bounds', () => {
    expect(dialTimeout([])).toBe(6000)
    expect(dialTimeout([1000, 2000])).toBe(6000)
    expect(dialTimeout([1000, 2000, 3000])).toBe(6000)
    expect(dialTimeout([500, 600, 700])).toBe(4000)
    expect(dialTimeout([9000, 9000, 9000])).toBe(12000)
  })
})
