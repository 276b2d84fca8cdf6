/**
 * The mesh answers what an agent asks it (`ctx.ask(text, 'mesh')`): a tab that hosts a researcher
 * looks the question up in its knowledge graph and answers when it finds something relevant.
 *
 * One tab answers, not all of them: the tabs hosting a researcher take turns in an order every tab
 * derives alike from the question id (FNV-1a of `questionId|peerId`, then the peer id), each waiting
 * `turnMs` × its place before it looks, and none answers a question already answered. A tab whose
 * researcher finds nothing lets the next one try; if nobody can, the question stays open for a
 * person (the Tasks tab lists it like any other). Answers that cross anyway are handled as two
 * people answering at once: the first one each tab sees counts (the engine's `duplicate-answer`).
 */
import type { CoordEngine } from '../coord/engine.ts'
import { fnv1a32 } from '../graph/hash.ts'

export interface MeshQuestion { questionId: string, taskId: string, text: string }

export interface MeshAnswererOptions {
  engine: Pick<CoordEngine, 'on' | 'tasks'>
  /** This tab's peer id. */
  peerId: string
  /** Peers (this tab's included) that host a running researcher now. */
  answeringPeers: () => string[]
  /** This tab's researcher on the question: its answer and name, or undefined when the graph holds nothing relevant. */
  answer: (question: MeshQuestion, signal: AbortSignal) => Promise<{ text: string, agentId: string } | undefined>
  /** How long each place in the order waits for the ones before it (ms). */
  turnMs?: number
  onProblem?: (message: string) => void
  setTimeout?: (fn: () => void, ms: number) => unknown
  clearTimeout?: (handle: unknown) => void
}

export const MESH_ANSWER_TURN_MS = 1500

/** The order in which `peers` try to answer `questionId`; the same on every tab. */
export function answeringOrder (questionId: string, peers: readonly string[]): string[] {
  return [...new Set(peers)]
    .map(p => ({ p, h: fnv1a32(`${questionId}|${p}`) }))
    .sort((a, b) => a.h - b.h || (a.p < b.p ? -1 : a.p > b.p ? 1 : 0))
    .map(x => x.p)
}

/** Starts answering the mesh's questions; returns a function that stops (and aborts any lookup). */
export function answerMeshQuestions (opts: MeshAnswererOptions): () => void {
  const turnMs = opts.turnMs ?? MESH_ANSWER_TURN_MS
  const set = opts.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms))
  const clear = opts.clearTimeout ?? (h => { globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>) })
  const timers = new Map<string, unknown>()
  const lookups = new Map<string, AbortController>()
  const open = (q: MeshQuestion): boolean => {
    const t = opts.engine.tasks.get(q.taskId)
    return t !== undefined && t.state === 'input-required' && t.questions.some(x => x.questionId === q.questionId && x.answer === undefined)
  }
  const attempt = async (q: MeshQuestion): Promise<void> => {
    timers.delete(q.questionId)
    if (!open(q)) return
    const controller = new AbortController()
    lookups.set(q.questionId, controller)
    try {
      const found = await opts.answer(q, controller.signal)
      const text = found?.text.trim()
      if (controller.signal.aborted || found === undefined || text === undefined || text === '' || !open(q)) return
      opts.engine.tasks.answer(q.questionId, text, found.agentId)
    } catch (err) {
      if (!controller.signal.aborted) opts.onProblem?.(`answering the mesh's question ${q.questionId}: ${(err as Error).message}`)
    } finally {
      lookups.delete(q.questionId)
    }
  }
  const offQuestion = opts.engine.on('question', e => {
    if (e.to !== 'mesh') return
    const order = answeringOrder(e.questionId, opts.answeringPeers())
    const place = order.indexOf(opts.peerId)
    if (place < 0) return
    const q = { questionId: e.questionId, taskId: e.taskId, text: e.text }
    timers.set(e.questionId, set(() => { void attempt(q) }, place * turnMs))
  })
  const offAnswer = opts.engine.on('answer', e => {
    const timer = timers.get(e.questionId)
    if (timer !== undefined) { clear(timer); timers.delete(e.questionId) }
    lookups.get(e.questionId)?.abort()
  })
  return () => {
    offQuestion()
    offAnswer()
    for (const t of timers.values()) clear(t)
    timers.clear()
    for (const c of lookups.values()) c.abort()
  }
}
