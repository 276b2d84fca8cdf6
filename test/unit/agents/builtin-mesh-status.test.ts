/**
 * Questions about the mesh itself (mesh-status.ts): how they are read, answered from a tab's view of
 * the mesh, and checked again from another tab's view; and the researcher and verifier that use it.
 */
import { describe, expect, it } from 'vitest'
import { checkMeshAnswer, meshAnswer, meshAsked, meshFacts, MESH_SKILL } from '../../../src/agents/builtin/mesh-status.ts'
import { handler as research } from '../../../src/agents/builtin/researcher.ts'
import { handler as verify } from '../../../src/agents/builtin/verifier.ts'
import { builtinManifest } from '../../../src/agents/builtin/index.ts'
import type { MeshAgent, MeshMatch, MeshTask, MeshView } from '../../../src/agents/types.ts'
import { testContext } from './builtin-context.ts'

const A = '12D3KooWAAAAAAaaaaaa'
const B = '12D3KooWBBBBBBbbbbbb'
const C = '12D3KooWCCCCCCcccccc'

function agent (kind: string, peerId: string, extra: Partial<MeshAgent> = {}): MeshAgent {
  const manifest = builtinManifest(kind as 'calculator')
  return {
    agentId: `${kind}@${peerId}`, name: manifest.name, kind, peerId, online: true, state: 'idle', running: 0, completed: 0, failures: 0,
    skills: manifest.skills.map(s => ({ id: s.id, name: s.name })), reputation: {}, ...extra
  }
}

function task (id: string, text: string, state: string, extra: Partial<MeshTask> = {}): MeshTask {
  return { id, text, state, submittedAt: Number(id.replace(/\D/g, '').slice(0, 6) || 0), ...extra }
}

/** Tab A's view: A, B and C present; C's verifier went offline; four tasks, one a mission with a part. */
function view (over: Partial<MeshView> = {}): MeshView {
  return {
    at: Date.UTC(2026, 10, 25, 12),
    peerId: A,
    peers: [{ peerId: A, self: true }, { peerId: B, self: false, transport: 'webrtc', rttMs: 12.4 }, { peerId: C, self: false, transport: 'websocket' }],
    agents: [
      agent('calculator', A, { reputation: { 'math.evaluate': { factor: 1.3, verified: 6, disputed: 0 } } }),
      agent('researcher', A),
      agent('calculator', B, { state: 'working', running: 1, reputation: { 'math.evaluate': { factor: 0.8, verified: 1, disputed: 2 } } }),
      agent('js-runner', B),
      agent('verifier', C),
      agent('summariser', 'gone-peer-1234567', { online: false })
    ],
    tasks: [
      task('t5', 'Which agents are online?', 'working', { agentId: `researcher@${A}` }),
      task('t4', 'Find the primes below 50, then count them', 'completed', { answer: '15', verification: 'verified', agentId: `planner@${B}` }),
      task('t4/2', 'Count them', 'completed', { answer: '15' }),
      task('t3', 'What is 17 * 23?', 'completed', { answer: '17 * 23 = 391', verification: 'verified', agentId: `calculator@${A}` }),
      task('t2', 'Translate this into French', 'unassigned', { reason: 'nobody bid' }),
      task('t1', 'Run: while(true){}', 'working', { agentId: `js-runner@${B}` })
    ],
    ...over
  }
}

