/**
 * A persistent identity per browser profile, kept in IndexedDB. Tabs of one profile must not share a
 * peer id (libp2p would treat them as one peer), so identities live in numbered slots and each tab
 * claims the lowest free slot with a Web Lock held for its lifetime. The first tab of a profile is
 * thus always the same peer, and a reopened tab gets its old id back.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyFromRaw, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { fromString } from 'uint8arrays/from-string'

const DB_NAME = 'meshwork-identity'
const STORE = 'keys'
const MAX_SLOTS = 64

function openDb (): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1)
    req.onupgradeneeded = () => { req.result.createObjectStore(STORE) }
    req.onsuccess = () => { resolve(req.result) }
    req.onerror = () => { reject(req.error ?? new Error('cannot open the identity database')) }
  })
}

function idb<T> (db: IDBDatabase, mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode)
    const req = fn(tx.objectStore(STORE))
    tx.oncomplete = () => { resolve(req.result as T) }
    tx.onerror = () => { reject(tx.error ?? new Error('identity database error')) }
  })
}

/** Holds the lock for `name` until the page goes away; resolves false at once if another tab holds it. */
function claimLock (name: string): Promise<boolean> {
  return new Promise(resolve => {
    void navigator.locks.request(name, { ifAvailable: true }, async lock => {
      if (lock === null) { resolve(false); return }
      resolve(true)
      await new Promise(() => {}) // held for the tab's lifetime
    })
  })
}

export interface Identity { privateKey: PrivateKey, slot: number }

/**
 * A new Ed25519 key, made by WebCrypto where it can: libp2p makes keys with @noble/curves in
 * JavaScript, whose first use builds its base-point tables, ~100 ms of a new tab's main thread on the
 * way to its first connection (bench:graph's joiner profile); libp2p already signs and verifies with
 * WebCrypto where it has Ed25519. Falls back to libp2p's own generator.
 */
export async function generateIdentityKey (): Promise<PrivateKey> {
  try {
    const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']) as CryptoKeyPair
    const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey)
    if (typeof jwk.d !== 'string' || typeof jwk.x !== 'string') throw new Error('no Ed25519 key material in the JWK')
    const seed = fromString(jwk.d, 'base64url')
    const pub = fromString(jwk.x, 'base64url')
    if (seed.length !== 32 || pub.length !== 32) throw new Error('unexpected Ed25519 key lengths')
    const raw = new Uint8Array(64)
    raw.set(seed)
    raw.set(pub, 32)
    return privateKeyFromRaw(raw)
  } catch {
    return await generateKeyPair('Ed25519')
  }
}

export async function loadIdentity (): Promise<Identity> {
  let slot = -1
  if (typeof navigator !== 'undefined' && 'locks' in navigator) {
    for (let i = 0; i < MAX_SLOTS; i++) {
      if (await claimLock(`meshwork-identity-slot-${i}`)) { slot = i; break }
    }
  }
  // No Web Locks, or 64 tabs already open: a fresh identity for this tab only.
  if (slot < 0) return { privateKey: await generateIdentityKey(), slot }
  const db = await openDb()
  try {
    const stored = await idb<Uint8Array | undefined>(db, 'readonly', s => s.get(slot))
    if (stored instanceof Uint8Array) {
      try { return { privateKey: privateKeyFromProtobuf(stored), slot } } catch { /* corrupt: replace below */ }
    }
    const privateKey = await generateIdentityKey()
    await idb(db, 'readwrite', s => s.put(privateKeyToProtobuf(privateKey), slot))
    return { privateKey, slot }
  } finally {
    db.close()
  }
}
