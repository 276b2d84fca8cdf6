/**
 * The researcher: answers a question from the room's knowledge graph. It retrieves related
 * entities (ctx.graph.search: the host does semantic retrieval), keeps the ones relevant enough,
 * prefers verified, confident statements over proposals, hypotheses and open questions, and writes
 * an answer that quotes them with their ids inline ("... [f-12]") and in `citations`. When nothing
 * relevant is known it says so and cites nothing: it never makes an answer up.
 *
 * Question: `input.question`, else the request. `input.k`: entities to retrieve (default 8).
 *
 * What the person says in the request counts too: "The relay moved to port 9091 last week. Which
 * port should I use?" is answered from what they say, with the graph's statement that disagrees
 * (port 9090) named as possibly out of date, never with the graph's number alone. A yes/no question
 * about a number or a date ("Is the relay port 8080?") is answered yes or no when the statement
 * found names that number, or names others and not it.
 *
 * A statement the person tells the room to keep ("Remember that the relay runs on port 9090", "FYI
 * ...", or plainly "The office wifi password is tulip-42": record-ask.ts) is recorded: the result is the statement, which the mesh keeps in the
 * graph as a hypothesis for verifiers on other peers to check, and the working says whether the graph
 * already agrees, says otherwise, or had nothing on it.
 *
 * A question about the mesh itself ("Which agents are online?", "What tasks are running?") is
 * answered from what its tab sees of the mesh (ctx.mesh, mesh-status.ts), not from the graph.
 */
import type { AgentContext, AgentResult, AgentTask } from '../types.ts'
import { describeHit, judgeHits, MIN_RELEVANCE, statedBy, type JudgedHit } from './evidence.ts'
import type { GraphHit } from '../types.ts'
import { inputNumber, inputText } from './task-input.ts'
import { splitSentences } from './sentences.ts'
import { datesIn, MONTH } from './dates.ts'
import { numberWordsToDigits, withoutThousands } from './number-words.ts'
import { lexicalOverlap, terms } from '../../match/score.ts'
import { hypothesisToRecord, plainStatement, questionToRecord, statementToForget, statementToRecord, statesDecision, topicAsked, withoutDecisionLabel } from './record-ask.ts'
import { replacedBy, replaces, statedWords, statementConflict } from './superseded.ts'
import { conflictingIds, isNegated, sameButFlipped, sideTaken, statementTerms } from './contradiction.ts'
import { lowerFirstIfProse, quote, sentence } from './graph-quote.ts'
import { asksForListing, listing } from './graph-listing.ts'
import { meshAnswer, meshAsked, MESH_SKILL, readMesh, type MeshAsk } from './mesh-status.ts'

export { questionToRecord, statementToRecord }

/** Entities quoted in an answer, at most. */
const MAX_CITED = 3
/** A hit is quoted only if its relevance is at least this share of the best hit's. */
const RELATIVE_CUT = 0.75

export interface ResearchOutput {
  answer: string | null
  sources: { id: string, kind: string, status: string, confidence: number, relevance: number }[]
  /** What the request itself states about the answer, and whether the quoted statement agrees. */
  /** What the request says before its question, against the best entry: agrees, contradicts it, or is news to the graph. */
  told?: { statement: string, agrees: boolean, with: string, news?: boolean }[]
  /** A yes/no question's answer, when the quoted statement decides it. */
  yes?: boolean
  /** Set on an overview of the graph ("What do we know?"), which quotes it rather than answers a question. */
  overview?: true
  /** Set when the graph holds nothing on the question and the answer goes by the statements the request makes before it. */
  byWord?: string[]
  /**
   * What the person said before the question that the graph did not already hold (news to it, or
   * other values than it has): kept with the answer, for later questions (app/agents-boot.ts reads
   * it as knowledge, a hypothesis).
   */
  remember?: string[]
  /** Set when the best entity is only near the question, not an answer to it: quoted as the nearest the graph holds. */
  related?: true
  /** Set when the request asked the room to forget a statement ("Forget that ..."): the statement; `sources` say it. */
  forget?: string
  /** Set when the request asked the room to keep a question open ("Question: ...?"): the question. */
  openQuestion?: string
  /** Quoted statements a conflict entity says are in conflict (contradiction.ts): its id, and theirs. */
  conflicts?: { id: string, between: string[] }[]
  /** Quoted statements a conflict entity says were in conflict until the room's decision (`by`) settled it. */
  settled?: { id: string, between: string[], by: string[] }[]
  /** Quoted statements a later quoted one replaces (superseded.ts): the earlier's id, and the later's. */
  replaced?: { id: string, by: string }[]
}

export async function handler (task: AgentTask, ctx: AgentContext): Promise<AgentResult> {
  ctx.signal.throwIfAborted()
  const question = (inputText(task.input, 'question') ?? task.text).trim()
  if (question === '') throw new Error('researcher: the question is empty')
  const k = inputNumber(task.input, 'k', 'researcher') ?? 8
  if (!Number.isInteger(k) || k < 1 || k > 50) throw new Error(`researcher: input.k must be a whole number from 1 to 50, got ${k}`)

  // "Which agents are online?", "What tasks are running?": what this tab sees of the mesh. "Who can
  // approve the budget?" may be about people the graph names: it is the mesh's only when the bid said so.
  const mesh = meshAsked(question)
  if (mesh !== undefined && (task.skillId === MESH_SKILL || !(mesh.about === 'who-can' && mesh.loose))) return await answerAboutTheMesh(mesh, task, ctx)
  const statement = statementToRecord(question)
  if (statement !== undefined) return await record(statement, ctx, hypothesisToRecord(question) !== undefined)
  const forget = statementToForget(question)
  if (forget !== undefined) return await pointToRetract(forget, ctx)
  // "Give me three facts about the staging relay": what the room knows about it.
  const topic = topicAsked(question)
  if (topic !== undefined) return await answer(`What do we know about ${topic}?`, k, ctx)
  const open = questionToRecord(question)
  if (open !== undefined) return keepOpen(open, await answer(open, k, ctx))
  if (asksForOverview(question)) return await overview(question, ctx)
  const asksList = asksForListing(question)
  if (asksList !== undefined) return await listing(asksList, ctx)
  return await answer(question, k, ctx)
}

/** A question about the mesh itself, answered from what this tab sees of it (mesh-status.ts). */
async function answerAboutTheMesh (ask: MeshAsk, task: AgentTask, ctx: AgentContext): Promise<AgentResult> {
  ctx.progress(0.2, 'reading the mesh')
  const { view, matches } = await readMesh(ask, ctx)
  const answer = meshAnswer(ask, view, matches, { taskId: task.id, agentId: ctx.agentId, ...(task.askedOn !== undefined ? { askedOn: task.askedOn } : {}) })
  ctx.progress(1)
  return { text: answer.text, working: answer.working, output: answer.output }
}

