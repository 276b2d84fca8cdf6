import { describe, expect, it } from 'vitest'
import { graphPair, pause, waitFor } from '../graph/helpers.ts'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import type { GraphActor, KnowledgeGraph } from '../../../src/graph/knowledge-graph.ts'
import type { Entity, JsonObject } from '../../../src/graph/schema.ts'
import { createGraphRecorder, MESH_AGENT, type GraphRecorder, type GraphRecorderOptions } from '../../../src/coord/graph-recorder.ts'
import type { CoordRecorder } from '../../../src/coord/interfaces.ts'
import { closedAfterEach, threadLines, type Arg } from './recorder-harness.ts'
import { MAX_OPPOSITES, StatementIndex, apartConflictId, relatedPairs, statementOf, type Statement } from '../../../src/coord/statement-conflicts.ts'
import { conflictingIds } from '../../../src/agents/builtin/contradiction.ts'
import { T0 } from './sim.ts'

const { repos, recorders } = closedAfterEach()

const TAB_A = '12D3KooWTabAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const TAB_B = '12D3KooWTabBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'
const PRODUCER = '12D3KooWProducerPeerBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'

const CAUSED = 'The login bug is caused by the cache TTL.'
const NOT_CAUSED = 'The login bug is not caused by the cache TTL.'

function entity (id: string, extra: Partial<Entity> = {}): Entity {
  return {
    id, kind: 'hypothesis', text: 'x', status: 'proposed', confidence: 0.5, verifiedBy: [], disputedBy: [], tags: [],
    provenance: { agentId: 'researcher', peerId: TAB_A, createdAt: T0, updatedAt: T0 }, ...extra
  }
}

const recordedResult = (id: string, statement: string, extra: Partial<Entity> = {}): Entity =>
  entity(id, { text: statement, tags: ['result'], data: { taskId: 't', result: { text: statement, output: { recorded: statement, graph: 'new' } } }, ...extra })

const st = (id: string, text: string, at: number): Statement => ({ id, text, at, peerId: TAB_A })

describe('which entities are statements', () => {
  it('a recorded result and what a person added are; decisions, other results, derived facts and retracted ones are not', () => {
    expect(statementOf(recordedResult('result:t-1:1', `  ${CAUSED} `))).toEqual({ id: 'result:t-1:1', text: CAUSED, at: T0, peerId: TAB_A })
    const person = entity('fact-1', { kind: 'fact', text: NOT_CAUSED, provenance: { agentId: 'person', peerId: TAB_B, createdAt: T0 + 5, updatedAt: T0 + 5 } })
    expect(statementOf(person)).toEqual({ id: 'fact-1', text: NOT_CAUSED, at: T0 + 5, peerId: TAB_B })
    // A decision settles or overrules; it never raises a conflict.
    expect(statementOf(recordedResult('result:t-2:1', 'Decision: the login bug is caused by the cache TTL.'))).toBeUndefined()
    expect(statementOf({ ...person, kind: 'decision' })).toBeUndefined()
    expect(statementOf({ ...person, status: 'retracted' })).toBeUndefined()
    // A calculator's answer, the fact verification derives from a result, an agent's own hypothesis.
    expect(statementOf(entity('result:t-3:1', { text: '42', data: { result: { text: '42', output: { value: 42 } } } }))).toBeUndefined()
    expect(statementOf(entity('fact:t-1:1', { kind: 'fact', text: CAUSED, data: { result: 'result:t-1:1' } }))).toBeUndefined()
    expect(statementOf(entity('h-1', { text: CAUSED }))).toBeUndefined()
    // What the mesh's recorder writes under the tab's actor (a person's) is not what a person said.
    for (const extra of [{ tags: ['reputation'] }, { tags: ['consultation', 'answer'] }, { tags: ['result', 'verified'] }, { data: { result: 'result:t-1:1' } }, { data: { taskId: 't-1' } }] as Array<Partial<Entity>>) {
      expect(statementOf({ ...person, ...extra })).toBeUndefined()
    }
    // What a peer wrote badly is no statement, and no error.
    for (const data of [{ result: 'nope' }, { result: { output: { recorded: 7 } } }, { result: { output: [CAUSED] } }, { result: { output: { recorded: '   ' } } }, { result: null }] as JsonObject[]) {
      expect(statementOf(entity('result:t-4:1', { data }))).toBeUndefined()
    }
  })
})

