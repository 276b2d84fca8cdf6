/**
 * The verifier: votes on a claim. Two checks, in order:
 *
 * 1. Arithmetic. A claim of the form "<expression> = / is / equals <value>" ("2 + 2 = 5",
 *    "17% of 2,340 is 397.8", "5 miles is 8.05 km") is re-computed with the restricted mathjs
 *    instance; the claimed value may be rounded to the decimals it shows ("about" allows 5%). A
 *    claim about a whole number ("17 is prime", "84 is divisible by 7") is checked exactly
 *    (number-claims.ts). Sums written out inside prose ("Pallets needed: 14 * 6 = 86") are each
 *    re-computed: a wrong one disputes the claim, right ones leave the rest to the graph. A handed-over
 *    calendar or counting answer (a weekday, days between dates, words in a text) is derived again,
 *    and the value of JavaScript the task carries is computed by running the code again in a
 *    js-runner sub-agent (rederive.ts). A summary is checked against the text it summarises: quoted
 *    sentences, the length asked for, numbers it states (summary-check.ts).
 *    An answer about the mesh ("Which agents are online?") is asked again of the mesh as this tab
 *    sees it (mesh-status.ts): the same agents, tabs or tasks support it.
 * 2. The knowledge graph. A researcher's answer is checked against the entities it quotes, read with
 *    ctx.graph.get (quote-check.ts). For other claims, related entities come from ctx.graph.search; one that is about the same
 *    thing (relevance) and says the same (no negation flip, no antonym, no different number)
 *    supports the claim, one that is about the same thing but flips it contradicts it. Evidence
 *    counts by status (verified far above proposed), kind and confidence.
 *
 * In a mission, a claim about the result a part depends on ("check that the result is 84", with
 * `input.s1`) is checked against that result, as the calculator reads such references.
 *
 * With neither an arithmetic form nor relevant entities it abstains. Claim: `input.claim`, else the
 * request (a leading "verify:", "is it true that" and the like are dropped). `input.entityId`: the
 * graph id of the claim itself, so it never counts as its own evidence.
 */
import type { AgentContext, AgentResult, AgentTask, GraphHit, Verdict } from '../types.ts'
import { applyRounding, evaluateExpression, ExpressionError, math, nonFiniteReason, parseOnly, translateRequest, trimSentenceEnd } from './math.ts'
import { numberWordsToDigits, withoutThousands } from './number-words.ts'
import { clamp01, describeHit, judgeHits, plainWords, type JudgedHit } from './evidence.ts'
import { terms } from '../../match/score.ts'
import { isValueTerm } from './superseded.ts'
import { inputText, upstreamResults, type Upstream } from './task-input.ts'
import { computeChain, handler as calculate, referBack } from './calculator.ts'
import { convertsMoney } from './currency.ts'
import { readWordProblem } from './word-problems.ts'
import { checkNumberClaim } from './number-claims.ts'
import { solveEquation } from './equations.ts'
import { checkRederived, checkRerun, claimedNumbers, readHanded, saidYesOrNo, zoneOf } from './rederive.ts'
import { comparisonAsked } from './measures.ts'
import { checkSummary } from './summary-check.ts'
import { checkQuotes } from './quote-check.ts'
import { checkMeshAnswer } from './mesh-status.ts'
import { contradiction } from './contradiction.ts'

export { contradiction }

/** A hit must be at least this relevant to count for or against. */
const EVIDENCE_RELEVANCE = 0.45
/** Evidence strength (relevance × weight) below which a vote is not cast. */
const MIN_STRENGTH = 0.25
/** How much a graph entity's status lets it vouch for a claim: a proposal proves little. */
const VOUCH: Record<string, number> = { verified: 1, proposed: 0.3, disputed: 0.15, retracted: 0 }

export interface VerifierOutput {
  verdict: Verdict
  /** How the claim was checked (`mesh`: an answer about the mesh, asked again of this tab's view). */
  method: 'arithmetic' | 'graph' | 'mesh' | 'none'
}