/** The values a text names as the contradiction rule reads them (numbers, weekdays, months), numbers in words as digits ("ten eggs" → 10). */
function valuesIn (text: string): ReadonlySet<string> {
  return statementTerms(withoutThousands(numberWordsToDigits(text))).values
}

/** A quoted entity as the output lists it. */
function toSource (j: JudgedHit): ResearchOutput['sources'][number] {
  return { id: j.hit.id, kind: j.hit.kind, status: j.hit.status, confidence: j.hit.confidence, relevance: round(j.relevance) }
}

/** Kinds that state something a person may take back. */
const RETRACTABLE = new Set(['fact', 'hypothesis', 'decision'])

/**
 * "Forget that the staging relay runs in Frankfurt": an agent does not take back what a person put in
 * the room's graph (a retraction is signed by the person's tab, with their reason, and kept). The
 * answer names the statements that say it, and how to retract them. Before, the request was answered
 * as a question, by quoting the very statement to forget.
 */
async function pointToRetract (statement: string, ctx: AgentContext): Promise<AgentResult> {
  ctx.progress(0.1, 'searching the graph')
  const hits = (await ctx.graph.search(statement, 8)).filter((h) => h.status !== 'retracted' && RETRACTABLE.has(h.kind))
  ctx.signal.throwIfAborted()
  const judged = judgeAsked(statement, hits)
  // Near it: more than half its words ("The relay is public" is not near every statement about a relay).
  const near = judged.filter((j) => j.relevance >= MIN_RELEVANCE && j.overlap > 0.5)
  // What says it: nearly all its words, and every value it names ("ten eggs" is not "three eggs").
  const values = [...valuesIn(statement)]
  const says = near.filter((j) => { const theirs = valuesIn(j.hit.text); return j.overlap >= 0.8 && values.every((v) => theirs.has(v)) }).slice(0, 3)
  const working = [`asked to forget "${sentence(statement)}"`, `searched the graph: ${hits.length} statement${hits.length === 1 ? '' : 's'} near it`, ...judged.map(describeHit)]
  ctx.progress(1)
  const named = (list: JudgedHit[]): string[] => list.map((j) => `[${j.hit.id}] "${sentence(j.hit.text)}"`)
  if (says.length === 0) {
    const nearest = named(near.slice(0, 2))
    const text = `The graph holds nothing that says "${sentence(statement)}", so there is nothing to forget.` +
      (nearest.length > 0 ? ` The nearest it holds: ${nearest.join(', ')}; if you meant that, open it in the Graph tab and choose Retract…` : '')
    return { text, output: { answer: text, sources: near.slice(0, 2).map(toSource), forget: statement } satisfies ResearchOutput, working, citations: near.slice(0, 2).map((j) => j.hit.id) }
  }
  const saying = named(says)
  const text = `Agents do not take back what the room recorded; a person retracts it, and the graph keeps it with the reason. ` +
    `To forget it, open ${saying[0]} in the Graph tab and choose Retract…${saying.length > 1 ? ` It is also said in ${saying.slice(1).join(', ')}.` : ''}`
  working.push(`says it: ${says.map((j) => j.hit.id).join(', ')}`)
  return { text, output: { answer: text, sources: says.map(toSource), forget: statement } satisfies ResearchOutput, working, citations: says.map((j) => j.hit.id) }
}

