/**
 * Everyday questions about measured quantities that the arithmetic translation cannot read:
 *
 * - which of two is heavier, longer, hotter, ... ("Which is heavier, 2 kg or 3 pounds?", "Is 6 feet
 *   taller than 180 cm?"): both read as quantities, compared in one unit. Before, the calculator
 *   failed ("cannot parse 'Which is heavier, 2 kg or 3 lb'");
 * - a quantity every period over a span ("If I run 5 km every day for 3 weeks, how far do I run in
 *   total?", "I read 20 pages a day. How many pages in 2 weeks?"): 105 km, 280 pages. Before, nobody
 *   could read it, and the researcher quoted an unrelated answer from the graph.
 *
 * - a quantity in proportion to another ("If a car uses 6 litres per 100 km, how much fuel for 350
 *   km?", "A recipe needs 200 g of flour for 4 people. How much for 10 people?"): 21 litres, 500 g of
 *   flour. Before, the calculator failed ("unexpected operator ,");
 * - work shared by more or fewer hands ("If 4 workers build a wall in 6 days, how long for 8
 *   workers?"): 3 days, in inverse proportion. Before, nobody bid.
 *
 * Money is money.ts's (to the cent, in its currency); these are the rest. Pattern readers only, no
 * mathjs (the planner and the bid rules ask whether a request is one): compare-quantities.ts does
 * the comparing.
 */
import { numberWordsToDigits } from './number-words.ts'
import { amountsIn } from './currency.ts'
import { growthAsked, PERIOD, periodOf, periodsIn } from './money.ts'
import { SECONDS_IN, singular } from './word-problems.ts'
import { tellsTravel } from './travel.ts'

/** Whether `text` asks a question these readers answer: the calculator's, kept whole by the planner. */
export function tellsMeasureQuestion (text: string): boolean {
  return comparisonAsked(text) !== undefined || measureAnswer(text) !== undefined
}

/**
 * The answer of the first of these readers that reads `request` (the calculator asks them in this
 * order, after a comparison of quantities), or undefined.
 */
export function measureAnswer (request: string): MeasureAnswer | undefined {
  return countGrowth(request) ?? transferTime(request) ?? splitDuration(request) ?? partOfTime(request) ?? quantityOverTime(request) ?? sharedWork(request) ?? workload(request) ?? rateAndTime(request) ?? eachTimes(request) ?? durationsPerPeriod(request) ?? proportion(request)
}

export interface MeasureAnswer {
  text: string
  output: unknown
  steps: string[]
}

/** Adjectives of comparison: true when the larger quantity is the answer, false when the smaller. */
const MORE: Record<string, boolean> = {
  heavier: true, longer: true, bigger: true, larger: true, greater: true, more: true, higher: true, taller: true, wider: true, deeper: true,
  faster: true, hotter: true, warmer: true, further: true, farther: true, older: true, louder: true, thicker: true,
  lighter: false, shorter: false, smaller: false, less: false, fewer: false, lower: false, narrower: false, shallower: false,
  slower: false, colder: false, cooler: false, younger: false, thinner: false, quieter: false
}
const ADJ = `(${Object.keys(MORE).join('|')})`
/** "Which is heavier, 2 kg or 3 pounds?", "Which one is longer: 5 miles or 8 km", "What's bigger, 3/4 or 0.7?" */
const WHICH = new RegExp(String.raw`^(?:which|what)(?:\s+one)?\s+(?:is|'s|’s|weighs)\s+(?:the\s+)?${ADJ}\s*(?:,|:|-|–)?\s*(.+?)\s+or\s+(.+?)\s*[?.!]?$`, 'i')
/** "Is 6 feet taller than 180 cm?", "Are 3 pounds heavier than 2 kg?", "Is 72 F warmer than 20 C?" */
const IS_MORE = new RegExp(String.raw`^(?:is|are)\s+(.+?)\s+${ADJ}\s+than\s+(.+?)\s*[?.!]?$`, 'i')

/**
 * "Is the Q3 revenue over $1 million?" (with the revenue written in), "Is 72 above 70?", "Are we
 * under 5,000?": more or less than, in other words. Before, "over" was read as a division.
 */
const IS_OVER = /^(?:is|are)\s+(.+?)\s+(over|above|under|below|in\s+excess\s+of)\s+(.+?)\s*[?.!]?$/i
const OVER = /^(?:over|above|in\s+excess\s+of)$/i

/** A comparison asked: the adjective, the two sides as written, and whether it asks yes or no ("Is A heavier than B?"). */
export interface ComparisonAsked { adjective: string, larger: boolean, a: string, b: string, yesNo: boolean }

/**
 * The comparison `request` asks for, by patterns alone (both sides must hold a number), or undefined.
 * "Which is heavier, 2 kg or 3 pounds?" → heavier, "2 kg", "3 pounds".
 */
