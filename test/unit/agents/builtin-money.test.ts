import { describe, expect, it } from 'vitest'
import { affordCount, amountOverTime, amountsIn, asMoney, billSplit, growthOverTime, loanPayment, moneyEach, moneyLeft, moneyQuestion, savingsGoal } from '../../../src/agents/builtin/money.ts'
import { handler } from '../../../src/agents/builtin/calculator.ts'
import { payOverTime } from '../../../src/agents/builtin/pay.ts'
import { planByRules } from '../../../src/agents/builtin/planner.ts'
import { testContext } from './builtin-context.ts'
import { revenueOfPayers } from '../../../src/agents/builtin/revenue.ts'
import { tellsCalculatorStory } from '../../../src/agents/builtin/stories.ts'

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
    expect(billSplit('Split $48,000 between 4 teams')).toMatchObject({ expression: '48000 / 4', per: 'each' })
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

describe('money: stories of spending', () => {
  it('reads how many a sum buys when the price and the sum are told as a story', () => {
    // Before: "this reads as a word problem, but I could not follow it: how many pizzas I have is not said".
    expect(affordCount('If a pizza costs $12 and I have $50, how many pizzas can I buy?')).toEqual({
      text: '4 pizzas ($2.00 left over)', output: 4, steps: ['$50 / $12 = 4.16666666667', 'whole pizzas: 4', '4 × $12 = $48.00; left over: $2.00']
    })
    expect(affordCount('Each ticket is €7.50. We have €60. How many tickets can we buy?')?.text).toBe('8 tickets (€0.00 left over)')
    expect(affordCount('A coffee costs $3 and a cake costs $4. I have $20. How many coffees can I buy?')).toBeUndefined()
  })

  it('reads what is left of a sum after spending', () => {
    // Before: "no verb here says what happens to the number" ("Our budget is $2,000").
    expect(moneyLeft('Our budget is $2,000 and we have spent $1,250. How much is left?')).toMatchObject({ expression: '2000 - 1250', note: 'left: $2,000 − $1,250' })
    // As the calculator asks it with a value from the graph written in ("How much of the Q1 budget is left ...").
    expect(moneyLeft('How much of $48,000 is left if we spend $12,500?')).toMatchObject({ expression: '48000 - 12500' })
    expect(moneyLeft('How much is left of $48,000 after spending $12,500?')).toMatchObject({ expression: '48000 - 12500' })
    expect(moneyLeft('My salary is $3,000. Rent costs $1,200 and food costs $400. What is left?')?.expression).toBe('3000 - 1200 - 400')
    expect(moneyLeft('I had £50 and bought a book for £12.99. How much money is left?')?.expression).toBe('50 - 12.99')
    // Not a sum less what was spent: a rate, two currencies, nothing spent, or no question of what is left.
    expect(moneyLeft('I have $50 and spend $5 each day. How much is left after 3 days?')).toBeUndefined()
    expect(moneyLeft('I have $50 and spent €20. How much is left?')).toBeUndefined()
    expect(moneyLeft('I have $50 and earned $20. How much is left?')).toBeUndefined()
    expect(moneyLeft('Our budget is $2,000 and we have spent $1,250.')).toBeUndefined()
  })

  it('goes on with the same action over "and then", "and", "another": spending more is spending', async () => {
    // Before: "and then" and "another" were read as adding, and this was answered $45,500.00.
    expect(moneyLeft('We have a budget of $50,000. We spend $12,500 and then $8,000. How much is left?')).toMatchObject({ expression: '50000 - 12500 - 8000', note: 'left: $50,000 − $12,500 − $8,000' })
    expect(moneyLeft('I had $300, spent $100, then another $50, and earned $20. How much is left?')?.expression).toBe('300 - 100 - 50 + 20')
    expect(moneyLeft('I have $200 and spend $45 on groceries and $30 on gas. How much do I have left?')?.expression).toBe('200 - 45 - 30')
    // Before, the word-problem reader answered $20.
    expect(moneyLeft('I have $100 and $50. I spend $30. How much is left?')?.expression).toBe('100 + 50 - 30')
    // Asked in one question, and with "-ing": before, "undefined symbol left".
    expect(moneyLeft('How much is left of a $50,000 budget if we spend $12,500 and then $8,000?')?.expression).toBe('50000 - 12500 - 8000')
    expect(moneyLeft('What is left of $50,000 after spending $12,500?')?.expression).toBe('50000 - 12500')
    expect(await handler({ id: 't', text: 'How much is left of a $50,000 budget if we spend $12,500 and then $8,000?' }, testContext())).toMatchObject({ text: '$29,500.00', output: 29500 })
    // One story, not two parts cut at "and then" (the first part had failed, the second was "$8,000?").
    expect(planByRules('How much is left of a $50,000 budget if we spend $12,500 and then $8,000?')).toHaveLength(1)
    // Words between the amounts that are no connective still refuse.
    expect(moneyLeft('I have $100 and lend Sam $50. How much is left?')).toBeUndefined()
  })
})

