// The graph worker's Repo talks to the network through PortNetworkAdapter, whose other end
// (bridgeNetworkAdapter) drives the page's Libp2pNetworkAdapter. Here the two ends are joined by
// a real MessageChannel (structured clone, as between a page and its worker) and the libp2p
// adapters run over real TCP nodes: both acceptance suites, ours and automerge-repo's own.
import './helpers.ts'
import { runNetworkAdapterTests } from '@automerge/automerge-repo/helpers/tests/network-adapter-tests.js'
import type { NetworkAdapterInterface } from '@automerge/automerge-repo'
import type { Libp2p } from '@libp2p/interface'
import { Libp2pNetworkAdapter } from '../../../src/graph/libp2p-network-adapter.ts'
import { PortNetworkAdapter, bridgeNetworkAdapter } from '../../../src/graph/port-network-adapter.ts'
import type { PageToWorker, WorkerToPage } from '../../../src/graph/graph-worker-protocol.ts'
import { runNetworkAdapterSuite } from './network-adapter-suite.ts'
import { tcpNode } from './tcp-node.ts'

type NetFromPage = Extract<PageToWorker, { t: 'net' }>
type NetFromWorker = Extract<WorkerToPage, { t: 'net' }>

async function mesh (count: number): Promise<Libp2p[]> {
  const nodes = await Promise.all(Array.from({ length: count }, tcpNode))
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) await nodes[i]!.dial(nodes[j]!.getMultiaddrs())
  }
  return nodes
}

/** A worker-side adapter whose page side is `inner`, joined by a MessageChannel. */
function acrossPorts (inner: NetworkAdapterInterface): { adapter: PortNetworkAdapter, close: () => void } {
  const channel = new MessageChannel()
  const page = channel.port1
  const worker = channel.port2
  const adapter = new PortNetworkAdapter(message => { worker.postMessage(message) })
  const fromWorker = bridgeNetworkAdapter(inner, message => { page.postMessage(message) })
  page.onmessage = (event: MessageEvent<NetFromWorker>) => { fromWorker(event.data) }
  worker.onmessage = (event: MessageEvent<NetFromPage>) => { adapter.receive(event.data) }
  return { adapter, close: () => { page.close(); worker.close() } }
}

async function setup (): Promise<{ adapters: [PortNetworkAdapter, PortNetworkAdapter, PortNetworkAdapter], stop: () => Promise<void> }> {
  const nodes = await mesh(3)
  const bridged = nodes.map(n => acrossPorts(new Libp2pNetworkAdapter(n, { reopenDelayMs: 200 })))
  const [a, b, c] = bridged.map(x => x.adapter)
  if (a === undefined || b === undefined || c === undefined) throw new Error('unreachable')
  return {
    adapters: [a, b, c],
    stop: async () => {
      for (const x of bridged) { x.adapter.disconnect(); x.close() }
      await Promise.all(nodes.map(async n => { await n.stop() }))
    }
  }
}

runNetworkAdapterSuite('worker port bridged to libp2p', async () => {
  const { adapters, stop } = await setup()
  return { adapters, teardown: stop }
})

runNetworkAdapterTests(async () => {
  const { adapters, stop } = await setup()
  return { adapters, teardown: () => { void stop() } }
}, 'worker port bridged to libp2p')