/** The answer to `question` from the graph's `k` nearest entities (the module's comment says how). */
async function answer (question: string, k: number, ctx: AgentContext): Promise<AgentResult> {
  ctx.progress(0.1, 'searching the graph')
  const hits = await ctx.graph.search(question, k)
  ctx.signal.throwIfAborted()
  const working = [`searched the graph for "${question}": ${hits.length} hit${hits.length === 1 ? '' : 's'}`]

  const judged = judgeAsked(question, hits.filter((h) => h.status !== 'retracted'))
  const near = judged.filter((j) => j.relevance >= MIN_RELEVANCE)
  for (const j of judged) working.push(`${describeHit(j)}${j.relevance < MIN_RELEVANCE ? ': not relevant' : ''}`)
  // A conflict between statements is said with the statements it names, not quoted as one of them.
  const between = new Map(judged.map((j) => [j.hit.id, conflictingIds(j.hit.text)] as const).filter(([, ids]) => ids.length > 0))
  const settledBy = new Map(judged.flatMap((j) => between.has(j.hit.id) && (j.hit.answeredBy ?? []).length > 0 ? [[j.hit.id, j.hit.answeredBy!] as const] : []))
  const relevant = near.filter((j) => !between.has(j.hit.id))

  if (relevant.length === 0) {
    // "The relay moved to port 9091. Which port is the relay on?": nothing in the graph, but the person
    // said it; the answer goes by that, and says so (the verifiers find nothing to check it against).
    const said = toldBeforeQuestion(question)
    if (said !== undefined) {
      const text = `The graph has nothing on this yet. Going by what you say: ${said.map(x => `${sentence(x)}.`).join(' ')}`
      working.push(`no relevant entity; the request says ${said.map(x => `"${x}"`).join(', ')} before its question: answered by that`)
      working.push(`kept for later questions: ${said.map(x => `"${x}"`).join(', ')}`)
      return { text, output: { answer: text, sources: [], byWord: said, remember: said } satisfies ResearchOutput, working, citations: [] }
    }
    const text = `The knowledge graph has nothing relevant to "${question}", so I cannot answer it from what the room knows.`
    working.push('no relevant entity: no answer given')
    return { text, output: { answer: null, sources: [] } satisfies ResearchOutput, working, citations: [] }
  }

  const best = Math.max(...relevant.map((j) => j.relevance))
  // A statement a later one replaces ("The standup moved to 10:15" after "The standup is at 9:30")
  // comes right after it, named as what it replaces; the latest comes first, kept however its words
  // compare with the question's ("Is the standup at 9:30?").
  const replaced = replacedBy(relevant.map((j) => j.hit))
  const byId = new Map(relevant.map((j) => [j.hit.id, j]))
  const kept = new Set(relevant.filter((j) => j.relevance >= best * RELATIVE_CUT))
  // A Set visits what is added while it is iterated: the latest of a chain is kept too.
  for (const j of kept) {
    const later = byId.get(replaced.get(j.hit.id)?.id ?? '')
    if (later !== undefined) kept.add(later)
  }
  const ranked = withoutRepeats([...kept].sort((a, b) => rank(b) - rank(a)))
  const statements = latestFirst(ranked, replaced)
  const cited = statements.filter((j) => j.hit.kind !== 'question').slice(0, MAX_CITED)
  // A yes/no question is answered by the statement that decides it, however it ranks: "Is the relay
  // public?" by "The relay is private", not by a verified fact about the relay's port.
  const { told: toldAll, asked } = statementsAndQuestion(question)
  // What each statement says to a yes/no question, read once.
  const decisions = new Map(relevant.map((j) => [j, yesOrNo(asked, j)] as const))
  // What the room decided goes before any statement: "Decision: the login bug is caused by the cache
  // TTL" decides "Is the login bug caused by the cache TTL?", whatever else ranks higher.
  const byDecision = relevant.find((j) => isDecision(j.hit) && decisions.get(j) !== undefined)
  const leads = (j: JudgedHit | undefined): boolean => j !== undefined && decisions.get(j) !== undefined && (byDecision === undefined || isDecision(j.hit))
  if (cited.length > 0 && !leads(cited[0])) {
    const decides = byDecision ?? relevant.find((j) => j.hit.kind !== 'question' && decisions.get(j) !== undefined)
    if (decides !== undefined) {
      // With what else decides it; the rest was only near the question.
      const also = cited.filter((j) => j !== decides && decisions.get(j) !== undefined)
      cited.splice(0, cited.length, decides, ...also.slice(0, MAX_CITED - 1))
      working.push(`[${decides.hit.id}] decides the yes/no question: quoted first`)
    }
  }
  const decided = cited.length > 0 ? decisions.get(cited[0]!) : undefined
  // Statements in conflict with a quoted one are quoted with it, however they rank, and the conflict
  // named; one the room's decision settled (answered by it) is named as settled, and decides nothing.
  const inConflict = [...between].flatMap(([id, ids]) => ids.some((x) => cited.some((c) => c.hit.id === x)) && ids.filter((x) => byId.has(x)).length >= 2 ? [{ id, ids: ids.filter((x) => byId.has(x)), by: settledBy.get(id) ?? [] }] : [])
  const conflicts = inConflict.filter((c) => c.by.length === 0)
  const settled = inConflict.filter((c) => c.by.length > 0)
  for (const c of settled) working.push(`[${c.id}]: ${c.ids.map((x) => `[${x}]`).join(' and ')} said opposite things, settled by ${c.by.map((x) => `[${x}]`).join(', ')}`)
  for (const c of conflicts) {
    for (const x of c.ids) if (!cited.some((j) => j.hit.id === x)) cited.push(byId.get(x)!)
    working.push(`[${c.id}]: ${c.ids.map((x) => `[${x}]`).join(' and ')} say opposite things, not settled`)
  }
  const replacing = new Map(cited.flatMap((j) => {
    const by = replaced.get(j.hit.id)
    return by !== undefined && cited.some((c) => c.hit.id === by.id) ? [[j.hit.id, by.id] as const] : []
  }))
  for (const [earlier, by] of replacing) working.push(`[${by}] was recorded after [${earlier}] and replaces it (same subject, other values)`)
  const openQuestions = statements.filter((j) => j.hit.kind === 'question').slice(0, 2)

  let text: string
  let related = false
  let saidConflicts = false
  const told = cited.length === 0 ? [] : compareTold(toldAll, cited[0]!)
  let yes: boolean | undefined
  const asOpen = openQuestions.map((j) => `${j.hit.text.trim().replace(/\s+/g, ' ')}${/[.!?]$/.test(j.hit.text.trim()) ? '' : '.'} [${j.hit.id}]`).join(' ')
  if (cited.length === 0) {
    text = `The graph has no answer to "${question}" yet; it records the question as open: ${asOpen}`
  } else if (told.length === 0 && !answersDirectly(asked, cited[0]!) && decided === undefined) {
    // "Who owns the relay budget?" against "The relay drops idle peers after 30 seconds": near in
    // words, but no answer. Said as the nearest the graph holds, not as the answer.
    const near = cited[0]!
    text = `The graph holds nothing that answers "${question}" directly. The nearest it holds: ${lowerFirstIfProse(quote(near.hit), true)} [${near.hit.id}]${qualifier(near)}.` +
      (openQuestions.length > 0 ? ` It records the question as open: ${asOpen}` : '')
    related = true
    cited.splice(1)
    working.push(`[${near.hit.id}] names too few of the question's words (${coverage(asked, near.hit).toFixed(2)}) and is not near enough in meaning (${near.relevance.toFixed(2)}): quoted as related, not as an answer`)
  } else if (told.some((t) => !t.agrees && t.news !== true)) {
    // The person says otherwise: their statement is the answer to go by, the graph's is named as possibly stale.
    const against = told.filter((t) => !t.agrees && t.news !== true)
    const best = cited[0]!
    const value = against.length === 1 ? against[0]!.only : undefined
    text = `You say ${lowerFirstIfProse(sentence(against.map((t) => t.statement).join(' ')), true)}, but the graph says ${lowerFirstIfProse(quote(best.hit), true)} [${best.hit.id}]${qualifier(best)}.` +
      (value !== undefined ? ` Going by what you say: ${value}.` : ' Going by what you say, the graph is out of date here.') +
      ` If what you say is newer, the graph's ${best.hit.kind} [${best.hit.id}] should be corrected.`
    for (const t of against) working.push(`the request says "${t.statement}", which [${best.hit.id}] contradicts (${t.why})`)
  } else {
    // Statements in conflict decide nothing: no yes or no while the room has not settled them.
    yes = conflicts.length > 0 ? undefined : decided
    const agreed = told.filter((t) => t.agrees)
    // What the person says that the graph does not hold ("The relay is now in the EU region."): said
    // first, so the quote that follows does not read as an answer to it.
    const news = told.filter((t) => t.news === true)
    const opening = agreed.length > 0 ? 'The graph agrees with what you say: ' : 'According to the graph, '
    text = cited.map((j, i) => {
      const by = replacing.get(j.hit.id)
      if (by !== undefined) return `${i === 0 ? opening : ''}That replaces what was said before: ${lowerFirstIfProse(quote(j.hit), true)} [${j.hit.id}]${qualifier(j)}.`
      return `${i === 0 ? opening : ''}${lowerFirstIfProse(quote(j.hit), i === 0)} [${j.hit.id}]${qualifier(j)}.`
    }).join(' ')
    if (news.length > 0) {
      text = `You say: "${news.map((t) => `${sentence(t.statement)}.`).join(' ')}" The graph has nothing on that yet. What it has: ${text.replace(/^According to the graph, /, '')}`
      for (const t of news) working.push(`the request says "${t.statement}", which the graph does not hold (${t.why})`)
    }
    saidConflicts = true
    for (const c of conflicts) text += ` ${listed(c.ids.map((x) => `[${x}]`))} say opposite things, and the room has not settled which holds (conflict [${c.id}]).`
    for (const c of settled) text += ` ${listed(c.ids.map((x) => `[${x}]`))} said opposite things; the room's decision ${listed(c.by.map((x) => `[${x}]`))} settled it (conflict [${c.id}]).`
    // A quoted statement the deciding decision says otherwise than, in no conflict it settled.
    const lead = cited[0]!
    const otherwise = decided === undefined || !isDecision(lead.hit) ? [] : cited.filter((j) => j !== lead && decisions.get(j) === !decided && !settled.some((c) => c.ids.includes(j.hit.id)))
    if (otherwise.length > 0) {
      text += ` ${listed(otherwise.map((j) => `[${j.hit.id}]`))} ${otherwise.length === 1 ? 'says' : 'say'} otherwise; the room's decision [${lead.hit.id}] overrules ${otherwise.length === 1 ? 'it' : 'them'}.`
      working.push(`${otherwise.map((j) => `[${j.hit.id}]`).join(', ')} ${otherwise.length === 1 ? 'says' : 'say'} otherwise than the decision [${lead.hit.id}]: overruled by it`)
    }
    // A decision is what the room chose, not a claim to verify.
    const claims = cited.filter((j) => j.hit.kind !== 'decision')
    if (claims.length > 0 && claims.every((j) => j.hit.status !== 'verified')) text += claims.length === cited.length ? ' None of this has been verified yet.' : ' None of the statements has been verified yet.'
    if (yes !== undefined) {
      text = `${yes ? 'Yes' : 'No'}: ${text.charAt(0).toLowerCase()}${text.slice(1)}`
      const values = [...quantities(asked)]
      working.push(`yes/no question: [${cited[0]!.hit.id}] ${yes ? 'says what it asks' : 'says otherwise'}${values.length > 0 ? ` (asked: ${values.join(', ')})` : ''}`)
    }
    for (const t of agreed) working.push(`the request says "${t.statement}", and [${cited[0]!.hit.id}] agrees`)
  }
  const named = saidConflicts ? [...conflicts, ...settled].flatMap((c) => judged.filter((j) => j.hit.id === c.id)) : []
  const all = [...cited, ...openQuestions, ...named]
  // The settling decision is cited too when it is not quoted (the decision entity it repeats may be).
  const settling = saidConflicts ? [...new Set(settled.flatMap((c) => c.by))].filter((x) => !all.some((j) => j.hit.id === x)) : []
  working.push(`quoted: ${all.map((j) => j.hit.id).join(', ')}`)
  // Everything the person said that the graph does not hold as said, related to the answer or not
  // ("Our office wifi is called meshnet-5g. The standup moved to 10:00. When is the standup?").
  const remember = toldAll.length === 0 || !plainStatement(toldAll.join(' ')) ? [] : toldAll.filter((x) => !told.some((t) => t.agrees && t.statement === x))
  if (remember.length > 0) working.push(`kept for later questions: ${remember.map(x => `"${x}"`).join(', ')}`)
  ctx.progress(1)
  return {
    text,
    output: {
      answer: cited.length === 0 || related ? null : text,
      ...(related ? { related: true as const } : {}),
      sources: all.map(toSource),
      ...(told.length > 0 ? { told: told.map((t) => ({ statement: t.statement, agrees: t.agrees, with: cited[0]!.hit.id, ...(t.news === true ? { news: true } : {}) })) } : {}),
      ...(yes !== undefined ? { yes } : {}),
      ...(remember.length > 0 ? { remember } : {}),
      ...(replacing.size > 0 ? { replaced: [...replacing].map(([id, by]) => ({ id, by })) } : {}),
      ...(named.length > 0 && conflicts.length > 0 ? { conflicts: conflicts.filter((c) => named.some((j) => j.hit.id === c.id)).map((c) => ({ id: c.id, between: c.ids })) } : {}),
      ...(named.length > 0 && settled.length > 0 ? { settled: settled.filter((c) => named.some((j) => j.hit.id === c.id)).map((c) => ({ id: c.id, between: c.ids, by: c.by })) } : {})
    } satisfies ResearchOutput,
    working,
    citations: [...all.map((j) => j.hit.id), ...settling]
  }
}

