import { mkdirSync } from 'node:fs'
import { test, expect, type BrowserContext, type Page } from '@playwright/test'
import { startStack, openCoordTab, openSkillRoom, type Stack } from './harness.ts'

// The Tasks tab, driven as a person would: a request typed into the composer of one tab becomes a
// mission that three tabs carry out, and the tab shows it organise itself (list, mission board,
// result with provenance, timeline, the team thread from the graph).
test.describe.configure({ mode: 'serial' })

const SHOTS = 'test-results'
let stack: Stack
let ctxA: BrowserContext
let ctxB: BrowserContext
let a: Page
let b: Page
let c: Page

async function openRoomTab (ctx: BrowserContext, agents: string): Promise<Page> {
  const page = await openCoordTab(ctx, `${stack.url}?room=tasks-ui&agents=${agents}`)
  await page.getByTestId('tasks-tab').click()
  await expect(page.getByTestId('tasks-view')).toBeVisible()
  await expect(page.getByTestId('task-submit')).toBeEnabled()
  return page
}


/** Types a request into the composer and submits it with Ctrl+Enter; returns the new task's id. */
async function compose (page: Page, text: string): Promise<string> {
  const before = new Set(await page.evaluate(() => window.meshwork.tasks.list().map(t => t.id)))
  await page.getByTestId('task-text').fill(text)
  await page.getByTestId('task-text').press('Control+Enter')
  await expect(page.getByTestId('task-text')).toHaveValue('')
  // The announce reaches this tab's own engine asynchronously (it is signed first).
  let id: string | undefined
  await expect.poll(async () => {
    const ids = await page.evaluate(t => window.meshwork.tasks.list().filter(x => x.text === t).map(x => x.id), text)
    id = ids.find(x => !before.has(x))
    return id
  }, { timeout: 10_000 }).toBeTruthy()
  // The tab selects what it just submitted.
  await expect(page.getByTestId('task-detail')).toHaveAttribute('data-task-id', id!)
  await expect(page.locator(`[data-testid=task-item][data-task-id="${id!}"]`)).toBeVisible()
  return id!
}

test.beforeAll(async ({ browser }) => {
  mkdirSync(SHOTS, { recursive: true })
  stack = await startStack()
  ;({ ctxA, ctxB, a, b, c } = await openSkillRoom(browser, openRoomTab, { viewport: { width: 1500, height: 1100 } }))
})
test.afterAll(async () => {
  await ctxA?.close().catch(() => {}); await ctxB?.close().catch(() => {})
  await stack?.stop()
})

test('the composer explains what is wrong with a request before anything is sent', async () => {
  await a.getByTestId('task-submit').click()
  await expect(a.getByTestId('task-error')).toContainText('empty')
  await expect(a.getByTestId('task-error')).toHaveAttribute('data-field', 'text')
  await a.getByTestId('task-text').fill('Sum these numbers')
  await a.locator('[data-testid=task-composer] summary').click()
  await a.getByTestId('task-input').fill('{"numbers": [1, 2,')
  await a.getByTestId('task-submit').click()
  await expect(a.getByTestId('task-error')).toContainText('not valid JSON')
  await expect(a.getByTestId('task-error')).toHaveAttribute('data-field', 'input')
  await a.getByTestId('task-input').fill('')
  await a.getByTestId('task-deadline').fill('soon')
  await a.getByTestId('task-submit').click()
  await expect(a.getByTestId('task-error')).toHaveAttribute('data-field', 'deadline')
  await a.screenshot({ path: `${SHOTS}/tasks-composer-error.png` })
  await a.getByTestId('task-deadline').fill('')
  await a.getByTestId('task-text').fill('')
  await a.locator('[data-testid=task-composer] summary').click()
  expect(await a.evaluate(() => window.meshwork.tasks.list().length)).toBe(0)
  await expect(a.locator('[data-testid=task-item]')).toHaveCount(0)
})

