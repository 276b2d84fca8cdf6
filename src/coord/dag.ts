/**
 * Missions: a planner's subtasks as a DAG. `buildDag` validates a plan (ids present and unique,
 * dependencies known, no self-dependency, no cycle: a cycle is named, `a → b → a`) and fixes a
 * topological order. The rest are pure queries the engine asks as subtasks finish: which are
 * ready, what input a subtask gets (its dependencies' outputs, keyed by their plan ids), and the
 * assembled result.
 */
import type { AgentResult, PlannedSubtask } from '../agents/types.ts'
import { sha256Hex } from '../graph/hash.ts'
import { canonicalJson } from '../net/canonical-json.ts'
import { LIMITS } from './messages.ts'

export class PlanError extends Error {
  constructor (readonly field: string, readonly reason: string) {
    super(`${field}: ${reason}`)
    this.name = 'PlanError'
  }
}

export interface DagNode {
  id: string
  text: string
  dependsOn: string[]
  dependents: string[]
  /** Position in the plan. */
  index: number
}

export interface MissionDag {
  nodes: ReadonlyMap<string, DagNode>
  /** A topological order (ties by plan position). */
  order: string[]
}

const PLAN_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/

export function buildDag (subtasks: readonly PlannedSubtask[]): MissionDag {
  if (subtasks.length === 0) throw new PlanError('subtasks', 'a plan needs at least one subtask')
  if (subtasks.length > LIMITS.subtasks) throw new PlanError('subtasks', `a plan may have at most ${LIMITS.subtasks} subtasks, got ${subtasks.length}`)
  const nodes = new Map<string, DagNode>()
  subtasks.forEach((s, index) => {
    if (!PLAN_ID.test(s.id)) throw new PlanError(`subtasks[${index}].id`, `must match ${PLAN_ID.source}, got ${JSON.stringify(s.id)}`)
    if (nodes.has(s.id)) throw new PlanError(`subtasks[${index}].id`, `duplicate id ${JSON.stringify(s.id)}`)
    nodes.set(s.id, { id: s.id, text: s.text, dependsOn: [...new Set(s.dependsOn)], dependents: [], index })
  })
  for (const node of nodes.values()) {
    node.dependsOn.forEach((dep, i) => {
      if (dep === node.id) throw new PlanError(`subtasks[${node.index}].dependsOn[${i}]`, `${JSON.stringify(node.id)} depends on itself`)
      const target = nodes.get(dep)
      if (target === undefined) throw new PlanError(`subtasks[${node.index}].dependsOn[${i}]`, `unknown subtask ${JSON.stringify(dep)}`)
      target.dependents.push(node.id)
    })
  }
  const cycle = findCycle(nodes)
  if (cycle !== null) throw new PlanError('subtasks', `dependency cycle ${cycle.join(' → ')}`)
  return { nodes, order: topologicalOrder(nodes) }
}

function findCycle (nodes: ReadonlyMap<string, DagNode>): string[] | null {
  const state = new Map<string, 'active' | 'done'>()
  const stack: string[] = []
  const visit = (id: string): string[] | null => {
    state.set(id, 'active')
    stack.push(id)
    for (const dep of nodes.get(id)!.dependsOn) {
      const s = state.get(dep)
      if (s === 'active') return [...stack.slice(stack.indexOf(dep)), dep]
      if (s === undefined) {
        const found = visit(dep)
        if (found !== null) return found
      }
    }
    stack.pop()
    state.set(id, 'done')
    return null
  }
  for (const id of nodes.keys()) {
    if (state.get(id) === undefined) {
      const found = visit(id)
      // Found by following dependencies; name it in the direction work flows (dependency first).
      if (found !== null) return found.reverse()
    }
  }
  return null
}

function topologicalOrder (nodes: ReadonlyMap<string, DagNode>): string[] {
  const remaining = new Map([...nodes.values()].map(n => [n.id, n.dependsOn.length]))
  const order: string[] = []
  let ready = [...nodes.values()].filter(n => n.dependsOn.length === 0)
  while (ready.length > 0) {
    ready.sort((a, b) => a.index - b.index)
    const next: DagNode[] = []
    for (const n of ready) {
      order.push(n.id)
      for (const d of n.dependents) {
        const left = remaining.get(d)! - 1
        remaining.set(d, left)
        if (left === 0) next.push(nodes.get(d)!)
      }
    }
    ready = next
  }
  return order
}

