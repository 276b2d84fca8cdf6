/**
 * Peer ids parsed once. `peerIdFromString` decodes base58 and the multihash on every call, and the
 * node asks for connections by peer id string all the time (peers(), the dial reconcile loop, room
 * channels): at 10 tabs, peers() alone decoded ids hundreds of times a second per tab. PeerIds are
 * immutable, so one parsed object per string is shared; the map is bounded.
 */
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'

const MAX_CACHED = 1024
const cache = new Map<string, PeerId>()

/** The PeerId of `id` (throws as `peerIdFromString` does on a malformed id; failures are not cached). */
export function peerIdOf (id: string): PeerId {
  let p = cache.get(id)
  if (p === undefined) {
    p = peerIdFromString(id)
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!)
    cache.set(id, p)
  }
  return p
}

export { shortPeer } from './peer-names.ts'

/** Whether `agentId` names its peer (`…@<peerId>`, as agents/registry.ts `agentIdFor` builds it). */
export function ownedBy (agentId: string, peerId: string): boolean {
  return agentId.length > peerId.length + 1 && agentId.endsWith(peerId) && agentId.charCodeAt(agentId.length - peerId.length - 1) === 64 // '@'
}
