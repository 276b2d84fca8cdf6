/**
 * A mission's answer as a tab that did not run it reads it from the graph (docs/protocol.md,
 * "Signed results in the graph").
 *
 * A mission's steward records the assembled answer as a solution entity (or, for a mission that
 * failed, what its parts delivered in the thread's outcome). Neither is signed, and every member of
 * the room can write the graph: a tab that lists a mission which ended while it was away would show
 * whatever a member put there. So that tab does not take the record's answer: it assembles the
 * answer again, exactly as the steward did (dag.ts), from what was signed: the planner's plan and
 * each part's result, every one checked against its producer's attestation (attest.ts). The
 * record is only compared with it: an answer that differs is reported (a forgery, or a record a
 * later reassembly has not replaced yet), never shown.
 *
 * `readMission` is pure: the recorder gathers what the graph holds (`RecordedMission`), the engine
 * passes its attestation check.
 */
import type { AgentResult } from '../agents/types.ts'
import { canonicalJson } from '../net/canonical-json.ts'
import { assembleMission, assemblePartial, buildDag, legacyMissionText, whyNotDone, type MissionDag } from './dag.ts'
import type { GraphResult } from './engine.ts'
import { validateAgentResult } from './messages.ts'
import type { Completion } from './outcome-merge.ts'
import { isTerminal, type TaskState } from './task-state.ts'

/** One part's thread (`<missionId>/<n>`) as the graph holds it; only `taskId` when there is none (not run, or not here yet). */
export interface RecordedPart {
  taskId: string
  state?: string
  reason?: string
  /** The part's completion, and that attempt's result record if the graph has it. */
  completion?: Completion
  result?: GraphResult
}

/** What the graph holds of a mission, for `readMission`. */
export interface RecordedMission {
  /** The planner's attempt whose result is the plan (the thread's completion, or its outcome's producer). */
  planAttempt?: number
  /** That attempt's result record, if the graph has it. */
  plan?: GraphResult
  /** The part threads `<missionId>/1` .. `/<n>`, n the plan's subtasks (none when the plan is not here). */
  parts: RecordedPart[]
  /** The answer the record states: the solution of a completed mission, a failed one's partial. */
  recorded?: AgentResult
}

/** Why a record does not count (its producer's signature does not cover it), or undefined when it does. */
export type AttestCheck = (taskId: string, attempt: number, got: GraphResult) => string | undefined

export type MissionReading =
  /** The answer assembled from the signed parts (none: no part delivered; no `dag`: the plan cannot run); `mismatch` when the record states another. */
  | { kind: 'mission', result?: AgentResult, mismatch?: string, dag?: MissionDag }
  /** The attempt's result is no plan: the task is no mission, and its own result stands (a recorded solution is a stray). */
  | { kind: 'plain', mismatch?: string }
  /** Records it needs have not reached this graph yet (they may come: a later change re-reads). */
  | { kind: 'waiting', detail: string }
  /** A record it needs is not what its producer signed, or is malformed: nothing is shown. */
  | { kind: 'refused', detail: string }

/** The task ids of a mission's parts, in plan order (as the engine names them when the mission starts). */
export function partTaskId (missionId: string, index: number): string {
  return `${missionId}/${index + 1}`
}

/**
 * The answer of the mission `missionId`, ended in `state`, assembled from the signed records in
 * `m`; `attested` checks a result record against its producer's signature.
 */
