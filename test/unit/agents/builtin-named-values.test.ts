/**
 * Values the room named, computed with: "What is 10% of the Q1 budget?" after "The Q1 budget is
 * $48,000." (named-values.ts reads the text; the calculator looks the name up in the graph, writes
 * the value in and cites it; the verifier computes it again from its own copy of the graph).
 */
import { describe, expect, it } from 'vitest'
import { eachOfNamed, namedOperands, statedCount, statedMoment, statedValue, valueStatedBy } from '../../../src/agents/builtin/named-values.ts'
import { handler as calculate } from '../../../src/agents/builtin/calculator.ts'
import { handler as verify } from '../../../src/agents/builtin/verifier.ts'
import type { GraphHit } from '../../../src/agents/types.ts'
import { testContext } from './builtin-context.ts'

const hit = (id: string, text: string, over: Partial<GraphHit> = {}): GraphHit => ({ id, kind: 'hypothesis', text, status: 'proposed', confidence: 0.6, score: 0.5, updatedAt: 1, ...over })
const BUDGET = hit('result:t-a:1', 'The Q1 budget is $48,000.')
const DEMO = hit('result:t-b:1', 'The client demo is on 28 October 2026 at 3pm London time.', { updatedAt: 2 })
/** A graph whose search returns these entities for any query, as a semantic search near them would. */
const graph = (...hits: GraphHit[]) => testContext({ search: async () => hits })

describe('named values: reading the text', () => {
  it('finds the phrases of a request that may name a value, and not a calculation\'s own words', () => {
    expect(namedOperands('How much of the Q1 budget is left if we spend $12,500?')).toEqual([{ phrase: 'the Q1 budget', name: 'Q1 budget' }])
    expect(namedOperands('What time is the client demo in New York?')).toEqual([{ phrase: 'the client demo', name: 'client demo' }])
    expect(namedOperands('Double our marketing spend')).toEqual([{ phrase: 'our marketing spend', name: 'marketing spend' }])
    expect(namedOperands('What is the square root of the average of 4 and 9?')).toEqual([])
    expect(namedOperands('What is the total of the 3')).toEqual([])
  })

  it('reads the amount a statement gives a name, in the forms people write it', () => {
    expect(statedValue('The Q1 budget is $48,000.', 'Q1 budget')).toEqual({ value: '$48,000', said: '$48,000' })
    expect(statedValue('Our Q1 budget of $48k was approved', 'Q1 budget')).toEqual({ value: '$48,000', said: '$48k' })
    expect(statedValue('The hosting cost is 1.2 million EUR a year', 'hosting cost')).toEqual({ value: '1,200,000 EUR', said: '1.2 million EUR a year', per: 'a year' })
    expect(statedValue('the churn rate is now 4.5%', 'churn rate')?.value).toBe('4.5%')
    // A length in metres is not millions; a value of another name is not this one's.
    expect(statedValue('The room is 4 m wide', 'room')).toBeUndefined()
    expect(statedValue('The Q2 budget is $52,000.', 'Q1 budget')).toBeUndefined()
    // A question about it, or a computed answer to one, states nothing.
    expect(statedValue('How much of the Q1 budget is left if we spend $12,500?: $35,500.00', 'Q1 budget')).toBeUndefined()
  })

  it('reads when a named moment takes place, with the clock of a place', () => {
    expect(statedMoment('The client demo is on 9 December 2026 at 3pm London time.', 'client demo')).toEqual({ time: '3pm', place: 'London', date: '9 December 2026', text: '3pm London time on 9 December 2026' })
    expect(statedMoment('the client demo starts at 15:00 in London', 'client demo')).toEqual({ time: '15:00', place: 'London', text: '15:00 London time' })
    // A time with no place is no moment to take to another zone.
    expect(statedMoment('The client demo is at 3pm.', 'client demo')).toBeUndefined()
  })

  it('takes values only from statements the room stands by', () => {
    expect(valueStatedBy(BUDGET, 'Q1 budget')?.value).toBe('$48,000')
    expect(valueStatedBy({ ...BUDGET, status: 'retracted' }, 'Q1 budget')).toBeUndefined()
    expect(valueStatedBy({ ...BUDGET, status: 'disputed' }, 'Q1 budget')).toBeUndefined()
    expect(valueStatedBy({ ...BUDGET, kind: 'question' }, 'Q1 budget')).toBeUndefined()
  })
})

