/**
 * Warming Automerge up in a fresh graph worker while a young tab waits for its first peer.
 *
 * The first large `Automerge.load` in a new thread runs on cold code: V8 has not yet optimised the
 * WebAssembly and JavaScript it needs (tiering happens once functions run hot). Measured in Node on a
 * 10k-entity snapshot: 0.68-0.80 s cold, 0.29-0.47 s after the same steps on a graph of a few hundred
 * entities. A young tab expects a snapshot right after its first link, and its worker is idle until
 * then; so it runs the steps of a catch-up (load, merge, index) on a small synthetic graph, one short
 * step per task, and stops as soon as the real snapshot arrives. Nothing of it is kept.
 */
import { Automerge } from '@automerge/automerge-repo/slim'
import { applyWrites, writeNewEntity } from './batch-planner.ts'
import { GraphIndex } from './graph-index.ts'
import { genesis, type GraphDoc } from './layout.ts'
import type { Entity } from './schema.ts'

/** Synthetic entities written per step, steps of writing, rounds of load + merge + index. */
const PER_STEP = 50
const WRITE_STEPS = 6
const ROUNDS = 5

function entity (i: number): Entity {
  const at = 1_700_000_000_000
  return {
    id: `warm-up-${i}`,
    kind: 'fact',
    text: `a synthetic entity of the warm-up, number ${i}`,
    provenance: { agentId: 'meshwork:warm-up', peerId: 'warm-up', createdAt: at, updatedAt: at },
    confidence: 0.5,
    status: 'proposed',
    verifiedBy: [],
    disputedBy: [],
    ...(i % 4 === 0 ? { tags: ['warm-up'] } : {})
  }
}

function * steps (): Generator<void, void, void> {
  const base = (): Automerge.Doc<GraphDoc> => Automerge.load<GraphDoc>(genesis().bytes)
  let doc = base()
  yield
  for (let s = 0; s < WRITE_STEPS; s++) {
    doc = Automerge.change(doc, d => {
      for (let i = s * PER_STEP; i < (s + 1) * PER_STEP; i++) applyWrites(d, writeNewEntity(entity(i)))
    })
    yield
  }
  const bytes = Automerge.save(doc)
  yield
  for (let r = 0; r < ROUNDS; r++) {
    new GraphIndex().reset(Automerge.merge(Automerge.load<GraphDoc>(bytes), base()))
    yield
  }
}

export interface WarmUp {
  /** Stops after the step under way (at once, from another task). */
  stop: () => void
  /** Resolves when it finished or stopped. */
  readonly done: Promise<void>
}

/** Starts warming up, one step per task (`schedule`, default setTimeout 0). */
export function warmUp (schedule: (step: () => void) => void = step => { setTimeout(step, 0) }): WarmUp {
  let stopped = false
  let finish: () => void = () => {}
  const done = new Promise<void>(resolve => { finish = resolve })
  const it = steps()
  const next = (): void => {
    if (stopped) { finish(); return }
    try {
      if (it.next().done === true) { finish(); return }
    } catch (err) {
      // Only a head start; the real work does not depend on it.
      console.warn('graph worker: warm-up failed', err)
      finish()
      return
    }
    schedule(next)
  }
  schedule(next)
  return { stop: () => { stopped = true }, done }
}
