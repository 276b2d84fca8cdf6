import { describe, expect, it } from 'vitest'
import { asksClockArithmetic, clockArithmetic, durationsIn, showTime, timesIn } from '../../../src/agents/builtin/clock-times.ts'
import { handler as calculator } from '../../../src/agents/builtin/calculator.ts'
import { checkRederived } from '../../../src/agents/builtin/rederive.ts'
import { testContext } from './builtin-context.ts'

/** 2026-11-24 21:50 UTC. */
const NOW = Date.UTC(2026, 10, 24, 21, 50)
const at = (text: string) => clockArithmetic(text, NOW, 'UTC')

describe('times of day and durations', () => {
  it('reads times of day in 24 and 12 hours, and says what is not one', () => {
    expect(timesIn('at 9:40, 9 pm, 12:15 am, 7.30 p.m., noon and 7 o\'clock').map(t => showTime(t.minutes, false)))
      .toEqual(['09:40', '21:00', '00:15', '19:30', '12:00', '07:00'])
    expect(() => timesIn('at 25:10')).toThrow("'25:10' is not a time of day: an hour goes up to 23")
    expect(() => timesIn('at 13:00 pm')).toThrow('with am or pm the hour is 1 to 12')
    expect(() => timesIn('at 9:75')).toThrow('a minute goes up to 59')
  })

  it('reads durations in numbers and words', () => {
    expect(durationsIn('takes 2 hours 35 minutes').map(d => d.minutes)).toEqual([155])
    expect(durationsIn('an hour and a half').map(d => d.minutes)).toEqual([90])
    expect(durationsIn('half an hour').map(d => d.minutes)).toEqual([30])
    expect(durationsIn('2h35').map(d => d.minutes)).toEqual([155])
    expect(durationsIn('90 min').map(d => d.minutes)).toEqual([90])
    expect(durationsIn('two and a half hours').map(d => d.minutes)).toEqual([150])
    expect(durationsIn('a train at 9:40').map(d => d.minutes)).toEqual([])
  })
})

