/**
 * Counting in a text, the summariser's `text.count` skill: words, characters, letters, sentences,
 * lines, paragraphs, vowels, consonants and digits ("How many words are in this sentence: ...",
 * "Count the characters in 'hello world'"), and how often a letter or a word occurs ("How many r's
 * are in strawberry?", "How many times does 'the' appear in: ..."). Exact, offline, with the count's
 * working. These went unassigned: no built-in counted, and the calculator has nothing to compute.
 *
 * The text counted: `input.text`; else the material after the instruction's colon; else the quoted
 * text; else what follows "in" at the end ("in the word Mississippi", "in banana"); else, in a
 * mission, the results the part depends on ("Count the words of the summary"). "This sentence" with
 * no text given is the request itself.
 */
import type { AgentResult, AgentTask } from '../types.ts'
import { findPayload } from './payload.ts'
import { splitSentences } from './sentences.ts'
import { inputText, upstreamResults, upstreamText } from './task-input.ts'

type Unit = 'words' | 'characters' | 'letters' | 'sentences' | 'lines' | 'paragraphs' | 'vowels' | 'consonants' | 'digits'

const UNIT_WORDS: [RegExp, Unit][] = [
  [/^words?$/i, 'words'],
  [/^(?:characters?|chars?)$/i, 'characters'],
  [/^letters?$/i, 'letters'],
  [/^sentences?$/i, 'sentences'],
  [/^lines?$/i, 'lines'],
  [/^paragraphs?$/i, 'paragraphs'],
  [/^vowels?$/i, 'vowels'],
  [/^consonants?$/i, 'consonants'],
  [/^digits?$/i, 'digits']
]
const UNIT = String.raw`(?:words?|characters?|chars?|letters?|sentences?|lines?|paragraphs?|vowels?|consonants?|digits?)`
/** "How many words ...", "Count the characters ...", "the number of sentences in ...", "word count of ...". */
const COUNT_OF_UNIT = new RegExp(String.raw`\b(?:how\s+many|count(?:\s+(?:up|all))?(?:\s+the)?(?:\s+number\s+of)?|number\s+of|tally(?:\s+the)?)\s+(?:\w+\s+)?(${UNIT})\b|\b(word|character|letter|sentence|line|paragraph)\s+count\b`, 'i')
/** A quoted or bare letter or word whose occurrences are counted. */
const QUOTED = String.raw`(?:'([^']{1,40})'|"([^"]{1,40})"|‘([^’]{1,40})’|“([^”]{1,40})”)`
/** "How many times does the letter a appear in banana", "how often does 'the' occur in: ...". */
const TIMES_OCCURS = new RegExp(String.raw`\bhow\s+(?:many\s+times|often)\s+(?:does|do|is|are|did)\s+(?:the\s+)?(?:(letter|character|word)\s+)?(?:${QUOTED}|([\p{L}\p{N}]+))\s+(?:appear|occur|show\s+up|come\s+up|used|repeated|written|there)?\s*(?:in|within|inside)\b`, 'iu')
/** "How many r's are in strawberry", "count the letter s in Mississippi", "number of 'e's in ...". */
const LETTERS_OF = new RegExp(String.raw`\b(?:how\s+many|count(?:\s+the)?(?:\s+number\s+of)?|number\s+of)\s+(?:(?:the\s+)?(?:letter|character)\s+)?(?:${QUOTED}|([\p{L}\p{N}]))(?:'s|’s|s)?\s+(?:are\s+there\s+|is\s+there\s+|are\s+|is\s+|does\s+\S+\s+have\s+|do\s+\S+\s+have\s+)?(?:in|within|inside)\b`, 'iu')

/**
 * Whether a task asks to count something in a text it gives (the summariser's, not the calculator's
 * nor the researcher's): "How many lines of code does the project have?" names no text, and is not.
 * A mission's part may count in the results it depends on, which arrive with its input.
 */
export function asksToCount (task: AgentTask): boolean {
  const asked = readCount(task.text.trim())
  if (asked === undefined) return false
  if (task.id.includes('/')) return true
  // Finding the text is enough to bid; counting it is the handler's work (this runs on every announcement).
  try {
    textToCount(task, task.text.trim(), asked.after)
    return true
  } catch {
    return false
  }
}

/** What a request asks to count: a unit, or a target (a letter or a word), and where its text may start. */
interface CountAsked { unit?: Unit, target?: string, asWord: boolean, after: number }

function readCount (request: string): CountAsked | undefined {
  const times = TIMES_OCCURS.exec(request)
  if (times !== null) {
    const target = times.slice(2, 7).find(x => x !== undefined)!
    const kind = times[1]?.toLowerCase()
    return { target, asWord: kind === 'word' || (kind === undefined && [...target].length > 1), after: afterOccurrence(times) }
  }
  const letters = LETTERS_OF.exec(request)
  if (letters !== null) {
    const target = letters.slice(1, 6).find(x => x !== undefined)!
    return { target, asWord: [...target].length > 1, after: afterOccurrence(letters) }
  }
  const unitMatch = COUNT_OF_UNIT.exec(request)
  if (unitMatch === null) return undefined
  const said = (unitMatch[1] ?? unitMatch[2])!
  return { unit: UNIT_WORDS.find(([re]) => re.test(said))![1], asWord: false, after: unitMatch.index + unitMatch[0].length }
}

/** The text follows the match; an occurrence's match ends in its "in", which the text's reading takes again. */
function afterOccurrence (m: RegExpExecArray): number {
  return m.index + m[0].replace(/(?:in|within|inside)$/i, '').length
}

