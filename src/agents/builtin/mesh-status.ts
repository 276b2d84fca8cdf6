/**
 * Questions about the mesh itself, answered from what the host tab sees of it (tool `mesh.read`):
 * "How many peers are in this room?", "Which agents are online?", "What can the agents do?", "Which
 * agent can run JavaScript?", "What tasks are running?", "Summarise the last three tasks", "Which
 * agent has the best reputation?". Before, nobody bid on them: no skill's words fit, and the
 * researcher only answered from the knowledge graph, which holds no presence.
 *
 * {@link meshAsked} reads the request (the bid rule in app/coord-boot.ts and the researcher use the
 * same reading), {@link meshAnswer} answers it from a {@link MeshView}, and {@link meshFacts} is the
 * checkable part of the answer: the ids it names. A verifier on another tab computes the facts again
 * from its own view (verifier.ts): the same ids support the answer; others leave it unjudged, since
 * presence and task states may differ between tabs for a moment without either being wrong.
 */
import type { AgentContext, MeshAgent, MeshMatch, MeshTask, MeshView, Verdict } from '../types.ts'
import { readHanded } from './rederive.ts'
import { capitalised, listed, plural } from './wording.ts'
import { shortPeer } from '../../net/peer-names.ts'

/** The researcher's skill that answers these (manifests.ts). */
export const MESH_SKILL = 'mesh.status'
/** The least fit (calibrated, as bids) for an agent to count as able to do something: the bid floor. */
export const MIN_FIT = 0.45

/** How far below the best fit an agent still counts among the best for a capability. */
export const FIT_MARGIN = 0.1

/** How many agents a who-can question matches: every one of a room of a few tabs (the best per agent). */
const MATCHED = 50

/** Which tasks a question about tasks asks for. */
export type TaskFilter = 'running' | 'waiting' | 'completed' | 'failed' | 'canceled' | 'verified' | 'disputed' | 'unassigned'

export type MeshAsk =
  | { about: 'tabs', count: boolean }
  /** `busy`: only the agents at work ("Which agents are working?"); `kind`: only the built-ins of this kind ("Is the calculator online?"). */
  | { about: 'agents', count: boolean, all: boolean, byReputation: boolean, busy?: true, kind?: string }
  | { about: 'skills' }
  /** `loose`: read from "Who can ...?", which may be about people the graph names: the mesh's only if a skill fits. */
  | { about: 'who-can', capability: string, loose: boolean }
  | { about: 'tasks', count: boolean, state?: TaskFilter, last?: number }

/** What an answer claims, for a verifier to compute again: the ids it names, sorted, and the agent that answered. */
export interface MeshFacts {
  about: MeshAsk['about']
  ids: string[]
  /** The answering agent: its own work on the question is no work to report. */
  by?: string
}

/** Who asks: the task (left out of task lists) and the agent answering it (its work on it is not counted). */
export interface Asking {
  taskId?: string
  agentId?: string
  /** The peer id of the tab the question was asked on (`AgentTask.askedOn`): "your tab" in the answer. */
  askedOn?: string
}

const PLACE = String.raw`(?:in|on|of)\s+(?:the|this|our|my)\s+(?:room|mesh|network|swarm)|in\s+the\s+mesh`
const HERE = String.raw`(?:connected|online|here|open|present|linked|available|around|${PLACE})`
const TAB_NOUN = String.raw`(?:peers?|tabs?|browsers?|nodes?|members?|participants?|people|devices?)`
const STATES: ReadonlyArray<[RegExp, TaskFilter]> = [
  [/^(?:running|in\s+progress|open|pending|active|ongoing|underway|unfinished|in\s+flight)$/, 'running'],
  [/^(?:waiting(?:\s+for\s+(?:an?\s+)?(?:answers?|input|me|someone|a\s+person))?|blocked|needing\s+input)$/, 'waiting'],
  [/^(?:done|finished|completed?|complete)$/, 'completed'],
  [/^failed$/, 'failed'],
  [/^cancell?ed$/, 'canceled'],
  [/^verified$/, 'verified'],
  [/^disputed$/, 'disputed'],
  [/^(?:unassigned|unclaimed|ignored|without\s+(?:an\s+)?(?:agent|bids?))$/, 'unassigned']
]
const STATE_WORDS = String.raw`running|in\s+progress|open|pending|active|ongoing|underway|unfinished|in\s+flight|waiting(?:\s+for\s+(?:an?\s+)?(?:answers?|input|me|someone|a\s+person))?|blocked|needing\s+input|done|finished|completed?|failed|cancell?ed|verified|disputed|unassigned|unclaimed|ignored|without\s+(?:an\s+)?(?:agent|bids?)`
/** The built-ins as a person names them ("the calculator", "a JavaScript runner"), and their kinds. */
const BUILTIN_NAMED: ReadonlyArray<[RegExp, string]> = [
  [/^calculator$/i, 'calculator'], [/^summari[sz]er$/i, 'summariser'], [/^researcher$/i, 'researcher'], [/^verifier$/i, 'verifier'],
  [/^planner$/i, 'planner'], [/^(?:js[- ]runner|javascript\s+runner|code\s+runner)$/i, 'js-runner'], [/^(?:llm|language\s+model)$/i, 'llm']
]
const BUILTIN_NAMES = String.raw`calculator|summari[sz]er|researcher|verifier|planner|js[- ]runner|javascript\s+runner|code\s+runner|llm|language\s+model`

