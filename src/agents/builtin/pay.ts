/**
 * Pay over time, for the calculator: a rate of pay ("$25 an hour", "$60,000 a year") taken to another
 * period or span ("what do I earn in a year?", "what is that per month?", "as an hourly rate", "in 5
 * days"), with the hours the request gives ("38 hours a week", "8 hours a day", "4 days a week").
 *
 * Before, "If I earn $25 an hour and work 38 hours a week, what do I earn in a year?" was cut in two
 * by the planner and failed; "If I work 8 hours a day at $20 an hour, how much do I earn in 5 days?"
 * was answered $100.00 (the savings reader took "a day" from "8 hours a day" for the $20's period).
 *
 * A week is 52 to the year, a month a twelfth of it (52/12 weeks), a quarter 13 weeks. Hours the
 * request does not give, where the answer needs them, are 8 a day, 5 days a week, 40 hours a week,
 * and the answer says so; between periods of a week or longer no hours are needed.
 */
import { amountsIn, asMoney } from './money.ts'
import { numberWordsToDigits } from './number-words.ts'
import { splitSentences } from './sentences.ts'

type Unit = 'hour' | 'day' | 'week' | 'fortnight' | 'month' | 'quarter' | 'year'

const UNITS = String.raw`(hour|day|week|fortnight|month|quarter|year)`
const ADJECTIVE: Record<string, Unit> = { hourly: 'hour', daily: 'day', weekly: 'week', fortnightly: 'fortnight', monthly: 'month', quarterly: 'quarter', yearly: 'year', annually: 'year', annual: 'year' }
const ABBREVIATION: Record<string, Unit> = { h: 'hour', hr: 'hour', hour: 'hour', d: 'day', day: 'day', wk: 'week', week: 'week', mo: 'month', month: 'month', yr: 'year', year: 'year' }
/** Right after an amount: "an hour", "per hour", "a year", "/hr", "hourly", "per annum". */
const RATE_AFTER = new RegExp(String.raw`^\s*(?:(?:an?|per|each|every)\s+${UNITS}\b|/\s*(h|hr|hour|d|day|wk|week|mo|month|yr|year)\b|(hourly|daily|weekly|fortnightly|monthly|quarterly|yearly|annually)\b|(per\s+annum)\b)`, 'i')
/** "38 hours a week", "8 hrs per day", "160 hours a month". */
const HOURS_PER = /(\d+(?:\.\d+)?)\s*(?:hours?|hrs?)\s+(?:a|per|each|every)\s+(day|week|fortnight|month)\b/gi
/** "4 days a week". */
const DAYS_PER_WEEK = /(\d+(?:\.\d+)?)\s*(?:working\s+)?days?\s+(?:a|per|each|every)\s+week\b/gi
/** Words of pay: without them, a sum per period over a span is savings or spending (money.ts). */
const PAY = /\b(?:earn|earns|earned|earning|earnings|make|makes|made|paid|pay|pays|salary|wage|wages|income|gross|hourly|per\s+hour|an\s+hour|an\s+hourly)\b/i
/** "in 5 days", "for 3 weeks", "in a year", "over one month". */
const SPAN_ASKED = new RegExp(String.raw`\b(?:in|for|over|within|after)\s+(\d+(?:\.\d+)?|an?|one)\s+${UNITS}s?\b`, 'i')
/** "a year", "per month", "each week", "in a year"'s bare form, "yearly", "as an hourly rate", "annual salary". */
const PER_ASKED = new RegExp(String.raw`\b(?:an?|per|each|every)\s+${UNITS}\b|\b(hourly|daily|weekly|fortnightly|monthly|quarterly|yearly|annual|annually)\b|\b(per\s+annum)\b`, 'i')
const ASKS = /\bhow\s+much\b|\bwhat\b/i
/**
 * A machine's or a service's cost by the hour ("Our server costs $0.12 per hour. What does it cost to
 * run for a month?"): it runs around the clock, not a working week. Before, that was $20.80 "assuming
 * 40 hours a week"; now $87.60 for the 730 hours of an average month (365 × 24 / 12, as cloud
 * providers bill). Words of a person's work keep the working week.
 */
