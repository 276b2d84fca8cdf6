/**
 * The embedded model end to end: built by the real builder, loaded by the real Transformers.js runtime
 * (onnxruntime-node) from the local path with remote models disabled. No network is used: "hub" tests
 * point the remote host at a local server or a closed port.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { InferenceSession } from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildModel, DEFAULT_OUT_DIR, type BuildModelResult } from '../../../scripts/model/build.mjs'
import { CapabilityIndex, type Skill } from '../../../src/match/capability-index.ts'
import {
  createEmbedder,
  EMBEDDED_MODEL,
  EmbedderLoadError,
  meanPoolNormalize,
  type LoadedEmbedder,
  type LoadProgress,
} from '../../../src/match/embedder.ts'
import { cosine, decideBid } from '../../../src/match/score.ts'

const modelsDir = path.dirname(DEFAULT_OUT_DIR) + '/'
let build: BuildModelResult
let embedder: LoadedEmbedder
const progress: LoadProgress[] = []

beforeAll(async () => {
  build = await buildModel({ log: (m) => console.log(m) })
  embedder = await createEmbedder({ model: EMBEDDED_MODEL, embeddedModelPath: modelsDir, onProgress: (p) => progress.push(p) })
}, 120_000)

afterAll(async () => {
  await embedder?.dispose()
})

describe('model builder', () => {
  it('produces a Transformers.js model layout of a sensible size', () => {
    expect(Object.keys(build.files).sort()).toEqual(
      ['README.md', 'config.json', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json'].sort(),
    )
    const total = Object.values(build.files).reduce((a, b) => a + b, 0)
    console.log(`model files: ${(total / 1e6).toFixed(1)} MB (${build.skipped ? 'already built' : `built in ${(build.ms / 1000).toFixed(1)} s`})`)
    expect(total).toBeGreaterThan(2e6)
    expect(total).toBeLessThan(40e6)
  })

  it('is idempotent: a second run finds the stamp and does nothing', async () => {
    const again = await buildModel()
    expect(again.skipped).toBe(true)
    expect(again.files).toEqual(build.files)
  })

  it('writes an ONNX graph that onnxruntime-node loads, with the BERT-style I/O', async () => {
    const session = await InferenceSession.create(path.join(build.outDir, 'onnx/model_quantized.onnx'))
    expect([...session.inputNames].sort()).toEqual(['attention_mask', 'input_ids'])
    expect([...session.outputNames]).toEqual(['last_hidden_state'])
    await session.release()
  })
})

describe('embedded model through Transformers.js', () => {
  it('loads with the right id and dims, reporting file progress', () => {
    expect(embedder.modelId).toBe(EMBEDDED_MODEL)
    expect(embedder.dims).toBe(100)
    expect(embedder.fellBackFrom).toBeUndefined()
    const files = new Set(progress.map((p) => p.file))
    expect(files.has('onnx/model_quantized.onnx')).toBe(true)
    for (const p of progress) expect(p.progress).toBeGreaterThanOrEqual(0)
  })

  it('returns one normalized vector per text, and zero for texts with no known words', async () => {
    const texts = ['Compute the sum of 3 and 4', 'Résumé of the café meeting', '', 'qzxv wqpt']
    const vs = await embedder.embed(texts)
    expect(vs).toHaveLength(4)
    for (const v of vs) expect(v).toBeInstanceOf(Float32Array)
    for (const v of vs.slice(0, 2)) expect(cosine(v, v)).toBeCloseTo(1, 4)
    for (const v of vs.slice(2)) expect(v.every((x) => x === 0)).toBe(true)
    // Batching and padding do not change a text's vector.
    const [alone] = await embedder.embed([texts[0]!])
    expect(cosine(alone!, vs[0]!)).toBeCloseTo(1, 5)
  })

  it('embeds through the direct path (checked against the pipeline at load), the same alone as in a padded batch', async () => {
    expect(embedder.path).toBe('direct')
    const texts = ['hi', 'Convert 5 miles to kilometres and round the answer to two decimals', 'what is 17% of 2,340?']
    const batch = await embedder.embed(texts)
    for (const [i, t] of texts.entries()) {
      const [alone] = await embedder.embed([t])
      expect(Math.max(...alone!.map((x, j) => Math.abs(x - (batch[i]![j] as number))))).toBeLessThan(1e-6)
    }
    // More texts than one model call takes (batchSize 32) come back in order.
    const many = Array.from({ length: 70 }, (_, i) => `task number ${i} about ${['weather', 'regex', 'sums'][i % 3]}`)
    const vs = await embedder.embed(many)
    expect(vs).toHaveLength(70)
    const [v69] = await embedder.embed([many[69]!])
    expect(cosine(v69!, vs[69]!)).toBeCloseTo(1, 6)
  })

  it('ranks related sentences above unrelated ones', async () => {
    const triples: [string, string, string][] = [
      ['compute the sum of 3 and 4', 'calculate arithmetic', 'summarize this article'],
      ['summarize this article', 'write a short summary of a document', 'compute the sum of 3 and 4'],
      ['translate this text to French', 'translation between languages', 'resize an image'],
      ['what is the weather in Paris tomorrow', 'weather forecast for a city', 'convert CSV to JSON'],
      ['convert CSV to JSON', 'parse and transform data files', 'weather forecast for a city'],
      ['find bugs in my TypeScript code', 'review source code and fix errors', 'book a flight to Rome'],
      ['book a flight to Rome', 'travel booking and airline tickets', 'find bugs in my TypeScript code'],
      ['is this review positive or negative', 'sentiment analysis of reviews', 'date and calendar calculations'],
    ]
    for (const [query, related, unrelated] of triples) {
      const [q, r, u] = (await embedder.embed([query, related, unrelated])) as [Float32Array, Float32Array, Float32Array]
      const sr = cosine(q, r)
      const su = cosine(q, u)
      console.log(`${sr.toFixed(3)} > ${su.toFixed(3)}  "${query}" ~ "${related}" vs "${unrelated}"`)
      expect(sr, `"${query}" should be nearer "${related}" than "${unrelated}"`).toBeGreaterThan(su)
    }
  })

  it('routes most tasks to the capable agent and abstains on most off-topic ones', async () => {
    const index = new CapabilityIndex(embedder.dims)
    for (const [agentId, [description, ...examples]] of Object.entries(SKILLS)) {
      const skill: Skill = { id: agentId, agentId, peerId: 'p1', description: description!, examples }
      index.upsert(skill, await embedder.embed([description!, ...examples]))
    }
    let correct = 0
    let bids = 0
    const misses: string[] = []
    for (const [task, agent] of TASKS) {
      const [q] = await embedder.embed([task])
      const top = index.match(q!, task, 3)
      if (top[0]!.skill.agentId === agent) correct++
      else misses.push(`"${task}" -> ${top[0]!.skill.agentId} (want ${agent})`)
      if (decideBid(top).bid) bids++
    }
    let abstained = 0
    for (const task of OFF_TOPIC) {
      const [q] = await embedder.embed([task])
      const top = index.match(q!, task, 3)
      if (!decideBid(top).bid) abstained++
      else misses.push(`"${task}" -> bid by ${top[0]!.skill.agentId} (${top[0]!.confidence.toFixed(2)})`)
    }
    console.log(
      `routing: top-1 ${correct}/${TASKS.length}, bids ${bids}/${TASKS.length}, abstained ${abstained}/${OFF_TOPIC.length}\n  ` +
        misses.join('\n  '),
    )
    // Measured with builder 2: top-1 19/25, bids 16/25, abstained 4/4 before the routing-benchmark tuning;
    // 20/25, 12/25, 4/4 after it (centroid pooling, lexical 0.3, midpoint 0.34 for out-of-scope recall:
    // these skills carry only 0-2 examples, so more of their tasks fall under the raised midpoint than
    // in bench/routing, where 12 % of in-scope tasks are abstained on). Chance is 1/10.
    // The bounds catch a broken model or scorer, not a one-task wobble.
    expect(correct / TASKS.length).toBeGreaterThanOrEqual(0.68)
    expect(bids / TASKS.length).toBeGreaterThanOrEqual(0.4)
    expect(abstained).toBeGreaterThanOrEqual(OFF_TOPIC.length / 2)
  })
})

/** Ten agents' skills: [description, ...examples]. */
const SKILLS: Record<string, string[]> = {
  calculator: ['Evaluate arithmetic expressions and do math', 'add two numbers', 'multiply 6 by 7'],
  summarizer: ['Summarize long articles and documents', 'give me the gist of this text'],
  translator: ['Translate text between languages', 'say this in Spanish'],
  weather: ['Weather forecasts for cities', 'will it rain tomorrow'],
  coder: ['Review source code and fix programming bugs', 'why does my function throw an exception'],
  travel: ['Book flights and hotels for trips', 'find me a cheap flight to Rome'],
  calendar: ['Schedule meetings and manage calendar events', 'set up a call with Anna next Tuesday'],
  sentiment: ['Classify the sentiment of reviews as positive or negative'],
  images: ['Resize, crop and convert images', 'make this photo smaller'],
  data: ['Convert and transform data files like CSV and JSON', 'turn this spreadsheet into JSON'],
}

