/**
 * The researcher's listings: "List the decisions we made", "What questions are still open?",
 * "Which facts are verified?", "What is disputed?". A request that names kinds of entity or a status
 * and nothing else (no topic) is answered by listing those entities, newest first, with their ids
 * (`ctx.graph.list`). Before, "List the decisions we made" searched the graph for its words and said
 * it held "nothing relevant" with a decision in it, and nobody bid on "What questions are still open?".
 *
 * A request with a topic ("What did we decide about the ledger?") is not a listing: the researcher's
 * search answers it.
 */
import type { AgentContext, AgentResult, GraphHit } from '../types.ts'
import { lowerFirstIfProse, quote } from './graph-quote.ts'
import { replacedBy } from './superseded.ts'
import { terms } from '../../match/score.ts'

/** What a listing request asks for. */
export interface ListingAsk {
  /** Entity kinds; empty: any kind. */
  kinds: string[]
  /** Statuses; empty: any but retracted. */
  statuses: string[]
  /** Questions (or conflicts) only while no entity answers (settles) them ("open", "unanswered", "unresolved"). */
  open: boolean
  /** How the answer names what it lists ("decisions", "open questions", "disputed entities"). */
  noun: { one: string, many: string }
}

/** Kinds of entity as a request names them. */
const KINDS: ReadonlyArray<{ words: RegExp, kinds: string[], one: string, many: string }> = [
  { words: /\b(?:decisions|decided|decide|choices)\b/g, kinds: ['decision'], one: 'decision', many: 'decisions' },
  { words: /\bquestions\b/g, kinds: ['question'], one: 'question', many: 'questions' },
  { words: /\bfacts\b/g, kinds: ['fact'], one: 'fact', many: 'facts' },
  { words: /\b(?:hypothes[ei]s|assumptions)\b/g, kinds: ['hypothesis'], one: 'hypothesis', many: 'hypotheses' },
  { words: /\b(?:conflicts|contradictions)\b/g, kinds: ['conflict'], one: 'conflict', many: 'conflicts' },
  { words: /\b(?:solutions|solved\s+problems|problems\s+(?:that\s+)?(?:we\s+)?(?:have\s+)?solved|problems\s+(?:have|did)\s+we\s+solved?|solved)\b/g, kinds: ['solution'], one: 'solved problem', many: 'solved problems' },
  { words: /\b(?:unknowns|known\s+gaps|gaps)\b/g, kinds: ['unknown'], one: 'known gap', many: 'known gaps' },
  { words: /\b(?:threads|discussions)\b/g, kinds: ['thread'], one: 'thread', many: 'threads' },
  { words: /\b(?:statements|claims|findings)\b/g, kinds: ['fact', 'hypothesis'], one: 'statement', many: 'statements' }
]

/** Statuses as a request names them. "not verified" before "verified". */
const STATUSES: ReadonlyArray<{ words: RegExp, status: string }> = [
  { words: /\b(?:unverified|not\s+(?:yet\s+)?(?:been\s+)?verified|proposed|awaiting\s+verification|pending\s+verification)\b/g, status: 'proposed' },
  { words: /\bverified\b/g, status: 'verified' },
  { words: /\b(?:disputed|contested)\b/g, status: 'disputed' },
  { words: /\b(?:retracted|withdrawn)\b/g, status: 'retracted' }
]

/** "Open", for questions: no entity answers them yet. */
const OPEN_WORDS = /\b(?:open|unanswered|outstanding|unresolved)\b/g

/** Words a listing request may hold besides kinds and statuses. Anything else is a topic. */
const FILLER = new Set(('what which list show me us give tell all any every the our my we you i is are was were be been being ' +
  'have has had do does did done made make making taken take reached come up with got there here in on of at for ' +
  'graph room mesh knowledge base recorded record records so far yet still currently now moment please can could would ' +
  'a an that those these how many entities entries items ones things everything anything something and or by to ' +
  'not no exist exists existing kept keep stored hold holds listed let see know knows known far today until').split(' '))

/**
 * The listing a request asks for, or undefined when it is not one: it must name a kind of entity, a
 * status or "open", and nothing but words of asking ("What decisions have we made so far?").
 */
