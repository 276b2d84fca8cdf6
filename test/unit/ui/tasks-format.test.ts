import { describe, expect, it } from 'vitest'
import { TASK_STATES } from '../../../src/coord/task-state.ts'
import {
  STATE_COLOURS, agentName, concerns, elapsedOf, formatClock, formatDuration, parentOf, shortPeer, shortenPeerIds, timingSteps
} from '../../../src/ui/tasks/task-format.ts'

describe('task formatting', () => {
  it('formats durations for people', () => {
    expect(formatDuration(0)).toBe('0 ms')
    expect(formatDuration(849.6)).toBe('850 ms')
    expect(formatDuration(1000)).toBe('1.0 s')
    expect(formatDuration(4290)).toBe('4.2 s')
    expect(formatDuration(9999)).toBe('9.9 s')
    expect(formatDuration(10_000)).toBe('10 s')
    expect(formatDuration(59_999)).toBe('59 s')
    expect(formatDuration(185_000)).toBe('3 min 05 s')
    expect(formatDuration(2 * 3600_000 + 7 * 60_000 + 30_000)).toBe('2 h 07 min')
    expect(formatDuration(undefined)).toBe('–')
    expect(formatDuration(-5)).toBe('–')
    expect(formatDuration(Number.NaN)).toBe('–')
  })

  it('gives every A2A state its own colour', () => {
    const colours = TASK_STATES.map(s => STATE_COLOURS[s])
    expect(colours.every(c => /^#[0-9a-f]{6}$/.test(c))).toBe(true)
    expect(new Set([...colours, STATE_COLOURS.pending]).size).toBe(TASK_STATES.length + 1)
  })

  it('measures elapsed time until now while running and until the end once finished', () => {
    const timings = { submittedAt: 1000, awardedAt: 1200, startedAt: 1300, finishedAt: 1900, completedAt: 2000 }
    expect(elapsedOf({ state: 'working', timings: { submittedAt: 1000 } }, 4000)).toBe(3000)
    expect(elapsedOf({ state: 'completed', timings }, 99_999)).toBe(1000)
    expect(elapsedOf({ state: 'failed', timings: { submittedAt: 1000, finishedAt: 1500 } }, 99_999)).toBe(500)
    // Unassigned tasks carry no end time: the moment this tab saw the end counts, else 0.
    expect(elapsedOf({ state: 'unassigned', timings: { submittedAt: 1000 } }, 99_999, 1700)).toBe(700)
    expect(elapsedOf({ state: 'unassigned', timings: { submittedAt: 1000 } }, 99_999)).toBe(0)
    // A failed or canceled task's own end time (timings.endedAt) beats when this tab saw it end.
    expect(elapsedOf({ state: 'failed', timings: { submittedAt: 1000, endedAt: 3000 } }, 99_999, 3500)).toBe(2000)
    expect(elapsedOf({ state: 'submitted', timings: { submittedAt: 5000 } }, 4000)).toBe(0)
  })

  it('lists the steps a task went through with the time between them', () => {
    expect(timingSteps({ submittedAt: 1000, awardedAt: 1250, startedAt: 1260, finishedAt: 1900, completedAt: 2000 })).toEqual([
      { label: 'submitted', at: 1000, sinceStart: 0, sincePrevious: 0 },
      { label: 'awarded', at: 1250, sinceStart: 250, sincePrevious: 250 },
      { label: 'started', at: 1260, sinceStart: 260, sincePrevious: 10 },
      { label: 'finished', at: 1900, sinceStart: 900, sincePrevious: 640 },
      { label: 'completed', at: 2000, sinceStart: 1000, sincePrevious: 100 }
    ])
    // Steps that did not happen (a mission is never awarded to its parts' agents) are skipped.
    expect(timingSteps({ submittedAt: 1000, completedAt: 3000 }).map(s => [s.label, s.sincePrevious])).toEqual([['submitted', 0], ['completed', 2000]])
    expect(timingSteps({ submittedAt: 1000, awardedAt: 1100, endedAt: 3000 }).map(s => [s.label, s.sincePrevious])).toEqual([['submitted', 0], ['awarded', 100], ['ended', 1900]])
    expect(timingSteps({ submittedAt: 1000, completedAt: 3000, endedAt: 3000 }).map(s => s.label)).toEqual(['submitted', 'completed'])
  })

  it('shortens peers and agent ids, and relates subtasks to their mission', () => {
    expect(shortPeer('12D3KooWAbCdEfGhIjKlMn')).toBe('…IjKlMn')
    expect(shortPeer('short')).toBe('short')
    expect(shortPeer(undefined)).toBe('…')
    expect(agentName('calculator@12D3KooW')).toBe('calculator')
    expect(agentName('custom-thing')).toBe('custom-thing')
    expect(agentName(undefined)).toBe('–')
    expect(parentOf('t-ab-1/2')).toBe('t-ab-1')
    expect(parentOf('t-ab-1')).toBeUndefined()
    expect(concerns('t-ab-1', 't-ab-1')).toBe(true)
    expect(concerns('t-ab-1', 't-ab-1/2')).toBe(true)
    expect(concerns('t-ab-1', 't-ab-10')).toBe(false)
    expect(concerns('t-ab-1', undefined)).toBe(false)
  })

  it('reads clock times with milliseconds', () => {
    expect(formatClock(new Date(2026, 0, 2, 3, 4, 5, 67).getTime())).toBe('03:04:05.067')
  })

  it('shortens full peer ids inside protocol summaries and thread lines', () => {
    const peer = '12D3KooWBcUnpSPBa3ThjaFksQwmk8o23qKRFV672tuNkf77pBpe'
    expect(shortenPeerIds(`t-1 attempt 1 → calculator@${peer} on …77pBpe (math.evaluate)`)).toBe('t-1 attempt 1 → calculator@…77pBpe on …77pBpe (math.evaluate)')
    expect(shortenPeerIds(`from QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG and ${peer}.`)).toBe('from …WnPbdG and …77pBpe.')
    expect(shortenPeerIds('12D3KooW is short, result:t-ab_s1:1 stays')).toBe('12D3KooW is short, result:t-ab_s1:1 stays')
  })
})
