// npm run bench:graph — the shared knowledge graph across real tabs: edit propagation latency (N = 3, 5),
// initial sync of a large graph to a new tab (1k, 10k entities), reload from IndexedDB with no peers,
// main-thread long tasks during the big sync; next to a bare Automerge baseline (Node, same data and
// layout) and a bare automerge-repo baseline (two Repos over a MessageChannel) in the same run.
// Runs inside the e2e network namespace (test/e2e/run.mjs --bench graph).
// Env: BENCH_PROP_SIZES=3,5  BENCH_SYNC_SIZES=1000,10000  BENCH_EDITS=30  BENCH_PARTS=baseline,shards,prop,sync  BENCH_SHARD_SIZES=10000,60000 (change cost by graph size, layout 1 vs current)  BENCH_PROFILE=sync (CPU profile of the joiner)
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import * as Automerge from '@automerge/automerge'
import { Repo, NetworkAdapter, cbor } from '@automerge/automerge-repo'
import { startRelay } from '../scripts/relay-process.mjs'
import { createAppServer } from '../scripts/serve.mjs'
import { percentile, fmt, table, writeResults, sleep, root, withTimeout, summariseProfile, pageLoadMarks, summariseStartup, formatStartup } from './lib.mjs'

const propSizes = (process.env.BENCH_PROP_SIZES ?? '3,5').split(',').filter(Boolean).map(Number)
const syncSizes = (process.env.BENCH_SYNC_SIZES ?? '1000,10000').split(',').filter(Boolean).map(Number)
// BENCH_SYNC_WARM: sizes whose initial sync is also measured into a browser profile that ran the app
// before (in another room: its HTTP and compiled-code caches are warm, its graph is empty), as a person
// who opens a new room does; the new-context run is the cold start.
const syncWarmSizes = (process.env.BENCH_SYNC_WARM ?? '10000').split(',').filter(Boolean).map(Number)
const EDITS = Number(process.env.BENCH_EDITS ?? 30)
const parts = new Set((process.env.BENCH_PARTS ?? 'baseline,shards,prop,sync').split(','))
const shardSizes = (process.env.BENCH_SHARD_SIZES ?? '10000,60000').split(',').filter(Boolean).map(Number)
const PROFILE = process.env.BENCH_PROFILE ?? ''
const MESH_TIMEOUT_MS = 90_000
const SYNC_TIMEOUT_MS = 90_000
const RELOAD_TIMEOUT_MS = 60_000
const EDIT_GAP_MS = 200 // > automerge-repo's 100 ms sync throttle, so each edit is its own sync round
const BATCH = 500
const RUN = Math.random().toString(36).slice(2, 8)
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', ...(process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean)]

// Never hang: the whole run is bounded (the parts are bounded individually too).
const watchdog = setTimeout(() => { console.error('bench:graph: watchdog fired after 14 min, giving up'); process.exit(2) }, 14 * 60_000)
watchdog.unref()

// The entities of the large graph, the same in the browser and in the Node baselines. Mixed kinds.
function genEntity (i) {
  const kinds = ['fact', 'hypothesis', 'question', 'decision', 'thread', 'solution', 'unknown']
  const kind = kinds[i % kinds.length]
  const e = { kind, text: `Entity ${i}: an observation about subsystem ${i % 53} under load level ${i % 11}`, confidence: (i % 10) / 10 }
  if (kind === 'thread') e.title = `Thread ${i}`
  if (kind === 'solution') e.taskId = `task:${i}`
  if (i % 4 === 0) e.tags = ['bench', `area-${i % 13}`]
  return e
}
const entityId = (size, i) => `bench-${size}-${i}`

/** Polls `fn` (async) until it returns a non-null value or `ms` pass; null on timeout. */
async function pollUntil (fn, ms, every = 100) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    const v = await fn().catch(() => null)
    if (v !== null && v !== undefined) return v
    await sleep(every)
  }
  return null
}

// ---------------------------------------------------------------------------------------------
// Baselines in Node: the same entities, the same document layout as src/graph/layout.ts (layout 2:
// 256 shards per collection, one map per entity holding its JSON as created), written 500 per change.
// Layout 1 (32 shards) is kept for the 'shards' part, which compares the two.

