/**
 * The custom-agent sandbox: before a person's source is imported, the worker removes from its own
 * global scope every API that reaches the network, storage shared with the app, or other contexts
 * of the origin. A Web Worker has no other realm to fetch a fresh copy from (no iframes), so a
 * property deleted from the global object and all its prototypes is gone for the code loaded after.
 *
 * What this does NOT stop (see docs/agents.md, "Runtime"): `import('https://...')` still loads
 * code over the network unless the worker script is served with a CSP; CPU and memory use are
 * bounded only by the task timeout (a worker that exhausts memory can take the renderer with it);
 * timing side channels (the app is cross-origin isolated, so SharedArrayBuffer and precise timers
 * exist); the agent can read and forge the messages of its own worker (the main thread re-checks
 * every grant and result, so that buys it nothing beyond its own manifest).
 */

/** Globals that reach the network, shared storage or other contexts. */
export const BLOCKED_GLOBALS = [
  'fetch', 'XMLHttpRequest', 'WebSocket', 'WebSocketStream', 'WebTransport', 'EventSource',
  'importScripts', 'indexedDB', 'caches', 'BroadcastChannel', 'Worker', 'SharedWorker',
  'RTCPeerConnection', 'RTCDataChannel', 'Notification', 'cookieStore'
] as const

/**
 * `navigator` members with the same reach: Web Locks and storage (OPFS) are shared with the app's
 * origin, `serviceWorker` talks to the app's service worker, `sendBeacon` sends requests.
 */
export const BLOCKED_NAVIGATOR = ['locks', 'storage', 'serviceWorker', 'sendBeacon'] as const

export interface RemovalReport {
  /** Names that existed and are gone. */
  removed: string[]
  /** Names that still resolve to something after the attempt (the sandbox must not run then). */
  remaining: string[]
}

/**
 * Removes `names` from `scope` and every object on its prototype chain: delete where configurable,
 * else overwrite with a non-writable undefined. Reports what it could and could not remove.
 */
export function removeGlobals (scope: object, names: readonly string[]): RemovalReport {
  const removed: string[] = []
  const remaining: string[] = []
  for (const name of names) {
    let present = false
    for (let o: object | null = scope; o !== null; o = Object.getPrototypeOf(o) as object | null) {
      if (!Object.prototype.hasOwnProperty.call(o, name)) continue
      present = true
      try {
        if (!Reflect.deleteProperty(o, name)) Object.defineProperty(o, name, { value: undefined, writable: false, configurable: false })
      } catch {
        // Reported below if it is still reachable.
      }
    }
    let still: unknown
    try {
      still = (scope as Record<string, unknown>)[name]
    } catch {
      still = undefined
    }
    if (still !== undefined) remaining.push(name)
    else if (present) removed.push(name)
  }
  return { removed, remaining }
}

/**
 * Replaces `close` on `scope` and its prototypes with one that first calls `beforeClose`, so a worker
 * that closes itself says so before it goes (the liveness lock notices anyway, without the reason).
 */
export function interceptClose (scope: object, beforeClose: () => void): void {
  const original = (scope as { close?: () => void }).close
  if (typeof original !== 'function') return
  const close = function (this: unknown): void {
    beforeClose()
    original.call(scope)
  }
  for (let o: object | null = scope; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    if (!Object.prototype.hasOwnProperty.call(o, 'close')) continue
    try {
      Object.defineProperty(o, 'close', { value: close, writable: false, configurable: false })
    } catch {
      // Best effort: the lock still reports the death.
    }
  }
}