/** Subtasks not started whose dependencies are all done, in topological order. */
export function readySubtasks (dag: MissionDag, done: ReadonlySet<string>, started: ReadonlySet<string>): string[] {
  return dag.order.filter(id => !started.has(id) && !done.has(id) && dag.nodes.get(id)!.dependsOn.every(d => done.has(d)))
}

/** A subtask's input: each dependency's output (or, without one, its text), keyed by the dependency's plan id. */
export function subtaskInput (dag: MissionDag, id: string, results: ReadonlyMap<string, AgentResult>): Record<string, unknown> | undefined {
  const node = dag.nodes.get(id)
  if (node === undefined) throw new PlanError('id', `unknown subtask ${JSON.stringify(id)}`)
  if (node.dependsOn.length === 0) return undefined
  const input: Record<string, unknown> = {}
  for (const dep of node.dependsOn) {
    const r = results.get(dep)
    input[dep] = r?.output !== undefined ? r.output : r?.text
  }
  return input
}

/**
 * A short digest of a task's input (canonical JSON, SHA-256, 32 hex characters): what a result is
 * recorded as having run on, so a node can tell that a part ran on another input than the one its
 * dependencies' results, as they stand, give it (staleParts).
 */
export function inputDigest (input: unknown): string {
  return sha256Hex(canonicalJson(input ?? null), 32)
}

/**
 * The parts whose result ran on another input than their dependencies' results give now, each with
 * the dependencies that differ: after a partition merge replaced a dependency's result, a part that
 * ran on the replaced one. `ranOn(id)`: the digest of the input the part's kept result ran on, or
 * null when unknown (a result recorded without it).
 */
export function staleParts (dag: MissionDag, results: ReadonlyMap<string, AgentResult>, ranOn: (id: string) => string | null): Array<{ id: string, deps: string[] }> {
  const out: Array<{ id: string, deps: string[] }> = []
  for (const id of dag.order) {
    const node = dag.nodes.get(id)!
    if (node.dependsOn.length === 0 || !results.has(id) || node.dependsOn.some(d => !results.has(d))) continue
    const ran = ranOn(id)
    if (ran === null || ran === inputDigest(subtaskInput(dag, id, results))) continue
    out.push({ id, deps: [...node.dependsOn] })
  }
  return out
}

/** The mission's result once every subtask is done: the parts in topological order. */
export function assembleMission (dag: MissionDag, results: ReadonlyMap<string, AgentResult>): AgentResult {
  const missing = dag.order.filter(id => !results.has(id))
  if (missing.length > 0) throw new PlanError('subtasks', `not done yet: ${missing.join(', ')}`)
  const shown = shownParts(dag)
  const { output, citations } = partsDelivered(dag, results)
  const assembled: AgentResult = {
    text: shown.length === 1 ? results.get(shown[0]!)!.text : shown.map(id => shownLine(dag, id, results.get(id)!.text, shown)).join('\n'),
    output,
    working: dag.order.map(id => `${id} (${dag.nodes.get(id)!.text}): ${results.get(id)!.text}`)
  }
  if (citations.length > 0) assembled.citations = citations
  return assembled
}

/**
 * The parts a mission's answer shows: those nothing else depends on, and those that ask a question
 * ("When is the beta launch and how many days until it?" asks both; before, its answer said "9 days"
 * and the date was left out). A step towards another ("Square 5" in "Square 5 and add 1", "Find when
 * the beta launches", which the planner adds) is in `working` only.
 */
function shownParts (dag: MissionDag): string[] {
  return dag.order.filter(id => {
    const node = dag.nodes.get(id)!
    return node.dependents.length === 0 || /\?\s*$/.test(node.text) || ASKS.test(node.text.trim())
  })
}

/**
 * A completed mission's answer as builds before 2026-11-24 assembled it ("s1: 12\ns2: 9"), still
 * held in graphs they wrote: a tab comparing a recorded solution with its parts accepts it.
 */
export function legacyMissionText (dag: MissionDag, results: ReadonlyMap<string, AgentResult>): string {
  const sinks = dag.order.filter(id => dag.nodes.get(id)!.dependents.length === 0)
  return sinks.map(id => sinks.length === 1 ? results.get(id)?.text ?? '' : `${id}: ${results.get(id)?.text ?? ''}`).join('\n')
}

/** A shown part's line, named with the part it works on when that one is not shown itself. */
function shownLine (dag: MissionDag, id: string, answer: string, shown: readonly string[]): string {
  const node = dag.nodes.get(id)!
  return partLine(dag, node, answer, node.dependsOn.length === 1 && !shown.includes(node.dependsOn[0]!))
}

