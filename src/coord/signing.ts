/**
 * Sealing and opening frames (messages.ts: one gossip message, one or more envelopes, one signature).
 *
 * A sender signs the frame's text (header and item lines) with its libp2p Ed25519 private key and
 * appends the signature as the last line. A receiver recovers the public key from the header's
 * `from` peer id (an Ed25519 peer id embeds its key) and verifies the bytes exactly as received:
 * nothing is re-encoded.
 *
 * `EnvelopeOpener.open` is the whole inbound pipeline, cheapest check first: size, parse and
 * validate every item (messages.ts), transport sender, freshness and replay of every item id
 * (replay.ts), then the signature (the expensive, and in browsers asynchronous, step), then the
 * replay check again, because other copies may have been admitted while this one was being
 * verified. A frame is accepted or refused as a whole; every refusal is counted by reason.
 *
 * Keys: WebCrypto's Ed25519 (when the browser has it) is used with keys imported once per peer, not
 * once per message as @libp2p/crypto does; elsewhere the libp2p key objects do the work.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { toString as toBase64, fromString as fromBase64 } from 'uint8arrays'
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import {
  COORD_PROTOCOL_VERSION, CoordMessageError, decodeFrame, frameHeaderLine, frameItemLine, SIG_LENGTH, utf8Bytes,
  type AnyEnvelope, type DecodeErrorReason, type Envelope, type FrameItem, type MessageKind
} from './messages.ts'
import { ReplayGuard } from './replay.ts'

/** Signs bytes with this node's private key. WebCrypto makes it asynchronous in browsers. */
export type Signer = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>

type Subtle = SubtleCrypto

function subtle (): Subtle | undefined {
  const c = (globalThis as { crypto?: Crypto }).crypto
  return c?.subtle
}

/**
 * Whether to use WebCrypto by default: in browsers (where @libp2p/crypto uses it too, importing the
 * key for every message). In Node the libp2p keys sign synchronously with node:crypto, which is
 * faster than the thread pool behind Node's WebCrypto.
 */
const IN_BROWSER = typeof (globalThis as { document?: unknown }).document !== 'undefined'

/** Whether WebCrypto signs and verifies Ed25519 here (checked once). */
let webCryptoEd25519: Promise<boolean> | undefined
function hasWebCryptoEd25519 (): Promise<boolean> {
  webCryptoEd25519 ??= (async () => {
    const s = subtle()
    if (s === undefined) return false
    try {
      await s.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])
      return true
    } catch {
      return false
    }
  })()
  return webCryptoEd25519
}

function buffer (data: Uint8Array): ArrayBuffer | Uint8Array<ArrayBuffer> {
  return data.buffer instanceof ArrayBuffer ? data as Uint8Array<ArrayBuffer> : new Uint8Array(data)
}

/**
 * A signer for this node's key. With WebCrypto Ed25519 the key is imported once (as a JWK from the
 * raw seed and public key); otherwise the libp2p key signs.
 */
export function signerFor (privateKey: PrivateKey, opts: { webCrypto?: boolean } = {}): Signer {
  if (privateKey.type !== 'Ed25519' || !(opts.webCrypto ?? IN_BROWSER)) return data => privateKey.sign(data)
  let key: Promise<CryptoKey | null> | undefined
  const imported = (): Promise<CryptoKey | null> => {
    key ??= (async () => {
      if (!await hasWebCryptoEd25519()) return null
      const raw = privateKey.raw
      const jwk: JsonWebKey = { crv: 'Ed25519', kty: 'OKP', d: toBase64(raw.subarray(0, 32), 'base64url'), x: toBase64(raw.subarray(32), 'base64url'), ext: false, key_ops: ['sign'] }
      try {
        return await subtle()!.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['sign'])
      } catch {
        return null
      }
    })()
    return key
  }
  return async data => {
    const k = await imported()
    if (k === null) return await privateKey.sign(data)
    return new Uint8Array(await subtle()!.sign({ name: 'Ed25519' }, k, buffer(data)))
  }
}

/**
 * Builds and signs a frame from `from` out of item lines already encoded (`frameItemLine`, UTF-8,
 * no newline); returns its bytes: header line, item lines, signature line.
 */
export async function sealFrame (from: string, ts: number, lines: readonly Uint8Array[], sign: Signer): Promise<Uint8Array> {
  const header = utf8Bytes(frameHeaderLine({ v: COORD_PROTOCOL_VERSION, from, ts, n: lines.length }))
  let size = header.byteLength + 1
  for (const l of lines) size += l.byteLength + 1
  const bytes = new Uint8Array(size + SIG_LENGTH)
  bytes.set(header, 0)
  let at = header.byteLength
  bytes[at++] = 0x0a
  for (const l of lines) {
    bytes.set(l, at)
    at += l.byteLength
    bytes[at++] = 0x0a
  }
  const signature = await sign(bytes.subarray(0, size))
  const sig = utf8Bytes(toBase64(signature, 'base64url'))
  if (sig.byteLength !== SIG_LENGTH) throw new Error(`a signature of ${signature.byteLength} bytes is not Ed25519`)
  bytes.set(sig, size)
  return bytes
}

/** Encodes items and seals them in one frame (tests and tools; the engine encodes as it sends). */
export async function sealItems (from: string, ts: number, items: readonly FrameItem[], sign: Signer): Promise<Uint8Array> {
  return await sealFrame(from, ts, items.map(i => utf8Bytes(frameItemLine(i))), sign)
}

