/**
 * The embedding benchmark's page: the app's worker embedder (src/match/embedding-client.ts) on the embedded
 * model served at /models/, exposed as window.embedBench for Playwright. Timing happens here, on the page's
 * clock, so it includes the round trip to the worker (structured clone in, transferred vectors out).
 */
import { createWorkerEmbedder } from '../../src/match/embedding-client.ts'
import { EMBEDDED_MODEL } from '../../src/match/embedder.ts'

const started = performance.now()
const embedder = await createWorkerEmbedder({ model: EMBEDDED_MODEL, allowRemote: false })
const loadMs = performance.now() - started

const bench = {
  info: {
    modelId: embedder.modelId,
    dims: embedder.dims,
    loadMs,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    userAgent: navigator.userAgent
  },
  /** Round trips of `sentences` in calls of `batch` to a worker that only echoes: the floor under `run`. */
  async echo (sentences: string[], batch: number): Promise<number[]> {
    const worker = new Worker(new URL('./echo.worker.ts', import.meta.url), { type: 'module' })
    const send = (texts: string[]) => new Promise<void>((resolve) => {
      worker.onmessage = () => resolve()
      worker.postMessage(texts)
    })
    await send(['warm up'])
    const times: number[] = []
    for (let i = 0; i + batch <= sentences.length; i += batch) {
      const t = performance.now()
      await send(sentences.slice(i, i + batch))
      times.push(performance.now() - t)
    }
    worker.terminate()
    return times
  },
  /** Embeds `sentences` in calls of `batch` texts, one call at a time; returns each call's milliseconds. */
  async run (sentences: string[], batch: number): Promise<number[]> {
    const times: number[] = []
    for (let i = 0; i + batch <= sentences.length; i += batch) {
      const t = performance.now()
      const vectors = await embedder.embed(sentences.slice(i, i + batch))
      times.push(performance.now() - t)
      if (vectors.length !== batch) throw new Error(`asked ${batch} vectors, got ${vectors.length}`)
    }
    return times
  }
}

;(globalThis as unknown as { embedBench: typeof bench }).embedBench = bench
