/**
 * RemoteGraphStore: the page's side of a graph whose Automerge document lives in the graph worker
 * (graph-worker-core.ts). It holds a replica of the index, fed by the worker's deltas, so every
 * read of a KnowledgeGraph over it stays synchronous and cheap, and the page's main thread never
 * runs Automerge (a 10k-entity sync there was one 1.3-2.5 s task).
 *
 * Writes: the KnowledgeGraph validates and plans a batch against the replica as before; this
 * store shows the batch's result at once (read-your-writes) and posts the writes, numbered, to the
 * worker. Each delta says up to which write the worker had applied; results of later writes are
 * laid over it again, so a remote delta computed before our write landed cannot hide it.
 */
import type { Write } from './batch-planner.ts'
import type { ImportReport } from './graph-export.ts'
import { GraphIndex } from './graph-index.ts'
import type { GraphChange, GraphStore, Overlay } from './graph-store.ts'
import type { Endpoint, GraphDelta, GraphInit, PageToWorker, WorkerToPage } from './graph-worker-protocol.ts'
import { bridgeNetworkAdapter } from './port-network-adapter.ts'
import { GraphValidationError } from './schema.ts'
import { parsePartners, type SyncPartner } from './sync-partners.ts'
import { SnapshotError, type ApplyTimings, type PreviewReport, type SnapshotFailure, type SnapshotSource } from './snapshot.ts'
import type { NetworkAdapterInterface, DocumentId } from '@automerge/automerge-repo/slim'

export class RemoteGraphStore implements GraphStore {
  readonly handle = undefined
  /** Resolves with the room graph's document id once the worker has sent the whole current graph. */
  readonly ready: Promise<DocumentId>
  /** Deltas received (a diagnostic for tests and benchmarks). */
  deltas = 0
  /** What opening carried over from a graph stored in an earlier layout (migrate.ts), one line each; empty when nothing was. */
  migrations: string[] = []
  /** The graph's sync partners as the worker last told them (sync-partners.ts); empty before it has. */
  syncPartners: readonly SyncPartner[] = []
  readonly #endpoint: Endpoint
  readonly #index = new GraphIndex()
  readonly #pending: Array<{ seq: number, overlay: Overlay }> = []
  readonly #calls = new Map<number, { resolve: (value: unknown) => void, reject: (err: Error) => void }>()
  #seq = 0
  #callId = 0
  #listener: ((change: GraphChange) => void) | undefined
  #net: ((message: Extract<WorkerToPage, { t: 'net' }>) => void) | undefined
  readonly #onMessage = (event: MessageEvent): void => { this.#receive(event.data as WorkerToPage) }
  readonly #ready: { resolve: (id: DocumentId) => void, reject: (err: Error) => void }
  #closed = false
  /** What the deltas of a document change received so far touched (see GraphDelta.more). */
  #unannounced: { ids: string[], edgeIds: string[] } = { ids: [], edgeIds: [] }

