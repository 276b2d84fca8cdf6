import { describe, expect, it } from 'vitest'
import { clock } from './helpers.ts'
import { identity } from '../coord/sim.ts'
import { AttestationChecker, attestationStatement, signAttestation } from '../../../src/graph/attestation-proof.ts'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import { GraphValidationError, validateAttestation, type Entity } from '../../../src/graph/schema.ts'
import { SIGNATURE_LENGTH, syncSignerFor } from '../../../src/net/peer-signature.ts'
import { EntityProofs } from '../../../src/coord/entity-proof.ts'

const shortPeer = (p: string): string => `…${p.slice(-6)}`

async function tab (room = 'proofs'): Promise<{ peerId: string, graph: Awaited<ReturnType<typeof openRoomGraph>>, sign: ReturnType<typeof syncSignerFor> }> {
  const me = await identity()
  const sign = syncSignerFor(me.privateKey)
  const graph = await openRoomGraph(createGraphRepo(), room, { actor: { agentId: 'person', peerId: me.peerId }, now: clock(), sign })
  return { peerId: me.peerId, graph, sign }
}

describe('signed attestations', () => {
  it('a verification, dispute or retraction in the tab\'s own name is signed, and the signature proves it', async () => {
    const { graph, peerId } = await tab()
    const checker = new AttestationChecker()
    const id = graph.add({ kind: 'fact', title: 'Water', text: 'water boils at 100 °C at sea level' })
    graph.verify(id)
    const verified = graph.get(id)!
    expect(verified.verifiedBy[0]).toMatchObject({ peerId, agentId: 'person' })
    expect(verified.verifiedBy[0]!.sig).toHaveLength(SIGNATURE_LENGTH)
    expect(checker.provenStatus(verified)).toMatchObject({ status: 'verified', written: 'verified', checks: [{ as: 'verifiedBy' }] })
    expect(checker.provenStatus(verified).checks[0]!.why).toBeUndefined()
    graph.dispute(id, undefined, 'not at altitude')
    expect(checker.provenStatus(graph.get(id)!).status).toBe('disputed')
    graph.retract(id, 'wrong room')
    const retracted = graph.get(id)!
    expect(retracted.retraction!.sig).toHaveLength(SIGNATURE_LENGTH)
    expect(checker.provenStatus(retracted).status).toBe('retracted')
  })

  it('the signature vouches for the entity as it stood: a later edit of its text or title leaves it unproven', async () => {
    const { graph } = await tab()
    const checker = new AttestationChecker()
    const id = graph.add({ kind: 'fact', text: 'the relay listens on port 9090' })
    graph.verify(id)
    graph.update(id, { confidence: 0.9, tags: ['relay'] }) // not what it states: still proven
    expect(checker.provenStatus(graph.get(id)!).status).toBe('verified')
    graph.update(id, { text: 'the relay listens on port 9091' })
    const edited = graph.get(id)!
    expect(edited.status).toBe('verified') // as written
    expect(checker.provenStatus(edited)).toMatchObject({ status: 'proposed', written: 'verified', checks: [{ as: 'verifiedBy', why: 'bad-signature' }] })
  })

  it('an attestation written in another peer\'s name, unsigned or signed by someone else, proves nothing', async () => {
    const honest = await tab()
    const rogue = await identity()
    const checker = new AttestationChecker()
    const id = honest.graph.add({ kind: 'fact', text: 'the moon is made of cheese' })
    const entity = honest.graph.get(id)!
    // What a rogue member can write: the honest peer's id with no signature, or with the rogue's own.
    const unsigned = { peerId: honest.peerId, agentId: 'person', at: entity.provenance.createdAt + 1 }
    const rogueSigned = signAttestation(entity, 'verifiedBy', unsigned, syncSignerFor(rogue.privateKey))
    const lie = (verifiedBy: Entity['verifiedBy']): Entity => ({ ...entity, status: 'verified', verifiedBy })
    expect(checker.provenStatus(lie([unsigned]))).toMatchObject({ status: 'proposed', checks: [{ why: 'unsigned' }] })
    expect(checker.provenStatus(lie([rogueSigned]))).toMatchObject({ status: 'proposed', checks: [{ why: 'bad-signature' }] })
    expect(checker.provenStatus(lie([{ ...unsigned, peerId: 'not-a-peer', sig: rogueSigned.sig! }]))).toMatchObject({ status: 'proposed', checks: [{ why: 'bad-peer-id' }] })
    // The honest peer's signature over another entity, or over a verification of this one, does not carry over.
    const other = honest.graph.add({ kind: 'fact', text: 'the moon orbits the earth' })
    honest.graph.verify(other)
    const stolen = honest.graph.get(other)!.verifiedBy[0]!
    expect(checker.provenStatus(lie([stolen])).status).toBe('proposed')
    expect(checker.provenStatus({ ...entity, status: 'disputed', disputedBy: [{ ...stolen, reason: 'x' }] }).status).toBe('proposed')
    // A forged retraction hides nothing.
    expect(checker.provenStatus({ ...entity, status: 'retracted', retraction: unsigned }).status).toBe('proposed')
    // The rogue signing in its own name is proven: as the rogue's word.
    const own = signAttestation(entity, 'verifiedBy', { ...unsigned, peerId: rogue.peerId }, syncSignerFor(rogue.privateKey))
    expect(checker.provenStatus(lie([own])).status).toBe('verified')
  })

  it('a graph without the key, or writing in another peer\'s name, writes unsigned attestations', async () => {
    const graph = await openRoomGraph(createGraphRepo(), 'proofs', { actor: { agentId: 'person', peerId: '12D3KooWNoKey' }, now: clock() })
    const id = graph.add({ kind: 'fact', text: 'x' })
    graph.verify(id)
    expect(graph.get(id)!.verifiedBy[0]!.sig).toBeUndefined()
    const { graph: keyed, peerId } = await tab()
    const id2 = keyed.add({ kind: 'fact', text: 'y' })
    keyed.verify(id2, { peerId: '12D3KooWSomeoneElse', agentId: 'checker' })
    keyed.verify(id2)
    const [theirs, mine] = keyed.get(id2)!.verifiedBy
    expect(theirs!.sig).toBeUndefined()
    expect(mine).toMatchObject({ peerId })
    expect(mine!.sig).toHaveLength(SIGNATURE_LENGTH)
  })

  it('a JSON export carries the signatures, and an import keeps them provable', async () => {
    const a = await tab('carry-a')
    const id = a.graph.add({ kind: 'fact', text: 'signatures survive a round trip' })
    a.graph.verify(id)
    const b = await tab('carry-b')
    b.graph.importJson(JSON.parse(JSON.stringify(a.graph.exportJson())))
    const carried = b.graph.get(id)!
    expect(carried.verifiedBy[0]!.sig).toBe(a.graph.get(id)!.verifiedBy[0]!.sig)
    expect(new AttestationChecker().provenStatus(carried).status).toBe('verified')
  })

  it('a malformed signature is refused on write and on receipt, naming the field', () => {
    const ok = { peerId: 'p', at: 1_700_000_000_000 }
    expect(() => validateAttestation({ ...ok, sig: 'short' }, 'verifiedBy[0]')).toThrow(GraphValidationError)
    expect(() => validateAttestation({ ...ok, sig: 'short' }, 'verifiedBy[0]')).toThrow(/^verifiedBy\[0\]\.sig: must be an Ed25519 signature \(86 base64url characters\), got "short" \(5 characters\)$/)
    expect(() => validateAttestation({ ...ok, sig: 42 })).toThrow(/attestation\.sig: .* got number/)
    expect(() => validateAttestation({ ...ok, sig: '+'.repeat(86) })).toThrow(/sig: must be an Ed25519 signature/)
    expect(validateAttestation({ ...ok, sig: 'A'.repeat(86) }).sig).toBe('A'.repeat(86))
  })

  it('states what it signs: the entity, where the attestation sits, who, when, why, and a digest of the claim', () => {
    const e = { id: 'fact:x', kind: 'fact' as const, text: 'a', title: 't' }
    const a = { peerId: 'p', agentId: 'person', at: 5, reason: 'r' }
    const s = attestationStatement(e, 'disputedBy', a)
    expect(s.startsWith('meshwork-attest/1\n{"agentId":"person","at":5,"claim":"')).toBe(true)
    expect(s.endsWith('","entity":"fact:x","list":"disputedBy","peerId":"p","reason":"r"}')).toBe(true)
    expect(attestationStatement({ ...e, text: 'b' }, 'disputedBy', a)).not.toBe(s)
    expect(attestationStatement({ ...e, title: undefined }, 'disputedBy', a)).not.toBe(s)
    expect(attestationStatement(e, 'verifiedBy', a)).not.toBe(s)
  })
})

