import type { Repo } from '@automerge/automerge-repo/slim'
import { afterEach, describe, expect, it } from 'vitest'
import '../graph/helpers.ts'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import type { KnowledgeGraph } from '../../../src/graph/knowledge-graph.ts'
import { createGraphRecorder, type GraphRecorder } from '../../../src/coord/graph-recorder.ts'
import { createRecordJournal, journalKey, parseJournalKey, JOURNAL_KEY_PREFIX, type JournalStorage } from '../../../src/coord/record-journal.ts'
import type { CoordRecorder } from '../../../src/coord/interfaces.ts'

type Arg<K extends keyof CoordRecorder> = Parameters<CoordRecorder[K]>[0]

const STEWARD = '12D3KooWStewardPeerAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const PRODUCER = '12D3KooWProducerPeerBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'
const T0 = Date.UTC(2026, 10, 22)

const repos: Repo[] = []
const recorders: GraphRecorder[] = []
afterEach(async () => {
  for (const r of recorders.splice(0)) r.close()
  await Promise.all(repos.splice(0).map(async r => { await r.shutdown() }))
})

async function oneGraph (): Promise<KnowledgeGraph> {
  const repo = createGraphRepo()
  repos.push(repo)
  return await openRoomGraph(repo, 'journal', { actor: { agentId: 'tab', peerId: STEWARD } })
}

/** A recorder that writes only when told to (a page whose records are still gathering). */
function holdingRecorder (graph: KnowledgeGraph, problems: string[] = []): GraphRecorder {
  const r = createGraphRecorder(graph, { flushMs: 3_600_000, onProblem: m => { problems.push(m) } })
  recorders.push(r)
  return r
}

class MemoryStorage implements JournalStorage {
  readonly items = new Map<string, string>()
  failWrites = false
  getItem (key: string): string | null { return this.items.get(key) ?? null }
  setItem (key: string, value: string): void {
    if (this.failWrites) throw new Error('QuotaExceededError')
    this.items.set(key, value)
  }

  removeItem (key: string): void { this.items.delete(key) }
  get length (): number { return this.items.size }
  key (index: number): string | null { return [...this.items.keys()][index] ?? null }
}

