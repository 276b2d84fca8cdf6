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
import { all, create, type MathJsInstance, type MathNode, type OperatorNode } from 'mathjs'
import { DENOMINATOR, numberWordsToDigits, withoutThousands } from './number-words.ts'
import { singular } from './word-problems.ts'
import { travelRequest } from './travel.ts'
import { priceStory } from './price-story.ts'

const full = create(all as NonNullable<typeof all>)
/** Kept before the overrides below, for our own use only. */
const parseExpression = full.parse.bind(full)

const disabled = (name: string) => () => {
  throw new Error(`function ${name} is disabled`)
}
/** The functions an expression may not call, in every instance. */
const DISABLED = {
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
}
full.import(DISABLED, { override: true })

/**
 * An instance that computes in decimal BigNumbers, made when a request first asks for more digits than
 * a double holds ("the square root of 2 to 30 decimal places"); restricted as `full` is.
 */
let bigInstance: { parse: MathJsInstance['parse'], math: MathJsInstance } | undefined
function big (): { parse: MathJsInstance['parse'], math: MathJsInstance } {
  if (bigInstance === undefined) {
    const m = create(all as NonNullable<typeof all>, { number: 'BigNumber', precision: 64 })
    const parse = m.parse.bind(m)
    m.import(DISABLED, { override: true })
    bigInstance = { parse, math: m }
  }
  return bigInstance
}
/** Digits a double gives after the point, and significant digits: more are computed in BigNumbers. */
const DOUBLE_DECIMALS = 15
const DOUBLE_SIGNIFICANT = 17

export const math: MathJsInstance = full

/**
 * mathjs' parser, for code that walks the tree itself (equations.ts): the instance's `parse` is
 * disabled for expressions, and a tree parsed here is evaluated only part by part, in a fresh scope.
 */
export function parseOnly (text: string): MathNode {
  if (text.length > MAX_EXPRESSION_LENGTH) throw new Error(`the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`)
  return parseExpression(text)
}

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
  /** The value in JSON: a number (12 significant digits), boolean, string (units, complex, the digits of an exact whole number beyond a double), or array. */
  output: unknown
  /** The value as a person reads it. */
  display: string
  /** Every digit of a whole-number result beyond a double's exact range ("2^64"), when it was computed exactly. */
  exact?: string
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
  const logical = numericLogic(node)
  if (logical !== undefined) throw new ExpressionError(source, 'evaluate', `'${logical}' applies logic to numbers (mathjs reads it as true or false), not arithmetic; say which operation is meant`)
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
  // Whole-number arithmetic beyond a double's exact range ("2^64", "25!") is redone exactly.
  if (typeof last === 'number' && !Number.isNaN(last) && !(Math.abs(last) < 2 ** 53)) {
    const exact = exactInteger(node, bigLiterals(source))
    if (exact !== undefined) {
      const digits = exact.toString()
      // The output is the digits: no JSON number holds them (a chain's next step computes on them exactly).
      return { expression: source, parsed: node.toString(FORMAT), value: Number.isFinite(last) ? last : digits, output: digits, display: digits, exact: digits }
    }
  }
  return { expression: source, parsed: node.toString(FORMAT), value: last, output: toJson(last), display: full.format(last, FORMAT) }
}

/** Digits an exact whole-number result may have (2^3000 has 904). */
const MAX_EXACT_DIGITS = 1000

/**
 * Whole numbers written with more digits than a double holds exactly ("2 * 18446744073709551616", a
 * chain's step on an exact result), by the double each parses to: mathjs keeps only that double, and
 * `exactInteger` takes the digits back. Two literals that parse to one double are left out: which
 * was meant cannot be told.
 */
function bigLiterals (source: string): Map<number, bigint> {
  const out = new Map<number, bigint>()
  const clash = new Set<number>()
  for (const m of source.matchAll(/(?<![\w.])\d{16,1000}(?![\w.])/g)) {
    const v = Number(m[0])
    const digits = BigInt(m[0])
    if (out.has(v) && out.get(v) !== digits) clash.add(v)
    out.set(v, digits)
  }
  for (const v of clash) out.delete(v)
  return out
}

/**
 * The exact value of an expression of whole numbers, +, -, *, / (without a remainder), ^ (a whole
 * exponent) and ! alone, as a BigInt; undefined for anything else (a function, a decimal) or a result longer
 * than MAX_EXACT_DIGITS digits.
 */
export function exactInteger (node: MathNode, literals: ReadonlyMap<number, bigint> = new Map()): bigint | undefined {
  const limit = 10n ** BigInt(MAX_EXACT_DIGITS)
  const walk = (n: MathNode): bigint | undefined => {
    if (n.type === 'ParenthesisNode') return walk((n as unknown as { content: MathNode }).content)
    if (n.type === 'ConstantNode') {
      const v = (n as unknown as { value: unknown }).value
      return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : typeof v === 'number' ? literals.get(v) : undefined
    }
    if (n.type !== 'OperatorNode') return undefined
    const op = n as OperatorNode
    const args = op.args.map(walk)
    if (args.some(a => a === undefined)) return undefined
    const [a, b] = args as bigint[]
    let r: bigint
    switch (op.fn) {
      case 'add': r = a! + b!; break
      case 'subtract': r = a! - b!; break
      case 'multiply': r = a! * b!; break
      // Only a division that leaves no remainder stays whole ("2^64 / 2").
      case 'divide': if (b! === 0n || a! % b! !== 0n) return undefined; r = a! / b!; break
      case 'unaryMinus': r = -a!; break
      case 'unaryPlus': r = a!; break
      case 'pow': {
        if (b! < 0n) return undefined
        const bits = a! === 0n || a! === 1n || a! === -1n ? 0 : (a! < 0n ? -a! : a!).toString(2).length
        if (bits * Number(b!) > MAX_EXACT_DIGITS * 3.33) return undefined
        r = a! ** b!
        break
      }
      case 'factorial': {
        if (a! < 0n || a! > 500n) return undefined
        r = 1n
        for (let i = 2n; i <= a!; i++) r *= i
        break
      }
      default: return undefined
    }
    return r < limit && r > -limit ? r : undefined
  }
  return walk(node)
}

const LOGIC = new Set(['and', 'or', 'xor', 'not'])
const NUMERIC_FUNCTIONS = new Set(['sqrt', 'cbrt', 'nthRoot', 'abs', 'exp', 'log', 'log10', 'log2', 'round', 'floor', 'ceil', 'fix', 'factorial', 'gcd', 'lcm', 'mean', 'median', 'sum', 'prod', 'min', 'max', 'std', 'variance', 'sin', 'cos', 'tan', 'square', 'cube'])
const ARITHMETIC = new Set(['add', 'subtract', 'multiply', 'divide', 'pow', 'mod', 'unaryMinus', 'unaryPlus', 'dotMultiply', 'dotDivide', 'factorial'])

/**
 * The first logical operator ("and", "or", "xor", "not") with an operand that is surely a number:
 * "3 and 4" is `true` to mathjs, which is never what a request in words means ("take the square
 * root of 1024 and double 1024" came out `true`). Comparisons joined by "and" stay logic.
 */
