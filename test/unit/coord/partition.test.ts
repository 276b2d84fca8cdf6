import type { Repo } from '@automerge/automerge-repo/slim'
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../graph/helpers.ts'
import { MemoryHub, type MemoryNetworkAdapter } from '../graph/memory-network.ts'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import { partnerReach, watchSyncPartners, type SyncPartnerWatch } from '../../../src/graph/sync-partners.ts'
import { roomDocumentId } from '../../../src/graph/layout.ts'
import type { KnowledgeGraph } from '../../../src/graph/knowledge-graph.ts'
import type { JsonObject, JsonValue } from '../../../src/graph/schema.ts'
import type { GraphOp } from '../../../src/graph/batch-planner.ts'
import { createGraphRecorder, type GraphRecorder } from '../../../src/coord/graph-recorder.ts'
import { catchUpFromGraph, followGraph } from '../../../src/coord/catch-up.ts'
import type { CoordEngine } from '../../../src/coord/engine.ts'
import { completionOf, compareCompletions, mergedEndReason, mergeTaskData } from '../../../src/coord/outcome-merge.ts'
import { resultId, solutionId, taskThreadId } from '../../../src/coord/graph-record-ids.ts'
import { takeoverRank } from '../../../src/coord/stewardship.ts'
import { ResultAttestations } from '../../../src/coord/attest.ts'
import { FakeClock, MemoryNetwork, identity, runFor, runUntil, startSimEngine, type Identity, type SimAgent } from './sim.ts'
import type { CoordEngineOptions } from '../../../src/coord/engine.ts'

const repos: Repo[] = []
const recorders: GraphRecorder[] = []
const engines: CoordEngine[] = []
const watches: SyncPartnerWatch[] = []
afterEach(async () => {
  for (const e of engines.splice(0)) e.stop()
  for (const w of watches.splice(0)) w.close()
  for (const r of recorders.splice(0)) r.close()
  for (const r of repos.splice(0)) await r.shutdown()
})

const P1 = '12D3KooWPeerOneAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const P2 = '12D3KooWPeerTwoBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'

function threadData (attempt: number, peerId: string, agentId = 'echo', extra: JsonObject = {}): JsonObject {
  return {
    taskId: 't-1',
    state: 'completed',
    attempt,
    steward: peerId,
    attempts: [{ attempt, steward: peerId, winner: { agentId, peerId } }],
    outcome: { state: 'completed', attempts: attempt, failures: [], at: 1000 + attempt, producer: { agentId, peerId, attempt, result: `result:t-1:${attempt}` } },
    ...extra
  }
}

/** A thread whose task ended without a result on one side: `state` after `attempts` attempts, steward `peerId`. */
function endedData (state: string, attempts: number, peerId: string, at: number, reason: string): JsonObject {
  return {
    taskId: 't-1',
    state,
    reason,
    attempt: attempts,
    steward: peerId,
    attempts: Array.from({ length: attempts }, (_, i) => ({ attempt: i + 1, steward: peerId, winner: { agentId: 'worker', peerId } })),
    outcome: { state, attempts, failures: [{ attempt: attempts, code: 'error', reason: `boom on attempt ${attempts}`, peerId, agentId: 'worker' }], at }
  }
}

/** The `alsoEnded` entry of an ended value, as the merge writes it. */
function endedEntryOf (v: JsonObject): JsonObject {
  const o = v.outcome as JsonObject
  return { state: v.state!, at: o.at!, reason: v.reason!, steward: v.steward!, attempts: o.attempts!, failures: o.failures! }
}

describe('outcome merge rule', () => {
  it('keeps the lowest completed attempt, lists the other as a duplicate and unions the attempts', () => {
    const a = threadData(1, P2)
    const b = threadData(2, P1)
    const m = mergeTaskData([a, b])!
    expect(completionOf(m)).toEqual({ attempt: 1, peerId: P2, agentId: 'echo' })
    expect(m.duplicates).toEqual([{ attempt: 2, peerId: P1, agentId: 'echo' }])
    expect((m.attempts as JsonObject[]).map(x => x.attempt)).toEqual([1, 2])
    expect(m.attempt).toBe(2)
    expect(m.state).toBe('completed')
  })

  it('is a function of the set: any order, and merging again, give the same value', () => {
    const vs = [threadData(2, P1), threadData(1, P2), threadData(1, P1, 'calc'), { taskId: 't-1', state: 'working', attempt: 3, attempts: [{ attempt: 3 }] }]
    const m = mergeTaskData(vs)!
    expect(completionOf(m)).toEqual({ attempt: 1, peerId: P1, agentId: 'calc' })
    for (const order of [[3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]]) expect(mergeTaskData(order.map(i => vs[i]!))).toEqual(m)
    expect(mergeTaskData([m, vs[0]!])).toEqual(m)
    expect(mergeTaskData([m, m])).toEqual(m)
    expect((m.attempts as JsonObject[]).map(x => x.attempt)).toEqual([1, 2, 3])
    expect(m.duplicates).toEqual([{ attempt: 1, peerId: P2, agentId: 'echo' }, { attempt: 2, peerId: P1, agentId: 'echo' }])
  })

  it('a completion beats a side that failed or is still working, and keeps the failed side\'s end on record', () => {
    const failed = endedData('failed', 3, P2, 5, 'no agent could')
    const m = mergeTaskData([failed, threadData(2, P1)])!
    expect(completionOf(m)).toEqual({ attempt: 2, peerId: P1, agentId: 'echo' })
    expect(m.state).toBe('completed')
    expect(m.reason).toBeUndefined()
    expect(m.alsoEnded).toEqual([{ state: 'failed', at: 5, reason: 'no agent could', steward: P2, attempts: 3, failures: [{ attempt: 3, code: 'error', reason: 'boom on attempt 3', peerId: P2, agentId: 'worker' }] }])
    expect(mergeTaskData([m, failed])).toEqual(m)
    expect(mergeTaskData([threadData(2, P1), { taskId: 't-1', state: 'working', attempt: 1 }])!.alsoEnded).toBeUndefined()
    // Nothing has ended on any side: there is nothing to settle.
    expect(mergeTaskData([{ taskId: 't-1', state: 'working', attempt: 1 }, { taskId: 't-1', state: 'submitted', attempt: 2 }])).toBeUndefined()
  })

  it('two sides that both ended without a result: the most canonical end stays, the other is kept beside it', () => {
    const failed = endedData('failed', 2, P2, 50, 'every agent failed')
    const unassigned = endedData('unassigned', 1, P1, 20, 'no capable agent in the room')
    const m = mergeTaskData([unassigned, failed])!
    // failed (an agent tried) beats unassigned (nobody could), whichever ended first.
    expect(m).toMatchObject({ state: 'failed', reason: 'every agent failed', steward: P2, attempt: 2, outcome: failed.outcome as JsonObject })
    expect((m.attempts as JsonObject[]).map(a => a.attempt)).toEqual([1, 2])
    expect(m.alsoEnded).toEqual([{ state: 'unassigned', at: 20, reason: 'no capable agent in the room', steward: P1, attempts: 1, failures: [{ attempt: 1, code: 'error', reason: 'boom on attempt 1', peerId: P1, agentId: 'worker' }] }])
    expect(mergedEndReason(m)).toBe(`ended on every side of a partition: failed where …${P2.slice(-6)} was steward: every agent failed; also unassigned where …${P1.slice(-6)} was steward: no capable agent in the room`)
    expect(mergedEndReason(failed)).toBeUndefined()
    // A person's cancel beats a failure; two failures: the earlier end.
    const canceled = endedData('canceled', 1, P1, 90, 'canceled by the person')
    expect(mergeTaskData([failed, canceled])).toMatchObject({ state: 'canceled', reason: 'canceled by the person' })
    const later = endedData('failed', 3, P1, 60, 'later failure')
    expect(mergeTaskData([later, failed])).toMatchObject({ state: 'failed', reason: 'every agent failed', attempt: 3 })
    // An end beats a side still running (that side's completion would beat the end in its turn).
    const running: JsonObject = { taskId: 't-1', state: 'working', attempt: 4, steward: P1, attempts: [{ attempt: 4, winner: { agentId: 'late', peerId: P1 } }] }
    const r = mergeTaskData([running, failed])!
    expect(r).toMatchObject({ state: 'failed', attempt: 4 })
    expect((r.attempts as JsonObject[]).map(a => a.attempt)).toEqual([1, 2, 4])
    expect(r.alsoEnded).toBeUndefined()
    expect(completionOf(mergeTaskData([r, threadData(4, P1)]))).toEqual({ attempt: 4, peerId: P1, agentId: 'echo' })
  })

  it('ends merge as a function of the set: any order, and merging again with any input, give the same value', () => {
    const vs = [endedData('failed', 2, P2, 50, 'a'), endedData('unassigned', 1, P1, 20, 'b'), endedData('failed', 3, P1, 40, 'c'), endedData('rejected', 2, P1, 10, 'd'), { taskId: 't-1', state: 'working', attempt: 5, attempts: [{ attempt: 5 }] }]
    const m = mergeTaskData(vs)!
    expect(m).toMatchObject({ state: 'failed', reason: 'c', attempt: 5 })
    expect((m.alsoEnded as JsonObject[]).map(e => `${String(e.state)}:${String(e.reason)}`)).toEqual(['failed:a', 'rejected:d', 'unassigned:b'])
    for (const order of [[4, 3, 2, 1, 0], [1, 3, 0, 4, 2], [2, 0, 4, 1, 3]]) expect(mergeTaskData(order.map(i => vs[i]!))).toEqual(m)
    for (const v of vs) expect(mergeTaskData([m, v])).toEqual(m)
    expect(mergeTaskData([vs[0]!, m, vs[3]!])).toEqual(m)
    expect(mergeTaskData([m, m])).toEqual(m)
    // Merging partial merges in any grouping gives the same value.
    expect(mergeTaskData([mergeTaskData([vs[0]!, vs[1]!])!, mergeTaskData([vs[2]!, vs[3]!, vs[4]!])!])).toEqual(m)
  })

  it('ignores what a bad peer could write: unknown or inherited state names, malformed other ends', () => {
    const failed = endedData('failed', 1, P2, 50, 'real')
    for (const state of ['toString', '__proto__', 'constructor', 'completed', 'working']) {
      const odd: JsonObject = { ...endedData('failed', 1, P1, 10, 'odd'), state, outcome: { state, at: 1 } }
      expect(mergeTaskData([odd, failed])).toMatchObject({ state: 'failed', reason: 'real' })
      expect(mergeTaskData([odd])).toBeUndefined()
    }
    const garbage: JsonObject = { ...failed, alsoEnded: [null, 7, 'x', [], { state: 'toString' }, { state: 'unassigned', at: 'soon', reason: 3 }] as JsonValue[] }
    const m = mergeTaskData([garbage, endedData('unassigned', 1, P1, 20, 'none')])!
    expect(m.state).toBe('failed')
    // The malformed entry with a known state is kept in the one shape (its bad fields dropped).
    expect(m.alsoEnded).toEqual([{ state: 'unassigned', at: 0 }, endedEntryOf(endedData('unassigned', 1, P1, 20, 'none'))])
    expect(mergeTaskData([m, garbage])).toEqual(m)
    expect(() => mergedEndReason(m)).not.toThrow()
  })

  it('keeps a bounded record of the other ends: long reasons clipped, at most 16 sides', () => {
    const many = Array.from({ length: 20 }, (_, i) => endedData('unassigned', 1, `${P1}${i}`, 100 + i, 'x'.repeat(5000)))
    const m = mergeTaskData(many)!
    const also = m.alsoEnded as JsonObject[]
    expect(also).toHaveLength(16)
    expect(also.map(e => e.at)).toEqual(Array.from({ length: 16 }, (_, i) => 101 + i))
    expect((also[0]!.reason as string).length).toBe(300)
    expect(JSON.stringify(m).length).toBeLessThan(32 * 1024)
    expect(mergeTaskData([m, many[19]!])).toEqual(m)
  })

  it('orders completions by attempt, then peer, then agent', () => {
    expect(compareCompletions({ attempt: 1, peerId: P2, agentId: 'z' }, { attempt: 2, peerId: P1, agentId: 'a' })).toBeLessThan(0)
    expect(compareCompletions({ attempt: 1, peerId: P1, agentId: 'z' }, { attempt: 1, peerId: P2, agentId: 'a' })).toBeLessThan(0)
    expect(compareCompletions({ attempt: 1, peerId: P1, agentId: 'a' }, { attempt: 1, peerId: P1, agentId: 'b' })).toBeLessThan(0)
  })
})

