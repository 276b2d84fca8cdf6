/**
 * The words that decide which built-ins bid at all (coord-boot.ts): a request to check goes to the
 * verifier, a request to summarise to the summariser, and a question (also one asked as "find out
 * ...") may go to the researcher when the graph holds something relevant.
 */
import { describe, it, expect } from 'vitest'
import { ABOUT_THE_ROOM, ASKS_THE_RECORD, CHECK_ARITHMETIC, CHECK_INTENT, computesWithNamed, mayCompute, QUESTION, RUN_INTENT, writesOutComputation, SUMMARY_INTENT } from '../../../src/app/coord-boot.ts'
import { convertsMoney } from '../../../src/agents/builtin/currency.ts'
import { OPERATION_ON_RESULT } from '../../../src/agents/builtin/planner.ts'
import { asksGeometry } from '../../../src/agents/builtin/math.ts'

describe('bidding intents', () => {
  it('reads questions, also ones asked as requests to find something out', () => {
    for (const q of [
      'What port does the relay listen on?',
      'when does the beta launch',
      'Find out when the beta launches',
      'Look up the port the relay listens on',
      'Tell me who owns the launch plan',
      'Give me three facts about the staging relay',
      'Show me everything about the relay',
      'Please find out what the relay port is',
      'Can you look up the launch date',
      'Do we know which model the agents use',
      'Find the relay port',
      'Get me the launch date',
      // A mission's first part for "How many days until the Meshwork beta launches?" (planner.ts).
      'Find when the Meshwork beta launches'
    ]) expect(QUESTION.test(q), q).toBe(true)
    for (const q of [
      'Sort these numbers: 5, 3, 9, 1',
      'Summarise the launch plan',
      'Compute 15% of 80',
      'Translate good morning into French',
      'Finding outliers in this list: 1, 2, 99'
    ]) expect(QUESTION.test(q), q).toBe(false)
  })

  it('tells a check from a question, and a summary request from neither', () => {
    expect(CHECK_INTENT.test('Check that the result is 84')).toBe(true)
    expect(CHECK_INTENT.test('Is it true that the relay listens on port 9090?')).toBe(true)
    expect(CHECK_INTENT.test('What port does the relay listen on?')).toBe(false)
    // Asked as a tour of the app asked it: this went unassigned ("nobody bid").
    expect(CHECK_INTENT.test('Check this claim: the relay listens on port 8080')).toBe(true)
    expect(CHECK_INTENT.test('Verify: 12 * 12 = 144')).toBe(true)
    expect(CHECK_INTENT.test('Check the weather in Paris')).toBe(false)
  })

  it('leaves a check without arithmetic to the verifier', () => {
    for (const t of ['Is it true that 2 + 2 = 5?', 'Check that 17% of 2,340 is 397.8', 'Verify: 12 * 12 = 144', 'Is it true that 91 is prime?', 'Confirm that 5 miles is 8.05 km']) expect(CHECK_ARITHMETIC.test(t), t).toBe(true)
    // The tour's "Is it true that the beta launches on March 3, 2027?" went to the calculator, which failed it.
    for (const t of ['Is it true that the beta launches on March 3, 2027?', 'Check this claim: the relay listens on port 8080', 'Verify that the team chose PostgreSQL']) expect(CHECK_ARITHMETIC.test(t), t).toBe(false)
    expect(SUMMARY_INTENT.test('Give me the gist of this passage')).toBe(true)
    expect(SUMMARY_INTENT.test('Find out when the beta launches')).toBe(false)
  })

  it('knows money into another currency, with or without a rate', () => {
    // The researcher won "How much is $40 in yen?" and quoted the graph's rate instead of converting.
    for (const t of ['How much is $40 in yen?', 'Convert 100 euros to dollars', '€250 in pounds at 0.85', '100 euros to yen at 2 pounds per euro']) expect(convertsMoney(t), t).toBe(true)
    for (const t of ['Convert 150 pounds to kilograms', 'Calculate 15% of $80', 'What is the dollar at?', 'How much is 12 times 34?']) expect(convertsMoney(t), t).toBe(false)
  })

  it('knows a written-out computation, and a request about what the room knows', () => {
    // "What is 2 to the power of 100?" matched the calculator at 0.45 and went unassigned in a tour.
    for (const t of ['What is 2 to the power of 100?', 'Calculate 5!', 'What is log base 2 of 1024?', 'square root of 2 to 5 decimal places', 'What is 15% of 80', '3 * (4 + 5)']) expect(writesOutComputation(t), t).toBe(true)
    // Cut short: still the calculator's (it says what is missing), never a question for the graph.
    // The researcher answered "What is 3 + ?" with a fact about a launch on March 3.
    for (const t of ['What is 3 + ?', 'What is 7 times?', 'twelve divided by', '5 -']) expect(writesOutComputation(t), t).toBe(true)
    // Nobody bid on "What is thirty plus twelve?" or "What is the GCD of 48 and 180?" in a tour.
    for (const t of ['What is thirty plus twelve?', 'one hundred divided by four', 'What is the GCD of 48 and 180?', 'least common multiple of 4 and 6', '7 factorial divided by 5 factorial']) expect(writesOutComputation(t), t).toBe(true)
    // Percentages off, more or less than, what percent, fractions in words, rounding down, exact fractions.
    for (const t of ['What is 25% off $40?', 'What is 20% more than 50?', 'What percent of 80 is 20?', 'What is two thirds of 90?', 'a fifth of 60', 'What is 10 divided by 4, rounded down?', 'What is 1/3 + 1/6 as a fraction?']) expect(writesOutComputation(t), t).toBe(true)
    for (const t of ['Double it', 'What time is it?', 'Cut the price by a third of what they asked', 'Take 20% off the list of tasks', 'Book 2 tickets for the 8 pm show', 'Release 2.0 ships in 3 weeks', 'Which one of the two plans is better?', 'The three of us plus two guests']) expect(writesOutComputation(t), t).toBe(false)
    // Nobody bid on "What is the area of a room 4.5 m by 3.2 m?" in a tour; the calculator answers it (14.4 m^2).
    for (const t of ['What is the area of a room 4.5 m by 3.2 m?', 'volume of a cylinder with radius 3 and height 10', 'What is the hypotenuse of a right triangle with legs 3 and 4?']) expect(asksGeometry(t), t).toBe(true)
    for (const t of ['What is the area of France?', 'the volume of a cylinder', 'Turn the volume of the music down to 3']) expect(asksGeometry(t), t).toBe(false)
    // "Run: while(true){}" carried code but matched the js-runner's skill text below the abstain threshold.
    for (const t of ['Run: while(true){}', 'Execute `Math.max(3, 9, 4)`', 'please run this: [1].map(x => x)',
      // Before, nobody bid on this one.
      'What does this code return: Math.max(...[3, 9, 2])', 'What would `[1, 2].length` print?', 'What is the output of this code: console.log(1)']) expect(RUN_INTENT.test(t), t).toBe(true)
    for (const t of ['What is `2 + 2`?', 'Summarise this: the runner ran', 'What does the report say about returns?', 'What is the result of 2 + 2?']) expect(RUN_INTENT.test(t), t).toBe(false)
    // The researcher answered "What time is it?" with "the knowledge graph has nothing relevant".
    for (const t of ['What do we know about the database migration?', 'What does the knowledge graph say about the launch?', 'Look up our notes on the relay']) expect(ABOUT_THE_ROOM.test(t), t).toBe(true)
    for (const t of ['What time is it?', 'Tell me a joke', 'Explain quantum computing']) expect(ABOUT_THE_ROOM.test(t), t).toBe(false)
  })

  it('lets the calculator bid only on a request with something to compute', () => {
    const top = (text: string) => ({ id: 't-1', text })
    for (const q of [
      'What is 17% of 2,340?', 'What is thirty plus twelve?', 'How many seconds are in a week?', 'What time is it?',
      'How many days until Christmas?', 'What day of the week is Christmas?', 'Convert a mile to kilometers', 'What is pi squared?',
      'List the primes below twenty', 'How long until midnight?'
    ]) expect(mayCompute(q, top(q)), q).toBe(true)
    // Before: the calculator won these on its skill's words and failed ("found no expression to evaluate").
    for (const q of ['Who decided the launch date?', 'Why did the relay restart?', 'Tell me a joke']) expect(mayCompute(q, top(q)), q).toBe(false)
    // A mission's part may work on the results before it: "Double it".
    expect(mayCompute('Double it', { id: 't-1/2', text: 'Double it' })).toBe(true)
    // The numbers are the request's material, not its instruction: bid judges "Sort these numbers"
    // (payload.ts), and nobody bid on "Sort these numbers: 5, 3, 9, 1".
    expect(mayCompute('Sort these numbers', top('Sort these numbers: 5, 3, 9, 1'))).toBe(true)
    expect(mayCompute('Find the average of these', top('Find the average of these: 12, 15, 22'))).toBe(true)
    // Material with numbers does not make any instruction a computation.
    expect(mayCompute('Summarise this', top('Summarise this: the relay restarted 3 times on May 4'))).toBe(false)
    expect(mayCompute('Sort these names', top('Sort these names: Ann, Bob'))).toBe(false)
  })

  it('knows a computation with a value the request names, which the graph may state', () => {
    // The researcher won these and quoted the budget; the bid also asks the graph whether it states one.
    for (const [q, phrase] of <[string, string][]>[
      ['How much of the Q1 budget is left if we spend $12,500?', 'the Q1 budget'], ['What is 10% of the Q1 budget?', 'the Q1 budget'],
      ['What is the Q1 budget minus $12,500?', 'the Q1 budget'], ['Double the marketing budget', 'the marketing budget'],
      ['Split the Q1 budget between 4 teams', 'the Q1 budget'], ['What time is the client demo in New York?', 'the client demo'],
      ['If we hire 3 engineers at $35,000 each, how much of the hiring budget is left?', 'the hiring budget']
    ]) expect(computesWithNamed(q).map(o => o.phrase), q).toEqual([phrase])
    // A date the graph may state ("The launch is on 3 March 2027"): the planner's two parts are not needed then.
    for (const q of ['How many days until the launch?', 'What day of the week is the launch?', 'What date is 10 days after the launch?']) expect(computesWithNamed(q), q).toEqual([{ phrase: 'the launch', name: 'launch', as: 'moment' }])
    // A group whose size the graph may state: each one of it.
    expect(computesWithNamed('If each person on our team gets a $250 bonus, how much is that in total?')).toEqual([{ phrase: 'our team', name: 'team', as: 'count' }])
    // So much each a period: "... gets $300 a week, what does the rotation cost per week?"
    expect(computesWithNamed('If each engineer on the on-call rotation gets $300 a week, what does the rotation cost per week?')[0]).toEqual({ phrase: 'the on-call rotation', name: 'on-call rotation', as: 'count' })
    // "Check: 17 times 23 is 391" is judged on its instruction, "Check": nobody bid before.
    for (const q of ['Check', 'Verify:', 'please double-check', 'Fact check']) expect(CHECK_INTENT.test(q), q).toBe(true)
    for (const q of ['Checkout', 'Check out the new docs']) expect(CHECK_INTENT.test(q), q).toBe(false)
    // A mission's part that works on the result before it is the calculator's (nobody bid before).
    for (const q of ['Round it to the nearest ten', 'Double the result', 'Add 5 to that', 'then multiply it by 3']) expect(OPERATION_ON_RESULT.test(q), q).toBe(true)
    for (const q of ['Round 3.14 to 1 decimal', 'Add milk to the list']) expect(OPERATION_ON_RESULT.test(q), q).toBe(false)
    // A question about the value itself is the researcher's.
    // What the room decided or recorded is the researcher's to answer, even when the graph has nothing on it (before, nobody bid).
    for (const q of ['What was decided about the ledger?', 'Who decided the launch date?', 'Is anything recorded about the relay?']) expect(ASKS_THE_RECORD.test(q), q).toBe(true)
    for (const q of ['What is the capital of France?', 'Tell me a joke']) expect(ASKS_THE_RECORD.test(q), q).toBe(false)
    for (const q of ['What is the Q1 budget?', 'When is the client demo?', 'Who owns the payments service?', 'What is the capital of France?']) expect(computesWithNamed(q), q).toEqual([])
  })
})
