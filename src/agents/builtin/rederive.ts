/**
 * Calendar and counting answers checked by deriving them again, for the verifier: the weekday of a
 * date, days or weeks between dates, a date at an offset ("90 days from March 3, 2027"), a time of
 * day at a duration from another or the time between two (clock-times.ts), and counts
 * in a text the task gives ("How many words are in ..."), and a text the task gives sorted, reversed,
 * deduped or recased ("Sort these words alphabetically: ..."). These are computed by fixed rules (dates.ts,
 * text-counts.ts, text-transforms.ts), so another peer can compute the same answer and compare it with the one claimed,
 * whoever produced it (the calculator, the summariser, a custom or LLM agent). Before, the verifier
 * abstained on all of them ("the claim is not arithmetic") and every such result stayed unverified.
 *
 * An answer that depends on today ("How many weeks until 25 December?", "What day is Christmas?")
 * is derived for today and for yesterday in the person's time zone (the task's `timeZone`): the
 * producer may have answered before midnight. Without a zone the answer is only supported, never
 * disputed: the producer read "today" in a zone this peer does not know.
 */
import type { AgentContext, AgentResult, AgentTask, Verdict } from '../types.ts'
import { canonicalJson } from '../../net/canonical-json.ts'
import { codeIn } from './code-in-text.ts'
import { clockArithmetic, durationsIn, timesIn } from './clock-times.ts'
import { countDays, dateOffset, datesIn, leapYearAnswer, spanEnd, weekdayAnswer } from './dates.ts'
import { numberWordsToDigits, withoutThousands } from './number-words.ts'
import { upstreamResults, upstreamText } from './task-input.ts'
import { countInText } from './text-counts.ts'
import { transformText } from './text-transforms.ts'

const DAY_MS = 86_400_000
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']

interface Derived { text: string, output: string | number, steps: string[] }

export interface Rederived { verdict: Verdict, steps: string[] }

/** The task and result a verifier is handed (`input.task`, `input.result`). */
export interface Handed {
  task: { id?: unknown, text: string, input?: unknown, timeZone?: unknown }
  result: { text?: unknown, output?: unknown }
}

/**
 * Checks a handed-over calendar or counting answer by deriving it again; undefined when the task is
 * not one of those, cannot be derived here, or the result states no answer to compare (then the
 * verifier's other checks judge it).
 */
export function checkRederived (input: unknown, now: number = Date.now()): Rederived | undefined {
  const handed = readHanded(input)
  if (handed === undefined) return undefined
  return checkDate(handed, now) ?? checkLeap(handed, now) ?? checkClock(handed) ?? checkCount(handed) ?? checkRewrite(handed)
}

/** What a result states against the answer derived again: `same`, or what it states instead (`shown`). */
interface Claimed { same: boolean, shown: string }

/**
 * Of the values a result states, the derived one (same), else the one other value (not same);
 * undefined when it states none, or several none of which is the derived one (nothing to judge).
 */
function pick<T> (said: readonly T[], isDerived: (x: T) => boolean, show: (x: T) => string): Claimed | undefined {
  if (said.length === 0) return undefined
  const match = said.find(isDerived)
  if (match !== undefined) return { same: true, shown: show(match) }
  return said.length === 1 ? { same: false, shown: show(said[0]!) } : undefined
}

/** The vote on `claimed`: support when it is the answer derived again (`text`), else a dispute naming both. */
function judged (claimed: Claimed, text: string, steps: string[], how = 'derived again', disputeConfidence = 0.99): Rederived {
  if (claimed.same) return { verdict: { vote: 'support', confidence: 0.99, reason: `${how}: ${text}, as claimed` }, steps }
  const reason = `${how}: ${text}, not ${claimed.shown}`
  return { verdict: { vote: 'dispute', confidence: disputeConfidence, reason }, steps: [...steps, reason] }
}

/** The person's time zone the task names, if any. */
export function zoneOf (task: Handed['task']): string | undefined {
  return typeof task.timeZone === 'string' && task.timeZone !== '' ? task.timeZone : undefined
}

