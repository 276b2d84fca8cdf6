/**
 * Graph entity ids for what the mesh records (see "What the mesh records in the graph" in
 * docs/protocol.md). Pure and deterministic: every node derives the same id for the same task,
 * result or question, so two nodes recording the same thing write to one entity.
 *
 * Coordination ids (`TASK_ID_PATTERN`, up to 200 characters, `/` allowed) are wider than graph ids
 * (`ID_PATTERN`, up to 100, no `/`), so they are mapped by {@link graphKey}: `_` becomes `_u` and
 * `/` becomes `_s` (injective, and subtask ids stay readable: `t-ab-1/2` → `t-ab-1_s2`); a key that
 * would still be longer than {@link KEY_MAX} is replaced by `_h` + 32 hex characters of its SHA-256.
 * Escaped keys never contain `_h`, so the two forms cannot collide.
 */
import { sha256Hex } from '../graph/hash.ts'
import { ID_PATTERN as GRAPH_ID_PATTERN } from '../graph/schema.ts'
import { TASK_ID_PATTERN } from './messages.ts'
import { ownedBy, shortPeer } from '../net/peer-ids.ts'

/** Longest key kept readable; leaves room for the longest prefix and an attempt suffix within 100. */
export const KEY_MAX = 64

/** Why `raw` cannot be mapped, or undefined if it can. */
export function keyProblem (raw: unknown): string | undefined {
  if (typeof raw !== 'string') return `must be a string, got ${raw === null ? 'null' : typeof raw}`
  if (!TASK_ID_PATTERN.test(raw)) return `${JSON.stringify(raw.slice(0, 120))} is not a valid coordination id (${TASK_ID_PATTERN.source})`
  return undefined
}

/** The graph-safe key of a coordination id (task, question, alert, decision). Throws on an invalid id. */
export function graphKey (raw: string): string {
  const problem = keyProblem(raw)
  if (problem !== undefined) throw new TypeError(problem)
  const escaped = raw.replace(/[_/]/g, c => (c === '_' ? '_u' : '_s'))
  return escaped.length <= KEY_MAX ? escaped : `_h${sha256Hex(raw, 32)}`
}

/** 8 hex characters naming a peer inside an id (peer ids are ~52 characters). */
export function peerKey (peerId: string): string {
  return sha256Hex(peerId, 8)
}

/** The task's thread (written by its steward). */
export const taskThreadId = (taskId: string): string => `task:${graphKey(taskId)}`
/** The result of one attempt, a hypothesis (written by the producer's node). */
export const resultId = (taskId: string, attempt: number): string => `result:${graphKey(taskId)}:${attempt}`
/** The verified fact derived from a result (written by the steward). */
export const factId = (taskId: string, attempt: number): string => `fact:${graphKey(taskId)}:${attempt}`
/** The conflict raised by disputes of a result (written by the steward). */
export const disputeId = (taskId: string, attempt: number): string => `dispute:${graphKey(taskId)}:${attempt}`
/** A mission's assembled solution (written by the mission's steward). */
export const solutionId = (missionId: string): string => `solution:${graphKey(missionId)}`
/** An agent's question (written by the asking agent's node). */
export const questionId = (id: string): string => `question:${graphKey(id)}`
/** The answer to a question given at one peer (written by that peer: two people answering at once make two facts, not a key conflict). */
export const answerId = (questionIdRaw: string, peerId: string): string => `answer:${graphKey(questionIdRaw)}:${peerKey(peerId)}`
/** A person's decision (written by the deciding node). */
export const decisionId = (id: string): string => `decision:${graphKey(id)}`
/** An agent's reputation, per skill (written by the node hosting the agent); agent ids hold `@`, so hashed. */
export const reputationId = (agentId: string): string => `reputation:${sha256Hex(agentId, 24)}`
/** Alerts that concern no task, one thread per alerting node. */
export const alertsThreadId = (peerId: string): string => `alerts:${peerKey(peerId)}`

/** Whether `id` can be used as a graph entity id as is. */
export const isGraphId = (id: unknown): id is string => typeof id === 'string' && id.length <= 100 && GRAPH_ID_PATTERN.test(id)

const RESULT_ID = /^result:(.+):(\d+)$/

/** For `result:<key>:<n>`, the wildcard key `result:<key>:*` that stands for "any result of the task". */
export function resultWildcardOf (id: string): string | undefined {
  const m = RESULT_ID.exec(id)
  return m === null ? undefined : `result:${m[1]!}:*`
}

/** For `result:<key>:<n>`, the task's thread id (`task:<key>`) and the attempt `n`. */
export function resultIdParts (id: string): { thread: string, attempt: number } | undefined {
  const m = RESULT_ID.exec(id)
  return m === null ? undefined : { thread: `task:${m[1]!}`, attempt: Number(m[2]) }
}

export const resultWildcard = (taskId: string): string => `result:${graphKey(taskId)}:*`

// Peer id helpers the agents layer needs too live in net/peer-ids.ts.
export { ownedBy, shortPeer }

/** `agent on …peer`, as every line and reason names an agent: without an `@<its peer id>` suffix, the peer shortened. */
export function agentOn (a: { agentId: string, peerId: string }): string {
  const name = ownedBy(a.agentId, a.peerId) ? a.agentId.slice(0, a.agentId.length - a.peerId.length - 1) : a.agentId
  return `${name} on ${shortPeer(a.peerId)}`
}