  /**
   * `network`: the page's adapter (a Libp2pNetworkAdapter) the worker's Repo syncs through.
   */
  constructor (endpoint: Endpoint, init: GraphInit, network?: NetworkAdapterInterface) {
    this.#endpoint = endpoint
    let resolve: (id: DocumentId) => void = () => {}
    let reject: (err: Error) => void = () => {}
    this.ready = new Promise((res, rej) => { resolve = res; reject = rej })
    this.#ready = { resolve, reject }
    if (network !== undefined) this.#net = bridgeNetworkAdapter(network, m => { this.#post(m) })
    endpoint.addEventListener('message', this.#onMessage)
    this.#post({ t: 'init', init })
  }

  index (): GraphIndex {
    return this.#index
  }

  subscribe (listener: (change: GraphChange) => void): void {
    this.#listener = listener
  }

  close (): void {
    this.#closed = true
    this.#endpoint.removeEventListener('message', this.#onMessage)
    this.#listener = undefined
    for (const call of this.#calls.values()) call.reject(new Error('the graph was closed'))
    this.#calls.clear()
  }

  commit (writes: Write[], overlay?: Overlay): void {
    if (writes.length === 0) return
    const seq = ++this.#seq
    this.#post({ t: 'write', seq, writes })
    if (overlay === undefined) return // shown when the worker's delta arrives (imports)
    this.#pending.push({ seq, overlay })
    this.#lay(overlay)
    this.#emit({ ids: overlay.entities.map(e => e.id), edgeIds: overlay.edges.map(e => e.id), origin: 'local' })
  }

  async exportBinary (): Promise<Uint8Array> {
    return await this.#call({ op: 'exportBinary' }) as Uint8Array
  }

  async importBinary (bytes: Uint8Array): Promise<ImportReport> {
    return await this.#call({ op: 'importBinary', bytes }) as ImportReport
  }

  /** The worker applies messages in order, so the writes posted before this call are in what it stores. */
  async flush (): Promise<void> {
    await this.#call({ op: 'flush' })
  }

  /** The worker's side of snapshot catch-up (snapshot.ts), for a SnapshotService on the page. */
  snapshotSource (): SnapshotSource {
    return {
      save: async documentId => await this.#call({ op: 'snapshotSave', documentId }) as Uint8Array | { error: string },
      apply: async (documentId, bytes, requiredHeads) => await this.#call({ op: 'snapshotApply', documentId, bytes, requiredHeads }) as ApplyTimings,
      prepare: async documentId => await this.#call({ op: 'snapshotPrepare', documentId }),
      view: async documentId => await this.#call({ op: 'snapshotView', documentId }) as Uint8Array | undefined,
      preview: async (documentId, view) => await this.#call({ op: 'snapshotPreview', documentId, view }) as PreviewReport,
      withdraw: async documentId => await this.#call({ op: 'snapshotWithdraw', documentId })
    }
  }

  // -------------------------------------------------------------------------------------------

  #post (message: PageToWorker): void {
    if (!this.#closed) this.#endpoint.postMessage(message)
  }

  async #call (call: DistributiveOmit<Extract<PageToWorker, { t: 'call' }>, 'id' | 't'>): Promise<unknown> {
    const id = ++this.#callId
    return await new Promise((resolve, reject) => {
      this.#calls.set(id, { resolve, reject })
      this.#post({ t: 'call', id, ...call } as PageToWorker)
    })
  }

  #lay (overlay: Overlay): void {
    for (const e of overlay.entities) this.#index.putEntity(e)
    for (const e of overlay.edges) this.#index.putEdge(e)
  }

  #emit (change: GraphChange): void {
    if (change.ids.length === 0 && change.edgeIds.length === 0) return
    this.#listener?.(change)
  }

  #receive (m: WorkerToPage): void {
    if (this.#closed) return
    switch (m.t) {
      case 'delta': this.#apply(m.delta); return
      case 'ready':
        if (Array.isArray(m.migrations)) this.migrations = m.migrations.filter((x): x is string => typeof x === 'string')
        this.#ready.resolve(m.documentId as DocumentId)
        return
      case 'failed': this.#ready.reject(new Error(`the graph worker failed: ${m.message}`)); return
      case 'sync-partners': this.syncPartners = parsePartners(m.partners); return
      case 'net': this.#net?.(m); return
      case 'reply': {
        const call = this.#calls.get(m.id)
        if (call === undefined) return
        this.#calls.delete(m.id)
        if (m.ok) { call.resolve(m.value); return }
        const { error } = m
        if (error.field !== undefined && error.reason !== undefined) call.reject(new GraphValidationError(error.field, error.reason))
        else if (error.snapshotReason !== undefined) call.reject(new SnapshotError(error.snapshotReason as SnapshotFailure, error.message))
        else call.reject(Object.assign(new Error(error.message), { name: error.name }))
      }
    }
  }

  #apply (delta: GraphDelta): void {
    this.deltas++
    for (const e of delta.entities) this.#index.putEntity(e)
    for (const id of delta.removed) this.#index.removeEntity(id)
    for (const e of delta.edges) this.#index.putEdge(e)
    for (const id of delta.removedEdges) this.#index.removeEdge(id)
    if (delta.invalid !== undefined) {
      this.#index.invalid.clear()
      for (const [where, field, reason] of delta.invalid) this.#index.invalid.set(where, new GraphValidationError(field, reason))
    }
    // Our writes the worker had not applied yet still show.
    while (this.#pending.length > 0 && this.#pending[0]!.seq <= delta.seq) this.#pending.shift()
    for (const p of this.#pending) this.#lay(p.overlay)
    // Our own writes were announced when made.
    if (delta.origin === 'local') return
    const { ids, edgeIds } = this.#unannounced
    for (const e of delta.entities) ids.push(e.id)
    ids.push(...delta.removed)
    for (const e of delta.edges) edgeIds.push(e.id)
    edgeIds.push(...delta.removedEdges)
    if (delta.more === true) return
    this.#unannounced = { ids: [], edgeIds: [] }
    this.#emit({ ids, edgeIds, origin: 'remote' })
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
