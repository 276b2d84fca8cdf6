import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handler as research } from '../../../src/agents/builtin/researcher.ts'
import { handler as verify } from '../../../src/agents/builtin/verifier.ts'
import { GraphRetriever, type RetrievableEntity } from '../../../src/agents/graph-retrieval.ts'
import type { AgentResult, AgentTask } from '../../../src/agents/types.ts'
import type { LoadedEmbedder } from '../../../src/match/embedder.ts'
import { graphSearchContext, realEmbedder, retrievable as e, testContext } from './builtin-context.ts'

let embedder: LoadedEmbedder
beforeAll(async () => { embedder = await realEmbedder() }, 120_000)
afterAll(async () => { await embedder?.dispose() })

const GRAPH: RetrievableEntity[] = [
  e('f-relay', 'fact', 'The relay server listens on port 9090 for websocket connections.', 'verified', 0.9),
  e('f-cake', 'fact', 'The chocolate cake recipe needs three eggs and two cups of flour.', 'proposed', 0.6),
  { ...e('fact:t-1:1', 'fact', 'How many seconds are in a week?: 604800 seconds', 'verified', 0.5), answers: 'How many seconds are in a week?' }
]

/** A peer's graph: real semantic search over `entities`, and `get` by id. */
function peer (entities: RetrievableEntity[]) {
  const retriever = new GraphRetriever({ embed: (t) => embedder.embed(t) })
  return testContext({
    search: (text, k) => retriever.search(text, entities, { k: k ?? 5 }),
    get: async (id) => { const x = entities.find(y => y.id === id); return x === undefined ? undefined : { ...x, score: 1 } }
  })
}

function handed (task: AgentTask, result: AgentResult): AgentTask {
  return { id: `${task.id}:verify`, text: `Verify this answer to "${task.text}": ${result.text}`, input: { task: { id: task.id, text: task.text }, result: { text: result.text, output: result.output, citations: result.citations } } }
}

async function answered (text: string, graph = GRAPH): Promise<{ task: AgentTask, answer: AgentResult }> {
  const task = { id: 't', text }
  return { task, answer: await research(task, peer(graph)) }
}

