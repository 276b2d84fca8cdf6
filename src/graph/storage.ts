/**
 * Browser persistence for room graphs: automerge-repo's IndexedDB adapter. Kept apart from
 * room.ts so code that never persists (tests, Node peers) does not load it.
 */
import { IndexedDBStorageAdapter } from '@automerge/automerge-repo-storage-indexeddb'
import type { StorageAdapterInterface } from '@automerge/automerge-repo/slim'

/** IndexedDB storage for `createGraphRepo({ storage })`; one database per app (not per room). */
export function createIndexedDbStorage (database = 'meshwork', store = 'documents'): StorageAdapterInterface {
  return new IndexedDBStorageAdapter(database, store)
}
