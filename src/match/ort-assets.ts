/**
 * Browser only: URLs of the ONNX Runtime web files, emitted and served by the app itself (Vite `?url`),
 * so Transformers.js never fetches its runtime from a CDN. Pass to `createEmbedder({ wasmPaths })`.
 *
 * Transformers.js 4 imports `onnxruntime-web/webgpu` (wasm build: "asyncify", 27 MB); vite.config.ts
 * points that import at `onnxruntime-web/wasm`, whose build is the plain one (14 MB), since the app runs
 * the model on the CPU only. The pair must match the onnxruntime-web version it imports (the one
 * installed next to it).
 */
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url'
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url'

export const ortWasmPaths: { mjs: string; wasm: string } = { mjs: ortMjsUrl, wasm: ortWasmUrl }
