/**
 * The routing benchmark's labelled corpus (bench/routing/corpus.json): skills as an agent manifest would
 * carry them, and task texts each labelled with the skill that should get it, or `null` when no skill
 * covers it and every agent should abstain.
 *
 * Tasks are split into `dev` (the only texts any tuning may look at) and `test` (held out, reported) by a
 * hash of the normalized text, so the split never depends on file order and a text keeps its side when
 * the corpus grows.
 *
 * Tuning itself splits `dev` once more ({@link devPartOf}): weights are fitted on its `fit` part and
 * thresholds chosen on its `validation` part, so a tuned setting is checked on texts it was not fitted to
 * before `test` is ever measured.
 */
import { fnv1a32 } from '../graph/hash.ts'

export interface CorpusSkill {
  id: string
  agent: string
  name: string
  description: string
  examples: string[]
}

export type Split = 'dev' | 'test'

export interface CorpusTask {
  text: string
  /** Skill id, or null: out of scope, the right answer is to abstain. */
  label: string | null
  split: Split
}

export interface RoutingCorpus {
  skills: CorpusSkill[]
  tasks: CorpusTask[]
}

/** Share of tasks that land in `dev`. */
export const DEV_SHARE = 0.3

/** Lowercased, whitespace-collapsed, trimmed: two texts that differ only in case or spacing are one text. */
export function normalizeText(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim()
}

/** FNV-1a, 32 bits, over UTF-16 code units (the graph's shard hash): stable across runs and platforms. */
export { fnv1a32 as fnv1a } from '../graph/hash.ts'

/** Which side of the split a task text falls on. */
export function splitOf(text: string): Split {
  return fnv1a32(normalizeText(text)) / 2 ** 32 < DEV_SHARE ? 'dev' : 'test'
}

/** The two parts of the dev split: `fit` (weights are fitted on it) and `validation` (thresholds, checks). */
export type DevPart = 'fit' | 'validation'

/** Share of dev texts that land in `validation`. */
export const VALIDATION_SHARE = 0.5

/**
 * Which part of the dev split a dev text falls in: a second hash of the normalized text, salted so that it
 * is independent of {@link splitOf}'s. Meaningless for test texts (they are never tuned on).
 */
export function devPartOf(text: string): DevPart {
  return fnv1a32(`validation:${normalizeText(text)}`) / 2 ** 32 < VALIDATION_SHARE ? 'validation' : 'fit'
}

/**
 * Problems with a corpus, as sentences; empty when it is well-formed. Checks the shape, unique skill ids,
 * labels that name known skills, no duplicate task texts, the recorded split against {@link splitOf}, and
 * that no task text repeats a skill's description or example (that would leak the answer into the index).
 */
export function corpusProblems(corpus: RoutingCorpus): string[] {
  const problems: string[] = []
  const ids = new Set<string>()
  const skillTexts = new Map<string, string>()
  for (const [i, s] of corpus.skills.entries()) {
    if (!s.id || !s.agent || !s.name || !s.description) problems.push(`skills[${i}]: id, agent, name and description are required`)
    if (ids.has(s.id)) problems.push(`skills[${i}]: duplicate id ${s.id}`)
    ids.add(s.id)
    if (!Array.isArray(s.examples) || s.examples.length < 6 || s.examples.length > 10) {
      problems.push(`skills[${i}] (${s.id}): wants 6-10 examples, has ${s.examples?.length ?? 0}`)
    }
    for (const t of [s.description, ...(s.examples ?? [])]) skillTexts.set(normalizeText(t), s.id)
  }
  const seen = new Set<string>()
  for (const [i, t] of corpus.tasks.entries()) {
    const norm = normalizeText(t.text)
    if (!norm) problems.push(`tasks[${i}]: empty text`)
    if (t.label !== null && !ids.has(t.label)) problems.push(`tasks[${i}]: unknown label ${t.label}`)
    if (seen.has(norm)) problems.push(`tasks[${i}]: duplicate text "${t.text}"`)
    seen.add(norm)
    if (skillTexts.has(norm)) problems.push(`tasks[${i}]: "${t.text}" repeats a text of skill ${skillTexts.get(norm)}`)
    if (t.split !== splitOf(t.text)) problems.push(`tasks[${i}]: split ${t.split}, hash says ${splitOf(t.text)}`)
  }
  return problems
}
