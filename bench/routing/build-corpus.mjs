// Assembles corpus.json from skills.json (the skills, as manifests would carry them) and tasks.txt (the
// hand-written task texts under "## <skill id|null>" headers), recording each task's dev/test split.
// Run: node --import tsx bench/routing/build-corpus.mjs
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { corpusProblems, splitOf } from '../../src/match/routing-corpus.ts'

const here = dirname(fileURLToPath(import.meta.url))
const skills = JSON.parse(readFileSync(join(here, 'skills.json'), 'utf8'))
const tasks = []
let label
for (const raw of readFileSync(join(here, 'tasks.txt'), 'utf8').split('\n')) {
  const line = raw.trim()
  if (line.startsWith('## ')) { const l = line.slice(3).trim(); label = l === 'null' ? null : l; continue }
  if (line === '' || line.startsWith('#')) continue
  if (label === undefined) throw new Error(`task before any "## label" header: ${line}`)
  tasks.push({ text: line, label, split: splitOf(line) })
}
const corpus = { skills, tasks }
const problems = corpusProblems(corpus)
if (problems.length > 0) { console.error(problems.join('\n')); process.exit(1) }
writeFileSync(join(here, 'corpus.json'), JSON.stringify(corpus, null, 1) + '\n')
const count = (pred) => tasks.filter(pred).length
console.log(`corpus.json: ${skills.length} skills, ${tasks.length} tasks (${count(t => t.label === null)} out of scope); ` +
  `dev ${count(t => t.split === 'dev')} (${count(t => t.split === 'dev' && t.label === null)} oos), test ${count(t => t.split === 'test')} (${count(t => t.split === 'test' && t.label === null)} oos)`)
