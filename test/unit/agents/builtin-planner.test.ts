import { describe, expect, it } from 'vitest'
import { DATE_LOOKUP_PART, handler, parseLlmPlan, planByRules, type PlanOutput } from '../../../src/agents/builtin/planner.ts'
import type { ChatResponse } from '../../../src/agents/types.ts'
import { testContext } from './builtin-context.ts'

const plan = (text: string) => planByRules(text).map((s) => [s.id, s.text, s.dependsOn.join(',')])

describe('planner: rules', () => {
  it('splits on "then" and links a part that refers back', () => {
    expect(plan('Find the population of France, then compute 3% of it')).toEqual([
      ['s1', 'Find the population of France', ''],
      ['s2', 'Compute 3% of it', 's1']
    ])
  })

  it('runs a part after "then" alongside when it brings what it works on', () => {
    // Before, each was chained to the part before: the mission showed the last answer only, and the
    // first part failing left the others unrun.
    expect(plan('Compute 2 to the 16th power, then convert 5 miles to kilometres, then tell me what day of the week 1 January 2027 is')).toEqual([
      ['s1', 'Compute 2 to the 16th power', ''],
      ['s2', 'Convert 5 miles to kilometres', ''],
      ['s3', 'Tell me what day of the week 1 January 2027 is', '']
    ])
    expect(plan('Calculate 15% of 80, then 20% of 90')).toEqual([['s1', 'Calculate 15% of 80', ''], ['s2', '20% of 90', '']])
    // One that brings nothing, refers back or lacks its operand still follows the part before.
    expect(plan('Plan the release, then email the team')).toEqual([['s1', 'Plan the release', ''], ['s2', 'Email the team', 's1']])
    expect(plan('Calculate 17% of 2,340 and then round it to the nearest ten')).toEqual([['s1', 'Calculate 17% of 2,340', ''], ['s2', 'Round it to the nearest ten', 's1']])
    expect(plan('Work out 2 + 2 then subtract 1')).toEqual([['s1', 'Work out 2 + 2', ''], ['s2', 'Subtract 1', 's1']])
  })

  it('gives the material after the last part\'s colon to each earlier part that points at it, and runs them alongside', () => {
    // Before, "Summarize this" ran without a text and failed, and the count waited for it.
    const text = 'Rust is a systems language. It prevents data races at compile time. Its learning curve is steep.'
    expect(plan(`Summarize this and then count its words: ${text}`)).toEqual([['s1', `Summarize this: ${text}`, ''], ['s2', `Count its words: ${text}`, '']])
    expect(plan('Count the words in this and then sort them alphabetically: pear apple fig')).toEqual([
      ['s1', 'Count the words in this: pear apple fig', ''], ['s2', 'Sort the words alphabetically: pear apple fig', '']
    ])
    // A part that names what it works on ("the report") is not given the material; what follows it still waits for it.
    expect(plan('Summarise the report, then count its words: a b c.')).toEqual([['s1', 'Summarise the report', ''], ['s2', 'Count its words: a b c.', 's1']])
    // "Split" and "reverse" are instructions too; "count them" counts the units the part before splits into.
    // Before, "Split this into words" ran without a text, and "Count them" had no unit to count.
    expect(plan('Split this into words and count them: the quick brown fox')).toEqual([
      ['s1', 'Split this into words: the quick brown fox', ''], ['s2', 'Count the words: the quick brown fox', '']
    ])
    expect(plan('Split this text into sentences and count them: One. Two.')).toEqual([
      ['s1', 'Split this text into sentences: One. Two.', ''], ['s2', 'Count the sentences: One. Two.', '']
    ])
    expect(plan('Reverse this and count its letters: hello world')).toEqual([['s1', 'Reverse this: hello world', ''], ['s2', 'Count its letters: hello world', '']])
    expect(plan('Reverse the order of these words and count them: one two three')).toEqual([
      ['s1', 'Reverse the order of these words: one two three', ''], ['s2', 'Count the words: one two three', '']
    ])
    // "them" after units named is those units, whatever is done with them.
    expect(plan('Count the sentences in this and then sort them alphabetically: Zebra runs. Apple falls. Mango sits.')).toEqual([
      ['s1', 'Count the sentences in this: Zebra runs. Apple falls. Mango sits.', ''], ['s2', 'Sort the sentences alphabetically: Zebra runs. Apple falls. Mango sits.', '']
    ])
    // A text split into sentences is one part, its material whole (before, each sentence became a part:
    // "split" read as introducing parts, as in "Split the work into steps: ...").
    expect(plan('Split this into sentences: The relay runs. It is fast. Nobody minds.')).toEqual([['s1', 'Split this into sentences: The relay runs. It is fast. Nobody minds.', '']])
  })

  it('reads "next" as a sequencing word, but not "next Tuesday" or "next week"', () => {
    // Before: "Book a flight to Rome next Tuesday" became "Book a flight to Rome" and "Tuesday".
    expect(plan('Book a flight to Rome next Tuesday')).toEqual([['s1', 'Book a flight to Rome next Tuesday', '']])
    expect(plan('Plan the release for next week and then email the team')).toEqual([
      ['s1', 'Plan the release for next week', ''],
      ['s2', 'Email the team', 's1']
    ])
    expect(plan('Compute 2+2, next multiply it by 3')).toEqual([['s1', 'Compute 2+2', ''], ['s2', 'Multiply it by 3', 's1']])
  })

  it('splits "and <verb>" but not "salt and pepper"', () => {
    expect(plan('Summarise the article and translate the summary into German')).toEqual([
      ['s1', 'Summarise the article', ''],
      ['s2', 'Translate the summary into German', 's1']
    ])
    expect(plan('Buy salt and pepper')).toEqual([['s1', 'Buy salt and pepper', '']])
  })

  it('links an operation that lacks its operand to the part before', () => {
    // Before: "Add 1" ran on its own, with nothing to add 1 to, and failed.
    expect(plan('Square 5 and add 1')).toEqual([['s1', 'Square 5', ''], ['s2', 'Add 1', 's1']])
    expect(plan('Multiply 6 by 7, then divide by 3')).toEqual([['s1', 'Multiply 6 by 7', ''], ['s2', 'Divide by 3', 's1']])
    // Each with operands of its own: independent.
    expect(plan('Compute 2 + 2 and compute 3 + 3')).toEqual([['s1', 'Compute 2 + 2', ''], ['s2', 'Compute 3 + 3', '']])
    // An operation on what the part before finds. Before, one task: the researcher answered the
    // first half and "double it" was lost. A chain the calculator computes stays one part.
    expect(plan('Find the relay port and double it')).toEqual([['s1', 'Find the relay port', ''], ['s2', 'Double it', 's1']])
    expect(plan('Take the square root of it and double the result')).toHaveLength(1)
    expect(plan('Buy salt and double cream')).toHaveLength(1)
  })

  it('reads numbered and bulleted lists, inline or on lines, and drops the preamble', () => {
    expect(plan('Split this request into subtasks: 1. fetch the data 2. clean it 3. chart it')).toEqual([
      ['s1', 'Fetch the data', ''],
      ['s2', 'Clean it', 's1'],
      ['s3', 'Chart it', 's2']
    ])
    expect(plan('Do the following:\n1. Research CRDTs\n2. Summarise the findings\n- Verify the key claim')).toEqual([
      ['s1', 'Research CRDTs', ''],
      ['s2', 'Summarise the findings', 's1'],
      ['s3', 'Verify the key claim', '']
    ])
  })

  it('does not read numbers that end sentences as an inline numbered list', () => {
    // Before: "80. " and "50. " were list markers, and the plan was "Compute 20% of" / "Add them".
    expect(plan('Compute 15% of 80. Also compute 20% of 50. Then add them')).toEqual([
      ['s1', 'Compute 15% of 80', ''],
      ['s2', 'Compute 20% of 50', ''],
      ['s3', 'Add them', 's1,s2']
    ])
    expect(plan('Do these: 1. compute 2+2 2. double it')).toEqual([['s1', 'Compute 2+2', ''], ['s2', 'Double it', 's1']])
  })

  it('splits on ";", "after that", "also" and sentences; "them" depends on all earlier parts', () => {
    expect(plan('Calculate the total cost; after that, check it against the budget')).toEqual([
      ['s1', 'Calculate the total cost', ''],
      ['s2', 'Check it against the budget', 's1']
    ])
    expect(plan('Research the topic. Also find three sources. Then compare them.')).toEqual([
      ['s1', 'Research the topic', ''],
      ['s2', 'Find three sources', ''],
      ['s3', 'Compare them', 's1,s2']
    ])
  })

  it('does not read "check that" as a reference', () => {
    expect(plan('Translate the email into French. Check that the server is up.')).toEqual([
      ['s1', 'Translate the email into French', ''],
      ['s2', 'Check that the server is up', '']
    ])
  })

  it('counts days to a moment it must look up first: find its date, then count', () => {
    // Before: one part; the researcher answered with the launch date, not the days asked for.
    expect(plan('How many days until the Meshwork beta launches?')).toEqual([
      ['s1', 'Find when the Meshwork beta launches', ''],
      ['s2', 'How many days until that date?', 's1']
    ])
    expect(plan('How many days are left until the conference?')).toEqual([
      ['s1', 'Find the date of the conference', ''],
      ['s2', 'How many days until that date?', 's1']
    ])
    expect(plan('How many weeks since we shipped v1?')[1]).toEqual(['s2', 'How many weeks since that date?', 's1'])
    // The researcher bids on the first part by this pattern (coord-boot.ts), also when the graph knows nothing.
    for (const t of ['How many days until the Meshwork beta launches?', 'How many days are left until the conference?']) expect(planByRules(t)[0]!.text).toMatch(DATE_LOOKUP_PART)
    // The date at an offset from such a moment, likewise.
    expect(plan('What date is 2 weeks before the Meshwork beta launches?')).toEqual([
      ['s1', 'Find when the Meshwork beta launches', ''],
      ['s2', 'What date is 2 weeks before that date?', 's1']
    ])
    expect(plan('What date is 90 days from today?')).toEqual([['s1', 'What date is 90 days from today?', '']])
    // And the weekday of such a moment: before, the researcher quoted the date.
    expect(plan('What day of the week does the Meshwork beta launch?')).toEqual([
      ['s1', 'Find the date of the Meshwork beta launch', ''],
      ['s2', 'What day of the week is that date?', 's1']
    ])
    expect(plan('What day of the week was the kickoff?')[0]).toEqual(['s1', 'Find the date of the kickoff', ''])
    expect(planByRules('What day of the week is the beta launch?')[0]!.text).toMatch(DATE_LOOKUP_PART)
    for (const t of ['What day of the week is March 3, 2027?', 'What day of the week is Christmas?', 'What day of the week is it?', 'What day is today?']) {
      expect(plan(t), t).toEqual([['s1', t, '']])
    }
    // A date, a named day or a moment that needs no looking up: the calculator's alone.
    for (const t of ['How many days until Christmas?', 'How many days until March 3, 2027?', 'How many days until then?', 'How many days until next Friday?', 'How many days until February 30, 2027?']) {
      expect(plan(t), t).toEqual([['s1', t, '']])
    }
  })

  it('gives one subtask for a single-part request', () => {
    expect(planByRules('What is 17% of 2,340?')).toEqual([{ id: 's1', text: 'What is 17% of 2,340?', dependsOn: [] }])
  })

  it('splits questions listed one after another, but not a question after its condition', () => {
    // A tour: "What is 12 squared, what is 15 squared" went to the calculator as one part and failed.
    expect(plan('What is 12 squared, what is 15 squared, and then add them')).toEqual([
      ['s1', 'What is 12 squared', ''],
      ['s2', 'What is 15 squared', ''],
      ['s3', 'Add them', 's1,s2']
    ])
    expect(plan('What is 12 squared and what is 15 squared?')).toEqual([['s1', 'What is 12 squared', ''], ['s2', 'What is 15 squared?', '']])
    expect(plan('What are the primes below 20, and what is their sum')).toEqual([['s1', 'What are the primes below 20', ''], ['s2', 'What is their sum', 's1']])
    expect(plan('If the price is 80, what is 15% of it?')).toEqual([['s1', 'If the price is 80, what is 15% of it?', '']])
    // Questions that open "What <noun> is/does ...": before, "What port is the relay on, and what is 10% of
    // it?" went whole to the researcher, which gave the port and dropped the rest.
    expect(plan('What port is the relay on, and what is 10% of it?')).toEqual([['s1', 'What port is the relay on', ''], ['s2', 'What is 10% of it?', 's1']])
    expect(plan('Which port is the relay on, and which database does staging use?')).toEqual([['s1', 'Which port is the relay on', ''], ['s2', 'Which database does staging use?', '']])
    expect(plan('What port does the relay use and how often does the relay restart?')).toEqual([['s1', 'What port does the relay use', ''], ['s2', 'How often does the relay restart?', '']])
    expect(plan('What database does the team use?')).toHaveLength(1)
    expect(plan('What happens if the relay is down and the cache is cold?')).toHaveLength(1)
    expect(plan('What is the mean, the median and the mode of 1, 2, 2, 3?')).toHaveLength(1)
    // Questions of other kinds after "and": before, "How many days until Christmas and what day of
    // the week is 1 January 2027?" went whole to the calculator, which counted the days to 1 January.
    expect(plan('How many days until Christmas and what day of the week is 1 January 2027?')).toEqual([['s1', 'How many days until Christmas', ''], ['s2', 'What day of the week is 1 January 2027?', '']])
    expect(plan('Who is the release manager and when is the standup?')).toEqual([['s1', 'Who is the release manager', ''], ['s2', 'When is the standup?', '']])
    expect(plan('When is the launch and how many days until it?')).toEqual([['s1', 'When is the launch', ''], ['s2', 'How many days until it?', 's1']])
    expect(plan('What is the difference between 10 and 4?')).toHaveLength(1)
  })

  it('counts days to a moment to look up in a part of its own, as when it is asked alone', () => {
    expect(plan('What is 15% of 80 and how many days until the beta launches?')).toEqual([
      ['s1', 'What is 15% of 80', ''],
      ['s2', 'Find when the beta launches', ''],
      ['s3', 'How many days until that date?', 's2']
    ])
    expect(plan('How many days until the launch and what day of the week is 1 January?')).toEqual([
      ['s1', 'Find the date of the launch', ''],
      ['s2', 'How many days until that date?', 's1'],
      ['s3', 'What day of the week is 1 January?', '']
    ])
  })

  it('says a verb once for several operands of one shape: one part each', () => {
    // Before, "Convert 5 km to miles and 100 F to celsius" went to the calculator whole and failed.
    expect(plan('Convert 5 km to miles and 100 F to celsius')).toEqual([['s1', 'Convert 5 km to miles', ''], ['s2', 'Convert 100 F to celsius', '']])
    expect(plan('Convert 5 km to miles, 10 kg to pounds and 3 feet to cm')).toEqual([['s1', 'Convert 5 km to miles', ''], ['s2', 'Convert 10 kg to pounds', ''], ['s3', 'Convert 3 feet to cm', '']])
    expect(plan('What is 15% of 80 and 20% of 50?')).toEqual([['s1', 'What is 15% of 80?', ''], ['s2', 'What is 20% of 50?', '']])
    // Not when the operands differ in shape, or the second is an operation on the first.
    expect(plan('Convert 5 km to miles and double it')).toHaveLength(1)
    expect(plan('What is 15% of 80 and 20?')).toHaveLength(1)
    expect(plan('What is 2 to the power of 10 and 3 to the power of 4?')).toEqual([['s1', 'What is 2 to the power of 10?', ''], ['s2', 'What is 3 to the power of 4?', '']])
    expect(plan('What is the sum of 3 and 4?')).toHaveLength(1)
    // An operand that is no such shape is refused at once: with words that could be cut several ways,
    // the first pattern took 14 s on this one (polynomial backtracking of high degree), past the test's limit.
    expect(plan(`Convert 1 ${'a'.repeat(130)} to ${'b'.repeat(130)} c d e and 2 x to y`)).toHaveLength(1)
  })

  it('takes a statistic asked of nothing of the numbers the question before gave', () => {
    // Before, "What is the median?" went alone to the calculator, which had nothing to take it of, and the mission failed.
    expect(plan('What is the average of 12, 15, 22, 9 and 30, and what is the median?')).toEqual([['s1', 'What is the average of 12, 15, 22, 9 and 30', ''], ['s2', 'What is the median of 12, 15, 22, 9 and 30?', '']])
    expect(plan('What is the sum of 3, 4 and 5 and what is the product?')).toEqual([['s1', 'What is the sum of 3, 4 and 5', ''], ['s2', 'What is the product of 3, 4 and 5?', '']])
    // A question with numbers of its own keeps them.
    expect(plan('What is the median of 1, 2, 3 and what is 5 + 5?')).toEqual([['s1', 'What is the median of 1, 2, 3', ''], ['s2', 'What is 5 + 5?', '']])
  })
})

