// The graph worker protocol end to end in Node: serveGraph (the worker's code) on one end of a
// MessageChannel, a RemoteGraphStore under a KnowledgeGraph on the other, and the worker Repo
// syncing through a page-side adapter (the in-memory test network). Structured clone, ordering
// and chunking are real; only the Worker wrapper is missing.
import './helpers.ts'
import { MessageChannel } from 'node:worker_threads'
import { Repo } from '@automerge/automerge-repo'
import * as Automerge from '@automerge/automerge'
import { afterEach, describe, expect, it } from 'vitest'
import { KnowledgeGraph } from '../../../src/graph/knowledge-graph.ts'
import { serveGraph } from '../../../src/graph/graph-worker-core.ts'
import { DELTA_CHUNK, type Endpoint } from '../../../src/graph/graph-worker-protocol.ts'
import { RemoteGraphStore } from '../../../src/graph/remote-graph-store.ts'
import { GraphValidationError } from '../../../src/graph/schema.ts'
import { genesis, roomDocumentId, shardOf } from '../../../src/graph/layout.ts'
import { openRoomGraph } from '../../../src/graph/room.ts'
import { MemoryHub } from './memory-network.ts'
import { alice, bob, waitFor } from './helpers.ts'

interface Page { graph: KnowledgeGraph, store: RemoteGraphStore, close: () => void }

