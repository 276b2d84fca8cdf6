/**
 * Room channels over direct streams: named byte channels that reach every present peer of the room
 * over the direct (WebRTC) connection the mesh already holds to it, one sender-to-receiver stream per
 * pair, never through the relay.
 *
 * Why not gossip: gossipsub signs every message, verifies it on every receiver, and each receiver
 * forwards it to the rest of its mesh, so in a fully meshed room of N tabs a message is sent (N-1)²
 * times instead of N-1 (16 sends instead of 4 at N = 5), with "don't want" notices on top. The
 * protocols that use channels sign and validate their own messages (the coordination protocol), and
 * presence already means "a direct link whose hello matched" (link.ts), so a direct send to each
 * present peer reaches exactly the peers that count.
 *
 * Wire (`/meshwork/channel/1.0.0`): a stream carries frames one way only, from its opener. Every
 * frame is a varint length and that many bytes (frames.ts). The first is a hello, UTF-8 JSON
 * `{ "v": 1, "room": "<room>" }`; a hello of another room or version ends the stream. Each later
 * frame is one message: a byte with the channel name's length (1-64), the name in UTF-8, and the
 * message's bytes, at most {@link MAX_CHANNEL_FRAME} of them. A receiver counts and drops a
 * frame for a channel it has not opened, and ends a stream whose framing breaks.
 *
 * Delivery is at most once, in order per sender. A message sent while the stream to a peer is still
 * opening waits for it (bounded); a peer that leaves takes its queued messages with it.
 */
import { LengthPrefixedDecoder } from '@libp2p/utils'
import type { Connection, Libp2p, Stream, StreamMessageEvent } from '@libp2p/interface'
import { peerIdOf } from './peer-ids.ts'
import { encodeFrame } from './frames.ts'

export const CHANNEL_PROTOCOL = '/meshwork/channel/1.0.0'
export const CHANNEL_VERSION = 1
/** Largest message, its channel name not counted. Protocols on top set their own, smaller limits (coordination: 64 KiB). */
export const MAX_CHANNEL_FRAME = 1024 * 1024
/** Messages kept for a peer whose stream is still opening; more are dropped and counted. */
const MAX_QUEUED = 1000
const OPEN_TIMEOUT_MS = 5000
const MAX_NAME = 64

export type ChannelDrop =
  | 'bad-hello' // the first frame is not a hello of this version (stream ended)
  | 'other-room' // a hello of another room (stream ended)
  | 'bad-framing' // a length prefix that is malformed or over the limit (stream ended)
  | 'bad-name' // a frame without a valid channel name
  | 'unknown-channel' // a channel this node has not opened
  | 'handler-failed' // the channel's handler threw
  | 'no-stream' // (outgoing) no direct connection to the peer, or the stream could not open
  | 'queue-full' // (outgoing) too many messages waiting for a stream to open
  | 'oversize' // (outgoing) larger than MAX_CHANNEL_FRAME

export interface ChannelStats {
  framesIn: number
  framesOut: number
  bytesIn: number
  bytesOut: number
  streamsOpened: number
  dropped: Partial<Record<ChannelDrop, number>>
}

/** What the channels need from the node around them. */
export interface ChannelHost {
  libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'getConnections'>
  room: string
  /** The peers a message to the room goes to: present peers of the room, not this node. */
  peers: () => string[]
  /** Something went wrong that a person may want to see (counted here too). */
  report: (reason: ChannelDrop, message: string, peerId?: string) => void
}

/** Sees every message sent or received on any channel: for diagnostics and tests. */
export type ChannelTap = (direction: 'in' | 'out', channel: string, data: Uint8Array, peerId?: string) => void

interface Outbound {
  stream?: Stream
  opening?: Promise<void>
  queue: Uint8Array[]
}

const utf8 = new TextEncoder()
const utf8Strict = new TextDecoder('utf-8', { fatal: true })

