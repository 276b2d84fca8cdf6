/**
 * Money from one currency into another: "Convert 100 euros to dollars at 1.08 dollars per euro",
 * "€250 in pounds at 0.85", "How much is $40 in yen if 1 dollar is 150 yen?". The calculator keeps no
 * exchange rates of its own (they change by the minute, and it works offline): the rate comes from
 * the request, or else from the room's knowledge graph (a fact such as "1 EUR = 1.08 USD" or "The
 * EUR/USD rate is 1.08", found by the calculator, see calculator.ts), cited with its status and age.
 * Without either, the conversion is an error that says how to give one. Before, all of these failed
 * with "undefined symbol dollars".
 */

interface Currency { code: string, name: string, plural: string, symbol?: string }

const CURRENCIES: Currency[] = [
  { code: 'USD', name: 'dollar', plural: 'dollars', symbol: '$' },
  { code: 'EUR', name: 'euro', plural: 'euros', symbol: '€' },
  { code: 'GBP', name: 'pound', plural: 'pounds', symbol: '£' },
  { code: 'JPY', name: 'yen', plural: 'yen', symbol: '¥' },
  { code: 'CHF', name: 'Swiss franc', plural: 'Swiss francs' },
  { code: 'CNY', name: 'yuan', plural: 'yuan' },
  { code: 'INR', name: 'rupee', plural: 'rupees', symbol: '₹' },
  { code: 'CAD', name: 'Canadian dollar', plural: 'Canadian dollars' },
  { code: 'AUD', name: 'Australian dollar', plural: 'Australian dollars' },
  { code: 'SEK', name: 'Swedish krona', plural: 'Swedish kronor' },
  { code: 'MXN', name: 'Mexican peso', plural: 'Mexican pesos' },
  { code: 'BRL', name: 'real', plural: 'reais' }
]

/** Words for a currency, longest first, so "Canadian dollars" is not read as "dollars". */
const NAMES: [string, Currency][] = CURRENCIES.flatMap(c => [
  [c.code, c], [c.name, c], [c.plural, c],
  ...(c.code === 'GBP' ? [['pounds sterling', c], ['sterling', c]] as [string, Currency][] : []),
  ...(c.code === 'CHF' ? [['francs', c], ['franc', c]] as [string, Currency][] : []),
  ...(c.code === 'CNY' ? [['renminbi', c], ['rmb', c]] as [string, Currency][] : []),
  ...(c.code === 'SEK' ? [['kronor', c], ['krona', c]] as [string, Currency][] : []),
  ...(c.code === 'USD' ? [['us dollars', c], ['bucks', c]] as [string, Currency][] : [])
] as [string, Currency][]).sort((a, b) => b[0].length - a[0].length)
const NAME = `(?:${NAMES.map(([n]) => n.replace(/\s+/g, String.raw`\s+`)).join('|')})`
/** A currency sign, and an amount as written ("1,250.50", ".5"): regex sources. */
export const SYMBOL = '[$€£¥₹]'
export const NUMBER = String.raw`\d+(?:,\d{3})*(?:\.\d+)?|\.\d+`

/** "$100", "100 dollars", "100 USD", "€1,250.50" */
const AMOUNT = new RegExp(String.raw`(?:(${SYMBOL})\s*(${NUMBER})(?:\s+(${NAME})\b)?|(${NUMBER})\s*(${NAME})\b)`, 'i')
/** "... to / in / into dollars" after the amount. */
const TARGET = new RegExp(String.raw`\b(?:to|in|into|as)\s+(?:(?:the|a)\s+)?(${NAME}|${SYMBOL})(?![\w])`, 'i')
/** "at 1.08 dollars per euro", "at 1.08 USD/EUR", "at a rate of 1.08", "at 1.08". */
const RATE_AT = new RegExp(String.raw`\b(?:at|with|using)\s+(?:an?\s+(?:exchange\s+)?rate\s+of\s+|the\s+(?:exchange\s+)?rate\s+(?:of\s+)?)?(${NUMBER})\s*(?:(${NAME}|${SYMBOL})\s*(?:per|/|for\s+(?:each|every|one|a|an)|to\s+(?:the|one|a|an))\s*(?:1\s+)?(${NAME}|${SYMBOL})\b)?`, 'i')
/** "if 1 dollar is 150 yen", "where 1 EUR = 1.08 USD", "1 euro buys 1.08 dollars". */
const equalsRate = (verbs: string, flags: string): RegExp =>
  new RegExp(String.raw`\b(?:1|one|a|an)\s+(${NAME}|${SYMBOL})\s*(?:${verbs})\s*(${SYMBOL})?\s*(${NUMBER})\s*(${NAME})?\b`, flags)
const EQUALS_VERBS = String.raw`is|=|equals|buys|gets|is\s+worth|costs`
const RATE_EQUALS = equalsRate(EQUALS_VERBS, 'i')
/** "the (exchange) rate is 1.08" */
const RATE_IS = new RegExp(String.raw`\b(?:exchange\s+)?rate\s+(?:is|=|of)\s+(${NUMBER})\b`, 'i')

