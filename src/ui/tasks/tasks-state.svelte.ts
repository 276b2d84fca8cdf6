/**
 * What the Tasks tab shows, as reactive state the components read, and what a person can do from
 * it (submit, cancel, answer, select).
 *
 * The wiring constructs one TasksState up front (the tab renders before coordination starts) and
 * calls `attach(engine, graph)` once the engine runs. The state subscribes once to the engine's
 * events; an event only notes which tasks it names, and those snapshots are re-read at most once
 * per animation frame (a subtask's change also re-reads its mission, whose snapshot carries the
 * subtasks' states). The list, the selection, the timeline and the open questions are derived
 * from those snapshots, so hundreds of tasks cost one `get` per changed task per frame.
 *
 * While the Tasks tab is hidden (`setShown(false)`) nothing is re-read per frame but the tasks with
 * open questions, which the tab's badge counts: every re-read bumped the state, asked for an
 * animation frame and so a render of the page, and at thousands of tasks a minute that was 5-9 % of
 * a tab's main thread (bench:coord profile) for a view nobody looked at. Showing the tab re-reads
 * what changed meanwhile.
 */
import type { CoordEngine, CoordEvents, TaskSnapshot } from '../../coord/engine.ts'
import { taskThreadId } from '../../coord/graph-record-ids.ts'
import type { KnowledgeGraph } from '../../graph/knowledge-graph.ts'
import type { ThreadMessage } from '../../graph/schema.ts'
import { isFinished, parentOf } from './task-format.ts'
import { decisionFor, parseRequest, type ComposerField } from './task-request.ts'
import { MAX_ROWS, taskRows, type TaskRow } from './task-rows.ts'
import { SHOWN_LINES, TimelineBuffer, type TimelineLine } from './timeline.ts'

export interface TasksStateOptions {
  /** How to defer a refresh; default `requestAnimationFrame` (tests pass their own). */
  schedule?: (run: () => void) => void
  now?: () => number
}

export interface OpenQuestion { questionId: string, taskId: string, taskText: string, agentId: string, text: string, to: 'person' | 'mesh' }
export type AlertLine = CoordEvents['alert']
export interface ThreadLine extends ThreadMessage {
  /** Which thread: `mission` for the task's own, else the subtask's plan id. */
  thread: string
}

/** Alerts kept (newest last). */
const MAX_ALERTS = 50
/** Thread messages shown (the latest). */
const MAX_THREAD_LINES = 300

const defaultSchedule = (run: () => void): void => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => { run() })
  else setTimeout(run, 16)
}

/** Why a request cannot be sent yet. */
const STARTING = 'Coordination is still starting (the graph and this tab’s agents must be up); try again in a moment.'

export class TasksState {
  attached = $state(false)
  /** The task shown on the right; undefined follows the newest request. */
  selectedId = $state<string | undefined>(undefined)
  /** Timeline of the selected task (with its subtasks) or of everything. */
  timelineScope = $state<'task' | 'all'>('task')
  /** Ticks once a second while some task runs, for elapsed times. */
  now = $state(Date.now())

  // The composer.
  text = $state('')
  inputJson = $state('')
  deadlineSeconds = $state('')
  /** 'auto': the engine's default (1 when a verifier runs on another tab, else none). */
  quorum = $state<number | 'auto'>('auto')
  composerError = $state<{ field: ComposerField | 'engine', message: string } | undefined>(undefined)
  /** The last failed action (cancel, answer). */
  actionError = $state<string | undefined>(undefined)
  /** Answers being typed, by question id. */
  drafts = $state<Record<string, string>>({})
  /** The decision being typed in the team thread, about the focused task. */
  decisionDraft = $state('')
  decisionError = $state<string | undefined>(undefined)
  alerts = $state.raw<AlertLine[]>([])

  #version = $state(0)
  #timelineVersion = $state(0)
  #threadVersion = $state(0)

