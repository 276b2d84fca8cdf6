// npm run bench:search — what one `ctx.graph.search` costs the host tab as the knowledge graph grows.
//
// The researcher, the verifier, the calculator and the coordination layer's bids search the graph: every
// question announced in the room is searched for on every tab that runs a researcher, and a research task
// searches again. The search runs on the tab's main thread (src/app/knowledge.ts, knowledgeSearch, over
// src/agents/graph-retrieval.ts); only the query's embedding runs in the embedding worker. So what it
// costs beyond the embedding blocks the page.
//
// Here: a real KnowledgeGraph (automerge-repo, in memory) holding N knowledge entities plus the mesh's
// bookkeeping a busy room accumulates (one task thread and one unverified result per 10 entities), the
// embedded model on the real Transformers.js runtime in Node, and per N:
//   - cold: the first search (it embeds every entity once);
//   - warm: 40 different questions, one after another (p50, p95, max);
//   - after an edit: one entity changed, then a search (20 rounds);
// each split into the time spent embedding (in the browser: the worker) and the rest (the host's main
// thread). Next to the raw floor in the same run: the same query embedded, then cosine against a plain
// matrix of the same vectors and a sort (no graph, no filtering, no lexical score), and what copying the
// graph (`graph.list()`) alone costs.
// Env: BENCH_SEARCH_SIZES=1000,10000  BENCH_SEARCH_QUERIES=40
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { percentile, fmt, table, writeResults, root } from './lib.mjs'
import { createEmbedder, EMBEDDED_MODEL } from '../src/match/embedder.ts'
import { GraphRetriever } from '../src/agents/graph-retrieval.ts'
import { calibrationFor, cosine } from '../src/match/score.ts'
import { EntityProofs } from '../src/coord/entity-proof.ts'
import { createGraphRepo, openRoomGraph } from '../src/graph/room.ts'
import { knowledgeSearch } from '../src/app/knowledge.ts'
import '@automerge/automerge-repo'

const SIZES = (process.env.BENCH_SEARCH_SIZES ?? '1000,10000').split(',').map(Number)
const QUERIES = Number(process.env.BENCH_SEARCH_QUERIES ?? 40)
const EDITS = 20
const K = 8

const corpus = JSON.parse(readFileSync(join(root, 'bench/routing/corpus.json'), 'utf8'))
const texts = corpus.tasks.map(t => t.text)
let seed = 7
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
const pick = xs => xs[Math.floor(rnd() * xs.length)]
const words = [...new Set(texts.flatMap(t => t.toLowerCase().match(/[a-z]{4,}/g) ?? []))]
const KINDS = ['fact', 'fact', 'decision', 'hypothesis', 'question', 'fact']
/** A statement of one or two clauses over the corpus's vocabulary, numbered so no two are equal. */
const statement = i => `The ${pick(words)} ${pick(words)} ${pick(['uses', 'needs', 'is owned by', 'depends on', 'was moved to', 'replaces'])} the ${pick(words)} ${pick(words)}${rnd() < 0.5 ? ` since the ${pick(words)} review` : ''} (note ${i}).`

const embedder = await createEmbedder({ model: EMBEDDED_MODEL, allowRemote: false })
let embedMs = 0
const timedEmbed = async texts => { const t0 = performance.now(); try { return await embedder.embed(texts) } finally { embedMs += performance.now() - t0 } }
const queries = Array.from({ length: QUERIES }, (_, i) => i % 2 === 0 ? pick(texts) : `What ${pick(['uses', 'needs', 'depends on'])} the ${pick(words)} ${pick(words)}?`)

