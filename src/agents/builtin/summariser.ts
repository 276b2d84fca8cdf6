/**
 * The summariser: an extractive summary (and counts in a text: text-counts.ts). The text is split into sentences, each is embedded
 * (ctx.embed), and sentences are picked by maximal marginal relevance: how central a sentence is
 * (its mean cosine to all the others, as in LexRank's degree centrality) minus how much it repeats a
 * sentence already picked. The picks are returned in their original order.
 *
 * Text: `input.text`, else the request after an instruction ending in ":" ("Summarise this:"), else
 * the results of the subtasks it depends on in a mission, else the request itself (see `sourceText`). Length: `input.sentences` (a count) or `input.ratio` (a share of the
 * sentences), else a count named in the request ("in three sentences"), else about a fifth of the
 * text, at least 3 and at most 10 sentences.
 */
import type { AgentContext, AgentResult, AgentTask } from '../types.ts'
import { cosine } from '../../match/score.ts'
import { splitSentences } from './sentences.ts'
import { inputNumber, inputText, upstreamResults, upstreamText } from './task-input.ts'
import { findPayload, readsAsRequest } from './payload.ts'
import { countInText } from './text-counts.ts'
import { transformText } from './text-transforms.ts'

/** Weight of centrality against redundancy in MMR. */
const LAMBDA = 0.7
/** Sentences per ctx.embed call. */
const EMBED_BATCH = 64
export const MAX_SUMMARY_INPUT = 200_000
const WORD_NUMBERS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 }

/**
 * Words that ask for a summary or key sentences: only then does the summariser bid (as the verifier
 * bids only on checks), and only then does a verifier check a result as a summary. Its skill text
 * shares words with many requests ("this sentence", "the summary"), and GloVe matching let it win
 * "How many words are in this sentence: ..." and "Translate the summary into French", which it can
 * only refuse.
 */
export const SUMMARY_INTENT = /\b(summar(?:y|ies|ise|ize|ised|ized|ising|izing)|gist|tl;?dr|condense|shorten|key\s+(?:points|ideas|sentences|takeaways|quotes|claims)|main\s+(?:points|ideas)|overview|boil\s+(?:\w+\s+)?down|recap|digest|synopsis|highlight|important\s+sentences|most\s+representative|central\s+(?:claims|ideas|sentences)|capture\s+its)\b/i

export interface SummaryPick {
  index: number
  sentence: string
  centrality: number
}

export async function handler (task: AgentTask, ctx: AgentContext): Promise<AgentResult> {
  ctx.signal.throwIfAborted()
  // "How many words are in this: ...", "How many r's are in strawberry?": a count, not a summary (text-counts.ts).
  const counted = countInText(task)
  if (counted !== undefined) {
    ctx.progress(1)
    return counted
  }
  // "Sort these words alphabetically: ...", "Reverse the word 'meshwork'": a rewrite, not a summary (text-transforms.ts).
  const rewritten = transformText(task)
  if (rewritten !== undefined) {
    ctx.progress(1)
    return rewritten
  }
  const text = sourceText(task)
  if (text.length > MAX_SUMMARY_INPUT) throw new Error(`summariser: the text has ${text.length} characters; the limit is ${MAX_SUMMARY_INPUT}`)
  const sentences = splitSentences(text)
  if (sentences.length === 0) throw new Error('summariser: there is no text to summarise; give it in input.text or after "Summarise:"')
  const want = targetLength(task, sentences.length)

  const working = [`${sentences.length} sentence${sentences.length === 1 ? '' : 's'} in, ${Math.min(want, sentences.length)} wanted`]
  if (sentences.length <= want) {
    working.push('the text is already that short: kept whole')
    const summary = sentences.join(' ')
    return { text: summary, output: summary, working }
  }

  const vectors: Float32Array[] = []
  for (let i = 0; i < sentences.length; i += EMBED_BATCH) {
    ctx.signal.throwIfAborted()
    vectors.push(...await ctx.embed(sentences.slice(i, i + EMBED_BATCH)))
    ctx.progress(Math.min(0.9, (i + EMBED_BATCH) / sentences.length * 0.9), 'embedding sentences')
  }
  if (vectors.length !== sentences.length) throw new Error(`summariser: the embedder returned ${vectors.length} vectors for ${sentences.length} sentences`)
  ctx.signal.throwIfAborted()

  const picks = pickSentences(sentences, vectors, want)
  for (const p of picks) working.push(`sentence ${p.index + 1} (centrality ${p.centrality.toFixed(3)}): ${p.sentence}`)
  const summary = picks.map((p) => p.sentence).join(' ')
  ctx.progress(1)
  return { text: summary, output: summary, working }
}

