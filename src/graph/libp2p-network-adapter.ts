/**
 * An automerge-repo NetworkAdapter over libp2p streams (libp2p 3 stream API).
 *
 * Topology: for every accepted remote libp2p peer each side opens ONE outbound stream on
 * {@link SYNC_PROTOCOL} and only writes to it; it reads only from the stream the remote
 * opened. Two unidirectional streams avoid any "who opens" tie-break: either side can
 * (re)establish its half at any time. A peer is announced to the Repo (`peer-candidate`) once
 * we have both halves, i.e. we know its Repo peer id (from its hello) and can write to it;
 * losing either half ends the session (`peer-disconnected`) and closes the other half.
 *
 * Relayed (limited) connections: used by default (`runOnLimitedConnection: true`), because
 * browsers usually reach each other through a circuit relay first. Relays cap data and
 * duration (circuit-relay-v2 defaults: 128 KiB / 2 min), so a large first sync may be cut;
 * the session then ends and is re-established, ideally on a direct connection. When an
 * unlimited connection to a peer opens, our outbound stream migrates to it.
 *
 * Robustness: frames are validated (sync-frames.ts); a bad frame is counted in `stats` and
 * dropped, a frame that breaks framing closes that stream, and nothing from a bad frame ever
 * reaches the Repo.
 */
import { NetworkAdapter, type Message, type PeerId, type PeerMetadata } from '@automerge/automerge-repo/slim'
import type { Connection, Libp2p, PeerId as Libp2pPeerId, Stream, StreamMessageEvent } from '@libp2p/interface'
import {
  DEFAULT_MAX_FRAME_BYTES,
  FrameDecoder,
  FrameError,
  SYNC_PROTOCOL,
  decodeHello,
  decodeRepoMessage,
  encodeFrame,
  encodeHello,
  encodeRepoMessage,
  type RejectReason
} from './sync-frames.ts'

/** The part of a libp2p node the adapter uses. A full `Libp2p` satisfies it. */
export type Libp2pNodeLike = Pick<Libp2p, 'peerId' | 'handle' | 'unhandle' | 'getConnections' | 'addEventListener' | 'removeEventListener'>

export interface Libp2pNetworkAdapterOptions {
  /** Only peers for which this returns true are synced with (e.g. same-room peers). Default: all. */
  acceptPeer?: (peerId: Libp2pPeerId) => boolean | Promise<boolean>
  /**
   * A sync topology: the accepted peers this node opens a session with itself, and keeps on
   * `refreshPeers`. A session an accepted peer opens is answered either way (so the two sides need
   * not agree at every moment). Default: every accepted peer (a full mesh).
   */
  syncWith?: (peerId: Libp2pPeerId) => boolean
  /** Sync over relayed (limited) connections too. Default true. */
  runOnLimitedConnection?: boolean
  /** Largest frame payload accepted or sent. Default {@link DEFAULT_MAX_FRAME_BYTES}. */
  maxFrameBytes?: number
  /** Protocol id; override only for tests or side-by-side versions. */
  protocol?: string
  /** `whenReady` resolves at the latest this long after `connect`, even if dials are pending. Default 1000. */
  readyTimeoutMs?: number
  /** Delay before re-opening our half of a session the remote may still want. Default 1000. */
  reopenDelayMs?: number
  /** Opening our half of a session is abandoned (and retried) after this long. Default 5000. */
  openTimeoutMs?: number
  /**
   * A session `syncWith` no longer wants is ended only once it has been unwanted this long (checked
   * on `refreshPeers`). While a room forms the topology changes with every tab that joins, and ending
   * each session at once, then opening it again a few joins later, made the sync streams churn: at
   * 10 tabs, 464 graph-sync stream ends were opened until the mesh was full, 160 with this delay
   * (bench:mesh, BENCH_PC_TRACE=1). Default 10,000; 0 ends at once.
   */
  pruneAfterMs?: number
}

export interface AdapterStats {
  framesIn: number
  framesOut: number
  bytesIn: number
  bytesOut: number
  /** Frames or streams rejected, by reason. */
  rejected: Partial<Record<RejectReason, number>>
}

interface Session {
  remote: Libp2pPeerId
  /** Our write-only half. */
  outbound?: Stream
  outboundLimited: boolean
  opening?: Promise<void>
  /** The remote's write-only half. */
  inbound?: Stream
  repoPeerId?: PeerId
  peerMetadata?: PeerMetadata
  announced: boolean
  /** Failed attempts to open our half while the remote's half is up. */
  failedOpens: number
  /** Since when `syncWith` has not wanted this session (see pruneAfterMs). */
  unwantedSince?: number
}

