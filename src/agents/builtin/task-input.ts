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
