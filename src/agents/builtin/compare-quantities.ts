/**
 * Which of two quantities is heavier, longer, hotter, ... ("Which is heavier, 2 kg or 3 pounds?",
 * "Is 6 feet taller than 180 cm?"), read by measures.ts and compared here with mathjs units, each
 * in the other's unit. Before, the calculator failed ("cannot parse 'Which is heavier, 2 kg or 3 lb'").
 */
import { evaluateExpression, math, translateRequest } from './math.ts'
import { comparisonAsked, type MeasureAnswer } from './measures.ts'

interface Side { said: string, expression: string, value: unknown, display: string }

/** Adjectives of temperature, by which "72 F" and "20 C" are degrees, not farads and coulombs. */
const TEMPERATURE = /^(?:hotter|warmer|colder|cooler)$/

/** One side of a comparison as a quantity ("3 pounds" is a mass here: a comparison of money is not one of these). */
function readSide (said: string, adjective: string): Side | undefined {
  const written = said.trim().replace(/^(?:a|an)\s+(?=\d)/i, '')
  if (written === '' || written.length > 60 || !/\d/.test(written)) return undefined
  const text = written.replace(TEMPERATURE.test(adjective) ? /(\d)\s*°?\s*([FC])\b/ : /(\d)\s*°\s*([FC])\b/, '$1 deg$2')
  try {
    const t = translateRequest(text)
    if (t.conversion !== undefined) return undefined
    const ev = evaluateExpression(t.expression)
    if (!(typeof ev.value === 'number' && Number.isFinite(ev.value)) && !math.isUnit(ev.value)) return undefined
    // "$1 million", read as "$1000000", is shown "$1,000,000".
    return { said: written.replace(/(?<![\d.,])\d{5,}(?=$|[^\d,])/g, d => Number(d).toLocaleString('en-US')), expression: t.expression, value: ev.value, display: ev.display }
  } catch {
    return undefined
  }
}

/**
 * Which of two quantities is heavier, longer, ... (or whether one is more than the other), each in
 * the other's unit; undefined when the request is not such a question or a side is no quantity.
 * Quantities of different kinds (a mass and a length) are an error that says so.
 */
export function compareQuantities (request: string): MeasureAnswer | undefined {
  const asked = comparisonAsked(request)
  if (asked === undefined) return undefined
  const { adjective } = asked
  const a = readSide(asked.a, adjective)
  const b = readSide(asked.b, adjective)
  if (a === undefined || b === undefined) return undefined
  const unitA = math.isUnit(a.value)
  if (unitA !== math.isUnit(b.value)) throw new Error(`calculator: cannot compare ${a.display} with ${b.display}: one has a unit and the other does not`)
  let bInA: string
  let aInB: string
  let cmp: number
  try {
    cmp = Number(evaluateExpression(`compare(${a.expression}, ${b.expression})`).value)
    bInA = unitA ? evaluateExpression(`(${b.expression}) to ${unitName(a.value)}`).display : b.display
    aInB = unitA ? evaluateExpression(`(${a.expression}) to ${unitName(b.value)}`).display : a.display
  } catch {
    throw new Error(`calculator: cannot compare ${a.display} with ${b.display}: they measure different things`)
  }
  const steps = [`comparing ${a.display} and ${b.display}${unitA ? ` in one unit: ${b.display} = ${bInA}, ${a.display} = ${aInB}` : ''}`]
  const wantsMore = asked.larger
  // Named as the person wrote them ("3/4", "4 liters"), with what the other one comes to in the first's unit.
  const worked = unitA ? (bInA !== b.display ? ` (${b.said} = ${rounded(bInA)})` : '') : [a, b].filter(x => x.said.replace(/\s+|(?<=\d),(?=\d{3})|^[$€£¥₹]/g, '') !== x.display).map(x => `${x.said} = ${x.display}`).join(', ').replace(/^(.+)$/, ' ($1)')
  if (cmp === 0) {
    steps.push('they are equal')
    const same = `${a.said} and ${b.said} are the same${worked}`
    return asked.yesNo ? { text: `No: ${same}`, output: false, steps } : { text: `Neither: ${same}`, output: null, steps }
  }
  const first = (cmp > 0) === wantsMore
  const [winner, loser] = first ? [a, b] : [b, a]
  steps.push(`${winner.display} is ${adjective} than ${loser.display}`)
  if (asked.yesNo) return { text: `${first ? 'Yes' : 'No'}: ${winner.said} is ${adjective} than ${loser.said}${worked}`, output: first, steps }
  return { text: `${winner.said} is ${adjective}${worked}`, output: winner.said, steps }
}

/** "5.9055118110236 feet" → "5.90551 feet" (six significant digits are plenty for saying which is more), "km / h" → "km/h". */
function rounded (display: string): string {
  return display.replace(/^-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/i, n => String(Number(Number(n).toPrecision(6)))).replace(/ \/ /g, '/')
}

/** A mathjs unit's name as written in an expression ("kg", "degF", "km / h"). */
function unitName (value: unknown): string {
  return (value as { formatUnits: () => string }).formatUnits()
}

