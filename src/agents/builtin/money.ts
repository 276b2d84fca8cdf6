/**
 * Everyday money questions, read by patterns: what a sum of money comes to is money, shown to the
 * cent in the currency asked about ("What is a 15% tip on $84.50?" → $12.68, not 12.675); a bill
 * split between people, with a tip or tax on top ("Split a bill of $120 among 4 people with a 20%
 * tip" → $36.00 each); and an amount put aside every period ("If I save $250 a month, how much after
 * 18 months?" → $4,500.00). The calculator evaluates what these read (math.ts); the expressions are
 * shown in its working.
 */
import { amountsIn as statedAmounts, convertsMoney, decimalsOf, NUMBER, roundMoney, SYMBOL, writeMoney } from './currency.ts'
import { numberWordsToDigits } from './number-words.ts'

/** The currency an answer is written in (currency.ts reads it; only currencies with a sign). */
export interface Currency {
  /** As an answer is written: `$`, `€`, `£`, `¥`, `₹`. */
  symbol: string
  /** Digits after the point: 2, or 0 for the yen. */
  decimals: number
}

/** What asks for a count, a share of 100 or a time, not an amount of money (a conversion is currency.ts's). */
const NOT_MONEY = /\bhow\s+many\b|\bwhat\s+(?:percent(?:age)?|fraction|share|proportion|ratio)\b|\bhow\s+(?:long|often)\b|\bper\s*cent(?:age)?\s+of\s+[$€£¥₹]/i

export interface MoneyAmount { value: number, currency: Currency, text: string }

/** The amounts of money a text states in a currency with a sign, in order. */
export function amountsIn (text: string): MoneyAmount[] {
  return statedAmounts(text).flatMap(a => a.currency.symbol === undefined ? [] : [{ value: a.value, currency: { symbol: a.currency.symbol, decimals: decimalsOf(a.currency) }, text: a.text }])
}

/**
 * The currency a question's answer is in: every amount it states is in one currency, and it asks
 * for an amount (not "how many", a percentage, or a conversion into another currency). Undefined
 * otherwise.
 */
export function moneyQuestion (text: string): Currency | undefined {
  if (NOT_MONEY.test(text) || convertsMoney(text)) return undefined
  const amounts = amountsIn(text)
  if (amounts.length === 0) return undefined
  const symbol = amounts[0]!.currency.symbol
  return amounts.every(a => a.currency.symbol === symbol) ? amounts[0]!.currency : undefined
}

/** `value` as money: rounded to the currency's smallest unit (currency.ts `roundMoney`), and as written ("$1,234.50", "-$3.00"). */
export function asMoney (value: number, c: Currency): { value: number, text: string } {
  const rounded = roundMoney(value, c.decimals)
  return { value: rounded, text: writeMoney(rounded, c.symbol, c.decimals) }
}

export interface MoneyReading {
  /** A mathjs expression. */
  expression: string
  /** How the request was read, for the working. */
  note: string
  currency: Currency
  /** What the answer is (`each`: a share per person), or what it means ("short: $50 lasts 2 days"). */
  per?: string
}

/** A percentage as said: "15%", "15 percent", "15 per cent" (the number its group). */
export const PCT = String.raw`(\d+(?:\.\d+)?)\s*(?:%|percent\b|per\s*cent\b)`
const ON_TOP = new RegExp(String.raw`\b(?:with|plus|including|incl\.?|and|adding|add)\s+(?:an?\s+|the\s+)?${PCT}\s+(tip|gratuity|tax|vat|sales\s+tax|service(?:\s+charge)?|surcharge|fee)\b|\b${PCT}\s+(tip|gratuity|tax|vat|sales\s+tax|service(?:\s+charge)?|surcharge|fee)\s+(?:on\s+top|added|included|extra)\b`, 'gi')
const PEOPLE = String.raw`(\d+)\s+(?:people|persons|friends|ways|of\s+us|colleagues|roommates|guests|diners|players|members|kids|children|students|coworkers|co-workers|family\s+members|teams|departments|groups|squads|projects|offices|regions|partners|households|winners)`
/** "split $120 among 4 people", "divide a bill of $120 between 4 friends", "share $90 3 ways". */
const SPLIT_VERB = new RegExp(String.raw`\b(?:split|divide|share)(?:s|d|ting|ing)?\b(?:[^.?!]|\.(?=\d))*?\b(?:among|amongst|between|by|across|into|in)?\s*${PEOPLE}`, 'i')
/** "4 friends split a $120 bill", "if 3 people share $100". */
const PEOPLE_SPLIT = new RegExp(String.raw`\b${PEOPLE}\s+(?:split|share|divide)(?:s)?\b`, 'i')

/**
 * A bill split evenly between people, with a tip or tax on top if the request names one: each
 * person's share. One amount of money; undefined when the request is not such a split.
 */
