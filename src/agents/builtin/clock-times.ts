/**
 * Times of day and durations, for the calculator:
 *
 * - a time at a duration from another: "What time is it 2 hours 35 minutes after 9:40?", "3 hours
 *   before 1:15 pm", "14:30 plus 90 minutes", and the same told as a story: "If a train leaves at 9:40
 *   and the trip takes 2 hours 35 minutes, when does it arrive?", "The meeting ends at 16:00 and
 *   lasted an hour and a half. When did it start?";
 * - the time between two times of day: "How long is it from 9:15 to 17:40?", "How many minutes
 *   between 10:50 pm and 1:05 am?", "The film starts at 7:45 pm and ends at 10:10 pm. How long is it?";
 * - a time from now, in the person's time zone: "What time will it be in 3 hours and 20 minutes?".
 *
 * Before, the train question went unassigned ("no capable agent in the room: nobody bid") and the
 * calculator read "What time is it 2 hours 35 minutes after 9:40?" as an expression and failed.
 *
 * A time of day is "9:40", "9:40 am", "9 pm", "noon", "midnight" or "7 o'clock"; an answer is given
 * in the 12-hour form when the request used it, else in 24 hours, and says when it falls on the next
 * or the previous day. The output is the time as "HH:MM" (24 hours), or a duration in minutes.
 */
import { zonedTime } from './dates.ts'

const MINUTES_PER_DAY = 24 * 60

const MERIDIEM = String.raw`(a\.?\s?m\.?|p\.?\s?m\.?)`
/** "9:40", "9:40 pm", "9 pm", "9.40 pm" (a dot only with am/pm), "noon", "midnight", "7 o'clock". */
const TIME_OF_DAY = new RegExp(String.raw`\b(?:(\d{1,2}):(\d{2})(?:\s*${MERIDIEM}(?![a-z]))?|(\d{1,2})(?:\.(\d{2}))?\s*${MERIDIEM}(?![a-z])|(\d{1,2})\s+o['’]?\s?clock|(noon|midday|midnight))`, 'gi')

const NUMBER = String.raw`(?:\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|forty-five|fifty|ninety)`
const UNIT = String.raw`(?:hours?|hrs?|h|minutes?|mins?)`
const DURATION_PART = String.raw`\b(?:half\s+an\s+hour|an?\s+hour\s+and\s+a\s+half|a\s+quarter\s+of\s+an\s+hour|\d+\s*h\s*\d+\s*(?:m|min|mins)?\b|${NUMBER}\s*(?:and\s+a\s+half\s+)?${UNIT}\b)`
// The separators do not overlap ("\s*(?:,|and)?\s*" split a run of spaces every way: quadratic on a long one).
const DURATION = new RegExp(String.raw`${DURATION_PART}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s+)${DURATION_PART})*`, 'gi')

const WORD_NUMBERS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  fifteen: 15, twenty: 20, thirty: 30, forty: 40, 'forty-five': 45, fifty: 50, ninety: 90
}

interface FoundTime { text: string, index: number, minutes: number, twelveHour: boolean }
interface FoundDuration { text: string, index: number, minutes: number }

