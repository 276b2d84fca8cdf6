/**
 * When two statements say opposite things, read by patterns alone (no model). Shared by the verifier,
 * which weighs a claim against the graph's entities, and superseded.ts, which tells an update of a
 * statement from a conflict with it (the researcher raises a conflict when a statement a person asks
 * it to record is in conflict with one the graph holds).
 *
 * - {@link contradiction}: whether an entity flips a claim it is about (one of them negated, a pair of
 *   opposite words, other numbers). Loose on purpose: the verifier asks it only of entities relevant
 *   to the claim, and weighs what it finds by their status.
 * - {@link sameButFlipped}: stricter. Only a negation or opposite words flip, and the two must say the same thing apart from the flip (every content
 *   word of the shorter in the longer): "The login bug is not caused by the cache TTL." against "The
 *   login bug is caused by the cache TTL." do; "The login page does not load on Safari." against "The
 *   login page loads in 2 seconds." do not. Nor do two that name other values: "The nightly backup does
 *   not run on Sundays." restricts "The nightly backup runs at 02:00."; it does not deny it.
 */
import { terms } from '../../match/score.ts'

const NEGATION = /\b(?:not|no|never|none|nobody|nothing|neither|nor|cannot|without|false|untrue)\b|n['’]t\b/gi

/** Pairs of words that flip a statement. Both directions are checked. */
const ANTONYMS: [string, string][] = [
  ['enabled', 'disabled'], ['enable', 'disable'], ['on', 'off'], ['open', 'closed'], ['true', 'false'],
  ['increase', 'decrease'], ['increased', 'decreased'], ['increases', 'decreases'], ['rise', 'fall'], ['rose', 'fell'],
  ['up', 'down'], ['higher', 'lower'], ['more', 'less'], ['faster', 'slower'], ['fast', 'slow'], ['larger', 'smaller'],
  ['bigger', 'smaller'], ['before', 'after'], ['allowed', 'forbidden'], ['allow', 'forbid'], ['accepted', 'rejected'],
  ['accept', 'reject'], ['approved', 'rejected'], ['pass', 'fail'], ['passed', 'failed'], ['passes', 'fails'],
  ['success', 'failure'], ['succeeded', 'failed'], ['win', 'lose'], ['won', 'lost'], ['online', 'offline'],
  ['start', 'stop'], ['started', 'stopped'], ['always', 'never'], ['all', 'none'], ['present', 'absent'],
  ['alive', 'dead'], ['safe', 'unsafe'], ['valid', 'invalid'], ['supported', 'unsupported'], ['secure', 'insecure'],
  ['available', 'unavailable'], ['public', 'private'], ['included', 'excluded'], ['sync', 'async'],
  ['synchronous', 'asynchronous'], ['minimum', 'maximum'], ['first', 'last'], ['cheaper', 'dearer'], ['hot', 'cold'],
  ['north', 'south'], ['east', 'west'], ['left', 'right'], ['above', 'below'], ['inside', 'outside'], ['required', 'optional']
]

/** Each word of an opposite pair, with the words it is the opposite of. */
const OPPOSITES = new Map<string, string[]>()
for (const [a, b] of ANTONYMS) {
  OPPOSITES.set(a, [...(OPPOSITES.get(a) ?? []), b])
  OPPOSITES.set(b, [...(OPPOSITES.get(b) ?? []), a])
}

/**
 * The words of a text that have an opposite ("enabled", "off", ...), each once, and what would flip
 * each: cheap (no stemming), for an index that looks up which statements could be flips of one another.
 */
export function flipWords (text: string): Array<{ word: string, opposites: readonly string[] }> {
  const out: Array<{ word: string, opposites: readonly string[] }> = []
  for (const w of new Set(words(text))) {
    const opposites = OPPOSITES.get(w)
    if (opposites !== undefined) out.push({ word: w, opposites })
  }
  return out
}

/** Words that are values, not what a statement says about its subject. */
const VALUE_WORDS = new Set(['am', 'pm', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'].flatMap((w) => terms(w)))

/** Whether a term (match/score.ts `terms`) is a value rather than what a statement is about: a number, a month or weekday, am/pm. */
export function isValueTerm (term: string): boolean {
  return /^\p{N}/u.test(term) || VALUE_WORDS.has(term)
}

/** Whether a text is negated: an odd number of negations ("not", "never", "n't", ...). */
export function isNegated (text: string): boolean {
  return (text.match(NEGATION) ?? []).length % 2 === 1
}

/** Why `fact` contradicts `claim` when both are about the same thing, or undefined. `named`: how the reason names the claim. */
export function contradiction (claim: string, fact: string, named = 'the claim'): string | undefined {
  if (isNegated(claim) !== isNegated(fact)) return 'says the opposite (one of them is negated)'
  const cw = new Set(words(claim))
  const fw = new Set(words(fact))
  for (const [a, b] of ANTONYMS) {
    if (cw.has(a) && fw.has(b) && !fw.has(a) && !cw.has(b)) return `says "${b}" where ${named} says "${a}"`
    if (cw.has(b) && fw.has(a) && !fw.has(b) && !cw.has(a)) return `says "${a}" where ${named} says "${b}"`
  }
  const cn = numbers(claim)
  const fn = numbers(fact)
  if (cn.length > 0 && fn.length > 0 && !cn.some((n) => fn.includes(n))) {
    return `gives ${fn.join(', ')} where ${named} says ${cn.join(', ')}`
  }
  return undefined
}

/**
 * Why `earlier` says the opposite of `later` (one of them negated, or a pair of opposite words: not
 * other numbers) when they say the same thing apart from the flip (every
 * content word of the shorter, besides negations, opposite words and values, in the longer), or
 * undefined. Whether that is a conflict or an update depends on which came later and whether it says
 * something changed: superseded.ts.
 */
export function sameButFlipped (later: string, earlier: string): string | undefined {
  return flippedGiven(later, earlier, contradiction(later, earlier, 'this statement'))
}

/** {@link sameButFlipped}, given what {@link contradiction} says of the two (read once by callers that need both). */
function flippedGiven (later: string, earlier: string, why: string | undefined): string | undefined {
  // Other numbers for the same thing are an update or a different statement (superseded.ts), no flip.
  if (why === undefined || why.startsWith('gives ')) return undefined
  const a = statementTerms(later)
  const b = statementTerms(earlier)
  // The values each names must allow the flip: the negated one may name only values the other does
  // ("The nightly backup does not run on Sundays" restricts "The nightly backup runs at 02:00"; it
  // does not deny it), and opposite words must be said of the same values, if both name any.
  if (why.startsWith('says the opposite')) {
    const [neg, pos] = isNegated(later) ? [a.values, b.values] : [b.values, a.values]
    if ([...neg].some((v) => !pos.has(v))) return undefined
  } else if (a.values.size > 0 && b.values.size > 0 && (a.values.size !== b.values.size || [...a.values].some((v) => !b.values.has(v)))) {
    return undefined
  }
  // Everything the shorter says besides the flip, the longer says too.
  const [short, long] = a.said.size <= b.said.size ? [a.said, b.said] : [b.said, a.said]
  if (short.size === 0) return undefined
  return [...short].every((t) => long.has(t)) ? why : undefined
}

/**
 * What a statement says besides any flip (`said`: its content terms, match/score.ts `terms`, literal,
 * without negations, opposite words and values) and the values it names (`values`: numbers, months,
 * weekdays), read once. Two statements {@link sameButFlipped} only when the shorter's `said` is within
 * the longer's: what an index of statements looks up to find the candidates cheaply.
 */
export function statementTerms (text: string): { said: Set<string>, values: Set<string> } {
  const said = new Set<string>()
  const values = new Set<string>()
  for (const t of terms(text, 'literal')) {
    if (isValueTerm(t)) values.add(t)
    else if (!FLIP_TERMS.has(t) && !NEGATION_TERMS.has(t)) said.add(t)
  }
  return { said, values }
}

/**
 * How a decision stands to a statement: it `holds` the statement when it says everything the statement
 * says and flips nothing ("Decision: the login bug is caused by the cache TTL." and "The login bug is
 * caused by the cache TTL."), it `overrules` one it says the same as but flipped ({@link sameButFlipped}),
 * or neither (undefined). A decision's own words ("decided", "agreed") are left out of the comparison by
 * the caller's choice of text; any extra word of the decision's is allowed.
 */
export function sideTaken (decision: string, statement: string): 'holds' | 'overrules' | undefined {
  const why = contradiction(decision, statement, 'this statement')
  if (flippedGiven(decision, statement, why) !== undefined) return 'overrules'
  if (why !== undefined) return undefined
  const said = new Set(terms(decision, 'literal'))
  const stated = terms(statement, 'literal')
  return stated.length > 0 && stated.every((t) => said.has(t)) ? 'holds' : undefined
}

const NEGATION_TERMS = new Set(['not', 'no', 'never', 'none', 'nobody', 'nothing', 'neither', 'nor', 'cannot', 'without', 'false', 'untrue', 'don', 'doesn', 'isn', 'aren', 'wasn', 'weren', 'won', 'can', 'didn', 'hasn', 'haven', 'shouldn', 'wouldn', 'couldn', 't'].flatMap((w) => terms(w)))
const FLIP_TERMS = new Set(ANTONYMS.flat().flatMap((w) => terms(w)))

/**
 * How a conflict entity between statements opens (written by the mesh's recorder, coord/graph-recorder.ts):
 * "Conflicting statements: "<one>" [<id>] says the opposite of "<other>" [<id>]."
 */
export const CONFLICTING_STATEMENTS = 'Conflicting statements: '

/** The ids a conflict entity between statements names, in order; none for any other text. */
export function conflictingIds (text: string): string[] {
  if (!text.startsWith(CONFLICTING_STATEMENTS)) return []
  return [...new Set([...text.matchAll(/\[([^\[\]\s"]+)\]/g)].map((m) => m[1]!))]
}

function words (s: string): string[] {
  return s.toLowerCase().match(/[\p{L}]+/gu) ?? []
}

function numbers (s: string): number[] {
  return (s.replace(/(\d),(\d{3})\b/g, '$1$2').match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number)
}
