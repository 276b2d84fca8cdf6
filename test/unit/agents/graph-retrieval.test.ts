import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GraphRetriever, type RetrievableEntity } from '../../../src/agents/graph-retrieval.ts'
import type { LoadedEmbedder } from '../../../src/match/embedder.ts'
import { realEmbedder } from './builtin-context.ts'

let embedder: LoadedEmbedder
beforeAll(async () => { embedder = await realEmbedder() }, 120_000)
afterAll(async () => { await embedder?.dispose() })

const T = 1_700_000_000_000
const entity = (id: string, text: string, extra: Partial<RetrievableEntity> = {}): RetrievableEntity =>
  ({ id, kind: 'fact', text, status: 'proposed', confidence: 0.5, updatedAt: T, ...extra })

const GRAPH: RetrievableEntity[] = [
  entity('f-relay', 'The relay server listens on port 9090 for websocket connections.', { status: 'verified', confidence: 0.9 }),
  entity('f-db', 'The team decided to store user accounts in a PostgreSQL database.', { kind: 'decision' }),
  entity('f-cake', 'The chocolate cake recipe needs three eggs and two cups of flour.'),
  entity('f-paris', 'Paris is the capital and largest city of France.'),
  entity('f-rain', 'Heavy rain is forecast for Oslo this weekend.'),
  entity('f-old', 'The relay used to listen on port 8080.', { status: 'retracted' })
]

function countingEmbedder () {
  const calls: string[][] = []
  return {
    calls,
    embed: async (texts: string[]) => {
      calls.push(texts)
      return await embedder.embed(texts)
    }
  }
}

describe('GraphRetriever', () => {
  it('ranks the relevant entity first', async () => {
    const r = new GraphRetriever({ embed: (t) => embedder.embed(t) })
    const cases: [string, string][] = [
      ['which port does the relay use?', 'f-relay'],
      ['what database stores the accounts?', 'f-db'],
      ['how do I bake a chocolate cake', 'f-cake'],
      ['what is the capital of France', 'f-paris'],
      ['will it rain in Oslo', 'f-rain']
    ]
    for (const [query, want] of cases) {
      const hits = await r.search(query, GRAPH, { k: 3 })
      expect(hits[0]?.id, query).toBe(want)
      expect(hits).toHaveLength(3)
      expect(hits[0]!.score).toBeGreaterThan(hits[2]!.score)
    }
  })

  it('returns GraphHits with the entity fields and leaves out retracted entities', async () => {
    const r = new GraphRetriever({ embed: (t) => embedder.embed(t) })
    const hits = await r.search('relay port', GRAPH, { k: 10 })
    expect(hits.map((h) => h.id)).not.toContain('f-old')
    expect(hits).toHaveLength(5)
    expect(hits[0]).toMatchObject({ id: 'f-relay', kind: 'fact', status: 'verified', confidence: 0.9 })
    expect(typeof hits[0]!.score).toBe('number')
    const withRetracted = new GraphRetriever({ embed: (t) => embedder.embed(t), includeRetracted: true })
    expect((await withRetracted.search('relay port', GRAPH, { k: 10 })).map((h) => h.id)).toContain('f-old')
    expect((await r.search('relay port', GRAPH, { k: 10, kinds: ['decision'] })).map((h) => h.id)).toEqual(['f-db'])
  })

  it('embeds each entity once, in batches, and again only when it changes', async () => {
    const e = countingEmbedder()
    const r = new GraphRetriever({ embed: e.embed, batchSize: 4 })
    await r.search('relay', GRAPH)
    // 6 entities in batches of 4 and 2, then the query.
    expect(e.calls.map((c) => c.length)).toEqual([4, 2, 1])
    expect(r.size).toBe(6)

    e.calls.length = 0
    await r.search('database', GRAPH)
    expect(e.calls).toEqual([['database']])

    e.calls.length = 0
    const changed = GRAPH.map((x) => x.id === 'f-db' ? { ...x, text: 'The team moved user accounts to SQLite.', updatedAt: T + 1 } : x)
    const hits = await r.search('SQLite', changed, { k: 1 })
    expect(e.calls).toEqual([['The team moved user accounts to SQLite.'], ['SQLite']])
    expect(hits[0]?.id).toBe('f-db')

    e.calls.length = 0
    await r.search('cake', changed.filter((x) => x.id !== 'f-rain'))
    expect(r.size).toBe(5)
    expect(e.calls).toEqual([['cake']])
  })

  it('shares work between concurrent searches', async () => {
    const e = countingEmbedder()
    const r = new GraphRetriever({ embed: e.embed })
    await Promise.all([r.search('relay', GRAPH), r.search('cake', GRAPH)])
    expect(r.embeddedCount).toBe(GRAPH.length)
  })

  it('handles empty queries, bad k and aborts', async () => {
    const r = new GraphRetriever({ embed: (t) => embedder.embed(t) })
    expect(await r.search('   ', GRAPH)).toEqual([])
    await expect(r.search('x', GRAPH, { k: 0 })).rejects.toThrow(/k must be a positive integer/)
    const c = new AbortController()
    c.abort(new Error('stop'))
    await expect(r.search('relay', GRAPH, { signal: c.signal })).rejects.toThrow('stop')
  })
})
