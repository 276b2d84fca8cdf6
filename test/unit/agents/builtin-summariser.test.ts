import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handler, pickSentences, sourceText } from '../../../src/agents/builtin/summariser.ts'
import { splitSentences } from '../../../src/agents/builtin/sentences.ts'
import type { LoadedEmbedder } from '../../../src/match/embedder.ts'
import { realEmbedder, testContext } from './builtin-context.ts'

let embedder: LoadedEmbedder
beforeAll(async () => { embedder = await realEmbedder() }, 120_000)
afterAll(async () => { await embedder?.dispose() })

const ctx = () => testContext({ embed: (texts) => embedder.embed(texts) })

const ARTICLE = [
  'The city council launched a bicycle sharing program with two thousand bikes across the downtown area.',
  'Residents can rent a bike from any of the 150 docking stations and return it to another station.',
  'My neighbour\'s cat likes to sleep on the warm roof of our garage.',
  'Officials expect the bike sharing scheme to reduce car traffic and air pollution in the city centre.',
  'The bicycle sharing program launched by the council offers two thousand bikes downtown.',
  'A yearly membership for the bike program costs forty dollars, and single rides cost two dollars.',
  'Yesterday it rained heavily and the football match was postponed.',
  'Cycling groups welcomed the bike sharing stations but asked the city for more protected bike lanes.',
  'The recipe calls for flour, sugar, butter and three eggs.'
]
const OFF_TOPIC = [2, 6, 8]

describe('summariser', () => {
  it('picks central sentences, leaves out asides, avoids repeating itself and keeps the order', async () => {
    const r = await handler({ id: 't', text: 'Summarise this article', input: { text: ARTICLE.join(' '), sentences: 3 } }, ctx())
    const picked = splitSentences(r.text)
    console.log(r.working?.join('\n'))
    expect(picked).toHaveLength(3)
    for (const i of OFF_TOPIC) expect(r.text).not.toContain(ARTICLE[i])
    // Sentences 1 and 5 say the same thing: at most one of them.
    expect(picked.includes(ARTICLE[0]!) && picked.includes(ARTICLE[4]!)).toBe(false)
    for (const s of picked) expect(ARTICLE).toContain(s)
    const positions = picked.map((s) => ARTICLE.indexOf(s))
    expect(positions).toEqual([...positions].sort((a, b) => a - b))
    expect(r.output).toBe(r.text)
  })

  it('does not pick a sentence that points at the one before without it', async () => {
    // Before, this came back as "It prevents data races at compile time.": "it" of nothing.
    const text = 'Rust is a systems language. It prevents data races at compile time. Many teams adopt it for safety. Its learning curve is steep.'
    const vectors = await embedder.embed(splitSentences(text))
    const byCentrality = pickSentences(splitSentences(text), vectors, 4).sort((a, b) => b.centrality - a.centrality)
    expect(byCentrality[0]!.sentence).toBe('It prevents data races at compile time.')
    const r = await handler({ id: 't', text: `Summarize: ${text}` }, ctx())
    expect(r.text).toBe('Rust is a systems language.')
    // With the sentence it points at, it may be picked.
    expect((await handler({ id: 't', text: `Summarize in two sentences: ${text}` }, ctx())).text).toBe('Rust is a systems language. It prevents data races at compile time.')
  })

  it('needs its redundancy term: by centrality alone both near-duplicates would be picked', async () => {
    const vectors = await embedder.embed(ARTICLE)
    const all = pickSentences(ARTICLE, vectors, ARTICLE.length)
    const byCentrality = [...all].sort((a, b) => b.centrality - a.centrality).map((p) => p.index)
    console.log('by centrality', byCentrality)
    expect(byCentrality.slice(0, 3)).toEqual(expect.arrayContaining([0, 4]))
    const picked = pickSentences(ARTICLE, vectors, 3).map((p) => p.index)
    expect(picked.includes(0) && picked.includes(4)).toBe(false)
    for (const i of OFF_TOPIC) expect(byCentrality.slice(-3)).toContain(i)
  })

  it('takes the length from input.ratio or from the request', async () => {
    const byRatio = await handler({ id: 't', text: 'tl;dr', input: { text: ARTICLE.join(' '), ratio: 0.25 } }, ctx())
    expect(splitSentences(byRatio.text)).toHaveLength(2)
    const byWords = await handler({ id: 't', text: `Summarise this in two sentences:\n${ARTICLE.join(' ')}` }, ctx())
    expect(splitSentences(byWords.text)).toHaveLength(2)
    for (const i of OFF_TOPIC) expect(byWords.text).not.toContain(ARTICLE[i])
  })

  it('keeps one sentence whole, shortens even a short text, and reports progress on longer ones', async () => {
    const one = await handler({ id: 't', text: 'x', input: { text: 'One sentence only.' } }, ctx())
    expect(one.text).toBe('One sentence only.')
    // Three sentences came back whole: no summary. Up to 4 give one, up to 9 two.
    const three = 'The release was delayed by two days because the payments service failed its load test. The team fixed a connection leak and the test passed on Thursday. The release is now planned for Monday.'
    const short = await handler({ id: 't', text: 'x', input: { text: three } }, ctx())
    expect(splitSentences(short.text)).toHaveLength(1)
    expect(three).toContain(short.text)
    const asked = await handler({ id: 't', text: 'Summarise in two sentences', input: { text: three } }, ctx())
    expect(splitSentences(asked.text)).toHaveLength(2)
    const c = ctx()
    const c2 = ctx()
    await handler({ id: 't', text: 'x', input: { text: ARTICLE.join(' ') } }, c2)
    expect(c2.progressReports.at(-1)?.fraction).toBe(1)
  })

  it('refuses bad input clearly', async () => {
    await expect(handler({ id: 't', text: '   ' }, ctx())).rejects.toThrow(/summariser: there is no text to summarise/)
    await expect(handler({ id: 't', text: 'x', input: { text: ARTICLE.join(' '), sentences: 0 } }, ctx())).rejects.toThrow(/input.sentences must be/)
    await expect(handler({ id: 't', text: 'x', input: { text: ARTICLE.join(' '), ratio: 2 } }, ctx())).rejects.toThrow(/input.ratio must be/)
    await expect(handler({ id: 't', text: 'x', input: { text: ARTICLE.join(' '), ratio: 'half' } }, ctx())).rejects.toThrow(/input.ratio must be a number/)
  })

  it('stops when the task is cancelled', async () => {
    const c = ctx()
    c.abort(new Error('cancelled'))
    await expect(handler({ id: 't', text: 'x', input: { text: ARTICLE.join(' ') } }, c)).rejects.toThrow('cancelled')
  })
})