describe('money: so many at a price each', () => {
  it('adds up so many at a price each, in all or out of a sum held', async () => {
    // Before: "no verb here says what happens to the numbers" for every one of these.
    expect(moneyEach('If each of 8 people gets a $250 bonus, how much is that in total?')).toMatchObject({ expression: '8 * 250', note: 'in all: 8 people × $250' })
    expect(moneyEach('8 people each get a $250 bonus. How much is that in total?')?.expression).toBe('8 * 250')
    expect(moneyEach('$250 for each of 8 people, how much in total?')?.expression).toBe('8 * 250')
    expect(moneyEach('How much do 4 tickets at $12.50 each cost?')?.expression).toBe('4 * 12.5')
    expect(moneyEach('If we hire 3 engineers at $35k each, how much is that in total?')?.expression).toBe('3 * 35000')
    expect(moneyEach('If we hire 3 engineers at $35,000 each, how much of $120,000 is left?')).toMatchObject({ expression: '120000 - (3 * 35000)', note: 'left: $120,000 − (3 engineers × $35,000)' })
    const two = moneyEach('Our budget is $120,000. We hire 3 engineers at $35,000 each and 1 designer at $30,000 each. How much is left?')
    expect(two).toMatchObject({ expression: '120000 - (3 * 35000 + 1 * 30000)', per: '(over $120,000 by $15,000.00)' })
    // Pay over time, another currency among them, or nothing asked: not this.
    expect(moneyEach('If 3 workers earn $15 an hour each, how much in total?')).toBeUndefined()
    expect(moneyEach('3 engineers at $35,000 each, how much of €120,000 is left?')).toBeUndefined()
    expect(moneyEach('We hire 3 engineers at $35,000 each.')).toBeUndefined()
    const r = await handler({ id: 't', text: 'Our budget is $120,000. We hire 3 engineers at $35,000 each and 1 designer at $30,000 each. How much is left?' }, testContext())
    expect(r).toMatchObject({ text: '-$15,000.00 (over $120,000 by $15,000.00)', output: -15000 })
    expect(planByRules('If we hire 3 engineers at $35,000 each, how much of $120,000 is left?')).toHaveLength(1)
  })

  it('reads a price "at" after a count as each one\'s, in the order told', () => {
    // Before: "applies logic to numbers" ("and" read as logic).
    expect(moneyEach('How much would 3 coffees at $4.75 and 2 muffins at $3.25 cost?')).toMatchObject({ expression: '3 * 4.75 + 2 * 3.25', note: 'in all: 3 coffees × $4.75 + 2 muffins × $3.25' })
    expect(moneyEach('What is the total for 2 pizzas at $12 and 3 drinks at $2.50 each?')?.expression).toBe('2 * 12 + 3 * 2.5')
    expect(moneyEach('If 3 workers are paid at $15 an hour, how much in total?')).toBeUndefined()
  })

  it('works out the monthly payment of a loan, and an amount that grows by a percentage every period', async () => {
    // Before: "undefined symbol monthly"; the growth was answered "going by what you say", not computed.
    const loan = await handler({ id: 't', text: 'What is the monthly payment on a $250,000 loan at 6% for 30 years?' }, testContext())
    expect(loan).toMatchObject({ output: 1498.88, text: '$1,498.88 a month for 360 months ($539,596.80 repaid in all, $289,596.80 of it interest)' })
    expect(loanPayment('What are the monthly repayments on a 15-year mortgage of $300,000 at 4.5%?')).toMatchObject({ expression: '300000 * (4.5 / 100 / 12) / (1 - (1 + 4.5 / 100 / 12)^(-180))' })
    expect(loanPayment('If I borrow $10,000 at 0% over 24 months, what is the monthly payment?')).toMatchObject({ expression: '10000 / 24', per: 'a month for 24 months (no interest)' })
    expect(loanPayment('What is 6% of a $250,000 loan?')).toBeUndefined()
    const bill = await handler({ id: 't', text: 'Our monthly cloud bill is $3,200 and it grows 5% a month. What will it be in 6 months?' }, testContext())
    expect(bill).toMatchObject({ output: 4288.31, text: '$4,288.31' })
    expect(growthOverTime('Our revenue of $50,000 falls 10% a quarter. What will it be in 2 quarters?')).toMatchObject({ expression: '50000 * (1 - 10 / 100)^2' })
    // A span in other periods than the growth's is not read.
    expect(growthOverTime('Our bill of $3,200 grows 5% a month. What will it be in 2 years?')).toBeUndefined()
  })

  it('reads a bill split with "and add a tip" as one story, not two steps', async () => {
    // Before: "part 2 of 2 ('add a 20% tip'): undefined symbol a".
    expect((await handler({ id: 't', text: 'Split a $96 bill among 4 people and add a 20% tip' }, testContext())).text).toMatch(/^\$28\.80 each/)
  })

  it('counts a span of one period said in words, and reads "what is" as asking the total', () => {
    expect(amountOverTime('How much is $4,500 a month for a year?')).toMatchObject({ expression: '4500 * 12' })
    expect(amountOverTime('What is $4,500 a month over 6 months?')).toMatchObject({ expression: '4500 * 6' })
  })
})

