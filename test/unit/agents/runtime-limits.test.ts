import { describe, expect, it } from 'vitest'
import { childDepthBudget, defaultPoolSize, effectiveTimeout, spawnRefusal } from '../../../src/agents/runtime/limits.ts'
import { defaultLimits } from '../../../src/agents/manifest.ts'

describe('pool size', () => {
  it('is one worker per core beyond the main thread, between 2 and 4', () => {
    expect([undefined, 0, 1, 2, 3, 4, 5, 8, 64, Number.NaN].map(n => defaultPoolSize(n))).toEqual([2, 2, 2, 2, 2, 3, 4, 4, 4, 2])
  })
})

describe('task timeout', () => {
  const limits = { ...defaultLimits(), timeoutMs: 5000 }
  it('is the manifest\'s unless overridden', () => {
    expect(effectiveTimeout(limits)).toBe(5000)
    expect(effectiveTimeout(limits, 250)).toBe(250)
  })
  it('refuses an override outside the manifest bounds', () => {
    for (const bad of [99, 600_001, 1.5, Number.NaN, -1]) {
      expect(() => effectiveTimeout(limits, bad), String(bad)).toThrow('timeoutMs must be an integer between 100 and 600000')
    }
  })
})

describe('sub-agents', () => {
  const base = { tools: ['spawn'] as const, maxSubAgents: 2, depthBudget: 1, live: 0 }
  it('needs the spawn tool first of all', () => {
    expect(spawnRefusal({ ...base, tools: [] })).toEqual({ tool: true, reason: 'spawning sub-agents needs the "spawn" tool in the manifest' })
  })
  it('allows within maxSubAgents and depth', () => {
    expect(spawnRefusal(base)).toBeUndefined()
    expect(spawnRefusal({ ...base, live: 1 })).toBeUndefined()
  })
  it('refuses beyond maxSubAgents alive at once', () => {
    expect(spawnRefusal({ ...base, live: 2 })).toEqual({ tool: false, reason: 'already 2 sub-agent(s) alive, the limit is 2 (limits.maxSubAgents)' })
  })
  it('refuses when no depth is left', () => {
    expect(spawnRefusal({ ...base, depthBudget: 0 })?.reason).toContain('limits.maxDepth')
  })
  it('a child\'s depth budget is bounded by its parent\'s and by its own manifest', () => {
    expect(childDepthBudget(3, 4)).toBe(2) // the ancestor's limit binds
    expect(childDepthBudget(3, 0)).toBe(0) // the child's own manifest binds (a built-in without spawn)
    expect(childDepthBudget(1, 2)).toBe(0) // children of a maxDepth 1 agent cannot spawn
    expect(childDepthBudget(0, 2)).toBe(0)
  })
})
