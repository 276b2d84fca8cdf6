/**
 * Whole numbers between bases: "What is 255 in hexadecimal?", "the binary of 10", "Convert 0xFF to
 * decimal", "Convert 1010 1101 from binary to decimal", "What is FF in decimal?". Before, the
 * calculator failed these ("undefined symbol hexadecimal", "unexpected part 1101"). Exact for any
 * size (BigInt); a digit the base does not have, a fraction or a sign is no reading (undefined), and
 * the calculator's other readers go on.
 */

const NAMES: Record<number, string> = { 2: 'binary', 8: 'octal', 10: 'decimal', 16: 'hexadecimal' }
const PREFIXES: Record<number, string> = { 2: '0b', 8: '0o', 10: '', 16: '0x' }
const BASE_WORD = String.raw`(?:hex(?:adecimal)?|binary|bin|octal|oct|decimal|dec|base[\s-]*(?:2|8|10|16))`
/** A number as written: with a prefix, or digits (in groups of a space or an underscore, as long binary numbers are written). */
const NUMBER = String.raw`(0x[0-9a-f_]+|0b[01_]+|0o[0-7_]+|[0-9a-f]+(?:[ _,][0-9a-f]+)*)`
const OPEN = String.raw`^(?:please\s+)?(?:(?:can|could)\s+you\s+)?(?:(?:convert|change|turn|translate|express|write|show|give\s+me)\s+|what\s+(?:is|are)\s+|what's\s+|find\s+)?`

/** "255 in hex", "convert 1010 1101 from binary to decimal", "the binary number 1010 as decimal". */
const TO_BASE = new RegExp(String.raw`${OPEN}(?:the\s+)?(?:(${BASE_WORD})\s+(?:number\s+|value\s+)?)?${NUMBER}(?:\s+\(?(${BASE_WORD})\)?)?\s+(?:from\s+(${BASE_WORD})\s+)?(?:in|to|into|as)\s+(?:an?\s+)?(${BASE_WORD})(?:\s+(?:number|notation|form|digits))?$`, 'i')
/** "the hexadecimal of 255", "the binary representation of 10", "the decimal value of 0xff". */
const BASE_OF = new RegExp(String.raw`${OPEN}(?:the\s+)?(${BASE_WORD})\s+(?:value\s+|form\s+|representation\s+|equivalent\s+|number\s+)?(?:of|for)\s+(?:the\s+(?:number\s+)?)?${NUMBER}(?:\s+\(?(?:in\s+)?(${BASE_WORD})\)?)?$`, 'i')

function baseOf (word: string | undefined): number | undefined {
  if (word === undefined) return undefined
  const w = word.toLowerCase().replace(/[\s-]+/g, '')
  if (w.startsWith('hex') || w === 'base16') return 16
  if (w.startsWith('bin') || w === 'base2') return 2
  if (w.startsWith('oct') || w === 'base8') return 8
  if (w.startsWith('dec') || w === 'base10') return 10
  return undefined
}

/** The value of `written` in `base` (or the base its prefix names), or undefined if its digits do not fit. */
function read (written: string, named: number | undefined): { value: bigint, base: number } | undefined {
  let digits = written.toLowerCase()
  const prefixed = /^0([xbo])/.exec(digits)
  let base = named
  if (prefixed !== null) {
    const b = prefixed[1] === 'x' ? 16 : prefixed[1] === 'b' ? 2 : 8
    if (base !== undefined && base !== b) return undefined
    base = b
    digits = digits.slice(2)
  }
  // Commas group thousands in decimal only ("1,024 in binary").
  if (digits.includes(',')) {
    if ((base ?? 10) !== 10 || !/^\d{1,3}(?:,\d{3})+$/.test(digits)) return undefined
    digits = digits.replace(/,/g, '')
  }
  digits = digits.replace(/[ _]/g, '')
  // Hex letters without a base named: hexadecimal ("FF in decimal"); else decimal.
  base ??= /[a-f]/.test(digits) ? 16 : 10
  if (digits === '' || digits.length > 256) return undefined
  const allowed = '0123456789abcdef'.slice(0, base)
  if (![...digits].every(d => allowed.includes(d))) return undefined
  // Digits in groups that are not a number's ("call 555 1234") are no reading: groups only in binary and hex.
  if (/[ _]/.test(written) && base !== 2 && base !== 16) return undefined
  const value = BigInt(`${PREFIXES[base] || ''}${digits}`)
  return { value, base }
}

export interface BaseConversion {
  text: string
  /** A decimal answer is a number (a string beyond 2^53); another base's is its digits with their prefix ("0xFF"). */
  output: number | string
  steps: string[]
}

/** The conversion a request asks for, or undefined when it asks none (or its number does not fit the base it names). */
export function baseConversion (request: string): BaseConversion | undefined {
  const s = request.trim().replace(/\s+/g, ' ').replace(/[?.!]+$/, '')
  if (s.length > 300) return undefined
  let written: string, from: number | undefined, to: number | undefined
  const m = TO_BASE.exec(s)
  if (m !== null) {
    written = m[2]!
    from = baseOf(m[1]) ?? baseOf(m[3]) ?? baseOf(m[4])
    to = baseOf(m[5])
  } else {
    const o = BASE_OF.exec(s)
    if (o === null) return undefined
    written = o[2]!
    to = baseOf(o[1])
    from = baseOf(o[3])
  }
  if (to === undefined) return undefined
  // A number without a digit is a word ("face"), unless written in capitals ("FF", "DEADBEEF").
  if (!/\d/.test(written) && from === undefined && !/^[A-F]+$/.test(written)) return undefined
  const n = read(written, from)
  if (n === undefined) return undefined
  const digits = n.value.toString(to).toUpperCase()
  const shown = to === 10 ? Number(n.value) <= Number.MAX_SAFE_INTEGER ? n.value.toLocaleString('en-US') : digits : `${PREFIXES[to]}${to === 16 ? digits : digits.toLowerCase()}`
  const output = to === 10 ? (n.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n.value) : digits) : shown
  const text = to === 10 ? shown : `${digits} (${shown})`
  return {
    text,
    output,
    steps: [
      `${written.trim()} read as ${NAMES[n.base]}${n.base === 10 ? '' : `: ${n.value.toString()} in decimal`}`,
      `${n.value.toString()} in ${NAMES[to]}: ${digits}`
    ]
  }
}
