/**
 * A restricted mathjs instance and the translation of natural-language arithmetic into mathjs
 * expressions, shared by the calculator and the verifier (which re-computes arithmetic claims).
 *
 * Restriction follows mathjs' security guidance (https://mathjs.org/docs/expressions/security.html):
 * the expression language itself cannot reach JavaScript, but the functions that change the instance
 * or evaluate further text (`import`, `createUnit`, `evaluate`, `parse`, `compile`, `simplify`,
 * `derivative`, `resolve`, `reviver`) are replaced by ones that throw, so an expression such as
 * `evaluate("...")` or `createUnit("x")` is refused. Evaluation runs inside a worker with the task's
 * time limit, which bounds expensive expressions (`zeros(1e5, 1e5)`) too; {@link MAX_EXPRESSION_LENGTH}
 * bounds the text.
 */
import { all, create, type MathJsInstance, type MathNode } from 'mathjs'

const full = create(all as NonNullable<typeof all>)
/** Kept before the overrides below, for our own use only. */
const parseExpression = full.parse.bind(full)

const disabled = (name: string) => () => {
  throw new Error(`function ${name} is disabled`)
}
full.import({
  import: disabled('import'),
  createUnit: disabled('createUnit'),
  evaluate: disabled('evaluate'),
  parse: disabled('parse'),
  compile: disabled('compile'),
  simplify: disabled('simplify'),
  simplifyConstant: disabled('simplifyConstant'),
  simplifyCore: disabled('simplifyCore'),
  derivative: disabled('derivative'),
  resolve: disabled('resolve'),
  reviver: disabled('reviver'),
  chain: disabled('chain')
}, { override: true })

export const math: MathJsInstance = full

export const MAX_EXPRESSION_LENGTH = 2000

/** How values are printed: 14 significant digits, plain notation from 1e-9 to 1e15. */
const FORMAT = { precision: 14, lowerExp: -9, upperExp: 15 }

/** Raised for text that is not an expression, or an expression that cannot be evaluated. */
export class ExpressionError extends Error {
  constructor (readonly expression: string, readonly stage: 'parse' | 'evaluate', detail: string) {
    super(`cannot ${stage} '${expression}' — ${lowerFirst(detail)}`)
    this.name = 'ExpressionError'
  }
}

export interface Evaluation {
  /** The mathjs expression that was evaluated. */
  expression: string
  /** The parsed expression as mathjs prints it (normalised spacing and parentheses). */
  parsed: string
  /** The raw mathjs value. */
  value: unknown
  /** The value in JSON: a number (12 significant digits), boolean, string (units, complex), or array. */
  output: unknown
  /** The value as a person reads it. */
  display: string
}

/** Parses and evaluates one mathjs expression in a fresh scope. */
export function evaluateExpression (expression: string): Evaluation {
  const source = expression.trim()
  if (source === '') throw new ExpressionError(source, 'parse', 'the expression is empty')
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(source.slice(0, 40) + '…', 'parse', `the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`)
  }
  let node: MathNode
  try {
    node = parseExpression(source)
  } catch (err) {
    throw new ExpressionError(source, 'parse', describeParseError(err, source))
  }
  let value: unknown
  try {
    value = node.evaluate(new Map())
  } catch (err) {
    throw new ExpressionError(source, 'evaluate', err instanceof Error ? err.message : String(err))
  }
  if (typeof value === 'function') throw new ExpressionError(source, 'evaluate', 'the expression defines a function but does not call it')
  if (value === undefined) throw new ExpressionError(source, 'evaluate', 'the expression has no value')
  // A multi-line or `;`-separated expression gives a ResultSet; its last value is the answer.
  const last = isResultSet(value) ? value.entries[value.entries.length - 1] : value
  return { expression: source, parsed: node.toString(FORMAT), value: last, output: toJson(last), display: full.format(last, FORMAT) }
}

