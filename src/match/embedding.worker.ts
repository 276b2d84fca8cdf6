/**
 * Runs the embedder off the main thread. The page talks to it through comlink; see embedding-client.ts.
 * Progress callbacks cross the boundary as comlink proxies.
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

const api = {
  /** Loads (or replaces) the model. Resolves with what was actually loaded. */
  async load(options: WorkerEmbedderOptions, onProgress?: (p: LoadProgress) => void): Promise<EmbeddingWorkerInfo> {
    const next = await createEmbedder({ ...options, wasmPaths: ortWasmPaths, ...(onProgress ? { onProgress } : {}) })
    const previous = current
    current = next
    await previous?.dispose()
    return { modelId: next.modelId, dims: next.dims, ...(next.fellBackFrom ? { fellBackFrom: next.fellBackFrom } : {}) }
  },

  /** Vectors are transferred, not copied. */
  async embed(texts: string[]): Promise<Float32Array[]> {
    if (!current) throw new Error('embedding worker: call load() before embed()')
    const vectors = await current.embed(texts)
    return Comlink.transfer(vectors, vectors.map((v) => v.buffer as ArrayBuffer))
  },

  async dispose(): Promise<void> {
    await current?.dispose()
    current = undefined
  },
}

export type EmbeddingWorkerApi = typeof api

Comlink.expose(api)