export function comparisonAsked (request: string): ComparisonAsked | undefined {
  if (request.length > 200) return undefined
  const s = numberWordsToDigits(request.trim().replace(/\s+/g, ' '))
  const which = WHICH.exec(s)
  const over = which === null ? IS_OVER.exec(s) : null
  const is = which === null ? over ?? IS_MORE.exec(s) : null
  if (which === null && is === null) return undefined
  const adjective = over !== null ? (OVER.test(over[2]!) ? 'more' : 'less') : (which?.[1] ?? is![2]!).toLowerCase()
  const [a, b] = [(which?.[2] ?? is![1]!).trim(), (which?.[3] ?? is![3]!).trim()]
  if (!/\d/.test(a) || !/\d/.test(b) || a.length > 60 || b.length > 60) return undefined
  return { adjective, larger: MORE[adjective]!, a, b, yesNo: is !== null }
}

/** A number as written in a story: "5", "2.5", "10,000". */
const QTY = String.raw`(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)`
/** A number written with QTY's separators, as a value. */
const valueOf = (written: string): number => Number(written.replace(/,/g, ''))
/** How many numbers a text writes: the proportion readers take exactly three. */
const numbersWritten = (s: string): number => (s.match(/\d+(?:[.,]\d+)*/g) ?? []).length
/** "5 km every day", "20 pages a day", "2 litres of water per day", "5 km daily". */
const QUANTITY_EVERY = new RegExp(String.raw`${QTY}\s*([a-z][a-z/]*(?:\s+of\s+[a-z]+)?)\s+(?:(?:a|per|each|every)\s+${PERIOD}\b|(daily|weekly|monthly|quarterly|yearly|annually)\b)`, 'i')
/** "for 3 weeks", "in 2 weeks", "over a month", "in a year". */
const SPAN = new RegExp(String.raw`\b(?:after|in|for|over|within|during)\s+(\d+(?:\.\d+)?|a|an|one)\s+${PERIOD}s?\b`, 'gi')
/** How much in all: "how far", "how much", "how many", "in total", "altogether". */
const ASKS_TOTAL = /\bhow\s+(?:far|much|many)\b|\bin\s+total\b|\baltogether\b|\btotal\b/i

/**
 * A quantity every period, over a span ("If I run 5 km every day for 3 weeks, how far do I run in
 * total?" → 105 km): the quantity times the periods in the span (counted as money.ts's periodsIn counts them).
 * Undefined when the request is not that, or names money (money.ts's amountOverTime) or interest.
 */
export function quantityOverTime (request: string): MeasureAnswer | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  if (!ASKS_TOTAL.test(s) || amountsIn(s).length > 0 || /\binterest\b|%|\bpercent\b/i.test(s)) return undefined
  const q = QUANTITY_EVERY.exec(s)
  if (q === null) return undefined
  const spans = [...s.matchAll(SPAN)].filter(m => m.index < q.index || m.index >= q.index + q[0].length)
  if (spans.length !== 1) return undefined
  const span = spans[0]!
  const per = periodOf(q[3], q[4])
  const counted = periodsIn(per, /^\d/.test(span[1]!) ? Number(span[1]) : 1, span[2]!.toLowerCase())
  if (counted === undefined) return undefined
  const { times } = counted
  const unit = q[2]!.toLowerCase()
  const each = valueOf(q[1]!)
  const n = Number((each * times).toPrecision(12))
  const text = `${n} ${unit}`
  return {
    text,
    output: text,
    steps: [`${each} ${unit} a ${per}, ${counted.said}`, `expression: ${each} * ${times}`, `= ${n} ${unit}`]
  }
}

/** "6 litres per 100 km", "200 g of flour for 4 people", "3 eggs make 12 pancakes", "30 pages in 2 minutes". */
const RATE = new RegExp(String.raw`${QTY}\s*([a-z][a-z]*(?:\s+of\s+[a-z]+)?)\s+(?:per|for|every|in|to|makes?|feeds?|serves?|covers?|is\s+enough\s+for)\s+(?:every\s+)?${QTY}\s*([a-z]+)\b`, 'i')
/** "how much fuel for 350 km", "how many eggs for 30 pancakes", "how far on 40 litres", "how much flour do I need for 10 people". */
const ASKS_FOR = new RegExp(String.raw`\bhow\s+(?:much|many|far|long)\b[^?.!]*?\b(?:for|in|to|with|on|over|make|feed|serve|cover)\s+${QTY}\s*([a-z]+)\b`, 'i')

/**
 * A quantity in proportion to another: "6 litres per 100 km" and "how much fuel for 350 km?" give
 * 6 / 100 × 350 = 21 litres. The rate's second unit and the question's must be the same word (either
 * number); exactly three numbers, no money (money.ts) and no period words ("5 km a day", quantityOverTime).
 */