const LAYOUTS = { 1: 32, 2: 256 }
const CURRENT_LAYOUT = 2
const shardKeys = count => Array.from({ length: count }, (_, i) => i.toString(16).padStart(2, '0'))
const SHARDS = shardKeys(LAYOUTS[CURRENT_LAYOUT])
function shardOf (id, count = LAYOUTS[CURRENT_LAYOUT]) {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) { h ^= id.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0 }
  return ((h >>> 0) % count).toString(16).padStart(2, '0')
}
const imm = s => new Automerge.ImmutableString(s)
const FAKE_PEER = '12D3KooWBenchBenchBenchBenchBenchBenchBenchBenchBench'
// An entity as created is one JSON field `c` (layout.ts); fields written later sit next to it.
function storedEntity (id, e, now) {
  const out = { id, kind: e.kind, text: e.text, agentId: 'person', peerId: FAKE_PEER, createdAt: now, updatedAt: now, confidence: e.confidence, status: 'proposed' }
  if (e.title !== undefined) out.title = e.title
  if (e.tags !== undefined) out.tags = JSON.stringify(e.tags)
  if (e.taskId !== undefined) out.taskId = e.taskId
  return { c: imm(JSON.stringify(out)) }
}
const emptyLayout = (layout = CURRENT_LAYOUT) => {
  const shards = () => Object.fromEntries(shardKeys(LAYOUTS[layout]).map(k => [k, {}]))
  return { meta: { layout }, e: shards(), r: shards(), a: shards(), m: shards() }
}
function writeBatch (d, size, from, to, now, count = LAYOUTS[CURRENT_LAYOUT]) {
  for (let i = from; i < to; i++) {
    const id = entityId(size, i)
    d.e[shardOf(id, count)][id] = storedEntity(id, genEntity(i), now)
  }
}

/**
 * What one change costs as the graph grows, by layout (bare Automerge, Node): a graph of `size`
 * entities, then 9 changes of 1 and of 50 new entities each: the writer's `Automerge.change` and
 * a peer's `applyChanges` of it (Automerge's JS side copies every map a change touches, so the cost
 * follows the size of the shards written into). Medians.
 */
function shardCost (size, layout) {
  const count = LAYOUTS[layout]
  let a = Automerge.from(emptyLayout(layout), { actor: '6d657368776f726b2d67656e65736973' })
  const now = Date.now()
  for (let from = 0; from < size; from += BATCH) a = Automerge.change(a, d => writeBatch(d, size, from, Math.min(size, from + BATCH), now, count))
  let b = Automerge.load(Automerge.save(a))
  const result = { layout, shards: count, size }
  let next = size
  for (const per of [1, 50]) {
    const write = []; const apply = []
    for (let k = 0; k < 9; k++) {
      const t0 = performance.now()
      const from = next; next += per
      a = Automerge.change(a, d => writeBatch(d, size * 10, from, from + per, now, count))
      write.push(performance.now() - t0)
      const change = Automerge.getLastLocalChange(a)
      const t1 = performance.now()
      ;[b] = Automerge.applyChanges(b, [change])
      apply.push(performance.now() - t1)
    }
    result[`write${per}`] = percentile(write, 50)
    result[`apply${per}`] = percentile(apply, 50)
  }
  return result
}
const countEntities = doc => SHARDS.reduce((n, k) => n + Object.keys(doc.e?.[k] ?? {}).length, 0)

function automergeBaseline (size) {
  const genesis = Automerge.save(Automerge.from(emptyLayout(), { actor: '6d657368776f726b2d67656e65736973' }))
  let a = Automerge.load(genesis)
  let b = Automerge.load(genesis)
  const now = Date.now()
  const tb = performance.now()
  for (let from = 0; from < size; from += BATCH) a = Automerge.change(a, d => writeBatch(d, size, from, Math.min(size, from + BATCH), now))
  const buildMs = performance.now() - tb
  const docBytes = Automerge.save(a).byteLength
  let sa = Automerge.initSyncState()
  let sb = Automerge.initSyncState()
  let bytesIn = 0; let bytesOut = 0; let messages = 0
  const t0 = performance.now()
  for (let round = 0; round < 1000; round++) {
    let progressed = false
    let m
    ;[sb, m] = Automerge.generateSyncMessage(b, sb) // the joiner speaks first, as a new tab does
    if (m) { bytesOut += m.byteLength; messages++; [a, sa] = Automerge.receiveSyncMessage(a, sa, m); progressed = true }
    ;[sa, m] = Automerge.generateSyncMessage(a, sa)
    if (m) { bytesIn += m.byteLength; messages++; [b, sb] = Automerge.receiveSyncMessage(b, sb, m); progressed = true }
    if (!progressed) break
  }
  const syncMs = performance.now() - t0
  const t1 = performance.now()
  const count = countEntities(b)
  const readMs = performance.now() - t1
  // For comparison with the app's IndexedDB reload: loading the saved document and reading it.
  const saved = Automerge.save(a)
  const t2 = performance.now()
  const loaded = countEntities(Automerge.load(saved))
  const loadMs = performance.now() - t2
  return { variant: 'automerge', size, buildMs, syncMs, readMs, loadMs, loaded, bytesIn, bytesOut, messages, docBytes, count, complete: count === size }
}

