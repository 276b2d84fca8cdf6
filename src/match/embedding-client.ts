/**
 * Main-thread side of the embedding worker: an {@link Embedder} whose work happens in a module worker.
 */
import * as Comlink from 'comlink'
import type { Embedder, LoadProgress } from './embedder.ts'
import type { EmbeddingWorkerApi, EmbeddingWorkerInfo, EmbedReply, EmbedRequest, WorkerEmbedderOptions } from './embedding.worker.ts'

export interface WorkerEmbedder extends Embedder {
  readonly fellBackFrom?: { model: string; reason: string }
  /** Terminates the worker. */
  close(): void
}

export async function createWorkerEmbedder(
  options: WorkerEmbedderOptions & { shared?: boolean } = {},
  onProgress?: (p: LoadProgress) => void,
): Promise<WorkerEmbedder> {
  // A SharedWorker where the browser has them: tabs of one profile share one model load and one ONNX
  // runtime (ten tabs starting at once compiled the ORT wasm, 27 MB then, ten times). One per model setting.
  const { shared: allowShared, ...loadOptions } = options
  const shared = typeof SharedWorker === 'function' && allowShared !== false
  const worker = shared
    ? new SharedWorker(new URL('./embedding.worker.ts', import.meta.url), { type: 'module', name: `meshwork-embedding ${options.model ?? 'default'}` })
    : new Worker(new URL('./embedding.worker.ts', import.meta.url), { type: 'module' })
  const endpoint = worker instanceof SharedWorker ? worker.port : worker
  if (worker instanceof SharedWorker) worker.port.start()
  const end = (): void => { if (worker instanceof SharedWorker) worker.port.close(); else worker.terminate() }
  const remote = Comlink.wrap<EmbeddingWorkerApi>(endpoint)
  // Embedding has a port of its own: one plain message each way per call (see serve() in the worker).
  const { port1, port2 } = new MessageChannel()
  let info: EmbeddingWorkerInfo
  try {
    info = await remote.load(loadOptions, onProgress ? Comlink.proxy(onProgress) : undefined)
    await remote.attach(Comlink.transfer(port2, [port2]))
  } catch (err) {
    port1.close()
    end()
    throw err
  }
  const pending = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }>()
  let nextId = 0
  port1.onmessage = (e: MessageEvent<EmbedReply>) => {
    const r = e.data
    const p = pending.get(r.id)
    if (!p) return
    pending.delete(r.id)
    if ('error' in r) p.reject(new Error(r.error))
    else p.resolve(r.vectors)
  }
  return {
    modelId: info.modelId,
    dims: info.dims,
    ...(info.fellBackFrom ? { fellBackFrom: info.fellBackFrom } : {}),
    // Each vector arrives in its own transferred buffer, so no copy is needed here.
    embed: (texts, opts) => {
      opts?.signal?.throwIfAborted()
      return new Promise<Float32Array[]>((resolve, reject) => {
        const id = nextId++
        pending.set(id, { resolve, reject })
        port1.postMessage({ id, texts } satisfies EmbedRequest)
      })
    },
    close: () => {
      for (const p of pending.values()) p.reject(new Error('embedding worker closed'))
      pending.clear()
      port1.close()
      // A shared worker keeps serving the other tabs; this tab gives up its share of the model.
      void remote.dispose().catch(() => {}).finally(() => { remote[Comlink.releaseProxy](); end() })
    },
  }
}