/** The times of day written in `text`, in order. An hour or minute out of range is an error naming it. */
export function timesIn (text: string): FoundTime[] {
  const out: FoundTime[] = []
  for (const m of text.matchAll(TIME_OF_DAY)) {
    let hour: number
    let minute = 0
    let meridiem: string | undefined
    if (m[1] !== undefined) { hour = Number(m[1]); minute = Number(m[2]); meridiem = m[3] } else if (m[4] !== undefined) { hour = Number(m[4]); minute = m[5] === undefined ? 0 : Number(m[5]); meridiem = m[6] } else if (m[7] !== undefined) { hour = Number(m[7]) } else {
      const word = m[8]!.toLowerCase()
      out.push({ text: m[0], index: m.index, minutes: word === 'midnight' ? 0 : 12 * 60, twelveHour: false })
      continue
    }
    if (minute > 59) throw new Error(`calculator: '${m[0]}' is not a time of day: a minute goes up to 59`)
    if (meridiem !== undefined) {
      if (hour < 1 || hour > 12) throw new Error(`calculator: '${m[0]}' is not a time of day: with am or pm the hour is 1 to 12`)
      const pm = /^p/i.test(meridiem)
      hour = (hour % 12) + (pm ? 12 : 0)
    } else if (hour > 23 && !(hour === 24 && minute === 0)) {
      throw new Error(`calculator: '${m[0]}' is not a time of day: an hour goes up to 23`)
    }
    out.push({ text: m[0].trim(), index: m.index, minutes: (hour * 60 + minute) % MINUTES_PER_DAY, twelveHour: meridiem !== undefined || m[7] !== undefined })
  }
  return out
}

/** The durations written in `text` ("2 hours 35 minutes", "90 min", "an hour and a half", "2h35"), in order. */
export function durationsIn (text: string): FoundDuration[] {
  const out: FoundDuration[] = []
  for (const m of text.matchAll(DURATION)) {
    // "9:40 am" and "5 m" are not durations: a time's minutes are followed by am/pm, not a unit.
    const before = text.slice(Math.max(0, m.index - 1), m.index)
    if (before === ':' || before === '.') continue
    const minutes = durationMinutes(m[0])
    if (minutes !== undefined) out.push({ text: m[0].trim(), index: m.index, minutes })
  }
  return out
}

function durationMinutes (text: string): number | undefined {
  const t = text.toLowerCase()
  let total = 0
  let any = false
  if (/half\s+an\s+hour/.test(t)) { total += 30; any = true }
  if (/a\s+quarter\s+of\s+an\s+hour/.test(t)) { total += 15; any = true }
  if (/an?\s+hour\s+and\s+a\s+half/.test(t)) { total += 90; any = true }
  const rest = t.replace(/half\s+an\s+hour|a\s+quarter\s+of\s+an\s+hour|an?\s+hour\s+and\s+a\s+half/g, ' ')
  for (const m of rest.matchAll(/(\d+)\s*h\s*(\d+)\s*(?:m|min|mins)?\b/g)) { total += Number(m[1]) * 60 + Number(m[2]); any = true }
  const rest2 = rest.replace(/(\d+)\s*h\s*(\d+)\s*(?:m|min|mins)?\b/g, ' ')
  for (const m of rest2.matchAll(new RegExp(String.raw`(${NUMBER})\s*(and\s+a\s+half\s+)?(${UNIT})\b`, 'g'))) {
    const n = /^\d/.test(m[1]!) ? Number(m[1]) : WORD_NUMBERS[m[1]!]
    if (n === undefined) continue
    const half = m[2] !== undefined ? 0.5 : 0
    total += (n + half) * (/^h/.test(m[3]!) ? 60 : 1)
    any = true
  }
  return any && Number.isFinite(total) ? Math.round(total * 100) / 100 : undefined
}