describe('planner: handler', () => {
  it('returns the plan in plan, output and text', async () => {
    const r = await handler({ id: 't', text: 'Find the population of France, then compute 3% of it' }, testContext())
    expect(r.plan?.subtasks).toHaveLength(2)
    expect((r.output as PlanOutput).method).toBe('rules')
    expect(r.text).toBe('1. Find the population of France\n2. Compute 3% of it (uses s1)')
    expect(r.working?.[0]).toBe('rule-based plan: 2 parts')
  })

  it('uses a valid plan from the language model', async () => {
    const reply = '```json\n{"subtasks":[{"id":"s1","text":"Look up the population of France","dependsOn":[]},{"id":"s2","text":"Take 3% of it","dependsOn":["s1"]}]}\n```'
    const ctx = testContext({ llm: async (): Promise<ChatResponse> => ({ text: reply, model: 'test-model' }) })
    const r = await handler({ id: 't', text: 'Find the population of France, then compute 3% of it' }, ctx)
    expect(r.plan?.subtasks).toEqual([
      { id: 's1', text: 'Look up the population of France', dependsOn: [] },
      { id: 's2', text: 'Take 3% of it', dependsOn: ['s1'] }
    ])
    expect((r.output as PlanOutput).method).toBe('llm')
    expect(ctx.llmRequests[0]?.messages[0]?.content).toMatch(/Reply with JSON only/)
    expect(ctx.llmRequests[0]?.messages[1]?.content).toBe('Find the population of France, then compute 3% of it')
  })

  it('falls back to the rules on a bad plan or a failed call, and says so', async () => {
    const bad = testContext({ llm: async () => ({ text: 'Sure! Step one: find it. Step two: compute.', model: 'm' }) })
    const r1 = await handler({ id: 't', text: 'Find the population of France, then compute 3% of it' }, bad)
    expect((r1.output as PlanOutput).method).toBe('rules')
    expect(r1.plan?.subtasks).toHaveLength(2)
    expect(r1.working?.[0]).toBe('language model plan not used: the reply has no JSON object; fell back to the rules')

    const failing = testContext({ llm: async () => { throw new Error('llm: HTTP 500 from http://x/v1/chat/completions: boom') } })
    const r2 = await handler({ id: 't', text: 'Do A; then do B' }, failing)
    expect(r2.working?.[0]).toMatch(/^language model plan not used: llm: HTTP 500 .*boom; fell back to the rules$/)
  })

  it('validates model plans strictly', () => {
    expect(() => parseLlmPlan('{"subtasks":[]}')).toThrow('no "subtasks" list')
    expect(() => parseLlmPlan('{"subtasks":[{"id":"a","text":"x"}]}')).toThrow('subtasks[0].id must be "s1"')
    expect(() => parseLlmPlan('{"subtasks":[{"id":"s1","text":"x","dependsOn":["s2"]},{"id":"s2","text":"y"}]}')).toThrow(/not an earlier subtask/)
    expect(() => parseLlmPlan('{"subtasks":[{"id":"s1","text":""}]}')).toThrow(/text must be a non-empty string/)
    expect(() => parseLlmPlan('{"subtasks": [')).toThrow(/no JSON object|not valid JSON/)
    expect(parseLlmPlan('Here: {"subtasks":[{"id":"s1","text":"only"}]}')).toEqual([{ id: 's1', text: 'only', dependsOn: [] }])
  })

  it('refuses an empty request and honours cancellation', async () => {
    await expect(handler({ id: 't', text: '  ' }, testContext())).rejects.toThrow('planner: the request is empty')
    const ctx = testContext()
    ctx.abort(new Error('cancelled'))
    await expect(handler({ id: 't', text: 'a then b' }, ctx)).rejects.toThrow('cancelled')
  })
})
