// npm run bench:coord — the coordination protocol across real tabs (real relay, WebRTC, workers): a
// bare gossip and bare room-channel round trips as the baselines, announce→award and end-to-end latency of a trivial task,
// throughput with 1, 3 and 5 tabs, recovery after the peer holding a task leaves (page closed or
// crashed), and a 1,000-task run while two peers leave, checked for lost and doubly-completed tasks.
// Runs inside the e2e network namespace (test/e2e/run.mjs --bench coord).
// Env: BENCH_PARTS=baseline,latency,throughput,recovery,run  BENCH_LATENCY_TASKS=200
//      BENCH_THROUGHPUT_SIZES=5,3,1  BENCH_THROUGHPUT_S=20  BENCH_WARMUP_S=0 (unmeasured load before each throughput part)  BENCH_INFLIGHT=8  BENCH_SATURATION_INFLIGHT=32 (5 tabs again, 0: not)  BENCH_RECOVERY_REPS=3 (per kill kind)
//      BENCH_VERIFY_TASKS=20 (per block of the opt-in 'verify' part: 3 tabs, a calculator and two verifiers, tasks with and without verification in alternating blocks)
//      BENCH_RUN_TASKS=1000  BENCH_PROFILE=latency|throughput [BENCH_PROFILE_WORKER=graph.worker] BENCH_PROFILE_OUT=raw.cpuprofile  BENCH_DIAG=1 (time match / sign / open / graph.batch inside the tabs)
//      BENCH_SEND_TIMING=1 (count and time RTCDataChannel.send calls during throughput runs)
//      BENCH_CHROME_TRACE=trace.json (a Chromium trace of each throughput part, summarised per thread and task origin: JIT, GC, WebRTC...)  BENCH_HEAP_SNAPSHOT=file.heapsnapshot (tab 2 after each throughput part; bench/heap-summary.mjs)
// Each throughput run also reports the rate until every tab's graph caught up: records written up to 8 s late are paid for after the window.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir, loadavg } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { startRelay } from '../scripts/relay-process.mjs'
import { createAppServer } from '../scripts/serve.mjs'
import { percentile, fmt, table, writeResults, sleep, root, withTimeout, procCpu } from './lib.mjs'
import { summariseTrace } from './trace-summary.mjs'

const parts = new Set((process.env.BENCH_PARTS ?? 'baseline,latency,throughput,norecord,recovery,run').split(','))
const LATENCY_TASKS = Number(process.env.BENCH_LATENCY_TASKS ?? 200)
const THROUGHPUT_SIZES = (process.env.BENCH_THROUGHPUT_SIZES ?? '5,3,1').split(',').filter(Boolean).map(Number)
const THROUGHPUT_MS = Number(process.env.BENCH_THROUGHPUT_S ?? 20) * 1000
const INFLIGHT = Number(process.env.BENCH_INFLIGHT ?? 8)
/**
 * The 5-tab throughput is also measured with this many tasks in flight per tab (0: not), in the same
 * room right after the run at INFLIGHT: with 8 in flight per tab the rate is bounded by latency
 * (40 tasks in flight / ~0.3 s), and more in flight fills frames and graph changes better (less CPU
 * per task) at the cost of latency. The room's graph is larger by then, which favours the first run.
 */
const SATURATION_INFLIGHT = Number(process.env.BENCH_SATURATION_INFLIGHT ?? 32)
/**
 * Seconds of the same load, not measured, before each throughput measurement (default 0). It does
 * not give a higher "steady state": the room's graph grows meanwhile and recording gets dearer (5 tabs,
 * 5 s of warm-up: 6,620 and 7,064 tasks/min, against 7,394-10,688 without).
 */
const WARMUP_MS = Number(process.env.BENCH_WARMUP_S ?? 0) * 1000
/** bench:coord throughput: the rate is also reported per window of this length (BENCH_WINDOW_S, default 5). */
const WINDOW_MS = Number(process.env.BENCH_WINDOW_S ?? 5) * 1000
const RECOVERY_REPS = Number(process.env.BENCH_RECOVERY_REPS ?? 3)
const RUN_TASKS = Number(process.env.BENCH_RUN_TASKS ?? 1000)
const VERIFY_TASKS = Number(process.env.BENCH_VERIFY_TASKS ?? 20)
const DIAG = process.env.BENCH_DIAG !== '0'
// BENCH_FRAME_MS: override the engines' frameMs (least time between two frames of a tab) for an experiment.
const FRAME_MS = process.env.BENCH_FRAME_MS !== undefined ? Number(process.env.BENCH_FRAME_MS) : null
// BENCH_RECORD_FLUSH_MS: override how often each tab's graph recorder writes (one Automerge change per flush).
// A comma-separated list runs the 5-tab throughput once per value, in the same room (paired comparison).
const RECORD_FLUSH_LIST = (process.env.BENCH_RECORD_FLUSH_MS ?? '').split(',').filter(Boolean).map(Number)
const RECORD_FLUSH_MS = RECORD_FLUSH_LIST.length === 1 ? RECORD_FLUSH_LIST[0] : null
// BENCH_VARIANTS: throughput once per variant, in the same room, BENCH_VARIANT_REPS times in turn (paired
// comparison on a noisy machine). Variants are separated by ';', each a list of engine options and recorder
// flush times separated by ',': e.g. 'frameMs=0;frameMs=30;bidWindow.maxWindowMs=150' or 'flush=1000/3000;flush=1000/6000' or 'record=1;record=0'
// (record=0: a diagnostic, graph recording off).
const VARIANTS = (process.env.BENCH_VARIANTS ?? '').split(';').filter(Boolean).map(spec => {
  const v = { label: spec, opts: {} }
  for (const kv of spec.split(',')) {
    const [k, val] = kv.split('=')
    if (k === 'flush') { const [q, b] = val.split('/').map(Number); v.flushMs = q; v.busyFlushMs = b ?? q } else if (k === 'record') { v.record = val !== '0' } else if (k.includes('.')) { const [a, b] = k.split('.'); (v.opts[a] ??= {})[b] = Number(val) } else v.opts[k] = Number(val)
  }
  return v
})
const VARIANT_REPS = Number(process.env.BENCH_VARIANT_REPS ?? 2)
// BENCH_TRACE=1: throughput also reports where a task's time goes (submit → window closed → award → completed).
const TRACE = process.env.BENCH_TRACE === '1'
const PINGS = 60
const N = 5
const MESH_TIMEOUT_MS = 90_000
const RUN = Math.random().toString(36).slice(2, 8)
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', ...(process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean)]

const watchdog = setTimeout(() => { console.error('bench:coord: watchdog fired after 14 min, giving up'); process.exit(2) }, 14 * 60_000)
watchdog.unref()

// The agents. Skills nobody could mistake for one another, so only the intended one bids.
const ECHO = {
  manifestVersion: 1,
  id: 'echo',
  name: 'Echo',
  description: 'Repeats the given word back.',
  version: '1.0.0',
  skills: [{
    id: 'echo',
    name: 'Echo',
    description: 'echo: repeat the given word back',
    tags: ['echo'],
    examples: ['echo banana', 'echo hello', 'echo the word apple', 'repeat the word orange back', 'echo river'],
    level: 'expert'
  }],
  limits: { timeoutMs: 10_000, maxConcurrentTasks: 64 }
}
const ECHO_SOURCE = "export default async t => ({ text: 'ok ' + t.text })"
const NAP = {
  manifestVersion: 1,
  id: 'napper',
  name: 'Napper',
  description: 'Takes a nap and says when it is over.',
  version: '1.0.0',
  skills: [{
    id: 'nap',
    name: 'Nap',
    description: 'nap: sleep for three seconds, then say the nap is over',
    tags: ['nap'],
    examples: ['take a nap', 'nap for three seconds', 'sleep a little while then wake up', 'have a short nap'],
    level: 'expert'
  }],
  limits: { timeoutMs: 20_000, maxConcurrentTasks: 4 }
}
const NAP_SLOW = "export default async t => { await new Promise(r => setTimeout(r, 3000)); return { text: 'rested after 3 s' } }"
const NAP_FAST = "export default async t => ({ text: 'rested at once' })"
const NAP_TEXT = 'take a nap'
const NAP_MS = 3000
const WORDS = ['banana', 'apple', 'river', 'hello', 'orange', 'garden', 'window', 'cloud', 'pencil', 'tiger', 'candle', 'mountain', 'coffee', 'silver', 'forest', 'rocket']

// ---------------------------------------------------------------------------------------------
// The stack and the tabs

const relay = await startRelay({ port: 0, httpPort: -1, keyFile: join(mkdtempSync(join(tmpdir(), 'bench-')), 'key'), quiet: true })
const server = createAppServer({ root: join(root, process.env.MESHWORK_DIST ?? 'dist'), getRelay: () => relay, model: 'meshwork-glove-100d', log: () => {} })
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
const BASE = `http://127.0.0.1:${server.address().port}/`
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
const pageErrors = []

async function stopStack () {
  await browser.close().catch(() => {})
  await new Promise(resolve => { server.close(resolve); server.closeAllConnections() })
  await relay.stop().catch(() => {})
}

async function pollUntil (fn, ms, every = 100) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    const v = await fn().catch(() => null)
    if (v !== null && v !== undefined && v !== false) return v
    await sleep(every)
  }
  return null
}

