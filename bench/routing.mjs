// npm run bench:routing — routing quality and match latency of the capability index on the embedded offline
// model (meshwork-glove-100d, real Transformers.js runtime in Node). Builds a CapabilityIndex from the
// corpus skills (bench/routing/corpus.json), routes every task text and reports, per scoring mode and per
// split, top-1 accuracy on in-scope texts, out-of-scope recall, in-scope false abstains and overall
// accuracy; then match latency per query against the corpus index and against 10,000 synthetic skills.
//
// Splits: the dev split (the only texts tuning may look at) is cut in two by a second hash (devPartOf in
// src/match/routing-corpus.ts): `fit` (weights are fitted on it) and `validation` (thresholds are chosen on
// it); `test` is held out and only ever reported.
//
// Modes: lexical only, embedding only (each with its abstain threshold chosen on validation, so that each
// gets its best fair chance), combined as shipped (GLOVE_SKILL_CALIBRATION in src/match/score.ts), and
// combined after learning the fit part's tasks as examples (as AgentHost.learn does with completed tasks).
// `--fit` re-derives the shipped calibration: weights by a softmax fit on `fit`, midpoint on `validation`.
// `--dev-only` reports the fit and validation parts only: use it for every run made while tuning, so that
// test figures are seen only when a setting is final.
// Env: BENCH_SYNTH_SKILLS=10000  BENCH_SYNTH_ROWS=7 (rows per synthetic skill: description + 6 examples)
//      BENCH_MODELS_PATH=<dir>: load the embedded model from <dir>/meshwork-glove-100d instead of public/models,
//      e.g. a variant built with `node scripts/build-model.mjs --out <dir>/meshwork-glove-100d --components 1`
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadavg } from 'node:os'
import { percentile, fmt, table, writeResults, root } from './lib.mjs'
import { createEmbedder, EMBEDDED_MODEL } from '../src/match/embedder.ts'
import { CapabilityIndex } from '../src/match/capability-index.ts'
import { GLOVE_SKILL_CALIBRATION, decideBid } from '../src/match/score.ts'
import { corpusProblems, devPartOf } from '../src/match/routing-corpus.ts'
import { fitSoftmaxWeights, fitThreshold, metrics } from './routing/fit.mjs'

const SYNTH_SKILLS = Number(process.env.BENCH_SYNTH_SKILLS ?? 10_000)
const SYNTH_ROWS = Number(process.env.BENCH_SYNTH_ROWS ?? 7)
/** Out-of-scope recall the threshold fit demands on validation: above the 50 % target, so test has room. */
const FIT_MIN_OOS_RECALL = 0.6
const K = 5

const corpus = JSON.parse(readFileSync(join(root, 'bench/routing/corpus.json'), 'utf8'))
const problems = corpusProblems(corpus)
if (problems.length > 0) throw new Error(`corpus.json is not well-formed:\n${problems.join('\n')}`)
/** fit | validation | test: the part of the corpus a task belongs to. */
const partOf = t => t.split === 'test' ? 'test' : devPartOf(t.text)
const DEV_ONLY = process.argv.includes('--dev-only')
const PARTS = DEV_ONLY ? ['fit', 'validation'] : ['fit', 'validation', 'test']
const MODELS_PATH = process.env.BENCH_MODELS_PATH

const t0 = performance.now()
const embedder = await createEmbedder({ model: EMBEDDED_MODEL, allowRemote: false, ...(MODELS_PATH ? { embeddedModelPath: MODELS_PATH } : {}) })
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
    // "Learned": as the product does with completed tasks (AgentHost.learn), the fit part's in-scope texts
    // become extra examples of the skill that did them (at most 16 per skill, as the registry keeps).
    // Only validation and test are fair measures then; fit is what was learned.
    const taught = learned ? corpus.tasks.map((t, j) => ({ t, j })).filter(({ t }) => partOf(t) === 'fit' && t.label === s.id).slice(-16) : []
    index.upsert(
      { id: s.id, agentId: s.agent, peerId: 'bench', description: skillRows[i][0], examples: [...s.examples, ...taught.map(({ t }) => t.text)] },
      [...skillVectors[i], ...taught.map(({ j }) => taskVectors[j])]
    )
  })
  return index
}

