/**
 * Times across time zones, for the calculator:
 *
 * - a time of day in one place, in another: "What time is 9am in London in Tokyo?", "Convert 3pm EST
 *   to CET", "9:30 New York time in Berlin", "If it's 5pm in Sydney, what time is it in Berlin?",
 *   "What time is it in Tokyo when it is 9am in London?";
 * - the difference between two places' clocks: "What is the time difference between London and Tokyo?".
 *
 * Before, nobody bid on these ("no capable agent in the room"). A place is a city an IANA zone is
 * named after, a zone name, an offset ("UTC+2") or a common name or abbreviation (dates.ts,
 * `zoneOfPlace`). A time is converted on the date given ("3pm London time on 9 December 2026 in New
 * York"), else on today's date in the place it is given in, so summer time is
 * as it is today; the steps say which date and which offsets. The output is the time as "HH:MM" (24
 * hours), or the difference in hours.
 */
import { timesIn, showTime } from './clock-times.ts'
import { clockRequest, datesIn, isKnownZone, MONTH_LONG, zonedTime, zoneLabel, zoneOfPlace, type ZonedTime } from './dates.ts'

const MS_PER_MINUTE = 60_000
/** A time of day as written: "9am", "3:30 p.m.", "15:00", "noon" (one capture). */
export const TIME = String.raw`(\d{1,2}(?:[:.]\d{2})?\s*(?:a\.?\s?m\.?|p\.?\s?m\.?)|\d{1,2}:\d{2}|noon|midday|midnight)`
/** A place's name; never "pm" or "am" ("4:30 pm in Tokyo" is no time 4:30 in a place "pm"). */
const PLACE = String.raw`(?![ap]\.?\s?m\b\.?)([A-Za-z][A-Za-z0-9 .'/_+−:-]{0,40}?)`
const TIME_WORD = String.raw`(?:\s+time)?`
/** A time in one place, asked in another. Each form's captures: the time, the place it is in, the place asked about. */
const CONVERT_FORMS: { pattern: RegExp, time: number, from: number, to: number }[] = [
  // "What time is 9am in London in Tokyo", "what time is 9am London time in Tokyo", "What is 3pm EST in CET"
  { pattern: new RegExp(String.raw`^what(?:\s+time\s+is|'s|\s+is)\s+${TIME}\s+(?:in\s+)?${PLACE}${TIME_WORD}\s+(?:in|for)\s+${PLACE}${TIME_WORD}$`, 'i'), time: 1, from: 2, to: 3 },
  // "Convert 3pm EST to CET", "9:30 New York time in Berlin", "3pm in London to Tokyo time"
  { pattern: new RegExp(String.raw`^(?:convert\s+)?${TIME}\s+(?:in\s+)?${PLACE}${TIME_WORD}\s+(?:to|in|into)\s+${PLACE}${TIME_WORD}$`, 'i'), time: 1, from: 2, to: 3 },
  // "If it's 5pm in Sydney, what time is it in Berlin", "when it is 9am in London what time will it be in Tokyo"
  { pattern: new RegExp(String.raw`^(?:if|when)\s+it(?:'s|\s+is|\s+was)\s+${TIME}\s+in\s+${PLACE}${TIME_WORD}\s*,?\s*(?:then\s+)?what\s+time\s+(?:is\s+it|will\s+it\s+be|would\s+it\s+be|was\s+it)\s+in\s+${PLACE}$`, 'i'), time: 1, from: 2, to: 3 },
  // "What time is it in Tokyo when it is 9am in London"
  { pattern: new RegExp(String.raw`^what\s+time\s+(?:is\s+it|will\s+it\s+be|would\s+it\s+be)\s+in\s+${PLACE}\s+(?:when|if)\s+it(?:'s|\s+is)\s+${TIME}\s+in\s+${PLACE}${TIME_WORD}$`, 'i'), time: 2, from: 3, to: 1 }
]
/**
 * A time with no place given, asked in another: "What time is 3pm in Berlin?", "Convert 3pm to Tokyo
 * time". The time is the person's own: in the task's time zone. Captures: the time, the place asked.
 */
const LOCAL_FORMS: RegExp[] = [
  new RegExp(String.raw`^what(?:\s+time\s+is|'s|\s+is)\s+${TIME}\s+(?:in|for)\s+${PLACE}${TIME_WORD}$`, 'i'),
  new RegExp(String.raw`^convert\s+${TIME}\s+(?:to|into)\s+${PLACE}${TIME_WORD}$`, 'i')
]
/** Every form of a time asked in another place, in the order they are tried; a local form's time is the person's own (no `from`). */
const FORMS: { pattern: RegExp, time: number, from?: number, to: number, local: boolean }[] = [
  ...CONVERT_FORMS.map(f => ({ ...f, local: false })),
  ...LOCAL_FORMS.map(pattern => ({ pattern, time: 1, to: 2, local: true }))
]
/** "What is the time difference between London and Tokyo", "time difference London Tokyo". */
const DIFFERENCE = new RegExp(String.raw`^(?:what(?:'s|\s+is)\s+)?(?:the\s+)?time\s+difference\s+(?:between\s+)?${PLACE}\s+(?:and|to|vs\.?)\s+${PLACE}$`, 'i')

