// A room's graph stored by an earlier version (layout 1: 32 shards) is carried into the current
// layout when the room opens. The fixture test/fixtures/graph-layout1.automerge was written by the
// layout-1 code (commit 8300e2b): two peers' facts, a verified fact, a disputed hypothesis, a thread
// with three posts, a retracted fact and a retracted edge, a task thread, a conflict entity from a
// concurrent edit, and one entry in the wrong shard; graph-layout1.json is what that graph exported.
import 'fake-indexeddb/auto'
import { readFileSync } from 'node:fs'
import { MessageChannel } from 'node:worker_threads'
import { Automerge, type Repo } from '@automerge/automerge-repo/slim'
import { afterEach, describe, expect, it } from 'vitest'
import { alice, bob, waitFor } from './helpers.ts'
import { MemoryHub } from './memory-network.ts'
import { LAYOUT_VERSION, roomDocumentId, SHARD_COUNT, shardIn } from '../../../src/graph/layout.ts'
import { createGraphRepo, createIndexedDbStorage, KnowledgeGraph, openRoomGraph } from '../../../src/graph/index.ts'
import { openRoomDoc, type GraphRepoOptions } from '../../../src/graph/room.ts'
import { DocGraphStore } from '../../../src/graph/graph-store.ts'
import { migrateEarlierLayouts, readLayout, type LayoutMigration } from '../../../src/graph/migrate.ts'
import { serveGraph } from '../../../src/graph/graph-worker-core.ts'
import type { Endpoint } from '../../../src/graph/graph-worker-protocol.ts'
import { RemoteGraphStore } from '../../../src/graph/remote-graph-store.ts'
import type { Edge, Entity } from '../../../src/graph/schema.ts'

const ROOM = 'old-room'
const fixture = (name: string): Buffer => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url))
const OLD_BYTES = new Uint8Array(fixture('graph-layout1.automerge'))
const EXPECTED = JSON.parse(fixture('graph-layout1.json').toString('utf8')) as { entities: Entity[], edges: Edge[] }
const newDb = (): string => `meshwork-migrate-${Math.random().toString(36).slice(2)}`

const repos: Repo[] = []
afterEach(async () => { await Promise.all(repos.splice(0).map(async r => { await r.shutdown() })) })

function repoOn (db: string, network?: GraphRepoOptions['network']): Repo {
  const repo = createGraphRepo({ storage: createIndexedDbStorage(db), ...(network !== undefined ? { network } : {}) })
  repos.push(repo)
  return repo
}

/** A browser profile that ran the previous version: its IndexedDB holds the room's layout-1 document. */
async function profileWithOldGraph (bytes: Uint8Array = OLD_BYTES): Promise<string> {
  const db = newDb()
  const repo = createGraphRepo({ storage: createIndexedDbStorage(db) })
  await repo.storageSubsystem!.saveDoc(roomDocumentId(ROOM, 1), Automerge.load(bytes))
  await repo.shutdown()
  return db
}

const oldDocIn = async (db: string): Promise<unknown> => await repoOn(db).storageSubsystem!.loadDoc(roomDocumentId(ROOM, 1))

