/**
 * The calculator: evaluates arithmetic, unit conversions and statistics found in a request written
 * in words ("what is 17% of 2,340?", "convert 5 miles to km", "mean of 3, 5, 9") with a restricted
 * mathjs instance (see math.ts). `input.expression` (a mathjs expression) overrides the text.
 *
 * In a mission a subtask such as "Multiply it by 3" gets the results it depends on in `task.input`
 * (`{ s1: 1024 }`, task-input.ts); the words that refer back to them ("it", "the total", "them") are
 * replaced by the numbers before the request is translated, and an operation with no operand of its
 * own ("Take the square root") applies to the one earlier result. Days between dates: dates.ts.
 */
import { AgentToolError, type AgentContext, type AgentResult, type AgentTask, type GraphHit } from '../types.ts'
import { applyRounding, arithmeticRun, evaluateExpression, exactly, ExpressionError, nonFiniteReason, OPERAND, splitConversion, translateRequest, trimSentenceEnd, type Evaluation, type Translation } from './math.ts'
import { ageAnswer, clockAnswer, countDays, dateOffset, leapYearAnswer, MONTH, monthLengthAnswer, spanEnd, weekdayAnswer, workdaysAnswer, yearLengthAnswer } from './dates.ts'
import { clockArithmetic } from './clock-times.ts'
import { timeZoneAnswer } from './time-zones.ts'
import { polynomialCalculus, solveEquation } from './equations.ts'
import { checkNumberClaim } from './number-claims.ts'
import { convertAt, noRateError, readConversion, statedRate, type Conversion, type CurrencyAnswer } from './currency.ts'
import { affordCount, amountOverTime, amountsIn as moneyAmountsIn, asMoney, balanceOverTime, billSplit, growthOverTime, loanPayment, moneyEach, moneyLeft, moneyQuestion, overPeriods, savingsGoal, type MoneyReading } from './money.ts'
import { payOverTime } from './pay.ts'
import { listed } from './wording.ts'
import { compareQuantities } from './compare-quantities.ts'
import { measureAnswer } from './measures.ts'
import { baseConversion } from './number-bases.ts'
import { revenueOfPayers } from './revenue.ts'
import { conversionBeforeTravel } from './travel.ts'
import { tellsCalculatorStory } from './stories.ts'
import { readWordProblem } from './word-problems.ts'
import { inputRecord, upstreamNumber, upstreamResults, upstreamText, type Upstream } from './task-input.ts'
import { byStanding, eachOfNamed, fromGraph, namedOperands, notUsed, standsBy, statedCount, toldMomentAsked, valueStatedBy } from './named-values.ts'

export async function handler (task: AgentTask, ctx: AgentContext): Promise<AgentResult> {
  ctx.signal.throwIfAborted()
  const input = inputRecord(task.input)
  const given = typeof input.expression === 'string' ? input.expression : undefined
  const asked = given ?? task.text
  if (asked.trim() === '') throw new Error('calculator: the request is empty; give an expression such as "2 * (3 + 4)"')
  const upstream = upstreamResults(task.input)
  if (given === undefined) {
    const chained = await chain(asked, upstream, task, ctx)
    if (chained !== undefined) return chained
  }
  try {
    return await calculate(asked, given, upstream, task, ctx)
  } catch (err) {
    // "What is 10% of the Q1 budget?": a value the request names and the room's graph states
    // ("The Q1 budget is $48,000"), written in and computed with, cited.
    if (given !== undefined || !(err instanceof Error) || !err.message.startsWith('calculator:')) throw err
    // "Our standup is at 9:30am New York time. What time is that in Berlin?": the moment told, written in.
    const told = toldMomentAsked(asked)
    if (told !== undefined) {
      const again = await calculate(told.text, undefined, upstream, task, ctx).catch((e: unknown) => {
        if (e instanceof Error && e.message.startsWith('calculator:')) return undefined
        throw e
      })
      if (again !== undefined) return { ...again, working: workingOf(asked, [`"${told.word}" is ${told.moment}, as the request says`, `read as: ${told.text}`], again) }
    }
    const named = await namedValuesFromGraph(asked, ctx)
    if (named === undefined) throw err
    if (named.cited.length === 0) throw new Error(`${err.message}; the room's graph states no value for ${named.missing.map(p => `'${p}'`).join(' or ')} either`)
    let again: AgentResult
    try {
      again = await calculate(named.text, undefined, upstream, task, ctx)
    } catch (retry) {
      if (!(retry instanceof Error) || !retry.message.startsWith('calculator:')) throw retry
      throw new Error(`${err.message}; with ${named.read}, it still fails: ${retry.message.replace(/^calculator: /, '')}`)
    }
    return {
      ...again,
      text: `${again.text}, with ${named.read}`,
      working: workingOf(asked, named.steps, again),
      citations: [...new Set([...named.cited, ...(again.citations ?? [])])]
    }
  }
}

/** The working of a request answered as it was read again: the request, how it was read, then the answer's own steps. */
function workingOf (asked: string, reading: readonly string[], again: AgentResult): string[] {
  return [`request: ${asked.trim()}`, ...reading, ...(again.working ?? []).filter(w => !w.startsWith('request: '))]
}

/** ", as the graph states", with " (not yet verified)" unless the statement is verified. */
function asTheGraphStates (hit: GraphHit): string {
  return `, as the graph states${hit.status === 'verified' ? '' : ' (not yet verified)'}`
}

/**
 * The request with each value it names written in, as the room's graph states it ("What is 10% of
 * the Q1 budget?" → "What is 10% of $48,000?"), and the names it states nothing for; undefined when
 * the request names nothing or the graph cannot be read here. Of several statements of one name, a
 * verified one wins, then the newest: "The Q1 budget is now $52,000" said after "$48,000".
 */
