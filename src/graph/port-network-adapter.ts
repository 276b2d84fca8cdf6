/**
 * automerge-repo networking across the worker boundary. RTCPeerConnection (and so every libp2p
 * stream of a tab) exists only on the page, while the graph's Repo runs in the graph worker:
 * - {@link PortNetworkAdapter} is the worker Repo's NetworkAdapter; it forwards sends to the page
 *   and replays the page adapter's events;
 * - {@link bridgeNetworkAdapter} attaches a page-side adapter (a Libp2pNetworkAdapter) to it.
 * Messages cross as structured clones; nothing is decoded twice.
 */
import { NetworkAdapter, type Message, type NetworkAdapterInterface, type PeerId, type PeerMetadata } from '@automerge/automerge-repo/slim'
import type { Endpoint, PageToWorker, WorkerToPage } from './graph-worker-protocol.ts'

type NetFromPage = Extract<PageToWorker, { t: 'net' }>
type NetFromWorker = Extract<WorkerToPage, { t: 'net' }>

/** The worker side: a NetworkAdapter whose peers and messages come from the page. */
export class PortNetworkAdapter extends NetworkAdapter {
  readonly #post: (message: NetFromWorker) => void
  #ready = false
  #readyResolve: () => void = () => {}
  readonly #readyPromise = new Promise<void>(resolve => { this.#readyResolve = resolve })

  constructor (post: (message: NetFromWorker) => void) {
    super()
    this.#post = post
  }

  isReady (): boolean { return this.#ready }
  async whenReady (): Promise<void> { await this.#readyPromise }

  connect (peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId
    this.peerMetadata = peerMetadata ?? {}
    this.#post({ t: 'net', ev: 'connect', peerId, peerMetadata: this.peerMetadata })
  }

  send (message: Message): void {
    this.#post({ t: 'net', ev: 'send', message })
  }

  disconnect (): void {
    this.#post({ t: 'net', ev: 'disconnect' })
  }

  /** An event from the page's adapter. */
  receive (event: NetFromPage): void {
    switch (event.ev) {
      case 'ready': this.#ready = true; this.#readyResolve(); break
      case 'peer-candidate': this.emit('peer-candidate', { peerId: event.peerId, peerMetadata: event.peerMetadata }); break
      case 'peer-disconnected': this.emit('peer-disconnected', { peerId: event.peerId }); break
      case 'message': this.emit('message', event.message); break
      case 'close': this.emit('close'); break
    }
  }
}

/**
 * The page side: drives `adapter` for the worker's PortNetworkAdapter. `post` sends to the
 * worker; call the returned function with every `net` message from the worker.
 */
export function bridgeNetworkAdapter (adapter: NetworkAdapterInterface, post: (message: NetFromPage) => void): (message: NetFromWorker) => void {
  adapter.on('peer-candidate', ({ peerId, peerMetadata }) => { post({ t: 'net', ev: 'peer-candidate', peerId, peerMetadata }) })
  adapter.on('peer-disconnected', ({ peerId }) => { post({ t: 'net', ev: 'peer-disconnected', peerId }) })
  adapter.on('message', message => { post({ t: 'net', ev: 'message', message }) })
  adapter.on('close', () => { post({ t: 'net', ev: 'close' }) })
  return message => {
    switch (message.ev) {
      case 'connect':
        adapter.connect(message.peerId, message.peerMetadata)
        void adapter.whenReady().then(() => { post({ t: 'net', ev: 'ready' }) })
        break
      case 'send': adapter.send(message.message); break
      case 'disconnect': adapter.disconnect(); break
    }
  }
}

/** Shortens the type of an Endpoint's message handler. */
export type { Endpoint }
