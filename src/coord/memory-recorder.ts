/**
 * A CoordRecorder that keeps everything in arrays: for tests, and for a tab before its graph is open.
 * `outcomes` is keyed by task id like the graph recorder's entities, and counts how often each task
 * was recorded, so tests can prove recording is idempotent across nodes.
 */
import type { CoordRecorder } from './interfaces.ts'

type Arg<K extends keyof CoordRecorder> = Parameters<CoordRecorder[K]>[0]

export class MemoryRecorder implements CoordRecorder {
  readonly tasks: Array<Arg<'task'>> = []
  readonly awards: Array<Arg<'award'>> = []
  readonly results: Array<Arg<'result'>> = []
  readonly votes: Array<Arg<'vote'>> = []
  readonly verifications: Array<Arg<'verification'>> = []
  readonly outcomes = new Map<string, Arg<'outcome'>>()
  readonly outcomeWrites = new Map<string, number>()
  readonly solutions: Array<Arg<'solution'>> = []
  readonly consultations: Array<Arg<'consultation'>> = []
  readonly reputations = new Map<string, Arg<'reputation'>>()

  task (r: Arg<'task'>): void { this.tasks.push(r) }
  award (r: Arg<'award'>): void { this.awards.push(r) }
  result (r: Arg<'result'>): void { this.results.push(r) }
  vote (r: Arg<'vote'>): void { this.votes.push(r) }
  verification (r: Arg<'verification'>): void { this.verifications.push(r) }
  outcome (r: Arg<'outcome'>): void {
    this.outcomes.set(r.taskId, r)
    this.outcomeWrites.set(r.taskId, (this.outcomeWrites.get(r.taskId) ?? 0) + 1)
  }

  solution (r: Arg<'solution'>): void { this.solutions.push(r) }
  consultation (r: Arg<'consultation'>): void { this.consultations.push(r) }
  reputation (r: Arg<'reputation'>): void { this.reputations.set(`${r.peerId}/${r.agentId}/${r.skillId}`, r) }

  awardOf (taskId: string, attempt: number): { peerId: string, agentId: string, skillId: string } | undefined {
    const w = this.awards.findLast(a => a.taskId === taskId && a.attempt === attempt)?.winner
    return w === null || w === undefined ? undefined : { peerId: w.peerId, agentId: w.agentId, skillId: w.skillId }
  }
}