export async function handler (task: AgentTask, ctx: AgentContext): Promise<AgentResult> {
  ctx.signal.throwIfAborted()
  // Another verifier's verdict on a claim ("Is it true that 17 * 23 = 391?" → "Supported ..."): judged
  // by checking the claim again here. Before, its text read as a claim the graph knew nothing of, every
  // verifier abstained, and the check stayed unverified.
  const reviewed = await checkVerdictAgain(task, ctx)
  if (reviewed !== undefined) return reviewed
  const claim = claimText(task)
  // A result handed over to check (a mission part's) is judged on its own terms first: a list of
  // numbers has no claim in words (its text is all brackets), and before this the verifier failed on it.
  const handed = checkEquation(task.input) ?? checkList(task.input) ?? checkRederived(task.input) ?? await checkCompared(task.input, ctx) ?? await checkRecomputed(task.input, ctx) ?? await checkRerun(task.input, ctx) ?? checkSummary(task.input)
  const working = [`claim: ${claim === '' ? handedText(task.input) : claim}`]
  // A researcher's answer that goes by what the person said against the graph, or an overview that
  // only quotes the graph: there is nothing to check it against that it did not already weigh.
  const circular = researchWithoutEvidence(task.input)
  if (circular !== undefined) return result({ vote: 'abstain', confidence: 0, reason: circular, evidence: [] }, 'none', working)
  // An answer about the mesh ("Which agents are online?"): asked again of the mesh as this tab sees it.
  const mesh = handed === undefined ? await checkMeshAnswer(task.input, ctx) : undefined
  if (mesh !== undefined) return result({ evidence: [], ...mesh.verdict }, 'mesh', [...working, ...mesh.steps])
  // A researcher's answer: checked against the entities it quotes, in this peer's copy of the graph.
  const quoted = handed === undefined ? await checkQuotes(task.input, ctx) : undefined
  if (quoted !== undefined) return result({ evidence: [], ...quoted.verdict }, 'graph', [...working, ...quoted.steps])
  if (claim === '' && handed === undefined) {
    if (working[0] === 'claim: ') throw new Error('verifier: the claim is empty; give it in input.claim or the request')
    // A handed-over result with nothing in words to check ("[1, 2, 3]" from a script): abstain, saying why.
    return result({ vote: 'abstain', confidence: 0, reason: 'the result has no claim in words to check, and it is not a list the calculator makes (primes, sorting)' }, 'none', working)
  }

  const arithmetic = handed ?? checkArithmetic(claim) ?? checkNumberClaim(claim) ?? await checkCalculatedAgain(task.input, ctx)
  if (arithmetic !== undefined) {
    working.push(...arithmetic.steps)
    return result(arithmetic.verdict, 'arithmetic', working)
  }
  // A sum written out inside prose ("Pallets needed: 14 * 6 = 86"): one that is wrong disputes the
  // whole claim; right ones prove only themselves, so the graph still judges the rest.
  const embedded = checkEmbeddedEquations(claim)
  if (embedded?.wrong !== undefined) {
    working.push(...embedded.steps)
    return result({ vote: 'dispute', confidence: 0.99, reason: embedded.wrong, evidence: [] }, 'arithmetic', working)
  }
  if (embedded !== undefined) working.push(...embedded.steps)
  // In a mission, "check that the result is 84" is about the result of the part it depends on.
  const upstream = upstreamResults(task.input)
  if (upstream.length > 0 && inputText(task.input, 'claim') === undefined) {
    const referred = withUpstream(task.text, upstream)
    const restated = referred === undefined ? undefined : claimText({ id: task.id, text: referred.text })
    const checked = restated === undefined ? undefined : checkArithmetic(restated, { plainValues: true })
    if (referred !== undefined && checked !== undefined) {
      working.push(...referred.notes, `read as: ${restated!}`, ...checked.steps)
      return result(checked.verdict, 'arithmetic', working)
    }
  }

  ctx.progress(0.2, 'searching the graph')
  const selfId = inputText(task.input, 'entityId')
  const found = await ctx.graph.search(claim, 8)
  const hits = found.filter((h) => h.id !== selfId && h.status !== 'retracted' && !isItself(h, claim))
  // The claim as recorded, unverified: not evidence for itself, but the person hears the graph holds it.
  const asSaid = selfId === undefined ? found.filter((h) => h.status !== 'retracted' && isItself(h, claim)) : []
  ctx.signal.throwIfAborted()
  working.push(`graph search: ${hits.length} related entit${hits.length === 1 ? 'y' : 'ies'}`)
  const request = (task.input as { task?: { text?: unknown } } | undefined)?.task?.text
  let verdict = judgeClaim(claim, hits, working, typeof request === 'string' ? request : undefined)
  if (embedded !== undefined && verdict.vote === 'abstain') {
    // Its sums were checked: the reason says so (not "the claim is not arithmetic"), and what the graph gave.
    const checked = `its arithmetic checks out (${embedded.right.join('; ')})`
    verdict = { ...verdict, reason: verdict.reason === NOTHING_KNOWN ? `${checked}, but nothing else it says is known in the graph` : `${checked}, but ${verdict.reason}` }
  }
  if (verdict.reason === NOTHING_KNOWN && asSaid.length > 0) {
    // "Is it true that the Frankfurt relay handles 5,000 peers?" with that statement recorded as told:
    // before, "nothing relevant is known in the graph".
    const h = asSaid[0]!
    verdict = { ...verdict, reason: `the graph holds this claim only as recorded, not verified (${h.kind} [${h.id}]); nothing else in it supports or contradicts it` }
    working.push(`[${h.id}] states the claim itself, unverified: no evidence for it`)
  }
  ctx.progress(1)
  return result(verdict, verdict.vote === 'abstain' && hits.length === 0 ? 'none' : 'graph', working)
}

/**
 * `text` with its references to earlier results replaced as the calculator reads them; undefined when
 * it has none, or refers to a result that is not a number (then there is no arithmetic to re-compute).
 */
function withUpstream (text: string, upstream: Upstream[]): ReturnType<typeof referBack> {
  try { return referBack(text, upstream) } catch { return undefined }
}

/**
 * A list of numbers to check that the calculator makes by a fixed rule (the primes in a range, a
 * sorted list: "Find the primes below 20" → [2, 3, ..., 19]): made again and compared item by item.
 * Undefined for any other task or result, so another agent's list ("Run this JavaScript: ...") is
 * never judged by the calculator's reading of its words.
 */
function checkList (input: unknown): { verdict: Verdict, steps: string[] } | undefined {
  if (typeof input !== 'object' || input === null) return undefined
  const { task, result } = input as { task?: { text?: unknown, input?: unknown }, result?: { output?: unknown } }
  const claimed = result?.output
  if (typeof task?.text !== 'string' || !Array.isArray(claimed) || claimed.length > 10_000 || !claimed.every(v => typeof v === 'number')) return undefined
  const text = withUpstream(task.text, upstreamResults(task.input))?.text ?? task.text
  let expected: unknown
  let steps: string[]
  try {
    const t = translateRequest(text)
    if (!t.steps.some(x => /^the primes from |^sort \d+ values/.test(x))) return undefined
    const ev = evaluateExpression(t.expression)
    expected = ev.output
    steps = [...t.steps, `expression: ${t.expression}`]
  } catch {
    return undefined
  }
  if (!Array.isArray(expected) || !expected.every(v => typeof v === 'number')) return undefined
  const at = expected.findIndex((v, i) => v !== claimed[i])
  const made = `${expected.length} number${expected.length === 1 ? '' : 's'} (${shortList(expected)})`
  if (at < 0 && expected.length === claimed.length) return { verdict: { vote: 'support', confidence: 0.99, reason: `re-computed: ${made}, as claimed` }, steps: [...steps, `= ${made}`] }
  const reason = at < 0 || at >= claimed.length
    ? `re-computed: ${made}; the result has ${claimed.length}`
    : `re-computed: ${made}; item ${at + 1} is ${expected[at] as number}, not ${claimed[at] as number}`
  return { verdict: { vote: 'dispute', confidence: 0.99, reason }, steps: [...steps, reason] }
}

/** Why a researcher's handed-over answer cannot be checked against the graph, or undefined. */
function researchWithoutEvidence (input: unknown): string | undefined {
  const output = (input as { result?: { output?: unknown } } | undefined)?.result?.output
  if (typeof output !== 'object' || output === null) return undefined
  const { told, overview, byWord } = output as { told?: unknown, overview?: unknown, byWord?: unknown }
  if (overview === true) return 'the result is an overview of the graph, quoting it: there is nothing to check it against but the graph itself'
  if (typeof (output as { forget?: unknown }).forget === 'string') return 'the result says which statements to retract, and how: it claims nothing to check'
  // What the person said is kept with the answer as knowledge (app/agents-boot.ts): the graph would
  // now hold the answer's own words, and confirm them.
  if (Array.isArray(byWord)) return 'the answer goes by what the person said, on which the graph held nothing: there is nothing to check it against but their word'
  const against = Array.isArray(told) ? told.find((t): t is { statement: string, with: string } => typeof t === 'object' && t !== null && (t as { agrees?: unknown }).agrees === false && (t as { news?: unknown }).news !== true && typeof (t as { statement?: unknown }).statement === 'string') : undefined
  if (against !== undefined) return `the answer goes by what the person said ("${against.statement.slice(0, 120)}"), which the graph's [${against.with}] contradicts: there is no other evidence to check it against`
  return undefined
}

