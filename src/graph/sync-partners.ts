/**
 * Whether this tab's graph holds everything its sync partners have.
 *
 * A tab syncs the room graph with a few peers (sync-topology.ts: a ring with chords in larger
 * rooms), and through them with the rest. Automerge's sync protocol tells each side the other's
 * heads with every message, so a tab knows, per partner, whether its document contains every change
 * that partner had when it last spoke: `Automerge.hasHeads(doc, theirHeads)`. A partner gets new
 * changes, its heads move, it says so in its next sync message: so "up to date with every partner"
 * means nothing a partner holds is missing here, and "behind" means changes are on their way.
 *
 * A partner may never tell its heads: one that told them to this tab before (to a session this tab
 * held back while it caught up from a snapshot, say) and finds this tab's heads equal to its own
 * answers nothing (Automerge sends no message when neither side needs one). Its silence says the
 * same: it answers a sync message at once with what the sender lacks. So a partner that has said
 * nothing for `quietMs` since this tab sent it its heads counts as up to date (one too busy to
 * answer within that time reads up to date until its answer comes).
 *
 * What it cannot say: what a tab that is not a partner holds and has not passed on yet (it reaches
 * this tab within a sync round or two), nor anything about members that are away. The task view
 * uses it to tell a mission whose parts' results are still syncing from one whose results no member
 * present holds (docs/graph.md, "Sync partners").
 *
 * `watchSyncPartners` reads automerge-repo's synchronizer (its `sync-state` event and peer list:
 * public fields marked hidden in its typings; the build already pins and patches that package).
 */
import { Automerge, type DocumentId, type Repo } from '@automerge/automerge-repo/slim'

export interface SyncPartner {
  /** The partner's Repo peer id (in the app, its libp2p peer id). */
  peerId: string
  /**
   * `up-to-date`: this document holds every change the partner had when it last spoke;
   * `behind`: the partner has changes this document lacks (being received);
   * `waiting`: the partner has not told its heads yet (its session just opened).
   */
  state: 'up-to-date' | 'behind' | 'waiting'
  /** Since when (ms since the epoch) the partner is in this state, as sampled here. */
  since: number
}

/** What a tab can say of changes it lacks, from its partners' states. */
export type PartnerReach =
  /** No sync partner: nothing can reach this graph now. */
  | { kind: 'alone' }
  /** Some partners hold changes this graph lacks, or have not said what they hold. */
  | { kind: 'syncing', pending: string[] }
  /** This graph holds everything every partner has; `since`: from when on that held for all of them. */
  | { kind: 'settled', partners: string[], since: number }

export function partnerReach (partners: readonly SyncPartner[]): PartnerReach {
  if (partners.length === 0) return { kind: 'alone' }
  const pending = partners.filter(p => p.state !== 'up-to-date').map(p => p.peerId)
  if (pending.length > 0) return { kind: 'syncing', pending }
  return { kind: 'settled', partners: partners.map(p => p.peerId), since: Math.max(...partners.map(p => p.since)) }
}

/** Checks `partners` for equality of peer, state and since (what the page is told). */
export function samePartners (a: readonly SyncPartner[], b: readonly SyncPartner[]): boolean {
  return a.length === b.length && a.every((p, i) => p.peerId === b[i]!.peerId && p.state === b[i]!.state && p.since === b[i]!.since)
}

/** Validates partners that crossed a boundary (the worker's message); drops malformed entries. */
export function parsePartners (value: unknown): SyncPartner[] {
  if (!Array.isArray(value)) return []
  const out: SyncPartner[] = []
  for (const p of value as unknown[]) {
    if (typeof p !== 'object' || p === null) continue
    const { peerId, state, since } = p as Record<string, unknown>
    if (typeof peerId !== 'string' || (state !== 'up-to-date' && state !== 'behind' && state !== 'waiting') || typeof since !== 'number' || !Number.isFinite(since)) continue
    out.push({ peerId, state, since })
  }
  return out
}

