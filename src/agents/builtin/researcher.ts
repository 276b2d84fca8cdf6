/**
 * The researcher: answers a question from the room's knowledge graph. It retrieves related
 * entities (ctx.graph.search: the host does semantic retrieval), keeps the ones relevant enough,
 * prefers verified, confident statements over proposals, hypotheses and open questions, and writes
 * an answer that quotes them with their ids inline ("... [f-12]") and in `citations`. When nothing
 * relevant is known it says so and cites nothing: it never makes an answer up.
 *
 * Question: `input.question`, else the request. `input.k`: entities to retrieve (default 8).
 */
import type { AgentContext, AgentResult, AgentTask } from '../types.ts'
import { describeHit, judgeHits, MIN_RELEVANCE, type JudgedHit } from './evidence.ts'
import { inputNumber, inputText } from './task-input.ts'

/** Entities quoted in an answer, at most. */
const MAX_CITED = 3
/** A hit is quoted only if its relevance is at least this share of the best hit's. */
const RELATIVE_CUT = 0.75

export interface ResearchOutput {
  answer: string | null
  sources: { id: string, kind: string, status: string, confidence: number, relevance: number }[]
}

export async function handler (task: AgentTask, ctx: AgentContext): Promise<AgentResult> {
  ctx.signal.throwIfAborted()
  const question = (inputText(task.input, 'question') ?? task.text).trim()
  if (question === '') throw new Error('researcher: the question is empty')
  const k = inputNumber(task.input, 'k', 'researcher') ?? 8
  if (!Number.isInteger(k) || k < 1 || k > 50) throw new Error(`researcher: input.k must be a whole number from 1 to 50, got ${k}`)

  ctx.progress(0.1, 'searching the graph')
  const hits = await ctx.graph.search(question, k)
  ctx.signal.throwIfAborted()
  const working = [`searched the graph for "${question}": ${hits.length} hit${hits.length === 1 ? '' : 's'}`]

  const judged = judgeHits(question, hits.filter((h) => h.status !== 'retracted'))
  const relevant = judged.filter((j) => j.relevance >= MIN_RELEVANCE)
  for (const j of judged) working.push(`${describeHit(j)}${j.relevance < MIN_RELEVANCE ? ': not relevant' : ''}`)

  if (relevant.length === 0) {
    const text = `The knowledge graph has nothing relevant to "${question}", so I cannot answer it from what the room knows.`
    working.push('no relevant entity: no answer given')
    return { text, output: { answer: null, sources: [] } satisfies ResearchOutput, working, citations: [] }
  }

  const best = Math.max(...relevant.map((j) => j.relevance))
  const statements = relevant
    .filter((j) => j.relevance >= best * RELATIVE_CUT)
    .sort((a, b) => rank(b) - rank(a))
  const cited = statements.filter((j) => j.hit.kind !== 'question').slice(0, MAX_CITED)
  const openQuestions = statements.filter((j) => j.hit.kind === 'question').slice(0, 2)

  let text: string
  if (cited.length === 0) {
    text = `The graph has no answer to "${question}" yet; it records the question as open: ` +
      openQuestions.map((j) => `${sentence(j.hit.text)} [${j.hit.id}].`).join(' ')
  } else {
    text = cited.map((j, i) => `${i === 0 ? 'According to the graph, ' : ''}${lowerFirstIfProse(sentence(j.hit.text), i === 0)} [${j.hit.id}]${qualifier(j)}.`).join(' ')
    const doubted = cited.filter((j) => j.hit.status !== 'verified')
    if (doubted.length === cited.length) text += ' None of this has been verified yet.'
  }
  const all = [...cited, ...openQuestions]
  working.push(`quoted: ${all.map((j) => j.hit.id).join(', ')}`)
  ctx.progress(1)
  return {
    text,
    output: {
      answer: cited.length === 0 ? null : text,
      sources: all.map((j) => ({ id: j.hit.id, kind: j.hit.kind, status: j.hit.status, confidence: j.hit.confidence, relevance: round(j.relevance) }))
    } satisfies ResearchOutput,
    working,
    citations: all.map((j) => j.hit.id)
  }
}

/** Verified, confident statements first; relevance breaks near-ties. */
function rank (j: JudgedHit): number {
  return j.weight + 0.5 * j.relevance
}

function qualifier (j: JudgedHit): string {
  if (j.hit.status === 'disputed') return ' (disputed)'
  if (j.hit.kind === 'hypothesis') return ' (a hypothesis)'
  if (j.hit.status === 'proposed') return ' (proposed, not yet verified)'
  return ''
}

function sentence (text: string): string {
  const t = text.trim().replace(/\s+/g, ' ')
  return /[.!?]$/.test(t) ? t.slice(0, -1) : t
}

/** "According to the graph, the relay ..." reads better than "..., The relay ...", but keep names and acronyms. */
function lowerFirstIfProse (s: string, first: boolean): string {
  if (!first) return s.charAt(0).toUpperCase() + s.slice(1)
  return /^[A-Z][a-z]/.test(s) && /^(?:The|A|An|This|That|These|Those|It|We|Our|There)\b/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s
}

function round (x: number): number {
  return Math.round(x * 1000) / 1000
}
