/**
 * The Meshwork relay: a small Node libp2p node that lets browser tabs find each other and set up
 * direct WebRTC links. It offers a WebSockets listener, a circuit relay v2 server (used for WebRTC
 * signalling), identify, ping, and gossipsub that forwards each room's peer-discovery topic and
 * nothing else. Application traffic never passes through it.
 */
import { createServer, type Server } from 'node:http'
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises'
import { dirname } from 'node:path'
import { createLibp2p, type Libp2p } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, type Identify } from '@libp2p/identify'
import { ping, type Ping } from '@libp2p/ping'
import { circuitRelayServer, type CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { roomOfDiscoveryTopic } from '../src/net/rooms.ts'

export interface RelayOptions {
  /** Interface to listen on. */
  host: string
  /** WebSockets port (0 = any free port). */
  port: number
  /** HTTP port for /health and /multiaddrs (0 = any free port, -1 = none). */
  httpPort: number
  /** Multiaddrs to announce instead of the listen addresses, e.g. `/dns4/relay.example.org/tcp/443/wss`. */
  announce: string[]
  /** Where the relay's identity key lives; created on first run. */
  keyFile: string
  /** Reservation slots; each tab holds one. */
  maxReservations: number
  /** Rooms whose discovery topics the relay forwards at the most. */
  maxRooms: number
  log: (line: string) => void
}

export interface RelayHealth {
  peerId: string
  multiaddrs: string[]
  uptimeS: number
  connections: number
  reservations: number
  rooms: Record<string, number>
  forwardedDiscoveryMessages: number
  refusedTopics: number
}

export type RelayServices = { identify: Identify, ping: Ping, relay: CircuitRelayService, pubsub: GossipSub }

export interface Relay {
  node: Libp2p<RelayServices>
  peerId: string
  multiaddrs: string[]
  httpPort?: number
  health: () => RelayHealth
  stop: () => Promise<void>
}

export const relayDefaults: RelayOptions = {
  host: '127.0.0.1',
  port: 9090,
  httpPort: 9091,
  announce: [],
  keyFile: '.relay/key',
  maxReservations: 1024,
  maxRooms: 1000,
  log: line => { console.log(`${new Date().toISOString()} relay ${line}`) }
}

/** Reads the relay identity from `file`, or creates it there (mode 0600) on first run. */
export async function loadOrCreateKey (file: string, log: (l: string) => void): Promise<PrivateKey> {
  try {
    const key = privateKeyFromProtobuf(await readFile(file))
    return key
  } catch (err: any) {
    if (err?.code !== 'ENOENT') throw new Error(`Cannot read relay key file ${file}: ${err?.message ?? err}`)
  }
  const key = await generateKeyPair('Ed25519')
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, privateKeyToProtobuf(key), { mode: 0o600 })
  await chmod(file, 0o600)
  log(`created a new identity in ${file}`)
  return key
}