export function billSplit (request: string): MoneyReading | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  const m = SPLIT_VERB.exec(s) ?? PEOPLE_SPLIT.exec(s)
  if (m === null) return undefined
  const amounts = amountsIn(s)
  if (amounts.length !== 1) return undefined
  const people = Number(m[1])
  if (!Number.isInteger(people) || people < 1 || people > 100_000) return undefined
  const bill = amounts[0]!
  const extras = [...s.matchAll(ON_TOP)].map(x => ({ pct: x[1] ?? x[3]!, what: (x[2] ?? x[4]!).toLowerCase().replace(/\s+/g, ' ') }))
  // Every percentage must be one of the extras read: "split $120, 30% to me" is not an even split.
  if ([...s.matchAll(new RegExp(PCT, 'gi'))].length !== extras.length) return undefined
  const factors = extras.map(x => ` * (1 + ${x.pct} / 100)`).join('')
  const value = String(bill.value)
  return {
    expression: `${value}${factors} / ${people}`,
    note: `split evenly: ${bill.text}${extras.map(x => ` plus a ${x.pct}% ${x.what}`).join('')}, between ${people}`,
    currency: bill.currency,
    per: 'each'
  }
}

const PERIODS: Record<string, number> = { day: 1, week: 7, fortnight: 14, month: 365.25 / 12, quarter: 365.25 / 4, year: 365.25 }
export const PERIOD = String.raw`(day|week|fortnight|month|quarter|year)`
/** "$250 a month", "$250 per month", "$250 each month", "$250 every week", "$250 monthly". */
const EVERY = new RegExp(String.raw`(?:\b(?:a|per|each|every)\s+${PERIOD}\b|\b(daily|weekly|monthly|quarterly|yearly|annually)\b)`, 'i')
/** "after 18 months", "in 2 years", "for 10 weeks", "over 3 years". */
const SPAN = new RegExp(String.raw`\b(?:after|in|for|over|within)\s+(\d+(?:\.\d+)?|an?|one)\s+${PERIOD}s?\b`, 'i')
/** How many periods a match of SPAN counts: "3 months" 3, "a year" 1. */
const spanCount = (said: string): number => /^\d/.test(said) ? Number(said) : 1
const ADJECTIVE: Record<string, string> = { daily: 'day', weekly: 'week', monthly: 'month', quarterly: 'quarter', yearly: 'year', annually: 'year' }
/** The period a match of "a/per/each/every <period>" or "daily/weekly/..." names: its period word, else its adjective's. */
export function periodOf (period: string | undefined, adjective: string | undefined): string {
  return (period ?? ADJECTIVE[adjective!.toLowerCase()]!).toLowerCase()
}
/** Every "a/per/each/every <period>" or "daily/weekly/..." in a text. */
const EVERY_ALL = new RegExp(EVERY.source, 'gi')
/** A period said right after an amount: "$15 a week", "$50 monthly". */
const EVERY_NEXT = new RegExp(String.raw`^\s*${EVERY.source}`, 'i')
/** The period `text` opens with ("a month", "per year", "monthly" → "month"), or undefined. */
export function periodAfter (text: string): string | undefined {
  const m = EVERY_NEXT.exec(text)
  return m === null ? undefined : periodOf(m[1], m[2])
}
/** Whether a request speaks of periods: a span ("for a year", "over 6 months") or a rate ("per year", "annually"). */
export function overPeriods (text: string): boolean {
  return SPAN.test(text) || EVERY.test(text)
}
/** A quantity of something just before a period ("8 hours" of "8 hours a day"): the period is its, not an amount's. */
const OTHER_QUANTITY_BEFORE = /\d\s*[a-z]+\s*$/i
/** "an hour", "a hour" right after an amount. */
const AN_HOUR_NEXT = /^\s*(?:an?\s+)?hour\b/i
const ASKS_TOTAL = /\bhow\s+much\b|\bwhat\s+(?:is|'s)\s+the\s+total\b|\bwhat\s+will\s+(?:I|you|we|they|he|she)\s+have\b/i

/**
 * How many times a period (`per`: day, week, ...) comes round in a span (`count` `unit`s), and how
 * that is said for the working ("2 years = 104 weeks", "18 months"): a month is 12 to the year, a
 * quarter 4, a week 52; otherwise whole periods of the span's days. Undefined when none fits.
 */
export function periodsIn (per: string, count: number, unit: string): { times: number, said: string } | undefined {
  const span = `${count} ${unit}${count === 1 ? '' : 's'}`
  if (per === unit) return { times: count, said: span }
  const times = per === 'month' && unit === 'year' ? count * 12 : per === 'quarter' && unit === 'year' ? count * 4 : per === 'week' && unit === 'year' ? count * 52
    : Math.floor(count * PERIODS[unit]! / PERIODS[per]! + 1e-9)
  return times > 0 ? { times, said: `${span} = ${times} ${per}s` } : undefined
}

/**
 * An amount put aside (or spent) every period, over a span: "If I save $250 a month, how much after
 * 18 months?" ($250 × 18), "$20 a week for 2 years" (weeks in 2 years, counted as whole weeks of the
 * span's days: 104). No interest: a request that names a rate of interest is not one.
 */
export function amountOverTime (request: string): MoneyReading | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  // "What is $4,500 a month over 6 months?" asks the total too (before, "over" was read as a division).
  if (!(ASKS_TOTAL.test(s) || /^\s*what(?:'s|\s+is|\s+will\s+be|\s+would\s+be)\b/i.test(s)) || /\binterest\b|%|\bpercent\b|\bcompound/i.test(s)) return undefined
  const amounts = amountsIn(s)
  if (amounts.length !== 1) return undefined
  const a = amounts[0]!
  // The amount's period: said right after it ("$250 a month"), else one that is no other quantity's:
  // in "8 hours a day at $20 an hour", "a day" is the hours'. Before, that was taken for the $20's.
  // An amount an hour is pay (pay.ts), no amount a period.
  const after = s.slice(s.indexOf(a.text) + a.text.length)
  if (AN_HOUR_NEXT.test(after)) return undefined
  const every = EVERY_NEXT.exec(after) ?? [...s.matchAll(EVERY_ALL)].find(m => !OTHER_QUANTITY_BEFORE.test(s.slice(0, m.index))) ?? null
  const span = SPAN.exec(s)
  if (every === null || span === null) return undefined
  const per = periodOf(every[1], every[2])
  const counted = periodsIn(per, spanCount(span[1]!), span[2]!.toLowerCase())
  if (counted === undefined) return undefined
  const times = counted.times
  const note = `${a.text} a ${per}, ${counted.said}`
  return { expression: `${a.value} * ${times}`, note, currency: a.currency }
}

/** "How much is left?", "how much do we have left", "what's left", "how much remains", "how much will I have left over", "how much of $48,000 is left". */
const ASKS_LEFT = /\bhow\s+much(?:\s+money)?\s+(?:is|are|was|do\s+\w+\s+have|does\s+\w+\s+have|will\s+\w+\s+have|would\s+\w+\s+have|\w+\s+have)?\s*(?:left|remaining|left\s+over)\b|\bwhat(?:'s|\s+is)\s+left\b|\bhow\s+much\s+remains\b|\bhow\s+much\s+of\s+\S+(?:\s+\S+){0,5}?\s+(?:is|are|will\s+be|would\s+be|remains)\s+(?:left|remaining)\b/i
/** Words before an amount that take it away ("spent $1,250", "paid $80 for", "a $40 bill") or add to it ("earned $200"). */
const TAKES = /\b(?:spent|spend|spends|spending|paid|pay|pays|paying|used|use|uses|using|lost|lose|losing|gave|give|gives|giving|owe|owed|withdrew|withdraw|withdrawing|transferred|donated|donating|bought\s+\w+(?:\s+\w+)?\s+for|costs?|cost\s+me)\s+(?:another\s+|a\s+further\s+|only\s+)?$/i
const ADDS = /\b(?:earned|earn|earns|earning|received|receive|receiving|got|get|gets|getting|added|add|adding|deposited|deposit|deposits|depositing|saved|save|saves|saving|put\s+(?:away|aside|in)|won|found|made|makes)\s+(?:another\s+|a\s+further\s+)?$/i
/**
 * Words between two amounts that go on with the same action: "spend $12,500 and then $8,000", "spent
 * $45 on groceries and $30 on gas", "paid $100, then another $50", "$100 plus $20". Before, "and then"
 * and "another" were read as adding: "spend $12,500 and then $8,000" of $50,000 left $45,500.
 */
const CONTINUES = /^(?:\s+(?:on|for|at|in)(?:\s+[a-z]+){1,2})?\s*(?:,\s*|\s+)(?:and\s+|plus\s+)?(?:then\s+)?(?:another\s+|a\s+further\s+|also\s+)?$/i
/** Words before the first amount that make it the sum to start from: "Our budget is $2,000", "I have $50", "I start with $100". */
const HOLDS = /\b(?:budget|balance|savings|wallet|account|fund|funds|allowance|salary|pay|income|have|has|had|got|with|start(?:ed)?\s+with|is|was|of)\s+(?:is\s+|was\s+|of\s+)?(?:only\s+|just\s+)?(?:(?:a|an|the|our|my|your|their)\s+)?$/i

/**
 * What is left of a sum after spending ("Our budget is $2,000 and we have spent $1,250. How much is
 * left?" → $750.00): the first amount held, less each amount spent, plus each amount earned, all in
 * one currency. Undefined unless it asks what is left and every later amount is read as spent or
 * earned. Before, the word-problem reader failed on it ("no verb here says what happens to the number").
 */
export function moneyLeft (request: string): MoneyReading | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  if (!ASKS_LEFT.test(s) || /%|\bpercent\b|\binterest\b|\beach\b|\bper\b|\bevery\b/i.test(s) || EVERY.test(s)) return undefined
  const amounts = amountsIn(s)
  if (amounts.length < 2 || amounts.length > 8 || amounts.some(a => a.currency.symbol !== amounts[0]!.currency.symbol)) return undefined
  let at = 0
  const signs: number[] = []
  for (const a of amounts) {
    const index = s.indexOf(a.text, at)
    const before = s.slice(Math.max(0, at), index)
    at = index + a.text.length
    if (signs.length === 0) {
      if (!HOLDS.test(before)) return undefined
      signs.push(1)
    } else if (TAKES.test(before)) signs.push(-1)
    else if (ADDS.test(before)) signs.push(1)
    else if (CONTINUES.test(before)) signs.push(signs[signs.length - 1]!)
    else return undefined
  }
  if (!signs.slice(1).includes(-1)) return undefined
  const expression = amounts.map((a, i) => `${i === 0 ? '' : signs[i]! < 0 ? ' - ' : ' + '}${a.value}`).join('')
  return {
    expression,
    note: `left: ${amounts.map((a, i) => `${i === 0 ? '' : signs[i]! < 0 ? ' − ' : ' + '}${a.text}`).join('')}`,
    currency: amounts[0]!.currency
  }
}

/**
 * A sum held, and an amount spent (or saved) every period, over a span: "I have $50 and spend $5
 * each day. How much is left after 3 days?" ($50 − $5 × 3 = $35.00), "I start with $100 and save $20
 * a week. How much will I have after 10 weeks?" ($300.00). Periods are counted as periodsIn counts
 * them. Before, the calculator failed it: mathjs read "and" as logic. Undefined when the request is
 * not that (two amounts in one currency, the first held, the second spent or saved every period).
 */
export function balanceOverTime (request: string): MoneyReading | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  if (!(ASKS_LEFT.test(s) || ASKS_TOTAL.test(s)) || /\binterest\b|%|\bpercent\b|\bcompound/i.test(s)) return undefined
  const amounts = amountsIn(s)
  if (amounts.length !== 2 || amounts[0]!.currency.symbol !== amounts[1]!.currency.symbol) return undefined
  const [held, each] = [amounts[0]!, amounts[1]!]
  const heldAt = s.indexOf(held.text)
  const eachAt = s.indexOf(each.text, heldAt + held.text.length)
  if (heldAt < 0 || eachAt < 0 || !HOLDS.test(s.slice(0, heldAt))) return undefined
  const before = s.slice(heldAt + held.text.length, eachAt)
  const sign = TAKES.test(before) ? -1 : ADDS.test(before) ? 1 : 0
  // The period follows the amount it applies to ("$5 each day"); the span is said once.
  const every = EVERY.exec(s.slice(eachAt + each.text.length, eachAt + each.text.length + 20))
  const span = SPAN.exec(s)
  if (sign === 0 || every === null || span === null) return undefined
  const per = periodOf(every[1], every[2])
  const counted = periodsIn(per, spanCount(span[1]!), span[2]!.toLowerCase())
  if (counted === undefined) return undefined
  // Spent faster than it lasts: the answer is below zero, and says for how many periods the sum lasts.
  const lasts = sign < 0 && each.value > 0 && held.value - each.value * counted.times < 0 ? Math.floor(held.value / each.value + 1e-9) : undefined
  return {
    expression: `${held.value} ${sign < 0 ? '-' : '+'} ${each.value} * ${counted.times}`,
    note: `${held.text} ${sign < 0 ? '−' : '+'} ${each.text} a ${per} × ${counted.times} (${counted.said})`,
    currency: held.currency,
    ...(lasts !== undefined ? { per: `(short: ${held.text} lasts ${lasts} ${per}${lasts === 1 ? '' : 's'})` } : {})
  }
}

/** An amount of money as written in these patterns ("$35,000", "€40", "250 dollars"): amountsIn reads it. */
const MONEY = String.raw`(?:[$€£¥₹]\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s*(?:dollars?|euros?|pounds?|USD|EUR|GBP)\b)`
const OWNER = String.raw`(?:the\s+|our\s+|my\s+|your\s+|their\s+|these\s+|those\s+)?`
/**
 * So many people or things at a price each: "each of 8 people gets a $250 bonus", "hire 3 engineers
 * at $35,000 each", "8 people each get $250", "$250 for each of 8 people". Groups: count, things,
 * amount; or (the last form) amount, count, things.
 */
const EACH_GROUPS: { pattern: RegExp, read: (m: RegExpExecArray) => [string, string, string] }[] = [
  { pattern: new RegExp(String.raw`\beach\s+of\s+${OWNER}(\d+)\s+([a-z]+)\b(?:\s+(?!each\b)[a-z]+){0,4}?\s+(?:a\s+|an\s+)?(${MONEY})`, 'gi'), read: m => [m[1]!, m[2]!, m[3]!] },
  { pattern: new RegExp(String.raw`\b(\d+)\s+((?:[a-z]+\s+)?[a-z]+)\s+(?:at|for|costing|cost|that\s+cost|of)\s+(${MONEY})\s+(?:each|apiece|a\s+head|per\s+(?:person|head|ticket|seat|item|unit|piece))\b`, 'gi'), read: m => [m[1]!, m[2]!, m[3]!] },
  // "3 coffees at $4.75 and 2 muffins at $3.25": a price "at" after a count is each one's.
  { pattern: new RegExp(String.raw`\b(\d+)\s+((?:[a-z]+\s+)?[a-z]+)\s+at\s+(${MONEY})(?!\s*(?:each|apiece|a\s+head|per|an?\s+(?:hour|day|week|month|year)))`, 'gi'), read: m => [m[1]!, m[2]!, m[3]!] },
  { pattern: new RegExp(String.raw`\b(\d+)\s+([a-z]+)\s+each\s+(?:get|receive|earn|cost|pay|spend|need|are\s+paid|are\s+given|will\s+get|would\s+get)\s+(?:a\s+|an\s+)?(${MONEY})`, 'gi'), read: m => [m[1]!, m[2]!, m[3]!] },
  { pattern: new RegExp(String.raw`(${MONEY})(?:\s+[a-z]+)?\s+(?:to|for)\s+each\s+of\s+${OWNER}(\d+)\s+([a-z]+)`, 'gi'), read: m => [m[2]!, m[3]!, m[1]!] }
]
/** What a total asks: "how much is that in total", "what is the total", "altogether". */
const ASKS_ALL = /\bhow\s+much\b|\btotal\b|\baltogether\b|\bin\s+all\b|\bcombined\b|\bwhat\s+(?:does|do|did|will|would)\s+(?:[a-z-]+\s+){1,4}?cost\b/i

/**
 * So many at a price each, in all ("If each of 8 people gets a $250 bonus, how much is that in
 * total?" → $2,000.00), or what is left of a sum after it ("If we hire 3 engineers at $35,000 each,
 * how much of $120,000 is left?" → $15,000.00; several groups add up). Before, the word-problem
 * reader failed both ("no verb here says what happens to the numbers"). Undefined unless every other
 * amount is the one sum held, in the same currency, and the request asks a total or what is left.
 */
export function moneyEach (request: string): MoneyReading | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  const left = ASKS_LEFT.test(s)
  if (!(left || ASKS_ALL.test(s)) || /%|\bpercent\b|\binterest\b/i.test(s)) return undefined
  const groups: { n: number, things: string, amount: MoneyAmount, at: number, period: string | undefined }[] = []
  for (const { pattern, read } of EACH_GROUPS) {
    for (const m of s.matchAll(pattern)) {
      const [count, things, money] = read(m)
      const at = m.index + m[0].lastIndexOf(money)
      if (groups.some(g => g.at === at)) continue
      const amount = amountsIn(money)[0]
      if (amount === undefined) return undefined
      groups.push({ n: Number(count), things: things.toLowerCase(), amount, at, period: periodAfter(s.slice(at + money.length)) })
    }
  }
  if (groups.length === 0 || groups.some(g => g.n < 1 || g.amount.currency.symbol !== groups[0]!.amount.currency.symbol)) return undefined
  groups.sort((a, b) => a.at - b.at)
  // "If each of the 4 engineers gets $300 a week, what does the rotation cost per week?": amounts of
  // one period, with no other period asked, are a total of that period ($1,200.00 a week). A span ("for
  // 3 weeks") or another period asked is money over time (amountOverTime's), not a total each.
  const period = groups[0]!.period
  if (groups.some(g => g.period !== period)) return undefined
  if (period !== undefined && (SPAN.test(s) || [...s.matchAll(EVERY_ALL)].some(m => periodOf(m[1], m[2]) !== period))) return undefined
  const currency = groups[0]!.amount.currency
  const all = amountsIn(s)
  const others = all.filter(a => !groups.some(g => s.startsWith(a.text, g.at)))
  if (all.length - others.length !== groups.length) return undefined
  const spent = groups.map(g => `${g.n} * ${g.amount.value}`).join(' + ')
  const said = groups.map(g => `${g.n} ${g.things} × ${g.amount.text}`).join(' + ')
  if (!left) return others.length === 0 ? { expression: spent, note: `in all${period === undefined ? '' : `, a ${period}`}: ${said}`, currency, ...(period === undefined ? {} : { per: `a ${period}` }) } : undefined
  if (period !== undefined) return undefined
  // What is left of the one sum held: "how much of $120,000 is left", "Our budget is $120,000. ..."
  if (others.length !== 1 || others[0]!.currency.symbol !== currency.symbol) return undefined
  const held = others[0]!
  const heldAt = s.indexOf(held.text)
  if (!HOLDS.test(s.slice(0, heldAt)) && !/\bhow\s+much\s+(?:money\s+)?of\s+(?:the\s+|our\s+|my\s+)?$/i.test(s.slice(0, heldAt))) return undefined
  const over = groups.reduce((sum, g) => sum + g.n * g.amount.value, 0) - held.value
  return { expression: `${held.value} - (${spent})`, note: `left: ${held.text} − (${said})`, currency, ...(over > 0 ? { per: `(over ${held.text} by ${asMoney(over, currency).text})` } : {}) }
}

/** A loan: "a $250,000 loan", "mortgage of $300k", "borrow $10,000". */
const LOAN = /\b(?:loan|mortgage|borrow(?:ed|ing)?|financ(?:e|ed|ing))\b/i
/** Asks the payment each month: "monthly payment", "how much do I pay each month", "what are the repayments". */
const ASKS_PAYMENT = /\b(?:monthly\s+)?(?:re)?payments?\b|\binstal(?:l)?ments?\b|\bpay\s+(?:back\s+)?(?:each|every|per|a)\s+month\b|\bper\s+month\b|\bmonthly\b/i
/** The term of a loan: "for 30 years", "over 60 months", "a 15-year mortgage". */
const TERM = /\b(?:for|over|in|across)\s+(\d+(?:\.\d+)?)\s+(years?|months?)\b|\b(\d+)[- ](year|month)\b/i

/**
 * The monthly payment that repays a loan with interest over its term ("What is the monthly payment on
 * a $250,000 loan at 6% for 30 years?" → $1,498.88), the rate a year unless said a month: the annuity
 * formula P × r / (1 − (1 + r)^−n), r the monthly rate and n the months. Before, the calculator failed
 * ("undefined symbol monthly"). Undefined unless it names one amount, one rate and one term.
 */
export function loanPayment (request: string): MoneyReading | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  if (!LOAN.test(s) || !ASKS_PAYMENT.test(s)) return undefined
  const amounts = amountsIn(s)
  const rates = [...s.matchAll(new RegExp(PCT, 'gi'))]
  const term = TERM.exec(s)
  if (amounts.length !== 1 || rates.length !== 1 || term === null) return undefined
  const principal = amounts[0]!
  const rate = Number(rates[0]![1])
  const count = Number(term[1] ?? term[3])
  const months = /^year/i.test(term[2] ?? term[4]!) ? count * 12 : count
  if (!(months >= 1 && months <= 1200 && Number.isInteger(months)) || !(rate >= 0 && rate < 100)) return undefined
  const monthlyRate = /\b(?:a|per|each|every)\s+month\b|\bmonthly\s+(?:interest\s+)?rate\b/i.test(s.slice(rates[0]!.index + rates[0]![0].length, rates[0]!.index + rates[0]![0].length + 20))
  const r = monthlyRate ? `${rate} / 100` : `${rate} / 100 / 12`
  const perMonth = monthlyRate ? rate / 100 : rate / 1200
  // The payment as the expression computes it, for what is repaid in all.
  const payment = rate === 0 ? principal.value / months : principal.value * perMonth / (1 - (1 + perMonth) ** -months)
  const repaid = asMoney(asMoney(payment, principal.currency).value * months, principal.currency)
  return {
    expression: rate === 0 ? `${principal.value} / ${months}` : `${principal.value} * (${r}) / (1 - (1 + ${r})^(-${months}))`,
    note: `monthly payment on ${principal.text} at ${rate}% ${monthlyRate ? 'a month' : 'a year'} over ${months} months: P × r / (1 − (1 + r)^−n), r the monthly rate${monthlyRate ? '' : ` (${rate}% / 12)`}, n = ${months}`,
    currency: principal.currency,
    // Repaid at the payment to the cent (a lender settles the last few cents in the final payment).
    per: `a month for ${months} months${rate === 0 ? ' (no interest)' : ` (${repaid.text} repaid in all, ${asMoney(repaid.value - principal.value, principal.currency).text} of it interest)`}`
  }
}