interface Node { id: Identity, engine: CoordEngine, graph: KnowledgeGraph, recorder: GraphRecorder, adapter: MemoryNetworkAdapter, problems: string[], repo?: Repo, partners?: SyncPartnerWatch }

async function node (net: MemoryNetwork, clock: FakeClock, hub: MemoryHub, agents: SimAgent[], reuse?: Node, withId?: Identity, options: CoordEngineOptions = {}): Promise<Node> {
  const id = reuse?.id ?? withId ?? await identity()
  const adapter = reuse?.adapter ?? hub.adapter()
  let graph = reuse?.graph
  let repo = reuse?.repo
  let partners = reuse?.partners
  if (graph === undefined) {
    repo = createGraphRepo({ network: adapter })
    repos.push(repo)
    // As the graph worker does: whether its graph holds what each sync partner has, from the Repo's start.
    partners = watchSyncPartners(repo, roomDocumentId('partition'), () => graph?.handle.doc(), { onChange: () => {} })
    watches.push(partners)
    graph = await openRoomGraph(repo, 'partition', { actor: { agentId: 'tab', peerId: id.peerId } })
  }
  const problems: string[] = []
  let engine: CoordEngine | undefined
  // Wired as the app wires them (coord-boot.ts): the graph's news reaches the engine, and at start
  // it takes up the running tasks it was steward of and lists the ended ones.
  const recorder: GraphRecorder = createGraphRecorder(graph, {
    flushMs: 5,
    onProblem: m => { problems.push(m) },
    ...followGraph(() => ({ engine, recorder }))
  })
  recorders.push(recorder)
  engine = startSimEngine(net, clock, id, agents, recorder, { leaseMs: 3000, ...options })
  engines.push(engine)
  catchUpFromGraph(engine, recorder, graph, id.peerId)
  return { id, engine, graph, recorder, adapter, problems, ...(repo !== undefined ? { repo } : {}), ...(partners !== undefined ? { partners } : {}) }
}

const slowEcho = (id: string): SimAgent => ({ id, skill: 'echo', keywords: ['echo'], confidence: 0.9, workMs: 2000 })

interface Mesh { clock: FakeClock, net: MemoryNetwork, hub: MemoryHub, nodes: Node[] }

/** One node per list of agents, on one simulated network and one graph hub, their graphs connected. */
async function mesh (...agents: SimAgent[][]): Promise<Mesh> {
  const clock = new FakeClock()
  const net = new MemoryNetwork(clock, { delayMs: 2, jitterMs: 2 })
  const hub = new MemoryHub()
  const nodes: Node[] = []
  for (const a of agents) nodes.push(await node(net, clock, hub, a))
  await waitFor('the graphs to connect', () => nodes.every(n => n.adapter.connected))
  await runFor(clock, 20)
  return { clock, net, hub, nodes }
}