describe('arithmetic on times of day', () => {
  it('answers when a trip told as a story ends, or began', () => {
    expect(at('If a train leaves at 9:40 and the trip takes 2 hours 35 minutes, when does it arrive?'))
      .toMatchObject({ text: '12:15 (2 hours 35 minutes after 9:40)', output: '12:15', fromNow: false })
    expect(at('The meeting ends at 16:00 and lasted an hour and a half. When did it start?'))
      .toMatchObject({ text: '14:30 (1 hour 30 minutes before 16:00)', output: '14:30' })
    expect(at('I started work at 8:30 am and worked for 7 hours 45 minutes. When did I finish?'))
      .toMatchObject({ text: '4:15 pm (7 hours 45 minutes after 8:30 am)', output: '16:15' })
  })

  it('moves a time by a duration, across midnight too', () => {
    expect(at('What time is it 2 hours 35 minutes after 9:40?')?.output).toBe('12:15')
    expect(at('3 hours before 1:15 pm')?.text).toBe('10:15 am (3 hours before 1:15 pm)')
    expect(at('14:30 plus 90 minutes')?.output).toBe('16:00')
    expect(at('A flight departs at 11 pm and takes 9 hours. What time does it land?')?.text).toBe('8:00 am the next day (9 hours after 11 pm)')
    expect(at('What time was it 45 minutes before 0:10?')?.text).toBe('23:25 the day before (45 minutes before 0:10)')
  })

  it('gives the time between two times of day, past midnight too', () => {
    expect(at('How long is it from 9:15 to 17:40?')).toMatchObject({ text: '8 hours 25 minutes (505 minutes)', output: 505 })
    expect(at('How many minutes between 10:50 pm and 1:05 am?')?.output).toBe(135)
    expect(at('The film starts at 7:45 pm and ends at 10:10 pm. How long is it?')?.output).toBe(145)
  })

  it('takes breaks out of the time between two times of day', () => {
    // Before: "undefined symbol How".
    expect(at('How long is it from 9:15 am to 4:45 pm, minus a 30 minute lunch?')).toMatchObject({ text: '7 hours (420 minutes)', output: 420, steps: expect.arrayContaining(['450 - 30 minutes (30 minute) = 420 minutes']) })
    expect(at('How many hours from 8:30 to 17:00 not counting an hour for lunch?')?.output).toBe(450)
    expect(at('How long from 9:00 to 17:30 minus 45 minutes of breaks and a 30 minute lunch?')?.output).toBe(435)
    expect(() => at('How long from 9 am to 10 am minus 2 hours?')).toThrow('2 hours is more than the 1 hour from 9 am to 10 am')
    // A duration that is not taken out is no part of this question.
    expect(at('How long from 9:00 to 17:00 and 2 hours?')).toBeUndefined()
  })

  it('gives a difference between two times the nearer way round the clock, in either order', () => {
    // Before: 20 hours 20 minutes (to 11:20 the next morning), and the verifiers agreed.
    expect(at('What\'s the difference between 3 pm and 11:20 am?')).toMatchObject({ text: '3 hours 40 minutes (220 minutes)', output: 220 })
    expect(at('What\'s the difference between 3 pm and 11:20 am?')?.steps).toContain('11:20 am is earlier in the day: a difference has no direction, so 15:00 - 11:20')
    expect(at('What is the time difference between 11:20 and 15:00?')?.output).toBe(220)
    // Across midnight when that is nearer; and "from ... to" keeps its direction.
    expect(at('What is the difference between 10:50 pm and 1:05 am?')?.output).toBe(135)
    expect(at('How long is it from 3 pm to 11:20 am?')?.output).toBe(1220)
  })

  it('reads which time is now and which is the end, whichever comes first', () => {
    // Before: 22 hours 20 minutes (from 17:00 round to 15:20), and the verifiers agreed.
    expect(at("How many minutes until 17:00 if it's 15:20 now?")).toMatchObject({ output: 100, text: '1 hour 40 minutes (100 minutes)' })
    expect(at('How long until 9 am if it is 11 pm now?')?.output).toBe(600)
    expect(at('It is 15:20 now. How many minutes until 17:00?')?.output).toBe(100)
    expect(at('How long from 9:15 to 17:40?')?.output).toBe(505)
  })

  it('reads a time from now in the person\'s zone', () => {
    expect(at('What time will it be in 3 hours and 20 minutes?')).toMatchObject({ output: '01:10', fromNow: true, text: '01:10 the next day (3 hours 20 minutes from 21:50 now, UTC)' })
    expect(clockArithmetic('What time will it be in 30 minutes?', NOW, 'Asia/Tokyo')?.output).toBe('07:20')
  })

  it('counts from now to a time of day, in the unit asked', () => {
    // Before, "How many seconds until midnight?" found no expression, and the researcher answered it with an unrelated fact.
    const NOW_S = NOW + 15_000 // 21:50:15 UTC
    expect(clockArithmetic('How many seconds until midnight?', NOW_S, 'UTC')).toMatchObject({ output: 7785, fromNow: true, text: '7,785 seconds (until midnight, UTC)' })
    expect(at('How long until midnight?')).toMatchObject({ output: 130, text: '2 hours 10 minutes (until midnight, UTC)' })
    expect(at('How many minutes until 11pm?')).toMatchObject({ output: 70, text: '70 minutes (1 hour 10 minutes, until 11:00 pm, UTC)' })
    expect(at('How many hours until noon?')).toMatchObject({ output: 14.17, text: '14.17 hours (14 hours 10 minutes, until noon tomorrow, UTC)' })
    expect(at('How much time is left before 17:30 tomorrow?')).toMatchObject({ output: 1180, text: '19 hours 40 minutes (until 17:30 tomorrow, UTC)' })
    expect(at('How long until 9 am tomorrow?')?.output).toBe(670)
    expect(at('How long is it until 23:00 tomorrow?')?.text).toBe('1 day 1 hour 10 minutes (until 23:00 tomorrow, UTC)')
    // The person's zone: 06:50 in Tokyo.
    expect(clockArithmetic('How long until noon?', NOW, 'Asia/Tokyo')?.output).toBe(310)
    expect(asksClockArithmetic('How long until midnight?')).toBe(true)
    // A time told as now is still the span between two times.
    expect(at('How many minutes until 17:00 if it is 15:20 now?')?.output).toBe(100)
    // Not a question of how long: left to other readings.
    for (const t of ['Remind me until midnight', 'What happens at midnight?', 'How long until midnight on Friday 3 March?']) expect(at(t), t).toBeUndefined()
  })

  it('leaves other questions to the other readings', () => {
    for (const t of ['What time is it?', 'How many seconds in 2 hours?', 'Convert 90 minutes to hours', 'How many hours from 9:00 to 17:30 at $15 per hour?', 'The ratio is 3:2', 'Meet at 9:40']) {
      expect(at(t), t).toBeUndefined()
      expect(asksClockArithmetic(t), t).toBe(false)
    }
    expect(asksClockArithmetic('If a train leaves at 9:40 and the trip takes 2 hours 35 minutes, when does it arrive?')).toBe(true)
    // A passage is not a question about times, however it ends (every tab reads each request to bid).
    expect(asksClockArithmetic(`${'word '.repeat(100)}: when does a train that leaves at 9:40 and takes 2 hours arrive?`)).toBe(false)
    expect(durationsIn(`2 hours${' '.repeat(20_000)}x`).map(d => d.minutes)).toEqual([120])
    // A time that does not exist: the calculator bids, and says so.
    expect(asksClockArithmetic('What is 25:10 plus 10 minutes?')).toBe(true)
  })

  it('is what the calculator answers, and a verifier derives it again', async () => {
    const task = { id: 't-1', text: 'If a train leaves at 9:40 and the trip takes 2 hours 35 minutes, when does it arrive?' }
    const r = await calculator(task, testContext())
    expect(r).toMatchObject({ text: '12:15 (2 hours 35 minutes after 9:40)', output: '12:15' })
    expect(checkRederived({ task, result: { text: r.text, output: r.output } })?.verdict).toMatchObject({ vote: 'support', confidence: 0.99 })
    expect(checkRederived({ task, result: { text: '12:20 (2 hours 35 minutes after 9:40)', output: '12:20' } })?.verdict)
      .toMatchObject({ vote: 'dispute', reason: 'derived again: 12:15 (2 hours 35 minutes after 9:40), not 12:20' })
    const span = { id: 't-2', text: 'How long is it from 9:15 to 17:40?' }
    expect(checkRederived({ task: span, result: { text: 'It takes 8 hours and 25 minutes.' } })?.verdict.vote).toBe('support')
    expect(checkRederived({ task: span, result: { text: '8 hours 15 minutes' } })?.verdict.vote).toBe('dispute')
    // A time from now changes with the moment: not judged.
    expect(checkRederived({ task: { id: 't-3', text: 'What time will it be in 3 hours?' }, result: { text: '01:10', output: '01:10' } })).toBeUndefined()
    await expect(calculator({ id: 't-4', text: 'What is 25:10 plus 10 minutes?' }, testContext())).rejects.toThrow("'25:10' is not a time of day")
  })
})

