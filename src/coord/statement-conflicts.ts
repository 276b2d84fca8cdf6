/**
 * Statements recorded apart that say opposite things.
 *
 * When a person tells the room a statement, the researcher compares it with what the graph holds and,
 * when it says the opposite of a statement there, names that one in `contradicts`; the recorder then
 * raises a conflict (graph-recorder.ts, `statementConflict`). That check only sees what the graph held
 * on the recording tab at the time. Two tabs apart (offline, on the two sides of a partition, or just
 * at the same moment before their graphs synced) could record "The login bug is caused by the cache
 * TTL." and "... is not caused ..." and, once the graphs merged, hold both with no conflict between
 * them: answers quoted whichever ranked higher and never said the room disagreed.
 *
 * This module finds such pairs in a graph: statements (below) that say the same thing apart from a
 * flip, by the researcher's own rule (superseded.ts, `statementConflict`: the later does not say that
 * something changed, and does not replace the earlier), that no conflict and no `contradicts` edge
 * relates yet. The recorder raises a conflict for each, with an id derived from the pair, so every tab
 * that notices the same pair writes the same entity and the copies collapse into one.
 *
 * Statements are
 * - results of the researcher's recording skill (`data.result.output.recorded`, a string),
 * - facts and hypotheses a person added in the graph explorer (provenance agent `person`),
 * never decisions (a decision settles or overrules, it does not raise conflicts: researcher.ts,
 * `decide`), nothing retracted, and not the facts verification derives from results (their result
 * stands for them).
 */
import type { Entity, JsonObject } from '../graph/schema.ts'
import { sha256Hex } from '../graph/hash.ts'
import { CONFLICTING_STATEMENTS, conflictingIds, flipWords, isNegated, statementTerms } from '../agents/builtin/contradiction.ts'
import { statementConflict } from '../agents/builtin/superseded.ts'
import { statesDecision } from '../agents/builtin/record-ask.ts'

/** The provenance agent of what a person adds in the graph explorer (app/graph-boot.ts opens the graph under it). */
export const PERSON_AGENT = 'person'

/** A statement as the check reads it. */
export interface Statement {
  id: string
  /** What it states (a recorded result's statement, not its whole text). */
  text: string
  /** When it was recorded (provenance). */
  at: number
  /** The peer that recorded it. */
  peerId: string
}

/** Two statements recorded apart that say opposite things: `later` was recorded after `earlier`. */
export interface ApartConflict {
  id: string
  later: Statement
  earlier: Statement
  /** Why they are opposite (contradiction.ts): "says the opposite (one of them is negated)", ... */
  why: string
  /** What one says that the other does not (terms besides any flip, and values): the nearest pairs are raised first. */
  distance: number
}

/**
 * A statement raises conflicts with at most this many others, the nearest: in a graph of many
 * statements alike ("Entity 7: an observation about subsystem 7 ..."), a rule that reads words, not
 * meaning, would otherwise flood the room with conflicts over one negated statement.
 */
export const MAX_OPPOSITES = 3

/** The nearest {@link MAX_OPPOSITES} of one statement's opposite pairs. */
export function nearest (pairs: readonly ApartConflict[]): ApartConflict[] {
  return [...pairs].sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, MAX_OPPOSITES)
}

type Readable = Pick<Readonly<Entity>, 'id' | 'kind' | 'text' | 'status' | 'provenance' | 'data' | 'tags'>

/** The statement an entity states, or undefined when it states none the check reads (above). */
export function statementOf (e: Readable): Statement | undefined {
  if (e.status === 'retracted' || (e.kind !== 'fact' && e.kind !== 'hypothesis')) return undefined
  let text: string | undefined
  if (e.id.startsWith('result:')) {
    const result = e.data?.result
    const output = result !== null && typeof result === 'object' && !Array.isArray(result) ? (result as JsonObject).output : undefined
    const recorded = output !== null && typeof output === 'object' && !Array.isArray(output) ? (output as JsonObject).recorded : undefined
    if (typeof recorded === 'string') text = recorded
  } else if (e.provenance.agentId === PERSON_AGENT && !recordedByMesh(e)) {
    text = e.text
  }
  if (text === undefined) return undefined
  text = text.trim()
  if (text === '' || statesDecision(text)) return undefined
  return { id: e.id, text, at: e.provenance.createdAt, peerId: e.provenance.peerId }
}

