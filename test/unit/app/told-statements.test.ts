import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { agentView, answeredRequest, isBookkeeping, quotesTheGraph, toldStatements } from '../../../src/app/knowledge.ts'
import { ANSWERABLE_RELEVANCE } from '../../../src/app/coord-boot.ts'
import { handler, judgeAsked } from '../../../src/agents/builtin/researcher.ts'
import { handler as verify } from '../../../src/agents/builtin/verifier.ts'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import type { KnowledgeGraph } from '../../../src/graph/knowledge-graph.ts'
import type { JsonObject } from '../../../src/graph/schema.ts'
import type { LoadedEmbedder } from '../../../src/match/embedder.ts'
import { graphSearchContext, realEmbedder } from '../agents/builtin-context.ts'
import { clock } from '../graph/helpers.ts'

let embedder: LoadedEmbedder
beforeAll(async () => { embedder = await realEmbedder() }, 120_000)
afterAll(async () => { await embedder?.dispose() })

/** A task's result as the graph recorder writes it (coord/graph-recorder.ts): a hypothesis until verified. */
function recordResult (graph: KnowledgeGraph, request: string, result: { text: string, output?: unknown }, skillId = 'graph.answer'): string {
  const { text, ...structured } = result
  return graph.add({ kind: 'hypothesis', title: `Result: ${request}`, text, tags: ['result'], data: { taskId: 't-1', attempt: 1, skillId, result: JSON.parse(JSON.stringify(structured)) as JsonObject } })
}

/** A result verified, as the graph recorder records it: a fact that names the result it verifies. */
function verifyResult (graph: KnowledgeGraph, id: string): string {
  const r = graph.get(id)!
  return graph.add({ kind: 'fact', title: r.title!.replace(/^Result: /, 'Verified: '), text: r.text, tags: ['result', 'verified'], data: { taskId: 't-1', attempt: 1, result: id } })
}

/** What agents search, as agents-boot.ts's graphSearch reads the graph. */
const knowledge = (graph: KnowledgeGraph) => graph.list().filter(e => !isBookkeeping(e) && !quotesTheGraph(e, id => graph.get(id))).map(agentView)

describe('what a person tells the room before a question', () => {
  it('is knowledge for the next question, quoted as a hypothesis', async () => {
    const graph = await openRoomGraph(createGraphRepo(), 'told', { actor: { agentId: 'person', peerId: 'p1' }, now: clock() })
    const asked = 'The standup is at 9:30 every weekday. When is the standup?'
    const first = await handler({ id: 't-1', text: asked }, graphSearchContext(embedder, knowledge(graph)))
    expect(first.text).toBe('The graph has nothing on this yet. Going by what you say: The standup is at 9:30 every weekday.')
    const id = recordResult(graph, asked, first)
    const e = graph.get(id)!
    expect(toldStatements(e)).toEqual(['The standup is at 9:30 every weekday.'])
    expect(isBookkeeping(e)).toBe(false)
    expect(agentView(e).text).toBe('The standup is at 9:30 every weekday.')
    // The answer is not confirmed by its own words, now in the graph: there is nothing else to check it against.
    const checked = await verify({ id: 't-1/verify', text: `Verify: ${first.text}`, input: { task: { text: asked }, result: { text: first.text, output: first.output } } }, graphSearchContext(embedder, knowledge(graph)))
    expect(checked.verdict).toMatchObject({ vote: 'abstain' })
    expect(checked.verdict?.reason).toContain('goes by what the person said')

    // Before: nobody bid on this (the answer was bookkeeping, the graph held nothing else).
    const later = 'When is the standup?'
    const ctx = graphSearchContext(embedder, knowledge(graph))
    const hits = await ctx.graph.search(later, 3)
    expect(Math.max(...judgeAsked(later, hits).map(j => j.relevance))).toBeGreaterThanOrEqual(ANSWERABLE_RELEVANCE)
    const second = await handler({ id: 't-2', text: later }, ctx)
    expect(second.citations).toEqual([id])
    expect(second.text).toBe(`According to the graph, the standup is at 9:30 every weekday [${id}] (a hypothesis). None of this has been verified yet.`)
  })

  it('keeps every statement the graph does not hold as said, related to the answer or not, and none that agrees', async () => {
    const graph = await openRoomGraph(createGraphRepo(), 'told-news', { actor: { agentId: 'person', peerId: 'p1' }, now: clock() })
    const standup = graph.add({ kind: 'fact', text: 'The standup is at 9:30 every weekday.' })
    const asked = 'Our office wifi is called meshnet-5g. The standup moved to 10:00. When is the standup?'
    const r = await handler({ id: 't-1', text: asked }, graphSearchContext(embedder, knowledge(graph)))
    expect(r.citations).toEqual([standup])
    expect(r.output).toMatchObject({ remember: ['Our office wifi is called meshnet-5g.', 'The standup moved to 10:00.'] })
    const id = recordResult(graph, asked, r)
    expect(agentView(graph.get(id)!).text).toBe('Our office wifi is called meshnet-5g. The standup moved to 10:00.')
    // Before: nobody bid; the wifi's name was said, answered past, and lost.
    const wifi = await handler({ id: 't-2', text: 'What is the office wifi called?' }, graphSearchContext(embedder, knowledge(graph)))
    expect(wifi.citations?.[0]).toBe(id)
    expect(wifi.text).toContain('meshnet-5g')
    // What the graph already says is not kept again (its latest on the standup: 10:00 replaced 9:30).
    const same = await handler({ id: 't-3', text: 'The standup moved to 10:00. When is the standup?' }, graphSearchContext(embedder, knowledge(graph)))
    expect(same.text).toContain('The graph agrees with what you say')
    expect(same.text).toContain('That replaces what was said before: the standup is at 9:30 every weekday')
    expect(same.output).not.toHaveProperty('remember')
    // Nor is a story's opening: it is not something told about the room.
    const story = await handler({ id: 't-4', text: 'Tom has 12 marbles. He gives 5 to Sara. How many marbles does Tom have left?' }, graphSearchContext(embedder, knowledge(graph)))
    expect(story.output).not.toHaveProperty('remember')
  })

  it('leaves any other result bookkeeping, and reads malformed output as no statements', async () => {
    const graph = await openRoomGraph(createGraphRepo(), 'told-bad', { actor: { agentId: 'person', peerId: 'p1' }, now: clock() })
    const sum = recordResult(graph, 'What is 2 + 2?', { text: '4', output: 4 })
    const agreed = recordResult(graph, 'y', { text: 'Yes', output: { told: [{ statement: 'The relay listens on 9090', agrees: true, with: 'e1' }] } })
    const bad = [
      recordResult(graph, 'a', { text: 'a', output: { byWord: 5 } }),
      recordResult(graph, 'b', { text: 'b', output: { byWord: [null, 3, '  '] } }),
      recordResult(graph, 'c', { text: 'c', output: { remember: [null, ['x'], { statement: 'x' }] } }),
      recordResult(graph, 'd', { text: 'd', output: ['The sky is green.'] })
    ]
    for (const id of [sum, agreed, ...bad]) {
      expect(toldStatements(graph.get(id)!), id).toBeUndefined()
      expect(isBookkeeping(graph.get(id)!), id).toBe(true)
    }
    // A verified answer is a fact: read as "<request>: <answer>", as before.
    const fact = graph.add({ kind: 'fact', title: 'Verified: The standup is at 9:30. When is the standup?', text: 'Going by what you say: the standup is at 9:30.', tags: ['result', 'verified'], data: { result: { output: { byWord: ['The standup is at 9:30.'] } } } })
    expect(agentView(graph.get(fact)!).text).toBe('The standup is at 9:30. When is the standup?: Going by what you say: the standup is at 9:30.')
  })
})