export function proportion (request: string): MeasureAnswer | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  if (amountsIn(s).length > 0 || /%|\bpercent\b|\binterest\b/i.test(s)) return undefined
  if (numbersWritten(s) !== 3) return undefined
  const rate = RATE.exec(s)
  if (rate === null) return undefined
  const after = s.slice(rate.index + rate[0].length)
  // "how much fuel for 350 km?", or the amount told before the rate and asked of after it ("If I drive
  // 450 km and my car uses 6.5 litres per 100 km, how much fuel do I need?": before, "cannot parse").
  const asked = ASKS_FOR.exec(after) ?? toldBefore(s.slice(0, rate.index), after, rate[4]!)
  if (asked === null || singular(rate[4]!) !== singular(asked[2]!)) return undefined
  const [x, y, z] = [rate[1]!, rate[3]!, asked[1]!].map(valueOf)
  if (y === 0) return undefined
  const unit = rate[2]!
  const n = Number((x! * z! / y!).toPrecision(12))
  const text = `${n} ${unit}`
  return {
    text,
    output: text,
    steps: [`${x} ${unit} for ${y} ${rate[4]!}, so for ${z} ${asked[2]!}: ${x} / ${y} × ${z}`, `expression: ${x} / ${y} * ${z}`, `= ${text}`]
  }
}

/** The one quantity in the rate's second unit told before the rate, when a question without a number follows it. */
function toldBefore (before: string, after: string, unit: string): [string, string, string] | null {
  if (!/\bhow\s+(?:much|many|far|long)\b/i.test(after) || /\d/.test(after)) return null
  const told = [...before.matchAll(new RegExp(String.raw`${QTY}\s*([a-z]+)\b`, 'gi'))].filter(m => singular(m[2]!.toLowerCase()) === singular(unit.toLowerCase()))
  return told.length === 1 ? [told[0]![0], told[0]![1]!, told[0]![2]!] : null
}

const HANDS = String.raw`(workers|people|persons|men|women|builders|painters|cleaners|cooks|machines|pumps|printers|robots|taps|teams|trucks|volunteers|employees|staff|students|friends|helpers)`
const DURATION = String.raw`(seconds?|minutes?|hours?|days?|weeks?|months?|years?)`
/** "4 workers build a wall in 6 days", "3 pumps empty the tank in 12 hours", "It takes 5 painters 8 days". */
const WORK_DONE = [
  new RegExp(String.raw`${QTY}\s+${HANDS}\b[^.?!]*?\b(?:in|takes?|took|need|needs|needed)\s+${QTY}\s+${DURATION}\b`, 'i'),
  new RegExp(String.raw`\b(?:takes?|took)\s+${QTY}\s+${HANDS}\s+${QTY}\s+${DURATION}\b`, 'i')
]
/** "how long for 8 workers", "how many days would 8 workers take", "how long will it take 3 pumps". */
const ASKS_HANDS = new RegExp(String.raw`\bhow\s+(?:long|many\s+${DURATION})\b[^?.!]*?\b${QTY}\s+${HANDS}\b`, 'i')

/**
 * Work shared by more or fewer hands, at the same pace each: "If 4 workers build a wall in 6 days, how
 * long for 8 workers?" → 6 × 4 / 8 = 3 days. The hands in the question must be the ones in the story;
 * exactly three numbers, no money.
 */
export function sharedWork (request: string): MeasureAnswer | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  if (amountsIn(s).length > 0 || numbersWritten(s) !== 3) return undefined
  // Both patterns capture the hands' number, the hands, the time and its unit, in that order.
  const done = WORK_DONE.map(re => re.exec(s)).find(m => m !== null)
  if (done === undefined) return undefined
  const [said, hands, time, span] = done.slice(1, 5) as [string, string, string, string]
  const asked = ASKS_HANDS.exec(s.slice(done.index + done[0].length))
  if (asked === null || singular(asked[3]!) !== singular(hands)) return undefined
  const [n, t, m] = [said, time, asked[2]!].map(valueOf)
  if (m === 0) return undefined
  const unit = span.toLowerCase().replace(/s$/, '')
  const value = Number((t! * n! / m!).toPrecision(12))
  const text = `${value} ${unit}${value === 1 ? '' : 's'}`
  return {
    text,
    output: text,
    steps: [`${n} ${hands} take ${t} ${span}; ${m} ${asked[3]!} at the same pace each take ${n} / ${m} of that`, `expression: ${t} * ${n} / ${m}`, `= ${text}`]
  }
}

/** "120 hours", "120 person-hours", "a 120-hour project": the work, in hours. */
const EFFORT = new RegExp(String.raw`\b(?:takes?|needs?|requires?|is|of|involves?)\s+(?:about\s+|around\s+)?${QTY}\s*(?:(?:person|man|work)[-\s])?hours?\b|\b${QTY}[-\s](?:person[-\s]|man[-\s]|work[-\s])?hours?\s+(?:project|job|task|of\s+work)\b`, 'i')
/** "3 people work 8 hours a day", "each working 8 hours per day". */
const DAILY = new RegExp(String.raw`\b${QTY}\s+hours?\s+(?:a|per|each|every)\s+day\b`, 'i')
const PEOPLE = new RegExp(String.raw`\b${QTY}\s+(?:${HANDS.slice(1, -1)}|developers|engineers|designers|of\s+us)\b`, 'i')
const ASKS_DAYS = /\bhow\s+(?:many\s+(?:working\s+|work\s+)?days|long)\b/i