function isResultSet (v: unknown): v is { entries: unknown[] } {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'ResultSet' && Array.isArray((v as { entries?: unknown }).entries)
}

/** mathjs values as JSON. Numbers are rounded to 12 significant digits so 0.17 * 2340 gives 397.8. */
export function toJson (value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toPrecision(12)) : String(value)
  if (typeof value === 'boolean' || typeof value === 'string' || value === null) return value
  const type = full.typeOf(value)
  if (type === 'BigNumber' || type === 'Fraction') return toJson(Number(value))
  if (type === 'DenseMatrix' || type === 'SparseMatrix') return toJson((value as { toArray(): unknown[] }).toArray())
  if (Array.isArray(value)) return value.map(toJson)
  return full.format(value, FORMAT)
}

function describeParseError (err: unknown, source: string): string {
  const message = err instanceof Error ? err.message : String(err)
  // mathjs says "Unexpected end of expression (char 6)"; say it without the character position when it is the end.
  const m = /^(.*) \(char (\d+)\)$/.exec(message)
  if (m === null) return message
  const at = Number(m[2])
  return at > source.length ? m[1]! : `${m[1]!} at character ${at}`
}

function lowerFirst (s: string): string {
  return s.length > 1 && /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s
}

// ---------------------------------------------------------------------------------------------
// Natural language to expression

/** A rewrite applied to a request, recorded in the working when it changes something. */
interface Rewrite {
  pattern: RegExp
  replace: string | ((...groups: string[]) => string)
  note: string
}

const STAT_FUNCTIONS: [RegExp, string][] = [
  [/\b(?:arithmetic\s+)?(?:mean|average|avg)\b/i, 'mean'],
  [/\bmedian\b/i, 'median'],
  [/\bmode\b/i, 'mode'],
  [/\b(?:sample\s+)?(?:standard\s+deviation|std\.?\s*dev|stdev|std)\b/i, 'std'],
  [/\bvariance\b/i, 'variance'],
  [/\b(?:sum|total)\b/i, 'sum'],
  [/\bproduct\b/i, 'prod'],
  [/\b(?:maximum|max|largest|biggest|highest)\b/i, 'max'],
  [/\b(?:minimum|min|smallest|lowest)\b/i, 'min']
]

/** Unit words mathjs does not know, or spells differently. Applied only next to numbers or after "to"/"in". */
const UNIT_WORDS: [RegExp, string][] = [
  [/\bdeg(?:rees?)?\s*(?:celsius|centigrade|c)\b/gi, 'degC'],
  [/\bdeg(?:rees?)?\s*(?:fahrenheit|f)\b/gi, 'degF'],
  [/\b(?:celsius|centigrade)\b/gi, 'degC'],
  [/\bfahrenheit\b/gi, 'degF'],
  [/\bkelvins?\b/gi, 'K'],
  [/°\s*C\b/g, 'degC'],
  [/°\s*F\b/g, 'degF'],
  [/\bkilomet(?:er|re)s?\s+per\s+hour\b/gi, 'km/h'],
  [/\bmiles?\s+per\s+hour\b/gi, 'mi/h'],
  [/\bmet(?:er|re)s?\s+per\s+second\b/gi, 'm/s'],
  [/\b(?:kph|kmh)\b/gi, 'km/h'],
  [/\bmph\b/gi, 'mi/h'],
  [/\bknots?\b/gi, '(1852 m/h)'],
  [/\bkilomet(?:er|re)s?\b/gi, 'km'],
  [/\bcentimet(?:er|re)s?\b/gi, 'cm'],
  [/\bmillimet(?:er|re)s?\b/gi, 'mm'],
  [/\bmet(?:er|re)s\b/gi, 'm'],
  [/\bmetre\b/gi, 'm'],
  [/\blit(?:er|re)s?\b/gi, 'L'],
  [/\bmillilit(?:er|re)s?\b/gi, 'mL'],
  [/\bkilos\b/gi, 'kg'],
  [/\bpounds?\b/gi, 'lb'],
  [/\bounces?\b/gi, 'oz'],
  [/\bsq(?:uare)?\s+(km|m|cm|mm|ft|feet|foot|in|inch(?:es)?|mi|miles?)\b/gi, '$1^2'],
  [/\bcu(?:bic)?\s+(km|m|cm|mm|ft|feet|foot|in|inch(?:es)?)\b/gi, '$1^3']
]

