/**
 * What the mesh view shows, as reactive state read by the components. Fed by the node's events;
 * refreshed at most once per animation frame, and once a second for round-trip times.
 */
import type { LinkEvent, MeshNode, MeshProblem, PeerView } from '../net/mesh-node.ts'

/** `seq` tells lines apart: the same event can happen twice in one millisecond (two links closing at once). */
export interface LogLine { seq: number, at: number, text: string, kind: 'join' | 'leave' | 'link' | 'relay' | 'problem' }

export class MeshState {
  status = $state<'starting' | 'connecting' | 'ready' | 'failed'>('starting')
  failure = $state<string | undefined>(undefined)
  peerId = $state<string | undefined>(undefined)
  room = $state<string | undefined>(undefined)
  relays = $state<string[]>([])
  relayConnected = $state(false)
  relayAddress = $state<string | undefined>(undefined)
  /** When the relay link last opened (undefined while it is not open): heals "cannot reach the relay" in the banner. */
  relayConnectedAt = $state<number | undefined>(undefined)
  peers = $state<PeerView[]>([])
  pending = $state<ReturnType<MeshNode['pending']>>([])
  problems = $state<MeshProblem[]>([])
  problemCounts = $state<Record<string, number>>({})
  /** Problems at or before this time are hidden from the banner (the person dismissed them); the log keeps them. */
  problemsDismissedAt = $state(0)
  log = $state<LogLine[]>([])
  /** `messagesIn/Out`: the node's own app messages; `framesIn/Out`, `bytesIn/Out`: the room channels (coordination). */
  stats = $state({ messagesIn: 0, messagesOut: 0, dialsStarted: 0, dialsFailed: 0, linksOpened: 0, framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0 })

  private node: MeshNode | undefined
  private seq = 0
  private scheduled = false

  attach (node: MeshNode, relays: string[]): void {
    this.node = node
    this.peerId = node.peerId
    this.room = node.room
    this.relays = relays
    this.status = 'connecting'
    node.ready.then(() => { this.status = 'ready'; this.refresh() }, () => {})
    node.on('change', () => { this.schedule() })
    node.on('peer:join', e => { this.line('join', `${short(e.peerId)} joined`) })
    node.on('peer:leave', e => { this.line('leave', `${short(e.peerId)} left (${e.reason})`) })
    node.on('link', (e: LinkEvent) => {
      if (e.transport === 'relay') this.line('relay', `relay link ${e.kind === 'open' ? 'opened' : 'closed'}`)
      else this.line('link', `${e.transport} link to ${short(e.peerId)} ${e.kind === 'open' ? 'opened' : 'closed'}`)
    })
    node.on('relay', e => {
      if (e.address !== undefined && e.state === 'reserved') this.relayAddress = e.address
      if (e.state === 'connected') this.relayConnectedAt = Date.now()
      if (e.state === 'disconnected') this.relayConnectedAt = undefined
      this.schedule()
    })
    node.on('problem', p => {
      this.problems = [...this.problems.slice(-49), p]
      this.line('problem', `${p.source}: ${p.message}`)
      this.schedule()
    })
    // Problems reported before the view attached (bad settings found while booting).
    for (const p of node.recentProblems) this.line('problem', `${p.source}: ${p.message}`)
    this.problems = [...node.recentProblems.slice(-50)]
    setInterval(() => { this.refresh() }, 1000)
    this.refresh()
  }

  dismissProblems (upTo: number): void {
    if (upTo > this.problemsDismissedAt) this.problemsDismissedAt = upTo
  }

  fail (message: string): void {
    this.status = 'failed'
    this.failure = message
  }

  private line (kind: LogLine['kind'], text: string): void {
    this.log = [...this.log.slice(-199), { seq: ++this.seq, at: Date.now(), text, kind }]
  }

  private schedule (): void {
    if (this.scheduled) return
    this.scheduled = true
    requestAnimationFrame(() => { this.scheduled = false; this.refresh() })
  }

  refresh (): void {
    const n = this.node
    if (n === undefined) return
    this.peers = n.peers().sort((a, b) => a.peerId.localeCompare(b.peerId))
    this.pending = n.pending()
    this.relayConnected = n.relayConnected()
    // Also set here: the relay may have connected before this view attached.
    if (!this.relayConnected) this.relayConnectedAt = undefined
    else this.relayConnectedAt ??= Date.now()
    this.problemCounts = { ...n.stats.problems }
    const { messagesIn, messagesOut, dialsStarted, dialsFailed, linksOpened } = n.stats
    const { framesIn, framesOut, bytesIn, bytesOut } = n.channelStats()
    this.stats = { messagesIn, messagesOut, dialsStarted, dialsFailed, linksOpened, framesIn, framesOut, bytesIn, bytesOut }
  }
}

export function short (peerId: string | undefined): string {
  return peerId === undefined ? '…' : `…${peerId.slice(-6)}`
}
