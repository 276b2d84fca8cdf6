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

/** Default model when the hub is reachable: 384-d, ~23 MB at q8. */
export const ONLINE_MODEL = 'Xenova/all-MiniLM-L6-v2'
/** Built by scripts/build-model.mjs into public/models/; 100-d, ~12 MB, no network needed. */
export const EMBEDDED_MODEL = 'meshwork-glove-100d'

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

class TransformersEmbedder implements LoadedEmbedder {
  dims = 0
  #queue: Promise<unknown> = Promise.resolve()

  constructor(
    readonly modelId: string,
    private readonly extractor: FeatureExtractionPipeline,
    private readonly batchSize: number,
  ) {}

  /** Learns the output width from one real call, which also warms the session up. */
  async ready(): Promise<this> {
    const [probe] = await this.embed(['ready'])
    if (!probe || probe.length === 0) throw new EmbedderLoadError(this.modelId, 'model produced no output')
    this.dims = probe.length
    return this
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
      const batch = texts.slice(start, start + this.batchSize)
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
    }
    return out
  }

  async dispose(): Promise<void> {
    await this.#queue
    await this.extractor.dispose()
  }
}
