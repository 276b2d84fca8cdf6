import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asksForOverview, handler, judgeAsked, questionToRecord, statementToRecord, toldBeforeQuestion, type ResearchOutput } from '../../../src/agents/builtin/researcher.ts'
import { hypothesisToRecord, statementToForget } from '../../../src/agents/builtin/record-ask.ts'
import { ANSWERABLE_RELEVANCE } from '../../../src/app/coord-boot.ts'
import type { RetrievableEntity } from '../../../src/agents/graph-retrieval.ts'
import type { LoadedEmbedder } from '../../../src/match/embedder.ts'
import { graphSearchContext, realEmbedder, retrievable } from './builtin-context.ts'

let embedder: LoadedEmbedder
beforeAll(async () => { embedder = await realEmbedder() }, 120_000)
afterAll(async () => { await embedder?.dispose() })

const e = retrievable

const GRAPH: RetrievableEntity[] = [
  e('f-relay', 'fact', 'The relay server listens on port 9090 for websocket connections.', 'verified', 0.9),
  e('h-relay', 'hypothesis', 'The relay server might listen on port 7000.', 'proposed', 0.3),
  e('d-db', 'decision', 'The team decided to store user accounts in a PostgreSQL database.', 'verified', 0.8),
  e('f-cake', 'fact', 'The chocolate cake recipe needs three eggs and two cups of flour.', 'proposed', 0.6),
  e('f-paris', 'fact', 'Paris is the capital and largest city of France.', 'verified', 0.95),
  e('q-budget', 'question', 'What is the marketing budget for the third quarter?', 'proposed', 0.5),
  e('f-old', 'fact', 'The relay server listens on port 8080.', 'retracted', 0.9)
]

function graphContext (entities = GRAPH) {
  return graphSearchContext(embedder, entities, { includeRetracted: true })
}

