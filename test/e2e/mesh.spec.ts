import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { startStack, openTab, expectFullMesh, exchange, peerIdOf, type Stack } from './harness.ts'

// One story, in order: form a mesh, talk, lose the relay, keep talking, get the relay back, grow,
// lose a tab. Serial because each step stands on the previous one.
test.describe.configure({ mode: 'serial' })

let stack: Stack
let contexts: BrowserContext[] = []
let pages: Page[] = []

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  stack = await startStack()
  contexts = [await browser.newContext(), await browser.newContext()]
})

test.afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {})
  await stack?.stop()
})

test('4 tabs in two browser contexts form a full WebRTC mesh', async () => {
  for (let i = 0; i < 4; i++) pages.push(await openTab(contexts[i % 2]!, stack.url))
  const ids = await Promise.all(pages.map(peerIdOf))
  expect(new Set(ids).size, 'every tab has its own peer id, also within one browser context').toBe(4)
  await expectFullMesh(pages)
  // The transport is read from the live connection: the app's view must agree with libp2p's.
  for (const p of pages) {
    const conns = await p.evaluate(() => window.meshwork.node!.libp2p.getConnections()
      .filter(c => c.multiplexer === '/webrtc' && c.limits == null).map(c => c.remotePeer.toString()))
    expect(new Set(conns).size).toBeGreaterThanOrEqual(3)
  }
  // Round-trip times come from pings on each link.
  await expect.poll(async () => (await Promise.all(pages.map(p => p.evaluate(() => window.meshwork.peers().every(x => typeof x.rttMs === 'number' && x.rttMs >= 0))))).every(Boolean), { timeout: 15_000 }).toBe(true)
  await expect(pages[0]!.getByTestId('peer-table').locator('tbody tr')).toHaveCount(3)
  await expect(pages[0]!.getByTestId('peer-table')).toContainText('webrtc')
})

test('messages flow between all tabs', async () => {
  await exchange(pages, 'greeting')
})

test('after the relay is killed the tabs still exchange messages', async () => {
  await stack.relay.kill()
  await expect.poll(() => pages[0]!.evaluate(() => window.meshwork.stats().relayConnected), { timeout: 15_000 }).toBe(false)
  await exchange(pages, 'without-relay')
  await expectFullMesh(pages, 'webrtc', 5_000)
})

test('after the relay restarts a new tab joins the mesh', async () => {
  const t0 = Date.now()
  await stack.restartRelay()
  const t1 = Date.now()
  await expect.poll(async () => (await Promise.all(pages.map(p => p.evaluate(() => window.meshwork.stats().relayConnected)))).every(Boolean), { timeout: 30_000 }).toBe(true)
  const t2 = Date.now()
  pages.push(await openTab(contexts[0]!, stack.url))
  const t3 = Date.now()
  await expectFullMesh(pages)
  console.log(`relay restart ${t1 - t0} ms, tabs back on it ${t2 - t1} ms, new tab ready ${t3 - t2} ms, full mesh ${Date.now() - t3} ms`)
  await exchange(pages, 'after-restart')
})

test('a closed tab disappears from the others within 5 s', async () => {
  const gone = pages.pop()!
  const goneId = await peerIdOf(gone)
  const started = Date.now()
  await gone.close()
  await expect.poll(async () => {
    const lists = await Promise.all(pages.map(p => p.evaluate(() => window.meshwork.peers().map(x => x.peerId))))
    return lists.every(l => !l.includes(goneId))
  }, { timeout: 5_000, intervals: [100] }).toBe(true)
  console.log(`closed tab dropped by all others after ${Date.now() - started} ms`)
})

test('a tab that vanishes without a goodbye is noticed by heartbeat within 3 s', async ({ browser }) => {
  // A crashed renderer sends nothing: only the app-level heartbeat can tell.
  const extra = await openTab(contexts[1]!, stack.url)
  pages.push(extra)
  await expectFullMesh(pages)
  const id = await peerIdOf(extra)
  const cdp = await contexts[1]!.newCDPSession(extra)
  const started = Date.now()
  void cdp.send('Page.crash').catch(() => {})
  pages.pop()
  await expect.poll(async () => {
    const lists = await Promise.all(pages.map(p => p.evaluate(() => window.meshwork.peers().map(x => x.peerId))))
    return lists.every(l => !l.includes(id))
  }, { timeout: 3_500, intervals: [100] }).toBe(true)
  const leaveReason = await pages[0]!.evaluate(() => [...document.querySelectorAll('[data-testid=event-log] li')].map(l => l.textContent).find(t => t?.includes('silent')))
  expect(leaveReason, 'the leave was noticed by silence, not by a goodbye').toBeTruthy()
  console.log(`crashed tab dropped by all others after ${Date.now() - started} ms`)
  void browser
})
