/**
 * A tab's place in the mesh. Given a libp2p node and the room config it:
 * - keeps a connection to the relay (reconnecting with backoff after the relay restarts);
 * - turns discovered peers of the room into direct WebRTC links (see dial-plan.ts), retrying and
 *   reconciling periodically, and runs the link protocol (link.ts) on each: a hello that checks the
 *   peer really is in this room, then pings for round-trip times;
 * - knows who is here from the links themselves: a peer joins when its link's hello matches, says
 *   bye on pagehide, and is dropped when its links fall silent for `presenceTimeoutMs`, instead of
 *   waiting 5-15 s for WebRTC to give up;
 * - carries application messages on room channels, validating everything received and counting
 *   what it rejects.
 */
import { peerIdOf } from './peer-ids.ts'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { LINK_PROTOCOL, LinkError, runLink } from './link.ts'
import { RoomChannels, type ChannelStats, type ChannelTap } from './channels.ts'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { MeshLibp2p } from './libp2p-node.ts'
import { Emitter } from './emitter.ts'
import { announceDelay, backoffDelay, circuitAddressOf, defaultDialPlan, defaultPeriodicAnnounce, DialWindow, dialsFirst, dialTimeout, periodicAnnounceDue, relayedTimeout, shouldDial, type DialTarget, type PeriodicAnnounceOptions } from './dial-plan.ts'
import { PresenceTable } from './presence.ts'
import { decodeMeshMessage, encodeMeshMessage, MeshMessageError, preciseNow, type AppMessage } from './protocol.ts'
import { discoveryTopic, meshTopic } from './rooms.ts'
import { StartupTimeline, type StartupMarks } from './startup.ts'
import { RecentIds } from './recent-ids.ts'

/** @libp2p/webrtc's private-to-private signalling protocol (its SIGNALING_PROTOCOL, not exported). */
const WEBRTC_SIGNALING_PROTOCOL = '/webrtc-signaling/0.0.1'

export type Transport = 'webrtc' | 'relayed' | 'websocket'

export interface PeerView {
  peerId: string
  transport: Transport
  rttMs: number | null
}

export interface MeshProblem {
  source: 'relay' | 'dial' | 'message' | 'link' | 'config' | 'api' | 'agents' | 'coord' | 'graph'
  reason: string
  message: string
  peerId?: string
  at: number
}

/** A peer of the room this node knows from its announcements and dials. */
interface PeerTarget extends DialTarget {
  addrs: Multiaddr[]
  lastAnnounced: number
  /** Why a link to it was refused (another room, an incompatible version): it is not dialed. */
  foreign?: string
  /** It was in the room's presence once (linked and heard), so a later absence means it left. */
  joined?: boolean
}

export interface LinkEvent {
  kind: 'open' | 'close'
  peerId: string
  transport: Transport | 'relay'
  at: number
}

export interface ReceivedMessage {
  from: string
  channel: string
  id: string
  body: unknown
  sentAt: number
  receivedAt: number
}

export interface MeshEvents extends Record<string, unknown> {
  'peer:join': { peerId: string }
  /** A new peer of the room announced itself; a link to it is not made yet (peer:join follows if one is). */
  'peer:discovered': { peerId: string }
  'peer:leave': { peerId: string, reason: string }
  'message': ReceivedMessage
  'link': LinkEvent
  'relay': { state: 'connected' | 'disconnected' | 'reserved', address?: string }
  'problem': MeshProblem
  'change': void
}

export interface MeshNodeOptions {
  room: string
  relays: string[]
  /**
   * Most WebRTC dials in flight at once; many at once make each slower and likelier to fail. The node
   * lowers its window (down to 1) while dials time out and raises it again as they succeed (DialWindow).
   */
  maxConcurrentDials?: number
  /** A WebRTC dial still unconnected after this long is abandoned and retried (default: adaptive, see dialTimeout). */
  dialTimeoutMs?: number
  /** Ping interval on each direct link: the presence heartbeat and the round-trip time. */
  pingIntervalMs?: number
  presenceTimeoutMs?: number
  reconcileMs?: number
  /** A discovered peer that stops announcing for this long is no longer dialed. */
  forgetAfterMs?: number
  /** How often this tab announces itself on the discovery topic (see periodicAnnounceDue)... */
  announceIntervalMs?: number
  /** ...and how often once it is linked to every peer it knows. */
  linkedAnnounceIntervalMs?: number
  /** Where the start-up phases are recorded; boot passes the one it marked its own steps in. */
  timeline?: StartupTimeline
}