/** Grows or shrinks by a percentage every period: "grows 5% a month", "increases by 3% per year", "falls 2% a week". */
const GROWS = new RegExp(String.raw`\b(grows?|grew|growing|increases?|increasing|rises?|rising|goes\s+up|shrinks?|shrinking|decreases?|decreasing|falls?|falling|drops?|dropping|declines?|declining|goes\s+down)\s+(?:by\s+)?${PCT}\s+(?:a|an|per|each|every)\s+(day|week|month|quarter|year)\b`, 'i')
/** The span asked: "in 6 months", "after 3 years", "in a year". */
const GROWTH_SPAN = /\b(?:in|after|over|within)\s+(\d+(?:\.\d+)?|an?|one)\s+(day|week|month|quarter|year)s?\b/i

/** A growth by a percentage every period over a span of those periods, as a request tells it. */
export interface GrowthAsked {
  pct: number
  /** It shrinks, falls or drops. */
  down: boolean
  /** "month" */
  period: string
  /** How many periods the span is. */
  periods: number
  /** Where the growth and the span are said. */
  said: [RegExpExecArray, RegExpExecArray]
}

/**
 * The growth `s` tells ("grows by 15% a year ... in 3 years"), for an amount (growthOverTime) or a
 * count (measures.ts, countGrowth); undefined unless its span is in the growth's periods and a fall
 * is no more than 100%.
 */