export interface WatchSyncPartnersOptions {
  /** Called with the partners whenever a partner comes, goes or changes state. */
  onChange: (partners: SyncPartner[]) => void
  /** Resamples this often, ms (a document adopted from a snapshot changes without a sync message); default 1 000. */
  everyMs?: number
  /** A partner silent this long since this tab sent it its heads has nothing this tab lacks, ms; default 2 000. */
  quietMs?: number
  now?: () => number
}

export interface SyncPartnerWatch {
  /** The partners now (sampled on the call), in peer id order. */
  read: () => SyncPartner[]
  close: () => void
}

/**
 * Follows the sync partners of document `documentId` in `repo` (see the module comment); `doc()`
 * reads its current value (undefined while it is not open). Start it when the Repo is made, before
 * the document opens: a partner in sync tells its heads once, in its first messages, and then says
 * nothing until it has something new.
 */
export function watchSyncPartners (repo: Repo, documentId: DocumentId, doc: () => Automerge.Doc<unknown> | undefined, options: WatchSyncPartnersOptions): SyncPartnerWatch {
  const now = options.now ?? Date.now
  const quietMs = options.quietMs ?? 2_000
  /** The heads each partner last told, hex. */
  const heads = new Map<string, readonly string[]>()
  /** Partners that have not told their heads: when this tab last sent them its own (the last sync-state event). */
  const told = new Map<string, number>()
  let last: SyncPartner[] = []
  let soon: ReturnType<typeof setTimeout> | undefined
  let closed = false

  const sample = (): SyncPartner[] => {
    const current = doc()
    const at = now()
    const peers = repo.peers.map(String).sort()
    for (const id of heads.keys()) if (!peers.includes(id)) heads.delete(id)
    for (const id of told.keys()) if (!peers.includes(id)) told.delete(id)
    const before = new Map(last.map(p => [p.peerId, p]))
    return peers.map(peerId => {
      const theirs = heads.get(peerId)
      const toldAt = told.get(peerId)
      const state: SyncPartner['state'] = current === undefined
        ? 'waiting'
        : theirs !== undefined
          ? Automerge.hasHeads(current, theirs as Automerge.Heads) ? 'up-to-date' : 'behind'
          : toldAt !== undefined && at - toldAt >= quietMs ? 'up-to-date' : 'waiting'
      const prev = before.get(peerId)
      return { peerId, state, since: prev?.state === state ? prev.since : at }
    })
  }
  /** Samples, and tells `onChange` if anything differs from what it was last told. */
  const refresh = (): SyncPartner[] => {
    const next = sample()
    if (!samePartners(next, last)) { last = next; options.onChange(next) }
    return next
  }
  const check = (): void => { if (!closed) refresh() }
  const onSyncState = (e: { peerId: string, documentId: string, syncState: Automerge.SyncState }): void => {
    if (e.documentId !== documentId) return
    // Not every event carries their heads (one after sending, or after automerge-repo re-reads a
    // state from its encoding, has none): the last heads a partner told stand until it tells new ones.
    const peer = String(e.peerId)
    const theirs = e.syncState.theirHeads
    if (theirs !== undefined && theirs !== null) {
      heads.set(peer, theirs)
      told.delete(peer)
    } else if (!heads.has(peer) && e.syncState.lastSentHeads.length > 0) told.set(peer, now())
    // The event fires while the message is applied: look once it is in the document.
    soon ??= setTimeout(() => { soon = undefined; check() }, 50)
  }
  repo.synchronizer.on('sync-state', onSyncState)
  const timer = setInterval(check, options.everyMs ?? 1_000)
  return {
    read: refresh,
    close: () => {
      closed = true
      clearInterval(timer)
      clearTimeout(soon)
      repo.synchronizer.off('sync-state', onSyncState)
    }
  }
}