describe('a task run on both sides of a partition', () => {
  it('is completed once after the sides meet again: every node and both graphs settle on the lowest attempt', async () => {
    const { clock, net, hub, nodes: all } = await mesh([], [slowEcho('echo-x')], [slowEcho('echo-y')])
    const [s, x, y] = all as [Node, Node, Node]

    const id = s.engine.tasks.submit({ text: 'echo banana' })
    await runUntil(clock, () => all.every(n => n.engine.tasks.get(id)?.state === 'working'), 5_000)
    const first = s.engine.tasks.get(id)!
    const [holder, other] = first.peerId === x.id.peerId ? [x, y] : [y, x]
    // The task's thread reaches the holder's graph before the cut.
    await waitFor('the thread on every graph', () => all.every(n => n.graph.has(`task:${id}`)))

    // The holder's tab is cut off from the other two, mid-run.
    net.partition([holder.id.peerId], [s.id.peerId, other.id.peerId])
    for (const n of [s, other]) hub.partition(holder.adapter, n.adapter)
    await runUntil(clock, () => all.every(n => n.engine.tasks.get(id)?.state === 'completed'), 20_000)
    for (const n of all) n.recorder.flush()
    // Both sides completed it: the steward's side re-awarded it (attempt 2), the holder finished attempt 1.
    expect(s.engine.tasks.get(id)).toMatchObject({ peerId: other.id.peerId, attempt: 2 })
    expect(other.engine.tasks.get(id)).toMatchObject({ peerId: other.id.peerId })
    expect(holder.engine.tasks.get(id)).toMatchObject({ peerId: holder.id.peerId, attempt: 1 })
    await waitFor('each side to record its outcome', () =>
      completionOf(s.graph.get(`task:${id}`)?.data)?.attempt === 2 && completionOf(holder.graph.get(`task:${id}`)?.data)?.attempt === 1)

    // They meet again: the graphs merge and everyone settles on attempt 1 (the lowest).
    net.heal()
    for (const n of [s, other]) hub.heal(holder.adapter, n.adapter)
    const canonical = { attempt: 1, peerId: holder.id.peerId, agentId: holder === x ? 'echo-x' : 'echo-y' }
    const dump = (): string => JSON.stringify(all.map(n => ({ engine: n.engine.tasks.get(id)?.peerId?.slice(-6), a: n.engine.tasks.get(id)?.attempts, data: n.graph.get(`task:${id}`)?.data, conflicts: n.graph.list({ kind: 'conflict' }).map(c => c.data), merges: n.recorder.stats().merges })), null, 1)
    await waitFor('every graph and engine to settle on one completion', () => {
      for (const n of all) n.recorder.flush()
      return all.every(n => {
        const t = n.engine.tasks.get(id)
        const data = n.graph.get(`task:${id}`)?.data
        return t?.state === 'completed' && t.peerId === canonical.peerId && t.attempts.find(a => a.outcome === 'completed')?.attempt === 1 &&
          JSON.stringify(completionOf(data)) === JSON.stringify(canonical) && Array.isArray(data?.duplicates)
      })
    }, 10_000).catch(err => { throw new Error(`${(err as Error).message}: ${dump()}`) })
    for (const n of all) {
      const t = n.engine.tasks.get(id)!
      expect(t.result?.text).toBe(`${canonical.agentId} did: echo banana`)
      const data = n.graph.get(`task:${id}`)!.data!
      expect(data.duplicates).toEqual([{ attempt: 2, peerId: other.id.peerId, agentId: other === x ? 'echo-x' : 'echo-y' }])
      expect((data.attempts as JsonObject[]).map(a => a.attempt)).toEqual([1, 2])
    }
    // Both results stay in the graph (the work was done twice); the thread names one.
    await waitFor('both results on every graph', () => all.every(n => n.graph.has(`result:${id}:1`) && n.graph.has(`result:${id}:2`)))
    // The nodes that had taken the other completion moved over; the holder kept its own.
    expect(s.engine.tasks.get(id)!.attempts.map(a => a.outcome)).toEqual(['completed', 'duplicate: also completed during a partition, not counted'])
    expect(s.engine.tasks.get(id)!.reason).toMatch(/^merged after a partition: attempt 1 by echo-[xy] on …\w+ is the result; attempt 2 by echo-[xy] on …\w+ ran too$/)
    expect(s.engine.stats().merged).toBe(1)
    expect(other.engine.stats().merged).toBe(1)
    expect(holder.engine.stats().merged).toBe(0)
    // The concurrent writes surfaced as a conflict, which carries the rule's resolution.
    await waitFor('the conflict to be resolved', () => all.every(n => n.graph.list({ kind: 'conflict' }).some(c => c.data?.entityId === `task:${id}` && c.data.resolution !== undefined)), 5_000)
    const task = all.map(n => n.engine.tasks.get(id)!)
    expect(new Set(task.map(t => `${t.state}|${t.peerId}|${t.result?.text}`)).size).toBe(1)
    expect(all.flatMap(n => n.problems)).toEqual([])
  }, 60_000)
})

describe('a task that fails on both sides of a partition', () => {
  it('ends the same way on every node and graph after the sides meet, with both sides\' ends kept', async () => {
    // Two agents that take the task and fail it after 2 s, one on each of two tabs; the steward's tab has none.
    const failing = (id: string): SimAgent => ({ id, skill: 'echo', keywords: ['echo'], confidence: 0.9, workMs: 2000, run: () => { throw new Error(`${id} cannot echo`) } })
    const { clock, net, hub, nodes: all } = await mesh([], [failing('fail-x')], [failing('fail-y')])
    const [s, x, y] = all as [Node, Node, Node]
    const id = s.engine.tasks.submit({ text: 'echo banana' })
    await runUntil(clock, () => all.every(n => n.engine.tasks.get(id)?.state === 'working'), 5_000)
    const [holder, other] = s.engine.tasks.get(id)!.peerId === x.id.peerId ? [x, y] : [y, x]
    await waitFor('the thread on every graph', () => all.every(n => n.graph.has(`task:${id}`)))

    // The holder's tab is cut off mid-run: each side fails the task on its own.
    net.partition([holder.id.peerId], [s.id.peerId, other.id.peerId])
    for (const n of [s, other]) hub.partition(holder.adapter, n.adapter)
    await runUntil(clock, () => all.every(n => n.engine.tasks.get(id)?.state === 'failed'), 30_000)
    for (const n of all) n.recorder.flush()
    await waitFor('each side to record its end', () => s.graph.get(`task:${id}`)?.data?.state === 'failed' && holder.graph.get(`task:${id}`)?.data?.state === 'failed')
    const sideReason = { steward: s.engine.tasks.get(id)!.reason!, holder: holder.engine.tasks.get(id)!.reason! }
    expect(holder.graph.get(`task:${id}`)!.data!.steward).toBe(holder.id.peerId)

    // They meet: every graph holds one end, the other kept beside it, and every engine shows the same.
    net.heal()
    for (const n of [s, other]) hub.heal(holder.adapter, n.adapter)
    const dump = (): string => JSON.stringify(all.map(n => ({ engine: [n.engine.tasks.get(id)?.state, n.engine.tasks.get(id)?.reason], data: n.graph.get(`task:${id}`)?.data, conflicts: n.graph.list({ kind: 'conflict' }).map(c => c.data) })), null, 1)
    await waitFor('every graph and engine to settle on one end', () => {
      for (const n of all) n.recorder.flush()
      const reasons = all.map(n => n.engine.tasks.get(id)?.reason)
      const data = all.map(n => JSON.stringify(n.graph.get(`task:${id}`)?.data))
      return new Set(reasons).size === 1 && reasons[0]?.startsWith('ended on every side of a partition') === true && new Set(data).size === 1
    }, 10_000).catch(err => { throw new Error(`${(err as Error).message}: ${dump()}`) })
    const data = s.graph.get(`task:${id}`)!.data!
    const ends = [data, ...(data.alsoEnded as JsonObject[])]
    expect(ends.map(e => e.state)).toEqual(['failed', 'failed'])
    expect(new Set(ends.map(e => e.steward))).toEqual(new Set([s.id.peerId, holder.id.peerId]))
    expect(new Set(ends.map(e => e.reason))).toEqual(new Set([sideReason.steward, sideReason.holder]))
    // Who failed which attempt, on both sides, stays on record.
    const failedBy = [...(asFailures(data.outcome)), ...(data.alsoEnded as JsonObject[]).flatMap(e => e.failures as JsonObject[])].map(f => f.agentId)
    expect(new Set(failedBy)).toEqual(new Set(['fail-x', 'fail-y']))
    for (const n of all) {
      expect(n.engine.tasks.get(id)).toMatchObject({ state: 'failed', reason: mergedEndReason(data) })
      expect(n.recorder.recordedTask(id)?.reason).toBe(mergedEndReason(data))
    }
    expect(all.reduce((sum, n) => sum + n.engine.stats().merged, 0)).toBeGreaterThan(0)
    await waitFor('the conflict to be resolved', () => all.every(n => n.graph.list({ kind: 'conflict' }).some(c => c.data?.entityId === `task:${id}` && asObject(c.data.resolution).rule === 'most canonical end')), 5_000)
    expect(s.graph.get(`task:${id}`)!.messages?.some(m => m.text.startsWith('Merged after a partition: no side completed the task.'))).toBe(true)
    expect(all.flatMap(n => n.problems)).toEqual([])
  }, 60_000)
})

function asFailures (outcome: JsonValue | undefined): JsonObject[] {
  return outcome !== null && typeof outcome === 'object' && !Array.isArray(outcome) && Array.isArray(outcome.failures) ? outcome.failures as JsonObject[] : []
}

function asObject (v: JsonValue | undefined): JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {}
}

