/**
 * What the rest of the app needs from the room's agent registry, whoever holds its Automerge
 * document: {@link AgentRegistry} (registry.ts) holds it in-process (Node, tests); in a tab,
 * `RemoteAgentRegistry` (remote-registry.ts) keeps a validated mirror of the records on the page
 * while the document, its Repo, sync and storage run in the graph worker. Both pass one compliance
 * suite (test/unit/agents/registry-suite.ts).
 *
 * The contract:
 * - Reads are synchronous and cheap, and return only valid records: a malformed record, or one
 *   the peer it names did not sign (from a buggy or hostile peer), is skipped and listed by
 *   `invalid()` with the reason, never returned.
 * - Writes are synchronous and read-your-writes: `get`/`list` show them at once, and a `change`
 *   event with origin `local` naming the written ids is emitted before `put`/`remove` return.
 *   `put` validates every record first and writes none if one is bad (RegistryRecordError).
 *   A write is never dropped, even when it is made before the document is open.
 * - A registry writes as its owner (RegistryOwner): `put` signs each record with the owner's key
 *   and refuses records of another peer's agents, `remove` refuses their ids. A removal is itself
 *   a signed value (`removed: true`) that takes the record's place, so only the agent's peer can
 *   remove it, and each write of an agent is newer (`updatedAt`) than the value it replaces.
 * - `restore` puts back another peer's record or removal exactly as that peer signed it, only if it
 *   is newer than what the document holds (checked again where the document is), so a member who
 *   removed or replayed a record of a peer that is away can be undone by any other (RegistryKeeper).
 * - `change` events name the agent ids whose record was added, replaced or removed; `remote` ones
 *   come from sync or storage.
 * - Only the peer hosting an agent writes its record, so writers never contend for one key; a
 *   record someone else writes in its name does not verify and is skipped.
 */
import type { SyncSigner } from '../net/peer-signature.ts'
import type { AgentRecord, RegistryEntry } from './registry.ts'

export interface RegistryChange {
  /** Agent ids whose record was added, replaced or removed. */
  ids: string[]
  origin: 'local' | 'remote'
}

export interface AgentRegistryApi {
  /** Calls `fn` on every change; returns the function that stops it. */
  on: (event: 'change', fn: (c: RegistryChange) => void) => () => void
  /** Every valid record. */
  list: () => AgentRecord[]
  get: (agentId: string) => AgentRecord | undefined
  /** Records that failed validation, by agent id, with the reason. */
  invalid: () => Array<{ agentId: string, reason: string }>
  /** The stored value for an agent id as read (a valid record, a valid removal, or why neither); undefined if there is none. */
  entry: (agentId: string) => RegistryEntry | undefined
  /** Adds or replaces this peer's records, signed, all at once; throws RegistryRecordError (writing nothing) if one is bad or another peer's. */
  put: (...records: AgentRecord[]) => void
  /** Removes this peer's records with a signed removal each (ids without one are ignored); throws RegistryRecordError on another peer's id. */
  remove: (...agentIds: string[]) => void
  /**
   * Writes another peer's record or removal `raw`, exactly as that peer signed it, if it is newer
   * than what the document holds for `agentId` (or nothing there counts). Throws RegistryRecordError
   * if it does not verify. Returns whether it was written; where the document lives elsewhere (a
   * tab) the write is checked again there, so it never replaces a newer value that arrived meanwhile.
   */
  restore: (agentId: string, raw: string) => boolean
  /** Stops events and releases the document. */
  close: () => void
}

/** The peer a registry writes as: it writes only its own agents' records, each signed with its key. */
export interface RegistryOwner {
  peerId: string
  sign: SyncSigner
}
