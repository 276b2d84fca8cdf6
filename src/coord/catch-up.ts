/**
 * Keeping a tab's engine in step with what the graph recorded (docs/protocol.md, "Partitions" and
 * "Catching up"): the recorder's callbacks that feed partition merges, ended tasks and missed
 * results to the engine, and the pass at start that lists ended tasks and takes up running ones.
 * The app (coord-boot.ts) and the tests use the same two functions.
 */
import type { KnowledgeGraph } from '../graph/knowledge-graph.ts'
import type { CoordEngine } from './engine.ts'
import { MAX_ENDED_PER_CHANGE, type GraphRecorder, type GraphRecorderOptions } from './graph-recorder.ts'

/**
 * Recorder options that hand the graph's news to the engine. The recorder is created before the
 * engine (the engine records through it), so both are read through `parts` when news arrives;
 * news before the engine exists is dropped (the start pass below covers it).
 */
export function followGraph (parts: () => { engine?: CoordEngine, recorder?: GraphRecorder }): Required<Pick<GraphRecorderOptions, 'onCompletion' | 'onEnded' | 'onMergedEnd' | 'onResult'>> {
  return {
    // After a partition the graph merges the sides' completions into one; the engine follows it.
    onCompletion: (taskId, c) => {
      const { engine, recorder } = parts()
      if (engine !== undefined && recorder !== undefined) engine.adoptCompletion(taskId, { ...c, read: () => recorder.resultOf(taskId, c.attempt) })
    },
    // A task that ended without a result on every side of a partition: the engine takes the merged end.
    onMergedEnd: (taskId, end) => { parts().engine?.adoptEnd(taskId, end) },
    // A task that ended while this tab was away (closed, reloading, cut off) is listed from the graph.
    onEnded: taskId => { importEnded(parts(), taskId) },
    // A result this tab missed (it was reloading) completes the task from the graph; a result a
    // mission listed from the graph waited for lets it be assembled.
    onResult: (taskId, attempt) => {
      const { engine, recorder } = parts()
      if (engine === undefined || recorder === undefined) return
      if (!engine.resultFromGraph(taskId, attempt, () => recorder.resultOf(taskId, attempt))) recheckMission({ engine, recorder }, taskId)
    }
  }
}

function importEnded ({ engine, recorder }: { engine?: CoordEngine, recorder?: GraphRecorder }, taskId: string): void {
  if (engine === undefined || recorder === undefined) return
  // A part that ended after its mission was listed: the mission may be assembled now.
  recheckMission({ engine, recorder }, taskId)
  if (engine.knows(taskId)) return
  const r = recorder.recordedTask(taskId)
  if (r !== undefined) engine.importTask(r)
}

/** A mission listed from the graph that waits for `taskId`'s records (its plan's, or a part's) is read again. */
function recheckMission ({ engine, recorder }: { engine: CoordEngine, recorder: GraphRecorder }, taskId: string): void {
  const missionId = engine.missionAwaiting(taskId)
  if (missionId === undefined) return
  const r = recorder.recordedTask(missionId)
  if (r !== undefined) engine.reimportMission(r)
}

/**
 * At start: of the newest `max` task threads in the graph, the ones this node (`peerId`) was
 * steward of and that are still running are taken up again (a missed result completes them at
 * once), and the ended ones are listed. The graph is read in place: `list` would copy every thread
 * with all its messages, a long task in a room with a long history.
 */
export function catchUpFromGraph (engine: CoordEngine, recorder: GraphRecorder, graph: KnowledgeGraph, peerId: string, max = MAX_ENDED_PER_CHANGE): void {
  const threads: Array<{ taskId: string, steward: unknown, createdAt: number }> = []
  for (const e of graph.view().entities) {
    const taskId = e.data?.taskId
    if (e.kind === 'thread' && (e.tags ?? []).includes('task') && typeof taskId === 'string') threads.push({ taskId, steward: e.data?.steward, createdAt: e.provenance.createdAt })
  }
  threads.sort((x, y) => y.createdAt - x.createdAt)
  for (const { taskId, steward } of threads.slice(0, max).reverse()) {
    const running = steward === peerId ? recorder.recordedTask(taskId, { running: true }) : undefined
    if (running !== undefined && engine.resumeTask(running)) {
      engine.resultFromGraph(taskId, running.attempt, () => recorder.resultOf(taskId, running.attempt))
      continue
    }
    importEnded({ engine, recorder }, taskId)
  }
}
