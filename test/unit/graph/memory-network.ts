/**
 * An in-memory NetworkAdapter for tests: a "hub" connects any number of adapters, and links
 * between two of them can be cut and restored to simulate partitions. Messages are delivered
 * asynchronously (next macrotask), as on a real network.
 */
import { NetworkAdapter, type Message, type PeerId, type PeerMetadata } from '@automerge/automerge-repo'

export class MemoryHub {
  readonly adapters = new Set<MemoryNetworkAdapter>()
  readonly #cut = new Set<string>()
  /** Adapters cut off from every other, present or to come (`isolate`). */
  readonly #isolated = new Set<MemoryNetworkAdapter>()

  adapter (): MemoryNetworkAdapter {
    return new MemoryNetworkAdapter(this)
  }

  static #key (a: string, b: string): string {
    return a < b ? `${a}|${b}` : `${b}|${a}`
  }

  linked (a: MemoryNetworkAdapter, b: MemoryNetworkAdapter): boolean {
    if (a.peerId === undefined || b.peerId === undefined) return false
    if (this.#isolated.has(a) || this.#isolated.has(b)) return false
    return a.connected && b.connected && !this.#cut.has(MemoryHub.#key(a.peerId, b.peerId))
  }

  /** Cuts `a` off from every adapter, those that connect later included, until `rejoin`. */
  isolate (a: MemoryNetworkAdapter): void {
    const others = [...this.adapters].filter(o => o !== a && this.linked(a, o))
    this.#isolated.add(a)
    for (const o of others) {
      a.lost(o)
      o.lost(a)
    }
  }

  rejoin (a: MemoryNetworkAdapter): void {
    if (!this.#isolated.delete(a)) return
    for (const o of this.adapters) {
      if (o !== a && this.linked(a, o)) {
        a.found(o)
        o.found(a)
      }
    }
  }

  /** Cuts the link between two adapters; both see the other disconnect. */
  partition (a: MemoryNetworkAdapter, b: MemoryNetworkAdapter): void {
    if (!this.linked(a, b)) return
    this.#cut.add(MemoryHub.#key(a.peerId ?? '', b.peerId ?? ''))
    a.lost(b)
    b.lost(a)
  }

  heal (a: MemoryNetworkAdapter, b: MemoryNetworkAdapter): void {
    this.#cut.delete(MemoryHub.#key(a.peerId ?? '', b.peerId ?? ''))
    if (this.linked(a, b)) {
      a.found(b)
      b.found(a)
    }
  }

  deliver (from: MemoryNetworkAdapter, message: Message): void {
    for (const to of this.adapters) {
      if (to !== from && to.peerId === message.targetId && this.linked(from, to)) {
        setTimeout(() => { if (this.linked(from, to)) to.emit('message', message) }, 0)
      }
    }
  }
}

export class MemoryNetworkAdapter extends NetworkAdapter {
  connected = false
  readonly #hub: MemoryHub

  constructor (hub: MemoryHub) {
    super()
    this.#hub = hub
  }

  isReady (): boolean { return true }
  async whenReady (): Promise<void> {}

  connect (peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId
    this.peerMetadata = peerMetadata ?? {}
    this.connected = true
    this.#hub.adapters.add(this)
    // Peers appear on the next macrotask, as over a real network: a caller may connect() and
    // then start listening for 'peer-candidate' (automerge-repo's acceptance tests do).
    setTimeout(() => {
      for (const other of this.#hub.adapters) {
        if (other !== this && this.#hub.linked(this, other)) {
          this.found(other)
          other.found(this)
        }
      }
    }, 0)
  }

  found (other: MemoryNetworkAdapter): void {
    if (other.peerId === undefined) return
    this.emit('peer-candidate', { peerId: other.peerId, peerMetadata: other.peerMetadata ?? {} })
  }

  lost (other: MemoryNetworkAdapter): void {
    if (other.peerId === undefined) return
    this.emit('peer-disconnected', { peerId: other.peerId })
  }

  send (message: Message): void {
    if (this.connected) this.#hub.deliver(this, message)
  }

  disconnect (): void {
    if (!this.connected) return
    const others = [...this.#hub.adapters].filter(o => o !== this && this.#hub.linked(this, o))
    this.connected = false
    this.#hub.adapters.delete(this)
    for (const other of others) {
      other.lost(this)
      this.lost(other)
    }
    this.emit('close')
  }
}