const rows = []
const results = []
for (const n of SIZES) {
  const graph = await openRoomGraph(createGraphRepo(), `bench-search-${n}`, { actor: { agentId: 'person', peerId: 'bench' } })
  const ids = []
  for (let i = 0; i < n; i += 500) {
    const ops = []
    for (let j = i; j < Math.min(n, i + 500); j++) {
      ops.push({ op: 'add', entity: { kind: KINDS[j % KINDS.length], text: statement(j) } })
      if (j % 10 === 0) {
        ops.push({ op: 'add', entity: { kind: 'thread', title: `Task t-${j}`, text: pick(texts), tags: ['task'] } })
        ops.push({ op: 'add', entity: { kind: 'hypothesis', title: `Result: ${pick(texts)}`, text: statement(j), tags: ['result'] } })
      }
    }
    ids.push(...graph.batch(ops))
  }
  const proofs = new EntityProofs()
  const retriever = new GraphRetriever({ embed: timedEmbed, calibration: calibrationFor(embedder.modelId) })
  const search = knowledgeSearch(graph, proofs, async () => retriever)

  const measure = async (q) => { embedMs = 0; const t0 = performance.now(); const hits = await search(q, K); const total = performance.now() - t0; return { total, embed: embedMs, host: total - embedMs, hits } }
  const cold = await measure(queries[0])
  const warm = []
  for (const q of queries) warm.push(await measure(q))
  const edited = []
  for (let r = 0; r < EDITS; r++) {
    graph.update(ids[Math.floor(rnd() * ids.length)], { text: statement(n + r) })
    edited.push(await measure(pick(queries)))
  }

  // The floor: the same vectors in a plain array, the query embedded, cosine against each, sorted.
  const listed = []
  for (let r = 0; r < 10; r++) { const t0 = performance.now(); graph.list(); listed.push(performance.now() - t0) }
  const plain = graph.list().filter(e => !(e.tags ?? []).includes('task') && !(e.tags ?? []).includes('result'))
  const vectors = []
  for (let i = 0; i < plain.length; i += 256) vectors.push(...await embedder.embed(plain.slice(i, i + 256).map(e => e.text)))
  const floor = []
  for (const q of queries) {
    embedMs = 0
    const t0 = performance.now()
    const [v] = await timedEmbed([q])
    const scored = vectors.map((x, i) => ({ i, s: cosine(v, x) }))
    scored.sort((a, b) => b.s - a.s)
    scored.slice(0, K)
    const total = performance.now() - t0
    floor.push({ total, embed: embedMs, host: total - embedMs })
  }

  const row = (what, xs) => ({ n, what, runs: xs.length, p50: percentile(xs.map(x => x.total), 50), p95: percentile(xs.map(x => x.total), 95), hostP50: percentile(xs.map(x => x.host), 50), hostP95: percentile(xs.map(x => x.host), 95), hostMax: Math.max(...xs.map(x => x.host)), embedP50: percentile(xs.map(x => x.embed), 50) })
  const these = [
    row('search, cold (embeds the graph)', [cold]),
    row('search, warm', warm),
    row('search after one edit', edited),
    row('floor: embed + cosine + sort', floor),
    { n, what: 'graph.list() alone (a copy)', runs: listed.length, p50: percentile(listed, 50), p95: percentile(listed, 95), hostP50: percentile(listed, 50), hostP95: percentile(listed, 95), hostMax: Math.max(...listed), embedP50: 0 }
  ]
  rows.push(...these)
  results.push({ entities: n, bookkeeping: graph.list().length - n, rows: these, hitsOfFirstQuery: warm[0].hits.map(h => h.id) })
}

console.log(`\ngraph search on the host tab (k = ${K}; ms; "host" = everything but the query's and entities' embedding, which the browser runs in the embedding worker)\n`)
console.log(table(rows, [
  { title: 'entities', value: r => r.n },
  { title: 'what', value: r => r.what },
  { title: 'runs', value: r => r.runs },
  { title: 'p50', value: r => fmt(r.p50, 2) },
  { title: 'p95', value: r => fmt(r.p95, 2) },
  { title: 'host p50', value: r => fmt(r.hostP50, 2) },
  { title: 'host p95', value: r => fmt(r.hostP95, 2) },
  { title: 'host max', value: r => fmt(r.hostMax, 2) },
  { title: 'embed p50', value: r => fmt(r.embedP50, 2) }
]))
console.log(`\nresults: ${writeResults('search', { model: embedder.modelId, k: K, queries: QUERIES, edits: EDITS, results })}`)