// automerge-repo over a real MessageChannel (structured clone), counting the CBOR size of every message
// (what the app frames onto its libp2p streams, minus the varint length prefix).
class ChannelAdapter extends NetworkAdapter {
  constructor (port) { super(); this.port = port; this.ready = false; this.bytesOut = 0; this.framesOut = 0 }
  isReady () { return this.ready }
  whenReady () { return Promise.resolve() }
  connect (peerId, peerMetadata) {
    this.peerId = peerId
    this.peerMetadata = peerMetadata ?? {}
    this.port.onmessage = ({ data }) => {
      if (data.type === 'bench/arrive' || data.type === 'bench/welcome') {
        if (data.type === 'bench/arrive') this.port.postMessage({ type: 'bench/welcome', senderId: this.peerId, peerMetadata: this.peerMetadata })
        if (this.remote === undefined) { this.remote = data.senderId; this.emit('peer-candidate', { peerId: data.senderId, peerMetadata: data.peerMetadata }) }
      } else this.emit('message', data)
    }
    this.port.postMessage({ type: 'bench/arrive', senderId: this.peerId, peerMetadata: this.peerMetadata })
    this.ready = true
    this.emit('ready', { network: this })
  }
  send (message) {
    this.bytesOut += cbor.encode(message).byteLength
    this.framesOut++
    this.port.postMessage(message)
  }
  disconnect () { this.port.close() }
}

async function repoBaseline (size) {
  const { port1, port2 } = new MessageChannel()
  const adA = new ChannelAdapter(port1)
  const repoA = new Repo({ network: [adA], peerId: 'bench-a', sharePolicy: async () => true })
  let repoB
  try {
    const handle = repoA.create(emptyLayout())
    const now = Date.now()
    const tb = performance.now()
    for (let from = 0; from < size; from += BATCH) handle.change(d => writeBatch(d, size, from, Math.min(size, from + BATCH), now))
    const buildMs = performance.now() - tb
    await sleep(300) // let A settle (its own change events) before the joiner arrives
    const t0 = performance.now()
    const adB = new ChannelAdapter(port2)
    const met = new Promise(resolve => adB.once('peer-candidate', () => setTimeout(resolve, 0)))
    repoB = new Repo({ network: [adB], peerId: 'bench-b', sharePolicy: async () => true })
    await withTimeout(met, 10_000, 'repo handshake') // find() with no peer yet reports the document unavailable
    const hb = await withTimeout(repoB.find(handle.url), 60_000, 'repo.find')
    let count = countEntities(hb.doc())
    if (count < size) {
      count = await withTimeout(new Promise(resolve => {
        const on = () => { const c = countEntities(hb.doc()); if (c >= size) { hb.off('change', on); resolve(c) } }
        hb.on('change', on)
        on()
      }), 60_000, 'repo sync')
    }
    const syncMs = performance.now() - t0
    await sleep(1_000) // the Repo sends a new peer the document a second time: count that too
    return { variant: 'repo', size, buildMs, syncMs, bytesIn: adA.bytesOut, bytesOut: adB.bytesOut, messages: adA.framesOut + adB.framesOut, count, complete: count === size }
  } finally {
    await repoB?.shutdown().catch(() => {})
    await repoA.shutdown().catch(() => {})
    port1.close(); port2.close()
  }
}

// ---------------------------------------------------------------------------------------------
// The app in Chromium

async function startStack () {
  const relay = await startRelay({ port: 0, httpPort: -1, keyFile: join(mkdtempSync(join(tmpdir(), 'bench-')), 'key'), quiet: true })
  const server = createAppServer({ root: join(root, process.env.MESHWORK_DIST ?? 'dist'), getRelay: () => relay, log: () => {} })
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
  return {
    relay,
    browser,
    base: `http://127.0.0.1:${server.address().port}/`,
    stop: async () => {
      await browser.close().catch(() => {})
      await new Promise(resolve => { server.close(resolve); server.closeAllConnections() })
      await relay.stop().catch(() => {})
    }
  }
}

function watchPage (page, label) {
  page.on('pageerror', err => { process.stderr.write(`[${label} page error] ${err.message}\n`) })
}

async function newTab (context, url, label) {
  const page = await context.newPage()
  watchPage(page, label)
  await page.goto(url)
  await page.waitForFunction(() => window.meshwork !== undefined, null, { timeout: 30_000 })
  await withTimeout(page.evaluate(() => window.meshwork.graph.ready), 30_000, `${label}: graph.ready`)
  return page
}

/** Waits until every page has every other as a WebRTC peer and syncs the graph with each peer its sync topology names (all of them up to 4 tabs). */
async function waitForGraphMesh (pages, ms) {
  const want = pages.length - 1
  return pollUntil(async () => {
    const ok = await Promise.all(pages.map(p => p.evaluate(w => window.meshwork.peers().filter(x => x.transport === 'webrtc').length >= w && (s => s.syncTargets.every(t => s.syncingWith.includes(t)))(window.meshwork.graph.syncStats()), want)))
    return ok.every(Boolean) ? true : null
  }, ms, 200)
}