export function growthAsked (s: string): GrowthAsked | undefined {
  const g = GROWS.exec(s)
  const span = GROWTH_SPAN.exec(s)
  if (g === null || span === null || span[2]!.toLowerCase() !== g[3]!.toLowerCase()) return undefined
  const down = /shrink|decreas|fall|drop|declin|down/i.test(g[1]!)
  const pct = Number(g[2])
  if (down && pct > 100) return undefined
  return { pct, down, period: g[3]!.toLowerCase(), periods: spanCount(span[1]!), said: [g, span] }
}

/**
 * An amount that grows (or shrinks) by a percentage every period, after a span in the same periods
 * ("Our monthly cloud bill is $3,200 and it grows 5% a month. What will it be in 6 months?" → $3,200 ×
 * 1.05^6 = $4,288.31). Before, the researcher answered "going by what you say" and nothing was
 * computed. Undefined unless one amount, one growth and one span in the growth's period.
 */
export function growthOverTime (request: string): MoneyReading | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  if (!/\bwhat\b|\bhow\s+much\b/i.test(s)) return undefined
  const growth = growthAsked(s)
  const amounts = amountsIn(s)
  if (growth === undefined || amounts.length !== 1 || [...s.matchAll(new RegExp(PCT, 'gi'))].length !== 1) return undefined
  const { pct, down, period, periods } = growth
  const a = amounts[0]!
  const factor = `(1 ${down ? '-' : '+'} ${pct} / 100)`
  return { expression: `${a.value} * ${factor}^${periods}`, note: `${a.text} ${down ? 'less' : 'plus'} ${pct}% a ${period}, ${periods} time${periods === 1 ? '' : 's'}: ${a.text} × ${factor}^${periods}`, currency: a.currency }
}

