/**
 * Reputation per agent and skill: success rate, verification rate and latency, each smoothed by a
 * prior so that a new agent starts neutral and a few outcomes move it only a little; and, for
 * bids, an optimistic exploration bonus (UCB1-style) for agents with little evidence.
 *
 *   success      = (successes + 1) / (attempts + 2)                 (Beta(1,1) prior, 0.5 when new)
 *   verification = (verified + 1) / (verified + disputed + 2)
 *   speed        = priorLatency / (priorLatency + latencyEwma)      (0.5 at the prior latency)
 *   quality      = 0.5·success + 0.3·verification + 0.2·speed       (in [0, 1]; 0.5 when new)
 *   factor       = 0.5 + quality                                    (in [0.5, 1.5]; 1 when new)
 *
 * `factor` is the agent's reputation as earned: it is what the node records and shows. What a bid
 * carries is the optimistic factor (`bidReputation`):
 *
 *   n            = attempts of this agent's skill with an outcome (successes + failures)
 *   N            = attempts with an outcome this node has seen, all agents and skills
 *   bonus        = 1 when n = 0 (an untried agent bids the cap), else 0.35 · sqrt(ln(1 + N) / (1 + n))
 *   bid factor   = 0.5 + min(1, quality + bonus)                     (in [0.5, 1.5])
 *
 * Why: with the factor alone, the first agent to win a run of equal agents gets a success, its
 * factor climbs above the others' neutral 1, and it wins every later task (199 of 200 sequential
 * tasks on one tab in bench:coord); an agent that never wins never earns reputation. The bonus is
 * optimism in the face of uncertainty: the less is known about an agent, the more it may be better
 * than it looks. An agent with no outcome yet bids the cap, so every agent is tried (as UCB1 plays
 * every arm once), also on a node whose book is still empty. Then the bonus shrinks as the agent's
 * own evidence (n) grows, so among equal agents the one that just won bids a little lower and the
 * next takes the task (the work spreads), and it grows slowly with the room's experience (N), so an
 * agent with an unlucky start is tried again now and then instead of never. An agent that does
 * worse (fails, is disputed, is slow) has a lower quality; once its bonus has shrunk below the
 * difference (a few tasks for a clear difference), it loses.
 *
 * 0.35 was chosen by simulation (docs/protocol.md, test/unit/coord/reputation-explore.test.ts):
 * about the largest weight at which agents that have been tried stay below the cap over 200 tasks
 * (at the cap quality no longer separates them); a larger weight spreads work more evenly when
 * outcomes are noisy, a smaller one tries worse agents less. The bonus is computed by the bidder
 * alone and the bid carries the result (rounded to 4 decimals), so the award rule still reads only
 * the bid: every node computes the same winner whatever its own book holds.
 */

export interface SkillRecord {
  successes: number
  failures: number
  verified: number
  disputed: number
  /** Smoothed latency, ms; starts at the prior. */
  latencyEwmaMs: number
  samples: number
}

export const PRIOR_LATENCY_MS = 1000
const LATENCY_ALPHA = 0.2

export function newSkillRecord (): SkillRecord {
  return { successes: 0, failures: 0, verified: 0, disputed: 0, latencyEwmaMs: PRIOR_LATENCY_MS, samples: 0 }
}

export function recordCompletion (r: SkillRecord, success: boolean, latencyMs?: number): SkillRecord {
  const out = { ...r, successes: r.successes + (success ? 1 : 0), failures: r.failures + (success ? 0 : 1) }
  if (success && latencyMs !== undefined && Number.isFinite(latencyMs) && latencyMs >= 0) {
    out.latencyEwmaMs = r.latencyEwmaMs + LATENCY_ALPHA * (latencyMs - r.latencyEwmaMs)
    out.samples = r.samples + 1
  }
  return out
}

export function recordVerification (r: SkillRecord, verified: boolean): SkillRecord {
  return { ...r, verified: r.verified + (verified ? 1 : 0), disputed: r.disputed + (verified ? 0 : 1) }
}

export function successRate (r: SkillRecord): number {
  return (r.successes + 1) / (r.successes + r.failures + 2)
}

export function verificationRate (r: SkillRecord): number {
  return (r.verified + 1) / (r.verified + r.disputed + 2)
}

export function speedScore (r: SkillRecord): number {
  return PRIOR_LATENCY_MS / (PRIOR_LATENCY_MS + Math.max(0, r.latencyEwmaMs))
}

/** How good the agent has been, in [0, 1] (0.5 when new). */
export function quality (r: SkillRecord): number {
  return 0.5 * successRate(r) + 0.3 * verificationRate(r) + 0.2 * speedScore(r)
}

/** Attempts with an outcome: the evidence behind the record (verification and speed come with successes). */
export function outcomes (r: SkillRecord): number {
  return r.successes + r.failures
}

