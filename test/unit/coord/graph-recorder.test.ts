import { Automerge } from '@automerge/automerge-repo/slim'
import { describe, expect, it } from 'vitest'
import { alice, bob, graphPair, waitFor } from '../graph/helpers.ts'
import { MemoryHub, type MemoryNetworkAdapter } from '../graph/memory-network.ts'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import type { GraphActor, KnowledgeGraph } from '../../../src/graph/knowledge-graph.ts'
import { ID_PATTERN, LIMITS, type Entity, type JsonValue } from '../../../src/graph/schema.ts'
import { createGraphRecorder, MESH_AGENT, type GraphRecorder, type GraphRecorderOptions } from '../../../src/coord/graph-recorder.ts'
import {
  answerId, decisionId, disputeId, factId, graphKey, KEY_MAX, questionId, reputationId, resultId, solutionId, taskThreadId
} from '../../../src/coord/graph-record-ids.ts'
import type { CoordRecorder } from '../../../src/coord/interfaces.ts'
import { closedAfterEach, threadLines, type Arg } from './recorder-harness.ts'
import type { Bid } from '../../../src/coord/messages.ts'
import type { CoordEngine, CoordEngineOptions } from '../../../src/coord/engine.ts'
import { FakeClock, MemoryNetwork, identity, runFor, runUntil, startSimEngine, T0, type SimAgent } from './sim.ts'

const { repos, recorders } = closedAfterEach()

const STEWARD = '12D3KooWStewardPeerAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const PRODUCER = '12D3KooWProducerPeerBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'
const VERIFIER = '12D3KooWVerifierPeerCccccccccccccccccccccccccccccccc'
const steward: GraphActor = { agentId: 'tab', peerId: STEWARD }
const producerTab: GraphActor = { agentId: 'tab', peerId: PRODUCER }

async function oneGraph (actor: GraphActor = steward): Promise<KnowledgeGraph> {
  const repo = createGraphRepo()
  repos.push(repo)
  return await openRoomGraph(repo, 'recorder', { actor })
}

interface Recording { recorder: GraphRecorder, problems: string[] }

/** A recorder that only writes when the test says so (flushMs far away), collecting problems. */
function recorderOn (graph: KnowledgeGraph, options: GraphRecorderOptions = {}): Recording {
  const problems: string[] = []
  const recorder = createGraphRecorder(graph, { flushMs: 3_600_000, onProblem: m => { problems.push(m) }, ...options })
  recorders.push(recorder)
  return { recorder, problems }
}

function bid (agentId: string, peerId: string, confidence: number, skillId = 'math'): Bid {
  return { agentId, peerId, skillId, confidence, reputation: 1, load: 0, latencyMs: 10 }
}

const task = (taskId: string, extra: Partial<Arg<'task'>> = {}): Arg<'task'> =>
  ({ taskId, attempt: 1, text: `work on ${taskId}`, excluded: [], steward: STEWARD, at: T0, ...extra })
const award = (taskId: string, attempt = 1, winner = bid('calc', PRODUCER, 0.9)): Arg<'award'> =>
  ({ taskId, attempt, winner, bids: [bid('slow', STEWARD, 0.4), winner], digest: 'd1', at: T0 + 1 })
const result = (taskId: string, attempt = 1, extra: Partial<Arg<'result'>['result']> = {}): Arg<'result'> => ({
  taskId, attempt, producer: { peerId: PRODUCER, agentId: 'calc' }, skillId: 'math', text: `work on ${taskId}`,
  result: { text: `answer to ${taskId}`, output: { value: 42 }, ...extra }, startedAt: T0 + 2, finishedAt: T0 + 3
})
const outcome = (taskId: string, attempt = 1): Arg<'outcome'> => ({
  taskId, state: 'completed', attempts: attempt, producer: { peerId: PRODUCER, agentId: 'calc', attempt }, failures: [], at: T0 + 4
})
const verified = (taskId: string): Arg<'verification'> =>
  ({ taskId, status: 'verified', producer: { peerId: PRODUCER, agentId: 'calc' }, supporters: [VERIFIER], disputes: [], at: T0 + 5 })

function lifecycle (rec: CoordRecorder, taskId: string, answer: Partial<Arg<'result'>['result']> = {}): void {
  rec.task(task(taskId))
  rec.award(award(taskId))
  rec.result(result(taskId, 1, answer))
  rec.outcome(outcome(taskId))
}

const lines = threadLines
const out = (g: KnowledgeGraph, id: string, type: string): string[] => g.neighbours(id, { type, direction: 'out' }).map(n => n.edge.to).sort()

describe('graph record ids', () => {
  it('maps coordination ids to graph ids deterministically and injectively', () => {
    expect(taskThreadId('t-abc-1')).toBe('task:t-abc-1')
    expect(taskThreadId('t-abc-1/2')).toBe('task:t-abc-1_s2')
    expect(graphKey('a_s')).toBe('a_us')
    expect(graphKey('a/')).toBe('a_s')
    expect(graphKey('a_s')).not.toBe(graphKey('a/'))
    expect(resultId('t-1', 3)).toBe('result:t-1:3')
    const long = `m-${'x'.repeat(150)}/1`
    expect(graphKey(long)).toMatch(/^_h[0-9a-f]{32}$/)
    expect(graphKey(long)).toBe(graphKey(long))
    expect(graphKey(long)).not.toBe(graphKey(`${long}0`))
    for (const raw of ['t-1', long, 'a:b.c-d_e/f', 'Z'.repeat(KEY_MAX)]) {
      for (const id of [taskThreadId(raw), resultId(raw, 16), factId(raw, 16), disputeId(raw, 16), solutionId(raw), questionId(raw), answerId(raw, STEWARD), decisionId(raw)]) {
        expect(id.length).toBeLessThanOrEqual(100)
        expect(id).toMatch(ID_PATTERN)
      }
    }
    expect(() => graphKey('bad id')).toThrow(/not a valid coordination id/)
    expect(() => graphKey('')).toThrow()
  })
})

