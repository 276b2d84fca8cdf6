/**
 * Rewriting a text, the summariser's `text.transform` skill: sorting words or a list (alphabetically,
 * in reverse, by length), reversing a word or the order of a list, changing case, removing
 * duplicates, splitting a text into its words, sentences, lines or characters, whether a word or phrase is a palindrome, and picking out the email addresses, links,
 * phone numbers, numbers, dates, hashtags or @mentions a text holds. "Sort these words alphabetically: pear,
 * apple, mango", "Reverse the word 'meshwork'", "Convert to upper case: hello world", "Remove the
 * duplicates from: a, b, a", "Is racecar a palindrome?", "Extract the email addresses from: ...". Before, nobody bid on these ("no capable agent
 * in the room"): the calculator sorts numbers, and no built-in rewrote text.
 *
 * Exact and offline, with its working; fixed rules, so a verifier on another peer derives the same
 * answer again and compares it (rederive.ts). Read by patterns alone: the bid rules ask whether a
 * request is one (src/app/coord-boot.ts).
 *
 * The text: `input.text`; else the material after the instruction's colon; else the quoted text; else
 * what the instruction names ("Reverse the word meshwork", "Spell meshwork backwards"); else, in a
 * mission, the results the part depends on. A list is split at line breaks, else at commas or
 * semicolons (a last "and" or "or" dropped), else at spaces.
 */
import type { AgentResult, AgentTask } from '../types.ts'
import { findPayload, SPLIT_INTO_UNITS, type Payload } from './payload.ts'
import { preview } from './text-counts.ts'
import { inputText, upstreamResults, upstreamText } from './task-input.ts'
import { datesIn } from './dates.ts'
import { splitSentences } from './sentences.ts'

type Transform =
  | { op: 'sort', descending: boolean, byLength: boolean, unit?: ListUnit }
  | { op: 'reverse', items: boolean, unit?: ListUnit }
  | { op: 'case', to: 'upper' | 'lower' | 'title' | 'sentence' }
  | { op: 'dedupe' }
  | { op: 'palindrome' }
  | { op: 'extract', what: Extractable[] }
  | { op: 'split', into: 'words' | 'sentences' | 'lines' | 'characters' }

/**
 * What a list is made of when the request names sentences ("Sort the sentences ...", "Reverse the
 * order of these sentences"); words and lines are what a list without commas already splits into.
 */
type ListUnit = 'sentences'
const NAMED_UNIT = /\b(?:the|these|those|its|this|each|all)\s+(?:its\s+|separate\s+|individual\s+)?(sentences)\b/i

function namedUnit (head: string): { unit?: ListUnit } {
  const m = NAMED_UNIT.exec(head)
  return m === null ? {} : { unit: m[1]!.toLowerCase() as ListUnit }
}

type Extractable = 'email addresses' | 'links' | 'phone numbers' | 'numbers' | 'hashtags' | 'mentions' | 'dates'

/** The text rewritten, and the text it came from. */
interface Source { text: string, from: string }

/** Texts longer than this are refused with a reason (a request to sort a book is not a chat request). */
const MAX_TRANSFORM_INPUT = 200_000