/** Tags of the facts the mesh's recorder writes under the tab's actor (a person's): not what a person said. */
const MESH_TAGS = new Set(['result', 'verified', 'reputation', 'consultation', 'answer'])

/**
 * Whether a fact was written by the mesh's recorder, which writes under the tab's actor: a verified
 * result's fact (`data.result`), a reputation fact, a consultation's answer (coord/graph-recorder.ts).
 */
function recordedByMesh (e: Readable): boolean {
  return (e.tags ?? []).some((t) => MESH_TAGS.has(t)) || e.data?.result !== undefined || e.data?.taskId !== undefined
}

/** The conflict id for a pair of statements: the same on every tab, whichever noticed it. */
export function apartConflictId (a: string, b: string): string {
  const [x, y] = a < b ? [a, b] : [b, a]
  return `conflict:${sha256Hex(`statements\n${x}\n${y}`, 32)}`
}

/** The text of the conflict entity: the opening researcher.ts reads (contradiction.ts `conflictingIds`). */
export function apartConflictText (c: Pick<ApartConflict, 'later' | 'earlier'>, clip: (s: string, n: number) => string): string {
  return `${CONFLICTING_STATEMENTS}"${clip(c.later.text, 600)}" [${c.later.id}] says the opposite of "${clip(c.earlier.text, 600)}" [${c.earlier.id}]. Noticed once both were in one graph: the later was recorded where the earlier was not known (apart, or before the graphs synced).`
}

function pairKey (a: string, b: string): string {
  return a < b ? `${a}\n${b}` : `${b}\n${a}`
}

/**
 * The pairs a graph already relates: statements named by one conflict (data `statements`, or the ids
 * its text names, retracted conflicts too: a retracted conflict was settled), and the two ends of a
 * `contradicts` edge. A fact derived from a result counts as that result.
 */
export function relatedPairs (entities: Iterable<Readable>, edges: Iterable<{ from: string, type: string, to: string, retracted?: boolean }>, entity: (id: string) => Readable | undefined): Set<string> {
  const asStatement = (id: string): string => {
    const e = entity(id)
    const r = e?.kind === 'fact' ? e.data?.result : undefined
    return typeof r === 'string' && r.startsWith('result:') ? r : id
  }
  const out = new Set<string>()
  for (const e of entities) {
    if (e.kind !== 'conflict') continue
    const listed = e.data?.statements
    const ids = [...new Set((Array.isArray(listed) ? listed.filter((x): x is string => typeof x === 'string') : conflictingIds(e.text)).map(asStatement))]
    for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) out.add(pairKey(ids[i]!, ids[j]!))
  }
  for (const edge of edges) {
    if (edge.type === 'contradicts') out.add(pairKey(asStatement(edge.from), asStatement(edge.to)))
  }
  return out
}

/**
 * The statements of a graph, kept up to date one statement at a time, and indexed so that finding the
 * statements one could be the flip of costs little. Every opposite pair holds a negated statement or
 * one with a word that has an opposite (contradiction.ts), so a statement is only compared with
 * - the statements negated the other way from it (only the negated ones when it is not negated: they
 *   are few in any room),
 * - those with an opposite of one of its words,
 * and of those, only the ones whose terms besides any flip (contradiction.ts `statementTerms`, 5-30 µs a
 * statement, computed when first needed and kept) are within its own or hold all of its own, before
 * the researcher's rule itself (superseded.ts `statementConflict`) is asked.
 */
export class StatementIndex {
  readonly #entries = new Map<string, Entry>()
  readonly #negated = new Set<string>()
  readonly #plain = new Set<string>()
  readonly #byWord = new Map<string, Set<string>>()

  get size (): number {
    return this.#entries.size
  }

  has (id: string): boolean {
    return this.#entries.has(id)
  }