/** Routes every task once; the decision per task is made later, for any threshold. */
function route (index, k = K) {
  return corpus.tasks.map((t, i) => {
    const top = index.match(taskVectors[i], t.text, k)
    return { label: t.label, part: partOf(t), top: top[0]?.skill.id ?? null, score: top[0]?.score ?? -Infinity, matches: top }
  })
}

const modes = [
  { mode: 'lexical only', calibration: { ...GLOVE_SKILL_CALIBRATION, semanticWeight: 0, lexicalWeight: 1 }, fit: true },
  { mode: 'embedding only', calibration: { ...GLOVE_SKILL_CALIBRATION, semanticWeight: 1, lexicalWeight: 0 }, fit: true },
  { mode: 'combined (shipped)', calibration: GLOVE_SKILL_CALIBRATION, fit: false },
  { mode: 'combined + learned fit-part tasks', calibration: GLOVE_SKILL_CALIBRATION, fit: false, learned: true }
]

const quality = []
for (const m of modes) {
  const index = buildIndex(m.calibration, m.learned === true)
  const routed = route(index)
  const threshold = m.fit ? fitThreshold(routed.filter(r => r.part === 'validation'), FIT_MIN_OOS_RECALL) : m.calibration.midpoint
  // The threshold rule must be the product's rule: check it against decideBid on the real confidences.
  if (!m.fit) {
    for (const r of routed) {
      if ((decideBid(r.matches).bid) !== (r.score >= threshold) && Math.abs(r.score - threshold) > 1e-6) throw new Error('threshold rule disagrees with decideBid')
    }
  }
  for (const part of PARTS) quality.push({ mode: m.mode, split: part, threshold, ...metrics(routed.filter(r => r.part === part), threshold) })
  if (m.mode === 'combined (shipped)') {
    const misses = routed.filter(r => r.part !== 'test' && r.label !== null && r.top !== r.label)
    m.devConfusions = misses.map(r => `${r.label} -> ${r.top}`).reduce((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {})
  }
}

let fitted
if (process.argv.includes('--fit')) {
  // Features per (text, skill) for the fit part: centroid cosine, best-row cosine, lexical. Two indexes
  // give the two semantic parts exactly (centroidWeight 1 and 0); k = every skill.
  const n = corpus.skills.length
  const byCentroid = route(buildIndex({ ...GLOVE_SKILL_CALIBRATION, centroidWeight: 1, semanticWeight: 1, lexicalWeight: 0 }), n)
  const byBestRow = route(buildIndex({ ...GLOVE_SKILL_CALIBRATION, centroidWeight: 0, semanticWeight: 1, lexicalWeight: 0 }), n)
  const samples = []
  corpus.tasks.forEach((t, i) => {
    if (partOf(t) !== 'fit' || t.label === null) return
    const cent = new Map(byCentroid[i].matches.map(m => [m.skill.id, m]))
    const best = new Map(byBestRow[i].matches.map(m => [m.skill.id, m]))
    samples.push({ label: corpus.skills.findIndex(s => s.id === t.label), features: corpus.skills.map(s => [cent.get(s.id).semantic, best.get(s.id).semantic, cent.get(s.id).lexical]) })
  })
  const [wc, wb, wl] = fitSoftmaxWeights(samples)
  const calibration = { ...GLOVE_SKILL_CALIBRATION, centroidWeight: wc / (wc + wb), semanticWeight: wc + wb, lexicalWeight: wl }
  const validation = route(buildIndex(calibration)).filter(r => r.part === 'validation')
  calibration.midpoint = fitThreshold(validation, FIT_MIN_OOS_RECALL)
  fitted = { weights: { centroid: wc, bestRow: wb, lexical: wl }, calibration, validation: metrics(validation, calibration.midpoint) }
  const r = x => Math.round(x * 1000) / 1000
  console.log(`--fit: softmax weights on ${samples.length} fit texts: centroid ${r(wc)}, best row ${r(wb)}, lexical ${r(wl)}`)
  console.log(`  => { centroidWeight: ${r(calibration.centroidWeight)}, semanticWeight: ${r(calibration.semanticWeight)}, lexicalWeight: ${r(calibration.lexicalWeight)}, midpoint: ${r(calibration.midpoint)} } (midpoint on validation, oos recall >= ${FIT_MIN_OOS_RECALL})`)
  console.log(`  validation: top-1 ${(100 * fitted.validation.top1).toFixed(1)} %, oos recall ${(100 * fitted.validation.oosRecall).toFixed(1)} %; shipped: ${JSON.stringify(GLOVE_SKILL_CALIBRATION)}`)
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
// Other work on the machine shows in the p95 (scheduling stalls), so the load is reported with the figures.
const loadBefore = loadavg()[0]
const corpusIndex = buildIndex(GLOVE_SKILL_CALIBRATION)
latency.push({ index: `corpus (${corpus.skills.length} skills, ${skillRows.flat().length} rows)`, skills: corpus.skills.length, rows: skillRows.flat().length, ...timeMatches(corpusIndex, corpus.tasks.length) })

for (const [kind, rows] of [['coherent', 1], ['coherent', SYNTH_ROWS], ['incoherent', SYNTH_ROWS]]) {
  const index = new CapabilityIndex(dims, { calibration: GLOVE_SKILL_CALIBRATION, initialRows: SYNTH_SKILLS * rows })
  const texts = synth[kind]
  for (let s = 0; s < SYNTH_SKILLS; s++) {
    const base = s * SYNTH_ROWS
    index.upsert({ id: `synth-${s}`, agentId: `agent-${s % 500}`, peerId: `peer-${s % 50}`, description: texts[base], examples: texts.slice(base + 1, base + rows) },
      synthVectors[kind].slice(base, base + rows))
  }
  latency.push({ index: `${SYNTH_SKILLS} ${kind} skills x ${rows} rows`, kind, skills: SYNTH_SKILLS, rows: SYNTH_SKILLS * rows, ...timeMatches(index, 500) })
}

const pct = x => fmt(100 * x, 1)
const testCount = corpus.tasks.filter(t => t.split === 'test').length
console.log(`\nbench:routing — ${corpus.skills.length} skills; ${corpus.tasks.length} tasks (dev: fit ${quality[0].n} + validation ${quality[1].n}, test ${testCount}${DEV_ONLY ? ', not reported: --dev-only' : ''}); model ${EMBEDDED_MODEL}${MODELS_PATH ? ` from ${MODELS_PATH}` : ''} (loaded in ${fmt(loadMs, 0)} ms)`)
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
console.log('\nthreshold: combined score below which the skill is not bid (the calibration midpoint); chosen on validation for the single-signal modes')
const loadAfter = loadavg()[0]
console.log(`\nmatch latency per query (top ${K}, Node ${process.version}, load average ${fmt(loadBefore, 1)} -> ${fmt(loadAfter, 1)}); synthetic skills embedded at ${fmt(2 * SYNTH_SKILLS * SYNTH_ROWS / (synthEmbedMs / 1000), 0)} texts/s`)
console.log(table(latency, [
  { title: 'index', value: r => r.index },
  { title: 'queries', value: r => r.queries },
  { title: 'p50 ms', value: r => fmt(r.p50, 3) },
  { title: 'p95 ms', value: r => fmt(r.p95, 3) }
]))
console.log(`\ntargets (test split${DEV_ONLY ? ', not reported here' : ''}): top-1 >= 90 % with out-of-scope recall >= 50 %; match against 10,000 skills < 5 ms`)
console.log(`results: ${writeResults(DEV_ONLY ? 'routing-dev' : 'routing', {
  model: EMBEDDED_MODEL,
  modelsPath: MODELS_PATH ?? null,
  devOnly: DEV_ONLY,
  corpus: { skills: corpus.skills.length, tasks: corpus.tasks.length, outOfScope: corpus.tasks.filter(t => t.label === null).length },
  calibration: GLOVE_SKILL_CALIBRATION,
  fitted,
  fitMinOosRecall: FIT_MIN_OOS_RECALL,
  quality,
  devConfusions: modes.find(m => m.devConfusions)?.devConfusions,
  latency,
  loadAverage: { before: loadBefore, after: loadAfter }
})}`)
