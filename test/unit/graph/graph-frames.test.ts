import { describe, expect, it } from 'vitest'
import { FrameDecoder, FrameError, encodeFrame, encodeVarint } from '../../../src/graph/sync-frames.ts'

describe('sync frame codec', () => {
  it('encodes lengths as minimal unsigned varints', () => {
    expect([...encodeVarint(0)]).toEqual([0])
    expect([...encodeVarint(127)]).toEqual([127])
    expect([...encodeVarint(128)]).toEqual([0x80, 0x01])
    expect([...encodeVarint(300)]).toEqual([0xac, 0x02])
  })

  it('reassembles frames however the bytes are chunked', () => {
    const payloads = [new Uint8Array([1]), new Uint8Array(300).fill(7), new Uint8Array([9, 9])]
    const wire = new Uint8Array(payloads.reduce((n, p) => n + encodeFrame(p).length, 0))
    let offset = 0
    for (const p of payloads) { const f = encodeFrame(p); wire.set(f, offset); offset += f.length }
    for (const chunk of [1, 2, 3, 7, 64, wire.length]) {
      const decoder = new FrameDecoder(1024)
      const out: Uint8Array[] = []
      for (let i = 0; i < wire.length; i += chunk) out.push(...decoder.push(wire.subarray(i, i + chunk)))
      expect(out.map(f => [...f])).toEqual(payloads.map(p => [...p]))
      expect(decoder.buffered).toBe(0)
    }
  })

  it('fails fast on oversize and malformed prefixes, before buffering the payload', () => {
    const failure = (decoder: FrameDecoder, bytes: number[]): FrameError => {
      try {
        decoder.push(Uint8Array.from(bytes))
      } catch (err) {
        if (err instanceof FrameError) return err
        throw err
      }
      throw new Error('expected a FrameError')
    }
    const decoder = new FrameDecoder(100)
    expect(failure(decoder, [0xe5, 0x00])).toMatchObject({ reason: 'oversize', fatal: true }) // 101 bytes announced
    expect(failure(new FrameDecoder(100), [101])).toMatchObject({ reason: 'oversize', fatal: true })
    expect(new FrameDecoder(100).push(Uint8Array.from([100]))).toEqual([]) // exactly the max is fine (waits for payload)
    expect(failure(new FrameDecoder(), [0x80, 0x80, 0x80, 0x80, 0x80, 0x80])).toMatchObject({ reason: 'bad-length', fatal: true })
    expect(failure(new FrameDecoder(), [0x80, 0x00])).toMatchObject({ reason: 'bad-length' })
    // once failed, the decoder stays failed: framing cannot be recovered
    expect(() => decoder.push(Uint8Array.from([1, 1]))).toThrow(/already failed/)
  })
})