/** The text of a result handed over to check, for the working. */
function handedText (input: unknown): string {
  const text = (input as { result?: { text?: unknown } } | undefined)?.result?.text
  return typeof text === 'string' ? text.slice(0, 200) : ''
}

function shortList (values: unknown[]): string {
  return values.length <= 8 ? values.join(', ') : `${values.slice(0, 6).join(', ')}, ..., ${String(values[values.length - 1])}`
}

/**
 * A result to check of a word problem ("Tom has 12 marbles. He gives 5 to Sara. How many ...?") or
 * of a chain of operations ("Take the square root of it and double the result", s1 = 1024): read
 * again as the calculator reads it and the values compared. Undefined when the task is neither, its
 * reading fails, or the claimed result holds no number to compare (then other checks judge it).
 */
async function checkRecomputed (input: unknown, ctx: AgentContext): Promise<{ verdict: Verdict, steps: string[] } | undefined> {
  if (typeof input !== 'object' || input === null) return undefined
  const { task, result } = input as { task?: { id?: unknown, text?: unknown, input?: unknown }, result?: { text?: unknown, output?: unknown } }
  if (typeof task?.text !== 'string') return undefined
  let expected: number | undefined
  let steps: string[]
  let how: string
  const story = readWordProblem(task.text)
  if (story !== undefined) {
    if (!('answer' in story)) return undefined
    expected = story.answer.output
    steps = ['read as a word problem', ...story.answer.steps]
    how = `as a word problem, ${story.answer.expression}`
  } else {
    let again: AgentResult | undefined
    const recompute = { id: `${String(task.id ?? 'task')}:recompute`, text: task.text, input: task.input }
    // Money into another currency is re-computed as the calculator computes it, at the rate the
    // request gives or the graph states (before, the arithmetic check read "Convert 100 euros to
    // dollars at 1.08 dollars per euro" as 100 and disputed a right $108.00).
    if (convertsMoney(task.text)) {
      try {
        again = await calculate(recompute, { ...ctx, progress: () => {} })
      } catch (err) {
        return { verdict: { vote: 'abstain', confidence: 0, reason: `a money conversion that cannot be re-computed here: ${(err as Error).message.replace(/^calculator: /, '')}` }, steps: [] }
      }
      if (typeof again.output !== 'number') return undefined
      const rate = again.working?.find(w => /^\s*rate: /.test(w))?.trim()
      expected = again.output
      steps = again.working ?? []
      how = rate === undefined ? 'as a conversion' : `as a conversion (${rate.replace(/, from the graph: .*$/, '')}${again.citations !== undefined ? `, the graph's ${again.citations.join(', ')}` : ''})`
    } else {
      try {
        again = await computeChain(recompute, { ...ctx, progress: () => {} })
      } catch {
        return undefined
      }
      if (again === undefined) return undefined
      // Several questions asked at once ("Compute 2 + 2 and compute 3 + 3" → [4, 6]): each answer compared.
      if (Array.isArray(again.output)) return compareAnswers(again, result)
      if (typeof again.output !== 'number') return undefined
      expected = again.output
      steps = again.working ?? []
      const expressions = steps.flatMap(w => { const m = /^\s+expression: (.+)$/.exec(w); return m === null ? [] : [m[1]!] })
      how = `in ${expressions.length} steps, ${expressions.join(' then ')}`
    }
  }
  const claimed = claimedNumbers(result)
  if (claimed.length === 0) return undefined
  const same = (v: number): boolean => sameNumber(expected!, v)
  const shown = math.format(expected, { precision: 12 })
  if (claimed.some(same)) return { verdict: { vote: 'support', confidence: 0.99, reason: `re-computed ${how} = ${shown}, as claimed` }, steps: [...steps, `re-computed: ${shown}`] }
  // A claim with several numbers ("12 - 5 = 7 marbles") that do not include the value is not
  // judged by this check; one number that differs is disputed.
  if (claimed.length > 1) return undefined
  const reason = `re-computed ${how} = ${shown}, not ${math.format(claimed[0]!, { precision: 12 })}`
  return { verdict: { vote: 'dispute', confidence: 0.99, reason }, steps: [...steps, reason] }
}

/**
 * A result that says which of two quantities is heavier, longer, ... ("Which is heavier, 2 kg or 3
 * pounds?" → "2 kg is heavier (3 pounds = 1.36078 kg)"): compared again by the calculator on this
 * peer, and the one named must be the same. First, before the arithmetic in its words: the
 * conversion in brackets is right whichever side the result names. Undefined when the task is no
 * such question or the calculator cannot compare its two sides here.
 */
async function checkCompared (input: unknown, ctx: AgentContext): Promise<{ verdict: Verdict, steps: string[] } | undefined> {
  const handed = readHanded(input)
  const asked = handed === undefined ? undefined : comparisonAsked(handed.task.text)
  if (handed === undefined || asked === undefined) return undefined
  const { task, result } = handed
  let again: AgentResult
  try {
    again = await calculate({ id: `${String(task.id ?? 'task')}:compare`, text: task.text }, { ...ctx, progress: () => {} })
  } catch {
    return undefined
  }
  if (!(again.working ?? []).some(w => w.startsWith('comparing '))) return undefined
  const how = 'compared again on this peer'
  const steps = [`${how}: ${(again.working ?? []).filter(w => !w.startsWith('request: ')).join('; ')}`]
  const plain = (x: unknown): string => String(x).toLowerCase().replace(/\s+/g, '')
  // A yes/no question ("Is 6 feet taller than 180 cm?"): the same yes or no. Else the side named, in
  // the output or, from an agent that answers in words only, first in its text.
  const text = typeof result.text === 'string' ? result.text : ''
  const said = typeof again.output === 'boolean' ? saidYesOrNo(result)
    : typeof result.output === typeof again.output ? result.output : [asked.a, asked.b].find(side => plain(text).startsWith(plain(side)))
  if (said === undefined) return undefined
  if (plain(said) === plain(again.output)) return { verdict: { vote: 'support', confidence: 0.95, reason: `${how}: ${again.text}, as claimed` }, steps }
  const reason = `${how}: ${again.text}, not ${typeof said === 'boolean' ? (said ? 'yes' : 'no') : String(said)}`
  return { verdict: { vote: 'dispute', confidence: 0.9, reason }, steps: [...steps, reason] }
}

