import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkArithmetic, checkEmbeddedEquations, claimText, contradiction, handler, type VerifierOutput } from '../../../src/agents/builtin/verifier.ts'
import type { RetrievableEntity } from '../../../src/agents/graph-retrieval.ts'
import { handler as jsRunner } from '../../../src/agents/builtin/js-runner.ts'
import { handler as calculate } from '../../../src/agents/builtin/calculator.ts'
import type { LoadedEmbedder } from '../../../src/match/embedder.ts'
import { graphSearchContext, realEmbedder, retrievable, testContext } from './builtin-context.ts'

let embedder: LoadedEmbedder
beforeAll(async () => { embedder = await realEmbedder() }, 120_000)
afterAll(async () => { await embedder?.dispose() })

const e = retrievable

const GRAPH: RetrievableEntity[] = [
  e('f-relay', 'fact', 'The relay server listens on port 9090 for websocket connections.', 'verified', 0.9),
  e('d-db', 'decision', 'The team decided to store user accounts in a PostgreSQL database.', 'verified', 0.8),
  e('f-login', 'fact', 'The login endpoint is enabled in production.', 'verified', 0.9),
  e('f-cake', 'fact', 'The chocolate cake recipe needs three eggs and two cups of flour.', 'proposed', 0.6),
  e('f-paris', 'fact', 'Paris is the capital and largest city of France.', 'verified', 0.95),
  e('h-claim', 'hypothesis', 'The API supports cursor pagination.', 'proposed', 0.5)
]

function graphContext (entities = GRAPH) {
  return graphSearchContext(embedder, entities)
}

async function verify (claim: string, input?: Record<string, unknown>) {
  const r = await handler(input === undefined ? { id: 't', text: claim } : { id: 't', text: claim, input }, graphContext())
  console.log(`${claim} -> ${r.text}`)
  return r
}

