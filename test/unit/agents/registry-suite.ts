/**
 * Compliance suite every AgentRegistryApi implementation must pass (registry-api.ts states the
 * contract), in the manner of automerge-repo's network-adapter tests: the in-process
 * AgentRegistry and the page's RemoteAgentRegistry over the graph worker's record document run
 * the same cases. Call `runAgentRegistrySuite(name, setup)` from a *.test.ts file.
 *
 * `setup` gives a fresh network per test: `open(owner)` opens the room's registry for one more
 * peer on it, writing as `owner`; `forge()` writes raw strings into the document from a peer that
 * does not validate (a hostile or buggy one), so they reach the others only by sync.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { AgentRegistryApi, RegistryChange, RegistryOwner } from '../../../src/agents/registry-api.ts'
import { agentIdFor, encodeAgentRecords, RECORD_STATEMENT_PREFIX, REMOVAL_STATEMENT_PREFIX, validateAgentRecord, type AgentRecord } from '../../../src/agents/registry.ts'
import { canonicalJson } from '../../../src/net/canonical-json.ts'
import { signStatement } from '../../../src/net/peer-signature.ts'
import { waitFor } from '../graph/helpers.ts'
import { A, B, PEER_A, PEER_B, PEER_Z, Z } from './test-peers.ts'

export interface RegistryNetwork {
  open: (owner: RegistryOwner) => Promise<AgentRegistryApi>
  /** Writes `raw` from the hostile peer; with `like`, over what `like` reads for those ids (see forger). */
  forge: (raw: Record<string, string>, like?: AgentRegistryApi) => Promise<void>
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

/** A record as its peer stores it: JSON with its signature (what a registry owned by `owner` writes). */
export function signed (r: AgentRecord, owner: RegistryOwner): string {
  return encodeAgentRecords([r], owner)[0]!.raw
}