/**
 * Any other result of a task the calculator reads ("How many seconds are in a week?", "Round pi to 3
 * decimal places", "Is 1,000,003 a prime number?"): calculated again by the calculator on this peer,
 * and the value compared with the one the result states, whoever produced it. Before, none of these
 * had an arithmetic form ("<task> = <value>" does not parse), so the verifier searched the graph,
 * abstained, or, finding another task's verified answer about time units, disputed a right
 * "604800 seconds". Undefined when the calculator cannot read the task, its answer is not a number or
 * yes/no, or the result states no value to compare; a different value is disputed only when the
 * result states one value and the answer does not move with the clock.
 */
async function checkCalculatedAgain (input: unknown, ctx: AgentContext): Promise<{ verdict: Verdict, steps: string[] } | undefined> {
  const handed = readHanded(input)
  if (handed === undefined) return undefined
  const { task, result } = handed
  let again: AgentResult
  try {
    // In the person's time zone, as the answer was ("How long until midnight?" is another span elsewhere).
    const timeZone = zoneOf(task)
    again = await calculate({ id: `${String(task.id ?? 'task')}:recalculate`, text: task.text, ...(task.input !== undefined ? { input: task.input } : {}), ...(timeZone !== undefined ? { timeZone } : {}) }, { ...ctx, progress: () => {} })
  } catch {
    return undefined
  }
  const steps = [`calculated again on this peer: ${(again.working ?? []).filter(w => !w.startsWith('request: ')).join('; ')}`]
  const how = 'calculated again on this peer'
  if (typeof again.output === 'boolean') {
    const said = saidYesOrNo(result)
    if (said === undefined) return undefined
    if (said === again.output) return { verdict: { vote: 'support', confidence: 0.95, reason: `${how}: ${again.text}, as claimed` }, steps }
    const reason = `${how}: ${again.text}, not ${said ? 'yes' : 'no'}`
    return { verdict: { vote: 'dispute', confidence: 0.9, reason }, steps: [...steps, reason] }
  }
  // Several answers ("250 miles = 402.336 km; time: 4.02336 hours"): each one's value must be among those claimed.
  if (Array.isArray(again.output)) {
    const values = again.output.map(v => typeof v === 'number' ? v : typeof v === 'string' ? leadingNumber(v) : undefined)
    if (values.length === 0 || values.some(v => v === undefined)) return undefined
    const claimed = claimedNumbers(result)
    const missing = values.filter(v => !claimed.some(c => sameNumber(v!, c)))
    if (missing.length === 0) return { verdict: { vote: 'support', confidence: 0.95, reason: `${how}: ${again.text}, as claimed` }, steps }
    if (!Array.isArray(result.output) || result.output.length !== values.length) return undefined
    const reason = `${how}: ${again.text}; the result says ${result.output.map(v => String(v)).join('; ')}`
    return { verdict: { vote: 'dispute', confidence: 0.9, reason }, steps: [...steps, reason] }
  }
  // Several statistics of one list ({"mean": 18, "standard deviation": 13.49}): each by its name when
  // the result names them, else each among the numbers it states. Before, the verifier abstained.
  const stats = numbersByName(again.output)
  if (stats !== undefined) {
    const said = numbersByName(result.output)
    const wrong = Object.entries(stats).find(([name, v]) => said?.[name] !== undefined ? !sameNumber(v, said[name]) : !claimedNumbers(result).some(c => sameNumber(v, c)))
    if (wrong === undefined) return { verdict: { vote: 'support', confidence: 0.95, reason: `${how}: ${again.text}, as claimed` }, steps }
    if (said?.[wrong[0]] === undefined) return undefined
    const reason = `${how}: ${wrong[0]} = ${math.format(wrong[1], { precision: 12 })}, not ${math.format(said[wrong[0]]!, { precision: 12 })}`
    return { verdict: { vote: 'dispute', confidence: 0.9, reason }, steps: [...steps, reason] }
  }
  // No value at all ("Undefined: 100 / 0 divides by zero", "Infinity: ... beyond what a double
  // holds"): the same finding is support, a number claimed for it a dispute. Before, the claim read
  // as no arithmetic, the graph knew nothing of it, and every verifier abstained.
  const finding = nonFinite(again)
  if (finding !== undefined) {
    if (nonFinite(result) === finding) return { verdict: { vote: 'support', confidence: 0.95, reason: `${how}: ${again.text}, as claimed` }, steps }
    if (typeof result.output !== 'number') return undefined
    const reason = `${how}: ${again.text}, not ${math.format(result.output, { precision: 12 })}`
    return { verdict: { vote: 'dispute', confidence: 0.9, reason }, steps: [...steps, reason] }
  }
  // A value that is no number ("18:00" in Tokyo, "Friday"): the same value is support. A different
  // one is left to other checks: it may be a format another version writes.
  if (typeof again.output === 'string' && leadingNumber(again.output) === undefined) {
    if (typeof result.output === 'string' && result.output.trim() === again.output.trim()) return { verdict: { vote: 'support', confidence: 0.95, reason: `${how}: ${again.text}, as claimed` }, steps }
    return undefined
  }
  // A number, or a quantity with its unit ("604800 seconds").
  const expected = typeof again.output === 'number' ? again.output : typeof again.output === 'string' ? leadingNumber(again.output) : undefined
  if (expected === undefined || !Number.isFinite(expected)) return undefined
  const claimed = claimedNumbers(result)
  if (claimed.some(v => sameNumber(expected, v))) return { verdict: { vote: 'support', confidence: 0.95, reason: `${how}: ${again.text}, as claimed` }, steps }
  const fromClock = /\b(?:today|now|current(?:ly)?)\b/i.test((again.working ?? []).join(' '))
  // Read from the clock ("How many seconds until midnight?"): the clock moved on between the answer
  // and this check. Within a few minutes of it, the same answer; further off, not judged here.
  if (fromClock && typeof result.output === 'number') {
    // The unit of the output: the one its text opens with ("77,670 seconds"), else minutes for a span
    // to a time of day ("21 hours 35 minutes" is 1295). Anything else read from the clock ("30 days"
    // until Christmas) gets no slack: 33 days is not "the clock moved on".
    const opens = /^([\d,.]+)\s+(seconds|minutes|hours)\b/.exec(again.text)
    const span = (again.working ?? []).some(w => /^to .+\): \d+ seconds$/.test(w))
    const unit = opens !== null && Number(opens[1]!.replace(/,/g, '')) === expected ? opens[2]! : span ? 'minutes' : undefined
    const slack = unit === 'seconds' ? 300 : unit === 'hours' ? 0.1 : unit === 'minutes' ? 5 : 0
    if (unit !== undefined && Math.abs(result.output - expected) <= slack) return { verdict: { vote: 'support', confidence: 0.9, reason: `${how}: ${again.text}; the answer's ${math.format(result.output, { precision: 12 })} is within ${slack} ${unit} of it (the clock moved on in between, or the peers' clocks differ)` }, steps }
  }
  if (claimed.length !== 1 || fromClock) return undefined
  const reason = `${how}: ${again.text}, not ${math.format(claimed[0]!, { precision: 12 })}`
  return { verdict: { vote: 'dispute', confidence: 0.9, reason }, steps: [...steps, reason] }
}

