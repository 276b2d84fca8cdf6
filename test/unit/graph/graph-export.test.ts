import { describe, expect, it } from 'vitest'
import { alice, bob, clock } from './helpers.ts'
import { GraphValidationError, SCHEMA_VERSION } from '../../../src/graph/schema.ts'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import type { KnowledgeGraph } from '../../../src/graph/knowledge-graph.ts'
import { Automerge } from '@automerge/automerge-repo/slim'
import { shardOf } from '../../../src/graph/layout.ts'

async function graph (room: string, actor = alice, start?: number): Promise<KnowledgeGraph> {
  return await openRoomGraph(createGraphRepo(), room, { actor, now: clock(start) })
}

async function populated (): Promise<{ g: KnowledgeGraph, ids: Record<string, string> }> {
  const g = await graph('export-src')
  const q = g.add({ kind: 'question', text: 'What is the melting point of tin?' })
  const f = g.add({ kind: 'fact', text: '231.9 C', data: { source: 'handbook', page: 12 }, tags: ['chemistry'] })
  const t = g.openThread('tin')
  g.batch([
    { op: 'relate', from: f, type: 'answers', to: q },
    { op: 'verify', id: f },
    { op: 'post', threadId: t, text: 'confirmed in lab' }
  ])
  return { g, ids: { q, f, t } }
}

/** Runs `fn`, asserts it throws a GraphValidationError on `field`, and that `g` did not change. */
async function expectRejected (g: KnowledgeGraph, fn: () => unknown, field: string, reason?: RegExp): Promise<void> {
  const heads = g.handle.heads()
  let error: unknown
  try { await fn() } catch (err) { error = err }
  expect(error).toBeInstanceOf(GraphValidationError)
  expect((error as GraphValidationError).field).toBe(field)
  if (reason !== undefined) expect((error as GraphValidationError).reason).toMatch(reason)
  expect(g.handle.heads()).toEqual(heads)
}

