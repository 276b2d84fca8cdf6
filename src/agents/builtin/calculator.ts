/**
 * The calculator: evaluates arithmetic, unit conversions and statistics found in a request written
 * in words ("what is 17% of 2,340?", "convert 5 miles to km", "mean of 3, 5, 9") with a restricted
 * mathjs instance (see math.ts). `input.expression` (a mathjs expression) overrides the text.
 */
import type { AgentContext, AgentResult, AgentTask } from '../types.ts'
import { arithmeticRun, evaluateExpression, ExpressionError, translateRequest, type Evaluation } from './math.ts'
import { inputRecord } from './task-input.ts'

export async function handler (task: AgentTask, ctx: AgentContext): Promise<AgentResult> {
  ctx.signal.throwIfAborted()
  const input = inputRecord(task.input)
  const given = typeof input.expression === 'string' ? input.expression : undefined
  const request = given ?? task.text
  if (request.trim() === '') throw new Error('calculator: the request is empty; give an expression such as "2 * (3 + 4)"')

  const working: string[] = []
  const candidates: { expression: string, steps: string[], conversion?: { from: string, to: string } }[] = []
  if (given !== undefined) {
    candidates.push({ expression: given, steps: ['expression given in input.expression'] })
  } else {
    const t = translateRequest(request)
    candidates.push(t)
    const run = arithmeticRun(request)
    if (run !== undefined && run !== t.expression) candidates.push({ expression: run, steps: ['arithmetic picked out of the text'] })
  }

  let result: Evaluation | undefined
  let used = candidates[0]!
  let firstError: ExpressionError | undefined
  for (const c of candidates) {
    try {
      result = evaluateExpression(c.expression)
      used = c
      break
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err
      // A refused function (evaluate, import, ...) is an answer, not a reason to try another reading.
      if (/ is disabled$/.test(err.message)) throw new Error(`calculator: ${err.message}`)
      firstError ??= err
    }
  }
  if (result === undefined) {
    if (given === undefined && !/[\d+\-*/^%()=<>!]|\b(?:pi|e|tau|phi)\b/i.test(request)) {
      throw new Error(`calculator: found no expression to evaluate in '${request.trim()}'`)
    }
    throw new Error(`calculator: ${firstError!.message}`)
  }

  if (given === undefined) working.push(`request: ${request.trim()}`)
  working.push(...used.steps)
  working.push(`expression: ${result.expression}`)
  if (result.parsed.replace(/\s/g, '') !== result.expression.replace(/\s/g, '')) working.push(`parsed as: ${result.parsed}`)
  if (used.conversion !== undefined) working.push(`${used.conversion.from} = ${result.display}`)
  working.push(`= ${result.display}`)
  ctx.progress(1)
  return { text: result.display, output: result.output, working }
}
