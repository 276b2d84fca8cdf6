/**
 * Counting days between dates, for the calculator: "How many days are there between January 1, 2027
 * and March 3, 2027?", "days from 2027-01-01 to 2027-03-03", "How many weeks until 25 December
 * 2026?" (from today), "How many days ago was March 3, 2026?". In a mission, a part that names one
 * date and refers to another ("Compute how many days after January 1, 2027 that is") takes the one
 * date in the results it depends on ("... the beta launches on March 3, 2027 ...").
 *
 * Dates are calendar days (no time of day): written "March 3, 2027", "Mar 3 2027", "3 March 2027",
 * "3rd of March, 2027" or "2027-03-03". A date that does not exist (February 30) is an error, not a
 * guess. "Today" is the person's: read in the time zone the task carries (`task.timeZone`, sent by
 * the tab where it was asked), as is the clock ("What time is it?", at the end of this file).
 */
import { numberWordsToDigits } from './number-words.ts'
import { listed } from './wording.ts'

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
/** A month's name or abbreviation, captured ("March", "mar.", "Sept"). */
export const MONTH = String.raw`(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`
const DAY = String.raw`(\d{1,2})(?:st|nd|rd|th)?`
const YEAR = String.raw`(\d{4})`
const DATE_FORMS: { pattern: RegExp, read: (m: RegExpExecArray) => [number, number, number] }[] = [
  { pattern: new RegExp(String.raw`\b${MONTH}\s+${DAY},?\s+${YEAR}\b`, 'gi'), read: m => [Number(m[3]), monthOf(m[1]!), Number(m[2])] },
  { pattern: new RegExp(String.raw`\b${DAY}\s+(?:of\s+)?${MONTH},?\s+${YEAR}\b`, 'gi'), read: m => [Number(m[3]), monthOf(m[2]!), Number(m[1])] },
  { pattern: /\b(\d{4})-(\d{2})-(\d{2})\b/g, read: m => [Number(m[1]), Number(m[2]), Number(m[3])] }
]
const MS_PER_DAY = 86_400_000

function monthOf (name: string): number {
  return MONTH_NAMES.indexOf(name.slice(0, 3).toLowerCase()) + 1
}

export interface FoundDate {
  /** As written. */
  text: string
  index: number
  /** Days since 1970-01-01. */
  day: number
}

/** The dates written in `text`, in order. A date that does not exist is an error naming it. */
export function datesIn (text: string): FoundDate[] {
  const found: FoundDate[] = []
  for (const form of DATE_FORMS) {
    for (const m of text.matchAll(form.pattern)) {
      if (found.some(f => m.index < f.index + f.text.length && f.index < m.index + m[0].length)) continue
      const [y, mo, d] = form.read(m as RegExpExecArray)
      const ms = Date.UTC(y, mo - 1, d)
      const back = new Date(ms)
      if (mo < 1 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
        throw new Error(`calculator: '${m[0]}' is not a date`)
      }
      found.push({ text: m[0], index: m.index, day: Math.round(ms / MS_PER_DAY) })
    }
  }
  return found.sort((a, b) => a.index - b.index)
}

