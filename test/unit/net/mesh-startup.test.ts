/**
 * A real MeshNode (Node libp2p: WebSockets and circuit relay, no WebRTC) against the real relay: how
 * soon after reaching the relay it holds its reservation and announces itself, and how another node
 * learns of it. Guards the start-up path against waits that are not work (timers, debounces).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLibp2p } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { gossipsub } from '@libp2p/gossipsub'
import { pubsubPeerDiscovery } from '@libp2p/pubsub-peer-discovery'
import { createRelay, type Relay } from '../../../relay/relay.ts'
import { MeshNode } from '../../../src/net/mesh-node.ts'
import type { MeshLibp2p } from '../../../src/net/libp2p-node.ts'
import { discoveryTopic } from '../../../src/net/rooms.ts'

async function nodeLibp2p (room: string): Promise<MeshLibp2p> {
  return await createLibp2p({
    addresses: { listen: ['/p2p-circuit'] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    connectionMonitor: { enabled: false },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({ emitSelf: false, allowPublishToZeroTopicPeers: true, floodPublish: true, doPX: false, scoreParams: { IPColocationFactorWeight: 0 } }),
      discovery: pubsubPeerDiscovery({ interval: 60_000, topics: [discoveryTopic(room)] }) as any
    }
  }) as unknown as MeshLibp2p
}

describe('mesh node start-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-startup-'))
  let relay: Relay
  const nodes: MeshNode[] = []

  beforeAll(async () => {
    relay = await createRelay({ port: 0, httpPort: -1, keyFile: join(dir, 'key'), log: () => {} })
  })
  afterAll(async () => {
    for (const n of nodes) await n.stop().catch(() => {})
    await relay?.stop()
  })

  const start = async (room: string): Promise<MeshNode> => {
    // The periodic announcement a minute away: what these tests time must not be it.
    const node = new MeshNode(await nodeLibp2p(room), { room, relays: [relay.multiaddrs[0]!], announceIntervalMs: 60_000, linkedAnnounceIntervalMs: 60_000 })
    nodes.push(node)
    await node.start()
    return node
  }

  it('is ready as soon as the relay grants the reservation, not after the address manager\'s 1 s debounce', async () => {
    const a = await start('startup-1')
    await a.ready
    const m = a.stats.startup
    expect(m.relayIdentified).toBeDefined()
    expect(m.reserved).toBeDefined()
    // The hop stream and the reservation take a few ms on loopback (150-250 ms under load);
    // self:peer:update comes at least 1 s after them.
    expect(m.reserved!.ms - m.relayIdentified!.ms).toBeLessThan(900)
  })

  it('a node that joins learns of one already there from its answer, long before the periodic announcement', async () => {
    const a = await start('startup-2')
    await a.ready
    const b = await start('startup-2')
    await b.ready
    const end = Date.now() + 5_000
    while (b.pending().length === 0 && Date.now() < end) await new Promise(resolve => setTimeout(resolve, 20))
    expect(b.pending().map(p => p.peerId)).toContain(a.peerId)
    expect(a.pending().map(p => p.peerId)).toContain(b.peerId)
    const m = b.stats.startup
    expect(m.discovered?.note).toMatch(/announcement/)
    // The periodic announcement is 60 s away here: only an answer to b's own announcement explains this.
    expect(m.discovered!.ms - m.reserved!.ms).toBeLessThan(2_000)
  })
})
