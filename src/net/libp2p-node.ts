/**
 * The libp2p stack of a browser tab: WebSockets (to reach the relay), circuit relay v2 (for WebRTC
 * signalling through the relay), WebRTC (the direct tab-to-tab links), noise, yamux, identify, ping,
 * gossipsub and pubsub peer discovery on the room's discovery topic. Main thread only:
 * RTCPeerConnection does not exist in workers.
 */
import { createLibp2p, type Libp2p } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { webRTC } from '@libp2p/webrtc'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, type Identify } from '@libp2p/identify'
import { ping, type Ping } from '@libp2p/ping'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { pubsubPeerDiscovery } from '@libp2p/pubsub-peer-discovery'
import type { PeerDiscovery, PrivateKey } from '@libp2p/interface'
import { discoveryTopic } from './rooms.ts'

export interface BrowserLibp2pOptions {
  privateKey: PrivateKey
  room: string
  iceServers: RTCIceServer[]
}

/** pubsub-peer-discovery's instance; `_broadcast` announces this node's addresses now. */
export type RoomDiscovery = PeerDiscovery & { _broadcast: () => void }
export type MeshServices = { identify: Identify, ping: Ping, pubsub: GossipSub, discovery: RoomDiscovery }
export type MeshLibp2p = Libp2p<MeshServices>

export async function createBrowserLibp2p (opts: BrowserLibp2pOptions): Promise<MeshLibp2p> {
  return createLibp2p({
    privateKey: opts.privateKey,
    addresses: {
      // A circuit reservation makes this tab reachable through the relay; /webrtc makes the
      // circuit address usable for the WebRTC upgrade.
      listen: ['/p2p-circuit', '/webrtc']
    },
    transports: [
      webSockets(),
      webRTC({ rtcConfiguration: { iceServers: opts.iceServers } }),
      circuitRelayTransport()
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: {
      // The browser default refuses ws:// and private addresses; a local or LAN relay is legitimate.
      denyDialMultiaddr: () => false
    },
    connectionManager: {
      // Tabs on one machine or behind one NAT share an IP; the defaults (5 inbound connections per
      // second per host, 10 pending) silently drop the rest, and the dialer then waits for its timeout.
      inboundConnectionThreshold: 100,
      maxIncomingPendingConnections: 100,
      maxConnections: 300,
      dialTimeout: 20_000
    },
    connectionMonitor: {
      // The monitor opens a new stream (on WebRTC: a new data channel) for every ping, which cost more
      // main-thread time than everything else at idle. Round-trip times come from the link protocol.
      enabled: false
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        emitSelf: false,
        allowPublishToZeroTopicPeers: true,
        floodPublish: true,
        doPX: false,
        // Tabs of a room often share an IP (one machine, one NAT); the default IP colocation penalty
        // would push every peer of a crowded IP out of the gossip mesh (see relay/relay.ts).
        scoreParams: { IPColocationFactorWeight: 0 }
      }),
      // As a service (not under peerDiscovery) so the mesh node can announce at once when it matters
      // (its reservation appears, a new peer shows up) and keep the periodic announcement slow: at a
      // 1 s interval the N² discovery gossip cost more idle CPU than everything else together.
      // The mesh node times the announcements itself (MeshNode.reconcile, periodicAnnounceDue: every 5 s,
      // every 20 s once linked to every known peer, and at once when it matters); the library's own
      // timer is set out of the way (a day; setInterval cannot wait longer than 2^31 - 1 ms).
      discovery: pubsubPeerDiscovery({ interval: 86_400_000, topics: [discoveryTopic(opts.room)] }) as unknown as (components: any) => RoomDiscovery
    }
  })
}