/**
 * Whether `text` is a money story the calculator reads whole (money.ts): a bill split, an amount every
 * period, what is left of a sum, a balance over time, how many things a sum buys. The planner keeps
 * it one task and the calculator bids on it: "Split a $240 dinner bill between 6 people" matched no
 * skill well enough to bid, and went unassigned.
 */
export function tellsMoneyStory (text: string): boolean {
  return billSplit(text) !== undefined || amountOverTime(text) !== undefined || moneyLeft(text) !== undefined || moneyEach(text) !== undefined || loanPayment(text) !== undefined || growthOverTime(text) !== undefined || balanceOverTime(text) !== undefined || affordCount(text) !== undefined || savingsGoal(text) !== undefined
}

/** "how long until I have $600", "how many weeks to save $600", "how long will it take to reach $600". */
const ASKS_HOW_LONG = new RegExp(String.raw`\bhow\s+(?:long|many\s+${PERIOD}s)\b`, 'i')
const GOAL = /\b(?:have|reach|hit|save|saved|get\s+to|collect|raise|afford|pay\s+(?:off|back))\s+(?:up\s+)?(?:a\s+total\s+of\s+)?$/i

/**
 * How many periods an amount put aside every period takes to reach a goal: "If I save $15 a week, how
 * long until I have $600?" (40 weeks), "I have $100 and save $50 a month. How many months until I have
 * $1,000?" (18 months). Whole periods: the goal is reached at the end of the last one. Before, the
 * calculator failed it ("cannot parse"). Undefined when the request is not that.
 */
