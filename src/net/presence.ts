/**
 * Who is here: a pure table of peers and when each was last heard from. The node feeds it
 * heartbeats, goodbyes and connection losses; `sweep(now)` says who has gone silent. Kept free of
 * I/O so the timing rules are unit-tested.
 */

export interface PresenceOptions {
  /** A peer silent for longer than this is considered gone. */
  timeoutMs: number
}

export interface PresenceEntry {
  peerId: string
  joinedAt: number
  lastSeen: number
  seq: number
}

export type PresenceChange = { type: 'join' | 'leave', peerId: string, reason: string }

export class PresenceTable {
  private readonly entries = new Map<string, PresenceEntry>()

  constructor (private readonly opts: PresenceOptions) {}

  /** A heartbeat arrived. Returns a join when the peer was not present. */
  heard (peerId: string, now: number, seq = 0): PresenceChange | undefined {
    const e = this.entries.get(peerId)
    if (e !== undefined) {
      e.lastSeen = Math.max(e.lastSeen, now)
      e.seq = Math.max(e.seq, seq)
      return undefined
    }
    this.entries.set(peerId, { peerId, joinedAt: now, lastSeen: now, seq })
    return { type: 'join', peerId, reason: 'heartbeat' }
  }

  /** The peer said goodbye or its last connection closed. */
  gone (peerId: string, reason: string): PresenceChange | undefined {
    if (!this.entries.delete(peerId)) return undefined
    return { type: 'leave', peerId, reason }
  }

  /** Drops every peer silent for longer than the timeout. */
  sweep (now: number): PresenceChange[] {
    const out: PresenceChange[] = []
    for (const [id, e] of this.entries) {
      if (now - e.lastSeen > this.opts.timeoutMs) {
        this.entries.delete(id)
        out.push({ type: 'leave', peerId: id, reason: `silent for ${Math.round(now - e.lastSeen)} ms` })
      }
    }
    return out
  }

  has (peerId: string): boolean { return this.entries.has(peerId) }
  get (peerId: string): PresenceEntry | undefined { return this.entries.get(peerId) }
  list (): PresenceEntry[] { return [...this.entries.values()] }
}