/**
 * Work in hours shared by people who each work some hours a day: "If a project takes 120 hours and 3
 * people work 8 hours a day, how many days will it take?" → 120 / (3 × 8) = 5 days. Exactly these three
 * numbers, no money. Before, "cannot parse". A number of days that is not whole says how many days
 * the work runs into.
 */
export function workload (request: string): MeasureAnswer | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  if (amountsIn(s).length > 0 || numbersWritten(s) !== 3 || !ASKS_DAYS.test(s)) return undefined
  const effort = EFFORT.exec(s)
  const daily = DAILY.exec(s)
  const people = PEOPLE.exec(s)
  if (effort === null || daily === null || people === null) return undefined
  const [hours, perDay, n] = [effort[1] ?? effort[2]!, daily[1]!, people[1]!].map(valueOf) as [number, number, number]
  if (perDay === 0 || n === 0 || perDay > 24) return undefined
  const days = Number((hours / (n * perDay)).toPrecision(12))
  const shown = Number(days.toFixed(2))
  const whole = Math.ceil(days - 1e-9)
  const text = `${shown} day${shown === 1 ? '' : 's'}${Number.isInteger(days) ? '' : ` (into a ${ordinal(whole)} day)`}`
  return {
    text,
    output: days,
    steps: [`${n} people × ${perDay} hours a day = ${n * perDay} hours of work a day`, `expression: ${hours} / (${n} * ${perDay})`, `= ${days} days`]
  }
}

function ordinal (n: number): string {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')
  return `${n}${suffix}`
}

const TIME_WORD = String.raw`(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?)`
const TIME_NAMES = ['second', 'minute', 'hour', 'day', 'week']
/** A unit of time (a TIME_WORD: "min", "minutes", "hrs"), by its first letter, and its seconds. */
function timeUnitOf (word: string): { seconds: number, name: string } {
  const name = TIME_NAMES.find(n => n[0] === word.charAt(0).toLowerCase())!
  return { seconds: SECONDS_IN[name]!, name }
}
const plural = (n: number, name: string): string => `${n} ${name}${n === 1 ? '' : 's'}`
/** "a minute", "an hour". */
const aPer = (name: string): string => `${name === 'hour' ? 'an' : 'a'} ${name}`
/** "250 words per minute", "30 pages an hour", "12 emails every hour", "90 words/min". */
const RATE_OF_TIME = new RegExp(String.raw`${QTY}\s*([a-z]+)\s*(?:(?:per|a|an|each|every)\s+|\/\s*)${TIME_WORD}\b`, 'i')
/** "how long", "how much time", "how many minutes". */
const ASKS_TIME = new RegExp(String.raw`\bhow\s+long\b|\bhow\s+much\s+time\b|\bhow\s+many\s+${TIME_WORD}\b`, 'i')
/** A rate asked in a unit of time: "per day", "a minute", "every hour". */
const PER_TIME = new RegExp(String.raw`\b(?:per|a|an|each|every)\s+${TIME_WORD}\b`, 'i')
/** A rate asked by the month or the year, which have no fixed length: "a month", "per year". */
const PER_LONG = /\b(?:per|a|each|every)\s+(month|year)\b/i
const LONG: Record<string, { seconds: number, name: string }> = { month: { seconds: 365 * 86_400 / 12, name: 'month' }, year: { seconds: 365 * 86_400, name: 'year' } }
/** "in 2 hours", "for 45 minutes", "over 3 days". */
const TIME_SPAN = new RegExp(String.raw`\b(?:in|for|over|within|during|after)\s+(?:${QTY}|an?|one)\s*${TIME_WORD}\b`, 'i')

/**
 * A duration as days, hours, minutes and seconds ("3 minutes 20 seconds"), to the whole second;
 * undefined when that says no more than `value` `name`s already does (whole, and under the next unit).
 */
function spelledOut (seconds: number, value: number, name: string): string | undefined {
  const { parts } = inUnits(Math.round(seconds), ['day', 'hour', 'minute', 'second'].map(timeUnitOf))
  if (parts.length === 0 || (parts.length === 1 && parts[0] === plural(value, name))) return undefined
  return parts.join(' ')
}

/** A duration in `to` units, spelled out after it when that says more: "3.33333 minutes (3 minutes 20 seconds)"; the output is the quantity alone. */
function inTime (seconds: number, to: { seconds: number, name: string }): { text: string, output: string } {
  const value = Number((seconds / to.seconds).toPrecision(6))
  const spelled = spelledOut(seconds, value, to.name)
  return { text: `${plural(value, to.name)}${spelled !== undefined ? ` (${spelled})` : ''}`, output: plural(value, to.name) }
}

/**
 * Seconds in whole units, largest first ("2 hours", "46 minutes"; a unit of none left out), and what
 * is left under the smallest, to the millisecond.
 */
function inUnits (seconds: number, units: readonly { seconds: number, name: string }[]): { parts: string[], left: number } {
  let left = Math.round(seconds * 1000) / 1000
  const parts: string[] = []
  for (const u of units) {
    const n = Math.floor(left / u.seconds + 1e-9)
    left = Math.round((left - n * u.seconds) * 1000) / 1000
    if (n > 0) parts.push(plural(n, u.name))
  }
  return { parts, left }
}