describe('graph recorder: what each record becomes', () => {
  it('dates each thread message by the earliest event it tells of, so a line written late sorts among its events', async () => {
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g)
    lifecycle(recorder, 't-late')
    recorder.flush()
    // Someone writes in the thread now; then a vote cast at T0 + 5 reaches the graph only later.
    g.post('task:t-late', 'a person looks at it')
    recorder.vote({ taskId: 't-late', vote: { peerId: VERIFIER, agentId: 'checker', vote: 'support', confidence: 0.9, reason: 'checked' }, at: T0 + 5 })
    recorder.flush()
    expect(problems).toEqual([])
    const messages = [...g.get('task:t-late')!.messages!].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1))
    expect(messages.map(m => [m.at - T0, m.text.split('\n')[0]])).toEqual([
      [0, 'Attempt 1 announced by steward …aaaaaa.'],
      [5, expect.stringMatching(/^checker on …cccccc votes support \(0\.90\): checked/)],
      [expect.any(Number), 'a person looks at it']
    ])
    expect(messages[2]!.at).toBeGreaterThan(T0 + 1_000_000)
  })

  it('a task lifecycle: thread with bids and state, result hypothesis answering it, narration, verified fact', async () => {
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g)
    const cited = g.add({ kind: 'fact', text: 'calc knows arithmetic' })
    recorder.task(task('t-1'))
    recorder.award(award('t-1'))
    recorder.result(result('t-1', 1, { citations: [cited, 'fact:missing', 'not a graph id'] }))
    recorder.vote({ taskId: 't-1', vote: { peerId: VERIFIER, agentId: 'checker', vote: 'support', confidence: 0.9, reason: 'checked' }, at: T0 + 5 })
    recorder.outcome(outcome('t-1'))
    recorder.verification(verified('t-1'))
    recorder.flush()
    expect(problems).toEqual([])

    const thread = g.get('task:t-1')!
    expect(thread).toMatchObject({ kind: 'thread', title: 'work on t-1', text: 'work on t-1', tags: ['task'] })
    expect(thread.data).toMatchObject({
      taskId: 't-1', state: 'completed', attempt: 1, steward: STEWARD,
      attempts: [{
        attempt: 1, steward: STEWARD, announcedAt: T0, excluded: [], digest: 'd1',
        // Bids best first, compact.
        bids: [
          { agentId: 'calc', peerId: PRODUCER, skillId: 'math', confidence: 0.9, reputation: 1, load: 0 },
          { agentId: 'slow', peerId: STEWARD, skillId: 'math', confidence: 0.4, reputation: 1, load: 0 }
        ],
        winner: { agentId: 'calc', peerId: PRODUCER }
      }],
      outcome: { state: 'completed', attempts: 1, producer: { agentId: 'calc', attempt: 1, result: 'result:t-1:1' } },
      verification: { status: 'verified', attempt: 1, result: 'result:t-1:1', supporters: [VERIFIER] }
    })
    const hyp = g.get('result:t-1:1')!
    expect(hyp).toMatchObject({ kind: 'hypothesis', text: 'answer to t-1', title: 'Result: work on t-1', status: 'verified', tags: ['result'] })
    expect(hyp.provenance.agentId).toBe('calc')
    expect(hyp.data).toMatchObject({ taskId: 't-1', attempt: 1, skillId: 'math', producer: { peerId: PRODUCER, agentId: 'calc' }, result: { output: { value: 42 } } })
    expect(hyp.verifiedBy).toEqual([expect.objectContaining({ peerId: VERIFIER, agentId: MESH_AGENT, at: T0 + 5 })])
    expect(out(g, 'result:t-1:1', 'answers')).toEqual(['task:t-1'])
    // Only cited entities that exist.
    expect(out(g, 'result:t-1:1', 'derived-from')).toEqual([cited])
    const fact = g.get('fact:t-1:1')!
    expect(fact).toMatchObject({ kind: 'fact', text: 'answer to t-1', title: 'Verified: work on t-1', status: 'verified' })
    expect(out(g, 'fact:t-1:1', 'derived-from')).toEqual(['result:t-1:1'])
    expect(lines(g, 'task:t-1')).toEqual([
      `Attempt 1 announced by steward …aaaaaa.`,
      'Attempt 1 awarded to calc on …bbbbbb (skill math, confidence 0.90, reputation 1.00, load 0) out of 2 bids.',
      'Attempt 1: calc on …bbbbbb answered (result:t-1:1): answer to t-1',
      'checker on …cccccc votes support (0.90): checked',
      'Completed: attempt 1 by calc on …bbbbbb (result:t-1:1).',
      'Verified: result:t-1:1 supported by 1 peer (…cccccc); recorded as fact:t-1:1.'
    ])
    expect(g.list({ kind: 'conflict' })).toEqual([])
  })

  it('writes a bid without the peer id its agent id already names, and lines name such an agent without it', async () => {
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g)
    const calc = `calc@${PRODUCER}`
    // An agent id that merely contains a peer id, or names another peer, keeps its peer id.
    const winner = bid(calc, PRODUCER, 0.9)
    const bids = [winner, bid(`slow@${STEWARD}`, STEWARD, 0.4), bid(`x${STEWARD}`, STEWARD, 0.35), bid(`odd@${PRODUCER}`, STEWARD, 0.3)]
    recorder.task(task('t-c'))
    recorder.award({ taskId: 't-c', attempt: 1, winner, bids, digest: 'd1', at: T0 + 1 })
    recorder.result({ ...result('t-c'), producer: { peerId: PRODUCER, agentId: calc } })
    recorder.outcome({ ...outcome('t-c'), producer: { peerId: PRODUCER, agentId: calc, attempt: 1 } })
    recorder.flush()
    expect(problems).toEqual([])
    const a = (g.get('task:t-c')!.data!.attempts as JsonValue[])[0] as Record<string, JsonValue>
    expect(a.bids).toEqual([
      { agentId: calc, skillId: 'math', confidence: 0.9, reputation: 1, load: 0 },
      { agentId: `slow@${STEWARD}`, skillId: 'math', confidence: 0.4, reputation: 1, load: 0 },
      { agentId: `x${STEWARD}`, peerId: STEWARD, skillId: 'math', confidence: 0.35, reputation: 1, load: 0 },
      { agentId: `odd@${PRODUCER}`, peerId: STEWARD, skillId: 'math', confidence: 0.3, reputation: 1, load: 0 }
    ])
    // The winner is one of the bids: only who won, and with which skill.
    expect(a.winner).toEqual({ agentId: calc, peerId: PRODUCER, skillId: 'math' })
    expect(recorder.awardOf('t-c', 1)).toEqual({ agentId: calc, peerId: PRODUCER, skillId: 'math' })
    expect(recorder.recordedTask('t-c')?.history).toEqual([{ attempt: 1, agentId: calc, peerId: PRODUCER, skillId: 'math' }])
    expect(lines(g, 'task:t-c')).toEqual([
      'Attempt 1 announced by steward …aaaaaa.',
      'Attempt 1 awarded to calc on …bbbbbb (skill math, confidence 0.90, reputation 1.00, load 0) out of 4 bids.',
      'Attempt 1: calc on …bbbbbb answered (result:t-c:1): answer to t-c',
      'Completed: attempt 1 by calc on …bbbbbb (result:t-c:1).'
    ])
    // Consultation lines name the agent the same way.
    recorder.consultation({ kind: 'progress', id: 't-c:progress:1:1', taskId: 't-c', agentId: calc, peerId: PRODUCER, text: '40%: working', at: T0 + 2 })
    recorder.flush()
    expect(lines(g, 'task:t-c')).toContain('Attempt 1: calc on …bbbbbb reports 40%: working')
  })

  it('a dispute: dispute attestations, a conflict that contradicts the result, with the evidence', async () => {
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g)
    const evidence = g.add({ kind: 'fact', text: '2 + 2 = 4' })
    recorder.task(task('t-2'))
    recorder.award(award('t-2'))
    recorder.result(result('t-2'))
    recorder.outcome(outcome('t-2'))
    recorder.flush()
    const dispute = { peerId: VERIFIER, agentId: 'checker', vote: 'dispute' as const, confidence: 0.8, reason: '2+2 is 4', evidence: [evidence, 'fact:gone'] }
    recorder.verification({ taskId: 't-2', status: 'disputed', producer: { peerId: PRODUCER, agentId: 'calc' }, supporters: [], disputes: [dispute], at: T0 + 9 })
    recorder.flush()
    expect(problems).toEqual([])
    const hyp = g.get('result:t-2:1')!
    expect(hyp.status).toBe('disputed')
    expect(hyp.disputedBy).toEqual([{ peerId: VERIFIER, agentId: 'checker', at: T0 + 9, reason: '2+2 is 4' }])
    const conflict = g.get('dispute:t-2:1')!
    expect(conflict).toMatchObject({ kind: 'conflict', tags: ['dispute'], data: { taskId: 't-2', attempt: 1, result: 'result:t-2:1', disputes: [{ peerId: VERIFIER, agentId: 'checker', reason: '2+2 is 4' }] } })
    expect(conflict.text).toContain('2+2 is 4')
    expect(out(g, 'dispute:t-2:1', 'contradicts')).toEqual(['result:t-2:1'])
    expect(out(g, 'dispute:t-2:1', 'about')).toEqual(['task:t-2'])
    expect(out(g, 'dispute:t-2:1', 'derived-from')).toEqual([evidence])
    expect(out(g, evidence, 'contradicts')).toEqual(['result:t-2:1'])
    expect(g.has('fact:t-2:1')).toBe(false)
    expect(g.get('task:t-2')!.data).toMatchObject({ verification: { status: 'disputed', disputes: [{ reason: '2+2 is 4' }] } })
    expect(lines(g, 'task:t-2').at(-1)).toBe('Disputed: result:t-2:1 by checker on …cccccc (2+2 is 4); see dispute:t-2:1.')
  })

  it('a result that states the opposite of entities raises one conflict, which a later dispute of it joins', async () => {
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g)
    const held = g.add({ kind: 'hypothesis', text: 'The login bug is caused by the cache TTL.' })
    recorder.task(task('t-n'))
    recorder.award(award('t-n'))
    // A bad id, its own id, and an entity this graph does not hold (named by id; its edges skipped).
    recorder.result(result('t-n', 1, { text: 'The login bug is not caused by the cache TTL.', contradicts: [held, held, 'not an id!', 'result:t-n:1', 'fact:elsewhere'] }))
    recorder.outcome(outcome('t-n'))
    recorder.flush()
    expect(problems).toEqual([])
    const conflict = g.get('dispute:t-n:1')!
    expect(conflict).toMatchObject({ kind: 'conflict', status: 'proposed', tags: ['statements'], data: { taskId: 't-n', attempt: 1, result: 'result:t-n:1', statements: ['result:t-n:1', held, 'fact:elsewhere'], disputes: [] } })
    expect(conflict.text).toBe(`Conflicting statements: "The login bug is not caused by the cache TTL." [result:t-n:1] says the opposite of "The login bug is caused by the cache TTL." [${held}] and of [fact:elsewhere].`)
    expect(out(g, 'result:t-n:1', 'contradicts')).toEqual([held])
    expect(out(g, 'dispute:t-n:1', 'about')).toEqual([held, 'result:t-n:1', 'task:t-n'].sort())
    expect(lines(g, 'task:t-n')).toContain(`Conflict dispute:t-n:1: result:t-n:1 says the opposite of ${held}, fact:elsewhere.`)
    // Verifiers dispute it too: the same conflict, with the dispute added, not a second one.
    const dispute = { peerId: VERIFIER, agentId: 'checker', vote: 'dispute' as const, confidence: 0.8, reason: 'the graph says otherwise', evidence: [held] }
    recorder.verification({ taskId: 't-n', status: 'disputed', producer: { peerId: PRODUCER, agentId: 'calc' }, supporters: [], disputes: [dispute], at: T0 + 9 })
    recorder.flush()
    expect(problems).toEqual([])
    expect(g.list({ kind: 'conflict' }).map(c => c.id)).toEqual(['dispute:t-n:1'])
    expect(g.get('dispute:t-n:1')!.data).toMatchObject({ statements: ['result:t-n:1', held, 'fact:elsewhere'], disputes: [{ agentId: 'checker', reason: 'the graph says otherwise' }] })
    expect(g.get('dispute:t-n:1')!.text).toBe(conflict.text)
    // A result that contradicts nothing raises none.
    lifecycle(recorder, 't-plain')
    recorder.flush()
    expect(g.has('dispute:t-plain:1')).toBe(false)
  })

  it('a decision that settles a conflict answers it, and one that overrules a statement contradicts it, raising no conflict', async () => {
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g)
    const held = g.add({ kind: 'hypothesis', text: 'The login bug is caused by the cache TTL.' })
    const loose = g.add({ kind: 'hypothesis', text: 'The relay is not public.' })
    lifecycle(recorder, 't-c', { text: 'The login bug is not caused by the cache TTL.', contradicts: [held] })
    recorder.flush()
    expect(g.get('dispute:t-c:1')).toMatchObject({ kind: 'conflict', tags: ['statements'] })
    // The decision: its own id, a bad id and an entity this graph does not hold are skipped.
    lifecycle(recorder, 't-d', { text: 'Decision: the login bug is caused by the cache TTL.', settles: ['dispute:t-c:1', 'result:t-c:1', loose, 'result:t-d:1', 'not an id!', 'fact:elsewhere'] })
    recorder.flush()
    expect(problems).toEqual([])
    expect(g.has('dispute:t-d:1')).toBe(false)
    expect(g.get('dispute:t-c:1')!.data).toMatchObject({ settledBy: ['result:t-d:1'] })
    expect(out(g, 'result:t-d:1', 'answers')).toEqual(['dispute:t-c:1', 'task:t-d'])
    expect(out(g, 'result:t-d:1', 'contradicts')).toEqual([loose, 'result:t-c:1'].sort())
    expect(lines(g, 'task:t-d')).toContain('Conflict dispute:t-c:1 settled by result:t-d:1.')
    expect(lines(g, 'task:t-c')).toContain("Conflict dispute:t-c:1 settled by result:t-d:1, the room's decision.")
    // Settled again by a second decision: both are named, once each.
    lifecycle(recorder, 't-e', { text: 'Agreed: the login bug is caused by the cache TTL.', settles: ['dispute:t-c:1'] })
    lifecycle(recorder, 't-e2', { text: 'Agreed: the login bug is caused by the cache TTL.', settles: ['dispute:t-c:1', 'dispute:t-c:1'] })
    recorder.flush()
    expect(g.get('dispute:t-c:1')!.data).toMatchObject({ settledBy: ['result:t-d:1', 'result:t-e:1', 'result:t-e2:1'] })
  })

  it('a takeover: a new steward writes the thread its old steward never wrote, or only names itself on the one that was', async () => {
    const NEW = VERIFIER
    // The old steward's tab closed before its recorder wrote anything: the new steward writes it all.
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g)
    recorder.task(task('t-lost', { steward: NEW, takeoverFrom: STEWARD }))
    recorder.award(award('t-lost'))
    recorder.outcome(outcome('t-lost'))
    recorder.flush()
    expect(problems).toEqual([])
    expect(g.get('task:t-lost')!.data).toMatchObject({ taskId: 't-lost', state: 'completed', steward: NEW, attempts: [{ attempt: 1, steward: NEW, digest: 'd1' }] })
    expect(g.get('task:t-lost')!.messages!.flatMap(m => m.text.split('\n'))[0]).toBe(`Steward …${NEW.slice(-6)} took attempt 1 over from …${STEWARD.slice(-6)}, which left.`)
    // The thread was written: the state stays working (not back to submitted), the award is not posted twice.
    recorder.task(task('t-kept'))
    recorder.award(award('t-kept'))
    recorder.flush()
    const before = g.get('task:t-kept')!.messages!.length
    recorder.task(task('t-kept', { steward: NEW, takeoverFrom: STEWARD }))
    recorder.award(award('t-kept'))
    recorder.flush()
    const kept = g.get('task:t-kept')!
    expect(kept.data).toMatchObject({ state: 'working', steward: NEW, attempts: [{ attempt: 1, steward: NEW, announcedAt: T0 }] })
    expect(kept.messages!.length).toBe(before + 1)
    // One line, the takeover: the award's line was there already.
    expect(kept.messages!.at(-1)!.text).toBe(`Steward …${NEW.slice(-6)} took attempt 1 over from …${STEWARD.slice(-6)}, which left.`)
    expect(problems).toEqual([])
  })

  it('awardOf reads the winner an attempt\'s award recorded (what a node that missed the award message takes)', async () => {
    const g = await oneGraph()
    const { recorder } = recorderOn(g)
    expect(recorder.awardOf('t-a', 1)).toBeUndefined()
    recorder.task(task('t-a'))
    recorder.award(award('t-a'))
    recorder.flush()
    expect(recorder.awardOf('t-a', 1)).toEqual({ peerId: PRODUCER, agentId: 'calc', skillId: 'math' })
    expect(recorder.awardOf('t-a', 2)).toBeUndefined()
    // Attempt 2 went to nobody: no winner to read.
    recorder.task(task('t-a', { attempt: 2 }))
    recorder.award({ taskId: 't-a', attempt: 2, winner: null, bids: [], digest: 'd2', reason: 'nobody bid', at: T0 + 2 })
    recorder.flush()
    expect(recorder.awardOf('t-a', 2)).toBeUndefined()
    expect(recorder.awardOf('t-a', 1)).toEqual({ peerId: PRODUCER, agentId: 'calc', skillId: 'math' })
  })

  it('unverified: the result stays a hypothesis, the thread says why, a later verdict still lands, and a tab listing the task reads it', async () => {
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g)
    lifecycle(recorder, 't-u')
    recorder.flush()
    const reason = 'every verifier on another present peer has voted and the quorum of 1 was not reached (2 abstained)'
    recorder.verification({ taskId: 't-u', status: 'unverified', reason, producer: { peerId: PRODUCER, agentId: 'calc' }, supporters: [], disputes: [], at: T0 + 6 })
    recorder.flush()
    expect(problems).toEqual([])
    expect(g.get('result:t-u:1')).toMatchObject({ kind: 'hypothesis', status: 'proposed' })
    expect(g.has('fact:t-u:1')).toBe(false)
    expect(g.has('dispute:t-u:1')).toBe(false)
    expect(g.get('task:t-u')!.data).toMatchObject({ verification: { status: 'unverified', reason, result: 'result:t-u:1', supporters: [] } })
    expect(lines(g, 'task:t-u').at(-1)).toBe(`Not verified: result:t-u:1 stays a hypothesis: ${reason}.`)
    expect(recorder.recordedTask('t-u')!.verification).toEqual({ status: 'unverified', supporters: [], disputes: [], reason, attempt: 1 })
    // A verifier that answers late still makes it a fact.
    recorder.verification(verified('t-u'))
    recorder.flush()
    expect(g.get('fact:t-u:1')).toMatchObject({ kind: 'fact', tags: ['result', 'verified'] })
    expect(g.get('task:t-u')!.data).toMatchObject({ verification: { status: 'verified', supporters: [VERIFIER] } })
    expect(recorder.recordedTask('t-u')!.verification).toEqual({ status: 'verified', supporters: [VERIFIER], disputes: [], attempt: 1 })
  })

  it('a mission: subtask threads the mission depends on, a solution answering it and derived from each part', async () => {
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g)
    recorder.task(task('m-1', { text: 'mission: area and name' }))
    recorder.award(award('m-1'))
    for (const k of [1, 2]) {
      const sub = `m-1/${k}`
      recorder.task(task(sub, { missionId: 'm-1' }))
      recorder.award(award(sub))
      recorder.result(result(sub))
      recorder.outcome(outcome(sub))
    }
    recorder.solution({
      missionId: 'm-1', text: 'mission: area and name', result: { text: 'area 12, name BOB', output: { area: 12, name: 'BOB' } },
      parts: [
        { planId: 'area', taskId: 'm-1/1', producer: { peerId: PRODUCER, agentId: 'calc' }, verification: 'verified' },
        { planId: 'name', taskId: 'm-1/2', producer: { peerId: PRODUCER, agentId: 'calc' }, verification: 'verified' }
      ],
      group: [{ peerId: PRODUCER, agentId: 'calc' }],
      at: T0 + 10
    })
    recorder.flush()
    expect(problems).toEqual([])
    expect(g.get('task:m-1_s1')).toMatchObject({ tags: ['task', 'subtask'], data: { taskId: 'm-1/1', missionId: 'm-1', state: 'completed' } })
    expect(out(g, 'task:m-1', 'depends-on')).toEqual(['task:m-1_s1', 'task:m-1_s2'])
    const solution = g.get('solution:m-1')!
    expect(solution).toMatchObject({
      kind: 'solution', taskId: 'm-1', title: 'mission: area and name', text: 'area 12, name BOB',
      data: { missionId: 'm-1', output: { area: 12, name: 'BOB' }, parts: [{ planId: 'area', taskId: 'm-1/1', verification: 'verified' }, { planId: 'name', taskId: 'm-1/2' }], group: [{ agentId: 'calc' }] }
    })
    expect(out(g, 'solution:m-1', 'answers')).toEqual(['task:m-1'])
    expect(out(g, 'solution:m-1', 'derived-from')).toEqual(['result:m-1_s1:1', 'result:m-1_s2:1'])
    expect(g.get('task:m-1')!.data).toMatchObject({ solution: 'solution:m-1' })
    expect(lines(g, 'task:m-1').at(-1)).toBe('Solution solution:m-1 assembled from 2 parts (area, name) by calc on …bbbbbb.')
    // The mission's outcome: its working group dissolves, and who was in it stays on the record.
    recorder.outcome({ taskId: 'm-1', state: 'completed', attempts: 1, group: [{ peerId: PRODUCER, agentId: 'calc' }, { peerId: STEWARD, agentId: 'reader' }], at: T0 + 11 })
    recorder.flush()
    expect(g.get('task:m-1')!.data!.outcome).toMatchObject({ state: 'completed', group: [{ peerId: PRODUCER, agentId: 'calc' }, { peerId: STEWARD, agentId: 'reader' }] })
    expect(lines(g, 'task:m-1').slice(-2)).toEqual(['Completed after 1 attempt.', 'The working group dissolves: calc on …bbbbbb, reader on …aaaaaa.'])
    // A failed mission's group dissolves too, even one nobody joined.
    recorder.task(task('m-2', { text: 'mission nobody could do' }))
    recorder.outcome({ taskId: 'm-2', state: 'failed', reason: 'subtask a unassigned', attempts: 1, group: [], at: T0 + 12 })
    recorder.flush()
    expect(lines(g, 'task:m-2').slice(-2)).toEqual(['Failed after 1 attempt: subtask a unassigned', 'The working group dissolves: nobody was awarded a part.'])
    expect(problems).toEqual([])
  })

  it('consultation: question about the task, answer as a fact answering it, decision, alerts and handoffs as messages; reputation goes to the callback', async () => {
    const g = await oneGraph()
    const reputations: unknown[] = []
    const { recorder, problems } = recorderOn(g, { onReputation: r => { reputations.push(r) } })
    recorder.task(task('t-3'))
    recorder.consultation({ kind: 'question', id: 'q-s-1', taskId: 't-3', agentId: 'greeter', peerId: PRODUCER, text: 'Whom should I greet?', at: T0 })
    recorder.consultation({ kind: 'answer', id: 'q-s-1:answer', taskId: 't-3', about: 'q-s-1', peerId: STEWARD, text: 'Bob', at: T0 + 1 })
    recorder.consultation({ kind: 'alert', id: 'a-s-2', taskId: 't-3', agentId: 'greeter', peerId: PRODUCER, text: 'warning: slow', at: T0 + 2 })
    recorder.consultation({ kind: 'alert', id: 'a-s-3', peerId: PRODUCER, text: 'info: model loaded', at: T0 + 2 })
    recorder.consultation({ kind: 'decision', id: 'd-s-4', about: 't-3', peerId: STEWARD, text: 'Greet formally', at: T0 + 3 })
    recorder.consultation({ kind: 'progress', id: 't-3:progress:1:1', taskId: 't-3', agentId: 'greeter', peerId: PRODUCER, text: '40%: looking up greetings', at: T0 + 4 })
    recorder.consultation({ kind: 'handoff', id: 't-3:handoff:1', taskId: 't-3', agentId: 'greeter', peerId: PRODUCER, text: 'not my language', at: T0 + 4 })
    const rep: Arg<'reputation'> = { agentId: 'calc@P', skillId: 'math', peerId: PRODUCER, record: { successes: 1, failures: 0, verified: 0, disputed: 0, latencyEwmaMs: 805.4, samples: 1 }, factor: 1.1, at: T0 }
    recorder.reputation(rep)
    recorder.flush()
    expect(problems).toEqual([])
    expect(reputations).toEqual([rep])
    // The reputation is a fact in the graph: one per agent, its skills in data, summed up in its text.
    const reputationFact = (): Entity | undefined => g.get(reputationId('calc@P'))
    expect(reputationFact()).toMatchObject({
      kind: 'fact', tags: ['reputation'], title: 'Reputation of calc@P',
      text: 'calc@P on …bbbbbb. math: 1 of 1 try succeeded, no result checked yet, about 805 ms, reputation 1.10.',
      data: { agentId: 'calc@P', peerId: PRODUCER, skills: { math: { successes: 1, failures: 0, verified: 0, disputed: 0, latencyMs: 805, factor: 1.1, at: T0 } } }
    })
    // Later records update it in place: a skill's record replaced, another skill added.
    recorder.reputation({ ...rep, record: { ...rep.record, successes: 2, failures: 1, verified: 1, latencyEwmaMs: 700 }, factor: 1.2345678, at: T0 + 9 })
    recorder.reputation({ ...rep, skillId: 'convert', record: { successes: 0, failures: 1, verified: 0, disputed: 1, latencyEwmaMs: 1000, samples: 0 }, factor: 0.8, at: T0 + 9 })
    recorder.flush()
    expect(problems).toEqual([])
    expect(reputationFact()!.text).toBe('calc@P on …bbbbbb. convert: 0 of 1 try succeeded, 0 of 1 checked results verified, about 1000 ms, reputation 0.80; math: 2 of 3 tries succeeded, 1 of 1 checked results verified, about 700 ms, reputation 1.23.')
    expect(reputationFact()!.data).toMatchObject({ skills: { math: { successes: 2, factor: 1.2346 }, convert: { disputed: 1 } } })
    expect(g.list({ tag: 'reputation' })).toHaveLength(1)
    const q = g.get('question:q-s-1')!
    expect(q).toMatchObject({ kind: 'question', text: 'Whom should I greet?', data: { questionId: 'q-s-1', taskId: 't-3', agentId: 'greeter' } })
    expect(q.provenance.agentId).toBe('greeter')
    expect(out(g, 'question:q-s-1', 'about')).toEqual(['task:t-3'])
    const aid = answerId('q-s-1', STEWARD)
    expect(g.get(aid)).toMatchObject({ kind: 'fact', text: 'Bob', data: { questionId: 'q-s-1' } })
    expect(out(g, aid, 'answers')).toEqual(['question:q-s-1'])
    expect(g.get('decision:d-s-4')).toMatchObject({ kind: 'decision', text: 'Greet formally', data: { about: 't-3' } })
    expect(out(g, 'decision:d-s-4', 'about')).toEqual(['task:t-3'])
    expect(lines(g, 'task:t-3')).toEqual([
      'Attempt 1 announced by steward …aaaaaa.',
      'greeter on …bbbbbb asks (question:q-s-1): Whom should I greet?',
      `Answer from a person on …aaaaaa to question:q-s-1: Bob`,
      'Alert from greeter on …bbbbbb: warning: slow',
      'Decision by a person on …aaaaaa (decision:d-s-4): Greet formally',
      'Attempt 1: greeter on …bbbbbb reports 40%: looking up greetings',
      'Attempt 1: greeter on …bbbbbb hands off: not my language'
    ])
    const alerts = g.list({ tag: 'alerts' })
    expect(alerts).toHaveLength(1)
    expect(alerts[0]!.messages!.map(m => m.text)).toEqual(['Alert from a person on …bbbbbb (a-s-3): info: model loaded'])
  })
})

