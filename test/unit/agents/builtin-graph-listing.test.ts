import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asksForListing, type ListingOutput } from '../../../src/agents/builtin/graph-listing.ts'
import { handler } from '../../../src/agents/builtin/researcher.ts'
import { handler as verify } from '../../../src/agents/builtin/verifier.ts'
import type { RetrievableEntity } from '../../../src/agents/graph-retrieval.ts'
import type { LoadedEmbedder } from '../../../src/match/embedder.ts'
import { graphSearchContext, realEmbedder } from './builtin-context.ts'

let embedder: LoadedEmbedder
beforeAll(async () => { embedder = await realEmbedder() }, 120_000)
afterAll(async () => { await embedder?.dispose() })

const at = (minute: number): number => 1_700_000_000_000 + minute * 60_000
const e = (id: string, kind: string, text: string, status: string, minute: number): RetrievableEntity =>
  ({ id, kind, text, status, confidence: 0.8, updatedAt: at(minute), createdAt: at(minute) })

const GRAPH: RetrievableEntity[] = [
  e('d-db', 'decision', 'We decided to use Postgres for the ledger.', 'proposed', 1),
  e('f-relay', 'fact', 'The relay listens on port 9090.', 'verified', 2),
  e('q-food', 'question', 'Which cuisine would the team like for the offsite?', 'proposed', 3),
  e('f-up1', 'fact', 'The relay in Frankfurt has 99.2% uptime this month.', 'proposed', 4),
  e('q-port', 'question', 'Which port does the relay listen on?', 'proposed', 5),
  e('d-app', 'decision', 'We decided to ship the mobile app in March because the web beta had 2,000 weekly users.', 'proposed', 6),
  e('h-load', 'hypothesis', 'The relay might be overloaded on Mondays.', 'disputed', 7),
  e('f-up2', 'fact', 'The relay in Frankfurt had 99.9% uptime this month.', 'proposed', 8),
  e('f-old', 'fact', 'The relay listens on port 8080.', 'retracted', 9)
]
const ANSWERS = { 'q-port': ['f-relay'] }
const context = (entities = GRAPH) => graphSearchContext(embedder, entities, { answers: ANSWERS })

