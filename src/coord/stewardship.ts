/**
 * Stewardship: which node does a task's bookkeeping (closing the bid window, watching the lease,
 * re-announcing, recording the outcome, running a mission's DAG). It is the peer that sent the
 * latest announce (or takeover award) of the task. There is no coordinator: when a steward leaves,
 * every node that knows the task ranks the live peers the same way, and the first in rank takes
 * over after a grace period; the next one only if the first has not acted after a further stagger
 * (it may not know the task). A takeover shows itself by the next message the new steward sends.
 */

export interface TakeoverTiming {
  /** Wait after noticing the steward gone (lets a goodbye race settle). */
  graceMs: number
  /** Extra wait per rank. */
  staggerMs: number
}

export const DEFAULT_TAKEOVER: TakeoverTiming = { graceMs: 50, staggerMs: 250 }

/**
 * This node's rank among the candidates to take over from `steward`: live peers and itself, minus
 * the steward, sorted by peer id. Null when the steward is still here (or is this node).
 */
export function takeoverRank (self: string, steward: string, livePeers: Iterable<string>): number | null {
  if (steward === self) return null
  const live = new Set(livePeers)
  if (live.has(steward)) return null
  live.add(self)
  live.delete(steward)
  return [...live].sort().indexOf(self)
}

export function takeoverDelayMs (rank: number, timing: TakeoverTiming = DEFAULT_TAKEOVER): number {
  return timing.graceMs + rank * timing.staggerMs
}
