/** Placeholder until the real handler lands: fails clearly instead of pretending. */
import type { AgentResult, AgentTask, AgentContext } from '../types.ts'

export async function handler (_task: AgentTask, _ctx: AgentContext): Promise<AgentResult> {
  throw new Error('summariser: not implemented yet')
}
