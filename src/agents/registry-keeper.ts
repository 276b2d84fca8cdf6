/**
 * RegistryKeeper: puts back, while an agent's peer is away, what another member of the room removed
 * from the registry or replaced there (docs/agents.md, "Signed records").
 *
 * A record counts only when its peer signed it, and a peer removes its agents with a signed removal,
 * but any member can still write the document: delete a record, write over it, or replay an older
 * signed one (a worse reputation, skills since added). The owning tab puts its own records right when
 * it sees that (AgentHost). While it is away nobody did, and its agents vanished from every tab, or
 * came back with what they had earned lost.
 *
 * So every tab keeps the newest valid value (record or removal, by its signed `updatedAt`) it has
 * seen for each agent of another peer. When the document holds less than that (nothing, a value that
 * does not count, or an older signed one) and the agent's peer is not present, the tab writes the
 * newest one back, exactly as its peer signed it (`restore`, which never replaces a newer value).
 * Present tabs take turns by peer id (the first after DELAY_MS, each next one STEP_MS later), so
 * one writes and the others see it done; a peer that is present repairs its own records itself.
 *
 * What it cannot do: put back a value no tab present has seen (a tab that joins after the deletion
 * has nothing to compare with), or tell a replayed record from the newest when no present tab saw a
 * newer one.
 */
import { ownedBy, shortPeer } from '../net/peer-ids.ts'
import type { AgentRegistryApi } from './registry-api.ts'
import { entryTime, supersedes, type RegistryEntry } from './registry.ts'

/** The first tab in line restores this long after it sees the loss. */
const DELAY_MS = 1_000
/** Each next tab in line this much later. */
const STEP_MS = 750
/** At most one restore of an agent's record per this long by one tab, against a member who keeps at it. */
const MIN_GAP_MS = 2_500

export interface RegistryKeeperOptions {
  registry: AgentRegistryApi
  /** This tab's peer id: its own records are its host's to repair. */
  peerId: string
  /** Peers present now. */
  livePeers: () => Iterable<string>
  /** A value was written back (reported and counted by the caller). */
  onRestore: (e: { agentId: string, peerId: string, message: string }) => void
  now?: () => number
  delayMs?: number
  stepMs?: number
}

export class RegistryKeeper {
  readonly #o: RegistryKeeperOptions
  readonly #now: () => number
  /** The newest valid value seen for each agent of another peer. */
  readonly #best = new Map<string, RegistryEntry>()
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>()
  readonly #restoredAt = new Map<string, number>()
  #closed = false
  /** Values written back. */
  restored = 0

  constructor (options: RegistryKeeperOptions) {
    this.#o = options
    this.#now = options.now ?? Date.now
    this.seen(options.registry.list().map(r => r.agentId))
  }

  /** The registry changed for these agent ids (call on every change, local or remote). */
  seen (ids: readonly string[]): void {
    if (this.#closed) return
    for (const id of ids) {
      if (ownedBy(id, this.#o.peerId)) continue
      const current = this.#o.registry.entry(id)
      const best = this.#best.get(id)
      if (current?.reason === undefined && current !== undefined && (best === undefined || !supersedes(best, current))) {
        this.#best.set(id, current)
        this.#cancel(id)
      } else if (best !== undefined) {
        this.#schedule(id)
      }
    }
  }

  /** Peers came or went: losses of a peer that just left can be put right now. */
  presenceChanged (): void {
    if (this.#closed) return
    for (const id of this.#best.keys()) if (this.#lost(id)) this.#schedule(id)
  }

  close (): void {
    this.#closed = true
    for (const t of this.#timers.values()) clearTimeout(t)
    this.#timers.clear()
  }

  /** Whether the document holds less for `id` than the newest value seen. */
  #lost (id: string): boolean {
    const best = this.#best.get(id)
    return best !== undefined && supersedes(best, this.#o.registry.entry(id))
  }

  #cancel (id: string): void {
    const t = this.#timers.get(id)
    if (t !== undefined) { clearTimeout(t); this.#timers.delete(id) }
  }

  /** Our turn among the present tabs (the owner aside), or undefined when the owner is present. */
  #rank (owner: string): number | undefined {
    const live = new Set(this.#o.livePeers())
    if (live.has(owner)) return undefined
    live.add(this.#o.peerId)
    return [...live].sort().indexOf(this.#o.peerId)
  }

  #schedule (id: string): void {
    if (this.#timers.has(id)) return
    const owner = entryPeer(this.#best.get(id)!)
    const rank = this.#rank(owner)
    if (rank === undefined) return
    const gap = (this.#restoredAt.get(id) ?? -Infinity) + MIN_GAP_MS - this.#now()
    const delay = Math.max(gap, (this.#o.delayMs ?? DELAY_MS) + rank * (this.#o.stepMs ?? STEP_MS))
    this.#timers.set(id, setTimeout(() => {
      this.#timers.delete(id)
      if (this.#closed || !this.#lost(id) || this.#rank(owner) === undefined) return
      const best = this.#best.get(id)!
      const current = this.#o.registry.entry(id)
      let written: boolean
      try {
        written = this.#o.registry.restore(id, best.raw as string)
      } catch (err) {
        // It verified when it was seen; a registry that refuses it now is a bug worth seeing.
        this.#o.onRestore({ agentId: id, peerId: owner, message: `${id.slice(0, 200)}: could not put back its latest record: ${(err as Error).message}` })
        return
      }
      if (!written) return
      this.#restoredAt.set(id, this.#now())
      this.restored++
      const what = current === undefined
        ? 'removed it from the room\'s registry'
        : current.reason !== undefined
          ? `replaced it with a value that does not count (${current.reason.slice(0, 200)})`
          : current.removal !== undefined ? 'replaced it with an older removal' : 'replaced it with an older record'
      const kept = best.removal !== undefined ? 'its removal' : 'its latest record'
      this.#o.onRestore({ agentId: id, peerId: owner, message: `${id.slice(0, 200)}: while ${shortPeer(owner)} is away, another member of the room ${what}; this tab put back ${kept}, as ${shortPeer(owner)} signed it (updated ${new Date(entryTime(best)!).toISOString()})` })
    }, Math.max(0, delay)))
  }
}

/** The peer a valid record or removal is of. */
function entryPeer (e: RegistryEntry): string {
  return e.record?.peerId ?? e.removal!.peerId
}
