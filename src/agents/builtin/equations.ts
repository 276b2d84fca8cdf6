/**
 * Polynomial equations in one unknown, for the calculator: "Solve x^2 - 5x + 6 = 0", "What is x if
 * 3x - 4 = 11?", "solve for y: 2(y + 1) = y - 7". Both sides are parsed by mathjs and expanded here
 * into one polynomial (sums, products, integer powers, constants such as pi or sqrt(2)); degree 1 and 2
 * are solved in closed form, higher degrees (up to {@link MAX_DEGREE}) numerically (Durand-Kerner, then
 * Newton on each real root). Anything else (sin(x) = 0.5, 1/x = 2, two unknowns) is a clear error, never
 * a guess: before this, "x^2 - 5x + 6 = 0" was answered -3, from the "2 - 5" inside it.
 */
import type { MathNode } from 'mathjs'
import { math, parseOnly, trimSentenceEnd } from './math.ts'

export const MAX_DEGREE = 8

export interface Solution {
  /** "x = 2 or x = 3" */
  text: string
  /** The real roots, ascending (complex ones as strings when there is no real root). */
  output: number[] | string[]
  steps: string[]
}

/** Coefficients, lowest degree first. */
type Poly = number[]

const CONSTANTS = new Set(['pi', 'e', 'tau', 'phi', 'i', 'Infinity', 'NaN', 'true', 'false', 'null', 'LN2', 'LN10', 'LOG2E', 'LOG10E', 'SQRT1_2', 'SQRT2'])
// "solve", "solve for x:", "find x if", "what is x when", "x if ..." before the equation itself.
const LEAD = /^(?:(?:please|now|then|also|can\s+you|could\s+you)\s+)*(?:(?:solve|find|compute|calculate|work\s+out|determine|what\s+is|what's|give\s+me)\s+)?(?:(?:the\s+)?(?:value|values|root|roots|solutions?)\s+of\s+)?(?:for\s+)?(?:([a-z])\s*(?:,\s*)?(?:if|when|where|given(?:\s+that)?|such\s+that|so\s+that|:)\s*)?(?:the\s+equation\s+)?:?\s*/i

const CONDITION_FIRST = /^(?:if|given(?:\s+that)?|suppose(?:\s+that)?|assuming(?:\s+that)?)\s+([^,;]*=[^,;]*?)\s*[,;]?\s*(?:then\s+)?(?:what\s+is|what's|how\s+much\s+is|find|solve\s+for|work\s+out|what\s+does)\s+(?:the\s+value\s+of\s+)?([a-z])(?:\s+equal)?$/i

/**
 * The equation of a request and its solution; undefined when the request holds no equation with an
 * unknown (then it is not this module's to answer). An equation it cannot solve is an Error
 * (`calculator: ...`) saying why.
 */
export function solveEquation (request: string): Solution | undefined {
  let s = normalised(request)
  // The condition first: "If 3x + 4 = 19, how much is x?", "Given that 5x = 20, find x".
  const first = CONDITION_FIRST.exec(s)
  if (first !== null) s = `${first[2]!} if ${first[1]!}`
  const lead = LEAD.exec(s)
  const named = lead?.[1]
  s = s.slice(lead?.[0].length ?? 0).trim()
  // Exactly one "=" (not "==", "<=", ">=", "!="), with something on both sides.
  const parts = s.split(/(?<![=<>!])=(?!=)/)
  if (parts.length !== 2) return undefined
  const [left, right] = parts.map(p => p.trim()) as [string, string]
  if (left === '' || right === '' || /[<>!]$/.test(left)) return undefined
  if (!/^[\w\s.+\-*/^()]+$/.test(left) || !/^[\w\s.+\-*/^()]+$/.test(right)) return undefined
  let lhs: MathNode, rhs: MathNode
  try {
    lhs = parseOnly(left)
    rhs = parseOnly(right)
  } catch {
    return undefined
  }
  const unknowns = new Set([...freeSymbols(lhs), ...freeSymbols(rhs)])
  if (unknowns.size === 0) return undefined
  // Only a single-letter unknown, or the one the request names, makes this an equation to solve
  // ("speed = distance / time" is a formula, not a task for this module).
  const unknown = named ?? [...unknowns][0]!
  if (named === undefined && (unknowns.size > 1 || unknown.length !== 1)) {
    if (unknowns.size > 1 && [...unknowns].every(u => u.length === 1)) {
      throw new Error(`calculator: the equation '${left} = ${right}' has ${unknowns.size} unknowns (${[...unknowns].join(', ')}); it can solve for one`)
    }
    return undefined
  }
  if (unknowns.size > 1 || !unknowns.has(unknown)) {
    const others = [...unknowns].filter(u => u !== unknown)
    throw new Error(`calculator: the equation '${left} = ${right}' has ${others.length === 0 ? `no ${unknown} in it` : `other unknowns besides ${unknown} (${others.join(', ')})`}`)
  }
  const equation = `${left} = ${right}`
  let poly: Poly
  try {
    poly = trim(sub(expand(lhs, unknown), expand(rhs, unknown)))
  } catch (err) {
    if (err instanceof NotPolynomial) throw new Error(`calculator: can solve polynomial equations in one unknown only; '${equation}' ${err.message}`)
    throw err
  }
  const steps = [`equation: ${equation}`, `as a polynomial: ${showPoly(poly, unknown)} = 0`]
  const degree = poly.length - 1
  if (degree <= 0) {
    const holds = Math.abs(poly[0] ?? 0) < 1e-12
    const text = holds ? `every ${unknown} is a solution (both sides are always equal)` : `no ${unknown} is a solution (the two sides never meet)`
    return { text, output: [], steps: [...steps, text] }
  }
  if (degree > MAX_DEGREE) throw new Error(`calculator: '${equation}' is of degree ${degree}; it solves equations up to degree ${MAX_DEGREE}`)
  let roots: Complex[]
  if (degree === 1) {
    const [b, a] = poly as [number, number]
    roots = [[-b / a, 0]]
    steps.push(`${unknown} = ${fmt(-b)} / ${fmt(a)}`)
  } else if (degree === 2) {
    const [c, b, a] = poly as [number, number, number]
    const d = b * b - 4 * a * c
    steps.push(`discriminant b² - 4ac = ${fmt(d)}`)
    if (d >= 0) {
      const r = Math.sqrt(d)
      // The form that does not cancel: q = -(b + sign(b) √d) / 2, roots q/a and c/q.
      const q = -(b + (b < 0 ? -r : r)) / 2
      roots = q === 0 ? [[0, 0], [0, 0]] : [[q / a, 0], [c / q, 0]]
      steps.push(`${unknown} = (${fmt(-b)} ± √${fmt(d)}) / ${fmt(2 * a)}`)
    } else {
      const re = -b / (2 * a)
      const im = Math.sqrt(-d) / (2 * Math.abs(a))
      roots = [[re, im], [re, -im]]
      steps.push('the discriminant is negative: no real solution')
    }
  } else {
    roots = durandKerner(poly)
    steps.push(`degree ${degree}: roots found numerically (Durand-Kerner, then Newton)`)
  }
  const scale = Math.max(1, ...roots.map(r => Math.hypot(r[0], r[1])))
  const real = roots.filter(r => Math.abs(r[1]) <= 1e-9 * scale).map(r => polish(poly, clean(r[0]))).sort((a, b) => a - b)
  const distinct = real.filter((r, i) => i === 0 || Math.abs(r - real[i - 1]!) > 1e-9 * scale)
  if (distinct.length > 0) {
    for (const r of distinct) steps.push(`check: ${showPoly(poly, unknown)} at ${unknown} = ${fmt(r)} gives ${fmt(clean(evalPoly(poly, r)))}`)
    const text = distinct.map(r => `${unknown} = ${fmt(r)}`).join(' or ')
    return { text, output: distinct, steps }
  }
  const complex = roots.map(([re, im]) => {
    const imag = `${clean(Math.abs(im)) === 1 ? '' : fmt(clean(Math.abs(im)))}i`
    return clean(re) === 0 ? `${im < 0 ? '-' : ''}${imag}` : `${fmt(clean(re))} ${im < 0 ? '-' : '+'} ${imag}`
  })
  const text = `no real ${unknown} is a solution; complex: ${complex.map(c => `${unknown} = ${c}`).join(' or ')}`
  return { text, output: complex, steps }
}

export interface Calculus {
  text: string
  /** The definite integral's value, or the derivative / antiderivative as text. */
  output: number | string
  steps: string[]
}

const ASK = String.raw`^(?:(?:what\s+is|what's|find|compute|calculate|work\s+out|give\s+me|evaluate)\s+)?(?:the\s+)?`
const DERIVATIVE = new RegExp(String.raw`${ASK}(?:(?:first\s+)?derivative\s+of|differentiate)\s+(.+?)(?:\s+(?:with\s+respect\s+to|wrt|w\.r\.t\.?|for)\s+([a-z]))?$`, 'i')
const INTEGRAL = new RegExp(String.raw`${ASK}(?:(?:(?:in)?definite\s+)?integral\s+of|integrate|antiderivative\s+of)\s+(.+?)(?:\s*d([a-z]))?(?:\s+(?:from|between)\s+(\S+)\s+(?:to|and)\s+(\S+))?$`, 'i')

/**
 * Derivatives and integrals of polynomials in one unknown: "What is the derivative of x^3 + 2x?",
 * "Integrate x^2 from 0 to 3" (9), "the integral of 3x^2" (x^3 + C). Undefined when the request asks
 * for neither; an Error (`calculator: ...`) for a function that is not a polynomial.
 */
export function polynomialCalculus (request: string): Calculus | undefined {
  const s = normalised(request)
  const d = DERIVATIVE.exec(s)
  const i = d === null ? INTEGRAL.exec(s) : null
  if (d === null && i === null) return undefined
  const body = (d ?? i)![1]!.trim()
  let node: MathNode
  try {
    node = parseOnly(body)
  } catch (err) {
    throw new Error(`calculator: cannot parse '${body}': ${(err as Error).message}`)
  }
  const free = [...new Set(freeSymbols(node))]
  const x = (d ?? i)![2] ?? (free.length === 1 ? free[0]! : free.length === 0 ? 'x' : undefined)
  if (x === undefined || free.some(f => f !== x)) throw new Error(`calculator: '${body}' has ${free.length} unknowns (${free.join(', ')}); name the one to work with ("with respect to x")`)
  let poly: Poly
  try {
    poly = trim(expand(node, x))
  } catch (err) {
    if (err instanceof NotPolynomial) throw new Error(`calculator: can ${d !== null ? 'differentiate' : 'integrate'} polynomials only; '${body}' ${err.message}`)
    throw err
  }
  const steps = [`function: ${showPoly(poly, x)}`]
  if (d !== null) {
    const derivative = trim(poly.length === 1 ? [0] : poly.slice(1).map((c, k) => clean(c * (k + 1))))
    const text = showPoly(derivative, x)
    steps.push('each term a·x^n becomes n·a·x^(n-1)', `d/d${x} = ${text}`)
    return { text, output: text, steps }
  }
  const anti: Poly = [0, ...poly.map((c, k) => clean(c / (k + 1)))]
  steps.push('each term a·x^n becomes a·x^(n+1) / (n+1)', `antiderivative: ${showPoly(trim(anti), x)}`)
  if (i![3] === undefined) {
    const text = `${showPoly(trim(anti), x)} + C`
    return { text, output: text, steps }
  }
  const bound = (t: string): number => {
    const v = parseOnly(t).evaluate(new Map())
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`calculator: the bound '${t}' is not a number`)
    return v
  }
  const [a, b] = [bound(i![3]), bound(i![4]!)]
  const value = clean(evalPoly(anti, b) - evalPoly(anti, a))
  steps.push(`F(${fmt(b)}) - F(${fmt(a)}) = ${fmt(clean(evalPoly(anti, b)))} - ${fmt(clean(evalPoly(anti, a)))} = ${fmt(value)}`)
  return { text: fmt(value), output: value, steps }
}

class NotPolynomial extends Error {}

/** The request on one line, without its closing punctuation, with typographic operators and powers as mathjs writes them. */
function normalised (request: string): string {
  return trimSentenceEnd(request.trim().replace(/\s+/g, ' ')).replace(/[−–]/g, '-').replace(/[×✕]/g, '*').replace(/÷/g, '/').replace(/²/g, '^2').replace(/³/g, '^3')
}

function freeSymbols (node: MathNode): string[] {
  const out: string[] = []
  node.traverse((n, _path, parent) => {
    if (n.type !== 'SymbolNode') return
    const name = (n as unknown as { name: string }).name
    // A function's name ("sqrt" in sqrt(2)) is not an unknown.
    if (parent?.type === 'FunctionNode' && (parent as unknown as { fn: MathNode }).fn === n) return
    if (CONSTANTS.has(name)) return
    out.push(name)
  })
  return out
}

/** The node as a polynomial in `x`; a part without `x` is evaluated to a number. */
function expand (node: MathNode, x: string): Poly {
  const n = node as unknown as { type: string, op?: string, fn?: string | MathNode, args?: MathNode[], content?: MathNode, name?: string, value?: unknown }
  if (!mentions(node, x)) {
    const v = node.evaluate(new Map())
    const num = typeof v === 'number' ? v : typeof v === 'object' && v !== null && math.typeOf(v) === 'Fraction' ? Number(v) : NaN
    if (!Number.isFinite(num)) throw new NotPolynomial(`has a part that is not a real number (${node.toString()})`)
    return [num]
  }
  switch (n.type) {
    case 'SymbolNode': return [0, 1]
    case 'ParenthesisNode': return expand(n.content!, x)
    case 'OperatorNode': {
      const args = n.args!
      if (n.fn === 'unaryMinus') return scaleBy(expand(args[0]!, x), -1)
      if (n.fn === 'unaryPlus') return expand(args[0]!, x)
      if (n.fn === 'add') return add(expand(args[0]!, x), expand(args[1]!, x))
      if (n.fn === 'subtract') return sub(expand(args[0]!, x), expand(args[1]!, x))
      if (n.fn === 'multiply') return mul(expand(args[0]!, x), expand(args[1]!, x))
      if (n.fn === 'divide') {
        if (mentions(args[1]!, x)) throw new NotPolynomial(`divides by an expression in ${x}`)
        const d = expand(args[1]!, x)[0]!
        if (d === 0) throw new NotPolynomial('divides by zero')
        return scaleBy(expand(args[0]!, x), 1 / d)
      }
      if (n.fn === 'pow') {
        if (mentions(args[1]!, x)) throw new NotPolynomial(`has ${x} in an exponent`)
        const e = expand(args[1]!, x)[0]!
        if (!Number.isInteger(e) || e < 0) throw new NotPolynomial(`raises ${x} to a power that is not a whole number (${fmt(e)})`)
        if (e > MAX_DEGREE) throw new NotPolynomial(`has a power above ${MAX_DEGREE}`)
        const base = expand(args[0]!, x)
        let out: Poly = [1]
        for (let i = 0; i < e; i++) out = mul(out, base)
        return out
      }
      throw new NotPolynomial(`uses '${n.op ?? String(n.fn)}' on ${x}`)
    }
    case 'FunctionNode': throw new NotPolynomial(`has ${x} inside ${node.toString().split('(')[0]}()`)
    default: throw new NotPolynomial(`has a form it cannot expand (${node.toString()})`)
  }
}

function mentions (node: MathNode, x: string): boolean {
  return freeSymbols(node).includes(x)
}

const add = (a: Poly, b: Poly): Poly => Array.from({ length: Math.max(a.length, b.length) }, (_, i) => (a[i] ?? 0) + (b[i] ?? 0))
const sub = (a: Poly, b: Poly): Poly => add(a, scaleBy(b, -1))
const scaleBy = (a: Poly, k: number): Poly => a.map(c => c * k)
function mul (a: Poly, b: Poly): Poly {
  const out = new Array<number>(a.length + b.length - 1).fill(0)
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i + j]! += a[i]! * b[j]!
  if (out.length - 1 > MAX_DEGREE * 2) throw new NotPolynomial(`is of degree above ${MAX_DEGREE}`)
  return out
}
/** Drops leading coefficients that are zero (or rounding noise next to the others). */
function trim (p: Poly): Poly {
  const big = Math.max(...p.map(Math.abs), 0)
  const out = p.slice()
  while (out.length > 1 && Math.abs(out[out.length - 1]!) <= 1e-12 * big) out.pop()
  return out.map(c => clean(c))
}

type Complex = [number, number]
const cmul = (a: Complex, b: Complex): Complex => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]]
const csub = (a: Complex, b: Complex): Complex => [a[0] - b[0], a[1] - b[1]]
function cdiv (a: Complex, b: Complex): Complex {
  const d = b[0] * b[0] + b[1] * b[1]
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d]
}