/**
 * What a result without a value found, as the calculator says it (math.ts, nonFiniteReason):
 * 'undefined', 'infinity' or 'minus infinity'; undefined for a result with a value.
 */
function nonFinite (r: { text?: unknown, output?: unknown }): string | undefined {
  if (r.output !== null || typeof r.text !== 'string') return undefined
  return /^\s*(undefined|minus infinity|infinity)\s*:/i.exec(r.text)?.[1]!.toLowerCase()
}

/** A plain object of named numbers (several statistics of one list), or undefined. */
function numbersByName (value: unknown): Record<string, number> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const entries = Object.entries(value)
  return entries.length > 0 && entries.length <= 12 && entries.every(([, v]) => typeof v === 'number' && Number.isFinite(v)) ? Object.fromEntries(entries) as Record<string, number> : undefined
}

/** The number a quantity's text opens with ("402.336 km" → 402.336), or undefined when it opens with none. */
function leadingNumber (text: string): number | undefined {
  const m = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)(?:\s+[^\d\s][^\d]*)?\s*$/i.exec(text)
  return m === null ? undefined : Number(m[1])
}

/** Whether a claimed number is the computed one, to 9 significant digits (floating-point noise aside). */
function sameNumber (computed: number, claimed: number): boolean {
  return Math.abs(computed - claimed) <= 1e-9 * Math.max(1, Math.abs(computed))
}

/**
 * The answers to several questions re-computed (`again.output`, one per question) against those
 * claimed: support when every one is the same, dispute naming the first that is not. Undefined when
 * the claim is not a list of as many answers (then other checks judge it).
 */
function compareAnswers (again: AgentResult, result: { output?: unknown } | undefined): { verdict: Verdict, steps: string[] } | undefined {
  const expected = again.output as unknown[]
  const claimed = result?.output
  if (!Array.isArray(claimed) || claimed.length !== expected.length) return undefined
  const same = (a: unknown, b: unknown): boolean => typeof a === 'number' && typeof b === 'number' ? sameNumber(a, b) : JSON.stringify(a) === JSON.stringify(b)
  const steps = again.working ?? []
  const shown = (v: unknown): string => typeof v === 'number' ? math.format(v, { precision: 12 }) : JSON.stringify(v)
  const at = expected.findIndex((v, i) => !same(v, claimed[i]))
  if (at < 0) return { verdict: { vote: 'support', confidence: 0.99, reason: `re-computed ${expected.length} answers (${expected.map(shown).join(', ')}), as claimed` }, steps: [...steps, `re-computed: ${expected.map(shown).join(', ')}`] }
  const reason = `re-computed answer ${at + 1} of ${expected.length} = ${shown(expected[at])}, not ${shown(claimed[at])}`
  return { verdict: { vote: 'dispute', confidence: 0.99, reason }, steps: [...steps, reason] }
}


/**
 * A result to check that solves an equation ("Solve x^2 - 5x + 6 = 0" → [2, 3]): solved again and
 * the roots compared; undefined when the task is not an equation or the result is not a list of roots.
 */
function checkEquation (input: unknown): { verdict: Verdict, steps: string[] } | undefined {
  if (typeof input !== 'object' || input === null) return undefined
  const { task, result } = input as { task?: { text?: unknown }, result?: { output?: unknown } }
  const claimed = result?.output
  if (typeof task?.text !== 'string' || !Array.isArray(claimed) || !claimed.every(v => typeof v === 'number')) return undefined
  let solved
  try { solved = solveEquation(task.text) } catch { return undefined }
  if (solved === undefined || !(solved.output as unknown[]).every(v => typeof v === 'number')) return undefined
  const roots = solved.output as number[]
  // Each claimed root is put into the equation as written (not into the solver's polynomial), and the
  // count is compared with the equation solved again: a wrong root and a missing one both show.
  const equation = /^equation: (.+) = (.+)$/.exec(solved.steps[0] ?? '')
  const unknown = /^(\w+) = /.exec(solved.text)?.[1]
  const steps = [...solved.steps]
  for (const r of claimed as number[]) {
    if (equation === null || unknown === undefined) break
    const side = (t: string): number => Number(parseOnly(t).evaluate(new Map([[unknown, r]])))
    const [l, rr] = [side(equation[1]!), side(equation[2]!)]
    const holds = Math.abs(l - rr) <= 1e-7 * Math.max(1, Math.abs(l), Math.abs(rr))
    steps.push(`${unknown} = ${r}: ${equation[1]} is ${math.format(l, { precision: 12 })}, ${equation[2]} is ${math.format(rr, { precision: 12 })}${holds ? '' : ' (not equal)'}`)
    if (!holds) {
      const reason = `substituted: at ${unknown} = ${r} the two sides are ${math.format(l, { precision: 12 })} and ${math.format(rr, { precision: 12 })}`
      return { verdict: { vote: 'dispute', confidence: 0.99, reason }, steps: [...steps, reason] }
    }
  }
  const same = roots.length === claimed.length && roots.every((r, i) => sameNumber(r, claimed[i] as number))
  const shown = (claimed as number[]).join(', ') || 'no real root'
  const reason = same ? `re-solved and substituted: ${solved.text}, as claimed` : `re-solved: ${solved.text}, not ${shown}`
  return { verdict: { vote: same ? 'support' : 'dispute', confidence: 0.99, reason }, steps: [...steps, reason] }
}

