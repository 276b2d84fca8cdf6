/**
 * Catching up by snapshot: how a new tab gets a large graph fast.
 *
 * Automerge applies a peer's history through the sync protocol change by change and builds JS
 * patches for all of it: a 10k-entity graph took 2.5 s of one main-thread task in Chromium. Loading
 * the same document from its saved (compressed, columnar) form and merging our own few changes
 * into it takes ~0.3 s. So a tab whose copy is young (it only holds genesis and perhaps a few
 * local writes) asks one linked peer for a snapshot before the Repo starts syncing with anybody
 * (see `Libp2pNetworkAdapter.hold`); the merge keeps every local change, and the sync that
 * follows only exchanges heads and whatever changed meanwhile. If the snapshot fails (no answer,
 * garbage, wrong document), nothing is applied and ordinary sync takes over.
 *
 * A view of the graph can travel ahead of the document (snapshot-view.ts): the new tab shows it
 * while it loads the document, which is most of a catch-up's time.
 *
 * Wire (protocol {@link SNAPSHOT_PROTOCOL}): frames as in sync-frames.ts (varint length prefix).
 * The requester sends one frame of JSON `{ v: 1, documentId, view? }`; the server answers with one
 * frame of JSON `{ v: 1, ok: true, bytes, view? }` followed by, if the header has `view` (a
 * byte count; only when the request asked with `view: true` and the server has one), one frame
 * of that many bytes of view, then one frame holding `bytes` bytes of `Automerge.save` output;
 * or `{ v: 1, ok: false, error }`. One request per stream. Servers that know no views ignore
 * `view` in a request, and requesters that ask for none get none.
 */
import { Automerge, type DocumentId, type Repo } from '@automerge/automerge-repo/slim'
import type { Connection, PeerId as Libp2pPeerId, Stream, StreamMessageEvent } from '@libp2p/interface'
import { FrameDecoder, encodeFrame } from './sync-frames.ts'
import type { Libp2pNodeLike } from './libp2p-network-adapter.ts'

export const SNAPSHOT_PROTOCOL = '/meshwork/graph-snapshot/1.0.0'
export const SNAPSHOT_VERSION = 1
/** Largest snapshot sent or accepted. */
export const MAX_SNAPSHOT_BYTES = 32 * 1024 * 1024
const MAX_HEADER_BYTES = 4096

/** Why fetching or applying a snapshot failed; counted in {@link SnapshotStats}. */
export type SnapshotFailure = 'refused' | 'bad-reply' | 'oversize' | 'timeout' | 'stream' | 'bad-document' | 'wrong-document' | 'bad-view'

export class SnapshotError extends Error {
  constructor (readonly reason: SnapshotFailure, message: string) {
    super(message)
    this.name = 'SnapshotError'
  }
}

export interface SnapshotStats {
  served: number
  fetched: number
  /** Fetches or applications that failed, by reason. */
  failed: Partial<Record<SnapshotFailure, number>>
  /** The last snapshot served: ms from its request until the document was saved and its view made (the reply waits for both). */
  lastServedWaitMs?: number
  /** When (epoch ms) the last snapshot served was asked for. */
  lastServedAt?: number
  /** The last head start (`prepare`): when it began (epoch ms) and how long the save and view took. */
  lastPrepare?: { at: number, ms: number }
}

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()
const jsonFrame = (value: unknown): Uint8Array => encodeFrame(utf8.encode(JSON.stringify(value)))

/**
 * Reads frames from `stream` until `enough(frames)` says so (or the stream ends, fails or `signal`
 * fires). `enough` sees the frames as they arrive; an exception it throws ends the read with it.
 */
