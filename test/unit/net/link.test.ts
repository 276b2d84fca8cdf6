import { describe, it, expect } from 'vitest'
import { lpStream, streamPair } from '@libp2p/utils'
import type { Connection, Stream } from '@libp2p/interface'
import { decodeLinkFrame, LinkError, runLink } from '../../../src/net/link.ts'

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

describe('link heartbeat (real stream pair)', () => {
  const open = { status: 'open' } as unknown as Connection

  it('each side pings; only every echoEvery-th ping is answered, and that gives the round-trip times', async () => {
    const [a, b] = await streamPair()
    const ctrl = new AbortController()
    const seen = { a: { alive: 0, rtt: 0 }, b: { alive: 0, rtt: 0 } }
    const run = (s: Stream, who: 'a' | 'b'): Promise<void> => runLink(s, open, {
      room: 'r', pingIntervalMs: 10, echoEvery: 4, signal: ctrl.signal,
      onOpen: () => {}, onAlive: () => { seen[who].alive++ }, onRtt: () => { seen[who].rtt++ }, onBye: () => {}
    })
    const done = Promise.allSettled([run(a, 'a'), run(b, 'b')])
    await new Promise(resolve => setTimeout(resolve, 400))
    ctrl.abort()
    await done
    for (const who of ['a', 'b'] as const) {
      // Alive on every frame from the other side: its pings (and the few pongs).
      expect(seen[who].alive).toBeGreaterThan(15)
      expect(seen[who].rtt).toBeGreaterThan(2)
      // About one pong per four pings: well below one per ping.
      expect(seen[who].rtt).toBeLessThan(seen[who].alive / 2)
    }
  })

  it('answers a ping without the echo flag (the first link version) and validates the flag', async () => {
    const [a, b] = await streamPair()
    const ctrl = new AbortController()
    const done = runLink(a, open, { room: 'r', pingIntervalMs: 60_000, signal: ctrl.signal, onOpen: () => {}, onAlive: () => {}, onRtt: () => {}, onBye: () => {} }).catch(() => {})
    const lp = lpStream(b)
    await lp.write(enc({ t: 'hello', v: 1, room: 'r' }))
    expect(decodeLinkFrame((await lp.read()).subarray()).t).toBe('hello')
    await lp.write(enc({ t: 'ping', n: 7 }))
    expect(decodeLinkFrame((await lp.read()).subarray())).toEqual({ t: 'pong', n: 7 })
    await lp.write(enc({ t: 'ping', n: 8, e: 0 }))
    await lp.write(enc({ t: 'ping', n: 9, e: 1 }))
    expect(decodeLinkFrame((await lp.read()).subarray())).toEqual({ t: 'pong', n: 9 })
    ctrl.abort()
    await done
    expect(reasonOf(enc({ t: 'ping', n: 1, e: 2 }))).toBe('malformed')
    expect(decodeLinkFrame(enc({ t: 'ping', n: 1, e: 0 }))).toEqual({ t: 'ping', n: 1, e: 0 })
  })
})
