/**
 * How the researcher quotes graph entities in its answers (and its listings, graph-listing.ts): a
 * statement as a sentence without its final stop, a decision as what was decided, a task's verified
 * answer as the answer to its request. The verifier's quote check (quote-check.ts) reads answers
 * written this way.
 */
import type { GraphHit } from '../types.ts'
import { statedBy } from './evidence.ts'
import { withoutDecisionLabel } from './record-ask.ts'
import { capitalised } from './wording.ts'

/**
 * An entity's statement as quoted. A task's verified answer says which request it answers: its text
 * alone ("604800 seconds", a summary's sentence) is not a statement about anything, and before, the
 * request and answer ran together ("Verified: Sort these numbers: 5, 3, 9: [3, 5, 9]").
 */
export function quote (hit: GraphHit): string {
  // "We ship the beta on 3 December" is what was decided; the quote says so.
  if (hit.kind === 'decision') return DECIDED_WORDS.test(hit.text) ? sentence(hit.text) : `the room decided: ${lowerFirstIfProse(sentence(hit.text), true)}`
  // A decision recorded as a statement ("Decision: we ship on Friday."): quoted as a decision is.
  const decided = withoutDecisionLabel(hit.text)
  if (decided !== hit.text && decided.trim() !== '') return `the room decided: ${lowerFirstIfProse(sentence(decided), true)}`
  if (hit.answers === undefined || !hit.text.startsWith(`${hit.answers}: `)) return sentence(hit.text)
  const answer = sentence(statedBy(hit))
  const request = hit.answers.length > 100 ? `${hit.answers.slice(0, 99).trimEnd()}…` : hit.answers
  return `the answer to "${request}" is ${answer.split(/\s+/).length > 4 ? `"${answer}"` : answer}`
}

const DECIDED_WORDS = /\b(?:decided|decision|agreed|chose|settled\s+on|resolved)\b/i

export function sentence (text: string): string {
  const t = text.trim().replace(/\s+/g, ' ')
  return /[.!?]$/.test(t) ? t.slice(0, -1) : t
}

/** "According to the graph, the relay ..." reads better than "..., The relay ...", but keep names and acronyms. */
export function lowerFirstIfProse (s: string, first: boolean): string {
  if (!first) return capitalised(s)
  return /^[A-Z][a-z]/.test(s) && /^(?:The|A|An|This|That|These|Those|It|Its|We|Our|They|Their|There|Each|Every|All|Some|Most)\b/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s
}
