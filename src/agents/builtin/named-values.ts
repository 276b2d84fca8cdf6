/**
 * Values the room has named, for the calculator: "What is 10% of the Q1 budget?" after someone said
 * "The Q1 budget is $48,000.", "What time is the client demo in New York?" after "The client demo is
 * on 9 December 2026 at 3pm London time." Before, the researcher quoted the budget (or, for the time,
 * another task's answer) and nothing was computed.
 *
 * This module only reads text: which phrases of a request name a value ("the Q1 budget"), and what
 * value a statement gives a name. The calculator searches the graph for each name, takes the best
 * statement (verified first, then the newest) and computes with the value written in, citing it.
 */
import type { GraphHit } from '../types.ts'
import { datesIn, longDay } from './dates.ts'
import { TIME } from './time-zones.ts'
import { timesIn } from './clock-times.ts'
import { MAGNITUDES } from './number-words.ts'
import { periodAfter } from './money.ts'

/** A phrase of a request that may name a value the room stated: "the Q1 budget" (name "Q1 budget"). */
export interface NamedOperand {
  /** As written, with its determiner: "the Q1 budget". */
  phrase: string
  /** Without it: "Q1 budget". */
  name: string
}

const DETERMINER = String.raw`(?:the|our|my|your|their|this\s+year's|last\s+year's|next\s+year's)`
/** Words a name never runs into: verbs, prepositions, conjunctions, pronouns ("the Q1 budget is left if we ..."). */
const STOP = new Set(('is are was were be been will would shall should can could may might do does did has have had ' +
  'if when after before until by to in into from minus plus times divided multiplied over under and or but of for ' +
  'left remaining per each every we i you they he she it at on with than as then so that which who what where how ' +
  'after less more off up down out between among across against about around through during without within ' +
  // Verbs of a story and articles: "each person on our team gets a $250 bonus" names "team".
  'a an the gets receives earns costs pays spends needs hires buys gives').split(' '))
/** Words that open a calculation's own phrase, not a name ("the square root of", "the average of", "the result"). */
const NOT_A_NAME = new Set(('total sum average mean median mode range result answer square cube root power product ' +
  'difference quotient remainder rest number value values area perimeter volume same following first last next ' +
  'previous other numbers time date day week month year today tomorrow yesterday end start beginning').split(' '))