/** The support or dispute a handed result states as a verifier's verdict (`output.verdict` or `verdict`), else undefined. */
function statedVerdict (result: { output?: unknown, verdict?: unknown }): Verdict | undefined {
  const output = result.output
  const v = (typeof output === 'object' && output !== null ? (output as { verdict?: unknown }).verdict : undefined) ?? result.verdict
  if (typeof v !== 'object' || v === null) return undefined
  const vote = (v as { vote?: unknown }).vote
  return vote === 'support' || vote === 'dispute' ? v as Verdict : undefined
}

/**
 * A verifier's verdict handed over to check: the claim it judged is checked again on this peer, and the
 * verdict supported when this peer votes the same way, disputed when it votes the other; abstained
 * when this peer cannot judge the claim. One level only: a verdict on a verdict's claim is not reviewed again.
 */
async function checkVerdictAgain (task: AgentTask, ctx: AgentContext): Promise<AgentResult | undefined> {
  const handed = readHanded(task.input)
  if (handed === undefined) return undefined
  const stated = statedVerdict(handed.result as { output?: unknown, verdict?: unknown })
  if (stated === undefined || readHanded(handed.task.input) !== undefined) return undefined
  const original: AgentTask = { id: `${String(handed.task.id ?? task.id)}:again`, text: handed.task.text, ...(handed.task.input !== undefined ? { input: handed.task.input } : {}) }
  const own = await handler(original, ctx)
  const mine = own.verdict!
  const working = [`claim: the verdict "${stated.vote}" on: ${handed.task.text}`, `checked the claim again on this peer: ${own.text}`, ...(own.working ?? []).map(w => `  ${w}`)]
  if (mine.vote === 'abstain') return result({ vote: 'abstain', confidence: 0, reason: `this peer cannot judge the claim itself: ${mine.reason}`, evidence: [] }, 'none', working)
  const agree = mine.vote === stated.vote
  const method = (own.output as VerifierOutput).method
  return result({
    vote: agree ? 'support' : 'dispute',
    confidence: Math.min(0.95, mine.confidence),
    reason: `checked the claim again on this peer: ${mine.vote === 'support' ? 'supported' : 'disputed'} (${mine.reason})${agree ? ', as the verdict says' : `, not ${stated.vote === 'support' ? 'supported' : 'disputed'}`}`,
    evidence: mine.evidence ?? []
  }, method, working)
}

function result (verdict: Verdict, method: VerifierOutput['method'], working: string[]): AgentResult {
  const label = verdict.vote === 'support' ? 'Supported' : verdict.vote === 'dispute' ? 'Disputed' : 'Abstained'
  const text = `${label} (confidence ${verdict.confidence.toFixed(2)}): ${verdict.reason}`
  return { text, output: { verdict, method } satisfies VerifierOutput, working, verdict, citations: verdict.evidence ?? [] }
}

/**
 * A result to check, as the coordination layer hands it over: `input: { task: { text }, result: { text, output? } }`.
 * If "<task> = <value>" is an arithmetic claim, that is the claim (the calculator's answers are
 * checked by re-computing them); otherwise the answer's text is the claim, judged against the graph.
 */
function resultClaim (input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined
  const { task, result } = input as { task?: { text?: unknown, input?: unknown }, result?: { text?: unknown, output?: unknown } }
  if (typeof result?.text !== 'string') return undefined
  const value = typeof result.output === 'number' || (typeof result.output === 'string' && result.output.length <= 60) ? String(result.output) : undefined
  if (typeof task?.text === 'string' && value !== undefined) {
    const arithmetic = `${trimSentenceEnd(task.text.trim())} = ${value}`
    if (checkArithmetic(arithmetic) !== undefined) return arithmetic
    // A mission part that works on an earlier result ("Double it" with s1 = 12): the claim is the
    // part with that result in it ("Double 12 = 24"), as the calculator read it.
    const referred = withUpstream(task.text, upstreamResults(task.input))
    if (referred !== undefined) {
      const restated = `${referred.text} = ${value}`
      if (checkArithmetic(restated) !== undefined) return restated
    }
  }
  // A researcher's answer wraps the claim in hedges about where it came from; the claim is what is left.
  return result.text
    .replace(/\s*\[[^\]]+\]/g, '')
    .replace(/^\s*(?:yes|no)\s*:\s*/i, '')
    // "You say <news>; the graph has nothing on that yet. What it has: <quote>": the quote is the claim.
    .replace(/^\s*you say: "[^"]*" the graph has nothing on that yet\.\s*what it has:\s*/i, '')
    .replace(/^\s*the graph agrees with what you say\s*:\s*/i, '')
    .replace(/^\s*according to (?:the )?(?:knowledge )?graph,?\s*/i, '')
    .replace(/\s*\((?:proposed|a hypothesis|disputed|not yet verified)[^)]*\)/gi, '')
    .replace(/\s*none of this has been verified yet\.?/i, '')
    .trim()
}

export function claimText (task: AgentTask): string {
  const given = inputText(task.input, 'claim') ?? resultClaim(task.input)
  const raw = (given ?? task.text).trim()
  return raw
    .replace(/^(?:please\s+)?(?:verify|check|validate|confirm(?:\s+or\s+dispute)?|fact-?check|double-check)(?:\s+(?:this|the|that|whether|if))*(?:\s+(?:claim|statement|answer))?\s*[:,-]?\s*/i, '')
    .replace(/^(?:is\s+it\s+(?:true|correct|right)\s+that|is\s+it\s+true:|true\s+or\s+false:?)\s*/i, '')
    .replace(/^(?:that)\s+/i, '')
    .replace(/\s*(?:\?|,\s*right\?)\s*$/, '')
    .trim()
}

/** The claim's own entity, when the caller did not say which it is: same text, not yet verified. */
function isItself (h: GraphHit, claim: string): boolean {
  return h.status === 'proposed' && plainWords(h.text) === plainWords(claim)
}

