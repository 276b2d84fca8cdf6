/**
 * Arithmetic word problems, read by rules: a short story of who has how many of what, what they
 * gain, lose, give, buy, share or pack into groups, and a "how many" / "how much" question about it.
 *
 *   "I have 3 apples and buy 4 more. How many apples do I have?"                 → 7 apples
 *   "Tom has 12 marbles. He gives 5 to Sara. How many marbles does Tom have left?" → 7 marbles
 *   "Tom has 5 apples and Sara has 3. How many more apples does Tom have than Sara?" → 2 apples
 *   "A baker packs 6 boxes with 12 muffins each. How many muffins is that?"       → 72 muffins
 *   "Share 20 sweets equally among 6 children. How many does each child get?"     → 3 each, 2 left over
 *   "If 3 pens cost $4.50, how much do 7 pens cost?"                              → $10.50
 *
 * The reader is deliberately strict: every sentence of the story that holds a number must be
 * understood, else it gives no answer (`unreadable` names the part it could not follow) rather than
 * a guess. No mathjs here: the calculator's bid rule (src/app/coord-boot.ts) runs this on every
 * announcement, and adding, multiplying and dividing counts needs none.
 */
import { DENOMINATOR, numberWordsToDigits } from './number-words.ts'

export interface WordProblemAnswer {
  /** The answer as a person reads it: "7 apples", "$10.50", "3 each, with 2 left over". */
  text: string
  output: number
  /** The arithmetic, e.g. "3 + 4". */
  expression: string
  steps: string[]
}

export type WordProblemReading = { answer: WordProblemAnswer } | { unreadable: string }

/** Characters, at most, of a request read as a word problem. */
export const MAX_LENGTH = 600

/** Money is counted as a thing of its own, "$": "$20" has 20 of it. */
const MONEY = '$'
const CURRENCY: Record<string, string> = { $: '$', '€': '€', '£': '£' }

const NUM = String.raw`(?:[$€£]\s?)?\d+(?:,\d{3})*(?:\.\d+)?`
const QUESTION = /\bhow\s+(many|much)\b/i
/** A count as a story states it: "12", "$4.50", "3 apples", "5 more pencils". */
const QTY = String.raw`(?:an?\s+)?${NUM}(?:\s+(?:more|other|extra|additional|new|fewer))?(?:\s+(?!and\b)[a-z]+)?`
/** Words that are never the thing counted. */
const NOT_A_NOUN = new Set([
  'more', 'fewer', 'less', 'each', 'of', 'to', 'from', 'and', 'at', 'for', 'per', 'in', 'on', 'with', 'into', 'among', 'between',
  'times', 'more', 'left', 'away', 'them', 'it', 'than', 'apiece', 'a', 'an', 'the', 'is', 'are', 'was', 'were', 'today', 'now',
  'then', 'other', 'others', 'altogether', 'total', 'groups', 'group', 'equally', 'evenly', 'but', 'so', 'if', 'he', 'she', 'they', 'we', 'i', 'you'
])
/** Units of time a rate is per ("20 pages a day"), and how many seconds each is. */
const TIME_UNIT = String.raw`second|minute|hour|day|week|month|year`
/** Seconds in a unit of time, by its singular name. */
export const SECONDS_IN: Readonly<Record<string, number>> = { second: 1, minute: 60, hour: 3600, day: 86_400, week: 604_800 }
/** "20 pages a day", "$15 an hour", "40 toys per hour", "3 books each week". */
const RATE = String.raw`(${NUM})(?:\s+([a-z]+))?\s+(?:a|an|per|each|every)\s+(${TIME_UNIT})`

/** How many `to` units are in `n` `from` units; undefined when the two do not convert (months and days). */
function timeIn (n: number, from: string, to: string): number | undefined {
  if (from === to) return n
  if (from === 'year' && to === 'month') return n * 12
  if (from === 'month' && to === 'year') return n / 12
  if (from === 'year' && to === 'week') return n * 52
  if (from === 'year' && to === 'day') return n * 365
  const a = SECONDS_IN[from]; const b = SECONDS_IN[to]
  return a === undefined || b === undefined ? undefined : n * a / b
}

/** Units are the unit converter's, rates of travel and time are not counted things. */
const UNIT_WORDS = /^(?:mm|cm|m|km|kg|g|mg|lb|lbs|oz|ml|l|mi|miles?|kilometres?|kilometers?|metres?|meters?|feet|foot|ft|inch(?:es)?|yards?|hours?|minutes?|seconds?|days?|weeks?|months?|years?|percent|degrees?|mph|kph)$/i
const PRONOUNS: Record<string, string> = { he: 'he', she: 'she', it: 'it', they: 'they', him: 'he', her: 'she', them: 'they' }
const PEOPLE_WORDS = new Set(['friends', 'friend', 'people', 'persons', 'children', 'kids', 'students', 'pupils', 'players', 'teams', 'boxes', 'bags', 'plates', 'baskets', 'tables', 'groups', 'classes', 'boys', 'girls', 'guests', 'workers', 'members', 'families', 'rows', 'shelves', 'jars', 'bowls', 'buckets', 'cars', 'buses', 'houses', 'cousins', 'brothers', 'sisters', 'siblings', 'neighbours', 'neighbors', 'classmates', 'colleagues', 'piles', 'packs', 'cartons', 'crates', 'trays', 'bins', 'envelopes'])

const HAVE = String.raw`has|have|had|owns?|owned|holds?|held|keeps?|kept|starts?\s+(?:out\s+)?with|started\s+(?:out\s+)?with|begins?\s+with|began\s+with|is\s+holding|collects?|collected|saved|saves|there\s+(?:are|were|is|was)|contains?|contained`
const GAIN = String.raw`buys?|bought|gets?|got|finds?|found|receives?|received|(?:is|was|were|are|gets|got)\s+given|gains?|gained|earns?|earned|picks?|picked|gathers?|gathered|adds?|added|wins?|won|catches?|caught|bakes?|baked|makes?|made|grows?|grew|borrows?|borrowed|takes?|took|plants?|planted`
const LOSE = String.raw`gives?\s+away|gave\s+away|gives?|gave|eats?|ate|loses?|lost|sells?|sold|spends?|spent|uses?|used|drops?|dropped|breaks?|broke|throws?\s+away|threw\s+away|donates?|donated|lends?|lent|removes?|removed|pays?|paid|returns?|returned|hands?\s+out|handed\s+out|shares?\s+out|shared\s+out|drinks?|drank|bursts?|burst|pops?|popped`
const ARRIVE = String.raw`arrive|arrived|arrives|join|joined|joins|come|came|comes|get\s+on|got\s+on|gets\s+on|board|boarded|are\s+added|were\s+added|are\s+born|were\s+born|hatch|hatched|grow|grew`
const LEAVE = String.raw`fly\s+away|flew\s+away|flies\s+away|leave|left|leaves|go\s+away|went\s+away|goes\s+away|run\s+away|ran\s+away|runs\s+away|get\s+off|got\s+off|gets\s+off|are\s+eaten|were\s+eaten|are\s+sold|were\s+sold|are\s+lost|were\s+lost|break|broke|breaks|are\s+broken|were\s+broken|melt|melted|melts|die|died|dies|pop|popped|pops|burst|fall|fell|falls|fall\s+off|fell\s+off|are\s+taken|were\s+taken|are\s+used|were\s+used|are\s+given\s+away|were\s+given\s+away|escape|escaped|escapes|are\s+gone|were\s+gone|go\s+home|went\s+home|goes\s+home`
const SHARE = String.raw`shares?|shared|splits?|split|divides?|divided|distributes?|distributed|hands?|handed|deals?|dealt|puts?|put|packs?|packed|arranges?|arranged|sorts?|sorted|places?|placed`

const CLAUSE_START = new RegExp(String.raw`^(?:(?:if|then|and|but|so|after\s+that|later|now|next|finally|afterwards|when)\s*,?\s+)*`, 'i')
const SUBJECT = String.raw`(I|[Ww]e|[Yy]ou|[Hh]e|[Ss]he|[Ii]t|[Tt]hey|(?:[Tt]he|[Aa]n?|[Mm]y|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur|[Yy]our)\s+[a-z]+|[A-Z][a-z]+(?:\s+and\s+[A-Z][a-z]+)?)`

