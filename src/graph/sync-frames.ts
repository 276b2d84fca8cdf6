/**
 * The wire format of `/meshwork/automerge/1.0.0`: every message is one frame, an unsigned
 * LEB128 varint byte length followed by that many bytes of CBOR (automerge-repo's encoding).
 * Framing is needed because libp2p streams re-chunk bytes arbitrarily.
 *
 * Each stream carries data in one direction only. Its first frame is a {@link Hello}
 * announcing the sender's automerge-repo peer id and metadata; every later frame is an
 * automerge-repo message addressed from that peer to the receiver.
 *
 * This module owns the frame types, their version and their validators; the adapter only
 * moves bytes.
 */
import { Automerge, cbor, type Message, type PeerId, type PeerMetadata } from '@automerge/automerge-repo/slim'
import { Uint8ArrayList } from 'uint8arraylist'

/** The libp2p protocol id. The trailing semver changes if frames change incompatibly. */
export const SYNC_PROTOCOL = '/meshwork/automerge/1.0.0'
export const WIRE_VERSION = 1
/** Largest accepted frame payload. A full sync of a 10k-entity graph is ~0.3 MB. */
export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024
const MAX_VARINT_BYTES = 5

export type RejectReason =
  | 'bad-length' // the varint prefix is malformed (framing lost: stream closed)
  | 'oversize' // the prefix announces more than maxFrameBytes (stream closed)
  | 'empty-frame' // zero-length frame
  | 'bad-cbor' // payload is not CBOR
  | 'bad-hello' // first frame is not a valid hello (stream closed)
  | 'bad-shape' // CBOR, but not a well-formed repo message
  | 'unknown-type' // a message type automerge-repo does not define
  | 'sender-mismatch' // senderId differs from the peer id announced in the hello
  | 'wrong-target' // targetId is not us
  | 'bad-sync-data' // a sync/request message whose data is not an Automerge sync message
  | 'peer-not-accepted' // acceptPeer refused the remote peer (stream closed)
  | 'send-failed' // (outgoing) the stream refused our frame

/** A frame (or stream) was rejected. `fatal` means framing is lost and the stream must close. */
export class FrameError extends Error {
  readonly reason: RejectReason
  readonly fatal: boolean

  constructor (reason: RejectReason, detail: string, fatal = false) {
    super(`${reason}: ${detail}`)
    this.name = 'FrameError'
    this.reason = reason
    this.fatal = fatal
  }
}

export { encodeVarint, encodeFrame } from '../net/frames.ts'

/**
 * Incremental frame decoder: push chunks as they arrive, get whole frames back. Throws a fatal
 * FrameError when the length prefix is malformed or too large, before buffering the payload.
 */
export class FrameDecoder {
  readonly #buffer = new Uint8ArrayList()
  readonly #maxFrameBytes: number
  #failed = false

  constructor (maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.#maxFrameBytes = maxFrameBytes
  }

