/**
 * Turning what the graph throws into something a form can show next to the right field.
 */
import { GraphValidationError } from '../../graph/schema.ts'

export interface FieldError {
  /** The field as the form knows it (`text`, `title`, `confidence`, `reason`, …); `''` if none. */
  field: string
  /** The field as the graph named it, e.g. `ops[0].entity.text`. */
  path: string
  message: string
}

/**
 * Single-op writes report fields as `ops[0].entity.text`, `ops[0].reason`, `ops[0].id`; a form
 * cares about the last plain name (`text`, `reason`), so strip the op and wrapper prefixes.
 */
export function formField (path: string): string {
  const stripped = path.replace(/^ops\[\d+\]\.?/, '').replace(/^(entity|patch|edge|message|by)\.?/, '')
  return stripped
}

export function describeError (err: unknown): FieldError {
  if (err instanceof GraphValidationError) {
    const field = formField(err.field)
    return { field, path: err.field, message: field === '' ? err.reason : `${field}: ${err.reason}` }
  }
  const message = err instanceof Error ? err.message : String(err)
  return { field: '', path: '', message }
}