describe('reading a question about the mesh', () => {
  it.each([
    ['How many peers are in this room?', { about: 'tabs', count: true }],
    ['How many tabs are open?', { about: 'tabs', count: true }],
    ['How many people are in the room?', { about: 'tabs', count: true }],
    ["Who's online?", { about: 'tabs', count: false }],
    ['Is anyone else here?', { about: 'tabs', count: false }],
    ['Which agents are online?', { about: 'agents', count: false, all: false }],
    ['Can you tell me which agents are online?', { about: 'agents', count: false }],
    ['Show me all agents and their skills', { about: 'agents', all: true }],
    ['How many agents are running?', { about: 'agents', count: true }],
    ['Which agent has the best reputation?', { about: 'agents', byReputation: true }],
    ['What can the agents do?', { about: 'skills' }],
    ['Help', { about: 'skills' }],
    ['Which agent can run JavaScript?', { about: 'who-can', capability: 'run JavaScript', loose: false }],
    ['Is there an agent that can translate text?', { about: 'who-can', capability: 'translate text', loose: false }],
    ['Who can approve the budget?', { about: 'who-can', capability: 'approve the budget', loose: true }],
    ['What tasks are running?', { about: 'tasks', count: false, state: 'running' }],
    ['Which tasks failed?', { about: 'tasks', state: 'failed' }],
    ['What is the mesh working on?', { about: 'tasks', state: 'running' }],
    ['Summarise the last three tasks', { about: 'tasks', last: 3 }],
    ['What was the last task?', { about: 'tasks', last: 1 }],
    ['How many tasks have completed?', { about: 'tasks', count: true, state: 'completed' }],
    ['List all tasks', { about: 'tasks', count: false }],
    // A second round of asking three tabs: these had no bid.
    ["what's running right now?", { about: 'tasks', state: 'running' }],
    ['Are there any other peers?', { about: 'tabs', count: false }],
    ['Tell me about the peers', { about: 'tabs', count: false }],
    ['Mesh status', { about: 'tabs', count: false }],
    ['Which agents are working?', { about: 'agents', busy: true }],
    ['Is anyone working right now?', { about: 'agents', busy: true }],
    ['Is the calculator online?', { about: 'agents', kind: 'calculator' }],
    ['Is a JavaScript runner available?', { about: 'agents', kind: 'js-runner' }],
    ['How many agents does each tab run?', { about: 'agents', count: false }],
    ['What is my peer id?', { about: 'tabs' }],
    ['Which agent answered the last task?', { about: 'tasks', last: 1 }]
  ])('%s', (text, expected) => {
    expect(meshAsked(text)).toMatchObject(expected)
  })

  it.each([
    'How many nodes does a binary tree of depth 3 have?',
    'How many people live in Paris?',
    'How many peers does the relay allow?',
    'Who maintains the libp2p transport?',
    'What can you do with a CRDT?',
    'List the tasks for the sprint',
    'What is 17 * 23?',
    'Summarise: the relay restarted twice and the tabs reconnected.',
    'Is the staging server online?'
  ])('not about the mesh: %s', (text) => {
    expect(meshAsked(text)).toBeUndefined()
  })

  it('"List all tasks" lists every one, "Show the recent tasks" the last ten', () => {
    expect(meshAsked('List all tasks')).not.toHaveProperty('last')
    expect(meshAsked('Show the recent tasks')).toMatchObject({ last: 10 })
  })
})

