/**
 * The award rule: who wins a task attempt, as a pure function of the bid set. Every node computes
 * it the same way from the same bids, so any node can check an award, and any node holding the bids
 * can compute it when the announcer is gone.
 *
 *   eligible = bids whose agent is not excluded and whose confidence ≥ minConfidence
 *              (only the preferred agent's bids, if the attempt names one and it bid: a handoff
 *              to a named agent)
 *   score    = confidence × reputation × 1 / (1 + load)
 *              (reputation: the value in the bid, the bidder's factor with its exploration bonus,
 *              reputation.ts; nothing else about reputation enters the rule)
 *   winner   = highest score; ties broken by a hash of (task id, agentId, peerId), then agentId, then
 *              peerId (ascending, code-unit order)
 *
 * Why the hash: identical agents on several tabs (every tab runs the same built-ins) bid identical
 * confidences; ordering ties by agentId alone would send every tied task to the same peer. Salting
 * with the task id spreads them across peers, still deterministically.
 *
 * The arithmetic is plain IEEE doubles in a fixed order, identical in every JavaScript engine.
 * Also here: the bid set's digest, the check of a received award, merging two awards' bid sets, and
 * the bid window (when the announcer closes it).
 */
import { fnv1a32, sha256Hex } from '../graph/hash.ts'
import { canonicalJson } from '../net/canonical-json.ts'
import type { AgentRef, AwardBody, Bid } from './messages.ts'

export interface AwardRule {
  /** Bids below this confidence abstain (never win). */
  minConfidence: number
  excluded: readonly AgentRef[]
  /** The task id: salts the tie-break so tied tasks spread over peers. Without it, ties go by agentId. */
  tieSalt?: string
  /** The agent a handoff named: when it has an eligible bid, only its bids compete. */
  preferred?: string
}

export const DEFAULT_MIN_CONFIDENCE = 0.3

export type AwardDecision =
  | { winner: Bid, ranked: Bid[] }
  | { winner: null, ranked: Bid[], reason: string }

export function bidScore (bid: Bid): number {
  return bid.confidence * bid.reputation * (1 / (1 + bid.load))
}

/** Orders bids best first: score descending, then the salted hash, then agentId, then peerId ascending. */
export function compareBids (a: Bid, b: Bid, tieSalt?: string): number {
  const d = bidScore(b) - bidScore(a)
  if (d !== 0) return d
  if (tieSalt !== undefined) {
    const ha = fnv1a32(`${tieSalt}|${a.agentId}|${a.peerId}`)
    const hb = fnv1a32(`${tieSalt}|${b.agentId}|${b.peerId}`)
    if (ha !== hb) return ha - hb
  }
  if (a.agentId !== b.agentId) return a.agentId < b.agentId ? -1 : 1
  if (a.peerId !== b.peerId) return a.peerId < b.peerId ? -1 : 1
  return 0
}

export function isExcluded (bid: Pick<Bid, 'peerId' | 'agentId'>, excluded: readonly AgentRef[]): boolean {
  return excluded.some(x => x.agentId === bid.agentId && x.peerId === bid.peerId)
}

/** The rule. `ranked` lists the eligible bids best first. */
export function decideAward (bids: readonly Bid[], rule: AwardRule): AwardDecision {
  const notExcluded = bids.filter(b => !isExcluded(b, rule.excluded))
  const eligible = notExcluded.filter(b => b.confidence >= rule.minConfidence)
  const preferred = rule.preferred === undefined ? [] : eligible.filter(b => b.agentId === rule.preferred)
  const ranked = (preferred.length > 0 ? preferred : eligible).sort((a, b) => compareBids(a, b, rule.tieSalt))
  const winner = ranked[0]
  if (winner !== undefined) return { winner, ranked }
  return { winner: null, ranked, reason: noWinnerReason(bids, notExcluded, rule) }
}

function noWinnerReason (bids: readonly Bid[], notExcluded: readonly Bid[], rule: AwardRule): string {
  if (bids.length === 0) return 'no capable agent in the room: nobody bid'
  if (notExcluded.length === 0) return `no capable agent left: every bidder (${bids.length}) was excluded after failing this task`
  const best = [...notExcluded].sort((a, b) => b.confidence - a.confidence)[0]!
  return `no capable agent in the room: the best bid (${best.agentId}, confidence ${best.confidence.toFixed(2)}) is below the threshold ${rule.minConfidence}`
}

/** Bids in canonical order (peerId, agentId): the order digests and awards use. */
export function canonicalBidOrder (bids: readonly Bid[]): Bid[] {
  return [...bids].sort((a, b) => a.peerId === b.peerId ? (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0) : (a.peerId < b.peerId ? -1 : 1))
}

/** Digest of a bid set (order-independent): 32 hex characters of SHA-256 over its canonical JSON. */
export function bidSetDigest (bids: readonly Bid[]): string {
  return sha256Hex(canonicalJson(canonicalBidOrder(bids)), 32)
}

export function bidKey (bid: Pick<Bid, 'peerId' | 'agentId'>): string {
  return `${bid.peerId}\n${bid.agentId}`
}