describe('researcher', () => {
  it('answers from the best supported entity and cites it inline and in citations', async () => {
    const ctx = graphContext()
    const r = await handler({ id: 't', text: 'Which port does the relay server listen on?' }, ctx)
    console.log(r.text, '\n', r.working?.join('\n'))
    expect(r.citations?.[0]).toBe('f-relay')
    expect(r.text).toMatch(/^According to the graph, the relay server listens on port 9090 for websocket connections \[f-relay\]\./)
    // The verified fact comes before the weaker hypothesis, and the retracted one is never used.
    if (r.citations!.includes('h-relay')) expect(r.text).toMatch(/\[h-relay\] \(a hypothesis\)/)
    expect(r.citations).not.toContain('f-old')
    expect(r.text).not.toContain('8080')
    expect((r.output as ResearchOutput).sources[0]).toMatchObject({ id: 'f-relay', status: 'verified' })
    expect(ctx.searches[0]).toEqual({ text: 'Which port does the relay server listen on?', k: 8 })
  })

  it('asked to forget a statement, names the entities that say it and how to retract them; it never records or quotes the request as knowledge', async () => {
    // Before: "Forget that ..." was answered as a question by quoting the statement to forget, and
    // "Give me three facts about ..." was recorded as a hypothesis.
    const entities = [...GRAPH, e('f-fra', 'hypothesis', 'The staging relay runs in Frankfurt.', 'proposed', 0.5)]
    const r = await handler({ id: 't', text: 'Forget that the staging relay runs in Frankfurt.' }, graphContext(entities))
    expect(r.text).toBe('Agents do not take back what the room recorded; a person retracts it, and the graph keeps it with the reason. To forget it, open [f-fra] "The staging relay runs in Frankfurt" in the Graph tab and choose Retract…')
    expect(r.citations).toEqual(['f-fra'])
    expect((r.output as ResearchOutput).forget).toBe('The staging relay runs in Frankfurt.')
    const none = await handler({ id: 't', text: 'Please retract the claim that the cake needs ten eggs' }, graphContext(entities))
    expect(none.text).toBe('The graph holds nothing that says "The cake needs ten eggs", so there is nothing to forget. The nearest it holds: [f-cake] "The chocolate cake recipe needs three eggs and two cups of flour"; if you meant that, open it in the Graph tab and choose Retract…')
    const nothing = await handler({ id: 't', text: 'Forget that the office plants need watering' }, graphContext(entities))
    expect(nothing.text).toBe('The graph holds nothing that says "The office plants need watering", so there is nothing to forget.')
    // Near means more than half its words: one shared word ("relay") is not worth naming.
    const public_ = await handler({ id: 't', text: 'Delete the fact that the relay is public' }, graphContext(entities))
    expect(public_.text).toBe('The graph holds nothing that says "The relay is public", so there is nothing to forget.')
    // What the room knows about a topic, asked as a request: answered as "What do we know about ...?".
    const facts = await handler({ id: 't', text: 'Give me three facts about the staging relay' }, graphContext(entities))
    expect(facts.citations).toContain('f-fra')
    expect(facts.text).toMatch(/^According to the graph, the staging relay runs in Frankfurt \[f-fra\]/)
    expect(statementToRecord('Give me three facts about the staging relay')).toBeUndefined()
    expect(statementToRecord('Forget that the staging relay runs in Frankfurt.')).toBeUndefined()
    // No statement named: not a request to forget one.
    expect(statementToForget('Delete the record of user 42')).toBeUndefined()
    expect(statementToForget('Remove the old relay from the config')).toBeUndefined()
    expect(statementToForget('Retract the claim that the relay is public')).toBe('The relay is public.')
  })

  it('answers different questions from the matching entity', async () => {
    const ctx = graphContext()
    const db = await handler({ id: 't', text: 'What database did the team choose for user accounts?' }, ctx)
    expect(db.citations?.[0]).toBe('d-db')
    expect(db.text).toContain('PostgreSQL')
    const capital = await handler({ id: 't', text: 'what is the capital of France', input: { k: 3 } }, ctx)
    expect(capital.citations?.[0]).toBe('f-paris')
    expect(capital.text).toContain('[f-paris]')
  })

  it('marks unverified answers as such', async () => {
    const r = await handler({ id: 't', text: 'How many eggs does the chocolate cake need?' }, graphContext())
    expect(r.citations?.[0]).toBe('f-cake')
    expect(r.text).toContain('(proposed, not yet verified)')
  })

  it('says plainly when the graph knows nothing relevant', async () => {
    const r = await handler({ id: 't', text: 'Who won the football world cup in 1954?' }, graphContext())
    console.log(r.text, '\n', r.working?.join('\n'))
    expect(r.text).toMatch(/has nothing relevant/)
    expect(r.citations).toEqual([])
    expect((r.output as ResearchOutput).answer).toBeNull()
    const empty = await handler({ id: 't', text: 'Which port does the relay use?' }, graphContext([]))
    expect(empty.text).toMatch(/has nothing relevant/)
  })

  it('with nothing in the graph, answers by what the request says before its question, and says so', async () => {
    // Before: nobody bid on it ("no capable agent in the room").
    const said = await handler({ id: 't', text: 'The relay moved to port 9091. Which port is the relay on?' }, graphContext([]))
    expect(said.text).toBe('The graph has nothing on this yet. Going by what you say: The relay moved to port 9091.')
    expect(said.output).toMatchObject({ byWord: ['The relay moved to port 9091.'], sources: [] })
    expect(toldBeforeQuestion('The relay moved to port 9091. Which port is the relay on?')).toEqual(['The relay moved to port 9091.'])
    // A word problem's opening, a question alone, or a question first are not statements to go by.
    for (const t of ['Which port does the relay use?', 'Which port? The relay moved.', 'Add 3 and 4. What is the result?']) expect(toldBeforeQuestion(t), t).toBeUndefined()
  })

  it('does not take any number in an entity for the numbers a question asks about', async () => {
    // Before: every number was one term, so "What is 3 and 4?" overlapped wholly with any entity that
    // held a number, and in a browser tour the researcher answered it with a mission's "... : 64".
    const numbers = [...GRAPH, e('f-sqrt', 'fact', 'Take the square root of it and double the result: 64', 'verified', 0.9), e('f-pow', 'fact', 'Compute 2^10: 1024', 'verified', 0.9)]
    const r = await handler({ id: 't', text: 'What is 3 and 4?' }, graphContext(numbers))
    expect(r.text).toMatch(/has nothing relevant/)
    // The same number is still a match: the port question finds the port.
    const port = await handler({ id: 't', text: 'What listens on port 9090?' }, graphContext(numbers))
    expect(port.citations?.[0]).toBe('f-relay')
  })

  it('goes by what the person says when the graph says otherwise, and names the graph\'s statement as possibly stale', async () => {
    // Before: "According to the graph, the relay server listens on port 9090 ..." (the person's 9091 ignored).
    const r = await handler({ id: 't', text: 'The relay server moved to port 9091 last week. Which port should I use?' }, graphContext())
    expect(r.text).toMatch(/^You say the relay server moved to port 9091 last week, but the graph says the relay server listens on port 9090 for websocket connections \[f-relay\]\. Going by what you say: 9091\./)
    expect(r.text).toContain("the graph's fact [f-relay] should be corrected")
    const out = r.output as ResearchOutput
    expect(out.told).toEqual([{ statement: 'The relay server moved to port 9091 last week.', agrees: false, with: 'f-relay' }])
    expect(r.citations?.[0]).toBe('f-relay')
    // Agreeing, or saying something else: the graph's answer, said to agree or as before.
    const same = await handler({ id: 't', text: 'I think the relay server uses port 9090. Which port does the relay server listen on?' }, graphContext())
    expect(same.text).toMatch(/^The graph agrees with what you say: the relay server listens on port 9090/)
    const aside = await handler({ id: 't', text: 'I am new here. Which port does the relay server listen on?' }, graphContext())
    expect(aside.text).toMatch(/^According to the graph, the relay server listens on port 9090/)
    expect((aside.output as ResearchOutput).told).toBeUndefined()
    // Dates are compared as dates, however they are written.
    const launch = [e('f-beta', 'fact', 'The Meshwork beta launches on March 3, 2027.', 'proposed', 0.8)]
    const moved = await handler({ id: 't', text: 'The beta launch moved to 2027-04-01. When does the Meshwork beta launch?' }, graphContext(launch))
    expect(moved.text).toContain('Going by what you say: 2027-04-01.')
    const agreed = await handler({ id: 't', text: 'The beta launches on 2027-03-03. When does the Meshwork beta launch?' }, graphContext(launch))
    expect(agreed.text).toMatch(/^The graph agrees with what you say/)
  })

  it('says what the person tells it that the graph does not hold, before what the graph has', async () => {
    // Before: no bid at all (the statement's words halved the relevance of the relay fact, 0.43 < 0.45);
    // and the answer, asked directly, quoted the port as if it said where the relay is.
    const r = await handler({ id: 't', text: 'The relay server is now in the EU region. Where is the relay server?' }, graphContext())
    expect(r.text).toMatch(/^You say: "The relay server is now in the EU region\." The graph has nothing on that yet\. What it has: the relay server listens on port 9090 for websocket connections \[f-relay\]/)
    expect((r.output as ResearchOutput).told).toEqual([{ statement: 'The relay server is now in the EU region.', agrees: false, with: 'f-relay', news: true }])
    // The question alone decides how relevant an entry is when statements come first.
    const hits = await graphContext().graph.search('The relay server is now in the EU region. Where is the relay server?', 3)
    const relevance = (text: string) => Math.max(...judgeAsked(text, hits).map(j => j.relevance))
    expect(relevance('The relay server is now in the EU region. Where is the relay server?')).toBeCloseTo(relevance('Where is the relay server?'), 5)
    expect(relevance('Where is the relay server?')).toBeGreaterThan(ANSWERABLE_RELEVANCE)
  })

  it('answers a yes/no question about a number or a date yes or no', async () => {
    const no = await handler({ id: 't', text: 'Is the relay server port 8080?' }, graphContext())
    // f-old (8080) is retracted and never counts; the verified fact names 9090.
    expect(no.text).toMatch(/^No: according to the graph, the relay server listens on port 9090/)
    expect((no.output as ResearchOutput).yes).toBe(false)
    const yes = await handler({ id: 't', text: 'Does the relay server listen on port 9090?' }, graphContext())
    expect(yes.text).toMatch(/^Yes: according to the graph, the relay server listens on port 9090/)
    expect((yes.output as ResearchOutput).yes).toBe(true)
    const launch = [e('f-beta', 'fact', 'The Meshwork beta launches on March 3, 2027.', 'proposed', 0.8)]
    expect((await handler({ id: 't', text: 'Does the Meshwork beta launch on 2027-03-03?' }, graphContext(launch))).text).toMatch(/^Yes: /)
    // Without a value to compare, no yes or no is claimed.
    const db = await handler({ id: 't', text: 'Did the team choose PostgreSQL for user accounts?' }, graphContext())
    expect(db.text).toMatch(/^According to the graph/)
    expect((db.output as ResearchOutput).yes).toBeUndefined()
  })

  it('gives an overview of the graph when asked what the room knows, about no topic', async () => {
    // Before: "The knowledge graph has nothing relevant to "Summarize the graph"".
    const r = await handler({ id: 't', text: 'Summarize the graph' }, graphContext())
    expect(r.text).toMatch(/^The graph holds 6 entities: 3 facts, 1 decision, 1 hypothesis and 1 open question; 3 verified\. The strongest: /)
    expect(r.text).toContain('The relay server listens on port 9090 for websocket connections [f-relay]')
    expect(r.text).toContain('Open: What is the marketing budget for the third quarter [q-budget].')
    expect(r.text).not.toContain('8080') // retracted
    expect(r.citations).toContain('f-relay')
    expect((await handler({ id: 't', text: 'What do we know?' }, graphContext([]))).text).toBe('The knowledge graph holds nothing yet.')
    for (const q of ['What do we know so far?', 'Summarise the knowledge graph', "What's in the graph?", 'Give me an overview of what we know']) expect(asksForOverview(q), q).toBe(true)
    // About a topic: an answer, not an overview.
    for (const q of ['What do we know about the relay?', 'Summarise the launch plan', 'Which port does the relay use?']) expect(asksForOverview(q), q).toBe(false)
  })

  it('reports an open question rather than answering it', async () => {
    const r = await handler({ id: 't', text: 'What is the marketing budget for the third quarter?' }, graphContext())
    expect(r.text).toMatch(/no answer .* yet/)
    expect(r.citations).toEqual(['q-budget'])
    expect((r.output as ResearchOutput).answer).toBeNull()
  })

  it('refuses bad input and honours cancellation', async () => {
    await expect(handler({ id: 't', text: '  ' }, graphContext())).rejects.toThrow('researcher: the question is empty')
    await expect(handler({ id: 't', text: 'x', input: { k: 0 } }, graphContext())).rejects.toThrow(/input.k must be/)
    const ctx = graphContext()
    ctx.abort(new Error('cancelled'))
    await expect(handler({ id: 't', text: 'relay port' }, ctx)).rejects.toThrow('cancelled')
  })
})