// Installed in every tab: a per-task trace of state changes and protocol steps (wall-clock ms with
// fractions, comparable across tabs and with Node), counters of results seen, and optional timers
// around the steps of one message (matching, signing, opening, graph writes).
function instrument ({ diag, frameMs, recordFlushMs }) {
  const now = () => performance.timeOrigin + performance.now()
  const T = window.meshwork.tasks
  const cb = window.__cb = { trace: false, states: new Map(), proto: new Map(), results: new Map(), ignored: {}, problems: [], timers: {}, executing: new Map(), sent: {} }
  // Messages this tab sent, by kind (every message is applied locally as it is sent).
  const eng = T.engine
  if (frameMs !== null) eng.opts.frameMs = frameMs
  if (recordFlushMs !== null) eng.recorder.setFlushMs(recordFlushMs)
  const apply = eng.apply.bind(eng)
  eng.apply = env => { if (env.from === eng.peerId) cb.sent[env.kind] = (cb.sent[env.kind] ?? 0) + 1; return apply(env) }
  T.on('task', e => {
    let l = cb.states.get(e.taskId)
    if (l === undefined) { l = []; cb.states.set(e.taskId, l) }
    l.push({ state: e.state, attempt: e.attempt, at: now() })
  })
  T.on('protocol', e => {
    if (e.kind === 'result' && e.taskId !== undefined) {
      const l = cb.results.get(e.taskId) ?? []
      l.push({ from: e.from, at: now() })
      cb.results.set(e.taskId, l)
    }
    if (e.kind === 'executing' && e.taskId !== undefined) cb.executing.set(e.taskId, (cb.executing.get(e.taskId) ?? 0) + 1)
    if (!cb.trace || e.taskId === undefined) return
    let l = cb.proto.get(e.taskId)
    if (l === undefined) { l = []; cb.proto.set(e.taskId, l) }
    l.push({ kind: e.kind, from: e.from, at: now(), summary: e.kind === 'window-closed' ? e.summary : undefined })
  })
  T.on('ignored', e => { cb.ignored[e.reason] = (cb.ignored[e.reason] ?? 0) + 1 })
  T.on('problem', e => { if (cb.problems.length < 50) cb.problems.push(`${e.source}: ${e.message}`.slice(0, 300)) })
  if (!diag) return
  const time = (name, ms) => { (cb.timers[name] ??= []).push(ms) }
  const host = window.meshwork.agents.host
  const match = host.match.bind(host)
  host.match = async (...a) => { const t = performance.now(); try { return await match(...a) } finally { time('match', performance.now() - t) } }
  const engine = T.engine
  const sign = engine.sign
  engine.sign = data => { const t = performance.now(); return Promise.resolve(sign(data)).then(s => { time('sign', performance.now() - t); return s }) }
  const opener = engine.opener
  const open = opener.open.bind(opener)
  opener.open = async (...a) => { const t = performance.now(); try { return await open(...a) } finally { time('open', performance.now() - t) } }
  const graph = window.meshwork.graph.graph
  const batch = graph.batch.bind(graph)
  graph.batch = (...a) => { const t = performance.now(); try { return batch(...a) } finally { time('graph.batch', performance.now() - t) } }
}

/** Diagnostic: turns the engine's graph recording off (a recorder that drops everything) or back on. */
const setRecording = (tabs, on) => Promise.all(tabs.map(t => t.page.evaluate(on => {
  const e = window.meshwork.tasks.engine
  window.__cb.recorder ??= e.recorder
  e.recorder = on ? window.__cb.recorder : new Proxy({}, { get: () => () => {} })
}, on)))

async function openTab (room, label) {
  const context = await browser.newContext() // one context per tab: its own identity, never a reused one
  const page = await context.newPage()
  page.on('pageerror', err => { pageErrors.push(`${label}: ${err.message}`); process.stderr.write(`[${label} page error] ${err.message}\n`) })
  await page.goto(`${BASE}?room=${room}&agents=none`)
  await page.waitForFunction(() => window.meshwork !== undefined, null, { timeout: 30_000 })
  await withTimeout(page.evaluate(async () => { await window.meshwork.ready; await window.meshwork.agents.ready; await window.meshwork.tasks.ready }), 60_000, `${label}: ready`)
  await page.evaluate(instrument, { diag: DIAG, frameMs: FRAME_MS, recordFlushMs: RECORD_FLUSH_MS })
  const peerId = await page.evaluate(() => window.meshwork.peerId)
  return { page, context, peerId, label }
}

async function register (tab, manifest, source) {
  return tab.page.evaluate(async ({ manifest, source }) => {
    const id = await window.meshwork.agents.register({ manifest, source })
    await window.meshwork.agents.host.indexed()
    return id
  }, { manifest, source })
}

/** Every tab links every other over WebRTC, and every tab's registry shows each tab's echo agent online. */
async function settle (tabs, what) {
  const ids = tabs.map(t => t.peerId)
  const ok = await pollUntil(async () => {
    const views = await Promise.all(tabs.map(t => t.page.evaluate(ids => {
      const linked = new Set(window.meshwork.peers().filter(p => p.transport === 'webrtc').map(p => p.peerId))
      const echo = new Set(window.meshwork.agents.list().filter(a => a.manifest.id === 'echo' && a.online).map(a => a.peerId))
      return ids.every(id => id === window.meshwork.peerId || linked.has(id)) && ids.every(id => echo.has(id))
    }, ids)))
    return views.every(Boolean)
  }, MESH_TIMEOUT_MS, 200)
  if (!ok) {
    const missing = await Promise.all(tabs.map(t => t.page.evaluate(ids => {
      const linked = new Set(window.meshwork.peers().filter(p => p.transport === 'webrtc').map(p => p.peerId))
      const echo = new Set(window.meshwork.agents.list().filter(a => a.manifest.id === 'echo' && a.online).map(a => a.peerId))
      return `links ${ids.filter(id => id !== window.meshwork.peerId && !linked.has(id)).map(id => id.slice(-6)).join(',') || 'ok'}, echo ${ids.filter(id => !echo.has(id)).map(id => id.slice(-6)).join(',') || 'ok'}`
    }, ids).catch(err => err.message.slice(0, 80))))
    throw new Error(`${what}: no full WebRTC mesh with every echo agent online within ${MESH_TIMEOUT_MS / 1000} s; missing per tab (${ids.map(id => id.slice(-6)).join(' ')}): ${missing.map((m, i) => `${i}: ${m}`).join('; ')}`)
  }
}

async function openRoom (n, name) {
  const room = `coord-${name}-${RUN}`
  const t0 = Date.now()
  const tabs = []
  for (let i = 0; i < n; i++) tabs.push(await openTab(room, `${name}/${i}`))
  for (const t of tabs) await register(t, ECHO, ECHO_SOURCE)
  await settle(tabs, name)
  // Warm-up: every tab submits a few tasks, so that gossip meshes, workers and bid windows are primed.
  await Promise.all(tabs.map(t => t.page.evaluate(async () => {
    for (let i = 0; i < 4; i++) await window.meshwork.tasks.wait(window.meshwork.tasks.submit({ text: 'echo warmup' }), { timeoutMs: 20_000 }).catch(() => {})
  })))
  return { room, tabs, setupMs: Date.now() - t0 }
}

async function closeRoom (r) {
  for (const t of r.tabs) await t.context.close().catch(() => {})
}

/** Chromium's CPU so far (every process named chrom*), total and by thread (see procCpu). */
const chromiumCpu = () => procCpu({ comm: /^chrom/ })

// BENCH_PROFILE=latency|throughput: a CPU profile of one tab during that part, summarised as self time
// per function (top 25), to see where a tab's main thread goes.
const PROFILE = process.env.BENCH_PROFILE ?? ''
// BENCH_PROFILE_WORKER=graph: profile the tab's worker whose script URL contains that instead (the
// graph worker, an agent worker...), attached through the page's CDP session.
const PROFILE_WORKER = process.env.BENCH_PROFILE_WORKER ?? ''
// BENCH_CHROME_TRACE=file.json: a Chromium trace (toplevel tasks with where they were posted from, V8 GC)
// of the throughput part, summarised by thread and task (bench/trace-summary.mjs reads it again).
const CHROME_TRACE = process.env.BENCH_CHROME_TRACE ?? ''

const HEAP_SNAPSHOT = process.env.BENCH_HEAP_SNAPSHOT ?? ''

/** Writes a heap snapshot of `target` (a page's CDP session or a workerSession of it) to `path`. */
async function heapSnapshot (target, pageCdp, path) {
  const chunks = []
  if (target === pageCdp) {
    const onChunk = e => { chunks.push(e.chunk) }
    pageCdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk)
    await pageCdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false })
    pageCdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk)
  } else {
    const onMessage = e => { const m = JSON.parse(e.message); if (m.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(m.params.chunk) }
    pageCdp.on('Target.receivedMessageFromTarget', onMessage)
    await target.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false })
    pageCdp.off('Target.receivedMessageFromTarget', onMessage)
  }
  writeFileSync(path, chunks.join(''))
}

/** The drained rate for a progress line. */
function drainedLine (r) {
  if (r.drainMs === null) return ''
  if (r.perMinuteDrained === null) return `; the graph had not caught up ${fmt(r.drainMs / 1000, 0)} s after the load stopped (missing per tab: ${r.drainMissing.join(' / ')})`
  return `; ${fmt(r.perMinuteDrained, 0)} tasks/min with the graph caught up (${fmt(r.drainMs / 1000, 1)} s after the load)`
}

/**
 * Flushes every tab's recorder, then waits until every tab's graph holds each of `ids` as a
 * completed task thread whose result is there too, as the tab's recorder reads them
 * (`recordedTask`, `resultOf`: the graph ids of graph-record-ids.ts). Each tab checks only the ids
 * it has not yet seen caught up, so the polling adds little to the work it measures. Returns how
 * long that took, and per tab how many were still missing when it stopped (all 0 unless it timed out).
 */
async function drainRecording (tabs, ids, timeoutMs = 180_000) {
  const t0 = Date.now()
  await Promise.all(tabs.map(t => t.page.evaluate(ids => {
    window.meshwork.tasks.engine.recorder.flush()
    window.__cb.drainLeft = ids
  }, ids)))
  for (;;) {
    const missing = await Promise.all(tabs.map(t => t.page.evaluate(() => {
      const rec = window.meshwork.tasks.engine.recorder
      window.__cb.drainLeft = window.__cb.drainLeft.filter(id => {
        const task = rec.recordedTask(id)
        return !(task?.state === 'completed' && task.producer !== undefined && rec.resultOf(id, task.producer.attempt) !== undefined)
      })
      return window.__cb.drainLeft.length
    })))
    if (missing.every(m => m === 0)) return { ms: Date.now() - t0, missing }
    if (Date.now() - t0 > timeoutMs) return { ms: Date.now() - t0, missing, timedOut: true }
    await sleep(200)
  }
}

