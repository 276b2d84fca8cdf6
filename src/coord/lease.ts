/**
 * Leases and attempts. The winner of an award holds a lease on the task attempt; its peer renews it
 * with heartbeats (lease messages, one per peer for all its tasks); when `ttlMs` passes without a
 * renewal (or the winner's peer leaves), the lease has lapsed and the task is announced again
 * without the failed agent, up to `maxAttempts` attempts, after which it fails with the reasons.
 * Times are this node's clock at receipt, never the sender's, so clock skew does not matter.
 */
import { LIMITS, type AgentRef } from './messages.ts'

export const DEFAULT_MAX_ATTEMPTS = 3

export interface Lease {
  taskId: string
  attempt: number
  holder: AgentRef
  grantedAt: number
  renewedAt: number
  ttlMs: number
}

export function grantLease (taskId: string, attempt: number, holder: AgentRef, now: number, ttlMs: number): Lease {
  return { taskId, attempt, holder, grantedAt: now, renewedAt: now, ttlMs }
}

/** A renewal counts only from the holder, for the leased attempt. */
export function renewLease (lease: Lease, from: AgentRef, attempt: number, now: number): Lease {
  if (attempt !== lease.attempt || from.peerId !== lease.holder.peerId || from.agentId !== lease.holder.agentId) return lease
  return { ...lease, renewedAt: Math.max(lease.renewedAt, now) }
}

export function leaseExpiresAt (lease: Lease): number {
  return lease.renewedAt + lease.ttlMs
}

export function isLapsed (lease: Lease, now: number): boolean {
  return now >= leaseExpiresAt(lease)
}

/** How often a holder sends heartbeats: three chances per ttl, so one lost heartbeat is harmless. */
export function heartbeatIntervalMs (ttlMs: number): number {
  return Math.max(50, Math.floor(ttlMs / 3))
}

export interface FailedAttempt {
  attempt: number
  agent?: AgentRef
  /** `refused`: the agent declined the work (handoff, refusal); anything else is a failure. */
  code: string
  reason: string
}

export type NextStep =
  | { kind: 'retry', attempt: number, excluded: AgentRef[] }
  | { kind: 'give-up', state: 'failed' | 'rejected', reasons: string[] }

/**
 * The end of a task after its failed attempts (all of them used, or a retry nobody took): `rejected`
 * when every attempt was refused, else `failed`, with each attempt's reason, cut to what a failure
 * message may carry (LIMITS.reasonLength), so peers do not refuse the message that ends the task.
 */
export function giveUp (failures: readonly FailedAttempt[]): Extract<NextStep, { kind: 'give-up' }> {
  const reasons = failures.map(f => `attempt ${f.attempt}${f.agent !== undefined ? ` (${f.agent.agentId})` : ''}: ${f.reason}`.slice(0, LIMITS.reasonLength))
  const allRefused = failures.length > 0 && failures.every(f => f.code === 'refused')
  return { kind: 'give-up', state: allRefused ? 'rejected' : 'failed', reasons }
}

/**
 * What follows a failed attempt: the next attempt without the agent that failed, or, after
 * `maxAttempts`, the end: `rejected` when every attempt was refused, else `failed`, with the reasons.
 */
export function nextAttempt (current: { attempt: number, excluded: readonly AgentRef[] }, failures: readonly FailedAttempt[], maxAttempts = DEFAULT_MAX_ATTEMPTS): NextStep {
  const last = failures[failures.length - 1]
  if (current.attempt >= maxAttempts) return giveUp(failures)

  const excluded = [...current.excluded]
  if (last?.agent !== undefined && !excluded.some(x => x.agentId === last.agent!.agentId && x.peerId === last.agent!.peerId)) {
    excluded.push(last.agent)
  }
  return { kind: 'retry', attempt: current.attempt + 1, excluded }
}