/** A unit of time as TIME_WORD writes it, or by its letter ("10000 s in h and min"): timeUnitOf reads each by its first letter. */
const TIME_UNIT_WORD = String.raw`(${TIME_WORD.slice(1, -1)}|s|h)`
/** "What is 10,000 seconds in hours and minutes?", "How long is 200 minutes in hours, minutes and seconds?", "Convert 100,000 seconds to days, hours and minutes". */
const SPLIT_ASKED = new RegExp(String.raw`^(?:(?:what\s+is|what's|how\s+long\s+is|how\s+much\s+is|convert|express|write|show|give\s+me)\s+)?${QTY}\s*${TIME_UNIT_WORD}\s+(?:in|to|into|as)\s+${TIME_UNIT_WORD}(?:\s*,\s*|\s+and\s+)${TIME_UNIT_WORD}(?:(?:\s*,\s*|\s*,?\s+and\s+)${TIME_UNIT_WORD})?\s*[?.!]?$`, 'i')

/**
 * A duration in the units asked, largest first, the last with what is left over: "10,000 seconds in
 * hours and minutes" → 2 hours 46 minutes 40 seconds (the seconds said too, rather than a fraction
 * of a minute). Before, mathjs failed on it ("unexpected type of argument in function and").
 */
export function splitDuration (request: string): MeasureAnswer | undefined {
  if (request.length > 200) return undefined
  const s = numberWordsToDigits(request.trim().replace(/\s+/g, ' '))
  const m = SPLIT_ASKED.exec(s)
  if (m === null) return undefined
  const value = valueOf(m[1]!)
  const from = timeUnitOf(m[2]!)
  const units = [m[3]!, m[4]!, ...(m[5] === undefined ? [] : [m[5]])].map(timeUnitOf).sort((a, b) => b.seconds - a.seconds)
  if (new Set(units.map(u => u.name)).size !== units.length) return undefined
  const total = value * from.seconds
  const { parts, left } = inUnits(total, units)
  // What is left under the smallest unit asked: in seconds ("and 40 seconds"), or a fraction of a second.
  if (left > 0) parts.push(plural(Number(left.toPrecision(6)), 'second'))
  const text = parts.length === 0 ? plural(0, units.at(-1)!.name) : parts.join(' ')
  return {
    text,
    output: text,
    steps: [...(from.name === 'second' ? [] : [`${plural(value, from.name)} = ${Number(total.toPrecision(12))} seconds`]), ...units.map(u => `${u.name}: ${u.seconds} seconds`), `= ${text}`]
  }
}

/** "45 minutes as a fraction of an hour", "What fraction of a day is 6 hours?", "90 seconds as a percentage of 5 minutes". */
const PART_AS = new RegExp(String.raw`^(?:(?:what\s+is|what's|express|write)\s+)?${QTY}\s*${TIME_UNIT_WORD}\s+as\s+(?:an?\s+)?(fraction|percentage|percent|proportion|decimal)\s+of\s+(?:(?:an?|one)\s+|${QTY}\s*)${TIME_UNIT_WORD}\s*[?.!]?$`, 'i')
const WHAT_PART = new RegExp(String.raw`^what\s+(fraction|percentage|percent|proportion)\s+of\s+(?:(?:an?|one)\s+|${QTY}\s*)${TIME_UNIT_WORD}\s+(?:is|are)\s+${QTY}\s*${TIME_UNIT_WORD}\s*[?.!]?$`, 'i')

function gcd (a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
}

/**
 * One duration as a part of another: "45 minutes as a fraction of an hour" → 3/4, "as a percentage"
 * → 75%. Before, mathjs failed on it ("undefined symbol a").
 */
export function partOfTime (request: string): MeasureAnswer | undefined {
  if (request.length > 200 || !/fraction|percent|proportion|decimal/i.test(request)) return undefined
  const s = numberWordsToDigits(request.trim().replace(/\s+/g, ' '))
  const as = PART_AS.exec(s)
  const what = as === null ? WHAT_PART.exec(s) : null
  if (as === null && what === null) return undefined
  const [kind, partN, partUnit, wholeN, wholeUnit] = as !== null ? [as[3]!, as[1]!, as[2]!, as[4], as[5]!] : [what![1]!, what![4]!, what![5]!, what![2], what![3]!]
  const [partOf, wholeOf] = [timeUnitOf(partUnit), timeUnitOf(wholeUnit)]
  const part = valueOf(partN) * partOf.seconds
  const whole = (wholeN === undefined ? 1 : valueOf(wholeN)) * wholeOf.seconds
  if (!(whole > 0)) return undefined
  const wholeSaid = wholeN === undefined ? `1 ${wholeOf.name}` : plural(valueOf(wholeN), wholeOf.name)
  const partSaid = plural(valueOf(partN), partOf.name)
  const steps = [`${partSaid} = ${part} seconds; ${wholeSaid} = ${whole} seconds`]
  const ratio = part / whole
  /** A long fraction shown to 6 significant digits ("≈ 33.3333"), the output keeping every digit. */
  const shown = (x: number): string => Number(x.toPrecision(6)) === x ? String(x) : `≈ ${Number(x.toPrecision(6))}`
  if (/^percent/i.test(kind)) {
    const pct = Number((ratio * 100).toPrecision(12))
    return { text: `${shown(pct)}%`, output: pct, steps: [...steps, `${part} / ${whole} × 100 = ${pct}%`] }
  }
  if (/^decimal$/i.test(kind) || !Number.isInteger(part) || !Number.isInteger(whole)) {
    const d = Number(ratio.toPrecision(12))
    return { text: shown(d), output: d, steps: [...steps, `${part} / ${whole} = ${d}`] }
  }
  const g = gcd(part, whole)
  const [n, d] = [part / g, whole / g]
  const text = d === 1 ? String(n) : `${n}/${d}`
  return { text: `${text}${d === 1 ? '' : ` (${shown(ratio)})`}`, output: text, steps: [...steps, `${part} / ${whole} = ${text} (both divided by ${g})`] }
}

