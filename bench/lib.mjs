// Shared helpers for benchmarks: percentiles, tables, result files.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')

export function percentile (values, p) {
  const v = values.filter(x => Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return null
  const i = Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))
  return v[i]
}

export const fmt = (x, digits = 1) => x === null || x === undefined ? '—' : typeof x === 'number' ? x.toFixed(digits) : String(x)

export function table (rows, columns) {
  const widths = columns.map(c => Math.max(c.title.length, ...rows.map(r => String(c.value(r)).length)))
  const line = cells => cells.map((c, i) => String(c).padStart(widths[i])).join('  ')
  return [line(columns.map(c => c.title)), widths.map(w => '-'.repeat(w)).join('  '), ...rows.map(r => line(columns.map(c => c.value(r))))].join('\n')
}

/**
 * The host's speed now: the median ms of a fixed single-threaded JS workload (JSON and arithmetic),
 * 5 runs. The machine is a shared VM whose speed drifts (the same code ran 1.5-2x slower in the
 * same hour): a benchmark's figures compare only with runs whose probe was close. Taken when a
 * benchmark starts (this module's import) and again when it writes its results.
 */
export function hostProbe () {
  const times = []
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now()
    let acc = 0
    const doc = { items: Array.from({ length: 200 }, (_, i) => ({ id: `item-${i}`, text: 'a fixed workload '.repeat(4), n: i, tags: ['a', 'b'] })) }
    for (let i = 0; i < 250; i++) acc += JSON.parse(JSON.stringify(doc)).items.length
    for (let i = 0; i < 12_000_000; i++) acc = (acc * 31 + i) % 1_000_003
    times.push(performance.now() - t0 + acc * 0)
  }
  times.sort((a, b) => a - b)
  return Math.round(times[2] * 10) / 10
}
const probeAtStart = hostProbe()

export function writeResults (name, data) {
  const dir = join(root, 'bench', 'results')
  mkdirSync(dir, { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const file = join(dir, `${name}-${stamp}.json`)
  const probe = { startMs: probeAtStart, endMs: hostProbe() }
  console.log(`host speed probe (a fixed JS workload, ms; lower is faster, compare runs with close values): at start ${probe.startMs}, at the end ${probe.endMs}`)
  const body = JSON.stringify({ benchmark: name, at: new Date().toISOString(), node: process.version, cpus: (globalThis.navigator?.hardwareConcurrency ?? null), hostProbe: probe, ...data }, null, 2)
  writeFileSync(file, body)
  writeFileSync(join(dir, `${name}-latest.json`), body)
  return file
}

export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

/** `promise`, or a rejection naming `what` if it has not settled within `ms`. */
export function withTimeout (promise, ms, what) {
  let timer
  return Promise.race([promise, new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms) })]).finally(() => clearTimeout(timer))
}

/**
 * Summarises a CDP `Profiler.stop` profile: the top functions by self time and by inclusive time
 * (each function counted once per sample, however deep it recurs), in ms and % of the profile.
 */
export function summariseProfile (profile, top = 40) {
  const dt = new Map()
  for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
  const keyOf = node => { const f = node.callFrame; return `${f.functionName || '(anonymous)'} ${f.url ? f.url.split('/').pop() : ''}${f.url ? ':' + f.lineNumber : ''}` }
  const self = new Map(); let total = 0
  for (const node of profile.nodes) {
    const t = dt.get(node.id) ?? 0
    total += t
    self.set(keyOf(node), (self.get(keyOf(node)) ?? 0) + t)
  }
  const parent = new Map(); const byId = new Map()
  for (const node of profile.nodes) { byId.set(node.id, node); for (const c of node.children ?? []) parent.set(c, node.id) }
  const incl = new Map()
  for (const [id, t] of dt) {
    const seen = new Set()
    for (let n = id; n !== undefined; n = parent.get(n)) { const k = keyOf(byId.get(n)); if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + t) } }
  }
  const rank = m => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => ({ fn: k, ms: Math.round(v), pct: Math.round(1000 * v / total) / 10 }))
  return { totalMs: Math.round(total), top: rank(self), inclusive: rank(incl) }
}

/** Linux counts CPU time in ticks of 10 ms (USER_HZ = 100). */
const MS_PER_TICK = 10

/**
 * CPU time (ms, user + system) so far of the processes `keep` selects, from /proc: `totalMs` as the
 * processes' own counters have it (exited threads included), and `byThread`, summed by thread name
 * over live threads, a process's main thread named by Chromium's process type (main:renderer,
 * main:gpu-process, main:utility:NetworkService, main:browser) or main:<name> for others.
 * keep: `{ pid }` one process, `{ descendantsOf }` every process below that one, `{ comm }` every
 * process whose name matches.
 */