/** A CDP client for a worker of `cdp`'s page whose URL contains `part` (Target.sendMessageToTarget). */
async function workerSession (cdp, part) {
  const found = new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`no worker whose URL contains ${part}`)) }, 5_000)
    cdp.on('Target.attachedToTarget', e => { if (e.targetInfo.type === 'worker' && e.targetInfo.url.includes(part)) { clearTimeout(timer); resolve(e.sessionId) } })
  })
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false })
  const sessionId = await found
  let nextId = 1
  const waiting = new Map()
  cdp.on('Target.receivedMessageFromTarget', e => {
    if (e.sessionId !== sessionId) return
    const m = JSON.parse(e.message)
    const w = waiting.get(m.id)
    if (w === undefined) return
    waiting.delete(m.id)
    if (m.error) w.reject(new Error(m.error.message)); else w.resolve(m.result)
  })
  return {
    send: (method, params = {}) => new Promise((resolve, reject) => {
      const id = nextId++
      waiting.set(id, { resolve, reject })
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject)
    })
  }
}

async function profiled (tab, part, fn) {
  if (PROFILE !== part) return { value: await fn() }
  const pageCdp = await tab.context.newCDPSession(tab.page)
  const cdp = PROFILE_WORKER === '' ? pageCdp : await workerSession(pageCdp, PROFILE_WORKER)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
  await cdp.send('Profiler.start')
  const value = await fn()
  const { profile } = await cdp.send('Profiler.stop')
  await pageCdp.detach().catch(() => {})
  // BENCH_PROFILE_OUT=file.cpuprofile: the raw profile too (DevTools opens it), to follow call paths.
  if (process.env.BENCH_PROFILE_OUT) writeFileSync(process.env.BENCH_PROFILE_OUT, JSON.stringify(profile))
  const dt = new Map()
  for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
  const self = new Map(); let total = 0
  for (const node of profile.nodes) {
    const t = dt.get(node.id) ?? 0
    total += t
    const f = node.callFrame
    const key = `${f.functionName || '(anonymous)'} ${f.url ? f.url.split('/').pop() : ''}${f.url ? ':' + f.lineNumber : ''}`
    self.set(key, (self.get(key) ?? 0) + t)
  }
  // Inclusive time: each function once per sample, however deep it recurs.
  const parent = new Map(); const byId = new Map()
  for (const node of profile.nodes) { byId.set(node.id, node); for (const c of node.children ?? []) parent.set(c, node.id) }
  const keyOf = node => { const f = node.callFrame; return `${f.functionName || '(anonymous)'} ${f.url ? f.url.split('/').pop() : ''}${f.url ? ':' + f.lineNumber : ''}` }
  const incl = new Map()
  for (const [id, t] of dt) {
    const seen = new Set()
    for (let n = id; n !== undefined; n = parent.get(n)) { const k = keyOf(byId.get(n)); if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + t) } }
  }
  const rank = m => [...m].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => ({ fn: k, ms: Math.round(v), pct: Math.round(1000 * v / total) / 10 }))
  return { value, profile: { tab: tab.label, totalMs: Math.round(total), top: rank(self), inclusive: rank(incl) } }
}

const stats = xs => ({ n: xs.filter(Number.isFinite).length, p50: percentile(xs, 50), p95: percentile(xs, 95), max: xs.length ? Math.max(...xs.filter(Number.isFinite)) : null })
const diagOf = tabs => Promise.all(tabs.map(t => t.page.evaluate(() => { const d = window.__cb.timers; window.__cb.timers = {}; return d }).catch(() => ({}))))
function mergeTimers (list) {
  const all = {}
  for (const d of list) for (const [k, v] of Object.entries(d)) (all[k] ??= []).push(...v)
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, { ...stats(v), mean: v.reduce((s, x) => s + x, 0) / v.length }]))
}
const engineStats = tabs => Promise.all(tabs.map(t => t.page.evaluate(() => ({ ...window.meshwork.tasks.stats(), channels: window.meshwork.node.channelStats(), problems: window.__cb.problems.slice(0, 10), ignoredSeen: window.__cb.ignored })).catch(() => null)))

// ---------------------------------------------------------------------------------------------
// 7. Baseline: a bare gossip round trip on the app channel between the same tabs.

async function baseline (room) {
  const [src, ...others] = room.tabs
  await Promise.all(others.map(t => t.page.evaluate(() => {
    window.meshwork.on('message', m => { if (m.channel === 'bench-ping') window.meshwork.send('bench-pong', { seq: m.body.seq, to: m.from }) })
    // The same over a bare room channel (direct streams, as coordination frames travel): echo the bytes back.
    const node = window.meshwork.node
    const ch = node.openChannel('bench-ping', data => { pong.publish(data) })
    const pong = node.openChannel('bench-pong', () => {})
    window.__cb.benchChannels = [ch, pong]
  })))
  return src.page.evaluate(async ({ pings, want }) => {
    const now = () => performance.timeOrigin + performance.now()
    const me = window.meshwork.peerId
    const pending = new Map()
    const oneWay = []
    window.meshwork.on('message', m => {
      if (m.channel !== 'bench-pong' || m.body.to !== me) return
      const p = pending.get(m.body.seq)
      if (p === undefined) return
      p.got.push(now() - p.t0)
      oneWay.push(m.receivedAt - m.sentAt)
      if (p.got.length === want) p.resolve()
    })
    const node = window.meshwork.node
    const ping = node.openChannel('bench-ping', () => {})
    node.openChannel('bench-pong', data => {
      const seq = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0)
      const p = pending.get(`c${seq}`)
      if (p === undefined) return
      p.got.push(now() - p.t0)
      if (p.got.length === want) p.resolve()
    })
    const run = async (key, send) => {
      const first = []; const all = []
      for (let seq = 0; seq < pings; seq++) {
        const p = { got: [], t0: now() }
        const done = new Promise(resolve => { p.resolve = resolve })
        pending.set(key(seq), p)
        send(seq)
        await Promise.race([done, new Promise(resolve => setTimeout(resolve, 2000))])
        if (p.got.length > 0) first.push(Math.min(...p.got))
        if (p.got.length === want) all.push(Math.max(...p.got))
        await new Promise(resolve => setTimeout(resolve, 20))
      }
      return { first, all }
    }
    const gossip = await run(seq => seq, seq => { window.meshwork.send('bench-ping', { seq }) })
    const channel = await run(seq => `c${seq}`, seq => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, seq); ping.publish(b) })
    return { ...gossip, oneWay, channel }
  }, { pings: PINGS, want: others.length })
}

// ---------------------------------------------------------------------------------------------
// 2-3. Latency: one task at a time, submitters in turn; award and completion as the submitter sees them.

async function latency (room, count) {
  const tabs = room.tabs
  await Promise.all(tabs.map(t => t.page.evaluate(() => { window.__cb.trace = true })))
  await diagOf(tabs)
  await sentOf(tabs)
  const per = Math.ceil(count / tabs.length)
  const samples = []
  const { profile } = await profiled(tabs[1] ?? tabs[0], 'latency', async () => { for (const t of tabs) {
    const got = await t.page.evaluate(async ({ per, words }) => {
      const now = () => performance.timeOrigin + performance.now()
      const T = window.meshwork.tasks
      const out = []
      for (let i = 0; i < per; i++) {
        const t0 = now()
        const id = T.submit({ text: `echo ${words[i % words.length]}` })
        const s = await T.wait(id, { timeoutMs: 20_000 }).catch(err => ({ error: err.message }))
        const states = window.__cb.states.get(id) ?? []
        const proto = window.__cb.proto.get(id) ?? []
        out.push({ id, t0, state: s.state, error: s.error, peerId: s.peerId, timings: s.timings, states, proto })
        await new Promise(resolve => setTimeout(resolve, 10))
      }
      return out
    }, { per, words: WORDS })
    samples.push(...got.map(x => ({ ...x, submitter: t.peerId })))
  } })
  await Promise.all(tabs.map(t => t.page.evaluate(() => { window.__cb.trace = false })))
  const timers = mergeTimers(await diagOf(tabs))
  const sentPerTask = perTask(await sentOf(tabs), samples.length)
  const award = []; const done = []; const awardSnap = []; const ownBid = []; const lastBid = []; const firstBid = []; const nextToLastBid = []; const close = []; const resultBack = []; const windowEarly = []
  for (const s of samples) {
    const at = st => s.states.find(x => x.state === st)?.at
    if (at('working') !== undefined) award.push(at('working') - s.t0)
    if (at('completed') !== undefined) done.push(at('completed') - s.t0)
    if (s.timings?.awardedAt !== undefined) awardSnap.push(s.timings.awardedAt - s.timings.submittedAt)
    const bids = s.proto.filter(p => p.kind === 'bid')
    const mine = bids.find(b => b.from === s.submitter)
    if (mine) ownBid.push(mine.at - s.t0)
    const theirs = bids.filter(b => b.from !== s.submitter)
    if (theirs.length) lastBid.push(Math.max(...theirs.map(b => b.at)) - s.t0)
    const sorted = theirs.map(b => b.at - s.t0).sort((a, b) => a - b)
    if (sorted.length) firstBid.push(sorted[0])
    if (sorted.length >= 2) nextToLastBid.push(sorted[sorted.length - 2])
    const wc = s.proto.find(p => p.kind === 'window-closed')
    if (wc && theirs.length) close.push(wc.at - Math.max(...theirs.map(b => b.at), mine?.at ?? 0))
    if (wc) { const m = /(\d+)\/(\d+) peers responded/.exec(wc.summary ?? ''); if (m) windowEarly.push(m[1] === m[2]) }
    const res = s.proto.find(p => p.kind === 'result')
    if (res && at('working') !== undefined) resultBack.push(res.at - at('working'))
  }
  const byPeer = {}
  for (const s of samples) if (s.state === 'completed') byPeer[s.peerId] = (byPeer[s.peerId] ?? 0) + 1
  return {
    tasks: samples.length,
    completed: samples.filter(s => s.state === 'completed').length,
    notCompleted: samples.filter(s => s.state !== 'completed').map(s => ({ id: s.id, state: s.state, error: s.error })),
    award: stats(award),
    awardSnapshot: stats(awardSnap),
    endToEnd: stats(done),
    breakdown: {
      ownBid: stats(ownBid),
      firstOtherBid: stats(firstBid),
      nextToLastOtherBid: stats(nextToLastBid),
      lastOtherBid: stats(lastBid),
      closeAfterLastBid: stats(close),
      awardToResultAtSubmitter: stats(resultBack),
      windowsClosedEarly: `${windowEarly.filter(Boolean).length}/${windowEarly.length}`
    },
    spread: tabs.map(t => byPeer[t.peerId] ?? 0),
    sentPerTask,
    timers,
    profile
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Throughput: every tab keeps `inflight` tasks in flight for a fixed time.

/** Messages and frames sent by every tab since the last call, summed over the tabs. */
async function sentOf (tabs) {
  const per = await Promise.all(tabs.map(t => t.page.evaluate(() => { const s = { ...window.__cb.sent, frames: window.meshwork.tasks.stats().framesOut ?? 0 }; window.__cb.sent = {}; const f = s.frames - (window.__cb.framesBase ?? 0); window.__cb.framesBase = s.frames; return { ...s, frames: f } }).catch(() => ({}))))
  const all = {}
  for (const p of per) for (const [k, v] of Object.entries(p)) all[k] = (all[k] ?? 0) + v
  return all
}
const perTask = (sent, tasks) => Object.fromEntries(Object.entries(sent).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(100 * v / Math.max(1, tasks)) / 100]))