export class Libp2pNetworkAdapter extends NetworkAdapter {
  readonly #node: Libp2pNodeLike
  readonly #acceptPeer: (peerId: Libp2pPeerId) => boolean | Promise<boolean>
  readonly #syncWith: (peerId: Libp2pPeerId) => boolean
  readonly #limited: boolean
  readonly #maxFrameBytes: number
  readonly #protocol: string
  readonly #readyTimeoutMs: number
  readonly #openTimeoutMs: number
  readonly #reopenDelayMs: number
  readonly #pruneAfterMs: number

  readonly #sessions = new Map<string, Session>()
  readonly #byRepoPeer = new Map<PeerId, Session>()
  readonly #timers = new Set<ReturnType<typeof setTimeout>>()
  #connected = false
  #holds = 0
  /** handle/unhandle calls, serialised so a quick disconnect+connect cannot unregister the new handler. */
  #registration: Promise<void> = Promise.resolve()
  #ready = false
  #readyResolve: () => void = () => {}
  readonly #readyPromise: Promise<void>
  #stats: AdapterStats = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, rejected: {} }

  constructor (node: Libp2pNodeLike, options: Libp2pNetworkAdapterOptions = {}) {
    super()
    this.#node = node
    this.#acceptPeer = options.acceptPeer ?? (() => true)
    this.#syncWith = options.syncWith ?? (() => true)
    this.#limited = options.runOnLimitedConnection ?? true
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
    this.#protocol = options.protocol ?? SYNC_PROTOCOL
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 1000
    this.#reopenDelayMs = options.reopenDelayMs ?? 1000
    this.#openTimeoutMs = options.openTimeoutMs ?? 5000
    this.#pruneAfterMs = options.pruneAfterMs ?? 10_000
    this.#readyPromise = new Promise(resolve => { this.#readyResolve = resolve })
  }

  /** Counters since construction (a copy). */
  get stats (): AdapterStats {
    return { ...this.#stats, rejected: { ...this.#stats.rejected } }
  }

  /** libp2p peer ids of the peers we currently have a session with. */
  get sessionPeers (): string[] {
    return [...this.#sessions.values()].filter(s => s.announced).map(s => s.remote.toString())
  }

  /** Each session's state, for diagnostics (the sync panel, tests). */
  get sessions (): Array<{ peer: string, outbound: boolean, inbound: boolean, announced: boolean, opening: boolean, failedOpens: number }> {
    return [...this.#sessions.values()].map(s => ({
      peer: s.remote.toString(), outbound: s.outbound !== undefined, inbound: s.inbound !== undefined,
      announced: s.announced, opening: s.opening !== undefined, failedOpens: s.failedOpens
    }))
  }

  isReady (): boolean {
    return this.#ready
  }

  /** Resolves once the protocol handler is registered and first dials settled (or timed out). */
  async whenReady (): Promise<void> {
    await this.#readyPromise
  }

