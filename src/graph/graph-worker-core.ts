/**
 * The graph worker: holds the room graph's Automerge document in a Repo (IndexedDB storage, network
 * through the page, see port-network-adapter.ts), applies the page's planned writes, finds
 * conflicts, and sends the page validated deltas for its replica of the index. Everything
 * Automerge does (sync, load, save, diff) runs here, off the page's main thread.
 *
 * `serveGraph` speaks to any {@link Endpoint}: the worker's global scope in the browser, a
 * MessagePort in tests.
 *
 * The worker also hosts record documents (`serveRecordDoc`): the room's agent registry. Its
 * document synced on the page cost the page a 50-77 ms task when a new tab linked
 * (bench:graph). Each record document gets a Repo of its own here rather than a place in the
 * graph's: a Repo has one storage and its adapters carry every document it holds, while the
 * registry must keep its own IndexedDB database ('meshwork-registry', with the data of earlier
 * versions), its own sync protocol (what older peers speak) and its own peers (the full mesh,
 * while the graph syncs along a ring in larger rooms); and no registry change then waits behind
 * the graph's snapshot catch-up or its hold on new sync sessions. A second Repo over a tiny
 * document costs little.
 */
import {
  Automerge, ImmutableString, type DocHandle, type DocumentId, type Repo, type StorageAdapterInterface
} from '@automerge/automerge-repo/slim'
import { validateWrites } from './batch-planner.ts'
import type { DocGraphStore, GraphChange } from './graph-store.ts'
import { entryOwner, roomDocumentId } from './layout.ts'
import {
  DELTA_CHUNK, type Endpoint, type GraphDelta, type GraphInit, type PageToRecordDoc, type PageToWorker, type RecordDocInit,
  type RecordDocToPage, type RecordEntry, type WorkerToPage
} from './graph-worker-protocol.ts'
import { GraphValidationError } from './schema.ts'
import { PortNetworkAdapter } from './port-network-adapter.ts'
import { createGraphRepo, openRoomDoc, openRoomStore } from './room.ts'
import { describeMigration } from './migrate.ts'
import { docSnapshotSource, SnapshotError, type PreviewReport } from './snapshot.ts'
import { decodeView, encodeView } from './snapshot-view.ts'
import { watchSyncPartners } from './sync-partners.ts'
import type { Edge, Entity } from './schema.ts'

export interface ServeGraphOptions {
  /** Storage for a database name (the browser passes IndexedDB). */
  storage?: (name: string) => StorageAdapterInterface
  /** Messages wait for this (e.g. Automerge's wasm loading); they are never lost meanwhile. */
  before?: Promise<unknown>
  /** A preview neither applied nor withdrawn by then is withdrawn, ms (default 20 s). */
  previewTimeoutMs?: number
  /** The graph Repo's storage throttle, ms (automerge-repo's default 100; tests set it long to see `flush` at work). */
  saveDebounceMs?: number
}

/** A snapshot's view the page shows while the document loads (snapshot-view.ts). */
interface Preview {
  entities: Map<string, Entity>
  edges: Map<string, Edge>
  /** Page writes held back until the document is applied or the preview withdrawn. */
  writes: Array<Extract<PageToWorker, { t: 'write' }>>
  /** Settles when the view has been decoded and shown (or refused). */
  shown: Promise<unknown>
  timer: ReturnType<typeof setTimeout>
}

