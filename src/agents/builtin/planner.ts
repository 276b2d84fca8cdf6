/**
 * The planner: splits a multi-part request into subtasks `s1, s2, ...` with `dependsOn`.
 *
 * With a language model configured (ctx.llmAvailable) it asks for a strict JSON plan and validates
 * it (ids, texts, dependencies on earlier steps only); a failed call or a bad plan falls back to the
 * rules, and `working` says why. The rules:
 * - a numbered or bulleted list gives one subtask per item (a line ending in ":" before it is a preamble);
 * - otherwise sentences, and within them "; ", "and then", "then", "after that", "afterwards",
 *   "next", "finally", "also", and "and" before an imperative verb, separate the parts;
 * - a part depends on the previous one when it starts with a sequencing word ("then", "after that")
 *   and brings nothing of its own to work on (no number, quote or text after a colon), or refers
 *   back to an earlier result ("it", "the result", "that", "the summary"); on all earlier
 *   parts when it refers to several ("them", "both", "the results").
 * A request with one part gives one subtask.
 */
import type { AgentContext, AgentResult, AgentTask, PlannedSubtask } from '../types.ts'
import { LIST_ITEM, splitSentences } from './sentences.ts'
import { inputText } from './task-input.ts'
import { findPayload, protect } from './payload.ts'
import { tellsCalculatorStory } from './stories.ts'
import { lacksOperand } from './calculator.ts'
import { countDays, offsetFromAnEvent, weekdayAnswer } from './dates.ts'
import { IMPERATIVE } from './imperative.ts'
import { capitalised } from './wording.ts'

export const MAX_SUBTASKS = 12

export { IMPERATIVE }

/** Words at the start of a part that make it follow the previous one. */
/**
 * "next" as a time ("next Tuesday", "next week", "next to") is not a sequencing word: "Book a flight
 * to Rome next Tuesday" is one part.
 */
const NEXT = String.raw`next(?![\s,]+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|week|weekend|month|year|time|day|morning|afternoon|evening|night|quarter|season|spring|summer|autumn|fall|winter|sprint|release|version|one|ones|few|page|line|to|door)\b)`
const SEQUENCE_START = new RegExp(String.raw`^(?:and\s+)?(?:then|after\s+that|afterwards|${NEXT}|finally|lastly|subsequently|once\s+(?:that\s+is|that's|done)|when\s+(?:that\s+is\s+)?done)\b[\s,]*`, 'i')
const OTHER_START = /^(?:and\s+also|also|and|plus|additionally|separately)\b[\s,]*/i
/** References to one earlier result. "that" is a reference only where it is not a conjunction. */
const REFERS_BACK = /\b(?:it|its|the\s+(?:result|answer|output|summary|total|value|number|figure|list|data|findings|outcome|translation|text|report|plan|draft|code|file|sum|average|mean)|this\s+(?:result|answer|number|value|list|summary)|that\s+(?:result|answer|number|value|list|summary|figure))\b|(?<!\b(?:check|verify|ensure|confirm|make\s+sure|say|says|show|shows|prove|note|given|so)\s)\bthat\b(?!\s+(?:is|are|was|were|the|a|an|it|they|we|you|he|she|this)\b)/i
const REFERS_TO_SEVERAL = /\b(?:them|their|both|these|those|the\s+results|the\s+answers|the\s+outputs|all\s+of\s+(?:them|these|it)|each\s+of\s+them|the\s+two|the\s+three|everything\s+above)\b/i

export interface PlanOutput {
  subtasks: PlannedSubtask[]
  method: 'llm' | 'rules'
}