/**
 * A question the person asked the room to keep open ("Question: should we support Safari 15?"): the
 * mesh records it as an open question (coord-boot.ts, `questionIn`); the answer says so, and quotes
 * what the graph already holds on it, if anything (`found`: the researcher's answer to it), without
 * the question itself, which the graph may hold by now.
 */
function keepOpen (question: string, found: AgentResult): AgentResult {
  const out = found.output as ResearchOutput
  const held = out.sources.filter((x) => x.kind !== 'question')
  const holds = out.answer !== null && held.length > 0
  const sources = holds ? held : []
  const text = `Recorded as an open question for the room: "${question}" ` +
    (holds ? `What the graph already holds on it: ${found.text}` : 'Nothing in the graph answers it yet.')
  return {
    text,
    output: { ...out, answer: holds ? text : null, sources, openQuestion: question } satisfies ResearchOutput,
    working: [`a question to keep open: "${question}" (the mesh records it as an open question)`, ...(found.working ?? [])],
    citations: sources.map((x) => x.id)
  }
}

export interface RecordOutput {
  /** The statement recorded: the result's text, which enters the graph as a hypothesis. */
  recorded: string
  /** Set when the person put it as a hypothesis ("Hypothesis: ...", "I suspect that ..."). */
  stated?: 'hypothesis'
  /**
   * What the graph held on it: nothing (`new`), the same (`agrees`), an earlier value it updates
   * (`replaces`: superseded.ts), the opposite (`conflicts`: the result's `contradicts` names each such
   * entity and the mesh raises a conflict), or other values it neither updates nor flips (`contradicts`).
   */
  graph: 'new' | 'agrees' | 'replaces' | 'conflicts' | 'contradicts' | 'settles' | 'overrules'
  /** The entity it agrees with, updates or contradicts (the nearest, when it conflicts with several). */
  with?: string
  /**
   * A decision's: each open conflict between statements it takes a side in (`settles`), with the
   * statements it holds and those it overrules (the result's `settles` names the conflict and the latter).
   */
  settled?: { conflict: string, holds: string[], over: string[] }[]
  /** A decision's: statements in no open conflict that it says the opposite of (`overrules`). */
  overrules?: string[]
}

