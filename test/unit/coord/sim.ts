/**
 * A simulated mesh for coordination tests: a fake clock that several engines share, an in-memory
 * gossip network with configurable delay, drop and peer removal, real Ed25519 identities, and
 * trivial agents.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import type { AgentResult, AgentTask } from '../../../src/agents/types.ts'
import { createCoordEngine, type CoordEngine, type CoordEngineInit, type CoordEngineOptions } from '../../../src/coord/engine.ts'
import type { BidOffer, Clock, CoordRecorder, CoordTransport, ExecutionHooks } from '../../../src/coord/interfaces.ts'
import { MemoryRecorder } from '../../../src/coord/memory-recorder.ts'
import { signerFor } from '../../../src/coord/signing.ts'

export const T0 = 1_700_000_000_000

interface Timer { at: number, seq: number, fn: () => void }

/** A fake clock with a binary heap of timers. `fireDue` runs everything due, in time order. */
export class FakeClock implements Clock {
  t = T0
  private heap: Timer[] = []
  private seq = 0
  private readonly cancelled = new Set<number>()

  now (): number { return this.t }

  setTimeout (fn: () => void, ms: number): unknown {
    const timer = { at: this.t + Math.max(0, ms), seq: ++this.seq, fn }
    this.push(timer)
    return timer.seq
  }

  clearTimeout (handle: unknown): void {
    if (typeof handle === 'number') this.cancelled.add(handle)
  }

  nextAt (): number | undefined {
    while (this.heap.length > 0 && this.cancelled.has(this.heap[0]!.seq)) this.pop()
    return this.heap[0]?.at
  }

  /** Runs the timers due now; returns how many ran. */
  fireDue (): number {
    let n = 0
    for (;;) {
      const next = this.nextAt()
      if (next === undefined || next > this.t) return n
      const timer = this.pop()!
      n++
      timer.fn()
    }
  }

  private less (a: Timer, b: Timer): boolean { return a.at < b.at || (a.at === b.at && a.seq < b.seq) }

  private push (x: Timer): void {
    const h = this.heap
    h.push(x)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!]
      i = p
    }
  }

  private pop (): Timer | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (top === undefined || last === undefined || h.length === 0) return top
    h[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!]
      i = m
    }
    this.cancelled.delete(top.seq)
    return top
  }
}

/** Lets promise chains (signing, verification, agents) run. */
export async function settle (): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>(resolve => setImmediate(resolve))
}

/** Advances simulated time by `ms`, running timers and the promise work they cause. */
export async function runFor (clock: FakeClock, ms: number): Promise<void> {
  const end = clock.t + ms
  for (;;) {
    await settle()
    if (clock.fireDue() > 0) continue
    const next = clock.nextAt()
    if (next === undefined || next > end) break
    clock.t = next
  }
  clock.t = end
  await settle()
}

/** Advances until `done()` holds (checked after every step), at most `maxMs`. Returns the simulated time taken. */
export async function runUntil (clock: FakeClock, done: () => boolean, maxMs: number): Promise<number> {
  const start = clock.t
  const end = start + maxMs
  for (;;) {
    await settle()
    if (clock.fireDue() > 0) continue
    if (done()) return clock.t - start
    const next = clock.nextAt()
    if (next === undefined || next > end) break
    clock.t = next
  }
  await settle()
  if (done()) return clock.t - start
  throw new Error(`condition not reached within ${maxMs} ms of simulated time`)
}

export interface NetworkOptions { delayMs?: number, jitterMs?: number, dropRate?: number, seed?: number }

/** In-memory gossip: every publish reaches every other live node after a delay, unless dropped. */
export class MemoryNetwork {
  private readonly nodes = new Map<string, { onMessage: Set<(b: Uint8Array, from?: string) => void>, onLeave: Set<(p: string) => void>, alive: boolean }>()
  delivered = 0
  dropped = 0
  /** Every message published, as sent: for replay attacks. */
  readonly tap: Array<{ from: string, bytes: Uint8Array }> = []
  private rng: () => number

