import { Automerge, ImmutableString } from '@automerge/automerge-repo/slim'
import { describe, expect, it } from 'vitest'
import { createGraphRepo } from '../../../src/graph/room.ts'
import { roomDocumentId } from '../../../src/graph/layout.ts'
import { openAgentRegistry, REGISTRY_GENESIS, REGISTRY_LAYOUT, registryDocumentId, registryGenesis, validateAgentRecord } from '../../../src/agents/registry.ts'
import { manifest, record } from './registry-suite.ts'
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
    expect(() => record('calc', 'peer-a', { state: 'sleeping' as never })).toThrow(/state must be one of/)
    expect(() => record('calc', 'peer-a', { agentId: 'other@peer-a' })).toThrow(/agentId must be "calc@peer-a"/)
    expect(() => record('calc', 'peer-a', { kind: 'custom' })).toThrow(/source is required/)
    expect(() => validateAgentRecord({ ...record('calc', 'peer-a'), manifest: { ...(manifest('calc') as object), version: 'v1' } })).toThrow(/manifest\.version/)
    expect(() => record('calc', 'peer-a', { running: -1 })).toThrow(/running must be a non-negative integer/)
  })

  it('two peers that create it concurrently merge, and each sees the other\'s agents', async () => {
    const { hub, netA, netB, repoA, repoB } = repoPair()
    hub.partition(netA, netB)
    const [ra, rb] = await Promise.all([openAgentRegistry(repoA, 'lab'), openAgentRegistry(repoB, 'lab')])
    ra.put(record('calc', 'peer-a'))
    rb.put(record('calc', 'peer-b'), record('summ', 'peer-b'))
    hub.heal(netA, netB)
    await waitFor('both see 3 agents', () => ra.list().length === 3 && rb.list().length === 3)
    expect(ra.list().map(r => r.agentId).sort()).toEqual(['calc@peer-a', 'calc@peer-b', 'summ@peer-b'])
    const seen: string[][] = []
    ra.on('change', c => { seen.push(c.ids) })
    rb.put(record('calc', 'peer-b', { state: 'working', running: 1, updatedAt: 2 }))
    await waitFor('state change', () => ra.get('calc@peer-b')?.state === 'working')
    expect(seen.flat()).toContain('calc@peer-b')
    rb.remove('summ@peer-b')
    await waitFor('removal', () => ra.get('summ@peer-b') === undefined)
    await Promise.all([repoA.shutdown(), repoB.shutdown()])
  })

  it('skips a malformed record from a peer and reports it, keeping the good ones', async () => {
    const repo = createGraphRepo({ peerId: 'repo-x' })
    const reg = await openAgentRegistry(repo, 'lab')
    reg.put(record('calc', 'peer-a'))
    reg.handle.change(d => {
      d.agents['evil@peer-z'] = new ImmutableString('{"agentId":"evil@peer-z"')
      d.agents['fake@peer-z'] = new ImmutableString(JSON.stringify({ ...record('calc', 'peer-z'), agentId: 'fake@peer-z' }))
    })
    expect(reg.list().map(r => r.agentId)).toEqual(['calc@peer-a'])
    const invalid = reg.invalid()
    expect(invalid.map(i => i.agentId).sort()).toEqual(['evil@peer-z', 'fake@peer-z'])
    expect(invalid.find(i => i.agentId === 'fake@peer-z')?.reason).toMatch(/agentId/)
    expect(() => { reg.put({ ...record('calc', 'peer-a'), state: 'bogus' as never }) }).toThrow(/state/)
    expect(reg.get('calc@peer-a')?.state).toBe('idle')
    await repo.shutdown()
  })
})
