// RegistryKeeper with real registries (a Repo per peer on a memory network, real Ed25519 keys): the
// records of a peer that is away are put back by the first present tab in line when another member
// removes, forges over or replays them, and only then; a removal the peer signed is kept the same way.
import '../graph/helpers.ts'
import { ImmutableString, type Repo } from '@automerge/automerge-repo/slim'
import { afterEach, describe, expect, it } from 'vitest'
import { openAgentRegistry, type AgentRegistry } from '../../../src/agents/registry.ts'
import { RegistryKeeper } from '../../../src/agents/registry-keeper.ts'
import { createGraphRepo } from '../../../src/graph/room.ts'
import { MemoryHub } from '../graph/memory-network.ts'
import { waitFor } from '../graph/helpers.ts'
import { record } from './registry-suite.ts'
import { A, B, PEER_A, PEER_B, PEER_Z, testPeer } from './test-peers.ts'

const PEER_C = testPeer(3)
const C = PEER_C.peerId
const CALC = `calc@${A}`

describe('registry keeper', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c() })

  async function room (): Promise<{
    a: AgentRegistry, hostile: AgentRegistry, keepers: Map<string, { reg: AgentRegistry, keeper: RegistryKeeper, restores: string[] }>, live: Set<string>, leave: (peer: string) => void
  }> {
    const hub = new MemoryHub()
    const repos: Repo[] = []
    cleanups.push(async () => { await Promise.all(repos.map(async r => { await r.shutdown() })) })
    const open = async (owner: typeof PEER_A, name: string): Promise<AgentRegistry> => {
      const repo = createGraphRepo({ network: hub.adapter(), peerId: name })
      repos.push(repo)
      return await openAgentRegistry(repo, 'lab', owner)
    }
    // Who is present, as every tab sees it (the hostile member is present throughout).
    const live = new Set([A, B, C, PEER_Z.peerId])
    const a = await open(PEER_A, 'repo-a')
    const hostile = await open(PEER_Z, 'repo-z')
    const keepers = new Map<string, { reg: AgentRegistry, keeper: RegistryKeeper, restores: string[] }>()
    for (const [owner, name] of [[PEER_B, 'repo-b'], [PEER_C, 'repo-c']] as const) {
      const reg = await open(owner, name)
      const restores: string[] = []
      const keeper = new RegistryKeeper({
        registry: reg,
        peerId: owner.peerId,
        livePeers: () => [...live].filter(p => p !== owner.peerId),
        onRestore: e => { restores.push(e.message) },
        delayMs: 50,
        stepMs: 400
      })
      reg.on('change', c => { keeper.seen(c.ids) })
      cleanups.push(() => { keeper.close() })
      keepers.set(owner.peerId, { reg, keeper, restores })
    }
    const leave = (peer: string): void => {
      live.delete(peer)
      for (const k of keepers.values()) k.keeper.presenceChanged()
    }
    return { a, hostile, keepers, live, leave }
  }

  const tamper = (hostile: AgentRegistry, fn: (agents: Record<string, ImmutableString>) => void): void => {
    hostile.handle.change(d => { fn(d.agents) })
  }

  it('puts back a removed, forged or replayed record of a peer that is away; the first tab in line writes it', async () => {
    const { a, hostile, keepers, leave } = await room()
    const b = keepers.get(B)!
    const c = keepers.get(C)!
    a.put(record('calc', A, { updatedAt: 10 }))
    const all = [b.reg, c.reg, hostile]
    await waitFor('every peer has v10', () => all.every(r => r.get(CALC)?.updatedAt === 10), 5000)
    const v10 = hostile.entry(CALC)!.raw as string
    a.put(record('calc', A, { updatedAt: 20, completed: 7, reputation: { add: { factor: 1.4, successes: 7, failures: 0, verified: 5, disputed: 0, latencyMs: 40 } } }))
    await waitFor('every peer has v20', () => all.every(r => r.get(CALC)?.updatedAt === 20), 5000)

    // While a is present, its records are its own to repair: nobody else writes them.
    tamper(hostile, agents => { Reflect.deleteProperty(agents, CALC) })
    await waitFor('the removal reaches b and c', () => b.reg.entry(CALC) === undefined && c.reg.entry(CALC) === undefined, 5000)
    await new Promise(resolve => setTimeout(resolve, 600))
    expect(b.reg.entry(CALC)).toBeUndefined()
    expect(b.keeper.restored + c.keeper.restored).toBe(0)

    // a leaves: the first in line (by peer id) of the tabs present puts the record back.
    leave(A)
    const [first, second] = B < C ? [b, c] : [c, b]
    await waitFor('the record is back everywhere', () => all.every(r => r.get(CALC)?.updatedAt === 20), 5000)
    expect(all.every(r => r.get(CALC)?.reputation?.add?.factor === 1.4)).toBe(true)
    expect(first!.keeper.restored).toBe(1)
    expect(first!.restores[0]).toMatch(/another member of the room removed it from the room's registry; this tab put back its latest record, as …\w{6} signed it/)
    // The second in line saw it done before its turn.
    await new Promise(resolve => setTimeout(resolve, 700))
    expect(second!.keeper.restored).toBe(0)

    // A forgery over it (not signed by a), and a replay of a's older record: put back each time,
    // once. (The first in line restores one agent at most every 2.5 s, so the second may step in.)
    const total = (): number => b.keeper.restored + c.keeper.restored
    const messages = (): string[] => [...b.restores, ...c.restores]
    await waitFor('the hostile peer holds v20', () => hostile.get(CALC)?.updatedAt === 20, 5000)
    tamper(hostile, agents => { agents[CALC] = new ImmutableString(JSON.stringify(record('calc', A, { updatedAt: 99, failures: 500 }))) })
    await waitFor('put back after the forgery', () => total() === 2 && all.every(r => r.get(CALC)?.updatedAt === 20), 8000)
    expect(messages()).toContainEqual(expect.stringMatching(/replaced it with a value that does not count \(agent record: sig is missing/))
    await waitFor('the hostile peer holds v20 again', () => hostile.get(CALC)?.updatedAt === 20, 5000)
    tamper(hostile, agents => { agents[CALC] = new ImmutableString(v10) })
    await waitFor('put back after the replay', () => total() === 3 && all.every(r => r.get(CALC)?.updatedAt === 20), 8000)
    expect(messages()).toContainEqual(expect.stringMatching(/replaced it with an older record; this tab put back its latest record/))
    // Each loss was put back once: nobody's turn came after it was done.
    await new Promise(resolve => setTimeout(resolve, 3000))
    expect(total()).toBe(3)
  })

  it('keeps a removal the peer signed: its agent does not come back from a replayed record', async () => {
    const { a, hostile, keepers, leave } = await room()
    const b = keepers.get(B)!
    a.put(record('calc', A, { updatedAt: 10 }))
    await waitFor('the hostile peer has the record', () => hostile.get(CALC) !== undefined, 5000)
    const v10 = hostile.entry(CALC)!.raw as string
    a.remove(CALC)
    await waitFor('everyone reads the removal', () => [hostile, b.reg, keepers.get(C)!.reg].every(r => r.entry(CALC)?.removal !== undefined), 5000)
    leave(A)
    tamper(hostile, agents => { agents[CALC] = new ImmutableString(v10) })
    await waitFor('the replayed record reaches b', () => b.reg.get(CALC) !== undefined || b.keeper.restored > 0, 5000)
    await waitFor('the removal is back', () => [hostile, b.reg, keepers.get(C)!.reg].every(r => r.entry(CALC)?.removal !== undefined), 8000)
    const restores = [...keepers.values()].flatMap(k => k.restores)
    expect(restores).toHaveLength(1)
    expect(restores[0]).toMatch(/replaced it with an older record; this tab put back its removal/)
  })

  it('the next in line puts it back when the first has left too', async () => {
    const { a, hostile, keepers, leave } = await room()
    a.put(record('calc', A, { updatedAt: 10 }))
    await waitFor('everyone has it', () => [hostile, ...[...keepers.values()].map(k => k.reg)].every(r => r.get(CALC) !== undefined), 5000)
    const [firstId, secondId] = [B, C].sort()
    const first = keepers.get(firstId!)!
    const second = keepers.get(secondId!)!
    // The first in line is gone (its tab closed): it no longer keeps anything.
    first.keeper.close()
    leave(firstId!)
    leave(A)
    tamper(hostile, agents => { Reflect.deleteProperty(agents, CALC) })
    await waitFor('the second in line puts it back', () => second.keeper.restored === 1 && hostile.get(CALC) !== undefined, 5000)
    expect(first.keeper.restored).toBe(0)
  })
})