describe("researcher: a task's verified answer", () => {
  it('is quoted as the answer to its request', async () => {
    const request = 'How many seconds are in a week?'
    const graph: RetrievableEntity[] = [{ ...e('fact:t-1:1', 'fact', `${request}: 604800 seconds`, 'verified', 0.5), answers: request }]
    const r = await handler({ id: 't', text: 'How many seconds does a week have?' }, graphContext(graph))
    // Before: "According to the graph, Verified: How many seconds are in a week?: 604800 seconds [fact:t-1:1]."
    expect(r.text).toBe('According to the graph, the answer to "How many seconds are in a week?" is 604800 seconds [fact:t-1:1].')
  })

  it('is no answer to a question with other numbers, however close its words', async () => {
    const request = 'Convert 250 miles to km and tell me how long it takes at 100 km/h'
    const graph: RetrievableEntity[] = [{ ...e('fact:t-2:1', 'fact', `${request}: 4.02336 hours`, 'verified', 0.9), answers: request }]
    const question = 'If I run 5 km every day for three weeks, how far do I run in total?'
    const hits = await graphContext(graph).graph.search(question, 3)
    // Close enough in words that the researcher bid and quoted it before.
    expect(hits[0]!.score).toBeGreaterThan(ANSWERABLE_RELEVANCE)
    const [j] = judgeAsked(question, hits)
    expect(j!.relevance).toBe(0)
    expect(j!.setAside).toBe('answers a request without 5, 3')
    const r = await handler({ id: 't', text: question }, graphContext(graph))
    expect(r.citations).toEqual([])
    expect(r.text).toMatch(/^The knowledge graph has nothing relevant to/)
    expect(r.working).toContain('[fact:t-2:1] fact, verified, confidence 0.90, relevance 0.00 (answers a request without 5, 3): not relevant')
    // The same numbers, asked again in other words: still its answer.
    const again = await handler({ id: 't', text: 'How long does 250 miles take at 100 km/h?' }, graphContext(graph))
    expect(again.citations).toEqual(['fact:t-2:1'])
  })

  it('is no answer to a question of when unless it names a moment: the statement that does is the answer', async () => {
    const asked = 'When is the beta launch and how many days until it?'
    const mission = 'What is 15% of 80 and how many days until the beta launches?'
    const graph: RetrievableEntity[] = [
      { ...e('solution:t-1', 'solution', `${asked}: 9 days`, 'proposed', 0.5), answers: asked },
      { ...e('solution:t-2', 'solution', `${mission}: What is 15% of 80? 12\nFind when the beta launches, then how many days until that date? 9 days`, 'proposed', 0.5), answers: mission },
      e('result:t-0:1', 'hypothesis', 'The beta launches on 3 December 2026.', 'proposed', 0.5)
    ]
    // Before: "According to the graph, the answer to "When is the beta launch and how many days until it?" is 9 days".
    const r = await handler({ id: 't', text: 'When does the beta launch?' }, graphContext(graph))
    expect(r.citations).toEqual(['result:t-0:1'])
    expect(r.text).toMatch(/^According to the graph, the beta launches on 3 December 2026 \[result:t-0:1\]/)
    expect(r.working).toContain('[solution:t-1] solution, proposed, confidence 0.50, relevance 0.00 (answers another request, and names no date or time): not relevant')
    // An answer that names the moment still answers it; so does any answer to a question of another kind.
    const dated: RetrievableEntity[] = [{ ...e('fact:t-3:1', 'fact', 'When does the beta launch?: 3 December 2026', 'verified', 0.9), answers: 'When does the beta launch?' }]
    expect((await handler({ id: 't', text: 'Find when the beta launches' }, graphContext(dated))).citations).toEqual(['fact:t-3:1'])
    expect((await handler({ id: 't', text: 'How many days until the beta launch?' }, graphContext(graph))).citations).toContain('solution:t-1')
  })
})

