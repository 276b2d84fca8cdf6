// The graph worker's warm-up (warm-up.ts): runs one short step per task to the end, or stops when told.
import './helpers.ts'
import { describe, expect, it } from 'vitest'
import { warmUp } from '../../../src/graph/warm-up.ts'

describe('warm-up', () => {
  it('runs its steps one per task until done', async () => {
    let tasks = 0
    const w = warmUp(step => { tasks++; setTimeout(step, 0) })
    await w.done
    expect(tasks).toBeGreaterThan(5)
  })

  it('stops after the step under way when told', async () => {
    let tasks = 0
    const w = warmUp(step => { tasks++; setTimeout(step, 0) })
    await new Promise(resolve => setTimeout(resolve, 0))
    w.stop()
    await w.done
    const after = tasks
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(tasks).toBe(after)
    expect(tasks).toBeLessThan(4)
  })
})
