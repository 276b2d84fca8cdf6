import { describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { peerIdOf } from '../../../src/net/peer-ids.ts'

describe('peerIdOf', () => {
  it('parses an id once and hands back the same PeerId, equal to the original', async () => {
    const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const s = id.toString()
    const a = peerIdOf(s)
    expect(a.equals(id)).toBe(true)
    expect(peerIdOf(s)).toBe(a)
  })

  it('throws on a malformed id and does not remember it', () => {
    expect(() => peerIdOf('not-a-peer-id')).toThrow()
    expect(() => peerIdOf('not-a-peer-id')).toThrow()
  })

  it('stays bounded: the oldest ids are parsed again after 1024 others', async () => {
    const first = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const p = peerIdOf(first)
    for (let i = 0; i < 1024; i++) peerIdOf(peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString())
    const again = peerIdOf(first)
    expect(again).not.toBe(p)
    expect(again.equals(p)).toBe(true)
  })
})
