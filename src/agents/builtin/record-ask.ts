/**
 * What a person tells the room to keep, read from a request by patterns alone (no model), so the bid
 * rules, the researcher and the graph's reading of results agree on it:
 *
 * - asked for in words before the statement: "Remember that the relay runs on port 9090", "Note:
 *   ...", "FYI ...", "For the record, ...", "Keep in mind that ...";
 * - asked for after it: "Our team meeting moved to Thursday at 10am. Note that." ("Please remember
 *   this.", "Make a note of it.", "Keep that in mind."). Before, the planner cut this in two and the
 *   statement went unassigned;
 * - labelled: "Fact: ...", "Update: ...", "Correction: ...", or corrected in passing: "Actually, the
 *   staging database runs on Postgres 15" (a plain statement after "actually", "in fact", "turns out");
 * - a hypothesis: "Hypothesis: ...", "My hunch is that ...", "I suspect that ..." (recorded as any
 *   statement is; the researcher says it was put as a hypothesis);
 * - a decision: "Decision: we will use WebRTC for all peer links", "We decided to ship on Friday";
 * - or simply stated: "The office wifi password is tulip-42", "Sam is on leave until Friday. He is
 *   back on Monday." A text counts as a plain statement only when every sentence of it is one: a
 *   subject (a noun phrase opened by a determiner or a possessive, or a name) then a verb, no
 *   question, no instruction, no arithmetic, no reference to the conversation ("That's great",
 *   "The answer is wrong"). Before, nobody bid on these, and the room learnt nothing.
 *
 * A question the person asks the room to keep open ("Question: should we support Safari 15?") is not
 * a statement: `questionToRecord` reads it, and the mesh records it as an open question.
 */
import { splitSentences } from './sentences.ts'
import { IMPERATIVE } from './imperative.ts'
import { capitalised } from './wording.ts'

/**
 * "Remember that ...", "Note: ...", "FYI ...", "For the record, ...", "Fact: ...", before the statement.
 * "Fact: our API rate limit is 600 requests per minute" had been read as a question, and answered "the
 * graph has nothing relevant"; a stated fact is recorded as any statement is, a hypothesis until
 * verifiers on other peers check it.
 */
const RECORD_ASK = /^\s*(?:please\s+)?(?:(?:remember|note|record|log)(?:\s+(?:that|this))?\s*:|(?:fact|statement|claim|update|correction|news|info)(?:\s*:|\s+[-–]\s)\s*|(?:remember|note|record|log)\s+that\b|(?:keep|bear)\s+in\s+mind(?:\s+that)?\b|fyi\b|for\s+(?:the\s+record|your\s+information)\b|just\s+so\s+(?:you|everyone)\s+knows?\b|heads[-\s]up\b)\s*[:,-]?\s*/i
/**
 * A decision the room took: "Decision: we will use WebRTC for all peer links", "Agreed: ...", "We
 * decided to ...", "The team agreed that ...". Before, the first was read as a question, and the
 * researcher answered it by quoting whatever the graph held on "links".
 */
const DECIDED = /^\s*(?:(decision|decided|agreed|resolved|conclusion)\s*[:-]\s*|(?=(?:we|the\s+team|everyone|the\s+group)\s+(?:have\s+|has\s+|all\s+)?(?:decided|agreed|chose|settled\s+on|resolved)\b))/i
/**
 * A hypothesis the person puts to the room: "Hypothesis: the login bug is caused by the cache TTL",
 * "Theory: ...", "My hunch is that ...", "I suspect that ...". Before, nobody bid on the first. It is
 * recorded as a statement is (a hypothesis until verifiers on other peers check it), and the answer
 * says it was recorded as a hypothesis.
 */