export interface ZoneAnswer {
  text: string
  /** "HH:MM" (24 hours) in the place asked about, or the difference in hours (later place minus earlier). */
  output: string | number
  steps: string[]
}

/** The request as the forms read it: without politeness and its closing mark, as the clock's forms read it, and one space between words. */
function plain (request: string): string {
  return clockRequest(request.replace(/\s+/g, ' '))
}

/**
 * "3pm London time on 9 December 2026 in New York": the request without the date the time is given
 * on, and that date (days since 1970-01-01); the request as it is when it gives no such date.
 */
function givenDate (r: string): { rest: string, day?: number } {
  let found
  try {
    found = datesIn(r)
  } catch {
    return { rest: r }
  }
  if (found.length !== 1) return { rest: r }
  const f = found[0]!
  const on = /,?\s+on\s+$/i.exec(r.slice(0, f.index))
  if (on === null) return { rest: r }
  return { rest: `${r.slice(0, on.index)}${r.slice(f.index + f.text.length)}`, day: f.day }
}

/** Whether `request` asks for a time in another zone or the difference between two (the bid rule's test). */
export function asksTimeZone (request: string): boolean {
  if (request.length > 300) return false
  const r = givenDate(plain(request)).rest
  return CONVERT_FORMS.some(f => f.pattern.test(r)) || DIFFERENCE.test(r) || LOCAL_FORMS.some(f => f.test(r))
}

/** The person's own zone, named for an answer: "your time (New York)"; UTC when the task names none. */
function localZone (timeZone: string | undefined): { zone: string, name: string } {
  if (timeZone === undefined || timeZone === '') return { zone: 'UTC', name: 'UTC (your time zone is not known here)' }
  if (!isKnownZone(timeZone)) return { zone: 'UTC', name: `UTC ('${timeZone}' is no time zone known here)` }
  return { zone: timeZone, name: `your time (${timeZone.split('/').at(-1)!.replace(/_/g, ' ')})` }
}

/** A place's zone and the name the person gave it, or an error naming the place. */
function zoneOf (place: string): { zone: string, name: string } {
  const name = place.trim().replace(/^the\s+/i, '')
  const zone = zoneOfPlace(name)
  if (zone === undefined) throw new Error(`calculator: no time zone is known for '${name}'; name a city with a time zone of its own (Tokyo, New York), an IANA zone (Asia/Kolkata) or an offset (UTC+2)`)
  return { zone, name }
}

/** The offset from UTC, in minutes, of a zone whose clock read `z` at `instant`. */
function offsetOf (z: ZonedTime, instant: number): number {
  const wall = Date.UTC(z.year, z.month - 1, z.day, z.hour, z.minute)
  return Math.round((wall - Math.floor(instant / MS_PER_MINUTE) * MS_PER_MINUTE) / MS_PER_MINUTE)
}

/** The zone's offset from UTC at `instant`, in minutes. */
function offsetAt (zone: string, instant: number): number {
  return offsetOf(zonedTime(instant, zone), instant)
}

function showOffset (minutes: number): string {
  const sign = minutes < 0 ? '−' : '+'
  const a = Math.abs(minutes)
  return `UTC${sign}${Math.floor(a / 60)}${a % 60 === 0 ? '' : `:${String(a % 60).padStart(2, '0')}`}`
}

function showHours (minutes: number): string {
  const a = Math.abs(minutes)
  const h = Math.floor(a / 60)
  const m = a % 60
  const hours = h === 0 ? '' : `${h} hour${h === 1 ? '' : 's'}`
  const mins = m === 0 ? '' : `${m} minutes`
  return [hours, mins].filter(x => x !== '').join(' ') || '0 hours'
}

/** "Tuesday 24 November". */
function dayName (z: { weekday: string, day: number, month: number }): string {
  return `${z.weekday} ${z.day} ${MONTH_LONG[z.month - 1]!}`
}

/** Who is ahead of whom, by how much: "Tokyo is 9 hours ahead of London". */
function ahead (to: string, from: string, minutes: number): string {
  if (minutes === 0) return `${to} and ${from} have the same time`
  return `${to} is ${showHours(minutes)} ${minutes > 0 ? 'ahead of' : 'behind'} ${from}`
}