/** "9:40", "12:15 am", "1:30 pm": a time of day in minutes since midnight, shown as the request wrote times. */
export function showTime (minutes: number, twelveHour: boolean): string {
  const m = ((Math.round(minutes) % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY
  const h = Math.floor(m / 60)
  const mm = String(m % 60).padStart(2, '0')
  if (!twelveHour) return `${String(h).padStart(2, '0')}:${mm}`
  return `${h % 12 === 0 ? 12 : h % 12}:${mm} ${h < 12 ? 'am' : 'pm'}`
}

/** "2 hours 35 minutes", "45 minutes", "1 hour". */
export function showDuration (minutes: number): string {
  const whole = Math.round(minutes)
  const h = Math.floor(whole / 60)
  const m = whole % 60
  const parts: string[] = []
  if (h > 0) parts.push(`${h} hour${h === 1 ? '' : 's'}`)
  if (m > 0 || h === 0) parts.push(`${m} minute${m === 1 ? '' : 's'}`)
  return parts.join(' ')
}

/** "4 days 8 hours", "1 day 30 minutes": a span of a day or more in whole days. */
function showDays (minutes: number): string {
  const d = Math.floor(minutes / MINUTES_PER_DAY)
  const rest = minutes - d * MINUTES_PER_DAY
  return `${d} day${d === 1 ? '' : 's'}${rest > 0 ? ` ${showDuration(rest)}` : ''}`
}

function dayShift (minutes: number): string {
  const days = Math.floor(minutes / MINUTES_PER_DAY)
  if (days === 0) return ''
  if (days === 1) return ' the next day'
  if (days === -1) return ' the day before'
  return days > 0 ? ` ${days} days later` : ` ${-days} days before`
}

/** The request asks for a time (when, what time), not a length. */
const ASKS_WHEN = /\b(?:what\s+time|when|at\s+what\s+time|which\s+time)\b/i
/** The request asks for a length of time. */
const ASKS_HOW_LONG = /\bhow\s+long\b|\bhow\s+many\s+(?:hours|minutes|mins|hrs)\b|\b(?:time|hours|minutes|duration)\s+(?:is\s+there\s+|are\s+there\s+|elapses\s+|passes\s+)?(?:between|from)\b|\bhow\s+much\s+time\b|\b(?:elapsed|total)\s+time\b/i
/** Words that move back from the time given. */
const BACK = /\b(?:before|earlier\s+than|minus|subtract|take\s+away|ago|prior\s+to)\b|\s-\s/i
/** A story whose end is given and whose start is asked: "ends at 16:00 and lasted 90 minutes; when did it start?". */
const START_ASKED = /\b(?:when|what\s+time)\b[^.?!]*\b(?:start|begin|leave|depart|set\s+off|take\s+off|began|started|left|departed)\b|\b(?:start(?:ing)?|departure|leaving)\s+time\b/i
const END_GIVEN = /\b(?:ends?|ended|finish(?:es|ed)?|arriv(?:es|ed)|lands?|landed|is\s+over|gets?\s+(?:in|there|back)|got\s+(?:in|there|back)|must\s+be\s+(?:there|done|back))\b[^.?!]*$/i
/**
 * "How long until midnight?", "How many seconds till 5pm?", "How much time is left before 17:30?": from
 * now to the next such time. The words before the time, up to it; the unit asked, if any.
 */
const UNTIL_ASKED = /\b(?:how\s+long(?:\s+is\s+(?:it|there|left))?|how\s+much\s+time(?:\s+is\s+(?:there\s+)?(?:left|remaining))?|how\s+many\s+(seconds|secs|minutes|mins|hours|hrs)(?:\s+(?:are\s+)?(?:there|left|remaining))?|(?:time|seconds|minutes|hours)\s+(?:left|remaining))\s+(?:is\s+it\s+|are\s+there\s+|left\s+|remaining\s+)?(?:until|till|til|'?til|before|to)\s+(?:the\s+)?$/i
/** What may follow the time in such a question. */
const UNTIL_TAIL = /^\s*(?:today|tonight|(tomorrow)|here|now|in\s+my\s+time\s+zone|local\s+time)?\s*[?.!]*\s*$/i

/** "in 3 hours", "3 hours from now": a time from now. */
const FROM_NOW = /\bin\s+(?:about\s+)?(?=\S)|\bfrom\s+now\b|\blater\s+today\b/i

export interface ClockArithmetic {
  text: string
  /** "HH:MM" (24 hours) for a time of day, or minutes for a duration. */
  output: string | number
  steps: string[]
  /** The answer reads the clock (a time from now): it changes with the moment it is computed. */
  fromNow: boolean
}

/** Whether `request` asks for arithmetic on times of day (the bid rule's test). */
export function asksClockArithmetic (request: string): boolean {
  try {
    return readClockArithmetic(request) !== undefined
  } catch {
    return true // a time that does not exist ("25:10"): the calculator says so
  }
}

type Reading =
  | { kind: 'offset', from: FoundTime, by: FoundDuration, sign: 1 | -1 }
  | { kind: 'between', from: FoundTime, to: FoundTime, difference: boolean, less?: FoundDuration[], days?: { from: Day, to: Day } }
  | { kind: 'from-now', by: FoundDuration }
  | { kind: 'until', to: FoundTime, unit: 'seconds' | 'minutes' | 'hours' | undefined, tomorrow: boolean }

/** A question about times of day is short; a longer text is a passage (and every tab reads each request to bid). */
const MAX_REQUEST = 400

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']
/** A day a time of day is told on: a weekday ("Monday 9am", "5pm on Friday") or one next to today ("tomorrow at 9am"). */
interface Day { said: string, at: number, weekday?: number, offset?: number }
const DAY = String.raw`(monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|tomorrow|yesterday)`
const DAY_BEFORE = new RegExp(String.raw`\b(?:on\s+)?${DAY}(?:\s+(?:at|morning|afternoon|evening|night))?\s*,?\s*$`, 'i')
const DAY_AFTER = new RegExp(String.raw`^\s*,?\s*(?:on\s+)?${DAY}\b`, 'i')
const NEXT_TO_TODAY: Record<string, number> = { today: 0, tonight: 0, tomorrow: 1, yesterday: -1 }

/** The day `time` is told on in `text`, or undefined when none is said next to it. */
function dayOf (text: string, time: FoundTime): Day | undefined {
  const start = Math.max(0, time.index - 30)
  const before = DAY_BEFORE.exec(text.slice(start, time.index))
  const after = before === null ? DAY_AFTER.exec(text.slice(time.index + time.text.length, time.index + time.text.length + 20)) : null
  const m = before ?? after
  if (m === null) return undefined
  const at = before !== null ? start + before.index : time.index + time.text.length + after!.index
  const word = m[1]!.toLowerCase()
  return NEXT_TO_TODAY[word] !== undefined ? { said: m[1]!, at, offset: NEXT_TO_TODAY[word] } : { said: m[1]!, at, weekday: WEEKDAYS.indexOf(word) }
}

/**
 * The whole days from one day to another: from Monday to Friday 4, Friday to Monday 3 (the next
 * Monday), today to tomorrow 1; undefined when one is a weekday and the other is not (which weekday
 * today is, the request does not say).
 */
function daysBetween (from: Day, to: Day): number | undefined {
  if (from.weekday !== undefined && to.weekday !== undefined) return (to.weekday - from.weekday + 7) % 7
  if (from.offset !== undefined && to.offset !== undefined) return to.offset - from.offset
  return undefined
}

/** Words before a duration taken out of a span: "minus a 30 minute lunch", "less 45 minutes of breaks", "not counting an hour for lunch". */
const LESS = /\b(?:minus|less|without|excluding|excluding\s+an?|not\s+counting|except(?:\s+for)?|take\s+away|subtract(?:ing)?|deduct(?:ing)?|after\s+(?:taking\s+out|removing))\s+(?:an?\s+|the\s+)?$/i

function readClockArithmetic (request: string): Reading | undefined {
  const r = request.trim()
  if (r.length > MAX_REQUEST) return undefined
  const times = timesIn(r)
  const durations = durationsIn(r)
  if (times.length + durations.length === 0) return undefined
  // Other numbers ("from 9:00 to 17:30 at $15 an hour") make it another question: a price, a rate.
  let rest = r
  for (const x of [...times, ...durations].sort((a, b) => b.index - a.index)) rest = rest.slice(0, x.index) + ' ' + rest.slice(x.index + x.text.length)
  if (/\d/.test(rest)) return undefined
  // "from 9:15 am to 4:45 pm, minus a 30 minute lunch": the breaks taken out of the span.
  // A break after one taken out ("minus 45 minutes of breaks and a 30 minute lunch") is taken out too.
  const taken = durations.every((d, i) => LESS.test(r.slice(Math.max(0, d.index - 30), d.index)) ||
    (i > 0 && /^(?:\s+(?:of|for)(?:\s+[a-z]+){1,2})?\s*(?:,\s*|\s+)(?:and\s+|plus\s+)?(?:an?\s+|the\s+)?$/i.test(r.slice(durations[i - 1]!.index + durations[i - 1]!.text.length, d.index))))
  if (times.length === 2 && (durations.length === 0 || taken) && (ASKS_HOW_LONG.test(r) || /\b(?:between|from)\b/i.test(r))) {
    // "How many minutes until 17:00 if it's 15:20 now?": the end named first (before, 22 hours 20
    // minutes, from 17:00 round to 15:20).
    const [first, second] = [times[0]!, times[1]!]
    const isEnd = (t: FoundTime): boolean => /\b(?:until|till|til|to)\s+$/i.test(r.slice(Math.max(0, t.index - 8), t.index))
    const isNow = (t: FoundTime): boolean => /\b(?:it'?s|it\s+is)\s+(?:now\s+)?$/i.test(r.slice(Math.max(0, t.index - 12), t.index)) || /^\s*now\b/i.test(r.slice(t.index + t.text.length))
    const swap = (isEnd(first) && !isEnd(second)) || (isNow(second) && !isNow(first))
    const [from, to] = swap ? [second, first] : [first, second]
    // "between Monday 9am and Friday 5pm" is 4 days and 8 hours: before, the weekdays went unread
    // and the answer was 8 hours. A day said for one time only, or days that cannot be counted apart
    // (a weekday and "tomorrow"), is no question this reading answers.
    let [fromDay, toDay] = [dayOf(r, from), dayOf(r, to)]
    if ((fromDay === undefined) !== (toDay === undefined)) {
      const one = (fromDay ?? toDay)!
      // "Monday from 9am to 5pm", "from 9am to 5pm tomorrow": one day said outside the span is both times'.
      if (one.at < Math.min(from.index, to.index) || one.at > Math.max(from.index, to.index)) fromDay = toDay = undefined
      // "from 9pm to tomorrow 5am": the first time is today's.
      else if (toDay?.offset !== undefined) fromDay = { said: 'today', at: from.index, offset: 0 }
      else return undefined
    }
    if (fromDay !== undefined && toDay !== undefined && daysBetween(fromDay, toDay) === undefined) return undefined
    // "The difference between 3 pm and 11:20 am" has no direction: the nearer way round the clock.
    return { kind: 'between', from, to, difference: /\bdifference\b/i.test(r) && !/\bfrom\b/i.test(r) && fromDay === undefined, ...(durations.length > 0 ? { less: durations } : {}), ...(fromDay !== undefined && toDay !== undefined ? { days: { from: fromDay, to: toDay } } : {}) }
  }
  if (times.length === 1 && durations.length === 0) {
    const to = times[0]!
    const asked = UNTIL_ASKED.exec(r.slice(0, to.index))
    const tail = UNTIL_TAIL.exec(r.slice(to.index + to.text.length))
    if (asked !== null && tail !== null) {
      const word = asked[1]?.toLowerCase()
      const unit = word === undefined ? undefined : word.startsWith('s') ? 'seconds' : word.startsWith('m') ? 'minutes' : 'hours'
      return { kind: 'until', to, unit, tomorrow: tail[1] !== undefined }
    }
  }
  if (times.length === 1 && durations.length === 1) {
    const from = times[0]!
    const by = durations[0]!
    if (!ASKS_WHEN.test(r) && !/\b(?:plus|minus|add|subtract|after|before|later\s+than|earlier\s+than|\+|-)\s/i.test(r)) return undefined
    // "when did it start" of a story whose end is given goes back; "3 hours before 1:15 pm" too.
    const endGiven = END_GIVEN.test(r.slice(0, from.index + from.text.length + 1)) || /\b(?:ends?|ended|finish(?:es|ed)?|arriv(?:es|ed)|lands?|landed)\s+(?:at\s+)?$/i.test(r.slice(0, from.index))
    const back = (START_ASKED.test(r) && endGiven) || BACK.test(r.slice(by.index, from.index > by.index ? from.index : by.index + by.text.length + 20)) || /\b(?:subtract|minus)\b/i.test(r)
    return { kind: 'offset', from, by, sign: back ? -1 : 1 }
  }
  if (times.length === 0 && durations.length === 1 && /\bwhat\s+time\b/i.test(r) && FROM_NOW.test(r.slice(0, durations[0]!.index + durations[0]!.text.length + 12))) {
    return /\bin\s+(?:about\s+)?$/i.test(r.slice(0, durations[0]!.index)) || /\bfrom\s+now\b/i.test(r) ? { kind: 'from-now', by: durations[0]! } : undefined
  }
  return undefined
}

/**
 * The answer to a request for arithmetic on times of day, or undefined when the request asks none.
 * `now` and `timeZone` serve "What time will it be in 3 hours?" (the person's zone, from the task).
 */
export function clockArithmetic (request: string, now: number, timeZone?: string): ClockArithmetic | undefined {
  const reading = readClockArithmetic(request)
  if (reading === undefined) return undefined
  const steps: string[] = []
  if (reading.kind === 'between') {
    const { from, to } = reading
    let span = to.minutes - from.minutes
    const days = reading.days
    steps.push(days === undefined
      ? `from ${from.text} (${showTime(from.minutes, false)}) to ${to.text} (${showTime(to.minutes, false)})`
      : `from ${days.from.said} ${from.text} (${showTime(from.minutes, false)}) to ${days.to.said} ${to.text} (${showTime(to.minutes, false)})`)
    if (days !== undefined) {
      let n = daysBetween(days.from, days.to)!
      // "from Monday 5pm to Monday 9am" is the next Monday's morning: a week less 8 hours.
      if (n === 0 && span < 0 && days.from.weekday !== undefined) n = 7
      if (n * MINUTES_PER_DAY + span < 0) throw new Error(`calculator: ${days.to.said} ${to.text} comes before ${days.from.said} ${from.text}`)
      if (n !== 0) steps.push(`${days.from.said} to ${days.to.said}: ${n} day${n === 1 ? '' : 's'} = ${n * MINUTES_PER_DAY} minutes`)
      steps.push(`${n * MINUTES_PER_DAY} + (${showTime(to.minutes, false)} - ${showTime(from.minutes, false)}) = ${n * MINUTES_PER_DAY + span} minutes`)
      span += n * MINUTES_PER_DAY
    } else if (reading.difference && Math.abs(span) <= MINUTES_PER_DAY - Math.abs(span)) {
      // Before: "the difference between 3 pm and 11:20 am" was 20 hours 20 minutes, to the next morning.
      if (span < 0) steps.push(`${to.text} is earlier in the day: a difference has no direction, so ${showTime(from.minutes, false)} - ${showTime(to.minutes, false)}`)
      steps.push(`${showTime(Math.max(from.minutes, to.minutes), false)} - ${showTime(Math.min(from.minutes, to.minutes), false)} = ${Math.abs(span)} minutes`)
      span = Math.abs(span)
    } else {
      if (span < 0) { span += MINUTES_PER_DAY; steps.push(`${to.text} is earlier in the day: it is the next day's, + 24 hours`) }
      steps.push(`${showTime(to.minutes, false)} - ${showTime(from.minutes, false)} = ${span} minutes`)
    }
    for (const d of reading.less ?? []) {
      if (d.minutes > span) throw new Error(`calculator: ${d.text} is more than the ${showDuration(span)} from ${from.text} to ${to.text}`)
      steps.push(`${span} - ${d.minutes} minutes (${d.text}) = ${span - d.minutes} minutes`)
      span -= d.minutes
    }
    const whole = span >= MINUTES_PER_DAY ? `; ${showDays(span)}` : ''
    const text = span >= 60 ? `${showDuration(span)} (${span.toLocaleString('en-US')} minutes${whole})` : showDuration(span)
    return { text, output: span, steps, fromNow: false }
  }
  if (reading.kind === 'until') {
    // To the second: the clock's seconds count when seconds are asked ("How many seconds until midnight?").
    const z = zonedTime(now, timeZone)
    const nowSeconds = (z.hour * 60 + z.minute) * 60 + Math.floor(now / 1000) % 60
    let span = reading.to.minutes * 60 - nowSeconds
    const where = `${z.zone}${z.fallback !== undefined ? ` (${z.fallback})` : ''}`
    const day = MINUTES_PER_DAY * 60
    const named = /^[a-z]+$/i.test(reading.to.text) ? reading.to.text.toLowerCase() : undefined
    steps.push(`now: ${showTime(z.hour * 60 + z.minute, false)}:${String(nowSeconds % 60).padStart(2, '0')} in ${where}`)
    // Midnight is always the coming one (the end of today); another time passed today is tomorrow's.
    if (reading.tomorrow) { span += day; steps.push(`${reading.to.text} tomorrow: + 24 hours`) } else if (span <= 0) { span += day; if (named !== 'midnight') steps.push(`${reading.to.text} has passed today: tomorrow's, + 24 hours`) }
    steps.push(`to ${reading.to.text} (${showTime(reading.to.minutes, false)}): ${span} seconds`)
    const shownTime = named ?? showTime(reading.to.minutes, reading.to.twelveHour)
    const until = `until ${shownTime}${span > day - nowSeconds && named !== 'midnight' ? ' tomorrow' : ''}, ${z.zone}`
    const minutes = Math.round(span / 60)
    if (reading.unit === 'seconds') return { text: `${span.toLocaleString('en-US')} seconds (${until})`, output: span, steps, fromNow: true }
    if (reading.unit === 'hours') {
      const hours = Math.round(span / 36) / 100
      return { text: `${hours} hours (${showDuration(minutes)}, ${until})`, output: hours, steps, fromNow: true }
    }
    const long = minutes >= MINUTES_PER_DAY ? showDays(minutes) : showDuration(minutes)
    const text = reading.unit === 'minutes' ? `${minutes.toLocaleString('en-US')} minutes (${minutes >= 60 ? `${long}, ` : ''}${until})` : `${long} (${until})`
    return { text, output: minutes, steps, fromNow: true }
  }
  if (reading.kind === 'from-now') {
    const z = zonedTime(now, timeZone)
    const start = z.hour * 60 + z.minute
    const end = start + reading.by.minutes
    steps.push(`now: ${showTime(start, false)} in ${z.zone}${z.fallback !== undefined ? ` (${z.fallback})` : ''}`, `+ ${reading.by.text} (${reading.by.minutes} minutes)`, `= ${showTime(end, false)}${dayShift(end)}`)
    return { text: `${showTime(end, false)}${dayShift(end)} (${showDuration(reading.by.minutes)} from ${showTime(start, false)} now, ${z.zone})`, output: showTime(end, false), steps, fromNow: true }
  }
  const { from, by, sign } = reading
  const end = from.minutes + sign * by.minutes
  const twelve = from.twelveHour
  steps.push(`time: ${from.text} (${showTime(from.minutes, false)})`, `${sign < 0 ? '-' : '+'} ${by.text} (${by.minutes} minutes)`, `= ${showTime(end, false)}${dayShift(end)}`)
  const text = `${showTime(end, twelve)}${dayShift(end)} (${showDuration(by.minutes)} ${sign < 0 ? 'before' : 'after'} ${from.text})`
  return { text, output: showTime(end, false), steps, fromNow: false }
}