/** Room-wide frames and bytes sent so far: graph sync (graph and registry documents) and room channels. */
const wireOf = async tabs => (await Promise.all(tabs.map(t => t.page.evaluate(() => {
  const g = window.meshwork.graph.syncStats()
  const c = window.meshwork.node.channelStats()
  return { graphFrames: g.framesOut, graphBytes: g.bytesOut, registryFrames: g.registry.framesOut, registryBytes: g.registry.bytesOut, channelFrames: c.framesOut, channelBytes: c.bytesOut }
}).catch(() => ({}))))).reduce((a, b) => { for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v; return a }, {})

/** The throughput load for `ms`, unmeasured: every tab keeps `inflight` trivial tasks going. */
const warmUp = (tabs, inflight, ms) => Promise.all(tabs.map(t => t.page.evaluate(async ({ inflight, ms, words }) => {
  const T = window.meshwork.tasks
  const end = performance.now() + ms
  let n = 0
  const worker = async () => { while (performance.now() < end) await T.wait(T.submit({ text: `echo ${words[n++ % words.length]}` }), { timeoutMs: 30_000 }).catch(() => {}) }
  await Promise.all(Array.from({ length: inflight }, worker))
}, { inflight, ms, words: WORDS })))

// BENCH_SEND_TIMING=1: count and time every RTCDataChannel.send in each tab during throughput runs.
// Chromium's send blocks the main thread on the network thread, about the same time whatever the size.
const SEND_TIMING = process.env.BENCH_SEND_TIMING === '1'
async function startSendTiming (tabs) {
  await Promise.all(tabs.map(t => t.page.evaluate(() => {
    const s = window.__sendTiming = { calls: 0, ms: 0, bytes: 0, max: 0, bySize: {} }
    const orig = window.__origSend ??= RTCDataChannel.prototype.send
    RTCDataChannel.prototype.send = function (d) {
      const t0 = performance.now()
      try { return orig.call(this, d) } finally {
        const dt = performance.now() - t0
        const n = d.byteLength ?? d.size ?? d.length ?? 0
        const k = n < 1024 ? '<1K' : n < 4096 ? '1-4K' : n < 16384 ? '4-16K' : '16K+'
        const e = (s.bySize[k] ??= { calls: 0, ms: 0 })
        s.calls++; s.ms += dt; s.max = Math.max(s.max, dt); s.bytes += n; e.calls++; e.ms += dt
      }
    }
  })))
}
async function readSendTiming (tabs, wallMs) {
  const per = await Promise.all(tabs.map(t => t.page.evaluate(() => {
    RTCDataChannel.prototype.send = window.__origSend
    return window.__sendTiming
  })))
  process.stderr.write(`RTCDataChannel.send per tab over ${fmt(wallMs / 1000, 1)} s: ${per.map(s => `${s.calls} calls, ${fmt(s.ms, 0)} ms (${fmt(1000 * s.ms / Math.max(1, s.calls), 0)} µs each, max ${fmt(s.max, 1)} ms), ${fmt(s.bytes / 1e6, 1)} MB; by size ${Object.entries(s.bySize).map(([k, e]) => `${k} ${e.calls} × ${fmt(1000 * e.ms / e.calls, 0)} µs`).join(', ')}`).join(' | ')}\n`)
  return per
}

