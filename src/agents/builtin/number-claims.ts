/**
 * Claims about a whole number's properties, checked exactly (the verifier's third kind of check,
 * next to arithmetic and the graph): "17 is prime", "Is 91 a prime number?", "1,024 is even",
 * "144 is a perfect square", "84 is divisible by 7", "100 is a multiple of 8", "12 is not odd",
 * "2027 is a leap year".
 * Primality is a deterministic Miller-Rabin test (exact below 3.3e24); numbers beyond that are not
 * judged.
 */
import type { Verdict } from '../types.ts'
import { isLeap, leapReason } from './dates.ts'

const INTEGER = String.raw`([-+]?\d{1,3}(?:,\d{3})+|[-+]?\d+)`
const PROPERTY = String.raw`(?:an?\s+)?(leap\s+year|prime(?:\s+number)?|composite(?:\s+number)?|even(?:\s+number)?|odd(?:\s+number)?|(?:perfect\s+)?square(?:\s+number)?|perfect\s+cube|(?:divisible|evenly\s+divisible)\s+by\s+${INTEGER}|(?:a\s+)?multiple\s+of\s+${INTEGER}|(?:a\s+)?(?:factor|divisor)\s+of\s+${INTEGER})`
/** "<n> is [not] <property>" */
const STATED = new RegExp(String.raw`^(?:the\s+number\s+)?${INTEGER}\s+is(\s+not|n['’]t)?\s+${PROPERTY}$`, 'i')
/** "is <n> [not] <property>" (a question) */
const ASKED = new RegExp(String.raw`^is\s+(?:the\s+number\s+)?${INTEGER}(\s+not)?\s+${PROPERTY}$`, 'i')
/** Beyond this the Miller-Rabin bases below are not proven deterministic. */
const PRIME_LIMIT = 3_317_044_064_679_887_385_961_981n
const BASES = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n]

export function checkNumberClaim (claim: string): { verdict: Verdict, steps: string[] } | undefined {
  const text = claim.replace(/\s+/g, ' ').trim().replace(/[?.!]+$/, '')
  const m = STATED.exec(text) ?? ASKED.exec(text)
  if (m === null) return undefined
  const n = BigInt(m[1]!.replace(/,/g, ''))
  const negated = m[2] !== undefined
  const property = m[3]!.toLowerCase().replace(/\s+number$/, '')
  const other = m[4] ?? m[5] ?? m[6]
  const k = other === undefined ? undefined : BigInt(other.replace(/,/g, ''))
  const judged = judge(n, property, k)
  if (judged === undefined) return undefined
  const holds = judged.holds !== negated
  const statement = `${n} is ${negated ? 'not ' : ''}${property.startsWith('leap') ? 'a ' : ''}${property.replace(/\s+\d.*$/, '')}${k === undefined ? '' : ` ${k}`}`
  const steps = [`number claim: ${statement}`, judged.why]
  const reason = `${judged.why}, so "${statement}" is ${holds ? 'true' : 'false'}`
  return { verdict: { vote: holds ? 'support' : 'dispute', confidence: 0.99, reason, evidence: [] }, steps }
}

function judge (n: bigint, property: string, k: bigint | undefined): { holds: boolean, why: string } | undefined {
  const abs = n < 0n ? -n : n
  if (property.startsWith('prime') || property.startsWith('composite')) {
    if (abs > PRIME_LIMIT) return undefined
    const prime = n > 1n && isPrime(n)
    const factor = prime || n < 4n ? undefined : smallFactor(n)
    const why = prime ? `${n} has no divisor other than 1 and itself`
      : n < 2n ? `${n} is less than 2 (primes start at 2)`
        : factor !== undefined ? `${n} = ${factor} × ${n / factor}` : `${n} is composite (Miller-Rabin)`
    return { holds: property.startsWith('prime') ? prime : (!prime && n > 1n), why }
  }
  if (property.startsWith('leap')) {
    if (n < 1n || n > 1_000_000n) return undefined
    return { holds: isLeap(Number(n)), why: leapReason(Number(n)) }
  }
  if (property.startsWith('even')) return { holds: n % 2n === 0n, why: `${n} ÷ 2 leaves ${abs % 2n}` }
  if (property.startsWith('odd')) return { holds: n % 2n !== 0n, why: `${n} ÷ 2 leaves ${abs % 2n}` }
  if (property.includes('cube')) {
    const r = iroot(abs, 3n)
    return { holds: r * r * r === abs, why: r * r * r === abs ? `${n} = ${n < 0n ? -r : r}³` : `${r}³ = ${r ** 3n} and ${r + 1n}³ = ${(r + 1n) ** 3n}` }
  }
  if (property.includes('square')) {
    if (n < 0n) return { holds: false, why: `${n} is negative` }
    const r = iroot(n, 2n)
    return { holds: r * r === n, why: r * r === n ? `${n} = ${r}²` : `${r}² = ${r * r} and ${r + 1n}² = ${(r + 1n) ** 2n}` }
  }
  if (k === undefined) return undefined
  if (property.startsWith('divisible') || property.startsWith('evenly') || property.includes('multiple')) {
    if (k === 0n) return { holds: n === 0n, why: 'only 0 is a multiple of 0' }
    return { holds: n % k === 0n, why: `${n} ÷ ${k} ${n % k === 0n ? `= ${n / k}` : `leaves ${(n % k + (k < 0n ? -k : k)) % (k < 0n ? -k : k)}`}` }
  }
  // "<n> is a factor of <k>"
  if (n === 0n) return { holds: false, why: '0 divides nothing' }
  return { holds: k % n === 0n, why: `${k} ÷ ${n} ${k % n === 0n ? `= ${k / n}` : `leaves ${(k % n + abs) % abs}`}` }
}

function modPow (base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n
  base %= mod
  while (exp > 0n) {
    if (exp & 1n) result = result * base % mod
    base = base * base % mod
    exp >>= 1n
  }
  return result
}

export function isPrime (n: bigint): boolean {
  if (n < 2n) return false
  for (const p of BASES) {
    if (n === p) return true
    if (n % p === 0n) return false
  }
  let d = n - 1n
  let s = 0
  while (d % 2n === 0n) { d /= 2n; s++ }
  for (const a of BASES) {
    let x = modPow(a, d, n)
    if (x === 1n || x === n - 1n) continue
    let witness = true
    for (let i = 1; i < s; i++) {
      x = x * x % n
      if (x === n - 1n) { witness = false; break }
    }
    if (witness) return false
  }
  return true
}

/** The smallest prime factor below 100,000, if there is one. */
function smallFactor (n: bigint): bigint | undefined {
  const abs = n < 0n ? -n : n
  for (let p = 2n; p < 100_000n && p * p <= abs; p += p === 2n ? 1n : 2n) if (abs % p === 0n) return p
  return undefined
}

/** ⌊n^(1/k)⌋ for n ≥ 0. */
function iroot (n: bigint, k: bigint): bigint {
  if (n < 2n) return n
  let x = BigInt(Math.floor(Number(n) ** (1 / Number(k))))
  while (x ** k > n) x--
  while ((x + 1n) ** k <= n) x++
  return x
}