describe('opposite statements the graph does not relate yet', () => {
  it('pairs a statement with its flip, later first, once; leaves out updates, unrelated statements and related pairs', () => {
    const index = new StatementIndex()
    const all = [
      st('a', CAUSED, 1), st('b', NOT_CAUSED, 2), st('c', 'The login page loads in 2 seconds.', 3),
      st('d', 'SSO is enabled for all accounts.', 4), st('e', 'SSO is now disabled for all accounts.', 5),
      st('f', 'The nightly backup runs at 02:00.', 6), st('g', 'The nightly backup does not run on Sundays.', 7),
      st('h', 'The export job is on.', 8), st('i', 'The export job is off.', 9)
    ]
    for (const x of all) index.put(x)
    expect(index.size).toBe(9)
    const ids = all.map(x => x.id)
    const found = index.unraised(ids, new Set())
    // "now disabled" after "enabled" is an update (superseded.ts), not a conflict; the backup statements say different things.
    expect(found.map(c => [c.later.id, c.earlier.id])).toEqual([['b', 'a'], ['i', 'h']])
    expect(found[0]!.id).toBe(apartConflictId('a', 'b'))
    expect(apartConflictId('b', 'a')).toBe(found[0]!.id)
    expect(found[0]!.why).toMatch(/opposite/)
    expect(found[1]!.why).toBe('says "on" where this statement says "off"')
    // Only the fresh statements are looked up; the pair is found from either side.
    expect(index.unraised(['a'], new Set()).map(c => c.later.id)).toEqual(['b'])
    expect(index.unraised(['c', 'unknown'], new Set())).toEqual([])
    expect(index.unraised(ids, new Set(['a\nb', 'h\ni']))).toEqual([])
    // Said in the other order in time, the negated one is the earlier; a retracted one leaves the index.
    index.put(st('a', CAUSED, 9))
    expect(index.opposites('a').map(c => [c.later.id, c.earlier.id])).toEqual([['a', 'b']])
    index.remove('b')
    expect(index.opposites('a')).toEqual([])
    expect(index.has('b')).toBe(false)
    // Its text changed: read again.
    index.put(st('h', 'The export job is off.', 8))
    expect(index.opposites('i')).toEqual([])
  })

  it('raises at most three per statement, the nearest first, among many statements alike', () => {
    const index = new StatementIndex()
    for (let i = 0; i < 200; i++) index.put(st(`e-${i}`, `Entity ${i}: an observation about subsystem ${i % 53} under load level ${i % 11}`, i))
    index.put(st('neg', 'Entity 7 is not an observation about subsystem 7 under load level 7', 500))
    const found = index.opposites('neg')
    expect(found).toHaveLength(MAX_OPPOSITES)
    // The one naming the same values says least the other does not.
    expect(found[0]!.earlier.id).toBe('e-7')
    expect(found[0]!.distance).toBe(0)
    expect(found.every(c => c.later.id === 'neg' && c.distance >= found[0]!.distance)).toBe(true)
    // Statements alike with no flip between them are not even compared.
    expect(index.opposites('e-1')).toEqual(index.opposites('e-1').filter(c => c.later.id === 'neg' || c.earlier.id === 'neg'))
  })

  it('reads the pairs a graph relates: conflicts (retracted ones too, facts as their results) and contradicts edges', () => {
    const entities = new Map<string, Entity>([
      ['fact:t-1:1', entity('fact:t-1:1', { kind: 'fact', data: { result: 'result:t-1:1' } })],
      ['dispute:t-2:1', entity('dispute:t-2:1', { kind: 'conflict', data: { statements: ['result:t-2:1', 'fact:t-1:1', 'x'] } })],
      ['c-2', entity('c-2', { kind: 'conflict', status: 'retracted', text: 'Conflicting statements: "p" [p-1] says the opposite of "q" [q-1].' })],
      ['c-3', entity('c-3', { kind: 'conflict', data: { statements: 'not a list' }, text: 'Disputed result [r]' })]
    ])
    const related = relatedPairs(entities.values(), [{ from: 'm', type: 'contradicts', to: 'n' }, { from: 'u', type: 'about', to: 'v' }], id => entities.get(id))
    expect([...related].sort()).toEqual(['m\nn', 'p-1\nq-1', 'result:t-1:1\nresult:t-2:1', 'result:t-1:1\nx', 'result:t-2:1\nx'].sort())
  })
})

