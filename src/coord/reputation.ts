/**
 * Reputation per agent and skill: success rate, verification rate and latency, each smoothed by a
 * prior so that a new agent starts neutral (factor 1) and a few outcomes move it only a little.
 * The factor, in [0.5, 1.5], multiplies a bid's confidence in the award rule (award.ts).
 *
 *   success      = (successes + 1) / (attempts + 2)                 (Beta(1,1) prior, 0.5 when new)
 *   verification = (verified + 1) / (verified + disputed + 2)
 *   speed        = priorLatency / (priorLatency + latencyEwma)      (0.5 at the prior latency)
 *   factor       = 0.5 + 0.5·success + 0.3·verification + 0.2·speed
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

export function reputationFactor (r: SkillRecord): number {
  const speed = PRIOR_LATENCY_MS / (PRIOR_LATENCY_MS + Math.max(0, r.latencyEwmaMs))
  const q = 0.5 * successRate(r) + 0.3 * verificationRate(r) + 0.2 * speed
  // Rounded so that the value bids carry is short and exactly reproducible.
  return Math.min(1.5, Math.max(0.5, Math.round((0.5 + q) * 1e4) / 1e4))
}

/** Every agent's records on this node, updated from the outcomes it observes. */
export class ReputationBook {
  private readonly records = new Map<string, SkillRecord>()

  get (agentId: string, skillId: string): SkillRecord {
    return this.records.get(key(agentId, skillId)) ?? newSkillRecord()
  }

  factor (agentId: string, skillId: string): number {
    return reputationFactor(this.get(agentId, skillId))
  }

  completed (agentId: string, skillId: string, success: boolean, latencyMs?: number): SkillRecord {
    const r = recordCompletion(this.get(agentId, skillId), success, latencyMs)
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