describe('graph recorder: batching, idempotency, order, bad input', () => {
  it('writes many records as one change per flush, and times 5,000 task lifecycles', async () => {
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g)
    let localChanges = 0
    g.on('change', c => { if (c.origin === 'local') localChanges++ })
    for (let i = 0; i < 100; i++) lifecycle(recorder, `b-${i}`)
    expect(g.size).toBe(0)
    recorder.flush()
    expect(localChanges).toBe(1)
    expect(recorder.stats()).toMatchObject({ changes: 1, records: 400, queued: 0, parked: 0, problems: 0 })
    expect(g.list({ kind: 'thread' })).toHaveLength(100)
    expect(g.list({ kind: 'hypothesis' })).toHaveLength(100)

    // The rate a tab sees: announce and award of 10 tasks per flush, their results and outcomes
    // one flush later (so threads get updated, not just created).
    const g2 = await oneGraph()
    const { recorder: r2, problems: p2 } = recorderOn(g2)
    const N = 5000
    const chunk = 10
    const started = performance.now()
    for (let i = 0; i <= N; i += chunk) {
      for (let j = i; j < Math.min(N, i + chunk); j++) { r2.task(task(`p-${j}`)); r2.award(award(`p-${j}`)) }
      for (let j = i - chunk; j >= 0 && j < i; j++) { r2.result(result(`p-${j}`)); r2.outcome(outcome(`p-${j}`)) }
      r2.flush()
    }
    const ms = performance.now() - started
    const st = r2.stats()
    expect(p2).toEqual([])
    expect(g2.list({ kind: 'thread' })).toHaveLength(N)
    expect(g2.list({ kind: 'hypothesis' })).toHaveLength(N)
    expect(g2.get(`task:p-${N - 1}`)!.data).toMatchObject({ state: 'completed' })
    console.log(`graph recorder: ${N} task lifecycles (${st.records} records, ${st.ops} ops, ${st.changes} changes, largest batch ${st.largestBatch} ops) in ${(ms / 1000).toFixed(1)} s: ` +
      `${Math.round(N / (ms / 1000))} tasks/s, ${Math.round(st.ops / (ms / 1000))} ops/s, ${(st.totalFlushMs / st.flushes).toFixed(1)} ms per flush`)
    expect(problems).toEqual([])
  }, 240_000)

  it('a busy recorder (last flush of busyOps ops or more) waits busyFlushMs before the next flush', async () => {
    const g = await oneGraph()
    const rec = createGraphRecorder(g, { flushMs: 10, busyFlushMs: 400, busyOps: 20 })
    recorders.push(rec)
    lifecycle(rec, 'quiet-1') // a handful of ops: not busy
    await waitFor('the quiet flush', () => g.has('result:quiet-1:1'), 2000)
    lifecycle(rec, 'quiet-2')
    await waitFor('the next quiet flush', () => g.has('result:quiet-2:1'), 300)
    for (let i = 0; i < 10; i++) lifecycle(rec, `busy-${i}`)
    await waitFor('the big flush', () => g.has('result:busy-9:1'), 300)
    expect(rec.stats().largestBatch).toBeGreaterThanOrEqual(20)
    const after = Date.now()
    lifecycle(rec, 'late-1')
    await waitFor('the flush after a busy one', () => g.has('result:late-1:1'), 2000)
    expect(Date.now() - after).toBeGreaterThanOrEqual(300)
    // One small flush later the recorder is quiet again.
    const quiet = Date.now()
    lifecycle(rec, 'late-2')
    await waitFor('a quiet flush again', () => g.has('result:late-2:1'), 2000)
    expect(Date.now() - quiet).toBeLessThan(300)
  })

  it('flushes by itself after flushMs, and at once when maxPending records queue up', async () => {
    const g = await oneGraph()
    const rec = createGraphRecorder(g, { flushMs: 20, maxPending: 50 })
    recorders.push(rec)
    lifecycle(rec, 'auto-1')
    expect(g.has('task:auto-1')).toBe(false)
    await waitFor('the timed flush', () => g.has('result:auto-1:1'), 2000)
    expect(rec.stats().changes).toBe(1)
    for (let i = 0; i < 20; i++) lifecycle(rec, `burst-${i}`) // 80 records, about 160 intents
    expect(rec.stats().changes).toBeGreaterThan(1) // written before any timer could run
  })

  it('recording the same things twice (in one flush, in the next, from a second recorder) neither throws nor duplicates', async () => {
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g)
    const all = (rec: CoordRecorder): void => {
      lifecycle(rec, 'i-1')
      rec.vote({ taskId: 'i-1', vote: { peerId: VERIFIER, agentId: 'checker', vote: 'support', confidence: 0.9, reason: 'ok' }, at: T0 + 5 })
      rec.verification(verified('i-1'))
      rec.consultation({ kind: 'question', id: 'q-1', taskId: 'i-1', agentId: 'calc', peerId: PRODUCER, text: 'really?', at: T0 })
    }
    all(recorder)
    all(recorder)
    recorder.flush()
    const snapshot = (): unknown => ({
      entities: g.list().map(e => ({ id: e.id, messages: e.messages?.length, verifiedBy: e.verifiedBy.length, data: e.data })),
      edges: g.edges().map(e => e.id)
    })
    const first = snapshot()
    expect(lines(g, 'task:i-1')).toHaveLength(7)
    all(recorder)
    recorder.flush()
    // A second node recording the same (e.g. after a steward takeover) on the synced graph.
    const { recorder: other, problems: otherProblems } = recorderOn(g)
    all(other)
    other.flush()
    expect(snapshot()).toEqual(first)
    expect(g.get('result:i-1:1')!.verifiedBy).toHaveLength(1)
    expect(problems).toEqual([])
    expect(otherProblems).toEqual([])
    expect(recorder.stats().skipped).toBeGreaterThan(0)
  })

  it('records that arrive before their task thread wait for it, then land (no placeholder is created)', async () => {
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g)
    recorder.result(result('o-1'))
    recorder.vote({ taskId: 'o-1', vote: { peerId: VERIFIER, agentId: 'checker', vote: 'support', confidence: 0.9, reason: 'ok' }, at: T0 })
    recorder.outcome(outcome('o-1'))
    recorder.flush()
    // The result is this node's own entity: written. What needs the thread waits.
    expect(g.has('result:o-1:1')).toBe(true)
    expect(g.has('task:o-1')).toBe(false)
    expect(out(g, 'result:o-1:1', 'answers')).toEqual([])
    expect(recorder.stats().parked).toBe(5) // answers edge, result line, vote line, outcome data and line
    // A verification whose result is not here yet waits too.
    recorder.verification(verified('o-2'))
    recorder.flush()
    expect(recorder.stats().parked).toBe(6)
    // The thread arrives (recorded here; in the two-graph test it arrives by sync) and wakes them.
    recorder.task(task('o-1'))
    recorder.flush()
    expect(recorder.stats()).toMatchObject({ parked: 1, queued: 5 })
    recorder.flush()
    expect(out(g, 'result:o-1:1', 'answers')).toEqual(['task:o-1'])
    expect(lines(g, 'task:o-1')).toHaveLength(4)
    expect(g.get('task:o-1')!.data).toMatchObject({ state: 'completed', outcome: { producer: { attempt: 1 } } })
    recorder.result(result('o-2', 2))
    recorder.flush()
    recorder.flush()
    expect(g.get('result:o-2:2')?.status).toBe('verified')
    expect(g.get('fact:o-2:2')?.status).toBe('verified')
    expect(recorder.stats().parked).toBe(4) // o-2's answers edge, result line, verified line and data still wait for task:o-2
    expect(problems).toEqual([])
  })

  it('caps what waits: beyond maxPending the oldest parked records are dropped and reported', async () => {
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g, { maxPending: 3 })
    for (let i = 0; i < 5; i++) recorder.vote({ taskId: `never-${i}`, vote: { peerId: VERIFIER, agentId: 'c', vote: 'support', confidence: 1, reason: 'x' }, at: T0 })
    recorder.flush()
    expect(recorder.stats()).toMatchObject({ parked: 3, evicted: 2 })
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(/vote never-0 by c: dropped after waiting for task:never-0/)
  })

  it('a bad record is reported and the rest of the batch lands; an op the graph refuses is dropped and the batch retried', async () => {
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g)
    lifecycle(recorder, 'ok-0')
    recorder.flush()
    g.retract('task:ok-0', 'withdrawn by a person')
    // Invalid ids: refused when recorded.
    recorder.task(task('bad id with spaces'))
    recorder.result(result(''))
    // Oversized: shortened, not refused.
    recorder.task(task('big-1', { text: 'x'.repeat(20_000) }))
    recorder.result(result('big-1', 1, { text: 'y'.repeat(9000), output: { blob: 'z'.repeat(40_000) } }))
    // Passes every check here, but the graph refuses it: the thread was retracted.
    recorder.vote({ taskId: 'ok-0', vote: { peerId: VERIFIER, agentId: 'checker', vote: 'support', confidence: 0.9, reason: 'ok' }, at: T0 })
    lifecycle(recorder, 'ok-1')
    recorder.flush()
    expect(problems).toHaveLength(3)
    expect(problems[0]).toMatch(/^task bad id with spaces attempt 1: taskId "bad id with spaces" is not a valid coordination id/)
    expect(problems[1]).toMatch(/^result {2}attempt 1: taskId "" is not a valid coordination id/)
    expect(problems[2]).toBe('vote ok-0 by checker: post to task:ok-0 refused (threadId: thread "task:ok-0" is retracted)')
    expect(recorder.stats().retries).toBe(1)
    // Everything else of that flush landed, in one retry.
    expect(g.get('task:ok-1')!.data).toMatchObject({ state: 'completed' })
    expect(g.has('result:ok-1:1')).toBe(true)
    const big = g.get('task:big-1')!
    expect(big.text).toHaveLength(LIMITS.textLength)
    expect(big.title).toHaveLength(LIMITS.titleLength)
    const bigResult = g.get('result:big-1:1')!
    expect(bigResult.text).toHaveLength(LIMITS.textLength)
    expect(bigResult.data).toMatchObject({ textTruncated: true, truncated: true })
    expect(bigResult.data!.result).toMatch(/^omitted: about 4\d KiB of JSON/)
    expect(g.invalid()).toEqual([])
  })

  it('a very large bid set is trimmed to the data limit, best bids kept', async () => {
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g)
    const bids = Array.from({ length: 128 }, (_, i) => bid(`agent-${String(i).padStart(3, '0')}-${'q'.repeat(60)}`, `12D3KooW${'p'.repeat(44)}${String(i).padStart(3, '0')}`, 0.3 + i / 200))
    const winner = bids.at(-1)!
    recorder.task(task('wide'))
    for (let attempt = 1; attempt <= 3; attempt++) recorder.award({ taskId: 'wide', attempt, winner, bids, digest: 'd', at: T0 })
    recorder.flush()
    expect(problems).toEqual([])
    const attempts = g.get('task:wide')!.data!.attempts as Array<{ bids: Array<{ agentId: string }>, bidsOmitted?: number }>
    expect(attempts).toHaveLength(3)
    const kept = attempts.reduce((n, a) => n + a.bids.length, 0)
    const omitted = attempts.reduce((n, a) => n + (a.bidsOmitted ?? 0), 0)
    expect(kept + omitted).toBe(3 * 128)
    expect(omitted).toBeGreaterThan(0)
    for (const a of attempts) expect(a.bids[0]!.agentId).toBe(winner.agentId)
  })
})