export async function handler (task: AgentTask, ctx: AgentContext): Promise<AgentResult> {
  ctx.signal.throwIfAborted()
  const request = (inputText(task.input, 'request') ?? task.text).trim()
  if (request === '') throw new Error('planner: the request is empty; nothing to plan')
  const working: string[] = []

  let subtasks: PlannedSubtask[] | undefined
  let method: PlanOutput['method'] = 'rules'
  if (ctx.llmAvailable) {
    ctx.progress(0.1, 'asking the language model for a plan')
    try {
      const response = await ctx.llm({
        messages: [
          { role: 'system', content: PLAN_PROMPT },
          { role: 'user', content: request }
        ],
        temperature: 0
      })
      ctx.signal.throwIfAborted()
      subtasks = parseLlmPlan(response.text)
      method = 'llm'
      working.push(`plan from the language model (${response.model})`)
    } catch (err) {
      if (ctx.signal.aborted) throw err
      working.push(`language model plan not used: ${err instanceof Error ? err.message : String(err)}; fell back to the rules`)
    }
  }
  if (subtasks === undefined) {
    subtasks = planByRules(request)
    working.push(`rule-based plan: ${subtasks.length} part${subtasks.length === 1 ? '' : 's'}`)
  }
  for (const s of subtasks) working.push(`${s.id}: ${s.text}${s.dependsOn.length > 0 ? ` (after ${s.dependsOn.join(', ')})` : ''}`)
  ctx.progress(1)
  const text = subtasks.map((s, i) => `${i + 1}. ${s.text}${s.dependsOn.length > 0 ? ` (uses ${s.dependsOn.join(', ')})` : ''}`).join('\n')
  return { text, output: { subtasks, method } satisfies PlanOutput, working, plan: { subtasks } }
}

// ---------------------------------------------------------------------------------------------
// Rules

export function planByRules (request: string): PlannedSubtask[] {
  const toEvent = daysToAnEvent(request)
  if (toEvent !== undefined) return toEvent
  // A word problem is one task: its sentences tell one story ("Tom has 12 marbles. He gives 5 to
  // Sara. How many ...?"), and apart they mean nothing. One the calculator cannot follow stays whole
  // too, so that the person hears why. So is a question of distance, time or speed ("A car drives at
  // 60 km/h for 3 hours. How far does it go?" had become two parts, each failed).
  const split = tellsCalculatorStory(request) || asksAboutAStory(request) ? [] : splitParts(request)
  if (split.length <= 1) return [{ id: 's1', text: request.trim(), dependsOn: [] }]
  const shared = withSharedMaterial(split)
  const parts = shared ?? split
  const subtasks: PlannedSubtask[] = []
  for (const [i, part] of parts.entries()) {
    let dependsOn: string[] = []
    // Parts that work on the same material the request gives once need nothing of each other.
    if (i > 0 && shared === undefined) {
      if (REFERS_TO_SEVERAL.test(part.text)) dependsOn = subtasks.map((s) => s.id)
      // An operation without its operand works on the part before ("Square 5 and add 1": "Add 1"),
      // as the calculator reads it; alone it ran on nothing and failed.
      // A part after "then" that brings what it works on ("then convert 5 miles to km") needs nothing
      // of the part before: it runs alongside, and the mission's result shows each answer. Before, it
      // was chained to it, and the result showed the last answer only (or none, the first failing).
      else if ((part.sequenced && !bringsItsOwn(part.text)) || REFERS_BACK.test(part.text) || lacksOperand(part.text)) dependsOn = [subtasks[subtasks.length - 1]!.id]
    }
    // "How many days until the launch and what day of the week is 1 January?": the first part is
    // itself two, the launch's date and the count to it, as it is when asked alone.
    const own = dependsOn.length === 0 ? daysToAnEvent(part.text) : undefined
    const steps = own ?? [{ id: 's1', text: part.text, dependsOn: [] }]
    if (subtasks.length + steps.length > MAX_SUBTASKS) break
    const base = subtasks.length
    for (const step of steps) {
      const id = `s${base + Number(step.id.slice(1))}`
      subtasks.push({ id, text: step.text, dependsOn: step.id === 's1' ? dependsOn : step.dependsOn.map((d) => `s${base + Number(d.slice(1))}`) })
    }
  }
  return subtasks
}

/** Words by which an instruction points at the text it works on: "Summarise this", "count its words". */
const POINTS_AT_TEXT = /\b(?:this|these|it|its|them|the\s+(?:following|text|passage|paragraph|article))\b/i

