/**
 * Messages that tabs exchange on a room's gossip topics. One module defines every message kind,
 * its version and its validator; everything else imports from here. Anything a peer sends is
 * untrusted: `decodeMeshMessage` either returns a well-formed message or throws a MeshMessageError
 * whose `reason` is a short stable code (counted and shown in the UI) and whose message says what is wrong.
 */

export const MESH_PROTOCOL_VERSION = 1
/** Largest gossip payload accepted, in bytes. */
export const MAX_MESH_MESSAGE_BYTES = 64 * 1024
/** Largest application channel name. */
export const MAX_CHANNEL_LENGTH = 64

export interface AppMessage {
  v: 1
  kind: 'app'
  channel: string
  id: string
  /** Sender's wall clock, ms since epoch (with sub-ms precision from performance.now). */
  ts: number
  body: unknown
}

/** Every kind of gossip message. Presence is not gossiped: it rides on each direct link (link.ts). */
export type MeshMessage = AppMessage

export type MeshMessageErrorReason =
  | 'too-large' | 'not-utf8' | 'not-json' | 'not-object' | 'unknown-version' | 'unknown-kind' | 'bad-field'

export class MeshMessageError extends Error {
  constructor (readonly reason: MeshMessageErrorReason, detail: string) {
    super(`${reason}: ${detail}`)
    this.name = 'MeshMessageError'
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true })
const utf8Encoder = new TextEncoder()

export function encodeMeshMessage (msg: MeshMessage): Uint8Array {
  const bytes = utf8Encoder.encode(JSON.stringify(msg))
  if (bytes.byteLength > MAX_MESH_MESSAGE_BYTES) {
    throw new MeshMessageError('too-large', `message is ${bytes.byteLength} bytes; the limit is ${MAX_MESH_MESSAGE_BYTES}`)
  }
  return bytes
}

function isFiniteNumber (x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x)
}

function field (ok: boolean, name: string, what: string): void {
  if (!ok) throw new MeshMessageError('bad-field', `field "${name}" must be ${what}`)
}

export function decodeMeshMessage (data: Uint8Array): MeshMessage {
  if (data.byteLength > MAX_MESH_MESSAGE_BYTES) {
    throw new MeshMessageError('too-large', `message is ${data.byteLength} bytes; the limit is ${MAX_MESH_MESSAGE_BYTES}`)
  }
  let text: string
  try {
    text = utf8Decoder.decode(data)
  } catch {
    throw new MeshMessageError('not-utf8', 'payload is not valid UTF-8')
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new MeshMessageError('not-json', `payload is not JSON (${(err as Error).message.slice(0, 80)})`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new MeshMessageError('not-object', 'payload must be a JSON object')
  }
  const m = raw as Record<string, unknown>
  if (m.v !== MESH_PROTOCOL_VERSION) {
    throw new MeshMessageError('unknown-version', `version ${JSON.stringify(m.v)} is not supported (this node speaks ${MESH_PROTOCOL_VERSION})`)
  }
  switch (m.kind) {
    case 'app':
      field(typeof m.channel === 'string' && m.channel.length > 0 && m.channel.length <= MAX_CHANNEL_LENGTH, 'channel', `a string of 1-${MAX_CHANNEL_LENGTH} characters`)
      field(typeof m.id === 'string' && m.id.length > 0 && m.id.length <= 128, 'id', 'a string of 1-128 characters')
      field(isFiniteNumber(m.ts) && m.ts > 0, 'ts', 'a positive number')
      field('body' in m, 'body', 'present')
      return { v: 1, kind: 'app', channel: m.channel as string, id: m.id as string, ts: m.ts as number, body: m.body }
    default:
      throw new MeshMessageError('unknown-kind', `kind ${JSON.stringify(m.kind)} is not a mesh message kind`)
  }
}

/** A high-resolution wall clock shared by tabs of one machine, used for latency figures. */
export function preciseNow (): number {
  return typeof performance !== 'undefined' ? performance.timeOrigin + performance.now() : Date.now()
}
