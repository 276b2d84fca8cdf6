/**
 * The real relay against real Node libp2p peers over WebSockets on loopback: it forwards a room's
 * discovery topic between peers that reach each other only through it, and nothing else.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLibp2p, type Libp2p } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { createRelay, type Relay } from '../../../relay/relay.ts'
import { relayOptionsFrom } from '../../../relay/options.ts'
import { discoveryTopic, meshTopic } from '../../../src/net/rooms.ts'

type Peer = Libp2p<{ pubsub: GossipSub, identify: ReturnType<ReturnType<typeof identify>> }>

async function peer (): Promise<Peer> {
  return createLibp2p({
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false }) }
  }) as unknown as Promise<Peer>
}

const wait = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
async function until (cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) { if (Date.now() > end) throw new Error('timed out'); await wait(50) }
}

describe('relay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-test-'))
  const keyFile = join(dir, 'key')
  let relay: Relay
  let a: Peer
  let b: Peer
  const lines: string[] = []

  beforeAll(async () => {
    relay = await createRelay({ port: 0, httpPort: 0, keyFile, log: l => lines.push(l) })
    a = await peer()
    b = await peer()
    await a.dial(multiaddr(relay.multiaddrs[0]!))
    await b.dial(multiaddr(relay.multiaddrs[0]!))
  })
  afterAll(async () => {
    await a?.stop(); await b?.stop(); await relay?.stop()
  })

  it('forwards the discovery topic between peers connected only through it, and no app topic', async () => {
    const disc = discoveryTopic('r1')
    const app = meshTopic('r1', 'app')
    const got: string[] = []
    b.services.pubsub.addEventListener('message', e => { got.push(e.detail.topic) })
    for (const p of [a, b]) { p.services.pubsub.subscribe(disc); p.services.pubsub.subscribe(app) }
    await until(() => relay.node.services.pubsub.getTopics().includes(disc) && relay.node.services.pubsub.getSubscribers(disc).length === 2)
    await until(() => a.services.pubsub.getSubscribers(disc).length === 1)
    // Published before the relay has grafted both into its gossip mesh (at a heartbeat), a message
    // reaches the other side only by later gossip, which a loaded machine can outlast.
    // (getMeshPeers is on the implementation, not on the exported GossipSub interface.)
    const meshPeers = (topic: string): string[] => (relay.node.services.pubsub as unknown as { getMeshPeers: (t: string) => string[] }).getMeshPeers(topic)
    await until(() => meshPeers(disc).length === 2)
    expect(relay.node.services.pubsub.getTopics()).not.toContain(app)

    for (let i = 0; i < 5; i++) {
      await a.services.pubsub.publish(disc, new TextEncoder().encode(`announce ${i}`))
      await a.services.pubsub.publish(app, new TextEncoder().encode(`secret ${i}`))
      await wait(100)
    }
    await until(() => got.filter(t => t === disc).length === 5)
    await wait(500)
    expect(got.filter(t => t === app)).toEqual([])
    const h = relay.health()
    expect(h.forwardedDiscoveryMessages).toBe(5)
    expect(h.rooms).toEqual({ r1: 2 })
    expect(h.refusedTopics).toBeGreaterThanOrEqual(2)
    expect(lines.some(l => l.includes('not forwarding topic "meshwork/r1/app"'))).toBe(true)
  })

  it('reports connections and rooms on its health endpoint', async () => {
    const res = await fetch(`http://127.0.0.1:${relay.httpPort}/health`)
    expect(res.status).toBe(200)
    const body = await res.json() as Record<string, unknown>
    expect(body).toMatchObject({ status: 'ok', peerId: relay.peerId, connections: 2, reservations: 0 })
    expect((await fetch(`http://127.0.0.1:${relay.httpPort}/nope`)).status).toBe(404)
  })

  it('keeps its identity across restarts', async () => {
    const again = await createRelay({ port: 0, httpPort: -1, keyFile, log: () => {} })
    expect(again.peerId).toBe(relay.peerId)
    await again.stop()
  })

  it('refuses a corrupt key file with a clear error', async () => {
    const bad = join(dir, 'bad-key')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(bad, 'not a key')
    await expect(createRelay({ port: 0, httpPort: -1, keyFile: bad, log: () => {} })).rejects.toThrow(/key/i)
  })
})

describe('relay options', () => {
  it('reads flags, then environment', () => {
    expect(relayOptionsFrom(['--port', '1234', '--announce', '/dns4/x/tcp/443/wss, /dns4/y/tcp/443/wss'], {})).toEqual({ port: 1234, announce: ['/dns4/x/tcp/443/wss', '/dns4/y/tcp/443/wss'] })
    expect(relayOptionsFrom([], { MESHWORK_RELAY_HOST: '0.0.0.0', MESHWORK_RELAY_HTTP_PORT: '-1' })).toEqual({ host: '0.0.0.0', httpPort: -1 })
  })
  it('says which flag is wrong', () => {
    expect(() => relayOptionsFrom(['--port', 'abc'], {})).toThrow('--port must be a whole number')
    expect(() => relayOptionsFrom(['--bogus'], {})).toThrow(/bogus/)
  })
})