test('a two-part request typed into the composer becomes a mission the tab shows organising itself', async () => {
  await b.evaluate(() => window.meshwork.graph.add({ kind: 'fact', text: 'The launch date of the Meshwork beta is March 3, 2027.', confidence: 0.9 }))
  await expect.poll(() => a.evaluate(() => window.meshwork.graph.list({ kind: 'fact' }).length), { timeout: 15_000 }).toBeGreaterThan(0)
  const id = await compose(a, 'Calculate 17% of 2340. Also find out what the knowledge graph says about the launch date of the Meshwork beta.')
  const item = a.locator(`[data-testid=task-item][data-task-id="${id}"]`)
  await expect(item).toHaveAttribute('data-state', /completed|failed|unassigned|canceled|rejected/, { timeout: 60_000 })
  if (await item.getAttribute('data-state') !== 'completed') {
    await a.screenshot({ path: `${SHOTS}/tasks-mission-failed.png`, fullPage: true })
    console.log('mission did not complete:', JSON.stringify(await a.evaluate(t => window.meshwork.tasks.list().filter(x => x.id.startsWith(t)), id), null, 1))
  }
  await expect(item).toHaveAttribute('data-state', 'completed')
  await expect(a.getByTestId('task-detail')).toHaveAttribute('data-task-id', id)

  // The mission board: two parts, both completed, and the working group of the awarded agents.
  const board = a.getByTestId('mission-board')
  await expect(board.getByTestId('mission-node')).toHaveCount(2)
  await expect(board.locator('[data-testid=mission-node][data-state=completed]')).toHaveCount(2)
  await expect(board.getByTestId('working-group')).toContainText('calculator')
  await expect(board.getByTestId('working-group')).toContainText('researcher')
  // The parts are listed under the mission.
  await expect(a.locator(`[data-testid=task-item][data-task-id^="${id}/"]`)).toHaveCount(2)

  // The result, with who produced it.
  const result = a.getByTestId('task-result')
  await expect(result).toContainText('397.8')
  await expect(result).toContainText('March 3')
  await expect(result).toContainText('planner')

  // The timeline narrates the protocol for this task and its parts.
  const timeline = a.getByTestId('timeline')
  for (const kind of ['announce', 'award', 'result', 'mission']) {
    await expect(timeline.locator(`li[data-kind=${kind}]`).first()).toBeVisible()
  }
  // The team thread is read from the knowledge graph (the steward's and producers' messages).
  await expect.poll(() => a.getByTestId('thread-message').count(), { timeout: 15_000 }).toBeGreaterThan(2)
  await expect(a.getByTestId('task-thread')).toContainText('awarded')
  // The working group posted its progress there (the researcher's note, from tab B), and the group
  // dissolved with the mission.
  await expect(a.getByTestId('task-thread')).toContainText(/researcher on …\S+ reports \d+%: (searching|reading) the graph/, { timeout: 15_000 })
  await expect(a.getByTestId('task-thread')).toContainText(/The working group dissolves: (calculator|researcher) on …/, { timeout: 15_000 })
  await a.screenshot({ path: `${SHOTS}/tasks-mission.png`, fullPage: true })

  // A part in detail: the calculator's answer with its working, verified by the third tab.
  const calcNode = board.locator('[data-testid=mission-node]', { hasText: 'calculator' })
  const calcId = await calcNode.getAttribute('data-task-id')
  await calcNode.click()
  await expect(a.getByTestId('task-detail')).toHaveAttribute('data-task-id', calcId!)
  await expect(a.getByTestId('task-result')).toContainText('397.8')
  await expect(a.getByTestId('task-working')).toBeVisible()
  await expect(a.getByTestId('task-verification')).toHaveAttribute('data-status', 'verified', { timeout: 15_000 })
  await expect(a.getByTestId('task-attempts')).toContainText('completed')
  await a.screenshot({ path: `${SHOTS}/tasks-subtask.png`, fullPage: true })

  // The research part cites the fact; the citation opens in the Graph tab.
  const researchNode = board.locator('[data-testid=mission-node]', { hasText: 'researcher' })
  await a.getByRole('button', { name: `mission ${id}` }).click()
  await researchNode.click()
  // Its verification: when it got no verdict, the verifiers that could not judge it are listed with
  // their reason, and once no vote is to come the card says it is not verified, and why.
  const researchVerification = a.getByTestId('task-verification')
  await expect(researchVerification).toBeVisible({ timeout: 15_000 })
  const researchStatus = await researchVerification.getAttribute('data-status')
  if (researchStatus === 'pending' || researchStatus === 'unverified') {
    await expect(a.getByTestId('task-verification-abstained')).toContainText('could not judge it', { timeout: 15_000 })
    await expect(researchVerification).toHaveAttribute('data-status', 'unverified', { timeout: 15_000 })
    await expect(a.getByTestId('task-verification-reason')).toContainText('Not verified: every verifier on another present peer has voted')
  }
  const cite = a.locator('[data-testid=task-citations] button').first()
  await expect(cite).toBeVisible()
  await cite.click()
  await expect(a.getByTestId('graph-explorer')).toBeVisible()
  // The calculator's recorded result in the graph: its detail says it is what its producer signed.
  await a.getByTestId('graph-filter-text').fill('397.8')
  await a.locator('[data-testid=graph-item][data-id^="result:"]').first().click()
  await expect(a.getByTestId('result-signature')).toContainText('signed by its producer')
  // And the verdict on it (recorded on the task's thread) is what the third tab's verifier signed.
  await expect(a.getByTestId('result-verdict')).toContainText('their signed votes check', { timeout: 15_000 })
  await a.screenshot({ path: `${SHOTS}/graph-result-signed.png`, fullPage: true })
  await a.getByTestId('graph-filter-text').fill('')
  await a.getByTestId('tasks-tab').click()

  // Another tab sees the same mission (it followed the same signed messages).
  await b.locator(`[data-testid=task-item][data-task-id="${id}"]`).click()
  await expect(b.locator('[data-testid=mission-board] [data-testid=mission-node][data-state=completed]')).toHaveCount(2)
  await expect(b.getByTestId('task-result')).toContainText('397.8')
  await b.screenshot({ path: `${SHOTS}/tasks-mission-other-tab.png`, fullPage: true })
})

