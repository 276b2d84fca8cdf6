// Persistence through automerge-repo's IndexedDB storage adapter, on fake-indexeddb in Node.
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { alice, pause } from './helpers.ts'
import { roomDocumentId } from '../../../src/graph/layout.ts'
import { createGraphRepo, createIndexedDbStorage, openRoomGraph } from '../../../src/graph/index.ts'

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
})
