import { describe, it, expect } from 'vitest'
import { canonicalJson } from '../../../src/net/canonical-json.ts'
import { COORD_PROTOCOL_VERSION, CoordMessageError, decodeFrame, KIND_LIMIT_BYTES, MAX_COORD_MESSAGE_BYTES, MESSAGE_KINDS, BODY_VALIDATORS, type Envelope, type FrameItem, type MessageKind } from '../../../src/coord/messages.ts'
import { ReplayGuard } from '../../../src/coord/replay.ts'
import { EnvelopeOpener, sealEnvelope, sealItems, signerFor } from '../../../src/coord/signing.ts'
import { identity } from './sim.ts'

const NOW = 1_700_000_000_000
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

const bodies: Record<string, unknown> = {
  announce: { taskId: 't-1', attempt: 1, text: 'sum 1 2', excluded: [], quorum: 0, input: { x: [1, 2] }, deadline: NOW + 1000, missionId: 'm-1', preferred: 'calc@P', timeZone: 'America/Argentina/Buenos_Aires' },
  bid: { bids: [{ taskId: 't-1', attempt: 1, agentId: 'a', skillId: 's', confidence: 0.5, reputation: 1, load: 0, latencyMs: 5 }] },
  decline: { tasks: [{ taskId: 't-1', attempt: 1 }], reason: 'none' },
  award: { taskId: 't-1', attempt: 1, winner: null, bids: [], digest: 'd', reason: 'nobody bid', leaseMs: 3000 },
  progress: { taskId: 't-1', attempt: 1, agentId: 'a', fraction: 0.5, note: 'half' },
  result: { taskId: 't-1', attempt: 1, agentId: 'a', skillId: 's', result: { text: '3', output: 3, contradicts: ['fact:1'], settles: ['dispute:t-1:1', 'fact:2'], plan: { subtasks: [{ id: 'x', text: 'x', dependsOn: [] }] } }, startedAt: NOW, finishedAt: NOW + 1, attest: 'A'.repeat(86) },
  failure: { taskId: 't-1', attempt: 3, code: 'exhausted', reason: 'gave up', final: true, state: 'failed', reasons: ['a', 'b'] },
  verify: { taskId: 't-1', attempt: 1, resultAttest: 'D'.repeat(86), agentId: 'v', vote: 'support', confidence: 0.9, reason: 'ok', evidence: ['e1'], attest: 'B'.repeat(86) },
  dispute: { taskId: 't-1', attempt: 2, resultAttest: 'E'.repeat(86), agentId: 'v', confidence: 0.9, reason: 'wrong', attest: 'C'.repeat(86) },
  handoff: { taskId: 't-1', attempt: 1, agentId: 'a', reason: 'better elsewhere', toAgentId: 'b' },
  question: { questionId: 'q-1', taskId: 't-1', agentId: 'a', text: 'who?', to: 'person' },
  answer: { questionId: 'q-1', taskId: 't-1', text: 'Ada' },
  alert: { alertId: 'al-1', severity: 'warning', text: 'careful', taskId: 't-1' },
  decision: { decisionId: 'd-1', about: 'q-1', text: 'go' },
  lease: { leases: [{ taskId: 't-1', attempt: 1, agentId: 'a' }] },
  cancel: { taskId: 't-1', reason: 'no longer needed' }
}

