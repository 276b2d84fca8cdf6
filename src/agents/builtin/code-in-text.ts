/**
 * Where a task carries JavaScript: `input.code`, else the first fenced block (```js ... ```), else
 * inline `code` in backticks, else what follows "javascript:" / "js:" / "code:", or "run:" / "execute:"
 * or "this code return:" (code named a few words before the colon) when it reads as code (brackets, braces, ";", "=", "=>"). The js-runner runs
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
  // "What does this code return: Math.max(...[3, 9, 2])": code named before the colon, a few words
  // ahead of it, when what follows reads as code. Before, nobody bid on it.
  const named = /\b(?:javascript|js|code|snippet|script)\b[^:\n]{1,40}:\s*([\s\S]+)$/i.exec(task.text)
  if (named !== null && LOOKS_LIKE_CODE.test(named[1]!)) return named[1]!
  // "Run: while (true) {}": an order to run what follows, when it reads as code.
  const run = /^\s*(?:please\s+)?(?:run|execute)(?:\s+(?:this|the\s+following))?\s*:\s*([\s\S]+)$/i.exec(task.text)
  if (run !== null && LOOKS_LIKE_CODE.test(run[1]!)) return run[1]!
  return undefined
}