/**
 * A statement the person tells the room: the result is the statement itself, which the mesh records in
 * the graph as a hypothesis and verifiers on other peers then check against the graph (a contradicted
 * one is disputed and raises a conflict). The working says what the graph already held on it.
 *
 * A statement that says the opposite of one the graph holds, and does not replace it (it says nothing
 * changed: superseded.ts, `statementConflict`), names that entity in `contradicts`, and the mesh raises a conflict for
 * the room between the two, whatever their status: "The login bug is not caused by the cache TTL."
 * against an unverified "The login bug is caused by the cache TTL." had been recorded as news, and
 * verifiers let the two stand side by side, since a proposal proves nothing either way.
 */
async function record (statement: string, ctx: AgentContext, hypothesis: boolean): Promise<AgentResult> {
  ctx.progress(0.1, 'comparing with the graph')
  const hits = (await ctx.graph.search(statement, 8)).filter((h) => h.status !== 'retracted' && h.kind !== 'question')
  ctx.signal.throwIfAborted()
  const relevant = judgeAsked(statement, hits).filter((j) => j.relevance >= MIN_RELEVANCE)
  const best = [...relevant].sort((a, b) => rank(b) - rank(a))[0]
  const told = best === undefined ? undefined : compareTold([statement], best)[0]
  const working = [`to record: ${statement}`]
  let output: RecordOutput
  if (hypothesis) working.push('put as a hypothesis: recorded as one, for the room\'s verifiers to weigh')
  // A decision is the room settling what it holds: it raises no conflict with what it says the
  // opposite of, it settles or overrules it (decide).
  const decided = statesDecision(statement) ? await decide(statement, ctx, relevant) : undefined
  ctx.signal.throwIfAborted()
  // What it is in conflict with: statements, not a task's answer to a request (about that request only).
  const conflicts = decided !== undefined ? [] : relevant.filter((j) => j.hit.answers === undefined && j.hit.kind !== 'conflict')
    .flatMap((j) => { const why = statementConflict(statement, j.hit.text); return why === undefined ? [] : [{ j, why }] })
    .sort((a, b) => b.j.relevance - a.j.relevance).slice(0, MAX_CITED)
  if (decided !== undefined && (decided.settled.length > 0 || decided.overrules.length > 0)) {
    const { settled, overrules } = decided
    output = { recorded: statement, graph: settled.length > 0 ? 'settles' : 'overrules', with: settled[0]?.conflict ?? overrules[0]!, ...(settled.length > 0 ? { settled } : {}), ...(overrules.length > 0 ? { overrules } : {}) }
    working.push(...decided.working)
  } else if (conflicts.length > 0) {
    const lead = conflicts[0]!.j.hit
    output = { recorded: statement, graph: 'conflicts', with: lead.id }
    for (const { j, why } of conflicts) {
      working.push(`in conflict with [${j.hit.id}] ${j.hit.kind}, ${j.hit.status}: "${quote(j.hit)}" (it ${why}); recorded, and the mesh raises the conflict for the room to settle`)
    }
  } else if (best !== undefined && replaces(statement, best.hit.text)) {
    output = { recorded: statement, graph: 'replaces', with: best.hit.id }
    working.push(`an update to [${best.hit.id}] ${best.hit.kind}, ${best.hit.status}: "${quote(best.hit)}" (${told !== undefined && !told.agrees && told.news !== true ? told.why : 'it says this changed'}); questions on it are answered by the later statement, with the earlier named as replaced`)
  } else if (best === undefined || told === undefined || told.news === true) {
    output = { recorded: statement, graph: 'new' }
    working.push('the graph has nothing on this yet: recorded as a hypothesis for the room\'s verifiers to check')
  } else if (told.agrees) {
    output = { recorded: statement, graph: 'agrees', with: best.hit.id }
    working.push(`the graph already says so: [${best.hit.id}] ${best.hit.kind}, ${best.hit.status}: "${quote(best.hit)}"`)
  } else {
    output = { recorded: statement, graph: 'contradicts', with: best.hit.id }
    working.push(`the graph says otherwise: [${best.hit.id}] ${best.hit.kind}, ${best.hit.status}: "${quote(best.hit)}" (${told.why}); recorded all the same, for the room's verifiers to weigh against it`)
  }
  if (hypothesis) output.stated = 'hypothesis'
  ctx.progress(1)
  return {
    text: statement,
    output,
    working,
    citations: output.graph === 'agrees' ? [best!.hit.id] : output.settled?.flatMap((x) => x.holds) ?? [],
    ...(conflicts.length > 0 ? { contradicts: conflicts.map((c) => c.j.hit.id) } : {}),
    ...(output.settled !== undefined || output.overrules !== undefined
      ? { settles: [...new Set([...(output.settled ?? []).flatMap((x) => [x.conflict, ...x.over]), ...(output.overrules ?? [])])] }
      : {})
  }
}

/** Whether an entity is the room's decision: a decision entity, or a statement recorded as one ("Decision: ..."). */
function isDecision (hit: GraphHit): boolean {
  return hit.kind === 'decision' || statesDecision(hit.text)
}

/** The newest conflicts a decision is weighed against (with those its search finds). */
const CONFLICTS_WEIGHED = 50

/**
 * What a decision settles: each open conflict between statements (one no entity answers yet) in which
 * it holds one side and overrules another (contradiction.ts, `sideTaken`), and the statements in no
 * such conflict it says the opposite of. "Decision: the login bug is caused by the cache TTL." settles
 * the conflict between "The login bug is caused by the cache TTL." and "... is not caused ...": before,
 * it raised a second conflict, against the side it took the other's of, and the first stayed open.
 */