/** The task and result handed to a verifier, or undefined when `input` is not that shape. */
export function readHanded (input: unknown): Handed | undefined {
  if (typeof input !== 'object' || input === null) return undefined
  const { task, result } = input as { task?: Handed['task'], result?: Handed['result'] }
  if (typeof task?.text !== 'string' || typeof result !== 'object' || result === null) return undefined
  return { task, result }
}

function deriveDate (text: string, upstream: { id: string, text: string }[], now: number, timeZone: string | undefined): Derived | undefined {
  try {
    return spanEnd(text, now, timeZone) ?? dateOffset(text, upstream, now, timeZone) ?? countDays(text, upstream, now, timeZone) ?? weekdayAnswer(text, upstream, now, timeZone)
  } catch {
    return undefined // a request the calculator refuses (two dates, no date): nothing to compare with
  }
}

function checkDate ({ task, result }: Handed, now: number): Rederived | undefined {
  const upstream = upstreamResults(task.input).map(u => ({ id: u.id, text: upstreamText(u.value) }))
  const zone = zoneOf(task)
  const today = deriveDate(task.text, upstream, now, zone)
  if (today === undefined) return undefined
  const claimed = claimedAnswer(result, today.output)
  if (claimed === undefined) return undefined
  const steps = [`derived again: ${today.steps.join('; ')}`, `= ${String(today.output)}`]
  if (claimed.same) return judged(claimed, today.text, steps)
  // Does the answer depend on today? The same request a day either side says.
  const yesterday = deriveDate(task.text, upstream, now - DAY_MS, zone)
  const tomorrow = deriveDate(task.text, upstream, now + DAY_MS, zone)
  const moves = yesterday?.output !== today.output || tomorrow?.output !== today.output
  if (moves) {
    if (yesterday !== undefined && claimedAnswer(result, yesterday.output)?.same === true) {
      return { verdict: { vote: 'support', confidence: 0.95, reason: `derived again for yesterday, when it was answered: ${yesterday.text}, as claimed (today it is ${String(today.output)})` }, steps: [...steps, `for yesterday: ${String(yesterday.output)}`] }
    }
    if (zone === undefined) {
      return { verdict: { vote: 'abstain', confidence: 0, reason: `the answer depends on today's date, and the task names no time zone to read it in: here it is ${String(today.output)}, the result says ${claimed.shown}` }, steps }
    }
  }
  return judged(claimed, today.text, steps, `derived again${moves ? ` for today in ${zone!}` : ''}`, moves ? 0.9 : 0.99)
}

/** "Is 2027 a leap year?" (yes or no), "When is the next leap year?" (a year). */
function checkLeap ({ task, result }: Handed, now: number): Rederived | undefined {
  let derived
  try { derived = leapYearAnswer(task.text, now, zoneOf(task)) } catch { return undefined }
  if (derived === undefined) return undefined
  let claimed: Claimed | undefined
  if (typeof derived.output === 'number') {
    claimed = claimedAnswer(result, derived.output)
  } else {
    const text = resultText(result)
    const said = typeof result.output === 'boolean' ? result.output
      : /^\s*yes\b|\bis\s+a\s+leap\s+year\b/i.test(text) && !/\bis\s+not\s+a\s+leap\s+year\b/i.test(text) ? true
        : /^\s*no\b|\bis\s+not\s+a\s+leap\s+year\b/i.test(text) ? false : undefined
    if (said !== undefined) claimed = { same: said === derived.output, shown: said ? 'yes' : 'no' }
  }
  if (claimed === undefined) return undefined
  // "this year" and "the next leap year" move with the date, but only at new year: not worth an abstention.
  return judged(claimed, derived.text, [`derived again: ${derived.steps.join('; ')}`])
}