describe('answering from a view of the mesh', () => {
  it('counts the tabs, this one first, with how each peer is reached and its agents', () => {
    const a = meshAnswer(meshAsked('How many peers are in this room?')!, view(), [])
    expect(a.text.split('\n')).toEqual([
      '3 tabs are in this room: this one and 2 peers it hears from.',
      '- this tab (…aaaaaa): 2 agents, Calculator and Researcher',
      '- …bbbbbb (WebRTC, 12 ms): 2 agents, Calculator (working on 1 task) and JavaScript runner',
      '- …cccccc (websocket): 1 agent, Verifier',
      `This tab's peer id: ${A}`
    ])
    expect(a.output).toEqual({ mesh: { about: 'tabs', ids: [A, B, C].sort() }, count: 3 })
    expect(a.working[0]).toMatch(/^read the mesh as this tab \(…aaaaaa\) sees it at 2026-11-25T12:00:00.000Z: 3 tabs, 5 agents online of 6 registered, 6 tasks known$/)
  })

  it('names the tab the question was asked on "your tab", first, and the answering tab as such', () => {
    // Asked on C, answered on A: "this tab" would be read on C as C.
    const asked = { askedOn: C }
    const tabs = meshAnswer(meshAsked('How many peers are in this room?')!, view(), [], asked)
    expect(tabs.text.split('\n')).toEqual([
      '3 tabs are in this room: the answering tab and 2 peers it hears from.',
      '- your tab (…cccccc) (websocket): 1 agent, Verifier',
      '- the answering tab (…aaaaaa): 2 agents, Calculator and Researcher',
      '- …bbbbbb (WebRTC, 12 ms): 2 agents, Calculator (working on 1 task) and JavaScript runner',
      `Your tab's peer id: ${C}`
    ])
    expect(tabs.output).toEqual(meshAnswer(meshAsked('How many peers are in this room?')!, view(), []).output)
    expect(tabs.working[0]).toMatch(/^read the mesh as the answering tab \(…aaaaaa\) sees it/)
    expect(meshAnswer(meshAsked('What is my peer id?')!, view(), [], asked).text).toContain(`Your tab's peer id: ${C}`)
    expect(meshAnswer(meshAsked('Which agents are online?')!, view(), [], asked).text.split('\n').slice(1)).toEqual([
      '- your tab (…cccccc): Verifier',
      '- the answering tab (…aaaaaa): Calculator and Researcher',
      '- …bbbbbb: Calculator (working on 1 task) and JavaScript runner'
    ])
    expect(meshAnswer(meshAsked('How many tasks are there?')!, view(), [], asked).text).toMatch(/^The answering tab \(…aaaaaa\) knows \d+ tasks? of the room/)
    // Asked and answered on one tab: "yours".
    const here = meshAnswer(meshAsked('How many peers are in this room?')!, view(), [], { askedOn: A }).text.split('\n')
    expect(here[0]).toBe('3 tabs are in this room: yours and 2 peers it hears from.')
    expect(here[1]).toBe('- your tab (…aaaaaa): 2 agents, Calculator and Researcher')
    expect(meshAnswer(meshAsked('Is anyone else here?')!, view({ peers: [{ peerId: A, self: true }] }), [], { askedOn: A }).text).toMatch(/^Your tab \(…aaaaaa\) is alone in the room/)
  })

  it('says when the tab is alone', () => {
    const alone = view({ peers: [{ peerId: A, self: true }] })
    expect(meshAnswer(meshAsked('Is anyone else here?')!, alone, []).text).toMatch(/^This tab \(…aaaaaa\) is alone in the room: it hears from no other peer\./)
  })

  it('lists the online agents by tab; "all" adds the offline ones, marked', () => {
    const online = meshAnswer(meshAsked('Which agents are online?')!, view(), [])
    expect(online.text.split('\n')[0]).toBe('5 agents are online on 3 tabs:')
    expect(online.text).not.toContain('Summariser')
    expect(online.output.mesh.ids).toHaveLength(5)
    const all = meshAnswer(meshAsked('List all agents')!, view(), [])
    expect(all.text).toContain('lists 6 agents on 4 tabs; 1 of them is offline')
    expect(all.text).toContain('- …234567 (offline): Summariser')
  })

  it('leaves the answering agent\'s work on this question out: of what it is doing, and of who is working', () => {
    const busy = view({ agents: [agent('researcher', A, { state: 'working', running: 1 }), agent('calculator', B, { state: 'working', running: 2 }), agent('verifier', C)] })
    const by = { taskId: 't5', agentId: `researcher@${A}` }
    const working = meshAnswer(meshAsked('Which agents are working?')!, busy, [], by)
    expect(working.text).toBe('1 agent is working on 1 tab:\n- …bbbbbb: Calculator (working on 2 tasks)')
    expect(working.output.mesh).toEqual({ about: 'agents', ids: [`calculator@${B}`], by: `researcher@${A}` })
    expect(meshAnswer(meshAsked('Which agents are online?')!, busy, [], by).text).toContain('- this tab (…aaaaaa): Researcher\n')
    const idle = view({ agents: [agent('researcher', A, { state: 'working', running: 1 }), agent('verifier', C)] })
    expect(meshAnswer(meshAsked('Is anyone working right now?')!, idle, [], by).text).toBe('No agent is working now but the one answering this: the 2 agents online wait for work.')
  })

  it('says whether a built-in of a kind is online, and where', () => {
    expect(meshAnswer(meshAsked('Is the calculator online?')!, view(), []).text).toBe('Yes: 2 calculator agents are online on 2 tabs:\n- this tab (…aaaaaa): Calculator\n- …bbbbbb: Calculator (working on 1 task)')
    expect(meshAnswer(meshAsked('Is the summarizer online?')!, view(), []).text).toBe('No summariser agent is online: no tab here runs one now.')
  })

  it('lists the skills once per kind of agent', () => {
    const a = meshAnswer(meshAsked('What can the agents do?')!, view(), [])
    const calc = builtinManifest('calculator').skills.map(s => s.name).join('; ')
    expect(a.text).toContain(`- Calculator (on 2 tabs): ${calc}`)
    expect(a.text).toContain('- Verifier (on 1 tab): ')
    expect(a.output.count).toBe(a.output.mesh.ids.length)
    expect(a.output.mesh.ids).toContain('calculator:math.evaluate')
  })

  it('names the agents that would bid highest on a capability, or the nearest skill when none would', () => {
    // The report on the mesh itself fits "Which agent can ...?" in words (a tab's run showed it at 0.67): it does none of it.
    const matches: MeshMatch[] = [
      { agentId: `js-runner@${B}`, peerId: B, skillId: 'code.run-javascript', confidence: 0.81, bids: true },
      { agentId: `researcher@${A}`, peerId: A, skillId: MESH_SKILL, confidence: 0.67, bids: false },
      { agentId: `calculator@${A}`, peerId: A, skillId: 'math.evaluate', confidence: 0.3, bids: false }
    ]
    const a = meshAnswer(meshAsked('Which agent can run JavaScript?')!, view(), matches)
    expect(a.text).toBe('1 agent online would bid highest on "run JavaScript":\n- JavaScript runner, "Run JavaScript" (bid 0.81), on …bbbbbb')
    expect(a.output.mesh.ids).toEqual([`js-runner@${B}`])
    expect(a.working[1]).toBe(`asked who would bid on "run JavaScript" as a request, by each tab's bid rules: js-runner@${B} code.run-javascript 0.81; nearest by skill words, not bidding: calculator@${A} math.evaluate 0.30`)
    // Only the best bids count: "Who can summarise a text?" had named planners (0.85) beside the summarisers (0.97).
    const summarise: MeshMatch[] = [
      { agentId: `summariser@${A}`, peerId: A, skillId: 'text.summarise', confidence: 0.97, bids: true },
      { agentId: `summariser@${B}`, peerId: B, skillId: 'text.summarise', confidence: 0.9, bids: true },
      { agentId: `calculator@${B}`, peerId: B, skillId: 'math.evaluate', confidence: 0.85, bids: true },
      { agentId: `calculator@${A}`, peerId: A, skillId: 'math.evaluate', confidence: 0.5, bids: true },
      { agentId: `verifier@${C}`, peerId: C, skillId: 'claim.verify', confidence: 0.44, bids: false }
    ]
    const best = meshAnswer(meshAsked('Who can summarise a text?')!, view(), summarise, { askedOn: B })
    expect(best.text.split('\n')).toEqual([
      '2 agents online would bid highest on "summarise a text":',
      '- summariser, "text.summarise" (bid 0.97), on your tab (…bbbbbb) and the answering tab (…aaaaaa)',
      'Lower bids: Calculator, "Arithmetic and expression evaluation" (0.85).'
    ])
    expect(best.output).toEqual({ mesh: { about: 'who-can', ids: [`summariser@${A}`, `summariser@${B}`] }, count: 2 })
    // A skill whose words are near but whose agent's rules leave the request out does not count, however near.
    const clock: MeshMatch[] = [
      { agentId: `calculator@${A}`, peerId: A, skillId: 'math.dates-interest', confidence: 0.9, bids: true },
      { agentId: `researcher@${A}`, peerId: A, skillId: 'graph.answer', confidence: 0.95, bids: false }
    ]
    expect(meshAnswer(meshAsked('Who can tell me the time?')!, view(), clock).output.mesh.ids).toEqual([`calculator@${A}`])
    const declined = meshAnswer(meshAsked('Which agent can tell a joke?')!, view(), [clock[1]!])
    expect(declined.text).toBe(`No agent online would bid on "tell a joke": the nearest skill is Researcher's "${builtinManifest('researcher').skills.find(x => x.id === 'graph.answer')!.name}" (fit 0.95), but its agent would not take it as asked.`)
    expect(declined.output.mesh.ids).toEqual([])
    // When the report on the mesh bids by its rule ("list the agents" is a question about the mesh), it counts.
    expect(meshAnswer(meshAsked('Who can list the agents?')!, view(), [{ agentId: `researcher@${A}`, peerId: A, skillId: MESH_SKILL, confidence: 0.9, bids: true }]).output.mesh.ids).toEqual([`researcher@${A}`])
    const none = meshAnswer(meshAsked('Is there an agent that can translate text?')!, view(), [matches[2]!])
    expect(none.text).toBe('No agent online offers "translate text": the nearest skill is Calculator\'s "Arithmetic and expression evaluation", at a fit of 0.30, below the 0.45 an agent needs to bid.')
    expect(none.output).toEqual({ mesh: { about: 'who-can', ids: [] }, count: 0 })
  })

  it('lists tasks by state, newest first, leaving out the question itself and mission parts', () => {
    const running = meshAnswer(meshAsked('What tasks are running?')!, view(), [], { taskId: 't5' })
    expect(running.text).toBe('1 task is running, newest first:\n- "Run: while(true){}" (working by JavaScript runner on …bbbbbb)')
    const last = meshAnswer(meshAsked('Summarise the last three tasks')!, view(), [], { taskId: 't5' })
    expect(last.text.split('\n')).toEqual([
      'The last 3 tasks of the room, newest first:',
      '- "Find the primes below 50, then count them" (completed, verified by planner on …bbbbbb): 15',
      '- "What is 17 * 23?" (completed, verified by Calculator on …aaaaaa): 17 * 23 = 391',
      '- "Translate this into French" (unassigned): nobody bid'
    ])
    expect(last.output.mesh.ids).toEqual(['t2', 't3', 't4'])
    expect(meshAnswer(meshAsked('How many tasks have completed?')!, view(), [], { taskId: 't5' }).text).toBe('2 tasks of the 4 this tab knows have completed.')
    expect(meshAnswer(meshAsked('Which tasks were disputed?')!, view(), [], { taskId: 't5' }).text).toBe('No task was disputed, of the 4 tasks this tab knows (this question aside).')
  })

  it('ranks agents by reputation, or says nobody has a record yet', () => {
    const a = meshAnswer(meshAsked('Which agent has the best reputation?')!, view(), [])
    expect(a.text.split('\n').slice(1)).toEqual([
      '1. Calculator on …aaaaaa, Arithmetic and expression evaluation: factor 1.30 (6 verified, 0 disputed)',
      '2. Calculator on …bbbbbb, Arithmetic and expression evaluation: factor 0.80 (1 verified, 2 disputed)'
    ])
    const fresh = view({ agents: view().agents.map(x => ({ ...x, reputation: {} })) })
    expect(meshAnswer(meshAsked('Which agent has the best reputation?')!, fresh, []).text).toMatch(/^None of the 5 agents online has a record yet/)
  })
})

