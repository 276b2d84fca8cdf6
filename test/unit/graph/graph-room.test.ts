import { Automerge } from '@automerge/automerge-repo/slim'
import { alice, bob, repoPair, waitFor } from './helpers.ts'
import { describe, expect, it } from 'vitest'
import { GENESIS_ACTOR, genesis, roomDocumentId } from '../../../src/graph/layout.ts'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import { MemoryHub } from './memory-network.ts'

describe('room graph document', () => {
  it('derives the same DocumentId for the same room and different ids for different rooms', () => {
    expect(roomDocumentId('lab')).toBe(roomDocumentId('lab'))
    expect(roomDocumentId('lab')).not.toBe(roomDocumentId('lab2'))
    expect(() => roomDocumentId('')).toThrow(/room/)
  })

  it('has a genesis change that is byte-for-byte stable', () => {
    const g = genesis()
    // Golden value: if this changes, peers on the old code can no longer merge with the new.
    expect(g.hash).toMatchInlineSnapshot(`"6ba0baf5eab8ba3f696301b317af4c4cae845d6b22e0766866d97d3f84ed7f89"`)
    const doc = Automerge.load(g.bytes)
    expect(Automerge.getHeads(doc)).toEqual([g.hash])
  })

  it('two peers creating the room graph concurrently end up on one merged graph', async () => {
    const { hub, netA, netB, repoA, repoB } = repoPair()
    // Cut the link before anyone opens the graph, so both really create it on their own.
    hub.partition(netA, netB)
    const [ga, gb] = await Promise.all([
      openRoomGraph(repoA, 'lab', { actor: alice }),
      openRoomGraph(repoB, 'lab', { actor: bob })
    ])
    expect(ga.handle.documentId).toBe(gb.handle.documentId)
    expect(Automerge.getActorId(ga.handle.doc())).not.toBe(GENESIS_ACTOR)
    expect(Automerge.getActorId(ga.handle.doc())).not.toBe(Automerge.getActorId(gb.handle.doc()))
    const a1 = ga.add({ kind: 'fact', text: 'water boils at 100 C at sea level' })
    const b1 = gb.add({ kind: 'question', text: 'what about at altitude?' })
    expect(ga.get(b1)).toBeUndefined()

    hub.heal(netA, netB)
    await waitFor('both graphs to hold both entities', () => ga.has(b1) && gb.has(a1))
    expect(ga.get(b1)?.text).toBe('what about at altitude?')
    expect(gb.get(a1)?.text).toBe('water boils at 100 C at sea level')
    expect(ga.list().map(e => e.id).sort()).toEqual([a1, b1].sort())
    expect(gb.list().map(e => e.id).sort()).toEqual([a1, b1].sort())
    // No layout object was clobbered: both shard maps are the genesis objects on both sides.
    expect(Automerge.getConflicts(ga.handle.doc(), 'e')).toBeUndefined()
    expect(Automerge.getObjectId(ga.handle.doc().e)).toBe(Automerge.getObjectId(gb.handle.doc().e))
    await repoA.shutdown(); await repoB.shutdown()
  })

  it('a late joiner finds the existing graph through a peer', async () => {
    const hub = new MemoryHub()
    const repoA = createGraphRepo({ network: hub.adapter(), peerId: 'repo-a' })
    const ga = await openRoomGraph(repoA, 'lab', { actor: alice })
    const id = ga.add({ kind: 'fact', text: 'the sky is blue' })
    const repoB = createGraphRepo({ network: hub.adapter(), peerId: 'repo-b' })
    const gb = await openRoomGraph(repoB, 'lab', { actor: bob })
    await waitFor('late joiner to receive the fact', () => gb.has(id))
    expect(gb.get(id)?.provenance.agentId).toBe('agent-alice')
    await repoA.shutdown(); await repoB.shutdown()
  })
})