export interface MeshStats {
  problems: Record<string, number>
  messagesIn: number
  messagesOut: number
  /** Messages this node sent also on gossip (a peer of the room was not linked directly). */
  messagesGossiped: number
  /** Messages delivered here that came by gossip (not over the direct link from their sender). */
  messagesInByGossip: number
  /** Second copies dropped (a message that came both directly and by gossip). */
  messagesDuplicate: number
  dialsStarted: number
  dialsFailed: number
  /** Dials this tab lets run at once now (see DialWindow). */
  dialWindow: number
  linksOpened: number
  /** Failed dials by error kind (a failed first WebRTC dial is common and retried; see dial-plan.ts). */
  dialErrors: Record<string, number>
  /** Durations of the last successful dials, ms. */
  dialMs: number[]
  /** Where WebRTC dials spend their time: per progress stage (libp2p's onProgress names), how many dials passed through it and the ms they spent there in all. */
  dialStages: Record<string, { n: number, ms: number }>
  /** When each start-up phase first happened, ms since navigation (see startup.ts). */
  startup: StartupMarks
}

function transportOf (conn: Connection): Transport {
  if (conn.multiplexer === '/webrtc' || conn.encryption === 'native') return 'webrtc'
  if (conn.limits != null || conn.remoteAddr.toString().includes('/p2p-circuit')) return 'relayed'
  return 'websocket'
}

export class MeshNode extends Emitter<MeshEvents> {
  readonly peerId: string
  readonly room: string
  readonly stats: MeshStats
  readonly timeline: StartupTimeline
  readonly ready: Promise<void>
  /** The problems seen most recently, newest last (bounded). */
  readonly recentProblems: MeshProblem[] = []

  private readonly relayAddrs: Multiaddr[]
  private readonly relayPeerIds: Set<string>
  private readonly presence: PresenceTable
  private readonly rtts = new Map<string, number>()
  private blocked = new Set<string>()
  /** Whether the blocked peers may still be reached through others (setBlocked's `directOnly`). */
  private blockedDirectOnly = false
  /** How to say goodbye on each open link, by connection id. */
  private readonly byes = new Map<string, () => void>()
  private readonly targets = new Map<string, PeerTarget>()
  private readonly timers: Array<ReturnType<typeof setInterval>> = []
  private readonly opts: Required<Omit<MeshNodeOptions, 'dialTimeoutMs' | 'timeline'>> & { dialTimeoutMs?: number }
  private readonly appTopic: string
  private readonly channels: RoomChannels
  private relayAttempts = 0
  private dialsInFlight = 0
  private readonly dialWindow: DialWindow
  private readonly periodicAnnounce: PeriodicAnnounceOptions
  private announceTimer: ReturnType<typeof setTimeout> | undefined
  private announceDueAt = 0
  /** The last announcement that reached someone (the discovery topic had a subscriber): when, and its addresses. */
  private lastAnnounced: { at: number, addrs: string } | undefined
  /** When the last periodic announcement was made (pubsub-peer-discovery makes one as it starts). */
  private lastPeriodicAt = Date.now()
  /** The circuit address last reported as reserved (reset when the relay connection is lost). */
  private reservedAddr: string | undefined
  private relayNextAttemptAt = 0
  private relayDialing = false
  private msgCounter = 0
  /** The `app` room channel: the node's own messages, over the direct link to each present peer. */
  private appChannel: { publish: (data: Uint8Array) => void, close: () => void } | undefined
  /** Messages already delivered (sender and id), so the gossip copy of a direct one is dropped. */
  private readonly delivered = new RecentIds()
  private resolveReady!: () => void
  private stopped = false
  private readonly onPageHide = (): void => { this.sayGoodbye() }

