/**
 * The Tasks tab's timeline: protocol steps and refused messages as lines, kept in a bounded
 * buffer (oldest dropped first), filtered to one task and its subtasks or shown whole. Pure.
 */
import type { ProtocolEvent, RejectedEvent } from '../../coord/engine.ts'
import { concerns } from './task-format.ts'

export interface TimelineLine {
  /** Increasing per buffer: a stable key for rendering. */
  seq: number
  at: number
  /** The protocol kind, or `rejected`. */
  kind: string
  from?: string
  taskId?: string
  summary: string
  rejected: boolean
}

/** Lines the buffer keeps (the view shows at most `SHOWN_LINES` of them after filtering). */
export const KEPT_LINES = 2000
export const SHOWN_LINES = 500

export class TimelineBuffer {
  #lines: TimelineLine[] = []
  #seq = 0
  readonly #cap: number

  constructor (cap = KEPT_LINES) { this.#cap = Math.max(1, cap) }

  get size (): number { return this.#lines.length }

  protocol (e: ProtocolEvent): void {
    this.#push({ seq: 0, at: e.at, kind: e.kind, from: e.from, taskId: e.taskId, summary: e.summary, rejected: false })
  }

  rejected (e: RejectedEvent): void {
    this.#push({ seq: 0, at: e.at, kind: 'rejected', from: e.from, summary: `${e.reason}: ${e.detail}`, rejected: true })
  }

  /**
   * The last `limit` lines, oldest first: those about `taskId` (or its subtasks) and every refused
   * message (which names no task, and matters whatever one looks at); all lines without a task.
   */
  view (taskId?: string, limit = SHOWN_LINES): TimelineLine[] {
    const out: TimelineLine[] = []
    for (let i = this.#lines.length - 1; i >= 0 && out.length < limit; i--) {
      const l = this.#lines[i]!
      if (taskId === undefined || l.rejected || concerns(taskId, l.taskId)) out.push(l)
    }
    return out.reverse()
  }

  clear (): void { this.#lines = [] }

  #push (line: TimelineLine): void {
    line.seq = ++this.#seq
    this.#lines.push(line)
    // Drop in chunks, so a full buffer does not shift the array on every line.
    if (this.#lines.length > this.#cap + Math.ceil(this.#cap / 10)) this.#lines = this.#lines.slice(-this.#cap)
  }
}
