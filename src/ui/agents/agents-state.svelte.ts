/**
 * What the Agents tab shows: the room's agents, the embedding model's status, the editor's
 * errors and the last match, as reactive state the components read. Fed by the AgentHost's
 * events, refreshed at most once per animation frame, and only while the tab is shown
 * (`setShown`): every task flips an agent's state twice, and re-listing the room's agents for a
 * hidden view cost a frame's render each time.
 */
import type { AgentHost, AgentMatch, AgentView, ModelStatus } from '../../agents/host.ts'
import type { AgentResult } from '../../agents/types.ts'

export interface FieldError { field: string, message: string }

export const CUSTOM_TEMPLATE = {
  manifest: JSON.stringify({
    manifestVersion: 1,
    id: 'word-counter',
    name: 'Word counter',
    description: 'Counts the words, sentences and characters of a text.',
    version: '0.1.0',
    skills: [{
      id: 'count-words',
      name: 'Count words',
      description: 'Counts how many words, sentences and characters a text has.',
      tags: ['text'],
      examples: ['how many words are in this paragraph', 'count the words of my essay', 'word count of this text'],
      level: 'expert'
    }],
    limits: { timeoutMs: 5000 }
  }, null, 2),
  source: `// A custom agent: the default export gets the task and a context, and returns a result.
export default async function (task, ctx) {
  const text = typeof task.input?.text === 'string' ? task.input.text : task.text
  const words = text.split(/\\s+/).filter(Boolean).length
  const sentences = text.split(/[.!?]+/).filter(s => s.trim()).length
  ctx.progress(1, 'counted')
  return { text: \`\${words} words, \${sentences} sentences, \${text.length} characters\`, output: { words, sentences, chars: text.length } }
}
`
}

export class AgentsState {
  attached = $state(false)
  agents = $state<AgentView[]>([])
  /** Records in the room's registry that do not count (malformed, or not signed by the peer they name), with why. */
  refused = $state<Array<{ agentId: string, reason: string }>>([])
  model = $state<ModelStatus | undefined>(undefined)
  /** Editor fields and their last error. */
  manifestText = $state(CUSTOM_TEMPLATE.manifest)
  sourceText = $state(CUSTOM_TEMPLATE.source)
  editorError = $state<FieldError | undefined>(undefined)
  editorMessage = $state('')
  busy = $state(false)
  /** The "who can do this?" box. */
  query = $state('')
  matches = $state<AgentMatch[] | undefined>(undefined)
  matchError = $state<string | undefined>(undefined)
  /** Try-it runs on local agents, by agent id. */
  runs = $state<Record<string, { state: 'running' | 'done' | 'failed', progress?: number, note?: string, result?: AgentResult, error?: string }>>({})
  actionError = $state<string | undefined>(undefined)

  #host: AgentHost | undefined
  #scheduled = false
  #shown = true
  /** A change came while hidden: refresh when shown. */
  #stale = false

  /** The Agents tab is shown (or hidden): while hidden, the list is not refreshed. */
  setShown (shown: boolean): void {
    this.#shown = shown
    if (shown && this.#stale) this.#schedule()
  }

  attach (host: AgentHost): void {
    this.#host = host
    this.attached = true
    this.model = host.model
    host.on('change', () => { this.#schedule() })
    host.on('model', m => { this.model = m })
    this.refresh()
  }

  get host (): AgentHost | undefined { return this.#host }

  refresh (): void {
    if (this.#host === undefined) return
    this.agents = this.#host.list().sort((a, b) => Number(b.local) - Number(a.local) || a.agentId.localeCompare(b.agentId))
    this.refused = this.#host.registry.invalid().sort((a, b) => a.agentId.localeCompare(b.agentId))
  }

  #schedule (): void {
    if (!this.#shown) { this.#stale = true; return }
    this.#stale = false
    if (this.#scheduled) return
    this.#scheduled = true
    const run = (): void => { this.#scheduled = false; this.refresh() }
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run)
    else setTimeout(run, 16)
  }

  async register (): Promise<void> {
    const host = this.#host
    if (host === undefined) return
    this.editorError = undefined
    this.editorMessage = ''
    this.busy = true
    try {
      const id = await host.register({ manifest: this.manifestText, source: this.sourceText })
      this.editorMessage = `Registered ${id}; it is now published to the room.`
      this.refresh()
    } catch (err) {
      const e = err as Error & { field?: string }
      this.editorError = { field: e.field ?? 'source', message: e.message }
    } finally {
      this.busy = false
    }
  }

  async unregister (agentId: string): Promise<void> {
    await this.#act(async h => { await h.unregister(agentId) })
  }

  async adopt (agentId: string): Promise<void> {
    await this.#act(async h => { await h.adopt(agentId) })
  }

  async match (): Promise<void> {
    const host = this.#host
    if (host === undefined || this.query.trim() === '') return
    this.matchError = undefined
    try {
      this.matches = await host.match(this.query, 5)
    } catch (err) {
      this.matches = undefined
      this.matchError = (err as Error).message
    }
  }

  async tryRun (agentId: string, text: string): Promise<void> {
    const host = this.#host
    if (host === undefined || text.trim() === '') return
    this.runs = { ...this.runs, [agentId]: { state: 'running', progress: 0 } }
    try {
      const result = await host.run(agentId, { id: `try-${Date.now().toString(36)}`, text }, {
        onProgress: ({ fraction, note }) => { this.runs = { ...this.runs, [agentId]: { state: 'running', progress: fraction, ...(note !== undefined ? { note } : {}) } } }
      })
      this.runs = { ...this.runs, [agentId]: { state: 'done', result } }
    } catch (err) {
      this.runs = { ...this.runs, [agentId]: { state: 'failed', error: (err as Error).message } }
    }
  }

  async #act (fn: (h: AgentHost) => Promise<void>): Promise<void> {
    const host = this.#host
    if (host === undefined) return
    this.actionError = undefined
    try { await fn(host); this.refresh() } catch (err) { this.actionError = (err as Error).message }
  }
}

/** Overall download progress of the model's files, 0..1. */
export function modelProgress (m: ModelStatus | undefined): number {
  if (m === undefined) return 0
  if (m.state === 'ready') return 1
  const files = Object.values(m.files)
  const total = files.reduce((s, f) => s + f.total, 0)
  return total > 0 ? files.reduce((s, f) => s + f.loaded, 0) / total : m.progress
}
