/**
 * What the problem banner shows: the node's recent problems grouped by kind (`source:reason`), newest
 * kind first, each with how often it happened and its latest message. A single "last problem" line hid
 * everything before it: a failed redial of a tab that left would cover the report that this tab put
 * back that tab's agents. Problems the person dismissed (at or before `dismissedAt`) are left out; a
 * newer one brings the banner back. So are problems that have healed since (`resolved`, see
 * {@link healedProblem}): a relay outage once the relay is back, failed dials to a peer and failed
 * links with it once it is linked. The event log keeps every line either way.
 */
import type { MeshProblem } from '../net/mesh-node.ts'

export interface ProblemKind {
  /** `source:reason`, as `stats().problems` counts it. */
  key: string
  source: MeshProblem['source']
  reason: string
  /** How many of the recent problems (not dismissed) are of this kind. */
  count: number
  latest: MeshProblem
}

export interface ProblemDigest {
  /** Kinds, the one with the newest problem first. */
  kinds: ProblemKind[]
  /** Problems counted in `kinds`. */
  total: number
  /** When the newest of them happened (0 when there is none): what "dismiss" hides up to. */
  newestAt: number
}

/** What a tab knows now that can show a connection problem has healed. */
export interface MeshNow {
  /** When the relay link last opened, if it is open now. */
  relayConnectedAt?: number
  /** Peers linked directly now. */
  linked: ReadonlySet<string>
}

/**
 * Whether `p` has healed: "cannot reach the relay" once the relay link opened after it, "WebRTC dial
 * to X failed" and a broken link with X once X is linked. Other problems (refused messages, records,
 * bad settings, a link closed for bad input) stand.
 */
export function healedProblem (p: MeshProblem, now: MeshNow): boolean {
  if (p.source === 'relay' && p.reason === 'unreachable') return now.relayConnectedAt !== undefined && now.relayConnectedAt >= p.at
  // A failed dial, or a link that broke or could not open its stream, once the peer is linked (again).
  if ((p.source === 'dial' && p.reason === 'failed') || (p.source === 'link' && (p.reason === 'failed' || p.reason === 'open-failed'))) {
    return p.peerId !== undefined && now.linked.has(p.peerId)
  }
  return false
}

export function digestProblems (problems: readonly MeshProblem[], dismissedAt = 0, resolved?: (p: MeshProblem) => boolean): ProblemDigest {
  const byKey = new Map<string, ProblemKind>()
  let total = 0
  let newestAt = 0
  for (const p of problems) {
    if (p.at <= dismissedAt || resolved?.(p) === true) continue
    total++
    if (p.at > newestAt) newestAt = p.at
    const key = `${p.source}:${p.reason}`
    const k = byKey.get(key)
    if (k === undefined) byKey.set(key, { key, source: p.source, reason: p.reason, count: 1, latest: p })
    else {
      k.count++
      // Problems arrive in order, but a late report of an earlier one must not replace the newest message.
      if (p.at >= k.latest.at) k.latest = p
    }
  }
  const kinds = [...byKey.values()].sort((a, b) => b.latest.at - a.latest.at || a.key.localeCompare(b.key))
  return { kinds, total, newestAt }
}
