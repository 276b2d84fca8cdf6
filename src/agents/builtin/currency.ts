/**
 * Money from one currency into another at the rate the request gives: "Convert 100 euros to dollars
 * at 1.08 dollars per euro", "€250 in pounds at 0.85", "How much is $40 in yen if 1 dollar is 150
 * yen?". The calculator keeps no exchange rates (they change by the minute, and it works offline), so
 * a conversion without a rate is an error that says how to give one. Before, both failed with
 * "undefined symbol dollars".
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
const SYMBOL = '[$€£¥₹]'
const NUMBER = String.raw`\d+(?:,\d{3})*(?:\.\d+)?|\.\d+`

/** "$100", "100 dollars", "100 USD", "€1,250.50" */
const AMOUNT = new RegExp(String.raw`(?:(${SYMBOL})\s*(${NUMBER})(?:\s+(${NAME})\b)?|(${NUMBER})\s*(${NAME})\b)`, 'i')
/** "... to / in / into dollars" after the amount. */
const TARGET = new RegExp(String.raw`\b(?:to|in|into|as)\s+(?:(?:the|a)\s+)?(${NAME}|${SYMBOL})(?![\w])`, 'i')
/** "at 1.08 dollars per euro", "at 1.08 USD/EUR", "at a rate of 1.08", "at 1.08". */
const RATE_AT = new RegExp(String.raw`\b(?:at|with|using)\s+(?:an?\s+(?:exchange\s+)?rate\s+of\s+|the\s+(?:exchange\s+)?rate\s+(?:of\s+)?)?(${NUMBER})\s*(?:(${NAME}|${SYMBOL})\s*(?:per|/|for\s+(?:each|every|one|a|an)|to\s+(?:the|one|a|an))\s*(?:1\s+)?(${NAME}|${SYMBOL})\b)?`, 'i')
/** "if 1 dollar is 150 yen", "where 1 EUR = 1.08 USD", "1 euro buys 1.08 dollars". */
const RATE_EQUALS = new RegExp(String.raw`\b(?:1|one|a|an)\s+(${NAME}|${SYMBOL})\s*(?:is|=|equals|buys|gets|is\s+worth|costs)\s*(${SYMBOL})?\s*(${NUMBER})\s*(${NAME})?\b`, 'i')
/** "the (exchange) rate is 1.08" */
const RATE_IS = new RegExp(String.raw`\b(?:exchange\s+)?rate\s+(?:is|=|of)\s+(${NUMBER})\b`, 'i')

export interface CurrencyAnswer { text: string, output: number, steps: string[] }

function currencyOf (word: string | undefined): Currency | undefined {
  if (word === undefined) return undefined
  const w = word.replace(/\s+/g, ' ').trim().toLowerCase()
  return NAMES.find(([n]) => n.toLowerCase() === w)?.[1] ?? CURRENCIES.find(c => c.symbol === w)
}

const num = (s: string): number => Number(s.replace(/,/g, ''))

/**
 * A conversion of an amount of money into another currency; undefined when the request is not one.
 * Throws (a "calculator:" error) when it is one but gives no rate, or a rate that names other currencies.
 */
export function convertCurrency (request: string): CurrencyAnswer | undefined {
  const amount = AMOUNT.exec(request)
  if (amount === null) return undefined
  const from = amount[1] !== undefined ? (currencyOf(amount[3]) ?? currencyOf(amount[1])) : currencyOf(amount[5])
  const value = num(amount[2] ?? amount[4]!)
  const targetMatch = TARGET.exec(request.slice(amount.index + amount[0].length))
  const to = currencyOf(targetMatch?.[1])
  if (from === undefined || to === undefined || from.code === to.code) return undefined
  const pair = `${from.plural} to ${to.plural}`
  const steps = [`${value} ${from.code} → ${to.code}`]
  // The rate, as units of `to` per unit of `from`.
  let rate: number | undefined
  let reading = ''
  const at = RATE_AT.exec(request)
  const equals = RATE_EQUALS.exec(request)
  if (equals !== null) {
    const one = currencyOf(equals[1])
    const other = currencyOf(equals[4]) ?? currencyOf(equals[2])
    const r = num(equals[3]!)
    if (one?.code === from.code && (other === undefined || other.code === to.code)) rate = r
    else if (one?.code === to.code && (other === undefined || other.code === from.code)) rate = 1 / r
    else throw new Error(`calculator: the rate given (1 ${equals[1]} = ${r}${equals[4] !== undefined ? ` ${equals[4]}` : ''}) is not between ${from.plural} and ${to.plural}`)
    reading = `1 ${one!.code} = ${r} ${(other ?? (one!.code === from.code ? to : from)).code}`
  } else if (at !== null) {
    const r = num(at[1]!)
    const per = currencyOf(at[3])
    const of = currencyOf(at[2])
    if (per === undefined) {
      rate = r
      reading = `${r} ${to.code} per ${from.code} (a bare rate is read as ${to.plural} per ${from.name})`
    } else if (per.code === from.code && (of === undefined || of.code === to.code)) {
      rate = r
      reading = `${r} ${to.code} per ${from.code}`
    } else if (per.code === to.code && (of === undefined || of.code === from.code)) {
      rate = 1 / r
      reading = `${r} ${from.code} per ${to.code}`
    } else throw new Error(`calculator: the rate given (${at[0].replace(/^\w+\s+/, '')}) is not between ${from.plural} and ${to.plural}`)
  } else {
    const is = RATE_IS.exec(request)
    if (is !== null) {
      rate = num(is[1]!)
      reading = `${rate} ${to.code} per ${from.code} (a bare rate is read as ${to.plural} per ${from.name})`
    }
  }
  if (rate === undefined || !(rate > 0) || !Number.isFinite(rate)) {
    throw new Error(`calculator: converting ${pair} needs an exchange rate, and the calculator keeps none (rates change by the minute, and it works offline); give one, as in "${value} ${from.plural} to ${to.plural} at 1.08 ${to.plural} per ${from.name}"`)
  }
  steps.push(`rate: ${reading}`)
  const exact = value * rate
  const rounded = to.code === 'JPY' ? Math.round(exact) : Math.round(exact * 100) / 100
  steps.push(`${value} × ${rate} = ${exact}`, `≈ ${format(rounded, to)} (to the ${to.code === 'JPY' ? 'whole yen' : 'cent'})`)
  return { text: `${format(value, from)} = ${format(rounded, to)}`, output: rounded, steps }
}

function format (value: number, c: Currency): string {
  const digits = c.code === 'JPY' ? 0 : 2
  const shown = value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
  return c.symbol !== undefined && c.code !== 'INR' ? `${c.symbol}${shown}` : `${shown} ${c.code}`
}