describe('researcher: a statement the person tells the room to record', () => {
  it('reads what asks to record a statement, and nothing else', () => {
    expect(statementToRecord('Remember that the relay runs on port 9090')).toBe('The relay runs on port 9090.')
    expect(statementToRecord('Note: the staging server moved to eu-west-1.')).toBe('The staging server moved to eu-west-1.')
    expect(statementToRecord('FYI the beta launches on March 3, 2027')).toBe('The beta launches on March 3, 2027.')
    expect(statementToRecord('For the record, we chose PostgreSQL.')).toBe('We chose PostgreSQL.')
    expect(statementToRecord('Please keep in mind that the API allows 100 requests per minute')).toBe('The API allows 100 requests per minute.')
    // A reminder, a question, an instruction that merely contains the words: not statements to record.
    expect(statementToRecord('Remember to buy milk')).toBeUndefined()
    expect(statementToRecord('Note: is the relay up?')).toBeUndefined()
    expect(statementToRecord('Record a video of the demo')).toBeUndefined()
    expect(statementToRecord('What did we note about the relay?')).toBeUndefined()
    expect(statementToRecord('Note:')).toBeUndefined()
    expect(statementToRecord(`Note: ${'word '.repeat(300)}`)).toBeUndefined()
  })

  it('reads a labelled fact as a statement, a hypothesis as one put to the room, and a labelled question as one to keep open', () => {
    // Before: "Fact: ..." was answered "the graph has nothing relevant"; nobody bid on "Hypothesis: ...".
    expect(statementToRecord('Fact: our API rate limit is 600 requests per minute.')).toBe('Our API rate limit is 600 requests per minute.')
    expect(statementToRecord('Update - the relay moved to Frankfurt')).toBe('The relay moved to Frankfurt.')
    expect(hypothesisToRecord('Hypothesis: the login bug is caused by the cache TTL.')).toBe('The login bug is caused by the cache TTL.')
    expect(statementToRecord('Hypothesis: the login bug is caused by the cache TTL.')).toBe('The login bug is caused by the cache TTL.')
    expect(hypothesisToRecord('My hunch is that the relay drops idle peers')).toBe('The relay drops idle peers.')
    expect(hypothesisToRecord('I suspect that the cache is stale')).toBe('The cache is stale.')
    for (const not of ['Hypothesis: is the cache stale?', 'Hypothesis:', 'What is our hypothesis?', 'Test the hypothesis that the cache is stale', 'Fact check the relay port']) {
      expect(hypothesisToRecord(not), not).toBeUndefined()
    }
    expect(statementToRecord('Fact check the relay port')).toBeUndefined()
    // A correction, labelled or said in passing; before, "Actually, ..." was answered by quoting what it corrects.
    expect(statementToRecord('Actually, the staging database runs on Postgres 15.')).toBe('The staging database runs on Postgres 15.')
    expect(statementToRecord('Correction: the relay runs in Paris.')).toBe('The relay runs in Paris.')
    expect(statementToRecord('Turns out the relay runs in Paris')).toBe('The relay runs in Paris.')
    for (const not of ['Actually, which port does the relay use?', 'Actually, convert 5 km to miles', 'In fact, summarise this: the relay moved.']) expect(statementToRecord(not), not).toBeUndefined()
    expect(questionToRecord('Question: should we support Safari 15?')).toBe('Should we support Safari 15?')
    expect(questionToRecord('Open question: who owns the relay')).toBe('Who owns the relay?')
    expect(questionToRecord('Q: which region hosts the relay?')).toBe('Which region hosts the relay?')
    for (const not of ['Question:', 'Question: ???', 'What is the question?', 'Questions about the relay', 'Quote: to be or not to be']) {
      expect(questionToRecord(not), not).toBeUndefined()
    }
    // A question to keep is not a statement to record.
    expect(statementToRecord('Question: should we support Safari 15?')).toBeUndefined()
  })

  it('records a hypothesis as one; keeps a question open, saying what the graph holds on it', async () => {
    const h = await handler({ id: 't', text: 'Hypothesis: the relay drops idle websocket connections.' }, graphContext())
    expect(h.text).toBe('The relay drops idle websocket connections.')
    expect(h.output).toMatchObject({ recorded: 'The relay drops idle websocket connections.', stated: 'hypothesis' })
    const plain = await handler({ id: 't', text: 'Remember that the relay drops idle websocket connections.' }, graphContext())
    expect((plain.output as { stated?: string }).stated).toBeUndefined()

    const none = await handler({ id: 't', text: 'Question: should we support Safari 15?' }, graphContext())
    expect(none.text).toBe('Recorded as an open question for the room: "Should we support Safari 15?" Nothing in the graph answers it yet.')
    expect(none.output).toMatchObject({ answer: null, openQuestion: 'Should we support Safari 15?' })
    expect(none.citations).toEqual([])
    // The graph holds it by now (the mesh records it as the task goes out): not quoted as what answers it.
    const held = [...GRAPH, e('q-port', 'question', 'Which port does the relay server listen on?', 'proposed', 0.5)]
    const some = await handler({ id: 't', text: 'Question: which port does the relay server listen on?' }, graphContext(held))
    console.log(some.text)
    expect(some.text).toMatch(/^Recorded as an open question for the room: "Which port does the relay server listen on\?" What the graph already holds on it: According to the graph, the relay server listens on port 9090 for websocket connections \[f-relay\]/)
    expect(some.citations).toContain('f-relay')
    expect(some.citations).not.toContain('q-port')
  })

  it('quotes an entity near the question in words but naming too little of it as the nearest, not as the answer', async () => {
    // Before: "Who owns the relay budget?" was answered "According to the graph, the relay drops idle peers ...".
    const graph = [e('h-idle', 'hypothesis', 'The relay drops idle peers after 30 seconds.', 'proposed', 0.5), e('f-rate', 'fact', 'The API rate limit is 1,000 requests per minute.', 'proposed', 0.5)]
    const r = await handler({ id: 't', text: 'Who owns the relay budget?' }, graphContext(graph))
    expect(r.text).toBe('The graph holds nothing that answers "Who owns the relay budget?" directly. The nearest it holds: the relay drops idle peers after 30 seconds [h-idle] (a hypothesis).')
    expect(r.output).toMatchObject({ answer: null, related: true })
    expect(r.citations).toEqual(['h-idle'])
    const kept = await handler({ id: 't', text: 'Open question: who owns the relay budget?' }, graphContext(graph))
    expect(kept.text).toBe('Recorded as an open question for the room: "Who owns the relay budget?" Nothing in the graph answers it yet.')
    expect(kept.citations).toEqual([])
    const postgres = [e('h-pg', 'hypothesis', 'The staging database runs on Postgres 16.', 'proposed', 0.5)]
    expect((await handler({ id: 't', text: 'Why did we choose Postgres?' }, graphContext(postgres))).text).toMatch(/^The graph holds nothing that answers "Why did we choose Postgres\?" directly\. The nearest it holds: the staging database runs on Postgres 16 \[h-pg\]/)
    // One that names the question's words, or is near it in meaning, is still the answer.
    expect((await handler({ id: 't', text: 'What database does staging use?' }, graphContext(postgres))).text).toMatch(/^According to the graph, the staging database runs on Postgres 16 \[h-pg\]/)
    expect((await handler({ id: 't', text: 'How many requests per minute can we make?' }, graphContext(graph))).text).toMatch(/^According to the graph, the API rate limit is 1,000 requests per minute \[f-rate\]/)
    expect((await handler({ id: 't', text: 'What does the relay do with idle peers?' }, graphContext(graph))).text).toMatch(/^According to the graph, the relay drops idle peers/)
  })

  it('reads a decision the room took, keeping what says it was decided', () => {
    // Before: "Decision: ..." was read as a question, and answered by quoting whatever the graph held on "links".
    expect(statementToRecord('Decision: we will use WebRTC for all peer links.')).toBe('Decision: we will use WebRTC for all peer links.')
    expect(statementToRecord('Agreed - ship on Friday')).toBe('Agreed: ship on Friday.')
    expect(statementToRecord('We decided to ship the beta on 3 March.')).toBe('We decided to ship the beta on 3 March.')
    expect(statementToRecord('The team agreed that the relay stays in Frankfurt')).toBe('The team agreed that the relay stays in Frankfurt.')
    expect(statementToRecord('Everyone agreed on tabs over spaces.')).toBe('Everyone agreed on tabs over spaces.')
    for (const asked of ['We decided what?', 'Decision: should we use WebRTC?', 'Decided:', 'We need to decide on a date', 'What did we decide about peer links?']) {
      expect(statementToRecord(asked), asked).toBeUndefined()
    }
  })

  it('reads a statement asked to be recorded after it, or simply stated', () => {
    expect(statementToRecord('Our team meeting moved to Thursday at 10am. Note that.')).toBe('Our team meeting moved to Thursday at 10am.')
    expect(statementToRecord('The beta launches on March 3, 2027. Please remember this.')).toBe('The beta launches on March 3, 2027.')
    expect(statementToRecord('Our dentist appointment is on 5 May at 3pm. Make a note of it')).toBe('Our dentist appointment is on 5 May at 3pm.')
    expect(statementToRecord('The relay moved to 9091! Keep that in mind, thanks.')).toBe('The relay moved to 9091!')
    for (const said of ['The office wifi password is tulip-42', 'Sam is on leave until Friday. He is back on Monday.', 'The relay moved to port 9091 last week',
      'Berlin is the capital of Germany', 'Alice owns the launch plan.', 'The budget for Q3 is $40,000.', 'My flight number is BA 117', 'Marie Curie won two Nobel prizes.', 'The stand-up starts at 9:30.',
      // Verbs of events and roles: before, "The beta launches on 3 December 2026." went unassigned ("nobody bid").
      'The beta launches on 3 December 2026.', 'The new release ships on Friday.', 'The office reopens on 5 January.', 'Dana manages the infra team.', 'Our team reports to Dana.',
      // Any verb in the third person: before, "The Frankfurt relay handles 5,000 peers." went unassigned.
      'The Frankfurt relay handles 5,000 peers.', 'Our API supports OAuth 2.', 'The staging cluster serves the EU region.',
      // A plural subject with a plain verb: before, each was read as a question, and nobody bid.
      'We support Safari 15.', 'Tests fail on main.', 'They deploy on Fridays.', 'We no longer support IE 11.', 'The nightly builds break on Fridays.',
      'Our customers prefer dark mode.', 'We moved the standup to 10:15.', 'We will ship on Friday.', 'We are on call this week.']) {
      expect(statementToRecord(said), said).toBe(/[.!]$/.test(said) ? said : `${said}.`)
    }
    // Questions, instructions, arithmetic, material, and what refers to the conversation are not statements.
    for (const asked of ['The office wifi password is what?', 'What is the office wifi password', 'Is the relay on port 9090', 'Convert 5 miles to km',
      'my CSV has the same customer several times, dedupe it', 'my uncle says goldfish have a three second memory, is that right',
      'a short summary of the changes described in this release note', 'a pattern to strip HTML tags from a string', 'The total is 3 * 4', 'Key points of this: the relay moved. It runs on 9091.',
      "That's great", 'The answer is wrong.', 'Thanks, that helps', 'I need the sum of 3 and 4', 'The task is to summarise the report',
      'Tom has 12 marbles. He gives 5 to Sara. How many marbles does Tom have left?', 'Our meeting moved. Tell the team.', 'The relay moved. Can you check it',
      'Please book a table for four', 'Hello there', 'We should use Postgres.', 'We need a summary of this report', 'We have to ship on Friday', 'Numbers fail',
      'We use 3 servers and each costs $20. What is the total?', 'The relay moved. It runs on 9091. The old port is closed. Nobody uses 9090.']) {
      expect(statementToRecord(asked), asked).toBeUndefined()
    }
  })

  it('reads no request of the routing corpus (4,300 requests for agents) as a statement', () => {
    const corpus = JSON.parse(readFileSync('bench/routing/corpus.json', 'utf8')) as unknown
    const texts: string[] = readFileSync('bench/routing/tasks.txt', 'utf8').split('\n')
    const walk = (x: unknown): void => { if (typeof x === 'string') texts.push(x); else if (Array.isArray(x)) x.forEach(walk); else if (x !== null && typeof x === 'object') Object.values(x).forEach(walk) }
    walk(corpus)
    expect(texts.length).toBeGreaterThan(4000)
    expect(texts.filter((t) => t.length > 8 && statementToRecord(t) !== undefined)).toEqual([])
  })

  it('records the statement as its result and says what the graph holds on it', async () => {
    const fresh = await handler({ id: 't', text: 'Remember that the office wifi password changed on Monday' }, graphContext())
    expect(fresh.text).toBe('The office wifi password changed on Monday.')
    expect(fresh.output).toEqual({ recorded: 'The office wifi password changed on Monday.', graph: 'new' })
    expect(fresh.working).toContain("the graph has nothing on this yet: recorded as a hypothesis for the room's verifiers to check")
    expect(fresh.citations).toEqual([])
    const same = await handler({ id: 't', text: 'FYI the relay server listens on port 9090' }, graphContext())
    expect(same.output).toEqual({ recorded: 'The relay server listens on port 9090.', graph: 'agrees', with: 'f-relay' })
    expect(same.citations).toEqual(['f-relay'])
    const other = await handler({ id: 't', text: 'Note: the relay server listens on port 9191 now.' }, graphContext())
    expect(other.text).toBe('The relay server listens on port 9191 now.')
    // "now": an update of the port, not a conflict with it (superseded.ts).
    expect(other.output).toEqual({ recorded: 'The relay server listens on port 9191 now.', graph: 'replaces', with: 'f-relay' })
    expect(other.working?.[1]).toMatch(/^an update to \[f-relay\] fact, verified: "The relay server listens on port 9090 for websocket connections" \(it says 9191, the graph 9090\); questions on it are answered by the later statement/)
    // Not cited: the result replaces it, it is not derived from it; and no conflict.
    expect(other.citations).toEqual([])
    expect(other.contradicts).toBeUndefined()
    const odd = await handler({ id: 't', text: 'Note: the relay server handles 5,000 websocket connections at most.' }, graphContext())
    expect(odd.output).toEqual({ recorded: 'The relay server handles 5,000 websocket connections at most.', graph: 'contradicts', with: 'f-relay' })
    expect(odd.working?.[1]).toMatch(/^the graph says otherwise: \[f-relay\]/)
    expect(odd.contradicts).toBeUndefined()
  })

  it('names the statements a recorded one says the opposite of, so the mesh raises a conflict', async () => {
    const held = [
      e('h-login', 'hypothesis', 'The login bug is caused by the cache TTL.', 'proposed', 0.5),
      e('f-login-page', 'fact', 'The login page loads in 2 seconds.', 'verified', 0.9),
      ...GRAPH
    ]
    const r = await handler({ id: 't', text: 'Fact: the login bug is not caused by the cache TTL.' }, graphContext(held))
    expect(r.text).toBe('The login bug is not caused by the cache TTL.')
    expect(r.output).toEqual({ recorded: 'The login bug is not caused by the cache TTL.', graph: 'conflicts', with: 'h-login' })
    expect(r.contradicts).toEqual(['h-login'])
    expect(r.citations).toEqual([])
    expect(r.working).toContain('in conflict with [h-login] hypothesis, proposed: "The login bug is caused by the cache TTL" (it says the opposite (one of them is negated)); recorded, and the mesh raises the conflict for the room to settle')
    // Against a verified fact too (its verifiers will dispute it as well: the dispute joins the conflict).
    const sso = await handler({ id: 't', text: 'FYI single sign-on is disabled for guest accounts' }, graphContext([e('f-sso', 'fact', 'Single sign-on is enabled for guest accounts.', 'verified', 0.9), ...GRAPH]))
    expect(sso.contradicts).toEqual(['f-sso'])
    expect((sso.output as { graph: string }).graph).toBe('conflicts')
    // Said to have changed: an update, no conflict.
    const changed = await handler({ id: 't', text: 'FYI single sign-on is now disabled for guest accounts' }, graphContext([e('f-sso', 'fact', 'Single sign-on is enabled for guest accounts.', 'verified', 0.9), ...GRAPH]))
    expect(changed.contradicts).toBeUndefined()
    expect(changed.output).toEqual({ recorded: 'Single sign-on is now disabled for guest accounts.', graph: 'replaces', with: 'f-sso' })
    expect(changed.working?.[1]).toBe('an update to [f-sso] fact, verified: "Single sign-on is enabled for guest accounts" (it says this changed); questions on it are answered by the later statement, with the earlier named as replaced')
  })
})

