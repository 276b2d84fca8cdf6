import { describe, it, expect } from 'vitest'
import { decodeLinkFrame, LinkError } from '../../../src/net/link.ts'

const enc = (x: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(x))
const reasonOf = (b: Uint8Array): string => { try { decodeLinkFrame(b); return 'ok' } catch (e) { return (e as LinkError).reason } }

describe('link frames', () => {
  it('accepts hello, ping and pong', () => {
    expect(decodeLinkFrame(enc({ t: 'hello', v: 1, room: 'lobby', extra: 1 }))).toEqual({ t: 'hello', v: 1, room: 'lobby' })
    expect(decodeLinkFrame(enc({ t: 'ping', n: 3 }))).toEqual({ t: 'ping', n: 3 })
    expect(decodeLinkFrame(enc({ t: 'pong', n: 3 }))).toEqual({ t: 'pong', n: 3 })
    expect(decodeLinkFrame(enc({ t: 'bye' }))).toEqual({ t: 'bye' })
  })
  it('rejects bad frames with a reason', () => {
    expect(reasonOf(new Uint8Array([0xff]))).toBe('malformed')
    expect(reasonOf(enc(null))).toBe('malformed')
    expect(reasonOf(enc({ t: 'hello', v: 2, room: 'x' }))).toBe('unknown-version')
    expect(reasonOf(enc({ t: 'hello', v: 1, room: '' }))).toBe('malformed')
    expect(reasonOf(enc({ t: 'ping', n: 'x' }))).toBe('malformed')
    expect(reasonOf(enc({ t: 'boom' }))).toBe('malformed')
  })
})
