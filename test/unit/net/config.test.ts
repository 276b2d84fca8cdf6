import { describe, it, expect } from 'vitest'
import { parseRelayAddress, parseIceServers, resolveConfig, RelayAddressError } from '../../../src/net/config.ts'

const ID = '12D3KooWRB26hSkQjP1zpgmQfg47NiV7nbEjyW7pdSEiYW2fLCVU'
const good = `/ip4/127.0.0.1/tcp/9090/ws/p2p/${ID}`

describe('relay addresses', () => {
  it('accepts ws and wss multiaddrs that end in the relay id', () => {
    expect(parseRelayAddress(good).toString()).toBe(good)
    expect(parseRelayAddress(`/dns4/relay.example.org/tcp/443/wss/p2p/${ID}`).toString()).toContain('/wss/')
  })
  it.each([
    ['', 'it is empty'],
    ['ws://127.0.0.1:9090', 'starts with "/"'],
    ['/ip4/999.1.1.1/tcp/1/ws/p2p/x', 'does not parse'],
    [`/ip4/127.0.0.1/tcp/9090/p2p/${ID}`, 'needs /ws or /wss'],
    ['/ip4/127.0.0.1/tcp/9090/ws', 'must end with /p2p/']
  ])('refuses %j: %s', (input, why) => {
    expect(() => parseRelayAddress(input)).toThrow(RelayAddressError)
    expect(() => parseRelayAddress(input)).toThrow(why)
  })
})

describe('ICE servers', () => {
  it('parses lists and JSON', () => {
    expect(parseIceServers('')).toEqual([])
    expect(parseIceServers('stun:a.example:3478, turn:b.example')).toEqual([{ urls: 'stun:a.example:3478' }, { urls: 'turn:b.example' }])
    expect(parseIceServers('[{"urls":["turns:t.example"],"username":"u","credential":"c"}]')[0]?.username).toBe('u')
  })
  it('refuses what is not an ICE URL', () => {
    expect(() => parseIceServers('http://x')).toThrow('not a stun:')
    expect(() => parseIceServers('[{"x":1}]')).toThrow('needs "urls"')
    expect(() => parseIceServers('[oops')).toThrow('not valid JSON')
  })
})

describe('resolveConfig', () => {
  const url = (q: string): URLSearchParams => new URLSearchParams(q)
  it('takes URL over settings over server, and defaults the room', () => {
    const other = `/ip4/10.0.0.1/tcp/1/ws/p2p/${ID}`
    const r = resolveConfig({ url: url(`relay=${encodeURIComponent(other)}`), settings: { relay: good, room: 'Saved' }, server: { relays: [good] } })
    expect(r.config.relays).toEqual([other])
    expect(r.config.room).toBe('saved')
    expect(r.problems).toEqual([])
    expect(resolveConfig({ url: url(''), settings: {}, server: undefined }).config).toEqual({ relays: [], room: 'lobby', iceServers: [] })
  })
  it('skips a bad value with a specific problem and falls back to the next source', () => {
    const r = resolveConfig({ url: url('relay=/ip4/1.2.3.4/tcp/1/ws&room=a/b&ice=http://x'), settings: {}, server: { relays: [good] } })
    expect(r.config.relays).toEqual([good])
    expect(r.config.room).toBe('lobby')
    expect(r.problems.map(p => `${p.source}:${p.field}`)).toEqual(['url:relay', 'url:room', 'url:ice'])
    expect(r.problems[0]?.message).toContain('must end with /p2p/')
  })
})