describe('verifier: a mission part about the result it depends on', () => {
  it('checks "the result is 84" against the earlier result, without the graph', async () => {
    // Before: the claim "result is 84" was not arithmetic, and the verifier abstained for want of graph evidence.
    const ok = await handler({ id: 't', text: 'Check that the result is 84', input: { s1: 84 } }, testContext())
    expect(ok.verdict).toMatchObject({ vote: 'support', confidence: 0.99 })
    expect((ok.output as VerifierOutput).method).toBe('arithmetic')
    expect(ok.working).toContain('"the result" = 84 (the result of s1)')
    const wrong = await handler({ id: 't', text: 'Check that the result is 85', input: { s1: 84 } }, testContext())
    expect(wrong.verdict).toMatchObject({ vote: 'dispute' })
    expect(wrong.verdict!.reason).toMatch(/not 85/)
    const unit = await handler({ id: 't', text: 'Verify that it equals 8.05 km', input: { s1: '8.04672 km' } }, testContext())
    expect(unit.verdict?.vote).toBe('support')
  })

  /** The coordination layer's verify input: the part as run (with its upstream results) and its result. */
  const check = (text: string, input: unknown, output: unknown) =>
    handler({ id: 'v', text: 'verify', input: { task: { id: 't', text, input }, result: { text: String(output), output } } }, testContext())

  it('re-computes a part that works on an earlier result ("Double it" of 12)', async () => {
    // Before: "Double it = 24" was not arithmetic; every verifier abstained and the part stayed unverified.
    const ok = await check('Double it', { s1: 12 }, 24)
    expect(ok.verdict).toMatchObject({ vote: 'support', confidence: 0.99 })
    expect(ok.verdict!.reason).toBe('re-computed: Double 12 = 24, as claimed')
    expect((await check('Double it', { s1: 12 }, 25)).verdict).toMatchObject({ vote: 'dispute', reason: 're-computed: Double 12 = 24, not 25' })
    expect((await check('Take the square root', { s2: 24 }, 4.8989794855664)).verdict?.vote).toBe('support')
  })

  it('re-computes a chain of operations step by step', async () => {
    // Before: the part read as one expression, "sqrt(1024) and (1024 * 2)"; every verifier abstained.
    const ok = await check('Take the square root of it and double the result', { s1: 1024 }, 64)
    expect(ok.verdict).toMatchObject({ vote: 'support', confidence: 0.99, reason: 're-computed in 2 steps, sqrt(1024) then 32 * 2 = 64, as claimed' })
    expect(ok.working).toContain('step 2: double the result')
    expect((await check('Take the square root of it and double the result', { s1: 1024 }, 65)).verdict)
      .toMatchObject({ vote: 'dispute', reason: 're-computed in 2 steps, sqrt(1024) then 32 * 2 = 64, not 65' })
  })

  it('checks an exact fraction by its value', async () => {
    // Before: the fraction computed was not compared with a number, and every verifier abstained.
    const exact = await handler({ id: 'v', text: 'verify', input: { task: { id: 't', text: 'What is 1/3 + 1/6 as a fraction?' }, result: { text: '1/2', output: 0.5 } } }, testContext())
    expect(exact.verdict).toMatchObject({ vote: 'support', confidence: 0.99 })
    const wrong = await handler({ id: 'v', text: 'verify', input: { task: { id: 't', text: 'What is 1/3 + 1/6 as a fraction?' }, result: { text: '2/3', output: 0.6666666667 } } }, testContext())
    expect(wrong.verdict?.vote).toBe('dispute')
  })

  it('re-computes each answer of a request that asks several questions', async () => {
    const ok = await check('Compute 2 + 2 and compute 3 + 3', undefined, [4, 6])
    expect(ok.verdict).toMatchObject({ vote: 'support', confidence: 0.99, reason: 're-computed 2 answers (4, 6), as claimed' })
    expect(ok.working).toContain('question 2: compute 3 + 3')
    expect((await check('What is 5 + 5 and what is 6 * 7?', undefined, [10, 41])).verdict)
      .toMatchObject({ vote: 'dispute', reason: 're-computed answer 2 of 2 = 42, not 41' })
  })

  it('makes a list of primes or a sorted list again and compares it item by item', async () => {
    // Before: the result's text is all brackets, so the claim was empty and the verifier failed;
    // the mission part stayed pending.
    const primes = [2, 3, 5, 7, 11, 13, 17, 19]
    expect((await check('Find the primes below 20', undefined, primes)).verdict)
      .toMatchObject({ vote: 'support', reason: 're-computed: 8 numbers (2, 3, 5, 7, 11, 13, 17, 19), as claimed' })
    expect((await check('Find the primes below 20', undefined, [2, 3, 5, 7, 9, 13, 17, 19])).verdict)
      .toMatchObject({ vote: 'dispute', reason: 're-computed: 8 numbers (2, 3, 5, 7, 11, 13, 17, 19); item 5 is 11, not 9' })
    expect((await check('Find the primes below 20', undefined, primes.slice(0, 7))).verdict?.reason).toBe('re-computed: 8 numbers (2, 3, 5, 7, 11, 13, 17, 19); the result has 7')
    expect((await check('Sort them', { s1: 3, s2: 1, s3: 2 }, [1, 2, 3])).verdict?.vote).toBe('support')
    // Another agent's list is not judged by the calculator's reading of its words: a script's is run
    // again (rederive.ts), and one with neither code nor words to check is an abstention saying why.
    const script = await handler({ id: 'v', text: 'verify', input: { task: { id: 't', text: 'Run this JavaScript: [3,1,2].sort()' }, result: { text: '[1,2,3]', output: [1, 2, 3] } } },
      testContext({ spawn: async (_kind, task) => await jsRunner(task, testContext()) }))
    expect(script.verdict).toMatchObject({ vote: 'support', reason: 'ran the code again on this peer: the same result, [1,2,3]' })
    const picked = await handler({ id: 'v', text: 'verify', input: { task: { id: 't', text: 'Pick three numbers for me' }, result: { text: '[1,2,3]', output: [1, 2, 3] } } }, testContext())
    expect(picked.verdict).toMatchObject({ vote: 'abstain', confidence: 0 })
    expect(picked.verdict!.reason).toContain('no claim in words')
  })

  it('re-reads a word problem and compares the number in the answer', async () => {
    const story = 'Tom has 12 marbles. He gives 5 to Sara. How many marbles does Tom have left?'
    expect((await check(story, undefined, '7 marbles')).verdict).toMatchObject({ vote: 'support', reason: 're-computed as a word problem, 12 - 5 = 7, as claimed' })
    // An answer in words from another agent (a language model) is compared by the number in it.
    expect((await check(story, undefined, 'Tom has seven marbles left.')).verdict?.vote).toBe('support')
    expect((await check(story, undefined, '8 marbles')).verdict).toMatchObject({ vote: 'dispute', reason: 're-computed as a word problem, 12 - 5 = 7, not 8' })
    // Several numbers without the value: not this check's to judge (the graph is asked instead).
    const search = async () => []
    const unclear = await handler({ id: 'v', text: 'verify', input: { task: { id: 't', text: story }, result: { text: 'between 6 and 8', output: 'between 6 and 8' } } }, testContext({ search }))
    expect(unclear.verdict?.vote).toBe('abstain')
  })

  it('checks the roots of an equation by putting each into it, and their count by solving again', async () => {
    const ok = await check('Solve x^2 - 5x + 6 = 0', undefined, [2, 3])
    expect(ok.verdict).toMatchObject({ vote: 'support', reason: 're-solved and substituted: x = 2 or x = 3, as claimed' })
    expect(ok.working).toContain('x = 3: x^2 - 5x + 6 is 0, 0 is 0')
    expect((await check('Solve x^2 - 5x + 6 = 0', undefined, [2, 4])).verdict).toMatchObject({ vote: 'dispute', reason: 'substituted: at x = 4 the two sides are 2 and 0' })
    expect((await check('Solve x^2 - 5x + 6 = 0', undefined, [2])).verdict).toMatchObject({ vote: 'dispute', reason: 're-solved: x = 2 or x = 3, not 2' })
  })
})

