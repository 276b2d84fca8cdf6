import { describe, expect, it } from 'vitest'
import { CrashHistory, checkCrashPolicy, restartDelay, type CrashPolicy } from '../../../src/agents/runtime/crash-policy.ts'

const policy: CrashPolicy = { maxCrashes: 4, windowMs: 10_000, baseDelayMs: 100, maxDelayMs: 300 }

describe('crash policy', () => {
  it('restarts the first crash at once and backs off exponentially, capped', () => {
    expect([1, 2, 3, 4, 5, 6].map(n => restartDelay(n, policy))).toEqual([0, 100, 200, 300, 300, 300])
  })

  it('fails the agent at the maxCrashes-th crash inside the window', () => {
    const h = new CrashHistory(policy)
    expect(h.record(0)).toEqual({ action: 'restart', delayMs: 0, crashesInWindow: 1 })
    expect(h.record(1000)).toEqual({ action: 'restart', delayMs: 100, crashesInWindow: 2 })
    expect(h.record(2000)).toEqual({ action: 'restart', delayMs: 200, crashesInWindow: 3 })
    expect(h.record(3000)).toEqual({ action: 'fail', crashesInWindow: 4 })
  })

  it('forgets crashes that left the window, so a rare crasher is never failed', () => {
    const h = new CrashHistory(policy)
    for (let i = 0; i < 20; i++) {
      const d = h.record(i * 6000)
      expect(d.action, `crash ${i}`).toBe('restart')
      expect(d.crashesInWindow).toBeLessThanOrEqual(2)
    }
    expect(h.count(20 * 6000)).toBe(1)
  })

  it('counts a crash exactly windowMs old as outside the window', () => {
    const h = new CrashHistory(policy)
    h.record(0)
    expect(h.record(10_000).crashesInWindow).toBe(1)
  })

  it('reset starts over', () => {
    const h = new CrashHistory(policy)
    h.record(0); h.record(1); h.record(2)
    h.reset()
    expect(h.record(3)).toMatchObject({ action: 'restart', crashesInWindow: 1 })
  })

  it('refuses a nonsensical policy, naming the field', () => {
    expect(() => checkCrashPolicy({ ...policy, maxCrashes: 0 })).toThrow('crashPolicy.maxCrashes must be an integer >= 1, got 0')
    expect(() => checkCrashPolicy({ ...policy, windowMs: 1.5 })).toThrow('crashPolicy.windowMs')
    expect(checkCrashPolicy(policy)).toBe(policy)
  })
})