  constructor (readonly libp2p: MeshLibp2p, opts: MeshNodeOptions) {
    super()
    const { timeline, ...rest } = opts
    this.opts = { pingIntervalMs: 750, maxConcurrentDials: 3, presenceTimeoutMs: 2_500, reconcileMs: 1_000, forgetAfterMs: 30_000, announceIntervalMs: defaultPeriodicAnnounce.intervalMs, linkedAnnounceIntervalMs: defaultPeriodicAnnounce.linkedIntervalMs, ...rest }
    this.dialWindow = new DialWindow(1, this.opts.maxConcurrentDials)
    this.periodicAnnounce = { intervalMs: this.opts.announceIntervalMs, linkedIntervalMs: this.opts.linkedAnnounceIntervalMs }
    this.timeline = timeline ?? new StartupTimeline()
    this.stats = { problems: {}, messagesIn: 0, messagesOut: 0, messagesGossiped: 0, messagesInByGossip: 0, messagesDuplicate: 0, dialsStarted: 0, dialsFailed: 0, dialWindow: this.dialWindow.size, linksOpened: 0, dialErrors: {}, dialMs: [], dialStages: {}, startup: this.timeline.marks }
    this.peerId = libp2p.peerId.toString()
    this.room = opts.room
    this.presence = new PresenceTable({ timeoutMs: this.opts.presenceTimeoutMs })
    this.appTopic = meshTopic(opts.room, 'app')
    this.relayAddrs = opts.relays.map(r => multiaddr(r))
    this.relayPeerIds = new Set(this.relayAddrs.map(a => a.getComponents().findLast(c => c.name === 'p2p')?.value).filter((x): x is string => x !== undefined))
    this.ready = new Promise(resolve => { this.resolveReady = resolve })
    this.channels = new RoomChannels({
      libp2p,
      room: opts.room,
      peers: () => this.peerIds(),
      report: (reason, message, peerId) => { this.report('message', `channel-${reason}`, message, peerId) }
    })
  }

  async start (): Promise<void> {
    const { libp2p } = this
    const pubsub = libp2p.services.pubsub
    this.timeline.mark('nodeStarted')

    await libp2p.handle(LINK_PROTOCOL, (stream, conn) => { void this.link(stream, conn) }, { runOnLimitedConnection: false })
    await this.channels.start()

    // pubsub-peer-discovery runs as a service (see libp2p-node.ts); libp2p does not wire a service's
    // 'peer' events, so the node listens itself. It fires for every announcement, which also keeps
    // each target's lastAnnounced fresh.
    libp2p.services.discovery.addEventListener('peer', evt => {
      const id = evt.detail.id.toString()
      if (id === this.peerId || this.relayPeerIds.has(id)) return
      this.noteDiscovered(id, evt.detail.multiaddrs, 'its announcement on the discovery topic')
    })
    this.appChannel = this.channels.open('app', (data, from) => { this.receive(from, data, 'direct') })
    pubsub.addEventListener('message', evt => {
      const msg = evt.detail
      if (msg.topic !== this.appTopic) return
      if (msg.type !== 'signed') { this.report('message', 'unsigned', 'dropped an unsigned message', undefined); return }
      this.receive(msg.from.toString(), msg.data, 'gossip')
    })
    libp2p.addEventListener('connection:open', evt => {
      const conn = evt.detail
      const peer = conn.remotePeer.toString()
      const isRelay = this.relayPeerIds.has(peer)
      if (this.blocked.has(peer)) { void conn.close().catch(() => {}); return }
      if (isRelay) {
        this.timeline.mark('relayConnected')
        this.emit('relay', { state: 'connected', address: conn.remoteAddr.toString() })
      }
      const transport = transportOf(conn)
      if (!isRelay) {
        if (!this.targets.has(peer)) this.timeline.mark('discovered', `its ${conn.direction} ${transport} connection, before any announcement`)
        if (transport === 'relayed') this.timeline.mark('relayedConnection', conn.direction)
        if (transport === 'webrtc') this.timeline.mark('webrtcConnection', conn.direction)
      }
      this.emit('link', { kind: 'open', peerId: peer, transport: isRelay ? 'relay' : transport, at: Date.now() })
      if (!isRelay && transport === 'webrtc') {
        this.stats.linksOpened++
        const t = this.targets.get(peer)
        if (t !== undefined) { t.attempts = 0; t.lastError = undefined }
        if (conn.direction === 'outbound') void this.openLink(conn)
      }
      this.emit('change', undefined)
    })
    libp2p.addEventListener('peer:identify', evt => {
      if (this.relayPeerIds.has(evt.detail.peerId.toString())) this.timeline.mark('relayIdentified')
    })
    libp2p.addEventListener('connection:close', evt => {
      const conn = evt.detail
      const peer = conn.remotePeer.toString()
      const isRelay = this.relayPeerIds.has(peer)
      this.emit('link', { kind: 'close', peerId: peer, transport: isRelay ? 'relay' : transportOf(conn), at: Date.now() })
      if (!isRelay && !this.linked(peer)) {
        this.rtts.delete(peer)
        this.leave(peer, 'its last direct link closed')
      }
      if (isRelay && libp2p.getConnections(conn.remotePeer).length === 0) {
        this.emit('relay', { state: 'disconnected' })
        this.reservedAddr = undefined
        this.relayNextAttemptAt = Date.now() + backoffDelay(1, Math.random())
      }
      this.emit('change', undefined)
    })
    pubsub.addEventListener('subscription-change', evt => {
      // The relay (or a peer) just joined the discovery topic: our announcement can now reach others.
      if (evt.detail.subscriptions.some(s => s.subscribe && s.topic === discoveryTopic(this.room))) {
        if (this.relayPeerIds.has(evt.detail.peerId.toString())) this.timeline.mark('discoveryJoined')
        this.announce('subscription')
      }
    })
    // The reservation is known at 'transport:listening' (the circuit listener got its addresses);
    // 'self:peer:update' follows only after the address manager's 1 s debounce, and the first
    // announcement other tabs can dial used to wait for it.
    const onAddresses = (): void => {
      const circuit = libp2p.getMultiaddrs().find(a => a.toString().includes('/p2p-circuit'))?.toString()
      if (circuit === undefined || circuit === this.reservedAddr) return
      this.reservedAddr = circuit
      this.timeline.mark('reserved')
      this.announce('reservation')
      this.emit('relay', { state: 'reserved', address: circuit })
      this.resolveReady()
    }
    libp2p.addEventListener('transport:listening', onAddresses)
    libp2p.addEventListener('self:peer:update', onAddresses)

    pubsub.subscribe(this.appTopic)

    if (this.relayAddrs.length === 0) {
      this.report('config', 'no-relay', 'no relay is configured: set one in settings or with ?relay=<multiaddr>')
    }
    this.timers.push(setInterval(() => { this.sweep() }, 250))
    this.timers.push(setInterval(() => { this.reconcile() }, this.opts.reconcileMs))
    if (typeof addEventListener === 'function') addEventListener('pagehide', this.onPageHide)
    this.reconcile()
  }

