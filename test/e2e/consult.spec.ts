import { test, expect, type BrowserContext, type Page } from '@playwright/test'
import { startStack, openCoordTab, expectFullMesh, peerIdOf, registriesHave, customManifest, type Stack } from './harness.ts'

// Consultation across real tabs: an agent asks the person a question (the task is input-required
// on every tab until someone answers from any tab), raises an alert, or hands its task off to a
// better-matched agent on another tab. Questions and answers land in the shared graph.
// Run: MESHWORK_DIST=dist-consult node test/e2e/run.mjs test/e2e/consult.spec.ts
test.describe.configure({ mode: 'serial' })

let stack: Stack
let ctxA: BrowserContext
let ctxB: BrowserContext
let a: Page
let b: Page
let c: Page

const manifest = customManifest

const QUESTION = 'Which cuisine would the team like for the dinner?'
const dinnerPlanner = manifest('dinner-planner', {
  name: 'Plan a team dinner',
  description: 'Plans a dinner for a team: books a restaurant after asking which cuisine people prefer.',
  examples: ['plan the team dinner for friday', 'organise a dinner for the team', 'book a restaurant for the team dinner']
})
// Asks, and takes its time over it: a 5 s budget that a slow person must not use up.
const dinnerPlannerSource = `export default async (task, ctx) => {
  ctx.alert('asking the person about cuisine before booking', 'info')
  const cuisine = await ctx.ask(${JSON.stringify(QUESTION)})
  return { text: 'Booked a ' + cuisine + ' restaurant for the team dinner.', output: { cuisine } }
}`

const TRANSLATE = 'translate good morning into portuguese'
// Matches the request word for word, but knows it is out of its depth and hands off.
const phrasebook = manifest('phrasebook', {
  name: 'Translate phrases into Portuguese',
  description: 'Looks up set phrases to translate into Portuguese.',
  examples: [TRANSLATE, 'translate good night into portuguese', 'translate thank you into portuguese']
})
const phrasebookSource = `export default async (task, ctx) => {
  ctx.handOff('I only know a few set phrases; a real translator should do this', ctx.agentId.replace('phrasebook', 'translator'))
}`
const translator = manifest('translator', {
  name: 'Translate text between languages',
  description: 'Translates sentences and phrases from English into other languages such as Spanish, German or Portuguese.',
  examples: ['translate this sentence into spanish', 'translate hello into german', 'translate a phrase into portuguese']
})
const translatorSource = `export default async (task) => ({ text: 'Portuguese: bom dia', output: { translation: 'bom dia' } })`

async function openRoomTab (ctx: BrowserContext): Promise<Page> {
  return await openCoordTab(ctx, `${stack.url}?room=consult&agents=none`)
}

async function register (page: Page, m: Record<string, unknown>, source: string): Promise<void> {
  await page.evaluate(async x => { await window.meshwork.agents.register({ manifest: x.m, source: x.source }) }, { m, source })
}

test.beforeAll(async ({ browser }) => {
  stack = await startStack()
  ctxA = await browser.newContext()
  ctxB = await browser.newContext()
  // A hosts the dinner planner and the phrasebook, B the translator; C has no agents: a person's tab.
  a = await openRoomTab(ctxA)
  b = await openRoomTab(ctxB)
  c = await openRoomTab(ctxB)
  await expectFullMesh([a, b, c])
  await register(a, dinnerPlanner, dinnerPlannerSource)
  await register(a, phrasebook, phrasebookSource)
  await register(b, translator, translatorSource)
  await registriesHave([a, b, c], 3)
})
test.afterAll(async () => {
  await ctxA?.close().catch(() => {}); await ctxB?.close().catch(() => {})
  await stack?.stop()
})

