/**
 * The task list's rows: newest request first, each mission followed by its subtasks (in plan
 * order), capped so that hundreds of tasks stay cheap to render. Pure.
 */
import type { TaskSnapshot } from '../../coord/engine.ts'
import { parentOf } from './task-format.ts'

export interface TaskRow { task: TaskSnapshot, depth: 0 | 1 }

/** Rows the list renders at most. */
export const MAX_ROWS = 200

/** Newest first; ties (same millisecond) by id so the order is stable. */
export function newestFirst (a: TaskSnapshot, b: TaskSnapshot): number {
  return b.timings.submittedAt - a.timings.submittedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)
}

/**
 * `tasks` in any order. A subtask whose mission is unknown here (forgotten) is a row of its own.
 * Returns the rows and how many tasks did not fit.
 */
export function taskRows (tasks: readonly TaskSnapshot[], limit = MAX_ROWS): { rows: TaskRow[], hidden: number } {
  const byId = new Map(tasks.map(t => [t.id, t]))
  const children = new Map<string, TaskSnapshot[]>()
  const top: TaskSnapshot[] = []
  for (const t of tasks) {
    const parent = t.missionId ?? parentOf(t.id)
    if (parent !== undefined && byId.has(parent)) {
      let list = children.get(parent)
      if (list === undefined) { list = []; children.set(parent, list) }
      list.push(t)
    } else {
      top.push(t)
    }
  }
  top.sort(newestFirst)
  const rows: TaskRow[] = []
  for (const t of top) {
    if (rows.length >= limit) break
    rows.push({ task: t, depth: 0 })
    const kids = children.get(t.id)
    if (kids === undefined) continue
    const order = new Map(t.mission?.subtasks.map((s, i) => [s.taskId, i]) ?? [])
    kids.sort((a, b) => (order.get(a.id) ?? Infinity) - (order.get(b.id) ?? Infinity) || (a.id < b.id ? -1 : 1))
    for (const k of kids) {
      if (rows.length >= limit) break
      rows.push({ task: k, depth: 1 })
    }
  }
  return { rows, hidden: tasks.length - rows.length }
}
