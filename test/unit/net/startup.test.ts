import { describe, it, expect } from 'vitest'
import { STARTUP_PHASES, StartupTimeline } from '../../../src/net/startup.ts'

describe('start-up timeline', () => {
  it('keeps the first occurrence of each phase, with its note', () => {
    let t = 10
    const tl = new StartupTimeline(() => t)
    expect(tl.mark('discovered', 'its announcement')).toBe(true)
    t = 20
    expect(tl.mark('discovered', 'an inbound connection')).toBe(false)
    expect(tl.marks.discovered).toEqual({ ms: 10, note: 'its announcement' })
    expect(tl.has('joined')).toBe(false)
  })
  it('lists a snapshot in phase order whatever the order of marking', () => {
    let t = 0
    const tl = new StartupTimeline(() => t)
    t = 5; tl.mark('joined')
    t = 1; tl.mark('nodeStarted')
    const keys = Object.keys(tl.snapshot())
    expect(keys).toEqual(['nodeStarted', 'joined'])
    expect(STARTUP_PHASES.indexOf('nodeStarted')).toBeLessThan(STARTUP_PHASES.indexOf('joined'))
  })
})