/** All roots of the polynomial (degree ≥ 1), by Durand-Kerner iteration on its monic form. */
function durandKerner (p: Poly): Complex[] {
  const n = p.length - 1
  const lead = p[n]!
  const monic = p.map(c => c / lead)
  const value = (z: Complex): Complex => {
    let acc: Complex = [1, 0]
    for (let i = n - 1; i >= 0; i--) acc = [cmul(acc, z)[0] + monic[i]!, cmul(acc, z)[1]]
    return acc
  }
  const radius = 1 + Math.max(...monic.slice(0, n).map(Math.abs))
  let z: Complex[] = Array.from({ length: n }, (_, k) => [radius * Math.cos(2 * Math.PI * k / n + 0.4), radius * Math.sin(2 * Math.PI * k / n + 0.4)])
  for (let iter = 0; iter < 500; iter++) {
    let moved = 0
    z = z.map((zi, i) => {
      let den: Complex = [1, 0]
      for (let j = 0; j < n; j++) if (j !== i) den = cmul(den, csub(zi, z[j]!))
      const step = cdiv(value(zi), den)
      moved = Math.max(moved, Math.hypot(step[0], step[1]))
      return csub(zi, step)
    })
    if (moved < 1e-14 * radius) break
  }
  return z
}

function evalPoly (p: Poly, x: number): number {
  let acc = 0
  for (let i = p.length - 1; i >= 0; i--) acc = acc * x + p[i]!
  return acc
}