describe('coordination messages', () => {
  it('has a body example and a validator for every kind', () => {
    expect(Object.keys(bodies).sort()).toEqual([...MESSAGE_KINDS].sort())
    for (const kind of MESSAGE_KINDS) {
      expect(BODY_VALIDATORS[kind](bodies[kind])).toEqual(bodies[kind])
      expect(KIND_LIMIT_BYTES[kind]).toBeLessThanOrEqual(MAX_COORD_MESSAGE_BYTES)
    }
  })

  it.each([
    ['announce', { ...bodies.announce as object, attempt: 0 }, 'body.attempt: must be between 1 and 16, got 0'],
    ['announce', { ...bodies.announce as object, taskId: '../x' }, 'body.taskId: must match'],
    ['announce', { ...bodies.announce as object, excluded: [{ peerId: 'P' }] }, 'body.excluded[0].agentId: must be a string, got undefined'],
    ['announce', { ...bodies.announce as object, extra: 1 }, 'body.extra: unknown field'],
    ['announce', { ...bodies.announce as object, preferred: 7 }, 'body.preferred: must be a string'],
    ['announce', { ...bodies.announce as object, timeZone: '../../etc/passwd' }, 'body.timeZone: must be an IANA time zone name such as "Europe/Berlin", got "../../etc/passwd"'],
    ['announce', { ...bodies.announce as object, timeZone: 'x'.repeat(65) }, 'body.timeZone: must'],
    ['announce', { ...bodies.announce as object, timeZone: 3 }, 'body.timeZone: must be a string'],
    ['bid', { bids: [] }, 'body.bids: must have at least 1 entry'],
    ['bid', { bids: [{ ...(bodies.bid as { bids: object[] }).bids[0], reputation: 2 }] }, 'body.bids[0].reputation: must be between 0.5 and 1.5, got 2'],
    ['award', { ...bodies.award as object, reason: undefined }, 'body.reason: is required when there is no winner'],
    ['result', { ...bodies.result as object, finishedAt: NOW - 1 }, 'body.finishedAt: must not be before startedAt'],
    ['result', { ...bodies.result as object, attest: undefined }, 'body.attest: must be a string, got undefined'],
    ['result', { ...bodies.result as object, attest: 'A'.repeat(85) + '=' }, 'body.attest: must be 64 signature bytes in unpadded base64url'],
    ['result', { ...bodies.result as object, attest: 'A'.repeat(87) }, 'body.attest: must have at most 86 characters, got 87'],
    ['result', { ...bodies.result as object, result: { text: 'x', plan: { subtasks: [{ id: 'x', text: 'x' }] } } }, 'body.result.plan.subtasks[0].dependsOn: must be an array'],
    ['result', { ...bodies.result as object, result: { text: 'x', contradicts: [7] } }, 'body.result.contradicts[0]: must be a string'],
    ['result', { ...bodies.result as object, result: { text: 'x', contradicts: ['x'.repeat(1000)] } }, 'body.result.contradicts[0]: must have at most'],
    ['result', { ...bodies.result as object, result: { text: 'x', settles: 'dispute:t-1:1' } }, 'body.result.settles: must be'],
    ['result', { ...bodies.result as object, result: { text: 'x', settles: [null] } }, 'body.result.settles[0]: must be a string'],
    ['failure', { taskId: 't', attempt: 1, code: 'error', reason: 'x', final: false }, 'body.agentId: is required for a failed attempt'],
    ['failure', { taskId: 't', attempt: 1, code: 'boom', reason: 'x', final: true }, 'body.code: must be one of'],
    ['verify', { ...bodies.verify as object, vote: 'dispute' }, 'body.vote: must be one of support, abstain'],
    ['dispute', { ...bodies.dispute as object, reason: '' }, 'body.reason: must not be empty'],
    // Since version 4 a vote carries its voter's attestation, which the graph keeps with the verification.
    ['verify', { ...bodies.verify as object, attest: undefined }, 'body.attest: must be a string, got undefined'],
    ['dispute', { ...bodies.dispute as object, attest: 'C'.repeat(85) + '+' }, 'body.attest: must be 64 signature bytes in unpadded base64url'],
    // Version 5: a vote names the result it judged.
    ['verify', { ...bodies.verify as object, resultAttest: undefined }, 'body.resultAttest: must be a string, got undefined'],
    ['dispute', { ...bodies.dispute as object, attempt: 0 }, 'body.attempt: must be between 1 and 16, got 0'],
    ['question', { ...bodies.question as object, to: 'god' }, 'body.to: must be one of person, mesh'],
    ['progress', { ...bodies.progress as object, fraction: 1.5 }, 'body.fraction: must be between 0 and 1'],
    ['lease', { leases: [{ taskId: 't', attempt: 1.5, agentId: 'a' }] }, 'body.leases[0].attempt: must be an integer']
  ] as const)('refuses a bad %s body with the field path', (kind, body, message) => {
    expect(() => BODY_VALIDATORS[kind](body, 'body')).toThrow(message)
  })
})