/** A sentence that opens by pointing at the one before: "It prevents data races ...", "This means ...". */
const REFERS_TO_BEFORE = /^\s*(?:it|its|this|that|these|those|they|their|them|he|she|his|her|such)\b(?!\s+(?:is|are|was|were)\s+(?:a|an|no)\b)/i
/**
 * What such a sentence loses in the score when the one before is not picked: without it, the summary
 * says "It prevents data races at compile time." of nothing ("Summarize this: Rust is a systems
 * language. It prevents data races ..." came back as that sentence alone).
 */
const DANGLING_PENALTY = 0.1

/**
 * Maximal marginal relevance over degree centrality; returns `count` picks in document order.
 * Very short sentences ("Yes.", headings) are only taken when nothing else is left; one that opens
 * by pointing at the sentence before, only if that one is taken or it is much more central.
 */
export function pickSentences (sentences: string[], vectors: Float32Array[], count: number): SummaryPick[] {
  const n = sentences.length
  const sim: number[][] = vectors.map((a, i) => vectors.map((b, j) => (i === j ? 1 : cosine(a, b))))
  const centrality = sim.map((row, i) => n === 1 ? 1 : row.reduce((s, v, j) => (j === i ? s : s + v), 0) / (n - 1))
  const short = sentences.map((s) => s.split(/\s+/).length < 4)
  const dangling = sentences.map((s, i) => i > 0 && REFERS_TO_BEFORE.test(s))
  const chosen: number[] = []
  const left = new Set(sentences.map((_s, i) => i))
  while (chosen.length < Math.min(count, n)) {
    let best = -1
    let bestScore = -Infinity
    for (const i of left) {
      const redundancy = chosen.length === 0 ? 0 : Math.max(...chosen.map((j) => sim[i]![j]!))
      const score = LAMBDA * centrality[i]! - (1 - LAMBDA) * redundancy - (short[i] === true ? 1 : 0) -
        (dangling[i] === true && !chosen.includes(i - 1) ? DANGLING_PENALTY : 0)
      if (score > bestScore) {
        bestScore = score
        best = i
      }
    }
    chosen.push(best)
    left.delete(best)
  }
  return chosen.sort((a, b) => a - b).map((i) => ({ index: i, sentence: sentences[i]!, centrality: centrality[i]! }))
}

/**
 * The text to summarise: input.text; else the request after an instruction that ends in ":"; else,
 * in a mission, the results of the subtasks this one depends on ("Fetch the report, then summarise
 * it"); else the request itself, unless it is only an instruction that names no text ("Summarise the
 * meeting notes"): summarising those words would echo the request back as its own summary.
 */
export function sourceText (task: AgentTask): string {
  const given = inputText(task.input, 'text')
  if (given !== undefined) return given
  const text = task.text.trim()
  const m = /^([^\n:]{0,160}?\b(?:summar|gist|tl;?dr|key\s+(?:points|sentences|ideas)|condense|shorten|overview|highlight|main\s+ideas)[^\n:]*):\s*([\s\S]+)$/i.exec(text)
  if (m !== null) return m[2]!.trim()
  const payload = findPayload(text)
  // "How many words are in this sentence: ..." carries a text, but asks something else of it.
  if (payload !== undefined && !/^(?:who|what|when|where|which|why|how)\b/i.test(payload.head)) return payload.material
  const upstream = upstreamResults(task.input)
  if (upstream.length > 0 && asksForUpstream(text)) {
    // "Count them", "Add them up" on an earlier list: another operation on the results, not a summary
    // of them (before, the list came back as its own "summary", and a mission part passed it on).
    // A request that is only a reference or a length ("the results") means the earlier results as they are.
    if (!ASKS_FOR_SUMMARY.test(text) && !namesNothingBut(text, REFERS_BACK_ALL)) throw new Error(`summariser: '${text.slice(0, 120)}' asks for something other than a summary of the earlier results`)
    return upstream.map((u) => upstreamText(u.value).trim()).filter((t) => t !== '').join('\n\n')
  }
  // A one-sentence request is not a text to summarise ("Summarise the meeting notes", "Translate the
  // summary into French"): returning it would pass the request off as its own summary.
  if (text !== '' && splitSentences(text).length <= 1 && (ONLY_AN_INSTRUCTION.test(text) || readsAsRequest(text))) {
    throw new Error(`summariser: '${text.slice(0, 120)}' names no text to summarise; give the text after a colon ("Summarise: ...") or in input.text`)
  }
  return text
}