/**
 * "Summarise this and then count its words: <text>": the material after the last part's colon is
 * what every part points at. Each earlier part that points at a text ("this", "its", "the text"),
 * brings none of its own and is an instruction gets the material too, and the parts run alongside.
 * Before, "Summarise this" ran without a text and failed, and the count waited for it. Undefined
 * when the request is not of that shape.
 */
function withSharedMaterial (parts: Part[]): Part[] | undefined {
  const last = parts[parts.length - 1]!
  const p = findPayload(last.text, IMPERATIVE)
  if (p === undefined || last.text.slice(0, p.start).trim() !== '') return undefined
  const earlier = parts.slice(0, -1)
  if (!earlier.every((x) => !bringsItsOwn(x.text) && POINTS_AT_TEXT.test(x.text) && instructs(x.text))) return undefined
  // "Split this into words and count them": "them" is the words the part before names.
  const unit = earlier.map((x) => INTO_UNITS.exec(x.text)?.[1]).find((u) => u !== undefined)
  // "... and then sort them alphabetically": "them" is those units too (before, the words of the sentences were sorted).
  const counted = unit === undefined ? last : { ...last, text: last.text.replace(/\b(count|sort|reverse|order|alphabeti[sz]e|list|number)\s+them\b/i, (_m, verb: string) => `${verb} the ${unit.toLowerCase()}`) }
  return [...earlier.map((x) => ({ ...x, text: `${x.text.replace(/[\s.,;:]+$/, '')}: ${p.material}` })), counted]
}

/** The units a part splits its text into or works on ("Split this into words", "Reverse the order of these words"). */
const INTO_UNITS = /\b(?:into|these|those|the|its|this)\s+(?:its\s+|separate\s+|individual\s+)?(words|sentences|lines|characters|letters|paragraphs)\b/i