/** {@link SUBJECT} without its capture (String.split keeps what a pattern captures). */
const ANY_SUBJECT = SUBJECT.replace(/^\(/, '(?:')

/**
 * A count told by comparison: "Bob has twice as many apples as Ann" (a count), "Sara picked 5 more
 * than Tom" (what a verb moved: compared with what Tom picked, not with all Tom has).
 */
interface Relation {
  owner: string
  other: string
  /** Undefined until known: "as many as Ann" counts what Ann has. */
  noun: string | undefined
  /** The verb's stem when an action is compared ("picked"); undefined for a count ("has"). */
  verb: string | undefined
  verbWord: string
  op: 'plus' | 'minus' | 'times' | 'same'
  k: number
  clause: string
}

interface Quantity { value: number, noun: string | undefined, money: boolean, currency: string, /** the noun as written */ word?: string }

class Story {
  /** owner → thing → count */
  readonly counts = new Map<string, Map<string, number>>()
  /** thing → how many of another thing one holds ("each box holds 12 eggs": box → 12 eggs). */
  readonly per = new Map<string, { value: number, noun: string }>()
  /** price of one thing ("pens cost $1.50 each"). */
  readonly price = new Map<string, number>()
  /** owner → money spent, and the arithmetic of it. */
  readonly spent = new Map<string, number>()
  readonly spentTerms = new Map<string, string[]>()
  /** display form (plural) of each thing. */
  readonly display = new Map<string, string>()
  readonly steps: string[] = []
  /** owner and thing → the arithmetic of its count: ["3", "+ 4", "- 2"]. */
  readonly terms = new Map<string, string[]>()
  owner = ''
  lastNamed = ''
  /** Everyone named so far, the most recent last: whom "he" or "she" may be. */
  readonly namedOrder: string[] = []
  noun: string | undefined
  currency = '$'
  share: { total: number, among: number, noun: string, groupsOf: boolean } | undefined
  /** What each owner did with how many of what ("sold 45 apples"), for "how many apples did it sell?". */
  readonly events: Array<{ owner: string, noun: string, verb: string, value: number, expression?: string }> = []
  /** owner and thing → how many there were at first, and the arithmetic of it ("Now he has 7" after giving 5: 7 + 5). */
  readonly first = new Map<string, { value: number, expression: string }>()
  /** owner and thing: counts the story states ("Tom has 12"), not only changes. */
  readonly stated = new Set<string>()
  /** owner → money earned by selling at a price, and the arithmetic of it. */
  readonly earned = new Map<string, number>()
  readonly earnedTerms = new Map<string, string[]>()
  /** Parts of a whole named by a property ("9 are boys"): thing → [property, count]. */
  readonly parts: Array<{ noun: string, property: string, value: number }> = []
  /** Counts told by comparison with one not yet told ("Sara has 5 more than Tom. Tom has 8."): settled once the story is read. */
  readonly pending: Relation[] = []
  /** What owners do at a rate ("reads 20 pages a day"): owner and thing → how many per unit of time, and the verb. */
  readonly rates: Array<{ owner: string, noun: string, verb: string, verbWord: string, value: number, unit: string }> = []
  /** What the rest are, when the story says ("the rest are yellow"). */
  rest: string | undefined

  count (owner: string, noun: string): number | undefined {
    return this.counts.get(owner)?.get(noun)
  }

  expression (owner: string, noun: string): string | undefined {
    return this.terms.get(`${owner}\u0000${noun}`)?.join(' ')
  }

  set (owner: string, noun: string, value: number): void {
    let m = this.counts.get(owner)
    if (m === undefined) { m = new Map(); this.counts.set(owner, m) }
    m.set(noun, round(value))
  }
}

/**
 * Reads `text` as a word problem. Undefined when it is not one (no "how many"/"how much" question,
 * or no story with a number before it); `unreadable` when it is one but a part of it could not be followed.
 */
export function readWordProblem (text: string): WordProblemReading | undefined {
  return readAsked(howMuchAsked(text))
}

/** {@link readWordProblem} of a text whose "what" money questions are already asked as "how much". */
function readAsked (text: string): WordProblemReading | undefined {
  // A word problem is a few sentences; a longer text is material for another agent, and a bound on
  // the length bounds what the patterns below may cost on text from any peer.
  if (text.length > MAX_LENGTH) return undefined
  const plain = numberWordsToDigits(text.replace(/\ba\s+dozen\b/gi, '12'))
    .replace(/\b(\d+)\s+dozen\b/gi, (_m, n: string) => String(Number(n) * 12))
    .replace(/\s+/g, ' ').trim()
  const q = QUESTION.exec(plain)
  if (q === null) return undefined
  // The question: from its "how many" to the end of that sentence. The story: everything else.
  const qStart = q.index
  const sentenceEnd = plain.slice(qStart).search(/[.?!](?:\s|$)/)
  let question = plain.slice(qStart, sentenceEnd < 0 ? undefined : qStart + sentenceEnd)
  // "How many apples are in 3 bags if each bag has 6 apples?": the condition is part of the story.
  const condition = /,?\s+\b(?:if|when|given\s+that)\s+(.*)$/i.exec(question)
  if (condition !== null) question = question.slice(0, condition.index)
  const story = (plain.slice(0, qStart) + ' ' + (condition !== null ? `${condition[1]!}. ` : '') + (sentenceEnd < 0 ? '' : plain.slice(qStart + sentenceEnd + 1))).replace(/,\s*$/, '').trim()
  if (!new RegExp(NUM).test(story)) return undefined
  // Percentages, rates and measures (km, hours, kg) are the calculator's other readings, not counts.
  if (/%|\bpercent\b|\bper\s*cent\b/i.test(plain)) return undefined
  // A duration that goes with a rate ("20 pages a day for 7 days") is part of the story; other
  // measures are not counted things.
  const timed = new RegExp(String.raw`${RATE}\s+for\s+${NUM}\s+(?:${TIME_UNIT})s?\b`, 'i').test(story)
  if (quantities(story).some(q => q.word !== undefined && UNIT_WORDS.test(q.word)) && !(timed && quantities(story.replace(new RegExp(String.raw`\bfor\s+${NUM}\s+(?:${TIME_UNIT})s?\b`, 'gi'), '')).every(q => q.word === undefined || !UNIT_WORDS.test(q.word)))) return undefined
  // Arithmetic written out ("Calculate 12 * 4") is the calculator's other reading, as is a question
  // about a measure ("how many seconds are in a day").
  if (/\d\s*[*/^=×÷]\s*[\d(]|\d\s+[+-]\s+\d/.test(story)) return undefined
  const askedWord = /^how\s+many\s+([a-z]+)/i.exec(question)?.[1]
  if (askedWord !== undefined && UNIT_WORDS.test(askedWord)) return undefined
  if (new RegExp(NUM).test(question.replace(/\bhow\s+(?:many|much)\s+(?:more|fewer|less)\b/i, ''))) {
    // A number in the question itself: "how much do 7 pens cost?" is read below; "how many km is 5 miles" is not a story.
    if (!/\bcosts?\b|\bspend\b|\bpay\b|\bfor\b|\bin\s+\d+\s+[a-z]+/i.test(question)) return undefined
  }
  const s = new Story()
  // "How many apples do I have if I had 10 and ate 4?": the question names what the story counts.
  const named = /^how\s+many\s+(?:more\s+|fewer\s+)?([a-z]+)\s+(?:do|does|did|are|were|is|was|will|can|could|would|has|have|had)\b/i.exec(question)
  if (named !== null && !NOT_A_NOUN.has(named[1]!.toLowerCase())) {
    s.noun = singular(named[1]!)
    s.display.set(s.noun, named[1]!.toLowerCase())
  }
  // A story counts things or money ("If 3x + 4 = 19, how much is x?" counts nothing: an equation's).
  if (named === null && !quantities(story).some(q => q.noun !== undefined)) return undefined
  // "There are 30 apples: 10 are red, ..." is two sentences; "In a class of 30 students, 12 are
  // boys" says there are 30 students, then a part of them.
  // "Bob has 4 apples, twice as many as Ann": Bob has 4 apples, and twice as many as Ann.
  const told = story.replace(new RegExp(String.raw`(^|[.!?;]\s+)(${ANY_SUBJECT})\s+(has|have|had)\s+([^,.;!?]+),\s+(?:which\s+is\s+|that\s+is\s+)?((?:twice|half|\d+(?:\.\d+)?\s+times)\s+as\s+(?:many|much)|\d+(?:\.\d+)?\s+(?:more|fewer|less))\b`, 'g'), '$1$2 $3 $4. $2 $3 $5')
    .replace(/:\s+(?=\d)/g, '. ')
    .replace(new RegExp(String.raw`(^|[.!?;]\s+)(?:in|at|on)\s+(?:a|the|one)\s+[a-z]+\s+(?:of|with)\s+(${NUM}\s+[a-z]+)\s*,\s*`, 'gi'), '$1There are $2. ')
  for (const sentence of told.split(/(?<=[.!?;])\s+|[.!?;]\s*$/).map(x => x.trim().replace(/[.!?;]$/, '')).filter(x => x !== '')) {
    for (const clause of clauses(sentence)) {
      const problem = readClause(s, clause)
      if (problem !== undefined) return { unreadable: problem }
    }
  }
  const unsettled = settle(s)
  if (unsettled !== undefined) return { unreadable: unsettled }
  return answerQuestion(s, question)
}

/** Verbs of a count that a comparison may state ("has 5 more than"); "there are" compares with no one. */
const HAS = String.raw`has|have|had|owns?|owned|holds?|held|keeps?|kept|collects?|collected|saved|saves|is\s+holding`

/** The comparison a clause states, if it is one; a string names what in it cannot be read. */
function comparedWith (s: Story, clause: string, owner: string, rest: string): Relation | string | undefined {
  const m = new RegExp(String.raw`^(?:also\s+|then\s+)?(${HAS}|${GAIN})\s+(?:(${NUM})\s+(more|fewer|less)|(twice|half|(\d+(?:\.\d+)?)\s+times)\s+as\s+(?:many|much)|(as\s+many|as\s+much|the\s+same\s+(?:number|amount)\s+of))(?:\s+([a-z]+))?(?:\s+(?:than|as)\s+(${ANY_SUBJECT}|him|her|them|me|us)(?:\s+(?:has|have|had|does|do|did))?)?$`, 'i').exec(rest)
  if (m === null || owner === 'there' || owner === '') return undefined
  const [, verbWord, amount, more, times, factor, same, word] = m
  const action = !new RegExp(String.raw`^(?:${HAS})$`, 'i').test(verbWord!)
  // "Ann has 3 apples and Bob has twice as many", "... and Bob has 2 more": compared with the one
  // named before. Not "buys 5 more", which is the buyer's own count, 5 up.
  if (m[8] === undefined && (amount !== undefined && action || ![...s.namedOrder].some(n => n !== owner))) return undefined
  const whom = m[8] ?? 'them'
  let noun: string | undefined
  if (amount !== undefined && /^[$€£]/.test(amount)) {
    noun = MONEY
    s.currency = CURRENCY[amount[0]!] ?? s.currency
  }
  if (word !== undefined && !NOT_A_NOUN.has(word.toLowerCase())) {
    const w = word.toLowerCase()
    if (/^(?:money|cash|dollars?|euros?|pounds?)$/.test(w)) noun = MONEY
    else if (noun === undefined) {
      noun = singular(w)
      if (!s.display.has(noun)) s.display.set(noun, w.endsWith('s') ? w : `${noun}s`)
    }
  }
  const pronoun = PRONOUNS[whom!.toLowerCase()] ?? (/^(?:me|us)$/i.test(whom!) ? whom!.toLowerCase() : undefined)
  let other: string
  if (pronoun === undefined || /^I$/.test(whom!)) other = /^(?:the|a|an|my|his|her|their|our|your)\s/i.test(whom!) ? whom!.toLowerCase().replace(/^(?:a|an|my|his|her|their|our|your)\s/, 'the ') : whom!
  else if (pronoun === 'me' || pronoun === 'us') other = pronoun === 'me' ? 'I' : 'we'
  else {
    const who = [...s.namedOrder].reverse().find(n => n !== owner)
    if (who === undefined) return `"${clause}": whom ${whom} is is not said`
    other = who
  }
  if (other === owner) return `"${clause}": compares ${owner} with ${owner}`
  const k = amount !== undefined ? Number(amount.replace(/[$€£,\s]/g, '')) : factor !== undefined ? Number(factor) : /^twice$/i.test(times ?? '') ? 2 : /^half$/i.test(times ?? '') ? 0.5 : 1
  const op = amount !== undefined ? (/^more$/i.test(more!) ? 'plus' : 'minus') : same !== undefined ? 'same' : 'times'
  return { owner, other, noun, verb: action ? verbStem(verbWord!) : undefined, verbWord: verbWord!.toLowerCase(), op, k, clause }
}

/**
 * Records what a comparison says, if the count it compares with is known: 'later' when it is not
 * (yet), a string when what it says cannot be. `end`: the whole story is read, and the changes told
 * after the comparison are in the owner's count, to be added to it.
 */
function relate (s: Story, r: Relation, end: boolean): string | 'later' | undefined {
  const noun = r.noun ?? (() => {
    const m = s.counts.get(r.other)
    const own = m === undefined ? [] : [...m.keys()].filter(k => k !== MONEY)
    return own.length === 1 ? own[0] : s.noun
  })()
  if (noun === undefined) return end ? `"${r.clause}": what is compared is not said` : 'later'
  let base: { value: number, expression: string } | undefined
  if (r.verb !== undefined) {
    const moved = s.events.filter(e => e.owner === r.other && e.noun === noun && e.verb === r.verb)
    if (moved.length > 0) base = { value: moved.reduce((a, e) => a + e.value, 0), expression: moved.map(e => e.expression ?? fmt(e.value)).join(' + ') }
  } else if (end) {
    // Told later ("Sara has 5 more than Tom. Tom has 8."): compared with what the other had when
    // the comparison was told, before the story's changes to it.
    base = s.first.get(`${r.other}\u0000${noun}`)
  } else {
    const have = s.count(r.other, noun)
    if (have !== undefined) base = { value: have, expression: s.expression(r.other, noun) ?? fmt(have) }
  }
  if (base === undefined) {
    if (!end) return 'later'
    const what = s.display.get(noun) ?? `${noun}s`
    return `"${r.clause}": how many ${noun === MONEY ? 'money' : what} ${r.other} ${r.verb !== undefined ? r.verbWord : /^(?:I|we|you|they)$/i.test(r.other) ? 'have' : 'has'} is not said`
  }
  const b = bracketed(base.expression)
  const value = r.op === 'plus' ? base.value + r.k : r.op === 'minus' ? base.value - r.k : base.value * r.k
  if (value < 0) return `"${r.clause}": ${fmt(r.k)} fewer than ${shown(s, noun, base.value)} is fewer than none`
  const expression = r.op === 'plus' ? `${b} + ${fmt(r.k)}` : r.op === 'minus' ? `${b} - ${fmt(r.k)}` : r.op === 'same' ? base.expression : r.k === 0.5 ? `${b} / 2` : `${fmt(r.k)} * ${b}`
  const key = `${r.owner}\u0000${noun}`
  const since = end ? s.terms.get(key) ?? [] : []
  const sinceValue = end ? s.count(r.owner, noun) ?? 0 : 0
  if (r.verb === undefined && s.stated.has(key) && end) return undefined
  if (r.verb === undefined && !end) {
    s.set(r.owner, noun, value)
    s.terms.set(key, [expression])
    s.stated.add(key)
    if (!s.first.has(key)) s.first.set(key, { value, expression })
  } else {
    const before = end ? sinceValue : s.count(r.owner, noun) ?? 0
    s.set(r.owner, noun, before + value)
    const terms = end ? [expression, ...since.map(t => /^[-+]\s/.test(t) ? t : t.startsWith('-') ? `- ${t.slice(1)}` : `+ ${t}`)] : [...(s.terms.get(key) ?? []), ...(s.terms.has(key) ? [`+ ${expression}`] : [expression])]
    s.terms.set(key, terms)
    if (r.verb !== undefined) s.events.push({ owner: r.owner, noun, verb: r.verb, value, expression })
    if (r.verb === undefined && !s.first.has(key)) s.first.set(key, { value, expression })
  }
  s.noun = noun
  s.steps.push(`${r.owner} ${r.verbWord} ${comparison(r)} ${r.other} (${shown(s, noun, base.value)}): ${expression} = ${shown(s, noun, value)}`)
  return undefined
}

/** Given "to Sara" ("gives half of them to Sara", "gives an apple to Sara"): she has them now. */
function handOver (s: Story, object: string, verbWord: string, noun: string, value: number): void {
  const to = /\bto\s+([A-Z][a-z]+)\b/.exec(object)
  if (to === null || !/^(?:give|gave|gives|lend|lent|lends|hand|hands|handed)/i.test(verbWord)) return
  s.set(to[1]!, noun, (s.count(to[1]!, noun) ?? 0) + value)
  term(s, to[1]!, noun, 1, value)
}

/** A fraction in words: "half", "a third", "2 thirds" (number words are digits by now), "all". */
const FRACTION = String.raw`(?:(?:a|one|1)\s+)?half|(?:a|one|1)\s+(?:third|quarter|fourth|fifth|sixth|tenth)|\d+\s+(?:thirds|quarters|fourths|fifths|sixths|tenths)|all`

function fractionValue (words: string): { value: number, expression: (x: string) => string } {
  const w = words.toLowerCase().replace(/\s+/g, ' ')
  if (w === 'all') return { value: 1, expression: x => x }
  const m = /^(?:(a|one|1|\d+)\s+)?([a-z]+?)s?$/.exec(w)!
  const d = DENOMINATOR[m[2]!] ?? 2
  const n = m[1] === undefined || /^(?:a|one)$/.test(m[1]) ? 1 : Number(m[1])
  return { value: n / d, expression: x => n === 1 ? `${x} / ${d}` : `${x} * ${n} / ${d}` }
}

/**
 * A clause that gives, eats, loses or gets a fraction of a count ("He ate half of them", "she gives
 * a third of her 12 apples to Sara", "2 thirds of the cookies were eaten"); or, with no number, one
 * thing ("He buys an apple") or some of them ("ate some"): a string names what cannot be read. Before,
 * a clause with no number set the scene, and "Tom had 20 apples. He ate half of them." left 20.
 */
function fractionOf (s: Story, clause: string, owner: string, rest: string): true | 'part' | string | undefined {
  const verbs = new RegExp(String.raw`^(?:also\s+|then\s+|later\s+)?(?:(${GAIN})|(${LOSE}))\s+(.*)$`, 'i').exec(rest)
  const fraction = new RegExp(String.raw`^(${FRACTION})(?:\s+(?:of\s+)?(?:(?:them|it|those|these)|(?:the|his|her|their|my|our|your)\s+([a-z]+)))?(?![\w-])(.*)$`, 'i')
  if (verbs !== null) {
    const [, gain, lose, object] = verbs
    const f = fraction.exec(object!)
    // "eats half a pizza": a fraction of one thing, not of all of them.
    const ofOne = f !== null && f[2] === undefined ? /^\s+(?:an?|one)\s+([a-z]+)\b/i.exec(f[3] ?? '') : null
    if (f !== null && ofOne !== null) {
      const noun = singular(ofOne[1]!)
      const part = fractionValue(f[1]!).value
      const sign = gain !== undefined ? 1 : -1
      s.set(owner, noun, (s.count(owner, noun) ?? 0) + sign * part)
      term(s, owner, noun, sign, part)
      s.noun = noun
      s.events.push({ owner, noun, verb: verbStem((gain ?? lose)!), value: part })
      s.steps.push(`${sign > 0 ? '+' : '−'} ${f[1]!.toLowerCase()} a ${noun} = ${fmt(part)} (${(gain ?? lose)!.toLowerCase()})`)
      return true
    }
    if (f !== null) {
      const noun = f[2] !== undefined && !NOT_A_NOUN.has(f[2].toLowerCase()) ? singular(f[2]) : s.noun
      if (noun === undefined) return `"${clause}": ${f[1]} of what is not said`
      const have = s.count(owner, noun)
      if (have === undefined) return `"${clause}": how many ${s.display.get(noun) ?? `${noun}s`} ${owner} has is not said`
      if (gain !== undefined) return `"${clause}": gets ${f[1]} of what is not clear`
      const { value: part, expression } = fractionValue(f[1]!)
      const moved = round(have * part)
      if (noun !== MONEY && !Number.isInteger(moved)) return `"${clause}": ${f[1]} of ${shown(s, noun, have)} is not a whole number`
      const verbWord = lose!.toLowerCase()
      const key = `${owner}\u0000${noun}`
      const before = s.expression(owner, noun) ?? fmt(have)
      const x = bracketed(before)
      s.set(owner, noun, have - moved)
      s.terms.set(key, [`${x} - ${expression(x)}`])
      s.noun = noun
      s.events.push({ owner, noun, verb: verbStem(verbWord), value: moved, expression: expression(x) })
      s.steps.push(`− ${f[1]!.toLowerCase()} of ${shown(s, noun, have)} = ${shown(s, noun, moved)} (${verbWord})`)
      handOver(s, f[3] ?? '', verbWord, noun, moved)
      return true
    }
    // No number at all: one thing ("buys an apple") of what is counted, or some of it (unknown).
    if (!new RegExp(NUM).test(object!)) {
      const one = /^(?:an?|one|another)\s+(?:more\s+)?([a-z]+)\b/i.exec(object!)
      const noun = one === null ? undefined : singular(one[1]!)
      if (noun !== undefined && (s.count(owner, noun) !== undefined || noun === s.noun)) {
        const sign = gain !== undefined ? 1 : -1
        s.set(owner, noun, (s.count(owner, noun) ?? 0) + sign)
        term(s, owner, noun, sign, 1)
        s.events.push({ owner, noun, verb: verbStem((gain ?? lose)!), value: 1 })
        s.steps.push(`${sign > 0 ? '+' : '−'} 1 ${noun} (${(gain ?? lose)!.toLowerCase()})`)
        if (sign < 0) handOver(s, object!, lose!, noun, 1)
        return true
      }
      if (/^(?:some|most|many|several|a\s+few|a\s+lot|lots|part|the\s+rest|more|others?|any)\b|^(?:them|it)\b|\bof\s+(?:them|it)\b/i.test(object!) || (s.noun !== undefined && new RegExp(String.raw`^(?:the|his|her|their|my|our|your)\s+${s.display.get(s.noun) ?? `${s.noun}s`}\b`, 'i').test(object!))) {
        return `"${clause}": how many is not said`
      }
    }
    return undefined
  }
  // "Half of them are boys", "a third of the 24 students are girls": a part of the whole.
  const part = new RegExp(String.raw`^(${FRACTION})(?:\s+of\s+(?:them|the\s+([a-z]+)|(?:the\s+)?(\d+)\s+([a-z]+)))?\s+(?:are|were|is|was)\s+([a-z]+)$`, 'i').exec(clause.replace(CLAUSE_START, ''))
  if (part !== null) {
    const given = part[3] !== undefined ? Number(part[3]) : undefined
    const noun = part[4] !== undefined ? singular(part[4]) : part[2] !== undefined ? singular(part[2]) : s.noun
    if (noun === undefined) return `"${clause}": ${part[1]} of what is not said`
    if (part[4] !== undefined && !s.display.has(noun)) s.display.set(noun, part[4].toLowerCase())
    const whole = given ?? (s.count(s.owner || 'there', noun) ?? s.count('there', noun))
    if (whole === undefined) return `"${clause}": how many ${s.display.get(noun) ?? `${noun}s`} there are is not said`
    const value = round(whole * fractionValue(part[1]!).value)
    if (!Number.isInteger(value)) return `"${clause}": ${part[1]} of ${fmt(whole)} is not a whole number`
    if (given !== undefined && s.count(s.owner || 'there', noun) === undefined) {
      s.set(s.owner || 'there', noun, given)
      s.terms.set(`${s.owner || 'there'}\u0000${noun}`, [fmt(given)])
    }
    s.noun = noun
    s.parts.push({ noun, property: part[5]!.toLowerCase(), value })
    s.steps.push(`${part[1]!.toLowerCase()} of ${shown(s, noun, whole)} are ${part[5]!.toLowerCase()}: ${fmt(value)}`)
    return 'part'
  }
  return undefined
}

/**
 * The other's count worked back from the owner's, told before the comparison ("Ann has 6 apples. She
 * has twice as many as Bob." gives Bob 6 / 2); 'later' when the owner's count is not told either, or
 * the other's is; a string when it cannot be (fewer than none, not a whole number).
 */
function workBack (s: Story, relation: Relation, clause: string): string | 'later' | undefined {
  const { owner } = relation
  const ownNoun = relation.noun ?? s.noun
  if (relation.verb !== undefined || ownNoun === undefined || !s.stated.has(`${owner}\u0000${ownNoun}`) || s.count(relation.other, ownNoun) !== undefined) return 'later'
  const have = s.count(owner, ownNoun)!
  const own = s.expression(owner, ownNoun) ?? fmt(have)
  const x = bracketed(own)
  const [value, expression] = relation.op === 'plus' ? [have - relation.k, `${x} - ${fmt(relation.k)}`]
    : relation.op === 'minus' ? [have + relation.k, `${x} + ${fmt(relation.k)}`]
      : relation.op === 'same' ? [have, own]
        : [have / relation.k, relation.k === 0.5 ? `${x} * 2` : `${x} / ${fmt(relation.k)}`]
  if (value < 0) return `"${clause}": ${owner} would have more than ${shown(s, ownNoun, have)}`
  if (ownNoun !== MONEY && !Number.isInteger(round(value))) return `"${clause}": ${relation.other} would have ${fmt(value)} ${s.display.get(ownNoun) ?? `${ownNoun}s`}, not a whole number`
  const key = `${relation.other}\u0000${ownNoun}`
  s.set(relation.other, ownNoun, value)
  s.terms.set(key, [expression])
  s.stated.add(key)
  if (!s.first.has(key)) s.first.set(key, { value, expression })
  if (!s.namedOrder.includes(relation.other)) s.namedOrder.unshift(relation.other)
  s.steps.push(`${owner} (${shown(s, ownNoun, have)}) ${relation.verbWord} ${comparison(relation)} ${relation.other}: ${relation.other} has ${expression} = ${shown(s, ownNoun, value)}`)
  return undefined
}

/** A comparison in words, for the working: "5 more than", "twice as many as". */
function comparison (r: Relation): string {
  if (r.op === 'plus') return `${fmt(r.k)} more than`
  if (r.op === 'minus') return `${fmt(r.k)} fewer than`
  if (r.op === 'same') return 'as many as'
  return r.k === 0.5 ? 'half as many as' : r.k === 2 ? 'twice as many as' : `${fmt(r.k)} times as many as`
}

/** Settles the comparisons told before what they compare with; a string names one that cannot be. */
function settle (s: Story): string | undefined {
  let open = s.pending.splice(0)
  while (open.length > 0) {
    const left: Relation[] = []
    for (const r of open) {
      // Another comparison still open may give the count this one needs.
      const waits = open.some(o => o !== r && o.owner === r.other)
      if (waits) { left.push(r); continue }
      const problem = relate(s, r, true)
      if (problem !== undefined) return problem
    }
    if (left.length === open.length) return `"${left[0]!.clause}": the comparisons go round in a circle`
    open = left
  }
  return undefined
}

/** Whether `text` is a word problem this reader follows to an answer. */
export function isWordProblem (text: string): boolean {
  if (!QUESTION.test(text)) return false
  const r = readWordProblem(text)
  return r !== undefined && 'answer' in r
}

/**
 * Whether `text` tells a word problem, followed or not: the planner keeps it whole and the
 * calculator bids on it, so a story it cannot follow ends with the reason ("could not follow it:
 * ...") rather than cut into sentences that each mean nothing.
 */
export function tellsWordProblem (text: string): boolean {
  const asked = howMuchAsked(text)
  return QUESTION.test(asked) && readAsked(asked) !== undefined
}

/**
 * A money question asked with "what", asked as "how much": "What did I spend?", "What will she pay?",
 * "What was the total?", "What's the total cost?". Before, nobody bid on them (no "how much").
 */
function howMuchAsked (text: string): string {
  return text
    .replace(new RegExp(String.raw`\b[Ww]hat\s+(did|does|do|will|would|should)\s+${SUBJECT}\s+(spend|pay|owe)\b`, 'g'), (_m, aux: string, who: string, verb: string) => `how much ${aux} ${who} ${verb}`)
    .replace(/\b[Ww]hat(?:\s+(?:is|was|will\s+be|would\s+be)|'s)\s+the\s+total(?:\s+(?:cost|bill|price|amount|spent))?(?=\s*[?.!]|$)/g, 'how much is the total')
}

/** Parts of a sentence joined by "and", "then" or commas, each with its own verb. */
function clauses (sentence: string): string[] {
  const out: string[] = []
  // Split before "and/then/but/, " when a verb or a subject with a verb follows; a list ("3 apples and 4 pears") stays together.
  const parts = sentence.split(new RegExp(String.raw`(?<!\ball)\s*,?\s+(?:and\s+then|and|then|but|so)\s+(?=(?:${ANY_SUBJECT}\s+)?(?:${HAVE}|${GAIN}|${LOSE}|${SHARE}|\d+\s+[a-z]+\s+(?:${GAIN}|${LOSE})\b|\d+\s+(?:of\s+them\s+)?(?:more\s+)?(?:\w+\s+)?(?:are|were|is|was|fly|flew|run|ran|walk|walked|leave|left|get|got|come|came|join|joined|arrive|arrived)\b|the\s+rest\s+(?:of\s+them\s+)?(?:are|were)\b))|\s*,\s+(?:and\s+)?(?=${ANY_SUBJECT}\s+(?:${HAVE}|${GAIN}|${LOSE}|${SHARE})\b|\d+\s+(?:of\s+them\s+)?(?:are|were|is|was)\s+[a-z]+\s*(?:,|and\b|$)|the\s+rest\s+(?:of\s+them\s+)?(?:are|were)\b)`, 'i'))
  for (const p of parts) {
    if (p === undefined || p.trim() === '') continue
    // A list of purchases ("bought 4 notebooks at $3 each, 2 pens at $1.50 each and a ruler for $2"):
    // one clause per item, each with the first item's subject and verb.
    const items = p.trim().split(new RegExp(String.raw`\s*,\s+(?:and\s+)?(?=${ITEM})|\s+and\s+(?=${ITEM})`, 'i'))
    const lead = items.length > 1 ? new RegExp(String.raw`^(.*?\b(?:${GAIN}|${LOSE}))\s`, 'i').exec(items[0]!) : null
    if (lead === null) { out.push(p.trim()); continue }
    out.push(items[0]!, ...items.slice(1).map(i => `${lead[1]!} ${i}`))
  }
  return out
}

/** One item of a list of purchases: "a pen for $2", "2 pens at $1.50 each". */
const ITEM = String.raw`(?:an?|one|\d+)\s+[a-z]+\s+(?:at|for)\s+[$€£]`

/** A noun without its plural ending: "pancakes" → "pancake", "boxes" → "box", "cities" → "city"; "bus", "people" as they are. */
export function singular (noun: string): string {
  const n = noun.toLowerCase()
  if (/(?:ss|us|is)$/.test(n)) return n
  if (/ies$/.test(n) && n.length > 4) return n.slice(0, -3) + 'y'
  if (/(?:ches|shes|xes|sses|zes|oes)$/.test(n)) return n.slice(0, -2)
  if (/s$/.test(n)) return n.slice(0, -1)
  return n
}

function quantities (clause: string): Quantity[] {
  const out: Quantity[] = []
  const re = new RegExp(String.raw`(?<![\w.])(${NUM})(?:\s+(?:more|other|extra|additional|new|fewer|less))?(?:\s+([a-z]+))?`, 'gi')
  for (const m of clause.matchAll(re)) {
    const raw = m[1]!
    const currency = CURRENCY[raw[0]!]
    const value = Number(raw.replace(/[$€£,\s]/g, ''))
    let noun = m[2]?.toLowerCase()
    if (noun !== undefined && (NOT_A_NOUN.has(noun) || PRONOUNS[noun] !== undefined)) noun = undefined
    if (currency !== undefined) out.push({ value, noun: MONEY, money: true, currency })
    else if (noun !== undefined && /^(?:dollars?|euros?|pounds?|cents?)$/.test(noun)) out.push({ value: /^cents?$/.test(noun) ? value / 100 : value, noun: MONEY, money: true, currency: /^euros?$/.test(noun) ? '€' : /^pounds?$/.test(noun) ? '£' : '$' })
    else out.push({ value, noun: noun !== undefined ? singular(noun) : undefined, money: false, currency: '$', ...(noun !== undefined ? { word: noun } : {}) })
  }
  return out
}

function shown (s: Story, noun: string | undefined, value: number): string {
  if (noun === MONEY) return money(s.currency, value)
  if (noun === undefined) return fmt(value)
  const plural = s.display.get(noun) ?? `${noun}s`
  return `${fmt(value)} ${value === 1 ? noun : plural}`
}

function note (s: Story, q: Quantity): void {
  if (q.noun !== undefined && q.noun !== MONEY) {
    if (q.word !== undefined && q.value !== 1) s.display.set(q.noun, q.word)
    else if (!s.display.has(q.noun)) s.display.set(q.noun, `${q.noun}s`)
  }
  if (q.money) s.currency = q.currency
}

/** Whose the clause is: a name, a pronoun (the last one named), "I", "we", "you", or "there". */
function subjectOf (s: Story, clause: string): { owner: string, rest: string } {
  const c = clause.replace(CLAUSE_START, '')
  const m = new RegExp(String.raw`^${SUBJECT}\s+(.*)$`).exec(c)
  if (m === null) return { owner: s.owner, rest: c }
  const word = m[1]!
  const rest = m[2]!
  const pronoun = PRONOUNS[word.toLowerCase()]
  if (pronoun !== undefined && word !== 'I') {
    // The one named most recently who is not also named in the rest of the clause: in "Tom has 12
    // and Sara has 2. He gives 5 to Sara", "he" is Tom.
    const who = [...s.namedOrder].reverse().find(n => !new RegExp(String.raw`\b${n}\b`, 'i').test(rest))
    return { owner: who ?? (s.lastNamed || s.owner), rest }
  }
  if (/^there$/i.test(word)) return { owner: s.owner || 'there', rest }
  if (/^(?:the|a|an|my|his|her|their|our|your)\s/i.test(word)) return { owner: word.toLowerCase().replace(/^(?:a|an|my|his|her|their|our|your)\s/, 'the '), rest }
  return { owner: word, rest }
}

function readClause (s: Story, clause: string): string | undefined {
  const qs = quantities(clause)
  const { owner, rest } = subjectOf(s, clause)
  const named = (o: string): void => {
    s.owner = o
    if (!/^(?:I|we|you|there)$/.test(o)) {
      s.lastNamed = o
      const at = s.namedOrder.indexOf(o)
      if (at >= 0) s.namedOrder.splice(at, 1)
      s.namedOrder.push(o)
    }
  }
  const lower = rest.toLowerCase()
  // Prices: "pens cost $1.50 each", "3 pens cost $4.50", "a pen costs $2", "apples are $2 each".
  const price = new RegExp(String.raw`^(?:(${NUM})\s+|an?\s+|each\s+|one\s+)?([a-z]+)\s+(?:costs?|sells?\s+for|is|are|were|was)\s+(${NUM})(?:\s+(?:each|apiece|per\s+\w+|a\s+piece|for\s+\w+))?$`, 'i').exec(clause.replace(CLAUSE_START, ''))
  if (price !== null && /[$€£]/.test(price[3]!)) {
    const n = price[1] !== undefined ? Number(price[1].replace(/[,\s]/g, '')) : 1
    const total = Number(price[3]!.replace(/[$€£,\s]/g, ''))
    const each = /\b(?:each|apiece|per|a\s+piece)\b/i.test(clause) ? total : total / n
    const noun = singular(price[2]!)
    s.price.set(noun, each)
    s.currency = CURRENCY[price[3]![0]!] ?? '$'
    s.display.set(noun, price[2]!.toLowerCase().endsWith('s') ? price[2]!.toLowerCase() : `${noun}s`)
    s.steps.push(`one ${noun} costs ${money(s.currency, each)}${n !== 1 && each !== total ? ` (${money(s.currency, total)} / ${fmt(n)})` : ''}`)
    return undefined
  }
  // "Tom reads 20 pages a day", "she earns $15 an hour", "saves $5 a week for 10 weeks": a rate, and
  // what it comes to over a time when the story says how long.
  const rate = new RegExp(String.raw`^(?:also\s+|usually\s+|always\s+|can\s+)?([a-z]+)\s+${RATE}(?:\s+for\s+(${NUM})\s+(${TIME_UNIT})s?)?$`, 'i').exec(rest)
  if (rate !== null && !/^(?:is|are|was|were|has|have|had)$/i.test(rate[1]!)) {
    const [, verbWord, amount, word, unit, forN, forUnit] = rate
    const money = /^[$€£]/.test(amount!) || (word !== undefined && /^(?:dollars?|euros?|pounds?)$/i.test(word))
    const noun = money ? MONEY : word !== undefined && !NOT_A_NOUN.has(word.toLowerCase()) ? singular(word) : s.noun
    if (noun === undefined) return `"${clause}": ${amount} of what is not said`
    if (money) s.currency = CURRENCY[amount![0]!] ?? s.currency
    else if (word !== undefined) s.display.set(noun, word.toLowerCase().endsWith('s') ? word.toLowerCase() : `${noun}s`)
    const value = Number(amount!.replace(/[$€£,\s]/g, ''))
    const per = unit!.toLowerCase()
    named(owner)
    s.noun = noun
    s.rates.push({ owner, noun, verb: verbStem(verbWord!), verbWord: verbWord!.toLowerCase(), value, unit: per })
    s.steps.push(`${owner} ${verbWord!.toLowerCase()} ${shown(s, noun, value)} a ${per}`)
    if (forN !== undefined) {
      const n = timeIn(Number(forN), forUnit!.toLowerCase(), per)
      if (n === undefined) return `"${clause}": how many ${per}s are in ${forN} ${forUnit}s is not one number`
      const total = value * n
      s.set(owner, noun, (s.count(owner, noun) ?? 0) + total)
      term(s, owner, noun, 1, total)
      const key = `${owner}\u0000${noun}`
      const terms = s.terms.get(key)!
      terms[terms.length - 1] = terms.length === 1 ? `${fmt(value)} * ${fmt(n)}` : `+ ${fmt(value)} * ${fmt(n)}`
      s.events.push({ owner, noun, verb: verbStem(verbWord!), value: total, expression: `${fmt(value)} * ${fmt(n)}` })
      s.steps.push(`${fmt(n)} ${per}s × ${shown(s, noun, value)} = ${shown(s, noun, total)}`)
    }
    return undefined
  }
  // "Bob has twice as many apples as Ann", "Sara picked 5 more than Tom": a count told by another's.
  const relation = comparedWith(s, clause, owner, rest)
  if (typeof relation === 'string') return relation
  if (relation !== undefined) {
    named(owner)
    const problem = relate(s, relation, false)
    if (problem !== 'later') return problem
    // "Ann has 6 apples. She has twice as many as Bob.": Bob's count, worked back from Ann's.
    const back = workBack(s, relation, clause)
    if (back !== 'later') return back
    // The other's count comes later in the story: the changes told meanwhile add to it.
    s.counts.get(owner)?.delete(relation.noun ?? '')
    s.terms.delete(`${owner}\u0000${relation.noun ?? ''}`)
    s.pending.push(relation)
    return undefined
  }
  // "He ate half of them", "gives a third of his apples to Sara", "loses all of them": a share of the count.
  const share = fractionOf(s, clause, owner, rest)
  if (share !== undefined) {
    if (share === true) named(owner)
    else if (share !== 'part') return share
    return undefined
  }
  if (qs.length === 0) {
    // "The rest are yellow": what is left of the whole once the parts named are taken.
    const others = /^(?:the\s+)?(?:rest|others|remaining\s+ones|remainder)(?:\s+of\s+them)?\s+(?:are|were)\s+([a-z]+)$/i.exec(clause.replace(CLAUSE_START, ''))
    if (others !== null) {
      s.rest = others[1]!.toLowerCase()
      s.steps.push(`the rest are ${s.rest}`)
      return undefined
    }
    // A comparison not read above ("Bob has more apples than Ann"): no count can come of it.
    if (/\b(?:as\s+(?:many|much)|more|fewer|less|twice|half|times|double|triple)\b/i.test(rest) && /\b(?:than|as)\s/i.test(rest)) {
      return `"${clause}": this compares without saying by how much`
    }
    // No number: a clause that only sets the scene ("Tom goes to the shop").
    if (subjectOf(s, clause).owner !== s.owner && new RegExp(String.raw`^${SUBJECT}\s`).test(clause.replace(CLAUSE_START, ''))) named(owner)
    return undefined
  }
  // Containers: "6 boxes with 12 muffins each", "3 bags of 5 apples", "each box holds 12 eggs", "12 eggs in each box".
  const packed = new RegExp(String.raw`(\d+)\s+([a-z]+)\s+(?:of|with|containing|holding|that\s+(?:each\s+)?(?:hold|contain|have))\s+(\d+)\s+([a-z]+)`, 'i').exec(clause)
  if (packed !== null && !NOT_A_NOUN.has(packed[4]!.toLowerCase())) {
    const n = Number(packed[1]); const k = Number(packed[3]); const noun = singular(packed[4]!)
    s.display.set(noun, packed[4]!.toLowerCase().endsWith('s') ? packed[4]!.toLowerCase() : `${noun}s`)
    s.per.set(singular(packed[2]!), { value: k, noun })
    const before = s.count(owner, noun) ?? 0
    s.set(owner, noun, before + n * k)
    s.noun = noun
    named(owner)
    s.steps.push(`${packed[1]} ${packed[2]} × ${packed[3]} ${packed[4]} = ${shown(s, noun, n * k)}`)
    if (before === 0) s.terms.set(`${owner}\u0000${noun}`, [`${n} * ${k}`])
    else s.terms.get(`${owner}\u0000${noun}`)?.push(`+ ${n} * ${k}`)
    return undefined
  }
  const each = new RegExp(String.raw`^(?:each|every|one)\s+([a-z]+)\s+(?:has|have|holds?|contains?|gets?|carries|carry|takes?|fits?|seats?)\s+(\d+)\s+([a-z]+)$`, 'i').exec(clause.replace(CLAUSE_START, '')) ??
    (() => { const m = new RegExp(String.raw`^(?:there\s+(?:are|is)\s+)?(\d+)\s+([a-z]+)\s+(?:(?:in|on)\s+(?:each|every)|per)\s+([a-z]+)$`, 'i').exec(clause.replace(CLAUSE_START, '')); return m === null ? null : [m[0], m[3]!, m[1]!, m[2]!] as unknown as RegExpExecArray })()
  if (each !== null) {
    const container = singular(each[1]!); const k = Number(each[2]); const noun = singular(each[3]!)
    s.display.set(noun, each[3]!.toLowerCase().endsWith('s') ? each[3]!.toLowerCase() : `${noun}s`)
    s.per.set(container, { value: k, noun })
    s.steps.push(`each ${container} has ${shown(s, noun, k)}`)
    return undefined
  }
  // Sharing: "shares 20 sweets equally among 6 children", "splits them into groups of 4", "puts them into 5 bags".
  const shareVerb = new RegExp(String.raw`^(?:${SHARE})\b`, 'i').test(rest) || /^(?:share|split|divide|distribute)\b/i.test(clause.replace(CLAUSE_START, '')) ||
    /\b(?:is|are|was|were|gets?|got)\s+(?:shared|split|divided|distributed|put|packed|sorted|arranged)\b/i.test(clause)
  const among = /\b(?:among|between|to|into|in)\s+(?:the\s+)?(\d+)\s+(?:equal\s+)?([a-z]+)/i.exec(clause)
  const groupsOf = /\b(?:into|in)\s+(?:groups|piles|bags|boxes|rows|teams|packs|sets|stacks)\s+of\s+(\d+)/i.exec(clause)
  // "They put them in one basket": not shared, pooled; the basket holds what they had.
  if (shareVerb && among !== null && groupsOf === null && Number(among[1]) === 1 && qs.every(x => x.value === 1)) {
    const noun = s.noun
    if (noun === undefined) return `"${clause}": what is put together is not said`
    const all = /^(?:they|we)\b/i.test(clause.replace(CLAUSE_START, ''))
    const from = (all ? [...s.counts.keys()] : [owner]).filter(o => (s.count(o, noun) ?? 0) > 0)
    if (from.length === 0) return `"${clause}": how many ${s.display.get(noun) ?? `${noun}s`} are put together is not said`
    const container = `the ${singular(among[2]!)}`
    const parts = from.map(o => s.expression(o, noun) ?? fmt(s.count(o, noun)!))
    const total = from.reduce((a, o) => a + s.count(o, noun)!, 0)
    for (const o of from) {
      s.set(o, noun, 0)
      s.terms.set(`${o}\u0000${noun}`, [`${parts[from.indexOf(o)]!} - ${parts[from.indexOf(o)]!}`])
    }
    s.set(container, noun, total)
    s.terms.set(`${container}\u0000${noun}`, [parts.map(bracketed).join(' + ')])
    s.owner = container
    s.steps.push(`${from.join(' and ')} put ${shown(s, noun, total)} in ${container}`)
    return undefined
  }
  if (shareVerb && (among !== null || groupsOf !== null)) {
    const given = qs.find(x => x.noun !== undefined && among?.[1] !== String(x.value)) ?? qs.find(x => groupsOf === null || String(x.value) !== groupsOf[1])
    const noun = given !== undefined && given.value !== Number(among?.[1] ?? groupsOf?.[1]) ? (given.noun ?? s.noun) : s.noun
    const total = given !== undefined && given.value !== Number(among?.[1] ?? groupsOf?.[1]) ? given.value : (noun !== undefined ? s.count(owner, noun) : undefined)
    if (noun === undefined || total === undefined) return `"${clause}": what is shared, and how many, is not said`
    if (given !== undefined && given.value === total) note(s, given)
    s.noun = noun
    if (groupsOf !== null) s.share = { total, among: Number(groupsOf[1]), noun, groupsOf: true }
    else s.share = { total, among: Number(among![1]), noun, groupsOf: false }
    if (s.count(owner, noun) === undefined) s.set(owner, noun, total)
    named(owner)
    s.steps.push(groupsOf !== null ? `${shown(s, noun, total)} in groups of ${groupsOf[1]}` : `${shown(s, noun, total)} shared among ${among![1]} ${among![2]}`)
    return undefined
  }
  // "9 of them are boys", "5 are red": a part of the whole, named by what it is.
  const part = new RegExp(String.raw`^(\d+)\s+(?:of\s+(?:them|the\s+[a-z]+)\s+|[a-z]+\s+)?(?:are|were|is|was)\s+([a-z]+)$`, 'i').exec(clause.replace(CLAUSE_START, ''))
  if (part !== null && s.noun !== undefined) {
    s.parts.push({ noun: s.noun, property: part[2]!.toLowerCase(), value: Number(part[1]) })
    s.steps.push(`${part[1]} of them are ${part[2]}`)
    return undefined
  }
  // "5 people eat 2 each", "3 children get 4 sweets each": a count times a count, gained or lost.
  const group = new RegExp(String.raw`^(\d+)\s+([a-z]+)\s+(?:each\s+)?(?:(${GAIN})|(${LOSE}))\s+(\d+)(?:\s+([a-z]+))?(?:\s+each|\s+apiece)?$`, 'i').exec(clause.replace(CLAUSE_START, ''))
  if (group !== null && /\beach\b|\bapiece\b/i.test(clause)) {
    const n = Number(group[1]); const k = Number(group[5])
    const noun = group[6] !== undefined && !NOT_A_NOUN.has(group[6].toLowerCase()) ? singular(group[6]) : s.noun
    if (noun === undefined) return `"${clause}": ${fmt(k)} of what is not said`
    const who = s.owner
    const sign = group[3] !== undefined ? 1 : -1
    s.set(who, noun, (s.count(who, noun) ?? 0) + sign * n * k)
    s.steps.push(`${sign > 0 ? '+' : '−'} ${group[1]} ${group[2]} × ${shown(s, noun, k)} = ${shown(s, noun, n * k)} (${(group[3] ?? group[4])!.toLowerCase()})`)
    s.events.push({ owner: who, noun, verb: verbStem((group[3] ?? group[4])!), value: n * k })
    const key = `${who}\u0000${noun}`
    const terms = s.terms.get(key)
    if (terms === undefined) s.terms.set(key, [`${sign < 0 ? '-' : ''}${n} * ${k}`])
    else terms.push(`${sign < 0 ? '-' : '+'} ${n} * ${k}`)
    return undefined
  }
  const verb = (re: string): RegExpExecArray | null => new RegExp(String.raw`^(?:also\s+|then\s+|later\s+)?(${re})\b`, 'i').exec(rest)
  // "There are 15 birds": "there" has them.
  const have = verb(HAVE) ?? (owner === 'there' || /^there\s/i.test(clause.replace(CLAUSE_START, '')) ? verb('are|were|is|was') : null)
  const gain = have === null ? verb(GAIN) : null
  const lose = have === null && gain === null ? verb(LOSE) : null
  // "3 birds fly away", "4 more children join", "at the stop 8 get off": the number is the subject.
  const numbered = clause.replace(CLAUSE_START, '').replace(/^(?:at|in|on|after|during|by)\s+(?:the\s+|a\s+|an\s+)?(?:[a-z]+\s+){0,2}?(?=\d)/i, '').replace(/^all\s+but\s+/i, 'all but ')
  const moved = new RegExp(String.raw`^(all\s+but\s+)?(\d+)\s+(?:of\s+them\s+|of\s+the\s+[a-z]+\s+|more\s+)?(?:([a-z]+)\s+)??(?:(${ARRIVE})|(${LEAVE}))\b`, 'i').exec(numbered)
  if (have === null && gain === null && lose === null && moved === null) return `"${clause}": no verb here says what happens to the ${qs.length === 1 ? 'number' : 'numbers'}`
  if (moved !== null) {
    const value = Number(moved[2])
    const noun = moved[3] !== undefined ? singular(moved[3]) : s.noun
    const who = s.owner
    if (noun === undefined) return `"${clause}": which things these are is not said`
    if (moved[3] !== undefined && !s.display.has(noun)) s.display.set(noun, moved[3].toLowerCase())
    const before = s.count(who, noun) ?? 0
    const sign = moved[4] !== undefined ? 1 : -1
    const what = (moved[4] ?? moved[5])!.toLowerCase()
    if (moved[1] !== undefined) {
      // "All but 9 run away": 9 stay.
      if (sign > 0 || value > before) return `"${clause}": all but ${value} of ${fmt(before)} cannot be`
      s.set(who, noun, value)
      s.steps.push(`all but ${shown(s, noun, value)} ${what}: ${shown(s, noun, value)} stay`)
      term(s, who, noun, -1, before - value)
      return undefined
    }
    s.set(who, noun, before + sign * value)
    s.steps.push(`${sign > 0 ? '+' : '−'} ${shown(s, noun, value)} (${what})`)
    term(s, who, noun, sign, value)
    return undefined
  }
  if (have !== null) {
    // "Tom has 5 apples and 3 pears", "there are 24 students (in the class)": counts to start from,
    // a list of them and nothing else ("a pizza has 12 slices and 5 people eat 2 each" is two things).
    const listed = new RegExp(String.raw`^${have[0]!.replace(/\s+/g, '\\s+')}\s+(?:only\s+|just\s+|exactly\s+)?${QTY}(?:(?:,\s+|,?\s+and\s+)${QTY})*(?:\s+(?:in|on|at|inside|under|left|altogether|in\s+total|to\s+start\s+with)\b[^\d]*)?$`, 'i')
    if (!listed.test(rest)) return `"${clause}": more happens here than a count of what ${owner === 'there' ? 'there is' : `${owner} has`}`
    // "He has 3 more": more than what? Gained ("gets 3 more") reads above; a count it is not.
    const more = new RegExp(String.raw`(${NUM})\s+(more|fewer|less)\b`, 'i').exec(rest)
    if (more !== null) {
      // "There are 15 birds. There are 3 more birds on the roof.": 3 more of them.
      const noun = qs[0]!.noun ?? s.noun
      if (owner === 'there' && /^more$/i.test(more[2]!) && qs.length === 1 && noun !== undefined && s.count(owner, noun) !== undefined) {
        note(s, qs[0]!)
        s.set(owner, noun, s.count(owner, noun)! + qs[0]!.value)
        s.steps.push(`+ ${shown(s, noun, qs[0]!.value)} (more)`)
        term(s, owner, noun, 1, qs[0]!.value)
        return undefined
      }
      return `"${clause}": ${more[1]!} ${more[2]!.toLowerCase()} than what is not said`
    }
    named(owner)
    for (const q of qs) {
      const noun = q.noun ?? s.noun
      if (noun === undefined) return `"${clause}": ${fmt(q.value)} of what is not said`
      note(s, q)
      const key = `${owner}\u0000${noun}`
      const changed = s.stated.has(key) ? undefined : s.count(owner, noun)
      const changes = s.terms.get(key) ?? []
      s.noun = noun
      if (changed !== undefined && LOOKS_BACK.test(rest)) {
        // "Sam bought lunch for $8. He had $20 before.": the count before the changes told so far.
        s.first.set(key, { value: q.value, expression: fmt(q.value) })
        s.set(owner, noun, q.value + changed)
        s.terms.set(key, [fmt(q.value), ...changes.map(t => /^[-+]\s/.test(t) ? t : t.startsWith('-') ? `- ${t.slice(1)}` : `+ ${t}`)])
        s.steps.push(`${owner === 'there' ? 'there' : owner} ${have[1]!.toLowerCase()} ${shown(s, noun, q.value)} before that`)
      } else {
        if (changed !== undefined) {
          // "Tom gave 5 marbles to Sara. Now he has 7.": he had 7 + 5 at first.
          const undo = changes.map(t => /^\+\s/.test(t) ? `- ${t.slice(2)}` : /^-\s/.test(t) ? `+ ${t.slice(2)}` : t.startsWith('-') ? `+ ${t.slice(1)}` : `- ${t}`)
          s.first.set(key, { value: round(q.value - changed), expression: [fmt(q.value), ...undo].join(' ') })
        } else if (!s.first.has(key)) s.first.set(key, { value: q.value, expression: fmt(q.value) })
        s.set(owner, noun, q.value)
        s.terms.set(key, [fmt(q.value)])
        s.steps.push(`${owner === 'there' ? 'there' : owner} ${have[1]!.toLowerCase()} ${shown(s, noun, q.value)}`)
      }
      s.stated.add(key)
    }
    return undefined
  }
  const sign = gain !== null ? 1 : -1
  const verbWord = (gain ?? lose)![1]!.toLowerCase()
  // "buys 3 pens at $2 each", "buys a book for $12": what is bought, and what it costs.
  const at = new RegExp(String.raw`\b(?:at|for)\s+(${NUM})(?:\s+(each|apiece|a\s+piece|per\s+\w+))?`, 'i').exec(rest)
  // "gives 5 apples to each of 2 friends", "gets 3 from each of 4 friends": so many times so many.
  const eachOf = at === null ? new RegExp(String.raw`^(?:${GAIN}|${LOSE})\s+(?:away\s+)?(\d+)\s+(?:([a-z]+)\s+)?(?:(?:to|from)\s+each\s+of\s+(?:the\s+|his\s+|her\s+|their\s+|my\s+|our\s+|your\s+)?|each\s+(?:to|from)\s+(?:the\s+|his\s+|her\s+|their\s+|my\s+|our\s+|your\s+)?)(\d+)\s+([a-z]+)$`, 'i').exec(rest.replace(/^(?:also|then|later)\s+/i, '')) : null
  if (eachOf !== null) {
    const k = Number(eachOf[1]); const n = Number(eachOf[3])
    const noun = eachOf[2] !== undefined && !NOT_A_NOUN.has(eachOf[2].toLowerCase()) ? singular(eachOf[2]) : s.noun
    if (noun === undefined) return `"${clause}": ${fmt(k)} of what is not said`
    if (eachOf[2] !== undefined && !NOT_A_NOUN.has(eachOf[2].toLowerCase())) note(s, { value: k, noun, money: false, currency: s.currency, word: eachOf[2].toLowerCase() })
    s.set(owner, noun, (s.count(owner, noun) ?? 0) + sign * n * k)
    s.noun = noun
    const key = `${owner}\u0000${noun}`
    const terms = s.terms.get(key)
    if (terms === undefined) s.terms.set(key, [`${sign < 0 ? '-' : ''}${fmt(n)} * ${fmt(k)}`])
    else terms.push(`${sign < 0 ? '-' : '+'} ${fmt(n)} * ${fmt(k)}`)
    s.events.push({ owner, noun, verb: verbStem(verbWord), value: n * k })
    s.steps.push(`${sign > 0 ? '+' : '−'} ${fmt(n)} ${eachOf[4]!.toLowerCase()} × ${shown(s, noun, k)} = ${shown(s, noun, n * k)} (${verbWord})`)
    named(owner)
    return undefined
  }
  // "gives 3 to 4 friends": how many change hands is not one count.
  const restNoPrice = at !== null ? rest.replace(at[0], '') : rest
  if (/\beach\b|\bevery\b/i.test(restNoPrice) || new RegExp(String.raw`\b(?:to|from|among|between|with|for|by)\s+(?:the\s+|each\s+of\s+)?${NUM}`, 'i').test(restNoPrice)) {
    return `"${clause}": how many change hands here is not one count`
  }
  const things = qs.filter(q => !(q.money && at !== null && rest.indexOf(at[1]!) >= 0 && q.value === Number(at[1]!.replace(/[$€£,\s]/g, ''))))
  // "bought a pen for $2": one thing, bought at a price (without it, the $2 was counted as money gained).
  const one = at !== null && things.length === 0 ? new RegExp(String.raw`\b(?:an?|one)\s+([a-z]+)\s+(?:at|for)\s+${at[1]!.replace(/[$.]/g, '\\$&')}`, 'i').exec(rest) : null
  if (one !== null && !NOT_A_NOUN.has(one[1]!.toLowerCase())) things.push({ value: 1, noun: singular(one[1]!), money: false, currency: s.currency, word: one[1]!.toLowerCase() })
  if (things.length === 0) {
    const q = qs[0]!
    if (q.money) {
      // "spends $7.50", "earns $20", "pays $3 for a sandwich"; "buys the book for $12" spends it,
      // "sells his bike for $30" earns it (before, both counted the other way).
      note(s, q)
      const price = at !== null && q.value === Number(at[1]!.replace(/[$€£,\s]/g, ''))
      const flow = price && SELL.test(verbWord) ? 1 : price && BUY.test(verbWord) ? -1 : sign
      const before = s.count(owner, MONEY) ?? 0
      s.set(owner, MONEY, before + flow * q.value)
      if (flow < 0) spend(s, owner, q.value, fmt(q.value))
      else if (price) earn(s, owner, q.value, fmt(q.value))
      s.events.push({ owner, noun: MONEY, verb: verbStem(verbWord), value: q.value })
      s.steps.push(`${flow > 0 ? '+' : '−'} ${money(s.currency, q.value)} (${verbWord})`)
      term(s, owner, MONEY, flow, q.value)
      named(owner)
      return undefined
    }
  }
  for (const q of things) {
    const noun = q.noun ?? s.noun
    if (noun === undefined) return `"${clause}": ${fmt(q.value)} of what is not said`
    note(s, q)
    const before = s.count(owner, noun) ?? 0
    s.set(owner, noun, before + sign * q.value)
    s.noun = noun
    s.steps.push(`${sign > 0 ? '+' : '−'} ${shown(s, noun, q.value)} (${verbWord})`)
    term(s, owner, noun, sign, q.value)
    s.events.push({ owner, noun, verb: verbStem(verbWord), value: q.value })
    // Given to someone: they have them now. Taken from someone: they have fewer.
    const other = new RegExp(String.raw`\b(${sign < 0 ? 'to' : 'from'})\s+(her|his|their|my|our|your)?\s*([A-Z][a-z]+|[a-z]+)\b`).exec(rest)
    if (other !== null && sign < 0 ? /^(?:give|gave|gives|lend|lent|lends|hand|hands|return|returns|returned|sell|sells|sold|donate|donates|donated)/.test(verbWord) : other !== null && /^(?:take|took|takes|borrow|borrows|borrowed|get|gets|got|receive|receives|received)/.test(verbWord)) {
      const to = other![2] !== undefined ? `${other![2]} ${other![3]}` : other![3]!
      const whom = PRONOUNS[to.toLowerCase()] !== undefined ? undefined : to
      if (whom !== undefined && !/^(?:the\s+)?(?:shop|store|market|bank|school|park|library)$/i.test(whom)) {
        const theirs = s.count(whom, noun)
        if (theirs !== undefined || sign < 0) {
          s.set(whom, noun, (theirs ?? 0) - sign * q.value)
          term(s, whom, noun, -sign, q.value)
        }
      }
    }
    if (at !== null) {
      const amount = Number(at[1]!.replace(/[$€£,\s]/g, ''))
      const each = at[2] !== undefined
      const cost = each ? amount * q.value : amount
      s.currency = CURRENCY[at[1]![0]!] ?? s.currency
      s.price.set(noun, each ? amount : amount / q.value)
      if (sign > 0) {
        spend(s, owner, cost, each ? `${fmt(q.value)} * ${fmt(amount)}` : fmt(amount))
        const cash = s.count(owner, MONEY)
        if (cash !== undefined) {
          s.set(owner, MONEY, cash - cost)
          s.terms.get(`${owner}\u0000${MONEY}`)?.push(each ? `- ${fmt(q.value)} * ${fmt(amount)}` : `- ${fmt(amount)}`)
        }
      } else if (SELL.test(verbWord)) {
        // "sells 3 cakes at $4 each": the money comes in.
        earn(s, owner, cost, each ? `${fmt(q.value)} * ${fmt(amount)}` : fmt(amount))
        const cash = s.count(owner, MONEY)
        s.set(owner, MONEY, (cash ?? 0) + cost)
        const key = `${owner}\u0000${MONEY}`
        const more = each ? `${fmt(q.value)} * ${fmt(amount)}` : fmt(amount)
        if (cash === undefined) s.terms.set(key, [more])
        else s.terms.get(key)?.push(`+ ${more}`)
      }
      s.steps.push(each ? `${fmt(q.value)} × ${money(s.currency, amount)} = ${money(s.currency, cost)}` : `${money(s.currency, cost)} for ${shown(s, noun, q.value)}`)
    }
  }
  named(owner)
  return undefined
}

function answerQuestion (s: Story, question: string): WordProblemReading {
  const q = question.replace(/\s+/g, ' ').trim()
  const much = /^how\s+much\b/i.test(q)
  const comparative = /^how\s+(?:many|much)\s+(?:more|fewer|less)\b/i.test(q)
  const after = q.replace(/^how\s+(?:many|much)\s+(?:more\s+|fewer\s+|less\s+)?/i, '')
  // The thing asked about: the words before the verb ("marbles does Tom have" → marbles).
  const nounWords = /^((?:[a-z]+\s+){0,2}?)(?:do|does|did|will|would|can|could|should|are|were|is|was|has|have|had|remain|remains|left|in|on|of|each|altogether|together)\b/i.exec(after)
  const askedRaw = (nounWords?.[1] ?? '').trim().toLowerCase().replace(/^(?:of\s+)?(?:the\s+)?/, '')
  let asked: string | undefined = askedRaw === '' || NOT_A_NOUN.has(askedRaw) ? undefined : singular(askedRaw.split(' ').pop()!)
  if (much && (asked === undefined || /^(?:money|cash|change|dollar|euro|pound)$/.test(asked))) asked = MONEY
  if (asked === 'money' || asked === 'dollar' || asked === 'cent') asked = MONEY
  const total = /\b(?:in\s+total|altogether|all\s+together|together|combined|in\s+all|total)\b/i.test(q)
  const ownerMatch = new RegExp(String.raw`\b(?:does|do|did|will|would|can|could|should|has|have|had|is|was)\s+${SUBJECT}\s+(?:have|has|had|get|gets|got|need|needs|spend|spends|spent|pay|pays|paid|receive|receives|received|own|keep|save|collect|make|earn|eat|sell|buy|give|use|end\s+up\s+with|now|still|left|\b)`).exec(q)
  let owner = s.owner
  if (ownerMatch !== null) {
    const w = ownerMatch[1]!
    if (PRONOUNS[w.toLowerCase()] !== undefined && w !== 'I') owner = w.toLowerCase() === 'they' && s.counts.size > 1 ? '*' : (s.lastNamed || s.owner)
    else if (/^(?:the|a|an|my|his|her|their|our|your)\s/i.test(w)) owner = w.toLowerCase().replace(/^(?:a|an|my|his|her|their|our|your)\s/, 'the ')
    else owner = w
    // "How many apples do you have?" of a story told by "I": one owner, asked another way. One the
    // story names ("Bob has twice as many as Ann") is asked about, not the other.
    if (!s.counts.has(owner) && owner !== '*' && s.counts.size === 1 && !s.namedOrder.includes(owner)) owner = [...s.counts.keys()][0]!
  }
  if (total && s.counts.size > 1) owner = '*'
  const done = (value: number, noun: string | undefined, expression: string, extra: string[] = [], text?: string): WordProblemReading => {
    const v = round(value)
    const display = text ?? shown(s, noun, v)
    return { answer: { text: display, output: v, expression, steps: [...s.steps, ...extra, `= ${display}`] } }
  }

  // "How many pages does he read in 7 days?", "how much does she earn in 8 hours?": a rate times a time.
  const over = new RegExp(String.raw`\b(?:in|after|over|during|within)\s+(${NUM}|an?|one)\s+(${TIME_UNIT})s?\b`, 'i').exec(q)
  if (over !== null && s.rates.length > 0) {
    const n = /^(?:an?|one)$/i.test(over[1]!) ? 1 : Number(over[1]!.replace(/[,\s]/g, ''))
    const unit = over[2]!.toLowerCase()
    const verb = new RegExp(String.raw`\b(?:does|do|did|will|would|can|could)\s+${SUBJECT}\s+([a-z]+)`).exec(q)?.[2]
    const fits = s.rates.filter(r => (owner === '*' || owner === '' || r.owner === owner) && (asked === undefined || r.noun === asked) && (verb === undefined || /^(?:have|has|get|gets|make|makes)$/i.test(verb) || verbStem(verb) === r.verb))
    if (fits.length === 1) {
      const r = fits[0]!
      const t = timeIn(n, unit, r.unit)
      if (t === undefined) return { unreadable: `how many ${r.unit}s are in ${fmt(n)} ${unit}${n === 1 ? '' : 's'} is not one number` }
      return done(r.value * t, r.noun, `${fmt(r.value)} * ${fmt(t)}`, [`${fmt(t)} ${r.unit}${t === 1 ? '' : 's'} × ${shown(s, r.noun, r.value)}`])
    }
    if (fits.length > 1) return { unreadable: `which of the rates (${fits.map(r => `${r.owner} ${r.verbWord} ${shown(s, r.noun, r.value)} a ${r.unit}`).join('; ')}) is asked about is not clear` }
  }
  // "How much do 7 pens cost?", "how much would 3 apples cost": a price times a count.
  // "How much do 8 cost?" names no noun: the one thing the story prices.
  const costOf = new RegExp(String.raw`\b(${NUM})\s+(?:([a-z]+)\s+)?(?:cost|costs|be|come\s+to)\b`, 'i').exec(q) ?? new RegExp(String.raw`\bcost\s+(?:of\s+)?(${NUM})\s+([a-z]+)`, 'i').exec(q) ?? new RegExp(String.raw`\bfor\s+(${NUM})\s+([a-z]+)`, 'i').exec(q)
  const priced = costOf?.[2] !== undefined ? singular(costOf[2]) : s.price.size === 1 ? [...s.price.keys()][0] : undefined
  if (much && costOf !== null && priced === undefined) return { unreadable: 'which of the things priced is asked about is not said' }
  if (much && costOf !== null) {
    const n = Number(costOf[1]!.replace(/[,\s]/g, '')); const noun = priced!
    const each = s.price.get(noun)
    if (each === undefined) return { unreadable: `the price of one ${noun} is not given` }
    return done(n * each, MONEY, `${fmt(n)} * ${fmt(round(each))}`, [`${fmt(n)} × ${money(s.currency, each)}`])
  }
  // "How much did she spend / pay?"; "How much is the total?", "how much in total?" of a story of
  // buying, which says nothing else is had, earned or left.
  const totalSpent = total && s.spent.size > 0 && s.earned.size === 0 && !/\b(?:have|has|had|left|remain|remains|earn|earned|make|made|get|got|save|saved|more|fewer|less)\b/i.test(q)
  if (much && (/\b(?:spend|spent|pay|paid|cost|owe)\b/i.test(q) || totalSpent)) {
    const who = owner === '*' ? undefined : owner
    const spent = who !== undefined ? s.spent.get(who) : [...s.spent.values()].reduce((a, b) => a + b, 0)
    if (spent === undefined || (who === undefined && s.spent.size === 0)) return { unreadable: 'nothing in the story says what was spent' }
    const terms = who !== undefined ? s.spentTerms.get(who) ?? [] : [...s.spentTerms.values()].flat()
    return done(spent, MONEY, terms.join(' + '))
  }
  // "How much did he make / earn?" by selling.
  if (much && /\b(?:make|made|earn|earned|take\s+in|took\s+in|get\s+for|got\s+for)\b/i.test(q) && s.earned.size > 0) {
    const who = owner === '*' ? undefined : owner
    const got = who !== undefined ? s.earned.get(who) : [...s.earned.values()].reduce((a, b) => a + b, 0)
    if (got !== undefined) return done(got, MONEY, (who !== undefined ? s.earnedTerms.get(who) ?? [] : [...s.earnedTerms.values()].flat()).join(' + '))
  }
  // "How many marbles did Tom have at first?": the count before the story's changes.
  if (ASKS_FIRST.test(q)) {
    const who = owner === '*' || owner === '' ? [...s.counts.keys()][0] ?? '' : owner
    const m = s.counts.get(who)
    const noun = asked ?? (m !== undefined && m.size === 1 ? [...m.keys()][0] : s.noun)
    const first = noun === undefined ? undefined : s.first.get(`${who}\u0000${noun}`)
    if (noun === undefined || first === undefined) return { unreadable: `how many ${noun === undefined ? 'things' : noun === MONEY ? 'money' : s.display.get(noun) ?? noun} ${who || 'there'} had at first is not said` }
    return done(first.value, noun, first.expression)
  }
  // "How many does each child get?", "how many groups are there?", "how many are left over?"
  if (s.share !== undefined) {
    const { total: t, among, noun, groupsOf } = s.share
    if (among === 0) return { unreadable: 'shared among 0: that cannot be done' }
    const whole = Math.floor(t / among)
    const left = round(t - whole * among)
    if (/\bleft\s+over\b|\bremain(?:s|der)?\b/i.test(q) && !/\beach\b/i.test(q)) return done(left, noun, `${fmt(t)} mod ${fmt(among)}`, [`${fmt(t)} = ${fmt(among)} × ${fmt(whole)} + ${fmt(left)}`])
    const exact = Number.isInteger(t) && Number.isInteger(among) && left !== 0 && !s.share.groupsOf && noun !== MONEY
    const value = noun === MONEY || !exact ? t / among : whole
    if (groupsOf) {
      return done(whole, undefined, `${fmt(t)} / ${fmt(among)}`, [`${fmt(t)} / ${fmt(among)} = ${fmt(round(t / among))}`], `${fmt(whole)} group${whole === 1 ? '' : 's'}${left !== 0 ? `, with ${shown(s, noun, left)} left over` : ''}`)
    }
    return done(value, noun, `${fmt(t)} / ${fmt(among)}`, [exact ? `${fmt(t)} = ${fmt(among)} × ${fmt(whole)} + ${fmt(left)}` : `${fmt(t)} / ${fmt(among)} = ${fmt(round(t / among))}`], `${shown(s, noun, value)} each${exact ? `, with ${fmt(left)} left over` : ''}`)
  }
  const nounFor = (who: string): string | undefined => {
    if (asked !== undefined) return asked
    const m = s.counts.get(who)
    if (m !== undefined && m.size === 1) return [...m.keys()][0]
    return s.noun
  }
  /** How many of `noun` `who` has ('*': everyone), with the arithmetic of it. */
  const valueOf = (who: string, noun: string): { value: number, expression: string } | undefined => {
    const owners = who === '*' ? [...s.counts.keys()] : [who]
    let sum = 0
    const parts: string[] = []
    for (const o of owners) {
      const m = s.counts.get(o)
      if (m === undefined) continue
      const direct = m.get(noun)
      if (direct !== undefined) {
        sum += direct
        parts.push(s.expression(o, noun) ?? fmt(direct))
        continue
      }
      // Containers: "each box holds 12 eggs ... 5 boxes": boxes × 12.
      for (const [container, per] of s.per) {
        const c = m.get(container)
        if (per.noun === noun && c !== undefined) {
          sum += c * per.value
          parts.push(`${fmt(c)} * ${fmt(per.value)}`)
        }
      }
    }
    if (parts.length === 0) return undefined
    return { value: sum, expression: parts.length === 1 ? parts[0]! : parts.map(bracketed).join(' + ') }
  }
  // "How many apples are in 3 bags?" when each bag has 6.
  const inContainers = /\bin\s+(\d+)\s+([a-z]+)/i.exec(q)
  if (inContainers !== null) {
    const container = singular(inContainers[2]!)
    const per = s.per.get(container)
    if (per === undefined) return { unreadable: `how many ${asked ?? 'things'} one ${container} holds is not said` }
    const n = Number(inContainers[1])
    return done(n * per.value, per.noun, `${fmt(n)} * ${fmt(per.value)}`, [`${fmt(n)} ${inContainers[2]!} × ${shown(s, per.noun, per.value)}`])
  }
  const who = owner || [...s.counts.keys()][0] || ''
  if (comparative) {
    const than = new RegExp(String.raw`\bthan\s+${SUBJECT}`).exec(q)
    if (than === null) return { unreadable: 'more than whom is not said' }
    const other = PRONOUNS[than[1]!.toLowerCase()] !== undefined && than[1] !== 'I' ? s.lastNamed : than[1]!
    const noun = nounFor(who)
    if (noun === undefined) return { unreadable: 'what is compared is not said' }
    const a = valueOf(who, noun); const b = valueOf(other, noun)
    if (a === undefined || b === undefined) return { unreadable: `how many ${s.display.get(noun) ?? noun} ${a === undefined ? who : other} has is not said` }
    const diff = /\b(?:fewer|less)\b/i.test(q.slice(0, 20)) ? b.value - a.value : a.value - b.value
    return done(diff, noun, `${/[-+]/.test(a.expression) ? `(${a.expression})` : a.expression} - ${/[-+]/.test(b.expression) ? `(${b.expression})` : b.expression}`, [`${who}: ${shown(s, noun, a.value)}, ${other}: ${shown(s, noun, b.value)}`])
  }
  /** The whole less the parts named ("24 students, 8 are boys": 16), in `word` when given ("16 girls"). */
  const lessParts = (whole: { value: number }, parts: typeof s.parts, word?: string): WordProblemReading => {
    const named = parts.reduce((a, p) => a + p.value, 0)
    const value = whole.value - named
    return done(value, s.noun, `${fmt(whole.value)} - ${parts.map(p => fmt(p.value)).join(' - ')}`, [`${fmt(whole.value)} − ${fmt(named)} (the ones that are ${parts.map(p => p.property).join(' or ')})`], word !== undefined ? `${fmt(value)} ${word}` : undefined)
  }
  const othersUnsaid = (kinds: Set<string>): WordProblemReading => ({ unreadable: `what the ones that are not ${[...kinds].join(' or ')} are is not said` })
  // "How many are girls?" when "9 are boys": the whole less the parts named.
  const property = /\b(?:are|were|is)\s+(?:not\s+)?(?!there$)([a-z]+)\s*$/i.exec(q)
  // "How many are not red?": the whole less the red ones (before, the red ones were the answer).
  const negated = property !== null && /\bnot\s+[a-z]+\s*$/i.test(q)
  if (property !== null && s.parts.length > 0 && s.noun !== undefined && (negated || !s.parts.some(p => p.property === property[1]!.toLowerCase()))) {
    const whole = valueOf(who, s.noun)
    // With two kinds named (10 red, 5 green), what the others are is not said unless the story says it.
    const kinds = new Set(s.parts.filter(p => p.noun === s.noun).map(p => p.property))
    if (!negated && kinds.size > 1 && s.rest !== property[1]!.toLowerCase()) return othersUnsaid(kinds)
    // "How many are girls?" is answered in girls; "how many are not red?" in the things counted.
    if (whole !== undefined) return lessParts(whole, s.parts.filter(p => p.noun === s.noun && (!negated || p.property === property[1]!.toLowerCase())), negated ? undefined : property[1]!.toLowerCase())
  }
  // "How many girls are there?" when a third of the students are boys: the whole less the parts
  // named, in the word asked; "how many boys are there?": that part.
  if (property === null && s.parts.length > 0 && s.noun !== undefined && asked !== undefined && asked !== s.noun && askedRaw !== '') {
    const parts = s.parts.filter(p => p.noun === s.noun)
    const same = parts.find(p => singular(p.property) === asked)
    if (same !== undefined) return done(same.value, same.noun, fmt(same.value), [], `${fmt(same.value)} ${same.property}`)
    const kinds = new Set(parts.map(p => p.property))
    if (kinds.size > 1 && (s.rest === undefined || singular(s.rest) !== asked)) return othersUnsaid(kinds)
    const whole = valueOf(owner === '' ? [...s.counts.keys()][0] ?? '' : owner, s.noun)
    if (whole !== undefined && parts.length > 0) return lessParts(whole, parts, askedRaw)
  }
  if (property !== null && s.parts.length > 0) {
    const p = s.parts.find(x => x.property === property[1]!.toLowerCase())
    if (p !== undefined) return done(p.value, p.noun, fmt(p.value), [], `${fmt(p.value)} ${p.property}`)
  }
  const noun = nounFor(who)
  if (noun === undefined) return { unreadable: 'what is counted is not said' }
  // "How many apples did the shop sell?": what that verb moved, not what is left.
  const did = new RegExp(String.raw`\b(?:did|does|do|will|would)\s+${SUBJECT}\s+([a-z]+)`).exec(q)
  if (did !== null && !/^(?:have|has|had|need|needs|end|own|keep|still|now)$/i.test(did[2]!)) {
    const stem = verbStem(did[2]!)
    const moved = s.events.filter(e => e.verb === stem && e.noun === noun && (who === '*' || e.owner === who))
    if (moved.length > 0) {
      const sum = moved.reduce((a, e) => a + e.value, 0)
      return done(sum, noun, moved.map(e => e.expression === undefined ? fmt(e.value) : moved.length > 1 && /[-+]/.test(e.expression) ? `(${e.expression})` : e.expression).join(' + '), moved.length > 1 ? [`${did[2]!.toLowerCase()}: ${moved.map(e => shown(s, noun, e.value)).join(' + ')}`] : [])
    }
  }
  let found = valueOf(who, noun)
  if (found === undefined && asked !== undefined && asked !== MONEY) {
    // "How many fruits": every thing the owner has, counted together.
    const m = who === '*' ? undefined : s.counts.get(who)
    const all = m !== undefined ? [...m.entries()].filter(([k]) => k !== MONEY) : []
    if (all.length > 1) {
      const sum = all.reduce((a, [, v]) => a + v, 0)
      const plural = askedRaw.endsWith('s') ? askedRaw : `${asked}s`
      s.display.set(asked, plural)
      return done(sum, asked, all.map(([k, v]) => s.expression(who, k) ?? fmt(v)).map(bracketed).join(' + '), [`${all.map(([k, v]) => shown(s, k, v)).join(' + ')}, counted as ${plural}`])
    }
  }
  if (found === undefined && who !== '*' && s.counts.size > 1 && total) found = valueOf('*', noun)
  if (found === undefined) return { unreadable: `how many ${noun === MONEY ? 'money' : s.display.get(noun) ?? noun} ${who === '*' || who === '' ? 'there are' : `${who} ${/^(?:I|we|you|they)$/i.test(who) ? 'have' : 'has'}`} is not said` }
  if (found.value < 0) return { unreadable: `the story leaves ${who} with ${fmt(found.value)} ${s.display.get(noun) ?? noun}, fewer than none` }
  return done(found.value, noun, found.expression)
}

function earn (s: Story, owner: string, value: number, expression: string): void {
  s.earned.set(owner, (s.earned.get(owner) ?? 0) + value)
  s.earnedTerms.set(owner, [...(s.earnedTerms.get(owner) ?? []), expression])
}

const SELL = /^(?:sell|sells|sold)$/i
const BUY = /^(?:buy|buys|bought|purchase|purchases|purchased|order|orders|ordered|get|gets|got)$/i
/** A count that was had before what the story told so far ("He had $20 before"). */
const LOOKS_BACK = /\b(?:before(?:\s+that|\s+this)?|at\s+first|initially|originally|to\s+(?:begin|start)\s+with|at\s+the\s+(?:start|beginning)|in\s+the\s+beginning)\s*$/i
/** A question about how many there were at first ("How many marbles did Tom have at first?"). */
const ASKS_FIRST = /\b(?:at\s+first|initially|originally|to\s+(?:begin|start)\s+with|at\s+the\s+(?:start|beginning)|in\s+the\s+beginning|before|start(?:ed|s)?(?:\s+out)?\s+with)\b/i

function spend (s: Story, owner: string, value: number, expression: string): void {
  s.spent.set(owner, (s.spent.get(owner) ?? 0) + value)
  s.spentTerms.set(owner, [...(s.spentTerms.get(owner) ?? []), expression])
}

const IRREGULAR: Record<string, string> = {
  sold: 'sell', ate: 'eat', bought: 'buy', gave: 'give', got: 'get', found: 'find', lost: 'lose', spent: 'spend', made: 'make', caught: 'catch',
  took: 'take', won: 'win', grew: 'grow', broke: 'break', threw: 'throw', drank: 'drink', lent: 'lend', paid: 'pay', held: 'hold', kept: 'keep', burst: 'burst', dealt: 'deal', put: 'put', split: 'split'
}

/** One form for a verb's tenses and persons: "sold", "sells" and "sell" are "sel"; "baked" and "bake" "bak". */
export function verbStem (verb: string): string {
  let v = verb.toLowerCase().trim().split(/\s+/)[0]!
  v = IRREGULAR[v] ?? v
  if (/ied$|ies$/.test(v)) return v.slice(0, -3) + 'y'
  const past = /ed$/.test(v)
  v = v.replace(/(?:ed|es|s)$/, '').replace(/e$/, '')
  if (past && /([b-df-hj-np-tv-z])\1$/.test(v)) v = v.slice(0, -1)
  return v.replace(/ll$/, 'l')
}

/** The story's arithmetic, one term per change: "3", "+ 4", "- 2". */
function term (s: Story, owner: string, noun: string, sign: number, value: number): void {
  const key = `${owner}\u0000${noun}`
  const terms = s.terms.get(key)
  if (terms === undefined) s.terms.set(key, [sign < 0 ? `-${fmt(value)}` : fmt(value)])
  else terms.push(`${sign < 0 ? '-' : '+'} ${fmt(value)}`)
}

/** An expression as one term of a longer one: "8 - 2" is "(8 - 2)"; "5" and "-3" stay as they are. */
function bracketed (expression: string): string {
  return /[-+]/.test(expression.replace(/^-/, '')) ? `(${expression})` : expression
}

function round (x: number): number {
  return Math.round(x * 1e9) / 1e9
}

function fmt (x: number): string {
  return String(round(x))
}

function money (currency: string, x: number): string {
  const v = round(x)
  const abs = Math.abs(v)
  const s = Number.isInteger(abs) ? String(abs) : abs.toFixed(2)
  return `${v < 0 ? '−' : ''}${currency}${s}`
}