/** Whether two requests are the same, up to case, punctuation and spacing (`a` may be clipped with "…"). */
function sameRequest (a: string, b: string): boolean {
  const clipped = a.endsWith('…')
  const [x, y] = [plainWords(clipped ? a.slice(0, -1) : a), plainWords(b)]
  return x === y || (clipped && x.length > 0 && y.startsWith(x))
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

const CLAIMED_VALUE = /^(.*?\d.*?)\s*(?:={1,2}|≈|\bequals\b|\bis\s+equal\s+to\b|\bis\b|\bare\b|\bmakes\b|\bgives\b|\bcomes\s+to\b|\bwould\s+be\b)\s*((?:about|approximately|roughly|around|~)?\s*[-+]?[\d,]*\.?\d+(?:e[-+]?\d+)?(?:\s*[A-Za-z°µ][\w°µ/^ ]*)?)$/i
const APPROXIMATE = /\b(?:about|approximately|roughly|around)\b|~|≈/i

/**
 * `plainValues`: also compare a bare value with the claimed one ("(84) is 84", an earlier result put
 * in place of "the result"); without it a claim needs something to compute.
 */
export function checkArithmetic (claim: string, options: { plainValues?: boolean } = {}): { verdict: Verdict, steps: string[] } | undefined {
  // "two hundred divided by eight = 25" is as arithmetic as "200 / 8 = 25".
  const m = CLAIMED_VALUE.exec(numberWordsToDigits(claim.replace(/\s+/g, ' ').trim()))
  if (m === null) return undefined
  const left = translateRequest(m[1]!)
  // Only claims with something to compute: an operator, a function, a percentage or a conversion.
  if (!/[-+*/^%!]|\w\(| to /.test(left.expression) && options.plainValues !== true) return undefined
  const approx = APPROXIMATE.test(claim)
  const rightText = m[2]!.replace(/^(?:about|approximately|roughly|around|~)\s*/i, '').trim()
  const right = translateRequest(rightText)
  let computed
  let claimed
  try {
    computed = evaluateExpression(left.conversion !== undefined ? left.conversion.from : left.expression)
    claimed = evaluateExpression(right.expression)
  } catch (err) {
    if (err instanceof ExpressionError) return undefined
    throw err
  }
  // Rounded as the claim's request asks ("17% of 3,450 rounded to the nearest 10 = 590"): before, the
  // unrounded 586.5 disputed a right answer.
  if (left.rounding !== undefined && typeof computed.value === 'number' && Number.isFinite(computed.value)) {
    try { computed = applyRounding(computed, left.rounding) } catch { /* not a number to round: compared as it is */ }
  }
  // A conversion of a bare number is none ("How many weeks are in 2027" reads as "2027 to weeks"):
  // comparing 2027 with the claim would dispute a right year's length.
  if (left.conversion !== undefined && typeof computed.value === 'number') return undefined
  const steps = [`arithmetic claim: ${left.expression} = ${right.expression}`]
  const pair = comparable(computed.value, claimed.value)
  if (pair === undefined) return undefined
  const [got, want, unit] = pair
  // No value ("100 / 0 = 5"): say why the calculator's way, not "= Infinity".
  const none = Number.isFinite(got) ? undefined : nonFiniteReason(computed)
  if (none !== undefined) return { verdict: { vote: 'dispute', confidence: 0.99, reason: `re-computed: ${m[1]!.trim()} has no value (${none}), not ${rightText}`, evidence: [] }, steps: [...steps, `computed: ${none}`] }
  const { decimals, tolerance } = claimTolerance(want, rightText, approx)
  const shown = `${math.format(got, { precision: 12 })}${unit === '' ? '' : ` ${unit}`}`
  steps.push(`computed: ${shown}${decimals > 0 ? ` (claim rounds to ${decimals} decimal${decimals === 1 ? '' : 's'})` : ''}${approx ? ' (approximate claim: 5% tolerance)' : ''}`)
  if (Math.abs(got - want) <= tolerance) {
    return { verdict: { vote: 'support', confidence: 0.99, reason: `re-computed: ${m[1]!.trim()} = ${shown}, as claimed`, evidence: [] }, steps }
  }
  return { verdict: { vote: 'dispute', confidence: 0.99, reason: `re-computed: ${m[1]!.trim()} = ${shown}, not ${rightText}`, evidence: [] }, steps }
}

/**
 * How far a computed value may be from a claimed one: rounded to the decimals the claim shows
 * ("10 / 3 = 3.33" holds), exact for a whole number, 5% for an approximate claim ("about 400").
 */
function claimTolerance (claimed: number, claimedText: string, approx = false): { decimals: number, tolerance: number } {
  const decimals = /\.(\d+)/.exec(claimedText.replace(/,/g, ''))?.[1]?.length ?? 0
  // A half rounds either way: 12.675 shown as 12.68 is 0.00500000000000079 off in doubles.
  const tolerance = approx ? Math.abs(claimed) * 0.05 : Math.max(Math.abs(claimed) * 1e-9, decimals > 0 ? 0.5 * 10 ** -decimals * (1 + 1e-9) : 1e-9)
  return { decimals, tolerance }
}

/** A number as prose writes it: "1,450", "3.5", "12". */
const PROSE_NUMBER = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`
const PROSE_OPERATOR = String.raw`[-+*/×÷^]|\bx\b`
/**
 * "<number> <op> <number> [<op> <number>…] = <number>", parentheses allowed, not inside a longer token,
 * and not when the value goes on in a scale or unit prefix ("1920 x 1080 = 2 megapixels", "= 5%").
 */
const PROSE_EQUATION = new RegExp(String.raw`(?<![\w.,)])(\(*\s*(?:${PROSE_NUMBER})\s*\)*(?:\s*(?:${PROSE_OPERATOR})\s*\(*\s*(?:${PROSE_NUMBER})\s*\)*)+)\s*=\s*(-?(?:${PROSE_NUMBER}))(?![\w.,]*\d)(?!\s*(?:%|percent|per\s*cent|thousand|million|billion|trillion|[kmgt]b?\b|mega|giga|kilo|milli|micro|hundred|dozen))`, 'gi')
const MAX_PROSE_EQUATIONS = 20

/**
 * Every written-out sum inside a longer text ("holds 12 × 9 = 108 crates"), re-computed. `wrong` is
 * the first that does not hold (as a dispute's reason); `right` lists those that do. Undefined when
 * the text has none. The value may be rounded to the decimals it shows.
 */
export function checkEmbeddedEquations (text: string): { wrong?: string, right: string[], steps: string[] } | undefined {
  const right: string[] = []
  const steps: string[] = []
  let count = 0
  for (const m of text.matchAll(PROSE_EQUATION)) {
    if (++count > MAX_PROSE_EQUATIONS) break
    const written = m[1]!.trim()
    const expression = withoutThousands(written.replace(/×|\bx\b/gi, '*').replace(/÷/g, '/'))
    const claimedText = m[2]!
    const claimed = Number(claimedText.replace(/,/g, ''))
    let got: number
    try {
      const ev = evaluateExpression(expression)
      if (typeof ev.output !== 'number' || !Number.isFinite(ev.output)) continue
      got = ev.output
    } catch (err) {
      if (err instanceof ExpressionError) continue
      throw err
    }
    const { tolerance } = claimTolerance(claimed, claimedText)
    const shown = math.format(got, { precision: 12 })
    steps.push(`arithmetic in the text: ${written} = ${claimedText}; computed ${shown}`)
    if (Math.abs(got - claimed) > tolerance) return { wrong: `re-computed the arithmetic in it: ${written} = ${shown}, not ${claimedText}`, right, steps }
    right.push(`${written} = ${claimedText}`)
  }
  return steps.length === 0 ? undefined : { right, steps }
}

/** Both values as numbers in the claimed value's unit, or undefined if they cannot be compared. */
function comparable (computed: unknown, claimed: unknown): [number, number, string] | undefined {
  // "1/3 + 1/6 as a fraction" computes an exact fraction; the claim is its value.
  if (math.typeOf(computed) === 'Fraction') computed = Number(computed)
  if (math.typeOf(claimed) === 'Fraction') claimed = Number(claimed)
  if (typeof computed === 'number' && typeof claimed === 'number') return [computed, claimed, '']
  const isUnit = (v: unknown): v is { equalBase(u: unknown): boolean, toNumber(unit: string): number, formatUnits(): string } =>
    math.typeOf(v) === 'Unit'
  if (isUnit(computed) && isUnit(claimed) && computed.equalBase(claimed)) {
    const unit = claimed.formatUnits()
    return [computed.toNumber(unit), claimed.toNumber(unit), unit]
  }
  // "5 km is 5000": compare in the computed value's own unit.
  if (isUnit(computed) && typeof claimed === 'number') {
    const unit = computed.formatUnits()
    return [computed.toNumber(unit), claimed, unit]
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// The graph

interface Finding {
  judged: JudgedHit
  conflict?: string
  strength: number
}

export function judgeClaim (claim: string, hits: readonly GraphHit[], working: string[] = [], request?: string): Verdict {
  const judged = judgeHits(claim, hits)
  const findings: Finding[] = []
  for (const j of judged) {
    if (j.relevance < EVIDENCE_RELEVANCE) {
      working.push(`${describeHit(j)}: not close enough to count`)
      continue
    }
    const conflict = contradiction(claim, j.hit.text)
    // A task's verified answer is about its own request: a different number in it ("Convert 3.5 hours
    // to minutes: 210 minutes") says nothing against the answer to another ("604800 seconds").
    if (conflict !== undefined && j.hit.answers !== undefined && (request === undefined || !sameRequest(j.hit.answers, request))) {
      working.push(`${describeHit(j)}: the answer to another request ("${j.hit.answers.slice(0, 80)}"): not evidence against this claim`)
      continue
    }
    const strength = clamp01(j.relevance) * (VOUCH[j.hit.status] ?? 0.3) * (0.5 + 0.5 * clamp01(j.hit.confidence)) *
      (j.hit.kind === 'question' ? 0 : j.hit.kind === 'hypothesis' ? 0.6 : 1)
    findings.push(conflict === undefined ? { judged: j, strength } : { judged: j, conflict, strength })
    working.push(`${describeHit(j)}: ${conflict === undefined ? 'agrees' : conflict} (strength ${strength.toFixed(2)})`)
  }
  const against = findings.filter((f) => f.conflict !== undefined).sort((a, b) => b.strength - a.strength)
  // Support needs more than topical closeness: the entity must mention most of what the claim says,
  // and at least half of what it is about besides its values. "The beta launches on 3 December 2026."
  // had been supported by "What is 3 weeks from next Monday?: Monday, 21 December 2026": 3, December
  // and 2026 were most of its words.
  const forIt = findings.filter((f) => {
    if (f.conflict !== undefined || f.judged.overlap < 0.6) return false
    if (sharesSubject(claim, f.judged.hit.text)) return true
    working.push(`[${f.judged.hit.id}] shares the claim's values but not what it is about: no support`)
    return false
  }).sort((a, b) => b.strength - a.strength)
  const dispute = against[0]?.strength ?? 0
  const support = forIt[0]?.strength ?? 0

  if (dispute >= MIN_STRENGTH && dispute >= support) {
    const top = against.filter((f) => f.strength >= MIN_STRENGTH)
    const lead = top[0]!
    return {
      vote: 'dispute',
      confidence: round(Math.min(0.95, 0.5 + dispute / 2) * (support > 0 ? 1 - support / 2 : 1)),
      reason: `[${lead.judged.hit.id}] (${lead.judged.hit.status}) ${lead.conflict}: "${lead.judged.hit.text}"`,
      evidence: top.map((f) => f.judged.hit.id)
    }
  }
  if (support >= MIN_STRENGTH) {
    const top = forIt.filter((f) => f.strength >= MIN_STRENGTH)
    const lead = top[0]!
    return {
      vote: 'support',
      confidence: round(Math.min(0.95, 0.5 + support / 2) * (dispute > 0 ? 1 - dispute / 2 : 1)),
      reason: `[${lead.judged.hit.id}] (${lead.judged.hit.status}) states the same: "${lead.judged.hit.text}"`,
      evidence: top.map((f) => f.judged.hit.id)
    }
  }
  if (findings.length === 0) {
    return { vote: 'abstain', confidence: 0, reason: NOTHING_KNOWN, evidence: [] }
  }
  return {
    vote: 'abstain',
    confidence: 0,
    reason: `related entities (${findings.map((f) => f.judged.hit.id).join(', ')}) neither clearly support nor contradict the claim, or are not verified`,
    evidence: []
  }
}

const NOTHING_KNOWN = 'nothing relevant is known in the graph and the claim is not arithmetic'

/** What a text is about: its terms that are not values (numbers, months, weekdays). */
function subjectTerms (text: string): string[] {
  return [...new Set(terms(text, 'literal').filter((t) => !isValueTerm(t)))]
}

/** Whether `entity` names at least half of what `claim` is about (all of it when that is one word). */
function sharesSubject (claim: string, entity: string): boolean {
  const mine = subjectTerms(claim)
  if (mine.length === 0) return true
  const theirs = new Set(terms(entity, 'literal'))
  return mine.filter((t) => theirs.has(t)).length * 2 >= mine.length
}

function round (x: number): number {
  return Math.round(x * 100) / 100
}
