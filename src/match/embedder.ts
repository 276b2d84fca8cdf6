/**
 * Sentence embeddings through the real Transformers.js runtime (onnxruntime-node in Node,
 * onnxruntime-web in the browser).
 *
 * Which model is a setting: a Hugging Face model id (default online model {@link ONLINE_MODEL}), the
 * embedded offline model {@link EMBEDDED_MODEL} served by the app under `/models/`, or the URL of any
 * directory laid out like a Transformers.js model. When the hub is unreachable, loading falls back to
 * the embedded model; a model that does not exist is an error, never a silent fallback.
 *
 * Browser-only asset URLs (ORT wasm) live in `ort-assets.ts` and are passed in as `wasmPaths`, so this
 * module also loads in Node.
 */
import { env, pipeline } from '@huggingface/transformers'
import type { FeatureExtractionPipeline, ProgressInfo } from '@huggingface/transformers'

export interface Embedder {
  /** The model actually loaded (after any fallback). */
  readonly modelId: string
  /** Length of every vector `embed` returns. */
  readonly dims: number
  /** One L2-normalized vector per text, in order. Empty or all-unknown texts give a zero vector. */
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>
}

import { EMBEDDED_MODEL, ONLINE_MODEL } from './models.ts'

export { EMBEDDED_MODEL, ONLINE_MODEL }

/** Byte progress of one model file, for a progress bar. `progress` is 0..100. */
export interface LoadProgress {
  model: string
  file: string
  loaded: number
  total: number
  progress: number
}

export interface EmbedderOptions {
  /** Hub model id, {@link EMBEDDED_MODEL}, or an http(s)/absolute URL of a model directory. Default {@link ONLINE_MODEL}. */
  model?: string
  /**
   * Where the embedded model directory lives: the app's `/models/` in the browser (default there),
   * a file-system directory in Node (default `<cwd>/public/models/`).
   */
  embeddedModelPath?: string
  /** Allow fetching from the hub at all. Default true. */
  allowRemote?: boolean
  /** Load {@link EMBEDDED_MODEL} when the hub cannot be reached. Default true. */
  fallbackToEmbedded?: boolean
  /** Hub base URL, e.g. a self-hosted mirror. Default Transformers.js' own (huggingface.co). */
  remoteHost?: string
  /** Give up on a hub request that has sent no response headers after this long. Default 15 s. */
  connectTimeoutMs?: number
  /** ORT web runtime files served by the app (see ort-assets.ts). Ignored in Node. */
  wasmPaths?: { mjs: string; wasm: string }
  /** Texts per model call; bounds padding waste and memory. Default 32. */
  batchSize?: number
  onProgress?: (progress: LoadProgress) => void
  signal?: AbortSignal
}

