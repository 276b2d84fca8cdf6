/**
 * What the graph recorder's tests share: the recorder's argument types, the repos and recorders a
 * test opens (closed after each test), and a thread's lines.
 */
import type { Repo } from '@automerge/automerge-repo/slim'
import { afterEach } from 'vitest'
import type { GraphRecorder } from '../../../src/coord/graph-recorder.ts'
import type { CoordRecorder } from '../../../src/coord/interfaces.ts'
import type { KnowledgeGraph } from '../../../src/graph/knowledge-graph.ts'

export type Arg<K extends keyof CoordRecorder> = Parameters<CoordRecorder[K]>[0]

/** Lists to push the repos and recorders a test opens onto; each is closed (shut down) after every test of the file. */
export function closedAfterEach (): { repos: Repo[], recorders: GraphRecorder[] } {
  const repos: Repo[] = []
  const recorders: GraphRecorder[] = []
  afterEach(async () => {
    for (const r of recorders.splice(0)) r.close()
    await Promise.all(repos.splice(0).map(async r => { await r.shutdown() }))
  })
  return { repos, recorders }
}

/** A thread's messages, one line each. */
export const threadLines = (g: KnowledgeGraph, threadId: string): string[] => (g.get(threadId)?.messages ?? []).flatMap(m => m.text.split('\n'))
