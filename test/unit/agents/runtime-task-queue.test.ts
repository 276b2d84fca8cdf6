import { describe, expect, it } from 'vitest'
import { QueueFullError, TaskQueue, type Release } from '../../../src/agents/runtime/task-queue.ts'

/** Resolves pending promise callbacks. */
const flush = async (): Promise<void> => { for (let i = 0; i < 5; i++) await Promise.resolve() }

function track (p: Promise<Release>): { release?: Release, error?: unknown } {
  const t: { release?: Release, error?: unknown } = {}
  p.then(r => { t.release = r }, e => { t.error = e })
  return t
}

describe('task queue', () => {
  it('admits at once under both limits', async () => {
    const q = new TaskQueue(4, 10)
    const a = track(q.acquire('a', 2))
    const b = track(q.acquire('a', 2))
    await flush()
    expect(a.release).toBeTypeOf('function')
    expect(b.release).toBeTypeOf('function')
    expect(q.running).toBe(2)
    expect(q.runningFor('a')).toBe(2)
  })

  it('holds a task while its agent is at maxConcurrentTasks and starts it when one finishes', async () => {
    const q = new TaskQueue(4, 10)
    const a1 = track(q.acquire('a', 1))
    const a2 = track(q.acquire('a', 1))
    await flush()
    expect(a2.release).toBeUndefined()
    expect(q.queuedFor('a')).toBe(1)
    a1.release!()
    await flush()
    expect(a2.release).toBeTypeOf('function')
    expect(q.runningFor('a')).toBe(1)
  })

  it('a saturated agent does not block other agents queued behind it', async () => {
    const q = new TaskQueue(2, 10)
    const a1 = track(q.acquire('a', 1))
    const b1 = track(q.acquire('b', 1))
    await flush()
    const a2 = track(q.acquire('a', 1)) // waits: tab full
    const c1 = track(q.acquire('c', 1)) // waits: tab full
    await flush()
    b1.release!() // one tab slot frees; a is still saturated, so c goes first
    await flush()
    expect(a2.release).toBeUndefined()
    expect(c1.release).toBeTypeOf('function')
    a1.release!()
    await flush()
    expect(a2.release).toBeTypeOf('function')
  })

  it('serves waiters of the tab limit in arrival order', async () => {
    const q = new TaskQueue(1, 10)
    const first = track(q.acquire('x', 5))
    const order: string[] = []
    const waiting = ['b', 'c', 'd'].map(k => q.acquire(k, 1).then(r => { order.push(k); r() }))
    await flush()
    first.release!()
    await Promise.all(waiting)
    expect(order).toEqual(['b', 'c', 'd'])
    expect(q.running).toBe(0)
  })

  it('a new task of an agent queues behind that agent\'s waiting tasks (no overtaking)', async () => {
    const q = new TaskQueue(1, 10)
    const hold = track(q.acquire('a', 1))
    const order: number[] = []
    const w1 = q.acquire('a', 1).then(r => { order.push(1); r() })
    await flush()
    hold.release!()
    const w2 = q.acquire('a', 1).then(r => { order.push(2); r() })
    await Promise.all([w1, w2])
    expect(order).toEqual([1, 2])
  })

  it('refuses with QueueFullError when maxQueued tasks already wait', async () => {
    const q = new TaskQueue(1, 2)
    track(q.acquire('a', 1))
    track(q.acquire('b', 1))
    track(q.acquire('c', 1))
    const d = track(q.acquire('d', 1))
    await flush()
    expect(d.error).toBeInstanceOf(QueueFullError)
    expect((d.error as Error).message).toBe('2 tasks are already waiting for a slot')
  })

  it('an aborted waiter leaves the queue with the signal\'s reason and takes no slot', async () => {
    const q = new TaskQueue(1, 10)
    const hold = track(q.acquire('a', 1))
    const ac = new AbortController()
    const w = track(q.acquire('b', 1, ac.signal))
    await flush()
    ac.abort(new Error('gave up'))
    await flush()
    expect((w.error as Error).message).toBe('gave up')
    expect(q.queued).toBe(0)
    hold.release!()
    expect(q.running).toBe(0)
  })

  it('an already aborted signal is refused without queueing', async () => {
    const q = new TaskQueue(1, 10)
    const w = track(q.acquire('a', 1, AbortSignal.abort(new Error('too late'))))
    await flush()
    expect((w.error as Error).message).toBe('too late')
    expect(q.running).toBe(0)
  })

  it('rejectWaiting fails only that agent\'s waiting tasks', async () => {
    const q = new TaskQueue(1, 10)
    const hold = track(q.acquire('x', 1))
    const a = track(q.acquire('a', 1))
    const b = track(q.acquire('b', 1))
    await flush()
    q.rejectWaiting('a', new Error('stopped'))
    await flush()
    expect((a.error as Error).message).toBe('stopped')
    expect(b.error).toBeUndefined()
    hold.release!()
    await flush()
    expect(b.release).toBeTypeOf('function')
  })

  it('releasing twice frees one slot only', async () => {
    const q = new TaskQueue(2, 10)
    const a = track(q.acquire('a', 2))
    track(q.acquire('a', 2))
    await flush()
    a.release!()
    a.release!()
    expect(q.running).toBe(1)
    expect(q.runningFor('a')).toBe(1)
  })

  it('refuses bad limits', () => {
    expect(() => new TaskQueue(0, 1)).toThrow(RangeError)
    expect(() => new TaskQueue(1, -1)).toThrow(RangeError)
  })
})