describe('a takeover claim that reaches the next in line seconds late', () => {
  /** s submits a task h's worker runs for 10 s; s leaves at once, and what the first in line sends reaches the second `lagMs` late. */
  async function lateClaim (lagMs: number): Promise<{ rest: Node[], first: Node, second: Node, h: Node, id: string }> {
    const worker: SimAgent = { id: 'worker', skill: 'w', keywords: ['work'], confidence: 0.9, workMs: 10_000 }
    // The worker's tab is last in the takeover line (the highest peer id of the three): the two that
    // take over are onlookers, and the holder hears both claims at once.
    const ids = (await Promise.all([identity(), identity(), identity()])).sort((a, b) => a.peerId < b.peerId ? -1 : 1)
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2, jitterMs: 2 })
    const hub = new MemoryHub()
    const all = [await node(net, clock, hub, [])]
    for (const [i, id] of ids.entries()) all.push(await node(net, clock, hub, i === 2 ? [worker] : [], undefined, id))
    await waitFor('the graphs to connect', () => all.every(n => n.adapter.connected))
    await runFor(clock, 20)
    const [s, ...rest] = all as [Node, Node, Node, Node]
    const id = s.engine.tasks.submit({ text: 'work on it', verify: 0 })
    await runUntil(clock, () => all.every(n => n.engine.tasks.get(id)?.state === 'working'), 5_000)
    await waitFor('the thread on every graph', () => all.every(n => n.graph.has(`task:${id}`)))
    const rank = (n: Node): number => takeoverRank(n.id.peerId, s.id.peerId, rest.map(m => m.id.peerId))!
    const [first, second, h] = [...rest].sort((a, b) => rank(a) - rank(b)) as [Node, Node, Node]
    expect(h.engine.tasks.get(id)!.peerId).toBe(h.id.peerId)
    net.slow(first.id.peerId, second.id.peerId, lagMs)
    net.remove(s.id.peerId)
    s.engine.stop()
    for (const n of rest) hub.partition(s.adapter, n.adapter)
    await runFor(clock, 1_000)
    // Both took it over: the second has not heard the first's claim.
    expect(first.engine.tasks.get(id)!.steward).toBe(first.id.peerId)
    expect(second.engine.tasks.get(id)!.steward).toBe(second.id.peerId)
    await runUntil(clock, () => rest.every(n => n.engine.tasks.get(id)?.state === 'completed'), 30_000)
      .catch(err => { throw new Error(`${(err as Error).message}: ${JSON.stringify(rest.map(n => [n === first ? 'first' : n === second ? 'second' : 'h', n.engine.tasks.get(id)?.state, n.engine.tasks.get(id)?.steward?.slice(-6), n.engine.stats().rejected, n.engine.stats().ignored]))}`) })
    await runFor(clock, lagMs + 1_000)
    await waitFor('every graph to hold the same thread', () => {
      for (const n of rest) n.recorder.flush()
      const threads = rest.map(n => n.graph.get(`task:${id}`))
      return threads.every(t => completionOf(t?.data) !== undefined && t!.messages!.some(m => m.text.includes('answered'))) &&
        new Set(threads.map(t => JSON.stringify([t?.data, t?.messages?.map(m => m.id)]))).size === 1
    }, 10_000).catch(err => { throw new Error(`${(err as Error).message}: ${JSON.stringify(rest.map(n => n.graph.get(`task:${id}`)))}`) })
    for (const n of rest) {
      // One completion in the graph, the one every node shows.
      expect(completionOf(n.graph.get(`task:${id}`)?.data)).toEqual({ attempt: 1, peerId: h.id.peerId, agentId: 'worker' })
      expect(n.graph.get(`task:${id}`)!.data!.duplicates).toBeUndefined()
      expect(n.engine.tasks.get(id)).toMatchObject({ state: 'completed', peerId: h.id.peerId, attempt: 1 })
      expect(n.graph.list({ kind: 'hypothesis' }).filter(e => e.id.startsWith('result:'))).toHaveLength(1)
    }
    expect(rest.flatMap(n => n.problems)).toEqual([])
    return { rest, first, second, h, id }
  }

  const completedBy = (n: Node, id: string): string[] => n.graph.get(`task:${id}`)!.messages!.filter(m => m.text.split('\n').some(l => l.startsWith('Completed:'))).map(m => m.peerId)

  it('6 s late, while the task runs: the second steps back for the first in line, and only the first records the outcome', async () => {
    const { rest, first, second, id } = await lateClaim(6_000)
    for (const n of rest) {
      expect(n.engine.tasks.get(id)!.steward).toBe(first.id.peerId)
      expect(completedBy(n, id)).toEqual([first.id.peerId])
    }
    expect(second.engine.stats().rejected).toEqual({})
  }, 60_000)

  it('12 s late, after the task ended: both stewards wrote the outcome, and the graph still holds one completion', async () => {
    const { rest, first, second, id } = await lateClaim(12_000)
    // Not resolved (a claim about an ended task is stale): each steward posted its completion line.
    // The lines sync like any message: the graphs may agree on one line before the other arrives
    // (a full run on a busy machine saw that), so this waits for both before comparing.
    await waitFor('both completion lines in every graph', () => {
      for (const n of rest) n.recorder.flush()
      return rest.every(n => completedBy(n, id).length >= 2)
    }, 10_000).catch(() => undefined)
    for (const n of rest) expect(completedBy(n, id).sort()).toEqual([first.id.peerId, second.id.peerId].sort())
  }, 60_000)
})

interface CutMission { clock: FakeClock, all: Node[], s: Node, holder: Node, other: Node, holderAgent: string, otherAgent: string, id: string, part: (n: Node, p: 'e' | 'q') => ReturnType<CoordEngine['tasks']['get']>, heal: () => void }

/**
 * A two-step mission planned on the steward's tab: e (a 2 s echo on x or y) and q (`q`, run by the
 * steward's tab's calculator agent). Once every node is `ready`, e's holder is cut off from the
 * other two, graphs included; `heal` joins them again.
 */
async function missionCutMidRun (q: { text: string, dependsOn: string[], run: NonNullable<SimAgent['run']> }, ready: (part: CutMission['part'], n: Node) => boolean): Promise<CutMission> {
  const planner: SimAgent = {
    id: 'planner', skill: 'plan', keywords: ['mission'], confidence: 0.95, workMs: 5,
    run: () => ({ text: 'two parts', plan: { subtasks: [{ id: 'e', text: 'echo banana', dependsOn: [] }, { id: 'q', text: q.text, dependsOn: q.dependsOn }] } })
  }
  const calc: SimAgent = { id: 'calc', skill: 'math', keywords: ['compute'], confidence: 0.9, workMs: 20, run: q.run }
  const { clock, net, hub, nodes: all } = await mesh([planner, calc], [slowEcho('echo-x')], [slowEcho('echo-y')])
  const [s, x, y] = all as [Node, Node, Node]
  const id = s.engine.tasks.submit({ text: `mission: echo banana and ${q.text}` })
  const part: CutMission['part'] = (n, p) => n.engine.tasks.get(`${id}/${p === 'e' ? 1 : 2}`)
  await runUntil(clock, () => all.every(n => ready(part, n)), 10_000)
  const [holder, other] = part(s, 'e')!.peerId === x.id.peerId ? [x, y] : [y, x]
  await waitFor('the part\'s thread on every graph', () => all.every(n => n.graph.has(taskThreadId(`${id}/1`))))
  net.partition([holder.id.peerId], [s.id.peerId, other.id.peerId])
  for (const n of [s, other]) hub.partition(holder.adapter, n.adapter)
  const heal = (): void => {
    net.heal()
    for (const n of [s, other]) hub.heal(holder.adapter, n.adapter)
  }
  return { clock, all, s, holder, other, holderAgent: holder === x ? 'echo-x' : 'echo-y', otherAgent: other === x ? 'echo-x' : 'echo-y', id, part, heal }
}

describe('a mission part run on both sides of a partition', () => {
  it('after the sides meet, every node assembles the mission again from the part the merge kept, and the graph\'s solution says so', async () => {
    // The part's holder is cut off mid-run: each side completes the part, and the mission, its own way.
    const { clock, all, s, holder, other, holderAgent, otherAgent, id, heal } = await missionCutMidRun(
      { text: 'compute 2 + 2', dependsOn: [], run: () => ({ text: '4', output: 4 }) },
      (part, n) => part(n, 'e')?.state === 'working' && part(n, 'q')?.state === 'completed')
    await runUntil(clock, () => all.every(n => n.engine.tasks.get(id)?.state === 'completed'), 30_000)
    const by = (n: Node): unknown => (n.engine.tasks.get(id)!.result?.output as { e?: { by?: string } } | undefined)?.e?.by
    expect(by(s)).toBe(otherAgent)
    expect(by(holder)).toBe(holderAgent)

    // Before they meet, the steward side's solution derives from its own run of the part (attempt 2).
    const derived = (n: Node, retracted: boolean): string[] => n.graph.neighbours(solutionId(id), { type: 'derived-from', direction: 'out', includeRetracted: retracted })
      .filter(x => x.edge.to.startsWith(resultId(`${id}/1`, 0).slice(0, -1))).map(x => x.edge.to).sort()
    await waitFor('the steward side\'s solution to derive from attempt 2', () => {
      for (const n of all) n.recorder.flush()
      return JSON.stringify(derived(s, false)) === JSON.stringify([resultId(`${id}/1`, 2)])
    }, 10_000)

    // They meet: the part settles on attempt 1 (the holder's), and so does the mission's result.
    heal()
    const solutionBy = (n: Node): unknown => (n.graph.get(solutionId(id))?.data?.output as { e?: { by?: string } } | undefined)?.e?.by
    await waitFor('every engine and graph to assemble the mission from the holder\'s part', () => {
      for (const n of all) n.recorder.flush()
      return all.every(n => by(n) === holderAgent && solutionBy(n) === holderAgent)
    }, 10_000).catch(err => { throw new Error(`${(err as Error).message}: ${JSON.stringify(all.map(n => [by(n), solutionBy(n), n.graph.get(solutionId(id))?.data]))}`) })
    for (const n of all) {
      expect(n.engine.tasks.get(id)!.state).toBe('completed')
      expect(n.engine.tasks.get(id)!.result?.output).toEqual({ e: { by: holderAgent, task: `${id}/1` }, q: 4 })
    }
    // Every graph's solution derives from the part's kept result only; the other result stays (a
    // duplicate) and its edge is retracted, not deleted.
    await waitFor('every solution to derive from the kept part only', () => all.every(n =>
      JSON.stringify(derived(n, false)) === JSON.stringify([resultId(`${id}/1`, 1)]) &&
      JSON.stringify(derived(n, true)) === JSON.stringify([resultId(`${id}/1`, 1), resultId(`${id}/1`, 2)])), 10_000)
      .catch(err => { throw new Error(`${(err as Error).message}: ${JSON.stringify(all.map(n => [derived(n, false), derived(n, true)]))}`) })
    for (const n of all) expect(n.graph.has(resultId(`${id}/1`, 2))).toBe(true)
    // The side that had assembled it from the other part did it again, and says why.
    for (const n of [s, other]) {
      expect(n.engine.stats().reassembled).toBe(1)
      expect(n.engine.tasks.get(id)!.reason).toBe('merged after a partition: assembled again from its parts as the graph settled them')
    }
    expect(holder.engine.stats().reassembled).toBe(0)
    expect(all.flatMap(n => n.problems)).toEqual([])
  }, 60_000)
})

