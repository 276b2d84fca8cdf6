/**
 * Runs the embedder off the main thread. The page talks to it through comlink (load, progress callbacks as
 * comlink proxies, dispose) and embeds over a MessagePort of its own (see embedding-client.ts).
 */
import * as Comlink from 'comlink'
import { createEmbedder, type EmbedderOptions, type LoadedEmbedder, type LoadProgress } from './embedder.ts'
import { ortWasmPaths } from './ort-assets.ts'

/** What a worker load reports back; functions and AbortSignals cannot be cloned, so they are left out. */
export type WorkerEmbedderOptions = Omit<EmbedderOptions, 'onProgress' | 'signal' | 'wasmPaths'>

export interface EmbeddingWorkerInfo {
  modelId: string
  dims: number
  fellBackFrom?: { model: string; reason: string }
}

let current: LoadedEmbedder | undefined

/** An embed request on the port: texts, answered with `{ id, vectors }` (buffers transferred) or `{ id, error }`. */
export interface EmbedRequest {
  id: number
  texts: string[]
}

export type EmbedReply = { id: number; vectors: Float32Array[] } | { id: number; error: string }

/**
 * Answers embed requests on `port`. Embedding is the hot path (routing embeds every announced task, one
 * at a time): a bare message each way costs less than comlink's call protocol (a random id string, a
 * listener per call, wire-value conversions) and leaves less garbage, so fewer calls meet a collection.
 */
function serve(port: MessagePort): void {
  port.onmessage = (e: MessageEvent<EmbedRequest>) => {
    const { id, texts } = e.data
    const reply = (r: EmbedReply, transfer: Transferable[] = []) => port.postMessage(r, transfer)
    if (!current) return reply({ id, error: 'embedding worker: call load() before embed()' })
    current.embed(texts).then(
      (vectors) => reply({ id, vectors }, vectors.map((v) => v.buffer as ArrayBuffer)),
      (err: unknown) => reply({ id, error: err instanceof Error ? err.message : String(err) }),
    )
  }
}

const api = {
  /** Loads (or replaces) the model. Resolves with what was actually loaded. */
  async load(options: WorkerEmbedderOptions, onProgress?: (p: LoadProgress) => void): Promise<EmbeddingWorkerInfo> {
    const next = await createEmbedder({ ...options, wasmPaths: ortWasmPaths, ...(onProgress ? { onProgress } : {}) })
    const previous = current
    current = next
    await previous?.dispose()
    return { modelId: next.modelId, dims: next.dims, ...(next.fellBackFrom ? { fellBackFrom: next.fellBackFrom } : {}) }
  },

  /** Takes the port embed requests come on (see {@link serve}). */
  attach(port: MessagePort): void {
    serve(port)
  },

  async dispose(): Promise<void> {
    await current?.dispose()
    current = undefined
  },
}

export type EmbeddingWorkerApi = typeof api

Comlink.expose(api)