describe('money: how long to save up to a goal', () => {
  it('counts whole periods of an amount put aside, from a sum held or from nothing', async () => {
    // Before: "cannot parse", and the task failed.
    const weeks = await handler({ id: 't', text: 'If I save $15 a week, how long until I have $600?' }, testContext())
    expect(weeks).toMatchObject({ text: '40 weeks', output: 40 })
    expect(weeks.working).toContain('expression: 600 / 15 = 40')
    expect(savingsGoal('I have $100 and save $50 a month. How many months until I have $1,000?')).toMatchObject({ text: '18 months', steps: expect.arrayContaining(['$1,000 − $100 = 900 to put aside; $50 a month']) })
    // A goal reached partway through a period takes the whole period.
    expect(savingsGoal('How long will it take to save $1000 if I put aside $30 every week?')).toMatchObject({ text: '34 weeks', steps: expect.arrayContaining(['rounded up to whole weeks: 34']) })
    // Counted in the periods asked for.
    expect(savingsGoal('I save $7 per day. How many weeks to save $100?')?.text).toBe('3 weeks')
    expect(savingsGoal('I have $700 and save $50 a month. How many months until I have $500?')?.text).toBe('None: $700 is already $500 or more')
    // Not a goal: how much after a span, or interest.
    expect(savingsGoal('If I save $250 a month, how much after 18 months?')).toBeUndefined()
    expect(savingsGoal('If I save $15 a week at 5% interest, how long until I have $600?')).toBeUndefined()
  })
})

describe('money: pay over time', () => {
  it('takes a rate of pay to the period or span asked, with the hours the request gives, and says what it assumed', async () => {
    const cases: Array<[string, string, string]> = [
      // Before: cut in two by the planner, and failed.
      ['If I earn $25 an hour and work 38 hours a week, what do I earn in a year?', '$49,400.00 in a year', '25 * 38 * 52 = 49400'],
      ['I earn $25 an hour and work 38 hours a week. How much do I earn a year?', '$49,400.00 a year', '25 * 38 * 52 = 49400'],
      // Before: $100.00, the savings reader took "a day" (the hours') for the $20's period.
      ['If I work 8 hours a day at $20 an hour, how much do I earn in 5 days?', '$800.00 in 5 days', '20 * 8 * 5 = 800'],
      ['I work 4 days a week, 9 hours a day, at $30 per hour. What do I make a month?', '$4,680.00 a month', '30 * (9 * 4 * 52 / 12) = 4680'],
      ['I make $60,000 a year. What is that per month?', '$5,000.00 a month', '60000 / 12 = 5000'],
      ['What is $52,000 a year as an hourly rate?', '$25.00 an hour (assuming 40 hours a week)', '52000 / (40 * 52) = 25'],
      ['A salary of £45,000 per annum is how much a week?', '£865.38 a week', '45000 / 52 = 865.384615'],
      ['My rent is $1,200 a month. How much is that a year?', '$14,400.00 a year', '1200 * 12 = 14400']
    ]
    for (const [text, answer, step] of cases) {
      // One task: the planner no longer cuts it at "and".
      expect(planByRules(text), text).toHaveLength(1)
      const r = await handler({ id: 't', text }, testContext())
      expect(r.text, text).toBe(answer)
      expect(r.working, text).toContain(step)
    }
  })

  it('leaves savings, interest, raises and questions of no period to the other readers', async () => {
    expect((await handler({ id: 't', text: 'If I save $250 a month, how much after 18 months?' }, testContext())).text).toBe('$4,500.00')
    // The savings reader no longer takes another quantity's period for the amount's.
    expect(amountOverTime('If I work 8 hours a day at $20 an hour, how much do I earn in 5 days?')).toBeUndefined()
    expect(amountOverTime('I walk 5 km a day and save $3 a week. How much do I save in 10 weeks?')).toMatchObject({ expression: '3 * 10' })
    for (const text of ['I earn $25 an hour. What is 5% of that?', 'My salary of $50,000 a year gets a 3% raise. What is it now?', 'I earn $25 an hour.', 'I earn $25 an hour and $30 an hour on weekends. What do I earn in a week?', 'I spend $20 a week. How much in 2 years?']) {
      expect(payOverTime(text), text).toBeUndefined()
    }
  })
})

