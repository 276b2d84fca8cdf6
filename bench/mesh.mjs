// npm run bench:mesh — time to a full WebRTC mesh, message latency, vanished-peer detection, idle CPU and
// memory for N = 2, 5, 10 tabs; the app next to a bare libp2p baseline in the same run. Runs inside the
// e2e network namespace (test/e2e/run.mjs --bench mesh). Env: BENCH_SIZES=2,5,10  BENCH_VARIANTS=app,bare
// BENCH_PROFILE=1 (CPU profile of one tab while the mesh forms; BENCH_PROFILE_OUT=file.cpuprofile keeps it)  BENCH_URL_EXTRA=&k=v (appended to the app URL)
// BENCH_CHROMIUM_ARGS="--flag ..." (extra Chromium flags)  BENCH_PC_TRACE=1 (trace every RTCPeerConnection, bench/pc-trace.js)
// BENCH_TRACE=file.json (Chromium trace of all processes while the mesh forms; BENCH_TRACE_CATEGORIES=a,b to choose)
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { chromium } from 'playwright-core'
import { startRelay } from '../scripts/relay-process.mjs'
import { createAppServer } from '../scripts/serve.mjs'
import { percentile, fmt, table, writeResults, sleep, root, summariseProfile, procCpu, pageLoadMarks, summariseStartup, formatStartup } from './lib.mjs'

const sizes = (process.env.BENCH_SIZES ?? '2,5,10').split(',').map(Number)
const variants = (process.env.BENCH_VARIANTS ?? 'app,bare').split(',')
const MESH_TIMEOUT_MS = Number(process.env.BENCH_MESH_TIMEOUT_MS ?? 120_000)
const MESSAGES_PER_TAB = 20
const IDLE_WINDOW_MS = 5_000

const b = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(root, 'bench/baseline/vite.config.ts')], { cwd: root, stdio: 'inherit' })
if (b.status !== 0) throw new Error('building the baseline page failed')

// In-page adapters: the same questions asked of the app (window.meshwork) and of the baseline (window.bare).
const ADAPTER = {
  app: `window.__b = {
    ready: () => window.meshwork.ready,
    agentsReady: () => window.meshwork.agents.ready,
    peerId: () => window.meshwork.peerId,
    webrtcPeers: () => window.meshwork.peers().filter(p => p.transport === 'webrtc').map(p => p.peerId),
    send: () => window.meshwork.send('bench', 0),
    received: [], left: [],
    init () { window.meshwork.on('message', m => { if (m.channel === 'bench') this.received.push({ from: m.from, sentAt: m.sentAt, receivedAt: m.receivedAt }) });
              window.meshwork.on('peer:leave', e => this.left.push({ peerId: e.peerId, at: Date.now() })) }
  }; window.__b.init()`,
  bare: `window.__b = {
    ready: () => window.bare.ready,
    peerId: () => window.bare.peerId,
    webrtcPeers: () => window.bare.webrtcPeers(),
    send: () => window.bare.send(),
    get received () { return window.bare.received }, get left () { return window.bare.left }, init () {}
  }`
}

function chromiumRssMb () {
  let kb = 0
  for (const pid of readdirSync('/proc').filter(d => /^\d+$/.test(d))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8')
      if (!/^Name:\s+chrom/m.test(status)) continue
      const m = /^VmRSS:\s+(\d+)/m.exec(status)
      if (m) kb += Number(m[1])
    } catch {}
  }
  return kb / 1024
}

