/**
 * Which statements in the graph a later one replaces. A person tells the room "The standup is at 9:30
 * every weekday", and later "The standup moved to 10:15": both stay in the graph (nothing is
 * deleted, and either may be verified or disputed on its own), but a question about the standup is
 * answered by the later one, with the earlier named as what it replaces. Before, the researcher
 * quoted both as equals, and the person had to work out which was current.
 *
 * Read by patterns alone (no model). A later statement replaces an earlier one when a sentence of
 * each
 * - has the same subject, up to its determiner and word order ("the standup", "our standup"; "our
 *   budget for Q1", "the Q1 budget": `statementParts`),
 * - states a value of the same kind (a time of day, a date, a weekday, an amount of money, a
 *   percentage, a code such as tulip-42, a name, a number), and each states one the other does not,
 * - and says it changed ("moved", "now", "cut to", "postponed", ...), or says nothing else the other
 *   does not ("The relay port is 9091" after "The relay port is 9090").
 * "Alice is the release manager" is read as "the release manager is Alice": "Bob is now the release
 * manager" replaces it. "The relay runs on port 9090" and "The relay was restarted at 14:00" share a
 * subject but no kind of value; "The relay runs on port 9090" and "The relay has 3 replicas" share
 * both but say different things: neither replaces the other.
 */
import type { GraphHit } from '../types.ts'
import { datesIn } from './dates.ts'
import { splitSentences } from './sentences.ts'
import { statementParts, withoutDecisionLabel } from './record-ask.ts'
import { plainWords } from './evidence.ts'
import { terms } from '../../match/score.ts'
import { isValueTerm, sameButFlipped } from './contradiction.ts'

export { isValueTerm }

