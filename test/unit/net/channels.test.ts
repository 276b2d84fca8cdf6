// Room channels over real libp2p streams in Node (TCP on 127.0.0.1 + noise + yamux): delivery to
// every peer, authenticated senders, queueing while a stream opens, and a peer's bad frames
// counted and dropped without touching what else arrives.
import type { Libp2p, Stream } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { tcpNode } from '../graph/tcp-node.ts'
import { CHANNEL_PROTOCOL, MAX_CHANNEL_FRAME, RoomChannels, type ChannelDrop } from '../../../src/net/channels.ts'
import { encodeFrame, encodeVarint } from '../../../src/net/frames.ts'

const utf8 = new TextEncoder()
const text = (b: Uint8Array): string => new TextDecoder().decode(b)

async function until (what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

interface Member {
  node: Libp2p
  channels: RoomChannels
  got: Array<{ data: string, from: string }>
  reports: Array<{ reason: ChannelDrop, message: string }>
  publish: (data: string) => void
}

describe('RoomChannels', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c() })

  /** `n` nodes of `room`, every pair connected, each with channel `test` open. */
  async function room (n: number, roomName = 'r1'): Promise<Member[]> {
    const nodes = await Promise.all(Array.from({ length: n }, tcpNode))
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) await nodes[i]!.dial(nodes[j]!.getMultiaddrs())
    const members = await Promise.all(nodes.map(async node => {
      const reports: Member['reports'] = []
      const channels = new RoomChannels({
        libp2p: node,
        room: roomName,
        peers: () => nodes.filter(o => o !== node).map(o => o.peerId.toString()),
        report: (reason, message) => { reports.push({ reason, message }) }
      })
      await channels.start()
      const got: Member['got'] = []
      const ch = channels.open('test', (data, from) => { got.push({ data: text(data), from }) })
      return { node, channels, got, reports, publish: (d: string) => { ch.publish(utf8.encode(d)) } }
    }))
    cleanups.push(async () => { for (const m of members) { await m.channels.stop(); await m.node.stop() } })
    return members
  }

  /** Opens a raw stream from `from` to `to` on the channel protocol, as a misbehaving peer would. */
  async function rawStream (from: Member, to: Member): Promise<Stream> {
    const conn = from.node.getConnections(to.node.peerId)[0]!
    return await conn.newStream(CHANNEL_PROTOCOL)
  }
  const hello = (room = 'r1', v: unknown = 1): Uint8Array => encodeFrame(utf8.encode(JSON.stringify({ v, room })))
  const message = (name: string, data: string): Uint8Array => {
    const n = utf8.encode(name)
    return encodeFrame(utf8.encode(data), Uint8Array.from([n.byteLength, ...n]))
  }

  it('delivers each message once to every other peer, in order, with the sender authenticated by its connection', async () => {
    const [a, b, c] = await room(3)
    // Sent at once: the first ones wait for the streams to open, the rest follow in order.
    for (let i = 0; i < 50; i++) a!.publish(`m${i}`)
    b!.publish('from b')
    const sent = Array.from({ length: 50 }, (_, i) => `m${i}`)
    await until('all messages', () => b!.got.length === 50 && c!.got.length === 51)
    expect(b!.got.map(g => g.data)).toEqual(sent)
    expect(c!.got.filter(g => g.from === a!.node.peerId.toString()).map(g => g.data)).toEqual(sent)
    expect(c!.got.filter(g => g.from === b!.node.peerId.toString()).map(g => g.data)).toEqual(['from b'])
    expect(a!.got.map(g => g.data)).toEqual(['from b']) // never echoed back to the sender
    expect(a!.channels.stats.framesOut).toBe(100 + 2) // 50 messages to each of two peers, plus a hello each
    expect(b!.channels.stats.framesIn).toBe(50)
    for (const m of [a, b, c]) expect(m!.reports).toEqual([])
  })

  it('opens the stream ahead of the first message when told a peer joined, and again after a peer is dropped', async () => {
    const [a, b] = await room(2)
    const bId = b!.node.peerId.toString()
    a!.channels.warm(bId)
    await until('a warmed stream', () => a!.channels.stats.streamsOpened === 1)
    a!.publish('one')
    await until('one', () => b!.got.length === 1)
    expect(a!.channels.stats.streamsOpened).toBe(1)
    a!.channels.drop(bId)
    a!.publish('two')
    await until('two', () => b!.got.length === 2)
    expect(b!.got.map(g => g.data)).toEqual(['one', 'two'])
    expect(a!.channels.stats.streamsOpened).toBe(2)
  })

  it('ends a stream whose hello names another room or version, delivering nothing from it', async () => {
    const [a, b] = await room(2)
    for (const [h, reason, count] of [[hello('r2'), 'other-room', 1], [hello('r1', 2), 'bad-hello', 1], [encodeFrame(utf8.encode('{not json')), 'bad-hello', 2]] as const) {
      const s = await rawStream(a!, b!)
      s.send(h)
      s.send(message('test', 'smuggled'))
      await until(reason, () => b!.channels.stats.dropped[reason] === count)
    }
    expect(b!.got).toEqual([])
    expect(b!.channels.stats.dropped).toEqual({ 'other-room': 1, 'bad-hello': 2 })
    expect(b!.reports.map(r => r.message).join('\n')).toMatch(/room "r2"[\s\S]*version 2 is not supported[\s\S]*not a JSON hello/)
    // The real channel between them still works.
    a!.publish('fine')
    await until('fine', () => b!.got.length === 1)
  })

  it('counts and drops frames with a bad channel name or an unopened channel, and goes on with the stream', async () => {
    const [a, b] = await room(2)
    const s = await rawStream(a!, b!)
    s.send(hello())
    s.send(encodeFrame(Uint8Array.from([0, 1, 2]))) // empty name
    s.send(encodeFrame(Uint8Array.from([9, 65]))) // name longer than the frame
    s.send(encodeFrame(Uint8Array.from([2, 0xff, 0xfe, 65]))) // name not UTF-8
    s.send(message('elsewhere', 'x'))
    s.send(message('test', 'after the bad ones'))
    await until('the good frame', () => b!.got.length === 1)
    expect(b!.got[0]).toEqual({ data: 'after the bad ones', from: a!.node.peerId.toString() })
    expect(b!.channels.stats.dropped).toEqual({ 'bad-name': 3, 'unknown-channel': 1 })
    // Unopened channels are counted, not reported: peers open channels at different moments.
    expect(b!.reports.map(r => r.reason)).toEqual(['bad-name', 'bad-name', 'bad-name'])
  })

  it('ends a stream whose length prefix announces more than the limit, before buffering it', async () => {
    const [a, b] = await room(2)
    const s = await rawStream(a!, b!)
    s.send(hello())
    s.send(encodeVarint(MAX_CHANNEL_FRAME * 2))
    s.send(new Uint8Array(1024))
    await until('bad framing', () => (b!.channels.stats.dropped['bad-framing'] ?? 0) === 1)
    expect(b!.got).toEqual([])
    a!.publish('fine')
    await until('fine', () => b!.got.length === 1)
  })

  it('refuses to send a message over the limit, and survives a handler that throws', async () => {
    const [a, b] = await room(2)
    a!.channels.send('test', new Uint8Array(MAX_CHANNEL_FRAME + 1))
    expect(a!.channels.stats.dropped).toEqual({ oversize: 1 })
    expect(a!.reports[0]!.message).toMatch(/over the 1048576-byte limit/)
    let calls = 0
    b!.channels.open('boom', () => { calls++; throw new Error('handler bug') })
    a!.channels.send('boom', utf8.encode('x'))
    a!.publish('still here')
    await until('still here', () => b!.got.length === 1)
    expect(calls).toBe(1)
    expect(b!.channels.stats.dropped).toEqual({ 'handler-failed': 1 })
    expect(() => b!.channels.open('boom', () => {})).toThrow(/already open/)
    expect(() => b!.channels.open('', () => {})).toThrow(/1-64 bytes/)
  })

  it('shows every message sent and received to a tap', async () => {
    const [a, b] = await room(2)
    const seen: string[] = []
    const off = b!.channels.tap((dir, name, data, peer) => { seen.push(`${dir} ${name} ${text(data)} ${peer === undefined ? '-' : peer === a!.node.peerId.toString() ? 'a' : '?'}`) })
    a!.publish('hi')
    await until('hi', () => b!.got.length === 1)
    b!.publish('back')
    off()
    b!.publish('unseen')
    expect(seen).toEqual(['in test hi a', 'out test back -'])
  })
})
