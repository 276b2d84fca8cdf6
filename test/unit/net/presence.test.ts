import { describe, it, expect } from 'vitest'
import { PresenceTable } from '../../../src/net/presence.ts'

describe('PresenceTable', () => {
  it('joins on the first heartbeat only', () => {
    const t = new PresenceTable({ timeoutMs: 1000 })
    expect(t.heard('a', 0)).toEqual({ type: 'join', peerId: 'a', reason: 'heartbeat' })
    expect(t.heard('a', 500)).toBeUndefined()
    expect(t.list().map(e => e.peerId)).toEqual(['a'])
  })
  it('drops a peer silent for longer than the timeout, and not before', () => {
    const t = new PresenceTable({ timeoutMs: 1000 })
    t.heard('a', 0); t.heard('b', 0); t.heard('b', 900)
    expect(t.sweep(1000)).toEqual([])
    const gone = t.sweep(1001)
    expect(gone.map(c => c.peerId)).toEqual(['a'])
    expect(gone[0]?.reason).toContain('silent for 1001 ms')
    expect(t.has('b')).toBe(true)
  })
  it('drops at once on goodbye, once', () => {
    const t = new PresenceTable({ timeoutMs: 1000 })
    t.heard('a', 0)
    expect(t.gone('a', 'said goodbye')?.type).toBe('leave')
    expect(t.gone('a', 'said goodbye')).toBeUndefined()
  })
  it('does not move lastSeen backwards on a late heartbeat', () => {
    const t = new PresenceTable({ timeoutMs: 1000 })
    t.heard('a', 500); t.heard('a', 100)
    expect(t.get('a')?.lastSeen).toBe(500)
  })
})