// 1. Edit propagation: alternately an add (visible = the id appears) and an update of that entity's text
// (visible = the new text appears), writers taking turns, one edit every EDIT_GAP_MS.
async function propagation (n) {
  const result = { n, edits: EDITS }
  const stack = await startStack()
  try {
    const url = `${stack.base}?room=gprop${n}-${RUN}`
    const contexts = [await stack.browser.newContext(), await stack.browser.newContext()]
    const t0 = Date.now()
    const pages = []
    for (let i = 0; i < n; i++) pages.push(await newTab(contexts[i % 2], url, `prop${n}/${i}`))
    const meshed = await waitForGraphMesh(pages, MESH_TIMEOUT_MS)
    result.meshMs = meshed ? Date.now() - t0 : null
    if (!meshed) { result.error = `no full WebRTC + graph-sync mesh within ${MESH_TIMEOUT_MS / 1000} s`; return result }
    await Promise.all(pages.map(p => p.evaluate(() => {
      const seen = window.__seen = {}
      window.meshwork.graph.on('change', ({ ids }) => {
        const t = performance.timeOrigin + performance.now()
        for (const id of ids) {
          if (!id.startsWith('bp')) continue
          if (!(id in seen)) seen[id] = t
          const text = window.meshwork.graph.graph.get(id)?.text
          if (text !== undefined && !(`${id}|${text}` in seen)) seen[`${id}|${text}`] = t
        }
      })
    })))
    // Warm-up: every tab writes once and sees everyone's write, so sync sessions are all running.
    await Promise.all(pages.map((p, i) => p.evaluate(k => { window.meshwork.graph.graph.batch([{ op: 'add', id: `bpw-${k}`, entity: { kind: 'fact', text: `warm-up ${k}` } }]) }, i)))
    const warm = await pollUntil(async () => {
      const s = await Promise.all(pages.map((p, i) => p.evaluate(({ k, n }) => Array.from({ length: n }, (_, j) => j).every(j => j === k || `bpw-${j}` in window.__seen), { k: i, n })))
      return s.every(Boolean) ? true : null
    }, 30_000, 100)
    if (!warm) { result.error = 'warm-up writes did not reach every tab within 30 s'; return result }
    await sleep(500)
    const edits = []
    for (let j = 0; j < EDITS; j++) {
      const w = j % n
      const id = j % 2 === 0 ? `bpe-${j}` : `bpe-${j - 1}`
      const text = `propagation probe ${j}`
      const key = j % 2 === 0 ? id : `${id}|${text}`
      const at = await pages[w].evaluate(({ id, text, add }) => {
        const t = performance.timeOrigin + performance.now()
        window.meshwork.graph.graph.batch([add ? { op: 'add', id, entity: { kind: 'fact', text } } : { op: 'update', id, patch: { text } }])
        return t
      }, { id, text, add: j % 2 === 0 })
      edits.push({ writer: w, key, at })
      await sleep(EDIT_GAP_MS)
    }
    const collect = () => Promise.all(pages.map(p => p.evaluate(() => window.__seen)))
    await pollUntil(async () => {
      const seen = await collect()
      return edits.every(e => seen.every((s, i) => i === e.writer || e.key in s)) ? true : null
    }, 10_000, 200)
    const seen = await collect()
    const perEdit = []; const perReceiver = []
    let delivered = 0
    for (const e of edits) {
      const lags = seen.map((s, i) => i === e.writer ? null : e.key in s ? s[e.key] - e.at : undefined).filter(x => x !== null)
      for (const l of lags) if (l !== undefined) { perReceiver.push(l); delivered++ }
      perEdit.push(lags.includes(undefined) ? null : Math.max(...lags))
    }
    result.expected = EDITS * (n - 1)
    result.delivered = delivered
    result.complete = perEdit.filter(x => x !== null).length
    result.allP50 = percentile(perEdit, 50)
    result.allP95 = percentile(perEdit, 95)
    result.allMax = result.complete === EDITS ? Math.max(...perEdit) : null
    result.rxP50 = percentile(perReceiver, 50)
    result.rxP95 = percentile(perReceiver, 95)
    result.samplesMs = perEdit
  } catch (err) {
    result.error = err.message.split('\n')[0]
  } finally {
    await stack.stop()
  }
  return result
}

