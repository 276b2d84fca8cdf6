// npm run bench:routing — routing quality and match latency of the capability index on the embedded offline
// model (meshwork-glove-100d, real Transformers.js runtime in Node). Builds a CapabilityIndex from the
// corpus skills (bench/routing/corpus.json), routes every task text and reports, per scoring mode and per
// split (dev: the only split tuning may look at; test: held out), top-1 accuracy on in-scope texts,
// out-of-scope recall, in-scope false abstains and overall accuracy; then match latency per query against
// the corpus index and against 10,000 synthetic skills.
//
// Modes: lexical only, embedding only (each with its abstain threshold fitted on dev, so that each gets its
// best fair chance), combined as shipped (GLOVE_CALIBRATION in src/match/score.ts), and the calibration
// before tuning for comparison. `--fit` also prints what the dev split suggests for the combined midpoint.
// Env: BENCH_SYNTH_SKILLS=10000  BENCH_SYNTH_ROWS=7 (rows per synthetic skill: description + 6 examples)
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { percentile, fmt, table, writeResults, root } from './lib.mjs'
import { createEmbedder, EMBEDDED_MODEL } from '../src/match/embedder.ts'
import { CapabilityIndex } from '../src/match/capability-index.ts'
import { GLOVE_CALIBRATION, decideBid } from '../src/match/score.ts'
import { corpusProblems } from '../src/match/routing-corpus.ts'

const SYNTH_SKILLS = Number(process.env.BENCH_SYNTH_SKILLS ?? 10_000)
const SYNTH_ROWS = Number(process.env.BENCH_SYNTH_ROWS ?? 7)
/** Out-of-scope recall the threshold fit demands on dev: above the 50 % target, so test has room. */
const FIT_MIN_OOS_RECALL = 0.6
const K = 5

const corpus = JSON.parse(readFileSync(join(root, 'bench/routing/corpus.json'), 'utf8'))
const problems = corpusProblems(corpus)
if (problems.length > 0) throw new Error(`corpus.json is not well-formed:\n${problems.join('\n')}`)

const t0 = performance.now()
const embedder = await createEmbedder({ model: EMBEDDED_MODEL, allowRemote: false })
const loadMs = performance.now() - t0

// The skill as an agent manifest carries it: name and description make the first row, then each example.
const skillRows = corpus.skills.map(s => [`${s.name}. ${s.description}`, ...s.examples])
const skillVectors = []
for (const rows of skillRows) skillVectors.push(await embedder.embed(rows))
const taskVectors = await embedder.embed(corpus.tasks.map(t => t.text))

// Synthetic skills, embedded for real. Coherent ones look like real skills: each of a skill's rows splices
// halves of two texts of one corpus skill (its description and examples, never task texts) plus one word
// from anywhere, so its rows share a topic as a manifest's examples do. Incoherent ones splice halves of any
// two corpus texts per row: a skill whose examples have nothing in common, the worst case for the index's
// best-row bound (it must open almost every skill).
let seed = 42
const rand = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32 }
const pick = list => list[Math.floor(rand() * list.length)]
const splice = (a, b) => [...a.slice(0, Math.ceil(a.length / 2)), ...b.slice(Math.floor(b.length / 2))]
const pool = [...corpus.skills.flatMap(s => [s.description, ...s.examples]), ...corpus.tasks.map(t => t.text)].map(t => t.split(/\s+/))
const skillPools = skillRows.map(rows => rows.map(t => t.split(/\s+/)))
const coherentRow = s => [...splice(pick(skillPools[s % skillPools.length]), pick(skillPools[s % skillPools.length])), pick(pick(pool))].join(' ')
const incoherentRow = () => splice(pick(pool), pick(pool)).join(' ')
const tEmbed = performance.now()
const synth = {
  coherent: Array.from({ length: SYNTH_SKILLS * SYNTH_ROWS }, (_, i) => coherentRow(Math.floor(i / SYNTH_ROWS))),
  incoherent: Array.from({ length: SYNTH_SKILLS * SYNTH_ROWS }, incoherentRow)
}
const synthVectors = { coherent: await embedder.embed(synth.coherent), incoherent: await embedder.embed(synth.incoherent) }
const synthEmbedMs = performance.now() - tEmbed
const dims = embedder.dims
// Everything is embedded: release the model before timing anything, so ONNX Runtime's worker threads
// (which spin for a while after each run) do not compete with the matching being measured.
await embedder.dispose()
await new Promise(resolve => setTimeout(resolve, 500))

