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
import { SNAPSHOT_PROTOCOL, SnapshotCatchUp, SnapshotService, docSnapshotSource } from '../../../src/graph/snapshot.ts'
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
    await service.prepare('mine' as never)
    await service.prepare('other' as never)
    await service.prepare('fails' as never)
    expect(prepared).toEqual(['mine', 'fails'])
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
})
