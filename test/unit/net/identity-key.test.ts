import { describe, expect, it, vi } from 'vitest'
import { generateKeyPair, privateKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ed25519 } from '@noble/curves/ed25519.js'
import { generateIdentityKey } from '../../../src/net/identity.ts'

describe('identity keys', () => {
  it('are Ed25519 keys made by WebCrypto whose public half is the one the seed derives, and that sign and verify like libp2p keys', async () => {
    const made = vi.spyOn(crypto.subtle, 'generateKey')
    const key = await generateIdentityKey()
    expect(made).toHaveBeenCalledWith({ name: 'Ed25519' }, true, ['sign', 'verify'])
    made.mockRestore()
    expect(key.type).toBe('Ed25519')
    const raw = key.raw
    expect(raw.length).toBe(64)
    // The public key WebCrypto gave is the one the seed derives (what libp2p would have computed).
    expect([...raw.subarray(32)]).toEqual([...ed25519.getPublicKey(raw.subarray(0, 32))])
    const msg = new TextEncoder().encode('meshwork')
    const sig = await key.sign(msg)
    expect(await key.publicKey.verify(msg, sig)).toBe(true)
    expect(await key.publicKey.verify(new TextEncoder().encode('meshwerk'), sig)).toBe(false)
    // It round-trips through the raw form, and peer ids come out as for any libp2p Ed25519 key.
    expect(privateKeyFromRaw(raw).equals(key)).toBe(true)
    expect(peerIdFromPrivateKey(key).toString()).toMatch(/^12D3KooW/)
    const other = await generateKeyPair('Ed25519')
    expect(peerIdFromPrivateKey(other).toString()).not.toBe(peerIdFromPrivateKey(key).toString())
    // Two calls give two keys.
    expect((await generateIdentityKey()).equals(key)).toBe(false)
  })
})

describe('identity keys without WebCrypto Ed25519', () => {
  it('come from libp2p\'s own generator', async () => {
    const made = vi.spyOn(crypto.subtle, 'generateKey').mockRejectedValue(new Error('NotSupportedError'))
    try {
      const key = await generateIdentityKey()
      expect(key.type).toBe('Ed25519')
      const msg = new TextEncoder().encode('fallback')
      expect(await key.publicKey.verify(msg, await key.sign(msg))).toBe(true)
    } finally {
      made.mockRestore()
    }
  })
})