describe("verifier: a researcher's answer checked against the entities it quotes", () => {
  it('supports an answer that quotes verified entities as they stand in its own copy of the graph', async () => {
    const { task, answer } = await answered('Which port does the relay server listen on?')
    expect(answer.citations?.[0]).toBe('f-relay')
    const v = await verify(handed(task, answer), peer(GRAPH))
    expect(v.verdict).toMatchObject({ vote: 'support', confidence: 0.9, evidence: ['f-relay'] })
    expect(v.verdict?.reason).toMatch(/^every entity the answer quotes is in this peer's graph as quoted, and verified: \[f-relay\]/)
    // A task's verified answer, quoted as the answer to its request.
    const week = await answered('How many seconds does a week have?')
    expect(week.answer.text).toContain('the answer to "How many seconds are in a week?" is 604800 seconds [fact:t-1:1]')
    expect((await verify(handed(week.task, week.answer), peer(GRAPH))).verdict).toMatchObject({ vote: 'support', evidence: ['fact:t-1:1'] })
  })

  it('names statements in conflict with the conflict, which it neither quotes nor relies on', async () => {
    const graph = [
      e('f-sso', 'fact', 'Single sign-on is enabled for guest accounts.', 'verified', 0.9),
      { ...e('result:b:1', 'hypothesis', 'Single sign-on is disabled for guest accounts.', 'proposed', 0.5), createdAt: 2000 },
      e('dispute:b:1', 'conflict', 'Conflicting statements: "Single sign-on is disabled for guest accounts." [result:b:1] says the opposite of "Single sign-on is enabled for guest accounts." [f-sso].', 'proposed', 0.5),
      ...GRAPH
    ]
    const { task, answer } = await answered('Is single sign-on enabled for guest accounts?', graph)
    expect(answer.text).toContain('[result:b:1] and [f-sso] say opposite things, and the room has not settled which holds (conflict [dispute:b:1]).')
    expect(answer.text).not.toContain('Conflicting statements')
    expect(answer.output).toMatchObject({ conflicts: [{ id: 'dispute:b:1', between: ['result:b:1', 'f-sso'] }] })
    expect(answer.citations).toEqual(expect.arrayContaining(['f-sso', 'result:b:1', 'dispute:b:1']))
    // Checked on another peer: quoted as they stand, but one is a proposal, so no surer than that.
    const v = await verify(handed(task, answer), peer(graph))
    expect(v.verdict).toMatchObject({ vote: 'abstain', reason: 'the answer quotes the graph as it stands, but [result:b:1] (proposed) is not verified: the answer is no surer than what it quotes' })
    // Settled by a decision recorded as a statement: quoted without its label, and checked as quoted.
    const decided = [...graph, e('result:d:1', 'hypothesis', 'Decision: single sign-on is enabled for guest accounts.', 'proposed', 0.5)]
    const byDecision = await research(task, graphSearchContext(embedder, decided, { answers: { 'dispute:b:1': ['result:d:1'] } }))
    expect(byDecision.text).toMatch(/^Yes: according to the graph, the room decided: single sign-on is enabled for guest accounts \[result:d:1\]/)
    expect(byDecision.text).toContain("the room's decision [result:d:1] settled it (conflict [dispute:b:1])")
    const checked = await verify(handed(task, byDecision), peer(decided))
    expect(checked.verdict).toMatchObject({ vote: 'abstain' })
    expect(checked.verdict?.reason).toMatch(/^the answer quotes the graph as it stands, but \[result:d:1\] \(proposed\)/)
    // Once the conflict is retracted (settled), the answer no longer names it.
    const settled = await answered('Is single sign-on enabled for guest accounts?', graph.map(x => x.id === 'dispute:b:1' ? { ...x, status: 'retracted' as const } : x))
    expect(settled.answer.text).not.toContain('opposite')
  })

  it('abstains when what it quotes is not verified, or not yet in this peer\'s graph', async () => {
    const { task, answer } = await answered('How many eggs does the chocolate cake need?')
    expect(answer.citations?.[0]).toBe('f-cake')
    const v = await verify(handed(task, answer), peer(GRAPH))
    expect(v.verdict).toMatchObject({ vote: 'abstain', reason: 'the answer quotes the graph as it stands, but [f-cake] (proposed) is not verified: the answer is no surer than what it quotes' })
    const relay = await answered('Which port does the relay server listen on?')
    const behind = await verify(handed(relay.task, relay.answer), peer(GRAPH.filter(x => x.id !== 'f-relay')))
    expect(behind.verdict).toMatchObject({ vote: 'abstain', reason: "the answer cites [f-relay], which this peer's graph does not hold (yet)" })
  })

  it('supports an answer that quotes a decision as it stands, and one that names a replaced statement only as far as what it quotes is verified', async () => {
    const decided = [...GRAPH, { ...e('decision:d-1', 'decision', 'We ship the beta on 3 December.', 'proposed', 0.5), createdAt: 2 }]
    const beta = await answered('What did we decide about the beta?', decided)
    expect(beta.answer.text).toBe('According to the graph, the room decided: we ship the beta on 3 December [decision:d-1].')
    expect((await verify(handed(beta.task, beta.answer), peer(decided))).verdict).toMatchObject({ vote: 'support', evidence: ['decision:d-1'] })
    // The same quote of a proposed statement, not a decision, is no surer than it.
    const told = decided.map(x => x.kind === 'decision' ? { ...x, kind: 'hypothesis' } : x)
    const hyp = await answered('What did we decide about the beta?', told)
    expect((await verify(handed(hyp.task, hyp.answer), peer(told))).verdict).toMatchObject({ vote: 'abstain' })
    // A later statement and the earlier one it replaces, both verified: the answer quotes both faithfully.
    const standup = [...GRAPH,
      { ...e('f-930', 'fact', 'The standup is at 9:30 every weekday.', 'verified', 0.8), createdAt: 1 },
      { ...e('f-1015', 'fact', 'The standup moved to 10:15.', 'verified', 0.8), createdAt: 2 }]
    const when = await answered('When is the standup?', standup)
    expect(when.answer.text).toContain('That replaces what was said before')
    expect((await verify(handed(when.task, when.answer), peer(standup))).verdict).toMatchObject({ vote: 'support', evidence: ['f-1015', 'f-930'] })
  })

  it('disputes an answer that misquotes an entity or cites a retracted one', async () => {
    const { task, answer } = await answered('Which port does the relay server listen on?')
    const forged = { ...answer, text: answer.text.replace('9090', '8080') }
    const v = await verify(handed(task, forged), peer(GRAPH))
    expect(v.verdict).toMatchObject({ vote: 'dispute', confidence: 0.9, reason: 'the answer quotes [f-relay], but it says "The relay server listens on port 9090 for websocket connections"', evidence: ['f-relay'] })
    const retracted = GRAPH.map(x => x.id === 'f-relay' ? { ...x, status: 'retracted' } : x)
    expect((await verify(handed(task, answer), peer(retracted))).verdict).toMatchObject({ vote: 'dispute', reason: 'the answer cites [f-relay], which has been retracted' })
    // Another agent's output in the researcher's shape that quotes nothing inline: not vouched for by its sources.
    const unquoted = { text: 'The relay uses port 8080.', output: { answer: 'The relay uses port 8080.', sources: [{ id: 'f-relay' }] } }
    expect((await verify(handed(task, unquoted), peer(GRAPH))).verdict?.reason).not.toMatch(/^every entity the answer quotes/)
  })
})
