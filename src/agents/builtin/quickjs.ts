/**
 * Loads the QuickJS WebAssembly module for the js-runner, once per worker.
 *
 * We use the `release-sync` variant of quickjs-emscripten with its separate `.wasm` file (the
 * single-file variants are not installed). It and quickjs-emscripten-core are imported directly,
 * not through the `quickjs-emscripten` umbrella, because the umbrella makes Vite emit the wasm of
 * all four variants (3 MB of unused files); quickjs-emscripten pins both at its own version. In the browser the wasm's URL comes from Vite (`?url`),
 * so the app serves the file itself and nothing is fetched from a CDN, in dev (where pre-bundling
 * would break the variant's own `new URL(..., import.meta.url)`) as in the build. In Node (tests)
 * the variant reads the file from node_modules by itself.
 */
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core'
import RELEASE_SYNC from '@jitl/quickjs-wasmfile-release-sync'
import wasmUrl from '@jitl/quickjs-wasmfile-release-sync/wasm?url'

let loading: Promise<QuickJSWASMModule> | undefined

function inNode (): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string'
}

/** The shared module; a failed load is retried on the next call. */
export function quickJS (): Promise<QuickJSWASMModule> {
  loading ??= newQuickJSWASMModuleFromVariant(inNode() ? RELEASE_SYNC : newVariant(RELEASE_SYNC, { wasmLocation: wasmUrl }))
    .catch((err: unknown) => {
      loading = undefined
      throw new Error(`js-runner: cannot load the QuickJS sandbox: ${err instanceof Error ? err.message : String(err)}`)
    })
  return loading
}

/**
 * Forgets the module after the host side of it failed (a wasm trap or a stack overflow in the
 * host), so the next task starts from a fresh WebAssembly instance instead of a possibly corrupt one.
 */
export function discardQuickJS (): void {
  loading = undefined
}