describe('named values: dates, counts and values without a currency', () => {
  it('reads a date a statement gives a name, with no time or place', () => {
    expect(statedMoment('The launch is on 3 March 2027.', 'launch')).toEqual({ date: '3 March 2027', text: '3 March 2027' })
    expect(statedMoment('The launch date is March 3, 2027.', 'launch')?.text).toBe('3 March 2027')
    expect(statedMoment('The launch is on 3 March 2027 at 10am.', 'launch')?.text).toBe('3 March 2027')
    // Two dates, or none, give nothing.
    expect(statedMoment('The launch is on 3 March 2027, after the beta on 17 February 2027.', 'launch')).toBeUndefined()
    expect(statedMoment('The launch is next week.', 'launch')).toBeUndefined()
  })

  it('reads how many a group has, and where a request takes each one of it', () => {
    expect(statedCount('Our team has 8 people.', 'team')).toEqual({ n: 8, things: 'people', said: 'has 8 people' })
    expect(statedCount('There are 12 engineers on our platform team.', 'platform team')).toMatchObject({ n: 12, things: 'engineers' })
    expect(statedCount('our team of 5 designers shipped it', 'team')).toMatchObject({ n: 5, things: 'designers' })
    expect(statedCount('The team is 3 years old.', 'team')).toBeUndefined()
    expect(namedOperands('If each person on our team gets a $250 bonus, how much is that in total?').map(o => o.phrase)).toEqual(['our team'])
    // A word of a calculation opens a name too ("the product launch", "the average age"), but not "the product of".
    expect(namedOperands('What day of the week is the product launch?').map(o => o.phrase)).toEqual(['the product launch'])
    expect(namedOperands('What is the average age times 2?').map(o => o.phrase)).toEqual(['the average age'])
    expect(namedOperands('What is the product of 3 and 4, and the square root of 16?')).toEqual([])
    expect(eachOfNamed('If each person on our team gets a $250 bonus', 'our team')).toEqual({ span: 'each person on our team' })
    expect(eachOfNamed('Give everyone in my team $20', 'my team')?.span).toBe('everyone in my team')
    expect(eachOfNamed('What is our team size?', 'our team')).toBeUndefined()
  })

  it('reads an amount a period, and computes it over a span; a name the request gives a value for is not looked up', async () => {
    expect(statedValue('The office rent is $4,500 a month.', 'office rent')).toEqual({ value: '$4,500', said: '$4,500 a month', per: 'a month' })
    expect(statedValue('Our cloud bill is $3,200 monthly', 'cloud bill')?.per).toBe('a month')
    const ctx = graph(hit('h1', 'The office rent is $4,500 a month.'))
    const year = await calculate({ id: 't', text: 'How much is the office rent for a year?' }, ctx)
    expect(year).toMatchObject({ output: 54000, text: '$54,000.00, with the office rent at $4,500 a month, as the graph states (not yet verified)' })
    expect(year.working).toContain('read as: How much is $4,500 a month for a year?')
    expect((await calculate({ id: 't', text: 'What is the office rent over 6 months?' }, ctx)).output).toBe(27000)
    // Without a span the amount is the amount: 10% of the rent is 10% of $4,500.
    expect((await calculate({ id: 't', text: 'What is 10% of the office rent?' }, ctx)).output).toBe(450)
    expect(namedOperands('If the price of a laptop is $1,200 and it is 15% off, what do I pay?')).toEqual([])
    expect(namedOperands('If the budget is 5,000, what is 10% of the budget?')).toEqual([])
  })

  it('computes with a named date, a named count and a named amount in the request\'s currency', async () => {
    const ctx = graph(hit('h1', 'Our team has 8 people.'), hit('h2', 'The hiring budget is 120k.'), hit('h3', 'The launch is on 3 March 2027.'), hit('h4', 'The Q3 revenue was $1.2 million.'))
    const bonus = await calculate({ id: 't', text: 'If each person on our team gets a $250 bonus, how much is that in total?' }, ctx)
    expect(bonus).toMatchObject({ text: '$2,000.00, with our team at 8 people, as the graph states (not yet verified)', output: 2000, citations: ['h1'] })
    expect(bonus.working).toContain('read as: If each of the 8 people gets a $250 bonus, how much is that in total?')
    const hiring = await calculate({ id: 't', text: 'If we hire 3 engineers at $35,000 each, how much of the hiring budget is left?' }, ctx)
    expect(hiring).toMatchObject({ output: 15000, citations: ['h2'] })
    expect(hiring.working).toContain("120,000 read in $, the currency of the request's other amounts")
    const weekday = await calculate({ id: 't', text: 'What day of the week is the launch?', timeZone: 'UTC' }, ctx)
    expect(weekday.text).toBe('Wednesday: 3 March 2027 is a Wednesday, with the launch on 3 March 2027, as the graph states (not yet verified)')
    expect((await calculate({ id: 't', text: 'What date is 10 days after the launch?' }, ctx)).output).toBe('2027-03-13')
    const over = await calculate({ id: 't', text: 'Is the Q3 revenue over $1 million?' }, ctx)
    expect(over).toMatchObject({ output: true, text: 'Yes: $1,200,000 is more than $1,000,000, with the Q3 revenue at $1.2 million, as the graph states (not yet verified)' })
  })

  it('computes with a named group at so much each a period', async () => {
    // Before: the researcher quoted "The on-call rotation has 4 engineers" and nothing was computed.
    const ctx = graph(hit('h1', 'The on-call rotation has 4 engineers.'))
    const asked = 'If each engineer on the on-call rotation gets $300 a week, what does the rotation cost per week?'
    expect(await calculate({ id: 't', text: asked }, ctx)).toMatchObject({ output: 1200, text: '$1,200.00 a week, with the on-call rotation at 4 engineers, as the graph states (not yet verified)', citations: ['h1'] })
  })
})