/** Loading failed for a reason other than an unreachable hub (bad id, missing file, broken model). */
export class EmbedderLoadError extends Error {
  override readonly name = 'EmbedderLoadError'
  constructor(
    readonly model: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot load embedding model "${model}": ${message}`, options)
  }
}

/** Result of {@link createEmbedder}: the embedder plus how it came to be. */
export interface LoadedEmbedder extends Embedder {
  /** Set when the requested model could not be reached and the embedded model was loaded instead. */
  readonly fellBackFrom?: { model: string; reason: string }
  /** `direct`: tokenizer, ONNX session and pooling called by this module; `pipeline`: Transformers.js' pipeline. */
  readonly path: 'direct' | 'pipeline'
  dispose(): Promise<void>
}

type ModelSource =
  | { kind: 'hub'; id: string }
  | { kind: 'local'; id: string; basePath: string }

/**
 * Transformers.js keeps its settings in one global `env`; a load reads it while fetching files.
 * Loads are therefore serialized so that two loads never see each other's settings.
 */
let loadQueue: Promise<unknown> = Promise.resolve()
/** Transformers.js' own default: on wherever the Cache API exists. Hub downloads keep using it. */
const browserCacheAvailable = env.useBrowserCache

export async function createEmbedder(options: EmbedderOptions = {}): Promise<LoadedEmbedder> {
  const requested = options.model?.trim() || ONLINE_MODEL
  const source = resolveSource(requested, options)
  const run = loadQueue.then(async () => {
    if (source.kind === 'local') return loadEmbedder(source, options)
    try {
      return await loadEmbedder(source, options)
    } catch (err) {
      if (!(err instanceof HubUnreachableError) || options.fallbackToEmbedded === false) throw err
      options.signal?.throwIfAborted()
      const embedded = resolveSource(EMBEDDED_MODEL, options)
      const loaded = await loadEmbedder(embedded, options)
      return Object.assign(loaded, { fellBackFrom: { model: requested, reason: err.message } })
    }
  })
  loadQueue = run.catch(() => undefined)
  return run
}

/** Maps the model setting to where its files come from. */
export function resolveSource(model: string, options: Pick<EmbedderOptions, 'embeddedModelPath'> = {}): ModelSource {
  if (model === EMBEDDED_MODEL) {
    return { kind: 'local', id: EMBEDDED_MODEL, basePath: options.embeddedModelPath ?? defaultEmbeddedPath() }
  }
  // A URL or absolute path names the model directory itself: serve it as a "local" model whose
  // base is the parent directory, which works for fetch (browser) and the file system (Node) alike.
  if (/^(https?:\/\/|\/|\.\.?\/|file:)/.test(model)) {
    const trimmed = model.replace(/\/+$/, '')
    const cut = trimmed.lastIndexOf('/')
    return { kind: 'local', id: trimmed.slice(cut + 1), basePath: trimmed.slice(0, cut + 1) }
  }
  return { kind: 'hub', id: model }
}

function defaultEmbeddedPath(): string {
  const proc = (globalThis as { process?: { versions?: { node?: string }; cwd?: () => string } }).process
  const inBrowser = typeof (globalThis as { document?: unknown }).document !== 'undefined' ||
    typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined'
  if (!inBrowser && proc?.versions?.node && proc.cwd) return `${proc.cwd()}/public/models/`
  return '/models/'
}

/** The hub could not be reached and fallback was disabled (or is what triggers the fallback). */
export class HubUnreachableError extends Error {
  override readonly name = 'HubUnreachableError'
}

async function loadEmbedder(source: ModelSource, options: EmbedderOptions): Promise<LoadedEmbedder> {
  options.signal?.throwIfAborted()
  const network = configureEnv(source, options)
  let extractor: FeatureExtractionPipeline
  try {
    extractor = (await pipeline('feature-extraction', source.id, {
      dtype: 'q8',
      progress_callback: (info: ProgressInfo) => reportProgress(info, source.id, options.onProgress),
    })) as FeatureExtractionPipeline
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    if (source.kind === 'hub' && network.failure) {
      throw new HubUnreachableError(`hub unreachable (${network.failure}) while loading "${source.id}"`, { cause: err })
    }
    // A dev/preview server's SPA fallback answers a missing model file with index.html.
    const hint = source.kind === 'local' && /JSON|Unexpected token/i.test(reason)
      ? ` (is the model built, \`node scripts/build-model.mjs\`, and served under ${source.basePath} without an HTML fallback?)`
      : ''
    throw new EmbedderLoadError(source.id, reason + hint, { cause: err })
  } finally {
    network.restore()
  }
  options.signal?.throwIfAborted()
  return new TransformersEmbedder(source.id, extractor, options.batchSize ?? 32).ready()
}

/**
 * Sets the global Transformers.js env for one load. Hub models never probe the local path (in the app a
 * missing `/models/...` file may come back as index.html with status 200); local models never touch
 * the network. Returns what the network did, so the caller can tell "unreachable" from "not found".
 */
function configureEnv(source: ModelSource, options: EmbedderOptions) {
  const network: { failure?: string; restore: () => void } = { restore: () => {} }
  if (options.wasmPaths && env.backends.onnx.wasm) env.backends.onnx.wasm.wasmPaths = { ...options.wasmPaths }
  if (source.kind === 'local') {
    env.allowLocalModels = true
    env.allowRemoteModels = false
    env.localModelPath = source.basePath
    // The app serves these files itself (HTTP cache, service worker). Transformers.js' Cache API copy
    // is keyed by path only and would keep serving an old model after a rebuild.
    env.useBrowserCache = false
    return network
  }
  env.useBrowserCache = browserCacheAvailable
  if (options.allowRemote === false) {
    throw new EmbedderLoadError(source.id, 'remote models are disabled (allowRemote: false)')
  }
  env.allowLocalModels = false
  env.allowRemoteModels = true
  const previousHost = env.remoteHost
  if (options.remoteHost) env.remoteHost = options.remoteHost

  const previousFetch = env.fetch
  const timeoutMs = options.connectTimeoutMs ?? 15_000
  env.fetch = async (input: string | URL, init?: RequestInit) => {
    // Abort only while waiting for headers: a slow but live download must not be cut off.
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(new Error(`no response within ${timeoutMs} ms`)), timeoutMs)
    const onAbort = () => controller.abort(options.signal?.reason)
    options.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const response = await previousFetch(input, { ...init, signal: controller.signal })
      if (response.status >= 500) network.failure ??= `HTTP ${response.status} from ${String(input)}`
      return response
    } catch (err) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : err
      network.failure ??= reason instanceof Error ? reason.message : String(reason)
      throw err
    } finally {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
    }
  }
  network.restore = () => {
    env.fetch = previousFetch
    env.remoteHost = previousHost
  }
  return network
}

