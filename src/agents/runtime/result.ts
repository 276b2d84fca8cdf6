/**
 * What may cross the runtime's boundary: tasks going in, results coming out. Both are plain JSON
 * (they travel between workers and between peers), so everything else is refused with the path of
 * the offending value. {@link normaliseResult} also turns the shapes a person naturally returns
 * (a string, a number, some object) into an {@link AgentResult}.
 *
 * Results are checked twice: in the worker, so an agent's author gets the error where it happened,
 * and again on the main thread, which is the one that counts: custom code shares its worker with
 * the worker's own code and could bypass the first check.
 */
import { LIMITS } from '../../graph/schema.ts'
import { AGENT_RESULT_KEYS as RESULT_KEYS, isTimeZoneName, type AgentResult, type AgentTask, type PlannedSubtask, type Verdict } from '../types.ts'

/** A result whose JSON is longer than this is refused (a task result is not a file transfer). */
export const MAX_RESULT_CHARS = 1_000_000
/** Nesting deeper than this is refused. */
export const MAX_JSON_DEPTH = 64
/** `text` made from an object is cut to this length. */
export const SUMMARY_CHARS = 500
export const MAX_TASK_TEXT = 100_000
export const MAX_TASK_ID = 200

export class ResultError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ResultError'
  }
}


/**
 * A deep copy of `value` as plain JSON data, or a {@link ResultError} naming the first value that is
 * not: functions, symbols, bigints, NaN and infinities, class instances (Date, Map, typed arrays...),
 * cycles, `undefined` inside arrays. `undefined` object properties are dropped, as JSON does.
 */
export function toJsonValue (value: unknown, path: string): unknown {
  const ancestors = new Set<object>()
  const walk = (v: unknown, p: string, depth: number): unknown => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new ResultError(`${p} is ${String(v)}, which JSON cannot represent`)
      return v
    }
    if (typeof v !== 'object') throw new ResultError(`${p} is ${describe(v)}, which is not JSON data`)
    if (depth > MAX_JSON_DEPTH) throw new ResultError(`${p} is nested deeper than ${MAX_JSON_DEPTH} levels`)
    if (ancestors.has(v)) throw new ResultError(`${p} refers back to one of its parents (a cycle)`)
    ancestors.add(v)
    try {
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) throw new ResultError(`${p} is ${describe(v)}, not a plain array`)
        return v.map((item, i) => {
          if (item === undefined) throw new ResultError(`${p}[${i}] is undefined`)
          return walk(item, `${p}[${i}]`, depth + 1)
        })
      }
      const proto: unknown = Object.getPrototypeOf(v)
      if (proto !== Object.prototype && proto !== null) throw new ResultError(`${p} is ${describe(v)}, not plain JSON data (use plain objects, arrays, strings, numbers, booleans and null)`)
      const out: Record<string, unknown> = {}
      for (const [k, item] of Object.entries(v)) {
        if (item === undefined) continue
        out[k] = walk(item, `${p}.${k}`, depth + 1)
      }
      return out
    } finally {
      ancestors.delete(v)
    }
  }
  return walk(value, path, 0)
}

/** A short human description of a value's type: "a function", "a Date", "an array". */
export function describe (v: unknown): string {
  if (v === null) return 'null'
  if (v === undefined) return 'undefined'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'function') return 'a function'
  if (typeof v === 'object') {
    const name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name
    return name !== undefined && name !== '' && name !== 'Object' ? `a ${name}` : 'an object'
  }
  return `a ${typeof v}`
}

/** JSON text of `value`, cut to {@link SUMMARY_CHARS} with an ellipsis. */
export function summarise (value: unknown): string {
  const json = JSON.stringify(value) ?? String(value)
  return json.length <= SUMMARY_CHARS ? json : `${json.slice(0, SUMMARY_CHARS - 1)}…`
}

/**
 * The {@link AgentResult} an agent's return value stands for:
 * - a string is the `text`;
 * - a finite number or a boolean is both `text` and `output`;
 * - an object with only result fields (`text`, `output`, `working`, `citations`, `contradicts`, `settles`, `verdict`, `plan`)
 *   is a result; without `text`, the text is a JSON summary of `output` (or of the rest);
 * - any other object or array is `output`, with a JSON summary as `text`.
 * Nothing (`undefined`, `null`), non-JSON data, ill-typed result fields, unknown fields next to
 * `text`, and results over {@link MAX_RESULT_CHARS} throw a {@link ResultError}.
 */
