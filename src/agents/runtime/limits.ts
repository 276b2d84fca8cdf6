/**
 * The runtime's numeric decisions: how many pool workers, how long a task may run, whether a
 * sub-agent may be spawned. Pure, so the rules are tested without workers.
 */
import { LIMIT_BOUNDS, type AgentLimits, type ToolName } from '../manifest.ts'

/** Pool workers for built-in agents: one per core left over after the main thread, at least 2 (so one hung task never stalls every built-in), at most 4. */
export const POOL_SIZE_BOUNDS = { min: 2, max: 4 } as const

export function defaultPoolSize (hardwareConcurrency: number | undefined): number {
  const cores = typeof hardwareConcurrency === 'number' && Number.isFinite(hardwareConcurrency) ? Math.floor(hardwareConcurrency) : 2
  return Math.min(POOL_SIZE_BOUNDS.max, Math.max(POOL_SIZE_BOUNDS.min, cores - 1))
}

/** Tasks running at once in a tab unless the factory says otherwise; more wait in the queue. */
export const DEFAULT_TAB_CONCURRENCY = 32
/** Tasks that may wait for a slot before `run` answers `busy`. */
export const DEFAULT_MAX_QUEUED = 1024

/**
 * The wall-clock budget of one task: the caller's override if given, else the manifest's
 * `limits.timeoutMs`. An override is checked against the same bounds as the manifest field.
 */
export function effectiveTimeout (limits: AgentLimits, override?: number): number {
  if (override === undefined) return limits.timeoutMs
  const { min, max } = LIMIT_BOUNDS.timeoutMs
  if (typeof override !== 'number' || !Number.isInteger(override) || override < min || override > max) {
    throw new TypeError(`timeoutMs must be an integer between ${min} and ${max}, got ${String(override)}`)
  }
  return override
}

/**
 * What a running task may still spawn. `depthBudget` is how many more levels may exist below it:
 * a top-level agent starts with its manifest's `maxDepth`; a child gets the smaller of its parent's
 * budget minus one and its own manifest's `maxDepth`, so no agent in the tree exceeds its own limit
 * nor lets its descendants exceed an ancestor's. `live` counts the sub-agents alive now against
 * `maxSubAgents` (per registered agent across its tasks, per task for sub-agents).
 */
export interface SpawnBudget {
  tools: readonly ToolName[]
  maxSubAgents: number
  depthBudget: number
  live: number
}

/** Why a spawn is refused (a sentence), or undefined when it may go ahead. Tool checks come first. */
export function spawnRefusal (b: SpawnBudget): { tool: true, reason: string } | { tool: false, reason: string } | undefined {
  if (!b.tools.includes('spawn')) return { tool: true, reason: 'spawning sub-agents needs the "spawn" tool in the manifest' }
  if (b.depthBudget < 1) return { tool: false, reason: 'sub-agent depth limit reached (limits.maxDepth)' }
  if (b.live >= b.maxSubAgents) return { tool: false, reason: `already ${b.live} sub-agent(s) alive, the limit is ${b.maxSubAgents} (limits.maxSubAgents)` }
  return undefined
}

/** The depth budget of a child spawned under a parent with `parentBudget`, given the child's own `maxDepth`. */
export function childDepthBudget (parentBudget: number, childMaxDepth: number): number {
  return Math.max(0, Math.min(parentBudget - 1, childMaxDepth))
}
