/**
 * What agents read of the room's graph as knowledge (`ctx.graph.search`, `ctx.graph.list`, `ctx.graph.get`):
 * which entities are the mesh's bookkeeping rather than knowledge, the view of an entity agents get
 * (its text, the status its signatures prove), and the host's search and listing over them.
 */
import { statementToRecord } from '../agents/builtin/researcher.ts'
import type { GraphHit, GraphListFilter } from '../agents/types.ts'
import { claimsStatus, type EntityProofs } from '../coord/entity-proof.ts'
import type { GraphRetriever } from '../agents/graph-retrieval.ts'
import type { Entity, KnowledgeGraph } from '../graph/index.ts'

/**
 * Entities the coordination layer records for its own bookkeeping (src/coord/graph-recorder.ts):
 * task threads, alert threads and results not yet verified (a verified result is also recorded as
 * a fact, tagged 'result' and 'verified', which stays searchable). A statement a person told the room
 * to record (the researcher's `graph.record` result) is knowledge as soon as it is recorded: a
 * hypothesis until verified, which the researcher quotes as such; so is what a person said before a
 * question ({@link toldStatements}).
 */
export function isBookkeeping (e: Pick<Entity, 'kind' | 'tags' | 'title' | 'data'>): boolean {
  const tags = e.tags ?? []
  return tags.includes('task') || tags.includes('subtask') || tags.includes('alerts') || tags.includes('reputation') ||
    (tags.includes('result') && e.kind !== 'fact' && !isRecordedStatement(e) && toldStatements(e) === undefined)
}

/**
 * What a person told the room before a question, kept with the researcher's answer to it
 * ("The standup is at 9:30 every weekday. When is the standup?"): the statements the graph did not
 * already hold (its `remember`; `byWord` in answers written before that). The answer itself stays
 * a hypothesis nobody can check, but what was said is knowledge for the next question ("When is
 * the standup?"), as a statement told to be recorded is. Before, it was bookkeeping, and nobody bid
 * on the next question. Undefined for any other entity.
 */
export function toldStatements (e: Pick<Entity, 'kind' | 'tags' | 'data'>): string[] | undefined {
  if (e.kind !== 'hypothesis' || !(e.tags ?? []).includes('result')) return undefined
  const result = e.data?.result
  const output = typeof result === 'object' && result !== null && !Array.isArray(result) ? result.output : undefined
  if (typeof output !== 'object' || output === null || Array.isArray(output)) return undefined
  const said = Array.isArray(output.remember) ? output.remember : Array.isArray(output.byWord) ? output.byWord : []
  const statements = said.filter((x): x is string => typeof x === 'string' && x.trim() !== '')
  return statements.length > 0 ? statements : undefined
}

/**
 * Whether `e` is the result of a task that told the room a statement to record ("Remember that ...":
 * its title is "Result: <request>", or "Verified: <request>" once verified).
 */
function isRecordedStatement (e: Pick<Entity, 'tags' | 'title'>): boolean {
  if (!(e.tags ?? []).includes('result') || e.title === undefined) return false
  // Read once per title: every graph search reads every result entity this way (up to three times),
  // and reading a plain statement (record-ask.ts) costs about 10 µs.
  let recorded = recordedTitles.get(e.title)
  if (recorded === undefined) {
    if (recordedTitles.size >= MAX_CACHED) recordedTitles.clear()
    recorded = statementToRecord(e.title.replace(/^(?:Result|Verified): /, '')) !== undefined
    recordedTitles.set(e.title, recorded)
  }
  return recorded
}
const recordedTitles = new Map<string, boolean>()
/** Entries a per-entity reading cache keeps before it starts again. */
const MAX_CACHED = 20_000

/**
 * A verified answer the researcher gave from the graph ("According to the graph, ... [id]"): it only
 * quotes entities the graph holds itself, so it is not knowledge to answer from again. Before, "What
 * did we decide about peer links?" was answered by quoting such an answer, which quoted another
 * (the result's producer skill is on the result it verifies, coord/graph-recorder.ts). So is a
 * listing ("List the decisions we made"): "What did we decide about the relay?" quoted one.
 */
