/**
 * RemoteAgentRegistry: the page's side of the room's agent registry, whose Automerge document,
 * Repo, sync and IndexedDB storage run in the graph worker (a record document, see
 * `serveRecordDoc` in graph-worker-core.ts). Applying a peer's sync on the page was one 50-77 ms
 * main-thread task when a new tab linked (bench:graph); here the page only receives small messages
 * (the changed agent ids with their record JSON) and keeps a mirror of them, validated as they
 * arrive, so a malformed record from a hostile peer is skipped and reported by `invalid()` and
 * never reaches the UI or the matcher.
 *
 * Writes are validated here, shown at once (read-your-writes) and posted, numbered, to the worker,
 * which applies them in order, also those made before it has opened the document. Each message
 * from the worker says up to which write it had applied; later writes stay laid over what it
 * says, so a record it reports before our write landed cannot hide that write.
 */
import type { NetworkAdapterInterface } from '@automerge/automerge-repo/slim'
import type { Endpoint, PageToRecordDoc, RecordDocInit, RecordDocToPage, RecordWrite } from '../graph/graph-worker-protocol.ts'
import { bridgeNetworkAdapter } from '../graph/port-network-adapter.ts'
import type { AgentRegistryApi, RegistryChange, RegistryOwner } from './registry-api.ts'
import { checkRestorable, encodeAgentRecords, encodeRemovals, readRegistryEntry, REGISTRY_GENESIS, REGISTRY_LIMITS, registryDocumentId, supersedes, type AgentRecord, type RegistryEntry } from './registry.ts'

export interface RemoteAgentRegistryOptions {
  room: string
  /** The peer this tab is: it writes its own agents' records, signed with its key. */
  owner: RegistryOwner
  /** The worker Repo's peer id (the page's libp2p peer id). */
  repoPeerId: string
  /** IndexedDB database name (the tab uses 'meshwork-registry'); omit for memory only (tests). */
  storage?: string
  /** The page's adapter the worker's Repo syncs the registry through (a Libp2pNetworkAdapter on its own protocol). */
  network?: NetworkAdapterInterface
  /** The worker could not open the registry; the mirror keeps this tab's own records meanwhile. */
  onFailure?: (message: string) => void
  now?: () => number
}

export class RemoteAgentRegistry implements AgentRegistryApi {
  /** Resolves once the mirror holds every record the worker loaded (storage, and peers so far). */
  readonly ready: Promise<void>
  readonly #endpoint: Endpoint
  /** The records as the worker last reported them. */
  readonly #base = new Map<string, string | number>()
  /** Writes the worker has not reported applied yet, oldest first. */
  readonly #pending: Array<{ seq: number, entries: RecordWrite[] }> = []
  /** What the page reads: the base with the pending writes laid over, validated. */
  readonly #mirror = new Map<string, RegistryEntry>()
  readonly #listeners = new Set<(c: RegistryChange) => void>()
  readonly #onFailure: ((message: string) => void) | undefined
  readonly #owner: RegistryOwner
  readonly #now: () => number
  readonly #net: ((message: Extract<RecordDocToPage, { t: 'net' }>) => void) | undefined
  readonly #onMessage = (event: MessageEvent): void => { this.#receive(event.data as RecordDocToPage) }
  #settle: { resolve: () => void, reject: (err: Error) => void } = { resolve: () => {}, reject: () => {} }
  #seq = 0
  #closed = false

