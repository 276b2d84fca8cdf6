/**
 * Browser only: URLs of the ONNX Runtime web files, emitted and served by the app itself (Vite `?url`),
 * so Transformers.js never fetches its runtime from a CDN. Pass to `createEmbedder({ wasmPaths })`.
 *
 * Transformers.js 4 runs `onnxruntime-web/webgpu`, whose wasm build is the "asyncify" one; the pair
 * must match the onnxruntime-web version it imports (the one installed next to it).
 */
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url'
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url'

export const ortWasmPaths: { mjs: string; wasm: string } = { mjs: ortMjsUrl, wasm: ortWasmUrl }
