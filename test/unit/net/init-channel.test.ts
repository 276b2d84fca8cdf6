import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { settleInitChannel, type InitChannel } from '../../../src/net/init-channel.ts'
import { patchInitiateConnection, patchStream, STREAM_TARGET, TARGET } from '../../../scripts/patch-libp2p-webrtc.ts'

/** A data channel whose state the test drives, as Chromium's does (events after the state change). */
class FakeChannel extends EventTarget implements InitChannel {
  readyState: RTCDataChannelState
  closes = 0
  constructor (state: RTCDataChannelState) { super(); this.readyState = state }
  to (state: RTCDataChannelState, event: string): void { this.readyState = state; this.dispatchEvent(new Event(event)) }
  close (): void {
    this.closes++
    if (this.readyState === 'closed') return
    this.readyState = 'closing'
    setTimeout(() => this.to('closed', 'close'), 5)
  }
}

describe('settleInitChannel', () => {
  it('closes an open channel and resolves once it is closed', async () => {
    const ch = new FakeChannel('open')
    expect(await settleInitChannel(ch)).toBe('open')
    expect(ch.closes).toBe(1)
    expect(ch.readyState).toBe('closed')
  })

  it('resolves at once for a channel the other side closed before we were connected (the stuck dial)', async () => {
    const ch = new FakeChannel('closed')
    expect(await settleInitChannel(ch, AbortSignal.timeout(1000))).toBe('closed')
    expect(ch.closes).toBe(0)
  })

  it('waits out a closing channel without closing it again', async () => {
    const ch = new FakeChannel('closing')
    setTimeout(() => ch.to('closed', 'close'), 10)
    expect(await settleInitChannel(ch, AbortSignal.timeout(1000))).toBe('closing')
    expect(ch.closes).toBe(0)
    expect(ch.readyState).toBe('closed')
  })

  it('waits for a connecting channel to open, then closes it', async () => {
    const ch = new FakeChannel('connecting')
    setTimeout(() => ch.to('open', 'open'), 10)
    await settleInitChannel(ch, AbortSignal.timeout(1000))
    expect(ch.closes).toBe(1)
    expect(ch.readyState).toBe('closed')
  })

  it('does not wait for an open that will not come when a connecting channel is closed instead', async () => {
    const ch = new FakeChannel('connecting')
    setTimeout(() => ch.to('closed', 'close'), 10)
    await settleInitChannel(ch, AbortSignal.timeout(1000))
    expect(ch.closes).toBe(0)
  })

  it('rejects with the signal\'s reason when the channel never settles', async () => {
    const ch = new FakeChannel('connecting')
    await expect(settleInitChannel(ch, AbortSignal.timeout(20))).rejects.toThrow(/timed out|timeout/i)
  })
})

describe('the build-time patch of @libp2p/webrtc', () => {
  const require = createRequire(import.meta.url)
  const file = require.resolve('@libp2p/webrtc').replace(/index\.js$/, 'private-to-private/initiate-connection.js')

  it('finds the installed dialer and replaces its init channel waits with settleInitChannel', () => {
    expect(TARGET.test(file)).toBe(true)
    const code = readFileSync(file, 'utf8')
    expect(code).toContain("await pEvent(channel, 'open'")
    const patched = patchInitiateConnection(code, '/x/init-channel.ts')
    expect(patched.startsWith('import { settleInitChannel as __meshworkSettleInitChannel } from "/x/init-channel.ts";')).toBe(true)
    expect(patched).toContain('await __meshworkSettleInitChannel(channel, signal);')
    expect(patched).not.toContain("pEvent(channel, 'open'")
    expect(patched).not.toContain("pEvent(channel, 'close'")
    // The rest of the dial is untouched: the stream is still closed after the channel.
    expect(patched.indexOf('__meshworkSettleInitChannel(channel')).toBeLessThan(patched.indexOf('await stream.close('))
  })

  it('fails loudly when the library code is not the code it fixes', () => {
    expect(() => patchInitiateConnection('export const x = 1')).toThrow(/found it 0 times/)
    expect(() => patchStream('export const x = 1')).toThrow(/found it 0 times/)
  })

  it('makes a stream send each libp2p message as one data-channel message, not prefix and body apart', async () => {
    const file = require.resolve('@libp2p/webrtc').replace(/index\.js$/, 'stream.js')
    expect(STREAM_TARGET.test(file)).toBe(true)
    const code = readFileSync(file, 'utf8')
    const patched = patchStream(code)
    expect(patched).not.toContain('for (const buf of data)')
    // Run the patched _sendMessage on the library's own framing of a message and count what goes out.
    const body = (source: string): string => {
      const m = /_sendMessage\(data\) \{([\s\S]*?)\n    \}\n/.exec(source)
      if (m === null) throw new Error('no _sendMessage in stream.js')
      return m[1]!
    }
    const { Uint8ArrayList } = await import('uint8arraylist')
    const withArrayBuffer = (b: Uint8Array): Uint8Array => b
    const framed = new Uint8ArrayList(Uint8Array.of(3), Uint8Array.of(10, 1, 7))
    const run = (source: string): Uint8Array[] => {
      const sent: Uint8Array[] = []
      const self = { channel: { readyState: 'open', send: (b: Uint8Array) => { sent.push(new Uint8Array(b)) } }, log: Object.assign(() => {}, { trace: () => {}, error: () => {} }), abort: (err: Error) => { throw err } }
      // eslint-disable-next-line no-new-func
      new Function('data', 'withArrayBuffer', 'StreamStateError', body(source)).call(self, framed, withArrayBuffer, Error)
      return sent
    }
    expect(run(code).length).toBe(2)
    const once = run(patched)
    expect(once.length).toBe(1)
    expect([...once[0]!]).toEqual([3, 10, 1, 7])
  })
})
