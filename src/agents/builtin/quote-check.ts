/**
 * A researcher's answer checked against the entities it quotes, for the verifier. The answer is
 * "According to the graph, <statement> [id]. ...": what can be checked on another peer is that each
 * entity it cites is in this peer's copy of the graph, says what the answer quotes it as saying, and
 * is verified there (or is a decision, which records what was decided and has nothing to verify). Then the answer is supported; it is disputed when it misquotes an entity or
 * cites a retracted one, and the verifier abstains when a cited entity is not verified (the answer
 * is no surer than what it quotes: supporting it would turn a proposal into a verified fact) or has
 * not reached this peer yet.
 *
 * Before, the verifier searched the graph for the answer's words, and the outcome hung on how close
 * the retrieval scored them: a faithful quote of a verified fact could end unverified.
 */
import type { AgentContext } from '../types.ts'
import { plainWords, statedBy } from './evidence.ts'
import { readHanded, type Rederived } from './rederive.ts'
import { withoutDecisionLabel } from './record-ask.ts'

/** At most this many cited entities are read. */
const MAX_CITED = 10

/** Checks a handed-over researcher answer (`output: { answer, sources }`); undefined for any other result. */
export async function checkQuotes (input: unknown, ctx: AgentContext): Promise<Rederived | undefined> {
  const handed = readHanded(input)
  if (handed === undefined) return undefined
  const output = handed.result.output as { answer?: unknown, sources?: unknown } | undefined
  if (typeof output !== 'object' || output === null || typeof output.answer !== 'string' || !Array.isArray(output.sources)) return undefined
  const ids = output.sources.map(s => (s as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string').slice(0, MAX_CITED)
  if (ids.length === 0) return undefined
  const text = typeof handed.result.text === 'string' ? handed.result.text : output.answer
  const steps: string[] = []
  const unsure: string[] = []
  for (const id of ids) {
    ctx.signal.throwIfAborted()
    const hit = await ctx.graph.get(id)
    if (hit === undefined) {
      return { verdict: { vote: 'abstain', confidence: 0, reason: `the answer cites [${id}], which this peer's graph does not hold (yet)` }, steps }
    }
    if (hit.status === 'retracted') {
      const reason = `the answer cites [${id}], which has been retracted`
      return { verdict: { vote: 'dispute', confidence: 0.9, reason, evidence: [id] }, steps: [...steps, reason] }
    }
    // An open question is reported as open, and a conflict as unsettled or settled: neither is relied on.
    if (hit.kind === 'question' || hit.kind === 'conflict') continue
    const at = text.indexOf(`[${id}]`)
    // A decision recorded as a statement ("Decision: ...") is quoted without its label (graph-quote.ts).
    const said = withoutDecisionLabel(statedBy(hit)).trim().replace(/[.!?]$/, '')
    if (at >= 0 && !plainWords(text.slice(0, at)).includes(plainWords(said))) {
      const reason = `the answer quotes [${id}], but it says "${said.slice(0, 200)}"`
      return { verdict: { vote: 'dispute', confidence: 0.9, reason, evidence: [id] }, steps: [...steps, reason] }
    }
    steps.push(`[${id}] ${hit.kind}, ${hit.status}: quoted as it stands in this peer's graph`)
    // A decision is what was decided, not a claim awaiting verification: quoted as it stands, the answer is sure.
    if (hit.status !== 'verified' && hit.kind !== 'decision') unsure.push(`[${id}] (${hit.status})`)
  }
  if (unsure.length > 0) {
    return { verdict: { vote: 'abstain', confidence: 0, reason: `the answer quotes the graph as it stands, but ${unsure.join(', ')} ${unsure.length === 1 ? 'is' : 'are'} not verified: the answer is no surer than what it quotes` }, steps }
  }
  const quoted = ids.filter(id => text.includes(`[${id}]`))
  // Sources the answer does not quote inline (another agent's output in the researcher's shape) were not compared.
  if (quoted.length === 0) return undefined
  return { verdict: { vote: 'support', confidence: 0.9, reason: `every entity the answer quotes is in this peer's graph as quoted, and verified: ${quoted.map(id => `[${id}]`).join(', ')}`, evidence: quoted }, steps }
}