describe('graph worker', () => {
  const cleanups: Array<() => void> = []
  afterEach(() => { for (const c of cleanups.splice(0)) c() })

  async function page (hub: MemoryHub, actor = alice, room = 'worker-room'): Promise<Page> {
    const { port1, port2 } = new MessageChannel()
    serveGraph(port1 as unknown as Endpoint)
    const store = new RemoteGraphStore(port2 as unknown as Endpoint, { room, actor, repoPeerId: `${actor.peerId}-${Math.random()}` }, hub.adapter())
    await store.ready
    const graph = new KnowledgeGraph(store, { actor })
    const close = (): void => { graph.close(); port1.close(); port2.close() }
    cleanups.push(close)
    return { graph, store, close }
  }

  it('reads its own writes at once, and the worker\'s document agrees', async () => {
    const hub = new MemoryHub()
    const a = await page(hub)
    const id = a.graph.add({ kind: 'fact', text: 'water boils at 100 C' })
    expect(a.graph.get(id)?.text).toBe('water boils at 100 C')
    a.graph.update(id, { confidence: 0.9 })
    expect(a.graph.get(id)?.confidence).toBe(0.9)
    expect(() => a.graph.update(id, { confidence: 7 })).toThrow(GraphValidationError)
    // The worker holds the same graph: a second page on the same hub receives it by sync.
    const b = await page(hub, bob)
    await waitFor('sync to the second page', () => b.graph.get(id)?.confidence === 0.9, 10_000)
    expect(b.graph.get(id)?.provenance.peerId).toBe(alice.peerId)
  })

  it('remote changes arrive as change events; concurrent edits become one conflict entity on both pages', async () => {
    const hub = new MemoryHub()
    const a = await page(hub)
    const b = await page(hub, bob)
    const seen: string[] = []
    b.graph.on('change', c => { if (c.origin === 'remote') seen.push(...c.ids) })
    const id = a.graph.add({ kind: 'hypothesis', text: 'the meeting is on Monday' })
    await waitFor('b to see it', () => b.graph.has(id), 10_000)
    expect(seen).toContain(id)
    const [aa, bb] = [...hub.adapters]
    hub.partition(aa!, bb!)
    a.graph.update(id, { text: 'Tuesday' })
    b.graph.update(id, { text: 'Wednesday' })
    hub.heal(aa!, bb!)
    for (const p of [a, b]) await waitFor('a conflict entity', () => p.graph.list({ kind: 'conflict' }).length === 1, 10_000)
    expect(a.graph.get(id)?.text).toBe(b.graph.get(id)?.text)
    expect(a.graph.list({ kind: 'conflict' })[0]?.id).toBe(b.graph.list({ kind: 'conflict' })[0]?.id)
  })

  it('tells the page whether its graph holds everything each sync partner has', async () => {
    const hub = new MemoryHub()
    const a = await page(hub)
    const b = await page(hub, bob)
    const id = a.graph.add({ kind: 'fact', text: 'partners agree' })
    await waitFor('b to hold it', () => b.graph.has(id), 10_000)
    await waitFor('b to tell a up to date', () => b.store.syncPartners.length === 1 && b.store.syncPartners[0]!.state === 'up-to-date', 10_000)
    expect(b.store.syncPartners[0]!.peerId).toMatch(/^12D3KooWAlice-/)
    const [aa, bb] = [...hub.adapters]
    hub.partition(aa!, bb!)
    await waitFor('b to have no partner', () => b.store.syncPartners.length === 0, 10_000)
  })

  it('a large graph reaches a new page in chunks of bounded size', async () => {
    const hub = new MemoryHub()
    const a = await page(hub)
    a.graph.batch(Array.from({ length: 1200 }, (_, i) => ({ op: 'add' as const, id: `bulk-${i}`, entity: { kind: 'fact' as const, text: `bulk ${i}` } })))
    const b = await page(hub, bob)
    await waitFor('all of it', () => b.graph.size === 1200, 20_000)
    expect(b.store.deltas).toBeGreaterThanOrEqual(Math.ceil(1200 / DELTA_CHUNK))
  })

  it('a snapshot applied in the worker reaches the page once, keeps local writes, quarantines bad entries and surfaces conflicts', async () => {
    // The snapshot: a peer's graph with attestations, a thread message, an edge, and an entry only a buggy peer writes.
    const repo = new Repo()
    const peer = await openRoomGraph(repo, 'snap-room', { actor: alice })
    peer.batch(Array.from({ length: 1200 }, (_, i) => ({ op: 'add' as const, id: `snap-${i}`, entity: { kind: 'fact' as const, text: `snapshot fact ${i}` } })))
    peer.verify('snap-1')
    const thread = peer.openThread('a thread', 'about the snapshot')
    peer.post(thread, 'first message')
    peer.relate('snap-2', 'supports', 'snap-3')
    peer.batch([{ op: 'add', id: 'both-wrote', entity: { kind: 'fact', text: 'the peer says A' } }])
    peer.handle.change(doc => {
      const home = doc.e[shardOf('fact:evil')]
      if (home !== undefined) home['fact:evil'] = { id: 'fact:evil', kind: 'gossip' } as unknown as (typeof home)[string]
    })
    const bytes = Automerge.save(peer.handle.doc())
    peer.close()
    await repo.shutdown()

    const b = await page(new MemoryHub(), bob, 'snap-room')
    const mine = b.graph.add({ kind: 'fact', text: 'written before the snapshot' })
    b.graph.batch([{ op: 'add', id: 'both-wrote', entity: { kind: 'fact', text: 'the young tab says B' } }])
    const seen = new Map<string, number>()
    const events: number[] = []
    b.graph.on('change', c => {
      if (c.origin !== 'remote') return
      events.push(c.ids.length)
      for (const id of c.ids) seen.set(id, (seen.get(id) ?? 0) + 1)
    })
    const timings = await b.store.snapshotSource().apply(roomDocumentId('snap-room'), bytes, [genesis().hash])
    expect(timings).toMatchObject({ loadMs: expect.any(Number), indexMs: expect.any(Number), updateMs: expect.any(Number) })
    await waitFor('the snapshot on the page', () => b.graph.size >= 1200 + 3, 10_000)
    expect(b.graph.get(mine)?.text).toBe('written before the snapshot')
    expect(b.graph.get('snap-1')?.status).toBe('verified')
    expect(b.graph.get(thread)?.messages?.map(m => m.text)).toEqual(['first message'])
    expect(b.graph.neighbours('snap-2').map(n => n.entity?.id)).toEqual(['snap-3'])
    expect(b.graph.invalid().map(i => i.where)).toEqual([`e/${shardOf('fact:evil')}/fact:evil`])
    await waitFor('the concurrent creation to surface as a conflict', () => b.graph.list({ kind: 'conflict' }).length === 1, 10_000)
    expect(b.graph.list({ kind: 'conflict' })[0]?.data).toMatchObject({ entityId: 'both-wrote' })
    // Announced once, in one change event although it took several deltas (the DocHandle's own
    // change event for the same document adds nothing).
    expect(b.store.deltas).toBeGreaterThan(2)
    expect(events[0]).toBeGreaterThanOrEqual(1200 + 3)
    expect(seen.get('snap-7')).toBe(1)
    expect([...seen.values()].every(n => n === 1)).toBe(true)
  })

  describe('a snapshot with its view', () => {
    /** A served graph of `n` facts (one verified, one edge) in a page over the worker: its snapshot and its view. */
    async function served (n: number, room: string): Promise<{ bytes: Uint8Array, view: Uint8Array, server: Page }> {
      const server = await page(new MemoryHub(), alice, room)
      server.graph.batch(Array.from({ length: n }, (_, i) => ({ op: 'add' as const, id: `v-${i}`, entity: { kind: 'fact' as const, text: `viewed fact ${i}` } })))
      server.graph.verify('v-1')
      server.graph.relate('v-2', 'supports', 'v-3')
      const source = server.store.snapshotSource()
      // The worker takes messages in order: the writes are in its document before these calls.
      await source.prepare?.(roomDocumentId(room))
      const bytes = await source.save(roomDocumentId(room)) as Uint8Array
      const view = (await source.view!(roomDocumentId(room)))!
      return { bytes, view, server }
    }

    it('the page shows the view before the document is applied, holds its writes meanwhile, and the document then changes only what differs', async () => {
      const { bytes, view } = await served(1200, 'view-room')
      const b = await page(new MemoryHub(), bob, 'view-room')
      const mine = b.graph.add({ kind: 'fact', text: 'written before the snapshot' })
      const seen = new Map<string, number>()
      b.graph.on('change', c => { if (c.origin === 'remote') for (const id of c.ids) seen.set(id, (seen.get(id) ?? 0) + 1) })
      const source = b.store.snapshotSource()
      const shown = await source.preview!(roomDocumentId('view-room'), view)
      expect(shown).toMatchObject({ entities: 1200, edges: 1 })
      await waitFor('the view on the page', () => b.graph.size === 1201)
      expect(b.graph.get('v-1')?.status).toBe('verified')
      expect(b.graph.neighbours('v-2').map(x => x.entity?.id)).toEqual(['v-3'])
      // A write to an entity the page knows only from the view waits in the worker for the document.
      b.graph.update('v-5', { text: 'edited while the document was loading' })
      expect(b.graph.get('v-5')?.text).toBe('edited while the document was loading')
      await source.apply(roomDocumentId('view-room'), bytes, [genesis().hash])
      const exported = await b.store.exportBinary()
      const doc = Automerge.load<Record<string, Record<string, Record<string, { text?: { val?: string } | string }>>>>(exported)
      const stored = doc.e?.[shardOf('v-5')]?.['v-5']?.text
      expect(String(stored)).toBe('edited while the document was loading')
      expect(b.graph.get(mine)?.text).toBe('written before the snapshot')
      expect(b.graph.size).toBe(1201)
      // Each viewed entity was announced once (by the view); the document only re-announced what the view lacked.
      expect(seen.get('v-7')).toBe(1)
      expect([...seen.entries()].filter(([, k]) => k > 1).map(([id]) => id)).toEqual([])
    })

    it('a preview whose document never comes is withdrawn: the page drops what only the view showed, keeps its own writes', async () => {
      const { view } = await served(50, 'withdraw-room')
      const b = await page(new MemoryHub(), bob, 'withdraw-room')
      const mine = b.graph.add({ kind: 'fact', text: 'mine' })
      const source = b.store.snapshotSource()
      await source.preview!(roomDocumentId('withdraw-room'), view)
      await waitFor('the view on the page', () => b.graph.size === 51)
      const later = b.graph.add({ kind: 'fact', text: 'written during the preview' })
      await source.withdraw!(roomDocumentId('withdraw-room'))
      await waitFor('the view withdrawn', () => b.graph.size === 2)
      expect(b.graph.get(mine)?.text).toBe('mine')
      const doc = Automerge.load<Record<string, Record<string, Record<string, unknown>>>>(await b.store.exportBinary())
      expect(doc.e?.[shardOf(later)]?.[later]).toBeDefined()
      expect(doc.e?.[shardOf('v-1')]?.['v-1']).toBeUndefined()
    })

    it('a bad view is refused with the reason and shows nothing; writes are not held', async () => {
      const b = await page(new MemoryHub(), bob, 'bad-view-room')
      const source = b.store.snapshotSource()
      await expect(source.preview!(roomDocumentId('bad-view-room'), new Uint8Array([1, 2, 3]))).rejects.toThrow(/not gzip/)
      const good = await served(5, 'bad-view-room-2')
      await expect(source.preview!(roomDocumentId('bad-view-room'), new Uint8Array(0))).rejects.toThrow()
      await expect(source.preview!('nope' as never, good.view)).rejects.toThrow(/not open here/)
      const id = b.graph.add({ kind: 'fact', text: 'after the bad views' })
      const exported = Automerge.load<Record<string, Record<string, Record<string, unknown>>>>(await b.store.exportBinary())
      expect(exported.e?.[shardOf(id)]?.[id]).toBeDefined()
      expect(b.graph.size).toBe(1)
    })
  })

  it('serves the same snapshot twice (prepared ahead): the worker keeps its cached copy when it hands one to the page', async () => {
    const a = await page(new MemoryHub(), alice, 'serve-room')
    a.graph.add({ kind: 'fact', text: 'in the snapshot' })
    await waitFor('the write in the worker', () => a.store.deltas > 0)
    const source = a.store.snapshotSource()
    await source.prepare?.(roomDocumentId('serve-room'))
    const first = await source.save(roomDocumentId('serve-room'))
    const second = await source.save(roomDocumentId('serve-room'))
    expect(first).toBeInstanceOf(Uint8Array)
    expect((first as Uint8Array).byteLength).toBeGreaterThan(100)
    expect(second).toEqual(first)
  })

  it('a write the worker refuses does not stay on the page: the worker sends the document\'s truth', async () => {
    const hub = new MemoryHub()
    const a = await page(hub)
    const real = a.graph.add({ kind: 'fact', text: 'real' })
    const ghost = { ...a.graph.get(real)!, id: 'ghost', text: 'never stored' }
    const errors = console.error
    console.error = () => {}
    try {
      // As a buggy page would: writes the worker must refuse (no such shard), with their result shown at once.
      a.store.commit([{ root: 'e', shard: 'zz', key: 'ghost', value: { id: 'ghost' } }], { entities: [ghost], edges: [] })
      expect(a.graph.has('ghost')).toBe(true)
      await waitFor('the page to drop what the document does not hold', () => !a.graph.has('ghost'))
    } finally {
      console.error = errors
    }
    expect(a.graph.get(real)?.text).toBe('real')
  })

  it('exports and imports binary through the worker; a bad binary is refused with the field', async () => {
    const hub = new MemoryHub()
    const a = await page(hub, alice, 'room-a')
    a.graph.add({ kind: 'fact', text: 'exported' })
    const bytes = await a.graph.exportBinary()
    const c = await page(new MemoryHub(), bob, 'room-c')
    const report = await c.graph.importBinary(bytes)
    expect(report.added).toBe(1)
    await waitFor('the import to show', () => c.graph.list({ text: 'exported' }).length === 1)
    await expect(c.graph.importBinary(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ field: 'binary' })
  })
})
