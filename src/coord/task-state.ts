/**
 * Task states, as A2A names them, plus `unassigned` (nobody could take the task; a reason says
 * why), and the transitions between them. The engine applies every state change through
 * `applyTransition`, so an illegal change (a result for a cancelled task, a second completion) is
 * refused and counted rather than silently applied.
 */

export const TASK_STATES = ['submitted', 'working', 'input-required', 'completed', 'failed', 'canceled', 'rejected', 'unassigned'] as const
export type TaskState = typeof TASK_STATES[number]

export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set(['completed', 'failed', 'canceled', 'rejected', 'unassigned'])

export function isTerminal (state: TaskState): boolean {
  return TERMINAL_STATES.has(state)
}

/**
 * Allowed changes. `submitted → submitted` and `working → submitted` are re-announcements (the next
 * attempt); `submitted → completed` is a late result of an earlier attempt, which at-least-once
 * execution accepts.
 */
export const TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  submitted: ['submitted', 'working', 'completed', 'unassigned', 'failed', 'rejected', 'canceled'],
  working: ['submitted', 'working', 'input-required', 'completed', 'failed', 'rejected', 'canceled'],
  'input-required': ['submitted', 'working', 'completed', 'failed', 'rejected', 'canceled'],
  completed: [],
  failed: [],
  canceled: [],
  rejected: [],
  unassigned: []
}

export function canTransition (from: TaskState, to: TaskState): boolean {
  return TRANSITIONS[from].includes(to)
}

/**
 * `changed`: apply it. `duplicate-completion`: the task is already completed (recording stays
 * idempotent: ignore and count). `illegal`: refuse and count.
 */
export type TransitionOutcome = 'changed' | 'duplicate-completion' | 'illegal'

export function applyTransition (from: TaskState, to: TaskState): TransitionOutcome {
  if (from === 'completed' && to === 'completed') return 'duplicate-completion'
  return canTransition(from, to) ? 'changed' : 'illegal'
}