describe('what the researcher answers from', () => {
  it('is the decision told, not earlier answers that only quoted the graph', async () => {
    const graph = await openRoomGraph(createGraphRepo(), 'decided', { actor: { agentId: 'person', peerId: 'p1' }, now: clock() })
    const links = verifyResult(graph, recordResult(graph, 'Find the links in: docs at https://example.com/guide', { text: 'https://example.com/guide' }, 'text.transform'))
    const asked = 'Decision: we will use WebRTC for all peer links.'
    const decision = recordResult(graph, asked, { text: asked, output: { recorded: asked, graph: 'new' } }, 'graph.record')
    // An earlier question answered from the graph, and verified: before, it was quoted as knowledge.
    const before = await handler({ id: 't-0', text: 'Which links do we use?' }, graphSearchContext(embedder, knowledge(graph)))
    const answered = verifyResult(graph, recordResult(graph, 'Which links do we use?', before))
    expect(quotesTheGraph(graph.get(answered)!, id => graph.get(id))).toBe(true)
    expect(quotesTheGraph(graph.get(links)!, id => graph.get(id))).toBe(false)
    expect(knowledge(graph).map(e => e.id).sort()).toEqual([decision, links].sort())
    const r = await handler({ id: 't-1', text: 'What did we decide about peer links?' }, graphSearchContext(embedder, knowledge(graph)))
    expect(r.citations?.[0]).toBe(decision)
    expect(r.text).toContain('we will use WebRTC for all peer links')
    // Nor is a verified listing of the graph ("List the decisions we made", the researcher's lookup skill).
    const listed = verifyResult(graph, recordResult(graph, 'List the decisions we made', { text: `The graph holds 1 decision, newest first:\n1. We will use WebRTC for all peer links [${decision}].` }, 'graph.lookup'))
    expect(quotesTheGraph(graph.get(listed)!, id => graph.get(id))).toBe(true)
    expect(knowledge(graph).map(e => e.id)).not.toContain(listed)
    // A mission's solution answers its request, as a verified result does (its title is the request).
    expect(answeredRequest({ kind: 'solution', tags: ['mission'], title: 'Compute 2^10, then multiply it by 3' })).toBe('Compute 2^10, then multiply it by 3')
    expect(answeredRequest({ kind: 'solution', tags: ['mission'], title: 'Mission m-1' })).toBeUndefined()
    // A verified result whose own result has not arrived yet is read as knowledge until it does.
    const orphan = graph.add({ kind: 'fact', title: 'Verified: x', text: 'x', tags: ['result', 'verified'], data: { result: 'result:t-9:1' } })
    expect(quotesTheGraph(graph.get(orphan)!, id => graph.get(id))).toBe(false)
  })
})