export function sameBid (a: Bid, b: Bid): boolean {
  return a.peerId === b.peerId && a.agentId === b.agentId && a.skillId === b.skillId && a.confidence === b.confidence &&
    a.reputation === b.reputation && a.load === b.load && a.latencyMs === b.latencyMs
}

/** Builds the award a window's closer publishes. */
export function makeAward (taskId: string, attempt: number, bids: readonly Bid[], rule: AwardRule, leaseMs: number): AwardBody {
  const set = canonicalBidOrder(bids)
  const decision = decideAward(set, rule)
  const award: AwardBody = { taskId, attempt, winner: decision.winner, bids: set, digest: bidSetDigest(set), leaseMs }
  if (decision.winner === null) award.reason = decision.reason
  return award
}

/**
 * Checks a received award: its digest matches its bid set, no (peer, agent) bids twice, the
 * winner is exactly the rule's winner over the set, and every bid this node saw itself for the
 * attempt appears in the set unchanged (a closer may have missed a late bid, but may not alter one).
 * Returns null when the award holds, else why not.
 */
export function checkAward (award: AwardBody, rule: AwardRule, seen: ReadonlyMap<string, Bid> = new Map()): string | null {
  const keys = new Set<string>()
  for (const b of award.bids) {
    const k = bidKey(b)
    if (keys.has(k)) return `bid set lists ${b.agentId} on ${b.peerId.slice(-8)} twice`
    keys.add(k)
    const mine = seen.get(k)
    if (mine !== undefined && !sameBid(mine, b)) return `bid of ${b.agentId} on ${b.peerId.slice(-8)} differs from the one this node received`
  }
  if (bidSetDigest(award.bids) !== award.digest) return 'digest does not match the bid set'
  const decision = decideAward(award.bids, rule)
  if (decision.winner === null) {
    return award.winner === null ? null : `the rule awards nobody over this bid set, the award names ${award.winner.agentId}`
  }
  if (award.winner === null) return `the rule awards ${decision.winner.agentId} over this bid set, the award names nobody`
  if (!sameBid(award.winner, decision.winner)) return `the rule awards ${decision.winner.agentId} on ${decision.winner.peerId.slice(-8)}, the award names ${award.winner.agentId} on ${award.winner.peerId.slice(-8)}`
  return null
}

/**
 * Union of two awards' bid sets for the same attempt (two closers raced, e.g. after a takeover).
 * Every node that sees both resolves to the winner over the union, so they converge. Returns null
 * when the sets disagree about one (peer, agent) bid (one of them is lying).
 */
export function unionBidSets (a: readonly Bid[], b: readonly Bid[]): Bid[] | null {
  const byKey = new Map<string, Bid>()
  for (const bid of a) byKey.set(bidKey(bid), bid)
  for (const bid of b) {
    const prior = byKey.get(bidKey(bid))
    if (prior !== undefined && !sameBid(prior, bid)) return null
    byKey.set(bidKey(bid), bid)
  }
  return canonicalBidOrder([...byKey.values()])
}

// ---------------------------------------------------------------------------------------------
// The bid window

export interface BidWindowOptions {
  minWindowMs: number
  maxWindowMs: number
  /** The window is this many times the smoothed time the last responder took. */
  factor: number
  /**
   * A window with no bid that could win stays open this long (from its opening) for expected peers
   * that have not answered yet: "unassigned" is final, and on a busy machine a capable peer's bid
   * (even the steward's own) can take longer than `maxWindowMs`. A window with a winner closes on time.
   */
  emptyWaitMs: number
}

export const DEFAULT_BID_WINDOW: BidWindowOptions = { minWindowMs: 15, maxWindowMs: 80, factor: 3, emptyWaitMs: 3000 }

/**
 * Length of the next bid window: adaptive, from the smoothed time it took the slowest expected
 * peer to respond (bid or decline) in past windows. Unknown (no sample yet): the maximum.
 */
export function bidWindowMs (lastResponderEwmaMs: number | undefined, opts: BidWindowOptions = DEFAULT_BID_WINDOW): number {
  if (lastResponderEwmaMs === undefined) return opts.maxWindowMs
  return Math.min(opts.maxWindowMs, Math.max(opts.minWindowMs, Math.ceil(lastResponderEwmaMs * opts.factor)))
}

/** The window closes early once every expected peer (peers known to host agents) bid or declined. */
export function everyoneResponded (expected: ReadonlySet<string>, responded: ReadonlySet<string>): boolean {
  for (const p of expected) if (!responded.has(p)) return false
  return true
}

/** When to close: `now` once everyone responded, else at the window's end. */
export function windowClosesAt (openedAt: number, windowMs: number, expected: ReadonlySet<string>, responded: ReadonlySet<string>, now: number): number {
  return everyoneResponded(expected, responded) ? Math.min(now, openedAt + windowMs) : openedAt + windowMs
}

/** Exponentially weighted moving average. */
export function ewma (previous: number | undefined, sample: number, alpha = 0.2): number {
  return previous === undefined ? sample : previous + alpha * (sample - previous)
}
