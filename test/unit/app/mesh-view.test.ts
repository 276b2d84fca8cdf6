/** What `ctx.mesh.status()` hands an agent (app/mesh-view.ts): a plain copy of the tab's view, newest tasks first. */
import { describe, expect, it } from 'vitest'
import { meshMatches, meshView } from '../../../src/app/mesh-view.ts'
import { builtinManifest } from '../../../src/agents/builtin/index.ts'
import { MAX_MESH_TASKS } from '../../../src/agents/types.ts'
import type { AgentView } from '../../../src/agents/host.ts'
import type { TaskSnapshot } from '../../../src/coord/engine.ts'

const agent = (kind: 'calculator' | 'verifier', peerId: string, extra: Partial<AgentView> = {}): AgentView => ({
  agentId: `${kind}@${peerId}`, peerId, kind, manifest: builtinManifest(kind), author: 'meshwork', state: 'idle', running: 0, completed: 3, failures: 0, restarts: 0,
  registeredAt: 1, updatedAt: 2, local: false, online: true, ...extra
})

const snapshot = (id: string, submittedAt: number, extra: Partial<TaskSnapshot> = {}): TaskSnapshot => ({
  id, text: `task ${id}`, state: 'completed', attempt: 1, attempts: [], steward: 'p1', owner: 'p1', questions: [], timings: { submittedAt }, ...extra
})

describe('meshView', () => {
  it('lists this tab first, then its peers with transport and round trip; agents with skills and reputation', () => {
    const v = meshView({
      peerId: 'p1',
      peers: [{ peerId: 'p2', transport: 'webrtc', rttMs: 8.5 }, { peerId: 'p3', transport: 'relayed', rttMs: null }, { peerId: 'p1', transport: 'webrtc', rttMs: 1 }],
      agents: [agent('calculator', 'p2', { reputation: { 'math.evaluate': { factor: 1.2, successes: 4, failures: 0, verified: 3, disputed: 1, latencyMs: 40 } } }), agent('verifier', 'p9', { online: false, state: 'stopped' })],
      tasks: [],
      now: 1234
    })
    expect(v.at).toBe(1234)
    expect(v.peers).toEqual([{ peerId: 'p1', self: true }, { peerId: 'p2', self: false, transport: 'webrtc', rttMs: 8.5 }, { peerId: 'p3', self: false, transport: 'relayed' }])
    expect(v.agents[0]).toMatchObject({ agentId: 'calculator@p2', name: 'Calculator', kind: 'calculator', online: true, completed: 3, reputation: { 'math.evaluate': { factor: 1.2, verified: 3, disputed: 1 } } })
    expect(v.agents[0]!.skills[0]).toEqual({ id: builtinManifest('calculator').skills[0]!.id, name: builtinManifest('calculator').skills[0]!.name })
    expect(v.agents[1]).toMatchObject({ online: false, state: 'stopped', reputation: {} })
    // A plain copy: no source, no manifest, nothing live.
    expect(Object.keys(v.agents[0]!).sort()).toEqual(['agentId', 'completed', 'failures', 'kind', 'name', 'online', 'peerId', 'reputation', 'running', 'skills', 'state'])
  })

  it('lists tasks newest first with their answer cut, verification and failure reason, at most MAX_MESH_TASKS', () => {
    const tasks = Array.from({ length: MAX_MESH_TASKS + 5 }, (_, i) => snapshot(`t${i}`, i))
    tasks.push(snapshot('long', 10_000, { result: { text: 'x'.repeat(500) }, verification: { status: 'verified', supporters: ['p2'], disputes: [] }, agentId: 'calculator@p2', skillId: 'math.evaluate', timings: { submittedAt: 10_000, completedAt: 10_050 } }))
    tasks.push(snapshot('nobody', 9_000, { state: 'unassigned', reason: 'nobody bid' }))
    const v = meshView({ peerId: 'p1', peers: [], agents: [], tasks, now: 0 })
    expect(v.tasks).toHaveLength(MAX_MESH_TASKS)
    expect(v.tasks.slice(0, 3).map(t => t.id)).toEqual(['long', 'nobody', `t${MAX_MESH_TASKS + 4}`])
    expect(v.tasks[0]).toMatchObject({ state: 'completed', agentId: 'calculator@p2', skillId: 'math.evaluate', verification: 'verified', endedAt: 10_050 })
    expect(v.tasks[0]!.answer).toHaveLength(300)
    expect(v.tasks[0]!.answer!.endsWith('…')).toBe(true)
    expect(v.tasks[1]).toMatchObject({ state: 'unassigned', reason: 'nobody bid' })
    expect(v.tasks[1]).not.toHaveProperty('answer')
  })
})

describe('meshMatches (ctx.mesh.match)', () => {
  const m = (agentId: string, skillId: string, confidence: number) => ({ agentId, peerId: agentId.split('@')[1]!, skillId, confidence, semantic: confidence, lexical: 0 })
  it('puts the bids the rules make first, then the nearest skills that made none; before coordination runs, the bid floor decides', () => {
    const matched = [m('researcher@p2', 'graph.answer', 0.62), m('js-runner@p1', 'code.run-javascript', 0.5), m('calculator@p1', 'math.evaluate', 0.3)]
    const offers = [{ agentId: 'calculator@p1', peerId: 'p1', skillId: 'math.dates-interest', confidence: 0.9 }]
    expect(meshMatches(10, matched, offers)).toEqual([
      // The calculator's bid replaces its skill match: the rule's skill and confidence.
      { agentId: 'calculator@p1', peerId: 'p1', skillId: 'math.dates-interest', confidence: 0.9, bids: true },
      { agentId: 'researcher@p2', peerId: 'p2', skillId: 'graph.answer', confidence: 0.62, bids: false },
      { agentId: 'js-runner@p1', peerId: 'p1', skillId: 'code.run-javascript', confidence: 0.5, bids: false }
    ])
    expect(meshMatches(2, matched, offers).map(x => x.agentId)).toEqual(['calculator@p1', 'researcher@p2'])
    expect(meshMatches(10, matched, []).every(x => !x.bids)).toBe(true)
    expect(meshMatches(10, matched, undefined).map(x => [x.agentId, x.bids])).toEqual([['researcher@p2', true], ['js-runner@p1', true], ['calculator@p1', false]])
  })
})
