import { test, expect, type BrowserContext, type Page } from '@playwright/test'
import { startStack, openCoordTab, type Stack } from './harness.ts'

// Records a tab has not yet written to its graph (the recorder gathers them for up to 8 s when busy)
// survive the tab going away: they are journaled in localStorage on pagehide (and a moment after
// they are made, for a crash) and replayed when the tab (the same identity) opens again.
let stack: Stack
let ctx: BrowserContext
let crashCtx: BrowserContext
let adoptCtx: BrowserContext

test.beforeAll(async () => { stack = await startStack() })

/** Holds the tab's records in its recorder for two minutes, then runs `texts` to completion there: only the journal can carry their records now. */
async function runHeld (tab: Page, texts: string[]): Promise<{ ids: string[], winners: string[] }> {
  await tab.evaluate(() => { window.meshwork.tasks.recording.setFlushMs(120_000, 120_000) })
  return await tab.evaluate(async texts => {
    const ids = texts.map(text => window.meshwork.tasks.submit({ text }))
    const winners: string[] = []
    for (const id of ids) {
      const done = await window.meshwork.tasks.wait(id, { timeoutMs: 20_000 })
      if (done.state !== 'completed') throw new Error(`${id} ended ${done.state}: ${done.reason ?? ''}`)
      winners.push(done.agentId!)
    }
    return { ids, winners }
  }, texts)
}

/** Crashes the tab's renderer (no pagehide, no unload): what a killed or out-of-memory tab does. */
async function crash (ctx: BrowserContext, tab: Page): Promise<void> {
  const crashed = tab.waitForEvent('crash')
  const cdp = await ctx.newCDPSession(tab)
  void cdp.send('Page.crash').catch(() => {}) // never resolves: the page is gone
  await crashed
}
test.afterAll(async () => {
  await ctx?.close().catch(() => {})
  await crashCtx?.close().catch(() => {})
  await adoptCtx?.close().catch(() => {})
  await stack?.stop()
})

test('a reload loses none of the records the graph recorder still held', async ({ browser }) => {
  ctx = await browser.newContext()
  const url = `${stack.url}?room=journal`
  const tab = await openCoordTab(ctx, url)
  const peerId = await tab.evaluate(() => window.meshwork.peerId!)
  const ran = await runHeld(tab, ['How much is 12% of 250?', 'How much is 7 times 6?', 'Calculate 81 / 9'])
  const ids = ran.ids
  const threads = ids.map(id => `task:${id}`)
  // Nothing of them is in the graph yet.
  expect(await tab.evaluate(t => t.filter(id => window.meshwork.graph.get(id) !== undefined), threads)).toEqual([])
  expect(await tab.evaluate(() => window.meshwork.tasks.recording.stats().queued)).toBeGreaterThan(0)

  await tab.reload()
  await tab.waitForFunction(() => window.meshwork !== undefined)
  await tab.evaluate(async () => { await window.meshwork.ready; await window.meshwork.tasks.ready })
  expect(await tab.evaluate(() => window.meshwork.peerId)).toBe(peerId)
  // Every task's thread (completed, with its outcome) and its result are in the graph after the reload.
  await expect.poll(() => tab.evaluate(t => t.map(id => window.meshwork.graph.get(id)?.data?.state ?? null), threads), { timeout: 15_000 })
    .toEqual(['completed', 'completed', 'completed'])
  const recorded = await tab.evaluate(t => t.map(id => {
    const thread = window.meshwork.graph.get(id)!
    const outcome = thread.data!.outcome as { producer?: { agentId?: string, attempt?: number } }
    const result = window.meshwork.graph.get(`result:${id.slice('task:'.length)}:${outcome.producer?.attempt ?? 0}`)
    return { winner: outcome.producer?.agentId ?? null, results: result?.kind === 'hypothesis' ? 1 : 0 }
  }), threads)
  expect(recorded).toEqual(ran.winners.map(winner => ({ winner, results: 1 })))
  expect(await tab.evaluate(() => window.meshwork.tasks.recording.stats().journal.replayed)).toBeGreaterThanOrEqual(3 * 4)
  // The journal is spent: it is not replayed a second time.
  expect(await tab.evaluate(() => Object.keys(localStorage).filter(k => k.startsWith('meshwork:journal:')).length)).toBe(0)
})