/** A request that asks for a summary in some words. */
const ASKS_FOR_SUMMARY = /\b(?:summar|gist|tl;?dr|key\s+(?:points|sentences|ideas)|condense|shorten|overview|highlight|main\s+(?:ideas|points)|sum\s+(?:it|them|this|that|these|those)?\s*up|recap|abridge|brief)/i

/** Words that point at earlier results: "summarise it", "the findings", "them". */
const REFERS_BACK = /\b(?:it|its|this|that|these|those|them|both|above|the\s+(?:results?|answers?|outputs?|findings|text|report|data|article|document|list|page|previous\s+\w+))\b/i
const REFERS_BACK_ALL = new RegExp(REFERS_BACK.source, 'gi')
/** How long the summary should be, and filler: not what to summarise. */
const NOT_A_SUBJECT = /\b(?:in|into|as|to)\s+(?:\w+\s+)?(?:sentences?|lines?|points?|bullet\s+points?|words?|paragraphs?)\b|\b(?:briefly|shortly|quickly|please|then|now|also|next|finally|for\s+(?:me|us))\b|[,.!?;:]/gi

/**
 * Whether a mission part means the results it depends on: it points back at them ("then summarise
 * it", "summarise the findings") or names nothing else ("then summarise in two sentences"). "Summarise
 * what a kilobyte is" names a subject of its own, which an upstream 1024 is not.
 */
function asksForUpstream (text: string): boolean {
  return REFERS_BACK.test(text) || namesNothingBut(text, ONLY_AN_INSTRUCTION)
}

/** Whether `text` is only `words`, a length and filler ("then summarise in two sentences", "the results"). */
function namesNothingBut (text: string, words: RegExp): boolean {
  return text.replace(/^(?:and\s+)?(?:then\s+)?/i, '').replace(words, ' ').replace(NOT_A_SUBJECT, ' ').trim() === ''
}

/** A request that starts by asking for a summary (one sentence of it is an instruction, not a text). */
const ONLY_AN_INSTRUCTION = /^(?:please\s+|(?:can|could|would)\s+you\s+(?:please\s+)?)?(?:summari[sz]e|condense|shorten|tl;?dr|give\s+(?:me\s+)?(?:a\s+|the\s+)?(?:summary|gist|tl;?dr|key\s+points))\b/i

/**
 * Unless the task says, about a fifth of the sentences, 3 to 10; a short text is still shortened: to
 * one sentence of up to 4, two of up to 9. Before, a text of 3 sentences came back whole.
 */
function targetLength (task: AgentTask, total: number): number {
  return requestedLength(task, total) ?? (total < 5 ? 1 : total < 10 ? 2 : Math.min(10, Math.max(3, Math.round(total / 5))))
}

/**
 * The summary's length in sentences the task asks for (`input.sentences`, `input.ratio` of the `total`
 * sentences, or a count the request names: "in two sentences"); undefined when it names none. Bad
 * input values throw.
 */
export function requestedLength (task: AgentTask, total: number): number | undefined {
  const count = inputNumber(task.input, 'sentences', 'summariser')
  if (count !== undefined) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`summariser: input.sentences must be a whole number of at least 1, got ${count}`)
    return count
  }
  const ratio = inputNumber(task.input, 'ratio', 'summariser')
  if (ratio !== undefined) {
    if (ratio <= 0 || ratio > 1) throw new Error(`summariser: input.ratio must be above 0 and at most 1, got ${ratio}`)
    return Math.max(1, Math.round(total * ratio))
  }
  // "in three sentences", "in 2 sentences", "two key sentences": only in the instruction part of the request.
  const instruction = inputText(task.input, 'text') !== undefined ? task.text : task.text.split(':')[0]!
  const named = /\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:\w+\s+)?(?:sentences?|lines?|points?|bullet\s+points?)\b/i.exec(instruction)
  if (named !== null) {
    const v = WORD_NUMBERS[named[1]!.toLowerCase()] ?? Number(named[1])
    if (v >= 1) return v
  }
  return undefined
}
