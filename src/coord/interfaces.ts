/**
 * What the coordination engine needs from the rest of the tab, as five small interfaces injected
 * into `createCoordEngine` (engine.ts). Each is easy to fake: tests run several engines in one
 * process over an in-memory transport with a fake clock.
 */
import type { AgentResult, AgentTask } from '../agents/types.ts'
import type { AgentRef, Bid, FailureCode } from './messages.ts'
import type { SkillRecord } from './reputation.ts'
import type { TaskState } from './task-state.ts'
import type { VerificationStatus, Vote } from './quorum.ts'

/**
 * Carries signed envelopes to every other present peer of the room (in the app: a room channel, one
 * send per peer over its direct link; src/net/channels.ts). `publish` never echoes back to the
 * sender. `fromPeer` is the peer the transport authenticated as the message's origin, when it knows
 * one (the direct connection's remote peer); the engine refuses envelopes whose `from` differs.
 */
export interface CoordTransport {
  publish (envelope: Uint8Array): void
  /** Subscribes; returns the unsubscribe function. */
  onMessage (fn: (envelope: Uint8Array, fromPeer?: string) => void): () => void
  /** Peer ids of the room present now (not this node). */
  peers (): string[]
  /** Optional: told at once when a peer leaves (else the engine notices on its next tick). */
  onPeerLeave? (fn: (peerId: string) => void): () => void
}

/** A local agent's offer for a task, as the capability index sees it. */
export interface BidOffer {
  agentId: string
  skillId: string
  /** 0..1. */
  confidence: number
  /** Estimated latency, ms (default 1000). */
  latencyMs?: number
}

/** Which local agents could do a task. The engine adds load and reputation and applies the award rule. */
export interface BidHints {
  preferred?: string
  failedBy?: string[]
}

export interface CoordBidder {
  /**
   * `preferred`: the agent a handoff named for this attempt. If it is one of this node's agents and
   * can take the task, offer it (it wins if it bids), even if matching would not rank it first.
   * `failedBy`: agents whose earlier attempt at this task failed with an error (not a timeout, a
   * refusal or a vanished holder). An agent that runs the same deterministic code would fail the
   * same way, and may decline.
   */
  bid (task: AgentTask, hints?: BidHints): BidOffer[] | Promise<BidOffer[]>
}

/** Thrown (or returned as a rejection) by an agent that hands its task off; see {@link ExecutionHooks.handOff}. */
export class HandoffRequest extends Error {
  constructor (readonly reason: string, readonly toAgentId?: string) {
    super(`handoff: ${reason}`)
    this.name = 'HandoffRequest'
  }
}

/** What a running agent may do besides returning a result. */
export interface ExecutionHooks {
  /** Progress 0..1, shown on every node (and it renews the lease). */
  progress (fraction: number, note?: string): void
  /**
   * Asks a person (at any tab) or the mesh; the task is `input-required` until someone answers via
   * `tasks.answer`. Rejects if the task is cancelled.
   */
  ask (text: string, to?: 'person' | 'mesh'): Promise<string>
  alert (text: string, severity?: 'info' | 'warning' | 'critical'): void
  /** Gives the task up for a better-matched agent: throws a {@link HandoffRequest}; let it propagate. */
  handOff (reason: string, toAgentId?: string): never
}

/**
 * Runs a local agent on a task. `signal` aborts when the task is cancelled, superseded or completed
 * elsewhere. An `AgentRunError` with code `timeout` becomes a `timeout` failure; `HandoffRequest` a
 * handoff; any other error a failed attempt.
 */
export interface CoordExecutor {
  run (agentId: string, task: AgentTask, signal: AbortSignal, hooks: ExecutionHooks): Promise<AgentResult>
}

/** Time, injectable so that tests control it. */
export interface Clock {
  now (): number
  setTimeout (fn: () => void, ms: number): unknown
  clearTimeout (handle: unknown): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: handle => { clearTimeout(handle as ReturnType<typeof setTimeout>) }
}

type Recorded = void | Promise<void>

/**
 * Writes what the mesh does into the knowledge graph. Each fact is recorded by one node, the one
 * that caused it (noted on each method), so a room of N tabs does not write everything N times; the
 * graph's sync brings it to the others. Entity ids should be derived from the task id (e.g.
 * `task:${taskId}`, `result:${taskId}:${attempt}`) so that two nodes recording the same thing
 * (after a takeover) converge on one entity. Errors are reported as `problem` events, never thrown
 * into the protocol.
 */
export interface CoordRecorder {
  /** The steward, at each announcement (attempt). */
  /**
   * `takeoverFrom`: a steward that took the task over records it as it knows it (the old steward's
   * tab may have closed before its recorder wrote the task): the thread's state is left as it is,
   * and its line says who took over from whom.
   */
  task (r: { taskId: string, attempt: number, text: string, input?: unknown, missionId?: string, deadline?: number, timeZone?: string, excluded: AgentRef[], steward: string, takeoverFrom?: string, at: number }): Recorded
  /** The node that published the award: the bid set and the winner. */
  award (r: { taskId: string, attempt: number, winner: Bid | null, bids: Bid[], digest: string, reason?: string, at: number }): Recorded
  /** The producer's node: the result, as a hypothesis. */
  /** `inputDigest`: what the attempt ran on (dag.ts inputDigest of the task's input), for a mission part that has an input. */
  /** `attest`: the producer's attestation of the result (attest.ts), stored with it. */
  result (r: { taskId: string, attempt: number, producer: AgentRef, skillId: string, text: string, result: AgentResult, startedAt: number, finishedAt: number, inputDigest?: string, attest?: string }): Recorded
  /** The voter's node. */
  vote (r: { taskId: string, vote: Vote, at: number }): Recorded
  /**
   * The steward: `verified` makes the result a fact; `disputed` marks it and raises a conflict;
   * `unverified` (with its `reason`) notes on the thread that no verdict came, and the result stays a
   * hypothesis. `votes`: the signed votes that decided it (each counting supporter's, each
   * well-founded dispute), kept with it so that a tab reading it from the graph can check it
   * (verification-record.ts).
   */
  verification (r: { taskId: string, status: VerificationStatus, producer: AgentRef, supporters: string[], disputes: Vote[], votes?: Vote[], reason?: string, at: number }): Recorded
  /**
   * The steward: the final state (completed, failed, rejected, canceled, unassigned). Idempotent per
   * task. A mission's carries its working group, which dissolves with it.
   */
  outcome (r: { taskId: string, state: TaskState, reason?: string, attempts: number, producer?: AgentRef & { attempt: number }, result?: AgentResult, failures?: Array<{ attempt: number, code: FailureCode | string, reason: string, agent?: AgentRef }>, group?: AgentRef[], at: number }): Recorded
  /** The mission's steward: the assembled result as a solution, with its parts and working group. */
  solution (r: { missionId: string, text: string, result: AgentResult, parts: Array<{ planId: string, taskId: string, producer?: AgentRef & { attempt?: number }, verification?: VerificationStatus }>, group: AgentRef[], at: number }): Recorded
  /**
   * The originating node: questions, answers, alerts, decisions and handoffs; and the holder's
   * progress notes (each new note of an attempt, not every fraction).
   */
  consultation (r: { kind: 'question' | 'answer' | 'alert' | 'decision' | 'handoff' | 'progress', id: string, taskId?: string, about?: string, agentId?: string, peerId: string, text: string, at: number }): Recorded
  /** The node hosting the agent, after each completion or verification. */
  reputation (r: { agentId: string, skillId: string, peerId: string, record: SkillRecord, factor: number, at: number }): Recorded
}