describe('sentence splitting', () => {
  it('keeps abbreviations, initials and decimals inside sentences', () => {
    expect(splitSentences('Dr. Smith paid $3.50 for it, e.g. at the U.S. store. Then J. R. R. Tolkien wrote. Done!')).toEqual([
      'Dr. Smith paid $3.50 for it, e.g. at the U.S. store.',
      'Then J. R. R. Tolkien wrote.',
      'Done!'
    ])
  })

  it('treats list items and paragraphs as units', () => {
    expect(splitSentences('Intro line\n1. first item\n2. second item\n\nNew paragraph. Two sentences?')).toEqual([
      'Intro line', '1. first item', '2. second item', 'New paragraph.', 'Two sentences?'
    ])
  })

  it('finds the text after an instruction', () => {
    expect(sourceText({ id: 't', text: 'Please summarise this for me: The text. More.' })).toBe('The text. More.')
    expect(sourceText({ id: 't', text: 'Plain text: with a colon but no instruction.' })).toBe('Plain text: with a colon but no instruction.')
    // Any instruction with material, not only one that says "summarise".
    expect(sourceText({ id: 't', text: 'Condense this release note for the team: The build is green. The relay restarts.' })).toBe('The build is green. The relay restarts.')
  })

  it('summarises the results a mission part depends on, and refuses a request that names no text', () => {
    expect(sourceText({ id: 't', text: 'Summarise it', input: { s1: 'The first result. It has two sentences.' } })).toBe('The first result. It has two sentences.')
    expect(sourceText({ id: 't', text: 'Summarise them', input: { s2: { text: 'Second.' }, s1: 'First.', timeoutMs: 5 } })).toBe('First.\n\nSecond.')
    // Its own material wins over upstream results.
    expect(sourceText({ id: 't', text: 'Summarise this: Own text.', input: { s1: 'Upstream.' } })).toBe('Own text.')
    expect(sourceText({ id: 't', text: 'Then summarise in two sentences', input: { s1: 'Upstream text.' } })).toBe('Upstream text.')
    expect(sourceText({ id: 't', text: 'Summarise the findings', input: { s1: 'Upstream text.' } })).toBe('Upstream text.')
    expect(sourceText({ id: 't', text: 'Sum them up', input: { s1: 'Upstream text.' } })).toBe('Upstream text.')
    expect(sourceText({ id: 't', text: 'The results', input: { s1: 'Upstream text.' } })).toBe('Upstream text.')
    // Another operation on the earlier results is not a summary of them (before, "Count them" of a
    // list of primes came back as the list itself).
    expect(() => sourceText({ id: 't', text: 'Count them', input: { s1: [53, 59, 61] } })).toThrow("summariser: 'Count them' asks for something other than a summary of the earlier results")
    expect(() => sourceText({ id: 't', text: 'How many numbers is that?', input: { s1: [53, 59] } })).toThrow(/something other than a summary/)
    // A part that names a subject of its own does not mean the upstream result (here a number).
    expect(() => sourceText({ id: 't', text: 'Summarise what a kilobyte is', input: { s1: 1024 } })).toThrow(/names no text to summarise/)
    // Before, these words were "summarised" into themselves.
    expect(() => sourceText({ id: 't', text: 'Summarise what a kilobyte is' })).toThrow(/summariser: 'Summarise what a kilobyte is' names no text to summarise/)
    expect(() => sourceText({ id: 't', text: 'Please give me a summary of the meeting notes' })).toThrow(/names no text/)
    // A one-sentence request of another kind, which the summariser won by the word "summary".
    expect(() => sourceText({ id: 't', text: 'Translate the summary into French' })).toThrow(/names no text/)
    expect(() => sourceText({ id: 't', text: 'How many words are in this sentence: the quick brown fox' })).toThrow(/names no text/)
    // A text that does not start by asking for a summary is the text.
    expect(sourceText({ id: 't', text: 'The mesh merged. Nothing was lost.' })).toBe('The mesh merged. Nothing was lost.')
  })

  it('summarises an upstream passage end to end', async () => {
    const r = await handler({ id: 't', text: 'Then summarise it in two sentences', input: { s1: ARTICLE.join(' ') } }, ctx())
    expect(splitSentences(r.text)).toHaveLength(2)
    for (const i of OFF_TOPIC) expect(r.text).not.toContain(ARTICLE[i])
  })
})