const REWRITES: Rewrite[] = [
  { pattern: /[×✕]/g, replace: '*', note: '× → *' },
  { pattern: /÷/g, replace: '/', note: '÷ → /' },
  { pattern: /[−–]/g, replace: '-', note: '− → -' },
  { pattern: /(\d)\s*\^\s*(\d)/g, replace: '$1^$2', note: '' },
  // Thousands separators: "2,340" and "1,000,000", but not the list "3, 5, 9".
  { pattern: /\b(\d{1,3}(?:,\d{3})+)(?![\d,]*\d)(?!,\d)/g, replace: (m: string) => m.replace(/,/g, ''), note: 'thousands separators removed' },
  { pattern: /(\d+(?:\.\d+)?)\s*(?:%|percent|per\s*cent)\s+of\s+/gi, replace: '($1 / 100) * ', note: 'percentage of a value' },
  { pattern: /(\d+(?:\.\d+)?)\s*(?:percent|per\s*cent)\b/gi, replace: '$1%', note: '' },
  { pattern: /\bsquare\s+root\s+of\s+(\(?[\d.]+\)?)/gi, replace: 'sqrt($1)', note: 'square root' },
  { pattern: /\bcube\s+root\s+of\s+(\(?[\d.]+\)?)/gi, replace: 'cbrt($1)', note: 'cube root' },
  { pattern: /\b(?:the\s+)?factorial\s+of\s+(\d+)/gi, replace: '$1!', note: 'factorial' },
  { pattern: /\bsquared\b/gi, replace: '^2', note: '' },
  { pattern: /\bcubed\b/gi, replace: '^3', note: '' },
  { pattern: /\b(?:raised\s+)?to\s+the\s+(?:power\s+of|power)\s+/gi, replace: '^ ', note: '' },
  { pattern: /\bmultiplied\s+by\b|\btimes\b/gi, replace: '*', note: '' },
  { pattern: /\bdivided\s+by\b|\bover\b/gi, replace: '/', note: '' },
  { pattern: /\bplus\b|\badded\s+to\b/gi, replace: '+', note: '' },
  { pattern: /\bminus\b/gi, replace: '-', note: '' },
  { pattern: /\bmodulo\b/gi, replace: 'mod', note: '' },
  { pattern: /(\d)\s*x\s*(\d)/g, replace: '$1 * $2', note: '' },
  { pattern: /\bequals\b|\bis\s+equal\s+to\b/gi, replace: '==', note: '' },
  // "2 + 2 = 5" is a claim to check, not an assignment (mathjs' `=`), when its left side is arithmetic.
  { pattern: /^([^=<>!]*\d[^=<>!]*)(?<![=<>!])=(?!=)/, replace: '$1==', note: '"=" read as a comparison' }
]