  readonly #tasks = new Map<string, TaskSnapshot>()
  /** When this tab saw a task end (failed / unassigned snapshots carry no end time). */
  readonly #endedAt = new Map<string, number>()
  readonly #timeline = new TimelineBuffer()
  readonly #dirty = new Set<string>()
  #dirtyAll = false
  #timelineDirty = false
  #threadDirty = false
  #scheduled = false
  #running = 0
  /** Whether the Tasks tab is on screen (see the class comment); shown until told otherwise. */
  #shown = true
  /** Tasks whose snapshot here has an open question (the badge's): their events re-read at once even while hidden. */
  readonly #asking = new Set<string>()
  readonly #schedule: (run: () => void) => void
  readonly #clock: () => number
  #engine: Pick<CoordEngine, 'tasks'> | undefined
  #graph: KnowledgeGraph | undefined
  #off: Array<() => void> = []
  #ticker: ReturnType<typeof setInterval> | undefined

  constructor (options: TasksStateOptions = {}) {
    this.#schedule = options.schedule ?? defaultSchedule
    this.#clock = options.now ?? Date.now
  }

  // -------------------------------------------------------------------------------------------
  // Derived views

  /** The list's rows (newest request first, subtasks under their mission), at most MAX_ROWS. */
  readonly list: { rows: TaskRow[], hidden: number, total: number } = $derived.by(() => {
    void this.#version
    const all = [...this.#tasks.values()]
    return { ...taskRows(all, MAX_ROWS), total: all.length }
  })

  /** The selected task, or the newest request when none is selected. */
  readonly selected: TaskSnapshot | undefined = $derived.by(() => {
    void this.#version
    if (this.selectedId !== undefined) return this.#tasks.get(this.selectedId)
    return this.list.rows.find(r => r.depth === 0)?.task
  })

  /** The id the right-hand side is about (also while a just-submitted task is not known yet). */
  get focusId (): string | undefined { return this.selectedId ?? this.selected?.id }

  readonly timeline: TimelineLine[] = $derived.by(() => {
    void this.#timelineVersion
    const id = this.timelineScope === 'task' ? this.focusId : undefined
    return this.timelineScope === 'task' && id === undefined ? [] : this.#timeline.view(id, SHOWN_LINES)
  })

  /** Questions without an answer, on any task this tab knows. */
  readonly openQuestions: OpenQuestion[] = $derived.by(() => {
    void this.#version
    const out: OpenQuestion[] = []
    for (const t of this.#tasks.values()) {
      for (const q of t.questions) {
        if (q.answer === undefined && !isFinished(t.state)) out.push({ questionId: q.questionId, taskId: t.id, taskText: t.text, agentId: q.agentId, text: q.text, to: q.to })
      }
    }
    return out
  })

  /**
   * Which threads the team thread reads, as a string: task snapshots change every frame while the
   * mesh works, and the thread is only re-read when these (or the graph's task threads) change.
   */
  readonly #threadSources: string = $derived.by(() => {
    void this.#version
    const id = this.focusId
    if (id === undefined) return ''
    const sources: Array<[string, string]> = [['mission', id]]
    for (const s of this.#tasks.get(id)?.mission?.subtasks ?? []) sources.push([s.planId, s.taskId])
    return JSON.stringify(sources)
  })

  /**
   * The team thread of the focused task from the knowledge graph: its own thread, and for a
   * mission each subtask's thread too, merged by time (the latest MAX_THREAD_LINES).
   */
  readonly thread: { lines: ThreadLine[], found: boolean, threadId?: string } = $derived.by(() => {
    void this.#threadVersion
    const graph = this.#graph
    if (graph === undefined || this.#threadSources === '') return { lines: [], found: false }
    const sources = JSON.parse(this.#threadSources) as Array<[string, string]>
    const lines: ThreadLine[] = []
    let found = false
    let threadId: string | undefined
    for (const [label, taskId] of sources) {
      let eid: string
      try { eid = taskThreadId(taskId) } catch { continue }
      threadId ??= eid
      const entity = graph.get(eid)
      if (entity === undefined) continue
      found = true
      for (const m of entity.messages ?? []) lines.push({ ...m, thread: label })
    }
    lines.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1))
    return { lines: lines.slice(-MAX_THREAD_LINES), found, threadId }
  })