  /** Connected peers of the room as this node sees them, with the transport of the live connection. */
  peers (): PeerView[] {
    return this.presence.list().map(e => {
      const conns = this.libp2p.getConnections(peerIdOf(e.peerId)).filter(c => c.status === 'open')
      const best = conns.find(c => transportOf(c) === 'webrtc') ?? conns.find(c => transportOf(c) === 'websocket') ?? conns[0]
      return {
        peerId: e.peerId,
        transport: best !== undefined ? transportOf(best) : 'relayed',
        rttMs: this.rtts.has(e.peerId) ? Math.round(this.rtts.get(e.peerId)! * 10) / 10 : null
      }
    })
  }

  /**
   * The present peers' ids: what `peers()` lists, without reading each peer's libp2p connections
   * for its transport (protocols ask on every task, and those reads cost a loaded tab a few %).
   */
  peerIds (): string[] {
    return this.presence.list().map(e => e.peerId)
  }

  /** Whether `peerId` is a present peer of this room (its link hello matched). */
  isRoomPeer (peerId: string): boolean {
    return this.presence.has(peerId)
  }

  relayConnected (): boolean {
    return this.libp2p.getConnections().some(c => this.relayPeerIds.has(c.remotePeer.toString()) && c.status === 'open')
  }

  /** Discovered peers not (yet) linked, with their dial state. */
  pending (): Array<{ peerId: string, attempts: number, lastError?: string, foreign?: string }> {
    return [...this.targets.values()]
      .filter(t => !this.linked(t.peerId))
      .map(t => ({ peerId: t.peerId, attempts: t.attempts, lastError: t.lastError, foreign: t.foreign }))
  }

  /**
   * Sends `body` to every peer of the room on `channel`. Returns the message id.
   *
   * Each present peer gets it once, over the direct link (the `app` room channel): one hop, no
   * signature to make or check (the link authenticated the sender), no copies forwarded between
   * peers that all have it. While some peer of the room this node knows of is not linked directly
   * (the mesh is still forming, or WebRTC between the two fails), the message also goes out on the
   * room's gossip topic, which reaches that peer through others; a peer that gets both copies keeps
   * the first.
   */
  publish (channel: string, body: unknown): string {
    const id = `${this.peerId.slice(-8)}-${++this.msgCounter}`
    const msg: AppMessage = { v: 1, kind: 'app', channel, id, ts: preciseNow(), body }
    const data = encodeMeshMessage(msg)
    this.stats.messagesOut++
    this.appChannel?.publish(data)
    if (this.someoneUnlinked()) {
      this.stats.messagesGossiped++
      void this.libp2p.services.pubsub.publish(this.appTopic, data).catch(err => {
        this.report('message', 'publish-failed', `publish failed: ${(err as Error).message}`)
      })
    }
    return id
  }