/** Tasks worded differently from the skills, with the agent that should get them. */
const TASKS: [string, string][] = [
  ['what is 12 plus 30', 'calculator'],
  ['how much is 15 percent of 80', 'calculator'],
  ['compute the sum of 3 and 4', 'calculator'],
  ['please give a brief summary of this report', 'summarizer'],
  ['tl;dr this long blog post for me', 'summarizer'],
  ['what are the key points of this paper', 'summarizer'],
  ['how do you say good morning in German', 'translator'],
  ['translate this paragraph into Italian', 'translator'],
  ['what does merci mean in English', 'translator'],
  ['is it going to snow in Oslo this weekend', 'weather'],
  ['what temperature will it be in Madrid', 'weather'],
  ['do I need an umbrella today', 'weather'],
  ['my TypeScript build fails with a type error', 'coder'],
  ['fix the null pointer bug in this Java class', 'coder'],
  ['refactor this python script', 'coder'],
  ['I need a hotel in Paris for two nights', 'travel'],
  ['cheapest train or plane from Berlin to Vienna', 'travel'],
  ['move my dentist appointment to Friday', 'calendar'],
  ['when am I free next week for a meeting', 'calendar'],
  ['did customers like our new product', 'sentiment'],
  ['is this tweet angry or happy', 'sentiment'],
  ['shrink this picture to 200 pixels wide', 'images'],
  ['convert the png to jpeg', 'images'],
  ['export the table as CSV', 'data'],
  ['parse this XML file into JSON', 'data'],
]

