/**
 * A price changed by percentages, told as a story: "A shirt costs $40. It is on sale for 25% off.
 * What is the sale price?" (30), "A $80 jacket is reduced by 10%, then 5% tax is added. How much do
 * I pay?" (75.60), "How much do I save?" (the discount). Read by patterns alone (no mathjs), so the
 * planner and the bid rules can ask whether a request is one; the calculator evaluates the
 * expression (math.ts). One amount of money, one or more changes in the order told, and a question
 * about the price or the saving; anything else is not one.
 */
import { billSplit, PCT } from './money.ts'
import { numberWordsToDigits } from './number-words.ts'

const MONEY = /(?:[$€£]\s?(\d+(?:,\d{3})*(?:\.\d+)?)|\b(\d+(?:,\d{3})*(?:\.\d+)?)\s+(?:dollars|euros|pounds)\b)/gi
/** Lower: "25% off", "a 25% discount", "reduced by 25%", "marked down 25%", "25% cheaper". */
const DOWN = new RegExp(String.raw`${PCT}\s+(?:off|discount|reduction|cheaper|less|lower|markdown)\b|\b(?:discount(?:ed)?|reduc(?:ed|es?|tion)|cut|lowered|decreas(?:ed|es?)|marked\s+down|falls?|fell|drops?|dropped|goes\s+down|went\s+down)\s+(?:of\s+|by\s+)?${PCT}`, 'gi')
/** Higher: "5% tax", "a 10% tip", "raised by 10%", "goes up 10%", "10% more". */
const UP = new RegExp(String.raw`${PCT}\s+(?:tax|vat|tip|service\s+charge|surcharge|markup|increase|rise|more|higher|dearer|(?:booking\s+|service\s+|handling\s+|processing\s+|card\s+)?fee)\b|\b(?:increas(?:ed|es?)|rais(?:ed|es?)|rises?|rose|marked\s+up|goes\s+up|went\s+up|tax\s+of|vat\s+of|tip\s+of)\s+(?:of\s+|by\s+)?${PCT}`, 'gi')
const ASKS_PRICE = /\b(?:sale|new|final|discounted|reduced|total|full)\s+(?:price|cost|amount)\b|\bhow\s+much\s+(?:is|does|do|did|will|would|should)\b.*\b(?:cost|pay|paid|now|it|they|costs?)\b|\b(?:price|cost)\s+(?:is\s+it\s+)?now\b|\bwhat\s+(?:does|do|will|would)\s+(?:it|they|\w+)\s+cost\b|\bhow\s+much\s+(?:is\s+it|are\s+they|in\s+total|altogether|all\s+together|overall)\b|\bwhat(?:'s|\s+is)\s+the\s+total\b|\bwhat\s+(?:do|does|did|will|would|should)\s+(?:I|you|we|they|he|she)\s+(?:pay|spend|owe)\b/i
const ASKS_SAVING = /\bhow\s+much\s+(?:do|does|did|will|would|can)\s+(?:I|you|we|they|he|she|\w+)\s+save\b|\bhow\s+much\s+is\s+the\s+(?:discount|saving|reduction)\b|\bhow\s+much\s+(?:money\s+)?(?:is|was)\s+saved\b/i

export interface PriceStory { expression: string, note: string }

/** The expression of a price story, or undefined when `text` is not one. */
export function priceStory (text: string): PriceStory | undefined {
  if (text.length > 600) return undefined
  // "4 friends split a $90 bill with a 15% tip": each one's share, not the price (money.ts).
  if (billSplit(text) !== undefined) return undefined
  const s = numberWordsToDigits(text.replace(/\s+/g, ' '))
  if (!/\?\s*$|\b(?:what|how)\b/i.test(s)) return undefined
  const amounts = [...s.matchAll(MONEY)]
  if (amounts.length !== 1) return undefined
  const price = (amounts[0]![1] ?? amounts[0]![2]!).replace(/,/g, '')
  const changes = [
    ...[...s.matchAll(DOWN)].map(m => ({ at: m.index, pct: m[1] ?? m[2]!, sign: '-' as const })),
    ...[...s.matchAll(UP)].map(m => ({ at: m.index, pct: m[1] ?? m[2]!, sign: '+' as const }))
  ].sort((a, b) => a.at - b.at)
  // Every percentage in the text must be one of the changes read: "25% of the shirts are red" is not one.
  const percentages = [...s.matchAll(new RegExp(PCT, 'gi'))].length
  if (changes.length === 0 || changes.length !== percentages) return undefined
  // "3 items at $12.99 each": the price is for each of a count. Any other number is something this
  // reading does not account for, and the story is not one: "If I buy 3 items at $12.99 each with 8%
  // tax, what is the total?" had been answered $14.03 (one item), and verified.
  const counted = countOf(s, amounts[0]!)
  if (counted === null) return undefined
  const whole = counted === undefined ? price : `${counted} * ${price}`
  const factors = changes.map(c => `(1 ${c.sign} ${c.pct} / 100)`).join(' * ')
  if (ASKS_SAVING.test(s)) {
    if (changes.some(c => c.sign === '+')) return undefined
    return { expression: `${whole} - ${whole} * ${factors}`, note: `saving: ${whole} less ${whole} after ${changes.map(c => `${c.pct}% off`).join(', then ')}` }
  }
  if (!ASKS_PRICE.test(s)) return undefined
  return { expression: `${whole} * ${factors}`, note: `price ${counted === undefined ? price : `${counted} × ${price}`}, ${changes.map(c => `${c.sign === '-' ? 'less' : 'plus'} ${c.pct}%`).join(', then ')}` }
}

/** "3 items at $12.99", "2 tickets for $15", "4 shirts costing $20": a count, a few words, then the price. */
const COUNT_AT = /\b(\d+)\s+(?:[A-Za-z'-]+\s+){0,3}?(?:at|for|costing|priced\s+at|that\s+cost|which\s+cost)\s+(?:each\s+)?$/i
/** "$12.99 each", "$15 apiece". */
const EACH_AFTER = /^\s*(?:each|apiece|a\s+piece|per\s+(?:item|piece|ticket|unit|person))\b/i

/**
 * How many the price is for: a count said before it ("3 items at $12.99 each"), or, with "each"
 * after the price, the one other whole number in the text. Undefined when the price is for one (no
 * other number in the text); null when another number is there that neither reading accounts for.
 */
function countOf (s: string, amount: RegExpMatchArray): string | undefined | null {
  const before = s.slice(0, amount.index)
  const after = s.slice(amount.index! + amount[0].length)
  // The numbers that are not the price or a percentage (each masked in place, so positions hold).
  const blank = (x: string): string => ' '.repeat(x.length)
  // A year ("In 2024 a $40 shirt was 25% off") is no count either.
  const masked = (before + blank(amount[0]) + after).replace(new RegExp(PCT, 'gi'), blank).replace(/\b(?:in|since|from|until|of|by)\s+(?:19|20)\d{2}\b/gi, blank)
  const others = [...masked.matchAll(/\d+(?:[.,]\d+)*/g)]
  if (others.length === 0) return undefined
  if (others.length > 1) return null
  const count = others[0]![0]
  if (!/^\d+$/.test(count) || Number(count) < 1) return null
  const at = COUNT_AT.exec(before)
  if (at !== null && at[1] === count) return count
  if (EACH_AFTER.test(after)) return count
  // "A pizza costs $12. We order 3 pizzas": the count names what the price is for.
  const what = new RegExp(String.raw`\b${count}\s+([a-z]{3,}?)(?:es|s)?\b`, 'i').exec(masked)?.[1]
  return what !== undefined && new RegExp(String.raw`\b${what}\b[^$€£\d]{0,24}$`, 'i').test(before) ? count : null
}

/** Whether `text` is a price story the calculator reads: kept whole by the planner, and the calculator's. */
export function tellsPriceStory (text: string): boolean {
  return priceStory(text) !== undefined
}