export function serveGraph (endpoint: Endpoint, options: ServeGraphOptions = {}): void {
  const post = (message: WorkerToPage): void => { endpoint.postMessage(message) }
  const network = new PortNetworkAdapter(post)
  let store: DocGraphStore | undefined
  let snapshots: ReturnType<typeof docSnapshotSource> | undefined
  let appliedSeq = 0
  let invalidShown = 0
  const queue: PageToWorker[] = []
  let preview: Preview | undefined
  let viewCache: { heads: string, view: Promise<Uint8Array> } | undefined

  const deltaOf = (ids: Iterable<string>, edgeIds: Iterable<string>, origin: GraphDelta['origin']): GraphDelta[] => {
    const index = store!.index()
    const out: GraphDelta[] = []
    let d: GraphDelta | undefined
    const current = (): GraphDelta => {
      if (d === undefined || d.entities.length + d.removed.length + d.edges.length + d.removedEdges.length >= DELTA_CHUNK) {
        d = { seq: appliedSeq, origin, entities: [], removed: [], edges: [], removedEdges: [] }
        out.push(d)
      }
      return d
    }
    for (const id of ids) {
      const e = index.entities.get(id)
      if (e === undefined) current().removed.push(id); else current().entities.push(e)
    }
    for (const id of edgeIds) {
      const e = index.edges.get(id)
      if (e === undefined) current().removedEdges.push(id); else current().edges.push(e)
    }
    if (index.invalid.size > 0 || invalidShown > 0) {
      current().invalid = [...index.invalid].map(([where, err]) => [where, err.field, err.reason])
      invalidShown = index.invalid.size
    }
    for (const delta of out.slice(0, -1)) delta.more = true
    return out
  }
  const sendChange = (change: GraphChange): void => {
    for (const delta of deltaOf(change.ids, change.edgeIds, change.origin)) post({ t: 'delta', delta })
  }

  /** The view of the graph as the document holds it now, cached per heads (a joiner's request finds it made). */
  const viewOf = async (): Promise<Uint8Array> => {
    const heads = store!.handle.heads().join(',')
    if (viewCache?.heads !== heads) viewCache = { heads, view: encodeView(store!.index()) }
    return await viewCache.view
  }

  /**
   * Shows a fetched view on the page until the snapshot is applied: from now on page writes wait.
   * A bad view shows nothing and releases them.
   */
  const startPreview = (documentId: string, view: Uint8Array): Promise<PreviewReport> => {
    if (documentId !== store!.handle.documentId) throw new SnapshotError('wrong-document', 'the document is not open here')
    if (preview !== undefined) throw new SnapshotError('bad-view', 'a preview is shown already')
    const t0 = performance.now()
    const p: Preview = { entities: new Map(), edges: new Map(), writes: [], shown: Promise.resolve(), timer: setTimeout(() => { endPreview(p, true) }, options.previewTimeoutMs ?? 20_000) }
    preview = p
    const shown = decodeView(view).then(({ entities, edges }) => {
      if (preview !== p) throw new SnapshotError('bad-view', 'the preview was withdrawn before it was shown')
      const out: GraphDelta[] = []
      for (let i = 0; i < Math.max(entities.length, edges.length); i += DELTA_CHUNK) {
        out.push({ seq: appliedSeq, origin: 'remote', entities: entities.slice(i, i + DELTA_CHUNK), removed: [], edges: edges.slice(i, i + DELTA_CHUNK), removedEdges: [], more: true })
      }
      if (out.length > 0) delete out[out.length - 1]!.more
      for (const e of entities) p.entities.set(e.id, e)
      for (const e of edges) p.edges.set(e.id, e)
      for (const delta of out) post({ t: 'delta', delta })
      return { entities: entities.length, edges: edges.length, ms: Math.round(performance.now() - t0) }
    }, (err: unknown) => {
      endPreview(p, false)
      throw new SnapshotError('bad-view', err instanceof Error ? err.message : String(err))
    })
    p.shown = shown.catch(() => {})
    return shown
  }

  /** Ends a preview: `withdraw` announces its entries again (the document's value, or removed); held writes then run. */
  const endPreview = (p: Preview, withdraw: boolean): void => {
    if (preview !== p) return
    preview = undefined
    clearTimeout(p.timer)
    if (withdraw && (p.entities.size > 0 || p.edges.size > 0)) sendChange({ ids: [...p.entities.keys()], edgeIds: [...p.edges.keys()], origin: 'remote' })
    for (const w of p.writes) handle(w)
  }

  const open = async (init: GraphInit): Promise<void> => {
    const repo = createGraphRepo({
      network,
      ...(init.storage !== undefined && options.storage !== undefined ? { storage: options.storage(init.storage) } : {}),
      ...(options.saveDebounceMs !== undefined ? { saveDebounceMs: options.saveDebounceMs } : {}),
      peerId: init.repoPeerId
    })
    // Whether this graph holds everything each sync partner has (sync-partners.ts), for the page's
    // views; from the start, since a partner in sync tells its heads only in its first messages.
    watchSyncPartners(repo, roomDocumentId(init.room), () => store?.handle.isReady() === true ? store.handle.doc() : undefined, {
      onChange: partners => { post({ t: 'sync-partners', partners }) }
    })
    const handle = await openRoomDoc(repo, init.room)
    const migrations: string[] = []
    store = await openRoomStore(repo, init.room, handle, {
      actor: init.actor,
      onMigration: r => { migrations.push(describeMigration(r)) }
    })
    const graphStore = store
    // A snapshot of the room graph is indexed and sent to the page before the DocHandle diffs it,
    // announcing only where it differs from a preview the page shows.
    snapshots = docSnapshotSource(repo, { adopt: (documentId, merged) => documentId === handle.documentId ? graphStore.adopt(merged, preview) : undefined })
    const index = store.index()
    for (const delta of deltaOf(index.entities.keys(), index.edges.keys(), 'remote')) post({ t: 'delta', delta })
    store.subscribe(sendChange)
    for (const line of migrations) console.info(line)
    post(migrations.length > 0 ? { t: 'ready', documentId: handle.documentId, migrations } : { t: 'ready', documentId: handle.documentId })
  }

  const reply = async (id: number, work: () => Promise<unknown>): Promise<void> => {
    try {
      const value = await work()
      endpoint.postMessage({ t: 'reply', id, ok: true, value } satisfies WorkerToPage, value instanceof Uint8Array ? [value.buffer] : [])
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err))
      post({
        t: 'reply', id, ok: false,
        error: {
          name: e.name, message: e.message,
          ...(e instanceof GraphValidationError ? { field: e.field, reason: e.reason } : {}),
          ...(e instanceof SnapshotError ? { snapshotReason: e.reason } : {})
        }
      })
    }
  }

  const handle = (m: PageToWorker): void => {
    switch (m.t) {
      case 'net': network.receive(m); return
      case 'init': return
      case 'write':
        if (preview !== undefined) { preview.writes.push(m); return }
        appliedSeq = m.seq
        try {
          store!.commit(validateWrites(m.writes))
        } catch (err) {
          // The page validated these, so this is a bug; the page already shows the writes, so send it
          // the document's truth about every entry they touched.
          console.error('graph worker: a write failed', err)
          const touchedIds = new Set<string>()
          const touchedEdges = new Set<string>()
          for (const w of Array.isArray(m.writes) ? m.writes : []) {
            if (w?.root === 'r') touchedEdges.add(w.key); else if (typeof w?.key === 'string') touchedIds.add(entryOwner(w.key))
          }
          for (const delta of deltaOf(touchedIds, touchedEdges, 'remote')) post({ t: 'delta', delta })
        }
        return
      case 'call':
        switch (m.op) {
          case 'exportBinary': void reply(m.id, async () => await store!.exportBinary()); return
          case 'importBinary': void reply(m.id, async () => await store!.importBinary(m.bytes)); return
          case 'flush': void reply(m.id, async () => { await store!.flush() }); return
          case 'snapshotSave': void reply(m.id, async () => {
            // The save is cached for the next joiner: hand the page a copy, whose buffer the reply transfers.
            const saved = snapshots!.save(m.documentId)
            return saved instanceof Uint8Array ? saved.slice() : saved
          }); return
          case 'snapshotPrepare': void reply(m.id, async () => {
            snapshots!.prepare(m.documentId)
            if (m.documentId === store!.handle.documentId) await viewOf()
          }); return
          case 'snapshotView': void reply(m.id, async () => m.documentId === store!.handle.documentId ? (await viewOf()).slice() : undefined); return
          case 'snapshotPreview': void reply(m.id, async () => await startPreview(m.documentId, m.view)); return
          case 'snapshotWithdraw': if (preview !== undefined) endPreview(preview, true); void reply(m.id, async () => {}); return
          case 'snapshotApply': {
            const p = preview
            void reply(m.id, async () => {
              await p?.shown
              try {
                return snapshots!.apply(m.documentId, m.bytes, m.requiredHeads)
              } catch (err) {
                if (p !== undefined) endPreview(p, true)
                throw err
              } finally {
                // Applied: the document's index replaced the preview, and the held writes land on it.
                if (p !== undefined) endPreview(p, false)
              }
            })
            return
          }
        }
    }
  }

  let started = options.before === undefined
  const early: PageToWorker[] = []
  void options.before?.then(() => { started = true; for (const m of early.splice(0)) dispatch(m) }, (err: unknown) => {
    post({ t: 'failed', message: `cannot start: ${err instanceof Error ? err.message : String(err)}` })
  })
  endpoint.addEventListener('message', (event: MessageEvent) => {
    if (started) dispatch(event.data as PageToWorker); else early.push(event.data as PageToWorker)
  })

  function dispatch (m: PageToWorker): void {
    if (m.t === 'records') { serveRecordDoc(m.port as unknown as Endpoint, options); return }
    if (m.t === 'init') {
      open(m.init).then(() => { for (const q of queue.splice(0)) handle(q) }, (err: unknown) => {
        post({ t: 'failed', message: err instanceof Error ? err.message : String(err) })
      })
      return
    }
    // Network events may arrive before the Repo exists (the adapter buffers nothing itself).
    if (store === undefined && m.t !== 'net') { queue.push(m); return }
    handle(m)
  }
}