function reportProgress(info: ProgressInfo, model: string, onProgress?: (p: LoadProgress) => void) {
  if (!onProgress || info.status !== 'progress') return
  onProgress({ model, file: info.file, loaded: info.loaded, total: info.total, progress: info.progress })
}

/** The pieces of a loaded feature-extraction pipeline the direct path calls itself. */
interface DirectPath {
  tokenizer: (texts: string[], options: { padding: boolean; truncation: boolean }) => Record<string, TokenizerTensor | undefined>
  session: OrtSession
  inputNames: readonly string[]
  outputName: string
}

interface TokenizerTensor {
  ort_tensor?: unknown
  dispose?: () => void
  data: ArrayLike<number | bigint>
  dims: readonly number[]
}

interface OrtSession {
  inputNames: readonly string[]
  outputNames: readonly string[]
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[]; dispose?: () => void }>>
}

/** Texts the direct path is checked against the pipeline with at load: padding, unknown words, empty text. */
const DIRECT_PATH_PROBES = ['ready', 'Convert 5 miles to kilometres, please', '', 'qqqzzx', 'summarise this article in three short bullet points for the team']

/** Warm-up at load: one-text calls, bounded by count and time. */
const WARM_UP = { calls: 300, ms: 250 } as const

/**
 * Mean pooling over the attention mask and L2 normalization of `hidden` ([batch, seq, width], row-major)
 * into one new Float32Array per text: what the feature-extraction pipeline's `pooling: 'mean', normalize:
 * true` computes, without its intermediate tensors. A text whose tokens are all masked, or whose vectors
 * sum to zero (only unknown words), gives a zero vector.
 */
export function meanPoolNormalize(hidden: Float32Array, mask: ArrayLike<number | bigint>, batch: number, seq: number, width: number): Float32Array[] {
  const out: Float32Array[] = []
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(width)
    for (let t = 0; t < seq; t++) {
      if (!mask[b * seq + t]) continue
      const base = (b * seq + t) * width
      for (let i = 0; i < width; i++) v[i] = (v[i] as number) + (hidden[base + i] as number)
    }
    let norm = 0
    for (let i = 0; i < width; i++) norm += (v[i] as number) * (v[i] as number)
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm)
      for (let i = 0; i < width; i++) v[i] = (v[i] as number) * inv
    }
    out.push(v)
  }
  return out
}

class TransformersEmbedder implements LoadedEmbedder {
  dims = 0
  #queue: Promise<unknown> = Promise.resolve()
  /**
   * Tokenizer, ONNX session and pooling called directly, when they reproduce the pipeline at load (see
   * {@link ready}). The pipeline's wrappers (input validation, tensor objects around every input and
   * output, pooling and normalization as tensor ops) cost several times the model's own run for one short
   * text, and the garbage they leave made one call in ten stall for milliseconds in the browser worker.
   */
  #direct: DirectPath | undefined

  constructor(
    readonly modelId: string,
    private readonly extractor: FeatureExtractionPipeline,
    private readonly batchSize: number,
  ) {}

  /** Whether embeddings come from the direct path (tokenizer + session + own pooling) or the pipeline. */
  get path(): 'direct' | 'pipeline' {
    return this.#direct ? 'direct' : 'pipeline'
  }