test('a task nobody can do shows unassigned, with the reason', async () => {
  const id = await compose(b, 'Repaint my garden fence in dark green before the weekend')
  const item = b.locator(`[data-testid=task-item][data-task-id="${id}"]`)
  await expect(item).toHaveAttribute('data-state', /completed|failed|unassigned|canceled|rejected/, { timeout: 20_000 })
  if (await item.getAttribute('data-state') !== 'unassigned') console.log('fence task:', JSON.stringify(await b.evaluate(t => window.meshwork.tasks.get(t), id)))
  await expect(item).toHaveAttribute('data-state', 'unassigned')
  await expect(item.getByTestId('task-cancel')).toHaveCount(0)
  await expect(b.getByTestId('task-reason')).toContainText('no capable agent')
  await expect(b.getByTestId('task-reason')).toHaveAttribute('data-state', 'unassigned')
  await expect(b.getByTestId('task-unassigned-hint')).toContainText('need a language model')
  await b.getByTestId('timeline-scope-all').click()
  await expect(b.locator('[data-testid=timeline] li[data-kind=award]').first()).toBeVisible()
  await b.screenshot({ path: `${SHOTS}/tasks-unassigned.png`, fullPage: true })
})

test('a mission with a part nobody can do still delivers its other parts, and says which part failed', async () => {
  // Before: the calculation was canceled as soon as the capital went unassigned, and its 30 was lost.
  const id = await compose(a, 'What is 15% of 200, and what is the capital of France?')
  const item = a.locator(`[data-testid=task-item][data-task-id="${id}"]`)
  await expect(item).toHaveAttribute('data-state', /completed|failed|unassigned|canceled|rejected/, { timeout: 45_000 })
  const snap = await a.evaluate(t => window.meshwork.tasks.get(t)!, id)
  expect(snap.state, JSON.stringify(snap)).toBe('failed')
  expect(snap.mission!.subtasks.map(s => s.state)).toEqual(['completed', 'unassigned'])
  expect(snap.reason).toMatch(/^subtask s2 unassigned: no capable agent in the room/)
  expect(snap.result?.output).toEqual({ s1: 30 })
  await expect(a.getByTestId('task-reason')).toContainText('subtask s2 unassigned')
  await expect(a.getByTestId('task-partial')).toContainText('s1 (What is 15% of 200): 30')
  await expect(a.getByTestId('task-partial')).toContainText('s2 (What is the capital of France?): not done, unassigned')
  // The graph keeps it too, on every tab: a tab that opens later lists the mission with what it delivered.
  await expect.poll(() => b.evaluate(t => window.meshwork.graph.get(`task:${t}`)?.data?.outcome, id), { timeout: 15_000 }).toMatchObject({ state: 'failed', partial: { output: { s1: 30 } } })
  await a.screenshot({ path: `${SHOTS}/tasks-mission-partial.png`, fullPage: true })
})

