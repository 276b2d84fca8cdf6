/**
 * The embedding model ids the app knows by name. Apart from embedder.ts so the page can name them
 * without bundling Transformers.js and ONNX Runtime, which only the embedding worker needs.
 */

/** Default model when the hub is reachable: 384-d, ~23 MB at q8. */
export const ONLINE_MODEL = 'Xenova/all-MiniLM-L6-v2'
/** Built by scripts/build-model.mjs into public/models/; 100-d, ~12 MB, no network needed. */
export const EMBEDDED_MODEL = 'meshwork-glove-100d'