/** A time at a duration from another, or the time between two (clock-times.ts); not a time from now. */
function checkClock ({ task, result }: Handed): Rederived | undefined {
  let derived
  try {
    derived = clockArithmetic(task.text, Date.now(), undefined)
  } catch {
    return undefined
  }
  if (derived === undefined || derived.fromNow) return undefined
  let said: Array<{ minutes: number, text: string }>
  let minutes: number
  if (typeof derived.output === 'number') {
    minutes = derived.output
    said = typeof result.output === 'number' ? [{ minutes: result.output, text: `${result.output} minutes` }] : durationsIn(resultText(result))
  } else {
    // The output ("12:15") says it alone; the text also names the time it started from.
    try { said = typeof result.output === 'string' && timesIn(result.output).length > 0 ? timesIn(result.output) : timesIn(resultText(result)) } catch { return undefined }
    minutes = Number(derived.output.slice(0, 2)) * 60 + Number(derived.output.slice(3))
  }
  const claimed = pick(said, x => x.minutes === minutes, x => x.text)
  return claimed === undefined ? undefined : judged(claimed, derived.text, [`derived again: ${derived.steps.join('; ')}`])
}

/** A fixed rule's answer to the handed task again (a count, a rewrite); undefined when it does not apply or fails here. */
function again (rule: (task: AgentTask) => AgentResult | undefined, task: Handed['task']): AgentResult | undefined {
  try {
    return rule({ id: typeof task.id === 'string' ? task.id : 'task', text: task.text, input: task.input })
  } catch {
    return undefined
  }
}

/** What a result's working says after the request line, for the verifier's own working. */
const workedOut = (r: AgentResult): string => (r.working ?? []).filter(w => !w.startsWith('request: ')).join('; ')

function checkCount ({ task, result }: Handed): Rederived | undefined {
  const counted = again(countInText, task)
  if (counted === undefined || typeof counted.output !== 'number') return undefined
  const n = counted.output
  // "9 words (45 characters)" names several numbers: one that differs is judged only when alone.
  const claimed = pick(claimedNumbers(result), x => x === n, String)
  return claimed === undefined ? undefined : judged(claimed, counted.text, [`counted again: ${workedOut(counted)}`], 'counted again')
}

/**
 * A text sorted, reversed, deduped or recased (text-transforms.ts), rewritten again and compared with
 * the result's output (or text), white space aside; a palindrome's yes or no with the one claimed.
 */
function checkRewrite ({ task, result }: Handed): Rederived | undefined {
  const rewritten = again(transformText, task)
  if (rewritten === undefined) return undefined
  const steps = [`rewritten again: ${workedOut(rewritten)}`]
  if (typeof rewritten.output === 'boolean') {
    const said = saidYesOrNo(result)
    if (said === undefined) return undefined
    return judged({ same: said === rewritten.output, shown: said ? 'yes' : 'no' }, rewritten.text ?? '', steps, 'checked again')
  }
  // A split's output is the list of its parts, its text "4 words: ..."; other rewrites' output is their text.
  const listed = Array.isArray(rewritten.output)
  const claimed = !listed && typeof result.output === 'string' ? result.output : typeof result.text === 'string' ? result.text : undefined
  if (claimed === undefined) return undefined
  const flat = (x: string): string => x.replace(/\s+/g, ' ').trim()
  const derived = flat(listed ? rewritten.text : String(rewritten.output))
  const shown = flat(claimed).length > 80 ? `${flat(claimed).slice(0, 79)}…` : flat(claimed)
  return judged({ same: flat(claimed) === derived, shown: `"${shown}"` }, `"${derived.slice(0, 80)}"`, steps, 'rewritten again')
}

/**
 * Whether the result states `expected` (a number of days or weeks, a weekday name, an ISO date), and
 * what it states instead; undefined when it states nothing of that sort.
 */
function claimedAnswer (result: Handed['result'], expected: string | number): Claimed | undefined {
  if (typeof expected === 'number') return pick(claimedNumbers(result), x => x === expected, String)
  const text = resultText(result)
  if (WEEKDAYS.includes(expected.toLowerCase())) {
    return pick(WEEKDAYS.filter(d => new RegExp(`\\b${d}\\b`, 'i').test(text)), d => d === expected.toLowerCase(), cap)
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(expected)) {
    // A date output is the answer; the text may name others (the start it counted from).
    if (typeof result.output === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(result.output)) return { same: result.output === expected, shown: result.output }
    let dates
    try { dates = datesIn(text) } catch { return undefined }
    const day = Math.round(Date.parse(`${expected}T00:00:00Z`) / DAY_MS)
    return pick(dates, d => d.day === day, d => d.text)
  }
  return undefined
}

