/**
 * Acceptance suite every automerge-repo NetworkAdapter of ours must pass; modelled on
 * automerge-repo's own `network-adapter-tests.ts`, plus resync after reconnect and the room
 * graph end to end. Call `runNetworkAdapterSuite(name, setup)` from a *.test.ts file.
 *
 * `setup` returns three adapters for three distinct peers that can all reach each other
 * (e.g. three libp2p nodes, fully connected), and a teardown.
 */
import { Repo, type DocHandle, type NetworkAdapterInterface, type PeerId, type StorageId } from '@automerge/automerge-repo'
import { afterEach, describe, expect, it } from 'vitest'
import { createGraphRepo, openRoomGraph } from '../../../src/graph/room.ts'
import { alice as aliceActor, bob as bobActor } from './helpers.ts'

export interface AdapterSetup {
  adapters: [NetworkAdapterInterface, NetworkAdapterInterface, NetworkAdapterInterface]
  teardown: () => Promise<void>
}

interface TestDoc { foo?: string, list?: string[] }

const alice = 'alice' as PeerId
const bob = 'bob' as PeerId
const charlie = 'charlie' as PeerId

/** Resolves with the first `event` emitted by `emitter`, or rejects after `ms`. */
async function next<T> (source: { once: (...args: never[]) => unknown }, event: string, ms = 5000): Promise<T> {
  // EventEmitter3's typed `once` is awkward to express generically; the tests know the payloads.
  const emitter = source as unknown as { once: (event: string, fn: (payload: T) => void) => unknown }
  return await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`no ${event} event within ${ms} ms`)) }, ms)
    emitter.once(event, (payload: T) => { clearTimeout(timer); resolve(payload) })
  })
}