describe('named values: the calculator computes with them', () => {
  it('writes the value the graph states into the request, says so, and cites it', async () => {
    // Before: the researcher won these and quoted the budget; nothing was computed.
    const ctx = graph(BUDGET, DEMO)
    const left = await calculate({ id: 't', text: 'How much of the Q1 budget is left if we spend $12,500?' }, ctx)
    expect(left).toMatchObject({ text: '$35,500.00, with the Q1 budget at $48,000, as the graph states (not yet verified)', output: 35500, citations: ['result:t-a:1'] })
    expect(left.working).toContain('read as: How much of $48,000 is left if we spend $12,500?')
    expect(left.working?.[1]).toBe('the Q1 budget = $48,000, from the graph: "The Q1 budget is $48,000." (hypothesis result:t-a:1, proposed)')
    expect((await calculate({ id: 't', text: 'What is 10% of the Q1 budget?' }, ctx)).output).toBe(4800)
    expect((await calculate({ id: 't', text: 'Split the Q1 budget between 4 teams' }, ctx)).text).toMatch(/^\$12,000\.00 each, with the Q1 budget at \$48,000/)
    expect(ctx.searches.map(s => s.text)).toContain('Q1 budget')
  })

  it('takes a named moment to another time zone on its own date', async () => {
    // On 28 October 2026 London is back on GMT but New York still on summer time: 4 hours apart, not 5.
    const r = await calculate({ id: 't', text: 'What time is the client demo in New York?' }, graph(BUDGET, DEMO))
    expect(r.output).toBe('11:00')
    expect(r.text).toMatch(/^11:00 am in New York \(Wednesday 28 October\) when it is 3:00 pm in London; .*, with the client demo at 3pm London time on 28 October 2026, as the graph states \(not yet verified\)$/)
    expect(r.citations).toEqual(['result:t-b:1'])
  })

  it('prefers a verified statement, then the newest, and names the others it did not use', async () => {
    const newer = hit('result:t-c:1', 'The Q1 budget is now $52,000.', { updatedAt: 5 })
    const r = await calculate({ id: 't', text: 'What is 10% of the Q1 budget?' }, graph(BUDGET, newer))
    expect(r.output).toBe(5200)
    expect(r.working).toContain('the graph also states the Q1 budget as $48,000 (hypothesis result:t-a:1, proposed); not used: older or less confident')
    const checked = hit('fact:f1', 'The Q1 budget is $50,000.', { kind: 'fact', status: 'verified', updatedAt: 0 })
    const v = await calculate({ id: 't', text: 'What is 10% of the Q1 budget?' }, graph(BUDGET, newer, checked))
    expect(v).toMatchObject({ output: 5000, text: '$5,000.00, with the Q1 budget at $50,000, as the graph states', citations: ['fact:f1'] })
    // A retracted statement gives nothing.
    const r2 = await calculate({ id: 't', text: 'What is 10% of the Q1 budget?' }, graph({ ...newer, status: 'retracted' }, BUDGET))
    expect(r2.output).toBe(4800)
  })

  it('says which name the graph states nothing for, and keeps its own error when it cannot search', async () => {
    await expect(calculate({ id: 't', text: 'What is 10% of the Q2 budget?' }, graph(BUDGET))).rejects.toThrow(/undefined symbol the; the room's graph states no value for 'the Q2 budget' either$/)
    await expect(calculate({ id: 't', text: 'What is 10% of the Q1 budget?' }, testContext())).rejects.toThrow(/^calculator: cannot evaluate .*undefined symbol the$/)
    // What the calculator reads without the graph never asks it.
    const ctx = graph(BUDGET)
    expect((await calculate({ id: 't', text: 'What is 10% of $48,000?' }, ctx)).output).toBe(4800)
    expect(ctx.searches).toEqual([])
  })

  it('is verified by computing again from the verifier\'s own copy of the graph, and disputed when that copy says otherwise', async () => {
    const text = 'What is 10% of the Q1 budget?'
    const r = await calculate({ id: 't', text }, graph(BUDGET))
    const handed = { id: 'v', text: `Check the result of: ${text}`, input: { task: { id: 't', text }, result: { text: r.text, output: r.output } } }
    expect((await verify(handed, graph(BUDGET))).output).toMatchObject({ verdict: { vote: 'support' } })
    const other = hit('result:t-d:1', 'The Q1 budget is $60,000.', { updatedAt: 9 })
    expect((await verify(handed, graph(BUDGET, other))).output).toMatchObject({ verdict: { vote: 'dispute', reason: expect.stringMatching(/\$6,000\.00.*not 4800/) } })
  })
})