async function namedValuesFromGraph (asked: string, ctx: AgentContext): Promise<{ text: string, read: string, steps: string[], cited: string[], missing: string[] } | undefined> {
  const operands = namedOperands(asked).slice(0, 3)
  if (operands.length === 0) return undefined
  let text = asked
  const reads: string[] = []
  const steps: string[] = []
  const cited: string[] = []
  const missing: string[] = []
  for (const operand of operands) {
    let hits: GraphHit[]
    try {
      hits = await ctx.graph.search(operand.name, 10)
    } catch {
      return undefined
    }
    // "each person on our team" with "Our team has 8 people" stated: "each of the 8 people".
    const each = eachOfNamed(text, operand.phrase)
    const counted = each === undefined ? undefined : hits.filter(standsBy).flatMap(h => { const c = statedCount(h.text, operand.name); return c === undefined ? [] : [{ hit: h, ...c }] }).sort((a, b) => byStanding(a.hit, b.hit))[0]
    if (each !== undefined && counted !== undefined) {
      text = text.replace(each.span, `each of the ${counted.n} ${counted.things}`)
      reads.push(`${operand.phrase} at ${counted.n} ${counted.things}${asTheGraphStates(counted.hit)}`)
      steps.push(`${operand.phrase}: ${counted.n} ${counted.things}, ${fromGraph(counted.hit)}`)
      cited.push(counted.hit.id)
      continue
    }
    const stated = hits
      .flatMap(h => { const v = valueStatedBy(h, operand.name); return v === undefined ? [] : [{ hit: h, ...v }] })
      .sort((a, b) => byStanding(a.hit, b.hit))
    const best = stated[0]
    const at = text.indexOf(operand.phrase)
    if (best === undefined || at < 0) {
      missing.push(operand.phrase)
      continue
    }
    // "The hiring budget is 120k" in a request about dollars ("3 engineers at $35,000 each, how much of
    // the hiring budget is left?"): read in the request's one currency, and the working says so.
    const symbols = new Set(moneyAmountsIn(text).map(a => a.currency.symbol))
    const value = /^-?\d[\d,]*(?:\.\d+)?$/.test(best.value) && symbols.size === 1 ? best.value.replace(/^(-?)/, `$1${[...symbols][0]!}`) : best.value
    // "The office rent is $4,500 a month": "for a year" of it is 12 months' (money.ts amountOverTime).
    const per = best.per !== undefined && overPeriods(text) ? ` ${best.per}` : ''
    text = `${text.slice(0, at)}${value}${per}${text.slice(at + operand.phrase.length)}`
    reads.push(`${operand.phrase} ${/^\d{1,2} [A-Z][a-z]+ \d{4}$/.test(best.said) ? 'on' : 'at'} ${best.said}${asTheGraphStates(best.hit)}`)
    steps.push(`${operand.phrase} = ${best.value}, ${fromGraph(best.hit)}`)
    if (value !== best.value) steps.push(`${best.value} read in ${[...symbols][0]!}, the currency of the request's other amounts`)
    const others = stated.slice(1).filter(o => o.value !== best.value)
    for (const o of others.slice(0, 3)) steps.push(notUsed(`${operand.phrase} as ${o.said}`, o.hit, best.hit))
    cited.push(best.hit.id)
  }
  steps.push(`read as: ${text.trim()}`)
  return { text, read: reads.join('; '), steps, cited, missing }
}

/**
 * Operations that may start a step of a chain ("..., then double it", "... and add 1"), or a
 * question of its own ("... and what is 6 * 7?").
 */
const STEP_VERB = String.raw`(?:double|halve|triple|quadruple|square|cube|negate|add|subtract|deduct|multiply|divide|increase|decrease|reduce|raise|lower|take|round|find|compute|calculate|work\s+out|convert|what\s+is|what's|how\s+much\s+is)`
const STEP_BREAK = new RegExp(String.raw`(?:,\s*(?:and\s+)?then|\s+and\s+then|\s+then|\s*;|,\s*and|,|\s+and)\s+(?=${STEP_VERB}\b)`, 'i')
const MAX_STEPS = 8

/**
 * A request that is a chain of operations, each on the result of the one before ("Take the square
 * root of it and double the result", "Square 5, then add 1"): each step is computed in turn, the
 * next one reading "it", "the result" or its missing operand as the step before's result. A later
 * part that does not work on the one before is a question of its own ("Compute 2 + 2 and compute
 * 3 + 3", "what is 5 + 5 and what is 6 * 7?"): each is answered, in order (before, only the first
 * was). Undefined when the request is not such a chain (a first step that fails leaves the whole to
 * the other readings). A later step or question that fails is an error naming it.
 */
async function chain (asked: string, upstream: Upstream[], task: AgentTask, ctx: AgentContext): Promise<AgentResult | undefined> {
  const clauses = trimSentenceEnd(asked.trim().replace(/\s+/g, ' ')).split(STEP_BREAK).map(c => c.trim())
  if (clauses.length < 2 || clauses.length > MAX_STEPS || clauses.some(c => c === '')) return undefined
  // "Split a $96 bill among 4 people and add a 20% tip" is one story (money.ts), not two steps: the
  // second step alone ("add a 20% tip") failed it.
  if (tellsCalculatorStory(asked)) return undefined
  /** Each question asked, with its steps: a step that works on the one before joins its question. */
  const questions: { asked: string, result: AgentResult, working: string[] }[] = []
  let last: AgentResult | undefined
  /** Graph entities any step relied on (an exchange rate). */
  const cited = new Set<string>()
  for (const [i, clause] of clauses.entries()) {
    let from = upstream
    let refers = false
    if (last !== undefined) {
      const before = [{ id: `step ${i}`, value: last.output }]
      refers = worksOn(clause, before)
      if (refers) from = before
    }
    try {
      last = await calculate(clause, undefined, from, task, ctx)
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('calculator:')) throw err
      if (i === 0) return undefined
      const what = refers ? `step ${i + 1} of ${clauses.length} ('${clause}'), on ${upstreamText(last!.output)}` : `part ${i + 1} of ${clauses.length} ('${clause}')`
      throw new Error(`calculator: ${what}: ${err.message.replace(/^calculator: /, '')}`)
    }
    for (const id of last.citations ?? []) cited.add(id)
    const steps = (last.working ?? []).filter(w => !w.startsWith('request: ')).map(w => `  ${w}`)
    const current = questions.at(-1)
    if (current === undefined || !refers) questions.push({ asked: clause, result: last, working: [`step 1: ${clause}`, ...steps] })
    else {
      current.result = last
      current.asked = `${current.asked}, then ${clause.replace(/^[A-Z](?=[a-z])/, c => c.toLowerCase())}`
      current.working.push(`step ${current.working.filter(w => w.startsWith('step ')).length + 1}: ${clause}`, ...steps)
    }
    // "Undefined: 10 / 0 divides by zero" ends a chain: there is nothing to carry on. A later
    // question of its own is still asked.
    if (last.output === null && i + 1 < clauses.length) {
      if (worksOn(clauses[i + 1]!, [{ id: 'step', value: null }])) break
    }
  }
  const citations = cited.size > 0 ? { citations: [...cited] } : {}
  if (questions.length === 1) return { ...last!, working: [`request: ${asked.trim()}`, ...questions[0]!.working], ...citations }
  return {
    text: questions.map(q => `${q.asked}: ${q.result.text}`).join('; '),
    output: questions.map(q => q.result.output),
    working: [`request: ${asked.trim()}`, `${questions.length} questions, each answered`, ...questions.flatMap((q, n) => [`question ${n + 1}: ${q.asked}`, ...q.working.map(w => `  ${w}`)])],
    ...citations
  }
}

