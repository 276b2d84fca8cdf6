/**
 * A pool worker for the runtime e2e suite: the real agent worker, plus one extra message the test
 * page can post to a chosen pool worker to make it misbehave the way a faulty built-in would
 * (block its thread, then throw an uncaught error), without changing any built-in.
 */
import '../../../src/agents/runtime/agent.worker.ts'

self.addEventListener('message', (e: MessageEvent) => {
  const d = e.data as { type?: string, blockMs?: number, throw?: boolean } | undefined
  if (d?.type !== 'test:poison') return
  const end = performance.now() + (d.blockMs ?? 0)
  while (performance.now() < end) { /* hold the thread like a faulty handler would */ }
  if (d.throw === true) throw new Error('pool worker poisoned by the test')
})
