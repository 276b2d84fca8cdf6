import { describe, expect, it } from 'vitest'
import type { ProtocolEvent } from '../../../src/coord/engine.ts'
import { TimelineBuffer } from '../../../src/ui/tasks/timeline.ts'

const ev = (taskId: string | undefined, at: number, kind: ProtocolEvent['kind'] = 'announce'): ProtocolEvent => ({ kind, taskId, from: 'peer-a', summary: `${kind} ${taskId ?? ''}`, at })

describe('task timeline', () => {
  it('filters to a task and its subtasks, keeping refused messages visible', () => {
    const t = new TimelineBuffer()
    t.protocol(ev('t-1', 1))
    t.protocol(ev('t-2', 2))
    t.protocol(ev('t-1/1', 3, 'award'))
    t.protocol(ev('t-10', 4))
    t.rejected({ reason: 'bad-signature', detail: 'forged', from: 'peer-x', at: 5 })
    t.protocol(ev(undefined, 6, 'decision'))
    expect(t.view('t-1').map(l => l.at)).toEqual([1, 3, 5])
    expect(t.view().map(l => l.at)).toEqual([1, 2, 3, 4, 5, 6])
    const rejected = t.view().find(l => l.rejected)!
    expect(rejected).toMatchObject({ kind: 'rejected', summary: 'bad-signature: forged', from: 'peer-x' })
  })

  it('caps what it keeps and what it shows, newest kept, oldest first', () => {
    const t = new TimelineBuffer(100)
    for (let i = 0; i < 1000; i++) t.protocol(ev(i % 2 === 0 ? 'even' : 'odd', i))
    expect(t.size).toBeLessThanOrEqual(110)
    expect(t.size).toBeGreaterThanOrEqual(100)
    const all = t.view(undefined, 500)
    expect(all.at(-1)!.at).toBe(999)
    expect(all.map(l => l.at)).toEqual([...all.map(l => l.at)].sort((a, b) => a - b))
    const shown = t.view('even', 20)
    expect(shown).toHaveLength(20)
    expect(shown[0]!.at).toBe(960)
    expect(shown.at(-1)!.at).toBe(998)
    // Keys stay unique and increasing across drops.
    const seqs = all.map(l => l.seq)
    expect(new Set(seqs).size).toBe(seqs.length)
  })

  it('shows 500 lines by default', () => {
    const t = new TimelineBuffer()
    for (let i = 0; i < 3000; i++) t.protocol(ev('t', i))
    expect(t.view('t')).toHaveLength(500)
    expect(t.view('t')[0]!.at).toBe(2500)
  })
})