const OFF_TOPIC = ['paint my fence green', 'tell me a joke about cats', 'who won the football match yesterday', 'recommend a good novel']

describe('meanPoolNormalize', () => {
  it('averages the unmasked token vectors of each text and normalizes them', () => {
    // batch 2, seq 3, width 2; text 0 has 2 tokens, text 1 has 1 and two padding positions.
    const hidden = Float32Array.from([3, 0, 0, 4, 9, 9, 0, 2, 7, 7, 7, 7])
    const [a, b] = meanPoolNormalize(hidden, BigInt64Array.from([1n, 1n, 0n, 1n, 0n, 0n]), 2, 3, 2)
    expect([...a!].map((x) => +x.toFixed(6))).toEqual([0.6, 0.8])
    expect([...b!]).toEqual([0, 1])
  })

  it('gives a zero vector for a fully masked text or vectors that cancel', () => {
    const [a, b] = meanPoolNormalize(Float32Array.from([1, 1, -1, -1, 5, 5, 5, 5]), [1, 1, 0, 0], 2, 2, 2)
    expect([...a!]).toEqual([0, 0])
    expect([...b!]).toEqual([0, 0])
  })
})

describe('model selection and errors', () => {
  let server: Server
  let hubUrl = ''
  beforeAll(async () => {
    // A "hub" that knows no models: every file is a 404.
    server = createServer((_req, res) => res.writeHead(404).end('not found'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    hubUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('gives a clear error for a model directory that does not exist', async () => {
    await expect(createEmbedder({ model: '/nonexistent/models/nope' })).rejects.toThrow(
      /Cannot load embedding model "nope"/,
    )
    await expect(createEmbedder({ model: '/nonexistent/models/nope' })).rejects.toBeInstanceOf(EmbedderLoadError)
  })

  it('does not fall back when the hub answers that the model does not exist', async () => {
    const err = await createEmbedder({ model: 'no-such-org/no-such-model', remoteHost: hubUrl }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(EmbedderLoadError)
    expect(String(err)).toMatch(/no-such-org\/no-such-model/)
  })

  it('refuses hub models when remote loading is disabled', async () => {
    await expect(createEmbedder({ model: 'Xenova/all-MiniLM-L6-v2', allowRemote: false })).rejects.toThrow(/remote models are disabled/)
  })

  it('falls back to the embedded model when the hub is unreachable', async () => {
    const unreachable = 'http://127.0.0.1:9/' // discard port: connection refused
    const e = await createEmbedder({ model: 'Xenova/all-MiniLM-L6-v2', remoteHost: unreachable, embeddedModelPath: modelsDir })
    try {
      expect(e.modelId).toBe(EMBEDDED_MODEL)
      expect(e.fellBackFrom?.model).toBe('Xenova/all-MiniLM-L6-v2')
      expect(e.fellBackFrom?.reason).toMatch(/unreachable/)
      expect((await e.embed(['hello world']))[0]).toHaveLength(100)
    } finally {
      await e.dispose()
    }
    await expect(
      createEmbedder({ model: 'Xenova/all-MiniLM-L6-v2', remoteHost: unreachable, fallbackToEmbedded: false }),
    ).rejects.toThrow(/unreachable/)
  })

  it('loads a model given as a directory path', async () => {
    const e = await createEmbedder({ model: build.outDir })
    try {
      expect(e.modelId).toBe(EMBEDDED_MODEL)
      expect(e.dims).toBe(100)
    } finally {
      await e.dispose()
    }
  })
})