const RUNS = /\b(?:run|runs|running|server|servers|instance|instances|vm|vms|machine|machines|gpu|gpus|cluster|node|nodes|container|containers|database|hosting|host|uptime|24\/7|around\s+the\s+clock|round\s+the\s+clock|always\s+on|non-?stop)\b/i
const WORKS = /\b(?:earn|earns|earned|earning|salary|wage|wages|work|works|worked|working|shift|shifts|job|employee|staff|contractor|freelancer|consultant|nanny|babysitter|tutor)\b/i
const WEEKS: Partial<Record<Unit, number>> = { week: 1, fortnight: 2, month: 52 / 12, quarter: 13, year: 52 }
const PER_YEAR: Partial<Record<Unit, number>> = { week: 52, fortnight: 26, month: 12, quarter: 4, year: 1 }

export interface PayAnswer { text: string, output: number, steps: string[] }

/** Pay at a rate taken to the period or span the request asks for (see the module's comment), or undefined when it asks nothing of the sort. */
export function payOverTime (request: string): PayAnswer | undefined {
  if (request.length > 400 || /%|\bpercent\b|\btax\b|\braise\b|\binterest\b/i.test(request)) return undefined
  const pay = PAY.test(request)
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  const amounts = amountsIn(s)
  if (amounts.length !== 1) return undefined
  const a = amounts[0]!
  const at = s.indexOf(a.text)
  const rate = at < 0 ? null : RATE_AFTER.exec(s.slice(at + a.text.length))
  if (rate === null) return undefined
  const from: Unit = (rate[1]?.toLowerCase() as Unit | undefined) ?? ABBREVIATION[rate[2]?.toLowerCase() ?? ''] ?? ADJECTIVE[rate[3]?.toLowerCase() ?? ''] ?? 'year'
  // What is asked: in the last sentence (or the clause after the last comma), without the rate and the hours said.
  let rest = s.slice(0, at) + ' '.repeat(a.text.length + rate[0].length) + s.slice(at + a.text.length + rate[0].length)
  const hours: Partial<Record<'day' | 'week' | 'fortnight' | 'month', number>> = {}
  for (const m of rest.matchAll(HOURS_PER)) hours[m[2]!.toLowerCase() as 'day'] = Number(m[1])
  let daysPerWeek: number | undefined
  for (const m of rest.matchAll(DAYS_PER_WEEK)) daysPerWeek = Number(m[1])
  rest = rest.replace(HOURS_PER, ' ').replace(DAYS_PER_WEEK, ' ')
  const sentences = splitSentences(rest)
  const last = sentences.at(-1) ?? rest
  const question = /,/.test(last) && ASKS.test(last.slice(last.lastIndexOf(','))) ? last.slice(last.lastIndexOf(',')) : last
  if (!ASKS.test(question)) return undefined
  const span = SPAN_ASKED.exec(question)
  const per = span === null ? PER_ASKED.exec(question) : null
  if (span === null && per === null) return undefined
  const to: Unit = span !== null ? span[2]!.toLowerCase() as Unit : (per![1]?.toLowerCase() as Unit | undefined) ?? ADJECTIVE[per![2]?.toLowerCase() ?? ''] ?? 'year'
  const count = span === null ? 1 : /^(?:an?|one)$/i.test(span[1]!) ? 1 : Number(span[1])
  if (!(count > 0) || (to === from && count === 1 && per !== null)) return undefined
  // Without words of pay, only a cost or a sum per period taken to another period of a week or
  // longer ("My rent is $1,200 a month. How much is that a year?"); spans are savings (money.ts).
  if (!pay && (span !== null || PER_YEAR[from] === undefined || PER_YEAR[to] === undefined)) return undefined

  const assumed: string[] = []
  const continuous = RUNS.test(request) && !WORKS.test(request) && Object.keys(hours).length === 0 && daysPerWeek === undefined
  // Between periods of a week or longer, by how many come round in a year ("60000 / 12"); else by hours worked.
  const [over, under] = PER_YEAR[from] !== undefined && PER_YEAR[to] !== undefined
    ? [{ value: PER_YEAR[from]!, text: String(PER_YEAR[from]!) }, { value: PER_YEAR[to]!, text: String(PER_YEAR[to]!) }]
    : continuous
      ? [hoursRunning(to, assumed), hoursRunning(from, assumed)]
      : [hoursIn(to, hours, daysPerWeek, assumed), hoursIn(from, hours, daysPerWeek, assumed)]
  const value = a.value * over.value / under.value * count
  if (!Number.isFinite(value)) return undefined
  const money = asMoney(value, a.currency)
  const aUnit = (u: Unit): string => `${u === 'hour' ? 'an' : 'a'} ${u}`
  const asked = span === null ? aUnit(to) : /^(?:an?|one)$/i.test(span[1]!) ? `in ${aUnit(to)}` : `in ${count} ${to}${count === 1 ? '' : 's'}`
  const given = [...Object.entries(hours).map(([unit, h]) => `${h} hours a ${unit}`), ...(daysPerWeek !== undefined ? [`${daysPerWeek} days a week`] : [])]
  const steps = [
    `${a.text} ${aUnit(from)}${given.length > 0 ? `, ${given.join(', ')}` : ''}: ${asked}`,
    ...(assumed.length > 0 ? [`assumed: ${[...new Set(assumed)].join(', ')}`] : []),
    `${[String(a.value), ...(over.text === '1' ? [] : [/[/]/.test(over.text) ? `(${over.text})` : over.text]), ...(count === 1 ? [] : [String(count)])].join(' * ')}${under.text === '1' ? '' : / /.test(under.text) ? ` / (${under.text})` : ` / ${under.text}`} = ${round(value)}`
  ]
  const note = assumed.length > 0 ? ` (assuming ${[...new Set(assumed)].join(' and ')})` : ''
  return { text: `${money.text} ${asked}${note}`, output: money.value, steps }
}

