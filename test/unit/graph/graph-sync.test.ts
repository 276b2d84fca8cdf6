import { Automerge, ImmutableString, type Repo } from '@automerge/automerge-repo/slim'
import { afterEach, describe, expect, it } from 'vitest'
import { alice, bob, graphPair, waitFor, type GraphPair } from './helpers.ts'
import { conflictId } from '../../../src/graph/conflicts.ts'
import type { KnowledgeGraph } from '../../../src/graph/knowledge-graph.ts'
import { shardOf, storeEntity } from '../../../src/graph/layout.ts'
import { validateEntity } from '../../../src/graph/schema.ts'

const repos: Repo[] = []
afterEach(async () => {
  await Promise.all(repos.splice(0).map(async r => { await r.shutdown() }))
})

async function pair (): Promise<GraphPair> {
  return await graphPair('sync', [alice, bob], repos)
}

const conflicts = (g: KnowledgeGraph): ReturnType<KnowledgeGraph['list']> => g.list({ kind: 'conflict' })

describe('graph sync between peers', () => {
  it('concurrent writes to the same field surface as one identical conflict entity on both peers', async () => {
    const { ga, gb, netA, netB, hub } = await pair()
    const id = ga.add({ kind: 'fact', text: 'The meeting is on Monday' })
    await waitFor('bob to see the fact', () => gb.has(id))

    hub.partition(netA, netB)
    ga.update(id, { text: 'The meeting is on Tuesday' })
    gb.update(id, { text: 'The meeting is on Wednesday' })
    // Different fields edited concurrently merge without conflict.
    gb.update(id, { tags: ['calendar'] })
    hub.heal(netA, netB)

    await waitFor('both peers to agree on a conflict entity', () => conflicts(ga).length === 1 && conflicts(gb).length === 1 &&
      Automerge.getHeads(ga.handle.doc()).join() === Automerge.getHeads(gb.handle.doc()).join())
    const [ca] = conflicts(ga)
    const [cb] = conflicts(gb)
    expect(ca?.id).toBe(cb?.id)
    expect(ca?.data?.entityId).toBe(id)
    expect(ca?.data?.field).toBe('text')
    const values = (ca?.data?.values as Array<{ opId: string, value: string }>).map(v => v.value).sort()
    expect(values).toEqual(['The meeting is on Tuesday', 'The meeting is on Wednesday'])
    const opIds = (ca?.data?.values as Array<{ opId: string }>).map(v => v.opId)
    expect(ca?.id).toBe(conflictId(id, 'text', opIds))
    // The conflict is linked to the entity it is about, on both peers.
    expect(ga.neighbours(id, { type: 'about' }).map(n => n.entity?.id)).toEqual([ca?.id])
    expect(gb.neighbours(id, { type: 'about' }).map(n => n.entity?.id)).toEqual([ca?.id])
    // The entity itself shows the same winning value on both sides, and kept the tag.
    expect(ga.get(id)?.text).toBe(gb.get(id)?.text)
    expect(ga.get(id)?.tags).toEqual(['calendar'])

    // Idempotent: further syncs and re-checks do not create more conflict entities.
    ga.add({ kind: 'fact', text: 'unrelated' })
    await waitFor('bob to see the unrelated fact', () => gb.size === ga.size)
    expect(ga.findConflicts([[id, '*']])).toHaveLength(1)
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(conflicts(ga)).toHaveLength(1)
    expect(conflicts(gb)).toHaveLength(1)
  })

  it('concurrent verify and dispute become a status conflict; same-value writes do not', async () => {
    const { ga, gb, netA, netB, hub } = await pair()
    const x = ga.add({ kind: 'hypothesis', text: 'x' })
    const y = ga.add({ kind: 'hypothesis', text: 'y' })
    await waitFor('bob to see both', () => gb.has(x) && gb.has(y))
    hub.partition(netA, netB)
    ga.verify(x)
    gb.dispute(x, undefined, 'not reproducible')
    ga.verify(y)
    gb.verify(y)
    hub.heal(netA, netB)
    await waitFor('a status conflict on both peers', () => conflicts(ga).length === 1 && conflicts(gb).length === 1)
    expect(conflicts(ga)[0]?.data?.field).toBe('status')
    expect(conflicts(ga)[0]?.data?.entityId).toBe(x)
    // Both attestations survive the merge.
    await waitFor('attestations to merge', () => (ga.get(x)?.disputedBy.length ?? 0) === 1)
    expect(ga.get(x)?.verifiedBy).toHaveLength(1)
    expect(ga.get(y)?.verifiedBy).toHaveLength(2)
    expect(ga.get(y)?.status).toBe('verified')
  })

  it('the same id created concurrently with different content surfaces as a whole-entity conflict', async () => {
    const { ga, gb, netA, netB, hub } = await pair()
    hub.partition(netA, netB)
    ga.batch([{ op: 'add', id: 'decision:venue', entity: { kind: 'decision', text: 'Meet in Paris' } }])
    gb.batch([{ op: 'add', id: 'decision:venue', entity: { kind: 'decision', text: 'Meet in Rome' } }])
    hub.heal(netA, netB)
    await waitFor('a whole-entity conflict on both peers', () => conflicts(ga).length === 1 && conflicts(gb).length === 1)
    const c = conflicts(ga)[0]
    expect(c?.data?.field).toBe('*')
    expect(c?.id).toBe(conflicts(gb)[0]?.id)
    const texts = (c?.data?.values as Array<{ value: { text: string } }>).map(v => v.value.text).sort()
    expect(texts).toEqual(['Meet in Paris', 'Meet in Rome'])
    expect(ga.get('decision:venue')?.text).toBe(gb.get('decision:venue')?.text)
  })

  it('partition and merge: nothing written on either side is lost', async () => {
    const { ga, gb, netA, netB, hub } = await pair()
    const shared = ga.add({ kind: 'question', text: 'shared' })
    await waitFor('bob to see the question', () => gb.has(shared))
    hub.partition(netA, netB)
    const fromA = ga.batch(Array.from({ length: 40 }, (_, i) => ({ op: 'add' as const, entity: { kind: 'fact' as const, text: `a${i}` } })))
    const fromB = gb.batch(Array.from({ length: 40 }, (_, i) => ({ op: 'add' as const, entity: { kind: 'fact' as const, text: `b${i}` } })))
    ga.relate(fromA[0] ?? '', 'answers', shared)
    gb.relate(fromB[0] ?? '', 'answers', shared)
    const thread = ga.openThread('during partition')
    ga.post(thread, 'a says hi')
    expect(ga.size).toBe(42)
    expect(gb.size).toBe(41)
    hub.heal(netA, netB)
    await waitFor('both sides to hold all 82 entities', () => ga.size === 82 && gb.size === 82)
    const idsA = ga.list().map(e => e.id).sort()
    expect(gb.list().map(e => e.id).sort()).toEqual(idsA)
    for (const id of [...fromA, ...fromB]) expect(idsA).toContain(id)
    await waitFor('edges to sync', () => gb.neighbours(shared).length === 2)
    expect(gb.get(thread)?.messages?.[0]?.text).toBe('a says hi')
    expect(conflicts(ga)).toHaveLength(0)
  })

  it('reports remote changes with origin "remote"', async () => {
    const { ga, gb } = await pair()
    const seen: string[][] = []
    gb.on('change', c => { if (c.origin === 'remote') seen.push(c.ids) })
    const id = ga.add({ kind: 'fact', text: 'hello' })
    await waitFor('bob to get a remote change event', () => seen.some(ids => ids.includes(id)))
  })

  it('quarantines an invalid entity written by a buggy peer instead of exposing it', async () => {
    const { ga, gb } = await pair()
    const good = ga.add({ kind: 'fact', text: 'good' })
    await waitFor('bob sees good', () => gb.has(good))
    // Bypass the graph API, as a buggy or malicious peer could.
    ga.update(good, { text: 'still good' })
    const copy = { ...ga.get(good), id: 'fact:lost' }
    const evilShard = shardOf('fact:evil')
    const wrongShard = shardOf('fact:lost') === '00' ? '01' : '00'
    ga.handle.change(doc => {
      const home = doc.e[evilShard]
      if (home !== undefined) home['fact:evil'] = { id: 'fact:evil', kind: 'gossip' } as unknown as (typeof home)[string]
      const wrong = doc.e[wrongShard]
      if (wrong !== undefined) wrong['fact:lost'] = storeEntity(validateEntity(copy))
      // an attestation entry that is not JSON
      const att = doc.a[shardOf(good)]
      if (att !== undefined) att[`${good}|junk`] = new ImmutableString('{oops')
    })
    await waitFor('bob to receive the bad entries', () => gb.invalid().length === 3)
    expect(gb.has('fact:evil')).toBe(false)
    expect(gb.has('fact:lost')).toBe(false)
    const invalid = Object.fromEntries(gb.invalid().map(i => [i.where, i.error.message]))
    expect(invalid).toEqual({
      [`e/${evilShard}/fact:evil`]: 'kind: must be one of fact, hypothesis, conflict, question, decision, thread, solution, unknown, got "gossip"',
      [`e/${wrongShard}/fact:lost`]: `id: is stored in shard ${wrongShard} but belongs in shard ${shardOf('fact:lost')}`,
      [`a/${shardOf(good)}/${good}|junk`]: 'attestation: is not valid JSON text'
    })
    expect(gb.size).toBe(1)
    expect(gb.get(good)?.text).toBe('still good')
  })
})