/** A few Newton steps on a real root, kept only if they bring the polynomial closer to zero. */
function polish (p: Poly, x: number): number {
  const d = p.slice(1).map((c, i) => c * (i + 1))
  let best = x
  let bestErr = Math.abs(evalPoly(p, x))
  let cur = x
  for (let i = 0; i < 20 && bestErr > 0; i++) {
    const slope = evalPoly(d, cur)
    if (slope === 0) break
    cur -= evalPoly(p, cur) / slope
    const err = Math.abs(evalPoly(p, cur))
    if (err < bestErr) { best = cur; bestErr = err } else break
  }
  return clean(best)
}

/** Floating-point noise next to a whole number or zero is dropped: 2.9999999999999996 → 3. */
function clean (v: number): number {
  const r = Math.round(v)
  return Math.abs(v - r) < 1e-9 * Math.max(1, Math.abs(v)) ? r + 0 : v
}

function fmt (v: number): string {
  return math.format(v, { precision: 12 })
}

/** "x^2 - 5x + 6" */
function showPoly (p: Poly, x: string): string {
  const terms: string[] = []
  for (let i = p.length - 1; i >= 0; i--) {
    const c = p[i]!
    if (c === 0 && p.length > 1) continue
    const mag = Math.abs(c)
    const ratio = fraction(mag)
    const coef = i > 0 && mag === 1 ? '' : ratio !== undefined && i > 0 ? `(${ratio})` : ratio ?? fmt(mag)
    const body = i === 0 ? ratio ?? fmt(mag) : `${coef}${x}${i > 1 ? `^${i}` : ''}`
    terms.push(terms.length === 0 ? (c < 0 ? `-${body}` : body) : `${c < 0 ? '-' : '+'} ${body}`)
  }
  return terms.length === 0 ? '0' : terms.join(' ')
}

/** A coefficient that is a simple fraction, as one ("1/3"); undefined for whole numbers and others. */
function fraction (v: number): string | undefined {
  if (Number.isInteger(v)) return undefined
  for (let d = 2; d <= 64; d++) {
    const n = v * d
    if (Math.abs(n - Math.round(n)) < 1e-9 * Math.max(1, Math.abs(n))) return `${Math.round(n)}/${d}`
  }
  return undefined
}
