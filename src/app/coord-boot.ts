/**
 * Starts a tab's share of the leaderless coordination (src/coord): the engine over a signed-byte
 * room channel, bidding with this tab's agents through on-device matching, running awarded tasks
 * in the agent runtime, and recording what happens in the room's knowledge graph.
 *
 * Bidding policy (this tab's): a top-level request that splits into several parts goes to the
 * planner (only the planner bids on it), so that it becomes a mission; subtasks and single-part
 * requests go to the best-matching agents above the abstain threshold, never to the planner. The
 * verifier checks results for the mesh; it bids on a task only when the task asks for a check
 * ("verify", "is it true", "fact-check"...), since "what does the graph say about X" is close to
 * its skill in words but is a researcher's question.
 */
import type { PrivateKey } from '@libp2p/interface'
import { DATE_LOOKUP_PART, IMPERATIVE, OPERATION_ON_RESULT, planByRules } from '../agents/builtin/planner.ts'
import { asksForOverview, judgeAsked, statementToRecord, toldBeforeQuestion } from '../agents/builtin/researcher.ts'
import { asksForListing } from '../agents/builtin/graph-listing.ts'
import { instructionOf } from '../agents/builtin/payload.ts'
import { asksToCount } from '../agents/builtin/text-counts.ts'
import { asksToTransform } from '../agents/builtin/text-transforms.ts'
import { SUMMARY_INTENT } from '../agents/builtin/summariser.ts'
import { codeIn } from '../agents/builtin/code-in-text.ts'
import { numberWordsToDigits } from '../agents/builtin/number-words.ts'
import { asksAge, asksDateOffset, asksLeapYear, asksSpanEnd, asksTheClock, asksWeekday, countsDays } from '../agents/builtin/dates.ts'
import { asksClockArithmetic } from '../agents/builtin/clock-times.ts'
import { asksTimeZone } from '../agents/builtin/time-zones.ts'
import { asksGeometry, asksShare } from '../agents/builtin/math.ts'
import { baseConversion } from '../agents/builtin/number-bases.ts'
import { tellsCalculatorStory } from '../agents/builtin/stories.ts'
import { convertsMoney } from '../agents/builtin/currency.ts'
import { eachOfNamed, namedOperands, standsBy, statedCount, toldMomentAsked, valueStatedBy, type NamedOperand } from '../agents/builtin/named-values.ts'
import type { AgentHost, AgentMatch, AgentView } from '../agents/host.ts'
import { AgentRunError, type AgentTask, type GraphHit } from '../agents/types.ts'
import { createCoordEngine, type CoordEngine } from '../coord/engine.ts'
import { decisionToRecord, questionToRecord, statementToForget, topicAsked } from '../agents/builtin/record-ask.ts'
import { meshAsked, MESH_SKILL } from '../agents/builtin/mesh-status.ts'
import { createGraphRecorder, type GraphRecorder } from '../coord/graph-recorder.ts'
import { createRecordJournal, journalKey, type JournalStorage, type RecordJournal, type SweepResult } from '../coord/record-journal.ts'
import { catchUpFromGraph, followGraph } from '../coord/catch-up.ts'
import type { BidHints, BidOffer, CoordTransport } from '../coord/interfaces.ts'
import { answerMeshQuestions } from './mesh-answers.ts'
import type { Offer } from './mesh-view.ts'
import { signerFor } from '../coord/signing.ts'
import type { MeshNode } from '../net/mesh-node.ts'
import type { OpenGraph } from './graph-boot.ts'

/** Words that ask for a summary (summariser.ts): only then does the summariser bid. */
export { SUMMARY_INTENT }
/** Below this calibrated confidence an agent does not bid (the abstain rule). */
export const MIN_BID_CONFIDENCE = 0.45
/** How sure the planner is that a multi-part request is its job. */
const PLANNER_CONFIDENCE = 0.95
/**
 * Words that ask for a check: only then does the verifier bid on a task. Tested on the instruction
 * (payload.ts), which of "Check: 17 times 23 is 391" is the bare "Check": nobody bid on it before.
 */
export const CHECK_INTENT = /\b(verify|verif(y|ies|ied)|fact[- ]?check|is it (true|correct|right)|true or false|double[- ]check|confirm|check (that|whether|if)|check (this|the|that|my|our) (claim|statement|fact|assertion|answer|figure|result)s?|is this (true|correct|right)|accurate)\b|^\s*(check|verify)\s*:|^\s*(?:please\s+)?(?:check|verify|fact[- ]?check|double[- ]check)\s*[:.!]?\s*$/i
/**
 * A check with something for the calculator to compute: an operator between numbers, a percentage,
 * a whole-number property, or a quantity said to equal another ("5 miles is 8.05 km"). Without one
 * ("Is it true that the beta launches on March 3, 2027?") the calculator could only fail it, and the
 * check is the verifier's.
 */