describe('a mission part that ran, during a partition, on a result the merge replaced', () => {
  it('is named in the mission\'s reason on every node once the sides meet, since it is not run again', async () => {
    // The second step says what it ran on: its input, the first step's output. The first step's
    // holder is cut off mid-run. The steward's side runs it again and then the second step on that
    // result; the holder's side finishes the first step, but nobody there can do the second, so its
    // mission fails.
    const { clock, all, s, holder, holderAgent, otherAgent, id, part, heal } = await missionCutMidRun(
      { text: 'compute from it', dependsOn: ['e'], run: task => ({ text: `from ${JSON.stringify(task.input)}`, output: task.input as JsonValue }) },
      (part, n) => part(n, 'e')?.state === 'working')
    await runUntil(clock, () => s.engine.tasks.get(id)?.state === 'completed' && holder.engine.tasks.get(id)?.state === 'failed', 30_000)
    expect(part(s, 'q')!.result?.output).toEqual({ e: { by: otherAgent, task: `${id}/1` } })
    expect(s.engine.tasks.get(id)!.reason).toBeUndefined()

    // They meet: the first step settles on the holder's attempt 1; the second step's only result ran
    // on the other attempt's output. Every node assembles the same mission and says so.
    heal()
    const stale = `q ran on a result of e that the merge replaced (it is not run again)`
    await waitFor('every engine to assemble the mission from the parts the merge kept', () => {
      for (const n of all) n.recorder.flush()
      return all.every(n => n.engine.tasks.get(id)?.state === 'completed' && part(n, 'e')?.peerId === holder.id.peerId &&
        (n.engine.tasks.get(id)?.reason ?? '').includes(stale))
    }, 10_000).catch(err => { throw new Error(`${(err as Error).message}: ${JSON.stringify(all.map(n => [n.engine.tasks.get(id)?.state, n.engine.tasks.get(id)?.reason, part(n, 'e')?.peerId?.slice(-6), part(n, 'q')?.state]))}`) })
    for (const n of all) {
      const m = n.engine.tasks.get(id)!
      expect(m.result?.output).toEqual({ e: { by: holderAgent, task: `${id}/1` }, q: { e: { by: otherAgent, task: `${id}/1` } } })
    }
    expect(all.flatMap(n => n.problems)).toEqual([])
  }, 60_000)
})

describe('a node that was away when a task ended', () => {
  it('lists it from the graph, with its state, producer, attempts and result, and can wait on it', async () => {
    const { clock, net, hub, nodes } = await mesh([], [{ id: 'calc', skill: 'math', keywords: ['sum'], confidence: 0.9, workMs: 50 }])
    const [s, x] = nodes as [Node, Node]
    const done = s.engine.tasks.submit({ text: 'sum of 3 and 4' })
    const none = s.engine.tasks.submit({ text: 'paint the fence' })
    await runUntil(clock, () => [done, none].every(id => ['completed', 'unassigned'].includes(s.engine.tasks.get(id)?.state ?? '')), 10_000)
    for (const n of [s, x]) n.recorder.flush()
    await waitFor('both outcomes recorded', () => s.graph.get(`task:${done}`)?.data?.state === 'completed' && s.graph.get(`task:${none}`)?.data?.state === 'unassigned')

    // A third tab opens now: it never saw a message about either task.
    const late = await node(net, clock, hub, [])
    await waitFor('the late tab to list both tasks', () => late.engine.knows(done) && late.engine.knows(none) && late.engine.tasks.get(done)?.result !== undefined, 10_000)
    const t = late.engine.tasks.get(done)!
    const original = s.engine.tasks.get(done)!
    expect(t).toMatchObject({ state: 'completed', peerId: x.id.peerId, agentId: 'calc', skillId: 'math', text: 'sum of 3 and 4', attempt: 1 })
    expect(t.result?.text).toBe(original.result?.text)
    expect(t.attempts).toEqual([{ attempt: 1, agentId: 'calc', peerId: x.id.peerId, skillId: 'math', outcome: 'completed' }])
    expect(await late.engine.tasks.wait(done, { timeoutMs: 10 })).toMatchObject({ state: 'completed' })
    expect(late.engine.tasks.get(none)).toMatchObject({ state: 'unassigned', reason: s.engine.tasks.get(none)!.reason })
    expect(late.engine.stats().imported).toBe(2)
    // Importing is idempotent, and a task this node knows is never replaced by the graph's copy.
    expect(late.engine.importTask(late.recorder.recordedTask(done)!)).toBe(false)
    expect(s.engine.importTask(s.recorder.recordedTask(done)!)).toBe(false)
    expect(s.engine.stats().imported).toBe(0)
  }, 30_000)
})

describe('a node that was away when a mission failed', () => {
  it('lists it from the graph with what its parts delivered', async () => {
    const planner: SimAgent = {
      id: 'planner', skill: 'plan', keywords: ['mission'], confidence: 0.95, workMs: 5,
      run: () => ({ text: 'two parts', plan: { subtasks: [{ id: 's1', text: 'compute 15% of 200', dependsOn: [] }, { id: 's2', text: 'name the capital of France', dependsOn: [] }] } })
    }
    const calc: SimAgent = { id: 'calc', skill: 'math', keywords: ['compute'], confidence: 0.9, workMs: 50, run: () => ({ text: '30', output: 30 }) }
    const { clock, net, hub, nodes } = await mesh([], [planner, calc])
    const [s, x] = nodes as [Node, Node]
    const id = s.engine.tasks.submit({ text: 'mission: compute 15% of 200 and name the capital of France' })
    await runUntil(clock, () => s.engine.tasks.get(id)?.state === 'failed', 20_000)
    const original = s.engine.tasks.get(id)!
    expect(original.result?.output).toEqual({ s1: 30 })
    for (const n of [s, x]) n.recorder.flush()
    await waitFor('the outcome recorded', () => s.graph.get(`task:${id}`)?.data?.state === 'failed')
    expect(s.graph.get(`task:${id}`)?.data?.outcome).toMatchObject({ partial: { text: original.result!.text, output: { s1: 30 } } })

    // Before, a tab that opened later listed the mission as failed with nothing delivered: the
    // outcome kept only the state and the reason, and the 30 was in no record it could read.
    const late = await node(net, clock, hub, [])
    // The mission's record can reach it before its parts' records do: its answer waits for them
    // (resultPending) and is filled in when they arrive (a fresh-clone CI run listed it in between).
    await waitFor('the late tab to list the mission with what its parts delivered', () => late.engine.tasks.get(id)?.result !== undefined, 10_000)
    expect(late.engine.tasks.get(id)).toMatchObject({ state: 'failed', reason: original.reason, result: { text: original.result!.text, output: { s1: 30 } } })
    expect(late.problems).toEqual([])
    expect(s.problems).toEqual([])
  }, 30_000)
})

