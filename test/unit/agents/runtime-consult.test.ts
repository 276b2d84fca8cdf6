import { describe, expect, it } from 'vitest'
import { NOBODY_TO_ASK, checkAlert, checkAsk, checkHandoff } from '../../../src/agents/runtime/consult.ts'
import { TaskDeadline, type DeadlineClock } from '../../../src/agents/runtime/deadline.ts'
import { MAX_CONSULT_CHARS } from '../../../src/agents/types.ts'

describe('consultation checks', () => {
  it('ask: a question of bounded length, to a person unless it says the mesh', () => {
    expect(checkAsk('Which cuisine?')).toEqual({ text: 'Which cuisine?', to: 'person' })
    expect(checkAsk('Anyone know?', 'mesh')).toEqual({ text: 'Anyone know?', to: 'mesh' })
    expect(checkAsk('x'.repeat(MAX_CONSULT_CHARS))).toMatchObject({ to: 'person' })
    expect(() => checkAsk('x'.repeat(MAX_CONSULT_CHARS + 1))).toThrow(`ask: the question has ${MAX_CONSULT_CHARS + 1} characters, more than the ${MAX_CONSULT_CHARS} allowed`)
    expect(() => checkAsk('  ')).toThrow(TypeError)
    expect(() => checkAsk(42)).toThrow('ask: the question must be a non-blank string')
    expect(() => checkAsk('q', 'everyone')).toThrow(`ask: to must be 'person' or 'mesh', got "everyone"`)
  })

  it('alert: bounded text and a known severity (default warning)', () => {
    expect(checkAlert('disk almost full')).toEqual({ text: 'disk almost full', severity: 'warning' })
    expect(checkAlert('fyi', 'info').severity).toBe('info')
    expect(() => checkAlert('x', 'fatal')).toThrow(`alert: severity must be 'info', 'warning', 'critical', got "fatal"`)
    expect(() => checkAlert('')).toThrow('alert: the text must be a non-blank string')
    expect(() => checkAlert('x'.repeat(MAX_CONSULT_CHARS + 1))).toThrow(/more than the 2000 allowed/)
  })

  it('handOff: a reason, optionally the agent to hand to', () => {
    expect(checkHandoff('needs a translator')).toEqual({ reason: 'needs a translator' })
    expect(checkHandoff('needs a translator', 'tr@peer')).toEqual({ reason: 'needs a translator', toAgentId: 'tr@peer' })
    expect(() => checkHandoff('')).toThrow('handOff: the reason must be a non-blank string')
    expect(() => checkHandoff('r', '')).toThrow(/toAgentId must be an agent id/)
    expect(() => checkHandoff('r', 'a'.repeat(201))).toThrow(/toAgentId/)
    expect(() => checkHandoff('x'.repeat(MAX_CONSULT_CHARS + 1))).toThrow(/handOff: the reason has 2001 characters/)
  })

  it('says plainly why a direct run cannot ask', () => {
    expect(NOBODY_TO_ASK).toBe('ask: this task has nobody to ask (it was not submitted through the mesh)')
  })
})

/** A clock whose time moves only when the test says so. */
function fakeClock () {
  let now = 0
  const timers = new Map<number, { at: number, fn: () => void }>()
  let seq = 0
  const clock: DeadlineClock = {
    now: () => now,
    setTimeout: (fn, ms) => { timers.set(++seq, { at: now + ms, fn }); return seq },
    clearTimeout: h => { timers.delete(h as number) }
  }
  const advance = (ms: number): void => {
    const until = now + ms
    for (;;) {
      const due = [...timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0]
      if (due === undefined) break
      timers.delete(due[0])
      now = due[1].at
      due[1].fn()
    }
    now = until
  }
  return { clock, advance, pending: () => timers.size }
}

describe('task deadline', () => {
  it('expires after its budget when never paused', () => {
    const { clock, advance } = fakeClock()
    let expired = 0
    const d = new TaskDeadline(1000, () => expired++, clock)
    advance(999)
    expect(expired).toBe(0)
    expect(d.remainingMs).toBe(1)
    advance(1)
    expect(expired).toBe(1)
    advance(5000)
    expect(expired).toBe(1)
  })

  it('stands still while paused and runs on with what was left', () => {
    const { clock, advance } = fakeClock()
    let expired = 0
    const d = new TaskDeadline(1000, () => expired++, clock)
    advance(400)
    const resume = d.pause()
    expect(d.paused).toBe(true)
    advance(60_000) // a person takes a minute to answer
    expect(expired).toBe(0)
    expect(d.remainingMs).toBe(600)
    resume()
    resume() // twice does nothing
    expect(d.paused).toBe(false)
    advance(599)
    expect(expired).toBe(0)
    advance(1)
    expect(expired).toBe(1)
    expect(d.everPaused).toBe(true)
  })

  it('nests pauses: runs again only when the last pending question is answered', () => {
    const { clock, advance } = fakeClock()
    let expired = 0
    const d = new TaskDeadline(100, () => expired++, clock)
    const r1 = d.pause()
    advance(50)
    const r2 = d.pause()
    r1()
    advance(1000)
    expect(expired).toBe(0)
    r2()
    advance(99)
    expect(expired).toBe(0)
    advance(1)
    expect(expired).toBe(1)
  })

  it('does nothing once cleared, and a pause after clearing is harmless', () => {
    const { clock, advance, pending } = fakeClock()
    let expired = 0
    const d = new TaskDeadline(100, () => expired++, clock)
    const resume = d.pause()
    d.clear()
    resume()
    expect(pending()).toBe(0)
    d.pause()()
    advance(1000)
    expect(expired).toBe(0)
  })
})
