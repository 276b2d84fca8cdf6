#!/usr/bin/env node
// Builds the embedded offline embedding model into public/models/meshwork-glove-100d/.
// Usage: node scripts/build-model.mjs [--force] [--out <dir>] [--vocab <words>] [--no-verify]
//   [--sif-a <a>] [--stop-word-scale <s>] [--components <n>]   (variants for measuring; the defaults are what ships)
// Skips all work when the output's stamp matches this builder version and options.

import { buildModel, COMPONENTS, DEFAULT_OUT_DIR, DEFAULT_VOCAB_SIZE, SIF_A, STOP_WORD_SCALE } from './model/build.mjs'

const args = process.argv.slice(2)
/** @param {string} name */
const valueOf = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

/** @param {string} name @param {number} fallback */
const numberOf = (name, fallback) => {
  const raw = valueOf(name)
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}: expected a non-negative number, got ${raw}`)
  return n
}

const result = await buildModel({
  outDir: valueOf('--out') ?? DEFAULT_OUT_DIR,
  vocabSize: numberOf('--vocab', DEFAULT_VOCAB_SIZE),
  sifA: numberOf('--sif-a', SIF_A),
  stopWordScale: numberOf('--stop-word-scale', STOP_WORD_SCALE),
  components: numberOf('--components', COMPONENTS),
  force: args.includes('--force'),
  verify: !args.includes('--no-verify'),
  log: (msg) => console.log(msg),
})
for (const [file, size] of Object.entries(result.files)) console.log(`  ${file}  ${(size / 1e6).toFixed(2)} MB`)
