/**
 * Peer ids as people read them. Plain string work, no libp2p: agents in workers and the UI use it
 * too (peer-ids.ts re-exports it beside the parsing that needs libp2p).
 */

/** `…` + the last 6 characters: enough to tell peers apart in a narration line. */
export function shortPeer (peerId: string): string {
  return peerId.length <= 8 ? peerId : `…${peerId.slice(-6)}`
}