  /** Adds a statement, or updates it (what it says read again only when its text changed). */
  put (s: Statement): void {
    const held = this.#entries.get(s.id)
    if (held !== undefined && held.s.text === s.text) { held.s = s; return }
    if (held !== undefined) this.remove(s.id)
    const negated = isNegated(s.text)
    const flips = flipWords(s.text)
    this.#entries.set(s.id, { s, negated, flips })
    ;(negated ? this.#negated : this.#plain).add(s.id)
    for (const { word } of flips) {
      let set = this.#byWord.get(word)
      if (set === undefined) this.#byWord.set(word, set = new Set())
      set.add(s.id)
    }
  }

  remove (id: string): void {
    const held = this.#entries.get(id)
    if (held === undefined) return
    this.#entries.delete(id)
    this.#negated.delete(id)
    this.#plain.delete(id)
    for (const { word } of held.flips) {
      const set = this.#byWord.get(word)
      set?.delete(id)
      if (set?.size === 0) this.#byWord.delete(word)
    }
  }

  /** The statement held under `id`. */
  get (id: string): Statement | undefined {
    return this.#entries.get(id)?.s
  }

  /** The statements that say the opposite of the one held under `id`, each as a pair (later first), the {@link nearest} ones. */
  opposites (id: string): ApartConflict[] {
    const out: ApartConflict[] = []
    for (const c of this.scan(id)) if (c !== undefined) out.push(c)
    return nearest(out)
  }

  /**
   * Every opposite pair of the statement, one candidate at a time: yields each pair found, and `undefined` after each
   * candidate that is none, so a caller can stop for the page when its time is up and go on later.
   * The index must not change while a scan is under way.
   */
  * scan (id: string): Generator<ApartConflict | undefined> {
    const entry = this.#entries.get(id)
    if (entry === undefined) return
    const ids = new Set<string>(entry.negated ? this.#plain : this.#negated)
    for (const { opposites } of entry.flips) for (const w of opposites) for (const other of this.#byWord.get(w) ?? []) ids.add(other)
    ids.delete(id)
    if (ids.size === 0) return
    const own = termsOf(entry)
    if (own.said.size === 0) return
    for (const otherId of ids) {
      const other = this.#entries.get(otherId)!
      const theirs = termsOf(other)
      const [short, long] = own.said.size <= theirs.said.size ? [own.said, theirs.said] : [theirs.said, own.said]
      if (short.size === 0 || ![...short].every((t) => long.has(t))) { yield undefined; continue }
      const [later, earlier] = other.s.at > entry.s.at || (other.s.at === entry.s.at && other.s.id > entry.s.id) ? [other.s, entry.s] : [entry.s, other.s]
      const why = statementConflict(later.text, earlier.text)
      // Nearest: the fewest words and values one says that the other does not.
      const values = [...own.values].filter((v) => !theirs.values.has(v)).length + [...theirs.values].filter((v) => !own.values.has(v)).length
      yield why === undefined ? undefined : { id: apartConflictId(later.id, earlier.id), later, earlier, why, distance: long.size - short.size + values }
    }
  }

  /**
   * The opposite pairs the statements held under `fresh` form with any statement, leaving out those
   * `related` already holds; each pair once.
   */
  unraised (fresh: Iterable<string>, related: ReadonlySet<string>): ApartConflict[] {
    return unraised([...fresh].flatMap((id) => this.opposites(id)), related)
  }
}

interface Terms { text: string, said: Set<string>, values: Set<string> }
interface Entry { s: Statement, negated: boolean, flips: ReturnType<typeof flipWords>, terms?: Terms }

function termsOf (e: Entry): Terms {
  if (e.terms?.text !== e.s.text) e.terms = { text: e.s.text, ...statementTerms(e.s.text) }
  return e.terms
}

/** Each pair of `pairs` once, leaving out those `related` (from {@link relatedPairs}) already holds. */
export function unraised (pairs: Iterable<ApartConflict>, related: ReadonlySet<string>): ApartConflict[] {
  const seen = new Set<string>()
  const out: ApartConflict[] = []
  for (const c of pairs) {
    if (seen.has(c.id) || related.has(pairKey(c.later.id, c.earlier.id))) continue
    seen.add(c.id)
    out.push(c)
  }
  return out
}