const LEADING_FILLER =
  /^(?:(?:please|hey|ok|okay|so|and)\b[\s,]*|(?:can|could|would|will)\s+you\s+(?:please\s+)?|(?:tell|show)\s+me\s+|i\s+(?:want|need|would\s+like)\s+to\s+(?:know\s+)?|what(?:'s|\s+is|\s+are|\s+would\s+be)\s+|how\s+much\s+(?:is|are)\s+|how\s+many\s+|is\s+it\s+(?:true|correct|right)\s+that\s+|(?:check|verify|confirm)\s+(?:that\s+|whether\s+|if\s+)?|is\s+|does\s+|calculate\s+|compute\s+|evaluate\s+|work\s+out\s+|figure\s+out\s+|solve\s+|find\s+|give\s+me\s+|convert\s+|express\s+|the\s+(?:value|result|answer)\s+of\s+|the\s+)+/i

export interface Translation {
  /** The mathjs expression. */
  expression: string
  /** Notes on how the words became the expression. */
  steps: string[]
  /** Set for unit conversions: the quantity and the target unit. */
  conversion?: { from: string; to: string }
}

/**
 * Turns a request such as "what is 17% of 2,340?", "convert 5 miles to km" or "mean of 3, 5, 9"
 * into a mathjs expression. Returns the best candidate; evaluation decides whether it holds.
 */
export function translateRequest (request: string): Translation {
  const steps: string[] = []
  let s = request.trim().replace(/\s+/g, ' ')
  // Trailing punctuation and politeness.
  s = s.replace(/[?!.。]+$/, '').replace(/,?\s*(?:please|thanks|thank you)\s*$/i, '').trim()
  // A request quoted in backticks names the expression exactly.
  const quoted = /`([^`]+)`/.exec(s)
  if (quoted !== null) return { expression: quoted[1]!.trim(), steps: ['expression taken from the backticks'] }

  for (const r of REWRITES) {
    const next = typeof r.replace === 'string' ? s.replace(r.pattern, r.replace) : s.replace(r.pattern, r.replace as (...a: string[]) => string)
    if (next !== s && r.note !== '') steps.push(r.note)
    s = next
  }

  s = s.replace(LEADING_FILLER, '').trim()

  // Statistics: "mean of 3, 5 and 9", "the standard deviation of 2 4 4 4 5".
  for (const [word, fn] of STAT_FUNCTIONS) {
    const m = new RegExp(`^(?:the\\s+)?${word.source}\\s*(?:of|for)?\\s*(?:the\\s+)?(?:numbers|values|list)?\\s*:?\\s*(.+)$`, 'i').exec(s)
    if (m === null) continue
    const values = m[1]!.replace(/\band\b/gi, ',').split(/[\s,;]+/).filter((v) => v !== '')
    if (values.length > 0 && values.every((v) => /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i.test(v))) {
      steps.push(`${fn} of ${values.length} value${values.length === 1 ? '' : 's'}`)
      return { expression: `${fn}(${values.join(', ')})`, steps }
    }
  }

  // Unit conversion: "5 miles to km", "5 miles in km", "how many km is 5 miles", "100 f in c".
  const howMany = /^(.+?)\s+(?:is|are|in|make|makes)\s+(.+)$/i.exec(s)
  if (/^how many\b/i.test(request.replace(/^\s*(?:please\s+)?/i, '')) && howMany !== null) {
    s = `${howMany[2]!} to ${howMany[1]!}`
  }
  const conv = /^(.+?)\s+(?:to|in|into|as)\s+([A-Za-z°µ][\w°µ/^ ()*.]*)$/i.exec(s)
  if (conv !== null && /\d/.test(conv[1]!)) {
    const from = unitWords(conv[1]!.trim())
    const to = unitWords(conv[2]!.trim())
    steps.push(`unit conversion: ${from} → ${to}`)
    return { expression: `${from} to ${to}`, steps, conversion: { from, to } }
  }
  return { expression: unitWords(s), steps }
}

function unitWords (s: string): string {
  let out = s
  for (const [pattern, replacement] of UNIT_WORDS) out = out.replace(pattern, replacement)
  return out
}

/**
 * The longest run of the text that looks like arithmetic (numbers, operators, brackets), for requests
 * where the expression is buried in prose: "I bought 3 * 4.50 worth, how much was that".
 */
export function arithmeticRun (text: string): string | undefined {
  const runs = text.match(/[-+(]*\s*\d[\d.\s]*(?:\s*[-+*/^%()!]+\s*[\d.(][\d.\s)]*)+/g)
  if (runs === null) return undefined
  return runs.map((r) => r.trim()).sort((a, b) => b.length - a.length)[0]
}