describe('a mission listed from the graph by a tab that was away', () => {
  /** A steward S with a planner (two parts, s1 and s2), X with the calculator that runs both, and a third tab with no agents. */
  async function missionRoom (before?: (m: Mesh) => void): Promise<Mesh & { id: string, s: Node, x: Node, rogue: Node }> {
    const planner: SimAgent = {
      id: 'planner', skill: 'plan', keywords: ['mission'], confidence: 0.95, workMs: 5,
      run: () => ({ text: 'two parts', plan: { subtasks: [{ id: 's1', text: 'compute 15% of 200', dependsOn: [] }, { id: 's2', text: 'compute 2 + 3', dependsOn: [] }] } })
    }
    const calc: SimAgent = { id: 'calc', skill: 'math', keywords: ['compute'], confidence: 0.9, workMs: 50, run: t => t.text.includes('15%') ? { text: '30', output: 30 } : { text: '5', output: 5 } }
    const room = await mesh([planner], [calc], [])
    const [s, x, rogue] = room.nodes as [Node, Node, Node]
    before?.(room)
    const id = s.engine.tasks.submit({ text: 'mission: compute 15% of 200 and compute 2 + 3' })
    await runUntil(room.clock, () => s.engine.tasks.get(id)?.state === 'completed', 20_000)
    for (const n of room.nodes) n.recorder.flush()
    return { ...room, id, s, x, rogue }
  }

  const answerOf = (n: Node, id: string): { text?: string, output?: unknown } => ({ text: n.engine.tasks.get(id)?.result?.text, output: n.engine.tasks.get(id)?.result?.output })

  it('shows the answer its signed parts assemble to, not a solution a member rewrote, and reports the rewrite', async () => {
    const { clock, net, hub, nodes, id, s, rogue } = await missionRoom()
    const original = s.engine.tasks.get(id)!
    expect(original.result).toMatchObject({ text: 'compute 15% of 200: 30\ncompute 2 + 3: 5', output: { s1: 30, s2: 5 } })
    await waitFor('the solution in the rogue\'s graph', () => rogue.graph.get(taskThreadId(id))?.data?.solution === solutionId(id) && rogue.graph.has(solutionId(id)))
    // A member rewrites the mission's answer. The solution entity is not signed: before, a tab that
    // listed the mission later showed "the answer is 42".
    const stored = rogue.graph.get(solutionId(id))!
    rogue.graph.update(solutionId(id), { text: 'the answer is 42', data: { ...stored.data, output: { s1: 42, s2: 42 } } })
    await waitFor('the rewrite in the steward\'s graph', () => s.graph.get(solutionId(id))?.text === 'the answer is 42')
    const late = await node(net, clock, hub, [])
    await waitFor('the late tab to list the mission', () => late.engine.knows(id), 10_000)
    const t = late.engine.tasks.get(id)!
    expect(t.state).toBe('completed')
    expect(answerOf(late, id)).toEqual({ text: original.result!.text, output: original.result!.output })
    expect(t.result!.working).toEqual(original.result!.working)
    expect(t.resultProblem).toBeUndefined()
    // Its plan and parts are listed as the graph records them, with who delivered them.
    expect(t.mission?.subtasks.map(p => `${p.planId}:${p.taskId}:${p.state}`)).toEqual([`s1:${id}/1:completed`, `s2:${id}/2:completed`])
    expect(t.mission?.group.map(a => a.agentId)).toEqual(['calc'])
    expect(late.engine.stats().rejected).toEqual({ 'graph-solution-mismatch': 1 })
    expect(late.problems).toEqual([])
    void nodes
  }, 30_000)

  it('shows no answer when a part\'s result was altered after the fact, and says which part', async () => {
    const { clock, net, hub, id, s, x, rogue } = await missionRoom()
    await waitFor('the parts\' results in the rogue\'s graph', () => rogue.graph.has(resultId(`${id}/1`, 1)) && rogue.graph.has(solutionId(id)))
    const stored = rogue.graph.get(resultId(`${id}/1`, 1))!
    rogue.graph.update(resultId(`${id}/1`, 1), { text: '31', data: { ...stored.data, result: { output: 31 } } })
    // The solution is rewritten to match, so the record agrees with itself.
    const sol = rogue.graph.get(solutionId(id))!
    rogue.graph.update(solutionId(id), { text: 'compute 15% of 200: 31\ncompute 2 + 3: 5', data: { ...sol.data, output: { s1: 31, s2: 5 } } })
    await waitFor('the rewrites in the steward\'s graph', () => s.graph.get(solutionId(id))?.text === 'compute 15% of 200: 31\ncompute 2 + 3: 5' && s.graph.get(resultId(`${id}/1`, 1))?.text === '31')
    const late = await node(net, clock, hub, [])
    await waitFor('the late tab to list the mission', () => late.engine.knows(id), 10_000)
    const t = late.engine.tasks.get(id)!
    expect(t.state).toBe('completed')
    expect(t.result).toBeUndefined()
    expect(t.resultProblem).toMatch(new RegExp(`^part s1: the result of ${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/1 attempt 1 by calc is not what …${x.id.peerId.slice(-6)} signed`))
    expect(late.engine.stats().rejected).toEqual({ 'graph-result-bad-signature': 1 })
  }, 30_000)

  it('waits for parts\' results that reach its graph after the mission\'s record, then shows the answer', async () => {
    // X's graph is cut off from the others while it runs both parts: the steward records the mission
    // (its thread, its parts' ends and its solution), but the parts' results stay on X's graph.
    const { clock, net, hub, id, s, x, rogue } = await missionRoom(m => { m.hub.isolate(m.nodes[1]!.adapter) })
    await waitFor('the solution in the steward\'s graph', () => s.graph.has(solutionId(id)))
    expect(s.graph.has(resultId(`${id}/1`, 1))).toBe(false)
    const late = await node(net, clock, hub, [])
    await waitFor('the late tab to list the mission', () => late.engine.knows(id), 10_000)
    expect(late.engine.tasks.get(id)).toMatchObject({ state: 'completed', resultPending: `the results of parts s1, s2 have not reached this tab's graph yet` })
    expect(late.engine.tasks.get(id)!.result).toBeUndefined()
    // The person sees since when it has waited (the snapshot the UI reads).
    expect(late.engine.tasks.get(id)!.resultPendingSince).toBeTypeOf('number')
    // Its graph holds everything its sync partners have (the steward's and the third tab's; X is cut
    // off): so no member present holds the parts' results, which the person is told (graph/sync-partners.ts).
    await waitFor('the late tab to be in sync with its partners', () => partnerReach(late.partners!.read()).kind === 'settled', 10_000)
    expect(late.partners!.read().map(p => p.peerId).sort()).toEqual([s.repo!.peerId, rogue.repo!.peerId].sort())
    // X's graph joins: the results arrive, and the late tab assembles the mission's answer from them.
    hub.rejoin(x.adapter)
    await waitFor('the late tab to assemble the mission', () => late.engine.tasks.get(id)?.result !== undefined, 10_000)
    expect(answerOf(late, id)).toEqual(answerOf(s, id))
    expect(late.engine.tasks.get(id)!.resultPending).toBeUndefined()
    expect(late.engine.tasks.get(id)!.resultPendingSince).toBeUndefined()
    expect(late.engine.stats().rejected).toEqual({})
    expect(late.problems).toEqual([])
  }, 30_000)
})