export async function createRelay (init: Partial<RelayOptions> = {}): Promise<Relay> {
  const opts: RelayOptions = { ...relayDefaults, ...init }
  const log = opts.log
  const privateKey = await loadOrCreateKey(opts.keyFile, log)
  const started = Date.now()

  const node = await createLibp2p({
    privateKey,
    addresses: {
      listen: [`/ip4/${opts.host}/tcp/${opts.port}/ws`],
      announce: opts.announce
    },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      // Many tabs arrive at once (a page reload in several windows): the defaults (5 per second per
      // host, 10 pending) make tabs 6+ fail with EncryptionFailedError.
      inboundConnectionThreshold: 1000,
      maxIncomingPendingConnections: 500,
      maxConnections: 4096
    },
    connectionMonitor: { enabled: false },
    services: {
      identify: identify(),
      ping: ping(),
      relay: circuitRelayServer({
        reservations: { maxReservations: opts.maxReservations },
        maxInboundHopStreams: 4096,
        maxOutboundStopStreams: 4096
      }),
      pubsub: gossipsub({
        // The relay only passes discovery announcements on; it never originates or reads app data.
        emitSelf: false,
        allowPublishToZeroTopicPeers: true,
        doPX: false,
        // Tabs share IP addresses (one machine, one office NAT). Gossipsub's default IP colocation
        // penalty gives every peer of an IP a negative score once more than 10 share it, and a
        // negative peer is kept out of the mesh: the 12th tab of a room on one machine never heard a
        // discovery announcement and met nobody (bench:coord). Discovery is not worth defending by IP.
        scoreParams: { IPColocationFactorWeight: 0 },
        // The relay is the hub every tab of a room hears discovery through: keep every subscriber in
        // its mesh rather than gossipsub's default 6 (Dhi 12).
        D: 64,
        Dlo: 4,
        Dhi: 256,
        Dlazy: 64,
        Dout: 2
      })
    }
  })

  const pubsub = node.services.pubsub
  const rooms = new Map<string, number>()
  let forwarded = 0
  let refusedTopics = 0
  const refusedLogged = new Set<string>()

  // Subscribe to a room's discovery topic as soon as a peer does, so gossipsub forwards it
  // between tabs that are connected only through the relay. Other topics are never subscribed,
  // so gossipsub neither delivers nor forwards them here.
  pubsub.addEventListener('subscription-change', evt => {
    for (const { topic, subscribe } of evt.detail.subscriptions) {
      const room = roomOfDiscoveryTopic(topic)
      if (room === undefined) {
        if (subscribe) {
          refusedTopics++
          if (!refusedLogged.has(topic) && refusedLogged.size < 100) {
            refusedLogged.add(topic)
            log(`not forwarding topic ${JSON.stringify(topic.slice(0, 100))} (only room discovery topics are relayed)`)
          }
        }
        continue
      }
      if (subscribe && !pubsub.getTopics().includes(topic)) {
        if (rooms.size >= opts.maxRooms) {
          log(`room limit ${opts.maxRooms} reached; not forwarding discovery for room ${room}`)
          continue
        }
        pubsub.subscribe(topic)
        log(`forwarding discovery for room ${room}`)
      }
    }
  })
  pubsub.addEventListener('message', evt => {
    if (roomOfDiscoveryTopic(evt.detail.topic) !== undefined) forwarded++
  })

  // Drop rooms nobody is in any more, so the subscription set stays bounded.
  const sweep = setInterval(() => {
    rooms.clear()
    for (const topic of pubsub.getTopics()) {
      const room = roomOfDiscoveryTopic(topic)
      if (room === undefined) continue
      const n = pubsub.getSubscribers(topic).length
      if (n === 0) {
        pubsub.unsubscribe(topic)
        log(`room ${room} is empty; stopped forwarding its discovery`)
      } else rooms.set(room, n)
    }
  }, 10_000)
  sweep.unref()

  node.addEventListener('peer:connect', evt => { log(`peer connected ${evt.detail.toString()}`) })
  node.addEventListener('peer:disconnect', evt => { log(`peer disconnected ${evt.detail.toString()}`) })
  node.services.relay.addEventListener('relay:reservation', evt => {
    log(`reservation granted (${node.services.relay.reservations.size} held), expires ${evt.detail.expiry.toISOString()}`)
  })

  const multiaddrs = node.getMultiaddrs().map(ma => ma.toString())

  const health = (): RelayHealth => {
    const roomCounts: Record<string, number> = {}
    for (const topic of pubsub.getTopics()) {
      const room = roomOfDiscoveryTopic(topic)
      if (room !== undefined) roomCounts[room] = pubsub.getSubscribers(topic).length
    }
    return {
      peerId: node.peerId.toString(),
      multiaddrs: node.getMultiaddrs().map(ma => ma.toString()),
      uptimeS: Math.round((Date.now() - started) / 1000),
      connections: node.getConnections().length,
      reservations: node.services.relay.reservations.size,
      rooms: roomCounts,
      forwardedDiscoveryMessages: forwarded,
      refusedTopics
    }
  }

  let server: Server | undefined
  let httpPort: number | undefined
  if (opts.httpPort >= 0) {
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, {
          'content-type': 'application/json',
          'access-control-allow-origin': '*',
          'cache-control': 'no-store'
        })
        res.end(JSON.stringify(body, null, 2))
      }
      if (path === '/health') send(200, { status: 'ok', ...health() })
      else if (path === '/multiaddrs') send(200, health().multiaddrs)
      else send(404, { error: `no such endpoint ${path}; try /health or /multiaddrs` })
    })
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject)
      server!.listen(opts.httpPort, opts.host, () => { resolve() })
    })
    const addr = server.address()
    httpPort = typeof addr === 'object' && addr != null ? addr.port : undefined
  }

  log(`peer id ${node.peerId.toString()}`)
  for (const ma of multiaddrs) log(`listening on ${ma}`)
  if (httpPort !== undefined) log(`health on http://${opts.host}:${httpPort}/health`)

  let stopping: Promise<void> | undefined
  return {
    node,
    peerId: node.peerId.toString(),
    multiaddrs,
    httpPort,
    health,
    stop: async () => {
      stopping ??= (async () => {
        clearInterval(sweep)
        await new Promise<void>(resolve => { server?.close(() => { resolve() }); if (server == null) resolve() })
        server?.closeAllConnections?.()
        await node.stop()
        log('stopped')
      })()
      return stopping
    }
  }
}