/**
 * One envelope in a frame of its own, its header taken from the envelope as given (`v` included, so
 * tests can seal what an honest node never would); returns the bytes and the envelope.
 */
export async function sealEnvelope<K extends MessageKind> (e: Envelope<K>, sign: Signer): Promise<{ envelope: Envelope<K>, bytes: Uint8Array }> {
  const text = `${JSON.stringify({ v: e.v, from: e.from, ts: e.ts, n: 1 })}\n${frameItemLine(e)}\n`
  const signed = utf8Bytes(text)
  const sig = toBase64(await sign(signed), 'base64url')
  return { envelope: e, bytes: utf8Bytes(text + sig) }
}

export type RejectReason =
  | DecodeErrorReason
  | 'bad-peer-id' | 'bad-signature' | 'sender-mismatch'
  | 'replayed' | 'stale' | 'future'

export type OpenResult =
  | { ok: true, envelopes: AnyEnvelope[] }
  | { ok: false, reason: RejectReason, detail: string, from?: string }

const MAX_CACHED_KEYS = 1024

interface PeerKey {
  key: PublicKey
  /** The key imported into WebCrypto, once; null when WebCrypto cannot verify Ed25519. */
  crypto?: Promise<CryptoKey | null>
}

/** Opens frames received from peers: validates, checks freshness, verifies signatures. */
export class EnvelopeOpener {
  /** Rejections by reason (one per refused frame). */
  readonly rejected: Partial<Record<RejectReason, number>> = {}
  /** Frames accepted. */
  accepted = 0
  private readonly keys = new Map<string, PeerKey | null>()

  private readonly webCrypto: boolean

  constructor (private readonly replay: ReplayGuard, private readonly now: () => number, opts: { webCrypto?: boolean } = {}) {
    this.webCrypto = opts.webCrypto ?? IN_BROWSER
  }

  async open (data: Uint8Array, transportFrom?: string): Promise<OpenResult> {
    let frame
    try {
      frame = decodeFrame(data)
    } catch (err) {
      if (err instanceof CoordMessageError) return this.reject(err.reason, err.message, transportFrom)
      throw err
    }
    const { header, envelopes } = frame
    const from = header.from
    if (transportFrom !== undefined && transportFrom !== from) {
      return this.reject('sender-mismatch', `claims to be from ${short(from)} but the transport says ${short(transportFrom)}`, transportFrom)
    }
    const fresh = this.fresh(envelopes, false)
    if (fresh !== null) return fresh
    const peer = this.peerKey(from)
    if (peer === null) return this.reject('bad-peer-id', `${short(from)} is not an Ed25519 peer id`, from)
    let valid = false
    try {
      valid = await this.verify(peer, frame.signed, fromBase64(frame.sig, 'base64url'))
    } catch {
      valid = false
    }
    if (!valid) return this.reject('bad-signature', `signature does not match ${describeFrame(envelopes)} from ${short(from)}`, from)
    const again = this.fresh(envelopes, true)
    if (again !== null) return again
    this.accepted++
    return { ok: true, envelopes }
  }

  /** Freshness of the frame's time and of every item id; with `admit`, remembers them all when all pass. */
  private fresh (envelopes: AnyEnvelope[], admit: boolean): OpenResult | null {
    const now = this.now()
    const ids = envelopes.length > 1 ? new Set<string>() : undefined
    for (const env of envelopes) {
      let verdict = this.replay.check(env.from, env.id, env.ts, now)
      if (verdict === 'ok' && ids !== undefined) {
        if (ids.has(env.id)) verdict = 'replayed'
        ids.add(env.id)
      }
      if (verdict !== 'ok') return this.reject(verdict, freshnessDetail(verdict, env, now), env.from)
    }
    if (admit) for (const env of envelopes) this.replay.remember(env.from, env.id, now)
    return null
  }

  private async verify (peer: PeerKey, data: Uint8Array, sig: Uint8Array): Promise<boolean> {
    peer.crypto ??= (async () => {
      if (!this.webCrypto || peer.key.type !== 'Ed25519' || !await hasWebCryptoEd25519()) return null
      try {
        return await subtle()!.importKey('raw', buffer(peer.key.raw), { name: 'Ed25519' }, false, ['verify'])
      } catch {
        return null
      }
    })()
    const k = await peer.crypto
    if (k === null) return await peer.key.verify(data, sig)
    return await subtle()!.verify({ name: 'Ed25519' }, k, buffer(sig), buffer(data))
  }

  private peerKey (from: string): PeerKey | null {
    let key = this.keys.get(from)
    if (key !== undefined) return key
    try {
      const id = peerIdFromString(from)
      key = id.type === 'Ed25519' ? { key: id.publicKey } : null
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

function describeFrame (envelopes: AnyEnvelope[]): string {
  const first = envelopes[0]!
  return envelopes.length === 1 ? `${first.kind} ${first.id}` : `a frame of ${envelopes.length} messages (${first.kind} ${first.id}…)`
}

function freshnessDetail (verdict: 'replayed' | 'stale' | 'future', env: AnyEnvelope, now: number): string {
  if (verdict === 'replayed') return `${env.kind} ${env.id} from ${short(env.from)} was already received`
  return `${env.kind} ${env.id} from ${short(env.from)} is ${Math.round(Math.abs(now - env.ts))} ms ${verdict === 'stale' ? 'old' : 'in the future'}`
}

function short (peerId: string): string {
  return peerId.length > 12 ? `…${peerId.slice(-8)}` : peerId
}