  constructor (private readonly clock: FakeClock, private readonly opts: NetworkOptions = {}) {
    let s = opts.seed ?? 42
    this.rng = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32 }
  }

  /** Pairs of peers cut apart (`a|b`, both orders). */
  private readonly cut = new Set<string>()

  /**
   * Cuts every peer of `a` off from every peer of `b`: nothing crosses, and each side sees the
   * other leave (as presence would tell it), until `heal`.
   */
  partition (a: readonly string[], b: readonly string[]): void {
    for (const x of a) {
      for (const y of b) {
        this.cut.add(`${x}|${y}`)
        this.cut.add(`${y}|${x}`)
        for (const fn of this.nodes.get(x)?.onLeave ?? []) fn(y)
        for (const fn of this.nodes.get(y)?.onLeave ?? []) fn(x)
      }
    }
  }

  /** Undoes every partition; the peers see each other again on their next tick. */
  heal (): void {
    this.cut.clear()
  }

  /** Drops what `from` sends to `to` from now on, and nothing else: no one sees anyone leave (a lost frame, one way). */
  mute (from: string, to: string): void {
    this.cut.add(`${from}|${to}`)
  }

  /** Extra delay of what `from` sends to `to`, per link and one way (`from|to` → ms). */
  private readonly lag = new Map<string, number>()

  /** Delays what `from` sends to `to` by `ms` more from now on (0 undoes it): to make two messages cross. */
  slow (from: string, to: string, ms: number): void {
    if (ms > 0) this.lag.set(`${from}|${to}`, ms)
    else this.lag.delete(`${from}|${to}`)
  }

  transport (peerId: string): CoordTransport {
    const node = { onMessage: new Set<(b: Uint8Array, from?: string) => void>(), onLeave: new Set<(p: string) => void>(), alive: true }
    this.nodes.set(peerId, node)
    return {
      publish: bytes => { if (node.alive) this.broadcast(peerId, bytes, peerId) },
      onMessage: fn => { node.onMessage.add(fn); return () => { node.onMessage.delete(fn) } },
      peers: () => [...this.nodes].filter(([id, n]) => id !== peerId && n.alive && !this.cut.has(`${peerId}|${id}`)).map(([id]) => id),
      onPeerLeave: fn => { node.onLeave.add(fn); return () => { node.onLeave.delete(fn) } }
    }
  }

  /**
   * Sends raw bytes as if from `sender` (a rogue may claim anything inside). `authenticated: false`
   * delivers them without a transport-level sender, as a transport that cannot tell would.
   */
  inject (sender: string, bytes: Uint8Array, authenticated = true): void {
    this.broadcast(sender, bytes, authenticated ? sender : undefined, false)
  }

  remove (peerId: string): void {
    const node = this.nodes.get(peerId)
    if (node === undefined || !node.alive) return
    node.alive = false
    for (const [id, n] of this.nodes) if (id !== peerId && n.alive) for (const fn of n.onLeave) fn(peerId)
  }

  private broadcast (from: string, bytes: Uint8Array, transportFrom: string | undefined, record = true): void {
    if (record) this.tap.push({ from, bytes })
    for (const [id, n] of this.nodes) {
      if (id === from || !n.alive || this.cut.has(`${from}|${id}`)) continue
      if ((this.opts.dropRate ?? 0) > 0 && this.rng() < this.opts.dropRate!) { this.dropped++; continue }
      const delay = (this.opts.delayMs ?? 2) + Math.floor(this.rng() * (this.opts.jitterMs ?? 0)) + (this.lag.get(`${from}|${id}`) ?? 0)
      this.clock.setTimeout(() => {
        if (!n.alive || this.cut.has(`${from}|${id}`)) return
        this.delivered++
        for (const fn of n.onMessage) fn(bytes, transportFrom)
      }, delay)
    }
  }
}

export interface Identity { privateKey: PrivateKey, peerId: string }

export async function identity (): Promise<Identity> {
  const privateKey = await generateKeyPair('Ed25519')
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey).toString() }
}

/** A trivial agent: bids when the task text contains one of its keywords, answers after `workMs`. */
export interface SimAgent {
  id: string
  skill: string
  keywords: string[]
  confidence: number
  workMs?: number
  /** The latency its bids state; without it the engine estimates one (its book's EWMA × (1 + load)). */
  latencyMs?: number
  run?: (task: AgentTask, hooks: ExecutionHooks, signal: AbortSignal) => Promise<AgentResult> | AgentResult
  /** Declines to bid once one of these agents failed the task with an error (as a built-in's twin does in coord-boot). */
  declineAfterFailureOf?: string[]
}

export interface SimNode {
  id: Identity
  engine: CoordEngine
  recorder: MemoryRecorder
  agents: SimAgent[]
  runs: Array<{ agentId: string, taskId: string, startedAt: number, finishedAt?: number }>
}

/**
 * One engine of the simulated mesh: bids for its `agents` by keyword, runs them on the fake clock
 * (noting each run in `runs`), and records with `recorder`.
 */
export function startSimEngine (net: MemoryNetwork, clock: FakeClock, id: Identity, agents: SimAgent[], recorder: CoordRecorder, options: CoordEngineOptions = {}, runs: SimNode['runs'] = [], extra: Pick<CoordEngineInit, 'skillsOf' | 'verifyingPeers' | 'recordedAward' | 'decisionIn' | 'questionIn'> = {}): CoordEngine {
  const engine = createCoordEngine({
    ...extra,
    peerId: id.peerId,
    sign: signerFor(id.privateKey),
    transport: net.transport(id.peerId),
    clock,
    recorder,
    options,
    bidder: {
      bid: (task, hints): BidOffer[] => agents
        .filter(a => a.keywords.some(k => k === '*' || task.text.toLowerCase().includes(k)))
        .filter(a => !(a.declineAfterFailureOf ?? []).some(x => hints?.failedBy?.includes(x) === true))
        .map(a => ({ agentId: a.id, skillId: a.skill, confidence: a.confidence, ...(a.latencyMs !== undefined ? { latencyMs: a.latencyMs } : {}) }))
    },
    executor: {
      run: async (agentId, task, signal, hooks) => {
        const agent = agents.find(a => a.id === agentId)
        if (agent === undefined) throw new Error(`no agent ${agentId}`)
        const run: SimNode['runs'][number] = { agentId, taskId: task.id, startedAt: clock.now() }
        runs.push(run)
        await new Promise<void>((resolve, reject) => {
          const h = clock.setTimeout(resolve, agent.workMs ?? 10)
          signal.addEventListener('abort', () => { clock.clearTimeout(h); reject(new Error('aborted')) }, { once: true })
        })
        const result = agent.run !== undefined
          ? await agent.run(task, hooks, signal)
          : { text: `${agentId} did: ${task.text}`, output: { by: agentId, task: task.id } }
        run.finishedAt = clock.now()
        return result
      }
    }
  })
  engine.start()
  return engine
}

export async function makeNode (net: MemoryNetwork, clock: FakeClock, agents: SimAgent[], options: CoordEngineOptions = {}, extra: Pick<CoordEngineInit, 'skillsOf' | 'verifyingPeers' | 'recordedAward' | 'decisionIn' | 'questionIn'> = {}): Promise<SimNode> {
  const id = await identity()
  const recorder = new MemoryRecorder()
  const runs: SimNode['runs'] = []
  const engine = startSimEngine(net, clock, id, agents, recorder, options, runs, extra)
  return { id, engine, recorder, agents, runs }
}