async function scenario (variant, n) {
  const relay = await startRelay({ port: 0, httpPort: -1, keyFile: join(mkdtempSync(join(tmpdir(), 'bench-')), 'key'), quiet: !process.env.BENCH_RELAY_LOG })
  const server = createAppServer({ root: variant === 'app' ? join(root, process.env.MESHWORK_DIST ?? 'dist') : join(root, 'bench/.dist/baseline'), getRelay: () => relay, log: () => {} })
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}/?room=bench${n}${process.env.BENCH_URL_EXTRA ?? ""}`
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', ...(process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean)] })
  const result = { variant, n }
  try {
    const contexts = [await browser.newContext(), await browser.newContext()]
    const pages = []
    for (let i = 0; i < n; i++) pages.push(await contexts[i % 2].newPage())
    // Every tab's main-thread tasks over 50 ms (with their attribution), from before its scripts run.
    for (const c of contexts) await c.addInitScript(() => { window.__longTasks = []; try { new PerformanceObserver(l => { for (const e of l.getEntries()) window.__longTasks.push({ at: Math.round(e.startTime), ms: Math.round(e.duration) }) }).observe({ type: 'longtask', buffered: true }) } catch {} })
    if (process.env.BENCH_PC_TRACE) for (const c of contexts) await c.addInitScript({ path: join(root, 'bench/pc-trace.js') })
    // BENCH_TRACE=file.json: a Chromium trace of every process while the mesh forms (chrome://tracing).
    if (process.env.BENCH_TRACE) await browser.startTracing(undefined, { path: process.env.BENCH_TRACE, categories: (process.env.BENCH_TRACE_CATEGORIES ?? 'toplevel,v8,v8.wasm,blink,disabled-by-default-v8.gc,webrtc').split(',') })
    const t0 = Date.now()
    const relayCpu0 = procCpu({ pid: relay.child.pid }).totalMs
    const treeCpu0 = procCpu({ descendantsOf: process.pid }).totalMs
    await Promise.all(pages.map(p => p.goto(url)))
    // BENCH_PROFILE=1: a CPU profile of the first tab's main thread while the mesh forms (from its load event).
    const profiler = process.env.BENCH_PROFILE ? await contexts[0].newCDPSession(pages[0]) : null
    if (profiler) { await profiler.send('Profiler.enable'); await profiler.send('Profiler.setSamplingInterval', { interval: 200 }); await profiler.send('Profiler.start') }
    // Each tab notes, on its own clock, when it first sees all others over WebRTC.
    await Promise.all(pages.map(p => p.waitForFunction(v => v === 'app' ? window.meshwork !== undefined : window.bare !== undefined, variant)))
    await Promise.all(pages.map(p => p.evaluate(({ adapter, want }) => {
      // eslint-disable-next-line no-eval
      (0, eval)(adapter)
      window.__b.ready().then(() => { window.__readyAt = performance.now() })
      window.__b.agentsReady?.().then(() => { window.__agentsReadyAt = performance.now() })
      const tick = () => { if (window.__b.webrtcPeers().length >= want) window.__meshAt = performance.now(); else setTimeout(tick, 25) }
      tick()
    }, { adapter: ADAPTER[variant], want: n - 1 })))
    let wall = null
    while (Date.now() - t0 < MESH_TIMEOUT_MS) {
      const done = await Promise.all(pages.map(p => p.evaluate(() => window.__meshAt ?? null)))
      if (done.every(x => x !== null)) { wall = Date.now() - t0; result.perTabMs = done; break }
      await sleep(100)
    }
    result.wallMs = wall
    if (process.env.BENCH_TRACE) await browser.stopTracing()
    {
      const lts = await Promise.all(pages.map(p => p.evaluate(() => window.__longTasks ?? [])))
      const all = lts.flat()
      const sorted = all.map(t => t.ms).sort((a, b) => a - b)
      result.longTasks = { count: all.length, totalMs: sorted.reduce((a, b) => a + b, 0), p50: percentile(sorted, 50), max: sorted.at(-1) ?? 0, overMs: { 200: sorted.filter(x => x > 200).length, 500: sorted.filter(x => x > 500).length, 1000: sorted.filter(x => x > 1000).length } }
      result.longTasksPerTab = lts
      process.stderr.write(`  main-thread tasks > 50 ms until the mesh was full, all tabs: ${all.length} (${result.longTasks.totalMs} ms; p50 ${result.longTasks.p50} ms, max ${result.longTasks.max} ms; > 200 ms: ${result.longTasks.overMs[200]}, > 500 ms: ${result.longTasks.overMs[500]}, > 1 s: ${result.longTasks.overMs[1000]})\n`)
    }
    if (process.env.BENCH_PC_TRACE) {
      result.pcTrace = await Promise.all(pages.map(p => p.evaluate(() => window.__pcs ?? null)))
      const pcs = result.pcTrace.flat().filter(Boolean)
      const at = (pc, what, state) => pc.ev.find(e => e[1] === what && (state === undefined || e[2] === state))?.[0]
      const connected = pcs.filter(pc => at(pc, 'connection', 'connected') !== undefined)
      const initClosedFirst = pcs.filter(pc => pc.role === 'offer' && at(pc, 'dc:close') !== undefined && at(pc, 'connection', 'connected') !== undefined && at(pc, 'dc:close') < at(pc, 'connection', 'connected'))
      process.stderr.write(`  RTCPeerConnections: ${pcs.length}, ${connected.length} reached 'connected'; dialer's 'init' channel closed before 'connected': ${initClosedFirst.length}\n`)
      const opened = {}
      for (const m of await Promise.all(pages.map(p => p.evaluate(() => window.__dcOpened())))) for (const [k, v] of Object.entries(m)) opened[k] = (opened[k] ?? 0) + v
      result.channelEndsUntilMesh = Object.fromEntries(Object.entries(opened).sort((a, b) => b[1] - a[1]))
      process.stderr.write(`  data-channel ends sent on until the mesh was full, all tabs, by protocol: ${Object.entries(result.channelEndsUntilMesh).map(([k, v]) => `${k} ${v}`).join(', ')}\n`)
    }
    // The relay's CPU while the mesh formed: it carries every tab's discovery and WebRTC signalling.
    result.relayCpuMs = procCpu({ pid: relay.child.pid }).totalMs - relayCpu0
    // All CPU spent while the mesh formed (Chromium's processes and the relay): with 2 cores, wall time
    // cannot be less than half of it.
    const cpuNow = procCpu({ descendantsOf: process.pid })
    result.formationCpuMs = cpuNow.totalMs - treeCpu0
    result.cpuByThread = Object.fromEntries(Object.entries(cpuNow.byThread).sort((a, b) => b[1] - a[1]).slice(0, 15))
    process.stderr.write(`  CPU by thread since launch (ms): ${Object.entries(result.cpuByThread).map(([k, v]) => `${k} ${v}`).join(', ')}\n`)
    if (profiler) {
      const { profile } = await profiler.send('Profiler.stop')
      if (process.env.BENCH_PROFILE_OUT) writeFileSync(process.env.BENCH_PROFILE_OUT, JSON.stringify(profile))
      result.profile = summariseProfile(profile, 25)
      process.stderr.write(`  tab 0 main thread while the mesh formed: ${result.profile.totalMs} ms sampled; self time:\n${result.profile.top.map(t => `    ${String(t.ms).padStart(6)} ms ${String(t.pct).padStart(5)}%  ${t.fn}`).join('\n')}\n  inclusive:\n${result.profile.inclusive.map(t => `    ${String(t.ms).padStart(6)} ms ${String(t.pct).padStart(5)}%  ${t.fn}`).join('\n')}\n`)
    }
    process.stderr.write(`  CPU during mesh formation: ${result.formationCpuMs} ms in all, relay ${result.relayCpuMs} ms, over ${Date.now() - t0} ms\n`)
    if (variant === 'app') {
      result.dials = await Promise.all(pages.map(p => p.evaluate(() => { const s = window.meshwork.stats(); return { started: s.dialsStarted, failed: s.dialsFailed, problems: s.problems, errors: s.dialErrors, dialMs: s.dialMs, stages: s.dialStages } })))
      result.readyMs = await Promise.all(pages.map(p => p.evaluate(() => window.__readyAt ?? null)))
      // Each tab's start-up timeline (ms since its navigation), with the page's own load milestones.
      const timelines = await Promise.all(pages.map(p => p.evaluate(`(() => { const page = (${pageLoadMarks.toString()})(); const t = { ...window.meshwork.stats().startup }; for (const [k, v] of Object.entries(page)) if (v !== null) t['page.' + k] = v; t.fullMesh = window.__meshAt ?? null; return t })()`)))
      result.startupPerTab = timelines
      result.startup = summariseStartup(timelines)
      process.stderr.write(`  start-up timeline, ms since navigation (median over ${n} tabs, range):\n${formatStartup(result.startup)}\n`)
      result.dialStages = {}
      for (const d of result.dials) for (const [k, v] of Object.entries(d.stages ?? {})) { const a = (result.dialStages[k] ??= { n: 0, ms: 0 }); a.n += v.n; a.ms += v.ms }
      process.stderr.write(`  dials started ${result.dials.reduce((a, d) => a + d.started, 0)}, failed ${result.dials.reduce((a, d) => a + d.failed, 0)}; mean ms per stage: ${Object.entries(result.dialStages).map(([k, v]) => `${k.replace('webrtc:', '')} ${Math.round(v.ms / v.n)} (${v.n})`).join(', ')}\n`)
    }
    if (wall === null) {
      result.perTabMs = await Promise.all(pages.map(p => p.evaluate(() => window.__meshAt ?? null)))
      result.linked = await Promise.all(pages.map(p => p.evaluate(() => window.__b.webrtcPeers().length)))
      return result
    }
    result.meshP50 = percentile(result.perTabMs, 50)
    result.meshP95 = percentile(result.perTabMs, 95)

    // The idle window and the latency runs below wait until every tab's agents are ready (their
    // workers run and the model is loaded), so that they measure a started app, not its start-up.
    // When they were ready (ms since navigation) is reported next to the mesh.
    if (variant === 'app') {
      const readyBy = Date.now() + 60_000
      let ready = []
      while (Date.now() < readyBy) {
        ready = await Promise.all(pages.map(p => p.evaluate(() => window.__agentsReadyAt ?? null)))
        if (ready.every(x => x !== null)) break
        await sleep(100)
      }
      result.agentsReadyMs = ready
      result.agentsReadyP50 = ready.some(x => x === null) ? null : percentile(ready, 50)
      result.agentsReadyMax = ready.some(x => x === null) ? null : Math.max(...ready)
      process.stderr.write(`  agents ready, ms since navigation: p50 ${fmt(result.agentsReadyP50, 0)}, last ${fmt(result.agentsReadyMax, 0)}\n`)
    }

    // Idle: main-thread busy time and heap per tab over a quiet window, plus Chromium's total RSS.
    await sleep(2_000)
    const cdps = await Promise.all(pages.map((p, i) => contexts[i % 2].newCDPSession(p)))
    await Promise.all(cdps.map(c => c.send('Performance.enable')))
    const metric = async (c, name) => (await c.send('Performance.getMetrics')).metrics.find(m => m.name === name)?.value ?? 0
    const before = await Promise.all(cdps.map(c => metric(c, 'TaskDuration')))
    const idleCpu0 = procCpu({ descendantsOf: process.pid })
    // BENCH_PROFILE_IDLE=file.cpuprofile: a CPU profile of the first tab's main thread over the idle window.
    const traffic0 = process.env.BENCH_PC_TRACE ? await Promise.all(pages.map(p => p.evaluate(() => window.__pcTraffic()))) : null
    const sent0 = process.env.BENCH_PC_TRACE ? await Promise.all(pages.map(p => p.evaluate(() => ({ ...window.__dcSent })))) : null
    if (process.env.BENCH_PROFILE_IDLE) { await cdps[0].send('Profiler.enable'); await cdps[0].send('Profiler.setSamplingInterval', { interval: 200 }); await cdps[0].send('Profiler.start') }
    await sleep(IDLE_WINDOW_MS)
    const after = await Promise.all(cdps.map(c => metric(c, 'TaskDuration')))
    if (process.env.BENCH_PROFILE_IDLE) writeFileSync(process.env.BENCH_PROFILE_IDLE, JSON.stringify((await cdps[0].send('Profiler.stop')).profile))
    const cpu = after.map((a, i) => 100 * (a - before[i]) / (IDLE_WINDOW_MS / 1000))
    if (traffic0 !== null) {
      const traffic1 = await Promise.all(pages.map(p => p.evaluate(() => window.__pcTraffic())))
      const per = k => Math.round(traffic1.reduce((a, t, i) => a + t[k] - traffic0[i][k], 0) / n / (IDLE_WINDOW_MS / 1000))
      result.idleTrafficPerTab = { messagesSent: per('messagesSent'), bytesSent: per('bytesSent'), channels: Math.round(traffic1.reduce((a, t) => a + t.channels, 0) / n) }
      const sent1 = await Promise.all(pages.map(p => p.evaluate(() => ({ ...window.__dcSent }))))
      const byProtocol = {}
      sent1.forEach((m, i) => { for (const [k, v] of Object.entries(m)) byProtocol[k] = (byProtocol[k] ?? 0) + v - (sent0[i][k] ?? 0) })
      result.idleTrafficPerTab.byProtocol = Object.fromEntries(Object.entries(byProtocol).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(10 * v / n / (IDLE_WINDOW_MS / 1000)) / 10]))
      process.stderr.write(`  idle WebRTC traffic per tab: ${result.idleTrafficPerTab.messagesSent} messages/s, ${result.idleTrafficPerTab.bytesSent} bytes/s sent, over ${result.idleTrafficPerTab.channels} open data channels; messages/s by protocol: ${Object.entries(result.idleTrafficPerTab.byProtocol).map(([k, v]) => `${k} ${v}`).join(', ')}\n`)
    }
    // All processes' CPU over the idle window, by thread (main:node is this bench, polling the tabs).
    const idleCpu1 = procCpu({ descendantsOf: process.pid })
    result.idleCpuMs = idleCpu1.totalMs - idleCpu0.totalMs
    result.idleCpuByThread = Object.fromEntries(Object.entries(idleCpu1.byThread).map(([k, v]) => [k, v - (idleCpu0.byThread[k] ?? 0)]).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).slice(0, 12))
    process.stderr.write(`  idle CPU, all processes, ${IDLE_WINDOW_MS / 1000} s: ${result.idleCpuMs} ms; by thread: ${Object.entries(result.idleCpuByThread).map(([k, v]) => `${k} ${v}`).join(', ')}\n`)
    result.idleCpuPctPerTab = percentile(cpu, 50)
    result.heapMbPerTab = percentile(await Promise.all(cdps.map(async c => (await metric(c, 'JSHeapUsedSize')) / 1048576)), 50)
    result.chromiumRssMb = chromiumRssMb()

    // Latency, quiet: one message in flight at a time, senders taking turns, 100 ms apart.
    const readSamples = () => Promise.all(pages.map(p => p.evaluate(() => window.__b.received.map(r => r.receivedAt - r.sentAt))))
    const QUIET = 3 * n
    for (let j = 0; j < QUIET; j++) {
      await pages[j % n].evaluate(() => window.__b.send())
      await sleep(100)
    }
    await sleep(1_000)
    const quiet = (await readSamples()).flat()
    result.quietExpected = QUIET * (n - 1)
    result.quietReceived = quiet.length
    result.quietP50 = percentile(quiet, 50)
    result.quietP95 = percentile(quiet, 95)
    const seen = (await readSamples()).map(x => x.length)

    // Latency, burst: every tab sends MESSAGES_PER_TAB messages 50 ms apart at once (20 messages/s per tab).
    await Promise.all(pages.map((p, i) => p.evaluate(async ({ k, offset }) => {
      await new Promise(r => setTimeout(r, offset))
      for (let j = 0; j < k; j++) { window.__b.send(); await new Promise(r => setTimeout(r, 50)) }
    }, { k: MESSAGES_PER_TAB, offset: (i * 50) / n })))
    await sleep(1_500)
    const samples = (await readSamples()).flatMap((x, i) => x.slice(seen[i]))
    result.messagesExpected = n * (n - 1) * MESSAGES_PER_TAB
    result.messagesReceived = samples.length
    result.latencyP50 = percentile(samples, 50)
    result.latencyP95 = percentile(samples, 95)

    // Vanish: crash the last tab (no goodbye) and time how long the others take to drop it.
    const victim = pages.at(-1)
    const victimId = await victim.evaluate(() => window.__b.peerId())
    const crashAt = Date.now()
    void cdps.at(-1).send('Page.crash').catch(() => {})
    const others = pages.slice(0, -1)
    let detections = []
    while (Date.now() - crashAt < 30_000) {
      // Only a leave after the crash counts: under load a peer can drop out and come back while the mesh forms.
      detections = await Promise.all(others.map(p => p.evaluate(({ id, after }) => window.__b.left.find(l => l.peerId === id && l.at >= after)?.at ?? null, { id: victimId, after: crashAt })))
      if (detections.every(x => x !== null)) break
      await sleep(100)
    }
    const d = detections.map(x => x === null ? null : x - crashAt)
    result.vanishP50 = percentile(d, 50)
    result.vanishMax = d.some(x => x === null) ? null : Math.max(...d)
  } finally {
    await browser.close().catch(() => {})
    await new Promise(resolve => { server.close(resolve); server.closeAllConnections() })
    await relay.stop()
  }
  return result
}