describe('checking an answer about the mesh from another tab', () => {
  const handed = (text: string, output: unknown, id = 't9') => ({ task: { id, text }, result: { text: 'an answer', output } })
  const ctxOf = (v: MeshView, matches: MeshMatch[] = []) => testContext({ meshStatus: async () => v, meshMatch: async () => matches })

  it('supports the same ids, and leaves a different view unjudged, naming the difference', async () => {
    // Tab B sees the same three tabs.
    const fromB = view({ peerId: B })
    const answer = meshAnswer(meshAsked('How many peers are in this room?')!, view(), [])
    const same = await checkMeshAnswer(handed('How many peers are in this room?', answer.output), ctxOf(fromB))
    expect(same?.verdict).toMatchObject({ vote: 'support', confidence: 0.9 })
    expect(same?.verdict.reason).toMatch(/^tab …bbbbbb sees the same 3 tabs: /)
    // Tab C lost B meanwhile.
    const fromC = view({ peerId: C, peers: [{ peerId: C, self: true }, { peerId: A, self: false }] })
    const other = await checkMeshAnswer(handed('How many peers are in this room?', answer.output), ctxOf(fromC))
    expect(other?.verdict.vote).toBe('abstain')
    expect(other?.verdict.reason).toBe(`the answer names ${B}, which tab …cccccc does not see: tabs may see the mesh differently for a moment (a peer joining or leaving, a task ending), so neither is wrong for sure`)
  })

  it('asks a who-can question of its own matches, and leaves out the asking task', async () => {
    const matches: MeshMatch[] = [{ agentId: `js-runner@${B}`, peerId: B, skillId: 'code.run-javascript', confidence: 0.8, bids: true }]
    const answer = meshAnswer(meshAsked('Which agent can run JavaScript?')!, view(), matches)
    expect((await checkMeshAnswer(handed('Which agent can run JavaScript?', answer.output), ctxOf(view({ peerId: C }), matches)))?.verdict.vote).toBe('support')
    const tasks = meshAnswer(meshAsked('Which tasks are running?')!, view(), [], { taskId: 't5' })
    expect((await checkMeshAnswer(handed('Which tasks are running?', tasks.output, 't5'), ctxOf(view({ peerId: B }))))?.verdict.vote).toBe('support')
  })

  it('does not judge who is working: checking is work too', async () => {
    const answer = meshAnswer(meshAsked('Which agents are working?')!, view(), [], { agentId: `researcher@${A}` })
    const v = await checkMeshAnswer(handed('Which agents are working?', answer.output), testContext({ meshStatus: async () => { throw new Error('no need to look') } }))
    expect(v?.verdict).toMatchObject({ vote: 'abstain', reason: 'which agents are working changes with every task, this check included: no other tab\'s view can confirm it' })
  })

  it('is no check of other results', async () => {
    expect(await checkMeshAnswer(handed('What is 17 * 23?', 391), ctxOf(view()))).toBeUndefined()
    // An answer naming the mesh's facts, for a question that is not about the mesh (or about another part of it).
    expect(await checkMeshAnswer(handed('What is 17 * 23?', { mesh: { about: 'tabs', ids: [] } }), ctxOf(view()))).toBeUndefined()
    expect(await checkMeshAnswer(handed('Which agents are online?', { mesh: { about: 'tabs', ids: [A] } }), ctxOf(view()))).toBeUndefined()
    expect(await checkMeshAnswer(handed('Which agents are online?', { mesh: { about: 'agents', ids: [1] } }), ctxOf(view()))).toBeUndefined()
  })
})