describe('researcher: a decision settles a conflict', () => {
  const conflict = 'Conflicting statements: "The login bug is not caused by the cache TTL." [result:b:1] says the opposite of "The login bug is caused by the cache TTL." [h-login].'
  const held = [
    e('h-login', 'hypothesis', 'The login bug is caused by the cache TTL.', 'proposed', 0.5),
    e('result:b:1', 'hypothesis', 'The login bug is not caused by the cache TTL.', 'proposed', 0.5),
    e('dispute:b:1', 'conflict', conflict, 'proposed', 0.5),
    ...GRAPH
  ]

  it('records a decision that takes a side as settling the conflict, not as raising another', async () => {
    const r = await handler({ id: 't', text: 'Decision: the login bug is caused by the cache TTL.' }, graphContext(held))
    expect(r.text).toBe('Decision: the login bug is caused by the cache TTL.')
    // Before: graph 'conflicts', contradicts ['result:b:1'], and the mesh raised a second conflict.
    expect(r.contradicts).toBeUndefined()
    expect(r.output).toEqual({ recorded: 'Decision: the login bug is caused by the cache TTL.', graph: 'settles', with: 'dispute:b:1', settled: [{ conflict: 'dispute:b:1', holds: ['h-login'], over: ['result:b:1'] }] })
    expect(r.settles).toEqual(['dispute:b:1', 'result:b:1'])
    expect(r.citations).toEqual(['h-login'])
    expect(r.working).toContain('settles conflict [dispute:b:1]: holds [h-login] "The login bug is caused by the cache TTL", overrules [result:b:1] "The login bug is not caused by the cache TTL"')
    // The other side, said another way.
    const other = await handler({ id: 't', text: 'We decided that the login bug is not caused by the cache TTL.' }, graphContext(held))
    expect(other.output).toMatchObject({ graph: 'settles', settled: [{ conflict: 'dispute:b:1', holds: ['result:b:1'], over: ['h-login'] }] })
    // A conflict already settled is not settled again; the statement the decision flips is overruled.
    const again = await handler({ id: 't', text: 'Decision: the login bug is not caused by the cache TTL.' }, graphSearchContext(embedder, held, { includeRetracted: true, answers: { 'dispute:b:1': ['result:d:1'] } }))
    expect(again.output).toMatchObject({ graph: 'overrules', overrules: ['h-login'] })
    expect(again.settles).toEqual(['h-login'])
    // A decision about something else settles nothing, and a plain statement still raises a conflict.
    const unrelated = await handler({ id: 't', text: 'Decision: we ship the beta on 3 December.' }, graphContext(held))
    expect(unrelated.settles).toBeUndefined()
    expect((unrelated.output as { graph: string }).graph).toBe('new')
    const plain = await handler({ id: 't', text: 'Fact: the login bug is not caused by the cache TTL.' }, graphContext(held.filter((x) => x.id !== 'result:b:1')))
    expect(plain.contradicts).toEqual(['h-login'])
    expect(plain.settles).toBeUndefined()
  })

  it('settles an old conflict its search finds, beyond the newest 50 it lists', async () => {
    // 60 newer conflicts about other things: before, only the newest 50 were read, and the old one stayed open.
    const newer = Array.from({ length: 60 }, (_, i) => ({
      ...e(`c-${i}`, 'conflict', `Conflicting statements: "Widget ${i} is not blue." [w-${i}] says the opposite of "Widget ${i} is blue." [v-${i}].`, 'proposed', 0.5),
      createdAt: 1_700_000_100_000 + i
    }))
    const r = await handler({ id: 't', text: 'Decision: the login bug is caused by the cache TTL.' }, graphContext([...held, ...newer]))
    expect(r.output).toMatchObject({ graph: 'settles', settled: [{ conflict: 'dispute:b:1', holds: ['h-login'], over: ['result:b:1'] }] })
  })

  it('overrules a statement in no conflict that the decision says the opposite of, without raising one', async () => {
    const r = await handler({ id: 't', text: 'We decided the relay is public.' }, graphContext([e('h-private', 'hypothesis', 'The relay is not public.', 'proposed', 0.5), ...GRAPH]))
    expect(r.contradicts).toBeUndefined()
    expect(r.output).toEqual({ recorded: 'We decided the relay is public.', graph: 'overrules', with: 'h-private', overrules: ['h-private'] })
    expect(r.settles).toEqual(['h-private'])
    expect(r.working).toContain('overrules [h-private] hypothesis, proposed: "The relay is not public" (the room decided otherwise; no conflict raised)')
  })

  it('answers by the decision once the conflict is settled, and names it as settled', async () => {
    const decided = [...held, e('result:d:1', 'hypothesis', 'Decision: the login bug is caused by the cache TTL.', 'proposed', 0.5)]
    const ctx = graphSearchContext(embedder, decided, { includeRetracted: true, answers: { 'dispute:b:1': ['result:d:1'] } })
    const r = await handler({ id: 't', text: 'Is the login bug caused by the cache TTL?' }, ctx)
    // Before: both sides quoted, "the room has not settled which holds", and no yes or no.
    expect(r.text).toMatch(/^Yes: according to the graph, the room decided: the login bug is caused by the cache TTL \[result:d:1\]/)
    expect(r.text).toContain('said opposite things; the room\'s decision [result:d:1] settled it (conflict [dispute:b:1]).')
    expect(r.text).not.toContain('not settled')
    expect((r.output as ResearchOutput).yes).toBe(true)
    expect((r.output as ResearchOutput).settled).toEqual([{ id: 'dispute:b:1', between: expect.arrayContaining(['h-login', 'result:b:1']), by: ['result:d:1'] }])
    expect((r.output as ResearchOutput).conflicts).toBeUndefined()
    expect(r.citations).toEqual(expect.arrayContaining(['result:d:1', 'dispute:b:1']))
    // Still open: no yes or no, as before.
    const open = await handler({ id: 't', text: 'Is the login bug caused by the cache TTL?' }, graphContext(held))
    expect(open.text).toContain('say opposite things, and the room has not settled which holds (conflict [dispute:b:1]).')
    expect((open.output as ResearchOutput).yes).toBeUndefined()
  })

  it('answers a yes/no question by the decision, and says which quoted statement it overrules', async () => {
    const graph = [e('h-private', 'hypothesis', 'The relay is not public.', 'proposed', 0.5), e('decision:d-2', 'decision', 'We decided the relay is public.', 'proposed', 0.5), ...GRAPH]
    const r = await handler({ id: 't', text: 'Is the relay public?' }, graphContext(graph))
    expect(r.text).toMatch(/^Yes: according to the graph, we decided the relay is public \[decision:d-2\]\./)
    expect(r.text).toContain("[h-private] says otherwise; the room's decision [decision:d-2] overrules it.")
    // A statement with a plural subject is quoted as prose ("They deploy ..." read "According to the graph, They deploy ...").
    const deploy = await handler({ id: 't', text: 'When do they deploy?' }, graphContext([e('h-deploy', 'hypothesis', 'They deploy on Fridays.', 'proposed', 0.5), ...GRAPH]))
    expect(deploy.text).toMatch(/^According to the graph, they deploy on Fridays \[h-deploy\]/)
  })
})

