import { describe, expect, it } from 'vitest'
import { checkRederived, checkRerun } from '../../../src/agents/builtin/rederive.ts'
import { handler as jsRunner } from '../../../src/agents/builtin/js-runner.ts'
import { handler as verifier } from '../../../src/agents/builtin/verifier.ts'
import { handler as calculator } from '../../../src/agents/builtin/calculator.ts'
import { handler as summariser } from '../../../src/agents/builtin/summariser.ts'
import { testContext } from './builtin-context.ts'

// Calendar and counting answers a verifier on another peer derives again (rederive.ts). Before, it
// abstained on every one ("the claim is not arithmetic") and they all stayed unverified.

const handed = (text: string, result: { text?: string, output?: unknown }, extra: Record<string, unknown> = {}) =>
  ({ task: { id: 't-1', text, ...extra }, result })

/** 2026-11-24 10:00 UTC. */
const NOW = Date.UTC(2026, 10, 24, 10, 0)

describe('re-derived calendar answers', () => {
  it('supports the right weekday of a named date and disputes a wrong one, also in prose', () => {
    const q = 'What day of the week was 29 February 2024?'
    expect(checkRederived(handed(q, { text: 'Thursday: 29 February 2024 was a Thursday', output: 'Thursday' }), NOW)?.verdict)
      .toMatchObject({ vote: 'support', confidence: 0.99, reason: 'derived again: Thursday: 29 February 2024 was a Thursday, as claimed' })
    expect(checkRederived(handed(q, { text: 'It was a Friday.' }), NOW)?.verdict)
      .toMatchObject({ vote: 'dispute', confidence: 0.99, reason: 'derived again: Thursday: 29 February 2024 was a Thursday, not Friday' })
    // Naming no weekday, or several: nothing to compare.
    expect(checkRederived(handed(q, { text: 'A leap day.' }), NOW)).toBeUndefined()
    expect(checkRederived(handed(q, { text: 'Either Monday or Friday' }), NOW)).toBeUndefined()
  })

  it('checks days between dates and a date at an offset, by the number or the date the result states', () => {
    const days = 'How many days are there between January 1, 2027 and March 3, 2027?'
    expect(checkRederived(handed(days, { text: '61 days', output: 61 }), NOW)?.verdict.vote).toBe('support')
    expect(checkRederived(handed(days, { text: '60 days', output: 60 }), NOW)?.verdict)
      .toMatchObject({ vote: 'dispute', reason: 'derived again: 61 days, not 60' })
    const offset = 'What date is 90 days after March 3, 2027?'
    expect(checkRederived(handed(offset, { text: 'Tuesday, 1 June 2027', output: '2027-06-01' }), NOW)?.verdict.vote).toBe('support')
    expect(checkRederived(handed(offset, { text: 'It falls on June 2, 2027.' }), NOW)?.verdict)
      .toMatchObject({ vote: 'dispute', reason: 'derived again: Tuesday, 1 June 2027, not June 2, 2027' })
  })

  it('derives an answer that depends on today for yesterday too, and disputes only when it knows the zone', () => {
    const q = 'How many days until 25 December 2026?'
    expect(checkRederived(handed(q, { output: 31, text: '31 days' }, { timeZone: 'UTC' }), NOW)?.verdict.vote).toBe('support')
    // Answered yesterday: 32.
    expect(checkRederived(handed(q, { output: 32, text: '32 days' }, { timeZone: 'UTC' }), NOW)?.verdict)
      .toMatchObject({ vote: 'support', confidence: 0.95 })
    expect(checkRederived(handed(q, { output: 40, text: '40 days' }, { timeZone: 'UTC' }), NOW)?.verdict)
      .toMatchObject({ vote: 'dispute', confidence: 0.9, reason: 'derived again for today in UTC: 31 days, not 40' })
    expect(checkRederived(handed(q, { output: 40, text: '40 days' }), NOW)?.verdict)
      .toMatchObject({ vote: 'abstain', reason: expect.stringMatching(/depends on today's date, and the task names no time zone/) })
  })

  it('judges what the calculator answered, run as it runs', async () => {
    const task = { id: 't-2', text: 'What day of the week is 4 July 1976?' }
    const r = await calculator(task, testContext())
    expect(checkRederived({ task, result: { text: r.text, output: r.output } })?.verdict.vote).toBe('support')
  })
})

describe('re-counted text answers', () => {
  it('supports a right count and disputes a wrong one', async () => {
    const q = 'How many words are in the sentence "the quick brown fox jumps over the lazy dog"?'
    const r = await summariser({ id: 't-3', text: q }, testContext())
    expect(r.output).toBe(9)
    expect(checkRederived(handed(q, { text: r.text, output: r.output }))?.verdict)
      .toMatchObject({ vote: 'support', reason: 'counted again: 9 words, as claimed' })
    expect(checkRederived(handed(q, { text: 'There are eight words.' }))?.verdict)
      .toMatchObject({ vote: 'dispute', reason: 'counted again: 9 words, not 8' })
    expect(checkRederived(handed("Count the r's in strawberry", { text: '2', output: 2 }))?.verdict)
      .toMatchObject({ vote: 'dispute', reason: expect.stringMatching(/^counted again: 3: "r" occurs 3 times/) })
  })

  it('leaves other tasks and unreadable input to the other checks', () => {
    expect(checkRederived(handed('Summarise this: One. Two.', { text: 'One.' }))).toBeUndefined()
    expect(checkRederived(handed('Calculate 2 + 2', { output: 4 }))).toBeUndefined()
    expect(checkRederived({ task: { text: 5 }, result: {} })).toBeUndefined()
    expect(checkRederived(null)).toBeUndefined()
  })
})

describe('the verifier votes with them', () => {
  it('supports a weekday and disputes a wrong word count handed over by the coordination layer', async () => {
    const day = await verifier({ id: 't:verify', text: 'Verify this answer', input: handed('Which weekday was 1 January 2000?', { text: 'Saturday', output: 'Saturday' }) }, testContext())
    expect(day.verdict).toMatchObject({ vote: 'support', confidence: 0.99 })
    expect((day.output as { method: string }).method).toBe('arithmetic')
    const words = await verifier({ id: 't:verify', text: 'Verify this answer', input: handed('Count the words in this text: "one two three"', { text: '4 words', output: 4 }) }, testContext())
    expect(words.verdict).toMatchObject({ vote: 'dispute', reason: 'counted again: 3 words, not 4' })
  })
})

describe('a result of code, run again', () => {
  // The js-runner itself (real QuickJS) as the verifier's sub-agent, as the runtime gives ctx.spawn.
  const runner = () => testContext({ spawn: async (kind, task) => { expect(kind).toBe('js-runner'); return await jsRunner(task, testContext()) } })

  it('supports the same value and disputes another, running the code in a js-runner sub-agent', async () => {
    const text = 'Run this JavaScript: return [1, 2, 3].map(x => x * 2)'
    const right = await jsRunner({ id: 't', text }, testContext())
    expect(right).toMatchObject({ text: '[2,4,6]', output: [2, 4, 6] })
    const ok = await verifier({ id: 't:verify', text: 'Verify this answer', input: handed(text, { text: right.text, output: right.output }) }, runner())
    expect(ok.verdict).toMatchObject({ vote: 'support', confidence: 0.95, reason: 'ran the code again on this peer: the same result, [2,4,6]' })
    const bad = await verifier({ id: 't:verify', text: 'Verify this answer', input: handed(text, { text: '[2,4,7]', output: [2, 4, 7] }) }, runner())
    expect(bad.verdict).toMatchObject({ vote: 'dispute', confidence: 0.9, reason: 'ran the code again on this peer: it gives [2,4,6], not [2,4,7]' })
  })

  it('abstains on code that reads the clock or random numbers, and leaves an answer in words alone', async () => {
    const dice = await checkRerun(handed('Run this JavaScript: return Math.floor(Math.random() * 1e9)', { text: '5', output: 5 }), runner())
    expect(dice?.verdict).toMatchObject({ vote: 'abstain', reason: expect.stringMatching(/^the code reads the clock or random numbers/) })
    // An LLM's explanation of the code is not the code's value.
    expect(await checkRerun(handed('What does `typeof null` return?', { text: 'It returns "object", a historical quirk.' }), runner())).toBeUndefined()
    expect(await checkRerun(handed('What does `typeof null` return?', { text: '"object"', output: 'object' }), runner()))
      .toMatchObject({ verdict: { vote: 'support' } })
    expect(await checkRerun(handed('Calculate 2 + 2', { text: '4', output: 4 }), runner())).toBeUndefined()
  })

  it('abstains, saying why, when the code cannot be run here', async () => {
    const ctx = testContext() // no spawn: the tool is refused as in a manifest without it
    const r = await checkRerun(handed('Run this JavaScript: return 1 + 1', { text: '2', output: 2 }), ctx)
    expect(r?.verdict).toMatchObject({ vote: 'abstain', reason: expect.stringMatching(/^the code could not be run again here: /) })
  })
})
