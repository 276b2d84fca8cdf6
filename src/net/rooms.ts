/**
 * Rooms and topic names: the one place that says how a room name becomes pubsub topics.
 * Shared by the browser node and the relay (which forwards the discovery topic only).
 */

export const DEFAULT_ROOM = 'lobby'
export const ROOM_MAX_LENGTH = 64
const ROOM_PATTERN = /^[a-z0-9][a-z0-9._-]*$/

export class RoomNameError extends Error {
  constructor (readonly input: string, reason: string) {
    super(`Invalid room name ${JSON.stringify(input.slice(0, 80))}: ${reason}`)
    this.name = 'RoomNameError'
  }
}

/**
 * Turns what a person typed into a canonical room name, or throws a RoomNameError that says why not.
 * Case and surrounding spaces are folded, inner spaces become dashes; anything else outside
 * [a-z0-9._-] is refused rather than silently dropped, so two people never land in different rooms
 * thinking they share one.
 */
export function parseRoom (input: string): string {
  const folded = input.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, '-')
  if (folded.length === 0) throw new RoomNameError(input, 'it is empty')
  if (folded.length > ROOM_MAX_LENGTH) throw new RoomNameError(input, `it is longer than ${ROOM_MAX_LENGTH} characters`)
  if (!ROOM_PATTERN.test(folded)) {
    const bad = [...folded].find(c => !/[a-z0-9._-]/.test(c)) ?? folded[0] ?? ''
    throw new RoomNameError(input, `character ${JSON.stringify(bad)} is not allowed (use letters, digits, '.', '_' or '-', starting with a letter or digit)`)
  }
  return folded
}

/** The topic on which peers of a room announce their addresses (pubsub peer discovery). */
export function discoveryTopic (room: string): string {
  return `meshwork/${room}/peer-discovery`
}

/** The topic for application messages inside a room; never forwarded by the relay. */
export function meshTopic (room: string, channel: string): string {
  return `meshwork/${room}/${channel}`
}

const DISCOVERY_TOPIC_PATTERN = /^meshwork\/([a-z0-9][a-z0-9._-]{0,63})\/peer-discovery$/

/** The room a discovery topic belongs to, or undefined when the topic is not a discovery topic. */
export function roomOfDiscoveryTopic (topic: string): string | undefined {
  return DISCOVERY_TOPIC_PATTERN.exec(topic)?.[1]
}
