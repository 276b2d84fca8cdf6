/**
 * The benchmark's baseline: the same libp2p stack as the app (WebSockets, WebRTC, circuit relay v2,
 * noise, yamux, identify, ping, gossipsub, pubsub peer discovery with its default interval) used the
 * way a libp2p example would: dial every discovered peer, retry failed peers every 5 s, no app logic
 * (no one-sided dialing, no presence heartbeat, no validation). Exposed as window.bare.
 */
import { createLibp2p } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { webRTC } from '@libp2p/webrtc'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { gossipsub } from '@libp2p/gossipsub'
import { pubsubPeerDiscovery } from '@libp2p/pubsub-peer-discovery'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'

const TOPIC = 'bare/bench'
const config = await (await fetch('/config.json')).json() as { relays: string[] }
const room = new URLSearchParams(location.search).get('room') ?? 'bench'
const node = await createLibp2p({
  addresses: { listen: ['/p2p-circuit', '/webrtc'] },
  transports: [webSockets(), webRTC({ rtcConfiguration: { iceServers: [] } }), circuitRelayTransport()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  connectionGater: { denyDialMultiaddr: () => false },
  peerDiscovery: [pubsubPeerDiscovery({ topics: [`meshwork/${room}/peer-discovery`] })],
  services: { identify: identify(), ping: ping(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) }
})
const relayId = config.relays[0]!.split('/p2p/').pop()!
const known = new Map<string, { id: PeerId, addrs: Multiaddr[] }>()
const isWebRTC = (p: PeerId): boolean => node.getConnections(p).some(c => c.multiplexer === '/webrtc')
const dial = (p: { id: PeerId, addrs: Multiaddr[] }): void => {
  const addr = p.addrs.find(a => a.toString().includes('/webrtc'))
  if (addr === undefined || isWebRTC(p.id)) return
  node.dial(addr, { force: true }).catch(() => {})
}
node.addEventListener('peer:discovery', e => {
  const id = e.detail.id.toString()
  if (id === relayId) return
  const p = { id: e.detail.id, addrs: e.detail.multiaddrs }
  known.set(id, p)
  dial(p)
})
setInterval(() => { for (const p of known.values()) dial(p) }, 5000)
node.services.pubsub.subscribe(TOPIC)
const received: Array<{ from: string, sentAt: number, receivedAt: number }> = []
const left: Array<{ peerId: string, at: number }> = []
node.services.pubsub.addEventListener('message', e => {
  if (e.detail.topic !== TOPIC || e.detail.type !== 'signed') return
  const { ts } = JSON.parse(new TextDecoder().decode(e.detail.data)) as { ts: number }
  received.push({ from: e.detail.from.toString(), sentAt: ts, receivedAt: performance.timeOrigin + performance.now() })
})
node.addEventListener('peer:disconnect', e => { left.push({ peerId: e.detail.toString(), at: Date.now() }) })
const ready = (async () => {
  await node.dial(multiaddr(config.relays[0]!))
  while (!node.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit'))) await new Promise(r => setTimeout(r, 50))
})()
;(window as unknown as Record<string, unknown>).bare = {
  ready,
  peerId: node.peerId.toString(),
  webrtcPeers: () => [...new Set(node.getConnections().filter(c => c.multiplexer === '/webrtc').map(c => c.remotePeer.toString()))],
  send: () => { void node.services.pubsub.publish(TOPIC, new TextEncoder().encode(JSON.stringify({ ts: performance.timeOrigin + performance.now() }))) },
  received,
  left
}
