import { describe, it, expect } from 'vitest'
import { decodeMeshMessage, encodeMeshMessage, MeshMessageError, MAX_MESH_MESSAGE_BYTES } from '../../../src/net/protocol.ts'

const enc = (x: unknown): Uint8Array => new TextEncoder().encode(typeof x === 'string' ? x : JSON.stringify(x))
function reason (data: Uint8Array): string {
  try { decodeMeshMessage(data); return 'accepted' } catch (err) { return (err as MeshMessageError).reason }
}

describe('mesh messages', () => {
  it('round-trips app messages', () => {
    const a = { v: 1 as const, kind: 'app' as const, channel: 'c', id: 'x-1', ts: 2, body: { n: [1, 2] } }
    expect(decodeMeshMessage(encodeMeshMessage(a))).toEqual(a)
  })
  it('drops unknown fields instead of passing them on', () => {
    expect(decodeMeshMessage(enc({ v: 1, kind: 'app', channel: 'c', id: 'i', ts: 1, body: null, evil: true }))).not.toHaveProperty('evil')
  })
  it.each([
    [new Uint8Array([0xff, 0xfe]), 'not-utf8'],
    [enc('{oops'), 'not-json'],
    [enc('[1,2]'), 'not-object'],
    [enc('null'), 'not-object'],
    [enc({ v: 2, kind: 'app' }), 'unknown-version'],
    [enc({ v: 1, kind: 'nope' }), 'unknown-kind'],
    [enc({ v: 1, kind: 'presence', state: 'here', ts: 1, seq: 0 }), 'unknown-kind'],
    [enc({ v: 1, kind: 'app', channel: 'c', id: 'a', ts: -1, body: 1 }), 'bad-field'],
    [enc({ v: 1, kind: 'app', channel: 'x'.repeat(65), id: 'a', ts: 1, body: 1 }), 'bad-field'],
    [enc({ v: 1, kind: 'app', channel: '', id: 'a', ts: 1, body: 1 }), 'bad-field'],
    [enc({ v: 1, kind: 'app', channel: 'c', id: 'a', ts: 1 }), 'bad-field'],
    [new Uint8Array(MAX_MESH_MESSAGE_BYTES + 1), 'too-large']
  ])('rejects bad input (%#) as %s', (data, why) => {
    expect(reason(data)).toBe(why)
  })
  it('names the bad field', () => {
    expect(() => decodeMeshMessage(enc({ v: 1, kind: 'app', channel: 'c', id: 7, ts: 1, body: 1 }))).toThrow('field "id"')
  })
  it('refuses to encode an oversize message', () => {
    expect(() => encodeMeshMessage({ v: 1, kind: 'app', channel: 'c', id: 'a', ts: 1, body: 'x'.repeat(MAX_MESH_MESSAGE_BYTES) })).toThrow(MeshMessageError)
  })
})
