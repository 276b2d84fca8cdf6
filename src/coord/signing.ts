/**
 * Signing and opening envelopes.
 *
 * A sender signs the canonical JSON (canonical-json.ts) of its envelope without `sig`, with its
 * libp2p Ed25519 private key. A receiver recovers the public key from the `from` peer id (an
 * Ed25519 peer id embeds its key), re-encodes the envelope it parsed the same way and verifies.
 *
 * `EnvelopeOpener.open` is the whole inbound pipeline, cheapest check first: size, parse and
 * validate (messages.ts), transport sender, freshness and replay (replay.ts), then the signature
 * (the expensive, and in browsers asynchronous, step), then the replay check again, because other
 * copies may have been admitted while this one was being verified. Every rejection is counted by
 * reason.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { toString as toBase64, fromString as fromBase64 } from 'uint8arrays'
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import { canonicalJson } from './canonical-json.ts'
import {
  CoordMessageError, decodeEnvelope, utf8Bytes,
  type AnyEnvelope, type DecodeErrorReason, type Envelope, type MessageKind, type UnsignedEnvelope
} from './messages.ts'
import { ReplayGuard } from './replay.ts'

/** Signs bytes with this node's private key. WebCrypto makes it asynchronous in browsers. */
export type Signer = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>

export function signerFor (privateKey: PrivateKey): Signer {
  return data => privateKey.sign(data)
}

/** The bytes a signature covers: the canonical JSON of the envelope without `sig`. */
export function signingBytes (envelope: UnsignedEnvelope | Record<string, unknown>): Uint8Array {
  const { sig: _sig, ...rest } = envelope as Record<string, unknown>
  return utf8Bytes(canonicalJson(rest))
}

/** Signs an envelope and encodes it for the wire (canonical JSON, `sig` included). */
export async function sealEnvelope<K extends MessageKind> (unsigned: UnsignedEnvelope<K>, sign: Signer): Promise<{ envelope: Envelope<K>, bytes: Uint8Array }> {
  const signature = await sign(signingBytes(unsigned))
  const envelope = { ...unsigned, sig: toBase64(signature, 'base64url') } as Envelope<K>
  return { envelope, bytes: utf8Bytes(canonicalJson(envelope)) }
}

export type RejectReason =
  | DecodeErrorReason
  | 'bad-peer-id' | 'bad-signature' | 'sender-mismatch'
  | 'replayed' | 'stale' | 'future'

export type OpenResult =
  | { ok: true, envelope: AnyEnvelope }
  | { ok: false, reason: RejectReason, detail: string, from?: string }

const MAX_CACHED_KEYS = 1024

/** Opens envelopes received from peers: validates, checks freshness, verifies signatures. */
export class EnvelopeOpener {
  /** Rejections by reason. */
  readonly rejected: Partial<Record<RejectReason, number>> = {}
  accepted = 0
  private readonly keys = new Map<string, PublicKey | null>()

  constructor (private readonly replay: ReplayGuard, private readonly now: () => number) {}

  async open (data: Uint8Array, transportFrom?: string): Promise<OpenResult> {
    let decoded
    try {
      decoded = decodeEnvelope(data)
    } catch (err) {
      if (err instanceof CoordMessageError) return this.reject(err.reason, err.message, transportFrom)
      throw err
    }
    const { envelope, raw } = decoded
    if (transportFrom !== undefined && transportFrom !== envelope.from) {
      return this.reject('sender-mismatch', `claims to be from ${short(envelope.from)} but the transport says ${short(transportFrom)}`, transportFrom)
    }
    const fresh = this.replay.check(envelope.from, envelope.id, envelope.ts, this.now())
    if (fresh !== 'ok') return this.reject(fresh, freshnessDetail(fresh, envelope, this.now()), envelope.from)
    const key = this.publicKey(envelope.from)
    if (key === null) return this.reject('bad-peer-id', `${short(envelope.from)} is not an Ed25519 peer id`, envelope.from)
    let valid = false
    try {
      valid = await key.verify(signingBytes(raw), fromBase64(envelope.sig, 'base64url'))
    } catch {
      valid = false
    }
    if (!valid) return this.reject('bad-signature', `signature does not match ${envelope.kind} ${envelope.id} from ${short(envelope.from)}`, envelope.from)
    const again = this.replay.admit(envelope.from, envelope.id, envelope.ts, this.now())
    if (again !== 'ok') return this.reject(again, freshnessDetail(again, envelope, this.now()), envelope.from)
    this.accepted++
    return { ok: true, envelope }
  }

  private publicKey (from: string): PublicKey | null {
    let key = this.keys.get(from)
    if (key !== undefined) return key
    try {
      const id = peerIdFromString(from)
      key = id.type === 'Ed25519' ? id.publicKey : null
    } catch {
      key = null
    }
    if (this.keys.size >= MAX_CACHED_KEYS) this.keys.delete(this.keys.keys().next().value as string)
    this.keys.set(from, key)
    return key
  }

  private reject (reason: RejectReason, detail: string, from?: string): OpenResult {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1
    return { ok: false, reason, detail, from }
  }
}

function freshnessDetail (verdict: 'replayed' | 'stale' | 'future', env: AnyEnvelope, now: number): string {
  if (verdict === 'replayed') return `${env.kind} ${env.id} from ${short(env.from)} was already received`
  return `${env.kind} ${env.id} from ${short(env.from)} is ${Math.round(Math.abs(now - env.ts))} ms ${verdict === 'stale' ? 'old' : 'in the future'}`
}

function short (peerId: string): string {
  return peerId.length > 12 ? `…${peerId.slice(-8)}` : peerId
}
