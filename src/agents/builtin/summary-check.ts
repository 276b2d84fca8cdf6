/**
 * A summary checked against the text it summarises, for the verifier. What another peer can check
 * without a model of meaning is faithfulness and length:
 *
 * - an extractive summary (the summariser's, or anyone's that quotes whole sentences) is supported
 *   when every one of its sentences is in the text, and disputed when the request named a length
 *   ("in two sentences", `input.sentences`) and it has another;
 * - a summary in its own words (an LLM's) is disputed when it states a number the text and the
 *   request do not, the commonest way a summary makes something up; otherwise the verifier abstains
 *   and says why: whether its wording is faithful cannot be checked here.
 *
 * Before, a verifier had nothing to compare a summary with (it searched the graph for the summary's
 * sentences, found none) and every summary ended unverified.
 */
import { numberWordsToDigits, withoutThousands } from './number-words.ts'
import { readHanded, type Rederived } from './rederive.ts'
import { LIST_ITEM, splitSentences } from './sentences.ts'
import { plural } from './wording.ts'
import { requestedLength, sourceText, SUMMARY_INTENT } from './summariser.ts'

/** Longest summary judged (characters); a longer one is not a summary of anything. */
const MAX_SUMMARY = 20_000

/**
 * Checks a handed-over result (`input.task`, `input.result`) as a summary of the text its task gives;
 * undefined when the task does not ask for a summary, names no text, or the result states none.
 */
export function checkSummary (input: unknown): Rederived | undefined {
  const handed = readHanded(input)
  if (handed === undefined) return undefined
  const { task, result } = handed
  if (!SUMMARY_INTENT.test(task.text)) return undefined
  const summary = typeof result.output === 'string' ? result.output : typeof result.text === 'string' ? result.text : ''
  if (summary.trim() === '' || summary.length > MAX_SUMMARY) return undefined
  const asTask = { id: typeof task.id === 'string' ? task.id : 'task', text: task.text, ...(task.input !== undefined ? { input: task.input } : {}) }
  let source: string
  let wanted: number | undefined
  let sourceSentences: string[]
  try {
    source = sourceText(asTask)
    sourceSentences = splitSentences(source)
    wanted = requestedLength(asTask, sourceSentences.length)
  } catch {
    return undefined // no text to summarise, or a bad length: the summariser refuses those, nothing to compare
  }
  if (sourceSentences.length === 0) return undefined
  const whole = normal(source)
  const sentences = new Set(sourceSentences.map(bare))
  const said = splitSentences(summary).map(s => s.replace(LIST_ITEM, '')).filter(s => /[\p{L}\p{N}]/u.test(s))
  if (said.length === 0) return undefined
  // Quoted: a whole sentence of the text, or a run of at least 5 of its words ("Costs fell" is in
  // any text about costs: a fragment that short proves nothing).
  const unquoted = said.filter(s => { const b = bare(s); return !sentences.has(b) && !(b.split(' ').length >= 5 && whole.includes(b)) })
  const n = sourceSentences.length
  const steps = [`the text has ${n} sentence${n === 1 ? '' : 's'}; the summary ${said.length}`]

  if (unquoted.length === 0) {
    const expected = wanted === undefined ? undefined : Math.min(wanted, n)
    if (expected !== undefined && said.length !== expected) {
      const reason = `the request asks for ${plural(wanted!, 'sentence')}${expected < wanted! ? ` (the text has ${n})` : ''}; the summary quotes ${said.length}`
      return { verdict: { vote: 'dispute', confidence: 0.9, reason }, steps: [...steps, reason] }
    }
    const reason = said.length >= n
      ? `every sentence of the summary is in the text: the whole text, which is no longer than asked (${plural(n, 'sentence')})`
      : `every sentence of the summary is in the text: ${said.length} of its ${n} sentences${expected !== undefined ? ', as many as asked' : ''}`
    return { verdict: { vote: 'support', confidence: 0.9, reason }, steps: [...steps, reason] }
  }

  const known = new Set([...numbersIn(source), ...numbersIn(task.text)])
  const invented = [...new Set(numbersIn(summary))].filter(x => !known.has(x))
  steps.push(`${plural(unquoted.length, 'sentence')} of the summary ${unquoted.length === 1 ? 'is' : 'are'} not in the text: read as a summary in its own words`)
  if (invented.length > 0) {
    const reason = `the summary states ${invented.slice(0, 5).join(', ')}, which the text does not`
    return { verdict: { vote: 'dispute', confidence: 0.85, reason }, steps: [...steps, reason] }
  }
  const reason = `the summary is in its own words (${unquoted.length} of its ${plural(said.length, 'sentence')} ${unquoted.length === 1 ? 'is' : 'are'} not in the text); the numbers it states are in the text, but whether its wording is faithful cannot be checked here`
  return { verdict: { vote: 'abstain', confidence: 0, reason }, steps }
}

/** Text compared for quoting: case, quote marks and spacing do not matter. */
function normal (text: string): string {
  return text.normalize('NFKC').replace(/[‘’]/g, "'").replace(/[“”]/g, '"').replace(/\s+/g, ' ').trim().toLowerCase()
}

/** A sentence compared for quoting: normalised, without its closing punctuation. */
function bare (sentence: string): string {
  return normal(sentence).replace(/[.!?。！？]+$/u, '').trim()
}

/** The numbers a text states, as canonical strings ("2,340" and "2340.0" are "2340"; "three" is "3"). */
function numbersIn (text: string): string[] {
  return [...withoutThousands(numberWordsToDigits(text)).matchAll(/\d+(?:\.\d+)?/g)].map(m => String(Number(m[0])))
}