/**
 * The answer to a time-zone question, or undefined when the request asks none. A place without a
 * known zone is an error naming it. `now` gives today's date in the place the time is given in, when the request gives none.
 */
export function timeZoneAnswer (request: string, now: number, timeZone?: string): ZoneAnswer | undefined {
  if (request.length > 300) return undefined
  const { rest: r, day: dateGiven } = givenDate(plain(request))
  const diff = DIFFERENCE.exec(r)
  if (diff !== null) {
    const a = zoneOf(diff[1]!)
    const b = zoneOf(diff[2]!)
    // On the date given ("... on 28 October 2026"), at noon UTC; else now.
    const at = dateGiven === undefined ? now : dateGiven * 86_400_000 + 12 * 3_600_000
    const za = zonedTime(at, a.zone)
    const zb = zonedTime(at, b.zone)
    const offA = offsetOf(za, at)
    const offB = offsetOf(zb, at)
    const minutes = offB - offA
    const when = dateGiven === undefined ? 'today' : `on ${dayName(zb)} ${zb.year}`
    return {
      text: dateGiven === undefined
        ? `${ahead(b.name, a.name, minutes)} (now ${showTime(zb.hour * 60 + zb.minute, false)} in ${b.name}, ${showTime(za.hour * 60 + za.minute, false)} in ${a.name})`
        : `${ahead(b.name, a.name, minutes)} ${when}`,
      output: minutes / 60,
      steps: [
        `${a.name}: ${zoneLabel(a.zone)}, ${showOffset(offA)} ${when}`,
        `${b.name}: ${zoneLabel(b.zone)}, ${showOffset(offB)} ${when}`,
        `${showOffset(offB)} − (${showOffset(offA)}) = ${minutes / 60} hours${summerNote(a.zone, b.zone)}`
      ]
    }
  }
  for (const form of FORMS) {
    const m = form.pattern.exec(r)
    if (m === null) continue
    const times = timesIn(m[form.time]!)
    if (times.length !== 1) continue
    const time = times[0]!
    const from = form.from === undefined ? localZone(timeZone) : zoneOf(m[form.from]!)
    const to = zoneOf(m[form.to]!)
    // The time given is on the date given, else on today's date where it is given: the instant whose
    // wall clock there reads it.
    const on = dateGiven === undefined ? zonedTime(now, from.zone) : (d => ({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }))(new Date(dateGiven * 86_400_000))
    const wall = Date.UTC(on.year, on.month - 1, on.day, Math.floor(time.minutes / 60), time.minutes % 60)
    let instant = wall - offsetAt(from.zone, wall) * MS_PER_MINUTE
    instant = wall - offsetAt(from.zone, instant) * MS_PER_MINUTE
    const there = zonedTime(instant, to.zone)
    const here = zonedTime(instant, from.zone)
    const offFrom = offsetOf(here, instant)
    const offTo = offsetOf(there, instant)
    const minutes = there.hour * 60 + there.minute
    const shift = Date.UTC(there.year, there.month - 1, there.day) - Date.UTC(here.year, here.month - 1, here.day)
    const day = shift > 0 ? `the next day, ${dayName(there)}` : shift < 0 ? `the day before, ${dayName(there)}` : dayName(there)
    const given = showTime(time.minutes, time.twelveHour)
    return {
      text: `${showTime(minutes, time.twelveHour)} in ${to.name} (${day}) when it is ${given} ${form.local ? '' : 'in '}${from.name}; ${ahead(to.name, from.name, offTo - offFrom)}`,
      output: showTime(minutes, false),
      steps: [
        `${given} ${form.local ? '' : 'in '}${from.name} on ${dayName(here)} ${here.year} (${dateGiven === undefined ? 'today there' : 'the date given'})`,
        `${from.name}: ${zoneLabel(from.zone)}, ${showOffset(offFrom)} on that date`,
        `${to.name}: ${zoneLabel(to.zone)}, ${showOffset(offTo)} on that date`,
        `${showTime(time.minutes, false)} ${offTo - offFrom >= 0 ? '+' : '−'} ${showHours(offTo - offFrom)} = ${showTime(minutes, false)}${shift > 0 ? ' the next day' : shift < 0 ? ' the day before' : ''}${summerNote(from.zone, to.zone)}`
      ]
    }
  }
  return undefined
}

/** A reminder that an abbreviation of standard or summer time is a fixed offset, when one was used. */
function summerNote (...zones: string[]): string {
  return zones.some(z => z.startsWith('Etc/GMT')) ? ' (an abbreviation such as EST or CEST is that offset all year; a city or "ET" follows its clocks)' : ''
}