function resultText (result: Handed['result']): string {
  const parts: string[] = []
  if (typeof result.output === 'string') parts.push(result.output)
  if (typeof result.text === 'string') parts.push(result.text)
  return parts.join('\n').slice(0, 4000)
}

/** The yes or no a result states: its boolean output, else its text's first word; undefined when it says neither. */
export function saidYesOrNo (result: { text?: unknown, output?: unknown }): boolean | undefined {
  if (typeof result.output === 'boolean') return result.output
  const text = typeof result.text === 'string' ? result.text : ''
  return /^\s*yes\b/i.test(text) ? true : /^\s*no\b/i.test(text) ? false : undefined
}

/** The numbers a result claims: its output if that is a number, else the numbers written in its text. */
export function claimedNumbers (result: { text?: unknown, output?: unknown } | undefined): number[] {
  if (typeof result?.output === 'number') return Number.isFinite(result.output) ? [result.output] : []
  const text = typeof result?.output === 'string' ? result.output : typeof result?.text === 'string' ? result.text : ''
  return [...withoutThousands(numberWordsToDigits(text)).matchAll(/[-+]?(?:\d+\.?\d*|\.\d+)/g)].map(m => Number(m[0])).filter(Number.isFinite)
}

function cap (s: string): string {
  return s[0]!.toUpperCase() + s.slice(1)
}

/** Sources of a different answer on every run: such code is not judged by running it again. */
const NONDETERMINISTIC = /\bMath\.random\b|\bDate\b|\bperformance\b|\bcrypto\b/

/**
 * A result of JavaScript the task carries (`codeIn`), checked by running the code again in a js-runner
 * sub-agent on this peer (`ctx.spawn`, its own QuickJS sandbox with the same limits): the same value
 * supports it; another value disputes it, unless the code reads the clock or random numbers (then an
 * abstention says so). A result in words (an LLM's explanation of the code) is not compared. Undefined
 * when the task carries no code or the result claims no value of its own.
 */
export async function checkRerun (input: unknown, ctx: AgentContext): Promise<Rederived | undefined> {
  const handed = readHanded(input)
  if (handed === undefined) return undefined
  const { task, result } = handed
  const code = codeIn({ text: task.text, input: task.input })
  if (code === undefined || typeof result.text !== 'string') return undefined
  const claimsValue = result.output !== undefined && sameJson(parseJson(result.text), result.output)
  let again: AgentResult
  try {
    again = await ctx.spawn('js-runner', { id: `${typeof task.id === 'string' ? task.id : 'task'}:rerun`, text: task.text, ...(task.input !== undefined ? { input: task.input } : {}) })
  } catch (err) {
    if (ctx.signal.aborted) throw err
    return { verdict: { vote: 'abstain', confidence: 0, reason: `the code could not be run again here: ${(err as Error).message.replace(/^js-runner: /, '')}` }, steps: [] }
  }
  const shown = (t: string): string => t.length > 120 ? `${t.slice(0, 117)}...` : t
  const steps = [`ran the code again in a sandbox on this peer: ${shown(again.text)}`]
  if (again.text === result.text || (result.output !== undefined && sameJson(again.output, result.output))) {
    return { verdict: { vote: 'support', confidence: 0.95, reason: `ran the code again on this peer: the same result, ${shown(again.text)}` }, steps }
  }
  if (!claimsValue) return undefined
  if (NONDETERMINISTIC.test(code)) {
    return { verdict: { vote: 'abstain', confidence: 0, reason: `the code reads the clock or random numbers: run again here it gives ${shown(again.text)}, the result says ${shown(result.text)}` }, steps }
  }
  const reason = `ran the code again on this peer: it gives ${shown(again.text)}, not ${shown(result.text)}`
  return { verdict: { vote: 'dispute', confidence: 0.9, reason }, steps: [...steps, reason] }
}

function parseJson (text: string): unknown {
  try { return JSON.parse(text) } catch { return undefined }
}

function sameJson (a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return false
  return canonicalJson(a) === canonicalJson(b)
}
