/**
 * Judging graph hits as evidence, shared by the researcher and the verifier: how relevant a hit
 * is to a text, and how much its status, kind and confidence let it count.
 *
 * The host's `ctx.graph.search` already ranks by meaning; relevance here adds the share of the
 * text's content words the entity mentions, because with a small embedding model "related" and
 * "unrelated" cosines sit close together (see src/match/score.ts), so a fixed cosine cut alone
 * either admits noise or drops real answers.
 */
import type { GraphHit } from '../types.ts'
import { lexicalOverlap, terms } from '../../match/score.ts'

/** Below this (hit score, after the lexical bonus) a hit is not about the text at all. */
export const MIN_RELEVANCE = 0.3

export const STATUS_WEIGHT: Record<string, number> = { verified: 1, proposed: 0.7, disputed: 0.3, retracted: 0 }
/** Kinds that state something, against kinds that ask or discuss. */
export const KIND_WEIGHT: Record<string, number> = {
  fact: 1, decision: 1, solution: 1, hypothesis: 0.7, conflict: 0.5, thread: 0.5, unknown: 0.5, question: 0.2
}

export interface JudgedHit {
  hit: GraphHit
  /** Share of the text's content terms the entity mentions, 0..1. */
  overlap: number
  /** Hit score blended with the overlap: what decides whether the hit is about the text. */
  relevance: number
  /** How much the hit may count as evidence: status, kind and confidence, 0..1. */
  weight: number
  /** Why the hit's relevance was set aside, when it was ("answers a request with other numbers: ..."). */
  setAside?: string
}

export function judgeHits (text: string, hits: readonly GraphHit[]): JudgedHit[] {
  const q = terms(text, 'literal')
  return hits.map((hit) => {
    const overlap = lexicalOverlap(q, new Set(terms(hit.text, 'literal')))
    const relevance = Math.max(hit.score, 0.5 * hit.score + 0.5 * overlap)
    const weight = (STATUS_WEIGHT[hit.status] ?? 0.5) * (KIND_WEIGHT[hit.kind] ?? 0.5) * (0.5 + 0.5 * clamp01(hit.confidence))
    return { hit, overlap, relevance, weight }
  })
}

export function clamp01 (x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0
}

export function describeHit (h: JudgedHit): string {
  return `[${h.hit.id}] ${h.hit.kind}, ${h.hit.status}, confidence ${h.hit.confidence.toFixed(2)}, relevance ${h.relevance.toFixed(2)}${h.setAside !== undefined ? ` (${h.setAside})` : ''}`
}

/**
 * What an entity states: its text, or for a task's verified answer (`hit.answers`, text "<request>:
 * <answer>") the answer without the request. The researcher quotes this, and the verifier checks a
 * quote against it (quote-check.ts).
 */
export function statedBy (hit: GraphHit): string {
  return hit.answers !== undefined && hit.text.startsWith(`${hit.answers}: `) ? hit.text.slice(hit.answers.length + 2) : hit.text
}

/** Text compared word for word: lower case, letters and digits, single spaces. */
export function plainWords (s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()
}
