/**
 * How task states look and how times read in the Tasks tab. Pure, shared by the components and
 * the state module, unit-tested.
 */
import type { TaskSnapshot } from '../../coord/engine.ts'
import { shortPeer as shortPeerId } from '../../net/peer-names.ts'
import type { TaskState } from '../../coord/task-state.ts'
import type { PartnerReach } from '../../graph/sync-partners.ts'

/** A subtask of a mission that has not been announced yet is `pending`. */
export type ShownState = TaskState | 'pending'

/** One colour per A2A state, far enough apart to tell at a glance (and on the mission board). */
export const STATE_COLOURS: Record<ShownState, string> = {
  pending: '#334155',
  submitted: '#64748b',
  working: '#2563eb',
  'input-required': '#d97706',
  completed: '#16a34a',
  failed: '#dc2626',
  canceled: '#4b5563',
  rejected: '#be185d',
  unassigned: '#7c3aed'
}

/** What each state means to a person (badge tooltip). */
export const STATE_HINTS: Record<ShownState, string> = {
  pending: 'waiting for the parts it depends on',
  submitted: 'announced; agents are bidding',
  working: 'an agent holds the task and runs it',
  'input-required': 'the agent waits for an answer',
  completed: 'done',
  failed: 'every attempt failed',
  canceled: 'cancelled',
  rejected: 'the agent refused it',
  unassigned: 'no capable agent took it'
}

const TERMINAL = new Set<ShownState>(['completed', 'failed', 'canceled', 'rejected', 'unassigned'])
export const isFinished = (state: ShownState): boolean => TERMINAL.has(state)

/** `850 ms`, `4.2 s`, `3 min 05 s`, `2 h 07 min`; negative or non-finite reads `–`. */
export function formatDuration (ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '–'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`
  const h = Math.floor(m / 60)
  return `${h} h ${String(m % 60).padStart(2, '0')} min`
}

/** Wall-clock time with milliseconds (`14:03:07.215`), for the timeline. */
export function formatClock (ms: number): string {
  const d = new Date(ms)
  const p = (n: number, w = 2): string => String(n).padStart(w, '0')
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`
}

/**
 * How long the task has taken: until now while it runs, until it ended once finished
 * (`endedAt`: when this tab saw it end, for states whose snapshot carries no end time).
 */
export function elapsedOf (task: Pick<TaskSnapshot, 'state' | 'timings'>, now: number, endedAt?: number): number {
  const t = task.timings
  if (!isFinished(task.state)) return Math.max(0, now - t.submittedAt)
  const end = t.completedAt ?? t.endedAt ?? t.finishedAt ?? endedAt
  return end === undefined ? 0 : Math.max(0, end - t.submittedAt)
}

export interface TimingStep { label: string, at: number, sinceStart: number, sincePrevious: number }

/** submitted → awarded → started → finished → completed (or ended: failed, canceled, ...), the steps the task went through. */
export function timingSteps (timings: TaskSnapshot['timings']): TimingStep[] {
  const raw: Array<[string, number | undefined]> = [
    ['submitted', timings.submittedAt], ['awarded', timings.awardedAt], ['started', timings.startedAt],
    ['finished', timings.finishedAt], ['completed', timings.completedAt],
    ['ended', timings.completedAt === undefined ? timings.endedAt : undefined]
  ]
  const steps: TimingStep[] = []
  let previous = timings.submittedAt
  for (const [label, at] of raw) {
    if (at === undefined) continue
    steps.push({ label, at, sinceStart: at - timings.submittedAt, sincePrevious: at - previous })
    previous = at
  }
  return steps
}

/** `…` + the last 6 characters of a peer id (as elsewhere in the app). */
export function shortPeer (peerId: string | undefined): string {
  return peerId === undefined ? '…' : shortPeerId(peerId)
}

/** An agent id without its `@peer` suffix (`calculator@12D3…` → `calculator`). */
export function agentName (agentId: string | undefined): string {
  if (agentId === undefined) return '–'
  const at = agentId.indexOf('@')
  return at < 0 ? agentId : agentId.slice(0, at)
}

/** The mission a subtask id belongs to (`t-ab-1/2` → `t-ab-1`), or undefined. */
export function parentOf (taskId: string): string | undefined {
  const slash = taskId.lastIndexOf('/')
  return slash <= 0 ? undefined : taskId.slice(0, slash)
}

/** Whether a timeline entry about `entryTaskId` concerns `taskId` (itself or one of its subtasks). */
export function concerns (taskId: string, entryTaskId: string | undefined): boolean {
  return entryTaskId !== undefined && (entryTaskId === taskId || entryTaskId.startsWith(`${taskId}/`))
}

/** libp2p peer ids as they appear in protocol summaries and thread lines (`12D3KooW…`, `Qm…`). */
const PEER_ID = /\b(?:12D3KooW|Qm)[1-9A-HJ-NP-Za-km-z]{38,}\b/g

/** The text with every full peer id shortened (`calculator@12D3KooW…tuNkf77pBpe` → `calculator@…77pBpe`). */
export function shortenPeerIds (text: string): string {
  return text.replace(PEER_ID, id => shortPeer(id))
}

/** How long a mission waits for its parts' results before a tab in sync with every partner says nobody present holds them, ms. */
export const PENDING_SETTLE_MS = 5_000

/**
 * Where a mission's missing parts' results stand, from this tab's graph sync partners
 * (graph/sync-partners.ts): `alone` (no partner: nothing can bring them now), `syncing` (a partner
 * holds changes not in this graph yet, or just caught up: they may be among them), or `nobody`
 * (this graph has held everything its partners have, `PENDING_SETTLE_MS` after it started waiting:
 * no member present seems to hold them). `text` says it to the person.
 */
export function pendingReach (reach: PartnerReach, pendingSince: number | undefined, now: number): { kind: 'alone' | 'syncing' | 'nobody', text: string } {
  const peers = (ids: readonly string[]): string => ids.map(shortPeer).join(', ')
  if (reach.kind === 'alone') return { kind: 'alone', text: 'This tab syncs its graph with no member now: they can only come once it links to a member that holds them.' }
  if (reach.kind === 'syncing') return { kind: 'syncing', text: `Still syncing with ${peers(reach.pending)}: they may be among the changes on their way.` }
  if (pendingSince === undefined || now - pendingSince < PENDING_SETTLE_MS) {
    return { kind: 'syncing', text: `In sync with ${peers(reach.partners)}; changes from members further away may still be on their way.` }
  }
  return {
    kind: 'nobody',
    text: `This tab's graph holds every change its sync partners (${peers(reach.partners)}) have, and through them the room's: no member present seems to hold them. They come when a member that holds them returns.`
  }
}
