/**
 * Deterministic JSON: object keys sorted (by UTF-16 code units, as `Array.prototype.sort` does),
 * no whitespace, `undefined` members left out, numbers and strings exactly as `JSON.stringify`
 * writes them. Two nodes that hold equal values produce equal bytes, which is what a signature
 * over a parsed-and-re-encoded message needs: JSON numbers round-trip exactly in JavaScript, so
 * `canonicalJson(JSON.parse(canonicalJson(x))) === canonicalJson(x)` for every JSON value `x`.
 */
export function canonicalJson (value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value)
    // undefined, functions and symbols have no JSON form; callers only pass JSON.
    if (s === undefined) throw new TypeError(`canonicalJson: ${typeof value} is not JSON`)
    return s
  }
  if (Array.isArray(value)) {
    return `[${value.map(item => item === undefined ? 'null' : canonicalJson(item)).join(',')}]`
  }
  const record = value as Record<string, unknown>
  const parts: string[] = []
  for (const key of Object.keys(record).sort()) {
    const item = record[key]
    if (item === undefined) continue
    parts.push(`${JSON.stringify(key)}:${canonicalJson(item)}`)
  }
  return `{${parts.join(',')}}`
}