test('a runaway script is canceled from the task list, and one past its deadline fails: the agent stops either way', async () => {
  // A js-runner joins tab C; it would run this for 8 s. The person who asked cancels it from their list.
  const runner = await c.evaluate(async () => await window.meshwork.agents.register({ kind: 'js-runner' }))
  for (const p of [a, b]) await expect.poll(() => p.evaluate(r => window.meshwork.agents.list().some(x => x.agentId === r && x.online), runner), { timeout: 15_000 }).toBe(true)
  const loop = { text: 'Run this JavaScript: let n = 0; while (true) { n++ }', input: { timeoutMs: 8000 } }
  const id = await b.evaluate(t => window.meshwork.tasks.submit(t), loop)
  const item = b.locator(`[data-testid=task-item][data-task-id="${id}"]`)
  await expect(item).toHaveAttribute('data-state', 'working', { timeout: 15_000 })
  expect(await b.evaluate(t => window.meshwork.tasks.get(t)?.agentId, id)).toBe(runner)
  await expect.poll(() => c.evaluate(r => window.meshwork.agents.list().find(x => x.agentId === r)?.state, runner), { timeout: 5_000 }).toBe('working')
  const canceledAt = Date.now()
  await item.getByTestId('task-cancel').click()
  await expect(item).toHaveAttribute('data-state', 'canceled', { timeout: 5_000 })
  await expect(item.getByTestId('task-cancel')).toHaveCount(0)
  // Every tab agrees, and the script stopped on C well before its own 8 s limit.
  for (const p of [a, c]) await expect.poll(() => p.evaluate(t => window.meshwork.tasks.get(t)?.state, id), { timeout: 5_000 }).toBe('canceled')
  await expect.poll(() => c.evaluate(r => window.meshwork.agents.list().find(x => x.agentId === r)?.state, runner), { timeout: 5_000 }).toBe('idle')
  expect(Date.now() - canceledAt).toBeLessThan(6_000)

  // The same script with a 2 s deadline: it fails with that reason, and the agent stops.
  const lateId = await b.evaluate(t => window.meshwork.tasks.submit({ ...t, deadlineMs: 2_000 }), loop)
  const late = await b.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 15_000 }), lateId)
  expect(late, JSON.stringify(late)).toMatchObject({ state: 'failed' })
  expect(late.reason).toMatch(/deadline/)
  // Before, a task failed by its deadline had no end time at all, and went on showing "running, 10%".
  expect(late.timings.endedAt! - late.timings.submittedAt).toBeLessThan(6_000)
  expect(late.progress).toBeUndefined()
  await expect.poll(() => c.evaluate(r => window.meshwork.agents.list().find(x => x.agentId === r)?.state, runner), { timeout: 5_000 }).toBe('idle')
  await b.locator(`[data-testid=task-item][data-task-id="${lateId}"]`).click()
  await expect(b.getByTestId('task-reason')).toContainText('deadline')
  await c.evaluate(async r => { await window.meshwork.agents.unregister(r) }, runner)
})
