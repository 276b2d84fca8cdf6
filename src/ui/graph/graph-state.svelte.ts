/**
 * What the graph explorer shows, as reactive state read by the components, and the actions a
 * person can take on the graph from it.
 *
 * The wiring constructs one GraphState up front (the tab can render before the graph is open)
 * and calls `attach(graph)` once the room's KnowledgeGraph is open, `detach()` if it closes.
 * Changes are batched: a change event only records which entities and edges it names, and the
 * catalog re-reads those at most once per animation frame. The list, the counts, the detail and
 * the drawing are derived from the catalog and the filters, so typing in the search box scans
 * the already sorted catalog and never re-reads or re-sorts the graph.
 *
 * While nobody looks (`setShown(false)`: the Graph tab is not open), changes are only noted and
 * the catalog is brought up to date when the tab opens: reading and sorting a 10k-entity graph
 * took 40-80 ms of the page's main thread when a new tab's graph arrived, whichever tab it showed.
 */
import type { KnowledgeGraph, Neighbour } from '../../graph/knowledge-graph.ts'
import type { Edge, Entity, EntityKind, EntityStatus, RelationType } from '../../graph/schema.ts'
import type { SyncPartner } from '../../graph/sync-partners.ts'
import { EntityCatalog, FULL_REFRESH_THRESHOLD, type Counts, type QueryResult } from './entity-catalog.ts'
import { describeError, type FieldError } from './graph-errors.ts'
import { MAX_DRAWN, buildDrawing, neighbourhood, type Drawing } from './graph-layout.ts'

/** Kinds a person adds by hand; conflicts and solutions come from the mesh and its agents. */
export const MANUAL_KINDS = ['fact', 'hypothesis', 'question', 'decision', 'unknown', 'thread'] as const
export type ManualKind = typeof MANUAL_KINDS[number]

/** How many list rows one page shows. */
export const PAGE_SIZE = 200

export interface NewEntityInput {
  kind: ManualKind
  text: string
  /** Required for threads; a thread without text uses its title as text. */
  title?: string
  confidence: number
}

/** Actions whose errors are shown next to their form. */
export type GraphAction = 'add' | 'relate' | 'verify' | 'dispute' | 'retract' | 'post' | 'transfer'

export interface GraphStateOptions {
  /** How to defer a refresh; default `requestAnimationFrame` (tests pass their own). */
  schedule?: (run: () => void) => void
}

const defaultSchedule = (run: () => void): void => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => { run() })
  else setTimeout(run, 16)
}

/** What the sync panel shows: the network adapter's counters and the snapshot catch-up. */
export interface GraphSyncView {
  /** Peers a sync session runs with. */
  peers: number
  /** The graph's sync partners, and whether this tab holds everything each has (graph/sync-partners.ts). */
  partners: readonly SyncPartner[]
  bytesIn: number
  bytesOut: number
  /** Rejected frames by reason. */
  rejected: Partial<Record<string, number>>
  snapshot: {
    state: string
    peer?: string
    bytes?: number
    ms?: number
    error?: string
    /** The view shown ahead of the document (snapshot-view.ts), or why it was refused. */
    preview?: { entities: number, shownMs: number } | { error: string }
    served: number
    failed: Partial<Record<string, number>>
  }
}

export class GraphState {
  /** Sync counters, refreshed every second once `watchSync` is called. */
  sync = $state<GraphSyncView | undefined>(undefined)
  /** True while a graph is attached. */
  attached = $state(false)
  /** Filters of the list and the overview drawing; `undefined` means any. */
  kind = $state<EntityKind | undefined>(undefined)
  status = $state<EntityStatus | undefined>(undefined)
  text = $state('')
  /** How many matches the list shows (grows by PAGE_SIZE with `showMore`). */
  limit = $state(PAGE_SIZE)
  selectedId = $state<string | undefined>(undefined)
  /** The last failure of each action, cleared when the action next succeeds. */
  errors = $state<Partial<Record<GraphAction, FieldError>>>({})
  /** Bumped whenever the catalog changed; everything derived reads it. */
  #version = $state(0)

  readonly #catalog = new EntityCatalog()
  readonly #schedule: (run: () => void) => void
  #graph: KnowledgeGraph | undefined
  #unsubscribe: (() => void) | undefined
  readonly #pendingIds = new Set<string>()
  readonly #pendingEdges = new Set<string>()
  #pendingAll = false
  #scheduled = false
  #shown = true
  #syncTimer: ReturnType<typeof setInterval> | undefined

  constructor (options: GraphStateOptions = {}) {
    this.#schedule = options.schedule ?? defaultSchedule
  }

  /** The filtered list (first `limit` matches) and how many match in all. */
  readonly result: QueryResult = $derived.by(() => {
    void this.#version
    return this.#catalog.query({ kind: this.kind, status: this.status, text: this.text }, this.limit)
  })