/** The earned reputation factor, in [0.5, 1.5] (1 when new). */
export function reputationFactor (r: SkillRecord): number {
  return factorOf(quality(r))
}

/** Weight of the exploration bonus (see the top of this file). */
export const EXPLORATION = 0.35

/**
 * UCB1-style optimism: 1 for an untried agent (n = 0: its bid is the cap), then large while the agent
 * has few outcomes (n), shrinking as they accumulate, growing slowly with all outcomes seen (N).
 */
export function explorationBonus (n: number, total: number): number {
  if (!(n > 0)) return 1
  return EXPLORATION * Math.sqrt(Math.log(1 + Math.max(0, total)) / (1 + n))
}

/** The factor a bid carries: the earned quality plus the exploration bonus, capped, in [0.5, 1.5]. */
export function bidReputation (r: SkillRecord, totalOutcomes: number): number {
  return factorOf(Math.min(1, quality(r) + explorationBonus(outcomes(r), totalOutcomes)))
}

/**
 * How far above what this node's own book supports a bid's reputation may be before it is refused
 * (see {@link ReputationBook.ceiling}): the bidder's book and this node's differ a little (a dispute
 * seen here first, latency samples in another order).
 */
export const CEILING_TOLERANCE = 0.1

/**
 * The largest reputation a bid for an agent with record `r` may carry, as judged by a node that
 * is not its host: the earned quality plus the exploration bonus the bidder could have, taking the
 * room's experience N as large as it could plausibly be (the bidder may have seen more outcomes:
 * at least 10,000, at least 4x what this node saw), plus {@link CEILING_TOLERANCE}. An agent this
 * node has no outcome of may bid the cap (an untried agent does). The host sees its agent's
 * outcomes first (they are its own results and failures), so an honest host's `n` is at least this
 * node's, and its bonus at most the one assumed here.
 */
export function reputationCeiling (r: SkillRecord, totalOutcomes: number): number {
  const n = outcomes(r)
  if (!(n > 0)) return 1.5
  const plausibleTotal = Math.max(10_000, 4 * Math.max(0, totalOutcomes))
  return Math.min(1.5, factorOf(Math.min(1, quality(r) + explorationBonus(n, plausibleTotal))) + CEILING_TOLERANCE)
}

function factorOf (q: number): number {
  // Rounded so that the value bids carry is short and exactly reproducible.
  return Math.min(1.5, Math.max(0.5, Math.round((0.5 + q) * 1e4) / 1e4))
}

/** Every agent's records on this node, updated from the outcomes it observes. */
export class ReputationBook {
  private readonly records = new Map<string, SkillRecord>()
  /** Attempts with an outcome over every record: N in the exploration bonus. */
  private total = 0

  get (agentId: string, skillId: string): SkillRecord {
    return this.records.get(key(agentId, skillId)) ?? newSkillRecord()
  }

  /** The earned factor (recorded and shown). */
  factor (agentId: string, skillId: string): number {
    return reputationFactor(this.get(agentId, skillId))
  }

  /** The factor this node's bid for the agent carries: earned plus the exploration bonus. */
  bidFactor (agentId: string, skillId: string): number {
    return bidReputation(this.get(agentId, skillId), this.total)
  }

  /** The largest reputation a bid for the agent may carry, by this node's book (see {@link reputationCeiling}). */
  ceiling (agentId: string, skillId: string): number {
    return reputationCeiling(this.get(agentId, skillId), this.total)
  }

  /**
   * Starts a record from what was kept of it before (the host's own agents, from the registry,
   * when its tab reloads), if this node has none yet. Without it a reloaded host would bid its
   * agents as untried, at the cap, and every node that saw their record would refuse the bids.
   */
  seed (agentId: string, skillId: string, r: SkillRecord): void {
    const k = key(agentId, skillId)
    if (this.records.has(k)) return
    this.records.set(k, { ...r })
    this.total += outcomes(r)
  }

  /** Attempts with an outcome this node has seen, every agent and skill. */
  totalOutcomes (): number {
    return this.total
  }

  completed (agentId: string, skillId: string, success: boolean, latencyMs?: number): SkillRecord {
    const r = recordCompletion(this.get(agentId, skillId), success, latencyMs)
    this.total++
    this.records.set(key(agentId, skillId), r)
    return r
  }

  verified (agentId: string, skillId: string, verified: boolean): SkillRecord {
    const r = recordVerification(this.get(agentId, skillId), verified)
    this.records.set(key(agentId, skillId), r)
    return r
  }

  entries (): Array<{ agentId: string, skillId: string, record: SkillRecord, factor: number }> {
    return [...this.records].map(([k, record]) => {
      const [agentId, skillId] = k.split('\n') as [string, string]
      return { agentId, skillId, record, factor: reputationFactor(record) }
    })
  }
}

function key (agentId: string, skillId: string): string {
  return `${agentId}\n${skillId}`
}
