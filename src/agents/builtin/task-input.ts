/**
 * Reading `task.input`, which is `unknown` by contract: built-ins accept a plain object with
 * documented optional fields and ignore anything else (e.g. the outputs of upstream tasks).
 */

/** `input` as a record of fields; anything that is not a plain object reads as no fields. */
export function inputRecord (input: unknown): Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input) ? input as Record<string, unknown> : {}
}

/** `input[field]` if it is a non-blank string. */
export function inputText (input: unknown, field: string): string | undefined {
  const v = inputRecord(input)[field]
  return typeof v === 'string' && v.trim() !== '' ? v : undefined
}

/** `input[field]` if it is a finite number; a present field of another type is an error naming the agent. */
export function inputNumber (input: unknown, field: string, agent: string): number | undefined {
  const v = inputRecord(input)[field]
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${agent}: input.${field} must be a number, got ${JSON.stringify(v)}`)
  return v
}

/**
 * In a mission, a subtask's input carries the outputs of the subtasks it depends on, keyed by their
 * plan ids (`s1`, `s2`, ...; src/coord/dag.ts `subtaskInput`). The planner's ids are always of that
 * shape, so a built-in finds its upstream results by key without confusing them with its own fields.
 */
const PLAN_ID = /^s([1-9]\d?)$/

export interface Upstream {
  /** The plan id of the subtask that produced it. */
  id: string
  value: unknown
}

/** The upstream results in `input`, in plan order (s1, s2, ...). */
export function upstreamResults (input: unknown): Upstream[] {
  return Object.entries(inputRecord(input))
    .flatMap(([id, value]) => { const m = PLAN_ID.exec(id); return m !== null && value !== undefined && value !== null ? [{ id, value, n: Number(m[1]) }] : [] })
    .sort((a, b) => a.n - b.n)
    .map(({ id, value }) => ({ id, value }))
}

/**
 * An upstream value as text: a string as it is, a number or boolean written out, an object's `text`
 * field, or its `answer` (a researcher's; "(no answer)" when it found none), a list line by line, else JSON.
 */
export function upstreamText (value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (Array.isArray(value)) return value.map(upstreamText).join('\n')
  if (typeof value === 'object' && value !== null) {
    const text = (value as { text?: unknown }).text
    if (typeof text === 'string') return text
    if ('answer' in value) {
      const answer = (value as { answer?: unknown }).answer
      if (typeof answer === 'string') return answer
      if (answer === null) return '(no answer)'
    }
  }
  try { return JSON.stringify(value) ?? String(value) } catch { return String(value) }
}

/** An upstream value as a finite number, if it is one (a number, or a string that is only a number). */
export function upstreamNumber (value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'string' && /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?\s*$/i.test(value)) return Number(value)
  return undefined
}
