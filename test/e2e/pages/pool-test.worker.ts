/**
 * A pool worker for the runtime e2e suite: the real agent worker, plus one extra message the test
 * page can post to a chosen pool worker to make it misbehave the way a faulty built-in would
 * (block its thread, then throw an uncaught error or silently close), without changing any built-in.
 */
import '../../../src/agents/runtime/agent.worker.ts'

self.addEventListener('message', (e: MessageEvent) => {
  const d = e.data as { type?: string, blockMs?: number, throw?: boolean, close?: boolean } | undefined
  if (d?.type !== 'test:poison') return
  const end = performance.now() + (d.blockMs ?? 0)
  while (performance.now() < end) { /* hold the thread like a faulty handler would */ }
  // Closing says nothing to the main thread: only the liveness lock can tell it the worker is gone.
  if (d.close === true) self.close()
  if (d.throw === true) throw new Error('pool worker poisoned by the test')
})