describe('graph recorder: a second completion of one task', () => {
  it('keeps the lowest attempt as the outcome, lists the other as a duplicate and says so on the thread', async () => {
    const g = await oneGraph()
    const { recorder, problems } = recorderOn(g)
    recorder.task(task('p-1'))
    recorder.award(award('p-1'))
    recorder.outcome(outcome('p-1', 1))
    recorder.flush()
    // The other side of a partition recorded attempt 2 by another agent, after syncing attempt 1.
    recorder.outcome({ ...outcome('p-1', 2), producer: { peerId: STEWARD, agentId: 'slow', attempt: 2 } })
    recorder.flush()
    const data = g.get('task:p-1')!.data!
    expect(data.outcome).toMatchObject({ state: 'completed', producer: { peerId: PRODUCER, agentId: 'calc', attempt: 1 } })
    expect(data.duplicates).toEqual([{ attempt: 2, peerId: STEWARD, agentId: 'slow' }])
    expect(lines(g, 'task:p-1').at(-1)).toMatch(/^Attempt 2 by slow on .* also completed it \(a partition\); attempt 1 by calc on .* stays the task's result\.$/)
    // A later attempt recorded first gives way to a lower one recorded after it.
    recorder.task(task('p-2'))
    recorder.outcome({ ...outcome('p-2', 2), producer: { peerId: STEWARD, agentId: 'slow', attempt: 2 } })
    recorder.flush()
    recorder.outcome(outcome('p-2', 1))
    recorder.flush()
    expect(g.get('task:p-2')!.data!.outcome).toMatchObject({ producer: { attempt: 1, agentId: 'calc' } })
    expect(g.get('task:p-2')!.data!.duplicates).toEqual([{ attempt: 2, peerId: STEWARD, agentId: 'slow' }])
    expect(problems).toEqual([])
  })
})

describe('graph recorder: a thread both sides of a partition created', () => {
  it('merges into one completion when the two copies of the thread meet (a whole-entity conflict)', async () => {
    const { ga, gb, netA, netB, hub } = await graphPair('split', [steward, producerTab], repos)
    await waitFor('the graphs to connect', () => netA.connected && netB.connected)
    hub.partition(netA, netB)
    const a = recorderOn(ga, { flushMs: 10 })
    const b = recorderOn(gb, { flushMs: 10 })
    // Side A: the steward runs attempt 2 with its own agent. Side B never saw the thread: its
    // takeover steward creates it and completes attempt 1.
    a.recorder.task(task('z-1', { attempt: 2, steward: STEWARD }))
    a.recorder.award(award('z-1', 2, bid('slow', STEWARD, 0.8)))
    a.recorder.outcome({ ...outcome('z-1', 2), producer: { peerId: STEWARD, agentId: 'slow', attempt: 2 } })
    b.recorder.task(task('z-1', { steward: PRODUCER }))
    b.recorder.award(award('z-1'))
    b.recorder.result(result('z-1'))
    b.recorder.outcome(outcome('z-1', 1))
    await waitFor('both sides to record', () => ga.get('task:z-1')?.data?.state === 'completed' && gb.get('task:z-1')?.data?.state === 'completed')
    hub.heal(netA, netB)
    // One completion on both graphs, and on both the conflict entity that says how it was resolved
    // (written by whichever recorder saw the conflict first; it reaches the other graph by sync, maybe
    // a moment after the merged data does).
    await waitFor('one completion on both graphs', () => [ga, gb].every(g => {
      const d = g.get('task:z-1')?.data
      return (d?.outcome as { producer?: { attempt?: number } } | undefined)?.producer?.attempt === 1 && Array.isArray(d?.duplicates) &&
        g.list({ kind: 'conflict' }).some(c => c.data?.field === '*' && c.data.resolution !== undefined)
    }), 10_000)
    for (const g of [ga, gb]) {
      expect(g.get('task:z-1')!.data!.duplicates).toEqual([{ attempt: 2, peerId: STEWARD, agentId: 'slow' }])
      expect(g.list({ kind: 'conflict' }).some(c => c.data?.field === '*' && c.data.resolution !== undefined)).toBe(true)
    }
    expect(a.recorder.stats().merges + b.recorder.stats().merges).toBeGreaterThan(0)
  })
})

describe('graph recorder: two nodes', () => {
  it('steward and producer on different graphs converge on one task thread and one result', async () => {
    const { ga: gs, gb: gp, netA: netS, netB: netP, hub } = await graphPair('two', [steward, producerTab], repos)
    const s = recorderOn(gs, { flushMs: 10 })
    const p = recorderOn(gp, { flushMs: 10 })
    await waitFor('the graphs to connect', () => netS.connected && netP.connected)
    // The producer's graph has not seen the steward's thread when its result is recorded.
    hub.partition(netS, netP)
    s.recorder.task(task('x-1'))
    s.recorder.award(award('x-1'))
    p.recorder.result(result('x-1'))
    // The steward records the outcome and the verification before the result reached its graph.
    s.recorder.outcome(outcome('x-1'))
    s.recorder.verification(verified('x-1'))
    await waitFor('both flushes', () => gs.has('task:x-1') && gp.has('result:x-1:1'))
    expect(gp.has('task:x-1')).toBe(false)
    expect(p.recorder.stats().parked).toBe(2)
    expect(s.recorder.stats().parked).toBe(1)
    hub.heal(netS, netP)

    const converged = (): boolean => [gs, gp].every(g => g.get('fact:x-1:1')?.status === 'verified' && out(g, 'result:x-1:1', 'answers').length === 1 && lines(g, 'task:x-1').length === 5) &&
      Automerge.getHeads(gs.handle.doc()).join() === Automerge.getHeads(gp.handle.doc()).join()
    await waitFor('both graphs to hold the whole record', converged, 10_000)
    for (const g of [gs, gp]) {
      expect(g.list({ kind: 'thread' }).map(e => e.id)).toEqual(['task:x-1'])
      expect(g.list({ kind: 'hypothesis' }).map(e => e.id)).toEqual(['result:x-1:1'])
      expect(g.get('result:x-1:1')!.provenance).toMatchObject({ agentId: 'calc', peerId: PRODUCER })
      expect(g.get('task:x-1')!.provenance.peerId).toBe(STEWARD)
      expect(g.list({ kind: 'conflict' })).toEqual([])
      expect(g.invalid()).toEqual([])
    }
    expect(s.recorder.stats().parked + p.recorder.stats().parked).toBe(0)
    expect([...s.problems, ...p.problems]).toEqual([])
  })
})

describe('graph recorder: with the coordination engine', () => {
  it('a mission run by four simulated nodes, each recording into its own graph, ends in one consistent graph everywhere', async () => {
    const clock = new FakeClock()
    const net = new MemoryNetwork(clock, { delayMs: 2, jitterMs: 3 })
    const hub = new MemoryHub()
    const planner: SimAgent = {
      id: 'planner', skill: 'plan', keywords: ['mission'], confidence: 0.95, workMs: 5,
      run: () => ({ text: 'two parts and a join', plan: { subtasks: [
        { id: 'area', text: 'compute area 3*4', dependsOn: [] },
        { id: 'name', text: 'shout name bob', dependsOn: [] },
        { id: 'report', text: 'report join', dependsOn: ['area', 'name'] }
      ] } })
    }
    const nodes = await Promise.all([
      [planner, { id: 'reporter', skill: 'write', keywords: ['report'], confidence: 0.9, workMs: 20, run: (t: { input?: unknown }) => ({ text: `report: ${JSON.stringify(t.input)}`, output: t.input }) }],
      [{ id: 'calc', skill: 'math', keywords: ['compute'], confidence: 0.9, workMs: 200, run: () => ({ text: '12', output: 12 }) }],
      [{ id: 'shout', skill: 'text', keywords: ['shout'], confidence: 0.9, workMs: 200, run: () => ({ text: 'BOB', output: 'BOB' }) }],
      [{ id: 'checker', skill: 'verify', keywords: [], confidence: 0, workMs: 10, run: () => ({ text: 'ok', verdict: { vote: 'support' as const, confidence: 0.9, reason: 'checked' } }) }]
    ].map(async (agents, i) => await graphNode(net, clock, hub, agents as SimAgent[], i === 3 ? { verifiers: ['checker'] } : {})))
    await runFor(clock, 20)
    const d = nodes[3]!
    const id = d.engine.tasks.submit({ text: 'mission: area of 3x4 and shout bob, then report' })
    await runUntil(clock, () => nodes.every(n => n.engine.tasks.get(id)?.state === 'completed'), 10_000)
    for (const n of nodes) n.recorder.flush()

    const subs = [1, 2, 3].map(k => `${id}/${k}`)
    const settled = (g: KnowledgeGraph): boolean => g.has(solutionId(id)) && out(g, solutionId(id), 'derived-from').length === 3 &&
      subs.every(sub => g.get(factId(sub, 1))?.status === 'verified' && out(g, resultId(sub, 1), 'answers').length === 1)
    await waitFor('every graph to hold the whole mission', () => nodes.every(n => settled(n.graph) && n.recorder.stats().parked === 0) &&
      new Set(nodes.map(n => Automerge.getHeads(n.graph.handle.doc()).join())).size === 1, 20_000)

    const g = nodes[0]!.graph
    expect(g.list({ kind: 'thread' }).map(e => e.id).sort()).toEqual([taskThreadId(id), ...subs.map(taskThreadId)].sort())
    expect(g.get(taskThreadId(id))!.data).toMatchObject({ state: 'completed', solution: solutionId(id), steward: d.id.peerId })
    expect(out(g, taskThreadId(id), 'depends-on')).toEqual(subs.map(taskThreadId).sort())
    expect(g.get(solutionId(id))).toMatchObject({ kind: 'solution', taskId: id, text: 'report: {"area":12,"name":"BOB"}' })
    expect(out(g, solutionId(id), 'derived-from')).toEqual(subs.map(sub => resultId(sub, 1)).sort())
    // The planner's plan is the mission's own result.
    expect(g.get(resultId(id, 1))).toMatchObject({ kind: 'hypothesis', text: 'two parts and a join' })
    for (const [k, agent] of [[1, 'calc'], [2, 'shout'], [3, 'reporter']] as const) {
      const sub = `${id}/${k}`
      const data = g.get(taskThreadId(sub))!.data as { attempts: Array<{ bids: unknown[], winner: { agentId: string } }>, state: string }
      expect(data.state).toBe('completed')
      expect(data.attempts[0]!.winner.agentId).toBe(agent)
      expect(data.attempts[0]!.bids.length).toBeGreaterThan(0)
      expect(g.get(resultId(sub, 1))!.provenance.agentId).toBe(agent)
      expect(g.get(resultId(sub, 1))!.verifiedBy.map(a => a.peerId)).toEqual([d.id.peerId])
      expect(lines(g, taskThreadId(sub)).some(l => l.startsWith('checker on') && l.includes('votes support'))).toBe(true)
    }
    for (const n of nodes) {
      expect(n.problems).toEqual([])
      expect(n.graph.list({ kind: 'conflict' })).toEqual([])
      expect(n.graph.invalid()).toEqual([])
      expect(n.engine.stats().rejected).toEqual({})
    }
    for (const n of nodes) n.engine.stop()
  }, 60_000)
})

interface GraphNode {
  id: { peerId: string }
  engine: CoordEngine
  graph: KnowledgeGraph
  recorder: GraphRecorder
  problems: string[]
}

/** sim.ts's makeNode, recording into a graph of its own (synced over `hub`) instead of memory. */
async function graphNode (net: MemoryNetwork, clock: FakeClock, hub: MemoryHub, agents: SimAgent[], options: CoordEngineOptions = {}): Promise<GraphNode> {
  const id = await identity()
  const repo = createGraphRepo({ network: hub.adapter() as MemoryNetworkAdapter })
  repos.push(repo)
  const graph = await openRoomGraph(repo, 'engine', { actor: { agentId: 'tab', peerId: id.peerId } })
  const problems: string[] = []
  const recorder = createGraphRecorder(graph, { flushMs: 5, onProblem: m => { problems.push(m) } })
  recorders.push(recorder)
  const engine = startSimEngine(net, clock, id, agents, recorder, options)
  return { id, engine, graph, recorder, problems }
}