  push (chunk: Uint8Array): Uint8Array[] {
    if (this.#failed) throw new FrameError('bad-length', 'decoder already failed', true)
    this.#buffer.append(chunk)
    const frames: Uint8Array[] = []
    for (;;) {
      const header = this.#readLength()
      if (header === undefined) break
      const { length, headerBytes } = header
      if (this.#buffer.byteLength < headerBytes + length) break
      frames.push(this.#buffer.subarray(headerBytes, headerBytes + length))
      this.#buffer.consume(headerBytes + length)
    }
    return frames
  }

  get buffered (): number {
    return this.#buffer.byteLength
  }

  #readLength (): { length: number, headerBytes: number } | undefined {
    let length = 0
    let multiplier = 1
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (i >= this.#buffer.byteLength) return undefined
      const byte = this.#buffer.get(i)
      length += (byte & 0x7f) * multiplier
      multiplier *= 128
      if (length > this.#maxFrameBytes) {
        this.#failed = true
        throw new FrameError('oversize', `frame announces more than ${this.#maxFrameBytes} bytes`, true)
      }
      if ((byte & 0x80) === 0) {
        if (i > 0 && byte === 0) {
          this.#failed = true
          throw new FrameError('bad-length', 'length prefix is not minimally encoded', true)
        }
        return { length, headerBytes: i + 1 }
      }
    }
    this.#failed = true
    throw new FrameError('bad-length', `length prefix longer than ${MAX_VARINT_BYTES} bytes`, true)
  }
}

// ---------------------------------------------------------------------------------------------
// Payloads

export interface Hello {
  type: 'meshwork/hello'
  wire: number
  /** The sender's automerge-repo peer id. */
  peerId: PeerId
  peerMetadata: PeerMetadata
}

export function encodeHello (peerId: PeerId, peerMetadata: PeerMetadata): Uint8Array {
  const meta: PeerMetadata = {}
  if (peerMetadata.storageId !== undefined) meta.storageId = peerMetadata.storageId
  if (peerMetadata.isEphemeral !== undefined) meta.isEphemeral = peerMetadata.isEphemeral
  const hello: Hello = { type: 'meshwork/hello', wire: WIRE_VERSION, peerId, peerMetadata: meta }
  return cbor.encode(hello)
}

function decodeCbor (bytes: Uint8Array): unknown {
  if (bytes.byteLength === 0) throw new FrameError('empty-frame', 'zero-length frame')
  try {
    return cbor.decode(bytes)
  } catch (err) {
    throw new FrameError('bad-cbor', err instanceof Error ? err.message : String(err))
  }
}

type Rec = Record<string, unknown>
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
const isId = (v: unknown, max = 256): v is string => typeof v === 'string' && v.length > 0 && v.length <= max

export function decodeHello (bytes: Uint8Array): Hello {
  let value: unknown
  try {
    value = decodeCbor(bytes)
  } catch (err) {
    throw new FrameError('bad-hello', err instanceof Error ? err.message : String(err), true)
  }
  if (!isRec(value) || value.type !== 'meshwork/hello') throw new FrameError('bad-hello', 'first frame must be a hello', true)
  if (value.wire !== WIRE_VERSION) throw new FrameError('bad-hello', `unsupported wire version ${String(value.wire)}`, true)
  if (!isId(value.peerId)) throw new FrameError('bad-hello', 'hello.peerId must be a non-empty string', true)
  const meta = value.peerMetadata
  if (!isRec(meta)) throw new FrameError('bad-hello', 'hello.peerMetadata must be an object', true)
  const peerMetadata: PeerMetadata = {}
  if (meta.storageId !== undefined) {
    if (!isId(meta.storageId)) throw new FrameError('bad-hello', 'hello.peerMetadata.storageId must be a string', true)
    peerMetadata.storageId = meta.storageId as PeerMetadata['storageId']
  }
  if (meta.isEphemeral !== undefined) {
    if (typeof meta.isEphemeral !== 'boolean') throw new FrameError('bad-hello', 'hello.peerMetadata.isEphemeral must be a boolean', true)
    peerMetadata.isEphemeral = meta.isEphemeral
  }
  return { type: 'meshwork/hello', wire: WIRE_VERSION, peerId: value.peerId as PeerId, peerMetadata }
}

const MESSAGE_TYPES = new Set(['sync', 'request', 'ephemeral', 'doc-unavailable', 'remote-subscription-change', 'remote-heads-changed'])

function shape (cond: boolean, detail: string): void {
  if (!cond) throw new FrameError('bad-shape', detail)
}

/**
 * Decodes and checks one automerge-repo message from `sender` (as announced in its hello)
 * to `self`. Sync and request payloads are parsed as Automerge sync messages so that garbage
 * never reaches the document.
 */
export function decodeRepoMessage (bytes: Uint8Array, sender: PeerId, self: PeerId | undefined, options: { checkSyncData?: boolean } = {}): Message {
  const value = decodeCbor(bytes)
  if (!isRec(value)) throw new FrameError('bad-shape', 'message must be a map')
  const { type } = value
  if (typeof type !== 'string') throw new FrameError('bad-shape', 'message.type must be a string')
  if (!MESSAGE_TYPES.has(type)) throw new FrameError('unknown-type', `message type ${JSON.stringify(type.slice(0, 64))} is not an automerge-repo message`)
  if (value.senderId !== sender) throw new FrameError('sender-mismatch', `senderId ${JSON.stringify(value.senderId)} but the stream belongs to ${JSON.stringify(sender)}`)
  if (self === undefined || value.targetId !== self) throw new FrameError('wrong-target', `targetId ${JSON.stringify(value.targetId)} is not us`)
  const hasDoc = isId(value.documentId, 128)
  const hasData = value.data instanceof Uint8Array
  switch (type) {
    case 'sync':
    case 'request':
      shape(hasDoc, `${type}.documentId must be a string`)
      shape(hasData, `${type}.data must be bytes`)
      if (options.checkSyncData !== false) {
        try {
          Automerge.decodeSyncMessage(value.data as Uint8Array)
        } catch (err) {
          throw new FrameError('bad-sync-data', err instanceof Error ? err.message : String(err))
        }
      }
      break
    case 'ephemeral':
      shape(hasDoc, 'ephemeral.documentId must be a string')
      shape(hasData, 'ephemeral.data must be bytes')
      shape(typeof value.count === 'number' && Number.isInteger(value.count), 'ephemeral.count must be an integer')
      shape(isId(value.sessionId), 'ephemeral.sessionId must be a string')
      break
    case 'doc-unavailable':
      shape(hasDoc, 'doc-unavailable.documentId must be a string')
      break
    case 'remote-subscription-change':
      for (const key of ['add', 'remove'] as const) {
        const list = value[key]
        shape(list === undefined || (Array.isArray(list) && list.every(s => isId(s))), `remote-subscription-change.${key} must be a list of storage ids`)
      }
      break
    case 'remote-heads-changed':
      shape(hasDoc, 'remote-heads-changed.documentId must be a string')
      shape(isRec(value.newHeads), 'remote-heads-changed.newHeads must be a map')
      break
  }
  return value as unknown as Message
}

export function encodeRepoMessage (message: Message): Uint8Array {
  return cbor.encode(message)
}
