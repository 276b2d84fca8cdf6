/**
 * The graph worker: holds the room graph's Automerge document in a Repo (IndexedDB storage, network
 * through the page, see port-network-adapter.ts), applies the page's planned writes, finds
 * conflicts, and sends the page validated deltas for its replica of the index. Everything
 * Automerge does (sync, load, save, diff) runs here, off the page's main thread.
 *
 * `serveGraph` speaks to any {@link Endpoint}: the worker's global scope in the browser, a
 * MessagePort in tests.
 */
import type { StorageAdapterInterface } from '@automerge/automerge-repo/slim'
import { validateWrites } from './batch-planner.ts'
import { DocGraphStore, type GraphChange } from './graph-store.ts'
import { entryOwner } from './layout.ts'
import { DELTA_CHUNK, type Endpoint, type GraphDelta, type GraphInit, type PageToWorker, type WorkerToPage } from './graph-worker-protocol.ts'
import { GraphValidationError } from './schema.ts'
import { PortNetworkAdapter } from './port-network-adapter.ts'
import { createGraphRepo, openRoomDoc } from './room.ts'
import { docSnapshotSource, SnapshotError } from './snapshot.ts'

export interface ServeGraphOptions {
  /** Storage for a database name (the browser passes IndexedDB). */
  storage?: (name: string) => StorageAdapterInterface
  /** Messages wait for this (e.g. Automerge's wasm loading); they are never lost meanwhile. */
  before?: Promise<unknown>
}

export function serveGraph (endpoint: Endpoint, options: ServeGraphOptions = {}): void {
  const post = (message: WorkerToPage): void => { endpoint.postMessage(message) }
  const network = new PortNetworkAdapter(post)
  let store: DocGraphStore | undefined
  let snapshots: ReturnType<typeof docSnapshotSource> | undefined
  let appliedSeq = 0
  let invalidShown = 0
  const queue: PageToWorker[] = []

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

  const open = async (init: GraphInit): Promise<void> => {
    const repo = createGraphRepo({
      network,
      ...(init.storage !== undefined && options.storage !== undefined ? { storage: options.storage(init.storage) } : {}),
      peerId: init.repoPeerId
    })
    const handle = await openRoomDoc(repo, init.room)
    store = new DocGraphStore(handle, { actor: init.actor, now: Date.now })
    const graphStore = store
    // A snapshot of the room graph is indexed and sent to the page before the DocHandle diffs it.
    snapshots = docSnapshotSource(repo, { adopt: (documentId, merged) => documentId === handle.documentId ? graphStore.adopt(merged) : undefined })
    const index = store.index()
    for (const delta of deltaOf(index.entities.keys(), index.edges.keys(), 'remote')) post({ t: 'delta', delta })
    store.subscribe(sendChange)
    post({ t: 'ready', documentId: handle.documentId })
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
          case 'snapshotSave': void reply(m.id, async () => {
            // The save is cached for the next joiner: hand the page a copy, whose buffer the reply transfers.
            const saved = snapshots!.save(m.documentId)
            return saved instanceof Uint8Array ? saved.slice() : saved
          }); return
          case 'snapshotPrepare': void reply(m.id, async () => { snapshots!.prepare(m.documentId) }); return
          case 'snapshotApply': void reply(m.id, async () => snapshots!.apply(m.documentId, m.bytes, m.requiredHeads)); return
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
