import { describe, expect, it } from 'vitest'
import { digestProblems, healedProblem } from '../../../src/ui/problem-digest.ts'
import type { MeshProblem } from '../../../src/net/mesh-node.ts'

const p = (source: MeshProblem['source'], reason: string, at: number, message = `${reason} at ${at}`): MeshProblem => ({ source, reason, message, at })

describe('digestProblems', () => {
  it('groups problems by kind, newest kind first, each with its count and latest message', () => {
    const d = digestProblems([
      p('agents', 'record-restored', 100, 'put back calculator'),
      p('dial', 'failed', 200),
      p('dial', 'failed', 300, 'WebRTC dial to …a1b2c3 failed 5 times'),
      p('coord', 'bad-signature', 250)
    ])
    expect(d.total).toBe(4)
    expect(d.newestAt).toBe(300)
    expect(d.kinds.map(k => [k.key, k.count, k.latest.message])).toEqual([
      ['dial:failed', 2, 'WebRTC dial to …a1b2c3 failed 5 times'],
      ['coord:bad-signature', 1, 'bad-signature at 250'],
      ['agents:record-restored', 1, 'put back calculator']
    ])
  })

  it('leaves out what was dismissed, and a newer problem of a dismissed kind comes back alone', () => {
    const list = [p('dial', 'failed', 100), p('agents', 'record-restored', 200), p('dial', 'failed', 300)]
    expect(digestProblems(list, 300)).toEqual({ kinds: [], total: 0, newestAt: 0 })
    const after = digestProblems(list, 200)
    expect(after.kinds.map(k => [k.key, k.count])).toEqual([['dial:failed', 1]])
    expect(after.newestAt).toBe(300)
  })

  it('keeps the newest message of a kind when an earlier problem is listed after it', () => {
    const d = digestProblems([p('graph', 'invalid', 500, 'newer'), p('graph', 'invalid', 400, 'older')])
    expect(d.kinds).toHaveLength(1)
    expect(d.kinds[0]).toMatchObject({ count: 2, latest: { message: 'newer' } })
  })

  it('orders kinds whose latest problems are equally new by key, so the banner does not flicker', () => {
    const d = digestProblems([p('relay', 'unreachable', 100), p('config', 'bad-relay', 100)])
    expect(d.kinds.map(k => k.key)).toEqual(['config:bad-relay', 'relay:unreachable'])
  })

  it('leaves out problems that have healed: a relay outage once the relay is back, failed dials to a peer now linked', () => {
    const list = [
      p('relay', 'unreachable', 100),
      { ...p('dial', 'failed', 200), peerId: 'peer-a' },
      { ...p('dial', 'failed', 300), peerId: 'peer-b' },
      p('relay', 'unreachable', 400),
      p('message', 'bad-signature', 150)
    ]
    // The relay came back at 250 (after the first outage, before the second); peer-a is linked.
    const healed = (q: MeshProblem): boolean => healedProblem(q, { relayConnectedAt: 250, linked: new Set(['peer-a']) })
    const d = digestProblems(list, 0, healed)
    expect(d.kinds.map(k => [k.key, k.count, k.latest.at])).toEqual([['relay:unreachable', 1, 400], ['dial:failed', 1, 300], ['message:bad-signature', 1, 150]])
    // A relay that is not connected heals nothing; other kinds never heal.
    expect(healedProblem(p('relay', 'unreachable', 100), { linked: new Set() })).toBe(false)
    expect(healedProblem({ ...p('message', 'bad-signature', 100), peerId: 'peer-a' }, { relayConnectedAt: 500, linked: new Set(['peer-a']) })).toBe(false)
  })

  it('a link that broke, or could not open its stream, heals once the peer is linked again; a link closed for bad input does not', () => {
    const linked = { linked: new Set(['peer-a']) }
    expect(healedProblem({ ...p('link', 'failed', 100), peerId: 'peer-a' }, linked)).toBe(true)
    expect(healedProblem({ ...p('link', 'open-failed', 100), peerId: 'peer-a' }, linked)).toBe(true)
    expect(healedProblem({ ...p('link', 'failed', 100), peerId: 'peer-b' }, linked)).toBe(false)
    expect(healedProblem({ ...p('link', 'malformed', 100), peerId: 'peer-a' }, linked)).toBe(false)
  })
})
