// npm run bench:embed — sentences per second of the embedded model (meshwork-glove-100d) in the app's
// embedding worker in headless Chromium (real WASM Transformers.js, model served by the app's server with
// COOP/COEP), for calls of 1, 8 and 64 short sentences (8-12 words), with median and p95 per call; Node
// (onnxruntime-node) in the same run for reference. Runs through test/e2e/run.mjs --bench embed.
// Env: BENCH_EMBED_SENTENCES=2560 (per batch size)  BENCH_EMBED_BATCHES=1,8,64  BENCH_EMBED_NODE=1
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { register } from 'tsx/esm/api'
import { chromium } from 'playwright-core'
import { createAppServer } from '../scripts/serve.mjs'
import { percentile, fmt, table, writeResults, root } from './lib.mjs'

register()
const { createEmbedder, EMBEDDED_MODEL } = await import('../src/match/embedder.ts')

const BATCHES = (process.env.BENCH_EMBED_BATCHES ?? '1,8,64').split(',').map(Number)
const SENTENCES = Number(process.env.BENCH_EMBED_SENTENCES ?? 2560)
const BATCH1_SENTENCES = Math.min(SENTENCES, 800) // one call per sentence: fewer suffice
const WARMUP_CALLS = 5

// Short sentences, 8-12 words: the routing corpus' task texts of that length, then splices of two of them
// (seeded), so that no sentence repeats and nothing can be served from a cache.
const corpus = JSON.parse(readFileSync(join(root, 'bench/routing/corpus.json'), 'utf8'))
const pool = corpus.tasks.map(t => t.text.split(/\s+/))
let seed = 7
const rand = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32 }
const seen = new Set()
const sentences = []
for (const words of pool) if (words.length >= 8 && words.length <= 12 && !seen.has(words.join(' '))) { seen.add(words.join(' ')); sentences.push(words.join(' ')) }
while (sentences.length < SENTENCES + 64 * WARMUP_CALLS) {
  const a = pool[Math.floor(rand() * pool.length)]
  const b = pool[Math.floor(rand() * pool.length)]
  const words = [...a.slice(0, Math.ceil(a.length / 2)), ...b.slice(Math.floor(b.length / 2))]
  const s = words.join(' ')
  if (words.length < 8 || words.length > 12 || seen.has(s)) continue
  seen.add(s)
  sentences.push(s)
}
const meanWords = sentences.reduce((a, s) => a + s.split(' ').length, 0) / sentences.length

function summarize (env, batch, times) {
  const total = times.reduce((a, b) => a + b, 0)
  return { env, batch, calls: times.length, sentences: times.length * batch, perSecond: (times.length * batch) / (total / 1000), meanMs: total / times.length, medianMs: percentile(times, 50), p95Ms: percentile(times, 95), maxMs: Math.max(...times) }
}

/** The sentences a batch size is measured on: a window after the warm-up ones, different per batch size. */
const sample = (batch, k) => {
  const n = batch === 1 ? BATCH1_SENTENCES : SENTENCES
  const start = (64 * WARMUP_CALLS + k * 997) % (sentences.length - n)
  return sentences.slice(start, start + n)
}

const results = []

// Chromium: the app's worker embedder on a bench page, served like the app. Next to it, the same calls to a
// worker that only echoes them: the cost of the hop itself (message passing, waking the worker thread).
const b = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(root, 'bench/embed/vite.config.ts')], { cwd: root, stdio: 'inherit' })
if (b.status !== 0) throw new Error('building the embedding bench page failed')
const server = createAppServer({ root: join(root, 'bench/.dist/embed'), getRelay: () => null, log: () => {} })
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'] })
let pageInfo
try {
  const page = await browser.newPage()
  const errors = []
  page.on('pageerror', e => errors.push(String(e)))
  await page.goto(`http://127.0.0.1:${server.address().port}/`)
  await page.waitForFunction(() => globalThis.embedBench !== undefined, null, { timeout: 60_000 }).catch(() => {
    throw new Error(`the bench page did not come up: ${errors.join('; ') || 'no page error'}`)
  })
  pageInfo = await page.evaluate(() => globalThis.embedBench.info)
  for (const [k, batch] of BATCHES.entries()) {
    await page.evaluate(({ s, batch }) => globalThis.embedBench.run(s, batch), { s: sentences.slice(0, batch * WARMUP_CALLS), batch })
    const times = await page.evaluate(({ s, batch }) => globalThis.embedBench.run(s, batch), { s: sample(batch, k), batch })
    const worker = summarize('Chromium worker', batch, times)
    results.push(worker)
    results.push(summarize('Chromium echo worker', batch, await page.evaluate(({ s, batch }) => globalThis.embedBench.echo(s, batch), { s: sample(batch, k), batch })))
    process.stderr.write(`bench:embed Chromium batch ${batch}: ${fmt(worker.perSecond, 0)}/s\n`)
  }
} finally {
  await browser.close().catch(() => {})
  await new Promise(resolve => { server.close(resolve); server.closeAllConnections() })
}

// Node: the same embedder module on onnxruntime-node, same sentences.
let nodeLoadMs = null
if (process.env.BENCH_EMBED_NODE !== '0') {
  const t0 = performance.now()
  const embedder = await createEmbedder({ model: EMBEDDED_MODEL, allowRemote: false })
  nodeLoadMs = performance.now() - t0
  for (const [k, batch] of BATCHES.entries()) {
    for (let i = 0; i < WARMUP_CALLS; i++) await embedder.embed(sentences.slice(i * batch, (i + 1) * batch))
    const s = sample(batch, k)
    const times = []
    for (let i = 0; i + batch <= s.length; i += batch) {
      const t = performance.now()
      await embedder.embed(s.slice(i, i + batch))
      times.push(performance.now() - t)
    }
    results.push(summarize('Node', batch, times))
  }
  await embedder.dispose()
}

console.log(`\nbench:embed — ${EMBEDDED_MODEL}, sentences of 8-12 words (mean ${fmt(meanWords, 1)}); Chromium ${pageInfo.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? ''}, ` +
  `crossOriginIsolated ${pageInfo.crossOriginIsolated}, ${pageInfo.hardwareConcurrency} cores; worker model load ${fmt(pageInfo.loadMs, 0)} ms, Node load ${fmt(nodeLoadMs, 0)} ms`)
console.log(table(results, [
  { title: 'runtime', value: r => r.env },
  { title: 'batch', value: r => r.batch },
  { title: 'calls', value: r => r.calls },
  { title: 'sentences/s', value: r => fmt(r.perSecond, 0) },
  { title: '/s at median call', value: r => fmt(r.batch / (r.medianMs / 1000), 0) },
  { title: 'median ms/call', value: r => fmt(r.medianMs, 2) },
  { title: 'p95 ms/call', value: r => fmt(r.p95Ms, 2) },
  { title: 'mean ms/call', value: r => fmt(r.meanMs, 2) },
  { title: 'max ms/call', value: r => fmt(r.maxMs, 1) }
]))
console.log('\nsentences/s = sentences / summed call time (so stalls count); "at median call" = batch / median call time (what a quiet core gives)')
console.log('echo worker: the same calls to a worker that only answers, the price of the page-worker hop itself')
console.log('target: >= 2,000 short sentences/s with the embedded model in a worker (Chromium)')
console.log(`results: ${writeResults('embed', { model: EMBEDDED_MODEL, meanWords, page: pageInfo, nodeLoadMs, results })}`)