describe('export and import', () => {
  it('exports JSON with the documented envelope and round-trips into another graph', async () => {
    const { g, ids } = await populated()
    const json = g.exportJson()
    expect(json.format).toBe('meshwork.graph')
    expect(json.schemaVersion).toBe(SCHEMA_VERSION)
    expect(json.entities).toHaveLength(3)
    expect(json.edges).toHaveLength(1)
    const text = JSON.stringify(json)

    const target = await graph('export-dst', bob)
    const own = target.add({ kind: 'fact', text: 'already here' })
    const report = target.importJson(text)
    expect(report).toMatchObject({ added: 3, merged: 0, edgesAdded: 1, divergent: [] })
    expect(target.size).toBe(4)
    expect(target.get(own)?.text).toBe('already here') // merge, never replace
    expect(target.get(ids.f ?? '')).toEqual(g.get(ids.f ?? ''))
    expect(target.neighbours(ids.q ?? '').map(n => n.entity?.id)).toEqual([ids.f])
    expect(target.get(ids.t ?? '')?.messages?.[0]?.text).toBe('confirmed in lab')

    // Importing the same export again changes nothing.
    const heads = target.handle.heads()
    expect(target.importJson(json)).toMatchObject({ added: 0, merged: 0, unchanged: 3, edgesAdded: 0 })
    expect(target.handle.heads()).toEqual(heads)
  })

  it('merges attestations and reports divergent fields instead of overwriting', async () => {
    const { g, ids } = await populated()
    const json = g.exportJson()
    const target = await graph('export-dst2', bob, 1_800_000_000_000) // its clock runs later
    target.importJson(json)
    target.dispute(ids.f ?? '', undefined, 'my thermometer says 230')
    target.update(ids.f ?? '', { text: '230 C' })
    g.verify(ids.f ?? '', { peerId: 'peer-3', agentId: 'third' })
    const report = target.importJson(g.exportJson())
    expect(report.merged).toBe(1)
    expect(report.divergent).toEqual([{ id: ids.f, field: 'text' }, { id: ids.f, field: 'status' }])
    const f = target.get(ids.f ?? '')
    expect(f?.text).toBe('230 C')
    expect(f?.verifiedBy.map(v => v.peerId).sort()).toEqual(['12D3KooWAlice', 'peer-3'])
    expect(f?.disputedBy).toHaveLength(1)
    // the newest attestation is the dispute, so the status stays disputed after the merge
    expect(f?.status).toBe('disputed')
  })

  it('rejects bad JSON imports with the field named and leaves the graph intact', async () => {
    const { g } = await populated()
    const good = g.exportJson()
    const target = await graph('export-bad')
    target.add({ kind: 'fact', text: 'precious' })
    await expectRejected(target, () => target.importJson('{not json'), 'json')
    await expectRejected(target, () => target.importJson([]), 'export')
    await expectRejected(target, () => target.importJson({ ...good, format: 'other' }), 'format')
    await expectRejected(target, () => target.importJson({ ...good, schemaVersion: 99 }), 'schemaVersion', /must be 1, got 99/)
    await expectRejected(target, () => target.importJson({ ...good, entities: 'x' }), 'entities')
    const badEntity = structuredClone(good)
    badEntity.entities[2] = { ...badEntity.entities[2]!, confidence: 3 }
    await expectRejected(target, () => target.importJson(badEntity), 'entities[2].confidence', /between 0 and 1/)
    const dup = structuredClone(good)
    dup.entities.push(dup.entities[0]!)
    await expectRejected(target, () => target.importJson(dup), 'entities[3].id', /duplicate/)
    const forgedEdge = structuredClone(good)
    forgedEdge.edges[0] = { ...forgedEdge.edges[0]!, type: 'supports' }
    await expectRejected(target, () => target.importJson(forgedEdge), 'edges[0].id', /endpoints/)
    const dangling = structuredClone(good)
    dangling.entities = dangling.entities.filter(e => e.kind !== 'question')
    await expectRejected(target, () => target.importJson(dangling), 'edges[0].to', /unknown entity/)
    expect(target.size).toBe(1)
  })

  it('exports Automerge binary and merges it into a graph of another room', async () => {
    const { g, ids } = await populated()
    const bytes = await g.exportBinary()
    const target = await graph('binary-dst', bob)
    const own = target.add({ kind: 'fact', text: 'mine' })
    const report = await target.importBinary(bytes)
    expect(report.added).toBe(3)
    expect(report.edgesAdded).toBe(1)
    expect(target.size).toBe(4)
    expect(target.get(own)?.text).toBe('mine')
    expect(target.get(ids.f ?? '')).toEqual(g.get(ids.f ?? ''))
    // history came along, so later changes from the source merge too
    g.update(ids.f ?? '', { confidence: 0.99 })
    await target.importBinary(await g.exportBinary())
    expect(target.get(ids.f ?? '')?.confidence).toBe(0.99)
  })

  it('rejects bad binary imports and leaves the graph intact', async () => {
    const target = await graph('binary-bad')
    target.add({ kind: 'fact', text: 'precious' })
    await expectRejected(target, () => target.importBinary(new Uint8Array(0)), 'binary', /non-empty/)
    await expectRejected(target, () => target.importBinary(new Uint8Array([1, 2, 3, 4])), 'binary', /not an Automerge document/)
    const foreign = Automerge.save(Automerge.from({ e: {}, hello: 'world' }))
    await expectRejected(target, () => target.importBinary(foreign), 'binary', /genesis/)
    // A graph document holding an invalid entity is refused as a whole.
    const src = await graph('binary-evil')
    const id = src.add({ kind: 'fact', text: 'fine' })
    src.handle.change(doc => {
      for (const shard of Object.values(doc.e)) {
        const e = shard[id]
        if (e !== undefined) e.confidence = 5
      }
    })
    await expectRejected(target, async () => await target.importBinary(await src.exportBinary()), `binary["e/${shardOf(id)}/${id}"].confidence`, /between 0 and 1/)
    expect(target.size).toBe(1)
  })
})