/** Whether a step refers to the result before it (a reference to a result it cannot use still refers). */
function worksOn (clause: string, before: Upstream[]): boolean {
  try { return referBack(clause, before) !== undefined } catch { return true }
}

/**
 * A task re-computed as a chain of operations, as the calculator computes it; undefined when its
 * text is not a chain. For the verifier, which checks a chain's result by computing it again.
 */
export async function computeChain (task: AgentTask, ctx: AgentContext): Promise<AgentResult | undefined> {
  return await chain(task.text, upstreamResults(task.input), task, ctx)
}

/** One request (or one step of a chain) read every way the calculator knows, given the earlier results it may refer to. */
async function calculate (asked: string, given: string | undefined, upstream: Upstream[], task: AgentTask, ctx: AgentContext): Promise<AgentResult> {
  /** An answer found by one of the readings below, with the request and its steps as the working. */
  const answer = (text: string, output: unknown, steps: string[]): AgentResult => {
    ctx.progress(1)
    return { text, output, working: [`request: ${asked.trim()}`, ...steps] }
  }
  // Leap years: "Is 2027 a leap year?", "When is the next leap year?".
  const leap = given === undefined ? leapYearAnswer(asked, Date.now(), task.timeZone) : undefined
  if (leap !== undefined) return answer(leap.text, leap.output, leap.steps)
  // A year's or a month's length: "How many weeks are in 2027?", "How many hours are there in March?".
  const yearLength = given === undefined ? yearLengthAnswer(asked, Date.now(), task.timeZone) ?? monthLengthAnswer(asked, Date.now(), task.timeZone) : undefined
  if (yearLength !== undefined) return answer(yearLength.text, yearLength.output, yearLength.steps)
  // A question about a whole number: "Is 91 prime?", "is 1,024 divisible by 8".
  const property = given === undefined ? checkNumberClaim(asked.trim().replace(/^(?:please\s+)?(?:tell\s+me\s+)?(?:whether|if)\s+/i, '')) : undefined
  if (property !== undefined) {
    const holds = property.verdict.vote === 'support'
    return answer(`${holds ? 'Yes' : 'No'}: ${property.steps[1]!}`, holds, property.steps)
  }
  // A time in another place ("What time is 9am in London in Tokyo?", "Convert 3pm EST to CET"), or
  // the difference between two places' clocks.
  const zoned = given === undefined ? timeZoneAnswer(asked, Date.now(), task.timeZone) : undefined
  if (zoned !== undefined) return answer(zoned.text, zoned.output, zoned.steps)
  // The clock ("What time is it?", "What is today's date?"), in the person's time zone.
  const clock = given === undefined ? clockAnswer(asked, Date.now(), task.timeZone) : undefined
  if (clock !== undefined) return answer(clock.text, clock.output, clock.steps)
  // Times of day: "2 hours 35 minutes after 9:40", "from 9:15 to 17:40", "in 3 hours" (the person's zone).
  const timed = given === undefined ? clockArithmetic(asked, Date.now(), task.timeZone) : undefined
  if (timed !== undefined) return answer(timed.text, timed.output, timed.steps)
  if (given === undefined) {
    // Dates, read against the earlier results as text: a date at an offset ("What date is 90 days
    // from today?"), days between dates ("how many days between March 3 and ...", "weeks until ..."),
    // the weekday of a date ("What day of the week is March 3, 2027?", "... is that date?" in a mission).
    const earlier = upstream.map(u => ({ id: u.id, text: upstreamText(u.value) }))
    const dated = ageAnswer(asked, Date.now(), task.timeZone) ?? workdaysAnswer(asked, Date.now(), task.timeZone) ?? spanEnd(asked, Date.now(), task.timeZone) ??
      dateOffset(asked, earlier, Date.now(), task.timeZone) ??
      countDays(asked, earlier, Date.now(), task.timeZone) ??
      weekdayAnswer(asked, earlier, Date.now(), task.timeZone)
    if (dated !== undefined) return answer(dated.text, dated.output, dated.steps)
  }
  // An explicit expression means what it says; only words refer back to earlier results.
  let referred: ReturnType<typeof referBack>
  let referenceError: Error | undefined
  try {
    referred = given === undefined ? referBack(asked, upstream) : undefined
  } catch (err) {
    // A reference to a result that is not a number is the answer, unless the request computes
    // without it ("work out what it costs: 3 * 4.50" whose "it" is a text).
    if (!(err instanceof Error) || !err.message.startsWith('calculator:')) throw err
    referenceError = err
  }
  const request = referred?.text ?? asked

  // Money into another currency, at the rate the request gives ("100 euros to dollars at 1.08 dollars
  // per euro"), or else at the rate the room's graph states ("1 EUR = 1.08 USD"), cited.
  const conversion = given === undefined ? readConversion(request) : undefined
  if (conversion !== undefined) {
    if (conversion.rate !== undefined) {
      const money = convertAt(conversion, conversion.rate, conversion.reading!)
      return answer(money.text, money.output, [...(referred?.notes ?? []), ...money.steps])
    }
    const found = await convertAtGraphRate(conversion, ctx)
    return { ...answer(found.money.text + found.note, found.money.output, [...(referred?.notes ?? []), ...found.money.steps, ...found.steps]), citations: [found.entity.id] }
  }
  // A bill split between people ("Split a bill of $120 among 4 people with a 20% tip"), or an amount
  // every period over a span ("If I save $250 a month, how much after 18 months?"): money, to the cent.
  const afford = given === undefined ? affordCount(request) ?? savingsGoal(request) : undefined
  if (afford !== undefined) return answer(afford.text, afford.output, [...(referred?.notes ?? []), ...afford.steps])
  // Revenue from so many paying ("800 subscribers pay $12 a month: what is our annual revenue?"): before
  // pay at a rate, which read it as one person's $12 ($144 a year).
  /** A money reading computed: to the cent (or unit) in its currency, with what it is per. */
  const moneyAnswer = (r: MoneyReading): AgentResult => {
    const ev = evaluateExpression(r.expression)
    const m = asMoney(Number(ev.value), r.currency)
    return answer(`${m.text}${r.per !== undefined ? ` ${r.per}` : ''}`, m.value, [...(referred?.notes ?? []), r.note, `expression: ${ev.expression}`, `= ${ev.display}`, ...(m.value !== Number(ev.value) ? [`to the ${r.currency.decimals === 0 ? 'unit' : 'cent'}: ${m.text}`] : [])])
  }
  const revenue = given === undefined ? revenueOfPayers(request) : undefined
  if (revenue !== undefined) return moneyAnswer(revenue)
  // Pay at a rate taken to another period ("$25 an hour, 38 hours a week: what do I earn in a year?").
  const paid = given === undefined ? payOverTime(request) : undefined
  if (paid !== undefined) return answer(paid.text, paid.output, [...(referred?.notes ?? []), ...paid.steps])
  const shared = given === undefined ? billSplit(request) ?? loanPayment(request) ?? growthOverTime(request) ?? amountOverTime(request) ?? moneyLeft(request) ?? moneyEach(request) ?? balanceOverTime(request) : undefined
  if (shared !== undefined) return moneyAnswer(shared)
  // A distance converted, then a question of travel about it: both answered.
  const both = given === undefined ? conversionBeforeTravel(request) : undefined
  if (both !== undefined) {
    const converted = evaluateExpression(both.conversion)
    const travelled = evaluateExpression(both.travel.expression)
    return answer(`${both.from} = ${converted.display}; ${both.travel.note.split(' ')[0]!}: ${travelled.display}`, [converted.output, travelled.output], [...(referred?.notes ?? []),
      `${both.from} → ${converted.display}: ${both.conversion}`, both.travel.note, `expression: ${both.travel.expression}`, `= ${travelled.display}`])
  }
  // Which of two quantities is heavier, longer, ... ("Which is heavier, 2 kg or 3 pounds?"), or a
  // quantity every period over a span ("5 km every day for 3 weeks, how far in total?"), or one in
  // proportion to another ("6 litres per 100 km: how much fuel for 350 km?").
  const measured = given === undefined ? baseConversion(request) ?? compareQuantities(request) ?? measureAnswer(request) ?? splitConversion(request) : undefined
  if (measured !== undefined) return answer(measured.text, measured.output, [...(referred?.notes ?? []), ...measured.steps])
  // An equation with an unknown: "Solve x^2 - 5x + 6 = 0", "What is x if 3x - 4 = 11?"; a
  // polynomial's derivative or integral.
  const solved = given === undefined ? solveEquation(request) ?? polynomialCalculus(request) : undefined
  if (solved !== undefined) return answer(solved.text, solved.output, [...(referred?.notes ?? []), ...solved.steps])
  // A word problem: "Tom has 12 marbles. He gives 5 to Sara. How many marbles does Tom have left?"
  const story = given === undefined ? readWordProblem(request) : undefined
  if (story !== undefined && 'answer' in story) return answer(story.answer.text, story.answer.output, [...(referred?.notes ?? []), 'read as a word problem', ...story.answer.steps, `expression: ${story.answer.expression}`])

  const working: string[] = []
  const candidates: Translation[] = []
  if (given !== undefined) {
    candidates.push({ expression: given, steps: ['expression given in input.expression'] })
  } else {
    const t = translateRequest(request)
    candidates.push(t)
    const run = arithmeticRun(request)
    if (run !== undefined && run !== t.expression) candidates.push({ expression: run, steps: ['arithmetic picked out of the text'] })
  }

  let result: Evaluation | undefined
  let used = candidates[0]!
  let firstError: ExpressionError | undefined
  for (const c of candidates) {
    try {
      result = evaluateExpression(c.expression)
      used = c
      break
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err
      // A refused function (evaluate, import, ...) is an answer, not a reason to try another reading.
      if (/ is disabled$/.test(err.message)) throw new Error(`calculator: ${err.message}`)
      firstError ??= err
    }
  }
  if (result === undefined && given === undefined && firstError !== undefined) {
    // "3 apples plus 4 apples": things counted, not units; the count is the answer, in those things.
    const counted = countedThings(candidates[0]!.expression, firstError)
    if (counted !== undefined) return answer(counted.display, counted.output, [...(referred?.notes ?? []), ...candidates[0]!.steps, `counting ${counted.noun}: ${counted.expression}`, `= ${counted.display}`])
  }
  if (result === undefined && given === undefined) {
    // "Convert 1 mile to km and 1 kg to pounds": several conversions, each answered.
    const several = conversions(request)
    if (several !== undefined) return answer(several.map(c => { const shown = readableQuantity(c.display) ?? c.display; return shown.startsWith('≈ ') ? `${c.from} ${shown}` : `${c.from} = ${shown}` }).join('; '), several.map(c => c.display), several.map(c => `${c.from} → ${c.to}: ${c.expression} = ${c.display}`))
  }
  if (result === undefined) {
    if (referenceError !== undefined) throw referenceError
    if (story !== undefined && 'unreadable' in story) throw new Error(`calculator: this reads as a word problem, but I could not follow it: ${story.unreadable}`)
    if (given === undefined && !/[\d+\-*/^%()=<>!]|\b(?:pi|e|tau|phi)\b/i.test(request)) {
      throw new Error(`calculator: found no expression to evaluate in '${request.trim()}'`)
    }
    throw new Error(`calculator: ${firstError!.message}`)
  }

  if (given === undefined) working.push(`request: ${asked.trim()}`)
  if (referred !== undefined) working.push(...referred.notes, `read as: ${referred.text}`)
  if (referenceError !== undefined) working.push(`${referenceError.message.replace(/^calculator: /, '')}; computed without it`)
  working.push(...used.steps)
  working.push(`expression: ${result.expression}`)
  if (result.parsed.replace(/\s/g, '') !== result.expression.replace(/\s/g, '')) working.push(`parsed as: ${result.parsed}`)
  if (used.conversion !== undefined) working.push(`${used.conversion.from} = ${result.display}`)
  working.push(`= ${result.display}`)
  // "100 / 0" is Infinity to mathjs; to a person it is undefined, and a mission must not carry it on.
  const notFinite = nonFiniteReason(result)
  if (notFinite !== undefined) {
    working.push(notFinite)
    ctx.progress(1)
    return { text: notFinite[0]!.toUpperCase() + notFinite.slice(1), output: null, working }
  }
  if (used.rounding !== undefined) {
    result = applyRounding(result, used.rounding)
    working.push(`≈ ${result.display}`)
  }
  ctx.progress(1)
  const claim = typeof result.value === 'boolean' ? comparison(result.expression, result.value) : undefined
  if (claim !== undefined) working.push(claim)
  // What a sum of money comes to is money: to the cent, in its currency ("a 15% tip on $84.50" is
  // $12.68, not 12.675), unless the person asked for another rounding.
  const currency = given === undefined && claim === undefined && used.rounding === undefined && typeof result.output === 'number' ? moneyQuestion(asked) : undefined
  if (currency !== undefined) {
    const m = asMoney(result.output as number, currency)
    working.push(`money, to the ${currency.decimals === 0 ? 'unit' : 'cent'}: ${m.text}`)
    return { text: m.text, output: m.value, working }
  }
  // A converted quantity is shown to 6 significant digits, its degrees as °C and °F ("72 F to C" showed
  // "22.222222222222 degC"); the output keeps every digit, for a mission's next step and the verifier.
  const readable = used.conversion !== undefined && used.rounding === undefined ? readableQuantity(result.display) : undefined
  if (readable !== undefined && readable !== result.display) working.push(`shown as ${readable}`)
  // "How many seconds are in a year?": mathjs's year is 365.25 days, and a person who counts 365 needs
  // to see which year was meant (a leap year, "366 days", is read as such).
  const average = used.conversion === undefined ? undefined : averagePeriod(`${used.conversion.from} ${used.conversion.to}`)
  if (average !== undefined) working.push(average)
  const shown = readable === undefined || average === undefined ? readable : `${readable} (${average})`
  // "3/8 as a percentage": 37.5%, a long fraction to 6 significant digits ("≈ 33.3333%").
  const percent = used.percent === true && typeof result.output === 'number' ? `${readableNumber(result.display) ?? result.display}%` : undefined
  // "13.490737563232 (sample standard deviation)": which one, as a person needs to know.
  const which = used.statistic !== undefined && typeof result.output === 'number' ? ` (${used.statistic})` : ''
  const exact = percent === undefined && used.rounding === undefined ? exactFraction(result) : undefined
  if (exact !== undefined) working.push(`exactly: ${exact}`)
  return { text: claim ?? named(result.output) ?? shown ?? percent ?? (exact !== undefined ? `${exact} (${readableNumber(result.display) ?? result.display})` : undefined) ?? `${result.display}${which}`, output: result.output, working }
}