describe('the researcher and the verifier', () => {
  it('the researcher answers a question about the mesh from ctx.mesh, not the graph', async () => {
    const ctx = testContext({ meshStatus: async () => view(), search: async () => { throw new Error('the graph was searched') } })
    const r = await research({ id: 't5', text: 'Which agents are online?', skillId: MESH_SKILL }, ctx)
    expect(r.text.split('\n')[0]).toBe('5 agents are online on 3 tabs:')
    expect(r.output).toMatchObject({ mesh: { about: 'agents' }, count: 5 })
    expect(ctx.searches).toEqual([])
  })

  it('"Who can ...?" is the mesh\'s only when the bid said so; else the graph answers it', async () => {
    const asked: string[] = []
    const ctx = testContext({ meshStatus: async () => view(), meshMatch: async (c) => { asked.push(c); return [] }, search: async () => [] })
    const viaGraph = await research({ id: 't6', text: 'Who can approve the budget?' }, ctx)
    expect(viaGraph.text).toMatch(/knowledge graph has nothing relevant/)
    expect(asked).toEqual([])
    const viaMesh = await research({ id: 't7', text: 'Who can run JavaScript?', skillId: MESH_SKILL }, ctx)
    expect(viaMesh.text).toBe('No agent online offers anything like "run JavaScript".')
    expect(asked).toEqual(['run JavaScript'])
    // The tab it was asked on is the person's.
    expect((await research({ id: 't8', text: 'What is my peer id?', skillId: MESH_SKILL, askedOn: C }, ctx)).text).toContain(`Your tab's peer id: ${C}`)
  })

  it('the verifier votes on a handed answer about the mesh by its own view', async () => {
    const answer = meshAnswer(meshAsked('Which agents are online?')!, view(), [])
    const ctx = testContext({ meshStatus: async () => view({ peerId: C }), search: async () => { throw new Error('the graph was searched') } })
    const v = await verify({ id: 'v1', text: 'Verify the result', input: { task: { id: 't5', text: 'Which agents are online?' }, result: { text: answer.text, output: answer.output } } }, ctx)
    expect(v.verdict).toMatchObject({ vote: 'support' })
    expect(v.output).toMatchObject({ method: 'mesh' })
    expect(v.text).toMatch(/^Supported \(confidence 0\.90\): tab …cccccc sees the same 5 agents: /)
  })

  it('both built-ins may read the mesh; only the researcher offers the skill', () => {
    expect(builtinManifest('researcher').tools).toContain('mesh.read')
    expect(builtinManifest('verifier').tools).toContain('mesh.read')
    expect(builtinManifest('researcher').skills.map(s => s.id)).toContain(MESH_SKILL)
  })

  it('facts are the same whoever computes them from the same view', () => {
    const ask = meshAsked('What can the agents do?')!
    expect(meshFacts(ask, view(), [])).toEqual(meshFacts(ask, view({ peerId: B }), []))
  })
})
