import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { knowledgeSearch } from '../../../src/app/knowledge.ts'
import { GraphRetriever } from '../../../src/agents/graph-retrieval.ts'
import { EntityProofs } from '../../../src/coord/entity-proof.ts'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import type { LoadedEmbedder } from '../../../src/match/embedder.ts'
import { syncSignerFor } from '../../../src/net/peer-signature.ts'
import { realEmbedder } from '../agents/builtin-context.ts'
import { clock } from '../graph/helpers.ts'
import { identity } from '../coord/sim.ts'

let embedder: LoadedEmbedder
beforeAll(async () => { embedder = await realEmbedder() }, 120_000)
afterAll(async () => { await embedder?.dispose() })

describe('ctx.graph.search on the host (knowledgeSearch)', () => {
  it('searches the knowledge as it is now: an edit, a retraction and a new answer show at once; bookkeeping never', async () => {
    const me = await identity()
    const graph = await openRoomGraph(createGraphRepo(), 'knowledge-search', { actor: { agentId: 'person', peerId: me.peerId }, now: clock(), sign: syncSignerFor(me.privateKey) })
    const relay = graph.add({ kind: 'fact', text: 'The relay listens on port 9090.' })
    graph.add({ kind: 'decision', text: 'We store accounts in Postgres.' })
    const question = graph.add({ kind: 'question', text: 'Which port does the relay listen on?' })
    const thread = graph.add({ kind: 'thread', title: 'Task t-1', text: 'Which port does the relay listen on?', tags: ['task'] })
    const retriever = new GraphRetriever({ embed: async t => await embedder.embed(t) })
    const search = knowledgeSearch(graph, new EntityProofs(), async () => retriever)

    const first = await search('relay port', 5)
    expect(first.map(h => h.id)).toContain(relay)
    expect(first.map(h => h.id)).not.toContain(thread)
    expect(first.find(h => h.id === question)).toMatchObject({ answeredBy: [] })

    // The views are kept per entity object; a change gives the entity a new one.
    graph.update(relay, { text: 'The relay listens on port 7070.' })
    expect((await search('relay port', 5)).find(h => h.id === relay)?.text).toBe('The relay listens on port 7070.')
    graph.relate(relay, 'answers', question)
    expect((await search('relay port', 5)).find(h => h.id === question)).toMatchObject({ answeredBy: [relay] })
    graph.verify(relay)
    expect((await search('relay port', 5)).find(h => h.id === relay)?.status).toBe('verified')
    graph.retract(relay, 'moved')
    expect((await search('relay port', 5)).map(h => h.id)).not.toContain(relay)
    expect((await search('relay port', 5)).find(h => h.id === question)).toMatchObject({ answeredBy: [] })
  })
})
