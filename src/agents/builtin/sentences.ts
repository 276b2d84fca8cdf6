/**
 * Sentence splitting for the summariser and the planner: good enough for prose in languages that
 * end sentences with . ! ? (and their full-width forms), without a model. Abbreviations, initials,
 * decimals and ellipses inside a sentence do not end it; blank lines and list items always do.
 */

const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'vs', 'etc', 'eg', 'ie', 'cf', 'al', 'fig', 'no',
  'vol', 'approx', 'inc', 'ltd', 'co', 'corp', 'dept', 'est', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug',
  'sep', 'sept', 'oct', 'nov', 'dec', 'u.s', 'u.k', 'e.g', 'i.e', 'a.m', 'p.m'
])

/** Starts of list items: "1.", "2)", "-", "*", "•". */
export const LIST_ITEM = /^\s*(?:\d{1,3}[.)]|[-*•+])\s+/

/** The sentences of `text`, trimmed, in order, with inner whitespace collapsed. */
export function splitSentences (text: string): string[] {
  const out: string[] = []
  for (const block of text.split(/\n\s*\n|\r\n\s*\r\n/)) {
    // A list item is a unit of its own; other single newlines are soft wraps.
    const lines = block.split(/\r?\n/)
    let paragraph = ''
    const flush = (): void => {
      if (paragraph.trim() !== '') out.push(...splitParagraph(paragraph))
      paragraph = ''
    }
    for (const line of lines) {
      if (LIST_ITEM.test(line)) {
        flush()
        paragraph = line
        flush()
      } else {
        paragraph += (paragraph === '' ? '' : ' ') + line
      }
    }
    flush()
  }
  return out
}

function splitParagraph (paragraph: string): string[] {
  const s = paragraph.replace(/\s+/g, ' ').trim()
  const out: string[] = []
  let start = 0
  // Candidate ends: terminal punctuation, optional closing quotes/brackets, then space.
  const end = /([.!?。！？]+)(["'”’)\]]*)(\s+)/g
  let m: RegExpExecArray | null
  while ((m = end.exec(s)) !== null) {
    const stop = m.index + m[1]!.length + m[2]!.length
    const next = s.charAt(end.lastIndex)
    if (m[1] === '.' && !endsSentence(s.slice(start, m.index), next)) continue
    out.push(s.slice(start, stop).trim())
    start = end.lastIndex
  }
  const rest = s.slice(start).trim()
  if (rest !== '') out.push(rest)
  return out.filter((x) => x !== '')
}

/** Whether a single "." after `before` ends the sentence, given the character that follows. */
function endsSentence (before: string, next: string): boolean {
  const word = /(\S+)$/.exec(before)?.[1] ?? ''
  const bare = word.replace(/^["'“‘(\[]+/, '').toLowerCase()
  if (ABBREVIATIONS.has(bare)) return false
  // Initials ("J. R. R. Tolkien") and single letters.
  if (/^\p{L}$/u.test(bare)) return false
  // A lower-case start usually continues the sentence ("approx. five", "e.g. this").
  if (/^\p{Ll}/u.test(next)) return false
  return true
}
