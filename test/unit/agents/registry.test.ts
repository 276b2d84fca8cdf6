import { Automerge, ImmutableString } from '@automerge/automerge-repo/slim'
import { describe, expect, it } from 'vitest'
import { createGraphRepo } from '../../../src/graph/room.ts'
import { roomDocumentId } from '../../../src/graph/layout.ts'
import { openAgentRegistry, REGISTRY_GENESIS, REGISTRY_LAYOUT, registryDocumentId, registryGenesis, validateAgentRecord } from '../../../src/agents/registry.ts'
import { manifest, record } from './registry-suite.ts'
import { A, B, PEER_A, PEER_B, Z } from './test-peers.ts'
import { repoPair, waitFor } from '../graph/helpers.ts'

describe('agent registry', () => {
  it('has its own stable document id and genesis, distinct from the graph', () => {
    expect(registryDocumentId('lab')).toBe(registryDocumentId('lab'))
    expect(registryDocumentId('lab')).not.toBe(registryDocumentId('lab2'))
    expect(registryDocumentId('lab')).not.toBe(roomDocumentId('lab'))
    const g = registryGenesis()
    expect(Automerge.getHeads(Automerge.load(g.bytes))).toEqual([g.hash])
    expect(registryGenesis().hash).toBe(g.hash)
  })

  it('keeps the layout, genesis and document id that stored copies and peers already have', () => {
    // Pinned: changing any of these strands every registry stored in IndexedDB and every older peer.
    expect(REGISTRY_LAYOUT).toBe(1)
    expect(registryGenesis().hash).toBe('5ac909acf78d4c4b2236bb35a503a0bcdca02f8da3a24bb33248a925e69a2cd3')
    expect(REGISTRY_GENESIS.hash).toBe(registryGenesis().hash)
    expect(registryDocumentId('lab')).toBe('bAKzvjLV3VdCDcx7zTstVQB297x')
    // The description the graph worker builds it from gives the same change.
    const built = Automerge.change(Automerge.init<Record<string, unknown>>({ actor: REGISTRY_GENESIS.actor as Automerge.ActorId }), { time: 0 }, d => {
      for (const [key, value] of Object.entries(REGISTRY_GENESIS.root)) d[key] = value
    })
    expect(Automerge.getHeads(built)).toEqual([REGISTRY_GENESIS.hash])
  })

  it('validates records and names the bad field', () => {
    expect(() => record('calc', A, { state: 'sleeping' as never })).toThrow(/state must be one of/)
    expect(() => record('calc', A, { agentId: `other@${A}` })).toThrow(`agentId must be "calc@${A}"`)
    expect(() => record('calc', A, { kind: 'custom' })).toThrow(/source is required/)
    expect(() => validateAgentRecord({ ...record('calc', A), manifest: { ...(manifest('calc') as object), version: 'v1' } })).toThrow(/manifest\.version/)
    expect(() => record('calc', A, { running: -1 })).toThrow(/running must be a non-negative integer/)
  })

  it('two peers that create it concurrently merge, and each sees the other\'s agents', async () => {
    const { hub, netA, netB, repoA, repoB } = repoPair()
    hub.partition(netA, netB)
    const [ra, rb] = await Promise.all([openAgentRegistry(repoA, 'lab', PEER_A), openAgentRegistry(repoB, 'lab', PEER_B)])
    ra.put(record('calc', A))
    rb.put(record('calc', B), record('summ', B))
    hub.heal(netA, netB)
    await waitFor('both see 3 agents', () => ra.list().length === 3 && rb.list().length === 3)
    expect(ra.list().map(r => r.agentId).sort()).toEqual([`calc@${A}`, `calc@${B}`, `summ@${B}`].sort())
    const seen: string[][] = []
    ra.on('change', c => { seen.push(c.ids) })
    rb.put(record('calc', B, { state: 'working', running: 1, updatedAt: 2 }))
    await waitFor('state change', () => ra.get(`calc@${B}`)?.state === 'working')
    expect(seen.flat()).toContain(`calc@${B}`)
    rb.remove(`summ@${B}`)
    await waitFor('removal', () => ra.get(`summ@${B}`) === undefined)
    await Promise.all([repoA.shutdown(), repoB.shutdown()])
  })

  it('skips a malformed record from a peer and reports it, keeping the good ones', async () => {
    const repo = createGraphRepo({ peerId: 'repo-x' })
    const reg = await openAgentRegistry(repo, 'lab', PEER_A)
    reg.put(record('calc', A))
    reg.handle.change(d => {
      d.agents[`evil@${Z}`] = new ImmutableString(`{"agentId":"evil@${Z}"`)
      d.agents[`fake@${Z}`] = new ImmutableString(JSON.stringify({ ...record('calc', Z), agentId: `fake@${Z}` }))
    })
    expect(reg.list().map(r => r.agentId)).toEqual([`calc@${A}`])
    const invalid = reg.invalid()
    expect(invalid.map(i => i.agentId).sort()).toEqual([`evil@${Z}`, `fake@${Z}`])
    expect(invalid.find(i => i.agentId === `fake@${Z}`)?.reason).toMatch(/agentId/)
    expect(() => { reg.put({ ...record('calc', A), state: 'bogus' as never }) }).toThrow(/state/)
    expect(reg.get(`calc@${A}`)?.state).toBe('idle')
    await repo.shutdown()
  })
})
