import { test, expect, type BrowserContext, type Page } from '@playwright/test'
import { startStack, openTab, expectFullMesh, peerIdOf, type Stack } from './harness.ts'

// Agents across real tabs: the real embedding model through Transformers.js (WASM) in Chromium,
// agents in real Web Workers, the registry synced over WebRTC.
test.describe.configure({ mode: 'serial' })

let stack: Stack
let ctxA: BrowserContext
let ctxB: BrowserContext
let tabs: Page[] = []
const ROOM = '?room=agents'

const wordCounter = {
  manifestVersion: 1,
  id: 'word-counter',
  name: 'Word counter',
  description: 'Counts the words of a text.',
  version: '0.1.0',
  skills: [{
    id: 'count-words',
    name: 'Count words',
    description: 'Counts how many words and sentences a text has.',
    tags: ['text'],
    examples: ['how many words are in this paragraph', 'count the words of my essay', 'word count of this text'],
    level: 'expert'
  }]
}
const wordCounterSource = 'export default async (task) => { const n = task.text.split(/\\s+/).filter(Boolean).length; return { text: `${n} words`, output: n } }'

async function openAgentTab (ctx: BrowserContext): Promise<Page> {
  const page = await openTab(ctx, stack.url + ROOM)
  await page.evaluate(() => window.meshwork.agents.ready)
  return page
}

test.beforeAll(async ({ browser }) => {
  stack = await startStack()
  ctxA = await browser.newContext()
  ctxB = await browser.newContext()
})
test.afterAll(async () => {
  await ctxA?.close().catch(() => {}); await ctxB?.close().catch(() => {})
  await stack?.stop()
})

