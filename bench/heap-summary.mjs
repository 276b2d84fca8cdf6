// Summarises a V8 heap snapshot (.heapsnapshot): self size and count by constructor (node name for
// objects, type otherwise), largest first. Usage: node bench/heap-summary.mjs file.heapsnapshot [top=30]
import { readFileSync } from 'node:fs'

export function summariseHeap (path, top = 30) {
  const snap = JSON.parse(readFileSync(path, 'utf8'))
  const meta = snap.snapshot.meta
  const fields = meta.node_fields
  const types = meta.node_types[0]
  const width = fields.length
  const iType = fields.indexOf('type'); const iName = fields.indexOf('name'); const iSize = fields.indexOf('self_size')
  const by = new Map(); let total = 0
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType]]
    const name = type === 'object' || type === 'closure' || type === 'native' ? `${type} ${snap.strings[snap.nodes[i + iName]]}` : type
    const size = snap.nodes[i + iSize]
    total += size
    const e = by.get(name) ?? { size: 0, count: 0 }
    e.size += size; e.count++
    by.set(name, e)
  }
  const lines = [`heap ${(total / 1e6).toFixed(1)} MB in ${snap.nodes.length / width} nodes; by constructor (self size):`]
  for (const [name, e] of [...by].sort((a, b) => b[1].size - a[1].size).slice(0, top)) lines.push(`  ${(e.size / 1e6).toFixed(2).padStart(8)} MB ${String(e.count).padStart(9)}  ${name.slice(0, 100)}`)
  return lines.join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(summariseHeap(process.argv[2], Number(process.argv[3] ?? 30)))
