import { test, expect, chromium } from '@playwright/test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startStack, type Stack } from './harness.ts'

let stack: Stack
test.beforeAll(async () => { stack = await startStack() })
test.afterAll(async () => { await stack?.stop() })

test('the app is installable and its shell loads offline', async () => {
  // Installability needs a real profile: newContext() is incognito, where Chromium never offers install.
  const config = test.info().project.use
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'meshwork-pwa-')), {
    headless: true,
    executablePath: '/usr/bin/chromium',
    args: (config.launchOptions?.args ?? [])
  })
  try {
    const page = context.pages()[0] ?? await context.newPage()
    await page.goto(stack.url)
    await page.waitForFunction(() => window.meshwork !== undefined)
    await page.evaluate(() => window.meshwork.ready)
    // The service worker must control the page before the shell can come from its cache.
    await page.evaluate(async () => { await navigator.serviceWorker.ready })
    await page.reload()
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true)

    const cdp = await context.newCDPSession(page)
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors') as { installabilityErrors: Array<{ errorId: string }> }
    expect(installabilityErrors.map(e => e.errorId)).toEqual([])
    const manifest = await cdp.send('Page.getAppManifest') as { errors: unknown[], url: string }
    expect(manifest.errors).toEqual([])
    expect(manifest.url).toContain('manifest.webmanifest')

    await context.setOffline(true)
    await page.reload()
    await expect(page.locator('h1')).toHaveText('Meshwork')
    await expect(page.getByTestId('room')).toContainText('lobby')
  } finally {
    await context.close()
  }
})