test('the embedded model loads through Transformers.js (WASM) in Chromium, served by the app', async () => {
  const page = await ctxA.newPage()
  const foreign: string[] = []
  page.on('request', r => { if (!r.url().startsWith(stack.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(r.url()) })
  await page.goto(stack.url + ROOM)
  await page.waitForFunction(() => window.meshwork !== undefined)
  await page.evaluate(() => window.meshwork.agents.ready)
  const model = await page.evaluate(() => window.meshwork.agents.model())
  expect(model).toMatchObject({ state: 'ready', requested: 'meshwork-glove-100d', modelId: 'meshwork-glove-100d', dims: 100 })
  const sims = await page.evaluate(async () => {
    const [cat, kitten, stocks] = await window.meshwork.agents.embed(['a cat sleeps on the sofa', 'a kitten naps on the couch', 'stock markets fell sharply today'])
    const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0)
    return { norm: dot(cat!, cat!), near: dot(cat!, kitten!), far: dot(cat!, stocks!), len: cat!.length }
  })
  expect(sims.len).toBe(100)
  expect(sims.norm).toBeCloseTo(1, 3)
  expect(sims.near).toBeGreaterThan(sims.far + 0.2)
  expect(foreign, 'nothing loads from outside the app').toEqual([])
  await page.getByTestId('agents-tab').click()
  await expect(page.getByTestId('model-state')).toHaveText('ready')
  await page.screenshot({ path: 'test-results/agents-tab.png', fullPage: true })
  tabs.push(page)
})

test('tabs of one browser profile share one embedding worker (one model load); a profile of its own gets its own', async ({ browser }) => {
  const second = await openAgentTab(ctxA)
  const other = await openAgentTab(ctxB)
  const cdp = await browser.newBrowserCDPSession()
  const { targetInfos } = await cdp.send('Target.getTargets') as { targetInfos: Array<{ type: string, url: string }> }
  await cdp.detach()
  const embedding = targetInfos.filter(t => t.type === 'shared_worker' && t.url.includes('embedding.worker'))
  // ctxA's two tabs share one; ctxB (another profile, like another browser) has its own.
  expect(embedding).toHaveLength(2)
  // Both tabs of ctxA embed with it.
  for (const p of [tabs[0]!, second, other]) {
    const [v] = await p.evaluate(async () => await window.meshwork.agents.embed(['one shared model']))
    expect(v).toHaveLength(100)
  }
  // Closing one tab leaves the model working for the other.
  await second.close()
  await other.close()
  const [v] = await tabs[0]!.evaluate(async () => await window.meshwork.agents.embed(['still here']))
  expect(v).toHaveLength(100)
})

test('built-in agents do real work in their workers', async () => {
  const page = tabs[0]!
  const self = await peerIdOf(page)
  const local = await page.evaluate(() => window.meshwork.agents.list().filter(a => a.local).map(a => a.kind).sort())
  expect(local).toEqual(['calculator', 'js-runner', 'planner', 'researcher', 'summariser', 'verifier'])
  const calc = await page.evaluate(id => window.meshwork.agents.run(`calculator@${id}`, 'what is 17% of 2,340?'), self)
  expect(calc.text).toContain('397.8')
  expect(calc.working?.length).toBeGreaterThan(0)
  const js = await page.evaluate(id => window.meshwork.agents.run(`js-runner@${id}`, { id: 't-js', text: 'run this', input: { code: 'console.log("hi"); [1,2,3].map(x => x * 2)' } }), self)
  expect(js.output).toEqual([2, 4, 6])
  expect(js.working?.join('\n')).toContain('hi')
  const plan = await page.evaluate(id => window.meshwork.agents.run(`planner@${id}`, 'Convert 5 miles to km, then summarise the result in one sentence'), self)
  expect(plan.plan?.subtasks.length).toBe(2)
  expect(plan.plan?.subtasks[1]?.dependsOn).toEqual([plan.plan?.subtasks[0]?.id])
  // Matching picks the calculator for arithmetic and the runner for code, locally and fast.
  const best = await page.evaluate(async () => ({
    math: (await window.meshwork.agents.match('how much is 12 times 34?', 1))[0]?.agentId,
    code: (await window.meshwork.agents.match('execute this javascript snippet and print the output', 1))[0]?.agentId
  }))
  expect(best.math).toBe(`calculator@${self}`)
  expect(best.code).toBe(`js-runner@${self}`)
})

test('a custom agent registered on tab A appears on tabs B and C, and B can opt in to run it', async () => {
  tabs.push(await openAgentTab(ctxB), await openAgentTab(ctxB))
  const [a, b, c] = tabs as [Page, Page, Page]
  await expectFullMesh(tabs)
  const idA = await peerIdOf(a)
  // Through the editor on A, as a person would.
  await a.getByTestId('agent-manifest').fill(JSON.stringify(wordCounter, null, 2))
  await a.getByTestId('agent-source').fill(wordCounterSource)
  await a.getByTestId('agent-register').click()
  await expect(a.getByTestId('agent-editor-ok')).toContainText(`word-counter@${idA}`)
  for (const p of [b, c]) {
    await expect.poll(() => p.evaluate(id => window.meshwork.agents.list().find(x => x.agentId === id)?.state ?? null, `word-counter@${idA}`), { timeout: 20_000 }).toBe('idle')
    const seen = await p.evaluate(id => window.meshwork.agents.list().find(x => x.agentId === id), `word-counter@${idA}`)
    expect(seen).toMatchObject({ peerId: idA, kind: 'custom', local: false, online: true, source: wordCounterSource })
    await expect.poll(async () => (await p.evaluate(() => window.meshwork.agents.match('count the words in this essay please', 1)))[0]?.agentId, { timeout: 10_000 }).toBe(`word-counter@${idA}`)
  }
  await b.getByTestId('agents-tab').click()
  await b.locator(`[data-agent-id="word-counter@${idA}"]`).getByTestId('agent-adopt').click()
  const idB = await peerIdOf(b)
  await expect(b.locator(`[data-testid="local-agents"] [data-agent-id="word-counter@${idB}"]`)).toBeVisible()
  const r = await b.evaluate(id => window.meshwork.agents.run(id, 'one two three four'), `word-counter@${idB}`)
  expect(r).toMatchObject({ text: '4 words', output: 4 })
  await b.screenshot({ path: 'test-results/agents-adopted.png', fullPage: true })
})

test('a crashing agent is restarted and reported; a hung one is interrupted at its timeout and keeps its worker', async () => {
  const page = tabs[0]!
  const self = await peerIdOf(page)
  const crasher = { ...wordCounter, id: 'crasher', name: 'Crasher', limits: { timeoutMs: 5000 } }
  const hanger = { ...wordCounter, id: 'hanger', name: 'Hanger', limits: { timeoutMs: 1000 } }
  await page.evaluate(async ([m1, m2]) => {
    await window.meshwork.agents.register({ manifest: m1, source: 'export default async (task) => { if (task.text === "crash") setTimeout(() => { throw new Error("boom in the worker") }); if (task.text === "crash") await new Promise(() => {}); return { text: "fine" } }' })
    await window.meshwork.agents.register({ manifest: m2, source: 'export default async (task) => { if (task.text === "hang") { while (true) {} } return { text: "awake" } }' })
  }, [crasher, hanger] as const)
  const crash = await page.evaluate(id => window.meshwork.agents.run(id, 'crash').then(() => 'resolved', (e: Error) => e.message), `crasher@${self}`)
  expect(crash).toMatch(/crash/i)
  await expect.poll(() => page.evaluate(id => window.meshwork.agents.list().find(a => a.agentId === id)?.restarts ?? 0, `crasher@${self}`), { timeout: 10_000 }).toBeGreaterThanOrEqual(1)
  expect(await page.evaluate(id => window.meshwork.agents.run(id, 'hello'), `crasher@${self}`)).toMatchObject({ text: 'fine' })
  await expect.poll(() => page.evaluate(() => Object.keys(window.meshwork.stats().problems).filter(k => k.startsWith('agents:agent-crashed')).length)).toBe(1)

  const t0 = Date.now()
  const hang = await page.evaluate(id => window.meshwork.agents.run(id, 'hang').then(() => 'resolved', (e: Error & { code?: string }) => e.message), `hanger@${self}`)
  const took = Date.now() - t0
  expect(hang).toMatch(/took longer than 1000 ms/)
  expect(took).toBeLessThan(8000)
  // Its sandbox interrupted the loop: the same worker takes the next task, nothing was restarted.
  expect(await page.evaluate(id => window.meshwork.agents.run(id, 'wake up', { timeoutMs: 10_000 }), `hanger@${self}`)).toMatchObject({ text: 'awake' })
  expect(await page.evaluate(id => window.meshwork.agents.list().find(a => a.agentId === id)?.restarts, `hanger@${self}`)).toBe(0)
  // The tab itself stayed responsive throughout, and the other tabs see the failure of the hung task.
  await expect.poll(() => tabs[1]!.evaluate(id => window.meshwork.agents.list().find(a => a.agentId === id)?.failures ?? 0, `hanger@${self}`), { timeout: 10_000 }).toBeGreaterThanOrEqual(1)
})

test('a bad manifest and bad agent source get clear errors, counted, and nothing is published', async () => {
  const page = tabs[2]!
  await page.getByTestId('agents-tab').click()
  const before = await page.evaluate(() => window.meshwork.agents.list().length)
  await page.getByTestId('agent-manifest').fill(JSON.stringify({ ...wordCounter, skills: [{ ...wordCounter.skills[0], level: 'guru' }] }))
  await page.getByTestId('agent-source').fill(wordCounterSource)
  await page.getByTestId('agent-register').click()
  await expect(page.getByTestId('agent-editor-error')).toContainText('manifest.skills[0].level')
  await page.getByTestId('agent-manifest').fill('{ "manifestVersion": 1, "id": ')
  await page.getByTestId('agent-register').click()
  await expect(page.getByTestId('agent-editor-error')).toContainText('line 1')
  await page.getByTestId('agent-manifest').fill(JSON.stringify({ ...wordCounter, id: 'broken' }))
  await page.getByTestId('agent-source').fill('export default async (task) => { return task.text +* 2 }')
  await page.getByTestId('agent-register').click()
  await expect(page.getByTestId('agent-editor-error')).toContainText(/does not parse as a JavaScript module: SyntaxError at line 1, column \d+: unexpected token/)
  await page.getByTestId('agent-source').fill('export const notDefault = 1')
  await page.getByTestId('agent-register').click()
  await expect(page.getByTestId('agent-editor-error')).toContainText(/default export/i)
  const problems = await page.evaluate(() => window.meshwork.stats().problems)
  expect(problems['agents:bad-manifest']).toBe(2)
  expect((problems['agents:start-failed'] ?? 0) + (problems['agents:bad-source'] ?? 0)).toBe(2)
  expect(await page.evaluate(() => window.meshwork.agents.list().length)).toBe(before)
  await page.screenshot({ path: 'test-results/agents-editor-error.png', fullPage: true })
})

test('a tab that has left keeps its agents: a tab present puts back what another member replays, deletes or forges', async () => {
  const room = `${stack.url}?room=agents-keeper`
  const owner = await openTab(ctxA, `${room}&agents=calculator`)
  const keeper = await openTab(ctxB, `${room}&agents=none`)
  const rogue = await openTab(ctxB, `${room}&agents=none`)
  await expectFullMesh([owner, keeper, rogue])
  await owner.evaluate(() => window.meshwork.agents.ready)
  const ownerId = await peerIdOf(owner)
  const calc = `calculator@${ownerId}`
  const completedOn = async (p: Page): Promise<number | null> => await p.evaluate(id => window.meshwork.agents.list().find(x => x.agentId === id)?.completed ?? null, calc)
  for (const p of [keeper, rogue]) await expect.poll(() => completedOn(p), { timeout: 20_000 }).toBe(0)
  type Hostile = { writeUnchecked: (entries: Array<[string, string | null]>) => void, entry: (id: string) => { raw: string | number } | undefined }
  // The hostile member does not put anything right itself (an app tab would: it keeps records too).
  await rogue.evaluate(() => { window.meshwork.agents.host!.close() })
  // The hostile member keeps the calculator's record as it is now (signed by the owner).
  const v0 = await rogue.evaluate(id => (window.meshwork.agents.host!.registry as unknown as Hostile).entry(id)!.raw as string, calc)
  // The calculator does a task: its record moves on (completed 1).
  await owner.evaluate(id => window.meshwork.agents.run(id, 'what is 6 times 7'), calc)
  for (const p of [keeper, rogue]) await expect.poll(() => completedOn(p), { timeout: 20_000 }).toBe(1)
  await keeper.evaluate(() => {
    const w = window as unknown as { __restored: string[] }
    w.__restored = []
    window.meshwork.agents.on('problem', p => { if (p.code === 'record-restored') w.__restored.push(p.message) })
  })
  const restored = async (): Promise<string[]> => await keeper.evaluate(() => (window as unknown as { __restored: string[] }).__restored)

  // The owner's tab closes; the others notice it left.
  await owner.close()
  for (const p of [keeper, rogue]) await expect.poll(() => p.evaluate(id => window.meshwork.peers().some(x => x.peerId === id), ownerId), { timeout: 10_000 }).toBe(false)

  // Replayed: the older record the owner signed.
  await rogue.evaluate(([id, raw]) => { (window.meshwork.agents.host!.registry as unknown as Hostile).writeUnchecked([[id, raw]]) }, [calc, v0] as const)
  await expect.poll(restored, { timeout: 10_000 }).toHaveLength(1)
  expect((await restored())[0]).toMatch(/is away, another member of the room replaced it with an older record; this tab put back its latest record/)
  await expect.poll(() => completedOn(rogue), { timeout: 10_000 }).toBe(1)

  // Deleted.
  await rogue.evaluate(id => { (window.meshwork.agents.host!.registry as unknown as Hostile).writeUnchecked([[id, null]]) }, calc)
  await expect.poll(restored, { timeout: 10_000 }).toHaveLength(2)
  expect((await restored())[1]).toMatch(/removed it from the room's registry; this tab put back its latest record/)
  await expect.poll(() => completedOn(rogue), { timeout: 10_000 }).toBe(1)

  // A record forged in the owner's name for an agent it never ran: refused and listed, not put back.
  const ghost = `ghost@${ownerId}`
  await rogue.evaluate(([id, ghostId]) => {
    const r = window.meshwork.agents.list().find(x => x.agentId === id)!
    const { local: _l, online: _o, ...fields } = r
    const forged = { ...fields, agentId: ghostId, manifest: { ...fields.manifest, id: 'ghost' } }
    ;(window.meshwork.agents.host!.registry as unknown as Hostile).writeUnchecked([[ghostId, JSON.stringify(forged)]])
  }, [calc, ghost] as const)
  await keeper.getByTestId('agents-tab').click()
  await expect(keeper.getByTestId('refused-records')).toContainText(ghost)
  await expect(keeper.locator(`[data-agent-id="${calc}"]`)).toBeVisible()
  expect(await keeper.evaluate(() => window.meshwork.stats().problems['agents:record-restored'])).toBe(2)
  expect(await keeper.evaluate(id => window.meshwork.agents.list().find(x => x.agentId === id)?.online, calc)).toBe(false)
  await keeper.getByTestId('refused-records').locator('summary').click()
  // The banner lists every kind of problem, not only the newest (often a failed redial of the tab that left).
  await keeper.getByTestId('problem-more').click()
  await expect(keeper.getByTestId('problem-list').locator('[data-kind="agents:record-restored"]')).toContainText(/×2.*put back its (latest record|removal)/)
  await keeper.screenshot({ path: 'test-results/agents-restored.png', fullPage: true })
  await keeper.close(); await rogue.close()
})