async function decide (statement: string, ctx: AgentContext, relevant: readonly JudgedHit[]): Promise<{ settled: NonNullable<RecordOutput['settled']>, overrules: string[], working: string[] }> {
  const said = withoutDecisionLabel(statement)
  const words = new Set(terms(said))
  const known = new Map(relevant.map((j) => [j.hit.id, j.hit]))
  // The newest conflicts, and any older one the search for the decision found (it ranks conflicts by
  // their text, which quotes both sides): an old conflict is settled as well as a new one.
  const newest = await ctx.graph.list({ kind: 'conflict', limit: CONFLICTS_WEIGHED })
  const listed = new Set(newest.map((c) => c.id))
  const open = [...newest, ...relevant.map((j) => j.hit).filter((h) => h.kind === 'conflict' && !listed.has(h.id))]
    .filter((c) => (c.answeredBy ?? []).length === 0 && conflictingIds(c.text).length >= 2)
    // Only conflicts that name at least half of what the decision says are read further (their sides fetched).
    .filter((c) => words.size > 0 && lexicalOverlap([...words], new Set(terms(c.text))) >= 0.5)
  const settled: NonNullable<RecordOutput['settled']> = []
  const working: string[] = []
  for (const c of open) {
    const sides = await Promise.all(conflictingIds(c.text).map(async (id) => known.get(id) ?? await ctx.graph.get(id)))
    const holds: GraphHit[] = []
    const over: GraphHit[] = []
    for (const side of sides) {
      if (side === undefined || side.status === 'retracted') continue
      const taken = sideTaken(said, withoutDecisionLabel(side.text))
      if (taken === 'holds') holds.push(side)
      else if (taken === 'overrules') over.push(side)
    }
    if (holds.length === 0 || over.length === 0) continue
    settled.push({ conflict: c.id, holds: holds.map((h) => h.id), over: over.map((h) => h.id) })
    working.push(`settles conflict [${c.id}]: holds ${holds.map((h) => `[${h.id}] "${quote(h)}"`).join(', ')}, overrules ${over.map((h) => `[${h.id}] "${quote(h)}"`).join(', ')}`)
  }
  const inSettled = new Set(settled.flatMap((x) => [...x.holds, ...x.over]))
  const overrules = relevant.filter((j) => j.hit.answers === undefined && j.hit.kind !== 'conflict' && !inSettled.has(j.hit.id) &&
    sideTaken(said, withoutDecisionLabel(j.hit.text)) === 'overrules').map((j) => j.hit).slice(0, MAX_CITED)
  for (const h of overrules) working.push(`overrules [${h.id}] ${h.kind}, ${h.status}: "${quote(h)}" (the room decided otherwise; no conflict raised)`)
  return { settled, overrules: overrules.map((h) => h.id), working }
}

/** Words that ask rather than name what is asked about. */
const ASKING_WORDS = new Set(['know', 'known', 'graph', 'room', 'say', 'tell', 'find', 'look', 'current', 'currently', 'now'].flatMap((w) => terms(w)))
/** At or below this share of the question's words named, a hit answers only if it is this near in meaning. */
const MIN_COVERAGE = 0.5
const NEAR_ENOUGH = 0.5

/** What a decision says by being one: "What did we decide about the beta?" asks for it. */
const DECIDING_WORDS = ['decide', 'decided', 'decision', 'decisions', 'agree', 'agreed', 'choose', 'chose', 'chosen', 'settle', 'settled'].flatMap((w) => terms(w))

/** The share of the question's content words (not its asking words) that the hit names. */
function coverage (asked: string, hit: GraphHit): number {
  const words = new Set(terms(asked).filter((t) => !ASKING_WORDS.has(t)))
  if (words.size === 0) return 1
  return lexicalOverlap([...words], new Set([...terms(hit.text), ...(hit.kind === 'decision' ? DECIDING_WORDS : [])]))
}

/**
 * Whether the best entity answers the question rather than being near it: it names more than half of
 * the question's content words, or is near in meaning anyway ("Where is the relay?", "The relay runs
 * in Frankfurt"). "Why did we choose Postgres?" is not answered by "The staging database runs on
 * Postgres 16", nor "Who wrote the relay?" by where it runs: they are quoted as the nearest.
 */
function answersDirectly (asked: string, best: JudgedHit): boolean {
  return best.relevance >= NEAR_ENOUGH || coverage(asked, best.hit) > MIN_COVERAGE
}

/** Verified, confident statements first; relevance breaks near-ties. */
function rank (j: JudgedHit): number {
  return j.weight + 0.5 * j.relevance
}

function qualifier (j: JudgedHit): string {
  if (j.hit.status === 'disputed') return ' (disputed)'
  // A decision is quoted as one (quote), and has nothing to verify.
  if (j.hit.kind === 'decision') return ''
  if (j.hit.kind === 'hypothesis') return ' (a hypothesis)'
  if (j.hit.status === 'proposed') return ' (proposed, not yet verified)'
  return ''
}

/**
 * Hits that state what a higher-ranked one does, in other words only by case, punctuation or a
 * decision's label, left out: the decision entity a person's "Decision: ..." records and the
 * statement the researcher recorded from the same request were quoted one after the other.
 */
function withoutRepeats (ranked: JudgedHit[]): JudgedHit[] {
  const seen = new Set<string>()
  return ranked.filter((j) => {
    if (j.hit.answers !== undefined || j.hit.kind === 'question') return true
    const words = statedWords(j.hit.text)
    if (seen.has(words)) return false
    seen.add(words)
    return true
  })
}

/** `ranked` with each statement a later one replaces put right after the latest that does; the latest keeps the earlier's place if it ranked lower. */
function latestFirst (ranked: JudgedHit[], replaced: ReadonlyMap<string, GraphHit>): JudgedHit[] {
  if (replaced.size === 0) return ranked
  const out: JudgedHit[] = []
  const placed = new Set<string>()
  const byId = new Map(ranked.map((j) => [j.hit.id, j]))
  const latest = (j: JudgedHit): JudgedHit => {
    let at = j
    for (let n = 0; n < ranked.length; n++) {
      const next = replaced.get(at.hit.id)
      const later = next === undefined ? undefined : byId.get(next.id)
      if (later === undefined) break
      at = later
    }
    return at
  }
  const place = (j: JudgedHit): void => {
    if (placed.has(j.hit.id)) return
    placed.add(j.hit.id)
    out.push(j)
    for (const e of ranked) if (replaced.get(e.hit.id)?.id === j.hit.id) place(e)
  }
  for (const j of ranked) place(latest(j))
  return out
}

function round (x: number): number {
  return Math.round(x * 1000) / 1000
}

/**
 * Graph hits judged against a request, and against its question alone when it opens with statements:
 * "The relay is now in the EU region. Where is the relay?" is about the relay as much as "Where is the
 * relay?" is, but the statement's words halved the share the relay fact covers (relevance 0.43 against
 * 0.86), and the researcher did not bid.
 */
export function judgeAsked (request: string, hits: readonly GraphHit[]): JudgedHit[] {
  const whole = judgeHits(request, hits)
  const { told, asked } = statementsAndQuestion(request)
  const alone = told.length === 0 ? undefined : judgeHits(asked, hits)
  const judged = alone === undefined ? whole : whole.map((j, i) => (alone[i]!.relevance > j.relevance ? alone[i]! : j))
  return judged.map((j) => otherRequest(request, j))
}

