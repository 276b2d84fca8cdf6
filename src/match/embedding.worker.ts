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

/** An embed request on the port: texts, answered with `{ id, vectors }` (buffers transferred) or `{ id, error }`. */
export interface EmbedRequest {
  id: number
  texts: string[]
}

export type EmbedReply = { id: number; vectors: Float32Array[] } | { id: number; error: string }

/**
 * Answers embed requests on `port` with `embedder()`. Embedding is the hot path (routing embeds every
 * announced task, one at a time): a bare message each way costs less than comlink's call protocol (a
 * random id string, a listener per call, wire-value conversions) and leaves less garbage, so fewer
 * calls meet a collection.
 */
function serve(port: MessagePort, embedder: () => LoadedEmbedder | undefined): void {
  port.onmessage = (e: MessageEvent<EmbedRequest>) => {
    const { id, texts } = e.data
    const reply = (r: EmbedReply, transfer: Transferable[] = []) => port.postMessage(r, transfer)
    const current = embedder()
    if (!current) return reply({ id, error: 'embedding worker: call load() before embed()' })
    current.embed(texts).then(
      (vectors) => reply({ id, vectors }, vectors.map((v) => v.buffer as ArrayBuffer)),
      (err: unknown) => reply({ id, error: err instanceof Error ? err.message : String(err) }),
    )
  }
}

/**
 * Models loaded in this worker, by their options. As a SharedWorker (the default where browsers have
 * them), every tab of the profile that asks for the same model shares one load: one ORT runtime, one
 * copy of the model, instead of one per tab. Each tab still gets the progress of the load it waits for.
 */
interface SharedLoad {
  embedder: Promise<LoadedEmbedder>
  listeners: Set<(p: LoadProgress) => void>
  users: number
}
const loads = new Map<string, SharedLoad>()

function acquire(options: WorkerEmbedderOptions, onProgress?: (p: LoadProgress) => void): SharedLoad {
  const key = JSON.stringify(options)
  let load = loads.get(key)
  if (!load) {
    const listeners = new Set<(p: LoadProgress) => void>()
    const embedder = createEmbedder({ ...options, wasmPaths: ortWasmPaths, onProgress: (p) => { for (const l of listeners) l(p) } })
    load = { embedder, listeners, users: 0 }
    loads.set(key, load)
    // A failed load is not kept: the next tab tries again.
    embedder.catch(() => { if (loads.get(key) === load) loads.delete(key) })
  }
  load.users++
  if (onProgress) load.listeners.add(onProgress)
  return load
}

async function release(load: SharedLoad, onProgress?: (p: LoadProgress) => void): Promise<void> {
  if (onProgress) load.listeners.delete(onProgress)
  if (--load.users > 0) return
  for (const [key, l] of loads) if (l === load) loads.delete(key)
  await (await load.embedder.catch(() => undefined))?.dispose()
}

/** One page's connection: what it loaded, and the port it embeds on. */
function connection(): object {
  let mine: { load: SharedLoad; embedder: LoadedEmbedder; onProgress: ((p: LoadProgress) => void) | undefined } | undefined
  return {
    /** Loads (or replaces) the model. Resolves with what was actually loaded. */
    async load(options: WorkerEmbedderOptions, onProgress?: (p: LoadProgress) => void): Promise<EmbeddingWorkerInfo> {
      const load = acquire(options, onProgress)
      let next: LoadedEmbedder
      try {
        next = await load.embedder
      } catch (err) {
        await release(load, onProgress)
        throw err
      } finally {
        if (onProgress) load.listeners.delete(onProgress)
      }
      const previous = mine
      mine = { load, embedder: next, onProgress }
      if (previous) await release(previous.load)
      return { modelId: next.modelId, dims: next.dims, ...(next.fellBackFrom ? { fellBackFrom: next.fellBackFrom } : {}) }
    },

    /** Takes the port embed requests come on (see {@link serve}). */
    attach(port: MessagePort): void {
      serve(port, () => mine?.embedder)
    },

    async dispose(): Promise<void> {
      const previous = mine
      mine = undefined
      if (previous) await release(previous.load)
    },
  }
}

export type EmbeddingWorkerApi = {
  load(options: WorkerEmbedderOptions, onProgress?: (p: LoadProgress) => void): Promise<EmbeddingWorkerInfo>
  attach(port: MessagePort): void
  dispose(): Promise<void>
}

const scope = self as unknown as { onconnect?: ((e: MessageEvent) => void) | null }
if ('onconnect' in scope) {
  // A SharedWorker: one connection per page.
  scope.onconnect = (e: MessageEvent) => {
    const port = e.ports[0]!
    Comlink.expose(connection(), port)
    port.start()
  }
} else {
  Comlink.expose(connection())
}
