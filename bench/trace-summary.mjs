// Summarises a Chromium trace (Tracing with the 'toplevel' category): thread time by thread name, and
// within each of the busiest threads the top-level tasks by where they were posted from (for a thread
// pool that is the only way to tell V8's GC from WebCrypto or storage work). Thread (CPU) time of
// complete events ('X', their `tdur`; wall time where a trace has none), nested events not counted
// twice (only events not inside another on the same thread).
// Usage: node bench/trace-summary.mjs trace.json [threads=6] [tasks=8]
import { readFileSync } from 'node:fs'

export function summariseTrace (path, topThreads = 6, topTasks = 8) {
  const raw = JSON.parse(readFileSync(path, 'utf8'))
  const events = Array.isArray(raw) ? raw : raw.traceEvents
  const threadName = new Map(); const processName = new Map()
  for (const e of events) {
    if (e.ph !== 'M') continue
    if (e.name === 'thread_name') threadName.set(`${e.pid}:${e.tid}`, e.args.name)
    if (e.name === 'process_name') processName.set(e.pid, e.args.name)
  }
  // Top-level complete events per thread, sorted by start; an event inside the previous one is nested.
  const byThread = new Map()
  for (const e of events) {
    if (e.ph !== 'X' || typeof e.dur !== 'number') continue
    const k = `${e.pid}:${e.tid}`
    let list = byThread.get(k)
    if (list === undefined) byThread.set(k, list = [])
    list.push(e)
  }
  const groups = new Map() // thread label → { total, tasks: Map }
  for (const [k, list] of byThread) {
    list.sort((a, b) => a.ts - b.ts || b.dur - a.dur)
    const pid = Number(k.split(':')[0])
    const label = `${(threadName.get(k) ?? 'thread').replace(/\d+$/, '')}@${processName.get(pid) ?? pid}`
    let g = groups.get(label)
    if (g === undefined) groups.set(label, g = { total: 0, tasks: new Map() })
    let end = -Infinity
    for (const e of list) {
      if (e.ts < end) continue
      end = e.ts + e.dur
      const a = e.args ?? {}
      const from = a.src_func !== undefined ? `${a.src_func} (${String(a.src_file ?? '').split('/').slice(-2).join('/')})` : a.src !== undefined ? String(a.src) : ''
      const key = `${e.name}${from !== '' ? ` ← ${from}` : ''}`
      const cpu = e.tdur ?? e.dur
      g.total += cpu
      g.tasks.set(key, (g.tasks.get(key) ?? 0) + cpu)
    }
  }
  const lines = ['Chromium trace, top-level task CPU time by thread (ms, all processes of a kind together):']
  for (const [label, g] of [...groups].sort((a, b) => b[1].total - a[1].total).slice(0, topThreads)) {
    lines.push(`  ${label}: ${(g.total / 1000).toFixed(0)} ms`)
    for (const [key, us] of [...g.tasks].sort((a, b) => b[1] - a[1]).slice(0, topTasks)) lines.push(`    ${(us / 1000).toFixed(0).padStart(7)}  ${key}`)
  }
  return lines.join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(summariseTrace(process.argv[2], Number(process.argv[3] ?? 6), Number(process.argv[4] ?? 8)))
}
