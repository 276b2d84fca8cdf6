/**
 * Requests that carry their material: "Summarise: <a passage>", "Run this JavaScript: <code>",
 * "Translate "Hello. How are you?" into French", a ```fenced``` block. The material is not a list of
 * instructions, so nothing that splits a request into parts (sentences, "; ", "and then", list items)
 * may cut through it, and routing should judge the instruction, not the material.
 *
 * - `protect(text)` hides quoted text, fenced and inline code behind placeholders and, for the first
 *   instruction whose material follows a colon, the instruction with its material; `restore` puts them
 *   back into any piece of the protected text.
 * - `findPayload(text)` finds that instruction and its material.
 * - `instructionOf(text)` is the text with the material left out: what a bid is judged on.
 *
 * The material after "<instruction>:" runs to the end of the request, except that a later line that
 * starts with a sequencing word and a verb ("Then translate the summary into French") starts a new
 * part; inside a list item, the next item ends it too. An introduction such as "Do the following:" or
 * "Split this into subtasks:" has no material: what follows it is the list of parts.
 */
import { LIST_ITEM } from './sentences.ts'

/** Verbs that take material: "<verb> ...: <material>". */
const MATERIAL_VERBS = new Set([
  'add', 'analyse', 'analyze', 'answer', 'check', 'classify', 'clean', 'compare', 'compute', 'calculate', 'condense', 'convert',
  'correct', 'count', 'debug', 'decode', 'describe', 'detect', 'edit', 'encode', 'evaluate', 'execute', 'explain', 'extract',
  'fix', 'format', 'grade', 'improve', 'interpret', 'list', 'note', 'paraphrase', 'parse', 'proofread', 'rank', 'rate', 'read',
  'reformat', 'rephrase', 'review', 'rewrite', 'run', 'score', 'simplify', 'shorten', 'solve', 'sort', 'spellcheck', 'sum',
  'summarise', 'summarize', 'tag', 'test', 'tidy', 'title', 'translate', 'validate', 'verify', 'tl;dr', 'tldr',
  'pick', 'select', 'choose', 'highlight', 'pull', 'quote', 'give', 'show', 'tell', 'underline', 'mark'
])
/** "Here is my essay:", "the text below:": a head that names a text is followed by material, whatever its verb. */
const NAMES_A_TEXT = /\b(?:this|these|the\s+following|following|my|our|the)\s+(?:\w+\s+)?(?:text|passage|paragraph|article|essay|email|e-mail|document|notes|report|story|message|transcript|post|letter|review|abstract|sentences?|code|script|snippet|data|numbers|values|list)\b/i
/** Verbs of an introduction to a list of parts ("Do the following:"), never of material. */
const INTRODUCTION_VERBS = new Set(['do', 'complete', 'perform', 'handle', 'carry', 'follow', 'finish', 'work', 'split', 'plan', 'break'])
/** Words that make a colon an introduction to parts whatever the verb ("Run these steps:"). */
const INTRODUCES_PARTS = /\b(?:steps?|tasks?|subtasks?|parts|to-?dos|things|items|jobs|instructions)\b/i
const LABELS = new Set(['note', 'nb', 'ps', 'fyi', 'context', 'background', 'example', 'input', 'data', 'update', 'answer', 'test'])
const POLITE = /^(?:please\s+|kindly\s+|(?:can|could|would|will)\s+you\s+(?:please\s+)?)/i
/** The politeness and the verb at the start of an instruction. */
const VERB_PREFIX = new RegExp(`${POLITE.source}?[a-z;-]+`, 'i')
/**
 * Where a clause ends inside a line: a sentence end, "; ", or a joining word before a verb ("..., then
 * summarise this:", "... and translate this:"). The instruction before a colon starts after the last one.
 */
const CLAUSE_END = /[.!?](?=\s)|;|,?\s+(?:and\s+then|then|after\s+that|afterwards|and\s+also|also|finally|next|and)\b[\s,]*(?=([a-z;-]+))/gi
/** A line that starts a new part after some material: "Then translate it", "After that, check the sum". */
const FOLLOW_UP = /^\s*(?:(?:and\s+)?then|after\s+that|afterwards|next|finally|lastly|also|and\s+also|additionally|once\s+done)\b[\s,]*(\w+)/i
const MAX_HEAD_WORDS = 12
/** No verbs beyond the module's own (MATERIAL_VERBS, FOLLOW_UP_VERBS). */
const NO_MORE_VERBS: ReadonlySet<string> = new Set()