/** Words that say a value changed. */
const CHANGED = /\b(?:moved|moves|changed|changes|now|no\s+longer|instead|rescheduled|postponed|delayed|pushed(?:\s+back)?|brought\s+forward|switched|updated|renamed|replaced|from\s+now\s+on|going\s+forward|anymore|any\s+more|(?:cut|raised|increased|reduced|lowered|dropped|fell|rose|went\s+(?:up|down)|bumped|extended|shortened)\s+(?:to|by))\b/i
/** "Alice is the release manager", "Bob is now our release manager": a name, then the role it holds. */
const NAME_IN_ROLE = /^((?:\p{Lu}[\p{L}'’-]*\s+){1,3}?)(?:is|are)\s+(?:now\s+)?(?:the|our|their|your|my)\s+(?:new\s+)?([\p{L}][\p{L}\s-]{1,60}?)(?:\s+now)?\s*[.!]?$/u
/** What follows a subject that is a name: "is Bob", "is now Alice Smith", "is Bob now". */
const IS_NAME = /^(?:is|are)\s+(?:now\s+)?((?:\p{Lu}[\p{L}'’-]*)(?:\s+\p{Lu}[\p{L}'’-]*){0,2})(?:\s+now)?\s*[.!]?$/u
const CODE = /(?<![\p{L}\p{N}_-])(?=[\p{L}\p{N}_-]*\p{L})(?=[\p{L}\p{N}_-]*\p{N})[\p{L}\p{N}][\p{L}\p{N}_-]*(?![\p{L}\p{N}_-])/gu
const TIME = /\b(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?(?![a-z])|\b(\d{1,2}):(\d{2})\b/gi
const WEEKDAY = /\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b/gi
const MONEY = /[$€£¥]\s?(\d[\d,]*(?:\.\d+)?)|\b(\d[\d,]*(?:\.\d+)?)\s?(?:dollars|euros|pounds|usd|eur|gbp)\b/gi
const PERCENT = /\b(\d+(?:\.\d+)?)\s?(?:%|percent\b)/gi
const NUMBER = /(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?/g
/** Whether a statement says a value changed ("moved", "now", "no longer", "cut to", ...). */
export function saysChanged (statement: string): boolean {
  return CHANGED.test(statement)
}

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
  take(CODE, (m) => ['code', m[0].toLowerCase()])
  take(NUMBER, (m) => ['number', String(Number(m[0].replace(/,/g, '')))])
  return out
}

/**
 * Whether the statement `later` replaces `earlier` (see the module's comment); both may be several
 * sentences. Also when it says the opposite of it and that something changed ("SSO is now disabled
 * for guest accounts" after "SSO is enabled for guest accounts"), with nothing else said differently.
 */
export function replaces (later: string, earlier: string): boolean {
  return readReplaces(read(later), read(earlier))
}

/** A statement read once for {@link readReplaces}. */
interface Read { text: string, readings: Reading[], changed: boolean }

function read (text: string): Read {
  return { text, readings: readings(text), changed: saysChanged(text) }
}

/** The rule of {@link replaces}, on statements read once. */
function readReplaces (later: Read, earlier: Read): boolean {
  return readingsReplace(later.readings, earlier.readings) || (later.changed && sameButFlipped(later.text, earlier.text) !== undefined)
}

/**
 * Why `earlier`, a statement the graph already holds, is in conflict with `later` ("says the opposite
 * (one of them is negated)", "says "enabled" where this statement says "disabled""), or undefined when
 * it is not. They must say the same thing apart from the flip (contradiction.ts, `sameButFlipped`), and
 * the later must not say that something changed or replace the earlier: "The login bug is not caused
 * by the cache TTL." against "The login bug is caused by the cache TTL." is a conflict; "SSO is now
 * disabled" after "SSO is enabled", or "The relay port is 9091" after "... 9090", an update.
 */
export function statementConflict (later: string, earlier: string): string | undefined {
  // Said to have changed, a flip replaces; otherwise only other values can (and the flip is read once).
  if (saysChanged(later) || readingsReplace(readings(later), readings(earlier))) return undefined
  return sameButFlipped(later, earlier)
}

/** A sentence read for comparing: its subject (its terms, sorted), its values by kind, the other terms it says, and whether it says a value changed. */
interface Reading { subject: string, values: Map<string, Set<string>>, said: Set<string>, changed: boolean }

/** The sentences of a statement that read as a subject and its values. */
function readings (statement: string): Reading[] {
  return splitSentences(statement).flatMap((x) => reading(x) ?? [])
}

function reading (sentence: string): Reading | undefined {
  const t = sentence.trim()
  const changed = CHANGED.test(t)
  const role = NAME_IN_ROLE.exec(t)
  if (role !== null) return { subject: key(role[2]!), values: new Map([['name', new Set([role[1]!.trim().toLowerCase()])]]), said: new Set(), changed }
  const parts = statementParts(t)
  if (parts === undefined) return undefined
  const named = IS_NAME.exec(parts.rest)
  if (named !== null) return { subject: key(parts.subject), values: new Map([['name', new Set([named[1]!.toLowerCase()])]]), said: new Set(), changed }
  const values = valuesByKind(t)
  const skip = new Set(terms(parts.subject))
  const said = new Set(terms(parts.rest).filter((w) => w !== '#' && !skip.has(w) && !isValueTerm(w)))
  for (const code of values.get('code') ?? []) for (const w of terms(code)) said.delete(w)
  return { subject: key(parts.subject), values, said, changed }
}

function key (subject: string): string {
  return [...new Set(terms(subject))].sort().join(' ')
}

function readingsReplace (later: readonly Reading[], earlier: readonly Reading[]): boolean {
  return later.some((a) => earlier.some((b) => readingReplaces(a, b)))
}

function readingReplaces (a: Reading, b: Reading): boolean {
  if (a.subject === '' || a.subject !== b.subject) return false
  const differs = [...a.values].some(([kind, values]) => {
    const others = b.values.get(kind)
    return others !== undefined && [...values].some((v) => !others.has(v)) && [...others].some((v) => !values.has(v))
  })
  if (!differs) return false
  if (a.changed) return true
  return [...a.said].every((w) => b.said.has(w)) || [...b.said].every((w) => a.said.has(w))
}

/**
 * Among `hits`, the ones a later hit replaces: earlier id → the latest hit that replaces it. Only
 * statements count (a task's answer to a request is about that request; a question states nothing),
 * and only with both recording times known. Each hit is read once.
 */
export function replacedBy (hits: readonly GraphHit[]): Map<string, GraphHit> {
  const out = new Map<string, GraphHit>()
  const statements = hits.filter((h) => h.answers === undefined && h.kind !== 'question' && h.createdAt !== undefined)
    .map((hit) => ({ hit, read: read(hit.text) }))
    .filter((x) => x.read.readings.length > 0 || x.read.changed)
  for (const earlier of statements) {
    for (const later of statements) {
      if (later.hit.createdAt! <= earlier.hit.createdAt! || !readReplaces(later.read, earlier.read)) continue
      const known = out.get(earlier.hit.id)
      if (known === undefined || later.hit.createdAt! > known.createdAt!) out.set(earlier.hit.id, later.hit)
    }
  }
  return out
}

/**
 * The words of a statement, to tell when two entities state the same thing: lower case, without
 * punctuation or a decision's label ("Decision: we ship on Friday." and "We ship on Friday").
 */
export function statedWords (text: string): string {
  return plainWords(withoutDecisionLabel(text))
}