export function asksForListing (request: string): ListingAsk | undefined {
  let r = ` ${request.toLowerCase().replace(/[’']/g, "'").replace(/\bwhat's\b/g, 'what is').replace(/n't\b/g, ' not').replace(/[?.!,:;]/g, ' ')} `
  const kinds: string[] = []
  const statuses: string[] = []
  let noun: { one: string, many: string } | undefined
  let named = 0
  for (const k of KINDS) {
    const before = r
    r = r.replace(k.words, ' ')
    if (r === before) continue
    for (const kind of k.kinds) if (!kinds.includes(kind)) kinds.push(kind)
    noun = named === 0 ? { one: k.one, many: k.many } : undefined
    named++
  }
  for (const s of STATUSES) {
    const before = r
    r = r.replace(s.words, ' ')
    if (r !== before) statuses.push(s.status)
  }
  const before = r
  r = r.replace(OPEN_WORDS, ' ')
  const open = r !== before
  if (kinds.length === 0 && statuses.length === 0 && !open) return undefined
  const rest = r.split(/\s+/).filter((w) => w !== '')
  if (rest.some((w) => !FILLER.has(w))) return undefined
  // "What is still open?": questions.
  if (open && kinds.length === 0) kinds.push('question')
  const isOpen = open && kinds.length === 1 && (kinds[0] === 'question' || kinds[0] === 'conflict')
  if (named !== 1) noun = kinds.length === 1 ? { one: kinds[0]!, many: `${kinds[0]!}s` } : { one: 'entity', many: 'entities' }
  const status = statuses.length === 1 ? `${statuses[0] === 'proposed' ? 'unverified' : statuses[0]!} ` : ''
  return { kinds, statuses, open: isOpen, noun: { one: `${isOpen ? 'open ' : status}${noun!.one}`, many: `${isOpen ? 'open ' : status}${noun!.many}` } }
}

/** The most entities a listing names in its text (the rest are counted; `output.listing.ids` has every id read). */
export const MAX_NAMED = 20
/** The most entities a listing reads. */
const MAX_READ = 200

export interface ListingOutput {
  answer: string
  sources: { id: string, kind: string, status: string, confidence: number, relevance: number }[]
  listing: { kinds: string[], statuses: string[], open: boolean, count: number, ids: string[], atLeast?: true }
}

/** Lists what `ask` names, newest first, each with its id and status. */
export async function listing (ask: ListingAsk, ctx: AgentContext): Promise<AgentResult> {
  ctx.progress(0.1, 'reading the graph')
  const hits = await ctx.graph.list({
    ...(ask.kinds.length > 0 ? { kind: ask.kinds } : {}),
    ...(ask.statuses.length > 0 ? { status: ask.statuses } : {}),
    limit: MAX_READ
  })
  ctx.signal.throwIfAborted()
  const atLeast = hits.length >= MAX_READ
  const working = [`listing ${ask.noun.many}: read ${hits.length} entit${hits.length === 1 ? 'y' : 'ies'} of kind ${ask.kinds.join(', ') || 'any'} and status ${ask.statuses.join(', ') || 'any but retracted'}, newest first${atLeast ? ` (at most ${MAX_READ})` : ''}`]
  const answered = ask.open ? hits.filter((h) => (h.answeredBy ?? []).length > 0) : []
  const listed = ask.open ? hits.filter((h) => (h.answeredBy ?? []).length === 0) : hits
  const conflicts = ask.kinds[0] === 'conflict'
  const done = conflicts ? 'settled' : 'answered'
  if (ask.open) working.push(`${answered.length} of the ${conflicts ? 'conflicts' : 'questions'} ${answered.length === 1 ? 'is' : 'are'} ${done}: ${answered.map((h) => `${h.id} by ${h.answeredBy!.join(', ')}`).join('; ') || 'none'}`)
  const replaced = replacedBy(listed)
  const named = listed.slice(0, MAX_NAMED)
  const likely = ask.open && !conflicts ? await likelyAnswers(named, ctx) : new Map<string, GraphHit>()
  for (const [q, a] of likely) working.push(`${q} may be answered by ${a.id} (${a.kind}, recorded after it, names its words): not linked as its answer, so still listed as open`)
  const count = `${atLeast && !ask.open ? 'at least ' : ''}${listed.length}`
  let text: string
  if (listed.length === 0) {
    text = ask.open && answered.length > 0
      ? `No ${ask.noun.many}: the graph's ${answered.length === 1 ? `${ask.kinds[0]} is` : `${answered.length} ${ask.kinds[0]}s are all`} ${done}.`
      : `The graph holds no ${ask.noun.many}.`
  } else {
    const lines = named.map((h, i) => `${i + 1}. ${h.kind === 'question' ? h.text.trim().replace(/\s+/g, ' ') : lowerFirstIfProse(quote(h), false)} [${h.id}]${standing(h, replaced.get(h.id), likely.get(h.id))}.`)
    const more = listed.length > named.length ? `\n…and ${listed.length - named.length} more.` : ''
    const answeredNote = answered.length > 0 ? ` (${answered.length} more ${answered.length === 1 ? 'is' : 'are'} ${done})` : ''
    text = `The graph holds ${count} ${listed.length === 1 ? ask.noun.one : ask.noun.many}${answeredNote}, newest first:\n${lines.join('\n')}${more}`
  }
  working.push(`named: ${named.map((h) => h.id).join(', ') || 'none'}`)
  ctx.progress(1)
  return {
    text,
    output: {
      answer: text,
      sources: named.map((h) => ({ id: h.id, kind: h.kind, status: h.status, confidence: h.confidence, relevance: 1 })),
      listing: { kinds: ask.kinds, statuses: ask.statuses, open: ask.open, count: listed.length, ids: listed.map((h) => h.id), ...(atLeast ? { atLeast: true as const } : {}) }
    } satisfies ListingOutput,
    working,
    citations: named.map((h) => h.id)
  }
}

