/**
 * The graph worker's entry: Automerge's wasm, IndexedDB storage, then graph-worker-core.ts.
 * Started by the page (src/app/graph-boot.ts); one per tab.
 */
import { initializeWasm } from '@automerge/automerge-repo/slim'
import automergeWasmUrl from '@automerge/automerge/automerge.wasm?url'
import { serveGraph } from './graph-worker-core.ts'
import type { Endpoint } from './graph-worker-protocol.ts'
import { createIndexedDbStorage } from './storage.ts'

serveGraph(self as unknown as Endpoint, { storage: name => createIndexedDbStorage(name), before: initializeWasm(automergeWasmUrl) })