describe('an entity\'s proof, as the Graph tab shows it and agents read it', () => {
  it('says who proves the written status, or why it is not taken and what agents read instead', async () => {
    const { graph, peerId } = await tab()
    const proofs = new EntityProofs()
    const get = (id: string): Entity | undefined => graph.get(id)
    const id = graph.add({ kind: 'fact', text: 'the relay runs on port 9090' })
    expect(proofs.prove(graph.get(id)!, get)).toEqual({ status: 'proposed', written: 'proposed', text: 'proposed: nobody has verified or disputed it' })
    graph.verify(id)
    expect(proofs.prove(graph.get(id)!, get)).toEqual({ status: 'verified', written: 'verified', ok: true, text: `verified by ${shortPeer(peerId)}: the signature checks` })
    const e = graph.get(id)!
    const forged = { ...e, status: 'verified' as const, verifiedBy: [{ peerId: '12D3KooWRogue', at: e.provenance.createdAt + 5 }] }
    expect(proofs.prove(forged, get)).toEqual({ status: 'proposed', written: 'verified', ok: false, text: 'written as verified, but the verification in …WRogue\'s name is not signed: agents read it as proposed' })
    const noAttestation = { ...e, status: 'verified' as const, verifiedBy: [] }
    expect(proofs.prove(noAttestation, get).text).toBe('written as verified, but no signed attestation says so: agents read it as proposed')
    // A signed verification under a forged dispute: agents read it as verified.
    const overDispute = { ...e, status: 'disputed' as const, disputedBy: [{ peerId: '12D3KooWRogue', at: e.provenance.createdAt + 9, reason: 'no' }] }
    expect(proofs.prove(overDispute, get)).toEqual({
      status: 'verified', written: 'disputed', ok: false,
      text: `written as disputed, but the dispute in …WRogue's name is not signed: agents read it as verified (verified by ${shortPeer(peerId)}: the signature checks)`
    })
  })
})
