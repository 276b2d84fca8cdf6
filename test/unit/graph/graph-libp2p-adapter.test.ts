// Real libp2p nodes in Node (TCP on 127.0.0.1 + noise + yamux) carrying automerge-repo sync
// through Libp2pNetworkAdapter: the acceptance suite, access control and malformed frames.
import './helpers.ts'
import { Repo, cbor, type PeerId } from '@automerge/automerge-repo'
import { runNetworkAdapterTests } from '@automerge/automerge-repo/helpers/tests/network-adapter-tests.js'
import type { Libp2p } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { tcpNode } from './tcp-node.ts'
import { Libp2pNetworkAdapter } from '../../../src/graph/libp2p-network-adapter.ts'
import { SYNC_PROTOCOL, encodeFrame, encodeHello } from '../../../src/graph/sync-frames.ts'
import { waitFor } from './helpers.ts'
import { runNetworkAdapterSuite } from './network-adapter-suite.ts'

const node = tcpNode

/** `count` started nodes, every pair connected. */
async function mesh (count: number): Promise<Libp2p[]> {
  const nodes = await Promise.all(Array.from({ length: count }, node))
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const [a, b] = [nodes[i], nodes[j]]
      if (a !== undefined && b !== undefined) await a.dial(b.getMultiaddrs())
    }
  }
  return nodes
}

async function stopAll (nodes: Libp2p[]): Promise<void> {
  await Promise.all(nodes.map(async n => { await n.stop() }))
}

runNetworkAdapterSuite('libp2p over TCP', async () => {
  const nodes = await mesh(3)
  const [a, b, c] = nodes.map(n => new Libp2pNetworkAdapter(n, { reopenDelayMs: 200 }))
  if (a === undefined || b === undefined || c === undefined) throw new Error('unreachable')
  return {
    adapters: [a, b, c],
    teardown: async () => {
      for (const adapter of [a, b, c]) adapter.disconnect()
      await stopAll(nodes)
    }
  }
})

// automerge-repo's own acceptance tests, as its adapters run them. Their teardown is synchronous,
// so the nodes stop in the background.
runNetworkAdapterTests(async () => {
  const nodes = await mesh(3)
  const [a, b, c] = nodes.map(n => new Libp2pNetworkAdapter(n, { reopenDelayMs: 200 }))
  if (a === undefined || b === undefined || c === undefined) throw new Error('unreachable')
  return {
    adapters: [a, b, c],
    teardown: () => {
      for (const adapter of [a, b, c]) adapter.disconnect()
      void stopAll(nodes)
    }
  }
}, 'libp2p over TCP')