  get (id: string): TaskSnapshot | undefined {
    void this.#version
    return this.#tasks.get(id)
  }

  /** When the task ended, as this tab saw it (for states whose snapshot has no end time). */
  endedAt (id: string): number | undefined {
    void this.#version
    return this.#endedAt.get(id)
  }

  // -------------------------------------------------------------------------------------------
  // Wiring

  attach (engine: Pick<CoordEngine, 'tasks'>, graph?: KnowledgeGraph): void {
    this.detach()
    this.#engine = engine
    this.#graph = graph
    const on = engine.tasks.on.bind(engine.tasks)
    const touch = (id: string | undefined): void => { if (id !== undefined) this.#touch(id) }
    this.#off.push(
      on('task', e => {
        if (isFinished(e.state)) this.#endedAt.set(e.taskId, e.at)
        touch(e.taskId)
      }),
      on('protocol', e => {
        this.#timeline.protocol(e)
        this.#timelineDirty = true
        if (e.taskId !== undefined) touch(e.taskId)
        else this.#wake()
      }),
      on('rejected', e => { this.#timeline.rejected(e); this.#timelineDirty = true; this.#wake() }),
      on('question', e => { this.#asking.add(e.taskId); touch(e.taskId) }),
      on('answer', e => { touch(e.taskId) }),
      on('verification', e => { touch(e.taskId) }),
      on('mission', e => { touch(e.missionId); for (const s of e.subtasks) touch(s.taskId) }),
      on('alert', e => {
        this.alerts = [...this.alerts.slice(-(MAX_ALERTS - 1)), e]
        touch(e.taskId)
      })
    )
    if (graph !== undefined) {
      this.#off.push(graph.on('change', ({ ids }) => {
        // Only the mesh's task threads feed the team thread; other changes need no re-read.
        if (ids.some(id => id.startsWith('task:'))) { this.#threadDirty = true; this.#wake() }
      }))
    }
    this.#ticker = setInterval(() => { if (this.#running > 0) this.now = this.#clock() }, 1000)
    this.attached = true
    this.#dirtyAll = true
    this.flush()
  }

  detach (): void {
    for (const off of this.#off) off()
    this.#off = []
    if (this.#ticker !== undefined) clearInterval(this.#ticker)
    this.#ticker = undefined
    this.#engine = undefined
    this.#graph = undefined
    this.attached = false
  }

  #touch (id: string): void {
    this.#dirty.add(id)
    const parent = parentOf(id)
    if (parent !== undefined) this.#dirty.add(parent)
    this.#wake(this.#asking.has(id))
  }

  /** The Tasks tab is shown (or hidden): while hidden, only tasks with open questions are re-read. */
  setShown (shown: boolean): void {
    if (shown === this.#shown) return
    this.#shown = shown
    if (shown && (this.#dirty.size > 0 || this.#dirtyAll || this.#timelineDirty || this.#threadDirty)) this.#wake()
  }

  /** Asks for a flush on the next frame; while hidden only for a task the badge counts (`badge`). */
  #wake (badge = false): void {
    if (this.#scheduled || (!this.#shown && !badge)) return
    this.#scheduled = true
    this.#schedule(() => { this.#scheduled = false; this.flush() })
  }

  /** Re-reads what changed now (normally done once per animation frame). */
  flush (): void {
    const engine = this.#engine
    if (engine === undefined) return
    let changed = false
    if (this.#dirtyAll) {
      this.#tasks.clear()
      for (const t of engine.tasks.list()) this.#tasks.set(t.id, t)
      this.#dirtyAll = false
      this.#dirty.clear()
      changed = true
    } else if (this.#dirty.size > 0) {
      // Hidden: only the tasks the badge counts; the rest stay dirty until the tab shows.
      const ids = this.#shown ? [...this.#dirty] : [...this.#dirty].filter(id => this.#asking.has(id))
      for (const id of ids) {
        const t = engine.tasks.get(id)
        if (t === undefined) this.#tasks.delete(id) // forgotten by the engine
        else this.#tasks.set(id, t)
        this.#dirty.delete(id)
      }
      changed = ids.length > 0
    }
    if (changed) {
      this.#asking.clear()
      let running = 0
      for (const t of this.#tasks.values()) {
        if (isFinished(t.state)) continue
        running++
        if (t.questions.some(q => q.answer === undefined)) this.#asking.add(t.id)
      }
      this.#running = running
      this.now = this.#clock()
      this.#version++
    }
    if (this.#timelineDirty) { this.#timelineDirty = false; this.#timelineVersion++ }
    if (this.#threadDirty) { this.#threadDirty = false; this.#threadVersion++ }
  }

  // -------------------------------------------------------------------------------------------
  // Actions

  select (id: string | undefined): void {
    this.selectedId = id
    this.actionError = undefined
  }

  setScope (scope: 'task' | 'all'): void { this.timelineScope = scope }

  /** Announces the composed request; returns its id, or undefined with `composerError` set. */
  submit (): string | undefined {
    const parsed = parseRequest({ text: this.text, inputJson: this.inputJson, deadlineSeconds: this.deadlineSeconds, quorum: this.quorum })
    if (!parsed.ok) { this.composerError = { field: parsed.field, message: parsed.message }; return undefined }
    const engine = this.#engine
    if (engine === undefined) {
      this.composerError = { field: 'engine', message: STARTING }
      return undefined
    }
    let id: string
    try {
      id = engine.tasks.submit(parsed.request)
    } catch (err) {
      this.composerError = { field: 'engine', message: (err as Error).message }
      return undefined
    }
    this.composerError = undefined
    this.text = ''
    this.select(id)
    this.#touch(id)
    return id
  }

  clearComposerError (): void { this.composerError = undefined }

  cancel (id: string): void {
    this.#act(e => { e.tasks.cancel(id) })
  }

  /** Sends the drafted answer to a question. */
  answer (questionId: string): void {
    const text = (this.drafts[questionId] ?? '').trim()
    if (text === '') { this.actionError = 'Write an answer first.'; return }
    if (this.#act(e => { e.tasks.answer(questionId, text) })) {
      const { [questionId]: _, ...rest } = this.drafts
      this.drafts = rest
    }
  }

  /**
   * Records the drafted decision about the focused task (a mission, or the part shown): a
   * `decision` message every tab sees; the steward's graph recorder files it as a decision entity
   * about the task's thread, with a line in the thread. Returns its id, or undefined with
   * `decisionError` set.
   */
  decide (): string | undefined {
    const taskId = this.focusId
    const text = this.decisionDraft.trim()
    if (taskId === undefined) { this.decisionError = 'Select the task the decision is about.'; return undefined }
    if (text === '') { this.decisionError = 'Write the decision first.'; return undefined }
    const engine = this.#engine
    if (engine === undefined) { this.decisionError = 'Coordination is not running.'; return undefined }
    try {
      const decisionId = engine.tasks.decide(taskId, text)
      this.decisionDraft = ''
      this.decisionError = undefined
      return decisionId
    } catch (err) {
      this.decisionError = (err as Error).message
      return undefined
    }
  }

  /**
   * Submits "Decision: <statement>" for the room, as a person taking one side of a conflict between
   * statements in the graph explorer does: the researcher that records it settles the conflict
   * (docs/agents.md). The task's id, or the reason it could not be sent.
   */
  decideStatement (statement: string): { id: string } | { error: string } {
    const text = decisionFor(statement)
    if (text === undefined) return { error: 'This statement has no text to decide on.' }
    const engine = this.#engine
    if (engine === undefined) return { error: STARTING }
    try {
      const id = engine.tasks.submit({ text })
      this.#touch(id)
      return { id }
    } catch (err) {
      return { error: (err as Error).message }
    }
  }

  #act (run: (engine: Pick<CoordEngine, 'tasks'>) => void): boolean {
    const engine = this.#engine
    if (engine === undefined) { this.actionError = 'Coordination is not running.'; return false }
    try {
      run(engine)
      this.actionError = undefined
      return true
    } catch (err) {
      this.actionError = (err as Error).message
      return false
    }
  }
}