export interface Payload {
  /** The instruction, without the colon: "Summarise this text". */
  head: string
  /** The material after the colon, trimmed. */
  material: string
  /** Offsets in the text: where the instruction starts, and where the material ends. */
  start: number
  end: number
}

/**
 * The first "<instruction>: <material>" of `text` (see the module comment), or undefined. `verbs`
 * are the extra verbs that start an instruction (the planner's imperative verbs).
 */
export function findPayload (text: string, verbs: ReadonlySet<string> = NO_MORE_VERBS): Payload | undefined {
  const colon = /:(?=\s)|:$/g
  let m: RegExpExecArray | null
  while ((m = colon.exec(text)) !== null) {
    const lineStart = text.lastIndexOf('\n', m.index - 1) + 1
    const line = text.slice(lineStart, m.index)
    const item = LIST_ITEM.exec(line)
    const itemEnd = item !== null ? item[0].length : 0
    // The instruction starts after the last clause end on its line (or after a list marker).
    let headStart = itemEnd
    CLAUSE_END.lastIndex = itemEnd
    let c: RegExpExecArray | null
    while ((c = CLAUSE_END.exec(line)) !== null) {
      const verb = c[1]?.toLowerCase()
      if (verb === undefined || isVerb(verb, verbs)) headStart = c.index + c[0].length
    }
    const head = line.slice(headStart).trim()
    if (!isInstruction(head, verbs)) continue
    const materialStart = m.index + 1
    const end = materialEnd(text, materialStart, item !== null, verbs)
    const material = text.slice(materialStart, end).trim()
    if (material === '') continue
    return { head, material, start: lineStart + headStart + (line.slice(headStart).length - line.slice(headStart).trimStart().length), end }
  }
  return undefined
}

function isVerb (word: string, verbs: ReadonlySet<string>): boolean {
  return MATERIAL_VERBS.has(word) || FOLLOW_UP_VERBS.has(word) || verbs.has(word)
}

function isInstruction (head: string, verbs: ReadonlySet<string>): boolean {
  if (head === '' || head.split(/\s+/).length > MAX_HEAD_WORDS) return false
  const words = head.replace(POLITE, '').toLowerCase().match(/[a-z;-]+/g) ?? []
  const verb = words[0]
  // "Split this into steps:" introduces parts; "Split this into sentences:" hands a text over.
  const splitsText = SPLITS_A_TEXT.test(head)
  if (verb === undefined || (INTRODUCTION_VERBS.has(verb) && !splitsText) || INTRODUCES_PARTS.test(head)) return false
  // "Note: ...", "PS: ..." label a remark, not an instruction with material.
  if (words.length === 1 && LABELS.has(verb)) return false
  return MATERIAL_VERBS.has(verb) || verbs.has(verb) || NAMES_A_TEXT.test(head) || splitsText
}

/**
 * "Split this into words", "Break the text up into sentences": a text cut into its units (captured),
 * not work into parts. Also how the summariser's text.transform reads a split (text-transforms.ts).
 */
export const SPLIT_INTO_UNITS = String.raw`(?:split|break|divide|separate|chop|cut)\b(?:\s+\S+){0,4}?\s+(?:up\s+|apart\s+)?(?:into|in\s+to)\s+(?:its\s+|separate\s+|individual\s+|single\s+)?(words|sentences|lines|characters|letters)\b`
const SPLITS_A_TEXT = new RegExp(String.raw`\b${SPLIT_INTO_UNITS}`, 'i')

