import { describe, expect, it } from 'vitest'
import { asksTimeZone, timeZoneAnswer } from '../../../src/agents/builtin/time-zones.ts'
import { clockAnswer } from '../../../src/agents/builtin/dates.ts'
import { handler } from '../../../src/agents/builtin/calculator.ts'
import { handler as verify } from '../../../src/agents/builtin/verifier.ts'
import { testContext } from './builtin-context.ts'

// Fixed moments: London on GMT and New York on EST in winter, on BST and EDT in summer.
const WINTER = Date.UTC(2026, 10, 24, 13, 0)
const SUMMER = Date.UTC(2026, 6, 1, 13, 0)

describe('time zones: a time in one place, in another', () => {
  it('converts a time of day between cities, by each city\'s clocks on the day', () => {
    // Before: nobody bid ("no capable agent in the room").
    expect(timeZoneAnswer('What time is 9am in London in Tokyo?', WINTER)).toMatchObject({
      text: '6:00 pm in Tokyo (Tuesday 24 November) when it is 9:00 am in London; Tokyo is 9 hours ahead of London',
      output: '18:00',
      steps: ['9:00 am in London on Tuesday 24 November 2026 (today there)', 'London: Europe/London, UTC+0 on that date', 'Tokyo: Asia/Tokyo, UTC+9 on that date', '09:00 + 9 hours = 18:00']
    })
    // In July London is on summer time: 8 hours behind Tokyo.
    expect(timeZoneAnswer('What time is 9am in London in Tokyo?', SUMMER)?.output).toBe('17:00')
    // The same question asked other ways.
    for (const asked of ['What time is 9am London time in Tokyo?', 'Convert 9am London time to Tokyo time', 'What time is it in Tokyo when it is 9am in London?', "If it's 9am in London, what time is it in Tokyo?", '9 a.m. in London in Tokyo']) {
      expect(timeZoneAnswer(asked, WINTER)?.output, asked).toBe('18:00')
    }
    // In 24 hours when asked so; across midnight, the day says so.
    expect(timeZoneAnswer('9:30 New York time in Berlin', WINTER)).toMatchObject({ text: '15:30 in Berlin (Tuesday 24 November) when it is 09:30 in New York; Berlin is 6 hours ahead of New York', output: '15:30' })
    expect(timeZoneAnswer('Convert 11pm in San Francisco to Mumbai time', WINTER)).toMatchObject({ text: '12:30 pm in Mumbai (the next day, Wednesday 25 November) when it is 11:00 pm in San Francisco; Mumbai is 13 hours 30 minutes ahead of San Francisco', output: '12:30' })
    expect(timeZoneAnswer('What time is 8am in Tokyo in New York?', WINTER)?.text).toMatch(/^6:00 pm in New York \(the day before, /)
  })

  it('converts a time on the date given, by the clocks of that date', () => {
    // On 28 October 2026 London is back on GMT, New York still on summer time: 4 hours apart that day, 5 today.
    const r = timeZoneAnswer('What time is 3pm London time on 28 October 2026 in New York?', WINTER)!
    expect(r).toMatchObject({ output: '11:00', text: '11:00 am in New York (Wednesday 28 October) when it is 3:00 pm in London; New York is 4 hours behind London' })
    expect(r.steps[0]).toBe('3:00 pm in London on Wednesday 28 October 2026 (the date given)')
    expect(timeZoneAnswer('What time is 3pm London time in New York?', WINTER)?.output).toBe('10:00')
    expect(asksTimeZone('Convert 9am in London on 1 July 2026 to Tokyo time')).toBe(true)
    expect(timeZoneAnswer('Convert 9am in London on 1 July 2026 to Tokyo time', WINTER)?.output).toBe('17:00')
    expect(timeZoneAnswer('What is the time difference between London and New York on 28 October 2026?', WINTER)).toMatchObject({ output: -4, text: 'New York is 4 hours behind London on Wednesday 28 October 2026' })
  })

  it('reads an abbreviation of standard or summer time as that offset all year, and says so', () => {
    const est = timeZoneAnswer('Convert 3pm EST to CET', SUMMER)!
    expect(est.output).toBe('21:00')
    expect(est.steps).toContain('EST: UTC−5, UTC−5 on that date')
    expect(est.steps[3]).toMatch(/an abbreviation such as EST or CEST is that offset all year/)
    // "ET" follows New York's clocks: in July 3 pm ET is 19:00 UTC.
    expect(timeZoneAnswer('What time is 3pm ET in UTC?', SUMMER)?.output).toBe('19:00')
    expect(timeZoneAnswer('What time is 14:00 UTC+2 in UTC?', WINTER)?.output).toBe('12:00')
  })

  it('gives the difference between two places\' clocks today', () => {
    expect(timeZoneAnswer('What is the time difference between London and Tokyo?', WINTER)).toMatchObject({ output: 9, text: 'Tokyo is 9 hours ahead of London (now 22:00 in Tokyo, 13:00 in London)' })
    expect(timeZoneAnswer('time difference between New York and Mumbai', SUMMER)).toMatchObject({ output: 9.5, text: expect.stringMatching(/^Mumbai is 9 hours 30 minutes ahead of New York/) })
    expect(timeZoneAnswer('What is the time difference between Paris and Berlin?', WINTER)?.text).toMatch(/^Berlin and Paris have the same time/)
  })

  it('names a place it knows no zone for, and leaves other questions alone', () => {
    expect(() => timeZoneAnswer('What time is 9am in Springfield in Tokyo?', WINTER)).toThrow("calculator: no time zone is known for 'Springfield'")
    for (const other of ['What time is it?', 'What time is it in Tokyo?', 'Convert 5 km to miles', 'What time will it be in 3 hours?', 'How long from 9:15 to 17:40?', 'Convert 3pm to 24-hour time']) {
      expect(timeZoneAnswer(other, WINTER), other).toBeUndefined()
      expect(asksTimeZone(other), other).toBe(false)
    }
    expect(asksTimeZone('What time is 9am in London in Tokyo?')).toBe(true)
    expect(asksTimeZone('What is the time difference between London and Tokyo?')).toBe(true)
  })

  it('reads the clock in a place named by an abbreviation, an offset or a city no zone is named after', () => {
    expect(clockAnswer('What time is it in UTC+2?', WINTER, 'Europe/London')).toMatchObject({ output: '15:00', text: '15:00 on Tuesday, 24 November 2026 in UTC+2 (UTC+2)' })
    expect(clockAnswer('What time is it in San Francisco?', WINTER)).toMatchObject({ output: '05:00' })
    expect(clockAnswer('What time is it in PST?', SUMMER)).toMatchObject({ output: '05:00', text: expect.stringContaining('in PST (UTC−8)') })
  })

  it('is the calculator\'s answer, and a verifier on another peer supports it by calculating it again', async () => {
    const asked = 'What time is 9am in London in Tokyo?'
    const got = await handler({ id: 't', text: asked }, testContext())
    expect(got.output).toMatch(/^1[78]:00$/)
    const checked = await verify({ id: 't:verify', text: 'Verify this answer', input: { task: { id: 't', text: asked }, result: { text: got.text, output: got.output } } }, testContext())
    expect(checked.verdict).toMatchObject({ vote: 'support', reason: `calculated again on this peer: ${got.text}, as claimed` })
    // Another time is not supported by that check (it is left to others: the format may be another version's).
    const other = await verify({ id: 't:verify', text: 'Verify this answer', input: { task: { id: 't', text: asked }, result: { text: '3:00 pm in Tokyo', output: '15:00' } } }, testContext({ search: async () => [] }))
    expect(other.verdict?.vote).not.toBe('support')
  })
})

describe('time zones: a time with no place given is the person\'s own', () => {
  it('converts it from the task\'s time zone, and says whose time it is', () => {
    // Before: "The meeting is at 3pm. What time is that in Berlin?" went to the researcher ("going by what you say").
    expect(timeZoneAnswer('What time is 3pm in Berlin?', WINTER, 'America/New_York')).toMatchObject({
      text: '9:00 pm in Berlin (Tuesday 24 November) when it is 3:00 pm your time (New York); Berlin is 6 hours ahead of your time (New York)',
      output: '21:00'
    })
    expect(timeZoneAnswer('Convert 3pm to Tokyo time', WINTER, 'Europe/London')?.output).toBe('00:00')
    // No zone known for the person: read in UTC, and the answer says so.
    expect(timeZoneAnswer('What time is 3pm in Berlin?', WINTER)?.text).toContain('when it is 3:00 pm UTC (your time zone is not known here)')
    expect(asksTimeZone('What time is 3pm in Berlin?')).toBe(true)
  })

  it('never reads "pm" as a place', () => {
    // Before: "no time zone is known for 'pm'" (the time read as 4:30 in a place called pm).
    expect(timeZoneAnswer('What time is 4:30 pm in Tokyo?', WINTER, 'UTC')?.output).toBe('01:30')
    expect(timeZoneAnswer('What time is 9:30 am New York time in Berlin?', WINTER)?.output).toBe('15:30')
  })

  it('answers a time told in the request, with no place, in the person\'s zone', async () => {
    const r = await handler({ id: 't', text: 'The call is at 4:30 pm. What time is that in Tokyo?', timeZone: 'America/New_York' }, testContext())
    expect(r.text).toMatch(/^6:30 am in Tokyo \(the next day, \w+ \d+ \w+\) when it is 4:30 pm your time \(New York\)/)
    expect(r.working).toContain('"that" is 4:30 pm, as the request says')
  })
})