describe('verifier: arithmetic', () => {
  it('disputes wrong arithmetic and supports right arithmetic, without the graph', async () => {
    const wrong = await handler({ id: 't', text: '2 + 2 = 5' }, testContext())
    expect(wrong.verdict).toMatchObject({ vote: 'dispute', confidence: 0.99 })
    expect(wrong.verdict?.reason).toBe('re-computed: 2 + 2 = 4, not 5')
    expect((wrong.output as VerifierOutput).method).toBe('arithmetic')
    expect((await handler({ id: 't', text: 'Is it true that 12 * 12 = 144?' }, testContext())).verdict?.vote).toBe('support')
    expect((await handler({ id: 't', text: 'Check that 17% of 2,340 is 397.8' }, testContext())).verdict?.vote).toBe('support')
    expect((await handler({ id: 't', text: '17% of 2,340 is 398.8' }, testContext())).verdict?.vote).toBe('dispute')
  })

  it('accepts a value rounded to the decimals it shows, and units', () => {
    expect(checkArithmetic('10 / 3 = 3.33')?.verdict.vote).toBe('support')
    expect(checkArithmetic('10 / 3 = 3')?.verdict.vote).toBe('dispute')
    expect(checkArithmetic('10 / 3 is about 3')?.verdict.vote).toBe('dispute')
    expect(checkArithmetic('1000 / 8 equals 125')?.verdict.vote).toBe('support')
    expect(checkArithmetic('5 miles to km is 8.05 km')?.verdict.vote).toBe('support')
    expect(checkArithmetic('5 miles to km is 9 km')?.verdict.vote).toBe('dispute')
    expect(checkArithmetic('the relay listens on port 9090')).toBeUndefined()
    expect(checkArithmetic('Paris has 2 million people')).toBeUndefined()
  })

  it('rounds as the claim asks before comparing', () => {
    // Before: "= 586.5, not 590", a right answer disputed by every verifier.
    expect(checkArithmetic('What is 17% of 3,450 rounded to the nearest ten = 590')?.verdict).toMatchObject({ vote: 'support', reason: 're-computed: What is 17% of 3,450 rounded to the nearest 10 = 590, as claimed' })
    expect(checkArithmetic('17% of 3,450 rounded to the nearest ten = 586.5')?.verdict.vote).toBe('dispute')
    expect(checkArithmetic('1/3 as a decimal, to 5 places = 0.33333')?.verdict.vote).toBe('support')
    expect(checkArithmetic('1/3 to 2 decimal places = 0.34')?.verdict.vote).toBe('dispute')
  })
})

describe('verifier: the graph', () => {
  it('supports a claim a verified fact states', async () => {
    const r = await verify('Verify this claim: the relay server listens on port 9090')
    expect(r.verdict?.vote).toBe('support')
    expect(r.verdict?.evidence).toContain('f-relay')
    expect(r.verdict!.confidence).toBeGreaterThan(0.6)
    expect(r.citations).toContain('f-relay')
  })

  it('does not take an entity that shares only the claim\'s values for support', async () => {
    // Before: "The beta launches on 3 December 2026." was supported, by two verifiers, with "[fact:a:1]
    // (verified) states the same: "What is 3 weeks from next Monday?: Monday, 21 December 2026"".
    const asked = 'What is 3 weeks from next Monday?'
    const graph: RetrievableEntity[] = [{ ...e('fact:a:1', 'fact', `${asked}: Monday, 21 December 2026`, 'verified', 0.9), answers: asked }]
    const claim = 'The beta launches on 3 December 2026.'
    const r = await handler({ id: 't:verify', text: 'Verify this answer', input: { task: { id: 't', text: claim }, result: { text: claim } } }, graphContext(graph))
    expect(r.verdict?.vote).toBe('abstain')
    expect(r.working).toContain("[fact:a:1] shares the claim's values but not what it is about: no support")
    // The same values with what the claim is about: support.
    const launch: RetrievableEntity[] = [e('f-launch', 'fact', 'The beta launches on 3 December 2026 after the security review.', 'verified', 0.9)]
    expect((await handler({ id: 't:verify', text: 'Verify this answer', input: { task: { id: 't', text: claim }, result: { text: claim } } }, graphContext(launch))).verdict?.vote).toBe('support')
  })

  it('disputes a claim whose number differs from a verified fact', async () => {
    const r = await verify('The relay server listens on port 8080')
    expect(r.verdict?.vote).toBe('dispute')
    expect(r.verdict?.evidence?.[0]).toBe('f-relay')
    expect(r.verdict?.reason).toMatch(/gives 9090 where the claim says 8080/)
  })

  it('disputes a negated claim and an antonym', async () => {
    const negated = await verify('The relay server does not listen on port 9090')
    expect(negated.verdict?.vote).toBe('dispute')
    expect(negated.verdict?.evidence?.[0]).toBe('f-relay')
    const antonym = await verify('The login endpoint is disabled in production')
    expect(antonym.verdict?.vote).toBe('dispute')
    expect(antonym.verdict?.reason).toMatch(/says "enabled" where the claim says "disabled"/)
  })

  it('supports a claim stated by a verified decision', async () => {
    const r = await verify('The team chose to store user accounts in PostgreSQL')
    expect(r.verdict?.vote).toBe('support')
    expect(r.verdict?.evidence).toEqual(['d-db'])
  })

  it('abstains when nothing relevant is known', async () => {
    const r = await verify('Bananas grow on tall trees in Iceland')
    expect(r.verdict).toMatchObject({ vote: 'abstain', confidence: 0 })
    expect(r.citations).toEqual([])
  })

  it('does not count the claim itself, or a mere proposal, as proof', async () => {
    const self = await verify('The API supports cursor pagination', { entityId: 'h-claim' })
    expect(self.verdict?.vote).toBe('abstain')
    const same = await verify('The API supports cursor pagination')
    expect(same.verdict?.vote).toBe('abstain')
    // Asked of the claim as the graph holds it, it says so: before, "nothing relevant is known in the graph".
    const asked = await verify('Is it true that the API supports cursor pagination?')
    expect(asked.verdict).toMatchObject({ vote: 'abstain', reason: 'the graph holds this claim only as recorded, not verified (hypothesis [h-claim]); nothing else in it supports or contradicts it' })
    // A paraphrase of a proposed (unverified) fact: related, agreeing, but not proof.
    const weak = await verify('The chocolate cake recipe needs two cups of flour and three eggs')
    expect(weak.verdict?.vote).toBe('abstain')
    expect(weak.verdict?.reason).toMatch(/f-cake/)
  })

  it('refuses an empty claim and honours cancellation', async () => {
    await expect(handler({ id: 't', text: ' ' }, graphContext())).rejects.toThrow(/verifier: the claim is empty/)
    const ctx = graphContext()
    ctx.abort(new Error('cancelled'))
    await expect(handler({ id: 't', text: 'the relay listens on port 1' }, ctx)).rejects.toThrow('cancelled')
  })
})