  /** `endpoint`: a MessagePort the graph worker serves the registry on (`{ t: 'records', port }`). */
  constructor (endpoint: Endpoint, options: RemoteAgentRegistryOptions) {
    this.#endpoint = endpoint
    this.#onFailure = options.onFailure
    this.#owner = options.owner
    this.#now = options.now ?? Date.now
    this.ready = new Promise((resolve, reject) => { this.#settle = { resolve, reject } })
    this.ready.catch(() => {}) // reported through onFailure; awaiting it is optional
    if (options.network !== undefined) this.#net = bridgeNetworkAdapter(options.network, m => { this.#post(m) })
    endpoint.addEventListener('message', this.#onMessage)
    endpoint.start?.()
    const init: RecordDocInit = {
      documentId: registryDocumentId(options.room),
      genesis: REGISTRY_GENESIS,
      map: 'agents',
      maxRecordBytes: REGISTRY_LIMITS.recordBytes,
      repoPeerId: options.repoPeerId,
      ...(options.storage !== undefined ? { storage: options.storage } : {})
    }
    this.#post({ t: 'init', init })
  }

  on (_event: 'change', fn: (c: RegistryChange) => void): () => void {
    this.#listeners.add(fn)
    return () => { this.#listeners.delete(fn) }
  }

  list (): AgentRecord[] {
    const out: AgentRecord[] = []
    for (const m of this.#mirror.values()) if (m.record !== undefined) out.push(m.record)
    return out
  }

  get (agentId: string): AgentRecord | undefined {
    return this.#mirror.get(agentId)?.record
  }

  invalid (): Array<{ agentId: string, reason: string }> {
    const out: Array<{ agentId: string, reason: string }> = []
    for (const [agentId, m] of this.#mirror) if (m.reason !== undefined) out.push({ agentId, reason: m.reason })
    return out
  }

  entry (agentId: string): RegistryEntry | undefined {
    return this.#mirror.get(agentId)
  }

  put (...records: AgentRecord[]): void {
    const encoded = encodeAgentRecords(records, this.#owner, id => this.#mirror.get(id))
    if (encoded.length === 0) return
    // Our own records, just signed: shown without verifying them again.
    for (const e of encoded) this.#mirror.set(e.agentId, { raw: e.raw, record: e.record })
    this.#write(encoded.map(e => [e.agentId, e.raw]))
  }

  remove (...agentIds: string[]): void {
    const encoded = encodeRemovals(agentIds, this.#owner, id => this.#mirror.get(id), this.#now())
    if (encoded.length === 0) return
    for (const e of encoded) this.#mirror.set(e.agentId, { raw: e.raw, removal: e.removal })
    this.#write(encoded.map(e => [e.agentId, e.raw]))
  }

  restore (agentId: string, raw: string): boolean {
    const e = checkRestorable(agentId, raw)
    const current = this.#mirror.get(agentId)
    if (!supersedes(e, current)) return false
    // Conditional: the worker writes it only over the value this page saw.
    this.#mirror.set(agentId, e)
    this.#write([[agentId, raw, current?.raw ?? null]])
    return true
  }

  /**
   * Writes values verbatim, neither validated nor signed (null deletes): what any member of the
   * room can do to the shared document with code of its own. Not part of AgentRegistryApi; it is
   * here so the e2e suite can play a hostile member with a real tab (test/e2e/agents.spec.ts), and
   * for debugging at the console. Values that do not count are skipped by every reader as always.
   */
  writeUnchecked (entries: Array<[string, string | null]>): void {
    this.#write(entries)
  }

  close (): void {
    this.#post({ t: 'close' })
    this.#closed = true
    this.#endpoint.removeEventListener('message', this.#onMessage)
    this.#listeners.clear()
    this.#settle.reject(new Error('the agent registry was closed'))
  }

  // -------------------------------------------------------------------------------------------

  #post (message: PageToRecordDoc): void {
    if (!this.#closed) this.#endpoint.postMessage(message)
  }

  #write (entries: RecordWrite[]): void {
    const seq = ++this.#seq
    this.#pending.push({ seq, entries })
    this.#post({ t: 'write', seq, entries })
    for (const [id, raw] of entries) this.#show(id, raw)
    this.#emit({ ids: [...new Set(entries.map(([id]) => id))], origin: 'local' })
  }

  /** Sets what the page reads for `id`; returns whether it changed. */
  #show (id: string, raw: string | number | null): boolean {
    const current = this.#mirror.get(id)
    if (raw === null) return this.#mirror.delete(id)
    if (current?.raw === raw) return false
    this.#mirror.set(id, readRegistryEntry(id, raw))
    return true
  }

  #emit (change: RegistryChange): void {
    if (change.ids.length === 0) return
    for (const fn of this.#listeners) {
      try { fn(change) } catch (err) { console.error('agent registry listener failed', err) }
    }
  }

  #receive (m: RecordDocToPage): void {
    if (this.#closed) return
    switch (m.t) {
      case 'net': this.#net?.(m); return
      case 'ready': this.#settle.resolve(); return
      case 'failed': {
        const message = `the agent registry could not be opened in the graph worker: ${m.message}`
        this.#settle.reject(new Error(message))
        this.#onFailure?.(message)
        return
      }
      case 'records': this.#apply(m)
    }
  }

  #apply (m: Extract<RecordDocToPage, { t: 'records' }>): void {
    const touched = new Set<string>()
    if (m.all === true) {
      for (const id of this.#base.keys()) touched.add(id)
      this.#base.clear()
    }
    for (const [id, raw] of m.entries) {
      touched.add(id)
      if (raw === null) this.#base.delete(id); else this.#base.set(id, raw)
    }
    // Writes the worker has applied are in the base now (or were put right by these entries).
    while (this.#pending.length > 0 && this.#pending[0]!.seq <= m.seq) {
      for (const [id] of this.#pending.shift()!.entries) touched.add(id)
    }
    const laid = new Map<string, string | number | null>()
    for (const p of this.#pending) for (const [id, raw] of p.entries) laid.set(id, raw)
    const changed: string[] = []
    for (const id of touched) {
      const raw = laid.has(id) ? laid.get(id)! : this.#base.get(id) ?? null
      if (this.#show(id, raw)) changed.push(id)
    }
    this.#emit({ ids: changed, origin: 'remote' })
  }
}