export function savingsGoal (request: string): { text: string, output: number, steps: string[] } | undefined {
  if (request.length > 400) return undefined
  const s = numberWordsToDigits(request.replace(/\s+/g, ' '))
  if (!ASKS_HOW_LONG.test(s) || /\binterest\b|%|\bpercent\b|\bcompound/i.test(s)) return undefined
  const amounts = amountsIn(s)
  if (amounts.length < 2 || amounts.length > 3 || amounts.some(a => a.currency.symbol !== amounts[0]!.currency.symbol)) return undefined
  // The amount every period is the one a period follows; the goal, the one a goal verb comes before.
  const at = (a: MoneyAmount): number => s.indexOf(a.text)
  const periodAfter = (a: MoneyAmount): RegExpExecArray | null => EVERY_NEXT.exec(s.slice(at(a) + a.text.length))
  const each = amounts.find(a => periodAfter(a) !== null)
  // "I have $100 and save $50 a month. How many months until I have $1,000?": the goal is the amount
  // the question leads to, else the one amount a goal verb comes before.
  const goals = amounts.filter(a => a !== each && GOAL.test(s.slice(0, at(a))))
  const goal = goals.find(a => /\b(?:until|till|to|reach|hit)\b[^$€£¥₹]{0,25}$/i.test(s.slice(0, at(a)))) ?? (goals.length === 1 ? goals[0] : undefined)
  if (each === undefined || goal === undefined || each.value <= 0) return undefined
  const start = amounts.find(a => a !== each && a !== goal)
  if (start !== undefined && !HOLDS.test(s.slice(0, at(start)))) return undefined
  const every = periodAfter(each)!
  const per = periodOf(every[1], every[2])
  // "How many weeks to save $100?" of $7 a day: counted in weeks.
  const unit = new RegExp(String.raw`\bhow\s+many\s+${PERIOD}s\b`, 'i').exec(s)?.[1]?.toLowerCase() ?? per
  const needed = goal.value - (start?.value ?? 0)
  if (needed <= 0) return { text: `None: ${start!.text} is already ${goal.text} or more`, output: 0, steps: [`${start!.text} held, ${goal.text} to reach`] }
  const perUnit = unit === per ? each.value : each.value * PERIODS[unit]! / PERIODS[per]!
  const exact = needed / perUnit
  const periods = Math.ceil(exact - 1e-9)
  const steps = [`${start !== undefined ? `${goal.text} − ${start.text} = ${needed} to put aside; ` : ''}${each.text} a ${per}${unit === per ? '' : ` = ${Number(perUnit.toPrecision(12))} a ${unit}`}`, `expression: ${needed} / ${Number(perUnit.toPrecision(12))} = ${Number(exact.toPrecision(12))}`]
  if (periods !== exact) steps.push(`rounded up to whole ${unit}s: ${periods}`)
  return { text: `${periods} ${unit}${periods === 1 ? '' : 's'}`, output: periods, steps }
}

