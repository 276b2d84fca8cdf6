/**
 * A persistent identity per browser profile, kept in IndexedDB. Tabs of one profile must not share a
 * peer id (libp2p would treat them as one peer), so identities live in numbered slots and each tab
 * claims the lowest free slot with a Web Lock held for its lifetime. The first tab of a profile is
 * thus always the same peer, and a reopened tab gets its old id back.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'

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

export async function loadIdentity (): Promise<Identity> {
  let slot = -1
  if (typeof navigator !== 'undefined' && 'locks' in navigator) {
    for (let i = 0; i < MAX_SLOTS; i++) {
      if (await claimLock(`meshwork-identity-slot-${i}`)) { slot = i; break }
    }
  }
  // No Web Locks, or 64 tabs already open: a fresh identity for this tab only.
  if (slot < 0) return { privateKey: await generateKeyPair('Ed25519'), slot }
  const db = await openDb()
  try {
    const stored = await idb<Uint8Array | undefined>(db, 'readonly', s => s.get(slot))
    if (stored instanceof Uint8Array) {
      try { return { privateKey: privateKeyFromProtobuf(stored), slot } } catch { /* corrupt: replace below */ }
    }
    const privateKey = await generateKeyPair('Ed25519')
    await idb(db, 'readwrite', s => s.put(privateKeyToProtobuf(privateKey), slot))
    return { privateKey, slot }
  } finally {
    db.close()
  }
}
