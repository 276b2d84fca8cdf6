import { test, expect, type BrowserContext, type Page } from '@playwright/test'
import { startStack, openTab, expectFullMesh, peerIdOf, type Stack } from './harness.ts'

// Leaderless coordination across real tabs: signed protocol messages over gossip on WebRTC, bids
// from on-device matching, agents in workers, results recorded in the shared graph.
test.describe.configure({ mode: 'serial' })

let stack: Stack
let ctxA: BrowserContext
let ctxB: BrowserContext
let a: Page
let b: Page
let c: Page

async function openCoordTab (ctx: BrowserContext, agents: string): Promise<Page> {
  const page = await openTab(ctx, `${stack.url}?room=coord&agents=${agents}`)
  await page.evaluate(async () => { await window.meshwork.agents.ready; await window.meshwork.tasks.ready })
  return page
}

/** Every tab's registry lists `n` agents (so everyone knows who is there before bidding starts). */
async function registriesHave (pages: Page[], n: number): Promise<void> {
  for (const p of pages) await expect.poll(() => p.evaluate(() => window.meshwork.agents.list().filter(x => x.online).length), { timeout: 20_000 }).toBe(n)
}

test.beforeAll(async ({ browser }) => {
  stack = await startStack()
  ctxA = await browser.newContext()
  ctxB = await browser.newContext()
  // Different skills per tab, so the routing is visible: A plans and calculates, B researches, C verifies.
  a = await openCoordTab(ctxA, 'planner,calculator')
  b = await openCoordTab(ctxB, 'researcher,summariser')
  c = await openCoordTab(ctxB, 'verifier')
  await expectFullMesh([a, b, c])
  await registriesHave([a, b, c], 5)
})
test.afterAll(async () => {
  await ctxA?.close().catch(() => {}); await ctxB?.close().catch(() => {})
  await stack?.stop()
})

test('a one-part task is routed by matching, run on the winning tab and recorded in the graph', async () => {
  const idA = await peerIdOf(a)
  const id = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'What is 17% of 2,340?' }))
  const done = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), id)
  expect(done).toMatchObject({ state: 'completed', agentId: `calculator@${idA}`, peerId: idA })
  expect(done.result?.text).toContain('397.8')
  expect(done.attempts).toHaveLength(1)
  // Every tab agrees, and the graph holds the task thread with its bids and the result as a hypothesis.
  for (const p of [a, b]) await expect.poll(() => p.evaluate(t => window.meshwork.tasks.get(t)?.state, id), { timeout: 10_000 }).toBe('completed')
  await expect.poll(() => b.evaluate(t => window.meshwork.graph.list({ kind: 'hypothesis' }).filter(e => e.id.startsWith(`result:${t}:`)).map(e => e.provenance.agentId), id), { timeout: 15_000 })
    .toEqual([`calculator@${idA}`])
})

test('a two-part request becomes a mission: parts run in parallel on different tabs, a third tab verifies, the result is assembled', async () => {
  const [idA, idB, idC] = [await peerIdOf(a), await peerIdOf(b), await peerIdOf(c)]
  await b.evaluate(() => window.meshwork.graph.add({ kind: 'fact', text: 'The launch date of the Meshwork beta is March 3, 2027.', confidence: 0.9 }))
  await expect.poll(() => a.evaluate(() => window.meshwork.graph.list({ kind: 'fact' }).length), { timeout: 15_000 }).toBeGreaterThan(0)
  const id = await a.evaluate(() => window.meshwork.tasks.submit({ text: 'Calculate 17% of 2340. Also find out what the knowledge graph says about the launch date of the Meshwork beta.' }))
  const done = await a.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 45_000 }), id)
  expect(done.state).toBe('completed')
  expect(done.agentId).toBe(`planner@${idA}`)
  const subtasks = done.mission!.subtasks
  expect(subtasks).toHaveLength(2)
  const parts = await Promise.all(subtasks.map(async s => await a.evaluate(t => window.meshwork.tasks.get(t)!, s.taskId)))
  const calc = parts.find(p => p.agentId?.startsWith('calculator@'))!
  const research = parts.find(p => p.agentId?.startsWith('researcher@'))!
  expect(calc.peerId).toBe(idA)
  expect(research.peerId).toBe(idB)
  // In parallel: both parts were announced (and bid on) before either finished; neither waited for the other.
  console.log('mission timings', JSON.stringify({ calc: calc.timings, research: research.timings }))
  expect(calc.timings.submittedAt).toBeLessThan(research.timings.finishedAt!)
  expect(research.timings.submittedAt).toBeLessThan(calc.timings.finishedAt!)
  expect(Math.abs(calc.timings.submittedAt - research.timings.submittedAt)).toBeLessThan(50)
  // The arithmetic was checked by the verifier on the third tab.
  expect(calc.verification).toMatchObject({ status: 'verified', supporters: [idC] })
  expect(research.result?.citations?.length).toBeGreaterThan(0)
  expect(done.result?.text).toContain('397.8')
  console.log('mission result', JSON.stringify(done.result?.text), '| research:', JSON.stringify(research.result))
  expect(done.result?.text).toMatch(/March 3/)
  // The working group is the agents awarded the parts; the mission is recorded as a solution.
  expect(done.mission!.group.map(g => g.agentId).sort()).toEqual([`calculator@${idA}`, `researcher@${idB}`])
  await expect.poll(() => c.evaluate(t => window.meshwork.graph.list({ kind: 'solution' }).some(e => e.taskId === t), id), { timeout: 15_000 }).toBe(true)
})

test('a task nobody can do ends unassigned, with the reason', async () => {
  const id = await b.evaluate(() => window.meshwork.tasks.submit({ text: 'Repaint my garden fence in dark green before the weekend' }))
  const done = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 15_000 }), id)
  expect(done.state).toBe('unassigned')
  expect(done.reason).toMatch(/no capable agent/)
})