/** A day and month without a year ("December 25", "25th of December"): counted from today, so the next (or the last) one. */
const YEARLESS: { pattern: RegExp, read: (m: RegExpExecArray) => [number, number] }[] = [
  { pattern: new RegExp(String.raw`\b${MONTH}\s+${DAY}\b(?!,?\s+\d{4})`, 'i'), read: m => [monthOf(m[1]!), Number(m[2])] },
  { pattern: new RegExp(String.raw`\b${DAY}\s+(?:of\s+)?${MONTH}(?![\w,]*\s+\d{4})`, 'i'), read: m => [monthOf(m[2]!), Number(m[1])] }
]
/** Days with a fixed date, by name. */
const NAMED_DAYS: { pattern: RegExp, month: number, day: number }[] = [
  { pattern: /\bchristmas\s+eve\b/i, month: 12, day: 24 },
  { pattern: /\b(?:christmas|xmas)(?:\s+day)?\b/i, month: 12, day: 25 },
  { pattern: /\bboxing\s+day\b/i, month: 12, day: 26 },
  { pattern: /\bnew\s+year'?s?\s+eve\b|\b(?:the\s+)?end\s+of\s+(?:the|this)\s+year\b/i, month: 12, day: 31 },
  { pattern: /\bnew\s+year(?:'?s)?(?:\s+day)?\b/i, month: 1, day: 1 },
  { pattern: /\bhalloween\b/i, month: 10, day: 31 },
  { pattern: /\bvalentine'?s?(?:\s+day)?\b/i, month: 2, day: 14 },
  { pattern: /\b(?:st\.?|saint)\s+patrick'?s?(?:\s+day)?\b/i, month: 3, day: 17 }
]
/** Counting back: the last such day, not the next one. */
const PAST = /\b(?:since|ago)\b/i

/** A moment as a person reads it in a time zone. */
export interface ZonedTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  weekday: string
  /** The IANA zone it was read in. */
  zone: string
  /** Set when the zone asked for is unknown to this runtime and the agent's own was used instead. */
  fallback?: string
}

/**
 * `now` read in `timeZone` (the person's, from the task), else in this runtime's own zone. A zone
 * this runtime does not know is not an error: the agent's zone is used, and `fallback` says so.
 */
export function zonedTime (now: number, timeZone?: string): ZonedTime {
  const read = (zone: string | undefined): ZonedTime => {
    const f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23', weekday: 'long' })
    const parts = Object.fromEntries(f.formatToParts(now).map(p => [p.type, p.value]))
    return {
      year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour) % 24, minute: Number(parts.minute),
      weekday: parts.weekday ?? '', zone: f.resolvedOptions().timeZone
    }
  }
  if (timeZone === undefined) return read(undefined)
  try {
    return read(timeZone)
  } catch {
    const own = read(undefined)
    return { ...own, fallback: `the time zone ${timeZone} is unknown here; read in ${own.zone}` }
  }
}

/** Today as a calendar day in the person's time zone (days since 1970-01-01). */
function localDay (z: ZonedTime): number {
  return Math.round(Date.UTC(z.year, z.month - 1, z.day) / MS_PER_DAY)
}

/**
 * A day of the request written without a year, or named ("Christmas"): its next occurrence from
 * today (today included), or its last one for "since"/"ago". A day that does not exist in any year
 * (February 30) is an error; February 29 counts to the next (or last) leap year.
 */
function yearlessDay (request: string, today: number): FoundDate | undefined {
  let found: { text: string, index: number, month: number, day: number } | undefined
  for (const form of YEARLESS) {
    const m = form.pattern.exec(request)
    if (m !== null) { const [month, day] = form.read(m); found = { text: m[0], index: m.index, month, day }; break }
  }
  if (found === undefined) {
    for (const named of NAMED_DAYS) {
      const m = named.pattern.exec(request)
      if (m !== null) { found = { text: m[0], index: m.index, month: named.month, day: named.day }; break }
    }
  }
  if (found === undefined) return undefined
  if (found.month < 1 || found.day < 1 || found.day > [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][found.month - 1]!) {
    throw new Error(`calculator: '${found.text}' is not a date`)
  }
  const past = PAST.test(request)
  const year = new Date(today * MS_PER_DAY).getUTCFullYear()
  for (let i = 0; i <= 8; i++) {
    const y = past ? year - i : year + i
    const ms = Date.UTC(y, found.month - 1, found.day)
    if (new Date(ms).getUTCDate() !== found.day) continue // February 29 of a common year
    const day = Math.round(ms / MS_PER_DAY)
    if (past ? day <= today : day >= today) return { text: `${found.text} (${new Date(ms).toISOString().slice(0, 10)})`, index: found.index, day }
  }
  return undefined
}

/**
 * Two days named ("between Christmas and New Year's Day", "from Halloween to Christmas"): the first
 * the next one from today (today included), the second the first one on or after it. Before, the
 * calculator found no dates in these. Undefined unless exactly two named days and no other date.
 */
function namedPair (request: string, today: number): FoundDate[] | undefined {
  const found: Array<{ text: string, index: number, month: number, day: number }> = []
  for (const named of NAMED_DAYS) {
    for (const m of request.matchAll(new RegExp(named.pattern.source, 'gi'))) {
      if (found.some(f => m.index < f.index + f.text.length && f.index < m.index + m[0].length)) continue
      found.push({ text: m[0], index: m.index, month: named.month, day: named.day })
    }
  }
  if (found.length !== 2 || YEARLESS.some(f => f.pattern.test(request))) return undefined
  found.sort((a, b) => a.index - b.index)
  const next = (f: typeof found[number], from: number): FoundDate | undefined => {
    const year = new Date(from * MS_PER_DAY).getUTCFullYear()
    for (let y = year; y <= year + 8; y++) {
      const ms = Date.UTC(y, f.month - 1, f.day)
      const day = Math.round(ms / MS_PER_DAY)
      if (new Date(ms).getUTCDate() === f.day && day >= from) return { text: `${f.text} (${new Date(ms).toISOString().slice(0, 10)})`, index: f.index, day }
    }
    return undefined
  }
  const first = next(found[0]!, today)
  const second = first === undefined ? undefined : next(found[1]!, first.day)
  return first === undefined || second === undefined ? undefined : [first, second]
}

/** The weekday of a day (days since 1970-01-01, a Thursday): 0 a Sunday, 6 a Saturday. */
function weekdayOf (day: number): number {
  return (((day + 4) % 7) + 7) % 7
}

const RELATIVE_WEEKDAY = /\b(?:(next|this|coming|last|past|previous)\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/i

/**
 * A weekday said relative to today: "next Monday" and "Monday" are the first Monday after today,
 * "this Friday" the first on or after today, "last Tuesday" the latest before today. The text says
 * which date it took. Undefined when `text` names no weekday.
 */
export function relativeWeekday (text: string, today: number): FoundDate | undefined {
  const m = RELATIVE_WEEKDAY.exec(text)
  if (m === null) return undefined
  const which = (m[1] ?? '').toLowerCase()
  const target = WEEKDAY_NAMES.findIndex(w => w.toLowerCase() === m[2]!.toLowerCase())
  const weekday = weekdayOf(today)
  let day: number
  let how: string
  if (which === 'last' || which === 'past' || which === 'previous') {
    day = today - ((weekday - target + 7) % 7 || 7)
    how = `the latest ${WEEKDAY_NAMES[target]!} before today`
  } else if (which === 'this') {
    day = today + ((target - weekday + 7) % 7)
    how = `the first ${WEEKDAY_NAMES[target]!} from today on`
  } else {
    day = today + ((target - weekday + 7) % 7 || 7)
    how = `the first ${WEEKDAY_NAMES[target]!} after today`
  }
  return { text: `${m[0]} (${isoDay(day)}, ${how})`, index: m.index, day }
}

/**
 * Two dates of one span where only one says its year, or its month: "between 1 December and 24
 * December 2026", "from 1 December 2026 to 24 December", "between 1 and 24 December 2026", "between
 * March 3 and July 4" (neither says a year: the first is its next one from today, the second the
 * first after it). Undefined when the request holds no such pair.
 */
function pairedDates (request: string, dated: FoundDate[], today: number): FoundDate[] | undefined {
  if (dated.length >= 2) return undefined
  const overlaps = (index: number, length: number): boolean => dated.some(d => index < d.index + d.text.length && d.index < index + length)
  // "1 and 24 December 2026", "1-24 December": the first day takes the second's month (and year).
  const range = new RegExp(String.raw`\b${DAY}\s*(?:and|to|until|till|-|–)\s*${DAY}\s+(?:of\s+)?${MONTH}(?:,?\s+${YEAR})?\b`, 'i').exec(request)
  let parts: { text: string, index: number, month: number, day: number, year?: number }[] = []
  if (range !== null) {
    const month = monthOf(range[3]!)
    const year = range[4] === undefined ? undefined : Number(range[4])
    const said = `${range[3]}${range[4] === undefined ? '' : ` ${range[4]}`}`
    parts = [
      { text: `${range[1]} ${said}`, index: range.index, month, day: Number(range[1]), ...(year !== undefined ? { year } : {}) },
      { text: `${range[2]} ${said}`, index: range.index + 1, month, day: Number(range[2]), ...(year !== undefined ? { year } : {}) }
    ]
  } else {
    for (const form of YEARLESS) {
      for (const m of request.matchAll(new RegExp(form.pattern.source, 'gi'))) {
        if (overlaps(m.index, m[0].length) || parts.some(p => m.index < p.index + p.text.length && p.index < m.index + m[0].length)) continue
        const [month, day] = form.read(m as RegExpExecArray)
        parts.push({ text: m[0], index: m.index, month, day })
      }
    }
    if (parts.length + dated.length !== 2 || parts.length === 0) return undefined
    // The one dated gives its year to the other.
    if (dated.length === 1) {
      const year = new Date(dated[0]!.day * MS_PER_DAY).getUTCFullYear()
      parts = parts.map(p => ({ ...p, year }))
    }
  }
  // A date the range holds ("24 December 2026" in "1 and 24 December 2026") is its second end.
  const out: FoundDate[] = range === null ? [...dated] : dated.filter(d => !(d.index < range.index + range[0].length && range.index < d.index + d.text.length))
  if (out.length + parts.length !== 2) return undefined
  for (const p of parts.sort((a, b) => a.index - b.index)) {
    let year = p.year
    if (year === undefined) {
      const before = out.length > 0 ? out[0]!.day : today
      year = new Date(before * MS_PER_DAY).getUTCFullYear()
      if (Math.round(Date.UTC(year, p.month - 1, p.day) / MS_PER_DAY) < before) year++
    }
    const ms = Date.UTC(year, p.month - 1, p.day)
    const back = new Date(ms)
    if (back.getUTCMonth() !== p.month - 1 || back.getUTCDate() !== p.day) throw new Error(`calculator: '${p.text}' is not a date in ${year}`)
    const day = Math.round(ms / MS_PER_DAY)
    out.push({ text: `${p.text} (${isoDay(day)})`, index: p.index, day })
  }
  return out.sort((a, b) => a.index - b.index)
}

/** A date with where it was read: "the request", "the result of s1". */
interface SourcedDate { date: FoundDate, from: string }

/**
 * The dates of the results a mission part depends on, one per day: an answer that quotes two
 * statements of the same date names one date, not two.
 */
function earlierDates (upstream: { id: string, text: string }[]): SourcedDate[] {
  const dates = upstream.flatMap(u => datesIn(u.text).map(date => ({ date, from: `the result of ${u.id}` })))
  return dates.filter((d, i) => dates.findIndex(x => x.date.day === d.date.day) === i)
}

/** A reference to the one date an earlier part found ("that date"). */
const THAT_DATE = /\b(?:that|this)\s+(?:date|day)\b/i

/** "that date" refers to one date, and the earlier results name several: the error naming them. */
function severalDatesError (reference: string, earlier: SourcedDate[]): Error {
  return new Error(`calculator: "${reference}" is one date, and the earlier results name ${earlier.length}: ${earlier.map(e => `${e.date.text} (${e.from})`).join(', ')}`)
}

/** A day (days since 1970-01-01) as YYYY-MM-DD. */
function isoDay (day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10)
}

/** A request to count days or weeks. */
const COUNT = /\b(?:how\s+many|number\s+of|count\s+(?:the\s+)?)\s*(?:(?:working|work|business|school)\s+|week\s*)?(days|weeks)\b|\b(days|weeks)\s+(?:are\s+there\s+|is\s+it\s+|were\s+there\s+|(?:are\s+)?left\s+)?(?:between|from|until|till|since|to\s+go\s+until)\b/i
/** Days Monday to Friday: "working days", "business days", "weekdays". */
const WORKING_DAYS = /\b(?:working|work|business|school)\s+days\b|\bweek\s*days\b/i
/** The other end is today. */
/** A span between two dates: "between ... and ...", "from ... to ...". */
const COUNT_BETWEEN = /\bbetween\b.+\band\b|\bfrom\b.+\b(?:to|until|till)\b/i
const FROM_TODAY = /\b(?:until|till|to\s+go\s+until|before|since|ago|from\s+(?:now|today)|left\s+(?:until|before))\b/i

/** "How long ago was 1 January 2020?", "How long until 1 March 2027?", "how long has it been since ...": a span in years, months and days. */
const HOW_LONG = /\bhow\s+long\s+(?:ago\s+(?:was|is|did)\b|(?:is\s+(?:it|there)\s+|has\s+it\s+been\s+|will\s+it\s+be\s+|do\s+we\s+have\s+)?(?:until|till|since|before)\b)/i

/** Whether `request` asks to count days or weeks (the bid rule's test; the dates may come from earlier results), or how long ago or until a date it names is. */
export function countsDays (request: string): boolean {
  if (COUNT.test(request)) return true
  if (!HOW_LONG.test(request)) return false
  try {
    return countDays(request, [], Date.now()) !== undefined
  } catch {
    return true
  }
}

export interface DayCount {
  text: string
  output: number
  steps: string[]
}

/**
 * The days (or weeks) between two dates of `request`, or one of it and one of the earlier results,
 * or one of it and today; undefined when the request does not count days between dates.
 */
export function countDays (request: string, upstream: { id: string, text: string }[], now: number, timeZone?: string): DayCount | undefined {
  const asked = COUNT.exec(request)
  const long = asked === null ? HOW_LONG.exec(request) : null
  if (asked === null && long === null) return undefined
  const unit = asked === null ? 'span' : (asked[1] ?? asked[2]!).toLowerCase() as 'days' | 'weeks'
  const zoned = zonedTime(now, timeZone)
  const todayFrom = `today in ${zoned.zone}${zoned.fallback !== undefined ? `: ${zoned.fallback}` : ''}`
  let own = datesIn(request)
  // "How many days are left in the year?", "... until the end of the month": to its last day.
  const endOf = /\b(?:left|remaining|to\s+go)\s+(?:in|of)\s+(?:the|this)\s+(year|month)\b|\b(?:until|till|before)\s+the\s+end\s+of\s+(?:the|this)\s+(year|month)\b/i.exec(request)
  if (own.length === 0 && endOf !== null) {
    const today = new Date(localDay(zoned) * MS_PER_DAY)
    const last = (endOf[1] ?? endOf[2]!).toLowerCase() === 'year' ? Date.UTC(today.getUTCFullYear(), 11, 31) : Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 0)
    const day = Math.round(last / MS_PER_DAY)
    own = [{ text: isoDay(day), index: endOf.index, day }]
  }
  // "between 1 December and 24 December 2026": the year (or month) said once serves both.
  if (own.length < 2 && COUNT_BETWEEN.test(request)) own = pairedDates(request, own, localDay(zoned)) ?? own
  // "between Christmas and New Year's Day": two days named, the second the first after the first.
  if (own.length === 0 && COUNT_BETWEEN.test(request)) own = namedPair(request, localDay(zoned)) ?? own
  if (own.length === 0 && FROM_TODAY.test(request)) {
    const day = yearlessDay(request, localDay(zoned)) ?? relativeWeekday(request, localDay(zoned))
    if (day !== undefined) own = [day]
  }
  if (own.length === 0 && upstream.length === 0) return undefined
  let ends: SourcedDate[]
  if (own.length >= 2) {
    if (own.length > 2) throw new Error(`calculator: counting ${unit} needs two dates, and the request names ${own.length} (${own.map(d => d.text).join(', ')})`)
    ends = own.map(date => ({ date, from: 'the request' }))
  } else {
    const earlier = earlierDates(upstream)
    const that = THAT_DATE.exec(request)
    if (own.length === 1 && earlier.length === 1) ends = [{ date: own[0]!, from: 'the request' }, earlier[0]!]
    else if (own.length === 0 && earlier.length >= 2 && that !== null) throw severalDatesError(that[0], earlier)
    else if (own.length === 0 && earlier.length === 2) ends = earlier
    else if (own.length + earlier.length === 1 && (FROM_TODAY.test(request) || endOf !== null)) {
      const today = localDay(zoned)
      ends = [own[0] !== undefined ? { date: own[0], from: 'the request' } : earlier[0]!, { date: { text: isoDay(today), index: -1, day: today }, from: todayFrom }]
    } else if (own.length + earlier.length === 0) {
      // "How many days until that date?" after a part that found no date: say so, not "not a number".
      if (upstream.length > 0 && /\b(?:that|this|the)\s+(?:date|day)\b/i.test(request)) {
        const u = upstream[upstream.length - 1]!
        throw new Error(`calculator: counting ${unit} to that date needs a date, and the result of ${u.id} names none: "${u.text.length > 120 ? `${u.text.slice(0, 119)}…` : u.text}"`)
      }
      return undefined
    } else {
      const all = [...own.map(d => d.text), ...earlier.map(e => e.date.text)]
      throw new Error(`calculator: counting ${unit} needs two dates; found ${all.length === 1 ? `only '${all[0]}'` : `${all.length}: ${all.join(', ')}`}`)
    }
  }
  const [a, b] = ends as [SourcedDate, SourcedDate]
  const days = Math.abs(b.date.day - a.date.day)
  const steps = [
    ...ends.map(e => `date: ${e.date.text} (${e.from})`),
    `${days} day${days === 1 ? '' : 's'} between ${a.date.text} and ${b.date.text}`
  ]
  if (unit === 'days' && WORKING_DAYS.test(request)) {
    // Before: "How many working days until 15 December 2026?" counted every day (21, not 15).
    const [from, to] = a.date.day <= b.date.day ? [a.date, b.date] : [b.date, a.date]
    // Whole weeks hold 5 each; the days left over are counted one by one (weekday 0 a Sunday, 6 a Saturday).
    const span = to.day - from.day
    let working = Math.floor(span / 7) * 5
    for (let d = to.day - (span % 7) + 1; d <= to.day; d++) if (weekdayOf(d) % 6 !== 0) working++
    const counted = `Monday to Friday, after ${from.text} up to and including ${to.text}`
    steps.push(`${counted}: ${working}`)
    return { text: `${working} working day${working === 1 ? '' : 's'} (${counted}; public holidays not taken out)`, output: working, steps }
  }
  if (unit === 'days') return { text: `${days} day${days === 1 ? '' : 's'}`, output: days, steps }
  if (unit === 'span') {
    // "How long ago was 1 January 2020?": before, "undefined symbol How".
    const span = calendarSpan(Math.min(a.date.day, b.date.day), Math.max(a.date.day, b.date.day))
    const text = days < 7 ? `${days} day${days === 1 ? '' : 's'}` : `${span} (${days.toLocaleString('en-US')} days)`
    return { text, output: days, steps: [...steps, `by the calendar: ${span}`] }
  }
  const weeks = Math.floor(days / 7)
  const rest = days % 7
  const text = `${weeks} week${weeks === 1 ? '' : 's'}${rest === 0 ? '' : ` and ${rest} day${rest === 1 ? '' : 's'}`}`
  return { text, output: Math.round(days / 7 * 100) / 100, steps: [...steps, `= ${text}`] }
}

/** The span from day `from` to day `to` (days since 1970-01-01, `from` ≤ `to`) by the calendar: "6 years, 10 months and 23 days". */
function calendarSpan (from: number, to: number): string {
  const a = new Date(from * MS_PER_DAY)
  const b = new Date(to * MS_PER_DAY)
  let years = b.getUTCFullYear() - a.getUTCFullYear()
  let months = b.getUTCMonth() - a.getUTCMonth()
  let days = b.getUTCDate() - a.getUTCDate()
  if (days < 0) {
    months -= 1
    days += new Date(Date.UTC(b.getUTCFullYear(), b.getUTCMonth(), 0)).getUTCDate()
  }
  if (months < 0) {
    years -= 1
    months += 12
  }
  const parts = [[years, 'year'], [months, 'month'], [days, 'day']].filter(([n]) => n !== 0).map(([n, w]) => `${n} ${w}${n === 1 ? '' : 's'}`)
  if (parts.length === 0) return '0 days'
  return listed(parts)
}

// ---------------------------------------------------------------------------------------------
// A date some days, weeks, months or years from another: "What date is 90 days from today?", "What
// date will it be 2 weeks after March 3, 2027?", "What was the date 30 days before Christmas?",
// "What's the date in 3 weeks?", "10 days ago"; in a mission, "... after that date" takes the one
// date the part before found.

const OFFSET = String.raw`(\d+|an?|one)\s+(days?|weeks?|months?|years?)`
const OFFSET_FROM = new RegExp(String.raw`\b${OFFSET}\s+(from|after|before|later\s+than|earlier\s+than|past|since)\s+(.+?)\s*[?.!]*$`, 'i')
const OFFSET_IN = new RegExp(String.raw`\bin\s+${OFFSET}(?:\s+(?:from\s+)?(?:now|today|time))?\s*[?.!]*$`, 'i')
const OFFSET_AGO = new RegExp(String.raw`\b${OFFSET}\s+ago\s*[?.!]*$`, 'i')
/** The request asks for a date, not a count ("How many days ..." is countDays'). */
const ASKS_A_DATE = /\b(?:what|which)\s+(?:date|day)\b|\bwhen\s+(?:is|was|will)\b|\bthe\s+date\b|^(?:\d+|an?|one)\s+(?:days?|weeks?|months?|years?)\s+(?:from|after|before|ago)\b|^(?:what\s+is|what's)\s+(?:\d+|an?|one)\s+(?:days?|weeks?|months?|years?)\s+(?:from|after|before|ago)\b/i
const TODAY_WORDS: Record<string, number> = { today: 0, now: 0, tomorrow: 1, yesterday: -1 }

/**
 * The moment a date offset counts from, when it is neither a date, nor today, nor an earlier result
 * ("What date is 5 days after the launch?": "the launch"), for the planner to look up first.
 */
export function offsetFromAnEvent (request: string): { amount: string, unit: string, direction: string, moment: string } | undefined {
  const r = request.trim()
  if (!asksDateOffset(r)) return undefined
  const m = OFFSET_FROM.exec(r)
  if (m === null) return undefined
  const moment = m[4]!.trim()
  if (/^(?:today|now|tomorrow|yesterday|then|that|it|this)\b/i.test(moment) || !/[a-z]{3}/i.test(moment)) return undefined
  try {
    const today = Math.floor(Date.now() / MS_PER_DAY)
    if (ownDate(moment, today).length > 0 || relativeWeekday(moment, today) !== undefined) return undefined
  } catch {
    return undefined
  }
  return { amount: m[1]!, unit: m[2]!, direction: m[3]!, moment }
}

/** Whether `request` asks for a date at an offset from another (the bid rule's test). */
export function asksDateOffset (request: string): boolean {
  const r = request.trim()
  return ASKS_A_DATE.test(r) && !COUNT.test(r.replace(OFFSET_FROM, '')) && (OFFSET_FROM.test(r) || OFFSET_IN.test(r) || OFFSET_AGO.test(r))
}

/** `day` moved by `n` months, the day of the month kept, or the month's last day when it has fewer (January 31 + 1 month = February 28). */
function addMonths (day: number, n: number): { day: number, clamped: boolean } {
  const d = new Date(day * MS_PER_DAY)
  const y = d.getUTCFullYear()
  const m = d.getUTCMonth() + n
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate()
  const dom = Math.min(d.getUTCDate(), last)
  return { day: Math.round(Date.UTC(y, m, dom) / MS_PER_DAY), clamped: dom !== d.getUTCDate() }
}

/**
 * The date at an offset from the request's date, from today, or from the one date of the results it
 * depends on; undefined when the request does not ask for one.
 */
export function dateOffset (request: string, upstream: { id: string, text: string }[], now: number, timeZone?: string): { text: string, output: string, steps: string[] } | undefined {
  const r = request.trim()
  if (!asksDateOffset(r)) return undefined
  const zoned = zonedTime(now, timeZone)
  const today = localDay(zoned)
  const todayText = `today, ${isoDay(today)} in ${zoned.zone}${zoned.fallback !== undefined ? ` (${zoned.fallback})` : ''}`
  let amount: string, unit: string, sign: number, from: { day: number, text: string }
  const m = OFFSET_FROM.exec(r)
  if (m !== null) {
    amount = m[1]!; unit = m[2]!
    sign = /^(?:before|earlier)/i.test(m[3]!) ? -1 : 1
    const anchor = m[4]!.trim()
    const word = /^(today|now|tomorrow|yesterday)\b/i.exec(anchor)?.[1]?.toLowerCase()
    if (word !== undefined) {
      from = { day: today + TODAY_WORDS[word]!, text: word === 'today' || word === 'now' ? todayText : `${word}, ${isoDay(today + TODAY_WORDS[word]!)}` }
    } else {
      const weekday = ownDate(anchor, today).length === 0 ? relativeWeekday(anchor, today) : undefined
      const own = weekday !== undefined ? [weekday] : ownDate(anchor, today)
      if (own.length > 1) throw new Error(`calculator: ${unit} ${m[3]} which date? The request names ${own.length} (${own.map(d => d.text).join(', ')})`)
      if (own.length === 1) from = { day: own[0]!.day, text: `${own[0]!.text} (the request)` }
      else {
        const earlier = earlierDates(upstream)
        if (earlier.length === 1) from = { day: earlier[0]!.date.day, text: `${earlier[0]!.date.text} (${earlier[0]!.from})` }
        else if (earlier.length > 1) throw severalDatesError(anchor, earlier)
        else throw new Error(`calculator: no date to count ${m[3]!.toLowerCase()}: "${anchor}" is not a date I can read (write it as "March 3, 2027" or "2027-03-03", or say "today")`)
      }
    }
  } else {
    const n = OFFSET_IN.exec(r) ?? OFFSET_AGO.exec(r)!
    amount = n[1]!; unit = n[2]!
    sign = OFFSET_AGO.test(r) && !OFFSET_IN.test(r) ? -1 : 1
    from = { day: today, text: todayText }
  }
  const count = /^\d+$/.test(amount) ? Number(amount) : 1
  if (count > 100_000) throw new Error(`calculator: ${count} ${unit} is beyond the dates this reads`)
  const kind = unit.toLowerCase().replace(/s$/, '')
  let day: number
  const steps = [`from: ${from.text}`]
  if (kind === 'day' || kind === 'week') {
    day = from.day + sign * count * (kind === 'week' ? 7 : 1)
    steps.push(`${sign < 0 ? '-' : '+'} ${count * (kind === 'week' ? 7 : 1)} day${count === 1 && kind === 'day' ? '' : 's'}`)
  } else {
    const moved = addMonths(from.day, sign * count * (kind === 'year' ? 12 : 1))
    day = moved.day
    steps.push(`${sign < 0 ? '-' : '+'} ${count} ${kind}${count === 1 ? '' : 's'}${moved.clamped ? ' (that month is shorter: its last day)' : ''}`)
  }
  const d = new Date(day * MS_PER_DAY)
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1 || d.getUTCFullYear() > 9999) throw new Error('calculator: that date is outside the years 1-9999')
  const iso = isoDay(day)
  steps.push(`= ${iso}`)
  return { text: `${WEEKDAY_NAMES[d.getUTCDay()]!}, ${longDay(day)}`, output: iso, steps }
}

// ---------------------------------------------------------------------------------------------
// When something that starts on a date and lasts so long ends: "Our sprint started on Monday 16
// November 2026 and lasts 2 weeks. When does it end?" Before, the researcher answered "going by what
// you say", with no date.

const STARTS_AND_LASTS = /\b(?:starts?|started|begins?|began|kicks?\s+off|kicked\s+off|opens?|opened)\s+(?:on\s+)?(.{4,60}?),?\s+(?:and\s+)?(?:it\s+)?(?:lasts?|lasted|runs?\s+for|will\s+(?:last|run\s+for)|goes\s+on\s+for|is)\s+(?:for\s+)?(\d+|an?|one)\s+(days?|weeks?|months?|years?)(?:\s+long)?\b/i
const ASKS_END = /\b(?:when|what\s+(?:date|day)|which\s+(?:date|day))\b[^?.!]*\b(?:end|ends|ending|finish|finishes|close|closes|over|wrap\s+up|done|last\s+day)\b|\b(?:end|last|final)\s+(?:date|day)\b/i

/** Whether `request` asks when a span it dates and measures ends (the bid rule's test). */
export function asksSpanEnd (request: string): boolean {
  const s = numberWordsToDigits(request)
  return ASKS_END.test(s) && STARTS_AND_LASTS.test(s)
}

/**
 * The last day of a span that starts on a date the request names and lasts so many days, weeks,
 * months or years: its start plus that length, less a day (a 2-week sprint from Monday 16 November
 * 2026 ends on Sunday 29 November; the next would start on the 30th, which the answer also says).
 */
export function spanEnd (request: string, now: number, timeZone?: string): { text: string, output: string, steps: string[] } | undefined {
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  if (!ASKS_END.test(s)) return undefined
  const m = STARTS_AND_LASTS.exec(s)
  if (m === null) return undefined
  const today = localDay(zonedTime(now, timeZone))
  const own = ownDate(m[1]!, today)
  const start = own.length === 1 ? own[0]! : own.length === 0 ? relativeWeekday(m[1]!, today) : undefined
  if (start === undefined) return undefined
  const count = /^\d+$/.test(m[2]!) ? Number(m[2]) : 1
  const kind = m[3]!.toLowerCase().replace(/s$/, '')
  if (count < 1 || count > 10_000) return undefined
  const next = kind === 'day' ? start.day + count : kind === 'week' ? start.day + 7 * count : addMonths(start.day, count * (kind === 'year' ? 12 : 1)).day
  const last = next - 1
  const named = (day: number): string => `${WEEKDAY_NAMES[new Date(day * MS_PER_DAY).getUTCDay()]!}, ${longDay(day)}`
  const length = `${count} ${kind}${count === 1 ? '' : 's'}`
  return {
    text: `${named(last)}, its last day (${length} from ${named(start.day)}; the next would start on ${named(next)})`,
    output: isoDay(last),
    steps: [`start: ${start.text} (the request)`, `+ ${length} = ${isoDay(next)}, the day after it ends`, `last day: ${isoDay(last)}`]
  }
}

// ---------------------------------------------------------------------------------------------
// The day of the week of a date: "What day of the week is March 3, 2027?", "Which weekday was
// 4 July 1976?", "What day is Christmas this year?"; in a mission, "What day of the week is that?"
// takes the one date of the result it depends on.

const WEEKDAY_ASK = /\b(?:what|which)\s+(?:day\s+of\s+the\s+week|weekday|day)\b|\bday\s+of\s+the\s+week\b|\bweekday\b/i
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

/** The request's own date: written in full, else a day without a year or a named day (the next one from today). */
function ownDate (request: string, today: number): FoundDate[] {
  const own = datesIn(request)
  if (own.length > 0) return own
  const day = yearlessDay(request, today)
  return day === undefined ? [] : [day]
}

/** Whether `request` asks the weekday of a date it names, or of "that date" an earlier part found (the bid rule's test). */
export function asksWeekday (request: string): boolean {
  if (!WEEKDAY_ASK.test(request) || asksTheClock(request)) return false
  // "What day of the week is that date?": a mission's part, on the date the part before found.
  if (THAT_DATE.test(request) && !/\b(?:that|this)\s+day\s+of\s+the\s+week\b/i.test(request)) return true
  try {
    return ownDate(request, Math.floor(Date.now() / MS_PER_DAY)).length > 0
  } catch {
    return true // a date that does not exist: the calculator says so
  }
}

/**
 * The weekday of the request's date, or of the one date in the results it depends on; undefined
 * when the request does not ask a weekday or names no date. Several dates are an error naming them.
 */
export function weekdayAnswer (request: string, upstream: { id: string, text: string }[], now: number, timeZone?: string): { text: string, output: string, steps: string[] } | undefined {
  if (!WEEKDAY_ASK.test(request) || asksTheClock(request) || COUNT.test(request)) return undefined
  const today = localDay(zonedTime(now, timeZone))
  const own = ownDate(request, today)
  let date: SourcedDate | undefined
  if (own.length === 1) date = { date: own[0]!, from: 'the request' }
  else if (own.length > 1) throw new Error(`calculator: which weekday? The request names ${own.length} dates (${own.map(d => d.text).join(', ')}); ask about one`)
  else {
    const earlier = earlierDates(upstream)
    if (earlier.length === 0) return undefined
    if (earlier.length > 1) throw new Error(`calculator: which weekday? The earlier results name ${earlier.length} dates (${earlier.map(e => e.date.text).join(', ')})`)
    date = earlier[0]!
  }
  const d = new Date(date.date.day * MS_PER_DAY)
  const weekday = WEEKDAY_NAMES[d.getUTCDay()]!
  const long = longDay(date.date.day)
  const tense = date.date.day < today ? 'was' : 'is'
  return {
    text: `${weekday}: ${long}${date.date.day === today ? ' (today)' : ''} ${tense} a ${weekday}`,
    output: weekday,
    steps: [`date: ${date.date.text} (${date.from})`, `${isoDay(date.date.day)} is day ${date.date.day} since 1970-01-01 (a Thursday); ${date.date.day} mod 7 = ${((date.date.day % 7) + 7) % 7}, so a ${weekday}`]
  }
}

// ---------------------------------------------------------------------------------------------
// The clock: "What time is it?", "What is today's date?", "What time is it in Tokyo?"

const NOW = String.raw`(?:\s+(?:now|today|right\s+now|at\s+the\s+moment|currently))?`
const PLACE = String.raw`(?:\s+in\s+([A-Za-z][A-Za-z0-9 .'/_+−:-]{1,40}))?`
const CLOCK_FORMS: { pattern: RegExp, asks: 'time' | 'date' | 'year' }[] = [
  { pattern: new RegExp(String.raw`^(?:what\s+time\s+is\s+it|what(?:'s|\s+is)\s+the\s+(?:current\s+|local\s+)?time|(?:the\s+)?(?:current|local)\s+time|the\s+time)${PLACE}${NOW}${PLACE}$`, 'i'), asks: 'time' },
  { pattern: new RegExp(String.raw`^(?:what(?:'s|\s+is)\s+(?:the\s+)?(?:current\s+|today'?s\s+)?date|what\s+(?:day|date)\s+is\s+(?:it|today)|what\s+day\s+of\s+the\s+week\s+is\s+(?:it|today)|what(?:'s|\s+is)\s+today|today'?s\s+date|(?:the\s+)?(?:current\s+)?date)${PLACE}${NOW}${PLACE}$`, 'i'), asks: 'date' },
  { pattern: new RegExp(String.raw`^what\s+year\s+is\s+it${PLACE}${NOW}${PLACE}$`, 'i'), asks: 'year' }
]

/** The request without politeness and its closing mark, as the clock forms read it. */
export function clockRequest (request: string): string {
  return request.trim().replace(/[?.!]+$/, '').replace(/,?\s*please$/i, '')
    .replace(/^(?:please\s+|hey\s*,?\s*)?(?:(?:can|could)\s+you\s+(?:please\s+)?)?(?:tell\s+me\s+|do\s+you\s+know\s+)?/i, '').trim()
}

/** Whether `request` asks the time, the date or the year (here or in a named place). */
export function asksTheClock (request: string): boolean {
  const r = clockRequest(request)
  return CLOCK_FORMS.some(f => f.pattern.test(r))
}

/** Whether this runtime knows a zone of that name (canonical or an alias such as Asia/Kolkata). */
export function isKnownZone (name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name }) // eslint-disable-line no-new
    return true
  } catch {
    return false
  }
}

