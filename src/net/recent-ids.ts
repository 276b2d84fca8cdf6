/**
 * The ids of the most recent messages, to drop a second copy of one: a message to the room can reach
 * a peer twice when it goes both over the direct link and over gossip (mesh-node.ts). Bounded: the
 * oldest id is forgotten once `capacity` newer ones were seen.
 */
export class RecentIds {
  private readonly ids = new Set<string>()

  constructor (private readonly capacity = 4096) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a positive integer, got ${capacity}`)
  }

  /** Notes `id`; false if it was seen already (and is still remembered). */
  add (id: string): boolean {
    if (this.ids.has(id)) return false
    this.ids.add(id)
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string)
    return true
  }

  get size (): number { return this.ids.size }
}
