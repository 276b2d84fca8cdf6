/**
 * The checks behind `ctx.ask`, `ctx.alert` and `ctx.handOff`. Pure, so that the worker (to fail
 * right where the agent called) and the main thread (the authority) apply the same rules.
 */
import { MAX_CONSULT_CHARS, type AlertSeverity, type AskAudience, type Handoff } from '../types.ts'

/** Questions one task may ask; more is a loop, not a conversation. */
export const MAX_ASKS_PER_TASK = 20
/** Alerts one task may raise; later ones are dropped (each one goes to every tab of the room). */
export const MAX_ALERTS_PER_TASK = 20
/** Longest agent id a handoff may name (the registry's bound). */
const MAX_AGENT_ID_CHARS = 200

export const AUDIENCES: readonly AskAudience[] = ['person', 'mesh']
export const SEVERITIES: readonly AlertSeverity[] = ['info', 'warning', 'critical']

/** What `ctx.ask` says when the task came from a direct `run` with no consultation. */
export const NOBODY_TO_ASK = 'ask: this task has nobody to ask (it was not submitted through the mesh)'

function text (what: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`${what} must be a non-blank string`)
  if (value.length > MAX_CONSULT_CHARS) throw new TypeError(`${what} has ${value.length} characters, more than the ${MAX_CONSULT_CHARS} allowed`)
  return value
}

/** `ctx.ask(text, { to })` checked; `to` defaults to a person. Throws TypeError. */
export function checkAsk (question: unknown, to: unknown = 'person'): { text: string, to: AskAudience } {
  const t = text('ask: the question', question)
  if (!(AUDIENCES as readonly unknown[]).includes(to)) throw new TypeError(`ask: to must be ${AUDIENCES.map(a => `'${a}'`).join(' or ')}, got ${JSON.stringify(to) ?? String(to)}`)
  return { text: t, to: to as AskAudience }
}

/** `ctx.alert(text, severity)` checked; severity defaults to `warning`. Throws TypeError. */
export function checkAlert (alert: unknown, severity: unknown = 'warning'): { text: string, severity: AlertSeverity } {
  const t = text('alert: the text', alert)
  if (!(SEVERITIES as readonly unknown[]).includes(severity)) throw new TypeError(`alert: severity must be ${SEVERITIES.map(a => `'${a}'`).join(', ')}, got ${JSON.stringify(severity) ?? String(severity)}`)
  return { text: t, severity: severity as AlertSeverity }
}

/** `ctx.handOff(reason, toAgentId)` checked. Throws TypeError. */
export function checkHandoff (reason: unknown, toAgentId?: unknown): Handoff {
  const r = text('handOff: the reason', reason)
  if (toAgentId === undefined) return { reason: r }
  if (typeof toAgentId !== 'string' || toAgentId.trim() === '' || toAgentId.length > MAX_AGENT_ID_CHARS) {
    throw new TypeError(`handOff: toAgentId must be an agent id of 1-${MAX_AGENT_ID_CHARS} characters`)
  }
  return { reason: r, toAgentId }
}
