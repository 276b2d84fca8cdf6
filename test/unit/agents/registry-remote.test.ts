// What only the page's RemoteAgentRegistry has to prove, beyond the compliance suite
// (registry-compliance.test.ts): writes made before the graph worker has opened the document are
// kept, the worker opens what an earlier version stored on the page (same storage, document id
// and genesis), and a worker that cannot open the registry is reported.
import '../graph/helpers.ts'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim'
import { afterEach, describe, expect, it } from 'vitest'
import { openAgentRegistry, REGISTRY_GENESIS, registryDocumentId } from '../../../src/agents/registry.ts'
import { RemoteAgentRegistry } from '../../../src/agents/remote-registry.ts'
import { serveRecordDoc } from '../../../src/graph/graph-worker-core.ts'
import type { Endpoint, RecordDocToPage, RecordEntry } from '../../../src/graph/graph-worker-protocol.ts'
import { createGraphRepo } from '../../../src/graph/room.ts'
import { MemoryHub } from '../graph/memory-network.ts'
import { waitFor } from '../graph/helpers.ts'
import { openRemote } from './registry-peers.ts'
import { record } from './registry-suite.ts'
import { A, PEER_A, PEER_B } from './test-peers.ts'

/** Storage in memory that outlives the Repos using it (IndexedDB in a tab). */
class MemoryStorage implements StorageAdapterInterface {
  readonly data = new Map<string, Uint8Array>()
  async load (key: StorageKey): Promise<Uint8Array | undefined> { return this.data.get(key.join('/')) }
  async save (key: StorageKey, data: Uint8Array): Promise<void> { this.data.set(key.join('/'), data) }
  async remove (key: StorageKey): Promise<void> { this.data.delete(key.join('/')) }
  async loadRange (prefix: StorageKey): Promise<Chunk[]> {
    return [...this.data].filter(([k]) => k.startsWith(prefix.join('/'))).map(([k, data]) => ({ key: k.split('/'), data }))
  }
  async removeRange (prefix: StorageKey): Promise<void> {
    for (const k of [...this.data.keys()]) if (k.startsWith(prefix.join('/'))) this.data.delete(k)
  }
}