// In-page probe for the joining or reloading tab, installed before navigation: long tasks, and the times
// (ms since navigation start) of node ready, graph ready, first WebRTC link, and holding `target` entities.
function probe ({ target }) {
  const p = window.__probe = { target, longtasks: [], nodeAt: null, readyAt: null, graphReadyAt: null, sizeAtGraphReady: null, firstLinkAt: null, fullAt: null, heldAt: null, hooked: false }
  const push = entries => { for (const e of entries) p.longtasks.push({ start: e.startTime, dur: e.duration }) }
  try {
    const obs = new PerformanceObserver(list => push(list.getEntries()))
    obs.observe({ type: 'longtask', buffered: true })
    // Observer callbacks are delivered late (after the busy stretch, at low priority): flush before reading.
    window.__probeFlush = () => push(obs.takeRecords())
  } catch (e) { p.observerError = String(e) }
  const tick = () => {
    const m = window.meshwork
    if (m !== undefined) {
      if (!p.hooked) {
        p.hooked = true
        m.ready.then(() => { p.readyAt = performance.now() }, () => {})
        m.graph.ready.then(() => { p.graphReadyAt = performance.now(); p.sizeAtGraphReady = m.graph.graph.size }, e => { p.graphError = String(e) })
      }
      if (p.nodeAt === null && m.node !== undefined) p.nodeAt = performance.now()
      if (p.firstLinkAt === null && m.peers().some(x => x.transport === 'webrtc')) p.firstLinkAt = performance.now()
      const g = m.graph.graph
      if (p.fullAt === null && g !== undefined && g.size >= target) { p.fullAt = performance.now(); p.sizeAtFull = g.size }
      // The tab may show the graph (a snapshot's view) before its worker holds the document: until
      // the snapshot catch-up is over (applied, or never needed or failed), keep looking.
      if (p.fullAt !== null) {
        const state = m.graph.syncStats().snapshot?.state
        if (state !== 'fetching' && state !== 'waiting') { p.heldAt = performance.now(); p.heldState = state; return }
      }
    }
    setTimeout(tick, 10)
  }
  tick()
}

const longTaskSummary = (tasks, from = 0, to = Infinity) => {
  const t = tasks.filter(x => x.start >= from && x.start <= to)
  return { count: t.length, maxMs: t.length ? Math.max(...t.map(x => x.dur)) : 0, totalMs: t.reduce((s, x) => s + x.dur, 0), over50: t.filter(x => x.dur > 50).length }
}

// 2-4. Initial sync of a large graph to a new tab in a new context, its long tasks, then reloads from IndexedDB
// with the relay killed (no peer can be found).
/** The probe, with every long task recorded so far (waits a moment for late observer callbacks). */
async function readProbe (page) {
  await sleep(1_000)
  return page.evaluate(() => { window.__probeFlush?.(); return window.__probe })
}

