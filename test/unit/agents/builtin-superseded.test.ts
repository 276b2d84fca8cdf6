import { describe, expect, it } from 'vitest'
import { replacedBy, replaces, statedWords, valuesByKind } from '../../../src/agents/builtin/superseded.ts'
import { decisionToRecord, statementParts } from '../../../src/agents/builtin/record-ask.ts'
import type { GraphHit } from '../../../src/agents/types.ts'

describe('what a later statement replaces', () => {
  it('reads a statement\'s subject and its values by kind', () => {
    expect(statementParts('The standup moved to 10:15.')).toEqual({ subject: 'standup', rest: 'moved to 10:15.' })
    expect(statementParts('Our standup is at 9:30 every weekday.')?.subject).toBe('standup')
    expect(statementParts('The office wifi password is tulip-42')).toEqual({ subject: 'office wifi password', rest: 'is tulip-42' })
    expect(statementParts('Sam is on leave until Friday.')?.subject).toBe('sam')
    expect(statementParts('When is the standup?')).toBeUndefined()
    expect([...valuesByKind('The standup moved to 10:15 on Thursdays, 3 December 2026, budget $40,000 (12%) for 3 people at 2pm, room B-12')].map(([k, v]) => [k, [...v]]))
      .toEqual([['date', ['2026-12-03']], ['time', ['10:15', '14:00']], ['weekday', ['thursday']], ['money', ['40000']], ['percent', ['12']], ['code', ['b-12']], ['number', ['3']]])
  })

  it('a later statement with the same subject and another value of the same kind replaces the earlier', () => {
    for (const [later, earlier] of [
      ['The standup moved to 10:15.', 'The standup is at 9:30 every weekday.'],
      ['The relay port is 9091.', 'The relay port is 9090.'],
      ['Our standup is now on Thursday.', 'Our standup is on Tuesday.'],
      ['The beta launch was postponed to 10 December 2026.', 'The beta launch is on 3 December 2026.'],
      ['The Q3 budget is $45,000.', 'The Q3 budget is $40,000.'],
      ['Sam is back on Monday.', 'Sam is back on Friday.'],
      // Found in the room: the subject in other words, a name in a role, a code.
      ['The Q1 budget was cut to $42,000.', 'Our budget for Q1 is $50,000.'],
      ['Bob is now the release manager.', 'Alice is the release manager.'],
      ['The release manager is Bob now.', 'Alice is the release manager.'],
      ['The office wifi password is daisy-7.', 'The office wifi password is tulip-42.']
    ]) {
      expect(replaces(later!, earlier!), `${later} / ${earlier}`).toBe(true)
    }
  })

  it('another subject, another kind of value, the same values, or something else said about it replaces nothing', () => {
    for (const [later, earlier] of [
      ['The relay was restarted at 14:00.', 'The relay runs on port 9090.'],
      ['The relay has 3 replicas.', 'The relay runs on port 9090.'],
      ['The standup is at 9:30 every weekday.', 'The standup is at 9:30 every weekday.'],
      ['The retro is at 10:15.', 'The standup is at 9:30.'],
      ['The standup has 12 people.', 'The standup is at 9:30.'],
      ['When is the standup? It moved to 10:15', 'The standup is at 9:30.'],
      ['Bob is the release manager.', 'Bob is the release manager.'],
      ['Bob is the design lead.', 'Alice is the release manager.'],
      ['The relay is in Frankfurt.', 'The relay is fast.'],
      ['The Q2 budget is $42,000.', 'The Q1 budget is $50,000.']
    ]) {
      expect(replaces(later!, earlier!), `${later} / ${earlier}`).toBe(false)
    }
  })

  it('among hits, maps each replaced statement to the latest that replaces it; answers, questions and undated hits take no part', () => {
    const hit = (id: string, text: string, createdAt?: number, extra: Partial<GraphHit> = {}): GraphHit =>
      ({ id, kind: 'hypothesis', text, status: 'proposed', confidence: 0.5, score: 1, ...(createdAt !== undefined ? { createdAt } : {}), ...extra })
    const first = hit('a', 'The standup is at 9:30 every weekday.', 1)
    const second = hit('b', 'The standup moved to 10:00.', 2)
    const third = hit('c', 'The standup moved to 10:15.', 3)
    const answer = hit('d', 'When is the standup moved to 11:00: 11:00', 4, { answers: 'When is the standup moved to 11:00' })
    const undated = hit('e', 'The standup moved to 11:30.')
    const replaced = replacedBy([third, first, answer, second, undated])
    expect([...replaced].map(([id, by]) => [id, by.id])).toEqual([['a', 'c'], ['b', 'c']])
    expect(replacedBy([first]).size).toBe(0)
  })

  it('reads a decision without its label, and states statements alike up to case, punctuation and that label', () => {
    expect(decisionToRecord('Decision: we ship the beta on 3 December')).toBe('We ship the beta on 3 December.')
    expect(decisionToRecord('We decided to use Postgres')).toBe('We decided to use Postgres.')
    expect(decisionToRecord('Agreed - ship on Friday!')).toBe('Ship on Friday!')
    for (const not of ['The standup moved to 10:15', 'What did we decide about the beta?', 'Decision: should we ship?', 'Decided:']) expect(decisionToRecord(not), not).toBeUndefined()
    expect(statedWords('Decision: we ship the beta on 3 December.')).toBe(statedWords('We ship the beta on 3 December'))
    expect(statedWords('The standup moved.')).not.toBe(statedWords('The standup moved to 10:15.'))
  })
})