/** Whether a part holds what it works on: a number, a quoted text, or a text after a colon. */
function bringsItsOwn (part: string): boolean {
  return /\d/.test(part) || /["“'‘`][^"”'’`]+["”'’`]/.test(part) || /:\s*\S/.test(part)
}

/** "How many days until the beta launches?": days counted to or from a moment named, not dated. */
const DAYS_TO_EVENT = /^(?:(?:please|so|and)\s+)?(?:(?:can|could)\s+you\s+(?:tell\s+me\s+)?)?(?:how\s+many|the\s+number\s+of)\s+(days|weeks)\s+(?:are\s+(?:there\s+|left\s+)?|is\s+it\s+|were\s+there\s+|(?:are\s+)?left\s+|remain\s+|have\s+passed\s+)?(until|till|before|since)\s+(.+?)\s*[?.!]?$/i
/** The first part of such a mission, as written below: the researcher's, even when the graph knows nothing of it (it says so). */
export const DATE_LOOKUP_PART = /^(?:Find (?:when|the date of) |When (?:is|was|will|does|did) )/
/** "What day of the week is the beta launch?", "... does the beta launch?": the weekday of a moment named, not dated. */
const WEEKDAY_OF_EVENT = /^(?:(?:please|so|and)\s+)?(?:(?:can|could)\s+you\s+(?:tell\s+me\s+)?)?(?:what|which)\s+(?:day\s+of\s+the\s+week|weekday|day)\s+(?:is|was|will\s+be|does|did|will)\s+(.+?)\s*[?.!]?$/i
/** What a moment that is "now" or relative already says: nothing to look up. */
const NOT_AN_EVENT = /^(?:now|today|tomorrow|yesterday|then|that|it|this|the\s+(?:date|day)|(?:next|last)\s+\w+|the\s+(?:end|start|beginning)\s+of\b)/i

/**
 * A count of days to a moment the request names but does not date ("How many days until the
 * Meshwork beta launches?") is two parts: find the date (the researcher, from the graph), then
 * count the days to it from today (the calculator, which takes the date from that result). Before,
 * the researcher answered with the launch date, not the days asked for. Undefined for any other
 * request, also one whose moment is a date or a named day the calculator reads itself.
 */
function daysToAnEvent (request: string): PlannedSubtask[] | undefined {
  // "How many days until the launch and what day of the week is 1 January?" is two questions.
  if (splitSentences(request).length > 1 || splitParallelQuestions(request.trim()).length > 1) return undefined
  // "What date is 5 days after the launch?": the launch's date, then the date 5 days after it.
  const offset = offsetFromAnEvent(request)
  if (offset !== undefined) {
    return [
      { id: 's1', text: lookUp(offset.moment), dependsOn: [] },
      { id: 's2', text: `What date is ${offset.amount} ${offset.unit} ${offset.direction} that date?`, dependsOn: ['s1'] }
    ]
  }
  // "What day of the week is the beta launch?": its date, then its weekday.
  const w = WEEKDAY_OF_EVENT.exec(request.trim())
  if (w !== null) {
    const moment = w[1]!
    if (!undated(moment, () => weekdayAnswer(request, [], Date.now()))) return undefined
    // "Find the date of ...", not a question: a part the person did not ask is not shown in the
    // mission's answer (dag.ts shows the parts that ask a question, and the last).
    return [
      { id: 's1', text: `Find the date of ${moment}`, dependsOn: [] },
      { id: 's2', text: 'What day of the week is that date?', dependsOn: ['s1'] }
    ]
  }
  const m = DAYS_TO_EVENT.exec(request.trim())
  if (m === null) return undefined
  const [, unit, prep, moment] = m as unknown as [string, string, string, string]
  if (!undated(moment, () => countDays(request, [], Date.now()))) return undefined
  return [
    { id: 's1', text: lookUp(moment), dependsOn: [] },
    { id: 's2', text: `How many ${unit.toLowerCase()} ${prep.toLowerCase() === 'since' ? 'since' : 'until'} that date?`, dependsOn: ['s1'] }
  ]
}

/**
 * Whether `moment` is an event to look up: not "now" or relative, and not a date the calculator
 * reads itself (`reads` gives its answer, or throws for a date it refuses, and says why).
 */
function undated (moment: string, reads: () => unknown): boolean {
  if (NOT_AN_EVENT.test(moment) || !/[a-z]{3}/i.test(moment)) return false
  try {
    return reads() === undefined
  } catch {
    return false
  }
}

/** The part that finds a moment's date: "the Meshwork beta launches" is a clause ("Find when ..."); "the beta launch" a noun ("Find the date of ..."). */
function lookUp (moment: string): string {
  const clause = /\s(?:is|are|was|were|will|does|do|did|has|have|had|\w+(?:es|ed))\b/i.test(moment)
  return clause ? `Find when ${moment}` : `Find the date of ${moment}`
}

/**
 * Statements followed by a question about them ("A shirt costs $40. It is on sale for 25% off. What
 * is the sale price?", "The relay moved to port 9091. Which port should I use?"): one question with
 * its context, not parts; cut, each sentence meant nothing and the mission failed. Not when a
 * statement is an instruction ("Sort 5, 3, 9, 1. What is the median of them?" is two parts).
 */
export function asksAboutAStory (request: string): boolean {
  const sentences = splitSentences(request).map(x => x.trim()).filter(x => x !== '')
  if (sentences.length < 2 || sentences.length > 8) return false
  const last = sentences[sentences.length - 1]!
  if (!/\?\s*$/.test(last) && !/^(?:what|how|who|whom|whose|which|when|where|why)\b/i.test(last)) return false
  return sentences.slice(0, -1).every(x => !/\?\s*$/.test(x) && !LIST_ITEM.test(x) && !instructs(x))
}

/** Whether a sentence is an instruction: it opens (after "please", "first", "then", ...) with a verb of {@link IMPERATIVE}. */
function instructs (sentence: string): boolean {
  const rest = sentence.replace(/^(?:(?:please|now|first|firstly|and|also|then|next|finally|lastly|after\s+that|afterwards)\b[\s,]*)+/i, '')
  const word = /^([a-z]+)\b/i.exec(rest)?.[1]?.toLowerCase()
  return word !== undefined && IMPERATIVE.has(word)
}

/**
 * An arithmetic operation on an earlier result: "double it", "multiply that by 3", "add 10 to the
 * result", "then round it to the nearest ten". The planner cuts a request before one; the bid rules
 * (coord-boot.ts) give such a mission part to the calculator.
 */
export const OPERATION_ON_RESULT = /^\s*(?:please\s+)?(?:then\s+)?(?:double|halve|triple|quadruple|square|cube|negate|round|multiply|divide|add|subtract|deduct|increase|decrease|reduce|raise|lower|take|convert)\b(?:\s+\S+){0,3}?\s+(?:it|that|this|them|the\s+(?:result|answer|number|value|total|sum|amount|figure))\b/i

interface Part { text: string, sequenced: boolean }

const PART_BREAK = new RegExp(String.raw`\s*;\s*|,?\s+(?=(?:and\s+then|then|after\s+that|afterwards|and\s+also|also|finally|${NEXT})\b[\s,])`, 'i')

function splitParts (original: string): Part[] {
  // Quoted text, code and an instruction's material ("Summarise: <passage>") are never cut (payload.ts).
  const { text: request, restore } = protect(original, IMPERATIVE)
  const whole = (parts: Part[]): Part[] => parts.filter((p) => p.text !== '').map((p) => ({ ...p, text: restore(p.text) }))
  const lines = request.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')
  const items = lines.filter((l) => LIST_ITEM.test(l))
  if (items.length >= 2) {
    return whole(items.map((l) => clean(l.replace(LIST_ITEM, ''))))
  }
  // Inline numbering: "1. fetch the data 2. clean it 3. chart it" or "1) a 2) b". The markers must
  // count 1, 2, 3, ...: "Compute 15% of 80. Also compute 20% of 50." ends sentences with numbers.
  const inline = inlineItems(request)
  if (inline !== undefined) return whole(inline.map((s) => clean(s.replace(/[;,]\s*$/, ''))))

  const out: Part[] = []
  for (const sentence of splitSentences(request)) {
    for (const piece of sentence.split(PART_BREAK)) {
      for (const question of splitParallelQuestions(piece)) {
        for (const sub of splitOnAndVerb(question)) {
          for (const one of splitElliptic(sub)) out.push(clean(one))
        }
      }
    }
  }
  return whole(out)
}

/** The items of an inline numbered list ("1. a 2. b 3. c", after an optional preamble), if the request is one. */
function inlineItems (request: string): string[] | undefined {
  const markers = [...request.matchAll(/(?:^|\s)(\d{1,2})[.)]\s+/g)]
  // The list: the markers from the first "1" on, as long as they count up by one.
  const first = markers.findIndex((m) => m[1] === '1')
  if (first < 0) return undefined
  const list = [markers[first]!]
  for (const m of markers.slice(first + 1)) if (Number(m[1]) === list.length + 1) list.push(m)
  if (list.length < 2) return undefined
  const preamble = request.slice(0, list[0]!.index).trim()
  // A preamble that is a part of its own ("Compute 2+2. 1. a 2. b") is not a list's introduction.
  if (preamble !== '' && !/:$/.test(preamble) && list.length < 3) return undefined
  const items = list.map((m, i) => request.slice(m.index + m[0].length, list[i + 1]?.index ?? request.length).trim())
  return items.every((x) => x !== '') ? items : undefined
}

const QUESTION_OPENER = String.raw`(?:what(?:'s|\s+is|\s+are|\s+was|\s+(?:day|date|time|year|month)\b|\s+[a-z]+\s+(?:is|are|was|were|does|do|did|will)\b)|how\s+(?:much|many|long|far|old|often)|when\s+(?:is|was|does|did|will)|who\s+(?:is|was)|where\s+(?:is|are|does|do)|which\s+\w+\s+(?:is|are|was|does|do|did))\b`
const OPENS_A_QUESTION = new RegExp(String.raw`^\s*(?:and\s+)?${QUESTION_OPENER}`, 'i')
const NEXT_QUESTION = new RegExp(String.raw`\s*,\s*(?:and\s+)?(?=${QUESTION_OPENER})|\s+and\s+(?=${QUESTION_OPENER})`, 'gi')

/**
 * "What is 12 squared, what is 15 squared" -> two parts: questions listed one after another. Only
 * when the piece opens with a question itself: "If the price is 80, what is 15% of it?" is one.
 */
function splitParallelQuestions (piece: string): string[] {
  if (!OPENS_A_QUESTION.test(piece)) return [piece]
  const questions = piece.split(NEXT_QUESTION).filter((q) => q.trim() !== '')
  // "What is the average of 12, 15 and 30, and what is the median?": the median of the same numbers.
  // Before, "What is the median?" went alone to the calculator, which had nothing to take it of.
  let list: string | undefined
  return questions.map((q) => {
    const bare = BARE_STATISTIC.exec(q)
    if (bare !== null && list !== undefined) return `${bare[1]!} ${list}${bare[2]!}`
    list = STATISTIC_OF_LIST.exec(q)?.[1] ?? list
    return q
  })
}

const STATISTIC = String.raw`(?:average|mean|median|mode|range|sum|total|product|maximum|minimum|max|min|largest|smallest|highest|lowest|biggest|standard\s+deviation|variance)`
/** "the average of 12, 15, 22, 9 and 30": the list a statistic is taken of (capture 1: "of ..."). */
const STATISTIC_OF_LIST = new RegExp(String.raw`\bthe\s+${STATISTIC}\s+(of\s+[^?!]*\d[^?!]*?)\s*[?.!]?\s*$`, 'i')
/** "and what is the median?": a statistic of nothing said (capture 1: the question, 2: its mark). */
const BARE_STATISTIC = new RegExp(String.raw`^(\s*(?:and\s+)?what(?:'s|\s+is|\s+are)\s+the\s+${STATISTIC})\s*([?.!]?)\s*$`, 'i')

/** "summarise the article and translate the summary" -> two parts; "salt and pepper" stays one. */
function splitOnAndVerb (piece: string): string[] {
  const out: string[] = []
  let rest = piece
  for (;;) {
    const m = /,?\s+and\s+(\w+)\b/gi
    let cut = -1
    let match: RegExpExecArray | null
    while ((match = m.exec(rest)) !== null) {
      if (IMPERATIVE.has(match[1]!.toLowerCase()) && match.index > 0) { cut = match.index; break }
      // "Find the relay port and double it": an operation on what the part before finds, which has
      // nothing to compute of its own (before, the researcher took the whole and left "double it" out).
      // "Take the square root of it and double the result" is the calculator's chain, one part.
      const before = rest.slice(0, match.index)
      if (OPERATION_ON_RESULT.test(rest.slice(match.index).replace(/^,?\s+and\s+/i, '')) && match.index > 0 && !/\d/.test(before) && !REFERS_BACK.test(before) && !REFERS_TO_SEVERAL.test(before)) { cut = match.index; break }
    }
    if (cut < 0) break
    out.push(rest.slice(0, cut))
    rest = rest.slice(cut).replace(/^,?\s+and\s+/i, '')
  }
  out.push(rest)
  return out
}

const ELLIPTIC_LEAD = /^((?:please\s+)?(?:convert|change|turn|calculate|compute|divide|multiply|what(?:'s|\s+is|\s+are))\s+)(\d.*)$/i
/** "5 km to miles", "15% of 80", "10 by 2": a number, at most three words, a preposition, at most three words. */
// Words are \S+ between required spaces: a word that could be cut into several ways made a long
// operand take exponential time.
const OPERANDS = /^\d[\d.,]*\s*%?(?:\s+[^\s\d]\S*){0,3}?\s+(to|in|into|of|by)(?:\s+\S+){1,3}$/i

/**
 * "Convert 5 km to miles and 100 F to celsius" -> "Convert 5 km to miles", "Convert 100 F to
 * celsius": the verb said once for several operands of the same shape. Before, the whole went to
 * the calculator as one expression and failed. Each operand needs a number first and the same
 * preposition ("What is 15% of 80 and 20% of 50?"), so "Convert 5 km to miles and double it" is not
 * read this way.
 */
function splitElliptic (piece: string): string[] {
  if (piece.length > 300) return [piece]
  const lead = ELLIPTIC_LEAD.exec(piece.trim())
  if (lead === null) return [piece]
  const [, verb, rest] = lead as unknown as [string, string, string]
  const operands = rest.replace(/[?.!]\s*$/, '').split(/\s*,\s*(?:and\s+)?|\s+and\s+/i)
  if (operands.length < 2) return [piece]
  const preps = operands.map(o => OPERANDS.exec(o.trim())?.[1]?.toLowerCase())
  if (preps.some(p => p === undefined || p !== preps[0])) return [piece]
  const mark = /\?\s*$/.test(piece) ? '?' : ''
  return operands.map(o => `${verb}${o.trim()}${mark}`)
}

function clean (raw: string): Part {
  let text = raw.trim().replace(/^[,;:\-–—]+\s*/, '')
  let sequenced = false
  for (;;) {
    const seq = SEQUENCE_START.exec(text)
    if (seq !== null && seq[0] !== '') { sequenced = true; text = text.slice(seq[0].length); continue }
    const other = OTHER_START.exec(text)
    if (other !== null && other[0] !== '') { text = text.slice(other[0].length); continue }
    break
  }
  text = text.replace(/[\s,;]+$/, '').replace(/(?<!\.)\.$/, '').replace(/\s+/g, ' ')
  text = capitalised(text)
  // A part that is only an introduction ("Please do the following:") is not a task.
  if (/:$/.test(text) || /^(?:please\s+)?(?:do\s+)?the\s+following\.?$/i.test(text)) text = ''
  return { text, sequenced }
}

// ---------------------------------------------------------------------------------------------
// Language model

export const PLAN_PROMPT = [
  'You split a request into subtasks for other agents. Reply with JSON only, no prose, no code fences, exactly this shape:',
  '{"subtasks":[{"id":"s1","text":"...","dependsOn":[]},{"id":"s2","text":"...","dependsOn":["s1"]}]}',
  `Rules: ids are s1, s2, ... in order; at most ${MAX_SUBTASKS} subtasks; each text is one self-contained instruction;`,
  'dependsOn lists the earlier ids whose results the subtask needs (empty if none); a request that is one task gives one subtask.'
].join('\n')

/** Validates a model's plan; throws with the reason when it is not usable. */
export function parseLlmPlan (reply: string): PlannedSubtask[] {
  const body = reply.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '')
  const start = body.indexOf('{')
  const end = body.lastIndexOf('}')
  if (start < 0 || end < start) throw new Error('the reply has no JSON object')
  let parsed: unknown
  try {
    parsed = JSON.parse(body.slice(start, end + 1))
  } catch (err) {
    throw new Error(`the reply is not valid JSON (${err instanceof Error ? err.message : String(err)})`)
  }
  const list = typeof parsed === 'object' && parsed !== null ? (parsed as { subtasks?: unknown }).subtasks : undefined
  if (!Array.isArray(list) || list.length === 0) throw new Error('the reply has no "subtasks" list')
  if (list.length > MAX_SUBTASKS) throw new Error(`the plan has ${list.length} subtasks, more than ${MAX_SUBTASKS}`)
  const seen = new Set<string>()
  return list.map((item: unknown, i) => {
    const where = `subtasks[${i}]`
    if (typeof item !== 'object' || item === null) throw new Error(`${where} is not an object`)
    const { id, text, dependsOn } = item as { id?: unknown, text?: unknown, dependsOn?: unknown }
    if (id !== `s${i + 1}`) throw new Error(`${where}.id must be "s${i + 1}", got ${JSON.stringify(id)}`)
    if (typeof text !== 'string' || text.trim() === '') throw new Error(`${where}.text must be a non-empty string`)
    const deps = dependsOn ?? []
    if (!Array.isArray(deps) || !deps.every((d): d is string => typeof d === 'string')) throw new Error(`${where}.dependsOn must be a list of ids`)
    for (const d of deps) if (!seen.has(d)) throw new Error(`${where}.dependsOn names ${JSON.stringify(d)}, which is not an earlier subtask`)
    seen.add(id)
    return { id, text: text.trim(), dependsOn: [...new Set(deps)] }
  })
}