/** "A pizza costs $12", "each ticket is $5", "one coffee sells for €3.50": a thing's price, in a story. */
const PRICE_OF_ONE = new RegExp(String.raw`\b(?:a|an|one|each)\s+([a-z][a-z -]{0,30}?)\s+(?:costs?|is|sells\s+for|goes\s+for)\s+(${SYMBOL}\s?(?:${NUMBER}))`, 'i')
/** "I have $50", "we've got $200", "she has €80": the sum to spend. */
const SUM_HELD = new RegExp(String.raw`\b(?:I|we|you|he|she|they)(?:\s+(?:have|has|had)(?:\s+got)?|'ve\s+got|'ve)\s+(?:only\s+|just\s+)?(${SYMBOL}\s?(?:${NUMBER}))`, 'i')
/** "how many pizzas can I buy", "how many can we afford". */
const HOW_MANY_BUY = /\bhow\s+many(?:\s+([a-z][a-z -]{0,30}?))?\s+can\s+\w+\s+(?:buy|afford|get|purchase|pay\s+for)\b/i

/** The same question told as a story: "If a pizza costs $12 and I have $50, how many pizzas can I buy?". */
function affordStory (s: string): { price: MoneyAmount | undefined, budget: MoneyAmount | undefined, things: string } | undefined {
  const ask = HOW_MANY_BUY.exec(s)
  const price = PRICE_OF_ONE.exec(s)
  const held = SUM_HELD.exec(s)
  if (ask === null || price === null || held === null || amountsIn(s).length !== 2) return undefined
  const things = (ask[1] ?? `${price[1]!}s`).trim()
  return { price: amountsIn(price[2]!)[0], budget: amountsIn(held[1]!)[0], things }
}

