/**
 * Turns the composer's fields into a request for `tasks.submit`, or says which field is wrong
 * and why. Pure.
 */
import { LIMITS } from '../../coord/messages.ts'
import { lowerFirstIfProse } from '../../agents/builtin/graph-quote.ts'

export interface ComposerFields {
  text: string
  /** Optional JSON handed to the agent as `input`. */
  inputJson: string
  /** Seconds; empty for no deadline. */
  deadlineSeconds: string
  /**
   * Distinct other peers whose verifiers must support the result (0–3), or 'auto': the mesh's
   * default (1 when a verifier runs on another tab, else none).
   */
  quorum: number | 'auto'
}

export interface TaskRequest { text: string, input?: unknown, deadlineMs?: number, verify?: number }

export type ComposerField = 'text' | 'input' | 'deadline' | 'quorum'
export type ParsedRequest = { ok: true, request: TaskRequest } | { ok: false, field: ComposerField, message: string }

/** The longest request text the protocol carries. */
export const MAX_TEXT = LIMITS.textLength
/** The composer offers 0–3 (a quorum beyond the peers of a small room never settles). */
export const MAX_QUORUM = Math.min(3, LIMITS.maxQuorum)
/** A day: longer deadlines are almost certainly a typo (ms for s). */
export const MAX_DEADLINE_SECONDS = 86_400

export function parseRequest (f: ComposerFields, maxText = MAX_TEXT): ParsedRequest {
  const text = f.text.trim()
  if (text === '') return { ok: false, field: 'text', message: 'Say what you want done: the request is empty.' }
  if (text.length > maxText) return { ok: false, field: 'text', message: `The request has ${text.length} characters; at most ${maxText} fit in a task.` }
  const request: TaskRequest = { text }
  const json = f.inputJson.trim()
  if (json !== '') {
    try {
      request.input = JSON.parse(json) as unknown
    } catch (err) {
      return { ok: false, field: 'input', message: `The input is not valid JSON: ${(err as Error).message}` }
    }
  }
  const deadline = f.deadlineSeconds.trim()
  if (deadline !== '') {
    const s = Number(deadline)
    if (!Number.isFinite(s) || s <= 0) return { ok: false, field: 'deadline', message: `The deadline must be a positive number of seconds, not "${deadline}".` }
    if (s > MAX_DEADLINE_SECONDS) return { ok: false, field: 'deadline', message: `The deadline must be at most ${MAX_DEADLINE_SECONDS} seconds (a day).` }
    request.deadlineMs = Math.round(s * 1000)
  }
  if (f.quorum === 'auto') return { ok: true, request }
  if (!Number.isInteger(f.quorum) || f.quorum < 0 || f.quorum > MAX_QUORUM) {
    return { ok: false, field: 'quorum', message: `The verification quorum must be "auto" or a whole number from 0 to ${MAX_QUORUM}.` }
  }
  request.verify = f.quorum
  return { ok: true, request }
}

/**
 * The request that decides a statement holds: "The login bug is caused by the cache TTL." →
 * "Decision: the login bug is caused by the cache TTL." (a determiner or pronoun opening it in small
 * letters, a name kept, as the researcher quotes statements: graph-quote.ts); undefined for an empty statement. A label it already has goes first.
 */
export function decisionFor (statement: string): string | undefined {
  const t = statement.trim().replace(/\s+/g, ' ').replace(/^(?:decision|decided|agreed|fact|hypothesis|note|update|correction)\s*:\s*/i, '')
  if (t === '') return undefined
  const body = lowerFirstIfProse(t, true)
  return `Decision: ${/[.!?]$/.test(body) ? body : `${body}.`}`
}