async function throughput (room, inflight, ms, part = 'throughput', { drain = true } = {}) {
  const tabs = room.tabs
  if (WARMUP_MS > 0) await warmUp(tabs, inflight, WARMUP_MS)
  await diagOf(tabs)
  await sentOf(tabs)
  const wire0 = await wireOf(tabs)
  const cdps = await Promise.all(tabs.map(t => t.context.newCDPSession(t.page)))
  await Promise.all(cdps.map(c => c.send('Performance.enable')))
  const busy = async () => Promise.all(cdps.map(async c => (await c.send('Performance.getMetrics')).metrics.find(m => m.name === 'TaskDuration')?.value ?? 0))
  const before = await busy()
  if (SEND_TIMING) await startSendTiming(tabs)
  const cpu0 = chromiumCpu()
  const w0 = Date.now()
  if (CHROME_TRACE !== '') await browser.startTracing(undefined, { path: CHROME_TRACE, categories: ['toplevel', 'disabled-by-default-v8.gc', 'v8.execute'] })
  const { value: per, profile } = await profiled(tabs[1] ?? tabs[0], part, () => Promise.all(tabs.map(t => t.page.evaluate(async ({ inflight, ms, words, trace }) => {
    const now = () => performance.timeOrigin + performance.now()
    const T = window.meshwork.tasks
    const start = now()
    const end = start + ms
    const lat = []; const done = []; const ids = []; const states = {}; const byPeer = {}; const reasons = {}
    // BENCH_TRACE: where each task's time went, on its submitter's clock.
    const steps = { window: [], responded: [], awardToDone: [], lateBids: 0 }
    if (trace) { window.__cb.trace = true; window.__cb.proto.clear() }
    let last = start
    let n = 0
    const worker = async () => {
      while (now() < end) {
        const t0 = now()
        const id = T.submit({ text: `echo ${words[n++ % words.length]}` })
        const s = await T.wait(id, { timeoutMs: 30_000 }).catch(err => ({ state: 'timeout', reason: err.message }))
        states[s.state] = (states[s.state] ?? 0) + 1
        if (s.state === 'completed') { ids.push(id); lat.push(now() - t0); done.push(now()); byPeer[s.peerId] = (byPeer[s.peerId] ?? 0) + 1; last = Math.max(last, now()) } else reasons[s.reason ?? s.state] = (reasons[s.reason ?? s.state] ?? 0) + 1
        if (trace) {
          const proto = window.__cb.proto.get(id) ?? []
          const wc = proto.find(p => p.kind === 'window-closed')
          const working = (window.__cb.states.get(id) ?? []).find(x => x.state === 'working')
          if (wc) {
            steps.window.push(wc.at - t0)
            const m = /(\d+)\/(\d+) peers responded/.exec(wc.summary ?? '')
            if (m) steps.responded.push(Number(m[1]) / Number(m[2]))
          }
          if (working && s.state === 'completed') steps.awardToDone.push(now() - working.at)
          window.__cb.proto.delete(id)
        }
      }
    }
    await Promise.all(Array.from({ length: inflight }, worker))
    if (trace) window.__cb.trace = false
    return { start, last, lat, done, ids, states, byPeer, reasons, submitted: n, steps, own: byPeer[window.meshwork.peerId] ?? 0 }
  }, { inflight, ms, words: WORDS, trace: TRACE }))))
  const wallMs = Date.now() - w0
  const sends = SEND_TIMING ? await readSendTiming(tabs, wallMs) : undefined
  const cpu1 = chromiumCpu()
  // The recorders write every few seconds when busy, so records of the run's last seconds are still
  // queued when it ends, and the graph work they cost falls outside the window. Drained: until every
  // tab's graph shows every task completed in the run (thread completed, result present).
  const drained = drain ? await drainRecording(tabs, per.flatMap(p => p.ids)) : { ms: null, missing: null, timedOut: true }
  const cpu2 = chromiumCpu()
  if (CHROME_TRACE !== '') {
    await browser.stopTracing()
    process.stderr.write(`\n${summariseTrace(CHROME_TRACE)}\n`)
  }
  const cpuCores = (cpu1.totalMs - cpu0.totalMs) / wallMs
  const threadCores = Object.fromEntries(Object.entries(cpu1.byThread).map(([k, v]) => [k, (v - (cpu0.byThread[k] ?? 0)) / wallMs]).filter(([, v]) => v >= 0.01).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v * 100) / 100]))
  const after = await busy()
  const mainThread = after.map((a, i) => (a - before[i]) / (wallMs / 1000))
  // JS heap in use after the run (MB), each tab's page and graph worker: a heap that grows with the
  // tasks run makes every major GC dearer (the thread pool's concurrent marking).
  const graphWorkers = await Promise.all(cdps.map(c => workerSession(c, 'graph').catch(() => null)))
  const mb = u => Math.round(u.usedSize / 1e5) / 10
  const heapMb = await Promise.all(cdps.map(async (c, i) => ({
    page: mb(await c.send('Runtime.getHeapUsage')),
    graphWorker: await graphWorkers[i]?.send('Runtime.getHeapUsage').then(mb, () => null) ?? null
  })))
  // BENCH_HEAP_SNAPSHOT=file.heapsnapshot: tab 2's page heap (its graph worker's with
  // BENCH_PROFILE_WORKER=graph) after the run, for DevTools' Memory panel or bench/heap-summary.mjs.
  if (HEAP_SNAPSHOT !== '') {
    const i = cdps.length > 1 ? 1 : 0
    const target = PROFILE_WORKER !== '' && 'graph.worker'.includes(PROFILE_WORKER) && graphWorkers[i] !== null ? graphWorkers[i] : cdps[i]
    await heapSnapshot(target, cdps[i], HEAP_SNAPSHOT)
  }
  await Promise.all(cdps.map(c => c.detach().catch(() => {})))
  const completed = per.reduce((s, p) => s + (p.states.completed ?? 0), 0)
  const start = Math.min(...per.map(p => p.start))
  const last = Math.max(...per.map(p => p.last))
  const byPeer = {}
  for (const p of per) for (const [k, v] of Object.entries(p.byPeer)) byPeer[k] = (byPeer[k] ?? 0) + v
  const reasons = {}
  for (const p of per) for (const [k, v] of Object.entries(p.reasons)) reasons[k] = (reasons[k] ?? 0) + v
  return {
    n: tabs.length,
    inflight,
    submitted: per.reduce((s, p) => s + p.submitted, 0),
    completed,
    notCompleted: reasons,
    perMinute: completed / ((last - start) / 60_000),
    /**
     * Tasks/min counting the time until the graph caught up too (`drainMs` after the load stopped;
     * every tab's graph shows every completed task): the rate the room can sustain with recording.
     */
    perMinuteDrained: drained.timedOut === true ? null : completed / ((wallMs + drained.ms) / 60_000),
    drainMs: drained.ms,
    drainMissing: drained.missing,
    cpuMsPerTaskDrained: drain ? (cpu2.totalMs - cpu0.totalMs) / Math.max(1, completed) : null,
    ...(sends !== undefined ? { sends } : {}),
    // Tasks/min in successive windows of WINDOW_MS: does the rate fall as the room's graph grows?
    perWindow: (() => {
      const all = per.flatMap(p => p.done)
      const out = []
      for (let w = start; w < last; w += WINDOW_MS) out.push(Math.round(all.filter(x => x >= w && x < w + WINDOW_MS).length * 60_000 / Math.min(WINDOW_MS, last - w)))
      return out
    })(),
    latency: stats(per.flatMap(p => p.lat)),
    /** Completed tasks that ran on the tab that submitted them (its own agent won its own auction). */
    ownShare: per.reduce((s, p) => s + p.own, 0) / Math.max(1, completed),
    steps: TRACE ? { windowClosed: stats(per.flatMap(p => p.steps.window)), awardToCompleted: stats(per.flatMap(p => p.steps.awardToDone)), respondedShare: stats(per.flatMap(p => p.steps.responded)), allResponded: per.flatMap(p => p.steps.responded).filter(x => x === 1).length / Math.max(1, per.flatMap(p => p.steps.responded).length) } : undefined,
    executedPerTab: tabs.map(t => byPeer[t.peerId] ?? 0),
    submittedPerTab: per.map(p => p.submitted),
    chromiumCores: cpuCores,
    chromiumThreadCores: threadCores,
    cpuMsPerTask: cpuCores * wallMs / Math.max(1, completed),
    mainThreadBusyPerTab: mainThread,
    heapMbPerTab: heapMb,
    timers: mergeTimers(await diagOf(tabs)),
    sentPerTask: perTask(await sentOf(tabs), completed),
    /** Frames and bytes put on the wire per completed task, room-wide: the graph's sync (one stream per peer) and the room channels. */
    wirePerTask: Object.fromEntries(Object.entries(await wireOf(tabs)).map(([k, v]) => [k, Math.round(10 * (v - (wire0[k] ?? 0)) / Math.max(1, completed)) / 10])),
    engine: await engineStats(tabs),
    profile
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Recovery: the nap task runs on tab X (the only napper), another tab gets a napper that answers
// at once, X leaves mid-run (closed or crashed); the submitter notes re-announcement, re-award, completion.

async function kill (tab, how) {
  if (how === 'crash') {
    const cdp = await tab.context.newCDPSession(tab.page)
    const at = Date.now()
    void cdp.send('Page.crash').catch(() => {})
    // The context (and its renderer) goes away later; the crash is what the others see.
    setTimeout(() => { void tab.context.close().catch(() => {}) }, 15_000)
    return at
  }
  const at = Date.now()
  await tab.page.close({ runBeforeUnload: false }).catch(() => {})
  void tab.context.close().catch(() => {})
  return at
}

async function recovery (room, reps) {
  const out = []
  const joinFailures = []
  const kinds = []
  for (let i = 0; i < reps; i++) kinds.push('close', 'crash')
  for (const [i, how] of kinds.entries()) {
    const tabs = room.tabs
    const victim = tabs[tabs.length - 1]
    const submitter = tabs[0]
    const helper = tabs[1]
    const rec = { rep: i + 1, how }
    try {
      await register(victim, NAP, NAP_SLOW)
      await pollUntil(() => submitter.page.evaluate(id => window.meshwork.agents.list().some(a => a.agentId === id && a.online), `napper@${victim.peerId}`), 20_000, 100)
      const id = await submitter.page.evaluate(text => { window.__cb.trace = true; return window.meshwork.tasks.submit({ text }) }, NAP_TEXT)
      const awarded = await pollUntil(() => submitter.page.evaluate(id => { const s = window.meshwork.tasks.get(id); return s?.state === 'working' ? s.peerId : (s?.state !== 'submitted' ? `state ${s?.state}` : null) }, id), 10_000, 20)
      if (awarded !== victim.peerId) {
        // What each side saw, for the cause of this (rare) miss: the submitter's window for the task,
        // and whether the victim's engine saw the announcement and what state its napper was in.
        const seen = await submitter.page.evaluate(id => ({ proto: window.__cb.proto.get(id) ?? [], snap: window.meshwork.tasks.get(id) }), id).catch(e => e.message)
        const victimView = await victim.page.evaluate(({ id, agent }) => ({ task: window.meshwork.tasks.get(id)?.state ?? 'never seen', napper: window.meshwork.agents.list().find(a => a.agentId === agent)?.state, peers: window.meshwork.peers().length, problems: window.__cb.problems.slice(-5) }), { id, agent: `napper@${victim.peerId}` }).catch(e => e.message)
        rec.diagnosis = { submitter: seen, victim: victimView }
        process.stderr.write(`  recovery ${i + 1}: nap task not awarded to the victim; submitter saw ${JSON.stringify(seen).slice(0, 800)}; victim ${JSON.stringify(victimView).slice(0, 400)}\n`)
        throw new Error(`the nap task went to ${awarded === null ? 'nobody within 10 s' : awarded === submitter.peerId ? 'the submitter' : awarded.startsWith('state') ? awarded : 'another tab'}, not the victim`)
      }
      // A second napper (answering at once) on the helper tab, so the next attempt has somewhere to go.
      await register(helper, NAP, NAP_FAST)
      const startedAt = await victim.page.evaluate(id => window.__cb.states.get(id)?.find(s => s.state === 'working')?.at, id)
      const wait = Math.max(0, startedAt + 1000 - Date.now())
      await sleep(wait)
      const lossAt = await kill(victim, how)
      const snap = await withTimeout(submitter.page.evaluate(async id => await window.meshwork.tasks.wait(id, { timeoutMs: 20_000 }), id), 25_000, 'recovered task')
      const states = await submitter.page.evaluate(id => { window.__cb.trace = false; return window.__cb.states.get(id) }, id)
      const reannounced = states.find(s => s.state === 'submitted' && s.attempt === 2)?.at
      const reawarded = states.find(s => s.state === 'working' && s.attempt === 2)?.at
      const completed = states.find(s => s.state === 'completed')?.at
      Object.assign(rec, {
        state: snap.state,
        attempts: snap.attempts.map(a => a.outcome ?? ''),
        producerIsHelper: snap.peerId === helper.peerId,
        detectMs: reannounced === undefined ? null : reannounced - lossAt,
        reawardMs: reawarded === undefined ? null : reawarded - lossAt,
        completeMs: completed === undefined ? null : completed - lossAt
      })
      await helper.page.evaluate(async id => { await window.meshwork.agents.unregister(id) }, `napper@${helper.peerId}`)
    } catch (err) {
      rec.error = err.message.split('\n')[0]
      await helper.page.evaluate(async id => { await window.meshwork.agents.unregister(id).catch(() => {}) }, `napper@${helper.peerId}`).catch(() => {})
      if (!room.tabs.includes(victim) || victim.page.isClosed()) { /* already gone */ } else await kill(victim, 'close')
    }
    out.push(rec)
    process.stderr.write(`  recovery ${rec.rep} (${how}): ${rec.error ?? `re-award ${fmt(rec.reawardMs, 0)} ms, completed ${fmt(rec.completeMs, 0)} ms after the loss (${rec.attempts.join(' | ')})`}\n`)
    // A fresh tab takes the victim's place. A tab that cannot join the mesh is a finding: noted with its
    // dial state, closed, and a second fresh tab tried, so the later parts still run.
    room.tabs = tabs.slice(0, -1)
    for (let tries = 1; ; tries++) {
      const fresh = await openTab(room.room, `recovery/${i}.${tries}`)
      await register(fresh, ECHO, ECHO_SOURCE)
      try {
        await settle([...room.tabs, fresh], 'recovery')
        room.tabs.push(fresh)
        break
      } catch (err) {
        const dial = await fresh.page.evaluate(() => { const s = window.meshwork.stats(); return { pending: window.meshwork.node?.pending(), peers: window.meshwork.peers().map(p => `${p.peerId.slice(-6)}:${p.transport}`), relayConnected: s.relayConnected, dialsStarted: s.dialsStarted, dialsFailed: s.dialsFailed, dialErrors: s.dialErrors, problems: s.problems } }).catch(e => e.message)
        joinFailures.push({ afterRep: i + 1, error: err.message.split('\n')[0], dial })
        process.stderr.write(`  a fresh tab did not join within ${MESH_TIMEOUT_MS / 1000} s: ${JSON.stringify(dial).slice(0, 600)}\n`)
        await fresh.context.close().catch(() => {})
        if (tries === 2) throw err
      }
    }
  }
  const ok = out.filter(r => r.error === undefined)
  const by = how => ok.filter(r => r.how === how)
  const sum = list => ({ reps: list.length, detect: stats(list.map(r => r.detectMs)), reaward: stats(list.map(r => r.reawardMs)), complete: stats(list.map(r => r.completeMs)) })
  return { reps: out, joinFailures, all: sum(ok), close: sum(by('close')), crash: sum(by('crash')) }
}

// ---------------------------------------------------------------------------------------------
// 6. 1,000 tasks while two peers leave: three tabs submit (and stay), two execute and leave part-way.

// ---------------------------------------------------------------------------------------------
// Opt-in part 'verify': what verifying a result costs. Three tabs: A runs the calculator, B and C a
// verifier each (as every default tab does). A submits arithmetic one task at a time, in blocks
// alternating between verify: 0 and verify: 1 (the default quorum when another tab verifies), so
// both modes see the same machine; per block, Chromium's CPU and per task the end-to-end latency and,
// verified, the time from completion to the verdict at A.

async function verification (blocks, perBlock) {
  const room = `coord-vf-${RUN}`
  const tabs = []
  for (let i = 0; i < 3; i++) tabs.push(await openTab(room, `vf/${i}`))
  for (const t of tabs) await register(t, ECHO, ECHO_SOURCE)
  const kinds = ['calculator', 'verifier', 'verifier']
  await Promise.all(tabs.map((t, i) => t.page.evaluate(async kind => { await window.meshwork.agents.register({ kind }); await window.meshwork.agents.host.indexed() }, kinds[i])))
  await settle(tabs, 'verify')
  const ready = await pollUntil(() => tabs[0].page.evaluate(() => window.meshwork.agents.list().filter(a => a.kind === 'verifier' && a.online).length === 2), 30_000)
  if (!ready) throw new Error('verify: the two verifiers are not listed online at A')
  const run = async (verify, from) => await tabs[0].page.evaluate(async ({ verify, from, n }) => {
    const now = () => performance.timeOrigin + performance.now()
    const T = window.meshwork.tasks
    const out = []
    for (let i = 0; i < n; i++) {
      const a = 12 + ((from + i) % 50); const b = 7 + ((from + i * 3) % 40)
      const t0 = now()
      const id = T.submit({ text: `What is ${a} * ${b}?`, verify })
      const s = await T.wait(id, { timeoutMs: 20_000 }).catch(err => ({ error: err.message }))
      const done = now()
      // The verdict: verified or disputed, or every verifier has voted (abstentions included).
      let verdict
      if (verify > 0) {
        const end = now() + 5000
        while (now() < end) {
          const v = T.get(id)?.verification
          if (v !== undefined && (v.status !== 'pending' || (v.abstained?.length ?? 0) >= 2)) { verdict = { status: v.status, at: now() }; break }
          await new Promise(resolve => setTimeout(resolve, 2))
        }
      }
      out.push({ state: s.state, error: s.error, agent: s.agentId?.split('@')[0], endToEnd: done - t0, verdict: verdict?.status ?? (verify > 0 ? 'no verdict in 5 s' : undefined), verifiedAfter: verdict !== undefined ? verdict.at - done : null })
    }
    return out
  }, { verify, from, n: perBlock })
  const modes = { 0: { samples: [], cpuMs: 0, wallMs: 0 }, 1: { samples: [], cpuMs: 0, wallMs: 0 } }
  // Warm-up of both paths (worker code, model), not counted.
  await run(1, 1000)
  for (let block = 0; block < blocks * 2; block++) {
    const verify = block % 2
    const cpu0 = chromiumCpu(); const t0 = Date.now()
    const got = await run(verify, block * perBlock)
    const cpu1 = chromiumCpu()
    modes[verify].samples.push(...got)
    modes[verify].cpuMs += cpu1.totalMs - cpu0.totalMs
    modes[verify].wallMs += Date.now() - t0
  }
  for (const t of tabs) await t.context.close().catch(() => {})
  const summary = m => {
    const ok = m.samples.filter(x => x.state === 'completed')
    return {
      tasks: m.samples.length,
      completed: ok.length,
      byAgent: Object.fromEntries([...new Set(m.samples.map(x => x.agent))].map(a => [a, m.samples.filter(x => x.agent === a).length])),
      verdicts: Object.fromEntries([...new Set(m.samples.map(x => x.verdict ?? 'none'))].map(v => [v, m.samples.filter(x => (x.verdict ?? 'none') === v).length])),
      endToEnd: stats(ok.map(x => x.endToEnd)),
      verifiedAfter: stats(ok.map(x => x.verifiedAfter).filter(x => x !== null)),
      cpuMsPerTask: m.cpuMs / Math.max(1, m.samples.length),
      wallMsPerTask: m.wallMs / Math.max(1, m.samples.length)
    }
  }
  return { blocks, perBlock, none: summary(modes[0]), verified: summary(modes[1]) }
}

async function churnRun (room, total) {
  const tabs = room.tabs
  const submitters = tabs.slice(0, 3)
  const [closing, crashing] = tabs.slice(3)
  const shares = submitters.map((_, i) => Math.floor(total / submitters.length) + (i < total % submitters.length ? 1 : 0))
  await Promise.all(tabs.map(t => t.page.evaluate(() => { window.__cb.results.clear(); window.__cb.executing.clear(); window.__cb.ignored = {} })))
  const t0 = Date.now()
  const runs = submitters.map((t, i) => t.page.evaluate(async ({ share, inflight, words }) => {
    const T = window.meshwork.tasks
    const r = window.__run = { ids: [], submitted: 0 }
    let n = 0
    const worker = async () => {
      while (n < share) {
        n++
        const id = T.submit({ text: `echo ${words[n % words.length]}` })
        r.ids.push(id)
        r.submitted++
        await T.wait(id, { timeoutMs: 60_000 }).catch(() => {})
      }
    }
    await Promise.all(Array.from({ length: inflight }, worker))
    return r.ids
  }, { share: shares[i], inflight: INFLIGHT, words: WORDS }))
  const submitted = () => Promise.all(submitters.map(t => t.page.evaluate(() => window.__run?.submitted ?? 0))).then(x => x.reduce((s, v) => s + v, 0))
  const leaves = []
  for (const [victim, how, at] of [[closing, 'close', Math.round(total * 0.3)], [crashing, 'crash', Math.round(total * 0.6)]]) {
    await pollUntil(async () => (await submitted()) >= at, 120_000, 20)
    const executed = await victim.page.evaluate(() => window.__cb.executing.size).catch(() => null)
    const lossAt = await kill(victim, how)
    leaves.push({ how, afterSubmitted: await submitted(), executedBefore: executed, atMs: lossAt - t0 })
  }
  const ids = (await withTimeout(Promise.all(runs), 180_000, 'the 1,000-task run')).map(x => x)
  const submitWallMs = Date.now() - t0
  const allIds = ids.flat()
  // Settle: every survivor has every task terminal (or 30 s pass), then the graphs sync.
  const survivors = submitters
  await pollUntil(async () => {
    const open = await Promise.all(survivors.map(t => t.page.evaluate(ids => ids.filter(id => { const s = window.meshwork.tasks.get(id); return s === undefined || !['completed', 'failed', 'canceled', 'rejected', 'unassigned'].includes(s.state) }).length, allIds)))
    return open.every(x => x === 0)
  }, 30_000, 500)
  // The recorders write every 1-3 s (busy): wait until none holds unwritten records, then for sync.
  await pollUntil(async () => (await Promise.all(survivors.map(t => t.page.evaluate(() => window.meshwork.tasks.engine.recorder.stats?.().queued ?? 0)))).every(q => q === 0), 10_000, 250)
  await sleep(3_000)
  const views = await Promise.all(survivors.map(t => t.page.evaluate(ids => {
    const key = raw => raw.replace(/[_/]/g, c => (c === '_' ? '_u' : '_s'))
    const g = window.meshwork.graph
    const results = new Map(); const facts = new Map()
    for (const e of g.list({ kind: 'hypothesis' })) { const m = /^result:(.+):(\d+)$/.exec(e.id); if (m) results.set(m[1], (results.get(m[1]) ?? 0) + 1) }
    for (const e of g.list({ kind: 'fact' })) { const m = /^fact:(.+):(\d+)$/.exec(e.id); if (m) facts.set(m[1], (facts.get(m[1]) ?? 0) + 1) }
    return ids.map(id => {
      const s = window.meshwork.tasks.get(id)
      const thread = g.get(`task:${key(id)}`)
      const outcome = thread?.data?.outcome
      return {
        id,
        state: s?.state ?? 'unknown',
        reason: s?.reason,
        producer: s?.state === 'completed' ? s.peerId : undefined,
        attempts: s?.attempt,
        results: results.get(key(id)) ?? 0,
        facts: facts.get(key(id)) ?? 0,
        resultMsgs: window.__cb.results.get(id)?.length ?? 0,
        recorded: outcome?.state,
        recordedProducer: outcome?.producer?.peerId
      }
    })
  }, allIds)))
  const own = new Map()
  for (const [i, t] of survivors.entries()) for (const id of ids[i]) own.set(id, t.peerId)
  const states = {}; const reasons = {}
  let lost = 0; let twoResults = 0; let twoResultMsgs = 0; let disagree = 0; let unrecorded = 0; let recordedMismatch = 0
  const examples = { lost: [], twoResults: [], disagree: [] }
  for (const [k, id] of allIds.entries()) {
    const v = views.map(vs => vs[k])
    const mine = v[survivors.findIndex(t => t.peerId === own.get(id))]
    states[mine.state] = (states[mine.state] ?? 0) + 1
    if (mine.state !== 'completed' && mine.reason) reasons[mine.reason.slice(0, 160)] = (reasons[mine.reason.slice(0, 160)] ?? 0) + 1
    if (!['completed', 'failed', 'canceled', 'rejected', 'unassigned'].includes(mine.state)) { lost++; if (examples.lost.length < 5) examples.lost.push(mine) }
    if (Math.max(...v.map(x => x.results)) > 1 || Math.max(...v.map(x => x.facts)) > 1) { twoResults++; if (examples.twoResults.length < 5) examples.twoResults.push(v[0]) }
    if (Math.max(...v.map(x => x.resultMsgs)) > 1) twoResultMsgs++
    if (new Set(v.map(x => `${x.state}|${x.producer ?? ''}`)).size > 1) { disagree++; if (examples.disagree.length < 5) examples.disagree.push(v.map(x => ({ state: x.state, producer: x.producer?.slice(-6) }))) }
    if (mine.state === 'completed' && mine.recorded !== 'completed') unrecorded++
    if (mine.state === 'completed' && mine.recordedProducer !== undefined && mine.recordedProducer !== mine.producer) recordedMismatch++
  }
  const byPeer = {}
  for (const [k, id] of allIds.entries()) { const p = views[survivors.findIndex(t => t.peerId === own.get(id))][k].producer; if (p) byPeer[p] = (byPeer[p] ?? 0) + 1 }
  const result = {
    tasks: allIds.length,
    submitWallMs,
    leaves,
    states,
    failedReasons: reasons,
    lost,
    doublyCompleted: disagree,
    tasksWithTwoResultEntities: twoResults,
    tasksWithTwoResultMessages: twoResultMsgs,
    completedButOutcomeNotRecorded: unrecorded,
    recordedProducerMismatch: recordedMismatch,
    executedPerTab: tabs.map(t => byPeer[t.peerId] ?? 0),
    examples,
    engine: await engineStats(survivors),
    ignored: await Promise.all(survivors.map(t => t.page.evaluate(() => window.__cb.ignored)))
  }
  room.tabs = survivors
  return result
}

// ---------------------------------------------------------------------------------------------

// The machine is shared: the load average before and after says how far to trust the figures.
const out = { run: RUN, inflight: INFLIGHT, warmupMs: WARMUP_MS, throughputMs: THROUGHPUT_MS, loadavgBefore: loadavg() }
try {
  const needMain = ['baseline', 'latency', 'norecord', 'recovery', 'run'].some(p => parts.has(p)) || (parts.has('throughput') && THROUGHPUT_SIZES.includes(N))
  let main
  if (needMain) {
    process.stderr.write(`bench:coord opening ${N} tabs … `)
    main = await openRoom(N, 'main')
    out.setupMs = main.setupMs
    process.stderr.write(`${(main.setupMs / 1000).toFixed(1)} s\n`)
    const m = await main.tabs[0].page.evaluate(async t => await window.meshwork.agents.match(t, 3), 'echo banana')
    const nap = await main.tabs[0].page.evaluate(async t => await window.meshwork.agents.match(t, 3), NAP_TEXT)
    out.matchCheck = { echo: m.map(x => `${x.agentId.split('@')[0]} ${x.confidence.toFixed(2)}`), nap: nap.map(x => `${x.agentId.split('@')[0]} ${x.confidence.toFixed(2)}`) }
  }
  if (parts.has('baseline')) {
    process.stderr.write('bench:coord baseline gossip round trip … ')
    const b = await baseline(main)
    out.baseline = { pings: PINGS, firstEcho: stats(b.first), allEchoes: stats(b.all), oneWay: stats(b.oneWay), channelFirstEcho: stats(b.channel.first), channelAllEchoes: stats(b.channel.all) }
    process.stderr.write(`all ${N - 1} echoes p50 ${fmt(out.baseline.allEchoes.p50)} ms (gossip), ${fmt(out.baseline.channelAllEchoes.p50)} ms (channel)\n`)
  }
  if (parts.has('latency')) {
    process.stderr.write(`bench:coord latency, ${LATENCY_TASKS} tasks one at a time … `)
    out.latency = await latency(main, LATENCY_TASKS)
    process.stderr.write(`award p50 ${fmt(out.latency.award.p50)} p95 ${fmt(out.latency.award.p95)} ms\n`)
  }
  out.throughput = []
  if (parts.has('throughput')) {
    for (const n of THROUGHPUT_SIZES) {
      process.stderr.write(`bench:coord throughput N=${n}, ${INFLIGHT} in flight per tab, ${THROUGHPUT_MS / 1000} s … `)
      let room = main
      if (n !== N) room = await openRoom(n, `tp${n}`)
      // Paired comparisons in one room: BENCH_RECORD_FLUSH_MS=a,b (5 tabs) or BENCH_VARIANTS (any size).
      const variants = VARIANTS.length > 0 ? VARIANTS : n === N && RECORD_FLUSH_LIST.length > 1 ? RECORD_FLUSH_LIST.map(ms => ({ label: `record every ${ms} ms`, flushMs: ms })) : [null]
      for (let rep = 0; rep < (variants[0] === null ? 1 : VARIANT_REPS); rep++) {
        for (const v of variants) {
          if (v !== null) {
            await Promise.all(room.tabs.map(t => t.page.evaluate(v => {
              const e = window.meshwork.tasks.engine
              window.__cb.opts0 ??= { ...e.opts }
              // One level deep (the options hold functions, which structuredClone refuses).
              for (const [k, x] of Object.entries(window.__cb.opts0)) e.opts[k] = x !== null && typeof x === 'object' && !Array.isArray(x) ? { ...x } : x
              for (const [k, x] of Object.entries(v.opts ?? {})) e.opts[k] = typeof x === 'object' ? { ...e.opts[k], ...x } : x
              window.__cb.recorder ??= e.recorder
              e.recorder = v.record === false ? new Proxy({}, { get: () => () => {} }) : window.__cb.recorder
              if (v.flushMs !== undefined) e.recorder.setFlushMs(v.flushMs, v.busyFlushMs)
            }, v)))
            await sleep((v.busyFlushMs ?? v.flushMs ?? 0) + 1000)
          }
          const r = await throughput(room, INFLIGHT, THROUGHPUT_MS, 'throughput', { drain: v?.record !== false })
          if (v !== null) { r.variant = v.label; if (v.flushMs !== undefined) r.recordFlushMs = v.flushMs }
          out.throughput.push(r)
          process.stderr.write(`${v !== null ? `[${v.label}] ` : ''}${fmt(r.perMinute, 0)} tasks/min (per ${WINDOW_MS / 1000} s: ${r.perWindow.join(', ')})${drainedLine(r)}\n`)
        }
      }
      if (n === N && variants[0] === null && SATURATION_INFLIGHT > INFLIGHT) {
        process.stderr.write(`bench:coord throughput N=${n}, ${SATURATION_INFLIGHT} in flight per tab, ${THROUGHPUT_MS / 1000} s … `)
        const r = await throughput(room, SATURATION_INFLIGHT, THROUGHPUT_MS)
        out.throughput.push(r)
        process.stderr.write(`${fmt(r.perMinute, 0)} tasks/min (per ${WINDOW_MS / 1000} s: ${r.perWindow.join(', ')})${drainedLine(r)}\n`)
      }
      if (room !== main) await closeRoom(room)
    }
  }
  // Diagnostic: the same measurements with the engine's graph recording off, to price recording and graph sync.
  if (parts.has('norecord')) {
    await setRecording(main.tabs, false)
    await sleep(2_000)
    process.stderr.write(`bench:coord [graph recording off] latency, ${Math.round(LATENCY_TASKS / 2)} tasks … `)
    out.latencyNoRecord = await latency(main, Math.round(LATENCY_TASKS / 2))
    process.stderr.write(`award p50 ${fmt(out.latencyNoRecord.award.p50)} p95 ${fmt(out.latencyNoRecord.award.p95)} ms\n`)
    process.stderr.write(`bench:coord [graph recording off] throughput N=${N} … `)
    out.throughputNoRecord = await throughput(main, INFLIGHT, THROUGHPUT_MS / 2, 'norecord', { drain: false })
    process.stderr.write(`${fmt(out.throughputNoRecord.perMinute, 0)} tasks/min\n`)
    await setRecording(main.tabs, true)
  }
  if (parts.has('recovery')) {
    process.stderr.write(`bench:coord recovery, ${RECOVERY_REPS} × (close, crash)\n`)
    out.recovery = await recovery(main, RECOVERY_REPS)
  }
  if (parts.has('verify')) {
    process.stderr.write(`bench:coord verification cost, 3 tabs, 2 × ${VERIFY_TASKS} tasks per mode … `)
    out.verification = await verification(2, VERIFY_TASKS)
    process.stderr.write(`${fmt(out.verification.none.cpuMsPerTask, 0)} → ${fmt(out.verification.verified.cpuMsPerTask, 0)} CPU-ms per task\n`)
  }
  if (parts.has('run')) {
    process.stderr.write(`bench:coord ${RUN_TASKS} tasks while 2 peers leave … `)
    out.churn = await churnRun(main, RUN_TASKS)
    process.stderr.write(`lost ${out.churn.lost}, doubly completed ${out.churn.doublyCompleted}\n`)
  }
} catch (err) {
  out.error = err.stack
  console.error(err)
} finally {
  clearTimeout(watchdog)
  await stopStack()
}
out.pageErrors = pageErrors
out.loadavgAfter = loadavg()

// ---------------------------------------------------------------------------------------------
// Report

const ms = s => s === undefined || s === null ? '—' : `${fmt(s.p50)} / ${fmt(s.p95)}`
const rows = []
if (out.baseline) {
  rows.push({ what: `gossip ping → all ${N - 1} echoes (baseline)`, n: N, value: ms(out.baseline.allEchoes), target: '—', samples: out.baseline.allEchoes.n })
  rows.push({ what: 'gossip ping → first echo (baseline)', n: N, value: ms(out.baseline.firstEcho), target: '—', samples: out.baseline.firstEcho.n })
  rows.push({ what: `channel ping → all ${N - 1} echoes (baseline)`, n: N, value: ms(out.baseline.channelAllEchoes), target: '—', samples: out.baseline.channelAllEchoes.n })
  rows.push({ what: 'channel ping → first echo (baseline)', n: N, value: ms(out.baseline.channelFirstEcho), target: '—', samples: out.baseline.channelFirstEcho.n })
}
if (out.latency) {
  const l = out.latency
  rows.push({ what: 'announce → award (submitter)', n: N, value: ms(l.award), target: 'p95 < 100 ms', samples: l.award.n })
  rows.push({ what: '  of which: last other bid in', n: N, value: ms(l.breakdown.lastOtherBid), target: '', samples: l.breakdown.lastOtherBid.n })
  rows.push({ what: '  of which: own bid', n: N, value: ms(l.breakdown.ownBid), target: '', samples: l.breakdown.ownBid.n })
  rows.push({ what: 'submit → completed (submitter)', n: N, value: ms(l.endToEnd), target: '—', samples: l.endToEnd.n })
}
if (out.latencyNoRecord) rows.push({ what: '[graph recording off] announce → award', n: N, value: ms(out.latencyNoRecord.award), target: '', samples: out.latencyNoRecord.award.n })
if (out.latencyNoRecord) rows.push({ what: '[graph recording off] submit → completed', n: N, value: ms(out.latencyNoRecord.endToEnd), target: '', samples: out.latencyNoRecord.endToEnd.n })
for (const t of out.throughput ?? []) {
  rows.push({ what: `throughput (${t.inflight} in flight per tab)${t.variant !== undefined ? ` [${t.variant}]` : ''}, tasks/min`, n: t.n, value: fmt(t.perMinute, 0), target: t.n === 5 ? '≥ 10,000' : '—', samples: t.completed })
  if (t.drainMs !== null && t.drainMs !== undefined) rows.push({ what: `  the same, until every graph caught up, tasks/min`, n: t.n, value: t.perMinuteDrained === null ? `not in ${fmt(t.drainMs / 1000, 0)} s` : fmt(t.perMinuteDrained, 0), target: t.n === 5 ? '≥ 10,000' : '—', samples: t.completed })
  rows.push({ what: '  latency under load', n: t.n, value: ms(t.latency), target: '', samples: t.latency.n })
}
if (out.throughputNoRecord) rows.push({ what: '[graph recording off] throughput, tasks/min', n: N, value: fmt(out.throughputNoRecord.perMinute, 0), target: '', samples: out.throughputNoRecord.completed })
if (out.recovery) {
  for (const k of ['close', 'crash']) {
    const r = out.recovery[k]
    rows.push({ what: `peer loss (${k}) → re-announced`, n: N, value: ms(r.detect), target: '', samples: r.reps })
    rows.push({ what: `peer loss (${k}) → re-awarded`, n: N, value: ms(r.reaward), target: '< 5 s', samples: r.reps })
    rows.push({ what: `peer loss (${k}) → completed elsewhere`, n: N, value: ms(r.complete), target: '', samples: r.reps })
  }
}
if (out.verification) {
  const v = out.verification
  for (const [label, m] of [['not verified (verify: 0)', v.none], ['verified (verify: 1, two verifiers)', v.verified]]) {
    rows.push({ what: `calculator task ${label}: submit → completed`, n: 3, value: ms(m.endToEnd), target: '—', samples: m.endToEnd.n })
    rows.push({ what: `  Chromium CPU / wall per task, ms`, n: 3, value: `${fmt(m.cpuMsPerTask, 0)} / ${fmt(m.wallMsPerTask, 0)}`, target: '', samples: m.tasks })
  }
  rows.push({ what: '  completed → verdict at the submitter', n: 3, value: ms(v.verified.verifiedAfter), target: '', samples: v.verified.verifiedAfter.n })
}
if (out.churn) {
  const c = out.churn
  rows.push({ what: `${c.tasks} tasks, 2 peers leave: lost / doubly completed`, n: N, value: `${c.lost} / ${c.doublyCompleted}`, target: '0 / 0', samples: c.tasks })
  rows.push({ what: '  completed / failed / other', n: N, value: `${c.states.completed ?? 0} / ${c.states.failed ?? 0} / ${c.tasks - (c.states.completed ?? 0) - (c.states.failed ?? 0)}`, target: '', samples: '' })
}
console.log('\nbench:coord — coordination across real tabs (signed frames on WebRTC room channels, workers); p50 / p95 in ms')
console.log(table(rows, [
  { title: 'measure', value: r => r.what },
  { title: 'tabs', value: r => r.n },
  { title: 'p50 / p95 ms (or value)', value: r => r.value },
  { title: 'target', value: r => r.target },
  { title: 'samples', value: r => r.samples }
]))
if (out.latency) {
  const b = out.latency.breakdown
  console.log(`\nlatency breakdown (submitter's clock, p50/p95 ms): own bid ${ms(b.ownBid)}, other bids: first ${ms(b.firstOtherBid)}, next to last ${ms(b.nextToLastOtherBid)}, last ${ms(b.lastOtherBid)}, window closed after last bid ${ms(b.closeAfterLastBid)}, award → result back ${ms(b.awardToResultAtSubmitter)}; windows closed early (everyone answered): ${b.windowsClosedEarly}`)
  console.log(`tasks executed per tab (sequential): ${out.latency.spread.join(' / ')}; sent per task, room-wide: ${JSON.stringify(out.latency.sentPerTask)}`)
  const tm = out.latency.timers
  if (Object.keys(tm).length) console.log(`in-tab step times, sequential (p50/p95 ms): ${Object.entries(tm).map(([k, v]) => `${k} ${ms(v)} (n=${v.n})`).join(', ')}`)
}
for (const t of [...(out.throughput ?? []), ...(out.throughputNoRecord ? [{ ...out.throughputNoRecord, n: `${N} [recording off]` }] : [])]) {
  console.log(`N=${t.n}${t.variant !== undefined ? ` [${t.variant}]` : ''}: executed per tab ${t.executedPerTab.join(' / ')}; submitted per tab ${t.submittedPerTab.join(' / ')}; Chromium CPU ${fmt(t.chromiumCores, 2)} cores; main thread busy per tab ${t.mainThreadBusyPerTab.map(x => fmt(x * 100, 0) + '%').join(' / ')}; not completed: ${JSON.stringify(t.notCompleted)}`)
  console.log(`   sent per completed task, room-wide: ${JSON.stringify(t.sentPerTask)}; on the wire: ${JSON.stringify(t.wirePerTask)}; ran on the submitting tab: ${fmt(100 * (t.ownShare ?? 0), 0)}% (1/${t.n} if tasks were spread evenly)`)
  if (t.chromiumThreadCores) console.log(`   Chromium CPU ${fmt(t.cpuMsPerTask, 1)} ms per completed task${t.cpuMsPerTaskDrained != null ? ` (${fmt(t.cpuMsPerTaskDrained, 1)} with the graph caught up)` : ''}; by thread (cores): ${Object.entries(t.chromiumThreadCores).map(([k, v]) => `${k} ${v}`).join(', ')}`)
  if (t.heapMbPerTab) console.log(`   JS heap after (MB, page / graph worker per tab): ${t.heapMbPerTab.map(h => `${h.page} / ${h.graphWorker ?? '?'}`).join(', ')}`)
  if (t.steps) console.log(`   submit → window closed ${ms(t.steps.windowClosed)}, award → completed ${ms(t.steps.awardToCompleted)} (p50 / p95 ms); windows where every peer answered ${fmt(100 * t.steps.allResponded, 0)}%, share answering p50 ${fmt(t.steps.respondedShare.p50, 2)}`)
  if (Object.keys(t.timers).length) console.log(`   in-tab step times under load (p50/p95 ms, count): ${Object.entries(t.timers).map(([k, v]) => `${k} ${ms(v)} ×${v.n}`).join(', ')}`)
}
if (out.recovery) for (const r of out.recovery.reps) if (r.error) console.log(`recovery rep ${r.rep} (${r.how}): ${r.error}`)
for (const f of out.recovery?.joinFailures ?? []) console.log(`a fresh tab did not join the room after recovery rep ${f.afterRep} (a second one was opened): ${JSON.stringify(f.dial).slice(0, 400)}`)
if (out.churn) {
  const c = out.churn
  console.log(`1,000-task run: ${JSON.stringify(c.states)}; leaves ${c.leaves.map(l => `${l.how} after ${l.afterSubmitted} submitted`).join(', ')}; executed per tab ${c.executedPerTab.join(' / ')}; wall ${fmt(c.submitWallMs / 1000, 1)} s`)
  console.log(`   tasks with >1 result entity in the graph: ${c.tasksWithTwoResultEntities}; with >1 result message: ${c.tasksWithTwoResultMessages}; completed but outcome not recorded: ${c.completedButOutcomeNotRecorded}; failed reasons: ${JSON.stringify(c.failedReasons)}`)
}
for (const p of [out.latency?.profile, ...(out.throughput ?? []).map(t => t.profile), out.throughputNoRecord?.profile].filter(Boolean)) {
  console.log(`CPU profile of tab ${p.tab} (${p.totalMs} ms sampled), self time: ${p.top.slice(0, 15).map(x => `${x.fn} ${x.pct}%`).join('; ')}`)
}
if (out.verification) console.log(`verification: agents ${JSON.stringify(out.verification.none.byAgent)} / ${JSON.stringify(out.verification.verified.byAgent)}; verdicts ${JSON.stringify(out.verification.verified.verdicts)}; completed ${out.verification.none.completed}/${out.verification.none.tasks} and ${out.verification.verified.completed}/${out.verification.verified.tasks}`)
if (out.matchCheck) console.log(`match check: "echo banana" → ${out.matchCheck.echo.join(', ')}; "${NAP_TEXT}" → ${out.matchCheck.nap.join(', ')}`)
console.log(`load average (1/5/15 min) before ${out.loadavgBefore.map(x => x.toFixed(1)).join('/')}, after ${out.loadavgAfter.map(x => x.toFixed(1)).join('/')} (2 cores, shared)`)
if (out.error) console.log(`error: ${out.error.split('\n')[0]}`)
if (out.throughput !== undefined && WARMUP_MS > 0) console.log(`throughput: counted over ${THROUGHPUT_MS / 1000} s, after ${WARMUP_MS / 1000} s of the same load that is not counted (BENCH_WARMUP_S)`)
console.log('targets: announce→award p95 < 100 ms (5 tabs); ≥ 10,000 trivial tasks/min across 5 tabs; recovery after a peer loss < 5 s; 0 lost, 0 doubly completed in 1,000 tasks while peers leave')
console.log(`results: ${writeResults('coord', out)}`)
process.exit(out.error ? 1 : 0)