const LABEL_MAX = 120
const ASKS = /^(?:what|how|who|whom|whose|which|when|where|why|is|are|was|were|do|does|did|can|could|will|would|should)\b/i

/**
 * One part of a mission's answer as the person reads it: the part as planned, then its answer
 * ("What is 15% of 80? 12", "Convert 5 km to miles: 3.11 miles"). Before, the answer said
 * "s1: 12\ns2: 12", and which 12 answered which question was left to guess. The plan ids stay in
 * `working` and in `output`. `named`: whether a part that works on one before it is named with
 * that one ("Find when the beta launches, then how many days until that date? 31 days").
 */
function partLine (dag: MissionDag, node: DagNode, answer: string, named: boolean): string {
  const asked = node.text.trim()
  let label = asked.replace(/[\s.?!:;,]+$/, '')
  // A part that works on one before it is named with it: "How many days until that date?" alone
  // does not say which date.
  const before = named ? dag.nodes.get(node.dependsOn[0]!) : undefined
  if (before !== undefined) label = `${before.text.trim().replace(/[\s.?!:;,]+$/, '')}, then ${/^[A-Z][a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label}`
  if (label.length > LABEL_MAX) label = `${label.slice(0, LABEL_MAX - 1).trimEnd()}…`
  const mark = /\?\s*$/.test(asked) || ASKS.test(asked) ? '?' : ':'
  return `${label}${mark}${answer.includes('\n') ? '\n' : ' '}${answer}`
}

/** Each delivered part's output (or, without one, its text) by plan id, and every id the parts cite, once. */
function partsDelivered (dag: MissionDag, results: ReadonlyMap<string, AgentResult>): { output: Record<string, unknown>, citations: string[] } {
  const output: Record<string, unknown> = {}
  const citations = new Set<string>()
  for (const id of dag.order) {
    const r = results.get(id)
    if (r === undefined) continue
    output[id] = r.output !== undefined ? r.output : r.text
    for (const c of r.citations ?? []) citations.add(c)
  }
  return { output, citations: [...citations] }
}

/**
 * The parts that can never run because a part they depend on (directly or not) ended without a
 * result, each with the ended part that blocks it first in plan order.
 */
export function blockedBy (dag: MissionDag, ended: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>()
  const endedSet = new Set(ended)
  for (const id of dag.order) {
    if (endedSet.has(id)) continue
    const cause = dag.nodes.get(id)!.dependsOn.map(d => endedSet.has(d) ? d : out.get(d)).find(x => x !== undefined)
    if (cause !== undefined) out.set(id, cause)
  }
  return out
}

/**
 * Why each part of a mission is not done: its own ending (`ended`, by plan id), or, for a part that
 * can never run, the ended part that blocks it, named by its text as well as its id.
 */
export function whyNotDone (dag: MissionDag, ended: ReadonlyMap<string, string>): Map<string, string> {
  const notDone = new Map(ended)
  for (const [id, cause] of blockedBy(dag, ended.keys())) notDone.set(id, `not run: it depends on "${dag.nodes.get(cause)!.text.trim()}" (${cause})`)
  return notDone
}

/**
 * What a mission that failed still delivers: the result of every part that completed, and for each
 * other part why it is not done ("unassigned: no capable agent in the room", {@link whyNotDone}).
 * Undefined when no part completed: then there is nothing to deliver but the reason.
 */
export function assemblePartial (dag: MissionDag, results: ReadonlyMap<string, AgentResult>, notDone: ReadonlyMap<string, string>): AgentResult | undefined {
  const done = dag.order.filter(id => results.has(id))
  if (done.length === 0) return undefined
  const { output, citations } = partsDelivered(dag, results)
  const lines = dag.order.map(id => {
    const r = results.get(id)
    const what = `${id} (${dag.nodes.get(id)!.text})`
    return r === undefined ? `${what}: not done, ${notDone.get(id) ?? 'not finished'}` : `${what}: ${r.text}`
  })
  // Every part is listed, so none is named with the one before it; one not done says why (naming the part it waits for, if that is why).
  const shown = dag.order.map(id => partLine(dag, dag.nodes.get(id)!, results.get(id)?.text ?? `not done, ${notDone.get(id) ?? 'not finished'}`, false))
  const partial: AgentResult = { text: `Partly done (${done.length} of ${dag.order.length} parts):\n${shown.join('\n')}`, output, working: lines }
  if (citations.length > 0) partial.citations = citations
  return partial
}
