// Catching up by snapshot between real libp2p nodes (TCP on 127.0.0.1 + noise + yamux): a young
// graph loads a peer's snapshot before the Repo syncs, keeps its own writes, and a bad snapshot
// (garbage, another document) is refused and counted while ordinary sync still delivers everything.
import './helpers.ts'
import { peerIdFromString } from '@libp2p/peer-id'
import { Repo, type PeerId } from '@automerge/automerge-repo'
import * as Automerge from '@automerge/automerge'
import type { Libp2p, Stream } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { tcpNode } from './tcp-node.ts'
import { Libp2pNetworkAdapter } from '../../../src/graph/libp2p-network-adapter.ts'
import { genesis, roomDocumentId } from '../../../src/graph/layout.ts'
import { openRoomGraph } from '../../../src/graph/room.ts'
import { SNAPSHOT_PROTOCOL, SnapshotCatchUp, SnapshotService, docSnapshotSource, type SnapshotSource } from '../../../src/graph/snapshot.ts'
import { decodeView, encodeView } from '../../../src/graph/snapshot-view.ts'
import { encodeFrame } from '../../../src/graph/sync-frames.ts'
import type { KnowledgeGraph } from '../../../src/graph/knowledge-graph.ts'
import { alice, bob, waitFor } from './helpers.ts'

const ROOM = 'snapshot-test'

const node = tcpNode

interface Peer { node: Libp2p, adapter: Libp2pNetworkAdapter, repo: Repo, service: SnapshotService, graph: KnowledgeGraph }