describe('verifier: text helpers', () => {
  it('strips the request around a claim', () => {
    expect(claimText({ id: 't', text: 'Fact-check: the API supports pagination' })).toBe('the API supports pagination')
    expect(claimText({ id: 't', text: 'Is it true that the team chose PostgreSQL?' })).toBe('the team chose PostgreSQL')
    expect(claimText({ id: 't', text: 'ignored', input: { claim: 'X is Y' } })).toBe('X is Y')
  })

  it('finds contradictions', () => {
    expect(contradiction('the port is 80', 'the port is 443')).toMatch(/gives 443/)
    expect(contradiction('the door is open', 'the door is closed')).toMatch(/"closed"/)
    expect(contradiction('it works', "it doesn't work")).toMatch(/opposite/)
    expect(contradiction('the port is 80', 'the port is 80')).toBeUndefined()
  })
})

describe('verifier: sums written out inside prose', () => {
  it('re-computes each one, and a wrong one disputes the claim', () => {
    expect(checkEmbeddedEquations('Pallets needed: 14 * 6 = 86')).toEqual({
      wrong: 're-computed the arithmetic in it: 14 * 6 = 84, not 86', right: [], steps: ['arithmetic in the text: 14 * 6 = 86; computed 84']
    })
    expect(checkEmbeddedEquations('The east warehouse holds 12 × 9 = 108 crates.')).toMatchObject({ right: ['12 × 9 = 108'] })
    expect(checkEmbeddedEquations('Total (3 + 4) x 2 = 14.0, and 1,450 / 2 = 725 per side')).toMatchObject({ right: ['(3 + 4) x 2 = 14.0', '1,450 / 2 = 725'] })
    // The second of two is wrong: the first right one does not save it.
    expect(checkEmbeddedEquations('First 2 + 2 = 4, then 4 * 4 = 17.')?.wrong).toBe('re-computed the arithmetic in it: 4 * 4 = 16, not 17')
    // Rounded to the decimals shown.
    expect(checkEmbeddedEquations('so 22/7 = 3.14 roughly')?.wrong).toBeUndefined()
    expect(checkEmbeddedEquations('so 22/7 = 3.15 roughly')?.wrong).toBe('re-computed the arithmetic in it: 22/7 = 3.14285714286, not 3.15')
  })

  it('leaves alone what is not a written-out sum: dates, versions, a value that goes on in a scale or unit', () => {
    for (const text of ['Meet on 2026-11-23 = today', 'v1.2 = 3', 'The screen is 1920 x 1080 = 2 megapixels', 'a margin of 30 / 600 = 5%',
      'the budget 3 * 400 = 1,200 thousand', 'The relay listens on port 9090', 'x = 4 solves it']) {
      expect(checkEmbeddedEquations(text)).toBeUndefined()
    }
  })

  it('disputes an answer whose prose holds a wrong sum; with a right one and nothing else known it abstains, saying so', async () => {
    const handed = (text: string) => ({ id: 't:verify', text: 'Verify this answer', input: { task: { text: 'Count the pallets for the spring shipment' }, result: { text } } })
    const bad = await handler(handed('Pallets needed: 14 * 6 = 86'), graphContext())
    expect(bad.verdict).toEqual({ vote: 'dispute', confidence: 0.99, reason: 're-computed the arithmetic in it: 14 * 6 = 84, not 86', evidence: [] })
    expect((bad.output as VerifierOutput).method).toBe('arithmetic')
    const ok = await handler(handed('Pallets needed: 14 * 6 = 84'), graphContext([]))
    expect(ok.verdict).toMatchObject({ vote: 'abstain', reason: 'its arithmetic checks out (14 * 6 = 84), but nothing else it says is known in the graph' })
    // The graph holds something about pallets that says nothing on this claim: the reason still says the
    // sums were checked (before: "the claim is not arithmetic"), and what the graph gave.
    const related = await handler(handed('Pallets needed for the autumn shipment: 12 * 6 = 72'), graphContext([
      e('result:t-1:1', 'hypothesis', 'Pallets needed for the spring shipment: 14 * 6 = 86', 'disputed', 0.5)
    ]))
    expect(related.verdict?.vote).toBe('abstain')
    expect(related.verdict?.reason).toMatch(/^its arithmetic checks out \(12 \* 6 = 72\), but /)
    expect(related.verdict?.reason).not.toContain('not arithmetic')
  })
})

