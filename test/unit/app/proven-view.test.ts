import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { provenView } from '../../../src/app/knowledge.ts'
import { handler } from '../../../src/agents/builtin/researcher.ts'
import { EntityProofs } from '../../../src/coord/entity-proof.ts'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import type { Entity } from '../../../src/graph/schema.ts'
import type { LoadedEmbedder } from '../../../src/match/embedder.ts'
import { syncSignerFor } from '../../../src/net/peer-signature.ts'
import { graphSearchContext, realEmbedder } from '../agents/builtin-context.ts'
import { clock } from '../graph/helpers.ts'
import { identity } from '../coord/sim.ts'

let embedder: LoadedEmbedder
beforeAll(async () => { embedder = await realEmbedder() }, 120_000)
afterAll(async () => { await embedder?.dispose() })

describe('what agents read of an entity\'s status', () => {
  it('a status written in another peer\'s name is read as what its signatures prove: the researcher does not cite a forged "verified" as verified', async () => {
    const honest = await identity()
    const graph = await openRoomGraph(createGraphRepo(), 'agents-read', { actor: { agentId: 'person', peerId: honest.peerId }, now: clock(), sign: syncSignerFor(honest.privateKey) })
    const signed = graph.add({ kind: 'fact', text: 'The relay server listens on port 9090 for websocket connections.' })
    graph.verify(signed)
    // A rogue member's graph, writing the honest peer's name on a verification it cannot sign (as a JSON import would carry it).
    const rogue = await openRoomGraph(createGraphRepo(), 'agents-read-rogue', { actor: { agentId: 'person', peerId: honest.peerId }, now: clock(1_700_000_500_000) })
    const forgedId = rogue.add({ kind: 'fact', text: 'The moon is made of green cheese.' })
    rogue.verify(forgedId)
    expect(graph.importJson(JSON.parse(JSON.stringify(rogue.exportJson())))).toMatchObject({ added: 1 })
    const forged = graph.get(forgedId)!
    expect(forged.status).toBe('verified') // as written
    const proofs = new EntityProofs()
    const get = (id: string): Entity | undefined => graph.get(id)
    expect(provenView(graph.get(signed)!, proofs, get).status).toBe('verified')
    expect(provenView(forged, proofs, get).status).toBe('proposed')
    const ctx = graphSearchContext(embedder, graph.list().map(e => provenView(e, proofs, get)))
    const r = await handler({ id: 't', text: 'What is the moon made of?' }, ctx)
    expect(r.citations?.[0]).toBe(forgedId)
    expect(r.text).toContain(`[${forgedId}] (proposed, not yet verified)`)
    const r2 = await handler({ id: 't2', text: 'Which port does the relay server listen on for websocket connections?' }, ctx)
    expect(r2.citations?.[0]).toBe(signed)
    expect(r2.text).not.toContain(`[${signed}] (`)
  })
})