const POLITE = String.raw`^\s*(?:please\s+|kindly\s+|(?:can|could|would|will)\s+you\s+(?:please\s+)?)?`
/** "Sort ...", "Alphabetise ...", "Put ... in alphabetical order", "Order these by length". */
const SORT = new RegExp(String.raw`${POLITE}(?:sort(?!\s+out\b)|alphabeti[sz]e|order|arrange|put|list|rank)\b`, 'i')
const ALPHABETICAL = /\balphabetic(?:al)?(?:ly)?\b|\balphabeti[sz]e\b|\b(?:from\s+)?a\s*(?:-|–|to)\s*z\b|\bz\s*(?:-|–|to)\s*a\b|\bby\s+(?:length|size)\b|\b(?:shortest|longest)\s+(?:first|to\s+(?:longest|shortest))\b/i
const DESCENDING = /\breverse\s+alphabetic|\bz\s*(?:-|–|to)\s*a\b|\bdescending\b|\blongest\s+(?:first|to\s+shortest)\b/i
const BY_LENGTH = /\bby\s+(?:length|size)\b|\b(?:shortest|longest)\s+(?:first|to\s+(?:longest|shortest))\b/i
/** "Reverse ...", "Spell ... backwards", "Write ... backwards", "What is 'stressed' backwards?", "... in reverse". */
const REVERSE = new RegExp(String.raw`${POLITE}(?:reverse|invert|flip)\b|${POLITE}(?:spell|write|say|print|type|show|give)\b.*\b(?:backwards?|in\s+reverse(?:\s+order)?|reversed)\s*[.?!]?\s*$|^\s*what\s+(?:is|'s|does)\s+.+\s+(?:backwards?|reversed|in\s+reverse)\b`, 'i')
/** Reversing the order of items, not the letters: "the order of", "these words", "this list", "the lines". */
const REVERSE_ITEMS = /\b(?:order|list|items|lines|words|entries|elements|sequence)\b/i
/** "Convert to upper case", "Make this lowercase", "Uppercase: ...", "Title case these", "Capitalise each word of ...". */
const CASE = new RegExp(String.raw`${POLITE}(?:(?:convert|change|make|turn|put|write|rewrite|set|transform|format)\b.*\b(?:upper\s*-?\s*case|lower\s*-?\s*case|title\s*-?\s*case|all\s+caps|capital\s+letters|small\s+letters)\b|(?:upper\s*-?\s*case|lower\s*-?\s*case|title\s*-?\s*case|uppercase|lowercase|capitali[sz]e|decapitali[sz]e)\b)`, 'i')
/** "Remove the duplicates from ...", "Dedupe this list: ...", "List the unique words in ...". */
const DEDUPE = new RegExp(String.raw`${POLITE}(?:(?:remove|drop|delete|strip|eliminate|get\s+rid\s+of|take\s+out)\s+(?:the\s+|any\s+|all\s+)?(?:duplicates?|duplicated\s+\w+|repeated\s+\w+|repeats|doubles)\b|de-?dup(?:e|licate)\b|(?:list|give|show|keep)\s+(?:me\s+)?(?:only\s+)?the\s+(?:unique|distinct)\s+(?:words|items|lines|entries|values|names)\b)`, 'i')
/** "Is racecar a palindrome?", "Is 'never odd or even' a palindrome", "Check whether level is a palindrome". */
const PALINDROME = new RegExp(String.raw`${POLITE}(?:(?:check|tell\s+me|find\s+out)\s+(?:whether|if)\s+)?(?:is|are)?\s*(.+?)\s+(?:is\s+|are\s+)?an?\s+palindromes?\s*[.?!]?\s*$`, 'i')
/** "Extract the email addresses from: ...", "List all links in ...", "Find the phone numbers in ...", "Pull out the hashtags: ...". */
const KINDS = String.raw`(e-?mail(?:\s+address(?:es)?|s)?|urls?|links|web\s+addresses|web\s*sites|phone\s+numbers|telephone\s+numbers|numbers|hashtags|(?:@\s*)?mentions|dates)`
const EXTRACT = new RegExp(String.raw`${POLITE}(?:extract|find|list|get|pull\s+out|pick\s+out|collect|grab|give\s+me|show\s+me|what\s+are)\s+(?:all\s+|every\s+|any\s+)?(?:of\s+)?(?:the\s+)?${KINDS}\b((?:\s*(?:,|and|&)\s*(?:the\s+|all\s+)?${KINDS}\b)*)`, 'i')
const KIND = new RegExp(KINDS, 'gi')
/** What each kind of thing looks like in a text (dates are read by dates.ts). */
const EXTRACTED: Record<Exclude<Extractable, 'dates'>, RegExp> = {
  'email addresses': /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu,
  links: /\bhttps?:\/\/[^\s<>"'()[\]]+|\bwww\.[^\s<>"'()[\]]+/gi,
  'phone numbers': /(?<![\p{L}\p{N}])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,5}){0,4}(?![\p{L}\p{N}])/gu,
  numbers: /(?<![\p{L}\p{N}.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\p{L}\p{N}])/gu,
  hashtags: /(?<![\p{L}\p{N}_&])#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*/gu,
  mentions: /(?<![\p{L}\p{N}_.@])@[\p{L}\p{N}_]+(?![\p{L}\p{N}_]*[.@][\p{L}\p{N}])/gu
}
/** "Split this into words: ...", "Break the text up into sentences", "Tokenize: ..." (words). */
const SPLIT = new RegExp(String.raw`${POLITE}${SPLIT_INTO_UNITS}|${POLITE}tokeni[sz]e\b`, 'i')
const QUOTED = /'([^']{1,2000})'|"([^"]{1,2000})"|‘([^’]{1,2000})’|“([^”]{1,2000})”/u