describe('a verified task listed from the graph by a tab that was away', () => {
  it('shows the verdict its signed votes prove, and refuses one a member rewrote or made up', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2, jitterMs: 2 })
    const hub = new MemoryHub()
    const checker: SimAgent = { id: 'checker', skill: 'verify', keywords: [], confidence: 0, workMs: 10, run: () => ({ text: 'yes', verdict: { vote: 'support', confidence: 0.9, reason: 'the sum checks out' } }) }
    const s = await node(net, clock, hub, [])
    const x = await node(net, clock, hub, [{ id: 'calc', skill: 'math', keywords: ['sum'], confidence: 0.9, workMs: 20 }])
    const v = await node(net, clock, hub, [checker], undefined, undefined, { verifiers: ['checker'] })
    const rogue = await node(net, clock, hub, [])
    await waitFor('the graphs to connect', () => [s, x, v, rogue].every(n => n.adapter.connected))
    await runFor(clock, 20)
    const [kept, smeared] = ['sum 2 and 2', 'sum 3 and 3'].map(text => s.engine.tasks.submit({ text, verify: 1 })) as [string, string]
    const plain = s.engine.tasks.submit({ text: 'sum 4 and 4', verify: 0 })
    await runUntil(clock, () => [kept, smeared].every(id => s.engine.tasks.get(id)?.verification?.status === 'verified') && s.engine.tasks.get(plain)?.state === 'completed', 10_000)
    for (const n of [s, x, v, rogue]) n.recorder.flush()
    const recorded = (id: string): JsonObject => asObject(rogue.graph.get(taskThreadId(id))?.data?.verification)
    await waitFor('the verdicts in the rogue\'s graph', () => recorded(kept).status === 'verified' && recorded(smeared).status === 'verified' && rogue.graph.get(taskThreadId(plain))?.data?.state === 'completed')
    // The steward kept the deciding vote, signed, with the verdict.
    expect(recorded(kept)).toMatchObject({ attempt: 1, supporters: [v.id.peerId], votes: [{ peerId: v.id.peerId, agentId: 'checker', vote: 'support', reason: 'the sum checks out' }] })

    // A member smears one result (disputed, by a dispute it made up) and vouches for another that
    // nobody checked (verified by itself, under a signature it cannot make). The thread is not
    // signed: before, a tab that listed these tasks later showed both verdicts as written.
    const sm = recorded(smeared)
    const madeUp = { peerId: rogue.id.peerId, agentId: 'checker', vote: 'dispute', confidence: 0.9, reason: 'made up', evidence: [] }
    rogue.graph.update(taskThreadId(smeared), { data: { ...rogue.graph.get(taskThreadId(smeared))!.data, verification: { ...sm, status: 'disputed', votes: [...(Array.isArray(sm.votes) ? sm.votes : []), madeUp] } } })
    const vouched = { status: 'verified', attempt: 1, supporters: [rogue.id.peerId], votes: [{ ...madeUp, vote: 'support', reason: 'trust me', attest: 'A'.repeat(86) }] }
    rogue.graph.update(taskThreadId(plain), { data: { ...rogue.graph.get(taskThreadId(plain))!.data, verification: vouched } })
    await waitFor('the rewrites in the steward\'s graph', () => asObject(s.graph.get(taskThreadId(smeared))?.data?.verification).status === 'disputed' && s.graph.get(taskThreadId(plain))?.data?.verification !== undefined)

    const late = await node(net, clock, hub, [])
    await waitFor('the late tab to list the three tasks', () => [kept, smeared, plain].every(id => late.engine.tasks.get(id)?.result !== undefined), 10_000)
    expect(late.engine.tasks.get(kept)!.verification).toEqual({ status: 'verified', supporters: [v.id.peerId], disputes: [] })
    const short = (p: string): string => `…${p.slice(-6)}`
    expect(late.engine.tasks.get(smeared)!.verification).toMatchObject({
      status: 'unverified', supporters: [v.id.peerId], disputes: [], refused: 'the graph records it disputed, but holds no signed dispute of this result'
    })
    expect(late.engine.tasks.get(plain)!.verification).toMatchObject({
      status: 'unverified', supporters: [], refused: `the graph records it verified by ${short(rogue.id.peerId)}, but holds no signed support of this result by ${short(rogue.id.peerId)}`
    })
    expect(late.engine.stats().rejected).toEqual({ 'graph-vote-unsigned': 1, 'graph-vote-bad-signature': 1, 'graph-verification-unproven': 2 })
    // Read again (a later change to the graph), nothing is counted twice.
    expect(late.engine.importTask(late.recorder.recordedTask(plain)!)).toBe(false)
    expect(late.problems).toEqual([])
  }, 30_000)
})

describe('the steward reloads while its task runs', () => {
  /** A steward S and a holder X (and, with `standIn`, Y: a weaker echo agent that wins only once X is gone). */
  async function room (standIn = false, timeZone?: string): Promise<{ clock: FakeClock, net: MemoryNetwork, hub: MemoryHub, s: Node, x: Node, y: Node | undefined, id: string }> {
    const { clock, net, hub, nodes } = await mesh([], [slowEcho('echo-x')], ...(standIn ? [[{ ...slowEcho('echo-y'), confidence: 0.6 }]] : []))
    const [s, x, y] = nodes as [Node, Node, Node | undefined]
    const id = s.engine.tasks.submit({ text: 'echo plum', input: { word: 'plum' }, ...(timeZone !== undefined ? { timeZone } : {}) })
    await runUntil(clock, () => s.engine.tasks.get(id)?.state === 'working', 5_000)
    await runFor(clock, 50)
    s.recorder.flush()
    await waitFor('the award in every graph', () => [s, x, ...(y !== undefined ? [y] : [])].every(n => n.graph.get(`task:${id}`)?.data?.state === 'working'))
    return { clock, net, hub, s, x, y, id }
  }

  /** The page goes away: its engine and recorder stop; the graph (IndexedDB) stays. */
  function unload (n: Node): void {
    n.engine.stop()
    n.recorder.close()
  }

  it('takes the stewardship up again from the graph: the holder\'s result completes the task and its outcome is recorded', async () => {
    const { clock, net, hub, s, x, id } = await room()
    unload(s)
    const s2 = await node(net, clock, hub, [], s)
    expect(s2.engine.stats().resumed).toBe(1)
    expect(s2.engine.tasks.get(id)).toMatchObject({ state: 'working', peerId: x.id.peerId, attempt: 1, input: { word: 'plum' } })
    await runUntil(clock, () => s2.engine.tasks.get(id)?.state === 'completed', 10_000)
    expect(s2.engine.tasks.get(id)).toMatchObject({ state: 'completed', peerId: x.id.peerId, attempt: 1 })
    expect(s2.engine.tasks.get(id)!.result?.text).toBe('echo-x did: echo plum')
    s2.recorder.flush()
    await waitFor('the outcome in the graph', () => completionOf(s2.graph.get(`task:${id}`)?.data)?.peerId === x.id.peerId)
    expect(x.engine.tasks.get(id)?.state).toBe('completed')
    expect([...s2.problems, ...x.problems]).toEqual([])
  }, 30_000)

  it('a result sent while the page was away completes the task from the graph', async () => {
    const { clock, net, hub, s, x, id } = await room()
    unload(s)
    net.partition([s.id.peerId], [x.id.peerId]) // nothing reaches the reloading page
    await runUntil(clock, () => x.engine.tasks.get(id)?.state === 'completed', 10_000)
    x.recorder.flush()
    await waitFor('the result in the steward\'s graph', () => s.graph.has(`result:${id}:1`))
    net.heal()
    const s2 = await node(net, clock, hub, [], s)
    expect(s2.engine.tasks.get(id)).toMatchObject({ state: 'completed', peerId: x.id.peerId, attempt: 1 })
    expect(s2.engine.tasks.get(id)!.result?.text).toBe('echo-x did: echo plum')
    s2.recorder.flush()
    await waitFor('the outcome in the graph', () => completionOf(s2.graph.get(`task:${id}`)?.data)?.attempt === 1)
  }, 30_000)

  it('the room took over while the page was away and the holder left too: the reloaded tab ends up with the room\'s completion', async () => {
    const { clock, net, hub, s, x, y, id } = await room(true)
    // The page says goodbye (the others take over its tasks 50 ms later), and the holder crashes.
    // The page's graph (its IndexedDB) hears nothing until it is back.
    if (y === undefined) throw new Error('no stand-in')
    for (const n of [x, y]) hub.partition(s.adapter, n.adapter)
    net.remove(s.id.peerId)
    unload(s)
    net.remove(x.id.peerId)
    unload(x)
    await runUntil(clock, () => y.engine.tasks.get(id)?.state === 'completed', 30_000)
    expect(y.engine.tasks.get(id)).toMatchObject({ peerId: y.id.peerId, attempt: 2 })
    y.recorder.flush()
    // Back: it takes up the task it still sees running, then its graph hears from the room.
    const s2 = await node(net, clock, hub, [], s)
    expect(s2.engine.stats().resumed).toBe(1)
    hub.heal(s.adapter, y.adapter)
    await runFor(clock, 100)
    for (const n of [s2, y]) n.recorder.flush()
    await waitFor('the reloaded tab to take the room\'s completion', () => {
      for (const n of [s2, y]) n.recorder.flush()
      const t = s2.engine.tasks.get(id)
      return t?.state === 'completed' && t.peerId === y.id.peerId
    }, 15_000).catch(err => { throw new Error(`${(err as Error).message}: ${JSON.stringify(s2.engine.tasks.get(id))}`) })
    await runFor(clock, 20_000)
    expect(s2.engine.tasks.get(id)).toMatchObject({ state: 'completed', peerId: y.id.peerId, attempt: 2 })
  }, 60_000)

  /**
   * A task (submitted in `zone`) whose steward reloads while its holder's tab is gone: another agent
   * takes the next attempt; `seen` is the zone that agent is given (`tamper` may first rewrite the
   * graph's record of the task).
   */
  async function reloadWithoutHolder (zone?: string, tamper?: (s: Node, id: string) => void) {
    const { clock, net, hub, s, x, id } = await room(false, zone)
    tamper?.(s, id)
    const seen: Array<string | undefined> = []
    const y = await node(net, clock, hub, [{ ...slowEcho('echo-y'), run: task => { seen.push(task.timeZone); return { text: 'done' } } }])
    unload(s)
    net.remove(x.id.peerId)
    unload(x)
    const s2 = await node(net, clock, hub, [], s)
    await runUntil(clock, () => s2.engine.tasks.get(id)?.state === 'completed', 30_000)
    expect(s2.engine.tasks.get(id)).toMatchObject({ state: 'completed', peerId: y.id.peerId, attempt: 2 })
    return { task: s2.engine.tasks.get(id)!, holder: x.id.peerId, seen }
  }

  it('a holder that left meanwhile: the next attempt goes to another agent once the grace period is over', async () => {
    const { task, holder } = await reloadWithoutHolder()
    expect(task.attempts[0]).toMatchObject({ attempt: 1, peerId: holder })
  }, 30_000)

  it('the next attempt after a reload still carries the person\'s time zone, read back from the graph', async () => {
    let recorded: unknown
    const { seen } = await reloadWithoutHolder('Pacific/Auckland', (s, id) => { recorded = s.graph.get(`task:${id}`)?.data?.timeZone })
    expect(recorded).toBe('Pacific/Auckland')
    expect(seen).toEqual(['Pacific/Auckland'])
  }, 30_000)

  it('a malformed zone in the graph is not announced: the next attempt goes out without one', async () => {
    const { seen } = await reloadWithoutHolder('Pacific/Auckland', (s, id) => s.graph.update(`task:${id}`, { data: { ...s.graph.get(`task:${id}`)!.data, timeZone: '../../etc/passwd' } }))
    expect(seen).toEqual([Intl.DateTimeFormat().resolvedOptions().timeZone]) // the reloaded tab's own
  }, 30_000)
})