  connect (peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId
    this.peerMetadata = peerMetadata ?? {}
    if (this.#connected) return
    this.#connected = true
    this.#node.addEventListener('connection:open', this.#onConnectionOpen)
    this.#node.addEventListener('peer:disconnect', this.#onPeerDisconnect)
    void this.#start()
  }

  async #start (): Promise<void> {
    this.#registration = this.#registration.then(async () => {
      await this.#node.handle(this.#protocol, (stream, connection) => { void this.#onInbound(stream, connection) }, {
        runOnLimitedConnection: this.#limited,
        force: true
      })
    }).catch(err => { console.error('Libp2pNetworkAdapter: cannot register protocol handler', err) })
    await this.#registration
    if (!this.#connected) return
    const dials = this.#bestConnections().map(async c => { await this.#ensureOutbound(c) })
    const timeout = new Promise<void>(resolve => { this.#later(resolve, this.#readyTimeoutMs) })
    await Promise.race([Promise.allSettled(dials), timeout])
    this.#ready = true
    this.#readyResolve()
  }

  disconnect (): void {
    if (!this.#connected) return
    this.#connected = false
    this.#node.removeEventListener('connection:open', this.#onConnectionOpen)
    this.#node.removeEventListener('peer:disconnect', this.#onPeerDisconnect)
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    for (const session of [...this.#sessions.values()]) this.#end(session, 'adapter disconnected')
    this.#registration = this.#registration.then(async () => { await this.#node.unhandle(this.#protocol) }).catch(() => {})
    this.emit('close')
  }

  send (message: Message): void {
    if (!this.#connected) return
    const session = this.#byRepoPeer.get(message.targetId)
    const stream = session?.outbound
    if (session === undefined || stream === undefined || !session.announced) return
    const payload = encodeRepoMessage(message)
    if (payload.byteLength > this.#maxFrameBytes) {
      // The remote would reject it anyway; better to say so here.
      this.#reject('oversize', new FrameError('oversize', `outgoing ${message.type} of ${payload.byteLength} bytes exceeds ${this.#maxFrameBytes}`))
      return
    }
    this.#write(session, stream, encodeFrame(payload))
  }

  /**
   * Announces no further peer to the Repo until `until` settles or `maxMs` pass, whichever is
   * first; sessions set up meanwhile are announced at release. For work that must finish
   * before the Repo starts syncing, such as loading a large document from a snapshot
   * (snapshot.ts), which costs a fraction of receiving the same history through sync.
   * Sessions already announced are not affected.
   */
  hold (until: Promise<unknown>, maxMs = 10_000): void {
    this.#holds++
    let released = false
    const release = (): void => {
      if (released) return
      released = true
      this.#holds--
      if (this.#holds === 0) for (const session of this.#sessions.values()) this.#maybeAnnounce(session)
    }
    until.then(release, release)
    this.#later(release, maxMs)
  }

  /** Whether a {@link hold} is in force. */
  get held (): boolean {
    return this.#holds > 0
  }

  /**
   * Re-evaluates `acceptPeer` for connected peers: ends sessions with peers no longer accepted
   * and starts sessions with newly accepted ones; ends sessions `syncWith` has not wanted for
   * `pruneAfterMs`. Call it when room membership changes, and periodically.
   */
  async refreshPeers (): Promise<void> {
    if (!this.#connected) return
    const now = Date.now()
    for (const session of [...this.#sessions.values()]) {
      if (!(await this.#accepts(session.remote))) { this.#end(session, 'peer no longer accepted'); continue }
      if (!session.announced) continue
      if (this.#wants(session.remote)) { session.unwantedSince = undefined; continue }
      session.unwantedSince ??= now
      if (now - session.unwantedSince >= this.#pruneAfterMs) this.#end(session, 'not a sync neighbour any more')
    }
    await Promise.allSettled(this.#bestConnections().map(async c => { await this.#ensureOutbound(c) }))
  }

  // -------------------------------------------------------------------------------------------

  readonly #onConnectionOpen = (evt: CustomEvent<Connection>): void => {
    void this.#ensureOutbound(evt.detail)
  }

  readonly #onPeerDisconnect = (evt: CustomEvent<Libp2pPeerId>): void => {
    const session = this.#sessions.get(evt.detail.toString())
    if (session !== undefined) this.#end(session, 'peer disconnected')
  }

  #later (fn: () => void, ms: number): void {
    const timer = setTimeout(() => { this.#timers.delete(timer); fn() }, ms)
    this.#timers.add(timer)
  }

  async #accepts (peer: Libp2pPeerId): Promise<boolean> {
    try {
      return await this.#acceptPeer(peer)
    } catch {
      return false
    }
  }

  #wants (peer: Libp2pPeerId): boolean {
    try {
      return this.#syncWith(peer)
    } catch {
      return true
    }
  }

  #session (remote: Libp2pPeerId): Session {
    const key = remote.toString()
    let session = this.#sessions.get(key)
    if (session === undefined) {
      session = { remote, outboundLimited: false, announced: false, failedOpens: 0 }
      this.#sessions.set(key, session)
    }
    return session
  }

  #reject (reason: RejectReason, err: Error): void {
    const count = (this.#stats.rejected[reason] ?? 0) + 1
    this.#stats.rejected[reason] = count
    // Visible in devtools, but a misbehaving peer cannot flood the console.
    if (count === 1 || count % 100 === 0) console.warn(`Libp2pNetworkAdapter rejected (${count}x ${reason}): ${err.message}`)
  }

  #usable (connection: Connection): boolean {
    return connection.status === 'open' && (this.#limited || connection.limits === undefined)
  }

  /** The best connection to each connected peer. */
  #bestConnections (): Connection[] {
    const peers = new Map(this.#node.getConnections().map(c => [c.remotePeer.toString(), c.remotePeer]))
    return [...peers.values()].map(p => this.#bestConnection(p)).filter((c): c is Connection => c !== undefined)
  }

  /**
   * The best open connection to `peer`: unlimited before limited, newest first. An older
   * connection to the same peer may be dead without libp2p knowing yet (WebRTC notices after
   * 5-15 s), and a stream opened on it hangs.
   */
  #bestConnection (peer: Libp2pPeerId): Connection | undefined {
    const connections = this.#node.getConnections(peer).filter(c => this.#usable(c))
      .sort((a, b) => (b.timeline.open ?? 0) - (a.timeline.open ?? 0))
    return connections.find(c => c.limits === undefined) ?? connections[0]
  }

  /** Opens our half of the session over `connection` if we lack one, or migrates off a relay. */
  async #ensureOutbound (connection: Connection): Promise<void> {
    if (!this.#connected || !this.#usable(connection)) return
    if (!(await this.#accepts(connection.remotePeer))) return
    // Initiating needs the topology's consent; answering a peer that opened its half does not.
    if (this.#sessions.get(connection.remotePeer.toString())?.inbound === undefined && !this.#wants(connection.remotePeer)) return
    const session = this.#session(connection.remotePeer)
    if (session.opening !== undefined) { await session.opening; return }
    const migrate = session.outbound !== undefined && session.outboundLimited && connection.limits === undefined
    if (session.outbound !== undefined && !migrate) return
    session.opening = this.#openOutbound(session, connection).finally(() => { session.opening = undefined })
    await session.opening
  }

  async #openOutbound (session: Session, connection: Connection): Promise<void> {
    let stream: Stream
    try {
      // Bounded: a stream that never finishes negotiating would hold `session.opening` forever and
      // block every later attempt for this peer.
      stream = await connection.newStream(this.#protocol, { runOnLimitedConnection: this.#limited, signal: AbortSignal.timeout(this.#openTimeoutMs) })
    } catch {
      // The remote has no handler (its adapter is not connected) or the connection died. It
      // opens its half towards us when it connects, and we answer then.
      if (session.outbound === undefined && session.inbound === undefined) {
        this.#sessions.delete(session.remote.toString())
      } else if (session.inbound !== undefined && session.outbound === undefined && ++session.failedOpens <= 3) {
        // The remote's half is up, so it wants a session: a transient failure; retry a few times.
        this.#later(() => {
          const c = this.#bestConnection(session.remote)
          if (c !== undefined && this.#sessions.get(session.remote.toString()) === session) void this.#ensureOutbound(c)
        }, this.#reopenDelayMs * session.failedOpens)
      }
      return
    }
    session.failedOpens = 0
    if (!this.#connected) { stream.abort(new Error('adapter disconnected')); return }
    const previous = session.outbound
    session.outbound = stream
    session.outboundLimited = connection.limits !== undefined
    stream.addEventListener('close', () => { if (session.outbound === stream) this.#end(session, 'outbound stream closed') })
    // We never read our outbound half; drop anything the remote writes to it.
    stream.addEventListener('message', () => {})
    this.#write(session, stream, encodeFrame(encodeHello(this.peerId ?? ('' as PeerId), this.peerMetadata ?? {})))
    if (previous !== undefined) {
      // The remote aborts the old stream when the new hello arrives; closing it ourselves
      // first could reach the remote before that hello and end the session. Clean up late.
      this.#later(() => { previous.abort(new Error('replaced by a stream on a better connection')) }, 10_000)
    }
    this.#maybeAnnounce(session)
  }

  async #onInbound (stream: Stream, connection: Connection): Promise<void> {
    if (!this.#connected) { stream.abort(new Error('adapter not connected')); return }
    if (!(await this.#accepts(connection.remotePeer))) {
      this.#reject('peer-not-accepted', new FrameError('peer-not-accepted', `peer ${connection.remotePeer.toString()} is not accepted`, true))
      stream.abort(new Error('peer not accepted'))
      return
    }
    const session = this.#session(connection.remotePeer)
    // We never write to the remote's half: close our writable end now, so the stream fully
    // closes as soon as the remote closes its end.
    stream.close().catch(() => {})
    const decoder = new FrameDecoder(this.#maxFrameBytes)
    let hello = false
    const onFrame = (frame: Uint8Array): void => {
      this.#stats.framesIn++
      if (!hello) {
        const h = decodeHello(frame)
        hello = true
        this.#acceptInbound(session, stream, h.peerId, h.peerMetadata, connection)
        return
      }
      if (session.inbound !== stream || session.repoPeerId === undefined) return
      try {
        const message = decodeRepoMessage(frame, session.repoPeerId, this.peerId)
        if (session.announced) this.emit('message', message)
      } catch (err) {
        if (!(err instanceof FrameError)) throw err
        this.#reject(err.reason, err)
      }
    }
    stream.addEventListener('message', (evt: StreamMessageEvent) => {
      this.#stats.bytesIn += evt.data.byteLength
      try {
        for (const frame of decoder.push(evt.data instanceof Uint8Array ? evt.data : evt.data.subarray())) onFrame(frame)
      } catch (err) {
        const e = err instanceof FrameError ? err : new FrameError('bad-shape', String(err), true)
        this.#reject(e.reason, e)
        if (e.fatal) {
          stream.abort(e)
          if (session.inbound === stream) this.#end(session, e.message)
        }
      }
    })
    const ended = (): void => { if (session.inbound === stream) this.#end(session, 'inbound stream closed') }
    stream.addEventListener('close', ended)
    stream.addEventListener('remoteCloseWrite', ended)
  }

  #acceptInbound (session: Session, stream: Stream, repoPeerId: PeerId, meta: PeerMetadata, connection: Connection): void {
    if (session.repoPeerId !== undefined && session.repoPeerId !== repoPeerId && session.announced) {
      // The remote restarted its Repo under a new peer id: end the old session first.
      this.#announceGone(session)
    }
    const previous = session.inbound
    session.inbound = stream
    session.repoPeerId = repoPeerId
    session.peerMetadata = meta
    this.#byRepoPeer.set(repoPeerId, session)
    if (previous !== undefined && previous !== stream) previous.abort(new Error('superseded by a newer stream'))
    if (session.outbound === undefined) {
      // The connection the remote just used is proven alive; prefer it unless it is limited.
      const alive = this.#usable(connection) && connection.limits === undefined ? connection : undefined
      void this.#ensureOutbound(alive ?? this.#bestConnection(connection.remotePeer) ?? connection)
    }
    this.#maybeAnnounce(session)
  }

  #maybeAnnounce (session: Session): void {
    if (!this.#connected || this.#holds > 0 || session.announced || session.outbound === undefined || session.inbound === undefined || session.repoPeerId === undefined) return
    session.announced = true
    this.emit('peer-candidate', { peerId: session.repoPeerId, peerMetadata: session.peerMetadata ?? {} })
  }

  #announceGone (session: Session): void {
    if (!session.announced || session.repoPeerId === undefined) return
    session.announced = false
    if (this.#byRepoPeer.get(session.repoPeerId) === session) this.#byRepoPeer.delete(session.repoPeerId)
    this.emit('peer-disconnected', { peerId: session.repoPeerId })
  }

  #write (session: Session, stream: Stream, frame: Uint8Array): void {
    try {
      // send() buffers beyond the high-water mark; libp2p drains it in order.
      stream.send(frame)
      this.#stats.framesOut++
      this.#stats.bytesOut += frame.byteLength
    } catch (err) {
      this.#reject('send-failed', err instanceof Error ? err : new Error(String(err)))
      this.#end(session, 'send failed')
    }
  }

  /** Ends a session: both halves close, the Repo hears `peer-disconnected`. */
  #end (session: Session, why: string): void {
    const key = session.remote.toString()
    if (this.#sessions.get(key) !== session) return
    this.#sessions.delete(key)
    const wasAnnounced = session.announced
    const { inbound, outbound } = session
    session.inbound = undefined
    session.outbound = undefined
    this.#announceGone(session)
    if (session.repoPeerId !== undefined && this.#byRepoPeer.get(session.repoPeerId) === session) this.#byRepoPeer.delete(session.repoPeerId)
    const reason = new Error(why)
    inbound?.abort(reason)
    if (outbound !== undefined) outbound.close().catch(() => { outbound.abort(reason) })
    // If the connection survives, the remote may still want a session (e.g. only a stream
    // broke). Offer our half again after a pause; a remote that left will refuse it.
    if (this.#connected && wasAnnounced) {
      this.#later(() => {
        const connection = this.#bestConnection(session.remote)
        if (connection !== undefined && !this.#sessions.has(key)) void this.#ensureOutbound(connection)
      }, this.#reopenDelayMs)
    }
  }
}