export interface CurrencyAnswer { text: string, output: number, steps: string[] }

/** A request to convert money, read but not yet computed: the rate is undefined when the request gives none. */
export interface Conversion {
  value: number
  from: Currency
  to: Currency
  /** Units of `to` per unit of `from`, when the request gives a rate. */
  rate?: number
  /** How the rate was read, for the working. */
  reading?: string
}

export type { Currency }

/** An amount of money a text states, and the currency it is in. */
export interface StatedAmount { value: number, currency: Currency, text: string }

const AMOUNTS = new RegExp(AMOUNT.source, 'gi')

/** Every amount of money a text states, in order ("$84.50", "20 euros", "100 USD"). */
export function amountsIn (text: string): StatedAmount[] {
  return [...text.matchAll(AMOUNTS)].flatMap(m => {
    const currency = m[1] !== undefined ? (currencyOf(m[3]) ?? currencyOf(m[1])) : currencyOf(m[5])
    return currency === undefined ? [] : [{ value: num(m[2] ?? m[4]!), currency, text: m[0] }]
  })
}

/** Digits after the point a currency's amounts are written with: none for the yen, else 2. */
export function decimalsOf (c: Currency): number {
  return c.code === 'JPY' ? 0 : 2
}

/**
 * `value` rounded to `decimals` digits, a half away from zero as written: 12.675 is 12.67499999...
 * as a double, and is nudged by a relative epsilon so it rounds to 12.68 as a person would.
 */
export function roundMoney (value: number, decimals: number): number {
  const scale = 10 ** decimals
  const rounded = Math.sign(value) * Math.round(Math.abs(value) * scale * (1 + Number.EPSILON * 4)) / scale
  return rounded === 0 ? 0 : rounded
}

/** An amount as written with its sign: "$1,234.50", "-$3.00". */
export function writeMoney (value: number, symbol: string, decimals: number): string {
  return `${value < 0 ? '-' : ''}${symbol}${Math.abs(value).toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })}`
}

function currencyOf (word: string | undefined): Currency | undefined {
  if (word === undefined) return undefined
  const w = word.replace(/\s+/g, ' ').trim().toLowerCase()
  return NAMES.find(([n]) => n.toLowerCase() === w)?.[1] ?? CURRENCIES.find(c => c.symbol === w)
}

const num = (s: string): number => Number(s.replace(/,/g, ''))

/**
 * A conversion of an amount of money into another currency, with the rate the request gives if it
 * gives one; undefined when the request is not a conversion. Throws (a "calculator:" error) on a
 * rate that names other currencies.
 */
export function readConversion (request: string): Conversion | undefined {
  const amount = AMOUNT.exec(request)
  if (amount === null) return undefined
  const from = amount[1] !== undefined ? (currencyOf(amount[3]) ?? currencyOf(amount[1])) : currencyOf(amount[5])
  const value = num(amount[2] ?? amount[4]!)
  const targetMatch = TARGET.exec(request.slice(amount.index + amount[0].length))
  const to = currencyOf(targetMatch?.[1])
  if (from === undefined || to === undefined || from.code === to.code) return undefined
  // The rate, as units of `to` per unit of `from`.
  const at = RATE_AT.exec(request)
  const equals = RATE_EQUALS.exec(request)
  if (equals !== null) {
    const one = currencyOf(equals[1])
    const other = currencyOf(equals[4]) ?? currencyOf(equals[2])
    const r = num(equals[3]!)
    const reading = `1 ${one!.code} = ${r} ${(other ?? (one!.code === from.code ? to : from)).code}`
    if (one?.code === from.code && (other === undefined || other.code === to.code)) return { value, from, to, rate: r, reading }
    if (one?.code === to.code && (other === undefined || other.code === from.code)) return { value, from, to, rate: 1 / r, reading }
    throw new Error(`calculator: the rate given (1 ${equals[1]} = ${r}${equals[4] !== undefined ? ` ${equals[4]}` : ''}) is not between ${from.plural} and ${to.plural}`)
  }
  if (at !== null) {
    const r = num(at[1]!)
    const per = currencyOf(at[3])
    const of = currencyOf(at[2])
    if (per === undefined) return { value, from, to, rate: r, reading: `${r} ${to.code} per ${from.code} (a bare rate is read as ${to.plural} per ${from.name})` }
    if (per.code === from.code && (of === undefined || of.code === to.code)) return { value, from, to, rate: r, reading: `${r} ${to.code} per ${from.code}` }
    if (per.code === to.code && (of === undefined || of.code === from.code)) return { value, from, to, rate: 1 / r, reading: `${r} ${from.code} per ${to.code}` }
    throw new Error(`calculator: the rate given (${at[0].replace(/^\w+\s+/, '')}) is not between ${from.plural} and ${to.plural}`)
  }
  const is = RATE_IS.exec(request)
  if (is !== null) {
    const r = num(is[1]!)
    return { value, from, to, rate: r, reading: `${r} ${to.code} per ${from.code} (a bare rate is read as ${to.plural} per ${from.name})` }
  }
  return { value, from, to }
}