async function largeSync (size, { warm = false } = {}) {
  const result = { variant: warm ? 'app-warm' : 'app', size }
  const stack = await startStack()
  try {
    const url = `${stack.base}?room=gsync${size}-${RUN}`
    const ctxA = await stack.browser.newContext()
    const creator = await newTab(ctxA, url, `sync${size}/creator`)
    await withTimeout(creator.evaluate(() => window.meshwork.ready), 30_000, 'creator: meshwork.ready')
    const w = await withTimeout(creator.evaluate(async ({ size, batch, gen }) => {
      const genEntity = (0, eval)(`(${gen})`)
      const g = window.meshwork.graph.graph
      const t0 = performance.now()
      let slowest = 0
      for (let from = 0; from < size; from += batch) {
        const ops = []
        for (let i = from; i < Math.min(size, from + batch); i++) ops.push({ op: 'add', id: `bench-${size}-${i}`, entity: genEntity(i) })
        const tb = performance.now()
        g.batch(ops)
        slowest = Math.max(slowest, performance.now() - tb)
        await new Promise(r => setTimeout(r, 0))
      }
      return { writeMs: performance.now() - t0, slowestBatchMs: slowest, size: g.size, docBytes: (await g.exportBinary()).byteLength }
    }, { size, batch: BATCH, gen: genEntity.toString() }), 120_000, 'creator: writing')
    Object.assign(result, { buildMs: w.writeMs, slowestBatchMs: w.slowestBatchMs, docBytes: w.docBytes })
    if (w.size < size) { result.error = `creator holds ${w.size}/${size}`; return result }
    await sleep(1_500) // let the creator's IndexedDB writes and UI settle

    // The joiner: a new context (empty IndexedDB), probe installed before navigation.
    const ctxB = await stack.browser.newContext()
    if (warm) {
      // The profile runs the app once, in another room, until its agents are ready, and closes it.
      const before = await newTab(ctxB, `${stack.base}?room=gsync-warmup-${RUN}`, `sync${size}/warmup`)
      await withTimeout(before.evaluate(async () => { await window.meshwork.ready; await window.meshwork.agents.ready }), 60_000, 'warm-up tab: ready')
      await sleep(2_000)
      await before.close()
    }
    await ctxB.addInitScript(probe, { target: size })
    const joiner = await ctxB.newPage()
    watchPage(joiner, `sync${size}/joiner`)
    // BENCH_PROFILE=sync: a CPU profile of the joiner's main thread from navigation to a full graph.
    const cdp = PROFILE === 'sync' ? await ctxB.newCDPSession(joiner) : undefined
    if (cdp !== undefined) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 200 }); await cdp.send('Profiler.start') }
    await joiner.goto(url)
    const p = await pollUntil(() => joiner.evaluate(() => window.__probe.heldAt === null ? null : window.__probe), SYNC_TIMEOUT_MS, 100)
    if (cdp !== undefined) {
      await sleep(1_000)
      const { profile } = await cdp.send('Profiler.stop')
      result.profile = summariseProfile(profile)
      // The whole profile too, for a look at single tasks (Chromium DevTools opens .cpuprofile files).
      result.profileFile = join(mkdtempSync(join(tmpdir(), 'bench-graph-')), 'joiner.cpuprofile')
      writeFileSync(result.profileFile, JSON.stringify(profile))
      await cdp.detach().catch(() => {})
    }
    if (p === null) {
      const last = await joiner.evaluate(() => ({ ...window.__probe, size: window.meshwork?.graph?.graph?.size ?? null })).catch(() => null)
      result.error = `joiner did not hold ${size} entities within ${SYNC_TIMEOUT_MS / 1000} s (had ${last?.size ?? '?'})`
      result.joinerProbe = last
      return result
    }
    const statsAtFull = await joiner.evaluate(() => window.meshwork.graph.syncStats())
    // Sync frames plus the snapshot a young tab fetched before syncing (if it did), with its view.
    result.bytesInAtFull = statsAtFull.bytesIn + (statsAtFull.snapshot?.bytes ?? 0) + (statsAtFull.snapshot?.preview?.bytes ?? 0)
    result.snapshot = statsAtFull.snapshot
    p.longtasks = (await readProbe(joiner)).longtasks
    result.syncMs = p.fullAt
    result.graphReadyMs = p.graphReadyAt
    result.nodeStartedMs = p.nodeAt
    result.firstLinkMs = p.firstLinkAt
    result.linkToFullMs = p.firstLinkAt === null ? null : p.fullAt - p.firstLinkAt
    // When the worker held the document (the snapshot applied); the same as full without a preview.
    result.docHeldMs = p.heldAt
    // The joiner's start-up timeline (ms since its navigation): where the time before the first link goes.
    const page = await joiner.evaluate(pageLoadMarks)
    const marks = await joiner.evaluate(() => window.meshwork.stats().startup)
    result.startup = { ...marks, ...Object.fromEntries(Object.entries(page).filter(([, v]) => v !== null).map(([k, v]) => [`page.${k}`, v])), firstLinkSeen: p.firstLinkAt, full: p.fullAt, docHeld: p.heldAt }
    result.startup = Object.fromEntries(Object.entries(result.startup).filter(([, v]) => v != null))
    // Window: until 1 s after completion (the later of full and the document held), so the work the
    // sync triggers right after (conflict scan, explorer, the document replacing a preview) counts.
    const end = Math.max(p.fullAt, p.heldAt ?? 0) + 1_000
    result.longTasks = longTaskSummary(p.longtasks, 0, end)
    result.longTasksAfterLink = p.firstLinkAt === null ? null : longTaskSummary(p.longtasks, p.firstLinkAt, end)
    result.longTaskList = p.longtasks
    if (p.observerError) result.observerError = p.observerError
    await sleep(1_000) // (plus the 1 s in readProbe) the second copy automerge-repo sends a new peer, and IndexedDB writes
    // The worker may still be applying the snapshot (the page can hold the graph before that ends).
    await pollUntil(() => joiner.evaluate(() => window.meshwork.graph.syncStats().snapshot?.state === 'fetching' ? null : true), 15_000, 100)
    const statsAfter = await joiner.evaluate(() => window.meshwork.graph.syncStats())
    result.bytesIn = statsAfter.bytesIn + (statsAfter.snapshot?.bytes ?? 0) + (statsAfter.snapshot?.preview?.bytes ?? 0)
    // The page may hold every entity before the worker has finished applying the snapshot (it
    // announces the index before automerge-repo's diff): the catch-up's own report, timings included.
    if (statsAfter.snapshot !== undefined) result.snapshot = { ...statsAfter.snapshot, stateAtFull: statsAtFull.snapshot?.state }
    // The serving side: how long the joiner's request waited there for the save and the view.
    const served = await creator.evaluate(() => { const s = window.meshwork.graph.syncStats().snapshot; return { wait: s?.lastServedWaitMs ?? null, at: s?.lastServedAt ?? null, prepare: s?.lastPrepare ?? null } })
    result.servedWaitMs = served.wait
    // The head start the server took when it discovered the joiner (graph-boot.ts): ms before the request it began, and how long it took.
    if (served.prepare !== null && served.at !== null) result.servedPrepare = { beforeRequestMs: served.at - served.prepare.at, ms: served.prepare.ms }
    if (result.snapshot?.fetch !== undefined) process.stderr.write(`  snapshot catch-up: began ${result.snapshot.startedAt} ms after navigation; stream open +${result.snapshot.fetch.streamMs} ms, header +${result.snapshot.fetch.headerMs} (the server waited ${result.servedWaitMs} ms for its save and view${result.servedPrepare !== undefined ? `; its head start began ${result.servedPrepare.beforeRequestMs} ms before the request and took ${result.servedPrepare.ms} ms` : ''}), view +${result.snapshot.fetch.viewMs}, document +${result.snapshot.fetch.documentMs}; preview shown +${result.snapshot.preview?.shownMs}; load ${result.snapshot.timings?.loadMs} ms, index ${result.snapshot.timings?.indexMs} ms\n`)

    if (warm) return result
    // 3. Reload from IndexedDB: the relay dies first, so no peer can be discovered or dialled.
    await stack.relay.kill()
    const reload = async (page, ctx, label, installProbe) => {
      if (installProbe) await ctx.addInitScript(probe, { target: size })
      await page.reload()
      const r = await pollUntil(() => page.evaluate(() => window.__probe.graphReadyAt === null ? null : window.__probe), RELOAD_TIMEOUT_MS, 50)
      if (r === null) return { error: `graph.ready not within ${RELOAD_TIMEOUT_MS / 1000} s` }
      r.longtasks = (await readProbe(page)).longtasks
      const peers = await page.evaluate(() => window.meshwork.peers().length)
      return { readyMs: r.graphReadyAt, nodeStartedMs: r.nodeAt, sizeAtReady: r.sizeAtGraphReady, peers, longTasks: longTaskSummary(r.longtasks, 0, r.graphReadyAt + 1_000), longTaskList: r.longtasks }
    }
    result.reloadJoiner = await reload(joiner, ctxB, 'joiner', false)
    result.reloadCreator = await reload(creator, ctxA, 'creator', true)
  } catch (err) {
    result.error = err.message.split('\n')[0]
  } finally {
    await stack.stop()
  }
  return result
}