/**
 * A count that grows (or shrinks) by a percentage every period, after a span in the same periods: "Our
 * database has 2.4 million rows and grows by 15% a year. How many rows will it have in 3 years?" →
 * 2,400,000 × 1.15^3 = 3,650,100 rows (a whole count stays whole). Before, the researcher answered
 * "going by what you say". Money is growthOverTime's (money.ts).
 */
export function countGrowth (request: string): MeasureAnswer | undefined {
  // A growth is a percentage: without one, no number words to read.
  if (request.length > 400 || !/%|percent/i.test(request)) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  if (!/\bhow\s+many\b|\bwhat\b/i.test(s) || amountsIn(s).length > 0) return undefined
  const growth = growthAsked(s)
  if (growth === undefined) return undefined
  let rest = s
  for (const m of [...growth.said].sort((a, b) => b.index - a.index)) rest = rest.slice(0, m.index) + ' ' + rest.slice(m.index + m[0].length)
  const counted = [...rest.matchAll(new RegExp(String.raw`${QTY}\s*([a-z]+)`, 'gi'))]
  if (counted.length !== 1 || numbersWritten(rest) !== 1) return undefined
  const n = valueOf(counted[0]![1]!)
  const things = counted[0]![2]!
  const { pct, down, period, periods } = growth
  const factor = 1 + (down ? -pct : pct) / 100
  const exact = n * factor ** periods
  const whole = Number.isInteger(n)
  const value = whole ? Math.round(exact) : Number(exact.toPrecision(12))
  const text = `${value.toLocaleString('en-US', { maximumFractionDigits: 6 })} ${things}`
  return {
    text,
    output: `${value} ${things}`,
    steps: [
      `${n} ${things} ${down ? 'less' : 'plus'} ${pct}% a ${period}, ${periods} time${periods === 1 ? '' : 's'}`,
      `expression: ${n} * (1 ${down ? '-' : '+'} ${pct} / 100)^${periods}`,
      `= ${Number(exact.toPrecision(12))}${whole && value !== exact ? `, to a whole number of ${things}: ${value}` : ''}`
    ]
  }
}

/** Bytes in a size as written: "4 GB", "700MB", "1.5 TiB" (decimal prefixes as drives and networks count them, binary with an i). */
const BYTES: Record<string, number> = { b: 1, byte: 1, bytes: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 }
/** Bits a second in a rate as written: "50 Mbps", "1 Gbit/s", "100 Mb/s"; or bytes a second ("20 MB/s", "20 MBps"), times 8. */
const SIZE = String.raw`${QTY}\s*(bytes?|[kmgt]i?b)\b(?!\/s|ps)`
const LINK = new RegExp(String.raw`${QTY}\s*([kmg])(bps|bits?\/s|b\/s|bytes?\/s)(?![a-z])`, 'i')
const TRANSFER = /\b(?:download|upload|transfer|copy|send|sync|back\s+up|backup|move|stream|push|pull|fetch)(?:s|ed|ing)?\b/i
const ASKS_HOW_LONG_TRANSFER = /\bhow\s+long\b|\bhow\s+much\s+time\b|\bhow\s+many\s+(?:seconds|minutes|hours)\b|\btime\s+(?:to|it\s+takes|needed)\b/
const PREFIX: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9 }

/**
 * How long moving a size of data takes at a link's rate: "How long will it take to download a 4 GB
 * file at 50 Mbps?" → 640 seconds (10 minutes 40 seconds); a GB is 10^9 bytes, a byte 8 bits, a
 * Mbps 10^6 bits a second (the working says so). Before, mathjs failed on it.
 */