/** "How many $5 tickets can I buy with $47?", "How many tickets at $5 each can I afford with $47?". */
const AFFORD = new RegExp(String.raw`^how\s+many\s+(?:(${SYMBOL}\s?(?:${NUMBER}))\s+)?([a-z][a-z -]{0,40}?)\s+(?:(?:at|for|costing|priced\s+at)\s+(${SYMBOL}\s?(?:${NUMBER}))\s+(?:each|apiece|a\s+piece|per\s+\w+)?\s*)?can\s+(?:I|you|we|they|he|she|\w+)\s+(?:buy|afford|get|purchase|pay\s+for)\s+(?:with|for|on)\s+(${SYMBOL}\s?(?:${NUMBER}))\s*[?.!]?$`, 'i')

/**
 * How many things at a price a sum buys: whole things, and the change left ("How many $5 tickets
 * can I buy with $47?" → 9 tickets, $2.00 left). Undefined when the request is not that question.
 */
export function affordCount (request: string): { text: string, output: number, steps: string[] } | undefined {
  const s = numberWordsToDigits(request.trim().replace(/\s+/g, ' '))
  const m = AFFORD.exec(s)
  const read = m !== null && (m[1] === undefined) !== (m[3] === undefined)
    ? { price: amountsIn(m[1] ?? m[3]!)[0], budget: amountsIn(m[4]!)[0], things: m[2]!.trim() }
    : affordStory(s)
  if (read === undefined) return undefined
  const { price, budget, things } = read
  if (price === undefined || budget === undefined || price.currency.symbol !== budget.currency.symbol || price.value <= 0) return undefined
  const scale = 10 ** price.currency.decimals
  // In the currency's smallest units, so $0.10 into $0.30 is 3, not 2.9999.
  const [p, b] = [Math.round(price.value * scale), Math.round(budget.value * scale)]
  const count = Math.floor(b / p)
  const left = asMoney((b - count * p) / scale, price.currency)
  return {
    text: `${count} ${things} (${left.text} left over)`,
    output: count,
    steps: [`${budget.text} / ${price.text} = ${Number((budget.value / price.value).toPrecision(12))}`, `whole ${things}: ${count}`, `${count} × ${price.text} = ${asMoney(count * p / scale, price.currency).text}; left over: ${left.text}`]
  }
}