test('an agent asks the person: the task is input-required on every tab, another tab answers, the answer is in the result and the graph', async () => {
  const idA = await peerIdOf(a)
  await c.evaluate(() => {
    const w = window as unknown as { __alerts: unknown[] }
    w.__alerts = []
    window.meshwork.tasks.on('alert', e => { w.__alerts.push(e) })
  })
  const id = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'Plan the team dinner for Friday' }))
  for (const p of [a, b, c]) await expect.poll(() => p.evaluate(t => window.meshwork.tasks.get(t)?.state, id), { timeout: 20_000 }).toBe('input-required')
  const asked = await c.evaluate(t => window.meshwork.tasks.get(t)!, id)
  expect(asked.agentId).toBe(`dinner-planner@${idA}`)
  expect(asked.questions).toHaveLength(1)
  const q = asked.questions[0]!
  expect(q).toMatchObject({ agentId: `dinner-planner@${idA}`, text: QUESTION, to: 'person' })
  expect(q.answer).toBeUndefined()
  // The alert went to every tab.
  await expect.poll(() => c.evaluate(() => (window as unknown as { __alerts: Array<{ text: string, severity: string }> }).__alerts.map(x => `${x.severity}: ${x.text}`)), { timeout: 10_000 })
    .toEqual(['info: asking the person about cuisine before booking'])

  // The Tasks tab's badge counts the open question on every tab, although none shows the Tasks tab
  // (its snapshots are re-read only while shown, but the badge's questions always).
  for (const p of [a, b, c]) await expect(p.getByTestId('tasks-tab').locator('.dot')).toHaveText('1', { timeout: 10_000 })

  // The person takes longer than the agent's 5 s budget: the timeout does not run while it waits.
  await c.waitForTimeout(6000)
  expect(await a.evaluate(t => window.meshwork.tasks.get(t)?.state, id)).toBe('input-required')
  // B answers in its Tasks tab's questions panel: an empty answer is refused with the reason.
  await b.getByTestId('tasks-tab').click()
  const question = b.locator(`[data-testid=question][data-question-id="${q.questionId}"]`)
  await expect(question).toContainText(QUESTION, { timeout: 10_000 })
  await expect(question).toContainText('dinner-planner asks')
  await question.getByTestId('question-submit').click()
  await expect(b.getByTestId('task-action-error')).toHaveText('Write an answer first.')
  await question.getByTestId('question-answer').fill('Thai')
  await question.getByTestId('question-submit').click()
  await expect(b.locator('[data-testid=question]')).toHaveCount(0, { timeout: 10_000 })
  const done = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 20_000 }), id)
  expect(done.state).toBe('completed')
  expect(done.result?.text).toBe('Booked a Thai restaurant for the team dinner.')
  expect(done.result?.output).toEqual({ cuisine: 'Thai' })
  expect(done.attempts).toHaveLength(1)
  expect(done.questions).toEqual([{ ...q, answer: 'Thai' }])
  // Answered: the badge goes; opening the Tasks tab shows the task as it is now, not as it was last read.
  for (const p of [a, b, c]) await expect(p.getByTestId('tasks-tab').locator('.dot')).toHaveCount(0, { timeout: 10_000 })
  await c.getByTestId('tasks-tab').click()
  await expect(c.locator(`[data-testid=task-item][data-task-id="${id}"]`)).toHaveAttribute('data-state', 'completed')

  // C's person records a decision about the task in its team thread: refused while empty, then
  // sent to every tab and kept in the graph as a decision about the task's thread.
  await c.locator(`[data-testid=task-item][data-task-id="${id}"] button.pick`).click()
  await c.getByTestId('decision-submit').click()
  await expect(c.getByTestId('decision-error')).toHaveText('Write the decision first.')
  await c.getByTestId('decision-text').fill('Book for eight at 7 pm')
  await c.getByTestId('decision-submit').click()
  await expect(c.getByTestId('decision-error')).toHaveCount(0)
  await expect(c.getByTestId('decision-text')).toHaveValue('')
  await expect(c.getByTestId('thread-message').filter({ hasText: 'Book for eight at 7 pm' })).toContainText('Decision by a person on', { timeout: 15_000 })
  await c.getByRole('button', { name: 'Mesh', exact: true }).click()
  await b.getByRole('button', { name: 'Mesh', exact: true }).click()
  for (const p of [a, b]) {
    await expect.poll(() => p.evaluate(t => {
      const decision = window.meshwork.graph.list({ kind: 'decision' }).find(e => e.text === 'Book for eight at 7 pm')
      const about = decision === undefined ? [] : window.meshwork.graph.graph!.neighbours(decision.id, { type: 'about', direction: 'out' }).map(n => n.edge.to)
      return { about: decision?.data?.about, relatedTo: about }
    }, id), { timeout: 15_000 }).toEqual({ about: id, relatedTo: [`task:${id}`] })
  }

  // The graph, on every tab: the question (by the asking agent) and the answer as a fact that answers it.
  for (const p of [a, b, c]) {
    await expect.poll(() => p.evaluate(x => {
      const question = window.meshwork.graph.list({ kind: 'question' }).find(e => e.text === x.text)
      const answer = window.meshwork.graph.list({ kind: 'fact' }).find(e => e.text === 'Thai')
      return { question: question?.provenance.agentId, answerId: answer?.id.startsWith('answer:') }
    }, { text: QUESTION }), { timeout: 15_000 }).toEqual({ question: `dinner-planner@${idA}`, answerId: true })
  }
})

