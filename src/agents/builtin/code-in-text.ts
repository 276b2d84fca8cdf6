/**
 * Where a task carries JavaScript: `input.code`, else the first fenced block (```js ... ```), else
 * inline `code` in backticks, else what follows "javascript:" / "js:" / "code:", or "run:" / "execute:"
 * when it reads as code (brackets, braces, ";", "=", "=>"). The js-runner runs
 * it; the bidding policy asks it first, so the js-runner does not bid on a task with no code at all
 * (it can only refuse one). Kept apart from the js-runner so that asking loads no QuickJS.
 */
import type { AgentTask } from '../types.ts'
import { inputText } from './task-input.ts'

const LOOKS_LIKE_CODE = /[;{}()[\]]|=>|\b(?:return|const|let|var|function)\b|[^=!<>]=[^=]/

export function codeIn (task: Pick<AgentTask, 'text' | 'input'>): string | undefined {
  const given = inputText(task.input, 'code')
  if (given !== undefined) return given
  const fenced = /```[ \t]*(?:js|javascript|mjs|ecmascript)?[ \t]*\r?\n([\s\S]*?)```/i.exec(task.text)
  if (fenced !== null && fenced[1]!.trim() !== '') return fenced[1]!
  const inline = /`([^`\n]+)`/.exec(task.text)
  if (inline !== null) return inline[1]!
  const labelled = /\b(?:javascript|js|code)\s*:\s*([\s\S]+)$/i.exec(task.text)
  if (labelled !== null && labelled[1]!.trim() !== '') return labelled[1]!
  // "Run: while (true) {}": an order to run what follows, when it reads as code.
  const run = /^\s*(?:please\s+)?(?:run|execute)(?:\s+(?:this|the\s+following))?\s*:\s*([\s\S]+)$/i.exec(task.text)
  if (run !== null && LOOKS_LIKE_CODE.test(run[1]!)) return run[1]!
  return undefined
}