const NAME_WORD = /^[A-Za-z0-9][\w'&-]*$/
/** What follows a name the request gives a value for: "(the price) of a laptop is $1,200", "(the budget) is 5,000". */
const GIVEN_HERE = /^(?:of(?:\s+[^\s,.;?!]+){1,4}?\s+)?(?:is|was|are|were|=|:)\s+(?:about\s+|around\s+|now\s+)?[-−]?[$€£¥₹]?\s?\d/i

/** The phrases of `request` that may name a stated value, in order; at most 4 words a name. */
export function namedOperands (request: string): NamedOperand[] {
  if (request.length > 400) return []
  const out: NamedOperand[] = []
  const given = new Set<string>()
  for (const m of request.matchAll(new RegExp(String.raw`\b(${DETERMINER})\s+`, 'gi'))) {
    const words: string[] = []
    const rest = request.slice(m.index + m[0].length).split(/\s+/)
    for (const raw of rest) {
      const word = raw.replace(/[?.!,;:]+$/, '')
      if (!NAME_WORD.test(word) || STOP.has(word.toLowerCase()) || words.length === 4) break
      words.push(word)
      if (word !== raw) break
    }
    // "the product of 3 and 4", "the square root of 16", "the result": a calculation's own words. "The
    // product launch", "the average age" are names.
    if (words.length === 0 || (NOT_A_NAME.has(words[0]!.toLowerCase()) && (words.length === 1 || /^of$/i.test(rest[words.length] ?? '')))) continue
    // A name has a word of letters: "the 3" is not one.
    if (!words.some(w => /[a-z]{2}/i.test(w))) continue
    const name = words.join(' ')
    if (given.has(name.toLowerCase()) || out.some(o => o.name.toLowerCase() === name.toLowerCase())) continue
    // "If the price of a laptop is $1,200 and ...": the request gives the value itself.
    if (GIVEN_HERE.test(rest.slice(words.length).join(' '))) { given.add(name.toLowerCase()); continue }
    out.push({ phrase: `${m[1]!} ${name}`, name })
  }
  return out
}

/** The name as it may be written in a statement: its words with any space between them. */
function namePattern (name: string): string {
  return name.split(/\s+/).map(w => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join(String.raw`\s+`)
}

const AMOUNT = String.raw`([-−]?\s*(?:[$€£¥₹]\s?)?\d+(?:,\d{3})*(?:\.\d+)?)(?:\s*(k|m|mn|bn|b|thousand|million|billion)\b)?(\s*%|\s+(?:percent|per\s*cent)\b|\s+(?:USD|EUR|GBP|JPY|CHF|CAD|AUD|dollars?|euros?|pounds?|yen)\b)?`
const LINKS = String.raw`(?:is|was|are|were|will\s+be|has\s+been|have\s+been|is\s+now|stands\s+at|comes\s+to|totals|amounts\s+to|is\s+set\s+(?:at|to)|was\s+set\s+(?:at|to)|=|:|of)`

/** A value a statement gives a name: the amount as the calculator reads it, and as the statement says it. */
export interface StatedValue {
  /** "$48,000", "1,200,000", "12%" */
  value: string
  /** As written: "$48k". */
  said: string
  /** The period the amount is for, when the statement gives one: "a month" of "The office rent is $4,500 a month". */
  per?: string
}

/**
 * The amount `text` states for `name` ("The Q1 budget is $48,000", "our Q1 budget of $48k", "Q1
 * budget: 48,000 EUR"), or undefined when it states none. A number of thousands or millions is written
 * out ("$1.2 million" → "$1,200,000") so that the calculator reads it.
 */
export function statedValue (text: string, name: string): StatedValue | undefined {
  if (text.length > 2000) return undefined
  const m = new RegExp(String.raw`(?:^|[^\w])${namePattern(name)}\s+${LINKS}\s+(?:about\s+|around\s+|roughly\s+|approximately\s+|exactly\s+|only\s+|just\s+)?${AMOUNT}(?![\w.,]*\d)`, 'id').exec(text)
  if (m === null) return undefined
  const [, amount, magnitude, unit] = m as unknown as [string, string, string | undefined, string | undefined]
  const said = text.slice(m.indices![1]![0], m.index + m[0].length).trim()
  let value = amount.replace(/−/, '-').replace(/\s+/g, '')
  if (magnitude !== undefined) {
    const symbol = /^-?([$€£¥₹])/.exec(value)?.[1] ?? ''
    // "4 m" of a length is metres, not millions: a letter is a magnitude only of money, or "k".
    if (symbol === '' && /^(?:m|mn|b|bn)$/i.test(magnitude)) return undefined
    const n = Number(value.replace(/[^\d.-]/g, '')) * MAGNITUDES[magnitude.toLowerCase()]!
    if (!Number.isFinite(n)) return undefined
    value = `${n < 0 ? '-' : ''}${symbol}${Math.abs(n).toLocaleString('en-US', { maximumFractionDigits: 6 })}`
  }
  const u = unit?.trim()
  if (u !== undefined) value = /^%|^per/i.test(u) ? `${value}%` : `${value} ${u}`
  // "$4,500 a month", "$3,200 monthly": the period it is for, as money.ts reads one.
  const period = periodAfter(text.slice(m.index + m[0].length))
  if (period === undefined) return { value, said }
  const per = `a ${period}`
  return { value, said: `${said} ${per}`, per }
}

/**
 * When a named moment takes place, as a statement gives it: a time of day, the place whose clock it
 * is, and a date; or a date alone ("The launch is on 3 March 2027").
 */
export interface StatedMoment {
  /** "3pm", when the statement gives a time with a place's clock. */
  time?: string
  /** "London", with `time`. */
  place?: string
  /** "9 December 2026", when the statement gives one. */
  date?: string
  /** The moment as the time-zone and date questions read it: "3pm London time on 9 December 2026", "3 March 2027". */
  text: string
}

const PLACE_TIME = new RegExp(String.raw`${TIME}\s+(?:in\s+)?([A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+){0,2})\s+time\b|${TIME}\s+(?:in\s+)?([A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+){0,2}|[A-Z]{2,5}|UTC[+−-]\d{1,2})\b`)

/** The one time of day `text` gives, as written ("3pm"), or undefined when it gives none or several. */
function soleTime (text: string): string | undefined {
  try {
    const times = timesIn(text)
    // "The meeting is at 3pm." ends its sentence: the dot is not the "p.m."'s.
    return times.length === 1 ? times[0]!.text.replace(/(\d\s*[ap]m)\.$/i, '$1') : undefined
  } catch {
    return undefined
  }
}

/** The one date `text` gives, written out ("3 March 2027"): undefined when it gives none or several, null when one does not exist. */
function soleDate (text: string): string | undefined | null {
  try {
    const found = datesIn(text)
    return found.length === 1 ? longDay(found[0]!.day) : undefined
  } catch {
    return null
  }
}

/**
 * When `text` says `name` takes place, with the clock of a place ("The client demo is on 9 December
 * 2026 at 3pm London time", "the client demo starts at 15:00 in London on 9 December"), or on a date
 * ("The launch is on 3 March 2027", "The launch date is March 3, 2027": "How many days until the
 * launch?" counts to it), or undefined. A time without a place or a date is no moment to compute with.
 */
export function statedMoment (text: string, name: string): StatedMoment | undefined {
  if (text.length > 2000) return undefined
  const m = new RegExp(String.raw`(?:^|[^\w])${namePattern(name)}(?:\s+(?:date|day))?\s+(?:is|was|will\s+be|takes\s+place|starts|begins|opens|happens|is\s+scheduled|has\s+been\s+moved|moved|is\s+moved|is\s+set)\b([^.!?\n]*(?:\.\d[^.!?\n]*)*)`, 'i').exec(text)
  if (m === null) return undefined
  const rest = m[1]!
  const date = soleDate(rest)
  if (date === null) return undefined
  const p = PLACE_TIME.exec(rest)
  if (p === null) return date === undefined ? undefined : { date, text: date }
  const time = (p[1] ?? p[3])!.trim()
  const place = (p[2] ?? p[4])!.trim()
  return { time, place, ...(date !== undefined ? { date } : {}), text: `${time} ${place} time${date !== undefined ? ` on ${date}` : ''}` }
}

/**
 * A question about a moment the request itself told before it ("Our standup is at 9:30am New York
 * time. What time is that in Berlin?"), with the moment written in for "that": "What time is 9:30am
 * New York time in Berlin?". Undefined when the request is not statements then such a question.
 */
export function toldMomentAsked (request: string): { text: string, moment: string, word: string } | undefined {
  if (request.length > 600) return undefined
  const sentences = request.trim().split(/(?<=[.!])\s+(?=[A-Z])/)
  const question = sentences.at(-1)!
  if (sentences.length < 2 || !/\?\s*$/.test(question)) return undefined
  const refers = /\b(?:that|it|this)\b/i.exec(question)
  const told = sentences.slice(0, -1).join(' ')
  if (refers === null) return undefined
  const p = PLACE_TIME.exec(told)
  // "The meeting is at 3pm. What time is that in Berlin?": a time told with no place is the person's own.
  const local = p === null ? soleTime(told) : undefined
  const date = p === null && local === undefined ? null : soleDate(told)
  if (date === null) return undefined
  const moment = `${p !== null ? `${(p[1] ?? p[3])!.trim()} ${(p[2] ?? p[4])!.trim()} time` : local!}${date !== undefined ? ` on ${date}` : ''}`
  return { text: question.slice(0, refers!.index) + moment + question.slice(refers!.index + refers![0].length), moment, word: refers![0] }
}

/** How many people or things a statement gives a name: "Our team has 8 people" → 8 people. */
export interface StatedCount {
  n: number
  /** "people", "engineers" */
  things: string
  /** As written: "has 8 people". */
  said: string
}

/**
 * The count `text` states for `name` ("Our team has 8 people", "The team is 8 engineers", "our team
 * of 8 people", "There are 8 people on our team"), or undefined.
 */
export function statedCount (text: string, name: string): StatedCount | undefined {
  if (text.length > 2000) return undefined
  const n = namePattern(name)
  const own = new RegExp(String.raw`(?:^|[^\w])${n}\s+((?:has|have|had|is|are|was|were|now\s+has|consists\s+of|is\s+made\s+up\s+of|of)\s+(\d{1,6})\s+([a-z]+))\b`, 'i').exec(text)
  const there = own === null ? new RegExp(String.raw`\b(there\s+(?:are|were)\s+(\d{1,6})\s+([a-z]+)\s+(?:on|in)\s+(?:the|our|my|your|their)\s+${n})\b`, 'i').exec(text) : null
  const m = own ?? there
  if (m === null || NOT_COUNTED.test(m[3]!)) return undefined
  return { n: Number(m[2]), things: m[3]!.toLowerCase(), said: m[1]! }
}
/** Words after a number that are no count of people or things ("is 8 years old", "has 8 percent"). */
const NOT_COUNTED = /^(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|percent|per|times|am|pm|o)$/i

/** A phrase that takes each one of a named group: "each person on our team", "everyone in my team", "each member of the team". */
export interface EachOfNamed {
  /** The words to write the count in for: "each person on our team". */
  span: string
}

/** Where `request` takes each one of the group `phrase` names ("each person on our team"), or undefined. */
export function eachOfNamed (request: string, phrase: string): EachOfNamed | undefined {
  const p = namePattern(phrase)
  const m = new RegExp(String.raw`\b(?:(?:each|every)\s+(?:one|[a-z]+)\s+(?:on|in|of|from)|each\s+of|everyone\s+(?:on|in)|everybody\s+(?:on|in))\s+${p}\b`, 'i').exec(request)
  return m === null ? undefined : { span: m[0] }
}

/** Kinds of entity that state things: what the room holds as known, not a question, a conflict or a known gap. */
const STATING_KINDS = new Set(['fact', 'decision', 'solution', 'hypothesis'])
/** Statuses the room stands by, most trusted first (a retracted or disputed entity states nothing). */
const STANDING: Record<string, number> = { verified: 0, proposed: 1 }

/** Whether the room stands by what an entity states: the calculator takes exchange rates and named values only from these. */
export function standsBy (hit: { kind: string, status: string }): boolean {
  return STATING_KINDS.has(hit.kind) && STANDING[hit.status] !== undefined
}

/** Entities the room stands by, most trusted first: verified before proposed, then the newest, then the most confident (then by id, so every peer picks the same). */
export function byStanding (a: GraphHit, b: GraphHit): number {
  return STANDING[a.status]! - STANDING[b.status]! || (b.updatedAt ?? 0) - (a.updatedAt ?? 0) || b.confidence - a.confidence || (a.id < b.id ? -1 : 1)
}

/**
 * A working line for a statement the graph also holds that was not used ("the graph also states the Q1
 * budget as $48,000 (hypothesis h1, proposed); not used: older or less confident"): `best` came first
 * by {@link byStanding}.
 */
export function notUsed (said: string, other: GraphHit, best: GraphHit): string {
  return `the graph also states ${said} (${other.kind} ${other.id}, ${other.status}); not used: ${STANDING[other.status]! > STANDING[best.status]! ? 'less verified' : 'older or less confident'}`
}

/** A working line for the statement a value was read from: `from the graph: "<its text>" (fact f1, verified)`. */
export function fromGraph (hit: GraphHit): string {
  return `from the graph: "${hit.text.slice(0, 200)}" (${hit.kind} ${hit.id}, ${hit.status})`
}

/**
 * The value (an amount, else a moment as the time-zone questions read it) an entity of the graph
 * states for `name`, when it is of a kind that states things and the room still stands by it.
 */
export function valueStatedBy (hit: { kind: string, status: string, text: string }, name: string): StatedValue | undefined {
  if (!standsBy(hit)) return undefined
  const v = statedValue(hit.text, name)
  if (v !== undefined) return v
  const m = statedMoment(hit.text, name)
  return m === undefined ? undefined : { value: m.text, said: m.text }
}