describe('graph layout migration', () => {
  it('the layout and the room\'s document id changed (so the old document is not found without migration)', () => {
    expect(LAYOUT_VERSION).toBe(2)
    expect(SHARD_COUNT).toBe(256)
    expect(roomDocumentId(ROOM)).not.toBe(roomDocumentId(ROOM, 1))
  })

  it('a room stored in layout 1 opens with the same graph, reports what it carried, and leaves no old copy', async () => {
    const db = await profileWithOldGraph()
    const seen: Array<LayoutMigration | { error: Error }> = []
    const g = await openRoomGraph(repoOn(db), ROOM, { actor: alice, onMigration: m => { seen.push(m) } })
    const out = g.exportJson()
    expect(out.entities).toEqual(EXPECTED.entities)
    expect(out.edges).toEqual(EXPECTED.edges)
    // Spot checks of what must survive, so a wrong fixture cannot make this pass.
    expect(g.get(EXPECTED.entities.find(e => e.kind === 'thread' && e.id.startsWith('thread:'))!.id)!.messages!.map(m => m.text))
      .toEqual(['first line', 'second line from bob', 'third line'])
    expect(g.list({ status: 'verified' }).map(e => e.kind)).toEqual(['fact'])
    expect(g.list({ status: 'disputed' }).map(e => e.kind)).toEqual(['hypothesis'])
    expect(g.list({ kind: 'conflict' })).toHaveLength(1)
    expect(g.has('fact:misplaced')).toBe(false)
    expect(seen).toHaveLength(1)
    const m = seen[0] as LayoutMigration
    expect(m.from).toBe(1)
    expect(m.report).toMatchObject({ added: EXPECTED.entities.length, edgesAdded: EXPECTED.edges.length, merged: 0 })
    expect(m.invalid).toEqual([{ where: expect.stringMatching(/^e\/[0-9a-f]{2}\/fact:misplaced$/), reason: expect.stringMatching(/belongs in shard/) }])
    g.close()
    expect(await oldDocIn(db)).toBeNull()
    // Reopened: the graph is the current layout's document in storage, and nothing is migrated again.
    const again: unknown[] = []
    const g2 = await openRoomGraph(repoOn(db), ROOM, { actor: alice, onMigration: r => { again.push(r) } })
    expect(g2.exportJson().entities).toEqual(EXPECTED.entities)
    expect(again).toEqual([])
  })

  it('in the graph worker: the page sees the carried-over graph once ready, and the migration line', async () => {
    const db = await profileWithOldGraph()
    const { port1, port2 } = new MessageChannel()
    serveGraph(port1 as unknown as Endpoint, { storage: name => createIndexedDbStorage(name) })
    const store = new RemoteGraphStore(port2 as unknown as Endpoint, { room: ROOM, actor: alice, repoPeerId: `w-${Math.random()}`, storage: db }, new MemoryHub().adapter())
    await store.ready
    const g = new KnowledgeGraph(store, { actor: alice })
    expect(g.exportJson().entities).toEqual(EXPECTED.entities)
    expect(store.migrations).toEqual([expect.stringMatching(/from layout 1 .*8 entities added.*5 edges added; 1 invalid entries left behind/)])
    g.close()
    port1.close()
    port2.close()
  })

  it('two tabs that migrate the same graph at once end with one graph and no new conflict', async () => {
    const hub = new MemoryHub()
    const [dbA, dbB] = [await profileWithOldGraph(), await profileWithOldGraph()]
    const ga = await openRoomGraph(repoOn(dbA, hub.adapter()), ROOM, { actor: alice, onMigration: () => {} })
    const gb = await openRoomGraph(repoOn(dbB, hub.adapter()), ROOM, { actor: bob, onMigration: () => {} })
    const later = gb.add({ kind: 'fact', text: 'written after the move' })
    await waitFor('both graphs to hold each other\'s writes', () => ga.has(later), 10_000)
    await new Promise(resolve => setTimeout(resolve, 200))
    for (const g of [ga, gb]) {
      expect(g.exportJson().entities.filter(e => e.id !== later)).toEqual(EXPECTED.entities)
      expect(g.list({ kind: 'conflict' })).toHaveLength(1)
    }
  })

  it('an entry the old document cannot vouch for stays behind, named, and an edge to it too', async () => {
    // Corrupt the fixture as a hostile peer could have: an attestation that is not JSON, and an edge
    // to the misplaced (invalid) entity.
    let doc = Automerge.load<Record<string, Record<string, Record<string, unknown>>>>(OLD_BYTES)
    const valid = readLayout(doc, 32)
    expect(valid.entities.map(e => e.id)).toEqual(EXPECTED.entities.map(e => e.id))
    const from = EXPECTED.entities.find(e => e.kind === 'decision')!.id
    const good = await openRoomGraph(createGraphRepo(), 'scratch', { actor: alice, onMigration: () => {} })
    good.batch([{ op: 'add', id: from, entity: { kind: 'fact', text: 'x' } }, { op: 'add', id: 'fact:misplaced', entity: { kind: 'fact', text: 'y' } }])
    const edgeId = good.relate(from, 'supports', 'fact:misplaced')
    const stored = Automerge.toJS(good.handle.doc()).r as Record<string, Record<string, unknown>>
    const edgeEntry = Object.values(stored).find(m => edgeId in m)![edgeId]
    good.close()
    doc = Automerge.change(doc, d => {
      const fnvShard = (id: string): string => shardIn(id, 32)
      d.r![fnvShard(from)]![edgeId] = { c: new Automerge.ImmutableString(String((edgeEntry as { c: unknown }).c)) }
      d.a![fnvShard(from)]![`${from}|bad`] = new Automerge.ImmutableString('{not json')
    })
    const db = await profileWithOldGraph(Automerge.save(doc))
    const seen: LayoutMigration[] = []
    const g = await openRoomGraph(repoOn(db), ROOM, { actor: alice, onMigration: m => { if (!('error' in m)) seen.push(m) } })
    expect(g.exportJson().entities).toEqual(EXPECTED.entities)
    expect(g.exportJson().edges).toEqual(EXPECTED.edges)
    expect(seen[0]!.invalid.map(i => i.where.replace(/\/[0-9a-f]{2}\//, '/…/')).sort()).toEqual([`a/…/${from}|bad`, 'e/…/fact:misplaced', `r/…/${edgeId}`].sort())
    expect(seen[0]!.invalid.find(i => i.where.startsWith('r/'))!.reason).toMatch(/not carried over \(fact:misplaced\)/)
  })

  it('a migration that fails keeps the old document for the next open, and the room still opens', async () => {
    const db = await profileWithOldGraph()
    const repo = repoOn(db)
    const handle = await openRoomDoc(repo, ROOM)
    const store = new DocGraphStore(handle, { actor: alice, now: Date.now })
    const failing = { index: () => store.index(), flush: async () => { await store.flush() }, commit: () => { throw new Error('disk full') } }
    await expect(migrateEarlierLayouts(repo, ROOM, failing)).rejects.toThrow(/disk full/)
    store.close()
    expect(await oldDocIn(db)).not.toBeNull()
    const errors: string[] = []
    const g = await openRoomGraph(repoOn(db), ROOM, { actor: alice, onMigration: r => { if ('error' in r) errors.push(r.error.message) } })
    expect(errors).toEqual([])
    expect(g.exportJson().entities).toEqual(EXPECTED.entities)
  })
})