describe('snapshot catch-up', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c() })

  async function peer (name: string, actor = alice): Promise<Peer> {
    const n = await node()
    const adapter = new Libp2pNetworkAdapter(n, { reopenDelayMs: 200 })
    const repo = new Repo({ network: [adapter], peerId: name as PeerId })
    const service = new SnapshotService(n, docSnapshotSource(repo), { serves: id => id === roomDocumentId(ROOM) })
    await service.start()
    // Hold sessions until the graph is open, as the app does.
    let opened: (v?: unknown) => void = () => {}
    adapter.hold(new Promise(resolve => { opened = resolve }))
    const graph = await openRoomGraph(repo, ROOM, { actor })
    cleanups.push(async () => { graph.close(); await repo.shutdown(); await n.stop() })
    return { node: n, adapter, repo, service, graph, release: opened } as Peer & { release: () => void }
  }

  function fill (graph: KnowledgeGraph, n: number, prefix: string): void {
    graph.batch(Array.from({ length: n }, (_, i) => ({ op: 'add' as const, id: `${prefix}-${i}`, entity: { kind: 'fact' as const, text: `${prefix} fact number ${i}` } })))
  }

  it('a young graph loads the snapshot before syncing, keeps its own writes, and both ends converge', async () => {
    const a = await peer('repo-a') as Peer & { release: () => void }
    a.release()
    fill(a.graph, 600, 'old')
    const b = await peer('repo-b', bob) as Peer & { release: () => void }
    b.graph.add({ kind: 'fact', text: 'written by the young tab before it met anyone' })
    await b.node.dial(a.node.getMultiaddrs())
    const catchUp = new SnapshotCatchUp(b.service, b.adapter, peerIdFromString)
    catchUp.arm(b.graph.handle.documentId, [genesis().hash], b.graph.size < 100, [a.node.peerId.toString()])
    b.release()
    expect(b.adapter.held).toBe(true)
    await waitFor('the snapshot to be applied', () => catchUp.report.state === 'applied', 10_000)
    expect(b.graph.size).toBe(601)
    expect(a.service.stats.served).toBe(1)
    expect(a.service.stats.lastServedAt).toBeGreaterThan(0)
    expect(a.service.stats.lastServedWaitMs).toBeGreaterThanOrEqual(0)
    expect(catchUp.report.bytes).toBeGreaterThan(1000)
    await waitFor('the young tab\'s write to reach the old one', () => a.graph.size === 601, 10_000)
    expect(b.graph.list({ text: 'young tab' })).toHaveLength(1)
  })

  it('prepare has the source save a served document ahead of a request; nothing else, and a failure is harmless', async () => {
    const prepared: string[] = []
    const source = {
      save: () => new Uint8Array([1]),
      apply: () => undefined,
      prepare: (id: string) => { prepared.push(id); if (id === 'fails') throw new Error('no') }
    }
    const service = new SnapshotService({} as never, source, { serves: id => id !== 'other' })
    const before = Date.now()
    await service.prepare('mine' as never)
    // The head start is timed (bench:graph shows how long before a request it began).
    expect(service.stats.lastPrepare?.at).toBeGreaterThanOrEqual(before)
    expect(service.stats.lastPrepare?.ms).toBeGreaterThanOrEqual(0)
    const first = service.stats.lastPrepare
    await service.prepare('other' as never)
    await service.prepare('fails' as never)
    expect(prepared).toEqual(['mine', 'fails'])
    // Neither a document not served nor a failed save counts as a head start.
    expect(service.stats.lastPrepare).toBe(first)
  })

  it('a graph that is not young does not ask', async () => {
    const b = await peer('repo-b', bob) as Peer & { release: () => void }
    fill(b.graph, 150, 'mine')
    const catchUp = new SnapshotCatchUp(b.service, b.adapter, peerIdFromString)
    catchUp.arm(b.graph.handle.documentId, [genesis().hash], b.graph.size < 100, ['12D3KooWDoesNotMatter'])
    expect(catchUp.report.state).toBe('not-needed')
  })

  for (const [what, body, reason] of [
    ['garbage bytes', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 'bad-document'],
    ['another document', Automerge.save(Automerge.from({ other: true })), 'wrong-document']
  ] as const) {
    it(`a snapshot of ${what} is refused and counted; the graph is intact and sync still delivers`, async () => {
      const a = await peer('repo-a') as Peer & { release: () => void }
      a.release()
      fill(a.graph, 50, 'old')
      // The server lies: swap its handler for one that answers with `body`.
      await a.node.unhandle(SNAPSHOT_PROTOCOL)
      await a.node.handle(SNAPSHOT_PROTOCOL, (stream: Stream) => {
        stream.send(encodeFrame(new TextEncoder().encode(JSON.stringify({ v: 1, ok: true, bytes: body.byteLength }))))
        stream.send(encodeFrame(body))
        void stream.close()
      })
      const b = await peer('repo-b', bob) as Peer & { release: () => void }
      const mine = b.graph.add({ kind: 'fact', text: 'mine' })
      await b.node.dial(a.node.getMultiaddrs())
      const catchUp = new SnapshotCatchUp(b.service, b.adapter, peerIdFromString, { maxAttempts: 1 })
      catchUp.arm(b.graph.handle.documentId, [genesis().hash], true, [a.node.peerId.toString()])
      b.release()
      await waitFor('the catch-up to fail', () => catchUp.report.state === 'failed', 10_000)
      expect(b.service.stats.failed[reason]).toBe(1)
      expect(b.graph.get(mine)?.text).toBe('mine')
      await waitFor('ordinary sync to deliver the peer\'s graph', () => b.graph.size === 51, 10_000)
      expect(b.graph.invalid()).toEqual([])
    })
  }
  describe('with a view ahead of the document', () => {
    const viewOf = async (graph: KnowledgeGraph): Promise<Uint8Array> => await encodeView({ entities: new Map(graph.list().map(e => [e.id, e])), edges: new Map() })
    /** A served graph whose source also has a view (as the graph worker's has). */
    async function server (n: number, withView = true): Promise<{ node: Libp2p, graph: KnowledgeGraph, service: SnapshotService }> {
      const n0 = await node()
      const repo = new Repo({ network: [], peerId: 'server' as PeerId })
      const graph = await openRoomGraph(repo, ROOM, { actor: alice })
      fill(graph, n, 'served')
      const base = docSnapshotSource(repo)
      const source: SnapshotSource = withView ? { ...base, view: async () => await viewOf(graph) } : base
      const service = new SnapshotService(n0, source, { serves: id => id === roomDocumentId(ROOM) })
      await service.start()
      cleanups.push(async () => { graph.close(); await repo.shutdown(); await n0.stop() })
      return { node: n0, graph, service }
    }

    /** A requester whose source records the order of what it was handed. */
    async function requester (withPreview = true): Promise<{ node: Libp2p, service: SnapshotService, events: string[], views: Uint8Array[], adapter: Libp2pNetworkAdapter }> {
      const n0 = await node()
      const events: string[] = []
      const views: Uint8Array[] = []
      const source: SnapshotSource = {
        save: () => ({ error: 'not serving' }),
        apply: (_id, bytes) => { events.push(`apply ${bytes.byteLength}`); return undefined },
        ...(withPreview
          ? {
              preview: async (_id: unknown, view: Uint8Array) => {
                events.push('preview')
                views.push(view)
                const { entities, edges } = await decodeView(view)
                return { entities: entities.length, edges: edges.length, ms: 0 }
              },
              withdraw: () => { events.push('withdraw') }
            }
          : {})
      }
      const service = new SnapshotService(n0, source, { serves: () => false })
      cleanups.push(async () => { await n0.stop() })
      return { node: n0, service, events, views, adapter: new Libp2pNetworkAdapter(n0) }
    }

    it('the view arrives and is shown before the document is applied; it holds the served graph', async () => {
      const a = await server(300)
      const b = await requester()
      await b.node.dial(a.node.getMultiaddrs())
      const catchUp = new SnapshotCatchUp(b.service, b.adapter, peerIdFromString)
      catchUp.arm(roomDocumentId(ROOM), [genesis().hash], true, [a.node.peerId.toString()])
      await waitFor('the catch-up', () => catchUp.report.state === 'applied', 10_000)
      expect(b.events).toEqual(['preview', `apply ${catchUp.report.bytes!}`])
      expect(catchUp.report.preview).toMatchObject({ entities: 300, edges: 0, bytes: b.views[0]!.byteLength })
      const { entities } = await decodeView(b.views[0]!)
      expect(entities.map(e => e.text).sort()).toEqual(a.graph.list().map(e => e.text).sort())
    })

    it('a server without views and a requester that asks for none still exchange the document alone', async () => {
      for (const [withView, withPreview] of [[false, true], [true, false]] as const) {
        const a = await server(20, withView)
        const b = await requester(withPreview)
        await b.node.dial(a.node.getMultiaddrs())
        const catchUp = new SnapshotCatchUp(b.service, b.adapter, peerIdFromString)
        catchUp.arm(roomDocumentId(ROOM), [genesis().hash], true, [a.node.peerId.toString()])
        await waitFor('the catch-up', () => catchUp.report.state === 'applied', 10_000)
        expect(b.events).toEqual([`apply ${catchUp.report.bytes!}`])
        expect(catchUp.report.preview).toBeUndefined()
      }
    })

    it('a bad view is counted and not shown; the document is applied all the same', async () => {
      const a = await server(20)
      await a.node.unhandle(SNAPSHOT_PROTOCOL)
      const doc = Automerge.save(a.graph.handle.doc())
      const junk = new TextEncoder().encode('not gzip at all')
      await a.node.handle(SNAPSHOT_PROTOCOL, (stream: Stream) => {
        stream.send(encodeFrame(new TextEncoder().encode(JSON.stringify({ v: 1, ok: true, bytes: doc.byteLength, view: junk.byteLength }))))
        stream.send(encodeFrame(junk))
        stream.send(encodeFrame(doc))
        void stream.close()
      })
      const b = await requester()
      await b.node.dial(a.node.getMultiaddrs())
      const catchUp = new SnapshotCatchUp(b.service, b.adapter, peerIdFromString)
      catchUp.arm(roomDocumentId(ROOM), [genesis().hash], true, [a.node.peerId.toString()])
      await waitFor('the catch-up', () => catchUp.report.state === 'applied', 10_000)
      expect(catchUp.report.preview).toMatchObject({ error: expect.stringMatching(/not gzip/) })
      expect(b.service.stats.failed['bad-view']).toBe(1)
      expect(b.events).toEqual(['preview', `apply ${doc.byteLength}`])
    })

    for (const [what, extra, events, failure] of [
      ['a view whose size differs from its announcement fails the fetch before anything is shown', 1, [], /announced a view of/],
      ['a shown view whose document never comes is withdrawn', 0, ['preview', 'withdraw'], /no complete answer in time/]
    ] as const) {
      it(what, async () => {
        const a = await server(20)
        await a.node.unhandle(SNAPSHOT_PROTOCOL)
        const view = await viewOf(a.graph)
        await a.node.handle(SNAPSHOT_PROTOCOL, (stream: Stream) => {
          // Sends the view (announced `extra` bytes too large), then never the document.
          stream.send(encodeFrame(new TextEncoder().encode(JSON.stringify({ v: 1, ok: true, bytes: 10, view: view.byteLength + extra }))))
          stream.send(encodeFrame(view))
        })
        const b = await requester()
        await b.node.dial(a.node.getMultiaddrs())
        const catchUp = new SnapshotCatchUp(b.service, b.adapter, peerIdFromString, { maxAttempts: 1, timeoutMs: 1_000 })
        catchUp.arm(roomDocumentId(ROOM), [genesis().hash], true, [a.node.peerId.toString()])
        await waitFor('the catch-up to fail', () => catchUp.report.state === 'failed', 10_000)
        expect(catchUp.report.error).toMatch(failure)
        expect(b.events).toEqual(events)
      })
    }
  })
})