/** A request on figures it supposes: "If our app has 5,000 users ...", "Suppose we hire 3 ...", "Assuming 12% convert, ...". */
const HYPOTHETICAL = /^\s*(?:(?:and|so|now|ok(?:ay)?)[\s,]+)?(?:if|suppose|supposing|assuming|assume|say|imagine|given\s+that)\b/i

/** A question of when: "When does ...", "What date is ...", "Find the date of ...", "Find when ...". */
const ASKS_WHEN = /^(?:(?:please|so|and)\s+)?(?:(?:can|could)\s+you\s+)?(?:(?:find|tell\s+me|look\s+up)\s+(?:out\s+)?)?(?:when\b|what\s+(?:date|day|time)\b|which\s+(?:date|day)\b|the\s+date\s+of\b)/i
const MOMENT_WORDS = new RegExp(String.raw`\b${MONTH}(?!\w)|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|yesterday|tonight|noon|midnight|(?:next|last|this)\s+(?:week|month|year|quarter)|q[1-4])\b|\b(?:1[5-9]|20|21)\d{2}\b|\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s*(?:am|pm)\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}\/\d{1,2}\b`, 'i')

/** Whether a text names a moment: a date, a month or weekday, a time of day, a year, "tomorrow". */
function namesAMoment (text: string): boolean {
  if (MOMENT_WORDS.test(text)) return true
  try {
    return datesIn(text).length > 0
  } catch {
    return true // a date that does not exist is still a date said
  }
}

/**
 * A task's verified answer answers its own request: one whose numbers differ from the question's is
 * no answer to it, however close the words. "If I run 5 km every day for 3 weeks, how far do I run?"
 * had been answered with the graph's "the answer to 'Convert 250 miles to km and tell me how long it
 * takes at 100 km/h' is 4.02336 hours" (relevance 0.49 from the words alone). Its relevance is set to
 * 0, with the reason.
 */
function otherRequest (request: string, j: JudgedHit): JudgedHit {
  // "If our app has 5,000 users and 12% are on the paid plan at $9 a month, what is our monthly
  // revenue?": a question on figures it gives is about those figures; a statement that names none
  // of them is about something else (the decision about "2,000 weekly users" had been quoted). An
  // answer to another request is judged by the rule below, which asks for every figure.
  if (j.hit.answers === undefined && HYPOTHETICAL.test(request)) {
    const given = quantities(numberWordsToDigits(request))
    const stated = quantities(numberWordsToDigits(j.hit.text))
    if (given.size > 0 && ![...given].some((v) => stated.has(v))) return { ...j, relevance: 0, setAside: `the request gives its own figures (${[...given].join(', ')}), and this names none of them` }
  }
  if (j.hit.answers === undefined) return j
  // "When does the beta launch?" is not answered by "9 days", the answer to "When is the beta launch
  // and how many days until it?": an answer to another request that names no moment is no answer to a
  // question of when (before, it was quoted as the answer).
  if (ASKS_WHEN.test(request.trim()) && !namesAMoment(statedBy(j.hit))) return { ...j, relevance: 0, setAside: 'answers another request, and names no date or time' }
  const asked = quantities(numberWordsToDigits(request))
  if (asked.size === 0) return j
  const stated = quantities(numberWordsToDigits(j.hit.text))
  const missing = [...asked].filter((v) => !stated.has(v))
  return missing.length === 0 ? j : { ...j, relevance: 0, setAside: `answers a request without ${missing.join(', ')}` }
}

/**
 * The statements a request makes before its question, when they read as plain statements (record-ask.ts):
 * "The relay moved to port 9091. Which port is the relay on?" → ["The relay moved to port 9091."].
 * Undefined when it makes none, or its opening is not plain statements ("Tom has 12 marbles. He gives 5 ...").
 */
export function toldBeforeQuestion (request: string): string[] | undefined {
  const { told } = statementsAndQuestion(request)
  return told.length > 0 && plainStatement(told.join(' ')) ? told : undefined
}

/** A request of statements then a question: the statements (what the person says) and the question. */
function statementsAndQuestion (request: string): { told: string[], asked: string } {
  const sentences = splitSentences(request)
  const last = sentences.at(-1) ?? request
  if (sentences.length < 2 || !/\?\s*$/.test(last)) return { told: [], asked: request }
  return { told: sentences.slice(0, -1).filter((x) => !/\?\s*$/.test(x)), asked: last }
}

/**
 * The numbers and dates a text states, normalized ("9,090" → 9090, "March 3, 2027" → 2027-03-03),
 * so two texts can be compared by what they say, not how they write it.
 */
