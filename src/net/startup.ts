/**
 * A tab's start-up timeline: when each step between opening the page and its first direct link
 * happened, in ms since navigation (`performance.now()`; in Node, since the process started). Each
 * phase keeps its first occurrence only, with a note saying how it happened (which side dialed, how
 * the first peer was found). Read through `meshwork.stats().startup` and printed by bench:mesh and
 * bench:graph, to tell waiting from work before the first link.
 */

/** The phases in the order they normally happen. */
export const STARTUP_PHASES = [
  'bootStarted', // boot() called (after the page's modules evaluated and the UI mounted)
  'configFetched', // /config.json answered (or failed)
  'identityLoaded', // the persistent key read from IndexedDB (or created)
  'libp2pStarted', // createLibp2p resolved: transports and services started
  'nodeStarted', // MeshNode.start() called
  'relayDialed', // the dial to the relay started
  'relayConnected', // the connection to the relay is open
  'relayIdentified', // identify with the relay done (gossipsub and the reservation start only then)
  'discoveryJoined', // the relay subscribed to the room's discovery topic (announcements can reach others)
  'reserved', // the relay reservation: this tab has its circuit (and WebRTC) address
  'announced', // the first announcement that carried a WebRTC address went out
  'discovered', // the first peer of the room became known (note: how)
  'dialStarted', // the first dial to a peer started (note: by which rule)
  'relayedConnection', // the first relayed connection to a peer opened (note: direction)
  'webrtcConnection', // the first WebRTC connection opened (note: direction)
  'joined' // the first link hello matched: peer:join
] as const

export type StartupPhase = typeof STARTUP_PHASES[number]

export interface StartupMark { ms: number, note?: string }

export type StartupMarks = Partial<Record<StartupPhase, StartupMark>>

const now = (): number => typeof performance !== 'undefined' ? performance.now() : Date.now()

export class StartupTimeline {
  readonly marks: StartupMarks = {}

  constructor (private readonly clock: () => number = now) {}

  /** Records `phase` unless it happened already; returns whether this was its first occurrence. */
  mark (phase: StartupPhase, note?: string): boolean {
    if (this.marks[phase] !== undefined) return false
    const ms = Math.round(this.clock() * 10) / 10
    this.marks[phase] = note === undefined ? { ms } : { ms, note }
    return true
  }

  has (phase: StartupPhase): boolean { return this.marks[phase] !== undefined }

  /** A copy of the marks, in phase order. */
  snapshot (): StartupMarks {
    const out: StartupMarks = {}
    for (const p of STARTUP_PHASES) if (this.marks[p] !== undefined) out[p] = { ...this.marks[p] }
    return out
  }
}