const results = []
for (const n of sizes) {
  for (const v of variants) {
    process.stderr.write(`bench:mesh ${v} N=${n} … `)
    const r = await scenario(v, n)
    process.stderr.write(r.wallMs === null ? `no full mesh within ${MESH_TIMEOUT_MS / 1000} s\n` : `${r.wallMs} ms\n`)
    results.push(r)
  }
}

console.log('\nbench:mesh — time to full WebRTC mesh, message latency, vanished-peer detection, idle cost')
console.log(table(results, [
  { title: 'variant', value: r => r.variant === 'app' ? 'meshwork' : 'bare libp2p' },
  { title: 'N', value: r => r.n },
  { title: 'mesh wall s', value: r => r.wallMs === null ? `>${MESH_TIMEOUT_MS / 1000}` : fmt(r.wallMs / 1000, 2) },
  { title: 'CPU to mesh s', value: r => fmt(r.formationCpuMs == null ? null : r.formationCpuMs / 1000, 1) },
  { title: 'per-tab p50 s', value: r => fmt(r.meshP50 == null ? null : r.meshP50 / 1000, 2) },
  { title: 'per-tab p95 s', value: r => fmt(r.meshP95 == null ? null : r.meshP95 / 1000, 2) },
  { title: 'agents ready p50/last s', value: r => r.variant !== 'app' ? '—' : r.agentsReadyP50 == null ? '>60' : `${fmt(r.agentsReadyP50 / 1000, 1)}/${fmt(r.agentsReadyMax / 1000, 1)}` },
  { title: 'quiet p50 ms', value: r => fmt(r.quietP50) },
  { title: 'quiet p95 ms', value: r => fmt(r.quietP95) },
  { title: 'burst p50 ms', value: r => fmt(r.latencyP50) },
  { title: 'burst p95 ms', value: r => fmt(r.latencyP95) },
  { title: 'delivered', value: r => r.messagesExpected ? `${r.quietReceived + r.messagesReceived}/${r.quietExpected + r.messagesExpected}` : '—' },
  { title: 'vanish p50 s', value: r => fmt(r.vanishP50 == null ? null : r.vanishP50 / 1000, 2) },
  { title: 'vanish max s', value: r => r.wallMs === null ? '—' : r.vanishMax === null ? '>30' : fmt(r.vanishMax / 1000, 2) },
  { title: 'idle CPU %/tab', value: r => fmt(r.idleCpuPctPerTab) },
  { title: 'heap MB/tab', value: r => fmt(r.heapMbPerTab) },
  { title: 'Chromium RSS MB', value: r => fmt(r.chromiumRssMb, 0) }
]))
console.log('\nquiet: one message in flight, senders in turn; burst: every tab sends 20 messages/s at once (the 2 cores saturate at N=10)')
console.log('messages: meshwork sends each over the direct link to each present peer (room channel `app`; gossip too only while a known peer is not linked directly); bare libp2p publishes on gossipsub')
console.log('agents ready: since navigation, when each tab\'s agents run and its model is loaded; the idle and latency figures wait for it')
console.log('CPU to mesh: CPU time of all Chromium processes and the relay from navigation until the mesh is full (2 cores: wall ≥ CPU / 2)')
console.log('targets: 10-tab mesh < 10 s wall; message p95 < 20 ms at N=10; vanished peer noticed < 3 s')
console.log(`results: ${writeResults('mesh', { sizes, results })}`)