export function quotesTheGraph (e: Pick<Entity, 'kind' | 'tags' | 'data'>, get: (id: string) => Pick<Entity, 'data'> | undefined): boolean {
  if (e.kind !== 'fact' || !(e.tags ?? []).includes('result')) return false
  const result = e.data?.result
  if (typeof result !== 'string') return false
  // Read once per result (every search reads every verified result this way); a result not here yet is asked again.
  let quotes = answeredFromGraph.get(result)
  if (quotes === undefined) {
    const r = get(result)
    if (r === undefined) return false
    if (answeredFromGraph.size >= MAX_CACHED) answeredFromGraph.clear()
    quotes = typeof r.data?.skillId === 'string' && QUOTING_SKILLS.has(r.data.skillId)
    answeredFromGraph.set(result, quotes)
  }
  return quotes
}
/**
 * What agents read of the graph as knowledge, by search or by listing: neither the mesh's bookkeeping
 * ({@link isBookkeeping}) nor answers that only quote the graph ({@link quotesTheGraph}).
 */
export function isKnowledge (e: Pick<Entity, 'kind' | 'tags' | 'title' | 'data'>, get: (id: string) => Pick<Entity, 'data'> | undefined): boolean {
  return !isBookkeeping(e) && !quotesTheGraph(e, get)
}

/**
 * The researcher's skills whose answers are not knowledge to answer from: its answers and its listings
 * (graph-listing.ts) only quote the graph, and its reports on the mesh (mesh-status.ts) say what one
 * tab saw at one moment ("7 agents are online").
 */
const QUOTING_SKILLS = new Set(['graph.answer', 'graph.lookup', 'mesh.status'])
const answeredFromGraph = new Map<string, boolean>()

/**
 * The request a task's verified result answers (a fact tagged `result`, titled "Verified: <request>"),
 * or a mission's solution (tagged `mission`, titled with its request), or undefined for any other
 * entity. Such an entity answers that request only: a mission's solution had been quoted as the answer
 * to "If I drive 450 km and my car uses 6.5 litres per 100 km, how much fuel do I need?" because it
 * converted miles to kilometres.
 */
export function answeredRequest (e: Pick<Entity, 'kind' | 'tags' | 'title'>): string | undefined {
  if (e.kind === 'solution' && (e.tags ?? []).includes('mission') && e.title !== undefined && e.title.trim() !== '' && !/^Mission /.test(e.title)) return e.title.trim()
  if (e.kind !== 'fact' || !(e.tags ?? []).includes('result') || e.title === undefined || isRecordedStatement(e)) return undefined
  const request = e.title.replace(/^Verified: /, '').trim()
  return request === '' ? undefined : request
}

/**
 * An entity as agents see it (`GraphHit` without the score). Its text is its title (if any) and text;
 * a verified result's "<request>: <answer>" (`answers` names the request); a recorded statement's
 * text alone, since its title is only the request that told it ("Result: Remember that ..."); what a
 * person told before a question, the statements alone ({@link toldStatements}).
 */
export function agentView (e: Entity): Omit<GraphHit, 'score'> & { updatedAt: number, createdAt: number } {
  const answers = answeredRequest(e)
  const told = answers === undefined ? toldStatements(e) : undefined
  const text = answers !== undefined ? `${answers}: ${e.text}`
    : told !== undefined ? told.map(x => /[.!?]$/.test(x.trim()) ? x.trim() : `${x.trim()}.`).join(' ')
      : e.title === undefined || isRecordedStatement(e) ? e.text : `${e.title}: ${e.text}`
  return { id: e.id, kind: e.kind, text, status: e.status, confidence: e.confidence, updatedAt: e.provenance.updatedAt, createdAt: e.provenance.createdAt, ...(answers !== undefined ? { answers } : {}) }
}

/**
 * {@link agentView} with the status signatures prove (coord/entity-proof.ts) instead of the written
 * one: anyone in the room can write "verified", so agents (the researcher's "(verified)", the
 * verifier's weighing of evidence) go by what a peer's signed attestation, or a result's signed
 * votes, prove. `get` reads other entities (a result's task thread).
 */
export function provenView (e: Entity, proofs: EntityProofs, get: (id: string) => Entity | undefined): Omit<GraphHit, 'score'> & { updatedAt: number, createdAt: number } {
  const view = agentView(e)
  return claimsStatus(e) ? { ...view, status: proofs.prove(e, get).status } : view
}

