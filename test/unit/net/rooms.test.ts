import { describe, it, expect } from 'vitest'
import { parseRoom, RoomNameError, discoveryTopic, roomOfDiscoveryTopic, meshTopic } from '../../../src/net/rooms.ts'

describe('rooms', () => {
  it('folds case, spaces and width', () => {
    expect(parseRoom('  Team Alpha ')).toBe('team-alpha')
    expect(parseRoom('ＡＢＣ')).toBe('abc')
    expect(parseRoom('a.b_c-1')).toBe('a.b_c-1')
  })
  it('refuses odd characters, naming the character', () => {
    expect(() => parseRoom('my/room')).toThrow(RoomNameError)
    expect(() => parseRoom('my/room')).toThrow('character "/" is not allowed')
    expect(() => parseRoom('<script>')).toThrow('"<"')
    expect(() => parseRoom('-lead')).toThrow('not allowed')
    expect(() => parseRoom('')).toThrow('it is empty')
    expect(() => parseRoom('x'.repeat(65))).toThrow('longer than 64')
  })
  it('maps rooms to topics and back; only discovery topics map back', () => {
    expect(roomOfDiscoveryTopic(discoveryTopic('lobby'))).toBe('lobby')
    expect(roomOfDiscoveryTopic(meshTopic('lobby', 'app'))).toBeUndefined()
    expect(roomOfDiscoveryTopic('meshwork/../peer-discovery')).toBeUndefined()
    expect(roomOfDiscoveryTopic('_peer-discovery._p2p._pubsub')).toBeUndefined()
  })
})