async function readFrames (stream: Stream, maxFrameBytes: number, signal: AbortSignal, enough: (frames: Uint8Array[]) => boolean): Promise<Uint8Array[]> {
  const decoder = new FrameDecoder(maxFrameBytes)
  const frames: Uint8Array[] = []
  return await new Promise<Uint8Array[]>((resolve, reject) => {
    const done = (err?: Error): void => {
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('close', onClose)
      stream.removeEventListener('end', onClose)
      signal.removeEventListener('abort', onAbort)
      if (err !== undefined) reject(err); else resolve(frames)
    }
    const onMessage = (evt: StreamMessageEvent): void => {
      try {
        for (const frame of decoder.push(evt.data instanceof Uint8Array ? evt.data : evt.data.subarray())) {
          frames.push(frame)
          if (enough(frames)) { done(); return }
        }
      } catch (err) {
        done(err instanceof SnapshotError ? err : new SnapshotError((err as { reason?: string }).reason === 'oversize' ? 'oversize' : 'bad-reply', err instanceof Error ? err.message : String(err)))
      }
    }
    const onClose = (): void => { done(new SnapshotError('stream', `the stream closed after ${frames.length} frame(s)`)) }
    const onAbort = (): void => { done(new SnapshotError('timeout', 'no complete answer in time')) }
    if (signal.aborted) { onAbort(); return }
    stream.addEventListener('message', onMessage)
    stream.addEventListener('close', onClose)
    // The remote closed its end: nothing more is coming (noticed at once, not at the timeout).
    stream.addEventListener('end', onClose)
    signal.addEventListener('abort', onAbort)
  })
}

/**
 * Where snapshots come from and go to: the Repo holding the document (in this thread, see
 * {@link docSnapshotSource}, or in the graph worker).
 */
export interface SnapshotSource {
  /** `Automerge.save` of the document, or why not. */
  save: (documentId: DocumentId) => Promise<Uint8Array | { error: string }> | Uint8Array | { error: string }
  /**
   * Loads `bytes`, checks it holds `requiredHeads` (the room's genesis) and merges the local
   * document into it, so nothing local is lost. Throws a SnapshotError and changes nothing if
   * the snapshot is bad.
   */
  apply: (documentId: DocumentId, bytes: Uint8Array, requiredHeads: string[]) => Promise<ApplyTimings | undefined> | ApplyTimings | undefined
  /** Saves and caches `documentId` now, so that a request soon after is answered without waiting for the save. */
  prepare?: (documentId: DocumentId) => Promise<unknown> | unknown
  /** The document's view (snapshot-view.ts) to send ahead of it, or undefined for none. */
  view?: (documentId: DocumentId) => Promise<Uint8Array | undefined> | Uint8Array | undefined
  /**
   * Shows a fetched view until the document is applied or the preview withdrawn, holding local
   * writes back meanwhile. Throws a SnapshotError ('bad-view') and shows nothing if the view is bad.
   */
  preview?: (documentId: DocumentId, view: Uint8Array) => Promise<PreviewReport> | PreviewReport
  /** Withdraws a preview whose document did not come (a no-op without one). */
  withdraw?: (documentId: DocumentId) => Promise<unknown> | unknown
}

/** What a preview showed. */
export interface PreviewReport {
  entities: number
  edges: number
  /** Decompressing, validating and handing it over, ms. */
  ms: number
}

/** Where the time of applying a snapshot went, ms. */
export interface ApplyTimings {
  /** `Automerge.load` of the snapshot and the genesis check. */
  loadMs: number
  /** Merging the local document in. */
  mergeMs: number
  /**
   * With an `adopt` hook (the graph worker): reading the merged document into the index and
   * announcing it (the page's deltas are posted by then).
   */
  indexMs?: number
  /** Handing the result to the DocHandle: automerge-repo's diff for its change event, and whoever listens. */
  updateMs: number
}

export interface DocSnapshotSourceOptions {
  /**
   * Takes the merged document into the DocHandle instead of a plain `handle.update`, e.g.
   * DocGraphStore.adopt, which indexes and announces it before the handle's diff. Returns its
   * timings, or undefined to decline (the plain update then runs).
   */
  adopt?: (documentId: DocumentId, merged: Automerge.Doc<unknown>) => { indexMs: number, updateMs: number } | undefined
}

