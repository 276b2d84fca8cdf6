import { describe, expect, it } from 'vitest'
import { affordCount, amountOverTime, amountsIn, asMoney, billSplit, moneyQuestion } from '../../../src/agents/builtin/money.ts'

const USD = { symbol: '$', decimals: 2 }

describe('money', () => {
  it('rounds to the smallest unit, a half away from zero as written, and writes it as a person does', () => {
    expect(asMoney(12.675, USD)).toEqual({ value: 12.68, text: '$12.68' })
    expect(asMoney(1.005, USD)).toEqual({ value: 1.01, text: '$1.01' })
    expect(asMoney(-3, USD)).toEqual({ value: -3, text: '-$3.00' })
    expect(asMoney(-0.001, USD)).toEqual({ value: 0, text: '$0.00' })
    expect(asMoney(1234567.891, USD).text).toBe('$1,234,567.89')
    expect(asMoney(333.5, { symbol: '¥', decimals: 0 })).toEqual({ value: 334, text: '¥334' })
  })

  it('finds the amounts a text states, and whether a question asks for money', () => {
    expect(amountsIn('a $84.50 meal, €3 and 20 euros, 1,000 pounds, £5').map(a => `${a.currency.symbol}${a.value}`)).toEqual(['$84.5', '€3', '€20', '£1000', '£5'])
    expect(moneyQuestion('What is a 15% tip on $84.50?')).toEqual(USD)
    expect(moneyQuestion('How many $5 tickets can I buy with $47?')).toBeUndefined()
    expect(moneyQuestion('What percentage of $80 is $20?')).toBeUndefined()
    expect(moneyQuestion('Convert $100 to euros')).toBeUndefined()
    expect(moneyQuestion('$5 plus €5')).toBeUndefined() // two currencies: no one currency to answer in
    expect(moneyQuestion('What is 5 + 5?')).toBeUndefined()
  })

  it('reads even splits, amounts over time and what a sum buys, and nothing else', () => {
    expect(billSplit('Split a bill of $120 among 4 people with a 20% tip')).toMatchObject({ expression: '120 * (1 + 20 / 100) / 4', per: 'each' })
    expect(billSplit('Split $90 between 3 people, plus 8% tax and a 15% tip')).toMatchObject({ expression: '90 * (1 + 8 / 100) * (1 + 15 / 100) / 3' })
    expect(billSplit('Split 12 apples between 3 people')).toBeUndefined()
    expect(billSplit('Split $100 and $20 between 2 people')).toBeUndefined()
    expect(amountOverTime('If I save $250 a month, how much after 18 months?')).toMatchObject({ expression: '250 * 18' })
    expect(amountOverTime('I save $100 a month at 5% interest; how much after 2 years?')).toBeUndefined()
    expect(amountOverTime('How much is $250 a month?')).toBeUndefined()
    expect(affordCount('How many $5 tickets can I buy with $47?')).toMatchObject({ output: 9, text: '9 tickets ($2.00 left over)' })
    expect(affordCount('How many $5 tickets can I buy with €47?')).toBeUndefined()
    expect(affordCount('How many tickets can I buy?')).toBeUndefined()
  })
})