  /**
   * Learns the output width from one real call, which also warms the session up, and turns the direct path
   * on only if it gives the pipeline's vectors for the probe texts (one batch, so padding is exercised too).
   */
  async ready(): Promise<this> {
    const [probe] = await this.embed(['ready'])
    if (!probe || probe.length === 0) throw new EmbedderLoadError(this.modelId, 'model produced no output')
    this.dims = probe.length
    const direct = directPathOf(this.extractor)
    if (direct) {
      try {
        const [viaPipeline, viaDirect] = [await this.#embedPipeline(DIRECT_PATH_PROBES), await embedDirect(direct, DIRECT_PATH_PROBES)]
        const agrees = viaDirect !== undefined && viaDirect.every((v, i) => v.length === this.dims && v.every((x, j) => Math.abs(x - (viaPipeline[i]![j] as number)) < 1e-5))
        if (agrees) this.#direct = direct
      } catch {
        // Anything unexpected in the pipeline's internals: keep the pipeline.
      }
    }
    await this.#warmUp()
    return this
  }

  /**
   * Runs the one-text path {@link WARM_UP.calls} times on fixed probe texts (at most {@link WARM_UP.ms}),
   * so the JavaScript engine has compiled the tokenizer, the session glue and the pooling before the first
   * task arrives. Measured in the browser worker (bench:embed, 2 busy cores): without it the first ~800
   * single-text calls ran on cold code, with background compilation and collections stalling one call in
   * ten for milliseconds (mean 0.9-1.05 ms per call, against 0.52 ms warmed).
   */
  async #warmUp(): Promise<void> {
    const deadline = performance.now() + WARM_UP.ms
    for (let i = 0; i < WARM_UP.calls && performance.now() < deadline; i++) {
      await this.#embedNow([DIRECT_PATH_PROBES[i % DIRECT_PATH_PROBES.length]!])
    }
  }

  embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    // One ORT session must not run concurrently (the wasm backend rejects it); queue calls.
    const run = this.#queue.then(() => this.#embedNow(texts, options.signal))
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #embedNow(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const out: Float32Array[] = []
    for (let start = 0; start < texts.length; start += this.batchSize) {
      signal?.throwIfAborted()
      const batch = start === 0 && texts.length <= this.batchSize ? texts : texts.slice(start, start + this.batchSize)
      const vectors = (this.#direct && (await embedDirect(this.#direct, batch))) || (await this.#embedPipeline(batch))
      for (const v of vectors) out.push(v)
    }
    return out
  }

  async #embedPipeline(batch: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = []
    const tensor = await this.extractor(batch, { pooling: 'mean', normalize: true })
    const data = tensor.data as Float32Array
    const width = data.length / batch.length
    for (let i = 0; i < batch.length; i++) {
      const v = data.slice(i * width, (i + 1) * width)
      // Normalizing a zero mean (empty text, only unknown words) divides by zero.
      if (Number.isNaN(v[0])) v.fill(0)
      out.push(v)
    }
    tensor.dispose()
    return out
  }

  async dispose(): Promise<void> {
    await this.#queue
    await this.extractor.dispose()
  }
}

/** The tokenizer and ONNX session of a feature-extraction pipeline, if it has the expected shape. */
function directPathOf(extractor: FeatureExtractionPipeline): DirectPath | undefined {
  const x = extractor as unknown as { tokenizer?: unknown; model?: { sessions?: Record<string, unknown> } }
  const session = x.model?.sessions?.['model'] as OrtSession | undefined
  if (typeof x.tokenizer !== 'function' || !session || typeof session.run !== 'function') return undefined
  if (!Array.isArray(session.inputNames) || !Array.isArray(session.outputNames)) return undefined
  const outputName = session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : undefined
  if (!outputName) return undefined
  return { tokenizer: x.tokenizer as DirectPath['tokenizer'], session, inputNames: session.inputNames, outputName }
}

/**
 * One batch through the direct path: tokenizer (padding, truncation, as the pipeline calls it), the ONNX
 * session, {@link meanPoolNormalize}. Undefined when the tokenizer does not give an input the session
 * needs or the output is not [batch, seq, width] floats (the caller then uses the pipeline).
 */
async function embedDirect(direct: DirectPath, batch: string[]): Promise<Float32Array[] | undefined> {
  const encoded = direct.tokenizer(batch, { padding: true, truncation: true })
  try {
    const feeds: Record<string, unknown> = {}
    for (const name of direct.inputNames) {
      const t = encoded[name]
      if (!t?.ort_tensor) return undefined
      feeds[name] = t.ort_tensor
    }
    const mask = encoded['attention_mask']
    if (!mask || mask.dims.length !== 2) return undefined
    const [rows, seq] = mask.dims as [number, number]
    const outputs = await direct.session.run(feeds)
    const hidden = outputs[direct.outputName]
    try {
      if (!hidden || !(hidden.data instanceof Float32Array) || hidden.dims.length !== 3 || hidden.dims[0] !== rows || hidden.dims[1] !== seq) return undefined
      return meanPoolNormalize(hidden.data, mask.data, rows, seq, hidden.dims[2] as number)
    } finally {
      for (const o of Object.values(outputs)) o.dispose?.()
    }
  } finally {
    for (const t of Object.values(encoded)) t?.dispose?.()
  }
}