const ids = (reg: AgentRegistryApi): string[] => reg.list().map(r => r.agentId).sort()
const sorted = (...xs: string[]): string[] => xs.sort()

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
      const reg = await (await network()).open(PEER_A)
      expect(reg.list()).toEqual([])
      const calc = record('calc', A)
      reg.put(calc, record('summ', A))
      expect(reg.get(`calc@${A}`)).toEqual(calc)
      expect(ids(reg)).toEqual([`calc@${A}`, `summ@${A}`])
      expect(reg.get(`nobody@${A}`)).toBeUndefined()
      reg.put(record('calc', A, { state: 'working', running: 1, updatedAt: 2 }))
      expect(reg.get(`calc@${A}`)).toMatchObject({ state: 'working', running: 1 })
      expect(reg.list()).toHaveLength(2)
      expect(reg.invalid()).toEqual([])
    })

    it('shows its own writes at once and announces them, with their ids, before put/remove return', async () => {
      const reg = await (await network()).open(PEER_A)
      const seen = changesOf(reg)
      reg.put(record('calc', A), record('summ', A))
      expect(seen).toEqual([{ ids: [`calc@${A}`, `summ@${A}`], origin: 'local' }])
      expect(reg.get(`summ@${A}`)?.agentId).toBe(`summ@${A}`)
      reg.remove(`summ@${A}`)
      expect(seen[1]).toEqual({ ids: [`summ@${A}`], origin: 'local' })
      expect(reg.get(`summ@${A}`)).toBeUndefined()
      // The worker's (or document's) answer to our writes announces nothing new.
      await new Promise(resolve => setTimeout(resolve, 100))
      expect(seen).toHaveLength(2)
      expect(ids(reg)).toEqual([`calc@${A}`])
    })

    it('removes records, and ignores ids it does not have', async () => {
      const reg = await (await network()).open(PEER_A)
      reg.put(record('calc', A), record('summ', A), record('plan', A))
      const seen = changesOf(reg)
      reg.remove(`calc@${A}`, `plan@${A}`)
      expect(ids(reg)).toEqual([`summ@${A}`])
      expect(seen.flatMap(c => c.ids).sort()).toEqual([`calc@${A}`, `plan@${A}`])
      reg.remove(`nobody@${A}`)
      reg.remove()
      expect(seen).toHaveLength(1)
      await new Promise(resolve => setTimeout(resolve, 100))
      expect(ids(reg)).toEqual([`summ@${A}`])
    })

    it('validates every record before writing any, naming the field', async () => {
      const reg = await (await network()).open(PEER_A)
      const seen = changesOf(reg)
      expect(() => { reg.put(record('calc', A), { ...record('summ', A), state: 'bogus' as never }) }).toThrow(/state must be one of/)
      expect(() => { reg.put({ ...record('calc', A), agentId: `other@${A}` }) }).toThrow(/agentId/)
      expect(reg.list()).toEqual([])
      expect(seen).toEqual([])
    })

    it('receives a second peer\'s records by sync, announced with the ids that changed', async () => {
      const net = await network()
      const [a, b] = await Promise.all([net.open(PEER_A), net.open(PEER_B)])
      const seen = changesOf(a)
      b.put(record('calc', B), record('summ', B))
      await waitFor('a sees b\'s agents', () => ids(a).length === 2, 10_000)
      expect(ids(a)).toEqual([`calc@${B}`, `summ@${B}`])
      expect(seen.every(c => c.origin === 'remote')).toBe(true)
      expect([...new Set(seen.flatMap(c => c.ids))].sort()).toEqual([`calc@${B}`, `summ@${B}`])

      seen.length = 0
      b.put(record('calc', B, { state: 'working', running: 1, updatedAt: 2 }))
      await waitFor('the status change', () => a.get(`calc@${B}`)?.state === 'working', 10_000)
      expect(seen.flatMap(c => c.ids)).toEqual([`calc@${B}`])
      b.remove(`summ@${B}`)
      await waitFor('the removal', () => a.get(`summ@${B}`) === undefined, 10_000)
      expect(seen.at(-1)).toEqual({ ids: [`summ@${B}`], origin: 'remote' })
    })

    it('two peers writing at once both end up with every record', async () => {
      const net = await network()
      const [a, b] = await Promise.all([net.open(PEER_A), net.open(PEER_B)])
      a.put(record('calc', A))
      b.put(record('calc', B))
      a.put(record('summ', A))
      const all = sorted(`calc@${A}`, `calc@${B}`, `summ@${A}`)
      await waitFor('both see 3 agents', () => ids(a).length === 3 && ids(b).length === 3, 10_000)
      expect(ids(a)).toEqual(all)
      expect(ids(b)).toEqual(all)
    })

    it('skips a malformed record from a hostile peer and reports it, keeping the good ones', async () => {
      const net = await network()
      const a = await net.open(PEER_A)
      a.put(record('calc', A))
      const seen = changesOf(a)
      const big = JSON.stringify({ ...record('big', Z), lastError: 'x'.repeat(170 * 1024) })
      await net.forge({
        [`evil@${Z}`]: `{"agentId":"evil@${Z}"`,
        [`fake@${Z}`]: JSON.stringify({ ...record('calc', Z), agentId: `fake@${Z}` }),
        [`bad@${Z}`]: JSON.stringify({ ...record('bad', Z), state: 'sleeping' }),
        [`big@${Z}`]: big,
        [`good@${Z}`]: signed(record('good', Z), PEER_Z)
      })
      await waitFor('the forged records arrive', () => a.invalid().length === 4 && a.get(`good@${Z}`) !== undefined, 10_000)
      expect(ids(a)).toEqual([`calc@${A}`, `good@${Z}`])
      const reasons = Object.fromEntries(a.invalid().map(i => [i.agentId, i.reason]))
      expect(Object.keys(reasons).sort()).toEqual([`bad@${Z}`, `big@${Z}`, `evil@${Z}`, `fake@${Z}`])
      expect(reasons[`fake@${Z}`]).toMatch(/agentId/)
      expect(reasons[`bad@${Z}`]).toMatch(/state/)
      expect(reasons[`big@${Z}`]).toMatch(/larger than/)
      expect(reasons[`evil@${Z}`]).toMatch(/JSON/)
      for (const id of Object.keys(reasons)) expect(a.get(id)).toBeUndefined()
      expect(seen.flatMap(c => c.ids)).toContain(`good@${Z}`)

      // Put right by its writer, a record counts again.
      await net.forge({ [`bad@${Z}`]: signed(record('bad', Z), PEER_Z) })
      await waitFor('the fixed record', () => a.get(`bad@${Z}`) !== undefined, 10_000)
      expect(a.invalid().map(i => i.agentId).sort()).toEqual([`big@${Z}`, `evil@${Z}`, `fake@${Z}`])
    })

    it('writes and removes only its own peer\'s agents', async () => {
      const net = await network()
      const a = await net.open(PEER_A)
      const seen = changesOf(a)
      expect(() => { a.put(record('calc', A), record('calc', B)) }).toThrow(/peerId is .* another peer: only the peer hosting an agent writes its record/)
      expect(a.list()).toEqual([])
      a.put(record('calc', A))
      expect(() => { a.remove(`calc@${A}`, `calc@${B}`) }).toThrow(/another peer's agent/)
      expect(ids(a)).toEqual([`calc@${A}`])
      expect(seen).toHaveLength(1)
    })

    it('skips records another peer wrote in a peer\'s name: unsigned, signed by the writer, altered or naming no key', async () => {
      const net = await network()
      const [a, b] = await Promise.all([net.open(PEER_A), net.open(PEER_B)])
      a.put(record('calc', A))
      await waitFor('b sees a\'s agent', () => b.get(`calc@${A}`) !== undefined, 10_000)
      // What A itself would have stored for a planner, then altered: a skill it never had.
      const genuine = JSON.parse(signed(record('plan', A), PEER_A)) as Record<string, unknown>
      const altered = { ...genuine, manifest: { ...(genuine.manifest as object), skills: [{ id: 'everything', name: 'Everything', description: 'does anything asked', tags: [], examples: [], level: 'expert' }] } }
      const fields = record('summ', A) as unknown as Record<string, unknown>
      const byZ = JSON.stringify({ ...fields, sig: signStatement(RECORD_STATEMENT_PREFIX + canonicalJson(fields), PEER_Z.sign) })
      await net.forge({
        [`ghost@${A}`]: JSON.stringify(record('ghost', A, { reputation: { add: { factor: 0.5, successes: 0, failures: 1000, verified: 0, disputed: 0, latencyMs: 1 } } })),
        [`summ@${A}`]: byZ,
        [`plan@${A}`]: JSON.stringify(altered),
        'calc@peer-q': JSON.stringify({ ...record('calc', 'peer-q'), sig: 'A'.repeat(86) })
      })
      for (const reg of [a, b]) {
        await waitFor('the forged records arrive', () => reg.invalid().length === 4, 10_000)
        const reasons = Object.fromEntries(reg.invalid().map(i => [i.agentId, i.reason]))
        expect(reasons[`ghost@${A}`]).toMatch(/sig is missing: a record counts only when signed by the peer it names/)
        expect(reasons[`summ@${A}`]).toMatch(/sig does not verify: the record is not what …\w{6} signed/)
        expect(reasons[`plan@${A}`]).toMatch(/sig does not verify/)
        expect(reasons['calc@peer-q']).toMatch(/peerId is not an Ed25519 peer id/)
        expect(ids(reg)).toEqual([`calc@${A}`])
      }
      // The genuine record still reads.
      await net.forge({ [`plan@${A}`]: JSON.stringify(genuine) })
      await waitFor('the genuine record', () => b.get(`plan@${A}`) !== undefined, 10_000)
      expect(b.get(`plan@${A}`)?.manifest.skills.map(x => x.id)).toEqual(['add'])
    })

    it('removes a record with a signed removal in its place, newer than the record, which a later write outdates', async () => {
      const net = await network()
      const [a, b] = await Promise.all([net.open(PEER_A), net.open(PEER_B)])
      a.put(record('calc', A, { updatedAt: 5_000 }))
      await waitFor('b sees a\'s agent', () => b.get(`calc@${A}`) !== undefined, 10_000)
      a.remove(`calc@${A}`)
      expect(a.get(`calc@${A}`)).toBeUndefined()
      expect(a.entry(`calc@${A}`)?.removal).toMatchObject({ agentId: `calc@${A}`, peerId: A, removed: true })
      // Newer than the record it removes, even with a clock behind it (the test's records are from 1970).
      expect(a.entry(`calc@${A}`)!.removal!.updatedAt).toBeGreaterThan(5_000)
      await waitFor('b reads the removal', () => b.entry(`calc@${A}`)?.removal !== undefined, 10_000)
      expect(b.get(`calc@${A}`)).toBeUndefined()
      expect(ids(b)).toEqual([])
      expect(b.invalid()).toEqual([])
      // Removing what is already removed writes nothing.
      const seen = changesOf(a)
      a.remove(`calc@${A}`)
      expect(seen).toEqual([])
      // Registering it again outdates the removal, whatever the record's own clock says.
      a.put(record('calc', A, { updatedAt: 7 }))
      expect(a.get(`calc@${A}`)!.updatedAt).toBeGreaterThan(a.entry(`calc@${A}`)!.record!.updatedAt - 1)
      await waitFor('b sees it again', () => b.get(`calc@${A}`) !== undefined, 10_000)
      expect(b.get(`calc@${A}`)!.updatedAt).toBeGreaterThan(5_000)
    })

    it('counts a removal only when the agent\'s peer signed it', async () => {
      const net = await network()
      const a = await net.open(PEER_A)
      const removal = { agentId: `calc@${A}`, peerId: A, removed: true, updatedAt: 9 }
      const sign = (r: object, by = PEER_A): string => signStatement(REMOVAL_STATEMENT_PREFIX + canonicalJson(r), by.sign)
      await net.forge({
        [`calc@${A}`]: JSON.stringify(removal),
        [`summ@${A}`]: JSON.stringify({ ...removal, agentId: `summ@${A}`, sig: sign({ ...removal, agentId: `summ@${A}` }, PEER_Z) }),
        [`plan@${A}`]: JSON.stringify({ ...removal, agentId: `plan@${A}`, reason: 'x', sig: sign({ ...removal, agentId: `plan@${A}`, reason: 'x' }) }),
        [`calc@${Z}`]: JSON.stringify({ ...removal, sig: sign(removal, PEER_Z) })
      })
      await waitFor('the forged removals arrive', () => a.invalid().length === 4, 10_000)
      const reasons = Object.fromEntries(a.invalid().map(i => [i.agentId, i.reason]))
      expect(reasons[`calc@${A}`]).toMatch(/sig is missing: a removal counts only when signed by the peer it names/)
      expect(reasons[`summ@${A}`]).toMatch(/sig does not verify: the removal is not what …\w{6} signed/)
      expect(reasons[`plan@${A}`]).toMatch(/reason is not a field of a removal/)
      expect(reasons[`calc@${Z}`]).toMatch(/agentId does not match its key/)
      for (const id of Object.keys(reasons)) expect(a.entry(id)?.removal).toBeUndefined()
    })

    it('restores another peer\'s signed record or removal only over an older value or one that does not count', async () => {
      const net = await network()
      const [a, b] = await Promise.all([net.open(PEER_A), net.open(PEER_B)])
      b.put(record('calc', B, { updatedAt: 10 }))
      await waitFor('a sees b\'s record', () => a.get(`calc@${B}`) !== undefined, 10_000)
      const v10 = a.entry(`calc@${B}`)!.raw as string
      b.put(record('calc', B, { updatedAt: 20, completed: 3 }))
      await waitFor('a sees the newer one', () => a.get(`calc@${B}`)?.updatedAt === 20, 10_000)
      const v20 = a.entry(`calc@${B}`)!.raw as string
      // Older than what is there: not written.
      expect(a.restore(`calc@${B}`, v10)).toBe(false)
      expect(a.restore(`calc@${B}`, v20)).toBe(false)
      expect(a.get(`calc@${B}`)?.updatedAt).toBe(20)
      // What does not verify is refused, naming why.
      expect(() => a.restore(`calc@${B}`, JSON.stringify(record('calc', B, { updatedAt: 99 })))).toThrow(/cannot be restored: agent record: sig is missing/)
      expect(() => a.restore(`summ@${B}`, v20)).toThrow(/agentId does not match its key/)
      // Over a value that does not count (a hostile write): put back, and every peer reads it.
      await net.forge({ [`calc@${B}`]: JSON.stringify(record('calc', B, { updatedAt: 30, failures: 500 })) }, a)
      await waitFor('the forgery reaches a and b', () => a.get(`calc@${B}`) === undefined && b.get(`calc@${B}`) === undefined, 10_000)
      const seen = changesOf(a)
      expect(a.restore(`calc@${B}`, v20)).toBe(true)
      expect(a.get(`calc@${B}`)).toMatchObject({ updatedAt: 20, completed: 3 })
      expect(seen).toEqual([{ ids: [`calc@${B}`], origin: 'local' }])
      await waitFor('b reads its record again', () => b.get(`calc@${B}`)?.completed === 3, 10_000)
      // Over an older signed record (replayed): put back too.
      await net.forge({ [`calc@${B}`]: v10 }, a)
      // b must hold the replay too: b's removal below would otherwise be concurrent with a's
      // restore, and Automerge may settle that conflict for the restore (the owning tab's host
      // then removes its record again; this suite has no host).
      await waitFor('the replay reaches a and b', () => a.get(`calc@${B}`)?.updatedAt === 10 && b.get(`calc@${B}`)?.updatedAt === 10, 10_000)
      expect(a.restore(`calc@${B}`, v20)).toBe(true)
      await waitFor('b reads the newest again', () => b.get(`calc@${B}`)?.updatedAt === 20, 10_000)
      // A removal is restored like a record: over the record it outdates.
      b.remove(`calc@${B}`)
      await waitFor('a reads the removal', () => a.entry(`calc@${B}`)?.removal !== undefined, 10_000)
      const removal = a.entry(`calc@${B}`)!.raw as string
      await net.forge({ [`calc@${B}`]: v20 }, a)
      await waitFor('the replayed record reaches a', () => a.get(`calc@${B}`) !== undefined, 10_000)
      expect(a.restore(`calc@${B}`, removal)).toBe(true)
      expect(a.get(`calc@${B}`)).toBeUndefined()
      await waitFor('b reads its removal again', () => b.entry(`calc@${B}`)?.removal !== undefined, 10_000)
      expect(ids(b)).toEqual([])
    })

    it('stops announcing changes once closed or unsubscribed', async () => {
      const net = await network()
      const reg = await net.open(PEER_A)
      const seen: RegistryChange[] = []
      const off = reg.on('change', c => { seen.push(c) })
      reg.put(record('calc', A))
      off()
      reg.put(record('summ', A))
      expect(seen).toHaveLength(1)
    })
  })
}
