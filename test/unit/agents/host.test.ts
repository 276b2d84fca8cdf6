/**
 * The tab's agent host, with everything real except the worker runtime (Node has no Web Workers;
 * the runtime is proven in Chromium by test/e2e). The runner here runs handlers in-process with
 * the same interface, so registration, the registry and matching are exercised for real: two hosts
 * on two Repos synced through a memory network, and the real embedded model.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildModel, DEFAULT_OUT_DIR } from '../../../scripts/model/build.mjs'
import { AgentHost, AgentRegisterError, type AgentRunner } from '../../../src/agents/host.ts'
import { openAgentRegistry, type AgentRegistry } from '../../../src/agents/registry.ts'
import { parseManifest, type AgentManifest } from '../../../src/agents/manifest.ts'
import type { AgentSpec, AgentStatus, BuiltinKind } from '../../../src/agents/types.ts'
import { createEmbedder, EMBEDDED_MODEL, type LoadedEmbedder } from '../../../src/match/embedder.ts'
import { createGraphRepo } from '../../../src/graph/room.ts'
import { ImmutableString, type Repo } from '@automerge/automerge-repo/slim'
import { MemoryHub } from '../graph/memory-network.ts'
import { waitFor } from '../graph/helpers.ts'
import { A, B, PEER_A, PEER_B, PEER_Z } from './test-peers.ts'

class InProcessRunner implements AgentRunner {
  statuses = new Map<string, AgentStatus>()
  listeners = new Set<(e: { id: string }) => void>()
  async start (id: string, spec: AgentSpec): Promise<AgentStatus> {
    if ('source' in spec && spec.source.includes('syntax error')) throw new Error('agent source: SyntaxError: Unexpected identifier')
    const s: AgentStatus = { id, manifest: spec.manifest!, kind: 'kind' in spec ? spec.kind : 'custom', state: 'idle', running: 0, completed: 0, failures: 0, restarts: 0 }
    this.statuses.set(id, s)
    return s
  }
  async run (id: string): Promise<never> { throw new Error(`not used: ${id}`) }
  stop (id: string): void { const s = this.statuses.get(id); if (s) s.state = 'stopped'; this.statuses.delete(id) }
  status (id: string): AgentStatus | undefined { return this.statuses.get(id) }
  on (_e: 'state', fn: (e: { id: string }) => void): () => void { this.listeners.add(fn); return () => this.listeners.delete(fn) }
  set (id: string, patch: Partial<AgentStatus>): void {
    const s = { ...this.statuses.get(id)!, ...patch }
    this.statuses.set(id, s)
    for (const fn of this.listeners) fn(s)
  }
}

const manifests: Record<string, AgentManifest> = {
  calculator: parseManifest({
    manifestVersion: 1, id: 'calculator', name: 'Calculator', description: 'Evaluates arithmetic and converts units', version: '1.0.0',
    skills: [{ id: 'arithmetic', name: 'Arithmetic', description: 'computes arithmetic expressions, percentages and sums', tags: ['math'], level: 'expert',
      examples: ['what is 17% of 2340', 'add 45 and 78', 'multiply 12 by 9'] }]
  }),
  summariser: parseManifest({
    manifestVersion: 1, id: 'summariser', name: 'Summariser', description: 'Summarises long texts', version: '1.0.0',
    skills: [{ id: 'summarise', name: 'Summarise', description: 'condenses an article or document into its key sentences', tags: ['text'], level: 'competent',
      examples: ['summarise this article', 'give me the gist of this report', 'tl;dr of the meeting notes'] }]
  })
}
const builtinManifest = (kind: BuiltinKind): AgentManifest => {
  const m = manifests[kind]
  if (m === undefined) throw new Error(`no built-in ${kind} in this test`)
  return m
}

const translator = {
  manifestVersion: 1, id: 'translator', name: 'Translator', description: 'Translates text between languages', version: '0.1.0',
  skills: [{ id: 'translate', name: 'Translate', description: 'translates sentences from English into French, German or Spanish', tags: ['language'], level: 'competent',
    examples: ['translate good morning into French', 'how do you say thank you in German', 'say this in Spanish'] }]
}
const source = 'export default async (task) => ({ text: task.text.toUpperCase() })'

let embedder: LoadedEmbedder
beforeAll(async () => {
  await buildModel({ log: () => {} })
  embedder = await createEmbedder({ model: EMBEDDED_MODEL, embeddedModelPath: path.dirname(DEFAULT_OUT_DIR) + '/' })
}, 120_000)
afterAll(async () => { await embedder?.dispose() })

async function twoHosts (): Promise<{ a: AgentHost, b: AgentHost, runA: InProcessRunner, regA: AgentRegistry, repos: Repo[], hub: MemoryHub, presence: { bSeesA: boolean } }> {
  const hub = new MemoryHub()
  const repoA = createGraphRepo({ network: hub.adapter(), peerId: 'repo-a' })
  const repoB = createGraphRepo({ network: hub.adapter(), peerId: 'repo-b' })
  const [regA, regB] = await Promise.all([openAgentRegistry(repoA, 'lab', PEER_A), openAgentRegistry(repoB, 'lab', PEER_B)])
  const runA = new InProcessRunner()
  const common = { embedder: Promise.resolve(embedder), model: EMBEDDED_MODEL, builtinManifest }
  const a = new AgentHost({ ...common, peerId: A, registry: regA, runner: runA, livePeers: () => [B] })
  const presence = { bSeesA: true }
  const b = new AgentHost({ ...common, peerId: B, registry: regB, runner: new InProcessRunner(), livePeers: () => presence.bSeesA ? [A] : [] })
  return { a, b, runA, regA, repos: [repoA, repoB], hub, presence }
}

describe('agent host', () => {
  it('a custom agent registered on one tab appears on the other, and routes there', async () => {
    const { a, b, repos } = await twoHosts()
    await a.startDefaults(['calculator'])
    await b.startDefaults(['summariser'])
    const id = await a.register({ manifest: translator, source, author: 'Ada' })
    expect(id).toBe(`translator@${A}`)
    await waitFor('b sees 3 agents', () => b.list().length === 3)
    const seen = b.list().find(v => v.agentId === id)!
    expect(seen).toMatchObject({ peerId: A, kind: 'custom', author: 'Ada', source, local: false, online: true, state: 'idle' })
    expect(b.list().find(v => v.agentId === `summariser@${B}`)?.local).toBe(true)

    const m = await b.match('please translate "where is the station" into German', 3)
    expect(m[0]).toMatchObject({ agentId: `translator@${A}`, peerId: A, skillId: 'translate' })
    expect(m[0]!.confidence).toBeGreaterThan(m[1]!.confidence)
    const calc = await b.match('what is 15% of 80?', 1)
    expect(calc[0]).toMatchObject({ agentId: `calculator@${A}`, skillId: 'arithmetic' })
    expect((await b.match('condense this long report into a few sentences', 1))[0]?.agentId).toBe(`summariser@${B}`)
    expect(await b.match('what is 15% of 80?', 1, { localOnly: true })).toEqual([
      expect.objectContaining({ agentId: `summariser@${B}` })
    ])

    await a.unregister(id)
    await waitFor('b sees it go', () => b.list().every(v => v.agentId !== id))
    expect((await b.match('translate good night into French', 3)).map(x => x.agentId)).not.toContain(id)
    await Promise.all(repos.map(async r => await r.shutdown()))
  })

  it('refuses a bad manifest or source with the field named, and publishes nothing', async () => {
    const { a, regA, repos } = await twoHosts()
    const problems: string[] = []
    a.on('problem', p => { problems.push(p.code) })
    await expect(a.register({ manifest: { ...translator, skills: [{ ...translator.skills[0], level: 'guru' }] }, source })).rejects.toThrow(/manifest\.skills\[0\]\.level/)
    await expect(a.register({ manifest: '{"manifestVersion": 1,', source })).rejects.toThrow(/manifest.*line 1/)
    await expect(a.register({ manifest: translator, source: '' })).rejects.toThrow(/source: must be the non-empty text/)
    await expect(a.register({ manifest: translator, source: 'x'.repeat(70_000) })).rejects.toThrow(/source: must be at most 64 KiB/)
    await expect(a.register({ source })).rejects.toThrow(/manifest: is required/)
    await expect(a.register({ manifest: translator, source: 'syntax error here' })).rejects.toThrow(/SyntaxError/)
    await expect(a.register({ kind: 'planner' })).rejects.toThrow(AgentRegisterError)
    expect(regA.list()).toEqual([])
    expect(problems).toEqual(['bad-manifest', 'bad-manifest', 'bad-source', 'bad-source', 'bad-manifest', 'start-failed', 'bad-source'])
    await a.register({ manifest: translator, source })
    await expect(a.register({ manifest: translator, source })).rejects.toThrow(/already runs in this tab/)
    await expect(a.unregister(`nobody@${A}`)).rejects.toThrow(/no agent/)
    await Promise.all(repos.map(async r => await r.shutdown()))
  })

  it('restores its custom agents after a restart, drops stale records, and lets another peer adopt one', async () => {
    const { a, b, regA, repos } = await twoHosts()
    await a.register({ manifest: translator, source, author: 'Ada' })
    await a.register({ kind: 'summariser' })
    // A new session of peer-a: a fresh runner over the same registry, now hosting only the calculator.
    const a2 = new AgentHost({ peerId: A, registry: regA, runner: new InProcessRunner(), embedder: Promise.resolve(embedder), model: EMBEDDED_MODEL, builtinManifest, livePeers: () => [] })
    const started = await a2.startDefaults(['calculator'])
    expect(started.sort()).toEqual([`calculator@${A}`, `translator@${A}`])
    expect(regA.list().map(r => r.agentId).sort()).toEqual([`calculator@${A}`, `translator@${A}`])
    await waitFor('b sees the translator', () => b.list().some(v => v.agentId === `translator@${A}`))
    await expect(b.adopt(`calculator@${A}`)).rejects.toThrow(/built-in/)
    const copy = await b.adopt(`translator@${A}`)
    expect(copy).toBe(`translator@${B}`)
    expect(b.list().find(v => v.agentId === copy)).toMatchObject({ originId: `translator@${A}`, author: 'Ada', source, local: true })
    await Promise.all(repos.map(async r => await r.shutdown()))
  })

  it('a restarted tab\'s agents keep the reputation and examples they earned, unless their code changed', async () => {
    const { a, regA, repos } = await twoHosts()
    const calc = (await a.startDefaults(['calculator']))[0]!
    const custom = await a.register({ manifest: translator, source, author: 'Ada' })
    const rep = { factor: 0.71, successes: 3, failures: 9, verified: 1, disputed: 2, latencyMs: 2400 }
    for (const id of [calc, custom]) a.setReputation(id, id === calc ? 'arithmetic' : 'translate', rep)
    a.learn(calc, 'arithmetic', 'what is a third of 96')
    await waitFor('the registry has them', () => regA.get(calc)?.reputation?.arithmetic !== undefined && regA.get(custom)?.reputation?.translate !== undefined && regA.get(calc)?.learned !== undefined, 3000)
    // A new session of peer-a over the same registry: the built-in starts again, the custom agent too.
    const a2 = new AgentHost({ peerId: A, registry: regA, runner: new InProcessRunner(), embedder: Promise.resolve(embedder), model: EMBEDDED_MODEL, builtinManifest, livePeers: () => [] })
    await a2.startDefaults(['calculator'])
    expect(regA.get(calc)).toMatchObject({ reputation: { arithmetic: rep }, learned: { arithmetic: ['what is a third of 96'] } })
    expect(regA.get(custom)?.reputation).toEqual({ translate: rep })
    // New code under the same id (another session registers it afresh) starts from nothing.
    const a3 = new AgentHost({ peerId: A, registry: regA, runner: new InProcessRunner(), embedder: Promise.resolve(embedder), model: EMBEDDED_MODEL, builtinManifest, livePeers: () => [] })
    expect(regA.get(custom)?.reputation).toEqual({ translate: rep })
    await a3.register({ manifest: translator, source: source.replace('toUpperCase', 'toLowerCase') })
    expect(regA.get(custom)?.reputation).toBeUndefined()
    await Promise.all(repos.map(async r => await r.shutdown()))
  })

  it('a record another member writes in a tab\'s name is refused everywhere, reported, and put right by the tab', async () => {
    const { a, b, hub, repos } = await twoHosts()
    const problems: Record<string, Array<{ code: string, agentId: string, message: string }>> = { a: [], b: [] }
    a.on('problem', p => { problems.a!.push(p) })
    b.on('problem', p => { problems.b!.push(p) })
    const [calc] = await a.startDefaults(['calculator'])
    await waitFor('b sees the calculator', () => b.list().some(v => v.agentId === calc), 5000)
    await b.indexed()
    expect((await b.match('what is 17 times 23', 1))[0]?.agentId).toBe(calc)
    const genuine = b.list().find(v => v.agentId === calc)!
    // A third member of the room (its own key, its own Repo) writes in a's name: the calculator
    // without its skills and with a ruined reputation, unsigned; and an agent a never ran.
    const hostileRepo = createGraphRepo({ network: hub.adapter(), peerId: 'repo-z' })
    repos.push(hostileRepo)
    const hostile = await openAgentRegistry(hostileRepo, 'lab', PEER_Z)
    await waitFor('the hostile peer has a\'s record', () => hostile.get(calc!) !== undefined, 5000)
    const { local: _l, online: _o, ...fields } = genuine
    const forged = { ...fields, manifest: { ...genuine.manifest, skills: [{ ...genuine.manifest.skills[0]!, id: 'nothing', name: 'Nothing', description: 'does nothing useful', examples: ['nothing at all'] }] }, reputation: { arithmetic: { factor: 0.5, successes: 0, failures: 500, verified: 0, disputed: 500, latencyMs: 9000 } } }
    const ghost = { ...fields, agentId: `ghost@${A}`, manifest: { ...genuine.manifest, id: 'ghost' } }
    hostile.handle.change(d => {
      d.agents[calc!] = new ImmutableString(JSON.stringify(forged))
      d.agents[`ghost@${A}`] = new ImmutableString(JSON.stringify(ghost))
    })
    // b never takes the forgery: it reports it, and a writes its own record again.
    await waitFor('b reports the forged record', () => problems.b!.some(p => p.code === 'record-refused' && p.agentId === calc), 5000)
    expect(problems.b!.find(p => p.agentId === calc)?.message).toMatch(/sig is missing: a record counts only when signed by the peer it names/)
    await waitFor('a puts its record right and removes the ghost', () => problems.a!.filter(p => p.code === 'record-overwritten').length === 2, 5000)
    expect(problems.a!.find(p => p.agentId === calc)?.message).toMatch(/: another member of the room replaced its record in the room's registry with one this peer did not sign; this tab writes it again/)
    expect(problems.a!.find(p => p.agentId === `ghost@${A}`)?.message).toMatch(/under this peer's name, which does not run it; removed/)
    await waitFor('b reads the genuine record again', () => b.list().find(v => v.agentId === calc)?.manifest.skills[0]?.id === 'arithmetic', 5000)
    await waitFor('the ghost is gone', () => hostile.invalid().every(i => i.agentId !== `ghost@${A}`) && b.registry.invalid().length === 0, 5000)
    expect(b.list().find(v => v.agentId === calc)?.reputation).toBeUndefined()
    await b.indexed()
    expect((await b.match('what is 17 times 23', 1))[0]?.agentId).toBe(calc)

    // Removing the record is put right too.
    hostile.handle.change(d => { Reflect.deleteProperty(d.agents, calc!) })
    await waitFor('a writes it again', () => problems.a!.some(p => p.message.includes('another member of the room removed its record')), 5000)
    await waitFor('b has it again', () => b.list().some(v => v.agentId === calc), 5000)
    await Promise.all(repos.map(async r => await r.shutdown()))
  })

  it('a tab puts back the record of an agent whose peer is away when another member removes it, with what it earned', async () => {
    const { a, b, hub, repos, presence } = await twoHosts()
    const problems: Array<{ code: string, agentId: string, message: string }> = []
    b.on('problem', p => { problems.push(p) })
    const [calc] = await a.startDefaults(['calculator'])
    a.setReputation(calc!, 'arithmetic', { factor: 1.3, successes: 9, failures: 1, verified: 6, disputed: 0, latencyMs: 30 })
    a.learn(calc!, 'arithmetic', 'how much is 12 dozen eggs')
    await waitFor('b sees what the calculator earned', () => b.list().find(v => v.agentId === calc)?.reputation?.arithmetic?.factor === 1.3, 5000)
    const hostileRepo = createGraphRepo({ network: hub.adapter(), peerId: 'repo-z' })
    repos.push(hostileRepo)
    const hostile = await openAgentRegistry(hostileRepo, 'lab', PEER_Z)
    await waitFor('the hostile peer has it', () => hostile.get(calc!)?.reputation !== undefined, 5000)
    // a's tab closes; b notices it is gone. Then the hostile member deletes a's calculator.
    a.close()
    await repos[0]!.shutdown()
    presence.bSeesA = false
    b.refreshPresence()
    hostile.handle.change(d => { Reflect.deleteProperty(d.agents, calc!) })
    await waitFor('b puts it back', () => problems.some(p => p.code === 'record-restored'), 5000)
    expect(problems.find(p => p.code === 'record-restored')).toMatchObject({ agentId: calc, message: expect.stringMatching(/while …\w{6} is away, another member of the room removed it from the room's registry; this tab put back its latest record/) })
    expect(b.restoredRecords).toBe(1)
    await waitFor('the hostile peer reads it again', () => hostile.get(calc!) !== undefined, 5000)
    expect(b.list().find(v => v.agentId === calc)).toMatchObject({ online: false, reputation: { arithmetic: { factor: 1.3 } }, learned: { arithmetic: ['how much is 12 dozen eggs'] } })
    await Promise.all(repos.slice(1).map(async r => await r.shutdown()))
  })

  it('publishes status changes, coalesced', async () => {
    const { a, b, runA, regA, repos } = await twoHosts()
    const id = await a.register({ manifest: translator, source })
    for (let i = 1; i <= 20; i++) runA.set(id, { state: 'working', running: 1, completed: i })
    runA.set(id, { state: 'idle', running: 0, completed: 20, restarts: 1, lastError: 'worker crashed: boom' })
    await waitFor('b sees the status', () => b.list().find(v => v.agentId === id)?.completed === 20, 3000)
    expect(b.list().find(v => v.agentId === id)).toMatchObject({ state: 'idle', restarts: 1, lastError: 'worker crashed: boom' })
    // 21 state events, but the registry got the registration plus one coalesced status write.
    const { Automerge } = await import('@automerge/automerge-repo/slim')
    const history = Automerge.getHistory(regA.handle.doc())
    expect(history.length).toBeLessThanOrEqual(3 + 1)
    await Promise.all(repos.map(async r => await r.shutdown()))
  })

  it('learns from completed tasks: their texts become examples every tab matches against', async () => {
    const { a, b, repos } = await twoHosts()
    const id = await a.register({ manifest: translator, source })
    await waitFor('b sees it', () => b.list().some(v => v.agentId === id))
    const task = 'render this memo in Portuguese for the Lisbon office'
    const before = (await b.match(task, 3)).find(m => m.agentId === id)?.confidence ?? 0
    a.learn(id, 'translate', task)
    a.learn(id, 'translate', task) // once is enough
    a.learn(id, 'no-such-skill', 'ignored')
    a.learn(`calculator@${B}`, 'arithmetic', 'not ours to teach')
    await waitFor('b sees the learned example', () => b.list().find(v => v.agentId === id)?.learned?.translate?.length === 1, 3000)
    await b.indexed()
    const after = (await b.match(task, 3)).find(m => m.agentId === id)?.confidence ?? 0
    expect(after).toBeGreaterThan(before)
    expect(b.list().find(v => v.agentId === id)?.learned).toEqual({ translate: [task] })
    await Promise.all(repos.map(async r => await r.shutdown()))
  })

  it('identical agents pool what they learned, so one lucky instance does not win every similar task', async () => {
    const { a, b, repos } = await twoHosts()
    const original = await a.register({ manifest: translator, source })
    await waitFor('b sees it', () => b.list().some(v => v.agentId === original))
    const copy = await b.adopt(original)
    await waitFor('a sees the copy', () => a.list().some(v => v.agentId === copy))
    const task = 'render this memo in Portuguese for the Lisbon office'
    a.learn(original, 'translate', task)
    await waitFor('b sees the learned example', () => b.list().find(v => v.agentId === original)?.learned?.translate?.length === 1, 3000)
    await b.indexed()
    const ranked = await b.match(task, 3)
    const conf = (id: string): number => ranked.find(m => m.agentId === id)?.confidence ?? 0
    expect(conf(copy)).toBeCloseTo(conf(original), 6)
    expect(conf(copy)).toBeGreaterThan(0.5)
    await Promise.all(repos.map(async r => await r.shutdown()))
  })
})
