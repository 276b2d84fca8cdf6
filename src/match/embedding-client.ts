/**
 * Main-thread side of the embedding worker: an {@link Embedder} whose work happens in a module worker.
 */
import * as Comlink from 'comlink'
import type { Embedder, LoadProgress } from './embedder.ts'
import type { EmbeddingWorkerApi, EmbeddingWorkerInfo, WorkerEmbedderOptions } from './embedding.worker.ts'

export interface WorkerEmbedder extends Embedder {
  readonly fellBackFrom?: { model: string; reason: string }
  /** Terminates the worker. */
  close(): void
}

export async function createWorkerEmbedder(
  options: WorkerEmbedderOptions = {},
  onProgress?: (p: LoadProgress) => void,
): Promise<WorkerEmbedder> {
  const worker = new Worker(new URL('./embedding.worker.ts', import.meta.url), { type: 'module' })
  const remote = Comlink.wrap<EmbeddingWorkerApi>(worker)
  let info: EmbeddingWorkerInfo
  try {
    info = await remote.load(options, onProgress ? Comlink.proxy(onProgress) : undefined)
  } catch (err) {
    worker.terminate()
    throw err
  }
  return {
    modelId: info.modelId,
    dims: info.dims,
    ...(info.fellBackFrom ? { fellBackFrom: info.fellBackFrom } : {}),
    // Each vector arrives in its own transferred buffer, so no copy is needed here.
    embed: (texts, opts) => {
      opts?.signal?.throwIfAborted()
      return remote.embed(texts)
    },
    close: () => {
      remote[Comlink.releaseProxy]()
      worker.terminate()
    },
  }
}