test('an agent that hands off: the task goes to the better-matched agent on another tab and completes there', async () => {
  const [idA, idB] = [await peerIdOf(a), await peerIdOf(b)]
  // The premise: the phrasebook matches the request best, and the translator well enough to bid.
  const matches = await c.evaluate(t => window.meshwork.agents.match(t, 5), TRANSLATE)
  console.log('matches', JSON.stringify(matches.map(m => [m.agentId.split('@')[0], m.confidence.toFixed(3)])))
  expect(matches[0]?.agentId).toBe(`phrasebook@${idA}`)
  expect(matches.find(m => m.agentId === `translator@${idB}`)?.confidence).toBeGreaterThan(0.45)

  const id = await c.evaluate(t => window.meshwork.tasks.submit({ text: t }), TRANSLATE)
  const done = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 30_000 }), id)
  expect(done).toMatchObject({ state: 'completed', agentId: `translator@${idB}`, peerId: idB })
  expect(done.result?.text).toBe('Portuguese: bom dia')
  expect(done.attempts).toHaveLength(2)
  expect(done.attempts[0]).toMatchObject({ agentId: `phrasebook@${idA}`, peerId: idA })
  expect(done.attempts[0]!.outcome).toContain('handed off: I only know a few set phrases; a real translator should do this')
  expect(done.attempts[1]).toMatchObject({ agentId: `translator@${idB}`, outcome: 'completed' })
  // A handoff is not held against the phrasebook as a failure of its own.
  expect(await a.evaluate(() => window.meshwork.agents.host?.runner.status('phrasebook@' + window.meshwork.peerId!)?.failures)).toBe(0)
})

const DB_QUESTION = 'Which database did the team decide to use?'
const dbSetup = manifest('db-setup', {
  name: 'Provision storage servers',
  description: 'Installs the storage server for a new service, after asking the mesh which one the team chose.',
  examples: ['provision the storage server for the new service', 'install the storage server', 'provision storage for the new service']
})
// Asks the mesh, not a person: a researcher that finds it in the graph answers.
const dbSetupSource = `export default async (task, ctx) => {
  const db = await ctx.ask(${JSON.stringify(DB_QUESTION)}, { to: 'mesh' })
  return { text: 'Provisioned the storage server. The mesh said: ' + db }
}`

test('an agent asks the mesh: a researcher on another tab answers from the graph, and the task completes', async () => {
  // D runs the built-in researcher (and the embedding model it needs); A hosts the asking agent.
  const d = await openCoordTab(ctxA, `${stack.url}?room=consult&agents=researcher`)
  await expectFullMesh([a, b, c, d])
  await register(a, dbSetup, dbSetupSource)
  const [idA, idD] = [await peerIdOf(a), await peerIdOf(d)]
  await registriesHave([a, b, c, d], 5)
  await c.evaluate(() => window.meshwork.graph.add({ kind: 'fact', text: 'The team decided to use PostgreSQL as the project database.', confidence: 0.9 }))
  await expect.poll(() => d.evaluate(() => window.meshwork.graph.list({ kind: 'fact' }).some(e => e.text.includes('PostgreSQL'))), { timeout: 15_000 }).toBe(true)

  const id = await c.evaluate(() => window.meshwork.tasks.submit({ text: 'Provision the storage server for the new service' }))
  const done = await c.evaluate(async t => await window.meshwork.tasks.wait(t, { timeoutMs: 30_000 }), id)
  expect(done, JSON.stringify(done)).toMatchObject({ state: 'completed', agentId: `db-setup@${idA}` })
  expect(done.questions).toHaveLength(1)
  expect(done.questions[0]).toMatchObject({ text: DB_QUESTION, to: 'mesh' })
  expect(done.questions[0]!.answer).toContain('PostgreSQL')
  expect(done.result?.text).toContain('The mesh said: ')
  expect(done.result?.text).toContain('PostgreSQL')
  // Nobody had to answer by hand, and one answer was sent: the researcher's, on the record as its own.
  for (const p of [a, b, c, d]) {
    await expect.poll(() => p.evaluate(() => window.meshwork.graph.list({ kind: 'fact' }).filter(e => e.id.startsWith('answer:')).filter(e => e.text.includes('PostgreSQL')).map(e => e.provenance.agentId)), { timeout: 15_000 })
      .toEqual([`researcher@${idD}`])
  }
  expect(await c.evaluate(() => window.meshwork.tasks.stats().ignored['duplicate-answer'] ?? 0)).toBe(0)
})