describe('verifier: results handed over by the coordination layer', () => {
  it('re-computes an arithmetic answer from the task and its output, and disputes a wrong one', async () => {
    const ok = await handler({ id: 't:verify', text: 'Verify this answer', input: { task: { text: 'Calculate 17% of 2340.' }, result: { text: '17% of 2340 = 397.8', output: 397.8 } } }, testContext())
    expect(ok.verdict).toMatchObject({ vote: 'support' })
    const bad = await handler({ id: 't:verify', text: 'Verify this answer', input: { task: { text: 'Calculate 17% of 2340' }, result: { text: 'about 400', output: 400 } } }, testContext())
    expect(bad.verdict).toMatchObject({ vote: 'dispute' })
  })

  it('re-computes an answer to a request with its numbers in words', async () => {
    // A tour's mission part "What is two hundred divided by eight" (25) stayed pending: the verifier abstained.
    const ok = await handler({ id: 't:verify', text: 'Verify this answer', input: { task: { text: 'What is two hundred divided by eight' }, result: { text: '25', output: 25 } } }, testContext())
    expect(ok.verdict).toMatchObject({ vote: 'support', confidence: 0.99 })
    expect(checkArithmetic('one plus one is three')?.verdict.vote).toBe('dispute')
    expect(checkArithmetic('Room one is 2 metres wide')).toBeUndefined()
  })

  it('checks a prose answer as a claim, without its inline citations', () => {
    expect(claimText({ id: 't', text: 'Verify this answer', input: { task: { text: 'When is the launch?' }, result: { text: 'The launch is on March 3 [fact:x1].', output: { answer: 'March 3' } } } })).toBe('The launch is on March 3.')
    expect(claimText({ id: 't', text: 'Verify', input: { task: { text: 'When is the launch?' }, result: { text: 'According to the graph, the launch is on March 3 [fact:x1] (proposed, not yet verified). None of this has been verified yet.' } } })).toBe('the launch is on March 3.')
    // A yes/no answer is checked by what it quotes: "No: ..." would otherwise read as a negated claim and be disputed.
    expect(claimText({ id: 't', text: 'Verify', input: { task: { text: 'Is the relay port 8080?' }, result: { text: 'No: according to the graph, the relay listens on port 9090 [fact:x1].' } } })).toBe('the relay listens on port 9090.')
    expect(claimText({ id: 't', text: 'Verify', input: { task: { text: 'x' }, result: { text: 'The graph agrees with what you say: the relay listens on port 9090 [fact:x1].' } } })).toBe('the relay listens on port 9090.')
    // What the person told the researcher that the graph lacks is not the claim; the graph's quote is.
    expect(claimText({ id: 't', text: 'Verify', input: { task: { text: 'x' }, result: { text: 'You say: "The relay is now in the EU region." The graph has nothing on that yet. What it has: the relay listens on port 9090 [fact:x1] (proposed, not yet verified).' } } })).toBe('the relay listens on port 9090.')
  })

  it('re-computes a money conversion at the rate the request gives or the graph states, and abstains when there is none', async () => {
    const handed = (task: string, text: string, output: number) => ({ task: { text: task }, result: { text, output } })
    // Before: the arithmetic check read "Convert 100 euros to dollars at 1.08 dollars per euro" as 100
    // and disputed the right answer, $108.00 ("re-computed: ... = 100, not 108").
    const given = await handler({ id: 't', text: 'Verify this answer', input: handed('Convert 100 euros to dollars at 1.08 dollars per euro', '€100.00 = $108.00', 108) }, testContext())
    expect(given.verdict).toMatchObject({ vote: 'support', reason: 're-computed as a conversion (rate: 1.08 USD per EUR) = 108, as claimed' })
    const wrong = await handler({ id: 't', text: 'Verify this answer', input: handed('How much is $40 in yen if 1 dollar is 150 yen?', '$40.00 = ¥4,000', 4000) }, testContext())
    expect(wrong.verdict).toMatchObject({ vote: 'dispute', reason: 're-computed as a conversion (rate: 1 USD = 150 JPY) = 6000, not 4000' })
    // The rate from the graph, as the calculator found it: the verifier finds it too and says which entity it is.
    const rates = [...GRAPH, e('f-eur', 'fact', '1 EUR = 1.08 USD', 'verified', 0.9)]
    const fromGraph = await handler({ id: 't', text: 'Verify this answer', input: handed('Convert 100 euros to dollars', '€100.00 = $108.00 (at 1 EUR = 1.08 USD, ...)', 108) }, graphContext(rates))
    expect(fromGraph.verdict).toMatchObject({ vote: 'support', reason: "re-computed as a conversion (rate: 1 EUR = 1.08 USD, the graph's f-eur) = 108, as claimed" })
    // No rate anywhere: nothing to re-compute, so no verdict either way (not a dispute of "100").
    const none = await handler({ id: 't', text: 'Verify this answer', input: handed('Convert 100 euros to yen', '€100.00 = ¥16,000', 16000) }, graphContext(rates))
    expect(none.verdict?.vote).toBe('abstain')
    expect(none.verdict?.reason).toMatch(/^a money conversion that cannot be re-computed here: converting euros to yen needs an exchange rate/)
  })

  it('abstains on an answer that goes by what the person said against the graph, or an overview of the graph', async () => {
    const said = await handler({ id: 't', text: 'Verify this result', input: { task: { text: 'The relay moved to port 9091. Which port should I use?' }, result: { text: 'You say the relay moved to port 9091, but the graph says ... Going by what you say: 9091.', output: { answer: '...', sources: [], told: [{ statement: 'The relay moved to port 9091.', agrees: false, with: 'f-relay' }] } } } }, graphContext())
    expect(said.verdict?.vote).toBe('abstain')
    expect(said.verdict?.reason).toBe('the answer goes by what the person said ("The relay moved to port 9091."), which the graph\'s [f-relay] contradicts: there is no other evidence to check it against')
    const overview = await handler({ id: 't', text: 'Verify this result', input: { task: { text: 'What do we know?' }, result: { text: 'The graph holds 6 entities: ...', output: { answer: '...', sources: [], overview: true } } } }, graphContext())
    expect(overview.verdict?.vote).toBe('abstain')
    expect(overview.verdict?.reason).toMatch(/^the result is an overview of the graph/)
    // An answer the graph agrees with is checked as before.
    const agreed = await handler({ id: 't', text: 'Verify this result', input: { task: { text: 'Is the relay port 9090?' }, result: { text: 'Yes: according to the graph, the relay server listens on port 9090 for websocket connections [f-relay].', output: { answer: 'x', sources: [], yes: true } } } }, graphContext())
    expect(agreed.verdict?.vote).toBe('support')
  })

  it("checks another verifier's verdict by checking its claim again: the same vote is supported, the other disputed", async () => {
    // Before: the verdict's text read as a claim nothing in the graph knew of, every verifier abstained,
    // and "Is it true that 17 * 23 = 391?" stayed unverified.
    const first = await handler({ id: 't', text: 'Is it true that 17 * 23 = 391?' }, graphContext())
    expect(first.verdict?.vote).toBe('support')
    const review = (claim: string, verdict: unknown) => handler({ id: 't:verify', text: 'Verify this result', input: { task: { id: 't', text: claim }, result: { text: 'a verdict', output: { verdict, method: 'arithmetic' } } } }, graphContext())
    const same = await review('Is it true that 17 * 23 = 391?', first.verdict)
    expect(same.verdict).toMatchObject({ vote: 'support', confidence: 0.95, reason: 'checked the claim again on this peer: supported (re-computed: 17 * 23 = 391, as claimed), as the verdict says' })
    const wrong = await review('Is it true that 17 * 23 = 392?', { vote: 'support', confidence: 0.9, reason: 'looks right' })
    expect(wrong.verdict?.vote).toBe('dispute')
    expect(wrong.verdict?.reason).toMatch(/^checked the claim again on this peer: disputed \(.*\), not supported$/)
    // A verdict on a graph claim: this peer's copy of the graph judges it.
    expect((await review('Is it true that the relay server listens on port 9090?', { vote: 'dispute', confidence: 0.8, reason: 'no' })).verdict?.vote).toBe('dispute')
    // A claim this peer cannot judge: it abstains, saying why.
    const unknown = await review('Is it true that the moon is made of basalt?', { vote: 'support', confidence: 0.7, reason: 'a source says so' })
    expect(unknown.verdict?.vote).toBe('abstain')
    expect(unknown.verdict?.reason).toMatch(/^this peer cannot judge the claim itself: /)
  })
})

