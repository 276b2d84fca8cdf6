import { describe, it, expect } from 'vitest'
import { announceDelay, defaultAnnounce, defaultPeriodicAnnounce, periodicAnnounceDue } from '../../../src/net/dial-plan.ts'

describe('announcement timing', () => {
  const addrs = '/ip4/10.0.0.1/tcp/9090/ws/p2p/R/p2p-circuit/webrtc'
  it('announces at once when nothing was announced yet, or the addresses changed', () => {
    expect(announceDelay(1_000, '', undefined, false)).toBe(0)
    // The one sent before the reservation (no addresses) does not hold back the one with the circuit address.
    expect(announceDelay(1_010, addrs, { at: 1_000, addrs: '' }, false)).toBe(0)
  })
  it('holds back a repetition until the gap has passed', () => {
    expect(announceDelay(1_100, addrs, { at: 1_000, addrs }, false)).toBe(defaultAnnounce.minGapMs - 100)
    expect(announceDelay(1_000 + defaultAnnounce.minGapMs, addrs, { at: 1_000, addrs }, false)).toBe(0)
  })
  it('answers a newcomer that waits for our address after the short gap', () => {
    expect(announceDelay(1_020, addrs, { at: 1_000, addrs }, true)).toBe(defaultAnnounce.urgentGapMs - 20)
    expect(announceDelay(1_000 + defaultAnnounce.urgentGapMs, addrs, { at: 1_000, addrs }, true)).toBe(0)
    // Still rate-limited: a burst of newcomers draws at most one answer per urgent gap.
    expect(defaultAnnounce.urgentGapMs).toBeGreaterThan(0)
  })
})

describe('periodic announcement', () => {
  it('every intervalMs while some known peer is not linked, every linkedIntervalMs once all are', () => {
    const { intervalMs, linkedIntervalMs } = defaultPeriodicAnnounce
    expect(linkedIntervalMs).toBeGreaterThan(intervalMs)
    // Still the forget horizon (30 s) apart: a peer that has to dial this tab keeps its address.
    expect(linkedIntervalMs).toBeLessThan(30_000)
    expect(periodicAnnounceDue(intervalMs - 1, 0, false)).toBe(false)
    expect(periodicAnnounceDue(intervalMs, 0, false)).toBe(true)
    expect(periodicAnnounceDue(intervalMs, 0, true)).toBe(false)
    expect(periodicAnnounceDue(linkedIntervalMs, 0, true)).toBe(true)
  })
})
