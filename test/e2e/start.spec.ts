import { spawn, type ChildProcess } from 'node:child_process'
import { test, expect } from '@playwright/test'

// `npm start` itself, as a person runs it: builds if stale, starts relay + app server, prints the URL;
// a tab opened there reaches the relay with zero configuration and runs its agents; Ctrl-C stops both.
let child: ChildProcess | undefined
test.afterAll(() => { child?.kill('SIGKILL') })

test('npm start serves the app and the relay with zero configuration, and stops cleanly', async ({ page }) => {
  test.setTimeout(240_000)
  const port = 20000 + Math.floor(Math.random() * 20000)
  child = spawn(process.execPath, ['scripts/start.mjs'], {
    env: { ...process.env, PORT: String(port), RELAY_PORT: String(port + 1), RELAY_HTTP_PORT: String(port + 2), MESHWORK_MODEL: 'meshwork-glove-100d' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout!.on('data', d => { out += String(d) })
  child.stderr!.on('data', d => { out += String(d) })
  await expect.poll(() => out, { timeout: 180_000, intervals: [500] }).toContain('Meshwork is running.')
  expect(out).toContain(`http://127.0.0.1:${port}/`)
  const config = await (await fetch(`http://127.0.0.1:${port}/config.json`)).json() as { relays: string[], model: string }
  expect(config.relays[0]).toMatch(new RegExp(`/tcp/${port + 1}/ws/p2p/12D3KooW`))
  expect(config.model).toBe('meshwork-glove-100d')
  const health = await (await fetch(`http://127.0.0.1:${port + 2}/health`)).json() as { ok?: boolean }
  expect(health).toBeTruthy()

  await page.goto(`http://127.0.0.1:${port}/`)
  await page.waitForFunction(() => window.meshwork !== undefined)
  await page.evaluate(async () => { await window.meshwork.ready; await window.meshwork.agents.ready })
  expect(await page.evaluate(() => window.meshwork.stats().relayConnected)).toBe(true)
  expect(await page.evaluate(() => window.meshwork.agents.model()?.modelId)).toBe('meshwork-glove-100d')
  await page.close()

  const exited = new Promise<number | null>(resolve => child!.on('exit', code => { resolve(code) }))
  child.kill('SIGINT')
  expect(await exited).toBe(0)
})
