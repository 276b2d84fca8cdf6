/**
 * The link protocol: one long-lived stream per direct (WebRTC) connection. It opens with a hello in
 * each direction that names the room, so a peer of another room is turned away, then carries a small
 * ping from each side every 750 ms, the presence heartbeat (a peer whose links fall silent is gone),
 * and a bye when the page goes away. Each side's pings already prove it alive, so only every
 * `echoEvery`-th ping asks for a pong (`e: 1`), which gives the round-trip time shown in the mesh view:
 * answering every ping doubled the link's messages, the largest share of a full mesh's idle traffic
 * (10 tabs: 29 of 43 data-channel messages a second per tab). A ping without `e` (link version 1 as
 * first shipped) is always answered.
 *
 * Why not gossip and libp2p's connection monitor: the monitor opens a new data channel for every ping,
 * and signed gossip heartbeats cost every tab N² verifications and duplicates (measured idle main-thread
 * time per tab at N = 5: 11 % with both, 2 % with this).
 */
import { lpStream } from '@libp2p/utils'
import type { Connection, Stream } from '@libp2p/interface'

export const LINK_PROTOCOL = '/meshwork/link/1.0.0'
export const LINK_VERSION = 1
const MAX_FRAME = 1024

export type LinkFrame =
  | { t: 'hello', v: number, room: string }
  | { t: 'ping', n: number, e?: 0 | 1 }
  | { t: 'pong', n: number }
  | { t: 'bye' }

export class LinkError extends Error {
  constructor (readonly reason: 'other-room' | 'malformed' | 'unknown-version', message: string) {
    super(message)
    this.name = 'LinkError'
  }
}

/** Validates one frame from the wire; throws a LinkError that says what is wrong. */
export function decodeLinkFrame (bytes: Uint8Array): LinkFrame {
  let raw: unknown
  try { raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) } catch {
    throw new LinkError('malformed', 'link frame is not UTF-8 JSON')
  }
  if (typeof raw !== 'object' || raw === null) throw new LinkError('malformed', 'link frame is not an object')
  const f = raw as Record<string, unknown>
  if (f.t === 'hello') {
    if (f.v !== LINK_VERSION) throw new LinkError('unknown-version', `link version ${JSON.stringify(f.v)} is not supported (this node speaks ${LINK_VERSION})`)
    if (typeof f.room !== 'string' || f.room.length === 0 || f.room.length > 64) throw new LinkError('malformed', 'hello needs a room of 1-64 characters')
    return { t: 'hello', v: LINK_VERSION, room: f.room }
  }
  if (f.t === 'ping' && Number.isSafeInteger(f.n)) {
    if (f.e === undefined) return { t: 'ping', n: f.n as number }
    if (f.e === 0 || f.e === 1) return { t: 'ping', n: f.n as number, e: f.e }
    throw new LinkError('malformed', 'ping echo flag must be 0 or 1')
  }
  if (f.t === 'pong' && Number.isSafeInteger(f.n)) return { t: 'pong', n: f.n as number }
  if (f.t === 'bye') return { t: 'bye' }
  throw new LinkError('malformed', `unknown link frame ${JSON.stringify(f.t)}`)
}

const encode = (f: LinkFrame): Uint8Array => new TextEncoder().encode(JSON.stringify(f))

export interface LinkOptions {
  room: string
  pingIntervalMs: number
  signal: AbortSignal
  /** The hellos matched: the peer is in this room. `sendBye` says goodbye on this link. */
  onOpen: (sendBye: () => void) => void
  /** Any frame arrived: the peer is alive. */
  onAlive: () => void
  onRtt: (ms: number) => void
  /** Every how many pings one asks for a pong (a round-trip time). Default 4: one per 3 s at 750 ms. */
  echoEvery?: number
  /** The peer said goodbye; the link ends. */
  onBye: () => void
}

/**
 * Runs the link on `stream` until it ends, the signal aborts or the peer misbehaves. Resolves when
 * the stream closes normally; rejects with a LinkError for a wrong room or bad frames (the caller
 * closes the connection) and with the stream's error otherwise.
 */
export async function runLink (stream: Stream, conn: Connection, opts: LinkOptions): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: MAX_FRAME })
  const timeout = AbortSignal.any([opts.signal, AbortSignal.timeout(15_000)])
  await lp.write(encode({ t: 'hello', v: LINK_VERSION, room: opts.room }), { signal: timeout })
  const hello = decodeLinkFrame((await lp.read({ signal: timeout })).subarray())
  if (hello.t !== 'hello') throw new LinkError('malformed', `expected a hello, got ${hello.t}`)
  if (hello.room !== opts.room) throw new LinkError('other-room', `it is in room ${JSON.stringify(hello.room)}`)
  // A bye must leave during pagehide, so it is handed to the data channel at once, not awaited.
  opts.onOpen(() => { lp.write(encode({ t: 'bye' })).catch(() => {}) })
  opts.onAlive()

  const sent = new Map<number, number>()
  const echoEvery = Math.max(1, opts.echoEvery ?? 4)
  let n = 0
  const pinger = setInterval(() => {
    if (conn.status !== 'open') return
    const id = ++n
    // The first ping asks, so the mesh view has a round-trip time at once.
    const e = (id - 1) % echoEvery === 0 ? 1 : 0
    if (e === 1) {
      sent.set(id, performance.now())
      if (sent.size > 8) sent.delete(sent.keys().next().value as number)
    }
    lp.write(encode({ t: 'ping', n: id, e })).catch(() => {})
  }, opts.pingIntervalMs)
  try {
    while (!opts.signal.aborted) {
      const frame = decodeLinkFrame((await lp.read({ signal: opts.signal })).subarray())
      if (frame.t === 'bye') { opts.onBye(); return }
      opts.onAlive()
      if (frame.t === 'ping') { if (frame.e !== 0) await lp.write(encode({ t: 'pong', n: frame.n })) }
      else if (frame.t === 'pong') {
        const at = sent.get(frame.n)
        if (at !== undefined) { sent.delete(frame.n); opts.onRtt(performance.now() - at) }
      }
    }
  } finally {
    clearInterval(pinger)
  }
}