/** Genesis bytes built here, by hash. */
const recordGeneses = new Map<string, Uint8Array>()

/** Builds a record document's genesis from its description; throws if the hash is not the expected one. */
function recordGenesis (spec: RecordDocInit['genesis']): Uint8Array {
  const cached = recordGeneses.get(spec.hash)
  if (cached !== undefined) return cached
  const doc = Automerge.change(Automerge.init<Record<string, unknown>>({ actor: spec.actor as Automerge.ActorId }), { time: 0 }, d => {
    for (const [key, value] of Object.entries(spec.root)) d[key] = value
  })
  const heads = Automerge.getHeads(doc)
  if (heads.length !== 1 || heads[0] !== spec.hash) throw new Error(`the genesis built here has the hash ${heads.join(',')}, not ${spec.hash}`)
  const bytes = Automerge.save(doc)
  recordGeneses.set(spec.hash, bytes)
  return bytes
}

type RecordDoc = Record<string, unknown>

/**
 * Holds one record document (see RecordDocInit) for a page that speaks to `endpoint` (a
 * MessagePort): loads it from storage or creates it from its genesis, syncs it through the page's
 * adapter, applies the page's writes in order, and tells the page the current value of every
 * record that changes. Messages that arrive before the document is open wait; none is dropped.
 */