export function readMission (missionId: string, state: TaskState, m: RecordedMission, attested: AttestCheck): MissionReading {
  if (m.planAttempt === undefined) return { kind: 'refused', detail: 'the graph records no planner\'s attempt for this mission, so its answer cannot be checked against its parts' }
  if (m.plan === undefined) return { kind: 'waiting', detail: `the planner's result (attempt ${m.planAttempt}) has not reached this tab's graph yet` }
  const planProblem = attested(missionId, m.planAttempt, m.plan)
  if (planProblem !== undefined) return { kind: 'refused', detail: `its plan: ${planProblem}` }
  let plan: AgentResult
  try {
    plan = validateAgentResult(m.plan.result, 'plan')
  } catch (err) {
    return { kind: 'refused', detail: `its plan is malformed: ${(err as Error).message}` }
  }
  const subtasks = plan.plan?.subtasks
  if (subtasks === undefined || subtasks.length === 0) {
    return m.recorded === undefined ? { kind: 'plain' } : { kind: 'plain', mismatch: 'the graph records a mission\'s answer for it, but its result is no plan' }
  }
  let dag: MissionDag
  try {
    dag = buildDag(subtasks)
  } catch {
    // A plan that cannot run: the mission failed without parts (every node reached that verdict).
    if (state === 'completed') return { kind: 'refused', detail: 'the graph records it completed, but its plan cannot run' }
    return { kind: 'mission', ...(m.recorded?.output !== undefined ? { mismatch: 'the graph records what the parts of a mission whose plan cannot run delivered' } : {}) }
  }
  const results = new Map<string, AgentResult>()
  const ended = new Map<string, string>()
  const missing: string[] = []
  for (const node of dag.nodes.values()) {
    const taskId = partTaskId(missionId, node.index)
    const p = m.parts.find(x => x.taskId === taskId)
    if (p?.completion !== undefined) {
      const r = p.result
      if (r === undefined) { missing.push(node.id); continue }
      if (r.producer.peerId !== p.completion.peerId || r.producer.agentId !== p.completion.agentId) {
        return { kind: 'refused', detail: `part ${node.id}: its result record names ${r.producer.agentId}, not ${p.completion.agentId} whose completion the graph records` }
      }
      const problem = attested(taskId, p.completion.attempt, r)
      if (problem !== undefined) return { kind: 'refused', detail: `part ${node.id}: ${problem}` }
      try {
        results.set(node.id, validateAgentResult(r.result, `part ${node.id}`))
      } catch (err) {
        return { kind: 'refused', detail: `part ${node.id} is malformed: ${(err as Error).message}` }
      }
    } else if (p?.state !== undefined && isTerminal(p.state as TaskState) && p.state !== 'completed') {
      ended.set(node.id, `${p.state}${p.reason !== undefined ? `: ${p.reason}` : ''}`)
    } else if (state === 'completed') {
      missing.push(node.id)
    }
  }
  if (missing.length > 0) {
    const order = dag.order.filter(id => missing.includes(id))
    return { kind: 'waiting', detail: `the result${order.length === 1 ? '' : 's'} of part${order.length === 1 ? '' : 's'} ${order.join(', ')} ${order.length === 1 ? 'has' : 'have'} not reached this tab's graph yet` }
  }
  if (state === 'completed') {
    if (ended.size > 0) return { kind: 'refused', detail: `the graph records it completed, but part${ended.size === 1 ? '' : 's'} ${[...ended.keys()].join(', ')} ended without a result` }
    const result = assembleMission(dag, results)
    const r = m.recorded
    const differs = r !== undefined && ((r.text !== result.text && r.text !== legacyMissionText(dag, results)) || (r.output !== undefined && canonicalJson(r.output) !== canonicalJson(result.output)))
    return differs ? { kind: 'mission', result, dag, mismatch: 'the graph\'s solution is not what its parts\' signed results assemble to' } : { kind: 'mission', result, dag }
  }
  // Ended otherwise: what the parts delivered, and why each other is not done (as the steward says it).
  const result = assemblePartial(dag, results, whyNotDone(dag, ended))
  // The record keeps a partial's text clipped and its output only when small, so only the output
  // is compared; the text shown is the one assembled here either way.
  const r = m.recorded
  const differs = state === 'failed' && r?.output !== undefined && (result === undefined || canonicalJson(r.output) !== canonicalJson(result.output))
  return { kind: 'mission', ...(result !== undefined ? { result } : {}), dag, ...(differs ? { mismatch: 'the graph\'s record of what its parts delivered is not what their signed results assemble to' } : {}) }
}
