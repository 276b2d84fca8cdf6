// Real Ed25519 peer identities for the registry and host tests, made synchronously from fixed
// seeds: a registry writes as its owner and signs every record, so its peer ids must be keys.
import { ed25519 } from '@noble/curves/ed25519.js'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import type { RegistryOwner } from '../../../src/agents/registry-api.ts'

/** A peer: its id and a signer for its key (a RegistryOwner). */
export function testPeer (n: number): RegistryOwner {
  const seed = new Uint8Array(32).fill(n)
  const peerId = peerIdFromPublicKey(publicKeyFromRaw(ed25519.getPublicKey(seed))).toString()
  return { peerId, sign: data => ed25519.sign(data, seed) }
}

export const PEER_A = testPeer(1)
export const PEER_B = testPeer(2)
/** The hostile peer. */
export const PEER_Z = testPeer(26)
export const A = PEER_A.peerId
export const B = PEER_B.peerId
export const Z = PEER_Z.peerId