function kindNamed (name: string): string {
  return BUILTIN_NAMED.find(([re]) => re.test(name.replace(/\s+/g, ' ')))?.[1] ?? name.toLowerCase()
}

const SMALL_NUMBERS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, twenty: 20 }

/** The request without its courtesy and end mark, in single spaces ("Can you tell me which agents are online?" → "which agents are online"). */
function plain (text: string): string {
  return text.trim().replace(/\s+/g, ' ').replace(/[\s?.!]+$/, '')
    .replace(/^(?:(?:hey|hi|so|ok(?:ay)?|please)[,!]?\s+)+/i, '')
    .replace(/^(?:(?:can|could|would)\s+(?:you|someone|anyone)\s+(?:please\s+)?(?:tell|show|give)\s+me\s+|(?:please\s+)?tell\s+me\s+|i\s+(?:want|would\s+like|'d\s+like)\s+to\s+know\s+|do\s+you\s+know\s+)/i, '')
    .replace(/,?\s+please$/i, '')
}

function stateOf (words: string | undefined): TaskFilter | undefined {
  if (words === undefined) return undefined
  const w = words.toLowerCase().replace(/\s+/g, ' ')
  return STATES.find(([re]) => re.test(w))?.[1]
}

function countOf (word: string | undefined): number | undefined {
  if (word === undefined) return undefined
  const n = /^\d+$/.test(word) ? Number(word) : SMALL_NUMBERS[word.toLowerCase()]
  return n !== undefined && n >= 1 && n <= 50 ? n : undefined
}

/** What `text` asks about the mesh, or undefined when it is not a question about the mesh itself. */
export function meshAsked (text: string): MeshAsk | undefined {
  const t = plain(text)
  if (t.length > 200) return undefined
  let m: RegExpExecArray | null
  // Tabs and peers.
  if ((m = new RegExp(String.raw`^how\s+many\s+(?:other\s+)?(${TAB_NOUN})(?:\s+(?:are|is))?(?:\s+there)?(?:\s+(?:currently|now|right\s+now))?((?:\s+${HERE})*)(?:\s+(?:right\s+)?now)?$`, 'i').exec(t)) !== null) {
    // "How many nodes does a binary tree of depth 3 have?" is no question about the room: a noun that is
    // not the mesh's own ("peers", "tabs") needs a place ("in the room", "connected").
    if (/^(?:peers?|tabs?)$/i.test(m[1]!) || m[2]!.trim() !== '') return { about: 'tabs', count: true }
  }
  if (new RegExp(String.raw`^(?:(?:which|what)\s+(?:peers|tabs|browsers|nodes|devices)(?:\s+(?:are|is))?(?:\s+there)?(?:\s+${HERE})*|(?:list|show)(?:\s+me)?(?:\s+all)?(?:\s+the)?(?:\s+(?:connected|online))?\s+(?:peers|tabs|nodes)(?:\s+${PLACE})?|who(?:'s|\s+is|\s+are)(?:\s+else)?\s+${HERE}|is\s+(?:any|some)(?:one|body)(?:\s+else)?\s+${HERE}|am\s+i\s+(?:alone|connected|online)(?:\s+${PLACE})?|are\s+we\s+connected|(?:are|is)\s+there\s+(?:any\s+)?(?:other\s+)?(?:peers|tabs|nodes|browsers|people|members|one\s+else|body\s+else)(?:\s+(?:else|${HERE}))*|about\s+the\s+(?:peers|tabs|mesh|room|network)|describe\s+the\s+(?:mesh|room|network)|(?:(?:the\s+)?(?:mesh|room|network)\s+)?status(?:\s+of\s+the\s+(?:mesh|room|network))?|how\s+is\s+the\s+(?:mesh|room|network)(?:\s+doing)?|what(?:'s|\s+is)\s+(?:my|our|this\s+tab's)\s+(?:peer\s+)?id)$`, 'i').test(t)) {
    return { about: 'tabs', count: false }
  }
  // Agents.
  if (/^(?:(?:which|what)\s+agents?\s+(?:has|have|is|are)(?:\s+the)?\s+(?:best|highest|top|worst|lowest|most\s+(?:reliable|trusted|trustworthy)|least\s+reliable)(?:\s+(?:reputation|track\s+record|record|score))?|(?:show|list|compare)(?:\s+me)?(?:\s+the)?(?:\s+agents'?)?\s+reputations?(?:\s+of\s+the\s+agents)?|what\s+(?:is|are)\s+the\s+agents'?\s+reputations?|how\s+(?:reliable|trustworthy|good)\s+(?:are|is)\s+(?:the|our)\s+agents?|rank\s+the\s+agents(?:\s+by\s+(?:reputation|reliability))?)$/i.test(t)) {
    return { about: 'agents', count: false, all: false, byReputation: true }
  }
  if (/^(?:(?:which|what)\s+agents?\s+(?:are|is)\s+(?:(?:currently|now)\s+)?(?:working|busy)|who(?:'s|\s+is)\s+(?:(?:currently|now)\s+)?(?:working|busy)|is\s+any(?:one|body|\s+agent)\s+(?:working|busy))(?:\s+(?:on\s+something|(?:right\s+)?now))?$/i.test(t)) {
    return { about: 'agents', count: false, all: false, byReputation: false, busy: true }
  }
  if ((m = new RegExp(String.raw`^(?:is|are)\s+(?:the|a|an|any)\s+(${BUILTIN_NAMES})s?(?:\s+agents?)?\s+(?:online|here|running|available|up)(?:\s+(?:right\s+)?now)?$`, 'i').exec(t)) !== null) {
    return { about: 'agents', count: false, all: false, byReputation: false, kind: kindNamed(m[1]!) }
  }
  if (/^how\s+many\s+agents\s+(?:does|do)\s+(?:each|every)\s+(?:tab|peer|node)\s+(?:run|have|host)$/i.test(t)) {
    return { about: 'agents', count: false, all: false, byReputation: false }
  }
  if ((m = new RegExp(String.raw`^how\s+many\s+agents(?:\s+(?:are|is))?(?:\s+there)?((?:\s+(?:${HERE}|running|active|working|busy))*)(?:\s+(?:right\s+)?now)?$`, 'i').exec(t)) !== null) {
    return { about: 'agents', count: true, all: false, byReputation: false }
  }
  if ((m = new RegExp(String.raw`^(?:(?:which|what)\s+agents\s+(?:are|is)(?:\s+there)?(?:\s+(?:${HERE}|running|active))*|(?:which|what)\s+agents\s+do\s+(?:we|you|i)\s+have(?:\s+${HERE})?|(?:list|show|name)(?:\s+me)?(?:\s+(all))?(?:\s+of)?(?:\s+the)?(?:\s+(?:online|available|running|active|connected))?\s+agents(?:\s+${HERE})?(?:\s+and\s+(?:their\s+(?:skills|capabilities)|what\s+they\s+(?:can\s+)?do))?|who\s+are\s+the\s+agents(?:\s+${HERE})?)$`, 'i').exec(t)) !== null) {
    return { about: 'agents', count: false, all: m[1] !== undefined, byReputation: false }
  }
  // Skills.
  if (/^(?:what\s+can\s+(?:you|the\s+agents?|agents|this\s+(?:mesh|room|app)|the\s+(?:mesh|room)|meshwork)(?:\s+all)?\s+do(?:\s+(?:here|for\s+me))?|what\s+(?:skills|capabilities|abilities)(?:\s+(?:are\s+there|are\s+available|are\s+online|are\s+on\s+offer|do\s+(?:you|the\s+agents|we)\s+(?:have|offer)|does\s+(?:the|this)\s+(?:mesh|room)\s+(?:have|offer)))?|what\s+are\s+(?:your|the\s+agents'?|the\s+mesh'?s?|our)\s+(?:skills|capabilities|abilities)|(?:list|show)(?:\s+me)?(?:\s+all)?(?:\s+the)?(?:\s+agents'?)?\s+(?:skills|capabilities)(?:\s+(?:of\s+the\s+agents|available|online|on\s+offer|in\s+(?:the|this)\s+(?:room|mesh)))?|help|what\s+can\s+i\s+(?:ask|do)(?:\s+here)?|what\s+should\s+i\s+ask)$/i.test(t)) {
    return { about: 'skills' }
  }
  // Who can do something.
  if ((m = /^(?:(?:which|what)\s+agents?(?:\s+here)?\s+(?:can|could|is\s+able\s+to|are\s+able\s+to|knows?\s+how\s+to)|(?:is|are)\s+there\s+(?:an?\s+|any\s+)?agents?(?:\s+(?:here|online))?\s+(?:that|who|which)\s+(?:can|could)|(?:can|could)\s+any(?:\s+of\s+the)?\s+agents?(?:\s+here)?|does\s+any(?:\s+of\s+the)?\s+agents?(?:\s+here)?(?:\s+know\s+how\s+to)?)\s+(.{3,})$/i.exec(t)) !== null) {
    return { about: 'who-can', capability: m[1]!, loose: false }
  }
  if ((m = /^who(?:\s+here)?\s+(?:can|could|is\s+able\s+to)\s+(.{3,})$/i.exec(t)) !== null) {
    return { about: 'who-can', capability: m[1]!, loose: true }
  }
  // Tasks.
  if ((m = new RegExp(String.raw`^how\s+many\s+tasks(?:\s+(?:are|is|were|have|has|did))?(?:\s+been)?(?:\s+there)?(?:\s+(?:still|currently|now|already))?(?:\s+(${STATE_WORDS}))?(?:\s+(?:so\s+far|here|in\s+(?:the|this)\s+(?:room|mesh)|(?:right\s+)?now))*$`, 'i').exec(t)) !== null) {
    return { about: 'tasks', count: true, ...optional('state', stateOf(m[1])) }
  }
  if ((m = new RegExp(String.raw`^(?:which|what)\s+tasks(?:\s+(?:are|is|were|have|has)(?:\s+been)?)?(?:\s+(?:still|currently|now|already))?\s+(${STATE_WORDS})(?:\s+(?:right\s+)?now)?$`, 'i').exec(t)) !== null) {
    return { about: 'tasks', count: false, ...optional('state', stateOf(m[1])) }
  }
  if ((m = new RegExp(String.raw`^(?:list|show)(?:\s+me)?(?:\s+(all))?(?:\s+of)?(?:\s+the)?(?:\s+(${STATE_WORDS}|recent|latest))?\s+tasks(?:\s+(?:that|which)\s+(?:are|have)(?:\s+been)?\s+(${STATE_WORDS}))?(?:\s+${PLACE})?$`, 'i').exec(t)) !== null) {
    const state = stateOf(m[3] ?? m[2])
    // "Show the recent tasks": the last ten; "List all tasks": every one this tab knows.
    return { about: 'tasks', count: false, ...optional('state', state), ...(state === undefined && m[1] === undefined ? { last: 10 } : {}) }
  }
  if (/^(?:what\s+(?:is|are)\s+(?:the\s+)?(?:mesh|room|agents|everyone|everybody|you)(?:\s+all)?\s+(?:working\s+on|doing|busy\s+with)|what(?:'s|\s+is)\s+(?:running|going\s+on|happening|in\s+progress)(?:\s+(?:here|in\s+the\s+(?:room|mesh)))?)(?:\s+(?:right\s+)?now)?$/i.test(t)) {
    return { about: 'tasks', count: false, state: 'running' }
  }
  if (/^(?:which|what)\s+agent\s+(?:answered|did|took|handled|ran|won)\s+the\s+(?:last|latest|previous|most\s+recent)\s+(?:task|request|question)$/i.test(t)) {
    return { about: 'tasks', count: false, last: 1 }
  }
  if ((m = /^(?:what\s+(?:were|are|was|is)|(?:show|list|summari[sz]e|recap|repeat)(?:\s+me)?)\s+the\s+(?:last|latest|most\s+recent|previous|recent)\s+(?:(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twenty)\s+)?(tasks?|requests?|questions?)(?:\s+(?:asked\s+)?(?:here|in\s+(?:the|this)\s+(?:room|mesh)))?$/i.exec(t)) !== null) {
    const n = countOf(m[1]) ?? (/s$/i.test(m[2]!) ? 5 : 1)
    return { about: 'tasks', count: false, last: n }
  }
  return undefined
}

function optional<K extends string, V> (key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}


/** An agent's name as the registry gives it, else its id's kind ("planner@12D3…" → "planner": an agent that left). */
function nameOf (view: MeshView, agentId: string): string {
  return view.agents.find(a => a.agentId === agentId)?.name ?? agentId.split('@')[0]!
}

/**
 * A tab as an answer names it: the asker's is "your tab", the answering one "this tab" when the question
 * was asked there or not through the mesh (`on` undefined), else "the answering tab": the answer is read
 * on the asker's tab, where "this tab" would name the wrong one.
 */
function tabName (view: MeshView, peerId: string, on: string | undefined): string {
  if (peerId === on) return `your tab (${shortPeer(peerId)})`
  if (peerId === view.peerId) return `${on === undefined ? 'this tab' : 'the answering tab'} (${shortPeer(peerId)})`
  return shortPeer(peerId)
}

/** The asker's tab first, then the answering one, then the rest by id. */
function tabOrder (view: MeshView, on: string | undefined): (a: string, b: string) => number {
  const rank = (p: string): number => (p === on ? 0 : p === view.peerId ? 1 : 2)
  return (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)
}

/** The agents an answer counts: the online ones, or all the registry lists when asked for all, or those at work (but `by`, answering). */
function agentsAsked (view: MeshView, all: boolean, busy = false, by?: string, kind?: string): MeshAgent[] {
  return view.agents.filter(a => (all || a.online) && (kind === undefined || a.kind === kind) && (!busy || runningBesides(a, by) > 0 || (a.state === 'working' && a.agentId !== by)))
}

/** The tasks `a` runs, but the one it answers this question with when it is `by`. */
function runningBesides (a: MeshAgent, by: string | undefined): number {
  return a.agentId === by ? Math.max(0, a.running - 1) : a.running
}

/** Tasks a question about tasks may list: neither the question itself (and its mission) nor mission parts. */
function tasksAsked (view: MeshView, ask: Extract<MeshAsk, { about: 'tasks' }>, asking: string | undefined): MeshTask[] {
  const root = asking?.split('/')[0]
  const all = view.tasks.filter(t => !t.id.includes('/') && t.id !== root)
  const picked = ask.state === undefined ? all : all.filter(t => inState(t, ask.state!))
  return ask.last !== undefined ? picked.slice(0, ask.last) : picked
}

function inState (t: MeshTask, state: TaskFilter): boolean {
  switch (state) {
    case 'running': return t.state === 'submitted' || t.state === 'working' || t.state === 'input-required'
    case 'waiting': return t.state === 'input-required'
    case 'failed': return t.state === 'failed' || t.state === 'rejected'
    case 'verified': return t.verification === 'verified'
    case 'disputed': return t.verification === 'disputed'
    default: return t.state === state
  }
}

/** What answering `ask` reads of the mesh: this tab's view, and for a who-can question the agents matched to its capability. */
export async function readMesh (ask: MeshAsk, ctx: Pick<AgentContext, 'mesh'>): Promise<{ view: MeshView, matches: MeshMatch[] }> {
  const view = await ctx.mesh.status()
  return { view, matches: ask.about === 'who-can' ? await ctx.mesh.match(ask.capability, MATCHED) : [] }
}

/** The ids an answer to `ask` names, from `view` (and `matches` for who-can). */
export function meshFacts (ask: MeshAsk, view: MeshView, matches: readonly MeshMatch[], asking: Asking = {}): MeshFacts {
  const sorted = (ids: Iterable<string>): string[] => [...new Set(ids)].sort()
  const by = asking.agentId
  const facts = ((): MeshFacts => {
    switch (ask.about) {
      case 'tabs': return { about: 'tabs', ids: sorted(view.peers.map(p => p.peerId)) }
      case 'agents': return { about: 'agents', ids: sorted(agentsAsked(view, ask.all, ask.busy, by, ask.kind).map(a => a.agentId)) }
      case 'skills': return { about: 'skills', ids: sorted(agentsAsked(view, false).flatMap(a => a.skills.map(s => `${a.kind}:${s.id}`))) }
      case 'who-can': return { about: 'who-can', ids: sorted(bestFits(fitting(matches)).map(m => m.agentId)) }
    case 'tasks': return { about: 'tasks', ids: sorted(tasksAsked(view, ask, asking.taskId).map(t => t.id)) }
    }
  })()
  return by === undefined ? facts : { ...facts, by }
}

export interface MeshAnswer {
  text: string
  working: string[]
  output: { mesh: MeshFacts, count: number }
}

/** The answer to `ask` from `view`; `matches` are the mesh's for a who-can question. */
export function meshAnswer (ask: MeshAsk, view: MeshView, matches: readonly MeshMatch[], asking: Asking = {}): MeshAnswer {
  const facts = meshFacts(ask, view, matches, asking)
  const by = asking.agentId
  const online = view.agents.filter(a => a.online)
  const on = asking.askedOn
  const working = [`read the mesh as ${tabName(view, view.peerId, on)} sees it at ${new Date(view.at).toISOString()}: ${plural(view.peers.length, 'tab')}, ${plural(online.length, 'agent')} online of ${view.agents.length} registered, ${plural(view.tasks.length, 'task')} known`]
  const lines = ((): { text: string, count: number } => {
    switch (ask.about) {
      case 'tabs': return tabsText(view, online, by, on)
      case 'agents': return ask.byReputation ? reputationText(online) : agentsText(view, agentsAsked(view, ask.all, ask.busy, by, ask.kind), ask, by, on)
      case 'skills': return skillsText(online)
      case 'who-can': return whoCanText(ask.capability, view, matches, working, on)
      case 'tasks': return tasksText(view, ask, tasksAsked(view, ask, asking.taskId), tasksAsked(view, { about: 'tasks', count: true }, asking.taskId).length, on)
    }
  })()
  return { text: lines.text, working, output: { mesh: facts, count: lines.count } }
}

/** The agents' names, alphabetically, with what they are doing when it is not waiting for work (`by`'s answer to this question aside). */
function agentNames (agents: readonly MeshAgent[], by: string | undefined): string {
  return listed([...agents].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)).map(a => {
    const running = runningBesides(a, by)
    return `${a.name}${a.state !== 'idle' && a.state !== 'working' ? ` (${a.state})` : running > 0 ? ` (working on ${plural(running, 'task')})` : ''}`
  }))
}

function tabsText (view: MeshView, online: readonly MeshAgent[], by: string | undefined, on: string | undefined): { text: string, count: number } {
  const n = view.peers.length
  const others = view.peers.filter(p => !p.self)
  const order = tabOrder(view, on)
  const perTab = [...view.peers].sort((a, b) => order(a.peerId, b.peerId)).map(p => {
    const here = online.filter(a => a.peerId === p.peerId)
    const how = p.self ? '' : ` (${[p.transport === undefined ? undefined : p.transport === 'webrtc' ? 'WebRTC' : p.transport, p.rttMs === undefined ? undefined : `${Math.round(p.rttMs)} ms`].filter(x => x !== undefined).join(', ')})`.replace(' ()', '')
    return `- ${tabName(view, p.peerId, on)}${how}: ${here.length === 0 ? 'no agent online' : `${plural(here.length, 'agent')}, ${agentNames(here, by)}`}`
  })
  const head = others.length === 0
    ? `${capitalised(tabName(view, view.peerId, on))} is alone in the room: it hears from no other peer.`
    : `${plural(n, 'tab')} ${n === 1 ? 'is' : 'are'} in this room: ${on === undefined ? 'this one' : on === view.peerId ? 'yours' : 'the answering tab'} and ${plural(others.length, 'peer')} it hears from.`
  return { text: [head, ...perTab, on === undefined ? `This tab's peer id: ${view.peerId}` : `Your tab's peer id: ${on}`].join('\n'), count: n }
}

function agentsText (view: MeshView, agents: readonly MeshAgent[], ask: Extract<MeshAsk, { about: 'agents' }>, by: string | undefined, on: string | undefined): { text: string, count: number } {
  const all = ask.all
  if (agents.length === 0) {
    const online = view.agents.filter(a => a.online).length
    const text = ask.busy === true
      ? `No agent is working now${by === undefined ? '' : ' but the one answering this'}: the ${plural(online, 'agent')} online wait for work.`
      : ask.kind !== undefined ? `No ${ask.kind} agent is online: no tab here runs one now.`
      : all ? 'The room\'s registry lists no agent.' : 'No agent is online: no tab of this room runs one now.'
    return { text, count: 0 }
  }
  const tabs = [...new Set(agents.map(a => a.peerId))].sort(tabOrder(view, on))
  const offline = agents.filter(a => !a.online).length
  const head = all
    ? `The room's registry lists ${plural(agents.length, 'agent')} on ${plural(tabs.length, 'tab')}${offline > 0 ? `; ${offline} of them ${offline === 1 ? 'is' : 'are'} offline (their tab is not here now)` : ', all online'}:`
    : `${ask.kind !== undefined ? `Yes: ${plural(agents.length, `${ask.kind} agent`)}` : plural(agents.length, 'agent')} ${agents.length === 1 ? 'is' : 'are'} ${ask.busy === true ? 'working' : 'online'} on ${plural(tabs.length, 'tab')}:`
  const lines = tabs.map(p => {
    const here = agents.filter(a => a.peerId === p)
    return `- ${tabName(view, p, on)}${here.some(a => !a.online) ? ' (offline)' : ''}: ${agentNames(here, by)}`
  })
  return { text: [head, ...lines].join('\n'), count: agents.length }
}

function reputationText (agents: readonly MeshAgent[]): { text: string, count: number } {
  const rows = agents.flatMap(a => Object.entries(a.reputation).map(([skill, r]) => ({ a, skill, r })))
    .filter(x => x.r.verified + x.r.disputed > 0 || x.r.factor !== 1)
    .sort((x, y) => y.r.factor - x.r.factor || y.r.verified - x.r.verified || (x.a.agentId < y.a.agentId ? -1 : 1))
  if (rows.length === 0) {
    return { text: `None of the ${plural(agents.length, 'agent')} online has a record yet: reputation comes from results that verifiers on other tabs checked, and every agent starts even (factor 1).`, count: 0 }
  }
  const shown = rows.slice(0, 10)
  const skillName = (a: MeshAgent, id: string): string => a.skills.find(s => s.id === id)?.name ?? id
  const lines = shown.map((x, i) => `${i + 1}. ${x.a.name} on ${shortPeer(x.a.peerId)}, ${skillName(x.a, x.skill)}: factor ${x.r.factor.toFixed(2)} (${x.r.verified} verified, ${x.r.disputed} disputed)`)
  const head = `By reputation (the factor bids are weighed with: 1 is even, up to 1.5 for results verifiers confirmed, down to 0.5 for disputed ones), best first${rows.length > shown.length ? `, the top 10 of ${rows.length}` : ''}:`
  return { text: [head, ...lines].join('\n'), count: rows.length }
}

function skillsText (online: readonly MeshAgent[]): { text: string, count: number } {
  if (online.length === 0) return { text: 'No agent is online, so the room offers no skill now.', count: 0 }
  // One line per kind of agent (three tabs' calculators offer the same skills).
  const byName = new Map<string, { agents: MeshAgent[], skills: Map<string, string> }>()
  for (const a of online) {
    const key = `${a.kind}\u0000${a.name}`
    const entry = byName.get(key) ?? { agents: [] as MeshAgent[], skills: new Map<string, string>() }
    entry.agents.push(a)
    for (const s of a.skills) entry.skills.set(s.id, s.name)
    byName.set(key, entry)
  }
  const entries = [...byName.values()].sort((x, y) => (x.agents[0]!.name < y.agents[0]!.name ? -1 : 1))
  const distinct = new Set(entries.flatMap(e => [...e.skills.keys()].map(id => `${e.agents[0]!.kind}:${id}`))).size
  const lines = entries.map(e => {
    const tabs = new Set(e.agents.map(a => a.peerId)).size
    return `- ${e.agents[0]!.name} (${tabs === 1 ? 'on 1 tab' : `on ${tabs} tabs`}): ${[...e.skills.values()].join('; ')}`
  })
  const head = `The ${plural(online.length, 'agent')} online offer ${plural(distinct, 'skill')}:`
  return { text: [head, ...lines, 'Ask in your own words: the agents judge how well each request fits their skills, and the best fit takes it.'].join('\n'), count: distinct }
}

/**
 * The agents best placed for a capability: of those that would bid on it (`bids`: by the bid rules,
 * each tab's), the ones within {@link FIT_MARGIN} of the highest bid. "Who can summarise a text?": the
 * summarisers (0.97), not the planner whose examples mention summarising (0.85, and it takes only
 * requests of several parts); "Who can tell me the time?": the calculator, whose rule reads the clock,
 * not the researcher and the JavaScript runner whose skill words are nearer.
 */
function bestFits (matches: readonly MeshMatch[]): MeshMatch[] {
  const bidding = matches.filter(m => m.bids && m.confidence >= MIN_FIT)
  const top = Math.max(0, ...bidding.map(m => m.confidence))
  return bidding.filter(m => m.confidence >= top - FIT_MARGIN)
}

/**
 * Matches of a capability but this skill's when it would not bid: the report on the mesh fits "Which
 * agent can ...?" in words, and does none of it. When its rule bids ("Who can list the agents?"), it is
 * the researcher's.
 */
function fitting (matches: readonly MeshMatch[]): MeshMatch[] {
  return matches.filter(m => m.bids || m.skillId !== MESH_SKILL)
}

function whoCanText (capability: string, view: MeshView, all: readonly MeshMatch[], working: string[], on: string | undefined): { text: string, count: number } {
  const matches = fitting(all)
  const agent = (id: string): MeshAgent | undefined => view.agents.find(a => a.agentId === id)
  const skillName = (m: MeshMatch): string => agent(m.agentId)?.skills.find(s => s.id === m.skillId)?.name ?? m.skillId
  const said = (ms: readonly MeshMatch[]): string => ms.length === 0 ? 'none' : ms.slice(0, 5).map(m => `${m.agentId} ${m.skillId} ${m.confidence.toFixed(2)}`).join('; ')
  working.push(`asked who would bid on "${capability}" as a request, by each tab's bid rules: ${said(matches.filter(m => m.bids))}; nearest by skill words, not bidding: ${said(matches.filter(m => !m.bids))}`)
  const best = bestFits(matches)
  if (best.length === 0) {
    const nearest = matches[0]
    const text = nearest === undefined
      ? `No agent online offers anything like "${capability}".`
      : nearest.confidence < MIN_FIT
        ? `No agent online offers "${capability}": the nearest skill is ${nameOf(view, nearest.agentId)}'s "${skillName(nearest)}", at a fit of ${nearest.confidence.toFixed(2)}, below the ${MIN_FIT} an agent needs to bid.`
        : `No agent online would bid on "${capability}": the nearest skill is ${nameOf(view, nearest.agentId)}'s "${skillName(nearest)}" (fit ${nearest.confidence.toFixed(2)}), but its agent would not take it as asked.`
    return { text, count: 0 }
  }
  // Grouped by agent kind and skill: the same built-in runs on several tabs.
  const groups = (ms: readonly MeshMatch[]): Array<{ name: string, skill: string, bid: number, ms: MeshMatch[] }> => {
    const by = new Map<string, { name: string, skill: string, bid: number, ms: MeshMatch[] }>()
    for (const m of ms) {
      const name = nameOf(view, m.agentId)
      const skill = skillName(m)
      const g = by.get(`${name}\u0000${skill}`) ?? { name, skill, bid: 0, ms: [] }
      g.ms.push(m)
      g.bid = Math.max(g.bid, m.confidence)
      by.set(`${name}\u0000${skill}`, g)
    }
    return [...by.values()].sort((x, y) => y.bid - x.bid)
  }
  const order = tabOrder(view, on)
  const lines = groups(best).map(g => `- ${g.name}, "${g.skill}" (bid ${g.bid.toFixed(2)}), on ${listed([...g.ms].sort((a, b) => order(a.peerId, b.peerId)).map(m => tabName(view, m.peerId, on)))}`)
  const further = groups(matches.filter(m => m.bids && m.confidence >= MIN_FIT && !best.includes(m)))
  const head = `${plural(best.length, 'agent')} online would bid highest on "${capability}":`
  const tail = further.length === 0 ? [] : [`Lower bids: ${further.map(g => `${g.name}, "${g.skill}" (${g.bid.toFixed(2)})`).join('; ')}.`]
  return { text: [head, ...lines, ...tail].join('\n'), count: best.length }
}

/** How a task stands, for a listing. */
function taskLine (view: MeshView, t: MeshTask): string {
  const by = t.agentId === undefined ? '' : ` by ${nameOf(view, t.agentId)} on ${shortPeer(t.agentId.split('@')[1] ?? '')}`
  const request = t.text.length <= 120 ? t.text : `${t.text.slice(0, 119)}…`
  const state = t.state === 'completed' ? `completed${t.verification !== undefined && t.verification !== 'pending' ? `, ${t.verification}` : ''}` : t.state === 'input-required' ? 'waiting for an answer' : t.state
  const outcome = t.state === 'completed' && t.answer !== undefined ? `: ${oneLine(t.answer)}` : t.reason !== undefined ? `: ${oneLine(t.reason)}` : ''
  return `- "${request}" (${state}${by})${outcome}`
}

/** `text` on one line, cut to 160 characters. */
function oneLine (text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length <= 160 ? line : `${line.slice(0, 159)}…`
}

/** What tasks in each state do, said of one task and of several. */
const IN_STATE: Record<TaskFilter, [string, string]> = {
  running: ['is running', 'are running'],
  waiting: ['is waiting for a person\'s answer', 'are waiting for a person\'s answer'],
  completed: ['has completed', 'have completed'],
  failed: ['has failed', 'have failed'],
  canceled: ['was canceled', 'were canceled'],
  verified: ['was verified', 'were verified'],
  disputed: ['was disputed', 'were disputed'],
  unassigned: ['went unassigned (nobody bid)', 'went unassigned (nobody bid)']
}

/** `known`: the tasks this tab knows, but mission parts and the question. */
function tasksText (view: MeshView, ask: Extract<MeshAsk, { about: 'tasks' }>, tasks: readonly MeshTask[], known: number, on: string | undefined): { text: string, count: number } {
  // The tasks its engine knows: the answering tab's (a tab that joined late knows fewer).
  const knower = on === undefined || on === view.peerId ? 'this tab' : `the answering tab (${shortPeer(view.peerId)})`
  const n = tasks.length
  const does = ask.state === undefined ? undefined : IN_STATE[ask.state][n === 1 ? 0 : 1]
  if (ask.count) {
    const text = does === undefined
      ? `${capitalised(knower)} knows ${plural(n, 'task')} of the room (mission parts not counted, nor this question).`
      : `${plural(n, 'task')} of the ${known} ${knower} knows ${does}.`
    return { text, count: n }
  }
  if (n === 0) {
    const text = ask.state !== undefined
      ? `No task ${IN_STATE[ask.state][0]}, of the ${plural(known, 'task')} ${knower} knows (this question aside).`
      : `${capitalised(knower)} knows no task of the room yet but this question.`
    return { text, count: 0 }
  }
  const head = ask.last !== undefined
    ? `The last ${n === 1 ? 'task' : plural(n, 'task')} of the room, newest first:`
    : `${plural(n, 'task')} ${does ?? (n === 1 ? 'is known' : 'are known')}, newest first:`
  return { text: [head, ...tasks.slice(0, 20).map(t => taskLine(view, t)), ...(n > 20 ? [`(and ${n - 20} more)`] : [])].join('\n'), count: n }
}

/**
 * A verifier's check of an answer about the mesh handed to it: the same question answered again from
 * this tab's view. The same ids support it; different ones leave it unjudged, naming the difference
 * (a tab that joined, an agent that went offline, a task that ended between the two reads: neither
 * tab is wrong for sure). Undefined when the handed result is no answer about the mesh.
 */
export async function checkMeshAnswer (input: unknown, ctx: Pick<AgentContext, 'mesh'>): Promise<{ verdict: Verdict, steps: string[] } | undefined> {
  const handed = readHanded(input)
  const claimed = (handed?.result.output as { mesh?: { about?: unknown, ids?: unknown } } | undefined)?.mesh
  if (handed === undefined || typeof claimed !== 'object' || claimed === null || !Array.isArray(claimed.ids) || !claimed.ids.every(x => typeof x === 'string')) return undefined
  const ask = meshAsked(handed.task.text)
  if (ask === undefined || ask.about !== claimed.about) return undefined
  if (ask.about === 'agents' && ask.busy === true) {
    // Checking it is work too (this verifier's, and the other tabs' verifiers'): no view taken now shows what the answer saw.
    return { verdict: { vote: 'abstain', confidence: 0, reason: 'which agents are working changes with every task, this check included: no other tab\'s view can confirm it' }, steps: [] }
  }
  const { view, matches } = await readMesh(ask, ctx)
  const by = (claimed as { by?: unknown }).by
  const asking: Asking = { ...(typeof handed.task.id === 'string' ? { taskId: handed.task.id } : {}), ...(typeof by === 'string' ? { agentId: by } : {}) }
  const mine = meshFacts(ask, view, matches, asking)
  const theirs = [...new Set(claimed.ids as string[])].sort()
  // Its reason is read on other tabs: the verifier's tab by its id.
  const here = `tab ${shortPeer(view.peerId)}`
  const steps = [`asked again of the mesh as ${here} sees it: ${plural(mine.ids.length, 'id')} (${idsListed(mine.ids)})`]
  const missing = mine.ids.filter(id => !theirs.includes(id))
  const extra = theirs.filter(id => !mine.ids.includes(id))
  if (missing.length === 0 && extra.length === 0) {
    return { verdict: { vote: 'support', confidence: 0.9, reason: `${here} sees the same ${plural(mine.ids.length, NOUNS[ask.about])}: ${idsListed(mine.ids)}` }, steps }
  }
  const diff = [extra.length > 0 ? `the answer names ${idsListed(extra)}, which ${here} does not see` : '', missing.length > 0 ? `${here} also sees ${idsListed(missing)}` : ''].filter(x => x !== '').join('; ')
  return { verdict: { vote: 'abstain', confidence: 0, reason: `${diff}: tabs may see the mesh differently for a moment (a peer joining or leaving, a task ending), so neither is wrong for sure` }, steps: [...steps, diff] }
}

const NOUNS: Record<MeshAsk['about'], string> = { tabs: 'tab', agents: 'agent', skills: 'skill', 'who-can': 'fitting agent', tasks: 'task' }

function idsListed (ids: readonly string[]): string {
  if (ids.length === 0) return 'none'
  const shown = ids.slice(0, 6).map(id => (id.length > 60 ? `${id.slice(0, 59)}…` : id))
  return ids.length > 6 ? `${shown.join(', ')} and ${ids.length - 6} more` : shown.join(', ')
}