export function transferTime (request: string): MeasureAnswer | undefined {
  if (request.length > 300 || !TRANSFER.test(request) || !ASKS_HOW_LONG_TRANSFER.test(request.toLowerCase())) return undefined
  const size = new RegExp(SIZE, 'i').exec(request)
  const link = LINK.exec(request)
  if (size === null || link === null || numbersWritten(request) !== 2) return undefined
  const bytes = valueOf(size[1]!) * BYTES[size[2]!.toLowerCase()]!
  // "MBps", "MB/s", "MB per second" are bytes (a capital B, or the word); "Mbps", "mbps", "Mb/s" bits.
  const inBytes = /^(?:B|bytes?\/)/.test(link[3]!)
  const bitsPerSecond = valueOf(link[1]!) * PREFIX[link[2]!.toLowerCase()]! * (inBytes ? 8 : 1)
  if (!(bitsPerSecond > 0)) return undefined
  const seconds = bytes * 8 / bitsPerSecond
  const unit = seconds >= 86_400 ? timeUnitOf('day') : seconds >= 3600 ? timeUnitOf('hour') : seconds >= 60 ? timeUnitOf('minute') : timeUnitOf('second')
  const { text, output } = inTime(seconds, unit)
  return {
    text,
    output,
    steps: [
      `${size[0]} = ${bytes.toLocaleString('en-US')} bytes = ${(bytes * 8).toLocaleString('en-US')} bits${/i/i.test(size[2]!) ? '' : ' (a kB, MB, GB is 1,000 times the one before)'}`,
      `${link[0]} = ${bitsPerSecond.toLocaleString('en-US')} bits a second${inBytes ? ' (8 bits a byte)' : ''}`,
      `${(bytes * 8).toLocaleString('en-US')} / ${bitsPerSecond.toLocaleString('en-US')} = ${Number(seconds.toPrecision(12))} seconds`,
      `= ${text}`
    ]
  }
}

/**
 * Work at a rate of time, either way round: "How long does it take to read 12000 words at 250 words
 * per minute?" (12000 / 250 = 48 minutes), "How many words can I type in 2 hours at 40 words a
 * minute?" (40 × 120 = 4800 words). The amount's unit must be the rate's (either number); exactly
 * two numbers; no money, and no speed (travel.ts has distance, speed and time).
 */
export function rateAndTime (request: string): MeasureAnswer | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  if (amountsIn(s).length > 0 || /%|\bpercent\b/i.test(s) || tellsTravel(s)) return undefined
  const rate = RATE_OF_TIME.exec(s)
  if (rate === null) return undefined
  const [perWritten, unit, perWord] = [rate[1]!, rate[2]!.toLowerCase(), rate[3]!]
  const per = timeUnitOf(perWord)
  const r = valueOf(perWritten)
  if (r === 0) return undefined
  const rest = s.slice(0, rate.index) + ' ' + s.slice(rate.index + rate[0].length)
  const asked = ASKS_TIME.exec(s)
  if (asked !== null) {
    if (numbersWritten(s) !== 2) return undefined
    const amount = new RegExp(String.raw`${QTY}\s*([a-z]+)\b`, 'i').exec(rest)
    if (amount === null || singular(amount[2]!) !== singular(unit)) return undefined
    const a = valueOf(amount[1]!)
    const seconds = a / r * per.seconds
    const to = asked[1] !== undefined ? timeUnitOf(asked[1]) : per
    // The output is the quantity alone, as the other readers give it (a verifier reads the number it opens with).
    const { text, output } = inTime(seconds, to)
    return {
      text,
      output,
      steps: [`${a} ${amount[2]!} at ${r} ${unit} ${aPer(per.name)}: ${a} / ${r} ${per.name}s`, `expression: ${a} / ${r}${to === per ? '' : ` * ${per.seconds} / ${to.seconds}`}`, `= ${text}`]
    }
  }
  // How much in a span of time: "how many words in 2 hours", "how many pages can she read in 45 minutes".
  if (!/\bhow\s+(?:many|much)\b/i.test(s)) return undefined
  const span = TIME_SPAN.exec(rest)
  if (span === null) {
    // The rate in another unit of time: "Our API handles 1,200 requests per second. How many requests
    // is that per day?" (1,200 × 86,400). Before, the word-problem reader failed on it.
    // A month or a year is an average one (365 days, a twelfth of it), and the answer says so.
    const asked = PER_TIME.exec(rest) ?? PER_LONG.exec(rest)
    if (asked === null || numbersWritten(s) !== 1) return undefined
    const to = LONG[asked[1]!.toLowerCase()] ?? timeUnitOf(asked[1]!)
    if (to === per) return undefined
    const value = Number((r * to.seconds / per.seconds).toPrecision(12))
    const output = `${value} ${unit}`
    const note = to.name === 'month' ? ' (an average month, 365 / 12 days)' : to.name === 'year' ? ' (a year of 365 days)' : ''
    const text = `${value.toLocaleString('en-US', { maximumFractionDigits: 6 })} ${unit} ${aPer(to.name)}${note}`
    return { text, output, steps: [`${r} ${unit} ${aPer(per.name)}, taken to ${aPer(to.name)}${note}`, `expression: ${r} * ${to.seconds} / ${per.seconds}`, `= ${output} ${aPer(to.name)}`] }
  }
  if (numbersWritten(s) !== (span[1] === undefined ? 1 : 2)) return undefined
  const t = span[1] === undefined ? 1 : valueOf(span[1])
  const of = timeUnitOf(span[2]!)
  const value = Number((r * t * of.seconds / per.seconds).toPrecision(12))
  const text = `${value} ${unit}`
  return {
    text,
    output: text,
    steps: [`${r} ${unit} ${aPer(per.name)}, for ${plural(t, of.name)}`, `expression: ${r} * ${t}${of === per ? '' : ` * ${of.seconds} / ${per.seconds}`}`, `= ${text}`]
  }
}