async function until (what: string, check: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

const fooOf = (handle: DocHandle<TestDoc>): string | undefined => handle.doc()?.foo

export function runNetworkAdapterSuite (name: string, setupFn: () => Promise<AdapterSetup>): void {
  describe(`network adapter acceptance: ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = []
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
    })
    const setup = async (): Promise<AdapterSetup> => {
      const s = await setupFn()
      cleanups.push(s.teardown)
      return s
    }
    const repo = (network: NetworkAdapterInterface, peerId: PeerId): Repo => {
      const r = new Repo({ network: [network], peerId })
      cleanups.push(async () => { await r.shutdown() })
      return r
    }

    it('syncs a document between 2 repos, both ways, whoever creates it', async () => {
      for (const flip of [false, true]) {
        const { adapters: [x, y] } = await setup()
        const [a, b] = flip ? [y, x] : [x, y]
        const aliceRepo = repo(a, alice)
        const bobRepo = repo(b, bob)
        await until('bob to see alice', () => bobRepo.peers.includes(alice))
        const aliceHandle = aliceRepo.create<TestDoc>({ foo: 'start' })
        const bobHandle = await bobRepo.find<TestDoc>(aliceHandle.url)
        expect(fooOf(bobHandle)).toBe('start')
        aliceHandle.change(d => { d.foo = 'bar' })
        await until('bob to see bar', () => fooOf(bobHandle) === 'bar')
        bobHandle.change(d => { d.foo = 'baz' })
        await until('alice to see baz', () => fooOf(aliceHandle) === 'baz')
      }
    })

    it('syncs a document among 3 repos', async () => {
      const { adapters: [a, b, c] } = await setup()
      const aliceRepo = repo(a, alice)
      const bobRepo = repo(b, bob)
      const charlieRepo = repo(c, charlie)
      await until('everyone to see two peers', () => [aliceRepo, bobRepo, charlieRepo].every(r => r.peers.length === 2))
      const aliceHandle = aliceRepo.create<TestDoc>({ foo: 'start' })
      const bobHandle = await bobRepo.find<TestDoc>(aliceHandle.url)
      const charlieHandle = await charlieRepo.find<TestDoc>(aliceHandle.url)
      aliceHandle.change(d => { d.foo = 'bar' })
      await until('bob and charlie to see bar', () => fooOf(bobHandle) === 'bar' && fooOf(charlieHandle) === 'bar')
      charlieHandle.change(d => { d.foo = 'baz' })
      await until('alice and bob to see baz', () => fooOf(aliceHandle) === 'baz' && fooOf(bobHandle) === 'baz')
    })

    it('delivers ephemeral broadcasts', async () => {
      const { adapters: [a, b, c] } = await setup()
      const aliceRepo = repo(a, alice)
      repo(b, bob)
      const charlieRepo = repo(c, charlie)
      await until('alice and charlie to be connected', () => aliceRepo.peers.includes(charlie) && charlieRepo.peers.includes(alice))
      const aliceHandle = aliceRepo.create<TestDoc>({ foo: 'x' })
      const charlieHandle = await charlieRepo.find<TestDoc>(aliceHandle.url)
      await new Promise(resolve => setTimeout(resolve, 100))
      const received = next<{ message: unknown }>(charlieHandle, 'ephemeral-message')
      aliceHandle.broadcast({ presence: 'alice' })
      expect((await received).message).toEqual({ presence: 'alice' })
    })

    it('emits peer-candidate with the peer metadata', async () => {
      const { adapters: [a, b] } = await setup()
      const candidate = next<{ peerId: PeerId, peerMetadata: unknown }>(b, 'peer-candidate')
      b.connect('b' as PeerId, { storageId: 'b' as StorageId })
      a.connect('a' as PeerId, { storageId: 'a' as StorageId, isEphemeral: false })
      expect(await candidate).toMatchObject({ peerId: 'a', peerMetadata: { storageId: 'a', isEphemeral: false } })
      await Promise.all([a.whenReady(), b.whenReady()])
      expect(a.isReady()).toBe(true)
      a.disconnect()
      b.disconnect()
    })

    it('emits peer-disconnected on both sides when one side disconnects', async () => {
      const { adapters: [left, right] } = await setup()
      const leftRepo = repo(left, 'left' as PeerId)
      const rightRepo = repo(right, 'right' as PeerId)
      await until('left and right to see each other', () => leftRepo.peers.length === 1 && rightRepo.peers.length === 1)
      const gone = Promise.all([next(leftRepo.networkSubsystem, 'peer-disconnected'), next(rightRepo.networkSubsystem, 'peer-disconnected')])
      left.disconnect()
      await gone
      expect(rightRepo.peers).toEqual([])
    })

    it('does not deliver messages sent after disconnect', async () => {
      const { adapters: [left, right] } = await setup()
      const leftRepo = repo(left, 'left' as PeerId)
      const rightRepo = repo(right, 'right' as PeerId)
      await until('left and right to see each other', () => leftRepo.peers.length === 1 && rightRepo.peers.length === 1)
      const disconnected = next(right, 'peer-disconnected')
      left.disconnect()
      await disconnected
      let received = false
      right.on('message', msg => { if (msg.senderId === 'left') received = true })
      const handle = leftRepo.create<TestDoc>({ foo: 'late' })
      left.send({ type: 'sync', senderId: 'left' as PeerId, targetId: 'right' as PeerId, documentId: handle.documentId, data: new Uint8Array([1, 2, 3]) })
      await new Promise(resolve => setTimeout(resolve, 100))
      expect(received).toBe(false)
    })

    it('reconnects after disconnect and resyncs what changed meanwhile', async () => {
      const { adapters: [left, right] } = await setup()
      const leftRepo = repo(left, 'left' as PeerId)
      const rightRepo = repo(right, 'right' as PeerId)
      await until('right to see left', () => rightRepo.peers.length === 1)
      const leftHandle = leftRepo.create<TestDoc>({ foo: 'v1', list: [] })
      const rightHandle = await rightRepo.find<TestDoc>(leftHandle.url)
      expect(fooOf(rightHandle)).toBe('v1')

      const gone = next(rightRepo.networkSubsystem, 'peer-disconnected')
      left.disconnect()
      await gone
      leftHandle.change(d => { d.foo = 'v2'; d.list?.push('from-left') })
      rightHandle.change(d => { d.list?.push('from-right') })
      await new Promise(resolve => setTimeout(resolve, 50))
      expect(fooOf(rightHandle)).toBe('v1')

      const back = next(left, 'peer-candidate')
      left.connect('left' as PeerId)
      await back
      await until('both sides to converge', () =>
        fooOf(rightHandle) === 'v2' && leftHandle.doc().list?.length === 2 && rightHandle.doc().list?.length === 2)
      expect([...(leftHandle.doc().list ?? [])].sort()).toEqual(['from-left', 'from-right'])
    })

    it('carries a room graph: concurrent creators converge on one graph with both writes', async () => {
      const { adapters: [a, b] } = await setup()
      const repoA = createGraphRepo({ network: a, peerId: 'graph-a' })
      const repoB = createGraphRepo({ network: b, peerId: 'graph-b' })
      cleanups.push(async () => { await repoA.shutdown() }, async () => { await repoB.shutdown() })
      const [ga, gb] = await Promise.all([
        openRoomGraph(repoA, 'suite-room', { actor: aliceActor }),
        openRoomGraph(repoB, 'suite-room', { actor: bobActor })
      ])
      const fa = ga.add({ kind: 'fact', text: 'written by alice' })
      const fb = gb.add({ kind: 'fact', text: 'written by bob' })
      await until('both graphs to hold both facts', () => ga.has(fb) && gb.has(fa), 10_000)
      expect(ga.list().map(e => e.text).sort()).toEqual(['written by alice', 'written by bob'])
      expect(gb.list().map(e => e.text).sort()).toEqual(['written by alice', 'written by bob'])
      ga.close()
      gb.close()
    })
  })
}
