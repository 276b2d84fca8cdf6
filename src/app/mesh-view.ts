/**
 * What `ctx.mesh.status()` returns to an agent (tool `mesh.read`): the mesh as this tab sees it,
 * read from the node (present peers), the agent host (the room's registry, with presence) and the
 * coordination engine (the tasks it knows). A plain copy: nothing in it refers back to live state.
 */
import { MIN_FIT } from '../agents/builtin/mesh-status.ts'
import type { AgentMatch, AgentView } from '../agents/host.ts'
import { MAX_MESH_TASKS, type MeshAgent, type MeshMatch, type MeshTask, type MeshView } from '../agents/types.ts'
import type { TaskSnapshot } from '../coord/engine.ts'
import type { BidOffer } from '../coord/interfaces.ts'
import type { PeerView } from '../net/mesh-node.ts'

/** A result's text as a listing quotes it. */
const MAX_ANSWER_CHARS = 300

export interface MeshViewSources {
  peerId: string
  peers: readonly PeerView[]
  agents: readonly AgentView[]
  /** Empty before the coordination engine starts. */
  tasks: readonly TaskSnapshot[]
  now: number
}

export function meshView (s: MeshViewSources): MeshView {
  const tasks = s.tasks.map(meshTask).sort((a, b) => b.submittedAt - a.submittedAt || (a.id < b.id ? -1 : 1)).slice(0, MAX_MESH_TASKS)
  return {
    at: s.now,
    peerId: s.peerId,
    peers: [
      { peerId: s.peerId, self: true },
      ...s.peers.filter(p => p.peerId !== s.peerId).map(p => ({ peerId: p.peerId, self: false, transport: p.transport, ...(p.rttMs !== null ? { rttMs: p.rttMs } : {}) }))
    ],
    agents: s.agents.map(meshAgent),
    tasks
  }
}

function meshAgent (a: AgentView): MeshAgent {
  const reputation: MeshAgent['reputation'] = {}
  for (const [skill, r] of Object.entries(a.reputation ?? {})) reputation[skill] = { factor: r.factor, verified: r.verified, disputed: r.disputed }
  return {
    agentId: a.agentId,
    name: a.manifest.name,
    kind: a.kind,
    peerId: a.peerId,
    online: a.online,
    state: a.state,
    running: a.running,
    completed: a.completed,
    failures: a.failures,
    skills: a.manifest.skills.map(k => ({ id: k.id, name: k.name })),
    reputation
  }
}

function meshTask (t: TaskSnapshot): MeshTask {
  const ended = t.timings.endedAt ?? t.timings.completedAt
  return {
    id: t.id,
    text: t.text,
    state: t.state,
    ...(t.agentId !== undefined ? { agentId: t.agentId } : {}),
    ...(t.skillId !== undefined ? { skillId: t.skillId } : {}),
    submittedAt: t.timings.submittedAt,
    ...(ended !== undefined ? { endedAt: ended } : {}),
    ...(t.result !== undefined ? { answer: cut(t.result.text) } : {}),
    ...(t.verification !== undefined ? { verification: t.verification.status } : {}),
    ...(t.reason !== undefined && t.state !== 'completed' ? { reason: cut(t.reason) } : {})
  }
}

function cut (text: string): string {
  return text.length <= MAX_ANSWER_CHARS ? text : `${text.slice(0, MAX_ANSWER_CHARS - 1)}…`
}

/** An offer the bid rules make for a request, with its agent's peer (coord-boot.ts `wouldBid`). */
export type Offer = BidOffer & { peerId: string }

/**
 * `ctx.mesh.match`: the `offers` the bid rules make for a capability (`bids`), best first, then the
 * agents whose skill words are nearest (`matched`) that made none. Before the coordination layer runs
 * (`offers` undefined), the skill words alone say who bids: at least the bid floor.
 */
export function meshMatches (k: number, matched: readonly AgentMatch[], offers: readonly Offer[] | undefined): MeshMatch[] {
  const out: MeshMatch[] = (offers ?? []).map(o => ({ agentId: o.agentId, peerId: o.peerId, skillId: o.skillId, confidence: o.confidence, bids: true }))
  const bidding = new Set(out.map(m => m.agentId))
  for (const m of matched) {
    if (bidding.has(m.agentId)) continue
    out.push({ agentId: m.agentId, peerId: m.peerId, skillId: m.skillId, confidence: m.confidence, bids: offers === undefined && m.confidence >= MIN_FIT })
  }
  return out.sort((a, b) => Number(b.bids) - Number(a.bids) || b.confidence - a.confidence).slice(0, k)
}