// ---------------------------------------------------------------------------------------------

const out = { propagation: [], sync: [], shards: [] }
try {
  if (parts.has('shards')) {
    for (const size of shardSizes) {
      for (const layout of [1, CURRENT_LAYOUT]) {
        process.stderr.write(`bench:graph change cost at ${size} entities, layout ${layout} (${LAYOUTS[layout]} shards) … `)
        const r = shardCost(size, layout)
        out.shards.push(r)
        process.stderr.write(`50 entities: write ${fmt(r.write50, 1)} ms, apply ${fmt(r.apply50, 1)} ms\n`)
      }
    }
  }
  if (parts.has('baseline')) {
    for (const size of syncSizes) {
      process.stderr.write(`bench:graph baseline automerge ${size} … `)
      try { const r = automergeBaseline(size); out.sync.push(r); process.stderr.write(`${r.syncMs.toFixed(0)} ms\n`) } catch (err) { out.sync.push({ variant: 'automerge', size, error: err.message }); process.stderr.write(`failed: ${err.message}\n`) }
      process.stderr.write(`bench:graph baseline automerge-repo ${size} … `)
      try { const r = await repoBaseline(size); out.sync.push(r); process.stderr.write(`${r.syncMs.toFixed(0)} ms\n`) } catch (err) { out.sync.push({ variant: 'repo', size, error: err.message }); process.stderr.write(`failed: ${err.message}\n`) }
    }
  }
  if (parts.has('prop')) {
    for (const n of propSizes) {
      process.stderr.write(`bench:graph propagation N=${n} … `)
      const r = await propagation(n)
      out.propagation.push(r)
      process.stderr.write(r.error ? `${r.error}\n` : `p50 ${fmt(r.allP50)} ms, p95 ${fmt(r.allP95)} ms\n`)
    }
  }
  if (parts.has('sync')) {
    for (const size of syncSizes) {
      process.stderr.write(`bench:graph initial sync ${size} … `)
      const r = await largeSync(size)
      out.sync.push(r)
      process.stderr.write(r.error ? `${r.error}\n` : `${fmt(r.syncMs, 0)} ms\n`)
      if (r.startup !== undefined) process.stderr.write(`  joiner start-up timeline, ms since navigation:\n${formatStartup(summariseStartup([r.startup]))}\n`)
      if (syncWarmSizes.includes(size)) {
        process.stderr.write(`bench:graph initial sync ${size}, into a profile that ran the app before … `)
        const w = await largeSync(size, { warm: true })
        out.sync.push(w)
        process.stderr.write(w.error ? `${w.error}\n` : `${fmt(w.syncMs, 0)} ms (doc held ${fmt(w.docHeldMs, 0)} ms)\n`)
      }
    }
  }
} finally {
  clearTimeout(watchdog)
}

const ms = x => x === null || x === undefined ? 'did not complete' : fmt(x, 0)
console.log('\nbench:graph — edit propagation: an edit on one tab until visible on every other tab (alternately add / update text, writers in turn)')
console.log(table(out.propagation, [
  { title: 'N tabs', value: r => r.n },
  { title: 'mesh s', value: r => r.meshMs == null ? 'did not complete' : fmt(r.meshMs / 1000, 1) },
  { title: 'edits', value: r => r.edits },
  { title: 'all tabs p50 ms', value: r => r.error ? 'did not complete' : ms(r.allP50) },
  { title: 'all tabs p95 ms', value: r => r.error ? 'did not complete' : ms(r.allP95) },
  { title: 'max ms', value: r => r.error ? '—' : ms(r.allMax) },
  { title: 'per tab p50 ms', value: r => r.error ? '—' : ms(r.rxP50) },
  { title: 'per tab p95 ms', value: r => r.error ? '—' : ms(r.rxP95) },
  { title: 'delivered', value: r => r.error ? '—' : `${r.delivered}/${r.expected}` }
]))
console.log('target: p95 < 150 ms on 5 tabs')