/** A request for a total that writes exactly two numbers, neither money nor a percentage (the readers of so many of a size each). */
function totalOfTwo (s: string): boolean {
  return ASKS_ALL.test(s) && amountsIn(s).length === 0 && !/%|\bpercent\b/i.test(s) && numbersWritten(s) === 2
}

/** "a build takes 12 minutes", "each call lasts 8 minutes", "one deploy runs for 3 minutes". */
const ONE_TAKES = new RegExp(String.raw`\b(?:a|an|each|every|one)\s+([a-z]+)\s+(?:takes|lasts|runs\s+for|needs|is)\s+(?:about\s+|around\s+)?${QTY}\s*${TIME_WORD}`, 'i')
/** "we run 40 builds a day", "40 builds per day", "there are 25 calls every week". */
const MANY_PER = new RegExp(String.raw`${QTY}\s+([a-z]+)\s+(?:a|an|per|each|every)\s+(day|week|month|year)\b`, 'i')

/**
 * A duration each time, so many times a period, in all that period: "If a build takes 12 minutes
 * and we run 40 builds a day, how many hours of build time is that per day?" → 8 hours a day (480
 * minutes). The things counted must be the things that take the time; exactly two numbers, no
 * money. Before, "cannot parse".
 */
export function durationsPerPeriod (request: string): MeasureAnswer | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  if (!totalOfTwo(s)) return undefined
  const one = ONE_TAKES.exec(s)
  const many = MANY_PER.exec(s)
  if (one === null || many === null || singular(one[1]!.toLowerCase()) !== singular(many[2]!.toLowerCase())) return undefined
  const size = valueOf(one[2]!)
  const unit = timeUnitOf(one[3]!)
  const n = valueOf(many[1]!)
  const period = many[3]!.toLowerCase()
  const asked = new RegExp(String.raw`\bhow\s+many\s+${TIME_WORD}\b`, 'i').exec(s)
  const { text, output } = inTime(n * size * unit.seconds, asked !== null ? timeUnitOf(asked[1]!) : unit)
  return {
    text: `${text} a ${period}`,
    output,
    steps: [`${n} ${many[2]!} a ${period}, ${size} ${one[3]!} each`, `expression: ${n} * ${size} ${unit.name}s`, `= ${text} a ${period}`]
  }
}

/** "3 meetings of 45 minutes each", "4 boxes weighing 2.5 kg each", "3 runs of 5 km each". */
const OF_EACH = new RegExp(String.raw`${QTY}\s+([a-z]+)\s+(?:of|at|lasting|weighing|measuring|taking|(?:that|which)\s+(?:lasts?|weighs?|takes?|measures?))\s+${QTY}\s*([a-z]+)\s+each\b`, 'i')
/** "3 meetings, each lasting 45 minutes", "5 bags each weighing 2 kg", "2 films, each of 95 minutes". */
const EACH_OF = new RegExp(String.raw`${QTY}\s+([a-z]+),?\s+each\s+(?:one\s+)?(?:of|lasting|weighing|measuring|taking|is|was|being)?\s*${QTY}\s*([a-z]+)\b`, 'i')
const ASKS_ALL = /\bhow\s+(?:long|much|many|far|heavy)\b|\b(?:in\s+total|altogether|in\s+all|combined|total)\b/i

/**
 * So many things of one size each, in all: "I have 3 meetings of 45 minutes each. How long is that in
 * total?" (3 × 45 = 135 minutes, 2 hours 15 minutes). Exactly two numbers, no money (a price each is a
 * word problem's). Before, mathjs read "I" as a symbol, and the task failed.
 */
export function eachTimes (request: string): MeasureAnswer | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  if (!totalOfTwo(s)) return undefined
  const m = OF_EACH.exec(s) ?? EACH_OF.exec(s)
  if (m === null) return undefined
  const [n, size] = [valueOf(m[1]!), valueOf(m[3]!)]
  const [things, unit] = [m[2]!, m[4]!]
  if (singular(things) === singular(unit)) return undefined
  const total = Number((n * size).toPrecision(12))
  const steps = [`${n} ${things} of ${size} ${unit} each`, `expression: ${n} * ${size}`]
  const time = new RegExp(String.raw`^${TIME_WORD}$`, 'i').test(unit) ? timeUnitOf(unit) : undefined
  if (time === undefined) {
    const text = `${total} ${unit}`
    return { text, output: text, steps: [...steps, `= ${text}`] }
  }
  const asked = new RegExp(String.raw`\bhow\s+many\s+${TIME_WORD}\b`, 'i').exec(s)
  const { text, output } = inTime(total * time.seconds, asked !== null ? timeUnitOf(asked[1]!) : time)
  return { text, output, steps: [...steps, `= ${text}`] }
}