/**
 * Whether a request converts money into another currency, with a rate or without; a rate between
 * other currencies still makes it one (the calculator says what is wrong with it).
 */
export function convertsMoney (text: string): boolean {
  try { return readConversion(text) !== undefined } catch { return true }
}

/** The error for a conversion with no rate anywhere; `where` says where else the calculator looked. */
export function noRateError (c: Conversion, where?: string): Error {
  return new Error(`calculator: converting ${c.from.plural} to ${c.to.plural} needs an exchange rate, and the calculator keeps none (rates change by the minute, and it works offline)${where !== undefined ? `; ${where}` : ''}; give one, as in "${c.value} ${c.from.plural} to ${c.to.plural} at 1.08 ${c.to.plural} per ${c.from.name}"`)
}

/** The conversion computed at `rate` (units of `to` per unit of `from`), `reading` saying where the rate came from. */
export function convertAt (c: Conversion, rate: number, reading: string): CurrencyAnswer {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new Error(`calculator: the exchange rate ${rate} (${reading}) is not a positive number`)
  const steps = [`${c.value} ${c.from.code} → ${c.to.code}`, `rate: ${reading}`]
  const exact = c.value * rate
  const rounded = roundMoney(exact, decimalsOf(c.to))
  steps.push(`${c.value} × ${rate} = ${exact}`, `≈ ${format(rounded, c.to)} (to the ${c.to.code === 'JPY' ? 'whole yen' : 'cent'})`)
  return { text: `${format(c.value, c.from)} = ${format(rounded, c.to)}`, output: rounded, steps }
}

/** "EUR/USD 1.08", "the euro to dollar exchange rate is 1.08", "EUR-USD: 1.08": 1 of the first = that many of the second. */
const PAIR_RATE = new RegExp(String.raw`\b(${NAME})\s*(?:/|-|→|to|into)\s*(${NAME})\b(?:\s+(?:exchange\s+)?rate)?\s*(?:is|=|:|of|at|stands\s+at|was)?\s*(${NUMBER})(?!\.?\d)`, 'gi')
/** "1.08 dollars per euro", "150 JPY per USD", "1.08 USD/EUR". */
const PER_RATE = new RegExp(String.raw`(?<![\d.])(${NUMBER})\s*(${NAME}|${SYMBOL})\s*(?:per|/|for\s+(?:each|every|one|a|an))\s*(?:1\s+)?(${NAME})\b`, 'gi')
/** "1 EUR = 1.08 USD", "one euro buys 1.08 dollars", "a dollar is worth ¥150". */
const EQUALS_RATE = equalsRate(String.raw`${EQUALS_VERBS}|trades\s+at|is\s+at`, 'gi')
/** "the dollar is at 150 yen", "the euro trades at $1.08". */
const AT_RATE = new RegExp(String.raw`\bthe\s+(${NAME})\s+(?:is\s+at|trades\s+at|stands\s+at|is\s+worth|is)\s+(${SYMBOL})?\s*(${NUMBER})\s*(${NAME})?\b`, 'gi')

/**
 * The rate between `from` and `to` that a text states (a graph fact, not a request), as units of
 * `to` per unit of `from`, and the statement as read; undefined when the text states none between
 * these two. "1 EUR = 1.08 USD" gives EUR→USD 1.08 and USD→EUR 1/1.08. A text that states two
 * different rates for the pair gives none: it cannot be read one way.
 */
export function statedRate (text: string, from: Currency, to: Currency): { rate: number, reading: string } | undefined {
  const found: { rate: number, reading: string }[] = []
  /** A statement that 1 `a` is worth `r` of `b`. */
  const pair = (a: Currency | undefined, b: Currency | undefined, r: number): void => {
    if (a === undefined || b === undefined || !(r > 0) || !Number.isFinite(r)) return
    const reading = `1 ${a.code} = ${r} ${b.code}`
    if (a.code === from.code && b.code === to.code) found.push({ rate: r, reading })
    else if (a.code === to.code && b.code === from.code) found.push({ rate: 1 / r, reading })
  }
  for (const m of text.matchAll(PAIR_RATE)) pair(currencyOf(m[1]), currencyOf(m[2]), num(m[3]!))
  for (const m of text.matchAll(PER_RATE)) pair(currencyOf(m[3]), currencyOf(m[2]), num(m[1]!))
  for (const m of [...text.matchAll(EQUALS_RATE), ...text.matchAll(AT_RATE)]) pair(currencyOf(m[1]), currencyOf(m[4]) ?? currencyOf(m[2]), num(m[3]!))
  if (found.length === 0) return undefined
  const first = found[0]!
  return found.every(f => Math.abs(f.rate - first.rate) <= 1e-9 * first.rate) ? first : undefined
}

function format (value: number, c: Currency): string {
  const digits = decimalsOf(c)
  return c.symbol !== undefined && c.code !== 'INR' ? writeMoney(value, c.symbol, digits)
    : `${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${c.code}`
}
