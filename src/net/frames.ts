/**
 * Length-prefixed framing shared by the node's own stream protocols (room channels here, the graph's
 * sync protocol in src/graph/sync-frames.ts): an unsigned LEB128 varint byte length, then the bytes.
 * libp2p streams re-chunk data arbitrarily, so every message needs one.
 */

export function encodeVarint (value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`cannot encode ${value} as a frame length`)
  const out: number[] = []
  let v = value
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80)
    v = Math.floor(v / 128)
  }
  out.push(v)
  return Uint8Array.from(out)
}

/** Prefixes `payload` with its length; `head`, if given, is written between the length and the payload (and counted in the length). */
export function encodeFrame (payload: Uint8Array, head?: Uint8Array): Uint8Array {
  const bodyLength = (head?.byteLength ?? 0) + payload.byteLength
  const prefix = encodeVarint(bodyLength)
  const frame = new Uint8Array(prefix.byteLength + bodyLength)
  frame.set(prefix)
  if (head !== undefined) frame.set(head, prefix.byteLength)
  frame.set(payload, prefix.byteLength + (head?.byteLength ?? 0))
  return frame
}
