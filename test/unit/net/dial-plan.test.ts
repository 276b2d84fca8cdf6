import { describe, it, expect } from 'vitest'
import { backoffDelay, circuitAddressOf, defaultDialPlan, DialWindow, dialsFirst, dialTimeout, relayedTimeout, shouldDial, type DialTarget } from '../../../src/net/dial-plan.ts'

const target = (peerId: string, over: Partial<DialTarget> = {}): DialTarget =>
  ({ peerId, discoveredAt: 0, attempts: 0, nextAttemptAt: 0, dialing: false, ...over })

describe('dial plan', () => {
  const ids = Array.from({ length: 20 }, (_, i) => `12D3KooW${(i * 7919).toString(36).padStart(6, 'x')}`)
  it('lets exactly one side of every pair dial first', () => {
    for (const a of ids) for (const b of ids) if (a !== b) expect(dialsFirst(a, b)).toBe(!dialsFirst(b, a))
  })
  it('spreads the first dials over the tabs', () => {
    const counts = ids.map(a => ids.filter(b => b !== a && dialsFirst(a, b)).length)
    expect(Math.max(...counts)).toBeLessThan(ids.length - 1) // no tab dials everyone
    expect(counts.reduce((x, y) => x + y, 0)).toBe((ids.length * (ids.length - 1)) / 2)
  })
  it('lets the other side dial too once the pair stayed unlinked', () => {
    const [a, b] = dialsFirst(ids[0]!, ids[1]!) ? [ids[0]!, ids[1]!] : [ids[1]!, ids[0]!]
    expect(shouldDial(a, target(b), false, 0)).toBe(true)
    expect(shouldDial(b, target(a), false, defaultDialPlan.symmetricAfterMs - 1)).toBe(false)
    expect(shouldDial(b, target(a), false, defaultDialPlan.symmetricAfterMs)).toBe(true)
  })
  it('never dials a linked peer, twice at once, or before the backoff ends', () => {
    const [a, b] = dialsFirst(ids[2]!, ids[3]!) ? [ids[2]!, ids[3]!] : [ids[3]!, ids[2]!]
    expect(shouldDial(a, target(b), true, 0)).toBe(false)
    expect(shouldDial(a, target(b, { dialing: true }), false, 0)).toBe(false)
    expect(shouldDial(a, target(b, { nextAttemptAt: 100 }), false, 99)).toBe(false)
    expect(shouldDial(a, target(b, { nextAttemptAt: 100 }), false, 100)).toBe(true)
    // Never while a negotiation with that peer is under way, even the other side's, even when due.
    expect(shouldDial(a, target(b), false, 0, defaultDialPlan, true)).toBe(false)
    expect(shouldDial(b, target(a), false, defaultDialPlan.symmetricAfterMs, defaultDialPlan, true)).toBe(false)
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
  it('stretches the timeouts for a peer whose dials keep failing, so a slow machine still converges', () => {
    expect(dialTimeout([], 1)).toBe(9000)
    expect(dialTimeout([], 2)).toBe(13500)
    expect(dialTimeout([9000, 9000, 9000], 5)).toBe(24000) // at most twice the cap
    expect(dialTimeout([500, 600, 700], 1)).toBe(6000)
    expect(relayedTimeout(0)).toBe(10000)
    expect(relayedTimeout(1)).toBe(15000)
    expect(relayedTimeout(9)).toBe(30000)
  })
  it('finds the relayed address a WebRTC address signals over', () => {
    const relay = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWRelay'
    expect(circuitAddressOf(`${relay}/p2p-circuit/webrtc/p2p/12D3KooWPeer`)).toBe(`${relay}/p2p-circuit/p2p/12D3KooWPeer`)
    expect(circuitAddressOf(`${relay}/p2p-circuit/p2p/12D3KooWPeer`)).toBeUndefined()
    expect(circuitAddressOf('/webrtc/p2p/12D3KooWPeer')).toBeUndefined()
    expect(circuitAddressOf(`${relay}/p2p-circuit/webrtc/p2p/12D3KooWPeer/extra`)).toBeUndefined()
  })

  describe('DialWindow', () => {
    it('starts at its maximum, halves on each timeout down to its minimum', () => {
      const w = new DialWindow(1, 4)
      expect(w.size).toBe(4)
      w.record(false, true); expect(w.size).toBe(2)
      w.record(false, true); expect(w.size).toBe(1)
      w.record(false, true); expect(w.size).toBe(1)
    })

    it('does not shrink for a dial that failed without timing out (refused, broken)', () => {
      const w = new DialWindow(1, 3)
      w.record(false, false)
      expect(w.size).toBe(3)
    })

    it('grows by one after `growAfter` successes in a row, up to its maximum', () => {
      const w = new DialWindow(1, 3, 2)
      w.record(false, true)
      expect(w.size).toBe(1)
      w.record(true, false); expect(w.size).toBe(1)
      w.record(true, false); expect(w.size).toBe(2)
      w.record(true, false); w.record(false, false); w.record(true, false)
      expect(w.size).toBe(2) // a failure in between restarts the count
      w.record(true, false); expect(w.size).toBe(3)
      w.record(true, false); w.record(true, false); expect(w.size).toBe(3)
    })
  })
})