describe('Libp2pNetworkAdapter specifics', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  async function twoPeers (options: ConstructorParameters<typeof Libp2pNetworkAdapter>[1] = {}): Promise<{ nodes: Libp2p[], adapters: Libp2pNetworkAdapter[], repos: Repo[] }> {
    const nodes = await mesh(2)
    const adapters = nodes.map(n => new Libp2pNetworkAdapter(n, options))
    const repos = adapters.map((adapter, i) => new Repo({ network: [adapter], peerId: `repo-${i}` as PeerId }))
    cleanups.push(async () => {
      for (const r of repos) await r.shutdown()
      await stopAll(nodes)
    })
    return { nodes, adapters, repos }
  }

  it('whenReady resolves and counts frames and bytes both ways', async () => {
    const { adapters, repos } = await twoPeers()
    await Promise.all(adapters.map(async a => { await a.whenReady() }))
    await waitFor('peers to meet', () => repos.every(r => r.peers.length === 1))
    const handle = repos[0]!.create({ n: 1 })
    const other = await repos[1]!.find<{ n: number }>(handle.url)
    expect(other.doc().n).toBe(1)
    const s0 = adapters[0]!.stats
    const s1 = adapters[1]!.stats
    expect(s0.framesOut).toBeGreaterThan(1)
    expect(s1.framesIn).toBeGreaterThan(1)
    expect(s0.bytesOut).toBeGreaterThan(0)
    // What one side wrote is exactly what the other read (TCP loses nothing).
    await waitFor('byte counts to match', () => adapters[1]!.stats.bytesIn === adapters[0]!.stats.bytesOut)
    expect(s0.rejected).toEqual({})
  })

  it('only syncs with peers acceptPeer admits', async () => {
    const nodes = await mesh(3)
    const [n0, n1, n2] = nodes
    if (n0 === undefined || n1 === undefined || n2 === undefined) throw new Error('unreachable')
    const outsider = n2.peerId.toString()
    const room = (id: { toString: () => string }): boolean => id.toString() !== outsider
    const adapters = [
      new Libp2pNetworkAdapter(n0, { acceptPeer: room }),
      new Libp2pNetworkAdapter(n1, { acceptPeer: room }),
      new Libp2pNetworkAdapter(n2)
    ]
    const repos = adapters.map((adapter, i) => new Repo({ network: [adapter], peerId: `repo-${i}` as PeerId }))
    cleanups.push(async () => { for (const r of repos) await r.shutdown(); await stopAll(nodes) })
    await waitFor('members to meet', () => repos[0]!.peers.length === 1 && repos[1]!.peers.length === 1)
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(repos[0]!.peers).toEqual(['repo-1'])
    expect(repos[2]!.peers).toEqual([])
    expect(adapters[0]!.stats.rejected['peer-not-accepted'] ?? 0).toBeGreaterThanOrEqual(1)
  })

  it('refreshPeers starts sessions with peers acceptPeer admits later (room membership changed)', async () => {
    let member = false
    const { adapters, repos } = await twoPeers({ acceptPeer: () => member })
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(repos.map(r => r.peers.length)).toEqual([0, 0])
    member = true
    await Promise.all(adapters.map(async a => { await a.refreshPeers() }))
    await waitFor('peers to meet after refresh', () => repos.every(r => r.peers.length === 1))
    member = false
    await adapters[0]!.refreshPeers()
    await waitFor('peers to part after refresh', () => repos.every(r => r.peers.length === 0))
    expect(adapters[0]!.sessionPeers).toEqual([])
  })

  it('syncWith: no session between two peers that do not want one, yet a change reaches both through a peer in between; a session one side wants is answered by the other', async () => {
    const nodes = await mesh(3)
    const id = nodes.map(n => n.peerId.toString())
    // A and C do not want each other; B wants both.
    let wants = (self: number, other: string): boolean => !((self === 0 && other === id[2]) || (self === 2 && other === id[0]))
    const adapters = nodes.map((n, i) => new Libp2pNetworkAdapter(n, { syncWith: p => wants(i, p.toString()), reopenDelayMs: 100, pruneAfterMs: 0 }))
    const repos = adapters.map((adapter, i) => new Repo({ network: [adapter], peerId: `repo-${i}` as PeerId }))
    cleanups.push(async () => { for (const r of repos) await r.shutdown(); await stopAll(nodes) })
    await waitFor('the line to form', () => repos[1]!.peers.length === 2 && repos[0]!.peers.length === 1 && repos[2]!.peers.length === 1)
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(repos[0]!.peers).toEqual(['repo-1'])
    expect(repos[2]!.peers).toEqual(['repo-1'])
    const handle = repos[0]!.create({ n: 1 })
    const far = await repos[2]!.find<{ n: number }>(handle.url)
    handle.change(d => { d.n = 2 })
    await waitFor('the change to cross two hops', () => far.doc().n === 2)
    // C now wants A (its view changed first): C opens the session and A answers, though A does not want it.
    wants = (self, other) => !(self === 0 && other === id[2])
    await adapters[2]!.refreshPeers()
    await waitFor('A to answer C', () => repos[0]!.peers.includes('repo-2' as PeerId) && repos[2]!.peers.includes('repo-0' as PeerId))
    // A refresh on A ends the session it does not want; nothing was refused or counted as bad.
    wants = (self, other) => !((self === 0 && other === id[2]) || (self === 2 && other === id[0]))
    await adapters[0]!.refreshPeers()
    await waitFor('A to drop C', () => !repos[0]!.peers.includes('repo-2' as PeerId))
    for (const a of adapters) expect(a.stats.rejected).toEqual({})
  })

  it('pruneAfterMs: a session no longer wanted is kept until it has been unwanted that long, and a wanted-again one is not ended', async () => {
    const nodes = await mesh(2)
    let wanted = true
    const adapters = nodes.map(n => new Libp2pNetworkAdapter(n, { syncWith: () => wanted, pruneAfterMs: 400 }))
    const repos = adapters.map((adapter, i) => new Repo({ network: [adapter], peerId: `repo-${i}` as PeerId }))
    cleanups.push(async () => { for (const r of repos) await r.shutdown(); await stopAll(nodes) })
    await waitFor('peers to meet', () => repos.every(r => r.peers.length === 1))
    // Unwanted, then wanted again within the grace period: the session survives.
    wanted = false
    await adapters[0]!.refreshPeers()
    await new Promise(resolve => setTimeout(resolve, 250))
    wanted = true
    await adapters[0]!.refreshPeers()
    wanted = false
    await adapters[0]!.refreshPeers()
    await new Promise(resolve => setTimeout(resolve, 250))
    await adapters[0]!.refreshPeers()
    expect(repos[0]!.peers).toEqual(['repo-1'])
    // Unwanted for longer than pruneAfterMs: ended at the next refresh.
    await new Promise(resolve => setTimeout(resolve, 200))
    await adapters[0]!.refreshPeers()
    await waitFor('the session to end', () => repos.every(r => r.peers.length === 0))
  })

  it('rejects and counts malformed frames without crashing or corrupting the document', async () => {
    const { nodes, adapters, repos } = await twoPeers({ maxFrameBytes: 64 * 1024 })
    const [n0, n1] = nodes
    const victim = adapters[1]!
    await waitFor('peers to meet', () => repos.every(r => r.peers.length === 1))
    const handle = repos[0]!.create({ items: ['ok'] })
    const mirror = await repos[1]!.find<{ items: string[] }>(handle.url)

    // An attacker stream from node 0 to node 1, speaking our protocol by hand.
    const attack = async (frames: Uint8Array[]): Promise<void> => {
      const stream = await n0!.dialProtocol(n1!.peerId, SYNC_PROTOCOL)
      for (const f of frames) stream.send(f)
      await stream.close().catch(() => {})
    }
    const hello = encodeFrame(encodeHello('repo-0' as PeerId, {}))
    const msg = (m: Record<string, unknown>): Uint8Array => encodeFrame(cbor.encode(m))
    const base = { senderId: 'repo-0', targetId: 'repo-1', documentId: handle.documentId }

    // 1. A stream whose first frame is not a hello.
    await attack([msg({ type: 'sync', ...base, data: new Uint8Array([1]) })])
    await waitFor('bad-hello to be counted', () => (victim.stats.rejected['bad-hello'] ?? 0) === 1)

    // 2. After a valid hello: garbage CBOR, wrong shape, unknown type, spoofed sender, wrong
    //    target, a sync message with garbage data, an empty frame. Each is dropped, the stream lives on.
    await attack([
      hello,
      encodeFrame(new Uint8Array([0xff, 0xfe, 0xfd])),
      msg({ type: 'sync', ...base, data: 'not bytes' }),
      msg({ type: 'launch-missiles', ...base }),
      msg({ type: 'sync', ...base, senderId: 'someone-else', data: new Uint8Array([1]) }),
      msg({ type: 'sync', ...base, targetId: 'not-me', data: new Uint8Array([1]) }),
      msg({ type: 'sync', ...base, data: new Uint8Array([0x42, 1, 2, 3, 4, 5]) }),
      encodeFrame(new Uint8Array(0))
    ])
    await waitFor('all seven rejections to be counted', () => {
      const r = victim.stats.rejected
      return r['bad-cbor'] === 1 && r['bad-shape'] === 1 && r['unknown-type'] === 1 && r['sender-mismatch'] === 1 &&
        r['wrong-target'] === 1 && r['bad-sync-data'] === 1 && r['empty-frame'] === 1
    })

    // 3. Framing attacks: an oversize length prefix and an over-long varint. Fatal for that stream.
    await attack([hello, Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x01])]) // 2^28 > 64 KiB
    await attack([hello, Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80])]) // varint never ends
    await waitFor('framing rejections to be counted', () => victim.stats.rejected.oversize === 1 && victim.stats.rejected['bad-length'] === 1)

    // The node is alive and the real session still syncs; the document is intact.
    handle.change(d => { d.items.push('after attack') })
    await waitFor('the real change to arrive after the attack', () => mirror.doc().items.length === 2, 10_000)
    expect(mirror.doc().items).toEqual(['ok', 'after attack'])
  })

  it('resyncs after the libp2p connection drops and is re-established', async () => {
    const { nodes, repos } = await twoPeers()
    const [n0, n1] = nodes
    await waitFor('peers to meet', () => repos.every(r => r.peers.length === 1))
    const handle = repos[0]!.create<{ v: number }>({ v: 1 })
    const mirror = await repos[1]!.find<{ v: number }>(handle.url)
    await n0!.hangUp(n1!.peerId)
    await waitFor('both repos to lose the peer', () => repos.every(r => r.peers.length === 0))
    handle.change(d => { d.v = 2 })
    await n0!.dial(n1!.getMultiaddrs())
    await waitFor('the change made while apart to arrive', () => mirror.doc().v === 2, 10_000)
  })
})
