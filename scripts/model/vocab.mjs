// Vocabulary selection for the GloVe-derived WordPiece tokenizer.
// Every kept word must survive the tokenizer's own normalization and pre-tokenization unchanged,
// otherwise it could never be produced at run time and would only waste a row.

/** Same character class as the BERT pre-tokenizer in @huggingface/tokenizers: Unicode P* plus ASCII symbols. */
const PUNCT = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E'
const SINGLE_WORD = new RegExp(`^(?:[^\\s${PUNCT}]+|[${PUNCT}])$`, 'u')

/** Special tokens, in id order. [PAD] must be id 0: the graph maps masked positions to row 0. */
export const SPECIAL_TOKENS = Object.freeze(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'])

/**
 * Continuation pieces for WordPiece: an out-of-vocabulary word like "jsonify" still becomes
 * "json" + "##ify" and keeps its stem's meaning. They carry zero vectors: the stem does the work.
 */
export const SUFFIX_PIECES = Object.freeze([
  's', 'es', 'ed', 'd', 'ing', 'er', 'ers', 'or', 'ors', 'ly', 'ion', 'ions', 'ation', 'ations', 'ment', 'ments',
  'ness', 'able', 'ible', 'ability', 'ity', 'ful', 'less', 'ist', 'ists', 'ism', 'al', 'ic', 'ical', 'y', 'ify',
  'ified', 'ifies', 'ies', 'ize', 'izes', 'ized', 'izing', 'ization', 'ise', 'ises', 'ised', 'ising', 'isation',
  'ive', 'ous', 'en', 'ings', 'ish', 'ware', 'bot', 'bots', 'js', 'db', 'api', 'apis', 'app', 'apps', 'ql',
])

/**
 * Words past the frequency cut that an agent mesh is likely to talk about. Added when GloVe has them.
 * Kept short on purpose: the long tail is what the size limit is for.
 */
export const DOMAIN_WORDS = Object.freeze([
  'json', 'yaml', 'toml', 'typescript', 'cron', 'crontab', 'markdown', 'summarise', 'summarization',
  'summarisation', 'summarizer', 'summarizing', 'resize', 'resizing', 'tokenizer', 'tokenization', 'transcribe',
  'transcription', 'webhook', 'webhooks', 'regexp', 'dataset', 'datasets', 'dataframe', 'chatbot', 'chatbots',
  'geocoding', 'geocode', 'ocr', 'pdfs', 'csvs', 'xml', 'html', 'css', 'svg', 'png', 'jpeg', 'mp3', 'mp4',
  'websocket', 'websockets', 'nodejs', 'npm', 'git', 'github', 'docker', 'kubernetes', 'postgres', 'postgresql',
  'mysql', 'sqlite', 'mongodb', 'redis', 'graphql', 'oauth', 'jwt', 'sha256', 'md5', 'base64', 'utf-8',
  'unittest', 'debugging', 'debugger', 'refactor', 'refactoring', 'linter', 'compiler', 'transpile', 'deduplicate',
  'deduplication', 'anonymize', 'anonymization', 'lemmatize', 'paraphrase', 'paraphrasing', 'proofread',
  'proofreading', 'spellcheck', 'captioning', 'upscale', 'upscaling', 'denoise', 'denoising', 'wikipedia',
])

/**
 * English function words. GloVe's order comes from news and Wikipedia, where "you", "me", "how" are far
 * rarer than in requests people type to agents, so Zipf-estimated SIF weights leave them too heavy and
 * every chatty sentence drifts toward every other. Their rows are scaled down further at build time.
 */
export const STOP_WORDS = Object.freeze(
  (
    'a about above after again against all am an and any are as at be because been before being below between ' +
    'both but by can could did do does doing done down during each either else ever every few for from further ' +
    'get gets getting give given gives go goes going got had has have having he her here hers herself him ' +
    'himself his how i if in into is it its itself just let lets like may me might mine more most much must my ' +
    'myself need needs no nor not now of off on once one only or other ought our ours ourselves out over own ' +
    'please put same shall she should so some such than that the their theirs them themselves then there these ' +
    'they thing things this those through to too under until up upon us very want wants was we were what ' +
    'whatever when where whether which while who whom whose why will with within without would yes yet you ' +
    'your yours yourself yourselves'
  ).split(' '),
)

/**
 * Mirrors BertNormalizer with lowercase + strip_accents (NFD, drop Mn).
 * @param {string} word
 */
export function normalizeWord(word) {
  return word.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '')
}

/** @param {string} word true when the BERT pre-tokenizer would keep `word` as one piece. */
export function isSingleWord(word) {
  return word.length > 0 && word.length <= 100 && SINGLE_WORD.test(word)
}

/**
 * Picks the vocabulary. Returns the source rank (0 = most frequent) of every kept word, in order:
 * the `size` most frequent usable words, then the domain words found further down the list.
 * @param {string[]} words GloVe words by descending frequency
 * @param {number} size
 * @returns {{ token: string, rank: number }[]}
 */
export function selectVocabulary(words, size) {
  /** @type {{ token: string, rank: number }[]} */
  const kept = []
  const seen = new Set(SPECIAL_TOKENS)
  for (const s of SUFFIX_PIECES) seen.add(`##${s}`)
  const rankOf = new Map()
  for (let rank = 0; rank < words.length; rank++) {
    const w = /** @type {string} */ (words[rank])
    const token = normalizeWord(w)
    if (!rankOf.has(token)) rankOf.set(token, rank)
    if (kept.length >= size || seen.has(token) || !isSingleWord(token)) continue
    seen.add(token)
    kept.push({ token, rank })
  }
  for (const w of DOMAIN_WORDS) {
    const token = normalizeWord(w)
    const rank = rankOf.get(token)
    if (rank === undefined || seen.has(token) || !isSingleWord(token)) continue
    seen.add(token)
    kept.push({ token, rank })
  }
  return kept
}
