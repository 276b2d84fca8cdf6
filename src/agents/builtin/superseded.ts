/**
 * Which statements in the graph a later one replaces. A person tells the room "The standup is at 9:30
 * every weekday", and later "The standup moved to 10:15": both stay in the graph (nothing is
 * deleted, and either may be verified or disputed on its own), but a question about the standup is
 * answered by the later one, with the earlier named as what it replaces. Before, the researcher
 * quoted both as equals, and the person had to work out which was current.
 *
 * Read by patterns alone (no model). A later statement replaces an earlier one when a sentence of
 * each
 * - has the same subject ("the standup", "our standup": `statementSubject`),
 * - states a value of the same kind (a time of day, a date, a weekday, an amount of money, a
 *   percentage, a number), and each states one the other does not,
 * - and says it changed ("moved", "now", "instead", "postponed", ...), or says nothing else the other
 *   does not ("The relay port is 9091" after "The relay port is 9090").
 * "The relay runs on port 9090" and "The relay was restarted at 14:00" share a subject but no kind of
 * value; "The relay runs on port 9090" and "The relay has 3 replicas" share both but say different
 * things: neither replaces the other.
 */
import type { GraphHit } from '../types.ts'
import { datesIn } from './dates.ts'
import { splitSentences } from './sentences.ts'
import { statementSubject } from './record-ask.ts'
import { terms } from '../../match/score.ts'

/** Words that say a value changed. */
const CHANGED = /\b(?:moved|moves|changed|changes|now|no\s+longer|instead|rescheduled|postponed|delayed|pushed(?:\s+back)?|brought\s+forward|switched|updated|renamed|replaced|from\s+now\s+on|going\s+forward|anymore|any\s+more)\b/i
const TIME = /\b(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?(?![a-z])|\b(\d{1,2}):(\d{2})\b/gi
const WEEKDAY = /\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b/gi
const MONEY = /[$€£¥]\s?(\d[\d,]*(?:\.\d+)?)|\b(\d[\d,]*(?:\.\d+)?)\s?(?:dollars|euros|pounds|usd|eur|gbp)\b/gi
const PERCENT = /\b(\d+(?:\.\d+)?)\s?(?:%|percent\b)/gi
const NUMBER = /(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?/g
/** Words that are values, not what a statement says about its subject. */
const VALUE_WORDS = new Set(['am', 'pm', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'].flatMap((w) => terms(w)))

/** The values a sentence states, by kind ("time" → {"10:15"}), each written one way. */
export function valuesByKind (sentence: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  const add = (kind: string, value: string): void => {
    let set = out.get(kind)
    if (set === undefined) out.set(kind, set = new Set())
    set.add(value)
  }
  let rest = sentence
  const take = (re: RegExp, f: (m: RegExpMatchArray) => [string, string] | undefined): void => {
    for (const m of rest.matchAll(re)) {
      const v = f(m)
      if (v !== undefined) add(v[0], v[1])
    }
    rest = rest.replace(re, ' ')
  }
  try {
    for (const d of datesIn(rest)) {
      add('date', new Date(d.day * 86_400_000).toISOString().slice(0, 10))
      rest = rest.replace(d.text, ' ')
    }
  } catch {
    // A date that does not exist is compared as the numbers it is written with.
  }
  take(TIME, (m) => {
    if (m[4] !== undefined) return ['time', `${Number(m[4])}:${m[5]}`]
    const h = Number(m[1]) % 12 + (m[3]!.toLowerCase() === 'p' ? 12 : 0)
    return Number(m[1]) > 12 ? undefined : ['time', `${h}:${m[2] ?? '00'}`]
  })
  take(WEEKDAY, (m) => ['weekday', m[1]!.toLowerCase()])
  take(MONEY, (m) => ['money', String(Number((m[1] ?? m[2]!).replace(/,/g, '')))])
  take(PERCENT, (m) => ['percent', String(Number(m[1]))])
  take(NUMBER, (m) => ['number', String(Number(m[0].replace(/,/g, '')))])
  return out
}

/** Whether the statement `later` replaces `earlier` (see the module's comment); both may be several sentences. */
export function replaces (later: string, earlier: string): boolean {
  const ours = splitSentences(later)
  const theirs = splitSentences(earlier)
  return ours.some((a) => theirs.some((b) => sentenceReplaces(a, b)))
}

function sentenceReplaces (later: string, earlier: string): boolean {
  const subject = statementSubject(later)
  if (subject === undefined || statementSubject(earlier) !== subject) return false
  const a = valuesByKind(later)
  const b = valuesByKind(earlier)
  const differs = [...a].some(([kind, values]) => {
    const others = b.get(kind)
    return others !== undefined && [...values].some((v) => !others.has(v)) && [...others].some((v) => !values.has(v))
  })
  if (!differs) return false
  if (CHANGED.test(later)) return true
  const skip = new Set(terms(subject))
  const said = (s: string): Set<string> => new Set(terms(s).filter((t) => !/^\p{N}/u.test(t) && t !== '#' && !skip.has(t) && !VALUE_WORDS.has(t)))
  const [x, y] = [said(later), said(earlier)]
  return [...x].every((t) => y.has(t)) || [...y].every((t) => x.has(t))
}

/**
 * Among `hits`, the ones a later hit replaces: earlier id → the latest hit that replaces it. Only
 * statements count (a task's answer to a request is about that request; a question states nothing),
 * and only with both recording times known.
 */
export function replacedBy (hits: readonly GraphHit[]): Map<string, GraphHit> {
  const out = new Map<string, GraphHit>()
  const statements = hits.filter((h) => h.answers === undefined && h.kind !== 'question' && h.createdAt !== undefined)
  for (const earlier of statements) {
    for (const later of statements) {
      if (later.createdAt! <= earlier.createdAt! || !replaces(later.text, earlier.text)) continue
      const known = out.get(earlier.id)
      if (known === undefined || later.createdAt! > known.createdAt!) out.set(earlier.id, later)
    }
  }
  return out
}

/**
 * The words of a statement, to tell when two entities state the same thing: lower case, without
 * punctuation or a decision's label ("Decision: we ship on Friday." and "We ship on Friday").
 */
export function statedWords (text: string): string {
  return text.toLowerCase().replace(/^\s*(?:decision|decided|agreed|resolved|conclusion)\s*[:-]\s*/, '').replace(/[^\p{L}\p{N}]+/gu, ' ').trim()
}