/**
 * The dates a text names, as written, each with its ISO form ("4 January 2027 (2027-01-04)"): the
 * calculator's reading of dates (dates.ts), so "03/04/2027" reads as it does there. One that is no
 * day of the calendar ("31 February 2027") is an error naming it.
 */
function datesFound (text: string): string[] {
  try {
    return datesIn(text).map(d => {
      const iso = new Date(d.day * 86_400_000).toISOString().slice(0, 10)
      return d.text === iso ? iso : `${d.text} (${iso})`
    })
  } catch (err) {
    throw new Error(`summariser: ${(err as Error).message.replace(/^calculator: /, '')}`)
  }
}

/** What a request asks to do to a text, by its instruction (the request before a colon's material); undefined when it asks none of these. */
function transformAsked (request: string, payload: Payload | undefined): Transform | undefined {
  const head = (payload !== undefined ? request.slice(0, payload.start) + payload.head : request).trim()
  if (PALINDROME.test(head)) return { op: 'palindrome' }
  const extract = EXTRACT.exec(head)
  if (extract !== null) {
    // "the email addresses and phone numbers": each kind named.
    const kinds = [extract[1]!, ...[...(extract[2] ?? '').matchAll(KIND)].map(m => m[0])].map((w): Extractable => {
      const word = w.toLowerCase()
      return /^e-?mail/.test(word) ? 'email addresses' : /^(?:url|link|web)/.test(word) ? 'links' : /phone/.test(word) ? 'phone numbers'
        : word === 'numbers' ? 'numbers' : word === 'hashtags' ? 'hashtags' : word === 'dates' ? 'dates' : 'mentions'
    })
    return { op: 'extract', what: [...new Set(kinds)] }
  }
  if (DEDUPE.test(head)) return { op: 'dedupe' }
  const split = SPLIT.exec(head)
  if (split !== null) {
    const unit = (split[1] ?? 'words').toLowerCase()
    return { op: 'split', into: unit === 'letters' ? 'characters' : unit as 'words' | 'sentences' | 'lines' | 'characters' }
  }
  if (CASE.test(head)) {
    const to = /\blower\s*-?\s*case|\blowercase|\bsmall\s+letters|\bdecapitali[sz]e/i.test(head) ? 'lower'
      : /\bupper\s*-?\s*case|\buppercase|\ball\s+caps|\bcapital\s+letters/i.test(head) ? 'upper'
        : /\btitle\s*-?\s*case|\bcapitali[sz]e\s+(?:each|every|all|the\s+first\s+letter\s+of\s+(?:each|every))/i.test(head) ? 'title' : 'sentence'
    return { op: 'case', to }
  }
  if (REVERSE.test(head) && !ALPHABETICAL.test(head)) {
    const items = REVERSE_ITEMS.test(head.replace(QUOTED, ''))
    return { op: 'reverse', items, ...(items ? namedUnit(head) : {}) }
  }
  if (SORT.test(head)) {
    // "Sort these words: ..." sorts alphabetically; "Order the tasks by priority" is not a text rule.
    const plainSort = /^\s*(?:please\s+|(?:can|could|would)\s+you\s+)?sort\b/i.test(head)
    if (!plainSort && !ALPHABETICAL.test(head)) return undefined
    return { op: 'sort', descending: DESCENDING.test(head), byLength: BY_LENGTH.test(head), ...namedUnit(head) }
  }
  return undefined
}

/**
 * Whether a task asks to rewrite a text it gives (the summariser's, whatever its words match):
 * "Sort the tasks by priority" gives no text and names no rule, and is not. Sorting numbers is the
 * calculator's ("Sort these numbers: 5, 3, 9").
 */
export function asksToTransform (task: AgentTask): boolean {
  const request = task.text.trim()
  // The payload is found once: the instruction is read from it, and the text to rewrite (this runs on every announcement).
  const payload = findPayload(request)
  const asked = transformAsked(request, payload)
  if (asked === undefined) return false
  if (task.id.includes('/')) return true
  try {
    const source = textToTransform(task, request, asked, payload)
    return !(asked.op === 'sort' && splitList(source.text).items.every(x => /^[-+]?\d[\d,.]*$/.test(x)))
  } catch {
    return false
  }
}