describe('money: a machine\'s cost by the hour runs around the clock', () => {
  it('takes it to a month of 730 hours, not a working week', () => {
    // Before: "$20.80 in a month (assuming 40 hours a week)".
    expect(payOverTime('Our server costs $0.12 per hour. What does it cost to run for a month?')).toMatchObject({
      text: '$87.60 in a month (assuming it runs around the clock, 730 hours in an average month)',
      steps: ['$0.12 an hour: in a month', 'assumed: it runs around the clock, 730 hours in an average month', '0.12 * (24 * 365 / 12) = 87.6']
    })
    expect(payOverTime('A GPU instance is $2.40 an hour. How much is that a year?')?.text).toBe('$21,024.00 a year (assuming it runs around the clock)')
    expect(payOverTime('Our database costs $1,200 a month. What is that per hour?')?.output).toBe(1.64)
    // A person's work keeps the working week.
    expect(payOverTime('The contractor charges $80 per hour. What does that cost per week?')?.text).toBe('$3,200.00 a week (assuming 40 hours a week)')
    expect(payOverTime('I run a stall and earn $15 an hour. How much in a week?')?.text).toBe('$600.00 in a week (assuming 40 hours a week)')
  })
})

describe('money: so much each a period', () => {
  it('totals amounts of one period, and leaves another period or a span to the other readers', async () => {
    expect(moneyEach('If each of the 4 engineers gets $300 a week, what does the rotation cost per week?')).toMatchObject({ expression: '4 * 300', per: 'a week', note: 'in all, a week: 4 engineers × $300' })
    expect((await handler({ id: 't', text: 'If each of the 4 engineers gets $300 a week, what does the rotation cost per week?' }, testContext())).text).toBe('$1,200.00 a week')
    expect(moneyEach('If each of the 4 engineers gets $300 a week, what does that cost a year?')).toBeUndefined()
    expect(moneyEach('If each of the 4 engineers gets $300 a week, how much is that in total for 3 weeks?')).toBeUndefined()
  })
})

describe('money: revenue from so many paying', () => {
  const calc = async (text: string) => await handler({ id: 't', text }, testContext())
  it('multiplies payers, their share and the price, in the period asked', async () => {
    // Before, the researcher answered the first by quoting an unrelated decision about weekly users.
    for (const [q, text, note] of [
      ['If our app has 5,000 users and 12% are on the paid plan at $9 a month, what is our monthly revenue?', '$5,400.00 a month', 'revenue: 12% of 5,000 users = 600 paying × $9 a month'],
      // Before, pay at a rate read this as one person's $12: $144.00 a year.
      ['800 subscribers pay $12 a month. What is our annual revenue?', '$115,200.00 a year', 'revenue: 800 subscribers × $12 a month × 12 months a year'],
      ['We have 1,200 customers paying $49 per month. What is our ARR?', '$705,600.00 a year', 'revenue: 1,200 customers × $49 a month × 12 months a year'],
      ['If 3% of 20,000 visitors buy a $25 ticket, what is the revenue?', '$15,000.00', 'revenue: 3% of 20,000 visitors = 600 paying × $25'],
      ['If 1,000 users pay $120 a year, what is the monthly revenue?', '$10,000.00 a month', 'revenue: 1,000 users × $120 a year ÷ 12 months a year'],
      ['How much do we make a year if 300 customers pay $20 a month?', '$72,000.00 a year', 'revenue: 300 customers × $20 a month × 12 months a year']
    ] as const) {
      const r = await calc(q)
      expect(r.text, q).toBe(text)
      expect(r.working, q).toContain(note)
    }
    expect(tellsCalculatorStory('If our app has 5,000 users and 12% are on the paid plan at $9 a month, what is our monthly revenue?')).toBe(true)
  })

  it('reads no revenue where a number is left over, nothing is asked, or a period is asked of a one-off price', () => {
    expect(revenueOfPayers('Our revenue was $5,000 last month and 200 users')).toBeUndefined()
    expect(revenueOfPayers('If 5,000 users and 300 trial users pay $9 a month, what is the monthly revenue?')).toBeUndefined()
    expect(revenueOfPayers('If 12% of 5,000 users pay $9 a month and 5% churn, what is the monthly revenue?')).toBeUndefined()
    expect(revenueOfPayers('If 200 customers buy a $25 ticket, what is the monthly revenue?')).toBeUndefined()
  })
})
