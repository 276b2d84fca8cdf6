import { describe, expect, it } from 'vitest'
import { BLOCKED_GLOBALS, interceptClose, removeGlobals } from '../../../src/agents/runtime/sandbox.ts'

/** A stand-in for a worker's global: own properties plus two prototype levels, like DedicatedWorkerGlobalScope. */
function fakeScope () {
  const workerGlobalScope = { fetch: () => 'network', indexedDB: {}, importScripts: () => {} }
  const dedicated = Object.create(workerGlobalScope) as Record<string, unknown>
  dedicated.close = function () { (this as { closed?: boolean }).closed = true }
  const scope = Object.create(dedicated) as Record<string, unknown>
  scope.WebSocket = class {}
  scope.Math = Math
  return { scope, dedicated, workerGlobalScope }
}

describe('sandbox', () => {
  it('removes a name from the scope and every prototype, so no shadowed copy survives', () => {
    const { scope, workerGlobalScope } = fakeScope()
    scope.fetch = () => 'own copy'
    const report = removeGlobals(scope, ['fetch', 'WebSocket', 'indexedDB'])
    expect(report).toEqual({ removed: ['fetch', 'WebSocket', 'indexedDB'], remaining: [] })
    expect(scope.fetch).toBeUndefined()
    expect('fetch' in workerGlobalScope).toBe(false)
    expect(scope.Math).toBe(Math)
  })

  it('does not report names that were never there', () => {
    const { scope } = fakeScope()
    expect(removeGlobals(scope, ['WebTransport'])).toEqual({ removed: [], remaining: [] })
  })

  it('overwrites what cannot be deleted, and reports what is still reachable', () => {
    const { scope } = fakeScope()
    Object.defineProperty(scope, 'XMLHttpRequest', { value: class {}, writable: true, configurable: false })
    Object.defineProperty(scope, 'EventSource', { value: class {}, writable: false, configurable: false })
    const report = removeGlobals(scope, ['XMLHttpRequest', 'EventSource'])
    // A non-configurable but writable property can still be set to a read-only undefined; a
    // non-configurable read-only one cannot be touched, and the worker must refuse to run then.
    expect(report).toEqual({ removed: ['XMLHttpRequest'], remaining: ['EventSource'] })
    expect(scope.XMLHttpRequest).toBeUndefined()
    expect(() => { scope.XMLHttpRequest = class {} }).toThrow(TypeError)
  })

  it('blocks the APIs that reach the network, shared storage or other contexts', () => {
    for (const name of ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'importScripts', 'indexedDB', 'caches', 'BroadcastChannel', 'Worker']) {
      expect(BLOCKED_GLOBALS).toContain(name)
    }
  })

  it('interceptClose reports before the real close runs', () => {
    const { scope } = fakeScope()
    const calls: string[] = []
    interceptClose(scope, () => calls.push('reported'))
    ;(scope.close as () => void)()
    expect(calls).toEqual(['reported'])
    expect((scope as { closed?: boolean }).closed).toBe(true)
  })
})