/** The answer to a request to rewrite a text; undefined when the request asks no such thing. */
export function transformText (task: AgentTask): AgentResult | undefined {
  const request = task.text.trim()
  const payload = findPayload(request)
  const asked = transformAsked(request, payload)
  if (asked === undefined) return undefined
  const source = textToTransform(task, request, asked, payload)
  if (source.text.length > MAX_TRANSFORM_INPUT) throw new Error(`summariser: the text has ${source.text.length} characters; the limit for rewriting is ${MAX_TRANSFORM_INPUT}`)
  const working = [`request: ${request}`, `text (${source.from}): ${preview(source.text)}`]
  switch (asked.op) {
    case 'palindrome': {
      const letters = [...graphemes(source.text.toLocaleLowerCase())].filter(g => /[\p{L}\p{N}]/u.test(g))
      if (letters.length === 0) throw new Error('summariser: the text to check holds no letters or digits')
      const backwards = [...letters].reverse()
      const yes = letters.join('') === backwards.join('')
      working.push(`letters and digits, ignoring case, spaces and punctuation: ${letters.join('')}`, `backwards: ${backwards.join('')}`)
      return { text: `${yes ? 'Yes' : 'No'}: "${source.text}" ${yes ? 'reads the same backwards' : `reads "${backwards.join('')}" backwards`}`, output: yes, working }
    }
    case 'extract': {
      const lists = asked.what.map(what => {
        const found = what === 'dates' ? datesFound(source.text) : [...source.text.matchAll(EXTRACTED[what])].map(m => m[0].replace(/[.,;:!?]+$/, ''))
          // A phone number has at least 7 digits ("12:30" and "2024" are not phone numbers), and is not a date.
          .filter(x => what !== 'phone numbers' || ((x.match(/\d/g) ?? []).length >= 7 && !/^\d{4}-\d{1,2}-\d{1,2}$|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(x)))
          // Asked for together with phone numbers, numbers would only repeat their digits: none are listed.
          .filter(x => what !== 'numbers' || !asked.what.includes('phone numbers'))
        const seen = new Set<string>()
        const distinct = found.filter(x => { const k = what === 'email addresses' ? x.toLowerCase() : x; if (seen.has(k)) return false; seen.add(k); return true })
        working.push(`${found.length} ${what} found${distinct.length < found.length ? `, ${distinct.length} distinct` : ''}, in the order they appear`)
        return { what, distinct }
      })
      if (lists.every(l => l.distinct.length === 0)) {
        const text = `None: the text holds no ${lists.map(l => l.what).join(' or ')}`
        return { text, output: text, working }
      }
      if (lists.length === 1) return listResult(lists[0]!.distinct, ', ', working)
      const text = lists.map(l => `${l.what}: ${l.distinct.length === 0 ? 'none' : l.distinct.join(', ')}`).join('; ')
      return { text, output: text, working: [...working, `= ${preview(text)}`] }
    }
    case 'case': {
      const out = asked.to === 'upper' ? source.text.toLocaleUpperCase() : asked.to === 'lower' ? source.text.toLocaleLowerCase()
        : asked.to === 'title' ? titleCase(source.text)
          // The first letter of each sentence, the rest as written.
          : source.text.replace(/(^|[.!?]\s+)(\p{L})/gu, (_m, before: string, first: string) => before + first.toLocaleUpperCase())
      working.push(asked.to === 'sentence' ? 'first letter of each sentence in capitals' : `${asked.to} case`)
      return { text: out, output: out, working }
    }
    case 'reverse': {
      if (!asked.items) {
        const out = [...graphemes(source.text)].reverse().join('')
        working.push('the characters in reverse order')
        return { text: out, output: out, working }
      }
      const list = splitList(source.text, asked.unit)
      const out = list.items.slice().reverse()
      working.push(`${out.length} ${list.kind} in reverse order`)
      return listResult(out, list.joiner, working)
    }
    case 'split': {
      const items = asked.into === 'words' ? source.text.match(/[\p{L}\p{N}]+(?:['’.-][\p{L}\p{N}]+)*/gu) ?? []
        : asked.into === 'sentences' ? splitSentences(source.text)
          : asked.into === 'lines' ? source.text.split(/\r?\n/).map(l => l.trim()).filter(l => l !== '')
            : [...graphemes(source.text)].filter(g => /\S/u.test(g))
      if (items.length === 0) throw new Error(`summariser: the text holds no ${asked.into} to split it into`)
      working.push(`${items.length} ${items.length === 1 ? asked.into.replace(/s$/, '') : asked.into}${asked.into === 'words' ? ' (letters and digits; punctuation dropped)' : ''}`)
      const text = `${items.length} ${items.length === 1 ? asked.into.replace(/s$/, '') : asked.into}: ${items.join(asked.into === 'sentences' || asked.into === 'lines' ? ' | ' : ', ')}`
      return { text, output: items, working: [...working, `= ${preview(text)}`] }
    }
    case 'dedupe': {
      const list = splitList(source.text)
      const seen = new Set<string>()
      const kept = list.items.filter(x => { const k = x.toLocaleLowerCase(); if (seen.has(k)) return false; seen.add(k); return true })
      const removed = list.items.length - kept.length
      working.push(`${list.items.length} ${list.kind}, ignoring case; first occurrences kept in their order`, `${removed} duplicate${removed === 1 ? '' : 's'} removed`)
      return listResult(kept, list.joiner, working)
    }
    case 'sort': {
      const list = splitList(source.text, asked.unit)
      const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true })
      const alpha = (a: string, b: string): number => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0)
      const compare = asked.byLength ? (a: string, b: string) => [...graphemes(a)].length - [...graphemes(b)].length || alpha(a, b) : alpha
      const out = list.items.slice().sort(compare)
      if (asked.descending) out.reverse()
      working.push(`${list.items.length} ${list.kind}, ${asked.byLength ? 'by length, then alphabetically' : 'alphabetically, ignoring case'}${asked.descending ? ', in reverse' : ''}`)
      return listResult(out, list.joiner, working)
    }
  }
}

