/**
 * What the e2e specs stand on: the real relay (as a child process), the real app server on the
 * built app, and Chromium tabs driven through window.meshwork.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { expect, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test'
import { startRelay } from '../../scripts/relay-process.mjs'
import { createAppServer } from '../../scripts/serve.mjs'

export type RelayHandle = Awaited<ReturnType<typeof startRelay>>

export interface Stack {
  url: string
  relay: RelayHandle
  keyFile: string
  server: Server
  restartRelay: () => Promise<RelayHandle>
  stop: () => Promise<void>
}

export async function startStack (opts: { relayPort?: number } = {}): Promise<Stack> {
  const keyFile = join(mkdtempSync(join(tmpdir(), 'meshwork-e2e-')), 'relay.key')
  let relay = await startRelay({ port: opts.relayPort ?? 0, httpPort: 0, keyFile, quiet: true })
  const server = createAppServer({ root: process.env.MESHWORK_DIST ?? 'dist', getRelay: () => relay, model: 'meshwork-glove-100d', log: () => {} })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const stack: Stack = {
    url: `http://127.0.0.1:${port}/`,
    get relay () { return relay },
    keyFile,
    server,
    // Same key and port: the relay comes back at the same address, as after a crash and restart.
    restartRelay: async () => {
      relay = await startRelay({ port: relay.port, httpPort: 0, keyFile, quiet: true })
      return relay
    },
    stop: async () => {
      await relay.stop().catch(() => {})
      await new Promise<void>(resolve => { server.close(() => resolve()); server.closeAllConnections() })
    }
  }
  return stack
}

/** A new page of the app with its API up, not waiting for its node (e.g. with the relay down). */
export async function openPage (context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage()
  page.on('pageerror', err => { console.error(`[page error] ${err.message}`) })
  await page.goto(url)
  await page.waitForFunction(() => window.meshwork !== undefined)
  return page
}

export async function openTab (context: BrowserContext, url: string): Promise<Page> {
  const page = await openPage(context, url)
  await page.evaluate(() => window.meshwork.ready)
  return page
}

export async function peerIdOf (page: Page): Promise<string> {
  return page.evaluate(() => window.meshwork.peerId!)
}

/** Waits until every page lists every other page as a peer over the given transport. */
export async function expectFullMesh (pages: Page[], transport = 'webrtc', timeout = 90_000): Promise<void> {
  const ids = await Promise.all(pages.map(peerIdOf))
  await expect(async () => {
    for (let i = 0; i < pages.length; i++) {
      const peers = await pages[i]!.evaluate(() => window.meshwork.peers())
      const want = ids.filter((_, j) => j !== i).sort()
      const got = peers.filter(p => p.transport === transport).map(p => p.peerId).sort()
      expect(got, `tab ${i} sees its peers over ${transport}`).toEqual(want)
    }
  }).toPass({ timeout, intervals: [250, 500, 1000] })
}

/**
 * Every page's gossip layer knows every other page subscribes to the room's app topic. A full WebRTC
 * mesh comes first; the subscriptions travel a moment later, and a gossip message published before
 * then reaches nobody (gossip is best effort by design).
 */
export async function expectGossipReady (pages: Page[], timeout = 15_000): Promise<void> {
  const ids = await Promise.all(pages.map(peerIdOf))
  await expect(async () => {
    for (let i = 0; i < pages.length; i++) {
      const subs = await pages[i]!.evaluate(() => window.meshwork.node!.libp2p.services.pubsub
        .getSubscribers(`meshwork/${window.meshwork.room}/app`).map(String))
      expect(subs.sort(), `tab ${i} knows the others subscribe`).toEqual(expect.arrayContaining(ids.filter((_, j) => j !== i)))
    }
  }).toPass({ timeout, intervals: [100, 250, 500] })
}

/** Every page sends one message on `channel`; resolves with, per page, the senders it heard from. */
export async function exchange (pages: Page[], channel: string, timeout = 15_000): Promise<void> {
  const ids = await Promise.all(pages.map(peerIdOf))
  await expectGossipReady(pages)
  await Promise.all(pages.map(p => p.evaluate(ch => {
    const w = window as unknown as { __heard?: Record<string, string[]> }
    w.__heard ??= {}
    const heard = (w.__heard[ch] = [] as string[])
    window.meshwork.on('message', m => { if (m.channel === ch) heard.push(m.from) })
  }, channel)))
  await Promise.all(pages.map((p, i) => p.evaluate(([ch, n]) => window.meshwork.send(ch, { hello: n }), [channel, i] as const)))
  await expect(async () => {
    for (let i = 0; i < pages.length; i++) {
      const heard = await pages[i]!.evaluate(ch => (window as unknown as { __heard: Record<string, string[]> }).__heard[ch] ?? [], channel)
      expect([...new Set(heard)].sort(), `tab ${i} heard every other tab on ${channel}`).toEqual(ids.filter((_, j) => j !== i).sort())
    }
  }).toPass({ timeout, intervals: [200, 500] })
}

/** Opens a tab at `url` and waits until its agents run and it takes part in coordination. */
export async function openCoordTab (context: BrowserContext, url: string): Promise<Page> {
  const page = await openTab(context, url)
  await page.evaluate(async () => { await window.meshwork.agents.ready; await window.meshwork.tasks.ready })
  return page
}

/** Every tab's registry lists `n` online agents (so everyone knows who is there before bidding starts). */
/**
 * A one-skill custom agent's manifest: named and described by its skill, a 5 s budget. The skill's
 * id (default `main`) and tags (default none) may be given with it.
 */
export function customManifest (id: string, skill: { id?: string, name: string, description: string, examples: string[], tags?: string[] }): Record<string, unknown> {
  return {
    manifestVersion: 1,
    id,
    name: skill.name,
    description: skill.description,
    version: '1.0.0',
    skills: [{ id: 'main', tags: [], level: 'expert', ...skill }],
    limits: { timeoutMs: 5000 }
  }
}

export async function registriesHave (pages: Page[], n: number): Promise<void> {
  for (const p of pages) await expect.poll(() => p.evaluate(() => window.meshwork.agents.list().filter(x => x.online).length), { timeout: 20_000 }).toBe(n)
}

/**
 * The three-tab room the coordination specs share: tab A (planner, calculator) in one browser
 * context, B (researcher, summariser) and C (verifier) in another, fully meshed and each knowing all
 * five agents. `open` opens one tab with the given built-ins (specs add their own room and UI steps).
 */
export async function openSkillRoom (
  browser: Browser,
  open: (ctx: BrowserContext, agents: string) => Promise<Page>,
  contextOptions: BrowserContextOptions = {}
): Promise<{ ctxA: BrowserContext, ctxB: BrowserContext, a: Page, b: Page, c: Page }> {
  const ctxA = await browser.newContext(contextOptions)
  const ctxB = await browser.newContext(contextOptions)
  const a = await open(ctxA, 'planner,calculator')
  const b = await open(ctxB, 'researcher,summariser')
  const c = await open(ctxB, 'verifier')
  await expectFullMesh([a, b, c])
  await registriesHave([a, b, c], 5)
  return { ctxA, ctxB, a, b, c }
}
