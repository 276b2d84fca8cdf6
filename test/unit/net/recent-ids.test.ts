import { describe, it, expect } from 'vitest'
import { RecentIds } from '../../../src/net/recent-ids.ts'

describe('RecentIds', () => {
  it('takes an id once and refuses its second copy', () => {
    const seen = new RecentIds(8)
    expect(seen.add('a/1')).toBe(true)
    expect(seen.add('a/2')).toBe(true)
    expect(seen.add('a/1')).toBe(false)
    expect(seen.size).toBe(2)
  })

  it('forgets the oldest id beyond its capacity, and only that one', () => {
    const seen = new RecentIds(3)
    for (const id of ['1', '2', '3', '4']) expect(seen.add(id)).toBe(true)
    expect(seen.size).toBe(3)
    expect(seen.add('2')).toBe(false)
    expect(seen.add('4')).toBe(false)
    expect(seen.add('1')).toBe(true) // forgotten, so taken again
  })

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RecentIds(0)).toThrow(/positive integer/)
    expect(() => new RecentIds(1.5)).toThrow(/positive integer/)
  })
})