/** Short articles, conjunctions and prepositions stay in small letters inside a title ("The Lord of the Rings"). */
const MINOR_WORDS = new Set(['a', 'an', 'the', 'and', 'but', 'or', 'nor', 'for', 'so', 'yet', 'of', 'on', 'in', 'at', 'to', 'by', 'up', 'as', 'via', 'per', 'vs'])

function titleCase (text: string): string {
  return text.split(/(\r?\n)/).map(line => {
    const words = line.toLocaleLowerCase().split(/(\s+)/)
    const last = words.findLastIndex(w => /\S/.test(w))
    return words.map((w, i) => i !== 0 && i !== last && MINOR_WORDS.has(w.replace(/[^\p{L}]/gu, '')) ? w : w.replace(/\p{L}/u, c => c.toLocaleUpperCase())).join('')
  }).join('')
}

function listResult (items: string[], joiner: string, working: string[]): AgentResult {
  const text = items.join(joiner)
  return { text, output: text, working: [...working, `= ${preview(text)}`] }
}

/**
 * The items of a list: the unit the request names ("Sort the sentences alphabetically: ..."), else
 * lines, else comma- or semicolon-separated items (a last "and" or "or" joining two), else words.
 * Before, "sort them alphabetically: Zebra runs. Apple falls." sorted the words of the sentences.
 */
function splitList (text: string, unit?: ListUnit): { items: string[], kind: string, joiner: string } {
  if (unit === 'sentences') return { items: splitSentences(text.trim()).map(x => x.trim()).filter(x => x !== ''), kind: 'sentences', joiner: ' ' }
  const trimmed = text.trim().replace(/[.!?]$/, '')
  const lines = trimmed.split(/\r?\n/).map(l => l.trim().replace(/^(?:[-*•]|\d+[.)])\s+/, '')).filter(l => l !== '')
  if (lines.length > 1) return { items: lines, kind: 'lines', joiner: '\n' }
  if (/[,;]/.test(trimmed)) {
    const items = trimmed.split(/\s*[,;]\s*/).map(x => x.replace(/^(?:and|or)\s+/i, '').trim()).filter(x => x !== '')
    // "pear, apple and mango": the last item holds two.
    const last = items.at(-1)
    if (last !== undefined && / and | or /i.test(last) && items.length > 1 && items.slice(0, -1).every(x => !/\s/.test(x))) items.splice(-1, 1, ...last.split(/\s+(?:and|or)\s+/i))
    return { items, kind: 'items', joiner: ', ' }
  }
  const words = trimmed.split(/\s+/).filter(x => x !== '')
  return { items: words, kind: 'words', joiner: ' ' }
}

