/** Baseline for the benchmark: a worker that answers every message at once, to price the page-worker round trip. */
self.onmessage = (e: MessageEvent) => self.postMessage(e.data)