describe('verifier: any result the calculator reads is calculated again', () => {
  const handed = (task: string, text: string, output?: unknown) => ({ id: 't:verify', text: 'Verify this answer', input: { task: { id: 't', text: task }, result: output === undefined ? { text } : { text, output } } })

  it('supports a conversion, a rounding and a yes/no about a number, and disputes another value', async () => {
    // Before, each of these abstained ("the claim is not arithmetic"): "<task> = <value>" does not parse.
    const week = await handler(handed('How many seconds are in a week?', '604800 seconds', '604800 seconds'), testContext())
    expect(week.verdict).toMatchObject({ vote: 'support', confidence: 0.95, reason: 'calculated again on this peer: 604800 seconds, as claimed' })
    const pi = await handler(handed('Round pi to 3 decimal places', '3.142', 3.142), testContext())
    expect(pi.verdict).toMatchObject({ vote: 'support', reason: 'calculated again on this peer: 3.142, as claimed' })
    const prime = await handler(handed('Is 1,000,003 a prime number?', 'Yes: 1000003 has no divisor other than 1 and itself', true), testContext())
    expect(prime.verdict).toMatchObject({ vote: 'support', reason: 'calculated again on this peer: Yes: 1000003 has no divisor other than 1 and itself, as claimed' })
    // Another agent's answers (an LLM's: words, no structured output), wrong: disputed, naming both values.
    const day = await handler(handed('How many seconds are in a week?', 'A week has 86400 seconds.'), testContext())
    expect(day.verdict).toMatchObject({ vote: 'dispute', confidence: 0.9, reason: 'calculated again on this peer: 604800 seconds, not 86400' })
    // A duration spelled out after the quantity (rateAndTime): before, every verifier abstained on it.
    const printing = await handler(handed('A printer prints 30 pages per minute. How long for 100 pages?', '3.33333 minutes (3 minutes 20 seconds)', '3.33333 minutes'), testContext())
    expect(printing.verdict).toMatchObject({ vote: 'support', reason: 'calculated again on this peer: 3.33333 minutes (3 minutes 20 seconds), as claimed' })
    const composite = await handler(handed('Is 91 a prime number?', 'Yes, 91 is prime.'), testContext())
    expect(composite.verdict).toMatchObject({ vote: 'dispute', reason: 'calculated again on this peer: No: 91 = 7 × 13, not yes' })
  })

  it('supports a result that has no value for the same reason, and disputes a number given for it', async () => {
    // Before, "Undefined: 100 / 0 divides by zero" was no arithmetic and nothing in the graph: every verifier abstained.
    const zero = await handler(handed('What is 100 divided by 0?', 'Undefined: 100 / 0 divides by zero', null), testContext())
    expect(zero.verdict).toMatchObject({ vote: 'support', confidence: 0.95, reason: 'calculated again on this peer: Undefined: 100 / 0 divides by zero, as claimed' })
    const log = await handler(handed('What is the log of 0?', 'Minus infinity: log10(0) is the logarithm of zero, which has no finite value', null), testContext())
    expect(log.verdict?.vote).toBe('support')
    // Another finding for it is not the same answer: not supported.
    const other = await handler(handed('What is 100 divided by 0?', 'Infinity: the value is beyond what a double-precision number holds (about 1.8e308)', null), graphContext([]))
    expect(other.verdict?.vote).not.toBe('support')
    // A number given for it is disputed, saying why there is none (before: "= Infinity, not 5").
    const five = await handler(handed('What is 100 divided by 0?', '5', 5), testContext())
    expect(five.verdict).toMatchObject({ vote: 'dispute', reason: 're-computed: What is 100 divided by 0 has no value (undefined: 100 / 0 divides by zero), not 5' })
  })

  it("supports an answer read from the clock within a few minutes of it, in the person's time zone", async () => {
    const asked = (text: string, timeZone: string) => calculate({ id: 't', text, timeZone }, testContext())
    const check = (text: string, timeZone: string, output: number) => handler({ id: 't:verify', text: 'Verify this answer', input: { task: { id: 't', text, timeZone }, result: { text: String(output), output } } }, graphContext([]))
    // The clock moved on between the answer and the check (or the peers' clocks differ a little).
    const seconds = await asked('How many seconds until midnight?', 'UTC')
    expect((await check('How many seconds until midnight?', 'UTC', (seconds.output as number) + 90)).verdict).toMatchObject({ vote: 'support', confidence: 0.9 })
    expect((await check('How many seconds until midnight?', 'UTC', (seconds.output as number) + 4000)).verdict?.vote).not.toBe('support')
    // Only a span to a time of day gets the slack: 3 days more until Christmas is no clock moving on.
    const christmas = await asked('How many days until Christmas?', 'UTC')
    expect((await check('How many days until Christmas?', 'UTC', (christmas.output as number) + 3)).verdict?.vote).not.toBe('support')
    // Re-calculated in the zone the person asked in: noon is another span in Tokyo than in UTC.
    const tokyo = await asked('How long until noon?', 'Asia/Tokyo')
    expect((await check('How long until noon?', 'Asia/Tokyo', tokyo.output as number)).verdict?.vote).toBe('support')
    expect((await check('How long until noon?', 'UTC', tokyo.output as number)).verdict?.vote).not.toBe('support')
  })

  it('checks several statistics of one list, each by its name', async () => {
    // Before, every verifier abstained ("the claim is not arithmetic") on "mean = 18, standard deviation = ...".
    const task = 'What is the mean and standard deviation of 4, 8, 15, 16, 23, 42?'
    const right = await handler(handed(task, 'mean = 18, sample standard deviation = 13.4907375632', { mean: 18, 'sample standard deviation': 13.4907375632 }), testContext())
    expect(right.verdict).toMatchObject({ vote: 'support', reason: 'calculated again on this peer: mean = 18, sample standard deviation = 13.4907375632, as claimed' })
    // The population's standard deviation under the sample's name: disputed, naming it.
    const wrong = await handler(handed(task, 'mean = 18, sample standard deviation = 12.3153021346', { mean: 18, 'sample standard deviation': 12.3153021346 }), testContext())
    expect(wrong.verdict).toMatchObject({ vote: 'dispute', reason: 'calculated again on this peer: sample standard deviation = 13.4907375632, not 12.3153021346' })
    // In words only (another agent's): each value among those stated.
    const words = await handler(handed(task, 'The mean is 18 and the standard deviation is 13.4907375632.'), testContext())
    expect(words.verdict).toMatchObject({ vote: 'support' })
  })

  it('checks which of two quantities is named, not only the conversion in its words; several answers each; a quantity over time', async () => {
    const asked = 'Which is heavier, 2 kg or 3 pounds?'
    const right = await handler(handed(asked, '2 kg is heavier (3 pounds = 1.36078 kg)', '2 kg'), testContext())
    expect(right.verdict).toMatchObject({ vote: 'support', reason: 'compared again on this peer: 2 kg is heavier (3 pounds = 1.36078 kg), as claimed' })
    // The conversion in brackets is right; the side named is not. Before, the arithmetic in the words was all that was checked.
    const wrong = await handler(handed(asked, '3 pounds is heavier (3 pounds = 1.36078 kg)', '3 pounds'), testContext())
    expect(wrong.verdict).toMatchObject({ vote: 'dispute', reason: 'compared again on this peer: 2 kg is heavier (3 pounds = 1.36078 kg), not 3 pounds' })
    // An agent that answers in words only (an LLM): the side its answer opens with.
    expect((await handler(handed(asked, '3 pounds is heavier.'), testContext())).verdict).toMatchObject({ vote: 'dispute', reason: 'compared again on this peer: 2 kg is heavier (3 pounds = 1.36078 kg), not 3 pounds' })
    expect((await handler(handed(asked, '2 kg is heavier than 3 pounds.'), testContext())).verdict?.vote).toBe('support')
    const taller = await handler(handed('Is 6 feet taller than 180 cm?', 'No, 180 cm is taller.'), testContext())
    expect(taller.verdict).toMatchObject({ vote: 'dispute', reason: 'compared again on this peer: Yes: 6 feet is taller than 180 cm (180 cm = 5.90551 feet), not no' })
    expect((await handler(handed('Which is bigger, 3/4 or 0.7?', '3/4 is bigger (3/4 = 0.75)', '3/4'), testContext())).verdict?.vote).toBe('support')
    // Two answers in one ("Convert ... and tell me how long it takes ..."): both must be the values calculated.
    const trip = 'Convert 250 miles to km and tell me how long it takes at 100 km/h'
    const both = await handler(handed(trip, '250 miles = 402.336 km; time: 4.02336 hours', ['402.336 km', '4.02336 hours']), testContext())
    expect(both.verdict).toMatchObject({ vote: 'support', reason: 'calculated again on this peer: 250 miles = 402.336 km; time: 4.02336 hours, as claimed' })
    const half = await handler(handed(trip, '250 miles = 402.336 km; time: 2.5 hours', ['402.336 km', '2.5 hours']), testContext())
    expect(half.verdict?.vote).toBe('dispute')
    expect((await handler(handed('If I run 5 km every day for 3 weeks, how far do I run in total?', '105 km', '105 km'), testContext())).verdict?.vote).toBe('support')
    expect((await handler(handed('If I run 5 km every day for 3 weeks, how far do I run in total?', '15 km', '15 km'), testContext())).verdict?.vote).toBe('dispute')
  })

  it('supports money to the cent, a bill split and a year\'s length', async () => {
    // Before money was rounded, nothing here was checked against a rounded value: 12.675 shown as
    // 12.68 is half a cent off, which the claim's two decimals allow.
    const tip = await handler(handed('What is a 15% tip on $84.50?', '$12.68', 12.68), testContext())
    expect(tip.verdict).toMatchObject({ vote: 'support', reason: 're-computed: What is a 15% tip on $84.50 = 12.675, as claimed' })
    expect((await handler(handed('What is a 15% tip on $84.50?', '$12.69', 12.69), testContext())).verdict?.vote).toBe('dispute')
    const split = await handler(handed('Split a bill of $120 among 4 people with a 20% tip', '$36.00 each', 36), testContext())
    expect(split.verdict).toMatchObject({ vote: 'support', reason: 'calculated again on this peer: $36.00 each, as claimed' })
    expect((await handler(handed('Split a bill of $120 among 4 people with a 20% tip', 'Each person pays $30.'), testContext())).verdict?.vote).toBe('dispute')
    // Read as a price story ("how much does each pay" asks a price), this was 103.5 and disputed a right $25.88.
    const friends = await handler(handed('Four friends split a $90 dinner bill with a 15% tip. How much does each pay?', '$25.88 each', 25.88), testContext())
    expect(friends.verdict).toMatchObject({ vote: 'support', reason: 'calculated again on this peer: $25.88 each, as claimed' })
    // "How many weeks are in 2027 = 52.14..." is no sum (read as "2027 to weeks" it was 2027, and disputed).
    const weeks = await handler(handed('How many weeks are in 2027?', '52 weeks and 1 day (365 days; 365 / 7 = 52.1428571429)', 52.1428571429), testContext())
    expect(weeks.verdict).toMatchObject({ vote: 'support', reason: 'calculated again on this peer: 52 weeks and 1 day (365 days; 365 / 7 = 52.1428571429), as claimed' })
  })

  it('leaves alone what the calculator cannot read, and answers in words with several numbers', async () => {
    const prose = await handler(handed('When does the Meshwork beta launch?', 'The beta launches on March 3, 2027.'), testContext({ search: async () => [] }))
    expect(prose.verdict?.reason).toBe('nothing relevant is known in the graph and the claim is not arithmetic')
    // "1 week has 7 days, 168 hours" states several numbers, none of them the value: not judged here.
    const several = await handler(handed('How many seconds are in a week?', '1 week has 7 days or 168 hours'), testContext({ search: async () => [] }))
    expect(several.verdict?.vote).toBe('abstain')
  })
})