export const CHECK_ARITHMETIC = /\d\s*[-+*/^×÷x]\s*[\d(.]|\d\s*(?:%|percent\b|per\s*cent\b)|\b(?:prime|divisible|even|odd|perfect\s+(?:square|cube)|factor|multiple)\b|\d(?:\.\d+)?\s*[a-z°µ/]+\s+(?:is|are|=|equals|makes|in)\s+(?:about\s+|roughly\s+|approximately\s+)?\d/i
/**
 * How sure the verifier is that a request asking for a check is its job, whatever the words of the
 * claim match ("the beta launches on March 3, 2027" matches the calculator's dates skill better, and
 * the researcher would answer it rather than check it). An explicit ask, as the planner's 0.95 is.
 */
const CHECK_CONFIDENCE = 0.9
/**
 * A computation written out: an operator between numbers (in symbols or words), a factorial, a
 * greatest common divisor or least common multiple, a power, a root or logarithm of a number, a
 * percentage of one. Tested with numbers in words as digits ("thirty plus twelve"). The calculator
 * bids at least {@link COMPUTE_CONFIDENCE} on these.
 */
const MATH_EXPRESSION = /\d\s*[-+*/^×÷]\s*[\d(.]|\d\s*!|\d\s+(?:plus|minus|times|multiplied\s+by|divided\s+by)\s+\d|\d\s+factorial\b|\bfactorial\s+(?:of\s+)?\d|\b(?:gcd|lcm|hcf|gcf|greatest\s+common\s+(?:divisor|factor)|highest\s+common\s+factor|(?:least|lowest)\s+common\s+multiple)\s+(?:of\s+)?\d|\bto\s+the\s+(?:power\s+of\s+|\d+(?:st|nd|rd|th)\s+power)|\b(?:square|cube)\s+root\s+of\s+\d|\blog(?:arithm)?\s+(?:base\s+\d+\s+)?of\s+\d|\d\s*(?:%|percent)\s+of\s+[$€£]?\d|\d\s*(?:%|percent)\s+(?:off\s+(?:of\s+)?[$€£]?\d|(?:more|less|higher|lower)\s+than\s+[$€£]?\d)|\d\s+(?:with|at|less|minus)\s+(?:a\s+)?\d+(?:\.\d+)?\s*(?:%|percent)\s+(?:off|discount)\b|\bwhat\s+(?:percent(?:age)?|%)\s+of\s+[$€£]?\d|\d\s+(?:thirds|quarters|fourths|fifths|sixths|sevenths|eighths|ninths|tenths)\s+of\s+[$€£]?\d|\b(?:a|one)\s+(?:third|quarter|fourth|fifth|sixth|tenth)\s+of\s+[$€£]?\d|\d\s*,?\s*rounded\s+(?:down|up)\b|\d\s+(?:as\s+a\s+fraction|(?:in|to)\s+(?:lowest|simplest)\s+(?:terms|form))/i
const COMPUTE_CONFIDENCE = 0.6
/** The researcher's bid on a request for an overview of the graph. */
const OVERVIEW_CONFIDENCE = 0.7
/** The researcher's bid on a statement the person tells the room to record ("Remember that ..."). */
const RECORD_CONFIDENCE = 0.9
/** The researcher's skills: recording a statement, answering from the graph (manifests.ts). */
const RECORD_SKILL = 'graph.record'
const ANSWER_SKILL = 'graph.answer'
/**
 * A request to run something: with code in it (`codeIn`), the js-runner bids at least {@link COMPUTE_CONFIDENCE}.
 * Asking what code returns or prints is asking to run it: "What does this code return: Math.max(...[3, 9, 2])"
 * went unassigned.
 */
export const RUN_INTENT = /\b(?:run|execute|evaluate\s+(?:this|the\s+following)\s+(?:javascript|js|code|script))\b|\bwhat\s+(?:does|do|would|will)\b[^?:]*\b(?:return|print|output|log|produce|evaluate\s+to)\b|\b(?:output|result|return\s+value)\s+of\s+(?:this|the\s+following|the)\s+(?:javascript|js|code|snippet|script|function|expression)\b/i
/** Whether `text` writes out a computation ({@link MATH_EXPRESSION}), numbers in words included. */
export const writesOutComputation = (text: string): boolean => {
  const digits = numberWordsToDigits(text)
  return MATH_EXPRESSION.test(digits) || INCOMPLETE_EXPRESSION.test(digits)
}
/** An operation between an amount and a number, or on an amount: "$1,000 minus $12,500", "1000 divided by 4", "double $1,000", "split $1,000 ...". */
const OPERATES = /\d\s*(?:[-+*/×÷]|plus|minus|times|divided\s+by|multiplied\s+by|less|over)\s*[$€£]?\d|\b(?:double|halve|triple|half\s+of|a\s+(?:third|quarter)\s+of|split|divide|share)\s+[$€£]?\d/i

/** Whether a request asks a time-zone question about a moment it told first ("Our standup is at 9:30am New York time. What time is that in Berlin?"). */
function asksToldMoment (text: string): boolean {
  const told = toldMomentAsked(text)
  return told !== undefined && asksTimeZone(told.text)
}

/**
 * A name a request computes with, and whether it is read as an amount ("10% of the Q1 budget"), a
 * moment ("the client demo in New York", "days until the launch") or a group's size ("each person on
 * our team").
 */
export type NamedUse = NamedOperand & { as: 'amount' | 'moment' | 'count' }

/**
 * The names a request computes with ("What is 10% of the Q1 budget?", "How much of the Q1 budget is
 * left if we spend $12,500?", "What time is the client demo in New York?"): read as an amount or as a
 * moment, the request is a computation the calculator reads. Whether the room's graph states a value
 * for one is the bid's question (the calculator looks it up, calculator.ts).
 */
export function computesWithNamed (asks: string): NamedUse[] {
  if (asks.length > 400) return []
  return namedOperands(asks).flatMap((o): NamedUse[] => {
    // "If each person on our team gets a $250 bonus, how much is that in total?" (the team's size stated).
    const each = eachOfNamed(asks, o.phrase)
    if (each !== undefined && tellsCalculatorStory(asks.replace(each.span, 'each of the 8 people'))) return [{ ...o, as: 'count' }]
    // An amount, or one a period ("The office rent is $4,500 a month": "How much is the office rent for a year?").
    const amounts = ['1000', '$1,000', '$1,000 a month'].map(v => asks.replace(o.phrase, v))
    if (amounts.some(a => writesOutComputation(a) || OPERATES.test(a) || tellsCalculatorStory(a))) return [{ ...o, as: 'amount' }]
    if (asksTimeZone(asks.replace(o.phrase, '3pm UTC'))) return [{ ...o, as: 'moment' }]
    // "How many days until the launch?", "What day of the week is the launch?" (the launch dated in the graph).
    const dated = asks.replace(o.phrase, '3 March 2027')
    return countsDays(dated) || asksWeekday(dated) || asksDateOffset(dated) ? [{ ...o, as: 'moment' }] : []
  })
}

/** An expression cut short ("What is 3 + ?", "7 times"): the calculator's, which says what is missing; no fact answers it. */
const INCOMPLETE_EXPRESSION = /\d\s*(?:[-+*/^×÷]|\b(?:plus|minus|times|multiplied\s+by|divided\s+by))\s*[?.!]?\s*$/i
/**
 * A request about what the room knows ("what do we know about ...", "according to our notes",
 * "the knowledge graph"): the researcher answers it even when the graph holds nothing on it.
 */
export const ABOUT_THE_ROOM = /\b(?:we|our|us|the\s+(?:knowledge\s+)?graph|the\s+room|the\s+mesh|notes?|recorded|on\s+record|knowledge\s+base)\b/i
/** A question about what the room decided or recorded: the researcher's, even when the graph has nothing on it. */
export const ASKS_THE_RECORD = /\b(?:decided|decide|decision|decisions|agreed|recorded|on\s+record|noted|written\s+down)\b/i
/** Matches considered per task. */
const CANDIDATES = 4
/**
 * Built-in kinds that take only some tasks, whatever matching says: the rest they could only refuse.
 * The planner takes the multi-part requests its rules find (its own path in `bid`), nothing else.
 */
const TAKES: Readonly<Record<string, (asks: string, task: AgentTask, counts: () => boolean, rewrites: () => boolean, names: () => readonly NamedOperand[]) => boolean>> = {
  planner: () => false,
  verifier: asks => CHECK_INTENT.test(asks),
  calculator: (asks, task, counts, rewrites, names) => (!CHECK_INTENT.test(asks) || CHECK_ARITHMETIC.test(asks)) && (mayCompute(asks, task) || names().length > 0) && !counts() && !rewrites(),
  // It summarises, counts in a text it is given ("How many words are in this: ..."), and rewrites one
  // ("Sort these words alphabetically: ...", "Reverse the word 'meshwork'").
  summariser: (asks, _task, counts, rewrites) => SUMMARY_INTENT.test(asks) || counts() || rewrites(),
  // It runs the code a task carries.
  'js-runner': (_asks, task) => codeIn(task) !== undefined
}
/** Words that give the calculator something to work with when no number does: units, constants, amounts. */
const COMPUTABLE_WORDS = /\b(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|miles?|kilomet(?:er|re)s?|km|met(?:er|re)s?|centimet(?:er|re)s?|feet|foot|inch(?:es)?|yards?|pounds?|ounces?|grams?|kilograms?|kilos?|lit(?:er|re)s?|gallons?|celsius|fahrenheit|kelvin|mph|pi|percent|dozen|pair|primes?)\b/i

/**
 * Whether the calculator has anything to compute in a request: a number (also in words), a unit or
 * constant, the clock or a date; a mission's part may work on the results before it. "Who decided
 * the launch date?" matched its date skill's words, and it bid and failed ("found no expression").
 */
export function mayCompute (asks: string, task: Pick<AgentTask, 'id' | 'text'>): boolean {
  return task.id.includes('/') || /\d/.test(numberWordsToDigits(asks)) || COMPUTABLE_WORDS.test(asks) || asksTheClock(asks) || asksWeekday(asks) || asksTimeZone(asks) || asksClockArithmetic(asks) ||
    (LIST_OPERATION.test(asks) && /\d/.test(task.text))
}
/**
 * An operation on a list of numbers that the request gives as its material ("Sort these numbers: 5, 3,
 * 9, 1": the numbers are the payload, not the instruction, and the calculator did not bid).
 */
const LIST_OPERATION = /\b(?:sort|order|rank|arrange|average|mean|median|mode|sum|add\s+up|total|maximum|minimum|max|min|largest|smallest|biggest|highest|lowest|range|standard\s+deviation|variance)\b/i

/**
 * A question (not a check): the researcher also bids when the graph holds an entity this relevant to
 * it. Asked with a question mark or a question word, or as a request to find something out ("Find
 * out when the beta launches", "Look up the relay's port", "Tell me who owns the launch", "Find the
 * relay port": the first part of "Find the relay port and double it", which nobody bid on; "Give me three facts about the staging relay", which was recorded as a statement).
 */
export const QUESTION = /\?\s*$|^(?:(?:please|can\s+you|could\s+you)\s+)?(?:who|whom|whose|what|when|where|which|why|how|find\s+out|find\s+(?:the|our|my|when|where|who|which|what|how|whether)|get\s+(?:me\s+)?(?:the|our)|look\s+up|tell\s+me|remind\s+me|(?:give|show)\s+(?:me|us)\s+(?:(?:a\s+few|some|all|any|the|\d+|two|three|four|five)\s+)?(?:facts|things|details|everything|what)\b|figure\s+out|do\s+we\s+know|does\s+anyone\s+know)\b/i
/** Relevance (researcher.ts `judgeAsked`) of the best graph entity above which the researcher bids on a question. */
export const ANSWERABLE_RELEVANCE = 0.45
/** Relevance at which a question in the graph is the one asked, in other words at most. */
export const SAME_QUESTION = 0.8
/** This tab's available agents are re-read when the host reports a change, else at most this often (every tab bids on every task). */
const AVAILABLE_MAX_AGE_MS = 100

export interface StartedCoord {
  engine: CoordEngine
  /** Who in the room would bid on a request, and how high, each tab's agents by the bid rules as this tab sees them. */
  wouldBid: (request: string) => Promise<Offer[]>
  recorder: GraphRecorder
  journal: RecordJournal
  /** Adopts this room's departed peers' journals now (record-journal.ts); `minAgeMs` as in SweepOptions (default 60 s). */
  sweepJournals: (options?: { minAgeMs?: number }) => SweepResult
  close: () => void
}

/** How often a tab looks for journals of this room's peers that went away (crashed, or closed while the room stayed open). */
const JOURNAL_SWEEP_MS = 30_000

export function coordTransport (node: MeshNode): CoordTransport & { close: () => void } {
  const listeners = new Set<(envelope: Uint8Array, fromPeer?: string) => void>()
  const channel = node.openChannel('coord', (data, from) => {
    // Only peers of our room (hello matched) take part; anything else is dropped and counted.
    if (!node.isRoomPeer(from)) { node.report('coord', 'not-room-peer', `dropped a coordination message from ${from.slice(-8)}, not a peer of this room`, from); return }
    for (const fn of listeners) fn(data, from)
  })
  return {
    publish: data => { channel.publish(data) },
    onMessage: fn => { listeners.add(fn); return () => { listeners.delete(fn) } },
    peers: () => node.peerIds(),
    onPeerLeave: fn => node.on('peer:leave', e => { fn(e.peerId) }),
    close: () => { channel.close() }
  }
}

/**
 * `localStorage`, or, where the page may not use it (storage disabled, a sandboxed frame: reading
 * the property throws), a storage that keeps nothing: reported once, and the tab records as before.
 */
function webStorage (node: MeshNode): JournalStorage {
  try {
    const s = localStorage
    s.getItem('meshwork:probe')
    return s
  } catch (err) {
    node.report('coord', 'journal-failed', `no localStorage (${(err as Error).message}); records the graph recorder still holds are lost if this page goes away`)
    return { getItem: () => null, setItem: () => {}, removeItem: () => {} }
  }
}

export function startCoord (node: MeshNode, privateKey: PrivateKey, opened: OpenGraph, host: AgentHost): StartedCoord {
  const transport = coordTransport(node)
  /** This tab's agents that can take a task now (re-read at most every 100 ms: a burst of announcements shares one read). */
  let availableNow: AgentView[] | undefined
  let availableAt = 0
  const available = (): AgentView[] => {
    const now = Date.now()
    if (availableNow === undefined || now - availableAt > AVAILABLE_MAX_AGE_MS) {
      availableNow = host.list().filter(a => a.local && (a.state === 'idle' || a.state === 'working'))
      availableAt = now
    }
    return availableNow
  }
  const offHost = host.on('change', () => { availableNow = undefined })
  let engineRef: CoordEngine | undefined
  const recorder = createGraphRecorder(opened.graph, {
    // One graph change per second at most: every change is synced to (and applied by) every tab, and
    // that work on busy main threads delayed bids. bench:coord, 5 tabs, 100 sequential tasks: award
    // p50/p95 65/152 ms at 50 ms, 45/116 at 250 ms, 28-33/92-130 at 1 s; 1,248 → 1,556 tasks/min.
    // The graph then trails the engine by up to a second (the UI reads task states from the engine).
    flushMs: 1000,
    // Busy (a flush of 60+ ops, ~10 tasks): every 8 s. Much of a change's cost on every tab is per
    // change, not per op (sync to every peer, storage, patches): bench:coord throughput at 5 tabs,
    // paired runs in one room, 2,125 → 2,814 and 3,075 → 3,751 tasks/min from 1 s to 3 s; 3,259 →
    // 3,879 and 3,144 → 3,612 from 3 s to 8 s (Chromium CPU per task 33 → 26 ms); 15 s gained nothing more.
    busyFlushMs: 8000,
    onReputation: r => {
      host.setReputation(r.agentId, r.skillId, {
        factor: r.factor,
        successes: r.record.successes,
        failures: r.record.failures,
        verified: r.record.verified,
        disputed: r.record.disputed,
        latencyMs: Math.round(r.record.latencyEwmaMs)
      })
    },
    onProblem: message => { node.report('coord', 'record-failed', message) },
    // Partition merges, tasks that ended while this tab was away, results it missed.
    ...followGraph(() => ({ engine: engineRef, recorder }))
  })

  // One pass over the registry per announcement: this runs on every tab for every task.
  const bid = async (task: AgentTask, hints?: BidHints): Promise<BidOffer[]> => await offersOf(available(), true, task, hints)

  /**
   * The offers `mine`, one tab's agents, make for `task` by the bid rules: this tab's bid when `local`;
   * else what another tab would bid with its agents as this tab sees them (its graph is the room's),
   * for "Who can ...?" ({@link wouldBid}). `capability`: the task is a capability asked about ("run
   * JavaScript", "sort a list of words"), not a request with its material, so no kind's gate (TAKES)
   * keeps its agents from bidding by their skill words for lacking the code or the words; the rules
   * that read what the request asks for (the clock, a check) hold.
   */
  const offersOf = async (mine: AgentView[], local: boolean, task: AgentTask, hints?: BidHints, capability = false): Promise<BidOffer[]> => {
    // This tab's agents are matched among themselves; another tab's among all, then kept to its own.
    const matchMine = async (text: string, k: number, minConfidence: number): Promise<AgentMatch[]> => {
      if (local) return await host.match(text, k, { localOnly: true, minConfidence })
      const ids = new Set(mine.map(a => a.agentId))
      return (await host.match(text, Math.max(k, host.list().length), { minConfidence })).filter(m => ids.has(m.agentId)).slice(0, k)
    }
    // Judged on what the task asks, not on its material: "Summarise: <a passage about WebRTC>" is a
    // summary whatever the passage is about (payload.ts).
    const asks = instructionOf(task.text, IMPERATIVE)
    // A handoff named one of our agents: it bids with its best skill for the task (at least at the
    // abstain threshold: the agent that handed off chose it), and wins if it is still here.
    const named = hints?.preferred !== undefined ? mine.find(a => a.agentId === hints.preferred) : undefined
    if (named !== undefined) {
      const all = await matchMine(asks, mine.length, 0)
      const m = all.find(x => x.agentId === named.agentId)
      const skillId = m?.skillId ?? named.manifest.skills[0]?.id
      if (skillId !== undefined) return [{ agentId: named.agentId, skillId, confidence: Math.max(MIN_BID_CONFIDENCE, m?.confidence ?? 0) }]
    }
    // "Remember that the relay runs on port 9090", "FYI: ...", "... Note that.", or told plainly ("The
    // office wifi password is tulip-42", record-ask.ts): a statement for the graph, the researcher's
    // to record whatever other skill its words match, and one statement however many sentences it has
    // (the planner would cut "Note: the relay moved. It runs on 9091." in two). Before, nobody bid.
    // "Question: should we support Safari 15?": the mesh keeps it as an open question (questionIn
    // below); the researcher says so and what the graph holds on it, a lookup (an answer that quotes
    // the graph is not knowledge to answer from again). Before, it was one more question to answer.
    // "Forget that ...": the researcher says which statements say it and how to retract them (a lookup).
    // "Give me three facts about the staging relay": what the room knows about it, the researcher's answer.
    // "Which agents are online?", "How many peers are in this room?", "What tasks are running?": the
    // researcher's report on the mesh as its tab sees it (mesh-status.ts). Before, nobody bid. "Who can
    // approve the budget?" is the mesh's only when some agent would bid on it (else it may be about people).
    const meshAsk = meshAsked(asks)
    const aboutTheMesh = meshAsk !== undefined && !(meshAsk.about === 'who-can' && meshAsk.loose && (await wouldBid(meshAsk.capability)).length === 0)
    const recordedBy = aboutTheMesh ? MESH_SKILL : statementToRecord(task.text) !== undefined ? RECORD_SKILL : questionToRecord(task.text) !== undefined || statementToForget(task.text) !== undefined ? 'graph.lookup' : topicAsked(task.text) !== undefined ? ANSWER_SKILL : undefined
    if (recordedBy !== undefined) {
      const researcher = mine.find(a => a.kind === 'researcher')
      const skill = researcher === undefined ? undefined : skillOf(researcher, recordedBy)
      return researcher !== undefined && skill !== undefined ? [{ agentId: researcher.agentId, skillId: skill, confidence: RECORD_CONFIDENCE }] : []
    }
    // The values it names that it computes with ("10% of the Q1 budget"): read once, for the gate and the rules below.
    let naming: NamedUse[] | undefined
    const names = (): NamedUse[] => (naming ??= computesWithNamed(asks))
    const plan = task.id.includes('/') ? [] : planByRules(task.text)
    // "How many days until the launch?" is two parts (find the launch's date, then count) unless the
    // graph states the date ("The launch is on 3 March 2027"): then the calculator counts to it at once.
    // Before, the lookup part quoted another date the graph held ("the date 90 days from today") and
    // the count failed between two dates.
    // Whether this tab's graph states each name: asked once per name, for the planner's rule here and the calculator's below.
    const stated = new Map<string, Promise<boolean | undefined>>()
    const statesAny = async (named: readonly NamedUse[]): Promise<boolean> => {
      for (const o of named.slice(0, 3)) {
        const key = `${o.as}\u0000${o.name}`
        if (!stated.has(key)) stated.set(key, graphStates(o))
        const states = await stated.get(key)!
        // The graph could not be searched (no model yet): nothing is stated, as for a name it has no value for.
        if (states !== false) return states === true
      }
      return false
    }
    const dated = async (): Promise<boolean> => await statesAny(names().filter(o => o.as === 'moment'))
    if (plan.length >= 2 && !(DATE_LOOKUP_PART.test(plan[0]!.text) && await dated())) {
      const planner = mine.find(a => a.kind === 'planner')
      const skill = planner?.manifest.skills[0]
      return planner !== undefined && skill !== undefined ? [{ agentId: planner.agentId, skillId: skill.id, confidence: PLANNER_CONFIDENCE }] : []
    }
    // A built-in whose twin (same kind and version, on another tab) already failed this task with an
    // error would fail it the same way: it declines, and the task fails with that reason at once
    // instead of after every twin has tried.
    const failed = sameCodeAs(hints?.failedBy)
    const takes = new Map<string, boolean>()
    // Whether the task asks to count in a text it gives: read once, for the gates and rules below.
    let counting: boolean | undefined
    const counts = (): boolean => (counting ??= asksToCount(task))
    // Whether it asks to sort, reverse, dedupe or recase a text it gives (text-transforms.ts).
    let rewriting: boolean | undefined
    const rewrites = (): boolean => (rewriting ??= asksToTransform(task))
    // Whether it converts money ("How much is $40 in yen?"): the calculator's, at the rate the request
    // gives or the graph states; the researcher had quoted the graph's rate instead of converting.
    let converting: boolean | undefined
    const money = (): boolean => (converting ??= convertsMoney(asks))
    const usable = new Set(mine.filter(a => {
      const gate = TAKES[a.kind]
      if (gate !== undefined && !takes.has(a.kind)) takes.set(a.kind, gate(asks, task, counts, rewrites, names))
      return (capability || takes.get(a.kind) !== false) && !failed.has(codeOf(a))
    }).map(a => a.agentId))
    const matches = await matchMine(asks, CANDIDATES, MIN_BID_CONFIDENCE)
    // Recording is bid by its rule above only: a question whose words match the record skill's examples
    // ("Which port does the relay listen on?") is the researcher's to answer, on its answer skill.
    // Nor is a report on the mesh bid on but by its rule: "How many days are in this month?" matched its words.
    const offers: BidOffer[] = matches.filter(m => usable.has(m.agentId)).map(m => ({ agentId: m.agentId, skillId: (m.skillId === RECORD_SKILL || m.skillId === MESH_SKILL) && mine.find(a => a.agentId === m.agentId)?.kind === 'researcher' ? ANSWER_SKILL : m.skillId, confidence: m.confidence }))
    /**
     * An offer of this kind's agent (if usable here) at `confidence` at least, on `skillId` if it had
     * none or a lower one, or always when `ownSkill` (the rule knows which skill does the work: the
     * clock is the dates skill's, whatever the statistics skill's words matched).
     */
    const atLeast = (kind: string, skillId: string, confidence: number, ownSkill = false): void => {
      const agent = mine.find(a => a.kind === kind && usable.has(a.agentId))
      if (agent === undefined) return
      const own = offers.find(o => o.agentId === agent.agentId)
      const skill = skillOf(agent, skillId)
      if (own === undefined) {
        if (skill !== undefined) offers.push({ agentId: agent.agentId, skillId: skill, confidence })
      } else if (own.confidence < confidence || ownSkill) {
        // Lifted by the rule, the bid is on the rule's skill: "What time is it?" matched the
        // calculator's statistics skill in words, but its answer and its reputation are the dates skill's.
        own.confidence = Math.max(own.confidence, confidence)
        if (skill !== undefined) own.skillId = skill
      }
    }
    // A request that asks for a check is the verifier's even when the claim's words match another skill better.
    if (takes.get('verifier') === true) atLeast('verifier', 'claim.verify', CHECK_CONFIDENCE)
    // A request that holds a computation is the calculator's whatever its other words ("What is 2 to the power of 100?" matched at 0.45).
    if (takes.get('calculator') === true && writesOutComputation(asks)) atLeast('calculator', 'math.evaluate', COMPUTE_CONFIDENCE)
    if (takes.get('calculator') === true && money()) atLeast('calculator', 'math.convert-units', COMPUTE_CONFIDENCE, true)
    // Code the request asks to run is the js-runner's, whatever the words around it ("Run: while(true){}" matched nothing).
    if (takes.get('js-runner') === true && RUN_INTENT.test(asks)) atLeast('js-runner', 'code.run-javascript', COMPUTE_CONFIDENCE)
    // An area, perimeter or volume of lengths the request gives: before, nobody bid on "the area of a room 4.5 m by 3.2 m".
    if (takes.get('calculator') === true && asksGeometry(asks)) atLeast('calculator', 'math.evaluate', COMPUTE_CONFIDENCE)
    // "What is 255 in hexadecimal?", "Convert 1010 1101 from binary to decimal" (number-bases.ts).
    if (takes.get('calculator') === true && baseConversion(asks) !== undefined) atLeast('calculator', 'math.convert-units', COMPUTE_CONFIDENCE, true)
    // "If 3 out of 40 requests failed, what is the failure rate as a percentage?": before, nobody bid.
    if (takes.get('calculator') === true && asksShare(task.text)) atLeast('calculator', 'math.evaluate', COMPUTE_CONFIDENCE)
    // A mission's part that works on the result before it ("Round it to the nearest ten" after "Calculate
    // 17% of 2,340"): nobody bid on it before, and the mission failed half done.
    if (takes.get('calculator') === true && task.id.includes('/') && OPERATION_ON_RESULT.test(asks)) atLeast('calculator', 'math.evaluate', COMPUTE_CONFIDENCE)
    // A story the calculator reads (a word problem, a distance or a price question) is its, whatever its words match.
    let story: boolean | undefined
    const tellsStory = (): boolean => (story ??= tellsCalculatorStory(task.text))
    if (takes.get('calculator') === true && tellsStory()) atLeast('calculator', 'math.evaluate', COMPUTE_CONFIDENCE)
    // "What time is it?", "What is today's date?": the calculator reads the clock in the person's zone.
    // "When does a train that leaves at 9:40 and takes 2 hours 35 minutes arrive?", "How long from 9:15 to
    // 17:40?": arithmetic on times of day (clock-times.ts), whose words matched no skill well enough to bid.
    // "What day of the week is March 3, 2027?", "How many days until that date?" (a mission's part after
    // the researcher found the date): the calculator's, not the researcher's, even when the graph holds
    // a fact about that date. A count of days to a moment not dated went to the planner above.
    // "How many r's are in strawberry?", "Count the words in: ...": the summariser counts; words, not a skill match, say so.
    if (takes.get('summariser') === true && counts()) atLeast('summariser', 'text.count', COMPUTE_CONFIDENCE, true)
    // "Sort these words alphabetically: ...", "Is racecar a palindrome?": before, nobody bid.
    else if (takes.get('summariser') === true && rewrites()) atLeast('summariser', 'text.transform', COMPUTE_CONFIDENCE, true)
    // "Our standup is at 9:30am New York time. What time is that in Berlin?": before, the researcher answered "going by what you say".
    const datesOwn = takes.get('calculator') === true && (asksToldMoment(task.text) || asksTheClock(asks) || asksWeekday(asks) || countsDays(asks) || asksDateOffset(asks) || asksClockArithmetic(asks) || asksLeapYear(asks) || asksAge(asks) || asksTimeZone(asks) || asksSpanEnd(task.text))
    if (datesOwn) atLeast('calculator', 'math.dates-interest', COMPUTE_CONFIDENCE, true)
    // "What is 10% of the Q1 budget?", "What time is the client demo in New York?" with the budget or
    // the demo stated in the graph: the calculator's, which computes with the value the graph states.
    // Before, the researcher quoted the budget, and nothing was computed. Read whether this tab runs a
    // calculator or not: its researcher does not answer such a request either.
    const namesUsed = !datesOwn ? names() : []
    const withNamed = namesUsed.length > 0 && await statesAny(namesUsed)
    if (withNamed) atLeast('calculator', namesUsed.some(o => o.as === 'moment') ? 'math.dates-interest' : 'math.evaluate', COMPUTE_CONFIDENCE, true)
    // The researcher answers from the graph: a request its skill text matches, but about nothing the
    // graph holds ("Tell me a joke", "Explain quantum computing"), it could only answer with "nothing relevant",
    // so it bids only when the request is about what the room knows. A question the graph can answer
    // is its even when its words match none of its skill text ("When does the beta launch?").
    const researcher = mine.find(a => a.kind === 'researcher')
    // "What do we know?", "Summarise the graph": the researcher's overview, not a summary of the words.
    // "List the decisions we made", "What questions are still open?": its listing (graph-listing.ts);
    // before, nobody bid on the second, and the first was answered "nothing relevant".
    const listing = researcher !== undefined && asksForListing(asks) !== undefined
    if (researcher !== undefined && (listing || asksForOverview(asks))) {
      // Nor is a listing a check ("Which facts are verified?" went to the verifier, which abstained).
      const kept = offers.filter(o => { const kind = mine.find(a => a.agentId === o.agentId)?.kind; return kind !== 'summariser' && !(listing && kind === 'verifier') })
      offers.splice(0, offers.length, ...kept)
      // A listing is its lookup skill's work ("lists them with their status"), whatever its words matched.
      if (listing) atLeast('researcher', 'graph.lookup', OVERVIEW_CONFIDENCE, true)
      else atLeast('researcher', 'graph.answer', OVERVIEW_CONFIDENCE)
      return offers
    }
    if (researcher !== undefined) {
      const matched = offers.findIndex(o => o.agentId === researcher.agentId)
      // A computation written out, or a count in a given text, is not a question about the room,
      // whatever a fact shares with it ("What is 3 + ?" was answered with the fact of a launch on
      // March 3), whether the agent that does it is on this tab or not.
      // A story the calculator reads too ("Our API handles 1,200 requests per second. How many is that
      // per day?": before, the researcher said the graph had nothing on it).
      // Read only where a rule needs it (the story readers are the dearest): most bids never ask.
      let computing: boolean | undefined
      const computes = (): boolean => (computing ??= writesOutComputation(asks) || money() || counts() || rewrites() || withNamed || tellsStory())
      // The graph is searched once for both rules below.
      let searched: Promise<GraphHit[] | undefined> | undefined
      const found = (): Promise<GraphHit[] | undefined> => (searched ??= nearest(asks))
      if (matched >= 0 && (datesOwn || computes() || (!ABOUT_THE_ROOM.test(asks) && await answerableBy(researcher, asks, found()) === undefined && !(QUESTION.test(asks) && await asksAnOpenQuestion(asks, found()))))) offers.splice(matched, 1)
      else if (matched < 0 && !datesOwn && QUESTION.test(asks) && !CHECK_INTENT.test(asks) && !computes()) {
        const offer = await answerableBy(researcher, asks, found())
        if (offer !== undefined) offers.push(offer)
        // "What was decided about the ledger?" with nothing on it in the graph: the researcher says
        // the graph holds nothing on it (before, nobody bid), or that the question is open. Any other
        // agent's better bid still wins.
        else if (ASKS_THE_RECORD.test(asks) || await asksAnOpenQuestion(asks, found())) atLeast('researcher', 'graph.answer', MIN_BID_CONFIDENCE)
      }
      // A mission's date lookup ("Find when the office party is", planner.ts) is answered even when the
      // graph knows nothing of it: the person then hears that, not "nobody bid". Also when its words
      // matched the researcher's skill text and the graph had nothing (then the calculator, matched on
      // "when", failed it, and with nobody else bidding the mission failed).
      if (!datesOwn && task.id.includes('/') && DATE_LOOKUP_PART.test(task.text) && !computes()) {
        // The calculator, matched on "when", has nothing to compute here: it failed such a part first.
        const kept = offers.filter(o => mine.find(a => a.agentId === o.agentId)?.kind !== 'calculator')
        offers.splice(0, offers.length, ...kept)
        if (!offers.some(o => o.agentId === researcher.agentId)) atLeast('researcher', 'graph.answer', MIN_BID_CONFIDENCE)
      }
      // "The relay moved to port 9091. Which port is the relay on?" with nothing in the graph: no agent
      // here offers anything, so the researcher answers by what the person says (nobody bid before). Any
      // better bid elsewhere (the calculator's on a word problem) still wins.
      if (offers.length === 0 && !datesOwn && QUESTION.test(asks) && !CHECK_INTENT.test(asks) && toldBeforeQuestion(task.text) !== undefined && !computes()) atLeast('researcher', 'graph.answer', MIN_BID_CONFIDENCE)
    }
    return offers
  }

  /**
   * Who in the room would bid on `capability` asked as a request, and how high: each present tab's
   * agents, as this tab's registry lists them, through the bid rules ({@link offersOf}), as that tab
   * would bid. "Who can tell me the time?" names the calculator, whose rule reads the clock, not the
   * agents whose skill words are nearest. A capability without its material ("run JavaScript", "check a
   * claim", "sort a list of words": no code, no claim, no words) draws no bid as a request, so then it
   * is asked again as a capability (`offersOf`). `ctx.mesh.match` answers from it (agents-boot.ts).
   */
  let probes = 0
  const wouldBid = async (capability: string): Promise<Offer[]> => {
    const tabs = new Map<string, AgentView[]>()
    for (const a of host.list()) {
      if (!a.online || (a.state !== 'idle' && a.state !== 'working')) continue
      const here = tabs.get(a.peerId)
      if (here === undefined) tabs.set(a.peerId, [a])
      else here.push(a)
    }
    const task: AgentTask = { id: `who-can-${++probes}`, text: capability }
    const out: Offer[] = []
    // As a request first: "tell me the time" is the calculator's alone, as its bid would be. When nobody
    // would bid on it as it stands ("run JavaScript" carries no code), as a capability.
    for (const asCapability of [false, true]) {
      for (const [peerId, agents] of tabs) {
        for (const o of await offersOf(agents, peerId === node.peerId, task, undefined, asCapability)) out.push({ ...o, peerId })
      }
      if (out.length > 0) break
    }
    return out.sort((a, b) => b.confidence - a.confidence || (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0))
  }

  /** The id of `agent`'s skill `id`, else of its first skill (a bid names one). */
  const skillOf = (agent: AgentView, id: string): string | undefined => (agent.manifest.skills.find(x => x.id === id) ?? agent.manifest.skills[0])?.id

  /** Built-ins run the same code on every tab; the language model answers differently each time, and custom code is its author's. */
  const codeOf = (a: { kind: string, manifest: { version: string } }): string => a.kind === 'custom' || a.kind === 'llm' ? '' : `${a.kind}@${a.manifest.version}`
  const sameCodeAs = (agentIds: readonly string[] | undefined): Set<string> => {
    const out = new Set<string>()
    for (const id of agentIds ?? []) {
      const r = host.registry.get(id)
      const code = r === undefined ? '' : codeOf(r)
      if (code !== '') out.add(code)
    }
    return out
  }

  /**
   * Whether this tab's copy of the graph states a value, a moment or (for a group) a count for `o`
   * (calculator.ts takes the same); undefined when the graph cannot be searched.
   */
  const graphStates = async (o: NamedUse): Promise<boolean | undefined> => {
    try {
      const hits = await host.searchGraph(o.name, 10)
      return hits.some(h => o.as === 'count' ? standsBy(h) && statedCount(h.text, o.name) !== undefined : valueStatedBy(h, o.name) !== undefined)
    } catch {
      return undefined
    }
  }

  /** The researcher's bid on a question, from the relevance of the best entity in the graph (none below ANSWERABLE_RELEVANCE). */
  const answerableBy = async (researcher: AgentView, question: string, found?: Promise<GraphHit[] | undefined>): Promise<BidOffer | undefined> => {
    // No model yet, or the search failed (reported where it loads): no retrieval bid, the other bids stand.
    const all = await (found ?? nearest(question))
    if (all === undefined) return undefined
    const hits = all.filter(h => h.status !== 'retracted' && h.kind !== 'question')
    const best = Math.max(0, ...judgeAsked(question, hits).map(j => j.relevance))
    const skill = skillOf(researcher, 'graph.answer')
    if (best < ANSWERABLE_RELEVANCE || skill === undefined) return undefined
    return { agentId: researcher.agentId, skillId: skill, confidence: Math.min(0.85, 0.5 + (best - ANSWERABLE_RELEVANCE)) }
  }

  /** The graph's three entities nearest to `question`; undefined when it cannot be searched (no model yet). */
  const nearest = async (question: string): Promise<GraphHit[] | undefined> => {
    try {
      return await host.searchGraph(question, 3)
    } catch {
      return undefined
    }
  }

  /**
   * Whether the graph holds `question` itself as a question (one a person asked the room to keep, or
   * an agent asked) and nothing that answers it (`answerableBy` found nothing): the researcher then
   * says it is open, at the lowest bid any other agent outbids. Before, "Who owns the relay budget?"
   * asked after "Q: who owns the relay budget?" went unassigned. Not for what agents ask the mesh:
   * their question is in the graph too. `found`: the search `answerableBy` made, read again.
   */
  const asksAnOpenQuestion = async (question: string, found: Promise<GraphHit[] | undefined>): Promise<boolean> => {
    const hits = (await found ?? []).filter(h => h.kind === 'question' && h.status !== 'retracted')
    return judgeAsked(question, hits).some(j => j.relevance >= SAME_QUESTION)
  }

  // Every record is also journaled, so the ones the recorder still holds when the page goes away
  // are replayed when this identity opens again (record-journal.ts).
  const journal = createRecordJournal(recorder, {
    storage: webStorage(node),
    key: journalKey(node.room, node.peerId),
    onProblem: (message, reason) => { node.report('coord', reason === 'expired' ? 'journal-expired' : 'journal-failed', message) }
  })
  const engine = createCoordEngine({
    peerId: node.peerId,
    sign: signerFor(privateKey),
    transport,
    bidder: { bid },
    executor: {
      run: async (agentId, task, signal, hooks) => {
        try {
          return await host.run(agentId, task, {
            signal,
            onProgress: p => { hooks.progress(p.fraction, p.note) },
            consult: { ask: async (text, to) => await hooks.ask(text, to), alert: (text, severity) => { hooks.alert(text, severity) } }
          })
        } catch (err) {
          // The agent called ctx.handOff: the engine re-announces the task without it.
          if (err instanceof AgentRunError && err.code === 'handoff' && err.handoff !== undefined) hooks.handOff(err.handoff.reason, err.handoff.toAgentId)
          throw err
        }
      }
    },
    recorder: journal.recorder,
    // A bid's skill must be one its agent's manifest lists (when the registry here knows the agent).
    skillsOf: (agentId, peerId) => {
      const r = host.registry.get(agentId)
      return r !== undefined && r.peerId === peerId ? r.manifest.skills.map(x => x.id) : undefined
    },
    // Who will vote on a mission part: every tab whose verifier runs (a tab votes with its verifier,
    // abstaining when it cannot judge). Once they all have, the mission need not wait verifyTimeoutMs.
    verifyingPeers: () => host.registry.list().filter(r => r.kind === 'verifier' && (r.state === 'idle' || r.state === 'working')).map(r => r.peerId),
    // An award this tab missed (a lost gossip message) is read from the graph, which syncs it anyway.
    recordedAward: (taskId, attempt) => journal.recorder.awardOf(taskId, attempt),
    // "Decision: we ship on Friday" is the person's decision: recorded as one (a decision entity
    // about the task), not only as the statement the researcher records.
    decisionIn: decisionToRecord,
    questionIn: questionToRecord,
    options: {
      minConfidence: MIN_BID_CONFIDENCE,
      // The window closes as soon as every present peer has bid or declined, so its length only
      // matters when one is slow; on a loaded machine an 80 ms cap turned late bids into
      // "nobody bid". Waiting up to 400 ms for a straggler costs nothing when all answer.
      bidWindow: { minWindowMs: 60, maxWindowMs: 400 },
      // frameMs stays 0 (a busy tab sends a frame at the end of each turn): 200 ms halved the frames
      // per task (0.65 → 0.3) but gained no throughput in paired bench:coord runs (3,832 vs 3,509 and
      // 3,756 vs 3,260 tasks/min with 8 s graph writes), since under load a turn already holds many messages.
      // A vanished holder is noticed by presence (< 3 s) and its task re-announced at once; the lease
      // is the backstop for a holder that is present but silent, and 3 s lapsed healthy holders on
      // a loaded 2-core machine (heartbeats delayed by busy main threads).
      leaseMs: 6000,
      // A mission waits at most this long for its parts' verification before assembling (unverified
      // parts are marked so): verifiers answer in well under a second, and once every verifying tab
      // has voted (verifyingPeers) it does not wait at all; this is for a verifier that never answers.
      verifyTimeoutMs: 5000,
      // Read at each verification: a verifier registered after start-up (API or Agents tab) votes too;
      // before, the list was fixed at start-up while verifyingPeers (the registry) named the tab as a
      // verifier, so its votes were waited for in vain.
      verifiers: () => available().filter(a => a.kind === 'verifier').map(a => a.agentId)
    }
  })
  // Learning: a task one of our agents completed (and nobody disputed) teaches its skill a new example.
  engine.on('task', e => {
    // Only a completion seen happen here: not a task imported from the graph (previous null) or a
    // completion that changed hands in a partition merge (previous completed).
    if (e.state !== 'completed' || e.previous === null || e.previous === 'completed') return
    const t = engine.tasks.get(e.taskId)
    if (t === undefined || t.peerId !== node.peerId || t.agentId === undefined || t.skillId === undefined || t.mission !== undefined) return
    if (t.verification?.status === 'disputed') return
    // A report on the mesh is bid by its rule alone: its questions as examples ("Which agent can
    // translate?") would only draw other requests ("Translate ...") to a skill that does not do them.
    if (t.skillId === MESH_SKILL) return
    // What was asked, not the material it carried (a pasted passage is no example of summarising).
    host.learn(t.agentId, t.skillId, instructionOf(t.text, IMPERATIVE))
  })
  engine.on('verification', v => {
    // A result disputed after the fact is not a good example after all.
    if (v.status === 'disputed') { const t = engine.tasks.get(v.taskId); if (t?.agentId !== undefined && t.skillId !== undefined) host.unlearn(t.agentId, t.skillId, instructionOf(t.text, IMPERATIVE)) }
  })
  engineRef = engine
  // This tab's own agents resume their reputation from the registry (kept there after every outcome):
  // a reloaded tab would otherwise bid them as untried, at the cap, and be refused by peers that saw
  // their record (reputation.ts, reputationCeiling).
  for (const a of host.registry.list()) {
    if (a.peerId !== node.peerId) continue
    for (const [skillId, r] of Object.entries(a.reputation ?? {})) {
      engine.seedReputation(a.agentId, skillId, { successes: r.successes, failures: r.failures, verified: r.verified, disputed: r.disputed, latencyEwmaMs: r.latencyMs, samples: r.successes })
    }
  }
  // Records wait up to a second (8 when busy) before they are written, and the worker stores them
  // in IndexedDB a little later: a page that goes away flushes what it holds (the worker may still
  // be stopped before storing it) and journals its recent records, and a page hidden may never be
  // shown again (a mobile browser discards it), so it journals too; a page shown again from the
  // back-forward cache goes on recording and drops that journal.
  // The graph is asked to store what it holds too (what sync brought in the last 100 ms, which a
  // page reloaded while its peers are unreachable would otherwise come back without); best effort,
  // as the worker may be stopped first.
  const persist = (): void => { journal.persist(); void opened.graph.flush().catch(() => {}) }
  const onVisibility = (): void => { if (document.visibilityState === 'hidden') persist() }
  const onShow = (e: PageTransitionEvent): void => { if (e.persisted) journal.discard() }
  addEventListener('pagehide', persist)
  addEventListener('pageshow', onShow)
  document.addEventListener('visibilitychange', onVisibility)
  // What an earlier page of this identity left unwritten goes first, written at once, so the
  // catch-up below reads it from the graph.
  const { replayed, refused } = journal.replay()
  if (replayed > 0) recorder.flush()
  if (replayed > 0 || refused > 0) console.info(`[meshwork] replayed ${replayed} graph records an earlier page of this tab had not written${refused > 0 ? ` (${refused} refused)` : ''}`)
  // So do the journals of this room's tabs (in this browser profile) that went away without coming
  // back: a crashed tab, or a tab closed while the room stayed open here. Other rooms' journals
  // that nobody reopened for a week are removed (once, at start).
  const sweepJournals = (options: { minAgeMs?: number, otherRooms?: boolean } = {}): SweepResult => {
    const r = journal.sweep({ room: node.room, live: peer => node.isRoomPeer(peer), otherRooms: false, ...options })
    if (r.adopted > 0) {
      recorder.flush()
      console.info(`[meshwork] adopted ${r.adopted} journal(s) of departed peers: ${r.replayed} graph records replayed${r.refused > 0 ? ` (${r.refused} refused)` : ''}`)
    }
    return r
  }
  sweepJournals({ otherRooms: true })
  const sweeper = setInterval(() => { sweepJournals() }, JOURNAL_SWEEP_MS)
  // The newest tasks that ended before this tab started (a reload keeps its task list), and the
  // tasks this tab was steward of that were still running when it went away (it takes them up again).
  catchUpFromGraph(engine, recorder, opened.graph, node.peerId)
  // graph-*: a record read from the shared graph (a result, a mission's solution), not a message.
  engine.on('rejected', r => { node.report('coord', r.reason, `${r.reason.startsWith('graph-') ? 'graph record refused' : 'coordination message refused'}: ${r.detail}`, r.from) })
  engine.on('problem', p => { node.report('coord', `${p.source}-failed`, p.message) })
  // What an agent asks the mesh, a researcher answers from the graph: one tab, in turn (mesh-answers.ts).
  const stopAnswering = answerMeshQuestions({
    engine,
    peerId: node.peerId,
    answeringPeers: () => host.list().filter(a => a.kind === 'researcher' && a.online && (a.state === 'idle' || a.state === 'working')).map(a => a.peerId),
    answer: async (q, signal) => {
      const researcher = available().find(a => a.kind === 'researcher')
      if (researcher === undefined || await answerableBy(researcher, q.text) === undefined) return undefined
      const result = await host.run(researcher.agentId, { id: `${q.taskId}/mesh-question`, text: q.text }, { signal })
      return { text: result.text, agentId: researcher.agentId }
    },
    onProblem: message => { node.report('coord', 'mesh-answer-failed', message) }
  })
  engine.start()
  return {
    engine,
    wouldBid,
    recorder,
    journal,
    sweepJournals: options => sweepJournals(options),
    close: () => {
      clearInterval(sweeper)
      stopAnswering()
      offHost()
      removeEventListener('pagehide', persist)
      removeEventListener('pageshow', onShow)
      document.removeEventListener('visibilitychange', onVisibility)
      engine.stop()
      recorder.close()
      transport.close()
    }
  }
}
