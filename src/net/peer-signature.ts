/**
 * Statements signed with a peer's own key, checked against the public key its peer id embeds.
 *
 * Protocol messages are signed as frames (coord/signing.ts). What is signed here is data that
 * outlives its message and sits in a document every member of the room can write: a task's result
 * and the votes on it in the knowledge graph (coord/attest.ts) and an agent's record in the room's
 * registry (agents/registry.ts). A reader rebuilds the statement from what it reads and verifies it, so a
 * member cannot write in another peer's name.
 *
 * A statement is text: a prefix naming what it states and its version (`meshwork-result/1\n`),
 * then canonical JSON (canonical-json.ts: sorted keys, so a JSON round trip keeps the bytes).
 *
 * Signing and verifying are synchronous (@noble/curves; WebCrypto is asynchronous), so a document's
 * synchronous readers and writers can use them: about 1.2 ms to sign and 1.5 ms to verify in Node.
 * Only Ed25519 peer ids embed their public key; an id of another kind never verifies.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import type { PrivateKey } from '@libp2p/interface'
import { toString as toBase64, fromString as fromBase64 } from 'uint8arrays'
import { peerIdOf } from './peer-ids.ts'

/** An Ed25519 signature (64 bytes) in base64url without padding. */
export const SIGNATURE_LENGTH = 86

/** Signs bytes with this peer's key, synchronously. */
export type SyncSigner = (data: Uint8Array) => Uint8Array

const encoder = new TextEncoder()

/** A synchronous signer for an Ed25519 key (the only kind of identity a tab creates). */
export function syncSignerFor (privateKey: PrivateKey): SyncSigner {
  if (privateKey.type !== 'Ed25519') throw new TypeError(`a ${privateKey.type} key cannot sign statements; peer identities are Ed25519`)
  const seed = privateKey.raw.slice(0, 32)
  return data => ed25519.sign(data, seed)
}

/** A signature's bytes as statements carry them: base64url, SIGNATURE_LENGTH characters (throws on another length). */
export function encodeSignature (signature: Uint8Array): string {
  const sig = toBase64(signature, 'base64url')
  if (sig.length !== SIGNATURE_LENGTH) throw new Error(`a signature of ${sig.length} base64url characters is not Ed25519`)
  return sig
}

/** Signs `text` (a statement); the signature in base64url, SIGNATURE_LENGTH characters. */
export function signStatement (text: string, sign: SyncSigner): string {
  return encodeSignature(sign(encoder.encode(text)))
}

/**
 * Why a statement does not verify: `bad-peer-id`, the peer named is not an Ed25519 peer id (so no
 * key to check with); `bad-signature`, the signature is malformed or is not that peer's over the text.
 */
export type StatementVerdict = { ok: true } | { ok: false, problem: 'bad-peer-id' | 'bad-signature' }

const MAX_CACHED = 1024
/** Statements longer than this are verified each time rather than kept in the cache. */
const MAX_CACHED_STATEMENT = 16 * 1024

/** Verifies statements, caching public keys and verdicts that held (both bounded). */
export class PeerStatements {
  private readonly keys = new Map<string, Uint8Array | null>()
  /** Verified signatures: `peerId \n signature` → the statement it verified over. */
  private readonly verified = new Map<string, string>()
  /** Signature verifications actually run (not answered from the cache). */
  verifications = 0

  verify (peerId: string, text: string, signature: string): StatementVerdict {
    const key = this.key(peerId)
    if (key === null) return { ok: false, problem: 'bad-peer-id' }
    const cacheKey = `${peerId}\n${signature}`
    if (this.verified.get(cacheKey) === text) return { ok: true }
    let valid = false
    try {
      this.verifications++
      valid = signature.length === SIGNATURE_LENGTH && ed25519.verify(fromBase64(signature, 'base64url'), encoder.encode(text), key)
    } catch {
      valid = false
    }
    if (!valid) return { ok: false, problem: 'bad-signature' }
    if (text.length <= MAX_CACHED_STATEMENT) {
      if (this.verified.size >= MAX_CACHED) this.verified.delete(this.verified.keys().next().value!)
      this.verified.set(cacheKey, text)
    }
    return { ok: true }
  }

  /** The Ed25519 public key `peerId` embeds, or null. */
  private key (peerId: string): Uint8Array | null {
    let k = this.keys.get(peerId)
    if (k !== undefined) return k
    try {
      const id = peerIdOf(peerId)
      k = id.type === 'Ed25519' && id.publicKey !== undefined ? id.publicKey.raw : null
    } catch {
      k = null
    }
    if (this.keys.size >= MAX_CACHED) this.keys.delete(this.keys.keys().next().value!)
    this.keys.set(peerId, k)
    return k
  }
}