/**
 * `ctx.graph.list`: the graph's knowledge (what a search reads: no task bookkeeping, no answers that
 * only quote the graph) by kind and status, newest first. Statuses are the ones signatures prove
 * ({@link provenView}), checked newest first only until `limit` entities are found (a check is
 * ~1.5 ms); a retracted entity is listed only when its status is asked for. A question carries the
 * ids of the live entities that answer it.
 */
export function listKnowledge (graph: Pick<KnowledgeGraph, 'view' | 'get' | 'neighbours'>, proofs: EntityProofs, filter: GraphListFilter): GraphHit[] {
  const get = (id: string): Entity | undefined => graph.get(id)
  const kinds = filter.kind === undefined ? undefined : new Set([filter.kind].flat())
  const statuses = filter.status === undefined ? undefined : new Set([filter.status].flat())
  const limit = filter.limit ?? 50
  const candidates: Array<Readonly<Entity>> = []
  for (const e of graph.view().entities) {
    if (kinds !== undefined && !kinds.has(e.kind)) continue
    if (!isKnowledge(e, get)) continue
    candidates.push(e)
  }
  candidates.sort((a, b) => b.provenance.createdAt - a.provenance.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
  const out: GraphHit[] = []
  for (const e of candidates) {
    if (out.length >= limit) break
    const view = provenView(e as Entity, proofs, get)
    if (statuses === undefined ? view.status === 'retracted' : !statuses.has(view.status)) continue
    out.push(withAnswers(graph, e, { ...view, score: 1 }))
  }
  return out
}

/**
 * A question or a conflict with the ids of the live entities that answer it (edges `answers`): a
 * question's answers, the decision that settles a conflict. Other hits unchanged.
 */
export function withAnswers (graph: Pick<KnowledgeGraph, 'neighbours'>, e: Pick<Entity, 'id' | 'kind'>, hit: GraphHit): GraphHit {
  if (e.kind !== 'question' && e.kind !== 'conflict') return hit
  const answeredBy = graph.neighbours(e.id, { type: 'answers', direction: 'in' }).filter(n => n.entity !== undefined && n.entity.status !== 'retracted').map(n => n.edge.from)
  return { ...hit, answeredBy }
}

/**
 * The host's `ctx.graph.search`: the `k` knowledge entities ({@link isKnowledge}) nearest to `text` by
 * the retriever's scoring, as agents see them ({@link agentView}), with the status signatures prove
 * and, for a question or a conflict, what answers it. The mesh's own bookkeeping (task threads,
 * unverified results) is not knowledge to answer from: a researcher would find the question itself.
 * Verified results become facts, but for the researcher's own answers, which only quote the graph.
 * Statuses are checked against their signatures for what is returned only (a signature check is
 * ~1.5 ms), and for retracted entities before ranking (few), so a retraction written in another's
 * name hides nothing. `retriever` resolves once the embedding model is loaded.
 */
export function knowledgeSearch (graph: Pick<KnowledgeGraph, 'view' | 'peek' | 'get' | 'neighbours'>, proofs: EntityProofs, retriever: () => Promise<GraphRetriever>): (text: string, k: number) => Promise<GraphHit[]> {
  const get = (id: string): Entity | undefined => graph.get(id)
  const peek = (id: string): Readonly<Entity> | undefined => graph.peek(id)
  // An entity's view, kept per entity object: the graph's index replaces an entity's object when it
  // changes (KnowledgeGraph.view), so a kept view is never stale, and reading 10k entities copies none.
  const views = new WeakMap<Readonly<Entity>, ReturnType<typeof agentView>>()
  return async (text, k) => {
    const r = await retriever()
    const entities: Array<ReturnType<typeof agentView>> = []
    for (const x of graph.view().entities) {
      if (!isKnowledge(x, peek)) continue
      if (x.status === 'retracted') {
        entities.push(provenView(x as Entity, proofs, get))
        continue
      }
      let view = views.get(x)
      if (view === undefined) views.set(x, view = agentView(x as Entity))
      entities.push(view)
    }
    const hits = await r.search(text, entities, { k })
    return hits.map(h => {
      const e = graph.get(h.id)
      return e === undefined || e.status === 'retracted' ? h : withAnswers(graph, e, { ...h, status: provenView(e, proofs, get).status })
    })
  }
}