describe('researcher: what was said later, and decisions', () => {
  const at = (entity: RetrievableEntity, createdAt: number): RetrievableEntity => ({ ...entity, createdAt })

  it('answers with the latest of statements that replace each other, and names the earlier as replaced', async () => {
    const standup = [
      at(e('h-first', 'hypothesis', 'The standup is at 9:30 every weekday.', 'proposed', 0.5), 1_000),
      at(e('h-later', 'hypothesis', 'The standup moved to 10:15.', 'proposed', 0.5), 2_000),
      at(e('f-cake', 'fact', 'The chocolate cake recipe needs three eggs and two cups of flour.', 'proposed', 0.6), 500)
    ]
    const r = await handler({ id: 't', text: 'When is the standup?' }, graphContext(standup))
    expect(r.text).toBe('According to the graph, the standup moved to 10:15 [h-later] (a hypothesis). That replaces what was said before: the standup is at 9:30 every weekday [h-first] (a hypothesis). None of this has been verified yet.')
    expect((r.output as ResearchOutput).replaced).toEqual([{ id: 'h-first', by: 'h-later' }])
    expect(r.working).toContain('[h-later] was recorded after [h-first] and replaces it (same subject, other values)')
    // A flip said to be a change: "now disabled" replaces "enabled" (before, both were quoted as equals).
    const sso = [at(e('h-on', 'hypothesis', 'SSO is enabled for guest accounts.', 'proposed', 0.5), 1_000), at(e('h-off', 'hypothesis', 'SSO is now disabled for guest accounts.', 'proposed', 0.5), 2_000)]
    const flipped = await handler({ id: 't', text: 'Is SSO enabled for guest accounts?' }, graphContext(sso))
    expect(flipped.text).toBe('No: according to the graph, SSO is now disabled for guest accounts [h-off] (a hypothesis). That replaces what was said before: SSO is enabled for guest accounts [h-on] (a hypothesis). None of this has been verified yet.')
    // The latest comes first even when the earlier was verified: it is what was said last.
    const verifiedFirst = [{ ...standup[0]!, kind: 'fact', status: 'verified', confidence: 0.9 }, standup[1]!]
    const v = await handler({ id: 't', text: 'Is the standup at 9:30?' }, graphContext(verifiedFirst))
    expect(v.text).toMatch(/^No: according to the graph, the standup moved to 10:15 \[h-later\] \(a hypothesis\)\. That replaces what was said before: the standup is at 9:30 every weekday \[h-first\]\./)
    // Told later that it is back at 9:30, that is the answer; "is at 9:30" alone after "moved to 10:15" replaces nothing (it may be old news).
    const back = await handler({ id: 't', text: 'When is the standup?' }, graphContext([...standup, at(e('h-back', 'hypothesis', 'The standup is now at 9:30 every weekday.', 'proposed', 0.5), 3_000)]))
    expect(back.text).toMatch(/^According to the graph, the standup is now at 9:30 every weekday \[h-back\] \(a hypothesis\)\. That replaces what was said before: the standup moved to 10:15 \[h-later\]/)
    const swapped = await handler({ id: 't', text: 'When is the standup?' }, graphContext([at(standup[0]!, 3_000), standup[1]!]))
    expect(swapped.text).not.toContain('replaces')
    // Without recording times nothing replaces anything: both are quoted as before.
    const undated = await handler({ id: 't', text: 'When is the standup?' }, graphContext(standup.map(({ createdAt: _c, ...x }) => x)))
    expect(undated.text).not.toContain('replaces')
    expect((undated.output as ResearchOutput).replaced).toBeUndefined()
  })

  it('answers a yes/no question no when what decides it is negated or flipped, and yes when it says what is asked', async () => {
    const held = [
      e('d-safari', 'decision', 'The room decided: we will not support Safari 15.', 'verified', 0.9),
      e('h-relay', 'hypothesis', 'The relay is private.', 'proposed', 0.5),
      e('h-tests', 'hypothesis', 'Tests pass on main.', 'proposed', 0.5),
      ...GRAPH
    ]
    const ask = async (q: string): Promise<string> => (await handler({ id: 't', text: q }, graphContext(held))).text
    // Before: "Yes: according to the graph, the room decided: we will not support Safari 15".
    expect(await ask('Do we support Safari 15?')).toBe('No: according to the graph, the room decided: we will not support Safari 15 [d-safari].')
    // The statement that decides it comes first, however it ranks (before: the nearest was the verified port fact).
    expect(await ask('Is the relay public?')).toBe('No: according to the graph, the relay is private [h-relay] (a hypothesis). None of this has been verified yet.')
    expect(await ask('Is the relay private?')).toMatch(/^Yes: according to the graph, the relay is private \[h-relay\]/)
    expect(await ask('Do tests pass on main?')).toMatch(/^Yes: according to the graph, Tests pass on main \[h-tests\]/)
    // A negative question asks the same; one that asks "or" gets no yes or no.
    expect(await ask("Isn't the relay private?")).toMatch(/^Yes: according to the graph, the relay is private \[h-relay\]/)
    expect(await ask("Doesn't our team support Safari 15?")).toMatch(/^No: according to the graph, the room decided: we will not support Safari 15/)
    const either = await ask('Is the relay public or private?')
    expect(either).toContain('the relay is private [h-relay]')
    expect(either).not.toMatch(/^(?:Yes|No):/)
    expect(await ask('Is the relay server port 8080?')).toMatch(/^No: according to the graph, the relay server listens on port 9090/)
  })

  it('quotes a decision as what the room decided, without asking it to be verified, and a statement of it recorded twice once', async () => {
    const beta = [
      at(e('decision:d-1', 'decision', 'We ship the beta on 3 December.', 'proposed', 0.5), 2_000),
      at(e('result:t-1:1', 'hypothesis', 'Decision: we ship the beta on 3 December.', 'proposed', 0.5), 1_900),
      at(e('f-cake', 'fact', 'The chocolate cake recipe needs three eggs and two cups of flour.', 'proposed', 0.6), 500)
    ]
    for (const question of ['What did we decide about the beta?', 'When do we ship the beta?']) {
      const r = await handler({ id: 't', text: question }, graphContext(beta))
      expect(r.text, question).toBe('According to the graph, the room decided: we ship the beta on 3 December [decision:d-1].')
      expect(r.citations).toEqual(['decision:d-1'])
    }
  })
})