const REGIONS = ['Europe', 'America', 'Asia', 'Africa', 'Australia', 'Pacific', 'Atlantic', 'Indian', 'Antarctica']

/**
 * Places and abbreviations no IANA zone is named after. A zone's abbreviation for its standard or
 * its summer time ("EST", "CEST") is that fixed offset all year, as the abbreviation says; the
 * region's name ("Eastern", "ET", "Central European") follows its clocks through the year.
 */
const ZONE_ALIASES: Record<string, string> = {
  'san francisco': 'America/Los_Angeles', 'la': 'America/Los_Angeles', 'seattle': 'America/Los_Angeles', 'silicon valley': 'America/Los_Angeles', 'portland': 'America/Los_Angeles', 'las vegas': 'America/Los_Angeles', 'san diego': 'America/Los_Angeles',
  'nyc': 'America/New_York', 'boston': 'America/New_York', 'washington': 'America/New_York', 'washington dc': 'America/New_York', 'miami': 'America/New_York', 'atlanta': 'America/New_York', 'philadelphia': 'America/New_York',
  'dallas': 'America/Chicago', 'houston': 'America/Chicago', 'austin': 'America/Chicago', 'salt lake city': 'America/Denver', 'montreal': 'America/Toronto', 'ottawa': 'America/Toronto',
  'beijing': 'Asia/Shanghai', 'china': 'Asia/Shanghai', 'delhi': 'Asia/Kolkata', 'new delhi': 'Asia/Kolkata', 'mumbai': 'Asia/Kolkata', 'bangalore': 'Asia/Kolkata', 'bengaluru': 'Asia/Kolkata', 'india': 'Asia/Kolkata', 'chennai': 'Asia/Kolkata', 'hyderabad': 'Asia/Kolkata',
  'osaka': 'Asia/Tokyo', 'kyoto': 'Asia/Tokyo', 'japan': 'Asia/Tokyo', 'korea': 'Asia/Seoul', 'abu dhabi': 'Asia/Dubai', 'hanoi': 'Asia/Ho_Chi_Minh', 'ho chi minh city': 'Asia/Ho_Chi_Minh', 'saigon': 'Asia/Ho_Chi_Minh',
  'munich': 'Europe/Berlin', 'frankfurt': 'Europe/Berlin', 'hamburg': 'Europe/Berlin', 'cologne': 'Europe/Berlin', 'germany': 'Europe/Berlin', 'barcelona': 'Europe/Madrid', 'spain': 'Europe/Madrid', 'milan': 'Europe/Rome', 'italy': 'Europe/Rome', 'france': 'Europe/Paris',
  'geneva': 'Europe/Zurich', 'manchester': 'Europe/London', 'edinburgh': 'Europe/London', 'uk': 'Europe/London', 'england': 'Europe/London', 'kiev': 'Europe/Kyiv', 'st petersburg': 'Europe/Moscow', 'canberra': 'Australia/Sydney', 'wellington': 'Pacific/Auckland', 'new zealand': 'Pacific/Auckland',
  'rio': 'America/Sao_Paulo', 'rio de janeiro': 'America/Sao_Paulo', 'brazil': 'America/Sao_Paulo', 'cape town': 'Africa/Johannesburg', 'hawaii': 'Pacific/Honolulu',
  'et': 'America/New_York', 'eastern': 'America/New_York', 'eastern time': 'America/New_York', 'pt': 'America/Los_Angeles', 'pacific': 'America/Los_Angeles', 'pacific time': 'America/Los_Angeles',
  'ct': 'America/Chicago', 'central': 'America/Chicago', 'central time': 'America/Chicago', 'mt': 'America/Denver', 'mountain': 'America/Denver', 'mountain time': 'America/Denver',
  'est': 'Etc/GMT+5', 'edt': 'Etc/GMT+4', 'cst': 'Etc/GMT+6', 'cdt': 'Etc/GMT+5', 'mst': 'Etc/GMT+7', 'mdt': 'Etc/GMT+6', 'pst': 'Etc/GMT+8', 'pdt': 'Etc/GMT+7', 'akst': 'Etc/GMT+9', 'hst': 'Etc/GMT+10',
  'cet': 'Etc/GMT-1', 'cest': 'Etc/GMT-2', 'central european': 'Europe/Berlin', 'central european time': 'Europe/Berlin', 'bst': 'Etc/GMT-1', 'eet': 'Etc/GMT-2', 'eest': 'Etc/GMT-3',
  'ist': 'Asia/Kolkata', 'jst': 'Asia/Tokyo', 'kst': 'Asia/Seoul', 'sgt': 'Asia/Singapore', 'hkt': 'Asia/Hong_Kong', 'aest': 'Etc/GMT-10', 'aedt': 'Etc/GMT-11', 'nzst': 'Etc/GMT-12', 'nzdt': 'Etc/GMT-13', 'msk': 'Europe/Moscow'
}