test('a crashed tab (no pagehide) keeps the records it journaled a moment before', async ({ browser }) => {
  crashCtx = await browser.newContext()
  const url = `${stack.url}?room=journal-crash`
  const tab = await openCoordTab(crashCtx, url)
  const peerId = await tab.evaluate(() => window.meshwork.peerId!)
  const { ids } = await runHeld(tab, ['How much is 3 times 14?', 'How much is 15% of 80?'])
  const threads = ids.map(id => `task:${id}`)
  // The journal's autosave (2 s after a record) has run; the graph still has none of it.
  await expect.poll(() => tab.evaluate(() => window.meshwork.tasks.recording.stats().journal.persisted), { timeout: 10_000 }).toBeGreaterThan(0)
  expect(await tab.evaluate(t => t.filter(id => window.meshwork.graph.get(id) !== undefined), threads)).toEqual([])

  await crash(crashCtx, tab)
  const again = await openCoordTab(crashCtx, url)
  expect(await again.evaluate(() => window.meshwork.peerId)).toBe(peerId)
  await expect.poll(() => again.evaluate(t => t.map(id => window.meshwork.graph.get(id)?.data?.state ?? null), threads), { timeout: 15_000 })
    .toEqual(['completed', 'completed'])
})

test('a crashed tab\'s journal is adopted by another tab of its room in the same browser profile', async ({ browser }) => {
  adoptCtx = await browser.newContext()
  const url = `${stack.url}?room=journal-adopt`
  // Two tabs of one profile (two identities), linked; only the first hosts agents, so it runs the tasks too.
  const tab = await openCoordTab(adoptCtx, url)
  const other = await openCoordTab(adoptCtx, `${url}&agents=none`)
  const peerId = await tab.evaluate(() => window.meshwork.peerId!)
  await expect.poll(() => other.evaluate(p => window.meshwork.peers().some(x => x.peerId === p), peerId), { timeout: 20_000 }).toBe(true)
  const { ids } = await runHeld(tab, ['How much is 9 times 9?', 'How much is 20% of 45?'])
  const threads = ids.map(id => `task:${id}`)
  await expect.poll(() => tab.evaluate(() => window.meshwork.tasks.recording.stats().journal.persisted), { timeout: 10_000 }).toBeGreaterThan(0)

  await crash(adoptCtx, tab)
  await expect.poll(() => other.evaluate(p => window.meshwork.peers().some(x => x.peerId === p), peerId), { timeout: 10_000 }).toBe(false)
  // Nobody wrote those tasks to the graph: they were the crashed tab's to record.
  expect(await other.evaluate(t => t.filter(id => window.meshwork.graph.get(id) !== undefined), threads)).toEqual([])
  // The periodic sweep waits 60 s for the tab to come back with its identity; the test does not.
  const swept = await other.evaluate(() => window.meshwork.tasks.recording.sweepJournals({ minAgeMs: 0 }))
  expect(swept).toMatchObject({ adopted: 1, refused: 0 })
  expect(swept.replayed).toBeGreaterThanOrEqual(2 * 4)
  await expect.poll(() => other.evaluate(t => t.map(id => window.meshwork.graph.get(id)?.data?.state ?? null), threads), { timeout: 15_000 })
    .toEqual(['completed', 'completed'])
  expect(await other.evaluate(p => Object.keys(localStorage).filter(k => k.startsWith('meshwork:journal:') && k.endsWith(p)).length, peerId)).toBe(0)
})