describe('clock times: a span between times on named days', () => {
  it('counts the days between weekdays, and between today and tomorrow', () => {
    // Before: "between Monday 9am and Friday 5pm" was 8 hours (the weekdays went unread), and verified.
    expect(at('How many hours are there between Monday 9am and Friday 5pm?')).toMatchObject({ text: '104 hours (6,240 minutes; 4 days 8 hours)', output: 6240 })
    expect(at('How many hours from Friday 5pm to Monday 9am?')?.output).toBe(64 * 60)
    expect(at('How many hours from 9:00 on Monday until 17:30 on Wednesday?')?.output).toBe(56.5 * 60)
    // The same weekday, earlier in the day: the next week's.
    expect(at('How long from Monday 5pm to Monday 9am?')?.output).toBe(160 * 60)
    expect(at('How long is it from 9pm to tomorrow 5am?')?.output).toBe(8 * 60)
  })

  it('reads one day said for both times, and gives no answer it cannot count', () => {
    expect(at('How long from 9am to 5pm tomorrow?')?.output).toBe(480)
    expect(at('Monday from 9am to 5pm, how many hours?')?.output).toBe(480)
    // Which weekday today is, the request does not say: no reading (before, 8 hours).
    expect(at('How long from 9am to Friday 5pm?')).toBeUndefined()
    expect(() => at('How long from today 10pm to yesterday 9am?')).toThrow('yesterday 9am comes before today 10pm')
  })
})