/** A zone as a person reads it: "Etc/GMT+5" is "UTC−5" (the Etc names count the other way); any other name as it is. */
export function zoneLabel (zone: string): string {
  const m = /^Etc\/GMT([+-])(\d{1,2})$/.exec(zone)
  return m === null ? zone : `UTC${m[1] === '+' ? '−' : '+'}${m[2]}`
}

/**
 * The IANA zone of a place: a zone name itself ("Asia/Kolkata", "UTC"), or a city a zone is named
 * after ("Tokyo" → Asia/Tokyo, "New York" → America/New_York, "Kolkata" → Asia/Kolkata), if this
 * runtime knows it. The name the person used is kept (Asia/Kolkata, not its canonical Asia/Calcutta).
 */
export function zoneOfPlace (place: string): string | undefined {
  const name = place.trim().replace(/^the\s+/i, '').replace(/\s+/g, '_')
  if (/^(?:utc|gmt|z|zulu)$/i.test(name)) return 'UTC'
  const alias = ZONE_ALIASES[name.replace(/_/g, ' ').toLowerCase()]
  if (alias !== undefined) return alias
  // "UTC+2", "GMT-5": a whole-hour offset is a zone of its own (Etc/GMT counts the other way).
  const offset = /^(?:utc|gmt)\s*([+-−])\s*(\d{1,2})(?::?00)?$/i.exec(place.trim())
  if (offset !== null) {
    const hours = Number(offset[2])
    if (hours > 14) return undefined
    return hours === 0 ? 'UTC' : `Etc/GMT${offset[1] === '+' ? '-' : '+'}${hours}`
  }
  if (name.includes('/')) return isKnownZone(name) ? name : undefined
  const city = name.split('_').map(w => w.length <= 2 && /^(?:es|de|la|of)$/i.test(w) ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase()).join('_')
  for (const region of REGIONS) {
    const zone = `${region}/${city}`
    if (isKnownZone(zone)) return zone
  }
  return undefined
}