function numericLogic (root: MathNode): string | undefined {
  const numeric = (n: MathNode): boolean => {
    if (n.type === 'ParenthesisNode') return numeric((n as unknown as { content: MathNode }).content)
    if (n.type === 'ConstantNode') return typeof (n as unknown as { value: unknown }).value === 'number'
    if (n.type === 'FunctionNode') return NUMERIC_FUNCTIONS.has(String((n as unknown as { fn: { name?: unknown } }).fn.name))
    return n.type === 'OperatorNode' && ARITHMETIC.has((n as OperatorNode).fn)
  }
  let found: string | undefined
  root.traverse((n) => {
    if (found !== undefined || n.type !== 'OperatorNode') return
    const op = n as OperatorNode
    if (LOGIC.has(op.fn) && op.args.some(numeric)) found = op.toString(FORMAT)
  })
  return found
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
  // An object of several results ("the mean and the median of ..."): each as JSON.
  if (type === 'Object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toJson(v)]))
  return full.format(value, FORMAT)
}

/** Functions whose value at 0 is minus infinity. */
const LOGARITHMS = new Set(['log', 'log10', 'log2', 'ln'])

/**
 * Why a number came out infinite or not a number: the first division (or modulo) by zero in the
 * expression, said as written ("100 / 0"), a logarithm of zero ("log10(0)"), or that the value is
 * beyond what a double holds ("2^10000"). Undefined for a finite value or anything that is not a number.
 */
export function nonFiniteReason (ev: Evaluation): string | undefined {
  if (typeof ev.value !== 'number' || Number.isFinite(ev.value)) return undefined
  let zero: string | undefined
  let logOfZero: string | undefined
  const constant = (n: MathNode): unknown => { try { return n.evaluate(new Map()) } catch { return undefined } }
  try {
    parseExpression(ev.expression).traverse((node) => {
      if (zero !== undefined) return
      if (node.type === 'FunctionNode') {
        // log(0) is minus infinity because the logarithm has no value at 0, not because a double overflowed.
        const fn = node as unknown as { fn: { name?: unknown }, args: MathNode[] }
        if (logOfZero === undefined && LOGARITHMS.has(String(fn.fn.name)) && fn.args.length >= 1 && constant(fn.args[0]!) === 0) logOfZero = node.toString(FORMAT)
        return
      }
      if (node.type !== 'OperatorNode') return
      const op = node as OperatorNode
      // A constant divisor of 0 (not a variable's value: that is not the division by zero).
      if ((op.fn === 'divide' || op.fn === 'mod') && op.args.length === 2 && constant(op.args[1]!) === 0) zero = op.toString(FORMAT)
    })
  } catch { /* it parsed once already */ }
  if (zero !== undefined) return `undefined: ${zero} divides by zero`
  if (logOfZero !== undefined && ev.value === -Infinity) return `minus infinity: ${logOfZero} is the logarithm of zero, which has no finite value`
  if (Number.isNaN(ev.value)) return 'undefined: the expression has no numeric value (NaN)'
  return `${ev.value > 0 ? '' : 'minus '}infinity: the value is beyond what a double-precision number holds (about 1.8e308)`
}

function describeParseError (err: unknown, source: string): string {
  const message = err instanceof Error ? err.message : String(err)
  // mathjs says "Unexpected end of expression (char 6)"; say it without the character position when it is the end.
  const m = /^(.*) \(char (\d+)\)$/.exec(message)
  if (m === null) return message
  // "3 +", "7 *": the operator waits for a number the request does not give.
  const dangling = /([-+*/^×÷])\s*$/.exec(source)
  if (/^unexpected end of expression$/i.test(m[1]!) && dangling !== null) return `the expression ends in '${dangling[1]!}': a number is missing after it`
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
  // mathjs divides by n − 1 (the sample's); a population's divides by n.
  [/\bpopulation\s+(?:standard\s+deviation|std\.?\s*dev|stdev|std)\b/i, 'std:uncorrected'],
  [/\b(?:sample\s+)?(?:standard\s+deviation|std\.?\s*dev|stdev|std)\b/i, 'std'],
  [/\bpopulation\s+variance\b/i, 'variance:uncorrected'],
  [/\b(?:sample\s+)?variance\b/i, 'variance'],
  [/\b(?:sum|total)\b/i, 'sum'],
  [/\bproduct\b/i, 'prod'],
  [/\b(?:maximum|max|largest|biggest|highest)\b/i, 'max'],
  [/\b(?:minimum|min|smallest|lowest)\b/i, 'min'],
  // "Count 53, 59 and 61", "Count them" on an earlier list (before: "cannot parse 'Count 53, 59, ...'").
  [/\bcount\b/i, 'count']
]

/** A statistic of `values` as an expression: "std(1, 2)", or with a normalization "std([1, 2], \"uncorrected\")". */
function statCall (fn: string, values: readonly string[]): string {
  const [name, normalization] = fn.split(':')
  // count takes one list (count(1, 2) is an error), and so does a normalization.
  return name === 'count' || normalization !== undefined ? statOfList(fn, `[${values.join(', ')}]`) : `${name!}(${values.join(', ')})`
}

/** A statistic of a list expression: "median(filter(2:30, isPrime))", "std([1, 2], \"uncorrected\")". */
function statOfList (fn: string, list: string): string {
  const [name, normalization] = fn.split(':')
  return normalization === undefined ? `${name!}(${list})` : `${name!}(${list}, "${normalization}")`
}

/** Whose standard deviation or variance `fn` is ("sample standard deviation": mathjs' are the sample's), or undefined for another statistic. */
function statName (fn: string): string | undefined {
  const [name, normalization] = fn.split(':')
  if (name !== 'std' && name !== 'variance') return undefined
  return `${normalization === 'uncorrected' ? 'population' : 'sample'} ${name === 'std' ? 'standard deviation' : 'variance'}`
}

/** What a statistic is, said where it could be read two ways: " (the sample standard deviation, dividing by n − 1)". */
function statNote (fn: string): string {
  const name = statName(fn)
  return name === undefined ? '' : ` (the ${name}, dividing by ${name.startsWith('sample') ? 'n − 1' : 'n'})`
}

/** A number as a list holds it: "3", "-2.5", "1e6". */
const LIST_NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i

/** The items of a list written "3, 5 and 9" or "3 5 9". */
function listItems (text: string): string[] {
  return text.replace(/\band\b/gi, ',').split(/[\s,;]+/).filter((v) => v !== '')
}

/** "the mean, the median and the mode of 1, 2, 2, 3": two or more statistics of one list of numbers. */
function severalStatistics (s: string): { names: string[], fns: string[], values: string[] } | undefined {
  const m = /^(.+?)\s+(?:of|for)\s+(?:the\s+)?(?:numbers|values|list)?\s*:?\s*([-+\d.,\s]+(?:\s+and\s+[-+\d.]+)?)$/i.exec(s)
  if (m === null) return undefined
  const heads = m[1]!.split(/\s*,\s*(?:and\s+)?|\s+and\s+/).map(h => h.trim().replace(/^(?:the|its)\s+/i, ''))
  if (heads.length < 2) return undefined
  const names: string[] = []
  const fns: string[] = []
  for (const head of heads) {
    const stat = STAT_FUNCTIONS.find(([word]) => new RegExp(`^${word.source}$`, 'i').test(head))
    if (stat === undefined) return undefined
    const name = head.toLowerCase().replace(/\s+/g, ' ')
    // Which standard deviation is said in the answer: "mean = 18, sample standard deviation = 13.49".
    names.push((stat[1] === 'std' || stat[1] === 'variance') && !name.startsWith('sample') ? `sample ${name}` : name)
    fns.push(stat[1])
  }
  const values = listItems(m[2]!)
  if (values.length === 0 || !values.every((v) => LIST_NUMBER.test(v))) return undefined
  return { names, fns, values }
}

/** Unit words mathjs does not know, or spells differently. Applied only next to numbers or after "to"/"in". */
const UNIT_WORDS: [RegExp, string][] = [
  [/\bdeg(?:rees?)?\s*(?:celsius|centigrade|c)\b/gi, 'degC'],
  [/\bdeg(?:rees?)?\s*(?:fahrenheit|f)\b/gi, 'degF'],
  [/\b(?:celsius|centigrade)\b/gi, 'degC'],
  [/\bfahrenheit\b/gi, 'degF'],
  [/\bkelvins?\b/gi, 'K'],
  // A leap year is 366 days, a common one 365 (mathjs's year is their average, 365.25 days).
  [/\b(\d+(?:\.\d+)?)\s+leap\s+years?\b/gi, '($1 * 366 days)'],
  [/\b(\d+(?:\.\d+)?)\s+(?:common|non-leap|calendar)\s+years?\b/gi, '($1 * 365 days)'],
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

/** A number and a unit of time, length or weight, as people write a quantity in parts ("3 hours and 20 minutes"). */
const PART = String.raw`(\d+(?:\.\d+)?)\s*(weeks?|days?|hours?|hrs?|minutes?|mins?|seconds?|secs?|miles?|yards?|feet|foot|ft|inch(?:es)?|kilomet(?:er|re)s?|km|met(?:er|re)s?|centimet(?:er|re)s?|cm|millimet(?:er|re)s?|mm|pounds?|lbs?|ounces?|oz|kilograms?|kg|grams?|g)\b`
/** Spellings mathjs does not read as units ("min" is its minimum function). */
const UNIT_SPELLING: Record<string, string> = { hr: 'hours', hrs: 'hours', min: 'minutes', mins: 'minutes', sec: 'seconds', secs: 'seconds', lbs: 'lb' }

const REWRITES: Rewrite[] = [
  // "0x1F + 1", "0b1010 * 2": numbers with a base's prefix, in decimal (the rule for "3 x 4" below read 0x1F as 0 * 1F).
  { pattern: /\b0x([0-9a-f]+)\b|\b0b([01]+)\b|\b0o([0-7]+)\b/gi, replace: (m: string) => BigInt(m.replace(/^0X/, '0x').replace(/^0B/, '0b').replace(/^0O/, '0o')).toString(), note: 'a number with a base prefix (0x, 0b, 0o) read in decimal' },
  { pattern: /[×✕]/g, replace: '*', note: '× → *' },
  { pattern: /÷/g, replace: '/', note: '÷ → /' },
  { pattern: /[−–]/g, replace: '-', note: '− → -' },
  { pattern: /(\d)\s*\^\s*(\d)/g, replace: '$1^$2', note: '' },
  // Thousands separators: "2,340" and "1,000,000", but not the list "3, 5, 9".
  { pattern: /\b(\d{1,3}(?:,\d{3})+)(?![\d,]*\d)(?!,\d)/g, replace: (m: string) => m.replace(/,/g, ''), note: 'thousands separators removed' },
  // Money: "$84.50", "€12", "84.50 USD" are the amounts (the calculator keeps no currency).
  { pattern: /[$€£¥]\s*(?=\d)|(?<=\d)\s*(?:usd|eur|gbp|dollars?|euros?|pounds sterling)\b/gi, replace: '', note: 'currency symbols dropped' },
  // "3 hours and 20 minutes", "5 feet 10 inches", "2 lb, 3 oz": one quantity told in parts is their sum.
  // Parts in one unit ("3 kg, 5 kg and 4 kg") are a list, not one quantity: they stay as they are.
  { pattern: new RegExp(String.raw`${PART}(?:\s*(?:,\s*(?:and\s+)?|and\s+)?${PART}){1,3}(?![\w/^])`, 'gi'), replace: (m: string) => { const parts = [...m.matchAll(new RegExp(PART, 'gi'))]; return new Set(parts.map(p => singular(p[2]!))).size === 1 ? m : `(${parts.map(p => `${p[1]} ${UNIT_SPELLING[p[2]!.toLowerCase()] ?? p[2]}`).join(' + ')})` }, note: 'a quantity told in parts added up' },
  // "the tip on a $64 bill at 20%", "the tax on 300 at 8.5%": the rate said after the amount. Before,
  // "undefined symbol tip".
  { pattern: /\b(?:the\s+|a\s+)?(?:tip|gratuity|(?:sales\s+)?tax|vat|gst|discount|commission|fee|surcharge|service\s+charge|markup|deposit)\s+(?:on|for|of)\s+(?:an?\s+|the\s+|my\s+|our\s+|your\s+)?(\d+(?:\.\d+)?)(?:\s+(?:bill|check|cheque|meal|order|purchase|invoice|tab|total|price|sale|fare))?\s+(?:at|of)\s+(?:an?\s+)?(\d+(?:\.\d+)?)\s*(?:%|percent|per\s*cent)(?:\s+rate)?/gi, replace: '($2 / 100) * $1', note: 'percentage of a value' },
  // "a 15% tip on 84.50", "20% tax on 300", "10% discount of 80", "a 12% raise on a $64,000 salary":
  // a percentage of a value (the raise itself; before, "undefined symbol a").
  // ("Add a 10% tip on 84" adds it: a verb rule's.)
  { pattern: /(?<!\b(?:add|deduct|subtract|take|knock)\s+(?:an?\s+)?)\b(?:an?\s+)?(\d+(?:\.\d+)?)\s*(?:%|percent|per\s*cent)\s+(?:tip|(?:sales\s+)?tax|vat|discount|commission|fee|surcharge|service\s+charge|interest|markup|deposit|(?:pay\s+)?(?:raise|rise|cut)|bonus|increase|reduction)\s+(?:on|of|for|to)\s+(?:an?\s+|the\s+|my\s+|our\s+|your\s+)?/gi, replace: '($1 / 100) * ', note: 'percentage of a value' },
  // "... on a $80 bill": the amount is the bill.
  { pattern: /(\d)\s+(?:bill|check|cheque|meal|order|purchase|invoice|tab|total|price|sale|salary|fare)\b/gi, replace: '$1', note: '' },
  { pattern: /(\d+(?:\.\d+)?)\s*(?:%|percent|per\s*cent)\s+of\s+/gi, replace: '($1 / 100) * ', note: 'percentage of a value' },
  { pattern: /(\d+(?:\.\d+)?)\s*(?:percent|per\s*cent)\b/gi, replace: '$1%', note: '' },
  { pattern: /\blog(?:arithm)?\s+(?:base|to\s+(?:the\s+)?base)\s+(\d+(?:\.\d+)?)\s+of\s+(\(?[\d.]+\)?)/gi, replace: 'log($2, $1)', note: 'logarithm to a base' },
  { pattern: /\b(?:natural\s+log(?:arithm)?|ln)\s+(?:of\s+)?(\(?[\d.]+\)?)/gi, replace: 'log($1)', note: 'natural logarithm' },
  // "ln(5)", "ln(2 + 3)" as written: mathjs has no ln (before, "undefined function ln", while "ln 5" worked).
  { pattern: /\bln\s*\(/gi, replace: 'log(', note: 'natural logarithm' },
  { pattern: /\blog(?:arithm)?\s+of\s+(\(?[\d.]+\)?)/gi, replace: 'log10($1)', note: 'logarithm base 10' },
  { pattern: /\bsquare\s+root\s+of\s+(\(?[\d.]+\)?)/gi, replace: 'sqrt($1)', note: 'square root' },
  { pattern: /\bcube\s+root\s+of\s+(\(?[\d.]+\)?)/gi, replace: 'cbrt($1)', note: 'cube root' },
  { pattern: /\b(?:the\s+)?factorial\s+(?:of\s+)?(\d+)|\b(\d+)\s+factorial\b/gi, replace: (_m: string, a?: string, b?: string) => `${a ?? b!}!`, note: 'factorial' },
  // "GCD of 48 and 180", "the least common multiple of 4, 6 and 10".
  { pattern: /\b(?:the\s+)?(gcd|gcf|hcf|greatest\s+common\s+(?:divisor|factor)|highest\s+common\s+factor|lcm|(?:least|lowest)\s+common\s+multiple)\s+(?:of\s+)?(\d+(?:\s*(?:,\s*(?:and\s+)?|\band\b|&)\s*\d+)+)/gi, replace: (_m: string, name: string, list: string) => `${/^(?:lcm|l)/i.test(name) ? 'lcm' : 'gcd'}(${list.match(/\d+/g)!.join(', ')})`, note: 'greatest common divisor or least common multiple' },
  { pattern: /\bsquared\b/gi, replace: '^2', note: '' },
  { pattern: /\bcubed\b/gi, replace: '^3', note: '' },
  // "2 to the 16th power", "3 to the 4th": an ordinal power.
  { pattern: /\b(?:raised\s+)?to\s+the\s+(\d+)(?:st|nd|rd|th)(?:\s+power)?\b/gi, replace: '^ $1', note: '' },
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

// "take" opens "take the square root of 9" and "take 10% of 200", but is the verb of "take 3 from 10".
const LEADING_FILLER =
  /^(?:(?:please|hey|ok|okay|so|and|now|then|next|finally|also|just)\b[\s,]*|take\s+(?!.*\b(?:from|away|off)\b)|(?:can|could|would|will)\s+you\s+(?:please\s+)?|(?:tell|show)\s+me\s+|i\s+(?:want|need|would\s+like)\s+to\s+(?:know\s+)?|what(?:'s|\s+is|\s+are|\s+would\s+be)\s+|how\s+much\s+(?:is|are)\s+|how\s+many\s+|is\s+it\s+(?:true|correct|right)\s+that\s+|(?:check|verify|confirm)\s+(?:that\s+|whether\s+|if\s+)?|is\s+|does\s+|calculate\s+|compute\s+|evaluate\s+|work\s+out\s+|figure\s+out\s+|solve\s+|find\s+|give\s+me\s+|convert\s+|express\s+|the\s+(?:value|result|answer)\s+of\s+|the\s+)+/i

/**
 * The request without its closing punctuation. A "!" after a number or a bracket is a factorial and
 * stays: "Calculate 5!" is 120, not 5.
 */
export function trimSentenceEnd (s: string): string {
  return s.replace(/[?.。]+$/, '').replace(/(?<![\d)!])!+$|(?<=[\d)]!)!+$/, '').replace(/[?.。]+$/, '')
}

export interface Translation {
  /** The mathjs expression. */
  expression: string
  /** Notes on how the words became the expression. */
  steps: string[]
  /** Set for unit conversions: the quantity and the target unit. */
  conversion?: { from: string; to: string }
  /** Set when the request asks for the answer rounded ("to 5 decimal places", "to 3 significant figures"). */
  rounding?: Rounding
  /** Set when the request asks for the answer as a percentage ("3/8 as a percentage": 37.5, shown 37.5%). */
  percent?: true
  /** Set for a standard deviation or variance of a list, saying whose: "sample standard deviation", "population variance". */
  statistic?: string
}

/** How a result is rounded: to decimal places, to significant digits, or to the nearest multiple of `step` ("the nearest ten", "the nearest 0.5"). */
export interface Rounding { kind: 'decimals' | 'significant' | 'multiple', digits: number, step?: number }

/**
 * "..., rounded to 5 decimal places", "... to 3 significant figures", "... to the nearest hundredth".
 * Read after numbers in words became digits ("to five decimal places").
 */
const ROUNDING = new RegExp(String.raw`\s*,?\s*(?:and\s+)?(?:(?:rounded|round(?:ed)?\s+off|correct|accurate|precise|exact)\s+)?(?:to|at|with)\s+(?:(\d{1,2})\s+(?:(decimal\s+places?|decimals?|d\.?p\.?|places?|digits?\s+after\s+the\s+(?:decimal\s+)?point)|(significant\s+(?:figures?|digits?)|sig\.?\s*figs?|s\.?f\.?))|the\s+nearest\s+(whole\s+number|integer|unit|tenth|hundredth|thousandth)|the\s+nearest\s+(\d+(?:\.\d+)?))\s*$`, 'i')
const NEAREST: Record<string, number> = { 'whole number': 0, integer: 0, unit: 0, tenth: 1, hundredth: 2, thousandth: 3 }

/** The rounding a request asks for, and the request without those words. */
function roundingOf (s: string): { rest: string, rounding: Rounding } | undefined {
  const m = ROUNDING.exec(s)
  if (m === null || m.index === 0) return undefined
  const count = m[1] === undefined ? undefined : Number(m[1])
  // "to the nearest ten" (read as "the nearest 10"), "to the nearest 0.5": a multiple of it.
  const step = m[5] === undefined ? undefined : Number(m[5])
  if (step !== undefined && !(step > 0)) return undefined
  const rounding: Rounding = step !== undefined
    ? { kind: 'multiple', digits: m[5]!.split('.')[1]?.length ?? 0, step }
    : m[4] !== undefined
    ? { kind: 'decimals', digits: NEAREST[m[4].toLowerCase().replace(/\s+/g, ' ')]! }
    : { kind: m[3] !== undefined ? 'significant' : 'decimals', digits: count! }
  if (rounding.kind === 'significant' && rounding.digits === 0) return undefined
  // "round pi to 3 decimals": the verb goes with the phrase.
  const rest = s.slice(0, m.index).replace(/^round(?:\s+off)?\s+/i, '').trim()
  return rest === '' ? undefined : { rest, rounding }
}

/**
 * The evaluation rounded as asked: a number, or the number of a quantity ("3.10686 miles"). Decimals
 * are shown in full ("1.50" to 2 places). Anything else (a list, a boolean) is an error saying so.
 */
export function applyRounding (ev: Evaluation, r: Rounding): Evaluation {
  // More digits than a double holds ("sqrt(2) to 30 decimal places"): the expression again, in BigNumbers.
  // Before, the answer stopped at 15 places without saying so.
  if (r.digits > (r.kind === 'decimals' ? DOUBLE_DECIMALS : DOUBLE_SIGNIFICANT)) {
    const precise = inBigNumbers(ev, r)
    if (precise !== undefined) return precise
  }
  const digits = Math.min(r.kind === 'decimals' ? DOUBLE_DECIMALS : DOUBLE_SIGNIFICANT, r.digits)
  const type = full.typeOf(ev.value)
  const isUnit = type === 'Unit'
  const unit = isUnit ? ev.value as { toNumber(u?: string): number, formatUnits(): string } : undefined
  const n = unit !== undefined ? unit.toNumber(unit.formatUnits()) : type === 'number' || type === 'BigNumber' || type === 'Fraction' ? Number(ev.value) : undefined
  if (ev.exact !== undefined && (n === undefined || !Number.isFinite(n))) throw new Error(`calculator: ${ev.expression} is a whole number of ${ev.exact.replace(/^-/, '').length} digits, beyond what a double-precision number holds, so it is not rounded: ${ev.exact.length > 60 ? `${ev.exact.slice(0, 30)}…${ev.exact.slice(-10)}` : ev.exact}`)
  if (n === undefined || !Number.isFinite(n)) throw new Error(`calculator: can round a number or a quantity, and ${ev.expression} is ${type === 'number' ? String(n) : `a ${type}`}`)
  const rounded = r.kind === 'multiple' ? Number((Math.round(n / r.step!) * r.step!).toFixed(digits)) : r.kind === 'decimals' ? Number(full.round(n, digits)) : Number(n.toPrecision(digits))
  const shown = r.kind === 'multiple' ? String(rounded) : r.kind === 'decimals' ? rounded.toFixed(digits) : full.format(rounded, { precision: digits, lowerExp: -9, upperExp: 15 })
  const display = unit !== undefined ? `${shown} ${unit.formatUnits()}` : shown
  // Asked for more digits than a double holds, of what BigNumbers do not compute (a unit, a function
  // decimal.js lacks): the answer says where its digits stop.
  const capped = digits < r.digits ? ` (${digits} ${r.kind === 'decimals' ? 'decimal places' : 'significant digits'}: the most this expression is computed to)` : ''
  return { ...ev, value: rounded, output: unit !== undefined ? display : rounded, display: display + capped }
}

/**
 * `ev`'s expression computed in decimal BigNumbers with enough precision for `r`, rounded as asked
 * (half away from zero, as `round` does); undefined when it has no BigNumber value (units, matrices,
 * functions decimal.js does not compute). The output is the digits as a string: no double holds them.
 */
function inBigNumbers (ev: Evaluation, r: Rounding): Evaluation | undefined {
  const { parse, math: m } = big()
  try {
    const node = parse(ev.expression)
    m.config({ precision: 64 })
    type Big = { e: number, toFixed(d: number): string, toPrecision(d: number): string, isFinite(): boolean }
    type BigUnit = { toNumeric(u: string): unknown, formatUnits(): string }
    /** The number of a value: a BigNumber, or a quantity's BigNumber in its own unit ("5 miles to km"). */
    const numberOf = (v: unknown): { n: Big, unit?: string } | undefined => {
      if (m.typeOf(v) === 'BigNumber') return { n: v as Big }
      if (m.typeOf(v) !== 'Unit') return undefined
      const u = v as BigUnit
      const n = u.toNumeric(u.formatUnits())
      return m.typeOf(n) === 'BigNumber' ? { n: n as Big, unit: u.formatUnits() } : undefined
    }
    const rough = numberOf(node.evaluate(new Map()))
    if (rough === undefined) return undefined
    // Enough digits for the integer part and the places asked for, and a guard of 10.
    const size = Math.max(1, rough.n.e + 1)
    m.config({ precision: Math.min(2000, (r.kind === 'decimals' ? size + r.digits : r.digits) + 10) })
    const value = numberOf(node.evaluate(new Map()))
    if (value === undefined || !value.n.isFinite()) return undefined
    const digits = r.kind === 'decimals' ? value.n.toFixed(r.digits) : value.n.toPrecision(r.digits)
    const display = value.unit === undefined ? digits : `${digits} ${value.unit}`
    return { ...ev, value: display, output: display, display }
  } catch {
    return undefined
  } finally {
    m.config({ precision: 64 })
  }
}

/** A part of a whole: "3 out of 40", "12 of the 80", "1 in every 20". */
const PART_OF_WHOLE = /\b(\d+(?:\.\d+)?)\s+(?:out\s+of(?:\s+(?:the|every|all|our|my))?|in\s+every|of\s+(?:the|all|every|our|my|their))\s+(\d+(?:\.\d+)?)\b/i
/** The part and the whole of a share asked ("If 3 out of 40 requests failed, what is the failure rate?"), of a text with those two numbers only; else null. */
function shareAsked (s: string): RegExpExecArray | null {
  const part = PART_OF_WHOLE.exec(s)
  return part !== null && ASKS_SHARE.test(s) && (s.match(/\d+(?:\.\d+)?/g) ?? []).length === 2 && Number(part[2]) > 0 ? part : null
}

/** "Convert 1.8 metres to feet and inches", "What is 2.5 kg in pounds and ounces?": one quantity in two or three units. */
const SPLIT_INTO = /^(?:(?:what\s+is|what's|how\s+much\s+is|how\s+tall\s+is|how\s+long\s+is|convert|express|write)\s+)?(.*?\d.*?)\s+(?:in|to|into|as)\s+([A-Za-z]+)\s*(?:,\s*|\s+and\s+)([A-Za-z]+)(?:\s*,?\s*and\s+([A-Za-z]+))?\s*[?.!]?$/i

/**
 * A quantity in several units, largest first, the last to 2 decimals: "1.8 metres to feet and inches"
 * → 5 feet 10.87 inches. Before, mathjs failed on it ("unexpected type of argument in function and").
 * Undefined when the request asks no such thing or a unit is not one mathjs knows.
 */
export function splitConversion (request: string): { text: string, output: string, steps: string[] } | undefined {
  if (request.length > 200) return undefined
  const m = SPLIT_INTO.exec(request.trim().replace(/\s+/g, ' '))
  if (m === null) return undefined
  const words = [m[2]!, m[3]!, ...(m[4] === undefined ? [] : [m[4]])]
  try {
    const from = math.unit(unitWords(withoutThousands(m[1]!)))
    const targets = words.map(w => math.unit(unitWords(w)))
    if (targets.some(t => !from.equalBase(t))) return undefined
    // Largest first: "in inches and feet" is still feet, then inches.
    const order = targets.map((t, i) => ({ t, w: words[i]!, size: t.clone().to(t.formatUnits()).toSI().toNumber() })).sort((a, b) => b.size - a.size)
    const parts = from.splitUnit(order.map(o => o.t.formatUnits()))
    const shown = parts.map((p, i) => {
      const n = p.toNumber(p.formatUnits())
      const v = i === parts.length - 1 ? Math.round(n * 100) / 100 : Math.round(n)
      const w = order[i]!.w
      return { v, text: `${v} ${v === 1 ? (/^feet$/i.test(w) ? 'foot' : singular(w)) : w}` }
    }).filter((p, i, all) => p.v !== 0 || i === all.length - 1)
    const text = shown.map(p => p.text).join(' ')
    return { text, output: text, steps: [`${m[1]!.trim()} = ${from.toString()}`, `split into ${order.map(o => o.t.formatUnits()).join(', ')}: ${parts.map(p => p.toString()).join(' + ')}`, `= ${text}${shown.length === parts.length ? '' : ' (a part of 0 left out)'}`] }
  } catch {
    return undefined
  }
}

/** An arithmetic expression with each number a mathjs fraction, so that it computes exactly ("3/4 + 2/3" → 17/12). */
export function exactly (expression: string): string {
  return expression.replace(/\d+(?:\.\d+)?/g, n => `fraction(${n})`)
}

/** Whether a request asks what share a part is of a whole (the bid rule's test: its words matched no skill). */
export function asksShare (request: string): boolean {
  return request.length <= 300 && shareAsked(withoutThousands(numberWordsToDigits(request))) !== null
}
/** A question after a share: "what percentage", "the failure rate", "what proportion", "as a fraction". */
const ASKS_SHARE = /\b(?:what|which|how\s+much|how\s+big|as\s+an?)\b[^.?!]*\b(?:percent(?:age)?|rate|proportion|share|fraction)\b|%\s*\??\s*$/i

/**
 * Turns a request such as "what is 17% of 2,340?", "convert 5 miles to km" or "mean of 3, 5, 9"
 * into a mathjs expression. Returns the best candidate; evaluation decides whether it holds.
 */
export function translateRequest (request: string): Translation {
  const steps: string[] = []
  let s = request.trim().replace(/\s+/g, ' ')
  // Trailing punctuation and politeness.
  s = trimSentenceEnd(s).replace(/,?\s*(?:please|thanks|thank you)\s*$/i, '').trim()
  // A request quoted in backticks names the expression exactly.
  const quoted = /`([^`]+)`/.exec(s)
  if (quoted !== null) return { expression: quoted[1]!.trim(), steps: ['expression taken from the backticks'] }
  // "thirty plus twelve".
  const digits = numberWordsToDigits(s)
  if (digits !== s) steps.push('numbers in words → digits')
  s = digits

  for (const r of REWRITES) {
    const next = typeof r.replace === 'string' ? s.replace(r.pattern, r.replace) : s.replace(r.pattern, r.replace as (...a: string[]) => string)
    if (next !== s && r.note !== '') steps.push(r.note)
    s = next
  }

  s = s.replace(LEADING_FILLER, '').trim()
  // "Is 2 + 2 = 5 correct?": the claim itself ("is" went with the filler).
  if (/^\s*(?:is|are)\b/i.test(request)) s = s.replace(/\s*,?\s*(?:correct|right|true|accurate|valid)$/i, '')
  const rounded = roundingOf(s)
  if (rounded !== undefined) {
    const inner = translateRequest(rounded.rest)
    const r = rounded.rounding
    return { ...inner, steps: [...steps, ...inner.steps, r.kind === 'multiple' ? `round to the nearest ${r.step!}` : `round to ${r.digits} ${r.kind === 'decimals' ? 'decimal place' : 'significant figure'}${r.digits === 1 ? '' : 's'}`], rounding: r }
  }
  // "10 divided by 4, rounded down": the whole number below (floor) or above (ceil).
  const whole = /\s*,?\s*(?:and\s+)?(?:rounded|round(?:ed)?)\s+(down|up)(?:\s+to\s+(?:the\s+nearest\s+)?(?:whole\s+number|integer))?\s*$/i.exec(s) ??
    /^round\s+(?=.+\s(down|up)\s*$)/i.exec(s)
  if (whole !== null) {
    const rest = whole.index > 0 ? s.slice(0, whole.index).replace(/^round\s+/i, '') : s.replace(/^round\s+/i, '').replace(/\s+(?:down|up)\s*$/i, '')
    if (rest.trim() !== '') {
      const inner = translateRequest(rest)
      const fn = whole[1]!.toLowerCase() === 'down' ? 'floor' : 'ceil'
      return { expression: `${fn}(${inner.expression})`, steps: [...steps, ...inner.steps, `rounded ${whole[1]!.toLowerCase()} → ${fn}`] }
    }
  }
  // "1/3 + 1/6 as a fraction": exact fractions, not decimals.
  const asFraction = /\s*,?\s*(?:as|in|to)\s+(?:a\s+)?(?:simplified\s+|simple\s+|proper\s+|common\s+)?fraction(?:\s+form)?\s*$|\s*,?\s*(?:in|to)\s+(?:its\s+)?(?:lowest|simplest)\s+(?:terms|form)\s*$/i.exec(s)
  if (asFraction !== null && asFraction.index > 0) {
    const inner = translateRequest(s.slice(0, asFraction.index).replace(/^(?:simplify|reduce)\s+/i, ''))
    if (/^[\d\s.+\-*/()]+$/.test(inner.expression)) {
      return { expression: exactly(inner.expression), steps: [...steps, ...inner.steps, 'as a fraction: each number exact'] }
    }
  }
  // "1/3 as a decimal", "Convert 3/8 to a decimal": the value as it is (before, "a decimal" was read as
  // a unit to convert to, that failed, and the arithmetic picked out of the text lost the rounding asked).
  const asDecimal = /\s*,?\s*(?:as|in|to|into)\s+(?:a\s+)?decimal(?:\s+(?:number|form|fraction))?\s*$/i.exec(s)
  if (asDecimal !== null && asDecimal.index > 0) {
    const inner = translateRequest(s.slice(0, asDecimal.index).replace(/^(?:convert|express|write|turn)\s+/i, ''))
    if (inner.conversion === undefined) return { ...inner, steps: [...steps, ...inner.steps, 'as a decimal'] }
  }
  // "If 3 out of 40 requests failed, what is the failure rate as a percentage?", "12 of the 80 tests
  // are flaky: what share is that?": the part over the whole, as a percentage (or the fraction asked).
  // Before, the first failed ("cannot parse '(If 3 / 40 requests failed, ...) * 100'").
  const part = shareAsked(s)
  if (part !== null) {
    const [a, b] = [part[1]!, part[2]!]
    if (/\bfraction\b/i.test(s) && !/\bpercent|%/i.test(s)) return { expression: `fraction(${a}) / fraction(${b})`, steps: [...steps, `${a} out of ${b}: the part over the whole, as a fraction`] }
    return { expression: `(${a} / ${b}) * 100`, steps: [...steps, `${a} out of ${b}: the part over the whole, × 100`], percent: true }
  }
  // "3/8 as a percentage", "0.375 in percent", "What is 7 out of 20 as a percent?": the value times 100,
  // shown with a % sign. Before, "What's 3/8 as a percentage?" answered 0.375. ("20 as a percentage of
  // 80" is a rule below: the "of" follows.)
  const asPercent = /\s*,?\s*(?:as|in|to|into)\s+(?:a\s+)?(?:percent(?:age)?|%)\s*$/i.exec(s)
  if (asPercent !== null && asPercent.index > 0) {
    const rest = s.slice(0, asPercent.index).replace(/^(?:convert|express|write|turn)\s+/i, '').replace(/\b(\d+(?:\.\d+)?)\s+out\s+of\s+(\d+(?:\.\d+)?)\b/i, '$1 / $2')
    const inner = translateRequest(rest)
    if (inner.conversion === undefined && inner.rounding === undefined && inner.percent === undefined) {
      return { expression: `(${inner.expression}) * 100`, steps: [...steps, ...inner.steps, 'as a percentage: × 100'], percent: true }
    }
  }
  // A price changed by percentages, told as a story: "A shirt costs $40. It is on sale for 25% off. What is the sale price?"
  const story = priceStory(request)
  if (story !== undefined) {
    steps.push(story.note)
    return { expression: story.expression, steps }
  }
  // Travel: "at 60 km/h for 3 hours, how far?", "how long to drive 120 km at 60 km/h?", "120 km in 2 hours: what speed?"
  const travel = travelRequest(s, request)
  if (travel !== undefined) {
    steps.push(travel.note)
    return { expression: travel.expression, steps }
  }
  s = arithmeticVerbs(s, steps)

  // Interest: "compound interest on 1000 at 5% per year for 3 years, compounded monthly".
  const interest = interestRequest(s)
  if (interest !== undefined) {
    steps.push(interest.note)
    return { expression: interest.expression, steps }
  }

  // Statistics: "mean of 3, 5 and 9", "the standard deviation of 2 4 4 4 5".
  // Geometry: "area of a circle with radius 3", "volume of a sphere of radius 2 cm".
  const shape = geometryRequest(s)
  if (shape !== undefined) {
    steps.push(shape.note)
    return { expression: shape.expression, steps }
  }

  // Primes in a range: "list the prime numbers below 30", "primes between 10 and 50".
  const primes = primesRequest(s)
  if (primes !== undefined) {
    steps.push(`the primes from ${primes.from} to ${primes.to}`)
    return { expression: `filter(${primes.from}:${primes.to}, isPrime)`, steps }
  }

  // Sorting: "sort these numbers: 5, 3, 9", "sort 5 3 9 in descending order".
  const sorted = sortRequest(s)
  if (sorted !== undefined) {
    steps.push(`sort ${sorted.values.length} values, ${sorted.descending ? 'largest' : 'smallest'} first`)
    return { expression: `sort([${sorted.values.join(', ')}]${sorted.descending ? ", 'desc'" : ''})`, steps }
  }

  // Several statistics of one list: "the mean and the median of 3, 7, 7, 19".
  const several = severalStatistics(s)
  if (several !== undefined) {
    steps.push(`${several.names.join(', ')} of ${several.values.length} values`)
    for (const fn of new Set(several.fns)) if (statNote(fn) !== '') steps.push(`${fn.replace(/:.*/, '')}${statNote(fn)}`)
    return { expression: `{${several.names.map((name, i) => `"${name}": ${statCall(several.fns[i]!, several.values)}`).join(', ')}}`, steps }
  }

  for (const [word, fn] of STAT_FUNCTIONS) {
    // "average of these: 12, 15, 22", "the mean of the following values: ..." (before: a parse error at the colon).
    // "the average response time of 120ms, 95ms and 210ms": a few words may name what is measured.
    const m = new RegExp(`^(?:the\\s+)?${word.source}(?:(?:\\s+(?!of\\b|for\\b|and\\b|or\\b)[a-z]+){1,3}\\s+(?:of|for)\\b|\\s*(?:of|for)?)\\s*(?:(?:the\\s+following|these|those|the)\\b\\s*)?(?:numbers|values|list|figures|data|scores)?\\s*:?\\s*(.+)$`, 'i').exec(s)
    if (m === null) continue
    // "the median of the primes below 30", "how many primes between 50 and 80": a statistic of a
    // range's primes (before: "undefined symbol median of the primes ...").
    const primes = primesRequest(m[1]!.trim())
    if (primes !== undefined) {
      steps.push(`${fn.replace(/:.*/, '')} of the primes from ${primes.from} to ${primes.to}${statNote(fn)}`)
      const statistic = statName(fn)
      return { expression: statOfList(fn, `filter(${primes.from}:${primes.to}, isPrime)`), steps, ...(statistic !== undefined ? { statistic } : {}) }
    }
    let values = listItems(m[1]!)
    // Values of one unit ("120ms, 95 ms"): mathjs computes with the unit, and the answer keeps it (142 ms).
    const units = m[1]!.replace(/\band\b/gi, ',').split(/\s*[,;]\s*/).filter(v => v.trim() !== '').map(v => /^([-+]?\d+(?:\.\d+)?)\s*([A-Za-zµ]+)$/.exec(v.trim()))
    if (units.length > 1 && units.every(u => u !== null) && new Set(units.map(u => u![2]!.toLowerCase())).size === 1 && !/^(?:e|pi)$/i.test(units[0]![2]!)) {
      values = units.map(u => `${u![1]!} ${unitWords(u![2]!)}`)
      steps.push(`each value in ${units[0]![2]!}`)
    }
    if (values.length > 0 && values.every((v) => LIST_NUMBER.test(v) || / [A-Za-zµ]+$/.test(v))) {
      steps.push(`${fn.replace(/:.*/, '')} of ${values.length} value${values.length === 1 ? '' : 's'}${statNote(fn)}`)
      const statistic = statName(fn)
      return { expression: statCall(fn, values), steps, ...(statistic !== undefined ? { statistic } : {}) }
    }
  }

  // Unit conversion: "5 miles to km", "5 miles in km", "how many km is 5 miles", "100 f in c".
  const howMany = /^(.+?)\s+(?:(?:is|are)(?:\s+there)?(?:\s+in)?|in|make|makes)\s+(.+)$/i.exec(s)
  if (/^how many\b/i.test(request.replace(/^\s*(?:please\s+)?/i, '')) && howMany !== null) {
    // "How many seconds are in a day?": one day.
    s = `${howMany[2]!.replace(/^(?:a|an|one)\s+/i, '1 ')} to ${howMany[1]!}`
  }
  // "391 from meters to feet": the quantity is 391 meters.
  s = s.replace(/^(.*[\d)])\s+from\s+(?=[A-Za-z°µ])(.+?\s+(?:to|in|into|as)\s+[A-Za-z°µ])/i, '$1 $2')
  const conv = /^(.+?)\s+(?:to|in|into|as)\s+([A-Za-z°µ][\w°µ/^ ()*.]*)$/i.exec(s)
  if (conv !== null && /\d/.test(conv[1]!)) {
    let from = unitWords(conv[1]!.trim())
    let to = unitWords(conv[2]!.trim())
    // A temperature converted by its letters ("72 F to C", "100°C in F", "72 degrees F to C", "100 F
    // to celsius", "0 C to K"): mathjs reads a bare F and C as farad and coulomb ("units do not
    // match"); between the scales they are degrees.
    const target = (/^(?:°\s*)?([CF])$/i.exec(to) ?? /^deg([CF])$/.exec(to) ?? /^(K)$/.exec(to))?.[1]?.toUpperCase()
    const source = from.length > 200 ? null : /^(.*\d)\s*(?:°\s*)?([CF])$/i.exec(from) ?? /^(.*\d)\s*deg([CF])$/.exec(from)
    if (target !== undefined && source !== null && source[2]!.toUpperCase() !== target) {
      from = `${source[1]} deg${source[2]!.toUpperCase()}`
      to = target === 'K' ? 'K' : `deg${target}`
      steps.push('F and C read as degrees Fahrenheit and Celsius')
    }
    steps.push(`unit conversion: ${from} → ${to}`)
    return { expression: `${from} to ${to}`, steps, conversion: { from, to } }
  }
  const expression = unitWords(commaGroups(s, steps))
  // "What percent of 80 is 20?", "20 as a percentage of 80": a percentage, when that is the whole expression.
  const percent = steps.some(x => PERCENT_NOTES.has(x)) && /^[^+\-*/]+ \/ [^+\-*/]+ \* 100$/.test(expression)
  return percent ? { expression, steps, percent } : { expression, steps }
}

/**
 * A comma before an operator closes what comes before it: "10% of 250, plus 30" is (10% of 250) + 30,
 * "2 plus 3, times 4" is (2 + 3) * 4, as said aloud. Before, mathjs refused the comma ("unexpected
 * operator ,"). A list ("5, 3, 9") has no operator after its commas and is left alone, as is a negative
 * item ("5, -3": no space after the sign).
 */
function commaGroups (s: string, steps: string[]): string {
  const pieces = s.split(/\s*,\s*(?=(?:[+*/^]|-)\s)/)
  if (pieces.length < 2 || pieces.some(p => p.includes(','))) return s
  steps.push('a comma before an operator closes what comes before it')
  return pieces.slice(1).reduce((expr, piece) => `(${expr}) ${piece}`, pieces[0]!)
}

// Arithmetic said as an instruction: "multiply 1024 by 3", "subtract 24 from 1024", "double 7",
// "increase 200 by 10%". The operands are numbers or bracketed expressions, so the verb's reading is
// unambiguous; anything longer ("multiply 2 + 3 by 4") is left as it is.

/** A number as the rewrites above leave it: signed, with decimals or an exponent. */
const NUMBER = String.raw`[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:e[-+]?\d+)?`
/** A bracketed expression (brackets nested one level deep), or a function call: "(2 + 3)", "sqrt(1024)". */
const BRACKETED = String.raw`(?:[a-z]\w*)?\((?:[^()]|\([^()]*\))*\)`
/** "24!" is one operand: "divide it by 24!" was read as "(X / 24)!". */
const ATOM = String.raw`(?:${BRACKETED}|${NUMBER}(?:%|!(?!=))?|\b(?:pi|tau|phi|e)\b)`
/** One operand of an arithmetic verb: an atom or a power of atoms ("2^10"). */
export const OPERAND = String.raw`(?:${ATOM}(?:\s*\^\s*${ATOM})?)`
/** Two or more operands: "3, 4 and 5", "2 and 5", "2 & 5". */
const OPERANDS = String.raw`(?:${OPERAND}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)${OPERAND})+)`
// A percentage stays bare: mathjs reads `200 - 10%` as 180 but `200 - (10%)` as 199.9.
const PLAIN_OPERAND = new RegExp(String.raw`^(?:(?:\d+(?:\.\d+)?|\.\d+)(?:e[-+]?\d+)?%?|${BRACKETED}|pi|tau|phi|e)$`, 'i')

/** An operand as one term: a signed number or a power is bracketed, so `-3` squared is `(-3)^2`. */
function term (operand: string): string {
  const t = operand.trim()
  return PLAIN_OPERAND.test(t) ? t : `(${t})`
}

/** The operands of a list such as "3, 4 and 5", as terms. */
function terms (list: string): string[] {
  return [...list.matchAll(new RegExp(OPERAND, 'gi'))].map((m) => term(m[0]))
}

interface VerbRule {
  pattern: RegExp
  /** The expression from the pattern's groups. */
  build: (...groups: string[]) => string
  /** Said in the working when the rule applies; '' for none. */
  note: string | ((...groups: string[]) => string)
}

/** `<X>` is one operand, `<XS>` a list of them, `<A>` an operand without a power, `<N>` a plain number (a percentage's). */
const verbPattern = (source: string): RegExp =>
  new RegExp(source.replace(/<XS>/g, OPERANDS).replace(/<X>/g, OPERAND).replace(/<N>/g, NUMBER).replace(/<A>/g, ATOM), 'gi')

/** The notes of the rules that ask what percentage one value is of another: their answer is shown with a % sign. */
const PERCENT_NOTE = ['"what percent of X is Y" → Y / X * 100', '"Y is what percent of X" → Y / X * 100', '"Y as a percentage of X" → Y / X * 100', '"what percent is Y of X" → Y / X * 100'] as const
const PERCENT_NOTES: ReadonlySet<string> = new Set(PERCENT_NOTE)
const PERCENTAGE_CHANGE = (sign: '+' | '-') => (x: string, n: string) => `${term(x)} * (1 ${sign} ${n} / 100)`
/** Operations on one operand, as expressions of it: `X` is the operand as a term, `(X)` as it is. */
const SCALE: Record<string, string> = {
  double: 'X * 2',
  twice: '2 * X',
  triple: 'X * 3',
  thrice: '3 * X',
  quadruple: 'X * 4',
  halve: 'X / 2',
  half: 'X / 2',
  third: 'X / 3',
  quarter: 'X / 4',
  square: 'X^2',
  cube: 'X^3',
  negate: '-X',
  negative: '-X',
  reciprocal: '1 / X',
  'absolute value': 'abs(X)'
}
const scaleOf = (word: string): string => SCALE[word.toLowerCase().replace(/\s+/g, ' ')]!
const scale = (word: string, x: string): string => scaleOf(word).replace('(X)', `(${x.trim()})`).replace('X', term(x))

const VERB_RULES: VerbRule[] = [
  // The rewrites above take "square root of 9"; this takes "square root of (2 + 7)".
  { pattern: verbPattern(String.raw`\b(square|cube)\s+root\s+of\s+(<X>)`), build: (root, x) => `${root.toLowerCase() === 'square' ? 'sqrt' : 'cbrt'}(${x.trim()})`, note: '' },
  { pattern: verbPattern(String.raw`\bmultiply\s+(<X>)\s+(?:by|with)\s+(<X>)`), build: (x, y) => `${term(x)} * ${term(y)}`, note: '"multiply X by Y" → X * Y' },
  { pattern: verbPattern(String.raw`\bmultiply\s+(?:together\s+)?(<XS>)(?:\s+together)?`), build: (xs) => terms(xs).join(' * '), note: '"multiply X, Y and Z" → X * Y * Z' },
  { pattern: verbPattern(String.raw`\bdivide\s+(<X>)\s+(?:by|and)\s+(<X>)`), build: (x, y) => `${term(x)} / ${term(y)}`, note: '"divide X by Y" → X / Y' },
  // "Add 15% VAT to 200", "add a 10% tip on 84": before, the word between the percentage and "to" left "Add" unread.
  { pattern: verbPattern(String.raw`\badd\s+(?:an?\s+)?(<N>)\s*%\s+(?:(?:sales\s+)?tax|vat|gst|tip|markup|surcharge|service\s+charge|fee|interest)\s+(?:to|onto|on)\s+(<X>)`), build: (n, x) => PERCENTAGE_CHANGE('+')(x, n), note: '"add N% to X" → X * (1 + N / 100)' },
  { pattern: verbPattern(String.raw`\b(?:subtract|deduct|take|knock)\s+(?:an?\s+)?(<N>)\s*%\s+(?:discount|tax|vat|gst|fee|commission)\s+(?:from|off)\s+(<X>)`), build: (n, x) => PERCENTAGE_CHANGE('-')(x, n), note: '"take N% off X" → X * (1 - N / 100)' },
  { pattern: verbPattern(String.raw`\badd\s+(<XS>|<X>)\s+(?:to|onto)\s+(<X>)`), build: (xs, y) => [term(y), ...terms(xs)].join(' + '), note: '"add X to Y" → Y + X' },
  { pattern: verbPattern(String.raw`\badd\s+(?:up\s+|together\s+)?(<XS>)(?:\s+(?:up|together))?`), build: (xs) => terms(xs).join(' + '), note: '"add X and Y" → X + Y' },
  { pattern: verbPattern(String.raw`\b(?:subtract|deduct|take\s+away|take)\s+(<X>)\s+(?:from|off)\s+(<X>)`), build: (x, y) => `${term(y)} - ${term(x)}`, note: '"subtract X from Y" → Y - X' },
  { pattern: verbPattern(String.raw`\bsubtract\s+(<X>)\s+and\s+(<X>)`), build: (x, y) => `${term(x)} - ${term(y)}`, note: '"subtract X and Y" → X - Y' },
  { pattern: verbPattern(String.raw`\bdifference\s+(?:between|of)\s+(<X>)\s+and\s+(<X>)`), build: (x, y) => `${term(x)} - ${term(y)}`, note: '"difference between X and Y" → X - Y' },
  // A percentage change is relative to the value ("increase 200 by 10%" is 220), an amount is added.
  { pattern: verbPattern(String.raw`\b(?:increase|raise|grow|mark\s+up)\s+(<X>)\s+by\s+(<N>)\s*%`), build: PERCENTAGE_CHANGE('+'), note: '"increase X by N%" → X * (1 + N / 100)' },
  { pattern: verbPattern(String.raw`\b(?:decrease|reduce|lower|cut|discount)\s+(<X>)\s+by\s+(<N>)\s*%`), build: PERCENTAGE_CHANGE('-'), note: '"decrease X by N%" → X * (1 - N / 100)' },
  // "25% off 40", "40 with 20% off", "20% more than 50", "15% less than 80": a value changed by a percentage of itself.
  { pattern: verbPattern(String.raw`(<N>)\s*%\s+off\s+(?:of\s+)?(<X>)`), build: (n, x) => PERCENTAGE_CHANGE('-')(x, n), note: '"N% off X" → X * (1 - N / 100)' },
  { pattern: verbPattern(String.raw`(<X>)\s+(?:with|at|less|minus)\s+(?:a\s+)?(<N>)\s*%\s+(?:off|discount)`), build: (x, n) => PERCENTAGE_CHANGE('-')(x, n), note: '"X with N% off" → X * (1 - N / 100)' },
  { pattern: verbPattern(String.raw`(<N>)\s*%\s+(?:more|higher|greater|larger|bigger|above)\s+than\s+(<X>)`), build: (n, x) => PERCENTAGE_CHANGE('+')(x, n), note: '"N% more than X" → X * (1 + N / 100)' },
  { pattern: verbPattern(String.raw`(<N>)\s*%\s+(?:less|lower|fewer|smaller|cheaper|below)\s+than\s+(<X>)`), build: (n, x) => PERCENTAGE_CHANGE('-')(x, n), note: '"N% less than X" → X * (1 - N / 100)' },
  // "What percent of 80 is 20?", "20 is what percent of 80", "20 as a percentage of 80".
  { pattern: verbPattern(String.raw`\bwhat\s+(?:percent(?:age)?|%)\s+of\s+(<X>)\s+(?:is|are)\s+(<X>)`), build: (x, y) => `${term(y)} / ${term(x)} * 100`, note: PERCENT_NOTE[0] },
  { pattern: verbPattern(String.raw`(<X>)\s+(?:is|are)\s+what\s+(?:percent(?:age)?|%)\s+of\s+(<X>)`), build: (y, x) => `${term(y)} / ${term(x)} * 100`, note: PERCENT_NOTE[1] },
  { pattern: verbPattern(String.raw`(<X>)\s+as\s+an?\s+(?:percent(?:age)?|%)\s+of\s+(<X>)`), build: (y, x) => `${term(y)} / ${term(x)} * 100`, note: PERCENT_NOTE[2] },
  // "What percentage is 45 of 180?": before, it failed ("undefined symbol W").
  { pattern: verbPattern(String.raw`\bwhat\s+(?:percent(?:age)?|%)\s+(?:is|are)\s+(<X>)\s+of\s+(<X>)`), build: (y, x) => `${term(y)} / ${term(x)} * 100`, note: PERCENT_NOTE[3] },
  // "2 thirds of 90", "a fifth of 60", "3 quarters of 200".
  { pattern: verbPattern(String.raw`\b(\d+)\s+(halves|thirds|quarters|fourths|fifths|sixths|sevenths|eighths|ninths|tenths)\s+of\s+(<X>)`), build: (n, part, x) => `${term(x)} * ${n} / ${DENOMINATOR[part.toLowerCase().replace(/s$/, '').replace(/ve$/, 'f')]!}`, note: (n, part) => `"${n} ${part.toLowerCase()} of X" → X * ${n} / ${DENOMINATOR[part.toLowerCase().replace(/s$/, '').replace(/ve$/, 'f')]!}` },
  { pattern: verbPattern(String.raw`\b(?:a|one)\s+(fourth|fifth|sixth|seventh|eighth|ninth|tenth)\s+of\s+(<X>)`), build: (part, x) => `${term(x)} / ${DENOMINATOR[part.toLowerCase()]!}`, note: (part) => `"a ${part.toLowerCase()} of X" → X / ${DENOMINATOR[part.toLowerCase()]!}` },
  { pattern: verbPattern(String.raw`\b(?:increase|raise|grow)\s+(<X>)\s+by\s+(<X>)`), build: (x, y) => `${term(x)} + ${term(y)}`, note: '"increase X by Y" → X + Y' },
  { pattern: verbPattern(String.raw`\b(?:decrease|reduce|lower|cut)\s+(<X>)\s+by\s+(<X>)`), build: (x, y) => `${term(x)} - ${term(y)}`, note: '"decrease X by Y" → X - Y' },
  // "to the power of" is already "^" here.
  { pattern: verbPattern(String.raw`\braise\s+(<A>)\s*\^\s*(<A>)`), build: (x, y) => `${term(x)}^${term(y)}`, note: '"raise X to the power of Y" → X^Y' },
  { pattern: verbPattern(String.raw`\b(double|twice|triple|thrice|quadruple|halve|square|cube|negate)\s+(<X>)`), build: (word, x) => scale(word, x), note: (word) => `"${word.toLowerCase()} X" → ${scaleOf(word)}` },
  { pattern: verbPattern(String.raw`\b(?:(?:the|a|one)\s+)?(square|cube|double|half|third|quarter|reciprocal|negative|absolute\s+value)\s+of\s+(<X>)`), build: (word, x) => scale(word, x), note: (word) => `"${word.toLowerCase().replace(/\s+/g, ' ')} of X" → ${scaleOf(word)}` }
]

/** Rewrites arithmetic verbs into operators; a second pass takes a verb whose operand held another ("double (triple 3)"). */
function arithmeticVerbs (text: string, steps: string[]): string {
  let s = text
  for (let pass = 0; pass < 4; pass++) {
    const before = s
    for (const rule of VERB_RULES) {
      s = s.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
        const whole = rest[rest.length - 1] as string
        const offset = rest[rest.length - 2] as number
        const groups = rest.slice(0, -2) as string[]
        const note = typeof rule.note === 'string' ? rule.note : rule.note(...groups)
        if (note !== '' && !steps.includes(note)) steps.push(note)
        const expression = rule.build(...groups)
        // Alone it is the whole expression; within a longer one it is bracketed so that it stays one term.
        return offset === 0 && match.length === whole.length ? expression : `(${expression})`
      })
    }
    if (s === before) break
  }
  return s
}

/** A length as it may be written: a number, optionally with a unit ("3", "2.5 cm", "4 ft"). */
const LENGTH = String.raw`(\d+(?:\.\d+)?(?:\s*(?:mm|cm|m|km|in|inch(?:es)?|ft|feet|foot|yd|yards?|mi|miles?)\b)?)`
const WITH = String.raw`\s+(?:with|of|having|whose)?\s*(?:an?\s+|the\s+)?`
const ARTICLE = String.raw`(?:a\s+|the\s+)?`
/** "(with) (a) radius (of) 3 cm": one named length. */
const named = (name: string): string => String.raw`${WITH}${name}\s+(?:of\s+)?${LENGTH}`
/** "and (a) height (of) 4": a second named length. */
const andNamed = (name: string): string => String.raw`\s+and\s+(?:a\s+)?${name}\s+(?:of\s+)?${LENGTH}`
interface Formula { pattern: RegExp, build: (m: RegExpExecArray) => string, note: string }
/** "(the) <what> of (a) <shape> <given>", computed by `build` over the lengths `given` captures. */
const formula = (what: string, shape: string, given: string, build: Formula['build'], note: string): Formula =>
  ({ pattern: new RegExp(String.raw`^(?:the\s+)?${what}\s+of\s+${ARTICLE}${shape}${given}$`, 'i'), build, note })
const PERIMETER = '(?:circumference|perimeter)'
const FORMULAS: Formula[] = [
  formula('area', 'circle', named('radius'), (m) => `pi * (${m[1]})^2`, 'area of a circle: pi r^2'),
  formula('area', 'circle', named('diameter'), (m) => `pi * ((${m[1]}) / 2)^2`, 'area of a circle: pi (d/2)^2'),
  formula(PERIMETER, 'circle', named('radius'), (m) => `2 * pi * (${m[1]})`, 'circumference: 2 pi r'),
  formula(PERIMETER, 'circle', named('diameter'), (m) => `pi * (${m[1]})`, 'circumference: pi d'),
  formula('area', '(?:rectangle|room|field)', String.raw`\s+(?:of\s+|with\s+sides\s+|measuring\s+)?${LENGTH}\s*(?:by|x|×|\*)\s*${LENGTH}`, (m) => `(${m[1]}) * (${m[2]})`, 'area of a rectangle: w h'),
  formula('area', 'square', named('sides?'), (m) => `(${m[1]})^2`, 'area of a square: s^2'),
  formula('area', 'triangle', named('base') + andNamed('height'), (m) => `(${m[1]}) * (${m[2]}) / 2`, 'area of a triangle: b h / 2'),
  formula('volume', 'sphere', named('radius'), (m) => `4 / 3 * pi * (${m[1]})^3`, 'volume of a sphere: 4/3 pi r^3'),
  formula('volume', 'cube', named('sides?'), (m) => `(${m[1]})^3`, 'volume of a cube: s^3'),
  formula('volume', 'cylinder', named('radius') + andNamed('height'), (m) => `pi * (${m[1]})^2 * (${m[2]})`, 'volume of a cylinder: pi r^2 h'),
  formula('hypotenuse', String.raw`(?:right\s+)?triangle`, String.raw`${WITH}(?:sides|legs)\s+(?:of\s+)?${LENGTH}\s+and\s+${LENGTH}`, (m) => `sqrt((${m[1]})^2 + (${m[2]})^2)`, 'hypotenuse: sqrt(a^2 + b^2)')
]

/**
 * Whether a request asks an area, perimeter, volume or hypotenuse of lengths it gives ("What is the
 * area of a room 4.5 m by 3.2 m?"): the calculator's (the bid rule's test; its words had matched no
 * skill well enough, and nobody bid).
 */
export function asksGeometry (request: string): boolean {
  return request.length <= 300 && /\b(?:area|perimeter|circumference|volume|hypotenuse)\s+of\s+(?:a\s+|an\s+|the\s+|my\s+|our\s+)?(?:circle|rectangle|room|field|square|triangle|sphere|cube|cylinder|right\s+triangle|garden|floor|wall|box|plot)\b/i.test(request) && /\d/.test(request)
}

/** A request for a common area, perimeter or volume, as a formula over the lengths it names. */
function geometryRequest (s: string): { expression: string, note: string } | undefined {
  for (const f of FORMULAS) {
    const m = f.pattern.exec(s.trim())
    if (m !== null) return { expression: unitWords(f.build(m)), note: f.note }
  }
  return undefined
}

/** Compounding periods a year, by the word that names them. */
const PERIODS: Record<string, number> = { annually: 1, yearly: 1, 'semi-annually': 2, semiannually: 2, 'half-yearly': 2, quarterly: 4, monthly: 12, weekly: 52, daily: 365 }
const RATE_PER_YEAR = String.raw`(?:\s*(?:per\s+(?:year|annum)|a\s+year|annually|yearly|p\.?\s?a\.?))?`
const INTEREST = new RegExp(String.raw`^(compound|simple)\s+interest\s+(?:on|for|of)\s+(?:a\s+)?(?:principal\s+of\s+|deposit\s+of\s+|loan\s+of\s+)?(\d+(?:\.\d+)?)\s+(?:at|with)\s+(?:a\s+rate\s+of\s+)?(\d+(?:\.\d+)?)\s*%${RATE_PER_YEAR}\s+(?:for|over|\/)\s+(\d+(?:\.\d+)?)\s+years?(?:\s*,?\s*compounded\s+(annually|yearly|semi-?annually|half-yearly|quarterly|monthly|weekly|daily))?$`, 'i')

/**
 * "compound interest on 1000 at 5% per year for 3 years" (compounded yearly unless it says otherwise);
 * "simple interest ...". Read after the rewrites (currency and separators gone, "over" is "/").
 */
function interestRequest (s: string): { expression: string, note: string } | undefined {
  const m = INTEREST.exec(s)
  if (m === null) return undefined
  const [, kind, principal, rate, years, every] = m as unknown as [string, string, string, string, string, string | undefined]
  if (kind.toLowerCase() === 'simple') return { expression: `${principal} * ${rate} / 100 * ${years}`, note: 'simple interest: principal × rate × years' }
  const k = PERIODS[(every ?? 'annually').toLowerCase().replace('semiannually', 'semi-annually')] ?? 1
  const growth = k === 1 ? `(1 + ${rate} / 100) ^ ${years}` : `(1 + ${rate} / 100 / ${k}) ^ (${k} * ${years})`
  return { expression: `${principal} * ${growth} - ${principal}`, note: `compound interest, compounded ${k === 1 ? 'yearly' : `${k} times a year`}: principal × ${k === 1 ? '(1 + rate)^years' : `(1 + rate/${k})^(${k} × years)`} − principal` }
}

/** The largest range of numbers the calculator lists primes in. */
export const MAX_PRIME_RANGE = 100_000
const PRIMES = /^(?:(?:list|show|give|find|name|enumerate|print|tell)\s+(?:me\s+)?)?(?:all\s+)?(?:of\s+)?(?:the\s+)?(?:primes?|prime\s+numbers?)\s+(?:(below|under|less\s+than|smaller\s+than|up\s+to|to|through|not\s+(?:above|over)(?:\s+than)?)\s+(\d+)|(?:between|from)\s+(\d+)\s+(?:and|to)\s+(\d+))$/i

function primesRequest (s: string): { from: number, to: number } | undefined {
  const m = PRIMES.exec(s.replace(/^(?:are|the)\s+/i, ''))
  if (m === null) return undefined
  const exclusive = m[1] !== undefined && /^(?:below|under|less|smaller)/i.test(m[1])
  const from = m[3] !== undefined ? Math.min(Number(m[3]), Number(m[4])) : 1
  const to = m[3] !== undefined ? Math.max(Number(m[3]), Number(m[4])) : Number(m[2]) - (exclusive ? 1 : 0)
  if (to - from > MAX_PRIME_RANGE) throw new Error(`calculator: lists primes in a range of at most ${MAX_PRIME_RANGE.toLocaleString('en')} numbers; '${s}' spans ${(to - from + 1).toLocaleString('en')}`)
  return { from: Math.max(from, 1), to: Math.max(to, 1) }
}

const DESCENDING = /\b(?:in\s+)?(?:descending|decreasing|reverse)(?:\s+order)?\b|\b(?:from\s+)?(?:the\s+)?(?:largest|biggest|highest)\s+(?:to|first)(?:\s+(?:the\s+)?(?:smallest|lowest))?\b/i
const ASCENDING = /\b(?:in\s+)?(?:ascending|increasing|numerical)(?:\s+order)?\b|\b(?:from\s+)?(?:the\s+)?(?:smallest|lowest)\s+(?:to|first)(?:\s+(?:the\s+)?(?:largest|biggest|highest))?\b/i

/** "sort [these numbers:] 5, 3 and 9 [in descending order]": the values and the order, if the request is one. */
function sortRequest (s: string): { values: string[], descending: boolean } | undefined {
  if (!/^(?:sort|order|rank)\b/i.test(s)) return undefined
  const descending = DESCENDING.test(s)
  const rest = s.replace(/^(?:sort|order|rank)\b/i, '').replace(DESCENDING, ' ').replace(ASCENDING, ' ')
    .replace(/^\s*(?:(?:the|these|those)\s+)?(?:numbers|values|list|figures)?\s*:?/i, '')
  // A bracketed negative number is one too: "sort them" puts "(-1)" for a result of -1.
  const values = listItems(rest).map((v) => v.replace(/^\(([-+][^()]+)\)$/, '$1'))
  if (values.length < 2 || !values.every((v) => LIST_NUMBER.test(v))) return undefined
  return { values, descending }
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
  const runs: string[] = []
  for (const m of text.matchAll(/[-+(]*\s*\d[\d.\s]*(?:\s*[-+*/^%()!]+\s*[\d.(][\d.\s)]*)+/g)) {
    // A run glued to a letter or an operator is part of a larger expression ("x^2 - 5x + 6" holds
    // "2 - 5"): computing the fragment would answer something else than was asked.
    const start = m.index + m[0].length - m[0].trimStart().length
    const before = text.slice(0, start).trimEnd().slice(-1)
    const after = text.slice(m.index + m[0].trimEnd().length)
    if (/[A-Za-z_^*/=]/.test(text[start - 1] ?? '') || /[\^*/]/.test(before) || /^[A-Za-z_(]/.test(after) || /^\s*(?:[\^*/]|=(?!=))/.test(after)) continue
    runs.push(m[0].trim())
  }
  return runs.sort((a, b) => b.length - a.length)[0]
}