const bid = { agentId: 'calc', peerId: PRODUCER, skillId: 'math', confidence: 0.9, reputation: 1, load: 0, latencyMs: 10 }
function lifecycle (rec: CoordRecorder, taskId: string): void {
  rec.task({ taskId, attempt: 1, text: `work on ${taskId}`, excluded: [], steward: STEWARD, at: T0 } satisfies Arg<'task'>)
  rec.award({ taskId, attempt: 1, winner: bid, bids: [bid], digest: 'd1', at: T0 + 1 })
  rec.result({ taskId, attempt: 1, producer: { peerId: PRODUCER, agentId: 'calc' }, skillId: 'math', text: `work on ${taskId}`, result: { text: `answer to ${taskId}`, output: { value: 42 } }, startedAt: T0 + 2, finishedAt: T0 + 3 })
  rec.outcome({ taskId, state: 'completed', attempts: 1, producer: { peerId: PRODUCER, agentId: 'calc', attempt: 1 }, failures: [], at: T0 + 4 })
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('record journal', () => {
  it('carries records the recorder never wrote over to the next page, which writes them; replaying twice changes nothing', async () => {
    const storage = new MemoryStorage()
    const key = journalKey('journal', STEWARD)
    // The first page records two tasks and goes away before its recorder writes them.
    const first = await oneGraph()
    const journal = createRecordJournal(holdingRecorder(first), { autosaveMs: 0, storage, key })
    lifecycle(journal.recorder, 't-1')
    lifecycle(journal.recorder, 't-2')
    expect(first.get('task:t-1')).toBeUndefined()
    journal.persist()
    // persist() flushed the recorder first (the graph would have had them, had the page lived).
    expect(first.get('task:t-1')).toBeDefined()
    expect(storage.items.has(key)).toBe(true)

    // The next page: a graph that never got those writes (its storage missed them).
    const next = await oneGraph()
    const recorder = holdingRecorder(next)
    const again = createRecordJournal(recorder, { autosaveMs: 0, storage, key })
    expect(again.replay()).toEqual({ replayed: 8, refused: 0 })
    expect(storage.items.has(key)).toBe(false)
    recorder.flush()
    for (const t of ['t-1', 't-2']) {
      expect(next.get(`task:${t}`)?.data).toMatchObject({ state: 'completed', attempts: [{ winner: { agentId: 'calc' } }] })
      expect(next.get(`result:${t}:1`)?.kind).toBe('hypothesis')
    }
    const size = next.size
    const lines = next.get('task:t-1')?.messages?.length
    // The replayed records are journaled again, and replaying them into a graph that has them writes nothing.
    again.persist()
    expect(createRecordJournal(recorder, { autosaveMs: 0, storage, key }).replay().replayed).toBe(8)
    recorder.flush()
    expect(next.size).toBe(size)
    expect(next.get('task:t-1')?.messages?.length).toBe(lines)
    expect(createRecordJournal(recorder, { autosaveMs: 0, storage, key }).replay()).toEqual({ replayed: 0, refused: 0 })
  })

  it('keeps records for keepMs and at most maxRecords, the newest', async () => {
    let now = T0
    const storage = new MemoryStorage()
    const graph = await oneGraph()
    const journal = createRecordJournal(holdingRecorder(graph), { autosaveMs: 0, storage, key: 'k', keepMs: 30_000, maxRecords: 6, now: () => now })
    lifecycle(journal.recorder, 't-old')
    now += 31_000
    lifecycle(journal.recorder, 't-a')
    expect(journal.stats()).toMatchObject({ kept: 4, dropped: 0 })
    lifecycle(journal.recorder, 't-b')
    expect(journal.stats()).toMatchObject({ kept: 6, dropped: 2 })
    // Reputation is not graph recording: passed through, not kept.
    journal.recorder.reputation({ agentId: 'calc', skillId: 'math', peerId: PRODUCER, record: { successes: 1, failures: 0, verified: 0, disputed: 0, latencyEwmaMs: 10, samples: 1 }, factor: 1.1, at: now })
    journal.persist()
    const stored = JSON.parse(storage.items.get('k')!) as { v: number, records: Array<{ k: string, r: { taskId: string } }> }
    expect(stored.v).toBe(1)
    expect(stored.records.map(e => `${e.k} ${e.r.taskId}`)).toEqual(['result t-a', 'outcome t-a', 'task t-b', 'award t-b', 'result t-b', 'outcome t-b'])
  })

  it('writes the newest records that fit in maxChars', async () => {
    const storage = new MemoryStorage()
    const journal = createRecordJournal(holdingRecorder(await oneGraph()), { autosaveMs: 0, storage, key: 'k', maxChars: 900 })
    for (let i = 0; i < 10; i++) journal.recorder.task({ taskId: `t-${i}`, attempt: 1, text: 'x'.repeat(100), excluded: [], steward: STEWARD, at: T0 })
    journal.persist()
    const stored = JSON.parse(storage.items.get('k')!) as { records: Array<{ r: { taskId: string } }> }
    expect(storage.items.get('k')!.length).toBeLessThanOrEqual(900 + 20)
    expect(stored.records.length).toBeGreaterThan(0)
    expect(stored.records.at(-1)!.r.taskId).toBe('t-9')
    expect(journal.stats()).toMatchObject({ dropped: 0, lastPersisted: stored.records.length, lastLeftOut: 10 - stored.records.length })
  })

  it('refuses a malformed journal or entry with a reason, replays the good entries, and survives a storage that will not write', async () => {
    const storage = new MemoryStorage()
    const problems: string[] = []
    const graph = await oneGraph()
    const recorder = holdingRecorder(graph, problems)
    const journal = (): ReturnType<typeof createRecordJournal> => createRecordJournal(recorder, { autosaveMs: 0, storage, key: 'k', onProblem: m => { problems.push(m) } })

    storage.items.set('k', 'not json{')
    expect(journal().replay()).toEqual({ replayed: 0, refused: 1 })
    storage.items.set('k', JSON.stringify({ v: 99, records: [] }))
    expect(journal().replay()).toEqual({ replayed: 0, refused: 1 })
    const good = { k: 'task', r: { taskId: 't-good', attempt: 1, text: 'fine', excluded: [], steward: STEWARD, at: T0 }, at: T0 }
    storage.items.set('k', JSON.stringify({
      v: 1,
      records: [
        null,
        { k: 'format-disk', r: {}, at: T0 },
        { k: 'task', r: 'not an object', at: T0 },
        { k: 'task', r: { taskId: 't-x' } }, // no time
        { k: 'task', r: { taskId: 'bad/id\u0000', attempt: 1, text: 'x', excluded: [], steward: STEWARD, at: T0 }, at: T0 },
        good
      ]
    }))
    const r = journal().replay()
    expect(r).toEqual({ replayed: 2, refused: 4 })
    expect(problems.filter(m => m.startsWith('journal: record')).length).toBe(4)
    expect(problems.some(m => m.includes('not JSON'))).toBe(true)
    expect(problems.some(m => m.includes('not a version 1 journal'))).toBe(true)
    // The well-formed entry with an id the graph cannot hold is refused by the recorder itself.
    expect(problems.some(m => m.includes('bad/id'))).toBe(true)
    recorder.flush()
    expect(graph.get('task:t-good')?.data).toMatchObject({ taskId: 't-good', state: 'submitted' })

    storage.failWrites = true
    const j = journal()
    j.recorder.task({ taskId: 't-q', attempt: 1, text: 'q', excluded: [], steward: STEWARD, at: T0 })
    expect(() => { j.persist() }).not.toThrow()
    expect(problems.at(-1)).toMatch(/could not write 1 records to storage \(QuotaExceededError\)/)
  })

  it('writes the newest records it can when storage is nearly full', async () => {
    const storage = new MemoryStorage()
    const problems: string[] = []
    // Storage that takes at most 1,200 characters (other tabs of the profile filled the rest).
    const set = storage.setItem.bind(storage)
    storage.setItem = (k, v) => { if (v.length > 1_200) throw new Error('QuotaExceededError'); set(k, v) }
    const journal = createRecordJournal(holdingRecorder(await oneGraph()), { autosaveMs: 0, storage, key: 'k', onProblem: m => { problems.push(m) } })
    for (let i = 0; i < 16; i++) journal.recorder.task({ taskId: `t-${i}`, attempt: 1, text: 'x'.repeat(20), excluded: [], steward: STEWARD, at: T0 })
    journal.persist()
    const stored = JSON.parse(storage.items.get('k')!) as { records: Array<{ r: { taskId: string } }> }
    expect(stored.records.length).toBeGreaterThan(0)
    expect(stored.records.length).toBeLessThan(16)
    expect(stored.records.at(-1)!.r.taskId).toBe('t-15')
    expect(journal.stats()).toMatchObject({ lastPersisted: stored.records.length, lastLeftOut: 16 - stored.records.length })
    expect(problems.at(-1)).toMatch(new RegExp(`took only the newest ${stored.records.length} of 16 records`))
  })

  it('autosaves soon after a record, without flushing the recorder, so a crash (no pagehide) keeps it; not when busy', async () => {
    const storage = new MemoryStorage()
    const graph = await oneGraph()
    const journal = createRecordJournal(holdingRecorder(graph), { storage, key: 'k', autosaveMs: 20, autosaveMaxRecords: 6 })
    lifecycle(journal.recorder, 't-1')
    expect(storage.items.has('k')).toBe(false)
    await sleep(80)
    const stored = JSON.parse(storage.items.get('k')!) as { records: Array<{ k: string }> }
    expect(stored.records.map(e => e.k)).toEqual(['task', 'award', 'result', 'outcome'])
    // The recorder still holds them: autosave does not write the graph early.
    expect(graph.get('task:t-1')).toBeUndefined()
    expect(journal.stats()).toMatchObject({ persisted: 1, lastPersisted: 4, autosavesSkipped: 0 })
    // Busier than autosaveMaxRecords: no autosave (pagehide still writes the journal).
    lifecycle(journal.recorder, 't-2')
    await sleep(80)
    expect(journal.stats()).toMatchObject({ persisted: 1, autosavesSkipped: 1 })
    expect((JSON.parse(storage.items.get('k')!) as { records: unknown[] }).records).toHaveLength(4)
    journal.persist()
    expect((JSON.parse(storage.items.get('k')!) as { records: unknown[] }).records).toHaveLength(8)
  })

  it('names the journal by room and peer', () => {
    expect(journalKey('a room/with:odd', STEWARD)).toBe(`${JOURNAL_KEY_PREFIX}a%20room%2Fwith%3Aodd:${STEWARD}`)
    expect(parseJournalKey(journalKey('a room/with:odd', STEWARD))).toEqual({ room: 'a room/with:odd', peerId: STEWARD })
    expect(parseJournalKey('meshwork:journal:nopeer')).toBeUndefined()
    expect(parseJournalKey('other:key')).toBeUndefined()
  })

  it('a sweep replays the journal of a departed peer of this room, not a present peer\'s, a young one, or another room\'s', async () => {
    const storage = new MemoryStorage()
    let clock = T0
    const now = (): number => clock
    // A tab of the room (another identity) recorded two tasks and crashed: its autosave journaled them.
    const crashedGraph = await oneGraph()
    const crashed = createRecordJournal(holdingRecorder(crashedGraph), { autosaveMs: 0, storage, key: journalKey('journal', PRODUCER), now })
    lifecycle(crashed.recorder, 't-1')
    lifecycle(crashed.recorder, 't-2')
    crashed.persist()
    // Also in storage: a present peer's journal, and another room's.
    const present = '12D3KooWPresentPeerCccccccccccccccccccccccccccccccc'
    storage.items.set(journalKey('journal', present), JSON.stringify({ v: 1, at: T0, records: [{ k: 'task', r: { taskId: 'p-1' }, at: T0 }] }))
    storage.items.set(journalKey('elsewhere', PRODUCER), JSON.stringify({ v: 1, at: T0, records: [] }))

    const graph = await oneGraph()
    const recorder = holdingRecorder(graph)
    const mine = createRecordJournal(recorder, { autosaveMs: 0, storage, key: journalKey('journal', STEWARD), now })
    const live = (peer: string): boolean => peer === present
    // Too young: its tab may be reloading, and takes it back itself.
    clock = T0 + 10_000
    expect(mine.sweep({ room: 'journal', live })).toEqual({ adopted: 0, replayed: 0, refused: 0, expired: 0, expiredRecords: 0 })
    clock = T0 + 61_000
    expect(mine.sweep({ room: 'journal', live })).toEqual({ adopted: 1, replayed: 8, refused: 0, expired: 0, expiredRecords: 0 })
    recorder.flush()
    for (const t of ['t-1', 't-2']) expect(graph.get(`task:${t}`)?.data).toMatchObject({ state: 'completed' })
    expect(graph.get('task:p-1')).toBeUndefined()
    expect([...storage.items.keys()].sort()).toEqual([journalKey('elsewhere', PRODUCER), journalKey('journal', present)].sort())
    expect(mine.stats()).toMatchObject({ adopted: 1, replayed: 8, expired: 0 })
    // Once adopted, it is gone: a second sweep finds nothing.
    expect(mine.sweep({ room: 'journal', live }).adopted).toBe(0)
  })

  it('a sweep removes other rooms\' journals nobody reopened for maxAgeMs, and this room\'s malformed ones, with reasons', async () => {
    const storage = new MemoryStorage()
    const day = 86_400_000
    const now = (): number => T0 + 8 * day
    storage.items.set(journalKey('old room', PRODUCER), JSON.stringify({ v: 1, at: T0, records: [{ k: 'task', r: {}, at: T0 }, { k: 'award', r: {}, at: T0 }] }))
    storage.items.set(journalKey('recent room', PRODUCER), JSON.stringify({ v: 1, at: T0 + 7 * day, records: [] }))
    // Written before journals carried a time: never expired (nothing says how old it is).
    storage.items.set(journalKey('untimed room', PRODUCER), JSON.stringify({ v: 1, records: [] }))
    // Another room's journal this version cannot read (a newer version's?) is not ours to judge.
    storage.items.set(journalKey('newer room', PRODUCER), JSON.stringify({ v: 2, at: T0 }))
    storage.items.set(journalKey('journal', PRODUCER), 'not json')
    storage.items.set(`${JOURNAL_KEY_PREFIX}unparsable`, 'x')
    const problems: Array<[string, string | undefined]> = []
    const graph = await oneGraph()
    const mine = createRecordJournal(holdingRecorder(graph), { autosaveMs: 0, storage, key: journalKey('journal', STEWARD), now, onProblem: (m, reason) => { problems.push([m, reason]) } })
    // Periodic sweeps leave other rooms alone.
    expect(mine.sweep({ room: 'journal', live: () => false, otherRooms: false })).toMatchObject({ expired: 0, refused: 1 })
    expect(mine.sweep({ room: 'journal', live: () => false })).toEqual({ adopted: 0, replayed: 0, refused: 0, expired: 1, expiredRecords: 2 })
    expect([...storage.items.keys()].sort()).toEqual([journalKey('recent room', PRODUCER), journalKey('untimed room', PRODUCER), journalKey('newer room', PRODUCER), `${JOURNAL_KEY_PREFIX}unparsable`].sort())
    expect(problems.map(p => p[1])).toEqual([undefined, 'expired'])
    expect(problems[0]![0]).toMatch(/not JSON; removed, nothing replayed/)
    expect(problems[1]![0]).toMatch(/"old room".*2 records nobody replayed in 8 days; removed/)
    expect(mine.stats()).toMatchObject({ refused: 1, expired: 1, adopted: 0 })
  })

  it('a storage without enumeration sweeps nothing', async () => {
    const storage: JournalStorage = { getItem: () => null, setItem: () => {}, removeItem: () => {} }
    const mine = createRecordJournal(holdingRecorder(await oneGraph()), { autosaveMs: 0, storage, key: 'k' })
    expect(mine.sweep({ room: 'journal', live: () => false })).toEqual({ adopted: 0, replayed: 0, refused: 0, expired: 0, expiredRecords: 0 })
  })
})