export function serveRecordDoc (endpoint: Endpoint, options: Pick<ServeGraphOptions, 'storage'> = {}): void {
  const post = (message: RecordDocToPage): void => { endpoint.postMessage(message) }
  const network = new PortNetworkAdapter(post)
  let init: RecordDocInit | undefined
  let repo: Repo | undefined
  let doc: DocHandle<RecordDoc> | undefined
  let appliedSeq = 0
  let writing = false
  let closed = false
  const queue: PageToRecordDoc[] = []

  const recordsOf = (d: RecordDoc): Record<string, unknown> => {
    const map = d[init!.map]
    return typeof map === 'object' && map !== null && !Array.isArray(map) ? map as Record<string, unknown> : {}
  }
  // A value from a peer may be anything; the page validates it. Oversized ones cross as their length.
  const entryOf = (records: Record<string, unknown>, id: string): RecordEntry => {
    const value = records[id]
    if (value === undefined) return [id, null]
    // An ImmutableString (what the page writes) gives its text; anything else a text the page refuses.
    const raw = String(value)
    return [id, raw.length > init!.maxRecordBytes ? raw.length : raw]
  }
  const allEntries = (): RecordEntry[] => {
    const records = recordsOf(doc!.doc())
    return Object.keys(records).map(id => entryOf(records, id))
  }

  const onChange = ({ patches }: { patches: Automerge.Patch[] }): void => {
    if (writing) return // the write reports what it touched
    const map = init!.map
    // The whole map replaced or deleted (only a broken or hostile peer does that): send all of it.
    if (patches.some(p => p.path.length <= 1 && (p.path.length === 0 || p.path[0] === map))) {
      post({ t: 'records', seq: appliedSeq, entries: allEntries(), all: true })
      return
    }
    const ids = new Set<string>()
    for (const p of patches) if (p.path[0] === map && typeof p.path[1] === 'string') ids.add(p.path[1])
    if (ids.size === 0) return
    const records = recordsOf(doc!.doc())
    post({ t: 'records', seq: appliedSeq, entries: [...ids].map(id => entryOf(records, id)) })
  }

  const write = (m: Extract<PageToRecordDoc, { t: 'write' }>): void => {
    appliedSeq = m.seq
    const entries = Array.isArray(m.entries) ? m.entries : []
    const ids = new Set<string>()
    for (const e of entries) if (Array.isArray(e) && typeof e[0] === 'string') ids.add(e[0])
    const map = init!.map
    writing = true
    try {
      doc!.change(d => {
        if (typeof d[map] !== 'object' || d[map] === null || Array.isArray(d[map])) d[map] = {}
        const records = d[map] as Record<string, unknown>
        for (const e of entries) {
          if (!Array.isArray(e) || typeof e[0] !== 'string' || e[0] === '') continue
          const [id, raw] = e
          // A conditional write (a record restored): only over the value the page saw.
          if (e.length > 2 && entryOf(records, id)[1] !== e[2]) continue
          if (raw === null) { if (records[id] !== undefined) Reflect.deleteProperty(records, id) } else if (typeof raw === 'string' && raw.length <= init!.maxRecordBytes) records[id] = new ImmutableString(raw)
        }
      })
    } catch (err) {
      // The page validated these, so this is a bug; what is sent below puts the page right.
      console.error('record document: a write failed', err)
    } finally {
      writing = false
    }
    const records = recordsOf(doc!.doc())
    post({ t: 'records', seq: appliedSeq, entries: [...ids].map(id => entryOf(records, id)) })
  }

  const open = async (i: RecordDocInit): Promise<void> => {
    init = i
    const genesis = recordGenesis(i.genesis)
    repo = createGraphRepo({
      network,
      ...(i.storage !== undefined && options.storage !== undefined ? { storage: options.storage(i.storage) } : {}),
      peerId: i.repoPeerId
    })
    const handle = repo.findWithProgress<RecordDoc>(i.documentId as DocumentId).handle
    await handle.whenReady(['ready', 'requesting', 'unavailable'])
    if (!handle.isReady() || !Automerge.hasHeads(handle.doc(), [i.genesis.hash])) {
      // Neither storage nor a peer had it (yet): start from the genesis every peer shares.
      handle.update(d => Automerge.loadIncremental(d, genesis))
      handle.doneLoading()
    }
    doc = handle
    handle.on('change', onChange)
  }

  const handleMessage = (m: PageToRecordDoc): void => {
    switch (m.t) {
      case 'write': write(m); return
      case 'close':
        closed = true
        endpoint.removeEventListener('message', onMessage)
        doc?.off('change', onChange)
        void repo?.shutdown()
    }
  }

  const onMessage = (event: MessageEvent): void => {
    const m = event.data as PageToRecordDoc
    if (closed) return
    if (m.t === 'net') { network.receive(m); return }
    if (m.t === 'init') {
      if (init !== undefined) return
      open(m.init).then(() => {
        if (closed) return
        for (const q of queue.splice(0)) handleMessage(q)
        post({ t: 'records', seq: appliedSeq, entries: allEntries(), all: true })
        post({ t: 'ready' })
      }, (err: unknown) => {
        post({ t: 'failed', message: err instanceof Error ? err.message : String(err) })
      })
      return
    }
    if (doc === undefined && m.t !== 'close') { queue.push(m); return }
    handleMessage(m)
  }
  endpoint.addEventListener('message', onMessage)
  endpoint.start?.()
}