function textToTransform (task: AgentTask, request: string, asked: Transform, payload: Payload | undefined): Source {
  const given = inputText(task.input, 'text')
  if (given !== undefined) return { text: given, from: 'input.text' }
  if (payload !== undefined && payload.material !== '') return { text: payload.material, from: 'after the colon' }
  const afterColon = /^[^:\n]{0,80}?:\s*([\s\S]+)$/.exec(request)?.[1]?.trim()
  if (afterColon !== undefined && afterColon !== '') return { text: afterColon, from: 'after the colon' }
  const quoted = QUOTED.exec(request)
  if (quoted !== null) return { text: quoted.slice(1).find(x => x !== undefined)!, from: 'quoted' }
  const named = namedText(request, asked)
  if (named !== undefined) return { text: named, from: 'named' }
  const upstream = upstreamResults(task.input)
  if (upstream.length > 0) return { text: upstream.map(u => upstreamText(u.value)).join('\n'), from: `the result${upstream.length === 1 ? '' : 's'} of ${upstream.map(u => u.id).join(', ')}` }
  throw new Error(`summariser: say which text to ${asked.op === 'extract' ? `find the ${asked.what.join(' and ')} in` : 'rewrite'}: after a colon ("Sort these words: pear, apple, mango"), in quotes, or in input.text`)
}

/** What the instruction names, unquoted: "Reverse the word meshwork", "Spell level backwards", "Is racecar a palindrome?". */
function namedText (request: string, asked: Transform): string | undefined {
  const s = request.replace(/\s+/g, ' ').replace(/\s*[?.!]\s*$/, '')
  const NOUN = String.raw`(?:the\s+|this\s+|that\s+|my\s+)?(?:word|name|phrase|sentence|string|text|letters\s+(?:of|in))\s+`
  let m: RegExpExecArray | null = null
  if (asked.op === 'palindrome') m = new RegExp(String.raw`^(?:please\s+)?(?:(?:check|tell\s+me|find\s+out)\s+(?:whether|if)\s+)?(?:is|are)?\s*(?:${NOUN})?(.+?)\s+(?:is\s+|are\s+)?an?\s+palindromes?$`, 'i').exec(s)
  else if (asked.op === 'reverse') {
    m = new RegExp(String.raw`^(?:please\s+|(?:can|could|would)\s+you\s+)?(?:spell|write|say|print|type|show|give)\s+(?:me\s+)?(?:${NOUN})?(.+?)\s+(?:backwards?|in\s+reverse(?:\s+order)?|reversed)$`, 'i').exec(s) ??
      new RegExp(String.raw`^what\s+(?:is|'s|does)\s+(?:${NOUN})?(.+?)\s+(?:spelled\s+|spelt\s+|read\s+|look\s+like\s+)?(?:backwards?|reversed|in\s+reverse)$`, 'i').exec(s) ??
      new RegExp(String.raw`^(?:please\s+|(?:can|could|would)\s+you\s+)?(?:reverse|invert|flip)\s+(?:${NOUN}(.+)|([\p{L}\p{N}]+))$`, 'iu').exec(s)
  } else if (asked.op === 'extract') {
    // The text itself, not a description of one ("from this page", "in a text using a regex"): it
    // holds one of the things asked for.
    m = /\b(?:from|in|out\s+of|within)\s+(?:the\s+following\s*)?(.+)$/i.exec(s)
    if (m !== null && !asked.what.some(what => holds(m![1]!, what))) m = null
  } else if (asked.op === 'case') {
    m = new RegExp(String.raw`^(?:please\s+)?(?:convert|change|make|turn|put|write|rewrite)\s+(?:${NOUN})(.+?)\s+(?:in|into|to)\s+(?:upper|lower|title)`, 'i').exec(s)
  }
  const named = (m?.[1] ?? m?.[2])?.trim()
  if (named === undefined || named === '' || /^(?:this|that|these|those|it|them|the\s+list|the\s+text)$/i.test(named)) return undefined
  return named
}

/** Whether a text holds one thing of a kind. */
function holds (text: string, what: Extractable): boolean {
  if (what === 'dates') {
    try { return datesIn(text).length > 0 } catch { return true }
  }
  return new RegExp(EXTRACTED[what].source, EXTRACTED[what].flags.replace('g', '')).test(text)
}

function graphemes (text: string): Iterable<string> {
  return [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].map(s => s.segment)
}
