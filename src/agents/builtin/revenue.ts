/**
 * Revenue from so many customers paying a price, or a share of them: "If our app has 5,000 users and
 * 12% are on the paid plan at $9 a month, what is our monthly revenue?" → $5,400.00 a month; "800
 * subscribers pay $12 a month: what is our annual revenue?" → $115,200.00 a year. Before, the first
 * went to the researcher, which quoted an unrelated decision about weekly users (and the verifier
 * supported the quote).
 *
 * Exactly one count of payers (users, customers, subscribers, ...), at most one percentage of them,
 * and one price; the period asked (monthly, annual, ...) may differ from the price's (a month is a
 * twelfth of a year, a week a 52nd, a quarter a fourth). Anything else is no reading.
 */
import { amountsIn, periodOf, PCT, type MoneyReading } from './money.ts'
import { numberWordsToDigits } from './number-words.ts'

const PAYERS = String.raw`(users|customers|subscribers|members|clients|accounts|seats|licen[cs]es|students|visitors|people|households|businesses|companies|teams|tenants)`
/** "5,000 users", "2.5 million visitors". */
const COUNT = new RegExp(String.raw`\b(\d[\d,]*(?:\.\d+)?)\s+(?:(?:active|paying|monthly|daily|registered|new|free|trial)\s+)?${PAYERS}\b`, 'gi')
/** What is asked: revenue, income, earnings, sales, MRR/ARR ("what is ...", "calculate ..."), or how much they bring in. */
const ASKS_REVENUE = /\b(?:what(?:'s|\s+is|\s+are|\s+was|\s+will\s+be|\s+would\s+be)?|how\s+much\s+(?:is|are|will\s+be|would\s+be)|calculate|compute|work\s+out|estimate|find)\b(?:\s+[\w']+){0,4}?\s+(?:revenue|income|earnings|turnover|sales|mrr|arr|billings?)\b|\bhow\s+much\s+(?:money\s+)?(?:do|does|will|would|did|can)\s+(?:we|they|it|the\s+\w+|our\s+\w+)\s+(?:make|earn|bring\s+in|take\s+in|get|collect)\b/i
/** A price per period: "$9 a month", "$9 per user per month", "$120 a year", "$9/month", "$9 monthly". */
const PRICE_PERIOD = /^\s*(?:(?:per|a|each|every)\s+(?:user|customer|subscriber|member|seat|account|licen[cs]e|person|head)\s*)?(?:\/\s*(day|week|month|quarter|year)\b|\b(?:a|per|each|every)\s+(day|week|month|quarter|year)\b|\b(daily|weekly|monthly|quarterly|yearly|annually)\b)/i
/** The period asked: "monthly revenue", "revenue per year", "annual income", "a month". */
const ASKED_PERIOD = /\b(daily|weekly|monthly|quarterly|yearly|annual|annually)\s+(?:revenue|income|earnings|turnover|sales|billings?)\b|\b(?:revenue|income|earnings|turnover|sales|billings?)\s+(?:a|per|each|every|in\s+a)\s+(day|week|month|quarter|year)\b|\b(mrr|arr)\b|\b(?:a|per|each|every|in\s+a)\s+(day|week|month|quarter|year)\s*[?.!]?\s*$|\b(?:make|earn|bring\s+in|take\s+in|get|collect)\s+(?:in\s+)?(?:a|per|each|every)\s+(day|week|month|quarter|year)\b/i
/** Periods in a year. */
const PER_YEAR: Record<string, number> = { day: 365, week: 52, month: 12, quarter: 4, year: 1 }

/** The revenue a request asks for, or undefined when it asks none or says more than one reading holds. */
export function revenueOfPayers (request: string): MoneyReading | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  if (!ASKS_REVENUE.test(s)) return undefined
  const counts = [...s.matchAll(COUNT)]
  if (counts.length !== 1) return undefined
  const count = Number(counts[0]![1]!.replace(/,/g, ''))
  const payers = counts[0]![2]!.toLowerCase()
  const amounts = amountsIn(s)
  if (amounts.length !== 1 || !(count > 0)) return undefined
  const price = amounts[0]!
  const after = s.slice(s.indexOf(price.text) + price.text.length)
  const p = PRICE_PERIOD.exec(after)
  const pricePeriod = p === null ? undefined : p[1] ?? p[2] ?? periodOf(undefined, p[3])
  const pcts = [...s.matchAll(new RegExp(PCT, 'gi'))]
  if (pcts.length > 1) return undefined
  const share = pcts.length === 1 ? Number(pcts[0]![1]) : undefined
  if (share !== undefined && !(share > 0 && share <= 100)) return undefined
  // Every number is the count, the share or the price ("12% of 5,000 users at $9 a month, plus 200 ..." is not one).
  const numbers = s.replace(/[$€£¥₹]\s?\d[\d,]*(?:\.\d+)?/g, ' ').match(/\d[\d,]*(?:\.\d+)?/g) ?? []
  if (numbers.length !== 1 + (share === undefined ? 0 : 1)) return undefined
  const a = ASKED_PERIOD.exec(s)
  const asked = a === null ? undefined : a[3] !== undefined ? (a[3].toLowerCase() === 'mrr' ? 'month' : 'year') : a[2] ?? a[4] ?? a[5] ?? periodOf(undefined, a[1]!.toLowerCase() === 'annual' ? 'annually' : a[1]!)
  const per = (asked ?? pricePeriod)?.toLowerCase()
  const from = pricePeriod?.toLowerCase()
  // A period asked of a price without one (a one-off price) is no reading.
  if (per !== undefined && from === undefined) return undefined
  const factor = per === undefined || from === undefined || per === from ? 1 : PER_YEAR[from]! / PER_YEAR[per]!
  const paying = share === undefined ? `${count}` : `${count} * ${share} / 100`
  const scale = factor === 1 ? '' : per === 'year' ? ` * ${PER_YEAR[from!]}` : from === 'year' ? ` / ${PER_YEAR[per!]}` : ` * ${PER_YEAR[from!]} / ${PER_YEAR[per!]}`
  const expression = `${paying} * ${price.value}${scale}`
  const payersSaid = `${count.toLocaleString('en-US')} ${payers}`
  const payingSaid = share === undefined ? payersSaid : `${share}% of ${payersSaid} = ${(count * share / 100).toLocaleString('en-US', { maximumFractionDigits: 2 })} paying`
  const scaleSaid = factor === 1 ? '' : per === 'year' ? ` × ${PER_YEAR[from!]} ${from}s a year` : from === 'year' ? ` ÷ ${PER_YEAR[per!]} ${per}s a year` : ` × ${PER_YEAR[from!]} ${from}s ÷ ${PER_YEAR[per!]} ${per}s a year`
  const note = `revenue: ${payingSaid} × ${price.text}${from === undefined ? '' : ` a ${from}`}${scaleSaid}`
  return { expression, note, currency: price.currency, ...(per === undefined ? {} : { per: `a ${per}` }) }
}
