import { describe, expect, it } from 'vitest'
import { handler } from '../../../src/agents/builtin/calculator.ts'
import { countDays, datesIn } from '../../../src/agents/builtin/dates.ts'
import { testContext } from './builtin-context.ts'

const calc = (text: string, input?: unknown) => handler(input === undefined ? { id: 't', text } : { id: 't', text, input }, testContext())
const NOW = Date.UTC(2026, 10, 22, 15, 30) // 2026-11-22, mid-afternoon

describe('dates in the calculator', () => {
  it('reads dates as people write them, and refuses one that does not exist', () => {
    expect(datesIn('from March 3, 2027 to 3rd of March, 2028, or 2027-03-03 and Mar 3 2027').map(d => d.text))
      .toEqual(['March 3, 2027', '3rd of March, 2028', '2027-03-03', 'Mar 3 2027'])
    expect(new Set(datesIn('March 3, 2027 / 3 March 2027 / 2027-03-03').map(d => d.day)).size).toBe(1)
    expect(() => datesIn('February 30, 2027')).toThrow("calculator: 'February 30, 2027' is not a date")
    expect(() => datesIn('2027-13-01')).toThrow(/is not a date/)
  })

  it('counts the days or weeks between two dates of the request', async () => {
    const r = await calc('How many days are there between January 1, 2027 and March 3, 2027?')
    expect(r.output).toBe(61)
    expect(r.text).toBe('61 days')
    expect(r.working).toContain('61 days between January 1, 2027 and March 3, 2027')
    expect((await calc('days from 2024-02-28 to 2024-03-01')).output).toBe(2) // a leap year
    expect((await calc('How many days after January 1, 2027 is March 3, 2027')).output).toBe(61)
    const weeks = await calc('how many weeks between 1 January 2027 and 3 March 2027')
    expect(weeks.text).toBe('8 weeks and 5 days')
    expect(weeks.output).toBe(8.71)
  })

  it('takes the other date from the result a mission part depends on', async () => {
    const r = await calc('Compute how many days after January 1, 2027 that is', { s1: 'According to the graph, the Meshwork beta launches on March 3, 2027 [fact:abc] (proposed, not yet verified).' })
    expect(r.output).toBe(61)
    expect(r.working).toContain('date: March 3, 2027 (the result of s1)')
  })

  it('counts from today when the request says so', () => {
    expect(countDays('How many days until December 25, 2026?', [], NOW)?.output).toBe(33)
    expect(countDays('How many days ago was 2026-11-01?', [], NOW)?.output).toBe(21)
    expect(countDays('How many days until December 25, 2026?', [], NOW)?.steps).toContain('date: 2026-11-22 (today)')
  })

  it('counts to a day written without a year, or named, from today', () => {
    // Before: "found no expression to evaluate in 'How many days until Christmas?'".
    const xmas = countDays('How many days until Christmas?', [], NOW)!
    expect(xmas.output).toBe(33)
    expect(xmas.steps).toContain('date: Christmas (2026-12-25) (the request)')
    expect(countDays('days until December 25', [], NOW)?.output).toBe(33)
    expect(countDays('how many weeks until new year', [], NOW)?.text).toBe('5 weeks and 5 days')
    expect(countDays('How many days since Halloween?', [], NOW)?.output).toBe(22)
    // Passed this year already: the next one; counted back: the last one.
    expect(countDays('how many days until the 4th of July?', [], NOW)?.steps).toContain('date: 4th of July (2027-07-04) (the request)')
    expect(countDays('How many days since March 3?', [], NOW)?.steps).toContain('date: March 3 (2026-03-03) (the request)')
    expect(countDays('how many days until February 29', [], NOW)?.steps).toContain('date: February 29 (2028-02-29) (the request)')
    expect(countDays('How many days until today?', [], NOW)).toBeUndefined()
    expect(() => countDays('How many days until February 30?', [], NOW)).toThrow("calculator: 'February 30' is not a date")
  })

  it('says what is missing instead of guessing, and leaves other requests alone', async () => {
    await expect(calc('How many days between March 3, 2027 and then?')).rejects.toThrow("calculator: counting days needs two dates; found only 'March 3, 2027'")
    await expect(calc('How many days between 2027-01-01, 2027-02-01 and 2027-03-01?')).rejects.toThrow(/needs two dates, and the request names 3/)
    expect(countDays('How many days are in 3 weeks?', [], NOW)).toBeUndefined()
    expect(countDays('What is 17% of 2,340?', [], NOW)).toBeUndefined()
    expect((await calc('How many days are in 3 weeks?')).text).toBe('21 days')
    expect((await calc('How many minutes are there in 2 hours?')).text).toBe('120 minutes')
  })
})
