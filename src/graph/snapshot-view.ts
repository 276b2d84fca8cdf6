/**
 * The view that travels with a snapshot: the graph's entities and edges as the JSON export
 * (graph-export.ts), gzip-compressed.
 *
 * A new tab can show a view long before it holds the document. Loading a 10k-entity snapshot with
 * `Automerge.load` takes 0.3 s in Node and 0.7 s in a Chromium worker that shares two cores with
 * the tab's start-up; parsing and validating the view takes a tenth of that. So the snapshot
 * server sends the view first and the document after it; the new tab shows the view at once (a
 * preview: every entry validated like an import), loads the document meanwhile, and then lets the
 * document's own index replace the preview (which it announces only where the two differ). Until
 * then the worker holds the tab's writes back, so a write to an entity the tab only knows from
 * the preview lands on the document that holds it. If the document never comes, the preview is
 * withdrawn and ordinary sync delivers the graph.
 *
 * A view is evidence of nothing: the document decides what the tab holds. A peer that sends a view
 * unlike its document only makes the tab show wrong entries for the time of one load.
 */
import { EXPORT_FORMAT, parseExport, type GraphExport } from './graph-export.ts'
import type { GraphIndex } from './graph-index.ts'
import { GraphValidationError, SCHEMA_VERSION, type Edge, type Entity } from './schema.ts'

/** Largest decompressed view accepted, bytes (a gzip bomb stops here). */
export const MAX_VIEW_JSON_BYTES = 64 * 1024 * 1024

const utf8 = new TextEncoder()

/** Streams `bytes` through a (de)compression transform, stopping past `maxOut` bytes. */
async function transform (bytes: Uint8Array, stream: CompressionStream | DecompressionStream, maxOut: number): Promise<Uint8Array> {
  const writer = stream.writable.getWriter()
  void writer.write(bytes as Uint8Array<ArrayBuffer>).then(async () => { await writer.close() }).catch(() => {})
  const reader = stream.readable.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxOut) {
      await reader.cancel().catch(() => {})
      throw new GraphValidationError('view', `decompresses to more than ${maxOut} bytes`)
    }
    chunks.push(value)
  }
  const out = new Uint8Array(size)
  let at = 0
  for (const c of chunks) { out.set(c, at); at += c.byteLength }
  return out
}

/** The view of `index`: its entities and edges as the JSON export, gzip-compressed. */
export async function encodeView (index: Pick<GraphIndex, 'entities' | 'edges'>, exportedAt = Date.now()): Promise<Uint8Array> {
  const view: GraphExport = {
    format: EXPORT_FORMAT,
    schemaVersion: SCHEMA_VERSION,
    exportedAt,
    entities: [...index.entities.values()],
    edges: [...index.edges.values()]
  }
  return await transform(utf8.encode(JSON.stringify(view)), new CompressionStream('gzip'), Number.MAX_SAFE_INTEGER)
}

/**
 * Decompresses and validates a view. Throws a GraphValidationError naming the first bad part
 * (not gzip, too large, not JSON, not an export, an invalid entity or edge): a view is taken
 * whole or not at all.
 */
export async function decodeView (bytes: Uint8Array, maxJsonBytes = MAX_VIEW_JSON_BYTES): Promise<{ entities: Entity[], edges: Edge[] }> {
  let json: Uint8Array
  try {
    json = await transform(bytes, new DecompressionStream('gzip'), maxJsonBytes)
  } catch (err) {
    if (err instanceof GraphValidationError) throw err
    throw new GraphValidationError('view', `is not gzip data (${err instanceof Error ? err.message : String(err)})`)
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json)
  } catch {
    throw new GraphValidationError('view', 'is not UTF-8 text')
  }
  try {
    return parseExport(text)
  } catch (err) {
    if (err instanceof GraphValidationError) throw err.under('view')
    throw err
  }
}
