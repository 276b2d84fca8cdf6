/**
 * Which room peers a tab keeps a graph-sync session with.
 *
 * automerge-repo syncs a document with every peer it has a session with, and relays what it
 * receives: in a full mesh of N tabs each change travels up to (N-1)² times (bench:coord at 5 tabs:
 * 30 KB of graph sync per recorded task against 4.7 KB at 3). Rooms of five or more therefore sync
 * along a ring of the sorted peer ids plus chords at power-of-two distances up to N/3: degree 2 at
 * N = 5 (a ring, 2 hops across), 4 at 6-11, 6 at 12-23, so a change is sent O(N log N) times and
 * still reaches every tab in O(log N) hops. Smaller rooms keep the full mesh (one hop).
 *
 * The relation is symmetric when both tabs see the same peers; while their views differ (a tab is
 * joining or leaving) a session either side wants is answered by the other (Libp2pNetworkAdapter's
 * `syncWith`), so nobody is cut off.
 */

/** Rooms up to this many tabs sync as a full mesh. */
export const FULL_MESH_MAX = 4

/** The peers `self` syncs with, given the room's other present peers. */
export function syncNeighbours (self: string, peers: readonly string[]): Set<string> {
  const ring = [...new Set([self, ...peers])].sort()
  const n = ring.length
  if (n <= FULL_MESH_MAX) return new Set(ring.filter(p => p !== self))
  const i = ring.indexOf(self)
  const out = new Set<string>()
  for (let d = 1; d === 1 || d <= n / 3; d *= 2) {
    out.add(ring[(i + d) % n]!)
    out.add(ring[(i - d + n) % n]!)
  }
  out.delete(self)
  return out
}