describe('frames: sealing and opening', () => {
  const item = (kind: MessageKind, n: number): FrameItem => ({ kind, id: `m.${n}`, seq: n, body: bodies[kind] } as FrameItem)

  it('round-trips every kind, one frame each and all in one frame, through seal → bytes → open', async () => {
    const me = await identity()
    const opener = new EnvelopeOpener(new ReplayGuard(), () => NOW)
    const sign = signerFor(me.privateKey)
    let seq = 0
    for (const kind of MESSAGE_KINDS) {
      const e = { v: COORD_PROTOCOL_VERSION, kind, id: `m.${++seq}`, from: me.peerId, seq, ts: NOW, body: bodies[kind] } as Envelope
      const { bytes } = await sealEnvelope(e, sign)
      const r = await opener.open(bytes, me.peerId)
      expect(r.ok, kind).toBe(true)
      if (r.ok) expect(r.envelopes).toEqual([e])
    }
    const items = MESSAGE_KINDS.map(k => item(k, ++seq))
    const bytes = await sealItems(me.peerId, NOW, items, sign)
    const text = new TextDecoder().decode(bytes).split('\n')
    expect(text).toHaveLength(items.length + 2)
    expect(JSON.parse(text[0]!)).toEqual({ v: COORD_PROTOCOL_VERSION, from: me.peerId, ts: NOW, n: items.length })
    const r = await opener.open(bytes, me.peerId)
    expect(r.ok).toBe(true)
    if (r.ok) expect(r.envelopes).toEqual(items.map(i => ({ v: COORD_PROTOCOL_VERSION, from: me.peerId, ts: NOW, ...i })))
    expect(opener.accepted).toBe(MESSAGE_KINDS.length + 1)
  })

  it('signs and verifies with WebCrypto keys imported once, interchangeably with the libp2p keys', async () => {
    const me = await identity()
    const other = await identity()
    const items = [item('cancel', 1), item('bid', 2)]
    const web = await sealItems(me.peerId, NOW, items, signerFor(me.privateKey, { webCrypto: true }))
    const lib = await sealItems(me.peerId, NOW, items, signerFor(me.privateKey, { webCrypto: false }))
    expect(web).toEqual(lib) // Ed25519 is deterministic
    for (const webCrypto of [true, false]) {
      const opener = new EnvelopeOpener(new ReplayGuard(), () => NOW, { webCrypto })
      expect((await opener.open(web)).ok).toBe(true)
      const forged = await sealItems(me.peerId, NOW, [item('cancel', 3)], signerFor(other.privateKey, { webCrypto }))
      const r = await opener.open(forged)
      expect(r.ok ? 'ok' : r.reason).toBe('bad-signature')
    }
  })

  it('refuses forged, tampered, replayed, stale, future, oversized and malformed frames, counting each reason', async () => {
    const me = await identity()
    const other = await identity()
    let now = NOW
    const opener = new EnvelopeOpener(new ReplayGuard({ maxSkewMs: 1000 }), () => now)
    const make = async (over: Partial<Envelope> = {}, signer = me): Promise<Uint8Array> =>
      (await sealEnvelope({ v: COORD_PROTOCOL_VERSION, kind: 'cancel', id: `m.${Math.random()}`, from: me.peerId, seq: 1, ts: now, body: bodies.cancel, ...over } as Envelope, signerFor(signer.privateKey))).bytes
    const reason = async (bytes: Uint8Array, from?: string): Promise<string> => { const r = await opener.open(bytes, from); return r.ok ? 'ok' : r.reason }
    const lines = (b: Uint8Array): string[] => new TextDecoder().decode(b).split('\n')
    const join = (l: string[]): Uint8Array => utf8(l.join('\n'))

    expect(await reason(await make({}, other))).toBe('bad-signature')
    expect(await reason(await make(), other.peerId)).toBe('sender-mismatch')
    const tampered = lines(await make())
    tampered[1] = tampered[1]!.replace('no longer needed', 'changed')
    expect(await reason(join(tampered))).toBe('bad-signature')
    // Reordering keys changes the bytes, and the bytes are what is signed.
    const reordered = lines(await make())
    const h = JSON.parse(reordered[0]!) as Record<string, unknown>
    reordered[0] = JSON.stringify({ n: h.n, ts: h.ts, from: h.from, v: h.v })
    expect(await reason(join(reordered))).toBe('bad-signature')
    const once = await make({ id: 'same' })
    expect(await reason(once)).toBe('ok')
    expect(await reason(once)).toBe('replayed')
    // A frame is all or nothing: one known id in it refuses it (and a fresh item in it is not admitted).
    const sign = signerFor(me.privateKey)
    expect(await reason(await sealItems(me.peerId, now, [item('cancel', 900), { ...item('cancel', 901), id: 'same' }], sign))).toBe('replayed')
    expect(await reason(await sealItems(me.peerId, now, [item('cancel', 900)], sign))).toBe('ok')
    expect(await reason(await sealItems(me.peerId, now, [item('cancel', 902), item('cancel', 902)], sign))).toBe('replayed')
    expect(await reason(await make({ ts: now - 5000 }))).toBe('stale')
    expect(await reason(await make({ ts: now + 5000 }))).toBe('future')
    expect(await reason(await make({ from: 'not-a-peer-id' }))).toBe('bad-peer-id')
    expect(await reason(new Uint8Array(MAX_COORD_MESSAGE_BYTES + 1))).toBe('too-large')
    expect(await reason(utf8('[1]'))).toBe('not-object')
    expect(await reason(utf8('{oops'))).toBe('not-json')
    expect(await reason(new Uint8Array([0xff, 0xfe]))).toBe('not-utf8')
    expect(await reason(await make({ v: 6 as 7 }))).toBe('unknown-version')
    // A version 1 envelope (one JSON object, no frame) is refused by version.
    expect(await reason(utf8(JSON.stringify({ v: 1, kind: 'cancel', id: 'x', from: me.peerId, seq: 1, ts: now, body: bodies.cancel, sig: 'x'.repeat(86) })))).toBe('unknown-version')
    expect(await reason(await make({ kind: 'gossip' as 'cancel' }))).toBe('unknown-kind')
    const noSig = lines(await make())
    expect(await reason(join([...noSig.slice(0, 2), 'short']))).toBe('bad-field')
    expect(await reason(join(noSig.slice(0, 2)))).toBe('bad-field') // no signature line: the count does not match
    const extra = lines(await make())
    extra[1] = extra[1]!.replace('{"kind"', '{"pad":1,"kind"')
    expect(await reason(join(extra))).toBe('bad-field')
    // Much later, the replayed id is forgotten, but the copy is too old to pass anyway.
    now += 10_000
    expect(await reason(once)).toBe('stale')
    expect(opener.rejected).toEqual({
      'bad-signature': 3, 'sender-mismatch': 1, replayed: 3, stale: 2, future: 1, 'bad-peer-id': 1,
      'too-large': 1, 'not-object': 1, 'not-json': 1, 'not-utf8': 1, 'unknown-version': 2, 'unknown-kind': 1, 'bad-field': 3
    })
  })

  it('rejects before parsing when the bytes exceed the limit, and per kind (the item\'s line) after', async () => {
    expect(() => decodeFrame(new Uint8Array(MAX_COORD_MESSAGE_BYTES + 1).fill(0x7b))).toThrow(CoordMessageError)
    const me = await identity()
    const fat = await sealItems(me.peerId, NOW, [{ kind: 'cancel', id: 'm.1', seq: 1, body: { taskId: 't-1', reason: 'x'.repeat(KIND_LIMIT_BYTES.cancel) } }], signerFor(me.privateKey))
    expect(() => decodeFrame(fat)).toThrow('items[0]: a cancel message may have at most 2048 bytes')
    const bad = await sealItems(me.peerId, NOW, [item('cancel', 1), { kind: 'bid', id: 'm.2', seq: 2, body: { bids: [{ taskId: 't', attempt: 1, agentId: 'a', skillId: 's', confidence: 7, reputation: 1, load: 0, latencyMs: 1 }] } }], signerFor(me.privateKey))
    expect(() => decodeFrame(bad)).toThrow('items[1].body.bids[0].confidence: must be between 0 and 1, got 7')
  })
})

describe('replay guard', () => {
  it('remembers ids for the window and forgets them afterwards, boundedly', () => {
    const g = new ReplayGuard({ maxSkewMs: 100 })
    expect(g.windowMs).toBe(200)
    expect(g.admit('A', '1', 1000, 1000)).toBe('ok')
    expect(g.admit('A', '1', 1000, 1050)).toBe('replayed')
    expect(g.admit('B', '1', 1000, 1050)).toBe('ok')
    for (let i = 0; i < 5000; i++) g.admit('C', String(i), 2000 + i, 2000 + i)
    expect(g.size).toBeLessThanOrEqual(201)
  })
})

describe('canonical JSON', () => {
  it('sorts keys deeply and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined }], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,{"z":1}]},"b":1}')
  })
})