export function procCpu (keep) {
  const procs = new Map()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const raw = readFileSync(`/proc/${d}/stat`, 'utf8')
      const f = raw.slice(raw.lastIndexOf(') ') + 2).split(' ')
      procs.set(Number(d), { comm: raw.slice(raw.indexOf('(') + 1, raw.lastIndexOf(')')), ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12])) * MS_PER_TICK })
    } catch { /* gone meanwhile */ }
  }
  const kept = pid => {
    if (keep.pid !== undefined) return pid === keep.pid
    if (keep.comm !== undefined) return keep.comm.test(procs.get(pid).comm)
    for (let q = procs.get(pid)?.ppid, hops = 0; q !== undefined && q > 1 && hops < 20; q = procs.get(q)?.ppid, hops++) if (q === keep.descendantsOf) return true
    return false
  }
  let totalMs = 0
  const byThread = {}
  for (const [pid, p] of procs) {
    if (!kept(pid)) continue
    totalMs += p.ms
    let tids = []
    try { tids = readdirSync(`/proc/${pid}/task`) } catch { continue }
    // Every thread is named with its process's type (renderer, gpu-process, utility:NetworkService...):
    // a thread pool in the browser process (storage) is not the one in a renderer (V8, WebRTC).
    let type = p.comm
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      const sub = /--utility-sub-type=([a-zA-Z.]+)/.exec(cmd)?.[1]
      type = (/--type=([a-z-]+)/.exec(cmd)?.[1] ?? (cmd.includes('chromium') ? 'browser' : p.comm)) + (sub ? ':' + sub.split('.').pop() : '')
    } catch { /* gone meanwhile */ }
    for (const tid of tids) {
      try {
        const raw = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
        const thread = raw.slice(raw.indexOf('(') + 1, raw.lastIndexOf(')')).replace(/[0-9]+$/, '#')
        const name = String(pid) === tid ? `main:${type}` : `${thread}@${type}`
        const f = raw.slice(raw.lastIndexOf(') ') + 2).split(' ')
        byThread[name] = (byThread[name] ?? 0) + (Number(f[11]) + Number(f[12])) * MS_PER_TICK
      } catch { /* gone meanwhile */ }
    }
  }
  return { totalMs, byThread }
}

/**
 * In-page: the page's own load milestones (ms since navigation) before the app's code runs: the
 * document's response, the scripts' responses (the last one), DOMContentLoaded. Pass to page.evaluate.
 */
export function pageLoadMarks () {
  const nav = performance.getEntriesByType('navigation')[0]
  const scripts = performance.getEntriesByType('resource').filter(e => e.initiatorType === 'script' || /\.m?js(\?|$)/.test(e.name))
  const r = x => x === undefined ? null : Math.round(x * 10) / 10
  return {
    documentResponse: r(nav?.responseEnd),
    scriptsLoaded: r(scripts.length ? Math.max(...scripts.map(e => e.responseEnd)) : undefined),
    domContentLoaded: r(nav?.domContentLoadedEventEnd),
    configFetched: r(performance.getEntriesByType('resource').find(e => e.name.endsWith('/config.json'))?.responseEnd)
  }
}

/**
 * Per-phase medians and ranges over tabs of start-up timelines (`meshwork.stats().startup`, merged
 * with pageLoadMarks under `page.`), in the order the phases first appear; each with its most common note.
 */
export function summariseStartup (timelines) {
  const phases = []
  const values = new Map()
  const notes = new Map()
  for (const t of timelines) {
    if (t == null) continue
    for (const [k, v] of Object.entries(t)) {
      if (v == null) continue
      const ms = typeof v === 'number' ? v : v.ms
      if (!values.has(k)) { values.set(k, []); notes.set(k, new Map()); phases.push(k) }
      values.get(k).push(ms)
      if (typeof v === 'object' && v.note !== undefined) notes.get(k).set(v.note, (notes.get(k).get(v.note) ?? 0) + 1)
    }
  }
  const out = {}
  for (const k of phases) {
    const v = values.get(k)
    const topNote = [...notes.get(k)].sort((a, b) => b[1] - a[1])[0]
    out[k] = { p50: percentile(v, 50), min: Math.min(...v), max: Math.max(...v), n: v.length, ...(topNote ? { note: `${topNote[0]}${topNote[1] < v.length ? ` (${topNote[1]}/${v.length})` : ''}` } : {}) }
  }
  return out
}

/** One line per phase of a summariseStartup result, for the console. */
export function formatStartup (summary, indent = '    ') {
  return Object.entries(summary)
    .sort((a, b) => a[1].p50 - b[1].p50)
    .map(([k, s]) => `${indent}${k.padEnd(24)} ${String(Math.round(s.p50)).padStart(6)} ms${s.n > 1 ? `  (${Math.round(s.min)}-${Math.round(s.max)})` : ''}${s.note ? `  ${s.note}` : ''}`)
    .join('\n')
}