export function normaliseResult (value: unknown): AgentResult {
  if (typeof value === 'string') return sized({ text: value })
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return { text: String(value), output: value }
  if (value === undefined || value === null) {
    throw new ResultError(`the agent returned ${String(value)}; return a string, or an object such as { text: '...' }`)
  }
  if (typeof value !== 'object') throw new ResultError(`the agent returned ${describe(value)}, which is not JSON data`)
  const data = toJsonValue(value, 'result')
  if (Array.isArray(data)) return sized({ text: summarise(data), output: data })
  const rec = data as Record<string, unknown>
  const keys = Object.keys(rec)
  const resultShaped = keys.length > 0 && keys.every(k => (RESULT_KEYS as readonly string[]).includes(k))
  if (!resultShaped) {
    if ('text' in rec) {
      const extra = keys.find(k => !(RESULT_KEYS as readonly string[]).includes(k))!
      throw new ResultError(`result.${extra} is not a result field (${RESULT_KEYS.join(', ')}); put other data in output`)
    }
    return sized({ text: summarise(rec), output: rec })
  }
  const out: AgentResult = { text: '' }
  if (rec.text !== undefined) {
    if (typeof rec.text !== 'string') throw new ResultError(`result.text must be a string, got ${describe(rec.text)}`)
    out.text = rec.text
  } else {
    const rest = Object.fromEntries(Object.entries(rec).filter(([k]) => k !== 'output'))
    out.text = summarise(rec.output !== undefined ? rec.output : rest)
  }
  if (rec.output !== undefined) out.output = rec.output
  if (rec.working !== undefined) out.working = strings(rec.working, 'result.working')
  if (rec.citations !== undefined) out.citations = strings(rec.citations, 'result.citations')
  if (rec.contradicts !== undefined) out.contradicts = strings(rec.contradicts, 'result.contradicts')
  if (rec.settles !== undefined) out.settles = strings(rec.settles, 'result.settles')
  if (rec.verdict !== undefined) out.verdict = verdict(rec.verdict)
  if (rec.plan !== undefined) out.plan = plan(rec.plan)
  return sized(out)
}

function sized (r: AgentResult): AgentResult {
  const n = JSON.stringify(r).length
  if (n > MAX_RESULT_CHARS) throw new ResultError(`the result is ${n} characters of JSON, more than the ${MAX_RESULT_CHARS} allowed`)
  return r
}

function strings (v: unknown, path: string): string[] {
  if (!Array.isArray(v)) throw new ResultError(`${path} must be an array of strings, got ${describe(v)}`)
  v.forEach((s, i) => { if (typeof s !== 'string') throw new ResultError(`${path}[${i}] must be a string, got ${describe(s)}`) })
  return v as string[]
}

function record (v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ResultError(`${path} must be an object, got ${describe(v)}`)
  return v as Record<string, unknown>
}

function verdict (v: unknown): Verdict {
  const r = record(v, 'result.verdict')
  if (r.vote !== 'support' && r.vote !== 'dispute' && r.vote !== 'abstain') throw new ResultError(`result.verdict.vote must be support, dispute or abstain, got ${JSON.stringify(r.vote) ?? 'undefined'}`)
  if (typeof r.confidence !== 'number' || r.confidence < 0 || r.confidence > 1) throw new ResultError('result.verdict.confidence must be a number between 0 and 1')
  if (typeof r.reason !== 'string') throw new ResultError(`result.verdict.reason must be a string, got ${describe(r.reason)}`)
  const out: Verdict = { vote: r.vote, confidence: r.confidence, reason: r.reason }
  if (r.evidence !== undefined) out.evidence = strings(r.evidence, 'result.verdict.evidence')
  return out
}

function plan (v: unknown): { subtasks: PlannedSubtask[] } {
  const r = record(v, 'result.plan')
  if (!Array.isArray(r.subtasks)) throw new ResultError(`result.plan.subtasks must be an array, got ${describe(r.subtasks)}`)
  return {
    subtasks: r.subtasks.map((s, i) => {
      const p = `result.plan.subtasks[${i}]`
      const t = record(s, p)
      if (typeof t.id !== 'string') throw new ResultError(`${p}.id must be a string, got ${describe(t.id)}`)
      if (typeof t.text !== 'string') throw new ResultError(`${p}.text must be a string, got ${describe(t.text)}`)
      return { id: t.id, text: t.text, dependsOn: strings(t.dependsOn, `${p}.dependsOn`) }
    })
  }
}

/**
 * A clean copy of a task handed to `run` or `ctx.spawn`: known fields only, `input` as plain JSON.
 * Throws TypeError naming the field (a caller's mistake, not an agent's failure).
 */
export function checkTask (value: unknown, path = 'task'): AgentTask {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${path} must be an object, got ${describe(value)}`)
  const t = value as Record<string, unknown>
  if (typeof t.id !== 'string' || t.id === '' || t.id.length > MAX_TASK_ID) throw new TypeError(`${path}.id must be a string of 1-${MAX_TASK_ID} characters`)
  if (typeof t.text !== 'string' || t.text.length > MAX_TASK_TEXT) throw new TypeError(`${path}.text must be a string of at most ${MAX_TASK_TEXT} characters`)
  const out: AgentTask = { id: t.id, text: t.text }
  if (t.input !== undefined) {
    try {
      out.input = toJsonValue(t.input, `${path}.input`)
    } catch (err) {
      throw new TypeError((err as Error).message)
    }
  }
  if (t.skillId !== undefined) {
    if (typeof t.skillId !== 'string') throw new TypeError(`${path}.skillId must be a string`)
    out.skillId = t.skillId
  }
  if (t.timeZone !== undefined) {
    if (!isTimeZoneName(t.timeZone)) throw new TypeError(`${path}.timeZone must be an IANA time zone name such as "Europe/Berlin"`)
    out.timeZone = t.timeZone
  }
  if (t.askedOn !== undefined) {
    if (typeof t.askedOn !== 'string' || t.askedOn === '' || t.askedOn.length > LIMITS.peerIdLength) throw new TypeError(`${path}.askedOn must be a peer id (a string of 1-${LIMITS.peerIdLength} characters)`)
    out.askedOn = t.askedOn
  }
  return out
}