if (out.shards.length > 0) {
  console.log('\nbench:graph — one change as the graph grows, by document layout (bare Automerge, Node; medians of 9)')
  console.log(table(out.shards, [
    { title: 'entities', value: r => r.size },
    { title: 'layout', value: r => `${r.layout}${r.layout === CURRENT_LAYOUT ? ' (current)' : ''}` },
    { title: 'shards', value: r => r.shards },
    { title: '1 entity: write / apply ms', value: r => `${fmt(r.write1, 2)} / ${fmt(r.apply1, 2)}` },
    { title: '50 entities: write / apply ms', value: r => `${fmt(r.write50, 1)} / ${fmt(r.apply50, 1)}` }
  ]))
}

const VARIANT = { app: 'meshwork (Chromium, WebRTC)', 'app-warm': 'meshwork, profile that ran it before', automerge: 'bare Automerge (Node, same layout)', repo: 'automerge-repo (Node, MessageChannel)' }
const kb = x => x == null ? '—' : fmt(x / 1024, 0)
const order = { automerge: 0, repo: 1, app: 2, 'app-warm': 3 }
const reloadCell = (r, x) => r.variant !== 'app' ? '—' : x?.readyMs != null ? `${fmt(x.readyMs, 0)}/${x.sizeAtReady}/${fmt(x.longTasks.maxMs, 0)}` : 'did not complete'
const syncRows = [...out.sync].sort((a, b) => a.size - b.size || order[a.variant] - order[b.variant])
console.log('\nbench:graph — large graph: write, initial sync to a new tab (new context, empty IndexedDB), reload from IndexedDB with no peers')
console.log(table(syncRows, [
  { title: 'variant', value: r => VARIANT[r.variant] },
  { title: 'entities', value: r => r.size },
  { title: 'write ms', value: r => r.buildMs == null ? '—' : fmt(r.buildMs, 0) },
  { title: 'sync ms', value: r => r.error && r.syncMs == null ? 'did not complete' : ms(r.syncMs) },
  { title: 'of which link→full', value: r => r.variant.startsWith('app') ? ms(r.linkToFullMs) : '—' },
  { title: 'doc held ms', value: r => r.variant.startsWith('app') ? ms(r.docHeldMs) : '—' },
  { title: 'KB in', value: r => r.error && r.bytesIn == null ? '—' : kb(r.bytesIn) },
  { title: 'doc KB', value: r => kb(r.docBytes) },
  { title: 'long tasks n/max/total ms', value: r => r.longTasks ? `${r.longTasks.count}/${fmt(r.longTasks.maxMs, 0)}/${fmt(r.longTasks.totalMs, 0)}` : '—' },
  { title: 'after link n/max/total ms', value: r => r.longTasksAfterLink ? `${r.longTasksAfterLink.count}/${fmt(r.longTasksAfterLink.maxMs, 0)}/${fmt(r.longTasksAfterLink.totalMs, 0)}` : '—' },
  { title: 'load ms', value: r => r.variant === 'automerge' ? fmt(r.loadMs, 0) : '—' },
  { title: 'IDB reload joiner ms/count/longest task', value: r => reloadCell(r, r.reloadJoiner) },
  { title: 'IDB reload creator ms/count/longest task', value: r => reloadCell(r, r.reloadCreator) }
]))
console.log('app sync ms: the new tab\'s navigation start until it holds every entity (includes page load, node start, WebRTC link);')
console.log('link→full: from its first WebRTC link; doc held: navigation start until its worker holds the document (a snapshot\'s view shows the entities before);')
console.log('KB in: what the joiner received 2 s after completion (sync frames plus its catch-up snapshot and view, if any);')
console.log('baselines: bare Automerge = generate/receiveSyncMessage loop between two docs (sync message bytes to the joiner);')
console.log('automerge-repo = a new Repo find()s the document from one holding it (after the adapters\' handshake), CBOR bytes of every message to the joiner;')
console.log('long tasks (> 50 ms, PerformanceObserver) in the joiner: navigation → 1 s after full and doc held, and first WebRTC link → the same;')
console.log('load ms: Automerge.load of the saved document, then reading every entity; IDB reload: relay killed, tab reloaded,')
console.log('navigation → meshwork.graph.ready, entity count at ready, longest task until 1 s after ready')
for (const r of syncRows) if (r.error) console.log(`${VARIANT[r.variant]} ${r.size}: ${r.error}`)
for (const r of out.propagation) if (r.error) console.log(`propagation N=${r.n}: ${r.error}`)
console.log('targets: 10k entities synced to a new tab < 2 s; no main-thread task > 50 ms during that sync')
console.log(`results: ${writeResults('graph', { run: RUN, propSizes, syncSizes, edits: EDITS, ...out })}`)
process.exit(0)
