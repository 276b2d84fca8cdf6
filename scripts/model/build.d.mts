// Types for build.mjs, so TypeScript tests can call the builder directly.
export declare const BUILDER_VERSION: number
export declare const MODEL_ID: string
export declare const DEFAULT_VOCAB_SIZE: number
export declare const DEFAULT_OUT_DIR: string
export declare const SIF_A: number
export declare const STOP_WORD_SCALE: number
export declare const COMPONENTS: number

export interface BuildModelOptions {
  outDir?: string
  vocabSize?: number
  /** SIF smoothing a in a/(a+p(w)). */
  sifA?: number
  /** Extra factor on English stop-word rows. */
  stopWordScale?: number
  /** How many common components to project out. */
  components?: number
  force?: boolean
  verify?: boolean
  log?: (msg: string) => void
}

export interface BuildModelResult {
  outDir: string
  /** True when an up-to-date build was already in place. */
  skipped: boolean
  ms: number
  /** Bytes per generated file, by path relative to outDir. */
  files: Record<string, number>
}

export declare function buildModel(options?: BuildModelOptions): Promise<BuildModelResult>