export const MONTH_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/** A day (days since 1970-01-01) as written out: "3 November 2027". */
export function longDay (day: number): string {
  const d = new Date(day * MS_PER_DAY)
  return `${d.getUTCDate()} ${MONTH_LONG[d.getUTCMonth()]!} ${d.getUTCFullYear()}`
}

/**
 * The answer to a clock question, read in the person's time zone (`timeZone`, from the task) or in
 * a place's zone when the request names one; undefined when the request is not a clock question.
 * A place this runtime has no zone for is an error naming it.
 */
export function clockAnswer (request: string, now: number, timeZone?: string): { text: string, output: string, steps: string[] } | undefined {
  const r = clockRequest(request)
  for (const form of CLOCK_FORMS) {
    const m = form.pattern.exec(r)
    if (m === null) continue
    const place = m[1] ?? m[2]
    let zone = timeZone
    if (place !== undefined) {
      zone = zoneOfPlace(place)
      if (zone === undefined) throw new Error(`calculator: no time zone is known for '${place.trim()}'; name a city with a time zone of its own (Tokyo, New York) or an IANA zone (Asia/Kolkata)`)
    }
    const z = { ...zonedTime(now, zone), ...(zone !== undefined && place !== undefined ? { zone } : {}) }
    const where = place !== undefined ? `in ${place.trim()} (${zoneLabel(z.zone)})` : `(${zoneLabel(z.zone)})`
    const date = `${z.weekday}, ${z.day} ${MONTH_LONG[z.month - 1]!} ${z.year}`
    const hhmm = `${String(z.hour).padStart(2, '0')}:${String(z.minute).padStart(2, '0')}`
    const steps = [
      `clock: ${new Date(now).toISOString()}`,
      `time zone: ${zoneLabel(z.zone)} (${z.fallback !== undefined ? "this agent's" : place !== undefined ? `of ${place.trim()}` : timeZone !== undefined ? "the person's" : "this agent's; the task named none"})`,
      ...(z.fallback !== undefined ? [z.fallback] : [])
    ]
    if (form.asks === 'time') return { text: `${hhmm} on ${date} ${where}`, output: hhmm, steps }
    if (form.asks === 'year') return { text: `${z.year} ${where}`, output: String(z.year), steps }
    const iso = `${z.year}-${String(z.month).padStart(2, '0')}-${String(z.day).padStart(2, '0')}`
    return { text: `${date} ${where}`, output: iso, steps }
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Leap years: "Is 2027 a leap year?", "Was 1900 a leap year?", "Is this year a leap year?", "When is
// the next leap year?". The calculator read "2027 a leap year" as an expression and failed.

const LEAP_ASK = /^(?:(?:is|was|will)\s+(?:the\s+year\s+)?(\d{1,4}|this\s+year|next\s+year|last\s+year)\s+(?:be\s+)?a\s+leap\s+year|(\d{1,4})\s*:?\s*(?:is\s+it\s+)?a\s+leap\s+year|(?:when\s+is|what\s+is|which\s+is|what's)\s+the\s+next\s+leap\s+year)$/i

/** Whether `year` is a leap year of the Gregorian calendar. */
export function isLeap (year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

/** Why `year` is or is not a leap year: "1900 is divisible by 100 but not by 400". */
export function leapReason (year: number): string {
  if (year % 400 === 0) return `${year} is divisible by 400`
  if (year % 100 === 0) return `${year} is divisible by 100 but not by 400`
  if (year % 4 === 0) return `${year} is divisible by 4 and not by 100`
  return `${year} is not divisible by 4`
}

/**
 * The year a question names: a number, or this, next or last year in the person's time zone (then
 * the step says which). Throws on a year before the Gregorian calendar's first.
 */
function yearSaid (said: string, now: number, timeZone?: string): { year: number, steps: string[] } {
  const relative = /^(this|next|last)\s+year$/i.exec(said)?.[1]?.toLowerCase()
  if (relative === undefined) {
    const year = Number(said)
    if (year < 1) throw new Error(`calculator: ${said} is not a year of the Gregorian calendar`)
    return { year, steps: [] }
  }
  const z = zonedTime(now, timeZone)
  const year = z.year + (relative === 'next' ? 1 : relative === 'last' ? -1 : 0)
  return { year, steps: [`${relative} year: ${year} (${z.zone})`] }
}

const MONTH_LENGTH_ASK = new RegExp(String.raw`^how\s+many\s+(days|weeks|hours|minutes|seconds)\s+(?:(?:are|were|will\s+there\s+be)?\s*(?:there\s+)?(?:in|has|have)\s+(?:the\s+month\s+of\s+)?${MONTH}(?:\s+(\d{4}|this\s+year|next\s+year|last\s+year))?|(?:does|did|will)\s+${MONTH}(?:\s+(\d{4}|this\s+year|next\s+year|last\s+year))?\s+have)$`, 'i')
const PER_DAY: Record<string, number> = { hours: 24, minutes: 1440, seconds: 86_400 }

/**
 * How many days, weeks, hours, minutes or seconds a month has: "How many hours are there in March?"
 * (744), "How many days does February 2028 have?" (29). A month without a year is this year's (it
 * matters for February only). Before, "found no expression to evaluate". Undefined when the request
 * asks none.
 */
export function monthLengthAnswer (request: string, now: number, timeZone?: string): { text: string, output: number, steps: string[] } | undefined {
  const m = MONTH_LENGTH_ASK.exec(clockRequest(request))
  if (m === null) return undefined
  const unit = m[1]!.toLowerCase()
  const month = monthOf(m[2] ?? m[4]!)
  const yearWord = m[3] ?? m[5]
  const { year, steps: said } = yearWord !== undefined ? yearSaid(yearWord, now, timeZone) : { year: zonedTime(now, timeZone).year, steps: [] as string[] }
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const name = `${MONTH_LONG[month - 1]!} ${year}`
  const steps = [...said, `${name}${yearWord === undefined ? ' (this year)' : ''} has ${days} days${month === 2 ? ` (${leapReason(year)})` : ''}`]
  if (unit === 'days') return { text: `${days} days (${name})`, output: days, steps }
  if (unit === 'weeks') {
    const over = days - 28
    return { text: `4 weeks and ${over} day${over === 1 ? '' : 's'} (${days} days in ${name})`, output: Number((days / 7).toPrecision(12)), steps: [...steps, `${days} days = 4 × 7 + ${over}`] }
  }
  const n = days * PER_DAY[unit]!
  return { text: `${n} ${unit} (${days} days × ${PER_DAY[unit]!}, ${name})`, output: n, steps: [...steps, `${days} × ${PER_DAY[unit]!} = ${n} ${unit}`] }
}

const YEAR_LENGTH_ASK = /^how\s+many\s+(days|weeks|hours|months)\s+(?:(?:are|were|will\s+there\s+be)?\s*(?:there\s+)?(?:in|has|have)\s+(?:the\s+year\s+)?(\d{1,4}|this\s+year|next\s+year|last\s+year)|(?:does|did|will)\s+(?:the\s+year\s+)?(\d{1,4}|this\s+year|next\s+year|last\s+year)\s+have)$/i

/**
 * How many days, weeks, hours or months a given year has: "How many weeks are in 2027?" (52 weeks and
 * 1 day: 365 days), "How many days does 2028 have?" (366, a leap year). Undefined when the request
 * asks none.
 */
export function yearLengthAnswer (request: string, now: number, timeZone?: string): { text: string, output: number, steps: string[] } | undefined {
  const m = YEAR_LENGTH_ASK.exec(clockRequest(request))
  if (m === null) return undefined
  const unit = m[1]!.toLowerCase()
  const { year, steps: said } = yearSaid(m[2] ?? m[3]!, now, timeZone)
  const leap = isLeap(year)
  const days = leap ? 366 : 365
  const steps = [...said, leapReason(year), `so ${leap ? 'a leap year' : 'not a leap year'}: ${days} days`]
  if (unit === 'days') return { text: `${days} days (${year} ${leap ? 'is' : 'is not'} a leap year)`, output: days, steps }
  if (unit === 'hours') return { text: `${days * 24} hours (${days} days × 24)`, output: days * 24, steps: [...steps, `${days} × 24 = ${days * 24} hours`] }
  if (unit === 'months') return { text: `12 months (${days} days)`, output: 12, steps: [...steps, 'every year of the Gregorian calendar has 12 months'] }
  const over = days - 52 * 7
  return { text: `52 weeks and ${over} day${over === 1 ? '' : 's'} (${days} days; ${days} / 7 = ${Number((days / 7).toPrecision(12))})`, output: Number((days / 7).toPrecision(12)), steps: [...steps, `${days} days = 52 × 7 + ${over}: 52 whole weeks and ${over} day${over === 1 ? '' : 's'}`] }
}

/** Whether `request` asks about a leap year (the bid rule's test). */
export function asksLeapYear (request: string): boolean {
  return LEAP_ASK.test(clockRequest(request))
}

/** The answer to a leap-year question, or undefined when the request asks none. */
export function leapYearAnswer (request: string, now: number, timeZone?: string): { text: string, output: boolean | number, steps: string[] } | undefined {
  const m = LEAP_ASK.exec(clockRequest(request))
  if (m === null) return undefined
  const z = zonedTime(now, timeZone)
  const said = m[1] ?? m[2]
  if (said === undefined) {
    let year = z.year + 1
    while (!isLeap(year)) year++
    return { text: `${year}: the next leap year after ${z.year} (${leapReason(year)})`, output: year, steps: [`this year: ${z.year} (${z.zone})`, leapReason(year)] }
  }
  const { year, steps: read } = yearSaid(said, now, timeZone)
  const leap = isLeap(year)
  const steps = [...read, leapReason(year), leap ? 'so a leap year: February has 29 days' : 'so not a leap year: February has 28 days']
  return { text: `${leap ? 'Yes' : 'No'}: ${year} ${leap ? 'is' : 'is not'} a leap year (${leapReason(year)})`, output: leap, steps }
}

// ---------------------------------------------------------------------------------------------
// Ages and working days

const AGE_ASK = /\bhow\s+old\b|\bwhat\s+age\b|\bage\s+of\b/i
const BORN = /\bborn\b/i

/**
 * Whether a request asks the age of someone born on a date or in a year ("How old is someone born on
 * 14 July 1990?"): the calculator's to answer (ageAnswer), whatever skill its words match. Before,
 * nobody bid on it.
 */
export function asksAge (request: string): boolean {
  return AGE_ASK.test(request) && BORN.test(request) && request.length <= 300 && (/\bborn\s+in\s+\d{4}\b/i.test(request) || datesIn(request).length > 0)
}

/**
 * How old someone born on a date is today in the person's zone, or on another date the request names
 * ("How old is someone born on 3 March 1990?" → 36 years; "How old will someone born on 3 March 1990
 * be on 1 January 2030?" → 39 years). Born in a year only ("born in 1990"): the age they turn this
 * year, and one less before their birthday. Undefined when the request asks no age of someone born.
 * Before, the calculator failed ("undefined symbol How").
 */
export function ageAnswer (request: string, now: number, timeZone?: string): { text: string, output: number, steps: string[] } | undefined {
  if (!AGE_ASK.test(request) || !BORN.test(request) || request.length > 300) return undefined
  const dates = datesIn(request)
  const born = BORN.exec(request)!.index
  const birth = dates.find(d => d.index > born) ?? (dates.length === 1 ? dates[0] : undefined)
  const z = zonedTime(now, timeZone)
  const todayDay = Math.round(Date.UTC(z.year, z.month - 1, z.day) / MS_PER_DAY)
  const other = dates.find(d => d !== birth)
  const onDay = other?.day ?? todayDay
  const on = new Date(onDay * MS_PER_DAY)
  const when = other !== undefined ? `on ${other.text}` : `today (${isoDay(todayDay)}${z.fallback !== undefined ? `; ${z.fallback}` : ''})`
  if (birth === undefined) {
    const year = /\bborn\s+in\s+(\d{4})\b/i.exec(request)
    if (year === null || dates.length > 1) return undefined
    const turns = on.getUTCFullYear() - Number(year[1])
    if (turns < 0) throw new Error(`calculator: someone born in ${year[1]} is not born yet ${when}`)
    return {
      text: `${turns} years old in ${on.getUTCFullYear()} (${Math.max(0, turns - 1)} until their birthday)`,
      output: turns,
      steps: [`born in ${year[1]}, ${when}`, `${on.getUTCFullYear()} − ${year[1]} = ${turns}: the age they turn this year`]
    }
  }
  const b = new Date(birth.day * MS_PER_DAY)
  if (birth.day > onDay) throw new Error(`calculator: someone born on ${birth.text} is not born yet ${when}`)
  const hadBirthday = on.getUTCMonth() > b.getUTCMonth() || (on.getUTCMonth() === b.getUTCMonth() && on.getUTCDate() >= b.getUTCDate())
  const years = on.getUTCFullYear() - b.getUTCFullYear() - (hadBirthday ? 0 : 1)
  return {
    text: `${years} year${years === 1 ? '' : 's'} old`,
    output: years,
    steps: [`born ${isoDay(birth.day)}, ${when}`, `${on.getUTCFullYear()} − ${b.getUTCFullYear()} = ${on.getUTCFullYear() - b.getUTCFullYear()}${hadBirthday ? ', and the birthday has passed' : ', less 1: the birthday has not come yet'}: ${years}`]
  }
}

/** "How many weekdays are there in December 2026?", "working days in March", "business days does May 2027 have". */
const WORKDAYS_ASK = new RegExp(String.raw`\bhow\s+many\s+(weekdays|week\s+days|working\s+days|work\s+days|workdays|business\s+days|weekend\s+days)\b.*?\b(?:in|does|during)\s+(?:the\s+month\s+of\s+)?${MONTH}(?:\s+(\d{4}))?\b`, 'i')

/**
 * The weekdays (Monday to Friday) or weekend days of a month, counted: "How many weekdays are there
 * in December 2026?" → 23. A month without a year is this year's. Public holidays are not counted
 * out (they differ by country), and the answer says so.
 */
export function workdaysAnswer (request: string, now: number, timeZone?: string): { text: string, output: number, steps: string[] } | undefined {
  const m = WORKDAYS_ASK.exec(request)
  if (m === null || request.length > 200) return undefined
  const weekend = /^weekend/i.test(m[1]!)
  const month = monthOf(m[2]!)
  const year = m[3] !== undefined ? Number(m[3]) : zonedTime(now, timeZone).year
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay()
  let count = 0
  for (let d = 0; d < days; d++) {
    const wd = (first + d) % 7
    if ((wd === 0 || wd === 6) === weekend) count++
  }
  const name = new Date(Date.UTC(year, month - 1, 1)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })
  const what = weekend ? 'weekend days (Saturdays and Sundays)' : 'weekdays (Monday to Friday)'
  return {
    text: `${count} ${what} in ${name} ${year}${weekend ? '' : '; public holidays not taken out'}`,
    output: count,
    steps: [`${name} ${year} has ${days} days and starts on a ${WEEKDAY_NAMES[first]!}${m[3] === undefined ? ' (this year)' : ''}`, `${what}: ${count}`]
  }
}
