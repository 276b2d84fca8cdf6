/**
 * Whole numbers written in English words, as digits: "thirty plus twelve" is "30 plus 12", "one
 * hundred and five" 105, "two thousand three hundred" 2300, "a million" 1000000. Used by the
 * calculator's translation and by the calculator's bid rule (src/app/coord-boot.ts), which must not
 * pull in mathjs, hence a module of its own.
 *
 * A run of words becomes one number only where English joins them into one: "twenty three" is 23,
 * but "three four" is 3 4 and "three and four" stays two numbers ("and" joins only after "hundred",
 * "thousand", ...: "one hundred and five"). Ordinals ("third"), fractions ("half") and "dozen" are
 * left alone; the calculator reads "a third of" and "half of" itself.
 */

const UNITS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19
}
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 }
const SCALES: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12 }

const WORD = [...Object.keys(UNITS), ...Object.keys(TENS), 'hundred', ...Object.keys(SCALES)].join('|')
/** A candidate run: number words joined by spaces, hyphens or "and", optionally after "a" ("a hundred"). */
const RUN = new RegExp(String.raw`\b(?:an?\s+(?=(?:hundred|thousand|million|billion|trillion)\b))?(?:${WORD})(?:(?:\s+and\s+|[\s-]+)(?:${WORD}))*\b`, 'gi')

type Last = 'start' | 'unit' | 'tens' | 'hundred' | 'scale'

/**
 * The numbers a run of words spells, in order, each with the separator before it: "twenty three" →
 * 23, "three four" → 3, 4, "three and four" → 3, and 4.
 */
function numbersOf (run: string): { value: number, before: string }[] {
  const tokens = run.toLowerCase().split(/[\s-]+/).filter(t => t !== '')
  const out: { value: number, before: string }[] = []
  let before = ''
  let total = 0 // completed scale groups ("two million" of "two million three hundred")
  let group = 0 // the group being read, below 1000
  let last: Last = 'start'
  let lastScale = Infinity
  const flush = (): void => {
    if (last === 'start') return
    out.push({ value: total + group, before: out.length === 0 ? '' : before })
    total = 0; group = 0; last = 'start'; lastScale = Infinity; before = ' '
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    if (t === 'a' || t === 'an') { flush(); group = 1; last = 'unit'; continue }
    if (t === 'and') {
      const next = tokens[i + 1]
      // "one hundred and five": joins. "three and four": two numbers (and the "and" stays a word).
      if ((last === 'hundred' || last === 'scale') && next !== undefined && (next in UNITS || next in TENS) && next !== 'zero') continue
      flush()
      before = ' and '
      continue
    }
    const after = last
    if (t in UNITS) {
      const v = UNITS[t]!
      const joins = (after === 'hundred' || after === 'scale' || (after === 'tens' && v >= 1 && v <= 9)) && v !== 0
      if (!joins) flush()
      group += v; last = 'unit'
    } else if (t in TENS) {
      if (!(after === 'hundred' || after === 'scale')) flush()
      group += TENS[t]!; last = 'tens'
    } else if (t === 'hundred') {
      if ((after === 'unit' || after === 'tens') && group % 100 > 0 && group < 100) { group *= 100; last = 'hundred' } else { flush(); group = 100; last = 'hundred' }
    } else {
      const scale = SCALES[t]!
      if ((after === 'unit' || after === 'tens' || after === 'hundred') && group > 0 && scale < lastScale) {
        total += group * scale; group = 0; lastScale = scale; last = 'scale'
      } else { flush(); total = scale; lastScale = scale; last = 'scale' }
    }
  }
  flush()
  return out
}

/** The denominator a fraction word names: "a third" is 1 / 3, "3 quarters" 3 / 4. */
export const DENOMINATOR: Readonly<Record<string, number>> = { half: 2, third: 3, quarter: 4, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10 }

/**
 * `text` with its numbers in words written as digits. Returns the text unchanged when it has none.
 * "one" alone ("which one", "one of them") is a number too; callers that care apply this only to
 * text they read as arithmetic.
 */
/** The text with the commas between groups of three digits taken out: "1,200,000" → "1200000" ("3, 5, 9" stays a list). */
export function withoutThousands (text: string): string {
  return text.replace(/(\d),(?=\d{3}\b)/g, '$1')
}

export function numberWordsToDigits (text: string): string {
  return text
    // "2 million", "$1.2 million", "3 thousand": the figure times the scale ("1 1000000" before, which
    // the calculator could not parse: "Is the Q3 revenue over $1 million?" failed).
    .replace(FIGURE_SCALE, (said: string, figure: string, scale: string) => scaled(figure, scale) ?? said)
    // "$35k", "$1.2m", "€2bn": money with a letter for its scale (before, "3 engineers at $35k each" was 3 × $35).
    .replace(MONEY_SCALE, (said: string, symbol: string, figure: string, scale: string) => { const n = scaled(figure, scale); return n === undefined ? said : symbol + n })
    .replace(RUN, (run: string) => numbersOf(run).map(n => n.before + String(n.value)).join(''))
}
/** An amount of money with a letter for its scale: "$35k", "£1.2m", "€2bn". */
const MONEY_SCALE = /([$€£¥₹]\s?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s?(k|m|mn|bn)\b/gi
/** What a scale word or letter multiplies by: "thousand" and "k", "million", "m" and "mn", "billion", "b" and "bn". */
export const MAGNITUDES: Readonly<Record<string, number>> = { ...SCALES, k: 1e3, m: 1e6, mn: 1e6, b: 1e9, bn: 1e9 }
/** A figure ("1,200", "1.5") times its scale, in digits without grouping; undefined when that is no finite number. */
function scaled (figure: string, scale: string): string | undefined {
  const n = Number(figure.replace(/,/g, '')) * MAGNITUDES[scale.toLowerCase()]!
  return Number.isFinite(n) ? n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 6 }) : undefined
}
/** A figure in digits and a scale word: "2 million", "1.5 billion", "1,200 thousand". */
const FIGURE_SCALE = /(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s+(thousand|million|billion|trillion)\b/gi