/** Which average a conversion through years or months counted with: mathjs's year is 365.25 days, its month a twelfth of that. */
function averagePeriod (units: string): string | undefined {
  if (/\b(?:years?|yr)\b/i.test(units)) return 'a year counted as 365.25 days, the average with leap years'
  if (/\bmonths?\b/i.test(units)) return 'a month counted as 30.44 days, an average month'
  return undefined
}

/** Fractions added, taken away or multiplied: "3/4 + 2/3", "(1/2) * (3/5) - 1/10". */
const FRACTION_ARITHMETIC = /^\s*\(?\s*\d+\s*\/\s*\d+\s*\)?(?:\s*[-+*]\s*\(?\s*\d+\s*\/\s*\d+\s*\)?)+\s*$/

/**
 * The exact fraction of arithmetic on fractions ("3/4 plus 2/3" is 17/12, not only 1.4166666666667),
 * when it is no whole number; undefined for anything else. The output stays the decimal.
 */
function exactFraction (result: Evaluation): string | undefined {
  if (typeof result.output !== 'number' || Number.isInteger(result.output) || !FRACTION_ARITHMETIC.test(result.expression)) return undefined
  try {
    const exact = evaluateExpression(exactly(result.expression)).display
    return /^-?\d+\/\d+$/.test(exact) ? exact : undefined
  } catch {
    return undefined
  }
}