const MAX_COUNT_INPUT = 1_000_000

/** The answer to a request to count in a text; undefined when the request asks no such count. */
export function countInText (task: AgentTask): AgentResult | undefined {
  const request = task.text.trim()
  const asked = readCount(request)
  if (asked === undefined) return undefined
  const { unit, target, asWord } = asked
  const source = textToCount(task, request, asked.after)
  if (source.text.length > MAX_COUNT_INPUT) throw new Error(`summariser: the text has ${source.text.length} characters; the limit for counting is ${MAX_COUNT_INPUT}`)
  const working = [`request: ${request}`, `text (${source.from}): ${preview(source.text)}`]
  if (target !== undefined) {
    const n = asWord ? wordOccurrences(source.text, target) : letterOccurrences(source.text, target)
    working.push(asWord ? `whole-word matches of "${target}", ignoring case` : `occurrences of "${target}", ignoring case`, `= ${n}`)
    const what = asWord ? `the word "${target}"` : `"${target}"`
    return { text: `${n}: ${what} occurs ${n === 1 ? 'once' : `${n} times`} in ${shortName(source)}`, output: n, working }
  }
  const counts = countAll(source.text)
  const n = counts[unit!]
  working.push(`${unit}: ${n}`)
  if (unit === 'words') working.push(`reading time at 200 words a minute: ${readingTime(n)}`)
  let text = `${n} ${n === 1 ? unit!.replace(/s$/, '') : unit}`
  if (unit === 'characters') {
    const noSpaces = counts.characters - counts.spaces
    text += ` (${noSpaces} without spaces)`
    working.push(`spaces and other white space: ${counts.spaces}`)
  }
  return { text, output: n, working }
}

interface Source { text: string, from: string }

function textToCount (task: AgentTask, request: string, after: number): Source {
  const given = inputText(task.input, 'text')
  if (given !== undefined) return { text: given, from: 'input.text' }
  const payload = findPayload(request)
  if (payload !== undefined) return { text: payload.material, from: 'after the colon' }
  const rest = request.slice(after)
  // "How many times does 'the' appear in: ...", "Word count: ...": a colon the instruction rules above did not take.
  const afterColon = /^[^:\n]{0,40}?:\s*([\s\S]+)$/.exec(rest)?.[1]?.trim()
  if (afterColon !== undefined && afterColon !== '') return { text: afterColon, from: 'after the colon' }
  const quoted = new RegExp(QUOTED, 'u').exec(rest)
  if (quoted !== null) return { text: quoted.slice(1).find(x => x !== undefined)!, from: 'quoted' }
  // "in the word Mississippi?", "in banana", "in the sentence the cat sat".
  const named = /^\s*(?:(?:are|is)\s+(?:there\s+)?)?(?:in|within|inside)\b\s*(?:the\s+(?:word|name|phrase|sentence|text|string)\s+)?(.+?)\s*[?.!]?\s*$/isu.exec(rest)?.[1]
  if (named !== undefined && named !== '' && !/^(?:this|that|the|these|those|it|them|my|our|your)\b/i.test(named)) return { text: named, from: 'named' }
  const upstream = upstreamResults(task.input)
  if (upstream.length > 0) return { text: upstream.map(u => upstreamText(u.value)).join('\n\n'), from: `the result${upstream.length === 1 ? '' : 's'} of ${upstream.map(u => u.id).join(', ')}` }
  if (/\b(?:this|the)\s+(?:sentence|question|request)\b/i.test(request)) return { text: request, from: 'the request itself' }
  throw new Error('summariser: say which text to count in: after a colon ("How many words are in this: ..."), in quotes, or in input.text')
}

function countAll (text: string): Record<Unit | 'spaces', number> {
  const letters = text.match(/\p{L}/gu) ?? []
  const vowels = letters.filter(l => /[aeiouáàâäãåéèêëíìîïóòôöõúùûüý]/i.test(l)).length
  const latin = letters.filter(l => /[a-z]/i.test(l)).length
  return {
    words: (text.match(/[\p{L}\p{N}]+(?:['’.-][\p{L}\p{N}]+)*/gu) ?? []).length,
    characters: [...text].length,
    spaces: (text.match(/\s/g) ?? []).length,
    letters: letters.length,
    sentences: splitSentences(text).length,
    lines: text.split(/\r?\n/).filter(l => l.trim() !== '').length,
    paragraphs: text.split(/\n\s*\n/).filter(p => p.trim() !== '').length,
    vowels,
    consonants: latin - letters.filter(l => /[aeiou]/i.test(l)).length,
    digits: (text.match(/\p{N}/gu) ?? []).length
  }
}

function letterOccurrences (text: string, target: string): number {
  const hay = text.toLocaleLowerCase()
  const needle = target.toLocaleLowerCase()
  let n = 0
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + needle.length)) n++
  return n
}

function wordOccurrences (text: string, word: string): number {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return (text.match(new RegExp(String.raw`(?<![\p{L}\p{N}])${escaped}(?![\p{L}\p{N}])`, 'giu')) ?? []).length
}

function readingTime (words: number): string {
  const seconds = Math.round(words / 200 * 60)
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`
}

/** A text for the working: on one line, at most 80 characters, quoted. */
export function preview (text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return JSON.stringify(flat.length > 80 ? `${flat.slice(0, 79)}…` : flat)
}

function shortName (source: Source): string {
  const flat = source.text.replace(/\s+/g, ' ').trim()
  return flat.length <= 30 ? `"${flat}"` : 'the text'
}