function quantities (text: string): Set<string> {
  const out = new Set<string>()
  let rest = text
  try {
    for (const d of datesIn(text)) {
      out.add(new Date(d.day * 86_400_000).toISOString().slice(0, 10))
      rest = rest.replace(d.text, ' ')
    }
  } catch {
    // A date that does not exist is compared as the numbers it is written with.
  }
  for (const m of rest.matchAll(/(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?/g)) out.add(m[0].replace(/,/g, ''))
  return out
}

interface Told { statement: string, agrees: boolean, why: string, only?: string, /** says what the graph does not hold, without values to compare */ news?: boolean }

/**
 * The request's statements about what `best` is about (sharing a content word with it), and whether
 * they agree with it: a statement that names numbers or dates `best` does not, while `best` names
 * others, disagrees. `only` is the statement's one value `best` lacks, when there is exactly one.
 */
function compareTold (statements: readonly string[], best: JudgedHit): Told[] {
  const hitTerms = new Set(terms(best.hit.text).filter((t) => !/^\p{N}/u.test(t) && t !== '#'))
  const hitValues = quantities(best.hit.text)
  const out: Told[] = []
  for (const statement of statements) {
    const words = terms(statement).filter((t) => !/^\p{N}/u.test(t) && t !== '#')
    if (!words.some((t) => hitTerms.has(t))) continue
    const values = quantities(statement)
    if (values.size === 0) {
      // About the same thing, in words the graph's statement mostly lacks: news to the graph.
      const unknown = [...new Set(words.filter((t) => !hitTerms.has(t)))]
      if (unknown.length > words.length / 2) out.push({ statement, agrees: false, news: true, why: `${unknown.join(', ')} not in it` })
      continue
    }
    const theirs = [...values].filter((v) => !hitValues.has(v))
    const ours = [...hitValues].filter((v) => !values.has(v))
    if (theirs.length > 0 && ours.length > 0) {
      const only = theirs.length === 1 ? theirs[0] : undefined
      out.push({ statement, agrees: false, why: `it says ${theirs.join(', ')}, the graph ${ours.join(', ')}`, ...(only !== undefined ? { only } : {}) })
    } else if (theirs.length === 0) {
      out.push({ statement, agrees: true, why: 'the same values' })
    }
  }
  return out
}

/** A question answered yes or no ("Is the relay port 8080?", "Does the beta launch on March 3, 2027?"). */
const YES_NO = /^(?:is|are|was|were|does|do|did|has|have|had|will|can|could|should)\b/i

/**
 * Yes when `best` names every number or date the question does; no when it names none of them but
 * names others (the question's value is not the graph's), or names them but is negated ("Do we support
 * Safari 15?" against "The room decided: we will not support Safari 15": it had been answered "Yes").
 * Without values: no when `best` says the same as the question but flipped ("Is the relay public?"
 * against "The relay is private"; contradiction.ts), yes when it says every content word of the
 * question, unflipped. A negative question asks the same ("Isn't the relay private?": yes if it is).
 * Undefined when the question is not a yes/no question, asks "... or ...", or nothing decides it.
 */
function yesOrNo (request: string, best: JudgedHit): boolean | undefined {
  // "Isn't the relay private?" asks what "Is the relay private?" does.
  const question = isNegated(request) ? request.replace(/n['’]t\b|\s+not\b/i, '') : request
  if (!YES_NO.test(question.trim()) || /\bor\b/i.test(question) || isNegated(question)) return undefined
  const negated = isNegated(best.hit.text)
  const asked = quantities(question)
  const stated = quantities(best.hit.text)
  if (asked.size > 0 && stated.size > 0) {
    const named = [...asked].filter((v) => stated.has(v))
    if (named.length === asked.size) return !negated
    if (named.length === 0 && !negated) return false
    return undefined
  }
  if (asked.size > 0 || stated.size > 0) return undefined
  if (sameButFlipped(question, best.hit.text) !== undefined) return false
  const words = new Set(terms(question).filter((t) => !ASKING_WORDS.has(t)))
  const says = new Set(terms(best.hit.text))
  return !negated && words.size >= 2 && [...words].every((t) => says.has(t)) ? true : undefined
}

// ---------------------------------------------------------------------------------------------
// An overview: "What do we know?", "Summarise the graph", "What is in the knowledge graph?"

const OVERVIEW_WORDS = /\b(?:what|everything|all|anything|do|does|we|us|our|know|knows|known|so|far|yet|is|are|there|in|on|the|a|an|of|about|this|that|room|mesh|knowledge|graph|base|notes?|recorded|record|summari[sz]e|summary|overview|give|me|tell|show|list|please|can|could|you|whole|entire|currently|now|at|moment|what's|here|contents?|holds?|has|have)\b/gi
const OVERVIEW_ASK = /\b(?:what\s+do\s+we\s+know|what\s+does\s+the\s+(?:room|mesh|graph)\s+know|what(?:'s|\s+is)\s+in\s+the\s+(?:knowledge\s+)?graph|summari[sz]e|overview|list|show)\b/i
const MAX_OVERVIEW = 50
const KIND_ORDER = ['fact', 'decision', 'solution', 'hypothesis', 'conflict', 'question', 'thread', 'unknown']

/** A request for what the graph holds as a whole, about no topic ("What do we know so far?"). */
export function asksForOverview (request: string): boolean {
  const r = request.replace(/['’]s\b/g, ' is').replace(/[?.!,:;]/g, ' ')
  if (!OVERVIEW_ASK.test(r) || !/\b(?:we|graph|room|mesh|knowledge|notes?)\b/i.test(r)) return false
  return r.replace(OVERVIEW_WORDS, ' ').trim() === ''
}

const KIND_PLURAL: Record<string, string> = { fact: 'facts', decision: 'decisions', solution: 'solved problems', hypothesis: 'hypotheses', conflict: 'conflicts', question: 'open questions', thread: 'threads', unknown: 'other entities' }

/**
 * What the graph holds: counts by kind and the strongest statements, with ids. The graph is read
 * through search (the agent API), so a large graph shows the MAX_OVERVIEW entities nearest to the
 * request, and the answer says so.
 */
async function overview (question: string, ctx: AgentContext): Promise<AgentResult> {
  ctx.progress(0.1, 'reading the graph')
  const hits = (await ctx.graph.search(question, MAX_OVERVIEW)).filter((h) => h.status !== 'retracted')
  ctx.signal.throwIfAborted()
  const working = [`overview of the graph: read ${hits.length} entit${hits.length === 1 ? 'y' : 'ies'} (at most ${MAX_OVERVIEW}, retracted ones left out)`]
  if (hits.length === 0) {
    return { text: 'The knowledge graph holds nothing yet.', output: { answer: null, sources: [] } satisfies ResearchOutput, working, citations: [] }
  }
  const judged = judgeHits(question, hits)
  const counts = new Map<string, number>()
  for (const j of judged) counts.set(j.hit.kind, (counts.get(j.hit.kind) ?? 0) + 1)
  const countText = [...counts].sort((a, b) => b[1] - a[1] || KIND_ORDER.indexOf(a[0]) - KIND_ORDER.indexOf(b[0])).map(([kind, n]) => `${n} ${n === 1 ? kind.replace('question', 'open question').replace('solution', 'solved problem') : KIND_PLURAL[kind] ?? `${kind}s`}`)
  const statements = judged.filter((j) => j.hit.kind !== 'question').sort((a, b) => b.weight - a.weight).slice(0, 5)
  const open = judged.filter((j) => j.hit.kind === 'question').slice(0, 3)
  const verified = judged.filter((j) => j.hit.status === 'verified').length
  let text = `The graph holds ${hits.length === MAX_OVERVIEW ? `at least ${MAX_OVERVIEW} entities (these are the ${MAX_OVERVIEW} nearest to your words)` : `${hits.length} entit${hits.length === 1 ? 'y' : 'ies'}`}: ${listed(countText)}; ${verified === 0 ? 'none' : verified} verified.`
  if (statements.length > 0) text += ` The strongest: ${statements.map((j) => `${quote(j.hit)} [${j.hit.id}]${qualifier(j)}`).join('; ')}.`
  if (open.length > 0) text += ` Open: ${open.map((j) => `${sentence(j.hit.text)} [${j.hit.id}]`).join('; ')}.`
  const cited = [...statements, ...open]
  working.push(`by kind: ${countText.join(', ')}`, `quoted: ${cited.map((j) => j.hit.id).join(', ')}`)
  ctx.progress(1)
  return {
    text,
    output: { answer: text, sources: cited.map(toSource), overview: true } satisfies ResearchOutput,
    working,
    citations: cited.map((j) => j.hit.id)
  }
}

function listed (items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`
}
