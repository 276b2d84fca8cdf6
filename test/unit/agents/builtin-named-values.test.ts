/**
 * Values the room named, computed with: "What is 10% of the Q1 budget?" after "The Q1 budget is
 * $48,000." (named-values.ts reads the text; the calculator looks the name up in the graph, writes
 * the value in and cites it; the verifier computes it again from its own copy of the graph).
 */
import { describe, expect, it } from 'vitest'
import { namedOperands, statedMoment, statedValue, valueStatedBy } from '../../../src/agents/builtin/named-values.ts'
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
    expect(statedValue('The hosting cost is 1.2 million EUR a year', 'hosting cost')).toEqual({ value: '1,200,000 EUR', said: '1.2 million EUR' })
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