describe("verifier: a task's verified answer in the graph is evidence about its own request only", () => {
  const answer = (id: string, request: string, text: string): RetrievableEntity => ({ ...e(id, 'fact', `${request}: ${text}`, 'verified', 0.9), answers: request })

  it('does not dispute the answer to another request because its numbers differ', async () => {
    // In a tour of three tabs a right "604800 seconds" was disputed by "Verified: Convert 3.5 hours to
    // minutes: 210 minutes" (related words, other numbers). A result the calculator cannot read:
    const graph = [answer('fact:t-1:1', 'How long is the relay outage window tonight?', 'The relay outage window tonight is 90 minutes.')]
    const other = await handler({ id: 'v', text: 'Verify', input: { task: { text: 'How long is the relay maintenance window on Sunday?' }, result: { text: 'The relay maintenance window on Sunday is 45 minutes.' } } }, graphContext(graph))
    expect(other.verdict?.vote).not.toBe('dispute')
    expect(other.working?.join('\n')).toMatch(/\[fact:t-1:1\].*: the answer to another request \("How long is the relay outage window tonight\?"\): not evidence against this claim/)
    // The same request answered otherwise is still disputed by its verified answer.
    const same = await handler({ id: 'v', text: 'Verify', input: { task: { text: 'How long is the relay outage window tonight?' }, result: { text: 'The relay outage window tonight is 45 minutes.' } } }, graphContext(graph))
    expect(same.verdict).toMatchObject({ vote: 'dispute', evidence: ['fact:t-1:1'] })
  })
})
