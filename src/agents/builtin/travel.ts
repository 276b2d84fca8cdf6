/**
 * Speed, time and distance, each from the other two ("at 60 km/h for 3 hours, how far?"): read by
 * patterns alone (no mathjs), so the planner and the bid rules can ask whether a request is one; the
 * calculator evaluates the expression with units (math.ts).
 */
import { numberWordsToDigits } from './number-words.ts'

const SPEED_UNITS: Array<[RegExp, string, string]> = [
  [/^(?:km\/h|kph|kmh|km\s+(?:per|an|a)\s+hour|kilomet(?:er|re)s?\s+(?:per|an|a)\s+hour)$/i, 'km/h', 'km'],
  [/^(?:mph|mi\/h|miles?\s+(?:per|an|a)\s+hour)$/i, 'mi/h', 'mi'],
  [/^(?:m\/s|met(?:er|re)s?\s+(?:per|a)\s+second)$/i, 'm/s', 'm']
]
const SPEED = String.raw`(\d+(?:\.\d+)?)\s*(km\/h|kph|kmh|mph|mi\/h|m\/s|(?:km|kilomet(?:er|re)s?|miles?|met(?:er|re)s?)\s+(?:per|an|a)\s+(?:hour|second))`
const DURATION = String.raw`(\d+(?:\.\d+)?)\s*(hours?|hrs?|h|minutes?|mins?|seconds?|secs?)\b`
const DISTANCE = String.raw`(\d+(?:\.\d+)?)\s*(km|kilomet(?:er|re)s?|miles?|mi|m|met(?:er|re)s?)\b(?!\s*\/|\s+(?:per|an|a)\s+(?:hour|second))`

function timeUnit (word: string): string {
  // "min" is mathjs' function; the plural names read well in the answer ("2 hours").
  return /^h/i.test(word) ? 'hours' : /^m/i.test(word) ? 'minutes' : 'seconds'
}

function distanceUnit (word: string): string {
  return /^(?:km|kilo)/i.test(word) ? 'km' : /^mi/i.test(word) ? 'mi' : 'm'
}

/**
 * Speed, time and distance: "A car drives at 60 km/h for 3 hours. How far does it go?" (180 km),
 * "How long does it take to drive 120 km at 60 km/h?" (2 h), "A train goes 300 km in 2.5 hours.
 * What is its average speed?" (120 km/h). Undefined unless the question asks for the one the other
 * two give.
 */
export function travelRequest (s: string, request: string): { expression: string, note: string } | undefined {
  const speed = new RegExp(SPEED, 'i').exec(s)
  const duration = new RegExp(String.raw`\b(?:for|in|during|over|after)\s+${DURATION}`, 'i').exec(s)
  const distance = new RegExp(DISTANCE, 'i').exec(s)
  const speedUnit = speed === null ? undefined : SPEED_UNITS.find(([re]) => re.test(speed[2]!.replace(/\s+/g, ' ')))
  if (speed !== null && speedUnit !== undefined && duration !== null && /\bhow\s+far\b|\bdistance\b|\bhow\s+many\s+(?:km|kilomet|miles?|met)/i.test(request)) {
    const to = /\bhow\s+many\s+(km|kilomet\w*|miles?|met\w*)/i.exec(request)
    return { expression: `(${speed[1]} ${speedUnit[1]}) * (${duration[1]} ${timeUnit(duration[2]!)}) to ${to !== null ? distanceUnit(to[1]!) : speedUnit[2]}`, note: 'distance = speed × time' }
  }
  if (speed !== null && speedUnit !== undefined && distance !== null && /\bhow\s+long\b|\bhow\s+much\s+time\b|\bhow\s+many\s+(?:hours|minutes|seconds)\b/i.test(request)) {
    const to = /\bhow\s+many\s+(hours|minutes|seconds)\b/i.exec(request)
    return { expression: `(${distance[1]} ${distanceUnit(distance[2]!)}) / (${speed[1]} ${speedUnit[1]}) to ${to !== null ? timeUnit(to[1]!) : speedUnit[1] === 'm/s' ? 'seconds' : 'hours'}`, note: 'time = distance / speed' }
  }
  if (speed === null && distance !== null && duration !== null && /\bspeed\b|\bhow\s+fast\b|\bvelocity\b/i.test(request)) {
    const d = distanceUnit(distance[2]!)
    const to = /\bin\s+(km\/h|mph|m\/s)\b/i.exec(request)?.[1]?.toLowerCase().replace('mph', 'mi/h') ?? (d === 'km' ? 'km/h' : d === 'mi' ? 'mi/h' : 'm/s')
    return { expression: `(${distance[1]} ${d}) / (${duration[1]} ${timeUnit(duration[2]!)}) to ${to}`, note: 'speed = distance / time' }
  }
  return undefined
}

/** Whether `text` asks for a distance, a time or a speed from the other two: the calculator's, kept whole. */
export function tellsTravel (text: string): boolean {
  if (text.length > 600) return false
  const s = numberWordsToDigits(text.replace(/\s+/g, ' '))
  return travelRequest(s, s) !== undefined
}

/** "Convert 250 miles to km and tell me how long it takes at 100 km/h": a conversion asked first. */
const CONVERT_FIRST = new RegExp(String.raw`^(?:please\s+)?(?:convert|change)\s+${DISTANCE}\s+(?:to|into|in)\s+(km|kilomet(?:er|re)s|miles|mi|met(?:er|re)s|m)\b\s*,?\s*(?:and|then|,)\s+`, 'i')

/**
 * A distance to convert, asked before a question of travel about it ("Convert 250 miles to km and
 * tell me how long it takes at 100 km/h"): the conversion's expression and the travel reading. The
 * calculator answers both; before, only the time (4.02336 hours) was answered.
 */
export function conversionBeforeTravel (request: string): { from: string, conversion: string, travel: { expression: string, note: string } } | undefined {
  if (request.length > 600) return undefined
  const s = numberWordsToDigits(request.trim().replace(/\s+/g, ' '))
  const m = CONVERT_FIRST.exec(s)
  if (m === null) return undefined
  const travel = travelRequest(s, s)
  if (travel === undefined) return undefined
  return { from: `${m[1]} ${m[2]}`, conversion: `${m[1]} ${distanceUnit(m[2]!)} to ${distanceUnit(m[3]!)}`, travel }
}
