#!/usr/bin/env node
// Builds the embedded offline embedding model into public/models/meshwork-glove-100d/.
// Usage: node scripts/build-model.mjs [--force] [--out <dir>] [--vocab <words>] [--no-verify]
// Skips all work when the output's stamp matches this builder version and options.

import { buildModel, DEFAULT_OUT_DIR, DEFAULT_VOCAB_SIZE } from './model/build.mjs'

const args = process.argv.slice(2)
/** @param {string} name */
const valueOf = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

const result = await buildModel({
  outDir: valueOf('--out') ?? DEFAULT_OUT_DIR,
  vocabSize: Number(valueOf('--vocab') ?? DEFAULT_VOCAB_SIZE),
  force: args.includes('--force'),
  verify: !args.includes('--no-verify'),
  log: (msg) => console.log(msg),
})
for (const [file, size] of Object.entries(result.files)) console.log(`  ${file}  ${(size / 1e6).toFixed(2)} MB`)
