import { test, expect } from '@playwright/test'
import { startStack, openTab, expectFullMesh, expectGossipReady, type Stack } from './harness.ts'

let stack: Stack
test.beforeAll(async () => { stack = await startStack() })
test.afterAll(async () => { await stack?.stop() })

test('a malformed relay address in the URL gets a clear error and the node falls back', async ({ page }) => {
  await page.goto(`${stack.url}?relay=${encodeURIComponent('/ip4/127.0.0.1/tcp/9/ws')}`)
  await page.waitForFunction(() => window.meshwork !== undefined)
  await page.evaluate(() => window.meshwork.ready) // the server's relay is used instead
  await expect(page.getByTestId('event-log')).toContainText('must end with /p2p/')
  expect(await page.evaluate(() => window.meshwork.stats().problems['config:bad-relay'])).toBe(1)
  // The banner says it until the person dismisses it; the event log keeps it.
  await expect(page.getByTestId('last-problem')).toContainText('must end with /p2p/')
  await page.getByTestId('problem-dismiss').click()
  await expect(page.getByTestId('problem-banner')).toHaveCount(0)
  await expect(page.getByTestId('event-log')).toContainText('must end with /p2p/')
})

test('an unreachable relay is reported, counted and retried while the node keeps running', async ({ page }) => {
  const dead = '/ip4/127.0.0.1/tcp/9/ws/p2p/12D3KooWRB26hSkQjP1zpgmQfg47NiV7nbEjyW7pdSEiYW2fLCVU'
  await page.goto(`${stack.url}?relay=${encodeURIComponent(dead)}`)
  await page.waitForFunction(() => window.meshwork?.node !== undefined)
  await expect.poll(() => page.evaluate(() => window.meshwork.stats().problems['relay:unreachable'] ?? 0), { timeout: 20_000 }).toBeGreaterThanOrEqual(2)
  await expect(page.getByTestId('last-problem')).toContainText('cannot reach the relay')
  await expect(page.getByTestId('relay-status')).toContainText('not connected')
  expect(await page.evaluate(() => window.meshwork.peers())).toEqual([])
})

test('a room name with odd characters is refused with the reason, and the default room is used', async ({ page }) => {
  await page.goto(`${stack.url}?room=${encodeURIComponent('my room/<script>')}`)
  await page.waitForFunction(() => window.meshwork !== undefined)
  await page.evaluate(() => window.meshwork.ready)
  expect(await page.evaluate(() => window.meshwork.room)).toBe('lobby')
  await expect(page.getByTestId('event-log')).toContainText('character "/" is not allowed')
  // Spaces and case are folded rather than refused.
  await page.goto(`${stack.url}?room=${encodeURIComponent('  Team Alpha ')}`)
  await page.waitForFunction(() => window.meshwork?.room !== undefined)
  expect(await page.evaluate(() => window.meshwork.room)).toBe('team-alpha')
})

test('rooms are separate: tabs of different rooms never link', async ({ browser }) => {
  const ctx = await browser.newContext()
  const a1 = await openTab(ctx, `${stack.url}?room=alpha`)
  const a2 = await openTab(ctx, `${stack.url}?room=alpha`)
  const b1 = await openTab(ctx, `${stack.url}?room=beta`)
  await expectFullMesh([a1, a2])
  await page_wait(2_000)
  expect(await b1.evaluate(() => window.meshwork.peers())).toEqual([])
  const aPeers = await a1.evaluate(() => window.meshwork.peers().map(p => p.peerId))
  expect(aPeers).not.toContain(await b1.evaluate(() => window.meshwork.peerId))
  // A peer that dials across rooms on purpose is turned away by the hello check.
  const addr = await a1.evaluate(() => window.meshwork.node!.libp2p.getMultiaddrs().map(String).find(a => a.includes('/webrtc'))!)
  // First WebRTC dials fail now and then (signalling timeouts); try a few times, as the mesh itself would.
  let dialResult = ''
  for (let i = 0; i < 4 && dialResult !== 'ok'; i++) {
    dialResult = await b1.evaluate(a => window.meshwork.node!.connect(a).then(() => 'ok', (e: Error) => e.message), addr)
  }
  expect(dialResult).toBe('ok')
  await expect.poll(async () => (await a1.evaluate(() => window.meshwork.stats().problems['link:other-room'] ?? 0)) +
    (await b1.evaluate(() => window.meshwork.stats().problems['link:other-room'] ?? 0)), { timeout: 30_000 }).toBeGreaterThanOrEqual(1)
  await expect.poll(() => a1.evaluate(() => window.meshwork.peers().length), { timeout: 5_000 }).toBe(1)
  await ctx.close()
})

test('garbage on a mesh topic is rejected, counted and shown; the node keeps working', async ({ browser }) => {
  const ctx = await browser.newContext()
  const a = await openTab(ctx, `${stack.url}?room=garbage`)
  const b = await openTab(ctx, `${stack.url}?room=garbage`)
  await expectFullMesh([a, b])
  await expectGossipReady([a, b])
  await a.evaluate(() => {
    const n = window.meshwork.node!
    n.publishRaw(new TextEncoder().encode('{not json'))
    n.publishRaw(new TextEncoder().encode(JSON.stringify({ v: 99, kind: 'app' })))
    n.publishRaw(new TextEncoder().encode(JSON.stringify({ v: 1, kind: 'app', channel: 'x', id: 'y', ts: -1, body: 0 })))
    n.publishRaw(new Uint8Array([0xff, 0xfe, 0x00]))
  })
  await expect.poll(() => b.evaluate(() => window.meshwork.stats().problems), { timeout: 10_000 }).toEqual(expect.objectContaining({
    'message:not-json': 1, 'message:unknown-version': 1, 'message:bad-field': 1, 'message:not-utf8': 1
  }))
  await expect(b.getByTestId('problem-counts')).toContainText('message:not-json')
  // Still alive and still talking.
  const got = b.evaluate(() => new Promise(resolve => { window.meshwork.on('message', m => resolve(m.body)) }))
  await a.evaluate(() => window.meshwork.send('after-garbage', { ok: true }))
  expect(await got).toEqual({ ok: true })
  expect(await b.evaluate(() => window.meshwork.peers().length)).toBe(1)
  await ctx.close()
})

function page_wait (ms: number): Promise<void> { return new Promise(resolve => setTimeout(resolve, ms)) }