/** A SnapshotSource over a Repo in this thread. Saves are cached per heads. */
export function docSnapshotSource (repo: Repo, options: DocSnapshotSourceOptions = {}): {
  save: (documentId: string) => Uint8Array | { error: string }
  apply: (documentId: string, bytes: Uint8Array, requiredHeads: string[]) => ApplyTimings
  prepare: (documentId: string) => void
} {
  let cache: { documentId: string, heads: string, bytes: Uint8Array } | undefined
  const ready = (documentId: string) => {
    const handle = repo.handles[documentId as DocumentId]
    return handle !== undefined && handle.isReady() ? handle : undefined
  }
  return {
    save (documentId) {
      const handle = ready(documentId)
      if (handle === undefined) return { error: 'document not held' }
      const heads = handle.heads().join(',')
      if (cache?.documentId !== documentId || cache.heads !== heads) cache = { documentId, heads, bytes: Automerge.save(handle.doc()) }
      return cache.bytes
    },
    prepare (documentId) {
      this.save(documentId)
    },
    apply (documentId, bytes, requiredHeads) {
      const handle = ready(documentId)
      if (handle === undefined) throw new SnapshotError('wrong-document', 'the document is not open here')
      const t0 = performance.now()
      let loaded: Automerge.Doc<unknown>
      try {
        loaded = Automerge.load<unknown>(bytes)
      } catch (err) {
        throw new SnapshotError('bad-document', `not an Automerge document: ${err instanceof Error ? err.message : String(err)}`)
      }
      if (!Automerge.hasHeads(loaded, requiredHeads)) throw new SnapshotError('wrong-document', 'the snapshot does not descend from this document\'s genesis')
      const t1 = performance.now()
      // Our few changes go into the loaded document, never its many into ours (that would apply
      // the whole history op by op).
      const merged = Automerge.merge(loaded, handle.doc())
      const t2 = performance.now()
      const timings = { loadMs: Math.round(t1 - t0), mergeMs: Math.round(t2 - t1) }
      const adopted = options.adopt?.(documentId as DocumentId, merged)
      if (adopted !== undefined) return { ...timings, ...adopted }
      handle.update(() => merged)
      return { ...timings, updateMs: Math.round(performance.now() - t2) }
    }
  }
}

export interface SnapshotServiceOptions {
  /** Only these peers are served or asked. Default: all. */
  acceptPeer?: (peer: Libp2pPeerId) => boolean
  /** Only these documents are served. */
  serves: (documentId: DocumentId) => boolean
  maxBytes?: number
}

/** Serves snapshots of `source`'s documents to accepted peers and fetches them from peers. */
export class SnapshotService {
  readonly stats: SnapshotStats = { served: 0, fetched: 0, failed: {} }
  readonly #node: Libp2pNodeLike
  readonly #source: SnapshotSource
  readonly #options: Required<SnapshotServiceOptions>
  #started = false

  constructor (node: Libp2pNodeLike, source: SnapshotSource, options: SnapshotServiceOptions) {
    this.#node = node
    this.#source = source
    this.#options = { acceptPeer: () => true, maxBytes: MAX_SNAPSHOT_BYTES, ...options }
  }