describe('a producer that leaves just after sending its result', () => {
  it('has its result recorded by the steward, so a peer its last frame missed completes the task from the graph', async () => {
    const { clock, net, hub, nodes: all } = await mesh([], [{ id: 'echo-p', skill: 'echo', keywords: ['echo'], confidence: 0.9, workMs: 500 }], [])
    const [s, p, o] = all as [Node, Node, Node]
    const id = s.engine.tasks.submit({ text: 'echo banana' })
    await runUntil(clock, () => all.every(n => n.engine.tasks.get(id)?.state === 'working'), 5_000)
    await waitFor('the thread on every graph', () => all.every(n => n.graph.has(`task:${id}`)))
    // From now on the producer's graph writes reach no one, and its frames reach the steward only.
    for (const n of [s, o]) hub.partition(p.adapter, n.adapter)
    net.mute(p.id.peerId, o.id.peerId)
    await runUntil(clock, () => s.engine.tasks.get(id)?.state === 'completed', 5_000)
    expect(o.engine.tasks.get(id)?.state).toBe('working')
    // Then the producer's tab crashes: no goodbye, its result never written to the graph.
    net.remove(p.id.peerId)
    p.engine.stop()
    await runFor(clock, 1_000)
    s.recorder.flush()
    await waitFor('the result on the observer\'s graph', () => o.graph.has(`result:${id}:1`))
    await runFor(clock, 100)
    expect(o.engine.tasks.get(id)).toMatchObject({ state: 'completed', peerId: p.id.peerId, attempt: 1, result: { text: 'echo-p did: echo banana' } })
    expect(s.graph.get(`result:${id}:1`)?.data?.producer).toMatchObject({ peerId: p.id.peerId, agentId: 'echo-p' })
  })
})

describe('a room member that writes a forged result into the graph', () => {
  /** The result entity a recorder writes, but with `text` as the answer and `attest` as given (none by default). */
  function forgedResult (id: string, producer: { peerId: string, agentId: string }, text: string, attest?: string): GraphOp {
    return {
      op: 'add',
      id: resultId(id, 1),
      by: { agentId: producer.agentId },
      entity: {
        kind: 'hypothesis', title: 'Result: forged', text, tags: ['result'],
        data: { taskId: id, attempt: 1, skillId: 'echo', producer, startedAt: 1, finishedAt: 2, result: {}, ...(attest !== undefined ? { attest } : {}) }
      }
    }
  }

  it('is not taken by the steward that reloads while the task runs; the holder\'s signed result completes it and replaces the forgery in every graph', async () => {
    const { clock, net, hub, nodes } = await mesh([], [slowEcho('echo-x')], [])
    const [s, x, rogue] = nodes as [Node, Node, Node]
    const id = s.engine.tasks.submit({ text: 'echo plum' })
    await runUntil(clock, () => s.engine.tasks.get(id)?.state === 'working', 5_000)
    s.recorder.flush()
    await waitFor('the award in every graph', () => nodes.every(n => n.graph.get(taskThreadId(id))?.data?.state === 'working'))
    // The steward's page reloads; while it is away, a member of the room writes an answer into the
    // graph and names the holder as its producer, with no signature and with one copied from nothing.
    s.engine.stop()
    s.recorder.close()
    net.partition([s.id.peerId], [x.id.peerId, rogue.id.peerId])
    rogue.graph.batch([forgedResult(id, { peerId: x.id.peerId, agentId: 'echo-x' }, 'the answer is 42')])
    await waitFor('the forgery in the steward\'s graph', () => s.graph.get(resultId(id, 1))?.text === 'the answer is 42')
    const s2 = await node(net, clock, hub, [], s)
    expect(s2.engine.stats().resumed).toBe(1)
    // Before: the reloaded steward completed the task with the forged answer at once.
    expect(s2.engine.tasks.get(id)).toMatchObject({ state: 'working', peerId: x.id.peerId })
    expect(s2.engine.stats().rejected).toEqual({ 'graph-result-unsigned': 1 })
    // Nor does the holder's own tab take it.
    expect(x.engine.tasks.get(id)?.state).not.toBe('completed')
    net.heal()
    await runUntil(clock, () => s2.engine.tasks.get(id)?.state === 'completed', 10_000)
    expect(s2.engine.tasks.get(id)!.result?.text).toBe('echo-x did: echo plum')
    // The holder's recorder wrote its signed result over the forgery: every graph holds it.
    for (const n of [s2, x]) n.recorder.flush()
    const check = new ResultAttestations()
    await waitFor('the signed result in every graph', () => [s2, x, rogue].every(n => {
      const r = n.recorder.resultOf(id, 1)
      return r !== undefined && check.check({ taskId: id, attempt: 1, agentId: r.producer.agentId, skillId: r.skillId, result: r.result, peerId: r.producer.peerId, attest: r.attest }).ok
    }), 10_000)
    expect(rogue.recorder.resultOf(id, 1)!.result.text).toBe('echo-x did: echo plum')
    expect([...s2.problems, ...x.problems]).toEqual([])
  }, 30_000)

  it('a tab that lists a task which ended while it was away does not show a result altered after the fact', async () => {
    const { clock, net, hub, nodes } = await mesh([], [{ id: 'calc', skill: 'math', keywords: ['sum'], confidence: 0.9, workMs: 50 }], [])
    const [s, x, rogue] = nodes as [Node, Node, Node]
    const done = s.engine.tasks.submit({ text: 'sum of 3 and 4' })
    const other = s.engine.tasks.submit({ text: 'sum of 5 and 6' })
    await runUntil(clock, () => [done, other].every(id => s.engine.tasks.get(id)?.state === 'completed'), 10_000)
    for (const n of nodes) n.recorder.flush()
    await waitFor('both results in the rogue\'s graph', () => [done, other].every(id => rogue.graph.get(taskThreadId(id))?.data?.state === 'completed' && rogue.graph.has(resultId(id, 1))))
    // The rogue rewrites one recorded answer, keeping its producer's attestation.
    const stored = rogue.graph.get(resultId(done, 1))!
    rogue.graph.update(resultId(done, 1), { text: '666', data: { ...stored.data, result: {} } })
    await waitFor('the altered answer in the steward\'s graph', () => s.graph.get(resultId(done, 1))?.text === '666')
    const late = await node(net, clock, hub, [])
    await waitFor('the late tab to list both tasks', () => late.engine.knows(done) && late.engine.knows(other), 10_000)
    const t = late.engine.tasks.get(done)!
    expect(t).toMatchObject({ state: 'completed', peerId: x.id.peerId, agentId: 'calc' })
    expect(t.result).toBeUndefined()
    expect(t.resultProblem).toMatch(/^the result of .+ attempt 1 by calc is not what …\w{6} signed/)
    expect(late.engine.tasks.get(other)!.result?.text).toBe(s.engine.tasks.get(other)!.result?.text)
    expect(late.engine.tasks.get(other)!.resultProblem).toBeUndefined()
    expect(late.engine.stats().rejected).toEqual({ 'graph-result-bad-signature': 1 })
  }, 30_000)
})