  get entities (): Entity[] { return this.result.items }
  get total (): number { return this.result.total }

  readonly counts: Counts = $derived.by(() => {
    void this.#version
    return this.#catalog.counts
  })

  /** An entity of the graph by id (reactive: read in a derivation, it is read again when the graph changes). */
  entity (id: string): Entity | undefined {
    void this.#version
    return this.#catalog.get(id)
  }

  readonly selected: Entity | undefined = $derived.by(() => {
    void this.#version
    return this.selectedId === undefined ? undefined : this.#catalog.get(this.selectedId)
  })

  /** Live relationships of the selected entity, with the entity at the other end. */
  readonly neighbours: Neighbour[] = $derived.by(() => {
    void this.#version
    return this.selectedId === undefined ? [] : this.#catalog.neighbours(this.selectedId)
  })

  /**
   * What the drawing shows: the selection's neighbourhood (two steps, capped), or else the
   * first matches of the filters, with the live edges among them.
   */
  readonly drawing: Drawing & { shown: Edge[] } = $derived.by(() => {
    void this.#version
    const selected = this.selected
    if (selected !== undefined) {
      const { nodes, capped } = neighbourhood(selected.id, id => this.#catalog.adjacent(id), MAX_DRAWN)
      const entities = nodes.map(n => this.#catalog.get(n.id)).filter((e): e is Entity => e !== undefined)
      const shown = this.#catalog.edgesAmong(new Set(entities.map(e => e.id)))
      return { ...buildDrawing({ entities, edges: shown, hood: nodes, selected: selected.id, hidden: capped }), shown }
    }
    const entities = this.result.items.slice(0, MAX_DRAWN)
    const shown = this.#catalog.edgesAmong(new Set(entities.map(e => e.id)))
    return { ...buildDrawing({ entities, edges: shown, hidden: this.result.total - entities.length }), shown }
  })

  /** Live edges among the drawn entities. */
  get edges (): Edge[] { return this.drawing.shown }

  /** Entities whose title, text or id contains `text` (for picking a relation target). */
  search (text: string, limit = 8, exclude?: string): Entity[] {
    void this.#version
    if (text.trim() === '') return []
    return this.#catalog.query({ text }, limit + 1).items.filter(e => e.id !== exclude).slice(0, limit)
  }

  // -------------------------------------------------------------------------------------------
  // Wiring

  attach (graph: KnowledgeGraph): void {
    this.detach()
    this.#graph = graph
    this.#unsubscribe = graph.on('change', ({ ids, edgeIds }) => { this.#note(ids, edgeIds) })
    this.attached = true
    this.#pendingAll = true
    if (this.#shown) this.flush()
  }

  /** Whether the explorer is on screen. Hidden, changes wait; shown again, they are applied at once. */
  setShown (shown: boolean): void {
    this.#shown = shown
    if (shown) this.flush()
  }

  /** Reads `read()` now and every `everyMs` (the adapter's counters are plain fields, not events). */
  watchSync (read: () => GraphSyncView, everyMs = 1_000): void {
    clearInterval(this.#syncTimer)
    const tick = (): void => { try { this.sync = read() } catch (err) { console.error('graph sync stats failed', err) } }
    tick()
    this.#syncTimer = setInterval(tick, everyMs)
  }

  detach (): void {
    clearInterval(this.#syncTimer)
    this.#syncTimer = undefined
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    this.#graph = undefined
    this.#pendingIds.clear()
    this.#pendingEdges.clear()
    this.#pendingAll = false
    this.attached = false
  }

  #note (ids: readonly string[], edgeIds: readonly string[]): void {
    if (!this.#pendingAll) {
      for (const id of ids) this.#pendingIds.add(id)
      for (const id of edgeIds) this.#pendingEdges.add(id)
      if (this.#pendingIds.size + this.#pendingEdges.size > FULL_REFRESH_THRESHOLD) {
        this.#pendingAll = true
        this.#pendingIds.clear()
        this.#pendingEdges.clear()
      }
    }
    if (this.#scheduled || !this.#shown) return
    this.#scheduled = true
    this.#schedule(() => { this.#scheduled = false; this.flush() })
  }

  /** Applies pending changes now (normally done once per animation frame while shown). */
  flush (): void {
    const graph = this.#graph
    if (graph === undefined || !this.#shown) return
    if (this.#pendingAll) this.#catalog.loadAll(graph)
    else if (this.#pendingIds.size > 0 || this.#pendingEdges.size > 0) this.#catalog.apply(graph, this.#pendingIds, this.#pendingEdges)
    else return
    this.#pendingIds.clear()
    this.#pendingEdges.clear()
    this.#pendingAll = false
    this.#version++
  }

  // -------------------------------------------------------------------------------------------
  // View actions

  setKind (kind: EntityKind | undefined): void { this.kind = kind; this.limit = PAGE_SIZE }
  setStatus (status: EntityStatus | undefined): void { this.status = status; this.limit = PAGE_SIZE }
  setText (text: string): void { this.text = text; this.limit = PAGE_SIZE }
  showMore (): void { this.limit += PAGE_SIZE }
  select (id: string | undefined): void {
    if (id === this.selectedId) return
    this.selectedId = id
    // Errors of the detail's actions concerned the entity we are leaving.
    const { add } = this.errors
    this.errors = add === undefined ? {} : { add }
  }
  clearError (action: GraphAction): void {
    if (this.errors[action] === undefined) return
    const { [action]: _, ...rest } = this.errors
    this.errors = rest
  }

  // -------------------------------------------------------------------------------------------
  // Graph actions: return the new id (or true) on success, undefined (or false) on failure,
  // with the failure in `errors[action]`.

  addEntity (input: NewEntityInput): string | undefined {
    const id = this.#run('add', g => {
      const title = input.title?.trim()
      const text = input.text.trim()
      if (input.kind === 'thread') {
        return g.add({ kind: 'thread', title: title ?? '', text: text === '' ? (title ?? '') : text, confidence: input.confidence })
      }
      return g.add(title === undefined || title === '' ? { kind: input.kind, text, confidence: input.confidence } : { kind: input.kind, title, text, confidence: input.confidence })
    })
    if (id !== undefined) this.select(id)
    return id
  }

  relate (fromId: string, type: RelationType, toId: string): string | undefined {
    return this.#run('relate', g => g.relate(fromId, type.trim(), toId))
  }

  verify (id: string): boolean {
    return this.#run('verify', g => { g.verify(id); return true }) ?? false
  }

  dispute (id: string, reason: string): boolean {
    return this.#run('dispute', g => { g.dispute(id, undefined, reason.trim()); return true }) ?? false
  }

  retract (id: string, reason?: string): boolean {
    const why = reason?.trim()
    return this.#run('retract', g => { g.retract(id, why === '' ? undefined : why); return true }) ?? false
  }

  openThread (title: string, text?: string): string | undefined {
    const id = this.#run('add', g => g.openThread(title.trim(), text?.trim() || undefined))
    if (id !== undefined) this.select(id)
    return id
  }

  post (threadId: string, text: string): string | undefined {
    return this.#run('post', g => g.post(threadId, text.trim()))
  }

  /** The whole graph as the documented JSON export (docs/graph.md), as text. */
  exportJson (): string | undefined {
    return this.#run('transfer', g => JSON.stringify(g.exportJson(), null, 2))
  }

  /** The whole graph as an Automerge binary. */
  async exportBinary (): Promise<Uint8Array | undefined> {
    return await this.#runAsync('transfer', async g => await g.exportBinary())
  }

  /**
   * Imports a file: JSON exports are validated entity by entity, binaries as Automerge documents;
   * both merge into the graph (nothing is replaced). Returns a one-line summary, or undefined with
   * the error in `errors.transfer`.
   */
  async importFile (name: string, bytes: Uint8Array): Promise<string | undefined> {
    return await this.#runAsync('transfer', async g => {
      const isJson = name.toLowerCase().endsWith('.json') || bytes[0] === 0x7b /* { */
      const r = isJson ? g.importJson(new TextDecoder().decode(bytes)) : await g.importBinary(bytes)
      return `Imported ${name}: ${r.added} new, ${r.merged} merged, ${r.unchanged} unchanged, ${r.edgesAdded} new relationships` +
        (r.divergent.length > 0 ? `; ${r.divergent.length} field(s) differed and kept this graph's value` : '')
    })
  }

  /** `#run` for work that completes later (binary export and import go through the graph worker). */
  async #runAsync<T> (action: GraphAction, work: (graph: KnowledgeGraph) => Promise<T>): Promise<T | undefined> {
    const pending = this.#run(action, work)
    if (pending === undefined) return undefined
    try {
      return this.#done(action, await pending)
    } catch (err) {
      return this.#failed(action, err)
    }
  }

  #run<T> (action: GraphAction, write: (graph: KnowledgeGraph) => T): T | undefined {
    const graph = this.#graph
    if (graph === undefined) return this.#failed(action, { field: '', path: '', message: 'The graph is not open yet.' })
    try {
      return this.#done(action, write(graph))
    } catch (err) {
      return this.#failed(action, err)
    }
  }

  #done<T> (action: GraphAction, result: T): T {
    this.clearError(action)
    // The graph reports our own writes synchronously; show them now, not on the next frame.
    this.flush()
    return result
  }

  #failed (action: GraphAction, err: unknown): undefined {
    this.errors = { ...this.errors, [action]: isFieldError(err) ? err : describeError(err) }
    return undefined
  }
}

function isFieldError (value: unknown): value is FieldError {
  return typeof value === 'object' && value !== null && !(value instanceof Error) && 'message' in value && 'field' in value
}