/** Significant digits a converted quantity with a long fraction is shown with (every digit of its whole part is kept). */
const SHOWN_DIGITS = 6

/**
 * A quantity as a person reads it: "22.222222222222 degC" → "≈ 22.2222 °C", "402.336 km" as it is,
 * "1609344 mm" with all its digits. Undefined when `display` is not one number and a unit.
 */
function readableQuantity (display: string): string | undefined {
  const m = /^(\S+)\s+([A-Za-z°µ].*)$/.exec(display.trim())
  const n = m === null ? undefined : readableNumber(m[1]!)
  return n === undefined ? undefined : `${n} ${m![2]!.replace(/\bdeg([CF])\b/g, '°$1')}`
}

/** A number as mathjs displays it, as a person reads it ("22.222222222222" → "≈ 22.2222"); undefined when it is not one plain number. */
function readableNumber (display: string): string | undefined {
  if (!/^[-+]?\d+(?:\.\d+)?$/.test(display)) return undefined
  const value = Number(display)
  if (!Number.isFinite(value)) return undefined
  // Up to 10 significant digits are shown as they are ("1.609344 km" is exact); more are a long fraction.
  const significant = display.replace(/^[-+]?0*\.?0*/, '').replace('.', '').length
  if (significant <= 10) return display
  const whole = Math.abs(value) >= 1 ? Math.floor(Math.log10(Math.abs(value))) + 1 : 0
  const rounded = whole > 0 ? Number(value.toFixed(Math.max(0, SHOWN_DIGITS - whole))) : Number(value.toPrecision(SHOWN_DIGITS))
  return String(rounded).includes('e') ? display : `${rounded !== value ? '≈ ' : ''}${rounded}`
}

/**
 * A conversion the request gives no rate for, at the rate the room's knowledge graph states (a fact
 * such as "1 EUR = 1.08 USD" or "The EUR/USD exchange rate is 1.08"). The best entity is verified
 * before proposed, then the newest, then the most confident; retracted and disputed entities, and
 * questions, conflicts and known gaps, are never used. The answer names the entity, its status and
 * its age, and says when the graph holds other rates for the pair. No rate: the usual error, saying
 * the graph was searched too.
 */
async function convertAtGraphRate (c: Conversion, ctx: AgentContext): Promise<{ money: CurrencyAnswer, note: string, steps: string[], entity: GraphHit }> {
  let hits: GraphHit[]
  try {
    hits = await ctx.graph.search(`${c.from.code} ${c.to.code} exchange rate: ${c.from.plural} to ${c.to.plural}`, 10)
  } catch (err) {
    if (err instanceof AgentToolError) throw noRateError(c)
    throw noRateError(c, `the room's graph could not be searched (${(err as Error).message})`)
  }
  const rated = hits
    .filter(standsBy)
    .flatMap(h => { const r = statedRate(h.text, c.from, c.to); return r === undefined ? [] : [{ hit: h, ...r }] })
    .sort((a, b) => byStanding(a.hit, b.hit))
  const best = rated[0]
  if (best === undefined) throw noRateError(c, `the room's graph states no rate between ${c.from.plural} and ${c.to.plural} either (a fact such as "1 ${c.from.code} = <rate> ${c.to.code}" would be used)`)
  const when = best.hit.updatedAt !== undefined ? `${new Date(best.hit.updatedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC` : undefined
  const source = `${best.hit.kind} ${best.hit.id} (${best.hit.status}${when === undefined ? '' : `, recorded ${when}`})`
  const money = convertAt(c, best.rate, `${best.reading}, from the graph: "${best.hit.text}" (${source})`)
  const others = rated.slice(1).filter(r => Math.abs(r.rate - best.rate) > 1e-9 * best.rate)
  const steps = others.map(r => notUsed(r.reading, r.hit, best.hit))
  const note = ` (at ${best.reading}, the graph's ${best.hit.status} ${best.hit.kind}${when === undefined ? '' : ` of ${when}`}${others.length > 0 ? `; it holds ${others.length} other rate${others.length === 1 ? '' : 's'} for this pair` : ''})`
  return { money, note, steps, entity: best.hit }
}

