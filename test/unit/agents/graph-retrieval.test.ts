import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GraphRetriever, type RetrievableEntity } from '../../../src/agents/graph-retrieval.ts'
import type { LoadedEmbedder } from '../../../src/match/embedder.ts'
import { combinedScore, cosine, idf, lexicalOverlap, terms } from '../../../src/match/score.ts'
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

    // One entity leaves as another arrives (as many as before): the one that left is forgotten, and
    // embedded again when it comes back.
    e.calls.length = 0
    const swapped = [...changed.filter((x) => x.id !== 'f-rain' && x.id !== 'f-cake'), entity('f-snow', 'Snow closed the mountain pass.')]
    await r.search('snow', swapped)
    expect(r.size).toBe(5)
    expect(e.calls).toEqual([['Snow closed the mountain pass.'], ['snow']])
    e.calls.length = 0
    await r.search('cake', [...swapped, GRAPH[2]!])
    expect(e.calls).toEqual([[GRAPH[2]!.text], ['cake']])
  })

  it('returns exactly the k first of the full ranking (score, then confidence, then id), ties and all', async () => {
    // Four directions only, and texts over a few words: many entities score the same.
    const basis = [[1, 0, 0], [0.6, 0.8, 0], [0, 0.6, 0.8], [0, 0, 1]].map((v) => new Float32Array(v))
    const vectorOf = (text: string): Float32Array => basis[[...text].reduce((a, c) => a + c.charCodeAt(0), 0) % basis.length]!
    const words = ['relay', 'port', 'cache', 'login', 'budget', 'march', '9090']
    let seed = 3
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
    const entities = Array.from({ length: 300 }, (_, i) => entity(`e-${String(i).padStart(3, '0')}`, `${words[Math.floor(rnd() * words.length)]} ${words[Math.floor(rnd() * words.length)]}`, {
      confidence: [0.5, 0.7, 0.9][i % 3]!,
      status: i % 17 === 0 ? 'retracted' : 'proposed',
      kind: i % 5 === 0 ? 'decision' : 'fact'
    }))
    const r = new GraphRetriever({ embed: async (texts) => texts.map(vectorOf) })
    for (const query of ['relay port', 'the login cache', 'budget for march 9090', 'nothing here']) {
      for (const kinds of [undefined, ['decision']]) {
        // The reference: score every candidate the documented way, sort them all.
        const candidates = entities.filter((x) => x.status !== 'retracted' && (kinds === undefined || kinds.includes(x.kind)))
        const qt = terms(query, 'literal')
        const weight = (t: string): number => idf(candidates.filter((x) => terms(x.text, 'literal').includes(t)).length, candidates.length)
        const ranked = candidates.map((x) => ({ id: x.id, confidence: x.confidence, score: combinedScore(cosine(vectorOf(query), vectorOf(x.text)), lexicalOverlap(qt, new Set(terms(x.text, 'literal')), weight)) }))
          .sort((a, b) => b.score - a.score || b.confidence - a.confidence || (a.id < b.id ? -1 : 1))
        expect(new Set(ranked.slice(0, 20).map((x) => x.score)).size, 'the case has ties').toBeLessThan(20)
        for (const k of [1, 2, 7, 25, 400]) {
          const hits = await r.search(query, entities, { k, ...(kinds !== undefined ? { kinds } : {}) })
          expect(hits.map((h) => [h.id, h.score]), `${query} k=${k} ${kinds ?? ''}`).toEqual(ranked.slice(0, k).map((x) => [x.id, x.score]))
        }
      }
    }
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