// -------------------------------------------------------------------------------------------------
// Two tabs' graphs, apart and merged, each with a recorder as the app runs it.

const task = (taskId: string): Arg<'task'> => ({ taskId, attempt: 1, text: `record ${taskId}`, excluded: [], steward: TAB_A, at: T0 })
const bid = { agentId: 'researcher', peerId: PRODUCER, skillId: 'record', confidence: 0.9, reputation: 1, load: 0, latencyMs: 10 }

/** A person's statement recorded by the researcher on the tab of `rec`, as the mesh records any task. */
function record (rec: CoordRecorder, taskId: string, statement: string, extra: Partial<Arg<'result'>['result']> = {}): void {
  rec.task(task(taskId))
  rec.award({ taskId, attempt: 1, winner: bid, bids: [bid], digest: 'd', at: T0 + 1 })
  rec.result({
    taskId, attempt: 1, producer: { peerId: PRODUCER, agentId: 'researcher' }, skillId: 'record', text: statement,
    result: { text: statement, output: { recorded: statement, graph: 'new' }, ...extra }, startedAt: T0 + 2, finishedAt: T0 + 3
  })
  rec.outcome({ taskId, state: 'completed', attempts: 1, producer: { peerId: PRODUCER, agentId: 'researcher', attempt: 1 }, failures: [], at: T0 + 4 })
}

function recorderOn (graph: KnowledgeGraph, options: GraphRecorderOptions = {}): { recorder: GraphRecorder, problems: string[] } {
  const problems: string[] = []
  const recorder = createGraphRecorder(graph, { flushMs: 5, statementCheckMs: 20, statementGraceMs: 400, onProblem: m => { problems.push(m) }, ...options })
  recorders.push(recorder)
  return { recorder, problems }
}

const apart = (g: KnowledgeGraph): Entity[] => g.list({ kind: 'conflict' }).filter(c => c.tags?.includes('recorded-apart') === true)
const lines = threadLines

async function pair (actors: readonly [GraphActor, GraphActor]): Promise<Awaited<ReturnType<typeof graphPair>>> {
  const p = await graphPair('apart', actors, repos)
  await waitFor('the graphs to connect', () => p.netA.connected && p.netB.connected)
  return p
}