export class RoomChannels {
  readonly stats: ChannelStats = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, streamsOpened: 0, dropped: {} }
  private readonly handlers = new Map<string, (data: Uint8Array, from: string) => void>()
  private readonly out = new Map<string, Outbound>()
  private readonly inbound = new Set<Stream>()
  private readonly taps = new Set<ChannelTap>()
  private readonly heads = new Map<string, Uint8Array>()
  private started = false

  constructor (private readonly host: ChannelHost) {}

  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    // Limited (relayed) connections are refused: the relay never carries application traffic.
    await this.host.libp2p.handle(CHANNEL_PROTOCOL, (stream, conn) => { this.accept(stream, conn) }, { runOnLimitedConnection: false })
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    for (const peer of [...this.out.keys()]) this.drop(peer)
    for (const s of this.inbound) s.abort(new Error('channels stopped'))
    this.inbound.clear()
    await this.host.libp2p.unhandle(CHANNEL_PROTOCOL).catch(() => {})
  }

  /** Opens channel `name`: `onData` gets each message from another peer with the sender's (connection-authenticated) peer id. */
  open (name: string, onData: (data: Uint8Array, from: string) => void): { publish: (data: Uint8Array) => void, close: () => void } {
    this.head(name)
    if (this.handlers.has(name)) throw new Error(`channel ${name} is already open`)
    this.handlers.set(name, onData)
    return {
      publish: data => { this.send(name, data) },
      close: () => { if (this.handlers.get(name) === onData) this.handlers.delete(name) }
    }
  }

  /** Sends `data` on channel `name` to every present peer (or to `to`). Open or not here: tools use it to send what the API never would. */
  send (name: string, data: Uint8Array, to: string[] = this.host.peers()): void {
    if (data.byteLength > MAX_CHANNEL_FRAME) {
      this.count('oversize', `${name}: a message of ${data.byteLength} bytes is over the ${MAX_CHANNEL_FRAME}-byte limit`)
      return
    }
    const frame = encodeFrame(data, this.head(name))
    for (const tap of this.taps) tap('out', name, data)
    for (const peer of to) this.sendTo(peer, frame)
  }

  /** Opens the stream to a peer that just joined before the first message needs it (if any channel is open here). */
  warm (peerId: string): void {
    if (!this.started || this.handlers.size === 0 || this.out.has(peerId)) return
    const o: Outbound = { queue: [] }
    this.out.set(peerId, o)
    o.opening = this.openTo(peerId, o).finally(() => { o.opening = undefined })
  }

  /** Forgets a peer that left: its stream ends and what was queued for it is dropped. */
  drop (peerId: string): void {
    const o = this.out.get(peerId)
    if (o === undefined) return
    this.out.delete(peerId)
    o.queue.length = 0
    o.stream?.abort(new Error('peer left'))
  }

  tap (fn: ChannelTap): () => void {
    this.taps.add(fn)
    return () => { this.taps.delete(fn) }
  }

  /** The frame head for channel `name` (its length byte and UTF-8 bytes), validated once. */
  private head (name: string): Uint8Array {
    let head = this.heads.get(name)
    if (head === undefined) {
      const bytes = utf8.encode(name)
      if (bytes.byteLength === 0 || bytes.byteLength > MAX_NAME) throw new Error(`a channel name must be 1-${MAX_NAME} bytes of UTF-8, got ${JSON.stringify(name)}`)
      head = new Uint8Array(1 + bytes.byteLength)
      head[0] = bytes.byteLength
      head.set(bytes, 1)
      this.heads.set(name, head)
    }
    return head
  }

  private count (reason: ChannelDrop, message: string, peerId?: string): void {
    const n = (this.stats.dropped[reason] ?? 0) + 1
    this.stats.dropped[reason] = n
    // Frames for channels this node has not opened are normal during start-up: counted, not reported.
    if (reason === 'unknown-channel') return
    // A misbehaving peer must not flood the log: the first few, then every hundredth.
    if (n <= 5 || n % 100 === 0) this.host.report(reason, n > 5 ? `${message} (${n} so far)` : message, peerId)
  }

  private sendTo (peer: string, frame: Uint8Array): void {
    let o = this.out.get(peer)
    if (o === undefined) {
      o = { queue: [] }
      this.out.set(peer, o)
    }
    if (o.stream !== undefined) { this.write(peer, o, o.stream, frame); return }
    if (o.queue.length >= MAX_QUEUED) { this.count('queue-full', `dropped a message to ${peer.slice(-8)}: ${MAX_QUEUED} are already waiting for its stream`, peer); return }
    o.queue.push(frame)
    o.opening ??= this.openTo(peer, o).finally(() => { o.opening = undefined })
  }

  private write (peer: string, o: Outbound, stream: Stream, frame: Uint8Array): void {
    try {
      // send() buffers beyond the high-water mark and libp2p drains in order.
      stream.send(frame)
      this.stats.framesOut++
      this.stats.bytesOut += frame.byteLength
    } catch (err) {
      this.count('no-stream', `cannot send to ${peer.slice(-8)}: ${(err as Error).message}`, peer)
      if (o.stream === stream) o.stream = undefined
    }
  }

  /** The newest open direct (unlimited) connection to `peer`: an older one may be dead without libp2p knowing yet. */
  private connectionTo (peer: string): Connection | undefined {
    return this.host.libp2p.getConnections(peerIdOf(peer))
      .filter(c => c.status === 'open' && c.limits == null)
      .sort((a, b) => (b.timeline.open ?? 0) - (a.timeline.open ?? 0))[0]
  }

  private async openTo (peer: string, o: Outbound): Promise<void> {
    const conn = this.connectionTo(peer)
    let stream: Stream
    try {
      if (conn === undefined) throw new Error('no direct connection')
      stream = await conn.newStream(CHANNEL_PROTOCOL, { signal: AbortSignal.timeout(OPEN_TIMEOUT_MS) })
    } catch (err) {
      const lost = o.queue.length
      o.queue.length = 0
      if (this.out.get(peer) === o) this.out.delete(peer)
      if (this.started && lost > 0) this.count('no-stream', `dropped ${lost} message(s) to ${peer.slice(-8)}: ${(err as Error).message}`, peer)
      return
    }
    if (!this.started || this.out.get(peer) !== o) { stream.abort(new Error('not wanted any more')); return }
    this.stats.streamsOpened++
    o.stream = stream
    // Nothing comes back on our half; drop whatever would.
    stream.addEventListener('message', () => {})
    stream.addEventListener('close', () => {
      if (o.stream === stream) o.stream = undefined
      if (this.out.get(peer) === o && o.stream === undefined && o.opening === undefined) this.out.delete(peer)
    })
    this.write(peer, o, stream, encodeFrame(utf8.encode(JSON.stringify({ v: CHANNEL_VERSION, room: this.host.room }))))
    const queued = o.queue.splice(0)
    for (const frame of queued) this.write(peer, o, stream, frame)
  }

  private accept (stream: Stream, conn: Connection): void {
    if (!this.started) { stream.abort(new Error('channels not started')); return }
    const peer = conn.remotePeer.toString()
    this.inbound.add(stream)
    // We never write on the remote's half: close our end so the stream ends when the remote closes its own.
    stream.close().catch(() => {})
    const decoder = new LengthPrefixedDecoder({ maxDataLength: MAX_CHANNEL_FRAME + 1 + MAX_NAME, maxBufferSize: 4 * MAX_CHANNEL_FRAME })
    let hello = false
    const end = (reason: ChannelDrop, message: string): void => {
      this.count(reason, message, peer)
      this.inbound.delete(stream)
      stream.abort(new Error(message))
    }
    stream.addEventListener('message', (evt: StreamMessageEvent) => {
      if (!this.inbound.has(stream)) return
      const chunk = evt.data instanceof Uint8Array ? evt.data : evt.data.subarray()
      this.stats.bytesIn += chunk.byteLength
      try {
        for (const list of decoder.decode(chunk)) {
          const frame = list.subarray()
          if (!hello) {
            const problem = checkHello(frame, this.host.room)
            if (problem !== undefined) { end(problem[0], `ended a channel stream from ${peer.slice(-8)}: ${problem[1]}`); return }
            hello = true
            continue
          }
          this.stats.framesIn++
          this.deliver(frame, peer)
        }
      } catch (err) {
        end('bad-framing', `ended a channel stream from ${peer.slice(-8)}: ${(err as Error).message}`)
      }
    })
    stream.addEventListener('close', () => { this.inbound.delete(stream) })
  }

  private deliver (frame: Uint8Array, peer: string): void {
    const n = frame[0]!
    if (n === 0 || n > MAX_NAME || frame.byteLength < 1 + n) { this.count('bad-name', `dropped a channel frame from ${peer.slice(-8)} without a valid channel name`, peer); return }
    let name: string
    try { name = utf8Strict.decode(frame.subarray(1, 1 + n)) } catch {
      this.count('bad-name', `dropped a channel frame from ${peer.slice(-8)}: its channel name is not UTF-8`, peer)
      return
    }
    const data = frame.subarray(1 + n)
    for (const tap of this.taps) tap('in', name, data, peer)
    const handler = this.handlers.get(name)
    if (handler === undefined) { this.count('unknown-channel', `no channel ${name}`, peer); return }
    try { handler(data, peer) } catch (err) {
      this.count('handler-failed', `${name}: ${(err as Error).message}`, peer)
    }
  }
}

/** Undefined if `frame` is a hello of this version and room, else why not. */
function checkHello (frame: Uint8Array, room: string): [ChannelDrop, string] | undefined {
  let h: unknown
  try { h = JSON.parse(utf8Strict.decode(frame)) } catch { return ['bad-hello', 'its first frame is not a JSON hello'] }
  if (typeof h !== 'object' || h === null) return ['bad-hello', 'its hello is not an object']
  const { v, room: theirs } = h as { v?: unknown, room?: unknown }
  if (v !== CHANNEL_VERSION) return ['bad-hello', `channel version ${JSON.stringify(v)} is not supported (this node speaks ${CHANNEL_VERSION})`]
  if (theirs !== room) return ['other-room', `it is for room ${JSON.stringify(theirs)}`]
  return undefined
}