function buildIndex (calibration, learned = false) {
  const index = new CapabilityIndex(dims, { calibration })
  corpus.skills.forEach((s, i) => {
    // "Learned": as the product does with completed tasks (AgentHost.learn), the dev split's in-scope
    // texts become extra examples of the skill that did them (at most 16 per skill, as the registry keeps).
    // Only the test split is a fair measure then; dev is what was learned.
    const taught = learned ? corpus.tasks.map((t, j) => ({ t, j })).filter(({ t }) => t.split === 'dev' && t.label === s.id).slice(-16) : []
    index.upsert(
      { id: s.id, agentId: s.agent, peerId: 'bench', description: skillRows[i][0], examples: [...s.examples, ...taught.map(({ t }) => t.text)] },
      [...skillVectors[i], ...taught.map(({ j }) => taskVectors[j])]
    )
  })
  return index
}

/** Routes every task once; the decision per task is made later, for any threshold. */
function route (index) {
  return corpus.tasks.map((t, i) => {
    const top = index.match(taskVectors[i], t.text, K)
    return { label: t.label, split: t.split, top: top[0]?.skill.id ?? null, score: top[0]?.score ?? -Infinity, matches: top }
  })
}

/** Metrics of routed tasks under an abstain rule "bid iff score >= threshold" (= confidence >= 0.5 at that midpoint). */
function metrics (routed, threshold) {
  const inScope = routed.filter(r => r.label !== null)
  const oos = routed.filter(r => r.label === null)
  const bids = r => r.score >= threshold
  const top1 = inScope.filter(r => r.top === r.label).length
  const oosAbstained = oos.filter(r => !bids(r)).length
  const falseAbstain = inScope.filter(r => !bids(r)).length
  const correct = oosAbstained + inScope.filter(r => bids(r) && r.top === r.label).length
  return {
    n: routed.length,
    inScope: inScope.length,
    oos: oos.length,
    top1: top1 / inScope.length,
    oosRecall: oosAbstained / oos.length,
    falseAbstain: falseAbstain / inScope.length,
    overall: correct / routed.length
  }
}

/** The threshold with the best dev overall accuracy among those keeping dev out-of-scope recall >= the floor. */
function fitThreshold (devRouted) {
  let best = null
  for (const th of [...new Set(devRouted.map(r => r.score))].sort((a, b) => a - b)) {
    const m = metrics(devRouted, th)
    if (m.oosRecall >= FIT_MIN_OOS_RECALL && (best === null || m.overall > best.m.overall)) best = { th, m }
  }
  return best.th
}

const PREVIOUS_CALIBRATION = { centroidWeight: 0, semanticWeight: 0.75, lexicalWeight: 0.25, midpoint: 0.3, steepness: 12 }
const modes = [
  { mode: 'lexical only', calibration: { ...GLOVE_CALIBRATION, semanticWeight: 0, lexicalWeight: 1 }, fit: true },
  { mode: 'embedding only', calibration: { ...GLOVE_CALIBRATION, semanticWeight: 1, lexicalWeight: 0 }, fit: true },
  { mode: 'combined (shipped)', calibration: GLOVE_CALIBRATION, fit: false },
  { mode: 'combined (before tuning)', calibration: PREVIOUS_CALIBRATION, fit: false },
  { mode: 'combined + learned from dev tasks', calibration: GLOVE_CALIBRATION, fit: false, learned: true }
]

