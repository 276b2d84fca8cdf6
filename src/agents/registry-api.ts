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
 *   and refuses records of another peer's agents, `remove` refuses their ids.
 * - `change` events name the agent ids whose record was added, replaced or removed; `remote` ones
 *   come from sync or storage.
 * - Only the peer hosting an agent writes its record, so writers never contend for one key; a
 *   record someone else writes in its name does not verify and is skipped.
 */
import type { SyncSigner } from '../net/peer-signature.ts'
import type { AgentRecord } from './registry.ts'

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
  /** Adds or replaces this peer's records, signed, all at once; throws RegistryRecordError (writing nothing) if one is bad or another peer's. */
  put: (...records: AgentRecord[]) => void
  /** Removes this peer's records (ids without one are ignored); throws RegistryRecordError on another peer's id. */
  remove: (...agentIds: string[]) => void
  /** Stops events and releases the document. */
  close: () => void
}

/** The peer a registry writes as: it writes only its own agents' records, each signed with its key. */
export interface RegistryOwner {
  peerId: string
  sign: SyncSigner
}