const HYPOTHESIS = /^\s*(?:(?:(?:a|my|our|working)\s+)?(?:hypothesis|theory|hunch|suspicion|conjecture)(?:\s*:|\s+[-–]\s)\s*|(?:my|our|the\s+team's)\s+(?:working\s+)?(?:hypothesis|theory|hunch|suspicion|guess)\s+is\s+(?:that\s+)?|(?:i|we)\s+(?:suspect|hypothesi[sz]e)\s+(?:that\s+)?)/i
/**
 * A question the person asks the room to keep open until someone answers it: "Question: should we
 * support Safari 15?", "Open question: who owns the relay?", "Q: ...". Before, the researcher looked
 * it up, found nothing, and the room kept no trace of it: "What questions are still open?" answered
 * that none were.
 */
const QUESTION_LABEL = /^\s*(?:(?:an?\s+)?open\s+question|question\s+for\s+(?:the\s+)?(?:room|team|everyone|all)|question|q)(?:\s*:|\s+[-–]\s)\s*/i
/**
 * A correction said in passing: "Actually, the staging database runs on Postgres 15.", "In fact the
 * relay runs in Paris", "Turns out the relay runs in Paris." Before, the first was read as a question
 * and answered by quoting the statement it corrects. Only a plain statement after it is recorded.
 */
const CORRECTING = /^\s*(?:(?:oh|ah|wait|sorry|so)[,!]?\s+)?(?:actually|in\s+fact|as\s+it\s+turns\s+out|(?:it\s+)?turns\s+out(?:\s+that)?|to\s+correct\s+(?:that|myself|this))\b[,:]?\s*/i
/** "Note that.", "Please remember this.", "Make a note of it.", "Keep that in mind.", after the statement. */
const RECORD_AFTER = /(?<=[.!])\s*(?:(?:please|so|and)\s+)?(?:(?:note|remember|record|log|save|store)\s+(?:that|this|it)(?:\s+down)?|write\s+(?:that|this|it)\s+down|make\s+a\s+note(?:\s+of\s+(?:that|this|it))?|take\s+note(?:\s+of\s+(?:that|this|it))?|(?:keep|bear)\s+(?:that|this|it)\s+in\s+mind|for\s+the\s+record|fyi)(?:\s*,?\s*(?:please|thanks|thank\s+you))?\s*[.!]?\s*$/i
/** Longest statement recorded (characters): a longer text is material for the summariser, not a statement. */
const MAX_STATEMENT = 1000
/** A plain statement, told without asking to record it, is short: a longer text is material to work on. */
const MAX_PLAIN = 300
const MAX_PLAIN_SENTENCES = 3

/** Words that open a noun phrase: "the", "our", "every", ... */
const DETERMINER = String.raw`(?:the|our|my|your|their|his|her|its|a|an|every|each|all|both|no|this|that|these|those|today's|tomorrow's|next|last)`
/** Finite verbs a statement's subject is followed by: forms of be and have, modals, and past tenses. */
const KNOWN_VERB = String.raw`(?:is|are|was|were|isn't|aren't|wasn't|weren't|has|have|had|hasn't|haven't|will|won't|would|can|can't|cannot|could|should|must|may|might|does|do|did|doesn't|don't|didn't|[a-z]{2,}ed|ran|began|got|went|came|became|left|met|took|made|grew|fell|rose|won|lost|sold|bought|moved|lives|works|runs|starts|begins|ends|opens|closes|costs|takes|leaves|arrives|lasts|meets|belongs|uses|needs|holds|weighs|lies|sits|stands|listens|points|means|says|knows|owns|pays|earns|expires|happens|comes|goes|stays|launches|ships|releases|falls|occurs|finishes|lands|resumes|reopens|restarts|returns|renews|reports|sleeps|eats|speaks|teaches|manages|leads|hosts)`
/** Any verb in the third person ("handles", "supports"): also a plural noun, so only after a subject without a preposition ("a summary of the changes" is no statement). */
const S_VERB = String.raw`[a-z]{3,}(?<!ss|us|is|ous)s`
const VERB = String.raw`(?:${KNOWN_VERB}|${S_VERB})`
const KNOWN_VERB_AT_END = new RegExp(String.raw`\s${KNOWN_VERB}\s+\S$`, 'i')
const ANY_S_VERB = new RegExp(String.raw`\s${S_VERB}\s+\S$`, 'i')
/** A first sentence's subject (captured): a determiner and up to six words, or a name of up to three words. */
const SUBJECT = new RegExp(String.raw`^(${DETERMINER}\s+(?:[\p{L}\p{N}'’&-]+\s+){1,6}?|(?:\p{Lu}[\p{L}\p{N}'’&-]*\s+){1,3}?)${VERB}\s+\S`, 'iu')
/**
 * Verbs in their plain form that a plural subject states with: "Tests fail on main.", "We support
 * Safari 15.", "Our customers prefer dark mode." (not "need" or "want": "We need a summary of this"
 * asks for something).
 */
const BARE_VERB = String.raw`(?:support|use|deploy|run|ship|serve|host|own|sell|offer|provide|accept|allow|block|require|prefer|release|store|keep|follow|meet|work|live|hold|pay|charge|build|publish|rely|depend|handle|fail|pass|break|crash|leak|lose|win|cover|include|exclude|skip|track|send|receive|sync|cache|limit|rotate|encrypt|stay|start|end|open|close|cost|take|last|belong|speak|teach|manage|lead|launch|target|expire|sleep|arrive|leave|report|land|finish|resume|renew|return)`
/** Words between a plural subject and its verb: "We no longer support ...", "Tests still fail ...". */
const ADVERB = String.raw`(?:(?:do\s+not|don['’]t|no\s+longer|now|still|already|always|never|usually|currently|only|also|all|both|sometimes|often|mostly)\s+)?`
/**
 * A plural subject and a verb in its plain form: "We support Safari 15.", "They deploy on Fridays.",
 * "Tests fail on main.", "The nightly builds break on Fridays." (a noun ending in s before the verb).
 * Before, each was read as a question, and nobody bid. "We" and "they" state with past tenses and
 * forms of be and have too ("We moved the standup", "We are on call"), not with modals ("We should
 * ...", "We need to ..." ask or propose).
 */
const PLURAL_STATEMENT = new RegExp(String.raw`^(?:(?:we|they)\s+${ADVERB}(?:${BARE_VERB}|are|were|aren['’]t|weren['’]t|have(?!\s+to\b)|had(?!\s+to\b)|haven['’]t|will|won['’]t|did|didn['’]t|[a-z]+[a-df-z]ed)|(?:${DETERMINER}\s+)?(?:[\p{L}\p{N}'’&-]+\s+){0,4}?[\p{L}'’-]{2,}(?<!ss|us|is)s\s+${ADVERB}${BARE_VERB})\s+\S`, 'iu')
/** A later sentence may go on about the same subject: "He is back on Monday.", "It runs on 9091." (known verbs only: "He gives 5 to Sara." tells a word problem) */
const LATER_SUBJECT = new RegExp(String.raw`^(?:he|she|it|they|we|i|there)\s+${KNOWN_VERB}\s+\S`, 'i')
/** Words of a question or a request that a statement does not use. */
const ASKS = /\?|\b(?:how|what|which|who|whom|whose|why|whether|please|let's|let\s+us)\b|\b(?:is|are)\s+to\s+\w|\bcan\s+you\b|\bcould\s+you\b/i
/** A clause that asks or instructs after a statement: "my CSV has duplicates, dedupe it", "goldfish forget fast, is that right". */
const ASKS_AFTER = /(?:^|[,;:]\s*|\s(?:and|then|so)\s+)(?:(?:is|are|was|were|does|do|did|can|could|would|will|should|has|have)\s+(?:that|this|it|there|he|she|they|you|we|i)\b|[a-z]+\s+(?:it|them|this|these|those)(?:\s+(?:up|out|down|over|for\s+me))?\s*[.!]?\s*$)/i
/** Arithmetic to compute: "The total is 3 * 4". */
const ARITHMETIC = /\d\s*[+*/^=×÷]\s*\(?\d/
/** What the conversation refers to, not the world: "The answer is wrong", "That result looks off". */
const ABOUT_THE_CONVERSATION = /^(?:the|your|this|that|my)\s+(?:last\s+|previous\s+|first\s+|second\s+)?(?:answer|result|output|response|reply|task|request|question|summary|calculation|agent)s?\b/i
const OPENS_WITH_DETERMINER = new RegExp(String.raw`^${DETERMINER}\s`, 'i')
const PREPOSITION = /\s(?:of|in|on|for|with|to|from|at|by|about|into|over|under)\s/i
/** Names that are not a statement's subject: the pronoun "I" and words that open requests and questions. */
const NOT_A_NAME = /^(?:i|i'm|i'd|i've|we|we're|we'd|you|it|it's|that's|there's|here's|thanks|thank|hi|hello|hey|yes|no|ok|okay|sure|if|when|where|while|since|because|although|given|suppose|assume|imagine|consider|then|so|and|but|or|also|now|today|tomorrow|yesterday)$/i

/**
 * The statement a request tells the room to record ("Remember that the relay runs on port 9090" →
 * "The relay runs on port 9090.", "Our team meeting moved to Thursday at 10am. Note that." → "Our
 * team meeting moved to Thursday at 10am.", "The office wifi password is tulip-42" → "The office
 * wifi password is tulip-42."), or undefined when it asks nothing of the sort, asks a question,
 * asks for something to be done, or the statement is empty or longer than {@link MAX_STATEMENT}.
 * "Remember to ..." is a reminder, not a statement: undefined.
 */
export function statementToRecord (request: string): string | undefined {
  const hypothesis = hypothesisToRecord(request)
  if (hypothesis !== undefined) return hypothesis
  // A decision keeps its label: it is what says the room decided it.
  const decided = readDecision(request)
  if (decided !== undefined) {
    const { label, raw, statement } = decided
    if (statement === undefined || label === undefined) return statement
    // "Decision: we will ...", as written after the label.
    return `${label.charAt(0).toUpperCase()}${label.slice(1).toLowerCase()}: ${raw.charAt(0)}${statement.slice(1)}`
  }
  const before = RECORD_ASK.exec(request)
  if (before !== null) return asStatement(request.slice(before[0].length))
  const correcting = CORRECTING.exec(request)
  if (correcting !== null) {
    const rest = request.slice(correcting[0].length)
    return plainStatement(rest) ? asStatement(rest) : undefined
  }
  const after = RECORD_AFTER.exec(request)
  if (after !== null) return asStatement(request.slice(0, after.index))
  return plainStatement(request) ? asStatement(request) : undefined
}

/** "Give me three facts about the relay", "Show me everything about the launch", "Tell me what we know about X". */
const ABOUT_TOPIC = /^\s*(?:please\s+)?(?:(?:can|could)\s+you\s+)?(?:give|show|tell)\s+(?:me|us)\s+(?:(?:a\s+few|some|all|any|the|\d+|two|three|four|five)\s+)?(?:(?:key\s+|main\s+)?(?:facts|things|details|points)|everything(?:\s+(?:we|you|the\s+(?:graph|room))\s+knows?)?|what\s+(?:we|you|the\s+(?:graph|room))\s+knows?)\s+(?:about|on|regarding|concerning)\s+/i

/**
 * The topic of a request for what the room knows about it ("Give me three facts about the staging
 * relay" → "the staging relay"), or undefined. Before, the first was recorded as a statement, and
 * "Show me everything about the relay" found nobody to bid.
 */
export function topicAsked (request: string): string | undefined {
  const m = ABOUT_TOPIC.exec(request)
  if (m === null) return undefined
  const topic = request.slice(m[0].length).trim().replace(/[?.!]+$/, '').trim()
  return topic === '' || topic.length > 200 ? undefined : topic
}

/**
 * "Forget that ...", "Retract the fact that ...", "Delete the statement that ...": a request to take a
 * statement back. The "that" is needed: "Delete the record of user 42" names no statement.
 */
const FORGET = /^\s*(?:please\s+)?(?:forget|retract|delete|remove|drop|erase|withdraw|take\s+back|strike|scrap)\s+(?:(?:the\s+)?(?:fact|statement|claim|hypothesis|note|record|entry|decision)\s+that\s+|that\s+)\s*/i

/**
 * The statement a request asks the room to forget ("Forget that the staging relay runs in Frankfurt"
 * → "The staging relay runs in Frankfurt."), or undefined when it asks none.
 */
export function statementToForget (request: string): string | undefined {
  const m = FORGET.exec(request)
  return m === null ? undefined : asStatement(request.slice(m[0].length))
}

/**
 * The hypothesis a request puts to the room ("Hypothesis: the login bug is caused by the cache TTL" →
 * "The login bug is caused by the cache TTL."), or undefined when it puts none (or it is a question,
 * empty, or too long to be a statement).
 */
export function hypothesisToRecord (request: string): string | undefined {
  const m = HYPOTHESIS.exec(request)
  return m === null ? undefined : asStatement(request.slice(m[0].length))
}

/**
 * The question a request asks the room to keep open ("Question: should we support Safari 15?" →
 * "Should we support Safari 15?"; "Open question: who owns the relay" gets its question mark), or
 * undefined when it is not labelled as one, or the question is empty or longer than a statement may be.
 */
export function questionToRecord (request: string): string | undefined {
  const m = QUESTION_LABEL.exec(request)
  if (m === null) return undefined
  const rest = request.slice(m[0].length).trim().replace(/\s+/g, ' ')
  if (rest === '' || rest.length > MAX_STATEMENT || !/\p{L}/u.test(rest)) return undefined
  const question = capitalised(rest)
  return /[?]$/.test(question) ? question : `${question.replace(/[.!]+$/, '')}?`
}

/**
 * The decision a request states ("Decision: we ship the beta on 3 December" → "We ship the beta on 3
 * December.", "We decided to use Postgres" → "We decided to use Postgres."), or undefined when it
 * states none. The label goes: the entity that records it is a decision (the mesh sends it as the
 * person's decision about the task, coord/engine.ts), which says as much.
 */
export function decisionToRecord (request: string): string | undefined {
  return readDecision(request)?.statement
}

/** Whether a text states a decision the room took ("Decision: ...", "We decided ...", "Agreed: ..."). */
export function statesDecision (text: string): boolean {
  return DECIDED.test(text)
}

/** `text` without a decision's label ("Decision: we ship on Friday" → "we ship on Friday"); unchanged when it has none. */
export function withoutDecisionLabel (text: string): string {
  const m = DECIDED.exec(text)
  return m?.[1] !== undefined ? text.slice(m[0].length) : text
}

/** A request read as a decision: its label if any ("Decision"), the text after it, and that text as a statement (undefined when it is none). */
function readDecision (request: string): { label: string | undefined, raw: string, statement: string | undefined } | undefined {
  const m = DECIDED.exec(request)
  if (m === null) return undefined
  const raw = request.slice(m[0].length).trim()
  return { label: m[1], raw, statement: asStatement(raw) }
}

/**
 * A statement's subject and what follows it ("The standup moved to 10:15" → subject "standup", rest
 * "moved to 10:15"): the subject without its determiner, lower case ("Our office wifi password is
 * tulip-42" → "office wifi password"); undefined when it does not open with a subject and a verb.
 */
export function statementParts (statement: string): { subject: string, rest: string } | undefined {
  const t = statement.trim()
  const m = SUBJECT.exec(t)
  if (m === null) return undefined
  const subject = m[1]!.trim().toLowerCase().replace(new RegExp(String.raw`^${DETERMINER}\s+`, 'i'), '').replace(/\s+/g, ' ')
  return subject === '' || NOT_A_NAME.test(subject) ? undefined : { subject, rest: t.slice(m[1]!.length).trim() }
}

function asStatement (text: string): string | undefined {
  const rest = text.trim().replace(/\s+/g, ' ')
  if (rest === '' || rest.length > MAX_STATEMENT || /\?\s*$/.test(rest) || /^to\s/i.test(rest)) return undefined
  const statement = capitalised(rest)
  return /[.!]$/.test(statement) ? statement : `${statement}.`
}

/**
 * Whether `text` is only statements, as a person tells the room something ("The office wifi password
 * is tulip-42"): see the module's comment for what counts.
 */
export function plainStatement (text: string): boolean {
  const t = text.trim().replace(/\s+/g, ' ')
  if (t === '' || t.length > MAX_PLAIN || ASKS.test(t) || ASKS_AFTER.test(t) || ARITHMETIC.test(t) || ABOUT_THE_CONVERSATION.test(t)) return false
  const sentences = splitSentences(t)
  if (sentences.length === 0 || sentences.length > MAX_PLAIN_SENTENCES) return false
  return sentences.every((s, i) => {
    // "Key points of this: ..." hands material over; a colon between digits (10:30, 3:2) does not.
    if (/(?<!\d):|:(?!\d)|^\W/.test(s)) return false
    if (i > 0 && LATER_SUBJECT.test(s)) return true
    const first = /^[\p{L}'’]+/u.exec(s)?.[0] ?? ''
    if (IMPERATIVE.has(first.toLowerCase())) return false
    // "We support Safari 15.", "Tests fail on main.": a capital or a determiner opens it, as below.
    if (PLURAL_STATEMENT.test(s) && (OPENS_WITH_DETERMINER.test(s) || /^\p{Lu}/u.test(s))) return true
    if (NOT_A_NAME.test(first)) return false
    // A name opens with a capital; a determiner in any case.
    const m = SUBJECT.exec(s)
    if (m === null || !(OPENS_WITH_DETERMINER.test(s) || /^\p{Lu}/u.test(s))) return false
    // "a short summary of the changes described in ...": a participle after a phrase with a preposition
    // qualifies a noun; it is not the verb of a statement.
    const anyVerb = ANY_S_VERB.test(m[0]) && !KNOWN_VERB_AT_END.test(m[0])
    // "He gives 5 to Sara." goes on with a story (a word problem), not about the room.
    if (anyVerb && /^(?:he|she|it|they|we|i|you)\s/i.test(s)) return false
    return !((/ed\s+\S$/i.test(m[0]) || anyVerb) && PREPOSITION.test(m[0]))
  })
}