/**
 * An expression whose only unknown words each follow a number and name one kind of thing ("3 apples
 * + 4 apples", "1 apple + 2 apples"), added or subtracted: evaluated without them, the result
 * counted in that thing. Different things ("3 apples + 4 oranges") are not added up, and things are
 * not multiplied ("3 chairs * 4 chairs"): undefined, and the error stands.
 */
function countedThings (expression: string, error: ExpressionError): { noun: string, expression: string, display: string, output: unknown } | undefined {
  let e = expression
  let err: ExpressionError = error
  const nouns: string[] = []
  for (let i = 0; i < 3; i++) {
    const m = /undefined symbol ([A-Za-z]+)$/.exec(err.message)
    if (m === null) return undefined
    const noun = m[1]!
    const uses = [...e.matchAll(new RegExp(String.raw`\b${noun}\b`, 'g'))]
    if (uses.length === 0 || !uses.every(u => /\d\s*$/.test(e.slice(0, u.index)))) return undefined
    if (nouns.length > 0 && !sameThing(nouns[0]!, noun)) return undefined
    nouns.push(noun)
    e = e.replace(new RegExp(String.raw`\s*\b${noun}\b`, 'g'), '')
    try {
      const ev = evaluateExpression(e)
      if (!/^[\d.\s+\-()]+$/.test(e) || typeof ev.value !== 'number' || !Number.isFinite(ev.value)) return undefined
      const plural = nouns.reduce((a, b) => b.length > a.length ? b : a)
      const singular = nouns.reduce((a, b) => b.length < a.length ? b : a)
      const word = Math.abs(ev.value) === 1 ? (singular !== plural ? singular : plural.replace(/(?<=(?:s|x|z|ch|sh))es$|s$/i, '')) : plural
      return { noun: plural, expression: e, display: `${ev.display} ${word}`, output: ev.output }
    } catch (next) {
      if (!(next instanceof ExpressionError)) throw next
      err = next
    }
  }
  return undefined
}

/** "apple" and "apples", "box" and "boxes": one kind of thing. */
function sameThing (a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()].sort((p, q) => p.length - q.length) as [string, string]
  return x === y || y === `${x}s` || y === `${x}es`
}