const quality = []
for (const m of modes) {
  const index = buildIndex(m.calibration, m.learned === true)
  const routed = route(index)
  const dev = routed.filter(r => r.split === 'dev')
  const threshold = m.fit ? fitThreshold(dev) : m.calibration.midpoint
  // The threshold rule must be the product's rule: check it against decideBid on the real confidences.
  if (!m.fit) {
    for (const r of routed) {
      if ((decideBid(r.matches).bid) !== (r.score >= threshold) && Math.abs(r.score - threshold) > 1e-6) throw new Error('threshold rule disagrees with decideBid')
    }
  }
  for (const split of ['dev', 'test']) {
    quality.push({ mode: m.mode, split, threshold, ...metrics(routed.filter(r => r.split === split), threshold) })
  }
  if (m.mode === 'combined (shipped)') {
    const misses = routed.filter(r => r.split === 'dev' && r.label !== null && r.top !== r.label)
    m.devConfusions = misses.map(r => `${r.label} -> ${r.top}`).reduce((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {})
    if (process.argv.includes('--fit')) {
      console.log(`dev suggests a combined midpoint of ${fitThreshold(dev).toFixed(3)} (oos recall >= ${FIT_MIN_OOS_RECALL} on dev); shipped ${m.calibration.midpoint}`)
      console.log(`dev misses:\n  ${misses.map((r, i) => `${r.label} -> ${r.top}`).join('\n  ')}`)
    }
  }
}

// Latency: one match() per query, against the corpus index and against SYNTH_SKILLS synthetic skills.
function timeMatches (index, n) {
  const times = []
  for (let i = 0; i < 20; i++) index.match(taskVectors[i], corpus.tasks[i].text, K) // warm the JIT
  for (let i = 0; i < n; i++) {
    const j = i % corpus.tasks.length
    const t = performance.now()
    index.match(taskVectors[j], corpus.tasks[j].text, K)
    times.push(performance.now() - t)
  }
  return { queries: n, p50: percentile(times, 50), p95: percentile(times, 95) }
}

const latency = []
const corpusIndex = buildIndex(GLOVE_CALIBRATION)
latency.push({ index: `corpus (${corpus.skills.length} skills, ${skillRows.flat().length} rows)`, skills: corpus.skills.length, rows: skillRows.flat().length, ...timeMatches(corpusIndex, corpus.tasks.length) })

for (const [kind, rows] of [['coherent', 1], ['coherent', SYNTH_ROWS], ['incoherent', SYNTH_ROWS]]) {
  const index = new CapabilityIndex(dims, { calibration: GLOVE_CALIBRATION, initialRows: SYNTH_SKILLS * rows })
  const texts = synth[kind]
  for (let s = 0; s < SYNTH_SKILLS; s++) {
    const base = s * SYNTH_ROWS
    index.upsert({ id: `synth-${s}`, agentId: `agent-${s % 500}`, peerId: `peer-${s % 50}`, description: texts[base], examples: texts.slice(base + 1, base + rows) },
      synthVectors[kind].slice(base, base + rows))
  }
  latency.push({ index: `${SYNTH_SKILLS} ${kind} skills x ${rows} rows`, kind, skills: SYNTH_SKILLS, rows: SYNTH_SKILLS * rows, ...timeMatches(index, 500) })
}

const pct = x => fmt(100 * x, 1)
console.log(`\nbench:routing — ${corpus.skills.length} skills; ${corpus.tasks.length} tasks (dev ${quality[0].n}, test ${quality[1].n}); model ${EMBEDDED_MODEL} (loaded in ${fmt(loadMs, 0)} ms)`)
console.log(table(quality, [
  { title: 'mode', value: r => r.mode },
  { title: 'split', value: r => r.split },
  { title: 'texts', value: r => `${r.inScope}+${r.oos}` },
  { title: 'threshold', value: r => fmt(r.threshold, 3) },
  { title: 'top-1 % (in scope)', value: r => pct(r.top1) },
  { title: 'oos recall %', value: r => pct(r.oosRecall) },
  { title: 'false abstain %', value: r => pct(r.falseAbstain) },
  { title: 'overall %', value: r => pct(r.overall) }
]))
console.log('\nthreshold: combined score below which the skill is not bid (the calibration midpoint); fitted on dev for the single-signal modes')
console.log(`\nmatch latency per query (top ${K}, Node ${process.version}); synthetic skills embedded at ${fmt(2 * SYNTH_SKILLS * SYNTH_ROWS / (synthEmbedMs / 1000), 0)} texts/s`)
console.log(table(latency, [
  { title: 'index', value: r => r.index },
  { title: 'queries', value: r => r.queries },
  { title: 'p50 ms', value: r => fmt(r.p50, 3) },
  { title: 'p95 ms', value: r => fmt(r.p95, 3) }
]))
console.log('\ntargets (test split): top-1 >= 90 % with out-of-scope recall >= 50 %; match against 10,000 skills < 5 ms')
console.log(`results: ${writeResults('routing', {
  model: EMBEDDED_MODEL,
  corpus: { skills: corpus.skills.length, tasks: corpus.tasks.length, outOfScope: corpus.tasks.filter(t => t.label === null).length },
  calibration: GLOVE_CALIBRATION,
  fitMinOosRecall: FIT_MIN_OOS_RECALL,
  quality,
  devConfusions: modes.find(m => m.devConfusions)?.devConfusions,
  latency
})}`)
