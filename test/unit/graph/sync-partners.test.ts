// Whether a graph holds everything its sync partners have (src/graph/sync-partners.ts): the pure
// reading of partner states, and the watch over real Repos syncing on the in-memory hub.
import './helpers.ts'
import * as Automerge from '@automerge/automerge'
import type { Repo } from '@automerge/automerge-repo/slim'
import { afterEach, describe, expect, it } from 'vitest'
import { openRoomGraph } from '../../../src/graph/room.ts'
import { roomDocumentId } from '../../../src/graph/layout.ts'
import type { KnowledgeGraph } from '../../../src/graph/knowledge-graph.ts'
import { parsePartners, partnerReach, watchSyncPartners, type SyncPartner, type SyncPartnerWatch } from '../../../src/graph/sync-partners.ts'
import { PENDING_SETTLE_MS, pendingReach } from '../../../src/ui/tasks/task-format.ts'
import { alice, bob, repoPair, waitFor } from './helpers.ts'

describe('partner reach', () => {
  const p = (peerId: string, state: SyncPartner['state'], since = 1): SyncPartner => ({ peerId, state, since })

  it('is alone without partners, syncing while any holds more (or has not spoken), settled from when the last caught up', () => {
    expect(partnerReach([])).toEqual({ kind: 'alone' })
    expect(partnerReach([p('a', 'up-to-date'), p('b', 'behind'), p('c', 'waiting')])).toEqual({ kind: 'syncing', pending: ['b', 'c'] })
    expect(partnerReach([p('a', 'up-to-date', 10), p('b', 'up-to-date', 30)])).toEqual({ kind: 'settled', partners: ['a', 'b'], since: 30 })
  })

  it('a mission waiting for its parts says nobody present holds them only once in sync, and a settling time after it began to wait', () => {
    const settled = partnerReach([p('12D3KooWAAAAAA', 'up-to-date'), p('12D3KooWBBBBBB', 'up-to-date')])
    expect(pendingReach(settled, 1_000, 1_000 + PENDING_SETTLE_MS - 1).kind).toBe('syncing')
    expect(pendingReach(settled, 1_000, 1_000 + PENDING_SETTLE_MS)).toEqual({
      kind: 'nobody',
      text: 'This tab\'s graph holds every change its sync partners (…AAAAAA, …BBBBBB) have, and through them the room\'s: no member present seems to hold them. They come when a member that holds them returns.'
    })
    expect(pendingReach(partnerReach([p('12D3KooWAAAAAA', 'up-to-date'), p('12D3KooWCCCCCC', 'behind')]), 0, 60_000)).toEqual({
      kind: 'syncing', text: 'Still syncing with …CCCCCC: they may be among the changes on their way.'
    })
    expect(pendingReach(partnerReach([]), 0, 60_000).kind).toBe('alone')
  })

  it('keeps only well-formed partners from a message', () => {
    expect(parsePartners([p('a', 'up-to-date'), { peerId: 'b', state: 'lost', since: 1 }, { peerId: 3, state: 'behind', since: 1 }, { peerId: 'c', state: 'behind', since: Number.NaN }, null, 'x'])).toEqual([p('a', 'up-to-date')])
    expect(parsePartners('garbage')).toEqual([])
  })
})

describe('watchSyncPartners', () => {
  const repos: Repo[] = []
  const watches: SyncPartnerWatch[] = []
  afterEach(async () => {
    for (const w of watches.splice(0)) w.close()
    await Promise.all(repos.splice(0).map(async r => { await r.shutdown() }))
  })

  it('says when this graph holds everything a partner has, when a partner holds more, and forgets a partner that left', async () => {
    const { hub, netA, netB, repoA, repoB } = repoPair()
    repos.push(repoA, repoB)
    const seen: SyncPartner[][] = []
    let gb: KnowledgeGraph | undefined
    // Watched from the Repo's start, as the graph worker does.
    const watch = watchSyncPartners(repoB, roomDocumentId('partners'), () => gb?.handle.doc(), { onChange: ps => { seen.push(ps) }, everyMs: 50 })
    watches.push(watch)
    const ga = await openRoomGraph(repoA, 'partners', { actor: alice })
    gb = await openRoomGraph(repoB, 'partners', { actor: bob })
    const id = ga.add({ kind: 'fact', text: 'the sky is blue' })
    await waitFor('b to hold a\'s fact', () => gb!.has(id), 10_000)
    await waitFor('a to read as up to date', () => watch.read().some(x => x.peerId === 'repo-a' && x.state === 'up-to-date'), 10_000)
    // A partner that tells of heads this document lacks is one it is receiving from (the event as the
    // synchronizer emits it mid-message); once its changes are in, it is up to date again.
    const missing = 'ab'.repeat(32)
    repoB.synchronizer.emit('sync-state', { peerId: 'repo-a' as never, documentId: gb!.handle.documentId, syncState: { theirHeads: [missing] } as never })
    expect(watch.read().find(x => x.peerId === 'repo-a')?.state).toBe('behind')
    const more = ga.add({ kind: 'fact', text: 'grass is green' })
    await waitFor('b to hold the second fact', () => gb!.has(more), 10_000)
    await waitFor('a up to date again', () => watch.read().find(x => x.peerId === 'repo-a')?.state === 'up-to-date', 10_000)
    expect(seen.some(ps => ps.some(x => x.state === 'behind'))).toBe(true)
    hub.partition(netA, netB)
    await waitFor('a to leave the partners', () => seen.at(-1)?.length === 0, 10_000)
    expect(partnerReach(watch.read())).toEqual({ kind: 'alone' })
  })

  it('counts a partner that never told its heads as up to date once it has been silent a while after this tab told it its own', async () => {
    const { netA, netB, repoA, repoB } = repoPair()
    repos.push(repoA, repoB)
    const ga = await openRoomGraph(repoA, 'quiet', { actor: alice })
    const gb = await openRoomGraph(repoB, 'quiet', { actor: bob })
    const id = ga.add({ kind: 'fact', text: 'told before the watch began' })
    await waitFor('b to hold it', () => gb.has(id), 10_000)
    expect(netA.connected && netB.connected).toBe(true)
    // Watched only now: a's heads were told before (as to a session held back during a snapshot catch-up).
    let t = 1_000
    const watch = watchSyncPartners(repoB, gb.handle.documentId, () => gb.handle.doc(), { onChange: () => {}, everyMs: 60_000, quietMs: 2_000, now: () => t })
    watches.push(watch)
    expect(watch.read()).toEqual([{ peerId: 'repo-a', state: 'waiting', since: 1_000 }])
    // b sends a its heads (the state automerge-repo emits after sending: theirs unknown, its own sent).
    const mine = Automerge.getHeads(gb.handle.doc())
    const sent = { peerId: 'repo-a' as never, documentId: gb.handle.documentId, syncState: { theirHeads: null, lastSentHeads: mine } as never }
    repoB.synchronizer.emit('sync-state', sent)
    t = 2_500
    expect(watch.read()[0]!.state).toBe('waiting')
    t = 3_000
    expect(watch.read()).toEqual([{ peerId: 'repo-a', state: 'up-to-date', since: 3_000 }])
    // Once it tells heads this graph lacks, it is one this tab is receiving from, silence or not.
    repoB.synchronizer.emit('sync-state', { ...sent, syncState: { theirHeads: ['cd'.repeat(32)], lastSentHeads: mine } as never })
    t = 10_000
    expect(watch.read()[0]!.state).toBe('behind')
  })
})