/** Where the material that starts at `from` ends: the end of the text, or the first line that starts a new part. */
function materialEnd (text: string, from: number, inListItem: boolean, verbs: ReadonlySet<string>): number {
  let at = text.indexOf('\n', from)
  while (at >= 0) {
    const next = text.indexOf('\n', at + 1)
    const line = text.slice(at + 1, next < 0 ? text.length : next)
    if (inListItem && LIST_ITEM.test(line)) return at
    const f = FOLLOW_UP.exec(line)
    if (f !== null && isVerb(f[1]!.toLowerCase(), verbs)) return at
    at = next
  }
  return text.length
}

/** Verbs that, after "Then"/"Also" at the start of a line, start a new part. */
const FOLLOW_UP_VERBS = new Set([
  'ask', 'book', 'build', 'chart', 'collect', 'compile', 'confirm', 'create', 'decide', 'deploy', 'design', 'determine', 'divide',
  'double', 'draft', 'draw', 'email', 'estimate', 'export', 'fetch', 'find', 'gather', 'generate', 'get', 'halve', 'identify',
  'implement', 'look', 'make', 'measure', 'merge', 'multiply', 'notify', 'open', 'organise', 'organize', 'outline', 'plot', 'post',
  'prepare', 'publish', 'put', 'record', 'reply', 'report', 'research', 'save', 'schedule', 'search', 'send', 'share', 'store',
  'subtract', 'suggest', 'tell', 'update', 'upload', 'use', 'visualise', 'visualize', 'write'
])

export interface Protected {
  /** The text with every protected span replaced by a placeholder (no spaces, no punctuation). */
  text: string
  /** Puts the spans back into a piece of `text`. */
  restore: (piece: string) => string
}

/** Quotes of up to this many characters are kept whole; longer "quotes" are more likely unbalanced. */
const MAX_QUOTE = 4_000
const SPAN = /```[\s\S]*?```|`[^`\n]+`|"[^"\n]{1,4000}"|“[^”]{1,4000}”/g

/** Hides quoted text, code and the first instruction's material (see the module comment). */
export function protect (text: string, verbs?: ReadonlySet<string>): Protected {
  const spans: string[] = []
  const hide = (s: string): string => `\u0001${spans.push(s) - 1}\u0002`
  let out = text.replace(SPAN, s => s.length > MAX_QUOTE + 2 ? s : hide(s))
  const p = findPayload(out, verbs)
  // The instruction's verb stays readable, so "... and summarise this: <material>" still splits from
  // what precedes it; the rest of the instruction and its material are one span.
  if (p !== undefined) {
    const verbEnd = p.start + (VERB_PREFIX.exec(p.head)?.[0].length ?? 0)
    out = out.slice(0, verbEnd) + hide(out.slice(verbEnd, p.end)) + out.slice(p.end)
  }
  const restore = (piece: string): string => {
    let s = piece
    // Spans can hold spans (a quote inside the material): restore until none is left.
    for (let i = 0; i < 4 && s.includes('\u0001'); i++) s = s.replace(/\u0001(\d+)\u0002/g, (_m, n: string) => spans[Number(n)] ?? '')
    return s
  }
  return { text: out, restore }
}

/**
 * What a request asks for, without its material: "Summarise: <passage>" → "Summarise", "Run this
 * JavaScript: <code>" → "Run this JavaScript". Judging a bid on the instruction keeps a long passage
 * about WebRTC from routing a summary to whichever agent's skills mention networks. A request without
 * material is returned as it is.
 */
export function instructionOf (text: string, verbs?: ReadonlySet<string>): string {
  const p = findPayload(text, verbs)
  if (p === undefined) return text
  const rest = (text.slice(0, p.start) + ' ' + p.head + ' ' + text.slice(p.end)).replace(/\s+/g, ' ').trim()
  return rest === '' ? text : rest
}

/** Whether a sentence reads as a request rather than as text: it opens with a verb of instruction, or asks a question. */
export function readsAsRequest (sentence: string, verbs?: ReadonlySet<string>): boolean {
  const t = sentence.trim()
  if (/\?\s*$/.test(t) || /^(?:who|what|when|where|why|how|which)\b/i.test(t)) return true
  const verb = t.replace(POLITE, '').toLowerCase().match(/^[a-z;-]+/)?.[0]
  return verb !== undefined && isVerb(verb, verbs ?? NO_MORE_VERBS)
}