describe('the researcher\'s listings', () => {
  it('reads a request that names kinds or statuses and nothing else as a listing, and one with a topic as a question', () => {
    expect(asksForListing('List the decisions we made')).toMatchObject({ kinds: ['decision'], statuses: [], open: false, noun: { many: 'decisions' } })
    expect(asksForListing('What did we decide so far?')).toMatchObject({ kinds: ['decision'] })
    expect(asksForListing('What questions are still open?')).toMatchObject({ kinds: ['question'], open: true, noun: { many: 'open questions' } })
    expect(asksForListing("What's still unanswered?")).toMatchObject({ kinds: ['question'], open: true })
    expect(asksForListing('Which facts are verified?')).toMatchObject({ kinds: ['fact'], statuses: ['verified'], noun: { many: 'verified facts' } })
    expect(asksForListing('What is disputed?')).toMatchObject({ kinds: [], statuses: ['disputed'], noun: { many: 'disputed entities' } })
    expect(asksForListing("What hasn't been verified yet?")).toMatchObject({ kinds: [], statuses: ['proposed'] })
    expect(asksForListing('Show me the hypotheses')).toMatchObject({ kinds: ['hypothesis'] })
    expect(asksForListing('Are there any conflicts in the graph?')).toMatchObject({ kinds: ['conflict'] })
    expect(asksForListing('What problems have we solved?')).toMatchObject({ kinds: ['solution'] })
    expect(asksForListing('List the facts and decisions')).toMatchObject({ kinds: ['decision', 'fact'], noun: { many: 'entities' } })
    for (const text of [
      'What did we decide about the ledger?',
      'Which port does the relay listen on?',
      'List the prime numbers below 20',
      'What is 2 + 2?',
      'Is the relay port verified to be 9090?',
      'Summarise the decisions of the Frankfurt meeting',
      'Open the pod bay doors'
    ]) expect(asksForListing(text), text).toBeUndefined()
  })

  it('lists the decisions, newest first, each with its id; the one a search found "nothing relevant" for', async () => {
    const r = await handler({ id: 't', text: 'List the decisions we made' }, context())
    console.log(r.text)
    expect(r.text).toBe('The graph holds 2 decisions, newest first:\n' +
      '1. We decided to ship the mobile app in March because the web beta had 2,000 weekly users [d-app].\n' +
      '2. We decided to use Postgres for the ledger [d-db].')
    expect(r.citations).toEqual(['d-app', 'd-db'])
    expect((r.output as ListingOutput).listing).toMatchObject({ kinds: ['decision'], count: 2, ids: ['d-app', 'd-db'] })
  })

  it('lists the open questions only, and counts the answered ones', async () => {
    const r = await handler({ id: 't', text: 'What questions are still open?' }, context())
    expect(r.text).toBe('The graph holds 1 open question (1 more is answered), newest first:\n' +
      '1. Which cuisine would the team like for the offsite? [q-food] (open).')
    const all = await handler({ id: 't', text: 'List the questions' }, context())
    expect(all.text).toContain('1. Which port does the relay listen on? [q-port] (answered by [f-relay]).')
    expect(all.text).toContain('2. Which cuisine would the team like for the offsite? [q-food] (open).')
    const none = await handler({ id: 't', text: 'Any open questions?' }, context(GRAPH.filter(x => x.id !== 'q-food')))
    expect(none.text).toBe('No open questions: the graph\'s question is answered.')
  })

  it('lists the open conflicts only, says which decision settled the others, and reads "open conflicts" as a listing', async () => {
    expect(asksForListing('What conflicts are open?')).toMatchObject({ kinds: ['conflict'], open: true, noun: { many: 'open conflicts' } })
    expect(asksForListing('Any unresolved contradictions?')).toMatchObject({ kinds: ['conflict'], open: true })
    const graph = [
      ...GRAPH,
      e('dispute:t-1:1', 'conflict', 'Conflicting statements: "The relay is not public." [h-2] says the opposite of "The relay is public." [h-1].', 'proposed', 10),
      e('dispute:t-2:1', 'conflict', 'Conflicting statements: "The login bug is not caused by the cache TTL." [h-4] says the opposite of "The login bug is caused by the cache TTL." [h-3].', 'proposed', 11)
    ]
    const ctx = graphSearchContext(embedder, graph, { answers: { ...ANSWERS, 'dispute:t-1:1': ['result:d:1'] } })
    const open = await handler({ id: 't', text: 'What conflicts are open?' }, ctx)
    // Before: both were listed, each "(not yet verified)".
    expect(open.text).toBe('The graph holds 1 open conflict (1 more is settled), newest first:\n' +
      '1. Conflicting statements: "The login bug is not caused by the cache TTL." [h-4] says the opposite of "The login bug is caused by the cache TTL." [h-3] [dispute:t-2:1] (open).')
    const all = await handler({ id: 't', text: 'List the conflicts' }, ctx)
    expect(all.text).toContain('[dispute:t-1:1] (settled by [result:d:1]).')
    const none = await handler({ id: 't', text: 'What conflicts are open?' }, graphSearchContext(embedder, graph.filter(x => x.id !== 'dispute:t-2:1'), { answers: { 'dispute:t-1:1': ['result:d:1'] } }))
    expect(none.text).toBe("No open conflicts: the graph's conflict is settled.")
  })

  it('names the decision or fact recorded after an open question that names its words as what may settle it, and keeps it open', async () => {
    const graph = [
      ...GRAPH,
      e('q-safari', 'question', 'Should we support Safari 15?', 'proposed', 10),
      e('d-safari', 'decision', 'We will support Safari 15.', 'proposed', 11),
      // Recorded before the question, or naming too few of its words: not its answer.
      e('q-cdn', 'question', 'Which CDN should serve the model files?', 'proposed', 12),
      e('f-cdn', 'fact', 'A CDN serves the website images.', 'proposed', 13),
      e('q-late', 'question', 'Does the mobile app ship in March?', 'proposed', 14)
    ]
    const r = await handler({ id: 't', text: 'What questions are still open?' }, context(graph))
    console.log(r.text, r.working)
    expect(r.text).toContain('Should we support Safari 15? [q-safari] (open; perhaps settled by [d-safari]: the room decided: we will support Safari 15).')
    expect(r.text).toContain('Which CDN should serve the model files? [q-cdn] (open).')
    // d-app names the question's words, but was decided before it was asked.
    expect(r.text).toContain('Does the mobile app ship in March? [q-late] (open).')
    expect((r.output as ListingOutput).listing).toMatchObject({ open: true, count: 4 })
  })

  it('says how each statement stands: verified, disputed, not yet verified, replaced by a later one; retracted ones only when asked for', async () => {
    const r = await handler({ id: 't', text: 'Show me the facts' }, context())
    expect(r.text.split('\n')).toEqual([
      'The graph holds 3 facts, newest first:',
      '1. The relay in Frankfurt had 99.9% uptime this month [f-up2] (not yet verified).',
      '2. The relay in Frankfurt has 99.2% uptime this month [f-up1] (not yet verified; replaced by [f-up2]).',
      '3. The relay listens on port 9090 [f-relay] (verified).'
    ])
    const disputed = await handler({ id: 't', text: 'What is disputed?' }, context())
    expect(disputed.text).toBe('The graph holds 1 disputed entity, newest first:\n1. The relay might be overloaded on Mondays [h-load] (disputed).')
    const retracted = await handler({ id: 't', text: 'Which facts were retracted?' }, context())
    expect(retracted.citations).toEqual(['f-old'])
    expect(retracted.text).toContain('[f-old] (retracted)')
    const empty = await handler({ id: 't', text: 'List the conflicts' }, context())
    expect(empty.text).toBe('The graph holds no conflicts.')
    expect(empty.citations).toEqual([])
  })

  it('names at most 20 and counts the rest', async () => {
    const many = Array.from({ length: 25 }, (_, i) => e(`f-${i}`, 'fact', `Server ${i} runs in rack ${i + 100}.`, 'verified', i))
    const r = await handler({ id: 't', text: 'List the verified facts' }, context(many))
    expect(r.citations).toHaveLength(20)
    expect(r.citations?.[0]).toBe('f-24')
    expect(r.text).toMatch(/^The graph holds 25 verified facts, newest first:\n1\. Server 24 runs in rack 124 \[f-24\] \(verified\)\./)
    expect(r.text).toMatch(/\n…and 5 more\.$/)
    expect((r.output as ListingOutput).listing.ids).toHaveLength(25)
  })

  it('a verifier on another peer checks a listing by its quotes: decisions quoted as they stand are supported, a misquote disputed', async () => {
    const ctx = context()
    const r = await handler({ id: 't', text: 'List the decisions we made' }, ctx)
    const input = (text: string) => ({ task: { text: 'List the decisions we made' }, result: { text, output: { ...(r.output as object), answer: text } } })
    const good = await verify({ id: 't/verify', text: `Verify: ${r.text}`, input: input(r.text) }, ctx)
    expect(good.verdict).toMatchObject({ vote: 'support' })
    const bad = r.text.replace('Postgres', 'MySQL')
    const misquoted = await verify({ id: 't/verify', text: `Verify: ${bad}`, input: input(bad) }, context())
    expect(misquoted.verdict).toMatchObject({ vote: 'dispute' })
    expect(misquoted.verdict?.reason).toContain('[d-db]')
  })
})
