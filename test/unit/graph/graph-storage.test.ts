// Persistence through automerge-repo's IndexedDB storage adapter, on fake-indexeddb in Node.
import 'fake-indexeddb/auto'
import { MessageChannel } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { alice, bob, pause, waitFor } from './helpers.ts'
import { roomDocumentId } from '../../../src/graph/layout.ts'
import { createGraphRepo, createIndexedDbStorage, openRoomGraph, KnowledgeGraph } from '../../../src/graph/index.ts'
import { serveGraph } from '../../../src/graph/graph-worker-core.ts'
import type { Endpoint } from '../../../src/graph/graph-worker-protocol.ts'
import { RemoteGraphStore } from '../../../src/graph/remote-graph-store.ts'
import { MemoryHub } from './memory-network.ts'

const newDb = (): string => `meshwork-test-${Math.random().toString(36).slice(2)}`

/** What a Repo opened now on `db` finds of the room's graph (texts), as a reloaded page would. */
async function storedTexts (db: string, room: string): Promise<string[]> {
  const repo = createGraphRepo({ storage: createIndexedDbStorage(db) })
  const g = await openRoomGraph(repo, room, { actor: alice })
  const texts = g.list().map(e => e.text).sort()
  g.close()
  return texts
}

describe('graph persistence (IndexedDB)', () => {
  it('a graph written in one session is there after reopening the database', async () => {
    const db = `meshwork-test-${Math.random().toString(36).slice(2)}`
    const repo1 = createGraphRepo({ storage: createIndexedDbStorage(db) })
    const g1 = await openRoomGraph(repo1, 'persist', { actor: alice })
    const q = g1.add({ kind: 'question', text: 'Does it persist?' })
    const a = g1.add({ kind: 'fact', text: 'Yes, through IndexedDB' })
    g1.relate(a, 'answers', q)
    g1.verify(a)
    const thread = g1.openThread('notes')
    g1.post(thread, 'written before shutdown')
    await repo1.flush()
    await repo1.shutdown()

    const repo2 = createGraphRepo({ storage: createIndexedDbStorage(db) })
    const g2 = await openRoomGraph(repo2, 'persist', { actor: alice })
    expect(g2.handle.documentId).toBe(roomDocumentId('persist'))
    expect(g2.size).toBe(3)
    expect(g2.get(a)).toMatchObject({ text: 'Yes, through IndexedDB', status: 'verified' })
    expect(g2.neighbours(q).map(n => n.entity?.id)).toEqual([a])
    expect(g2.get(thread)?.messages?.map(m => m.text)).toEqual(['written before shutdown'])
    // and it keeps working: a write in the second session persists too
    g2.add({ kind: 'fact', text: 'second session' })
    await repo2.flush()
    await repo2.shutdown()

    const repo3 = createGraphRepo({ storage: createIndexedDbStorage(db) })
    const g3 = await openRoomGraph(repo3, 'persist', { actor: alice })
    expect(g3.list().map(e => e.text)).toContain('second session')
    expect(g3.size).toBe(4)
    await pause(10)
    await repo3.shutdown()
  })

  it('rooms are separate documents', async () => {
    const db = `meshwork-test-${Math.random().toString(36).slice(2)}`
    const repo = createGraphRepo({ storage: createIndexedDbStorage(db) })
    const g1 = await openRoomGraph(repo, 'room-1', { actor: alice })
    const g2 = await openRoomGraph(repo, 'room-2', { actor: alice })
    g1.add({ kind: 'fact', text: 'only in room 1' })
    expect(g2.size).toBe(0)
    expect(g1.handle.documentId).not.toBe(g2.handle.documentId)
    await repo.shutdown()
  })

  // Storage follows a change only after automerge-repo's save throttle (100 ms by default; a minute
  // here, so nothing reaches storage by itself while the test runs): flush() is what a page that is
  // about to go away, or a test about to reload it, waits on.
  it('flush() stores the graph at once, and only what it held when called', async () => {
    const db = newDb()
    const repo = createGraphRepo({ storage: createIndexedDbStorage(db), saveDebounceMs: 60_000 })
    const g = await openRoomGraph(repo, 'flush', { actor: alice })
    g.add({ kind: 'fact', text: 'flushed' })
    await g.flush()
    g.add({ kind: 'fact', text: 'not flushed yet' })
    expect(await storedTexts(db, 'flush')).toEqual(['flushed'])
    await g.flush()
    expect(await storedTexts(db, 'flush')).toEqual(['flushed', 'not flushed yet'])
    g.close()
  })

  it('a page\'s flush() stores, in the graph worker, what sync brought from a peer', async () => {
    const hub = new MemoryHub()
    const pages: Array<{ graph: KnowledgeGraph, close: () => void }> = []
    const open = async (actor: typeof alice, db?: string): Promise<KnowledgeGraph> => {
      const { port1, port2 } = new MessageChannel()
      serveGraph(port1 as unknown as Endpoint, { storage: name => createIndexedDbStorage(name), saveDebounceMs: 60_000 })
      const store = new RemoteGraphStore(port2 as unknown as Endpoint, { room: 'flush-sync', actor, repoPeerId: `${actor.peerId}-${Math.random()}`, ...(db !== undefined ? { storage: db } : {}) }, hub.adapter())
      await store.ready
      const graph = new KnowledgeGraph(store, { actor })
      pages.push({ graph, close: () => { graph.close(); port1.close(); port2.close() } })
      return graph
    }
    const db = newDb()
    const a = await open(alice)
    const b = await open(bob, db)
    const id = a.add({ kind: 'fact', text: 'from a peer' })
    await waitFor('the fact to reach b', () => b.has(id), 10_000)
    expect(await storedTexts(db, 'flush-sync')).toEqual([])
    await b.flush()
    expect(await storedTexts(db, 'flush-sync')).toEqual(['from a peer'])
    // A page's own write posted just before the flush is in what it stores (the worker takes messages in order).
    b.add({ kind: 'fact', text: 'b wrote it' })
    await b.flush()
    expect(await storedTexts(db, 'flush-sync')).toEqual(['b wrote it', 'from a peer'])
    for (const p of pages) p.close()
  })
})
