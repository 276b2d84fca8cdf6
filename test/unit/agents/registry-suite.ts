/**
 * Compliance suite every AgentRegistryApi implementation must pass (registry-api.ts states the
 * contract), in the manner of automerge-repo's network-adapter tests: the in-process
 * AgentRegistry and the page's RemoteAgentRegistry over the graph worker's record document run
 * the same cases. Call `runAgentRegistrySuite(name, setup)` from a *.test.ts file.
 *
 * `setup` gives a fresh network per test: `open()` opens the room's registry for one more peer
 * on it; `forge()` writes raw strings into the document from a peer that does not validate (a
 * hostile or buggy one), so they reach the others only by sync.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { AgentRegistryApi, RegistryChange } from '../../../src/agents/registry-api.ts'
import { agentIdFor, validateAgentRecord, type AgentRecord } from '../../../src/agents/registry.ts'
import { waitFor } from '../graph/helpers.ts'

export interface RegistryNetwork {
  open: () => Promise<AgentRegistryApi>
  forge: (raw: Record<string, string>) => Promise<void>
  teardown: () => Promise<void>
}

export const manifest = (id: string): unknown => ({
  manifestVersion: 1,
  id,
  name: `Agent ${id}`,
  description: 'adds numbers',
  version: '1.0.0',
  skills: [{ id: 'add', name: 'Add', description: 'adds two numbers', tags: [], examples: ['what is 2 + 2'], level: 'competent' }]
})

export function record (id: string, peerId: string, patch: Partial<AgentRecord> = {}): AgentRecord {
  return validateAgentRecord({
    agentId: agentIdFor(id, peerId),
    peerId,
    kind: 'calculator',
    manifest: manifest(id),
    author: 'meshwork',
    state: 'idle',
    running: 0,
    completed: 0,
    failures: 0,
    restarts: 0,
    registeredAt: 1,
    updatedAt: 1,
    ...patch
  })
}

const ids = (reg: AgentRegistryApi): string[] => reg.list().map(r => r.agentId).sort()

export function runAgentRegistrySuite (name: string, setup: () => Promise<RegistryNetwork>): void {
  describe(`agent registry compliance: ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = []
    afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c() })
    const network = async (): Promise<RegistryNetwork> => {
      const n = await setup()
      cleanups.push(n.teardown)
      return n
    }
    const changesOf = (reg: AgentRegistryApi): RegistryChange[] => {
      const seen: RegistryChange[] = []
      reg.on('change', c => { seen.push(c) })
      return seen
    }

    it('puts, gets and lists records', async () => {
      const reg = await (await network()).open()
      expect(reg.list()).toEqual([])
      const calc = record('calc', 'peer-a')
      reg.put(calc, record('summ', 'peer-a'))
      expect(reg.get('calc@peer-a')).toEqual(calc)
      expect(ids(reg)).toEqual(['calc@peer-a', 'summ@peer-a'])
      expect(reg.get('nobody@peer-a')).toBeUndefined()
      reg.put(record('calc', 'peer-a', { state: 'working', running: 1, updatedAt: 2 }))
      expect(reg.get('calc@peer-a')).toMatchObject({ state: 'working', running: 1 })
      expect(reg.list()).toHaveLength(2)
      expect(reg.invalid()).toEqual([])
    })

    it('shows its own writes at once and announces them, with their ids, before put/remove return', async () => {
      const reg = await (await network()).open()
      const seen = changesOf(reg)
      reg.put(record('calc', 'peer-a'), record('summ', 'peer-a'))
      expect(seen).toEqual([{ ids: ['calc@peer-a', 'summ@peer-a'], origin: 'local' }])
      expect(reg.get('summ@peer-a')?.agentId).toBe('summ@peer-a')
      reg.remove('summ@peer-a')
      expect(seen[1]).toEqual({ ids: ['summ@peer-a'], origin: 'local' })
      expect(reg.get('summ@peer-a')).toBeUndefined()
      // The worker's (or document's) answer to our writes announces nothing new.
      await new Promise(resolve => setTimeout(resolve, 100))
      expect(seen).toHaveLength(2)
      expect(ids(reg)).toEqual(['calc@peer-a'])
    })

    it('removes records, and ignores ids it does not have', async () => {
      const reg = await (await network()).open()
      reg.put(record('calc', 'peer-a'), record('summ', 'peer-a'), record('plan', 'peer-a'))
      const seen = changesOf(reg)
      reg.remove('calc@peer-a', 'plan@peer-a')
      expect(ids(reg)).toEqual(['summ@peer-a'])
      expect(seen.flatMap(c => c.ids).sort()).toEqual(['calc@peer-a', 'plan@peer-a'])
      reg.remove('nobody@peer-a')
      reg.remove()
      expect(seen).toHaveLength(1)
      await new Promise(resolve => setTimeout(resolve, 100))
      expect(ids(reg)).toEqual(['summ@peer-a'])
    })

    it('validates every record before writing any, naming the field', async () => {
      const reg = await (await network()).open()
      const seen = changesOf(reg)
      expect(() => { reg.put(record('calc', 'peer-a'), { ...record('summ', 'peer-a'), state: 'bogus' as never }) }).toThrow(/state must be one of/)
      expect(() => { reg.put({ ...record('calc', 'peer-a'), agentId: 'other@peer-a' }) }).toThrow(/agentId/)
      expect(reg.list()).toEqual([])
      expect(seen).toEqual([])
    })

    it('receives a second peer\'s records by sync, announced with the ids that changed', async () => {
      const net = await network()
      const [a, b] = await Promise.all([net.open(), net.open()])
      const seen = changesOf(a)
      b.put(record('calc', 'peer-b'), record('summ', 'peer-b'))
      await waitFor('a sees b\'s agents', () => ids(a).length === 2, 10_000)
      expect(ids(a)).toEqual(['calc@peer-b', 'summ@peer-b'])
      expect(seen.every(c => c.origin === 'remote')).toBe(true)
      expect([...new Set(seen.flatMap(c => c.ids))].sort()).toEqual(['calc@peer-b', 'summ@peer-b'])

      seen.length = 0
      b.put(record('calc', 'peer-b', { state: 'working', running: 1, updatedAt: 2 }))
      await waitFor('the status change', () => a.get('calc@peer-b')?.state === 'working', 10_000)
      expect(seen.flatMap(c => c.ids)).toEqual(['calc@peer-b'])
      b.remove('summ@peer-b')
      await waitFor('the removal', () => a.get('summ@peer-b') === undefined, 10_000)
      expect(seen.at(-1)).toEqual({ ids: ['summ@peer-b'], origin: 'remote' })
    })

    it('two peers writing at once both end up with every record', async () => {
      const net = await network()
      const [a, b] = await Promise.all([net.open(), net.open()])
      a.put(record('calc', 'peer-a'))
      b.put(record('calc', 'peer-b'))
      a.put(record('summ', 'peer-a'))
      const all = ['calc@peer-a', 'calc@peer-b', 'summ@peer-a']
      await waitFor('both see 3 agents', () => ids(a).length === 3 && ids(b).length === 3, 10_000)
      expect(ids(a)).toEqual(all)
      expect(ids(b)).toEqual(all)
    })

    it('skips a malformed record from a hostile peer and reports it, keeping the good ones', async () => {
      const net = await network()
      const a = await net.open()
      a.put(record('calc', 'peer-a'))
      const seen = changesOf(a)
      const big = JSON.stringify({ ...record('big', 'peer-z'), lastError: 'x'.repeat(170 * 1024) })
      await net.forge({
        'evil@peer-z': '{"agentId":"evil@peer-z"',
        'fake@peer-z': JSON.stringify({ ...record('calc', 'peer-z'), agentId: 'fake@peer-z' }),
        'bad@peer-z': JSON.stringify({ ...record('bad', 'peer-z'), state: 'sleeping' }),
        'big@peer-z': big,
        'good@peer-z': JSON.stringify(record('good', 'peer-z'))
      })
      await waitFor('the forged records arrive', () => a.invalid().length === 4 && a.get('good@peer-z') !== undefined, 10_000)
      expect(ids(a)).toEqual(['calc@peer-a', 'good@peer-z'])
      const reasons = Object.fromEntries(a.invalid().map(i => [i.agentId, i.reason]))
      expect(Object.keys(reasons).sort()).toEqual(['bad@peer-z', 'big@peer-z', 'evil@peer-z', 'fake@peer-z'])
      expect(reasons['fake@peer-z']).toMatch(/agentId/)
      expect(reasons['bad@peer-z']).toMatch(/state/)
      expect(reasons['big@peer-z']).toMatch(/larger than/)
      expect(reasons['evil@peer-z']).toMatch(/JSON/)
      for (const id of Object.keys(reasons)) expect(a.get(id)).toBeUndefined()
      expect(seen.flatMap(c => c.ids)).toContain('good@peer-z')

      // Put right by its writer, a record counts again.
      await net.forge({ 'bad@peer-z': JSON.stringify(record('bad', 'peer-z')) })
      await waitFor('the fixed record', () => a.get('bad@peer-z') !== undefined, 10_000)
      expect(a.invalid().map(i => i.agentId).sort()).toEqual(['big@peer-z', 'evil@peer-z', 'fake@peer-z'])
    })

    it('stops announcing changes once closed or unsubscribed', async () => {
      const net = await network()
      const reg = await net.open()
      const seen: RegistryChange[] = []
      const off = reg.on('change', c => { seen.push(c) })
      reg.put(record('calc', 'peer-a'))
      off()
      reg.put(record('summ', 'peer-a'))
      expect(seen).toHaveLength(1)
    })
  })
}