describe('remote agent registry (document in the graph worker)', () => {
  const cleanups: Array<() => void> = []
  afterEach(() => { for (const c of cleanups.splice(0)) c() })
  /** The worker's record document on one end of a channel; the test speaks its protocol on the other. */
  const rawWorker = (): { port: MessagePort, replies: RecordDocToPage[] } => {
    const { port1, port2 } = new MessageChannel()
    cleanups.push(() => { port1.close(); port2.close() })
    serveRecordDoc(port1 as unknown as Endpoint)
    const replies: RecordDocToPage[] = []
    port2.on('message', (m: RecordDocToPage) => { replies.push(m) })
    return { port: port2, replies }
  }
  const open = (...args: Parameters<typeof openRemote>): RemoteAgentRegistry => {
    const { registry, close } = openRemote(...args)
    cleanups.push(close)
    return registry
  }

  it('keeps writes made before the worker has opened the document, and shows them at once', async () => {
    const hub = new MemoryHub()
    let start: () => void = () => {}
    // The worker still loading Automerge's wasm: it holds every message until then.
    const slow = open(hub, 'page-slow', PEER_A, { serve: { before: new Promise<void>(resolve => { start = resolve }) } })
    slow.put(record('calc', A), record('summ', A))
    slow.remove(`summ@${A}`)
    slow.put(record('calc', A, { state: 'working', running: 1, updatedAt: 2 }))
    expect(slow.list().map(r => [r.agentId, r.state])).toEqual([[`calc@${A}`, 'working']])
    await new Promise(resolve => setTimeout(resolve, 50))
    start()
    await slow.ready
    expect(slow.list().map(r => [r.agentId, r.state])).toEqual([[`calc@${A}`, 'working']])
    // They reached the document: another peer receives them by sync.
    const other = open(hub, 'page-other', PEER_B)
    await other.ready
    await waitFor('the other peer sees the writes', () => other.get(`calc@${A}`)?.state === 'working', 10_000)
    expect(other.get(`summ@${A}`)).toBeUndefined()
  })

  it('opens the registry an earlier version stored on the page (same database, document and genesis)', async () => {
    const storage = new MemoryStorage()
    const repo = createGraphRepo({ storage, peerId: 'old-page' })
    const old = await openAgentRegistry(repo, 'lab', PEER_A)
    old.put(record('calc', A), record('custom', A, { kind: 'custom', source: 'export default () => 1', author: 'Ada' }))
    await repo.shutdown()
    const names: string[] = []
    const reg = open(new MemoryHub(), 'new-page', PEER_A, { storage: 'meshwork-registry', serve: { storage: name => { names.push(name); return storage } } })
    await reg.ready
    expect(names).toEqual(['meshwork-registry'])
    expect(reg.list().map(r => r.agentId).sort()).toEqual([`calc@${A}`, `custom@${A}`])
    expect(reg.get(`custom@${A}`)?.source).toBe('export default () => 1')

    // And what the worker stores, the next session's worker loads without any peer.
    reg.put(record('plan', A))
    await new Promise(resolve => setTimeout(resolve, 200))
    cleanups.pop()!()
    await new Promise(resolve => setTimeout(resolve, 200))
    const next = open(new MemoryHub(), 'new-page', PEER_A, { storage: 'meshwork-registry', serve: { storage: () => storage } })
    await next.ready
    expect(next.list().map(r => r.agentId).sort()).toEqual([`calc@${A}`, `custom@${A}`, `plan@${A}`])
  })

  it('reports a worker that cannot open the registry, and still reads its own writes', async () => {
    const { port1, port2 } = new MessageChannel()
    port2.on('message', (m: { t: string }) => { if (m.t === 'init') port2.postMessage({ t: 'failed', message: 'IndexedDB is not available' } satisfies RecordDocToPage) })
    const failures: string[] = []
    const reg = new RemoteAgentRegistry(port1 as unknown as Endpoint, { room: 'lab', owner: PEER_A, repoPeerId: 'p', onFailure: m => { failures.push(m) } })
    cleanups.push(() => { reg.close(); port1.close(); port2.close() })
    await expect(reg.ready).rejects.toThrow(/IndexedDB is not available/)
    expect(failures).toEqual([expect.stringMatching(/agent registry could not be opened in the graph worker: IndexedDB is not available/)])
    reg.put(record('calc', A))
    expect(reg.get(`calc@${A}`)?.agentId).toBe(`calc@${A}`)
  })

  it('the worker writes a restored record only over the value the page saw', async () => {
    const { port: port2, replies } = rawWorker()
    port2.postMessage({ t: 'init', init: { documentId: registryDocumentId('lab'), genesis: REGISTRY_GENESIS, map: 'agents', maxRecordBytes: 1000, repoPeerId: 'p' } })
    // No peers: the page's network says it is ready at once.
    await waitFor('the worker connects its network', () => replies.some(r => r.t === 'net'))
    port2.postMessage({ t: 'net', ev: 'ready' })
    await waitFor('ready', () => replies.some(r => r.t === 'ready'))
    const after = (seq: number): RecordEntry[] | undefined => replies.findLast((r): r is Extract<RecordDocToPage, { t: 'records' }> => r.t === 'records' && r.seq === seq)?.entries
    port2.postMessage({ t: 'write', seq: 1, entries: [['x', 'newer'], ['y', 'one']] })
    await waitFor('the first write', () => after(1) !== undefined)
    // The page saw an older value of x (another peer's write has landed since): not written.
    port2.postMessage({ t: 'write', seq: 2, entries: [['x', 'restored', 'older'], ['z', 'restored', 'older']] })
    await waitFor('the second write', () => after(2) !== undefined)
    expect(after(2)).toEqual([['x', 'newer'], ['z', null]])
    // Over the value it saw, and over an absent one (null): written.
    port2.postMessage({ t: 'write', seq: 3, entries: [['y', 'restored', 'one'], ['z', 'restored', null]] })
    await waitFor('the third write', () => after(3) !== undefined)
    expect(after(3)).toEqual([['y', 'restored'], ['z', 'restored']])
  })

  it('the worker refuses a genesis that is not the one peers share', async () => {
    const { port: port2, replies } = rawWorker()
    port2.postMessage({ t: 'init', init: { documentId: 'x', genesis: { actor: 'aa', root: { agents: {} }, hash: '00' }, map: 'agents', maxRecordBytes: 10, repoPeerId: 'p' } })
    await waitFor('the failure', () => replies.some(r => r.t === 'failed'))
    expect(replies.find(r => r.t === 'failed')).toMatchObject({ message: expect.stringMatching(/genesis/) })
  })
})