/** Kinds that may answer a question, the likelier first. */
const ANSWERING_KINDS = ['decision', 'fact', 'solution', 'hypothesis']
/** Share of a question's content words an entity must name to be named as its likely answer. */
const ANSWER_OVERLAP = 0.6

/**
 * For open questions, the entity that likely answers each, where one does: recorded after the
 * question (when both say when), of a kind that answers (a decision first), and naming at least
 * {@link ANSWER_OVERLAP} of the question's content words, two or more ("Should we support Safari
 * 15?" and "Decision: we will support Safari 15."). Nothing links them in the graph (an `answers`
 * edge is written only when someone answers the question itself), so the listing keeps the
 * question open and names the candidate: the person sees it may be settled. Before, a question the
 * room had decided was listed as open with nothing more said.
 */
async function likelyAnswers (questions: readonly GraphHit[], ctx: AgentContext): Promise<Map<string, GraphHit>> {
  const out = new Map<string, GraphHit>()
  for (const q of questions) {
    ctx.signal.throwIfAborted()
    const words = new Set(terms(q.text, 'literal'))
    if (words.size < 2) continue
    const hits = await ctx.graph.search(q.text, 5)
    let best: { hit: GraphHit, rank: number } | undefined
    for (const h of hits) {
      const kind = ANSWERING_KINDS.indexOf(h.kind)
      if (kind < 0 || h.status === 'retracted' || h.status === 'disputed') continue
      if (q.createdAt !== undefined && h.createdAt !== undefined && h.createdAt < q.createdAt) continue
      const named = new Set(terms(h.text, 'literal'))
      const shared = [...words].filter((w) => named.has(w)).length
      if (shared < 2 || shared / words.size < ANSWER_OVERLAP) continue
      const rank = shared / words.size - kind * 0.01
      if (best === undefined || rank > best.rank) best = { hit: h, rank }
    }
    if (best !== undefined) out.set(q.id, best.hit)
  }
  return out
}

/** How a listed entity stands: its status, what answers a question (or may), what replaced a statement. */
function standing (h: GraphHit, by: GraphHit | undefined, likely?: GraphHit): string {
  const notes: string[] = []
  if (h.kind === 'question') {
    const answers = h.answeredBy ?? []
    notes.push(answers.length > 0 ? `answered by ${answers.map((id) => `[${id}]`).join(', ')}` : 'open')
    if (answers.length === 0 && likely !== undefined) notes.push(`perhaps settled by [${likely.id}]: ${lowerFirstIfProse(quote(likely), true)}`)
  } else if (h.kind === 'conflict' && h.status !== 'retracted') {
    // A conflict is settled by the room's decision, not verified.
    const by = h.answeredBy ?? []
    notes.push(by.length > 0 ? `settled by ${by.map((id) => `[${id}]`).join(', ')}` : 'open')
  } else if (h.status === 'verified') notes.push('verified')
  else if (h.status === 'disputed') notes.push('disputed')
  else if (h.status === 'retracted') notes.push('retracted')
  else if (h.kind !== 'decision' && h.status === 'proposed') notes.push(h.kind === 'hypothesis' ? 'a hypothesis, not yet verified' : 'not yet verified')
  if (by !== undefined) notes.push(`replaced by [${by.id}]`)
  return notes.length === 0 ? '' : ` (${notes.join('; ')})`
}
