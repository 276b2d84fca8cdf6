import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handler as summarise } from '../../../src/agents/builtin/summariser.ts'
import { handler as verify } from '../../../src/agents/builtin/verifier.ts'
import { checkSummary } from '../../../src/agents/builtin/summary-check.ts'
import type { AgentResult, AgentTask } from '../../../src/agents/types.ts'
import type { LoadedEmbedder } from '../../../src/match/embedder.ts'
import { realEmbedder, testContext } from './builtin-context.ts'

let embedder: LoadedEmbedder
beforeAll(async () => { embedder = await realEmbedder() }, 120_000)
afterAll(async () => { await embedder?.dispose() })

const ARTICLE = [
  'The city council launched a bicycle sharing program with 2,000 bikes across the downtown area.',
  'Residents can rent a bike from any of the 150 docking stations and return it to another station.',
  'Officials expect the scheme to reduce car traffic and air pollution in the city centre.',
  'A yearly membership costs forty dollars, and single rides cost two dollars.',
  'Cycling groups welcomed the stations but asked the city for more protected bike lanes.',
  'The program will be reviewed after its first year.'
].join(' ')

/** What the coordination layer hands a verifier: the task and the producer's result. */
function handed (task: AgentTask, result: Pick<AgentResult, 'text' | 'output'>): AgentTask {
  return { id: `${task.id}:verify`, text: `Verify this answer to "${task.text}": ${result.text}`, input: { task: { id: task.id, text: task.text, ...(task.input !== undefined ? { input: task.input } : {}) }, result } }
}

/** The verifier's context: no graph service, so a vote can only come from the summary check. */
const bare = () => testContext()

describe('verifier: a summary checked against its text', () => {
  it("supports the real summariser's summary: every sentence is quoted, as many as asked", async () => {
    const task = { id: 't1', text: `Summarise this in two sentences: ${ARTICLE}` }
    const summary = await summarise(task, testContext({ embed: (t) => embedder.embed(t) }))
    const r = await verify(handed(task, summary), bare())
    expect(r.verdict).toMatchObject({ vote: 'support', confidence: 0.9, reason: 'every sentence of the summary is in the text: 2 of its 6 sentences, as many as asked' })
    // Without a length in the request, any number of quoted sentences is a faithful summary.
    const free = { id: 't2', text: 'Give me the gist of this article', input: { text: ARTICLE } }
    const gist = await summarise(free, testContext({ embed: (t) => embedder.embed(t) }))
    expect((await verify(handed(free, gist), bare())).verdict).toMatchObject({ vote: 'support', reason: 'every sentence of the summary is in the text: 2 of its 6 sentences' })
  })

  it('supports a text kept whole because it is no longer than asked, and a mission part summarising what it depends on', async () => {
    const short = { id: 't', text: 'Summarise in three sentences: The relay restarted at noon. Every tab reconnected within a minute.' }
    const kept = await summarise(short, testContext({ embed: (t) => embedder.embed(t) }))
    expect((await verify(handed(short, kept), bare())).verdict).toMatchObject({ vote: 'support', reason: 'every sentence of the summary is in the text: the whole text, which is no longer than asked (2 sentences)' })
    const part = { id: 'm:s2', text: 'then summarise it in one sentence', input: { s1: { text: ARTICLE, output: ARTICLE } } }
    const summary = await summarise(part, testContext({ embed: (t) => embedder.embed(t) }))
    expect((await verify(handed(part, summary), bare())).verdict).toMatchObject({ vote: 'support', reason: 'every sentence of the summary is in the text: 1 of its 6 sentences, as many as asked' })
  })

  it("supports an extractive summary written as a list, in any order and any case of its quotes' spacing", () => {
    const task = { id: 't', text: `Key points of this: ${ARTICLE}` }
    const listed = '- Officials expect the scheme to reduce car traffic and air pollution in the city centre.\n- The city council launched a bicycle sharing program with  2,000 bikes across the downtown area'
    expect(checkSummary({ task, result: { text: listed, output: listed } })?.verdict).toMatchObject({ vote: 'support', reason: 'every sentence of the summary is in the text: 2 of its 6 sentences' })
    // A fragment of under 5 words is not a quote: it is in any text about the same thing.
    expect(checkSummary({ task, result: { text: 'Officials expect. Cycling groups welcomed.' } })?.verdict.vote).toBe('abstain')
    expect(checkSummary({ task, result: { text: '- \n- ' } })).toBeUndefined()
  })

  it('disputes a quoted summary of another length than the request asks for', async () => {
    const task = { id: 't', text: `Summarise this in two sentences: ${ARTICLE}` }
    const three = 'The city council launched a bicycle sharing program with 2,000 bikes across the downtown area. Officials expect the scheme to reduce car traffic and air pollution in the city centre. The program will be reviewed after its first year.'
    const r = await verify(handed(task, { text: three, output: three }), bare())
    expect(r.verdict).toMatchObject({ vote: 'dispute', reason: 'the request asks for 2 sentences; the summary quotes 3' })
    const byInput = checkSummary({ task: { text: 'Summarise this', input: { text: ARTICLE, sentences: 1 } }, result: { text: three } })
    expect(byInput?.verdict.reason).toBe('the request asks for 1 sentence; the summary quotes 3')
  })

  it('disputes a summary in its own words that states a number the text does not, and abstains on one that does not', async () => {
    const task = { id: 't', text: `Summarise this in two sentences: ${ARTICLE}` }
    const invented = 'The council launched 3,000 shared bikes downtown. Riders pay 40 dollars a year or two dollars a ride.'
    const r = await verify(handed(task, { text: invented, output: invented }), bare())
    expect(r.verdict).toMatchObject({ vote: 'dispute', confidence: 0.85, reason: 'the summary states 3000, which the text does not' })
    // Numbers written out in the text ("forty dollars") count as stated; so do the request's own ("two sentences").
    const faithful = 'The council launched 2000 shared bikes at 150 stations downtown. Riders pay 40 dollars a year, and the scheme is reviewed in 2 parts.'
    const f = await verify(handed(task, { text: faithful, output: faithful }), bare())
    expect(f.verdict?.vote).toBe('abstain')
    expect(f.verdict?.reason).toBe('the summary is in its own words (2 of its 2 sentences are not in the text); the numbers it states are in the text, but whether its wording is faithful cannot be checked here')
  })

  it('leaves tasks that are not summaries, or name no text, to the other checks', () => {
    expect(checkSummary({ task: { text: `Translate this into French: ${ARTICLE}` }, result: { text: 'Le conseil municipal...' } })).toBeUndefined()
    // "Summarise the meeting notes" names no text: the summariser refuses it, so there is nothing to compare.
    expect(checkSummary({ task: { text: 'Summarise the meeting notes' }, result: { text: 'The meeting went well.' } })).toBeUndefined()
    expect(checkSummary({ task: { text: `Summarise: ${ARTICLE}` }, result: { text: '   ' } })).toBeUndefined()
    expect(checkSummary({ task: { text: `Summarise: ${ARTICLE}` } })).toBeUndefined()
    expect(checkSummary('not a handed result')).toBeUndefined()
  })
})