describe('statements recorded apart', () => {
  it('two tabs apart record opposite statements: once the graphs merge, the tab that recorded the later raises one conflict for the room', async () => {
    const { ga, gb, netA, netB, hub } = await pair([{ agentId: 'tab', peerId: TAB_A }, { agentId: 'tab', peerId: TAB_B }])
    const a = recorderOn(ga)
    const b = recorderOn(gb)
    hub.partition(netA, netB)
    record(a.recorder, 't-a', CAUSED)
    await waitFor('A to record its statement', () => ga.has('result:t-a:1'))
    await pause(5)
    record(b.recorder, 't-b', NOT_CAUSED)
    await waitFor('B to record its statement', () => gb.has('result:t-b:1'))
    // Apart, each graph holds one statement and no conflict.
    await pause(60)
    expect(apart(ga)).toEqual([])
    expect(apart(gb)).toEqual([])
    hub.heal(netA, netB)
    await waitFor('the conflict in both graphs', () => apart(ga).length === 1 && apart(gb).length === 1)
    const c = apart(ga)[0]!
    expect(c.id).toBe(apartConflictId('result:t-a:1', 'result:t-b:1'))
    expect(c.data).toMatchObject({ statements: ['result:t-b:1', 'result:t-a:1'], apart: true })
    // The researcher reads it as it reads any conflict between statements.
    expect(conflictingIds(c.text)).toEqual(['result:t-b:1', 'result:t-a:1'])
    expect(c.text).toContain(`"${NOT_CAUSED}" [result:t-b:1] says the opposite of "${CAUSED}" [result:t-a:1]`)
    expect(c.provenance).toMatchObject({ peerId: TAB_B, agentId: MESH_AGENT })
    expect(ga.neighbours('result:t-b:1', { type: 'contradicts', direction: 'out' }).map(n => n.edge.to)).toEqual(['result:t-a:1'])
    expect(ga.neighbours(c.id, { type: 'about', direction: 'out' }).map(n => n.edge.to).sort()).toEqual(['result:t-a:1', 'result:t-b:1'])
    await waitFor('the thread lines', () => lines(ga, 'task:t-a').some(l => l.startsWith(`Conflict ${c.id}:`)) && lines(ga, 'task:t-b').some(l => l.startsWith(`Conflict ${c.id}:`)))
    // A waited its grace period and found it raised: one conflict, written by B alone.
    await pause(500)
    expect(b.recorder.stats().apartConflicts).toBe(1)
    expect(a.recorder.stats().apartConflicts).toBe(0)
    expect(apart(ga).map(x => x.id)).toEqual([c.id])
    expect([...a.problems, ...b.problems]).toEqual([])
  })

  it('a pair the researcher already named is not raised twice; an update and a decision raise none', async () => {
    const repo = createGraphRepo()
    repos.push(repo)
    const g = await openRoomGraph(repo, 'one', { actor: { agentId: 'tab', peerId: TAB_A } })
    const { recorder, problems } = recorderOn(g)
    record(recorder, 't-1', CAUSED)
    record(recorder, 't-2', NOT_CAUSED, { contradicts: ['result:t-1:1'] })
    record(recorder, 't-3', 'The relay is public.')
    record(recorder, 't-4', 'The relay is now private.')
    record(recorder, 't-5', 'Decision: the relay is not public.')
    await waitFor('the statements', () => g.has('result:t-5:1'))
    await pause(150)
    recorder.flush()
    expect(g.list({ kind: 'conflict' }).map(x => x.id)).toEqual(['dispute:t-2:1'])
    expect(recorder.stats().apartConflicts).toBe(0)
    expect(problems).toEqual([])
  })

  it('statements a person added on two tabs: a third tab that recorded neither raises the conflict after its grace period', async () => {
    const { ga, gb, netA, netB, hub } = await pair([{ agentId: 'person', peerId: TAB_A }, { agentId: 'person', peerId: TAB_B }])
    hub.partition(netA, netB)
    ga.add({ kind: 'fact', text: 'The staging relay is enabled.' })
    await pause(5)
    gb.add({ kind: 'hypothesis', text: 'The staging relay is disabled.' })
    // The watching tab holds A's graph and is neither author (its recorder's actor differs).
    const watcher = recorderOn(ga, { statementGraceMs: 300 })
    await pause(60)
    expect(apart(ga)).toEqual([])
    const healed = Date.now()
    hub.heal(netA, netB)
    // A recorder's own peer is its graph's actor: here A, the author of the earlier statement.
    await waitFor('the conflict', () => apart(ga).length === 1 && apart(gb).length === 1, 5000)
    expect(Date.now() - healed).toBeGreaterThanOrEqual(300)
    expect(apart(ga)[0]!.text).toContain('"The staging relay is disabled."')
    expect(watcher.recorder.stats().apartConflicts).toBe(1)
    expect(watcher.problems).toEqual([])
  })

  it('a conflict someone retracted (settled) is not raised again, after a restart either', async () => {
    const repo = createGraphRepo()
    repos.push(repo)
    const g = await openRoomGraph(repo, 'restart', { actor: { agentId: 'person', peerId: TAB_A } })
    g.add({ kind: 'fact', text: 'The beta flag is on.' })
    g.add({ kind: 'fact', text: 'The beta flag is off.' })
    // Added before any recorder ran: the start-up check finds the pair.
    const first = recorderOn(g)
    await waitFor('the conflict', () => apart(g).length === 1)
    const cid = apart(g)[0]!.id
    first.recorder.close()
    recorders.splice(recorders.indexOf(first.recorder), 1)
    g.retract(cid, 'settled in standup')
    const second = recorderOn(g)
    await pause(150)
    second.recorder.flush()
    expect(second.recorder.stats().apartConflicts).toBe(0)
    expect(g.get(cid)!.status).toBe('retracted')
    expect(apart(g).length).toBe(1)
  })
})
