/**
 * Loads QuickJS WebAssembly modules for the js-runner and custom agents: a module of its own for
 * each, with a hard memory cap (below).
 *
 * We use the `release-sync` variant of quickjs-emscripten with its separate `.wasm` file (the
 * single-file variants are not installed). It and quickjs-emscripten-core are imported directly,
 * not through the `quickjs-emscripten` umbrella, because the umbrella makes Vite emit the wasm of
 * all four variants (3 MB of unused files); quickjs-emscripten pins both at its own version. In the browser the wasm's URL comes from Vite (`?url`),
 * so the app serves the file itself and nothing is fetched from a CDN, in dev (where pre-bundling
 * would break the variant's own `new URL(..., import.meta.url)`) as in the build. In Node (tests)
 * the variant reads the file from node_modules by itself.
 */
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSContext, type QuickJSWASMModule } from 'quickjs-emscripten-core'
import RELEASE_SYNC from '@jitl/quickjs-wasmfile-release-sync'
import wasmUrl from '@jitl/quickjs-wasmfile-release-sync/wasm?url'

function inNode (): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string'
}

/** WebAssembly pages the release-sync build starts with (16 MiB); its memory may not start smaller. */
const INITIAL_PAGES = 256
const PAGE_BYTES = 65536
/** What the module itself occupies before the code in it allocates anything (measured: about 6 MiB), with room to spare. */
const MODULE_OVERHEAD_MB = 8

let compiling: Promise<WebAssembly.Module> | undefined

/**
 * The QuickJS wasm, fetched and compiled once per worker: every js-runner task and every custom
 * agent gets a module instance of its own (its own memory), but the code is the same. A failed
 * compile is retried on the next call. (In Node the variant reads and compiles the file itself.)
 */
function compiledWasm (): Promise<WebAssembly.Module> {
  compiling ??= fetch(wasmUrl).then(async r => {
    if (!r.ok) throw new Error(`${wasmUrl}: HTTP ${r.status}`)
    return await WebAssembly.compile(await r.arrayBuffer())
  }).catch((err: unknown) => {
    compiling = undefined
    throw err
  })
  return compiling
}

/**
 * A module of its own whose WebAssembly memory cannot grow beyond `heapMb` MiB plus the module's own
 * overhead (and never below the 16 MiB it starts with): a hard bound on everything the code in it
 * allocates, so the code gets about `heapMb` MiB. QuickJS' own memory limit
 * (`runtime.setMemoryLimit`) does not bound it in this build (it counts allocations through
 * `malloc_usable_size`, which emscripten lacks, so only single allocations larger than the limit
 * fail: 1 MiB buffers fill the whole 2 GiB wasm memory under a 16 MiB limit). A full memory makes
 * malloc fail, which QuickJS reports as `InternalError: out of memory`. Not shared and not cached:
 * dropping the module gives its memory back (wasm memory never shrinks).
 */
export async function quickJSWithMemoryCap (heapMb: number, who = 'custom agent'): Promise<QuickJSWASMModule> {
  const maximum = Math.max(INITIAL_PAGES, Math.ceil((heapMb + MODULE_OVERHEAD_MB) * 1024 * 1024 / PAGE_BYTES))
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum })
  try {
    return await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, inNode() ? { wasmMemory: memory } : { wasmModule: compiledWasm(), wasmMemory: memory }))
  } catch (err) {
    throw new Error(`${who}: cannot load the QuickJS sandbox: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** QuickJS' own out-of-memory error, as dumped (or serialised) from the sandbox. */
export function isOutOfMemoryError (e: unknown): boolean {
  const x = e as { name?: unknown, message?: unknown } | null
  return x?.name === 'InternalError' && x.message === 'out of memory'
}

/**
 * Whether an error dumped from `vm` means its memory is exhausted: QuickJS' own error, or, when the
 * memory is so full that QuickJS cannot even build that error, what comes out instead (null or an
 * empty string). A script may throw those too; a small allocation that fails tells them apart.
 */
export function outOfMemory (vm: QuickJSContext, e: unknown): boolean {
  if (isOutOfMemoryError(e)) return true
  if (e !== null && e !== undefined && e !== '') return false
  const probe = vm.evalCode('new Array(4096).fill(0).length')
  const full = probe.error !== undefined
  ;(probe.error ?? probe.value).dispose()
  return full
}