  async start (): Promise<void> {
    if (this.#started) return
    this.#started = true
    await this.#node.handle(SNAPSHOT_PROTOCOL, (stream, connection) => { void this.#serve(stream, connection) }, { runOnLimitedConnection: false, force: true })
  }

  async stop (): Promise<void> {
    if (!this.#started) return
    this.#started = false
    await this.#node.unhandle(SNAPSHOT_PROTOCOL)
  }

  #fail (reason: SnapshotFailure, message: string): SnapshotError {
    this.stats.failed[reason] = (this.stats.failed[reason] ?? 0) + 1
    return new SnapshotError(reason, message)
  }

  /** The saved document, or why not. */
  async #snapshot (documentId: unknown): Promise<{ bytes: Uint8Array } | { error: string }> {
    if (typeof documentId !== 'string' || !this.#options.serves(documentId as DocumentId)) return { error: 'document not served' }
    const saved = await this.#source.save(documentId as DocumentId)
    if (!(saved instanceof Uint8Array)) return saved
    return saved.byteLength > this.#options.maxBytes ? { error: `snapshot of ${saved.byteLength} bytes exceeds ${this.#options.maxBytes}` } : { bytes: saved }
  }

  async #serve (stream: Stream, connection: Connection): Promise<void> {
    try {
      if (!this.#options.acceptPeer(connection.remotePeer)) { stream.abort(new Error('peer not accepted')); return }
      const [request] = await readFrames(stream, MAX_HEADER_BYTES, AbortSignal.timeout(5_000), f => f.length === 1)
      let documentId: unknown
      let wantsView = false
      try {
        const parsed = JSON.parse(fromUtf8.decode(request)) as { v?: unknown, documentId?: unknown, view?: unknown }
        if (parsed.v !== SNAPSHOT_VERSION) throw new Error(`unsupported version ${String(parsed.v)}`)
        documentId = parsed.documentId
        wantsView = parsed.view === true
      } catch (err) {
        stream.send(jsonFrame({ v: SNAPSHOT_VERSION, ok: false, error: `bad request: ${err instanceof Error ? err.message : String(err)}` }))
        await stream.close()
        return
      }
      // The view is made while the document is saved (both are usually cached already).
      const asked = Date.now()
      const viewing = wantsView && typeof documentId === 'string' && this.#options.serves(documentId as DocumentId) ? this.#view(documentId as DocumentId) : undefined
      const snapshot = await this.#snapshot(documentId)
      if ('error' in snapshot) {
        stream.send(jsonFrame({ v: SNAPSHOT_VERSION, ok: false, error: snapshot.error }))
      } else {
        const view = await viewing
        this.stats.lastServedWaitMs = Date.now() - asked
        this.stats.lastServedAt = asked
        stream.send(jsonFrame({ v: SNAPSHOT_VERSION, ok: true, bytes: snapshot.bytes.byteLength, ...(view !== undefined ? { view: view.byteLength } : {}) }))
        if (view !== undefined) stream.send(encodeFrame(view))
        stream.send(encodeFrame(snapshot.bytes))
        this.stats.served++
      }
      await stream.close()
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /** The source's view of a served document, if it has one that fits; never throws (a view is optional). */
  async #view (documentId: DocumentId): Promise<Uint8Array | undefined> {
    try {
      const view = await this.#source.view?.(documentId)
      return view instanceof Uint8Array && view.byteLength > 0 && view.byteLength <= this.#options.maxBytes ? view : undefined
    } catch {
      return undefined
    }
  }

  /**
   * Has the source save `documentId` now (if it is served and the source can), so that a request
   * arriving soon after, e.g. from a peer that just linked, does not wait for the save.
   */
  async prepare (documentId: DocumentId): Promise<void> {
    if (!this.#options.serves(documentId)) return
    try {
      const at = Date.now()
      await this.#source.prepare?.(documentId)
      this.stats.lastPrepare = { at, ms: Date.now() - at }
    } catch {
      // Only a head start: a request still saves for itself.
    }
  }

  /**
   * Fetches `documentId` from `peer` over its best unlimited connection. With `onView`, asks for
   * the document's view too and hands it over as soon as it arrives, before the document.
   */
  async fetch (peer: Libp2pPeerId, documentId: DocumentId, timeoutMs = 5_000, onView?: (view: Uint8Array) => void, timing?: FetchTimings): Promise<Uint8Array> {
    const t0 = Date.now()
    const connection = this.#node.getConnections(peer).find(c => c.status === 'open' && c.limits === undefined)
    if (connection === undefined) throw this.#fail('stream', `no direct connection to ${peer.toString()}`)
    const signal = AbortSignal.timeout(timeoutMs)
    let stream: Stream
    try {
      stream = await connection.newStream(SNAPSHOT_PROTOCOL, { signal })
    } catch (err) {
      throw this.#fail('stream', `cannot open a snapshot stream: ${err instanceof Error ? err.message : String(err)}`)
    }
    if (timing !== undefined) timing.streamMs = Date.now() - t0
    try {
      // One header frame; when it says ok, the view (if it announces one) and the document follow.
      let header: ReturnType<typeof parseHeader> | undefined
      const reply = readFrames(stream, this.#options.maxBytes, signal, f => {
        if (header === undefined && timing !== undefined) timing.headerMs = Date.now() - t0
        header ??= parseHeader(f[0])
        if (!header.ok) return true
        const withView = header.view !== undefined
        if (withView && f.length === 2) {
          if (onView === undefined) throw new SnapshotError('bad-reply', 'a view that was not asked for')
          if (f[1]!.byteLength !== header.view) throw new SnapshotError('bad-reply', `announced a view of ${header.view} bytes, got ${f[1]!.byteLength}`)
          if (timing !== undefined) timing.viewMs = Date.now() - t0
          onView(f[1]!)
        }
        return f.length === (withView ? 3 : 2)
      })
      stream.send(jsonFrame({ v: SNAPSHOT_VERSION, documentId, ...(onView !== undefined ? { view: true } : {}) }))
      const frames = await reply
      if (timing !== undefined) timing.documentMs = Date.now() - t0
      const head = parseHeader(frames[0])
      if (!head.ok) throw new SnapshotError('refused', `peer refused the snapshot: ${head.error}`)
      const bytes = frames[head.view !== undefined ? 2 : 1]
      if (bytes === undefined || bytes.byteLength !== head.bytes) throw new SnapshotError('bad-reply', `announced ${head.bytes} bytes, got ${bytes?.byteLength ?? 0}`)
      this.stats.fetched++
      return bytes
    } catch (err) {
      const e = err instanceof SnapshotError ? err : new SnapshotError('stream', err instanceof Error ? err.message : String(err))
      stream.abort(e)
      throw this.#fail(e.reason, e.message)
    } finally {
      stream.close().catch(() => {})
    }
  }

  /** Shows a fetched view through the source (see {@link SnapshotSource.preview}); failures are counted. Undefined if the source shows none. */
  async preview (documentId: DocumentId, view: Uint8Array): Promise<PreviewReport | undefined> {
    if (this.#source.preview === undefined) return undefined
    try {
      return await this.#source.preview(documentId, view)
    } catch (err) {
      throw this.#fail('bad-view', err instanceof Error ? err.message : String(err))
    }
  }

  /** Withdraws a preview (see {@link SnapshotSource.withdraw}). */
  async withdraw (documentId: DocumentId): Promise<void> {
    await this.#source.withdraw?.(documentId)
  }

  /** Whether fetched views can be shown here. */
  get previews (): boolean {
    return this.#source.preview !== undefined
  }

  /** Applies a fetched snapshot through the source (see {@link SnapshotSource.apply}); failures are counted. */
  async apply (documentId: DocumentId, bytes: Uint8Array, requiredHeads: string[]): Promise<ApplyTimings | undefined> {
    try {
      return (await this.#source.apply(documentId, bytes, requiredHeads)) ?? undefined
    } catch (err) {
      if (err instanceof SnapshotError) throw this.#fail(err.reason, err.message)
      throw err
    }
  }
}

function parseHeader (frame: Uint8Array | undefined): { ok: true, bytes: number, view?: number } | { ok: false, error: string } {
  if (frame === undefined) throw new SnapshotError('bad-reply', 'no header')
  let header: { v?: unknown, ok?: unknown, bytes?: unknown, view?: unknown, error?: unknown }
  try {
    header = JSON.parse(fromUtf8.decode(frame)) as typeof header
  } catch {
    throw new SnapshotError('bad-reply', 'the header is not JSON')
  }
  if (header.v !== SNAPSHOT_VERSION) throw new SnapshotError('bad-reply', `unsupported version ${String(header.v)}`)
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0
  if (header.ok === true && count(header.bytes)) {
    if (header.view === undefined) return { ok: true, bytes: header.bytes }
    if (count(header.view)) return { ok: true, bytes: header.bytes, view: header.view }
  }
  if (header.ok === false) return { ok: false, error: typeof header.error === 'string' ? header.error.slice(0, 200) : 'no reason given' }
  throw new SnapshotError('bad-reply', 'malformed header')
}

/** When the parts of a fetched snapshot arrived, ms since the fetch began. */
export interface FetchTimings {
  /** The stream was open (its protocol negotiated). */
  streamMs?: number
  /** The reply's header frame arrived (the peer had saved the document and made its view). */
  headerMs?: number
  viewMs?: number
  documentMs?: number
}

/** What a tab's snapshot catch-up did; shown in sync stats. */
export interface CatchUpReport {
  state: 'unarmed' | 'not-needed' | 'waiting' | 'fetching' | 'applied' | 'failed'
  /** The peer asked last. */
  peer?: string
  /** When the last attempt began, ms since the page's time origin. */
  startedAt?: number
  bytes?: number
  /** Fetch plus apply, ms. */
  ms?: number
  /** Of which: fetching (request, the peer's save, transfer), and applying (see ApplyTimings). */
  fetchMs?: number
  /** Where the fetch spent its time. */
  fetch?: FetchTimings
  timings?: ApplyTimings
  /**
   * The view shown ahead of the document, with `shownMs` (from the request until it was shown);
   * or why it was not shown (the document is applied all the same).
   */
  preview?: (PreviewReport & { bytes: number, shownMs: number }) | { error: string }
  error?: string
  attempts: number
}

/** The part of Libp2pNetworkAdapter a catch-up uses. */
export interface HoldableAdapter { hold: (until: Promise<unknown>, maxMs?: number) => void }

/**
 * Decides when a tab catches up by snapshot and does it: once armed with the room document, if
 * the local copy is young, the first linked peer (already linked, or the next to join) is asked
 * for a snapshot while the adapter holds back every new sync session. Two attempts at most;
 * after that, or if the copy is not young, ordinary sync does all the work.
 */
export class SnapshotCatchUp {
  readonly report: CatchUpReport = { state: 'unarmed', attempts: 0 }
  #target: { documentId: DocumentId, requiredHeads: string[] } | undefined

  constructor (
    private readonly service: SnapshotService,
    private readonly adapter: HoldableAdapter,
    private readonly peerIdOf: (peer: string) => Libp2pPeerId,
    private readonly options: { timeoutMs?: number, maxAttempts?: number } = {}
  ) {}

  /**
   * Call once the document is open. `young`: whether a snapshot is worth it (the local copy holds
   * little). `linked`: room peers linked already. Synchronous up to placing the hold, so call it
   * before any hold that covers the opening is released.
   */
  arm (documentId: DocumentId, requiredHeads: string[], young: boolean, linked: string[]): void {
    if (this.report.state !== 'unarmed') return
    if (!young) { this.report.state = 'not-needed'; return }
    this.#target = { documentId, requiredHeads }
    this.report.state = 'waiting'
    if (linked[0] !== undefined) this.#start(linked[0])
  }

  /** A room peer linked. Call before the adapter hears of it, so the hold precedes its session. */
  peerJoined (peer: string): void {
    if (this.report.state === 'waiting') this.#start(peer)
  }

  #start (peer: string): void {
    const target = this.#target
    if (target === undefined) return
    const timeoutMs = this.options.timeoutMs ?? 5_000
    this.report.state = 'fetching'
    this.report.peer = peer
    this.report.attempts++
    const started = Date.now()
    this.report.startedAt = Math.round(performance.now())
    delete this.report.preview
    // The view (if the peer sends one) is shown while the document is still on its way; the
    // source holds local writes back until the document is applied or the preview withdrawn.
    let previewing: Promise<unknown> | undefined
    const onView = !this.service.previews
      ? undefined
      : (view: Uint8Array): void => {
          previewing = this.service.preview(target.documentId, view).then(shown => {
            if (shown !== undefined) this.report.preview = { ...shown, bytes: view.byteLength, shownMs: Date.now() - started }
          }, (err: unknown) => { this.report.preview = { error: err instanceof Error ? err.message : String(err) } })
        }
    const work = (async () => {
      try {
        const timing: FetchTimings = {}
        this.report.fetch = timing
        const bytes = await this.service.fetch(this.peerIdOf(peer), target.documentId, timeoutMs, onView, timing)
        this.report.fetchMs = Date.now() - started
        await previewing
        const timings = await this.service.apply(target.documentId, bytes, target.requiredHeads)
        if (timings !== undefined) this.report.timings = timings
        return bytes.byteLength
      } catch (err) {
        if (previewing !== undefined) await this.service.withdraw(target.documentId).catch(() => {})
        throw err
      }
    })()
    this.adapter.hold(work, timeoutMs + 3_000)
    work.then(bytes => {
      Object.assign(this.report, { state: 'applied', bytes, ms: Date.now() - started })
      delete this.report.error
    }, (err: unknown) => {
      this.report.error = err instanceof Error ? err.message : String(err)
      this.report.ms = Date.now() - started
      this.report.state = this.report.attempts < (this.options.maxAttempts ?? 2) ? 'waiting' : 'failed'
    })
  }
}