  /** Whether a peer of this room that this node knows of is not present over a direct link. */
  private someoneUnlinked (): boolean {
    for (const t of this.targets.values()) {
      if (t.foreign === undefined && (this.blockedDirectOnly || !this.blocked.has(t.peerId)) && !this.presence.has(t.peerId)) return true
    }
    return false
  }

  /**
   * Cuts this tab off from `peerIds` (closing links and refusing new ones) until called again
   * without them: how tests and people at the console simulate a network partition. With
   * `{ directOnly: true }` only the direct links go (as when WebRTC between two networks fails):
   * the peers stay known, and this node's messages reach them through others by gossip.
   */
  setBlocked (peerIds: string[], opts: { directOnly?: boolean } = {}): void {
    this.blocked = new Set(peerIds)
    this.blockedDirectOnly = opts.directOnly === true
    for (const conn of this.libp2p.getConnections()) {
      if (this.blocked.has(conn.remotePeer.toString())) void conn.close().catch(() => {})
    }
    for (const id of peerIds) this.leave(id, 'blocked')
    this.emit('change', undefined)
  }

  /** Dials one address directly (a console and test tool; the mesh dials discovered peers by itself). */
  async connect (addr: string): Promise<void> {
    await this.libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(15_000), force: true })
  }

  /**
   * A channel of raw bytes, for protocols that frame, sign and validate their own messages (the
   * coordination protocol). A message goes to every present peer of the room over the direct link to
   * it, never through the relay (channels.ts). `onData` gets bytes from other peers only, with the
   * sender's peer id as its connection authenticated it.
   */
  openChannel (name: string, onData: (data: Uint8Array, from: string) => void): { publish: (data: Uint8Array) => void, close: () => void } {
    if (name === 'app') throw new Error('channel app is the node\'s own message channel')
    return this.channels.open(name, onData)
  }

  /** Counters of the room channels (frames, bytes, streams, drops by reason). */
  channelStats (): ChannelStats {
    return { ...this.channels.stats, dropped: { ...this.channels.stats.dropped } }
  }

  /** Sees every channel message this node sends or receives: for diagnostics and tests. Returns the way to stop. */
  tapChannels (fn: ChannelTap): () => void {
    return this.channels.tap(fn)
  }

  /**
   * Sends raw bytes to the room, as is: on the gossip `app` topic (the default) or on a room channel.
   * For tests and tools that must send what the API never would.
   */
  publishRaw (data: Uint8Array, channel = 'app'): void {
    if (channel === 'app') void this.libp2p.services.pubsub.publish(meshTopic(this.room, channel), data)
    else this.channels.send(channel, data)
  }

  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.sayGoodbye()
    for (const t of this.timers) clearInterval(t)
    if (typeof removeEventListener === 'function') removeEventListener('pagehide', this.onPageHide)
    await this.channels.stop()
    await this.libp2p.stop()
  }

  /** Records a problem: counted by source and reason, kept in recentProblems, logged and emitted. */
  report (source: MeshProblem['source'], reason: string, message: string, peerId?: string): void {
    const key = `${source}:${reason}`
    this.stats.problems[key] = (this.stats.problems[key] ?? 0) + 1
    const p: MeshProblem = { source, reason, message, peerId, at: Date.now() }
    this.recentProblems.push(p)
    if (this.recentProblems.length > 200) this.recentProblems.shift()
    console.warn(`[meshwork] ${source}/${reason}: ${message}`)
    this.emit('problem', p)
  }

  private receive (from: string, data: Uint8Array, path: 'direct' | 'gossip'): void {
    let msg
    try {
      msg = decodeMeshMessage(data)
    } catch (err) {
      const reason = err instanceof MeshMessageError ? err.reason : 'invalid'
      this.report('message', reason, `rejected a message from ${from.slice(-8)}: ${(err as Error).message}`, from)
      return
    }
    if (!this.delivered.add(`${from}/${msg.id}`)) { this.stats.messagesDuplicate++; return }
    this.stats.messagesIn++
    if (path === 'gossip') this.stats.messagesInByGossip++
    this.emit('message', { from, channel: msg.channel, id: msg.id, body: msg.body, sentAt: msg.ts, receivedAt: preciseNow() })
  }

  private sayGoodbye (): void {
    for (const bye of this.byes.values()) { try { bye() } catch { /* the page is going away */ } }
  }

  private leave (peerId: string, reason: string): void {
    if (this.presence.gone(peerId, reason) !== undefined) this.departed(peerId, reason)
  }

  /** Drops every peer whose links fell silent: the same departure as a goodbye. */
  private sweep (): void {
    for (const c of this.presence.sweep(Date.now())) this.departed(c.peerId, c.reason)
  }

  /** A peer has left presence (goodbye, silence, closed link, other room, blocked). */
  private departed (peerId: string, reason: string): void {
    // A departed peer's connections can linger for 5-15 s until WebRTC notices; if the same peer
    // comes back meanwhile (a reloaded tab keeps its id) protocols would keep using the stale
    // streams on them. Abort them now (a graceful close would wait on a peer that is gone).
    for (const conn of this.libp2p.getConnections(peerIdOf(peerId))) conn.abort(new Error(`peer left: ${reason}`))
    this.channels.drop(peerId)
    this.emit('peer:leave', { peerId, reason })
    this.emit('change', undefined)
  }

  private noteDiscovered (id: string, addrs: Multiaddr[], how: string): void {
    const now = Date.now()
    const webrtc = addrs.filter(a => a.toString().includes('/webrtc'))
    const t = this.targets.get(id)
    if (t !== undefined) {
      t.lastAnnounced = now
      if (webrtc.length > 0) {
        const hadNone = t.addrs.length === 0
        t.addrs = webrtc
        // A peer that announced itself before its reservation is dialable now, not at the next tick.
        if (hadNone) this.reconcile()
      }
      return
    }
    // `joined` too when the peer linked (by its own dial) before its announcement reached this node.
    this.targets.set(id, { peerId: id, discoveredAt: now, attempts: 0, nextAttemptAt: now, dialing: false, addrs: webrtc, lastAnnounced: now, ...(this.presence.has(id) ? { joined: true } : {}) })
    this.timeline.mark('discovered', how)
    // The dial first: 'change' listeners (the UI) can take a while on a loaded tab.
    this.reconcile()
    // Answer a newcomer with our own addresses instead of at the next periodic announcement; soon if
    // it is the side that dials first (it cannot dial without them), else within the usual limit.
    this.announce('newcomer', !dialsFirst(this.peerId, id))
    this.emit('peer:discovered', { peerId: id })
    this.emit('change', undefined)
  }

  /** Announces this node's addresses on the discovery topic soon, at most once per 500 ms. */
  private announce (why: string, urgent = false): void {
    if (this.stopped) return
    const now = Date.now()
    const wait = announceDelay(now, this.webrtcAddrs(), this.lastAnnounced, urgent)
    if (this.announceTimer !== undefined) {
      if (now + wait >= this.announceDueAt) return // one is due sooner already
      clearTimeout(this.announceTimer)
    }
    this.announceDueAt = now + wait
    this.announceTimer = setTimeout(() => {
      this.announceTimer = undefined
      const addrs = this.webrtcAddrs()
      const heard = this.libp2p.services.pubsub.getSubscribers(discoveryTopic(this.room)).length > 0
      try { this.libp2p.services.discovery._broadcast() } catch { /* no addresses yet */ }
      if (!heard) return // pubsub-peer-discovery skips a topic without subscribers
      this.lastAnnounced = { at: Date.now(), addrs }
      if (addrs !== '') this.timeline.mark('announced', `${why}, after ${Date.now() - now} ms`)
    }, wait)
  }

  /** This node's WebRTC addresses (what peers dial), as one comparable string. */
  private webrtcAddrs (): string {
    return this.libp2p.getMultiaddrs().map(a => a.toString()).filter(a => a.includes('/webrtc')).sort().join(' ')
  }

  private linked (peerId: string): boolean {
    return this.libp2p.getConnections(peerIdOf(peerId)).some(c => c.status === 'open' && transportOf(c) === 'webrtc')
  }

  /** Whether a relayed connection to `peerId` is open (a WebRTC dial signals over it). */
  private relayedTo (peerId: string): boolean {
    return this.libp2p.getConnections(peerIdOf(peerId)).some(c => c.status === 'open' && transportOf(c) === 'relayed')
  }

  /** Whether a WebRTC signalling exchange with `peerId` is in progress (ours or theirs). */
  private negotiating (peerId: string): boolean {
    return this.libp2p.getConnections(peerIdOf(peerId)).some(c => c.status === 'open' && c.streams.some(s => s.protocol === WEBRTC_SIGNALING_PROTOCOL))
  }

  private reconcile (): void {
    if (this.stopped) return
    const now = Date.now()
    this.maintainRelay(now)
    // Linked to every peer it knows (and it knows one): the periodic announcement slows down.
    let fullyLinked = this.dialsInFlight === 0 && this.targets.size > 0
    for (const t of this.targets.values()) {
      if (t.foreign !== undefined || (this.blocked.has(t.peerId) && !this.blockedDirectOnly)) continue
      const linked = this.linked(t.peerId)
      if (!linked) fullyLinked = false
      if (now - t.lastAnnounced > this.opts.forgetAfterMs && !linked) {
        this.targets.delete(t.peerId)
        this.emit('change', undefined)
        continue
      }
      if (t.addrs.length === 0 || this.blocked.has(t.peerId)) continue
      if (!shouldDial(this.peerId, t, linked, now, defaultDialPlan, this.negotiating(t.peerId))) continue
      // A full window means dials in flight, so the mesh is not fully linked either.
      if (this.dialsInFlight >= this.dialWindow.size) break
      void this.dialPeer(t)
    }
    if (periodicAnnounceDue(now, this.lastPeriodicAt, fullyLinked, this.periodicAnnounce)) {
      this.lastPeriodicAt = now
      this.announce('periodic')
    }
  }

  private async dialPeer (t: PeerTarget): Promise<void> {
    this.timeline.mark('dialStarted', dialsFirst(this.peerId, t.peerId) ? 'this side dials first' : 'symmetric: the other side had not linked')
    t.dialing = true
    this.dialsInFlight++
    this.stats.dialsStarted++
    const addr = t.addrs[t.attempts % t.addrs.length]!
    let stage = 'start'
    let stageAt = Date.now()
    const enter = (next: string): void => {
      const now = Date.now()
      const s = (this.stats.dialStages[stage] ??= { n: 0, ms: 0 })
      s.n++
      s.ms += now - stageAt
      stage = next
      stageAt = now
    }
    try {
      const started = Date.now()
      // First the relayed connection the WebRTC handshake signals over, with a timeout of its own: it
      // is the slowest part on a busy machine and is kept for retries, so a slow ICE exchange must not
      // abandon it (see relayedTimeout).
      const circuit = circuitAddressOf(addr.toString())
      if (circuit !== undefined && !this.relayedTo(t.peerId)) {
        enter('relayed-connection')
        await this.libp2p.dial(multiaddr(circuit), { signal: AbortSignal.timeout(relayedTimeout(t.attempts)), onProgress: (e: { type: string }) => { if (e.type !== stage) enter(`relayed:${e.type}`) } })
        enter('webrtc')
      }
      // force: without it libp2p hands back the existing relayed (limited) connection.
      await this.libp2p.dial(addr, { signal: AbortSignal.timeout(this.opts.dialTimeoutMs ?? dialTimeout(this.stats.dialMs, t.attempts)), force: true, onProgress: (e: { type: string }) => { if (e.type !== stage) enter(e.type) } })
      enter('done')
      this.stats.dialMs.push(Date.now() - started)
      if (this.stats.dialMs.length > 100) this.stats.dialMs.shift()
      t.attempts = 0
      t.lastError = undefined
      this.dialWindow.record(true, false)
      this.stats.dialWindow = this.dialWindow.size
    } catch (err) {
      const failedAt = stage
      enter('failed')
      stage = failedAt
      t.attempts++
      this.stats.dialsFailed++
      t.lastError = (err as Error).message?.slice(0, 200) ?? String(err)
      const kind = `${(err as Error).name ?? 'Error'} at ${stage}: ${t.lastError.replace(/[0-9a-zA-Z]{40,}/g, '…').slice(0, 80)}`
      this.stats.dialErrors[kind] = (this.stats.dialErrors[kind] ?? 0) + 1
      t.nextAttemptAt = Date.now() + backoffDelay(t.attempts, Math.random())
      if (this.linked(t.peerId)) return // the other side's dial won the race
      // A peer that left without a goodbye (a crashed tab, or only its link broke) is redialed. If the
      // relay holds no reservation for it, it has left the relay too: forget it until it announces
      // again, rather than fail every retry for 30 s and report that as a dial problem.
      if (t.joined === true && !this.presence.has(t.peerId) && /NO_RESERVATION/.test(t.lastError) && this.targets.get(t.peerId) === t) {
        this.targets.delete(t.peerId)
        return
      }
      this.dialWindow.record(false, (err as Error).name === 'TimeoutError' || /timed out/.test(t.lastError))
      this.stats.dialWindow = this.dialWindow.size
      // A target forgotten meanwhile (it said goodbye) failed because it has gone: nothing to report.
      if (t.attempts >= 3 && this.targets.get(t.peerId) === t) this.report('dial', 'failed', `WebRTC dial to ${t.peerId.slice(-8)} failed ${t.attempts} times: ${t.lastError}`, t.peerId)
    } finally {
      t.dialing = false
      this.dialsInFlight--
      this.emit('change', undefined)
      // A slot is free: start the next due dial now rather than at the next reconcile tick.
      if (!this.stopped) queueMicrotask(() => { this.reconcile() })
    }
  }

  private maintainRelay (now: number): void {
    if (this.relayAddrs.length === 0 || this.relayDialing || this.relayConnected() || now < this.relayNextAttemptAt) return
    this.relayDialing = true
    this.timeline.mark('relayDialed')
    const addr = this.relayAddrs[this.relayAttempts % this.relayAddrs.length]!
    this.libp2p.dial(addr, { signal: AbortSignal.timeout(10_000) }).then(() => {
      this.relayAttempts = 0
    }, err => {
      this.relayAttempts++
      this.relayNextAttemptAt = Date.now() + backoffDelay(this.relayAttempts, Math.random(), { ...defaultDialPlan, baseDelayMs: 500, maxDelayMs: 10_000 })
      this.report('relay', 'unreachable', `cannot reach the relay at ${addr.toString()}: ${(err as Error).message} (attempt ${this.relayAttempts}; retrying)`)
    }).finally(() => { this.relayDialing = false })
  }

  /** Runs the link protocol on a WebRTC connection (either side), recording RTT and turning away other rooms. */
  private async link (stream: Stream, conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString()
    const ctrl = new AbortController()
    const onClose = (): void => { ctrl.abort() }
    conn.addEventListener?.('close', onClose)
    try {
      await runLink(stream, conn, {
        room: this.room,
        pingIntervalMs: this.opts.pingIntervalMs,
        signal: ctrl.signal,
        onOpen: bye => { this.byes.set(conn.id, bye) },
        onAlive: () => {
          if (this.blocked.has(peer)) return
          if (this.presence.heard(peer, Date.now()) !== undefined) {
            const t = this.targets.get(peer)
            if (t !== undefined) t.joined = true
            this.timeline.mark('joined')
            this.channels.warm(peer)
            this.emit('peer:join', { peerId: peer })
            this.emit('change', undefined)
          }
        },
        onRtt: ms => { this.rtts.set(peer, ms) },
        onBye: () => {
          // A tab that said goodbye has closed: redialing it until its announcement ages out (30 s)
          // only fails, costs dial slots, and reported "dial failed" over what happened. If it comes
          // back (a reload keeps its id), its next announcement makes it a target again.
          this.targets.delete(peer)
          this.leave(peer, 'said goodbye')
        }
      })
    } catch (err) {
      if (err instanceof LinkError) {
        const t = this.targets.get(peer)
        if (t !== undefined) t.foreign = err.message
        this.leave(peer, err.message)
        this.report('link', err.reason, `closed the link to ${peer.slice(-8)}: ${err.message}`, peer)
        await conn.close().catch(() => {})
      } else if (conn.status === 'open' && !ctrl.signal.aborted) {
        this.report('link', 'failed', `link with ${peer.slice(-8)} failed: ${(err as Error).message}`, peer)
      }
    } finally {
      this.byes.delete(conn.id)
      conn.removeEventListener?.('close', onClose)
      stream.abort?.(new Error('link ended'))
    }
  }

  private async openLink (conn: Connection): Promise<void> {
    let stream: Stream
    try {
      stream = await conn.newStream(LINK_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
    } catch (err) {
      if (conn.status === 'open') this.report('link', 'open-failed', `cannot open a link stream to ${conn.remotePeer.toString().slice(-8)}: ${(err as Error).message}`, conn.remotePeer.toString())
      return
    }
    await this.link(stream, conn)
  }
}