describe('researcher: what answers another request, and figures the request gives', () => {
  const MISSION = 'Compute 2 to the 16th power, then convert 5 miles to kilometres, then tell me what day of the week 1 January 2027 is'
  const solution: RetrievableEntity = { ...e('solution:m-1', 'solution', `${MISSION}: Compute 2 to the 16th power: 65536 Convert 5 miles to kilometres: 8.04672 km Tell me what day of the week 1 January 2027 is: Friday`, 'proposed', 0.8), answers: MISSION }
  const decision = e('decision:d-1', 'decision', 'We decided to ship the mobile app in March because the web beta had 2,000 weekly users.', 'proposed', 0.9)

  it('quotes a mission\'s solution as the answer to its request, and not for a question with other figures', async () => {
    const ctx = graphSearchContext(embedder, [solution, decision])
    const miles = await handler({ id: 't', text: 'What is 5 miles in kilometres?' }, ctx)
    expect(miles.text).toMatch(/^According to the graph, the answer to "Compute 2 to the 16th power, then convert 5 miles to kilometres/)
    // Before, this quoted the solution (it converts to kilometres).
    const fuel = await handler({ id: 't', text: 'If I drive 450 km and my car uses 6.5 litres per 100 km, how much fuel do I need?' }, ctx)
    expect(fuel.citations).toEqual([])
    expect(fuel.working?.join('\n')).toContain('answers a request without 450, 6.5, 100')
  })

  it('does not answer a question on figures it supposes with a statement that names none of them', async () => {
    // Before: "According to the graph, we decided to ship the mobile app in March ..." (and verified).
    const r = await handler({ id: 't', text: 'If our app has 5,000 users and 12% are on the paid plan at $9 a month, what is our monthly revenue?' }, graphSearchContext(embedder, [solution, decision]))
    expect(r.citations).toEqual([])
    expect(r.text).toMatch(/^The knowledge graph has nothing relevant to/)
    // Without "if", the question is about the room, as before.
    const asked = await handler({ id: 't', text: 'Why did we decide to ship the mobile app in March?' }, graphSearchContext(embedder, [solution, decision]))
    expect(asked.citations).toEqual(['decision:d-1'])
  })
})