/** Several named results ("the mean and the median of ...") as a person reads them: "mean = 9, median = 7". */
function named (output: unknown): string | undefined {
  if (typeof output !== 'object' || output === null || Array.isArray(output)) return undefined
  return Object.entries(output).map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(', ') : String(v)}`).join(', ')
}

/** Two to six unit conversions in one request, each of which evaluates; undefined otherwise. */
function conversions (request: string): { from: string, to: string, expression: string, display: string }[] | undefined {
  const parts = request.split(/\s*;\s*|,\s*(?:and\s+)?|\s+and\s+(?=(?:convert\s+)?[-+]?[\d.])/i).map(p => p.trim()).filter(p => p !== '')
  if (parts.length < 2 || parts.length > 6) return undefined
  const out: { from: string, to: string, expression: string, display: string }[] = []
  for (const part of parts) {
    const t = translateRequest(part)
    if (t.conversion === undefined) return undefined
    try {
      const ev = evaluateExpression(t.expression)
      out.push({ ...t.conversion, expression: t.expression, display: ev.display })
    } catch {
      return undefined
    }
  }
  return out
}

/**
 * "2 + 2 == 5" evaluated to false said as a person asks it: "No: 2 + 2 = 4, not 5". Undefined for
 * any other boolean expression (it is shown as true or false).
 */
function comparison (expression: string, holds: boolean): string | undefined {
  const sides = expression.split(/\s*==\s*/)
  if (sides.length !== 2) return undefined
  try {
    const left = evaluateExpression(sides[0]!)
    const right = evaluateExpression(sides[1]!)
    return holds ? `Yes: ${sides[0]!.trim()} = ${right.display}` : `No: ${sides[0]!.trim()} = ${left.display}, not ${right.display}`
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------
// Earlier results

type Reference =
  /** One earlier result, unnamed ("it", "the total"): the last one, or in turn when there are as many references as results. */
  | { kind: 'one' }
  /** The last earlier result, named so ("the previous result"). */
  | { kind: 'last' }
  /** The n-th earlier result ("the second result"). */
  | { kind: 'nth', index: number }
  /** The result of a named subtask ("the result of s2", "s2"). */
  | { kind: 'id', id: string }
  /** The same value as the reference before it ("itself"). */
  | { kind: 'same' }
  /** All the earlier results ("them", "both", "the results"). */
  | { kind: 'several' }
  /** An operation on one earlier result ("its square root"): "the square root of <value>". */
  | { kind: 'its', noun: string }
  /** A statistic of all the earlier results ("their sum"): "the sum of <values>". */
  | { kind: 'theirs', noun: string }

const NOUN = String.raw`(?:result|answer|number|value|output|total|sum|product|figure|amount|difference|quotient)`
const NOUNS = String.raw`(?:results|answers|numbers|values|outputs|figures|totals|sums|products|amounts)`
const COUNT_WORD = String.raw`(?:two|three|four|five|six|seven|eight|nine|ten)`
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth']
/**
 * Not a reference when a number follows ("the number 5", "both 3 and 4") or the words name an
 * operation or a quantity of something else ("the sum of 3 and 4", "the value of 2 + 2").
 */
const NAMES_NOTHING = String.raw`(?!\s*[-+(]?\.?\d|\s+(?:of|between|for)\b)`

/** "the second result" is the second earlier result; "the last", "the previous" one the last. */
const ordinal = (m: RegExpExecArray): Reference => {
  const i = ORDINALS.indexOf(m[1]!.toLowerCase())
  return i < 0 ? { kind: 'last' } : { kind: 'nth', index: i }
}

/** The phrases that refer back, most specific first; a phrase inside an earlier match is not matched again. */
const REFERENCES: [RegExp, (m: RegExpExecArray) => Reference][] = [
  [/\b(?:the\s+(?:result|answer|output|value|number)\s+(?:of|from)\s+(?:step\s+|subtask\s+)?)?(s[1-9]\d?)\b/gi, (m) => ({ kind: 'id', id: m[1]!.toLowerCase() })],
  [new RegExp(String.raw`\b(?:all|both|each)\s+of\s+(?:them|these|those|the\s+(?:${COUNT_WORD}\s+)?${NOUNS})\b`, 'gi'), () => ({ kind: 'several' })],
  [new RegExp(String.raw`\b(?:(?:all|both)\s+)?(?:the|these|those|our|your|all|both)\s+(?:${COUNT_WORD}\s+)?(?:(?:previous|earlier|above|last)\s+)?${NOUNS}\b${NAMES_NOTHING}`, 'gi'), () => ({ kind: 'several' })],
  [new RegExp(String.raw`\b(?:previous|earlier|above)\s+${NOUNS}\b${NAMES_NOTHING}`, 'gi'), () => ({ kind: 'several' })],
  [new RegExp(String.raw`\b(?:the|all|these|those)\s+${COUNT_WORD}(?:\s+of\s+them)?\b${NAMES_NOTHING}`, 'gi'), () => ({ kind: 'several' })],
  [new RegExp(String.raw`\bthe\s+(${ORDINALS.join('|')}|last|latest|final|previous|preceding|prior|earlier)\s+(?:${NOUN}|one)\b${NAMES_NOTHING}`, 'gi'),
    ordinal],
  // "the second" alone only where an operand goes: "add the first result to the second".
  [new RegExp(String.raw`\bthe\s+(${ORDINALS.join('|')}|last|latest|previous)\b(?=\s*$|\s*[,;]|\s+(?:by|to|from|and|times|plus|minus|squared|cubed)\b)`, 'gi'),
    ordinal],
  [new RegExp(String.raw`\b(?:previous|preceding|prior|earlier|last|latest)\s+${NOUN}\b${NAMES_NOTHING}`, 'gi'), () => ({ kind: 'last' })],
  [new RegExp(String.raw`\b(?:the|that|this|our|your)\s+(?:same\s+|resulting\s+|final\s+|above\s+)?${NOUN}\b${NAMES_NOTHING}`, 'gi'), () => ({ kind: 'one' })],
  [/\btheir\s+(sum|total|product|mean|average|median|mode|maximum|minimum|max|min|variance|standard\s+deviation|count)\b/gi, (m) => ({ kind: 'theirs', noun: m[1]!.toLowerCase().replace(/\s+/g, ' ') })],
  [/\bits\s+(square\s+root|cube\s+root|square|cube|reciprocal|half|double|absolute\s+value|negative|factorial)\b/gi, (m) => ({ kind: 'its', noun: m[1]!.toLowerCase().replace(/\s+/g, ' ') })],
  [/\bits(?:\s+value)?\b/gi, () => ({ kind: 'one' })],
  [/\bitself\b/gi, () => ({ kind: 'same' })],
  // Not the "it" of "is it true that ...", "it's" or "what is it: 2 + 2".
  [/\bit\b(?!'|:|\s+(?:is\s+)?(?:true|correct|right|the\s+case)\b)/gi, () => ({ kind: 'one' })],
  [/\b(?:them|these|those|both)\b(?!\s*[-+(]?\.?\d)/gi, () => ({ kind: 'several' })],
  // "that" and "this" as pronouns, not conjunctions or determiners ("check that 2 + 2 = 4", "that is").
  [/(?<!\b(?:check|verify|ensure|confirm|make\s+sure|say|says|show|shows|prove|note|given|so|such)\s)\b(?:that|this)\b(?!\s*[-+(]?\.?\d|\s+(?:is|are|was|were|the|a|an|it|they|we|you|he|she|this|that|these|those|if|when|whether|one|way)\b)/gi, () => ({ kind: 'one' })]
]

/**
 * Operations without an operand of their own, and where the one earlier result goes: "Take the
 * square root" → "Take the square root of 1024", "Multiply by 3" → "Multiply 1024 by 3". The ones
 * marked `alone` apply only to a request with no number of its own ("square 5 km" is not one).
 */
const MISSING_OPERAND: { pattern: RegExp, insert: string, alone: boolean }[] = [
  { pattern: /\b((?:square|cube)\s+root)\b(?!\s+of\b)/i, insert: '$1 of $V', alone: true },
  { pattern: /\b(half|third|quarter|reciprocal|factorial|absolute\s+value)\b(?!\s+of\b)/i, insert: '$1 of $V', alone: true },
  { pattern: /\b(double|triple|quadruple|halve|square|cube|negate)\b(?!\s+(?:root|of)\b)/i, insert: '$1 $V', alone: true },
  { pattern: /\b(multiply|divide|increase|decrease|reduce|raise|lower|grow|cut|discount)\s+(?=by\b)/i, insert: '$1 $V ', alone: false },
  { pattern: /\b(raise)\s+(?=to\b)/i, insert: '$1 $V ', alone: false },
  { pattern: new RegExp(String.raw`\b(add)\s+(${OPERAND})\s*$`, 'i'), insert: '$1 $2 to $V', alone: false },
  { pattern: new RegExp(String.raw`\b(subtract|deduct|take\s+away)\s+(${OPERAND})\s*$`, 'i'), insert: '$1 $2 from $V', alone: false },
  // "Times 3", "plus 10%", "squared": an operator with nothing before it.
  { pattern: /^(?=(?:times|multiplied\s+by|divided\s+by|plus|minus|to\s+the\s+power|squared|cubed)\b|[*/+^])/i, insert: '$V ', alone: false },
  { pattern: /\b(of)\s*$/i, insert: '$1 $V', alone: false }
]

/**
 * The request with its references to earlier results replaced by their values, and notes on what
 * was replaced; undefined when there are no earlier results or the request does not refer to them.
 * A reference to a result that is not a number is an error naming the subtask.
 */
export function referBack (request: string, upstream: Upstream[]): { text: string, notes: string[] } | undefined {
  if (upstream.length === 0) return undefined
  const text = trimSentenceEnd(request.trim().replace(/\s+/g, ' '))
  const numbers = upstream.flatMap((u) => { const n = upstreamTerm(u.value); return n === undefined ? [] : [{ id: u.id, n }] })

  const found: { start: number, end: number, phrase: string, ref: Reference }[] = []
  for (const [pattern, read] of REFERENCES) {
    for (const m of text.matchAll(pattern)) {
      const start = m.index
      const end = start + m[0].length
      if (found.some((f) => start < f.end && f.start < end)) continue
      const ref = read(m)
      // "s2" is a reference only to a subtask that gave this one its result.
      if (ref.kind === 'id' && !upstream.some((u) => u.id === ref.id)) continue
      found.push({ start, end, phrase: m[0], ref })
    }
  }
  found.sort((a, b) => a.start - b.start)

  if (found.length === 0) {
    // No reference: an operation without its operand applies to the one earlier result.
    const rule = missingOperandRule(text)
    if (rule === undefined) return undefined
    if (numbers.length !== 1) {
      if (upstream.length === 1) throw notANumberError(upstream[0]!)
      return undefined
    }
    const only = numbers[0]!
    const value = only.n
    return {
      text: text.replace(rule.pattern, rule.insert.replace('$V', value)),
      notes: [`operand: ${value} (the result of ${only.id})`]
    }
  }

  const last = (): { id: string, n: string } => {
    const n = numbers[numbers.length - 1]
    if (n === undefined) throw notANumberError(upstream[upstream.length - 1]!)
    return n
  }
  const numberOf = (u: Upstream): { id: string, n: string } => {
    const n = upstreamTerm(u.value)
    if (n === undefined) throw notANumberError(u)
    return { id: u.id, n }
  }
  // Unnamed references take the results in turn when there are as many of each ("add this to that"),
  // else each is the last result ("multiply it by 3").
  const unnamed = found.filter((f) => f.ref.kind === 'one').length
  const inTurn = unnamed > 1 && unnamed === numbers.length
  let turn = 0
  let previous: { id: string, n: string } | undefined
  const notes: string[] = []
  let out = ''
  let at = 0
  for (const f of found) {
    let replacement: string
    const ref = f.ref
    if (ref.kind === 'several' || ref.kind === 'theirs') {
      // A result that is a list of numbers ("the primes below 20") gives each of them.
      const values = upstream.flatMap((u) => numbersIn(u)?.map((n) => ({ id: u.id, n })) ?? [numberOf(u)])
      const ids = [...new Set(values.map((v) => v.id))]
      replacement = ref.kind === 'theirs' ? `the ${ref.noun} of ${listed(values.map((v) => v.n))}` : listed(values.map((v) => v.n))
      notes.push(`"${f.phrase}" = ${ref.kind === 'theirs' ? replacement : values.map((v) => v.n).join(', ')} (the result${ids.length === 1 ? '' : 's'} of ${ids.join(', ')})`)
    } else {
      let value: { id: string, n: string }
      if (ref.kind === 'id') value = numberOf(upstream.find((u) => u.id === ref.id)!)
      else if (ref.kind === 'nth') {
        const u = upstream[ref.index]
        if (u === undefined) {
          throw new Error(`calculator: the request refers to "${f.phrase}", but there ${upstream.length === 1 ? 'is one earlier result' : `are ${upstream.length} earlier results`} (${upstream.map((x) => x.id).join(', ')})`)
        }
        value = numberOf(u)
      } else if (ref.kind === 'same') value = previous ?? last()
      else if (ref.kind === 'one' && inTurn) value = numbers[turn++]!
      else value = last()
      previous = value
      const shown = value.n
      replacement = ref.kind === 'its' ? `the ${ref.noun} of ${shown}` : shown
      notes.push(`"${f.phrase}" = ${replacement} (the result of ${value.id})`)
    }
    out += text.slice(at, f.start) + replacement
    at = f.end
  }
  return { text: out + text.slice(at), notes }
}

function missingOperandRule (text: string): (typeof MISSING_OPERAND)[number] | undefined {
  const numbered = /\d/.test(text)
  return MISSING_OPERAND.find((r) => r.pattern.test(text) && !(r.alone && numbered))
}

/**
 * Whether a request is an operation without its operand ("Add 1", "Take the square root", "Divide
 * by 3"), which works on an earlier result: the planner makes such a part depend on the one before.
 */
export function lacksOperand (request: string): boolean {
  return missingOperandRule(trimSentenceEnd(request.trim().replace(/\s+/g, ' '))) !== undefined
}

/**
 * An upstream result as a term of the request: a number (bracketed when negative, so "it squared" of
 * -5 is 25), or a quantity with a unit, as the calculator's own conversions give them ("8.04672 km":
 * "double it" is then 16.09344 km); undefined for anything else.
 */
function upstreamTerm (value: unknown): string | undefined {
  // The digits of an exact whole number beyond a double ("2^64"), kept: math.ts computes on them exactly.
  if (typeof value === 'string' && /^-?\d{16,1000}$/.test(value.trim())) return value.trim().startsWith('-') ? `(${value.trim()})` : value.trim()
  const n = upstreamNumber(value)
  if (n !== undefined) return asTerm(n)
  if (typeof value === 'string' && QUANTITY.test(value.trim())) return `(${value.trim()})`
  const said = numbersSaid(value)
  return said.length === 1 ? asTerm(said[0]!) : undefined
}

/**
 * The numbers an answer in words states ("According to the graph, the relay listens on port 9090
 * [fact:c2jt5...] (proposed, not yet verified)." → [9090]), so "Find the relay port and double it"
 * works on it: a researcher's answer (its `answer`) or any text result. Citations, dates and ids are
 * not numbers of the answer. Empty for anything else.
 */
function numbersSaid (value: unknown): number[] {
  const text = typeof value === 'string' ? value
    : typeof value === 'object' && value !== null && !Array.isArray(value)
      ? [(value as { answer?: unknown }).answer, (value as { text?: unknown }).text].find((x): x is string => typeof x === 'string')
      : undefined
  if (text === undefined || text.length > 2000) return []
  const plain = text
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\((?:proposed|a hypothesis|disputed|not yet verified)[^)]*\)/gi, ' ')
    .replace(/\b\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?\b/g, ' ')
    .replace(new RegExp(String.raw`\b${MONTH}\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?\b|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?${MONTH}(?:,?\s+\d{4})?\b`, 'gi'), ' ')
  return [...plain.matchAll(/(?<![\w.:-])[-+]?\d+(?:,\d{3})*(?:\.\d+)?(?![\w-]|\.\d)/g)].map(m => Number(m[0].replace(/,/g, ''))).filter(Number.isFinite)
}

/** An upstream result that is a list of numbers (2 to 10,000 of them), as terms; undefined otherwise. */
function numbersIn (u: Upstream): string[] | undefined {
  if (!Array.isArray(u.value) || u.value.length < 2 || u.value.length > 10_000) return undefined
  const terms = u.value.map(upstreamTerm)
  return terms.every((t): t is string => t !== undefined) ? terms : undefined
}

/** A number and a unit: "8.04672 km", "-3.5 degC", "1.5e3 m/s". */
const QUANTITY = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?\s*[A-Za-z°µ][\w°µ]*(?:\s*[/^*]\s*[A-Za-z°µ\d][\w°µ]*)*$/

/** A value as it goes into the words: a negative one bracketed, so "it squared" of -5 is 25. */
function asTerm (n: number): string {
  return n < 0 ? `(${n})` : String(n)
}


function notANumberError (u: Upstream): Error {
  const said = numbersSaid(u.value)
  if (said.length > 1) return new Error(`calculator: the request refers to the result of ${u.id}, which states ${said.length} numbers (${said.slice(0, 5).join(', ')}${said.length > 5 ? ', ...' : ''}); say which`)
  const text = upstreamText(u.value).replace(/\s+/g, ' ').trim()
  const shown = text.length > 60 ? `${text.slice(0, 59)}…` : text
  return new Error(`calculator: the request refers to the result of ${u.id}, which is not a number: ${JSON.stringify(shown)}`)
}