/** An amount of time as a value and as written for the working ("38 * 52"). */
interface Span { value: number, text: string }

const WEEKS_TEXT: Partial<Record<Unit, string>> = { week: '1', fortnight: '2', month: '52 / 12', quarter: '13', year: '52' }

/** The weeks in one `unit` of a week or longer. */
function weeksIn (unit: Unit): Span {
  return { value: WEEKS[unit]!, text: WEEKS_TEXT[unit]! }
}

/** The hours worked in one `unit`, from what the request gives, else the usual week (noted in `assumed`). */
function hoursIn (unit: Unit, hours: Partial<Record<'day' | 'week' | 'fortnight' | 'month', number>>, daysPerWeek: number | undefined, assumed: string[]): Span {
  const week = (): Span => {
    if (hours.week !== undefined) return { value: hours.week, text: String(hours.week) }
    if (hours.fortnight !== undefined) return { value: hours.fortnight / 2, text: `${hours.fortnight} / 2` }
    if (hours.month !== undefined) return { value: hours.month * 12 / 52, text: `${hours.month} * 12 / 52` }
    if (hours.day !== undefined) {
      if (daysPerWeek === undefined) assumed.push('5 working days a week')
      return { value: hours.day * (daysPerWeek ?? 5), text: `${hours.day} * ${daysPerWeek ?? 5}` }
    }
    assumed.push('40 hours a week')
    return { value: 40, text: '40' }
  }
  switch (unit) {
    case 'hour': return { value: 1, text: '1' }
    case 'day': {
      if (hours.day !== undefined) return { value: hours.day, text: String(hours.day) }
      if (daysPerWeek !== undefined) { const w = week(); return { value: w.value / daysPerWeek, text: `${w.text} / ${daysPerWeek}` } }
      if (hours.week === undefined && hours.fortnight === undefined && hours.month === undefined) { assumed.push('8 hours a day'); return { value: 8, text: '8' } }
      assumed.push('5 working days a week')
      const w = week()
      return { value: w.value / 5, text: `${w.text} / 5` }
    }
    default: {
      const w = week()
      const n = weeksIn(unit)
      return n.value === 1 ? w : { value: w.value * n.value, text: `${w.text} * ${n.text}` }
    }
  }
}

/** The hours in one `unit` of running around the clock: 24 a day, a year of 365 days, a month a twelfth of it. */
const HOURS_RUNNING: Record<Unit, Span> = {
  hour: { value: 1, text: '1' },
  day: { value: 24, text: '24' },
  week: { value: 168, text: '24 * 7' },
  fortnight: { value: 336, text: '24 * 14' },
  month: { value: 730, text: '24 * 365 / 12' },
  quarter: { value: 2190, text: '24 * 365 / 4' },
  year: { value: 8760, text: '24 * 365' }
}

function hoursRunning (unit: Unit, assumed: string[]): Span {
  if (unit !== 'hour') assumed.push(unit === 'month' ? 'it runs around the clock, 730 hours in an average month' : unit === 'quarter' ? 'it runs around the clock, 2,190 hours in a quarter' : 'it runs around the clock')
  return HOURS_RUNNING[unit]
}

function round (x: number): number {
  return Math.round(x * 1e6) / 1e6
}

/** Whether the calculator reads `text` as pay over time (the planner keeps it one task; the calculator bids). */
export function tellsPay (text: string): boolean {
  return payOverTime(text) !== undefined
}
