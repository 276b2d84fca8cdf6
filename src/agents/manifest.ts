/**
 * The agent manifest: what an agent is, which skills it offers the mesh, which tools it may use and
 * how far it may go (time, concurrency, sub-agents). Shaped like an A2A Agent Card's `skills` so a
 * manifest reads the same as the cards other agent ecosystems publish; see docs/agents.md.
 *
 * {@link parseManifest} is the only way in: it takes an object or JSON text, checks every field by
 * hand, fills the defaults for `tools` and `limits`, and returns a fresh, normalised manifest (no
 * extra fields, fixed key order). A bad manifest throws a {@link ManifestError} naming the field
 * with a path such as `skills[1].examples[3]` or `limits.timeoutMs`; the manifest as a whole (not an
 * object, not JSON) is `manifest`.
 */

/**
 * Version of the manifest shape. Every manifest states it, so a future incompatible shape is refused
 * with a clear error instead of being half-understood.
 */
export const MANIFEST_VERSION = 1

/**
 * The capabilities a manifest may ask for. The set is closed: a runtime grants exactly these and
 * nothing else, and an unknown name is a mistake, not a forward-compatible extension.
 *
 * - `graph.read`: read the room's knowledge graph (entities, edges, threads).
 * - `graph.write`: add, update, relate, verify, dispute and retract graph entities, as this agent.
 * - `net.fetch`: make HTTP(S) requests outside the mesh.
 * - `llm`: call the node's configured language model.
 * - `spawn`: start sub-agents, within `limits.maxSubAgents` and `limits.maxDepth`.
 * - `mesh.read`: see the mesh as the host tab does: its tabs, the room's agents and skills, the tasks it knows.
 */
export const TOOL_NAMES = ['graph.read', 'graph.write', 'net.fetch', 'llm', 'spawn', 'mesh.read'] as const
export type ToolName = typeof TOOL_NAMES[number]

/** How well an agent claims to do a skill; matching may weigh bids by it. Not part of A2A. */
export const SKILL_LEVELS = ['novice', 'competent', 'expert'] as const
export type SkillLevel = typeof SKILL_LEVELS[number]

/** Agent and skill ids: lower-case, start with a letter, then letters, digits and `. _ -`; 1-64 characters. */
export const MANIFEST_ID_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/

/** Skill tags: lower-case, 1-40 characters (the same shape as knowledge-graph tags). */
export const SKILL_TAG_PATTERN = /^[a-z0-9][a-z0-9_:.-]{0,39}$/

/** Semantic Versioning 2.0.0, the regular expression suggested at semver.org (no leading `v`). */
export const SEMVER_PATTERN =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/

export const MANIFEST_LIMITS = {
  idLength: 64,
  nameLength: 80,
  descriptionLength: 2000,
  authorLength: 200,
  versionLength: 64,
  minSkills: 1,
  maxSkills: 64,
  tags: 32,
  tagLength: 40,
  examples: 50,
  exampleLength: 500
} as const

/** Inclusive bounds of each `limits` field, and the value used when the field is absent. */
export const LIMIT_BOUNDS = {
  timeoutMs: { min: 100, max: 600_000, default: 30_000 },
  maxConcurrentTasks: { min: 1, max: 64, default: 1 },
  maxSubAgents: { min: 0, max: 16, default: 0 },
  maxDepth: { min: 0, max: 4, default: 0 }
} as const

/**
 * Bounds of the optional `limits.memoryMb`: the memory limit of a custom agent's QuickJS sandbox,
 * MiB. Absent, the sandbox uses its own default (64 MiB); it is not filled in, so manifests that do
 * not state it read exactly as before (and tabs that do not know the field still accept them).
 */
export const MEMORY_LIMIT_BOUNDS = { min: 16, max: 1024 } as const

/** One thing the agent can do; A2A's `AgentSkill` plus `level`. */
export interface Skill {
  /** Unique within the manifest. */
  id: string
  name: string
  /** What the skill does, in prose: the main text matched against tasks. */
  description: string
  /** Keywords for filtering and display; not embedded. */
  tags: string[]
  /** Sample tasks the skill handles, phrased as a requester would (A2A: "example prompts"). */
  examples: string[]
  level: SkillLevel
}

export interface AgentLimits {
  /** Wall-clock budget of one task, in milliseconds. */
  timeoutMs: number
  /** Tasks the agent runs at once; further awards wait or are declined. */
  maxConcurrentTasks: number
  /** Sub-agents the agent may have alive at once. Non-zero only with the `spawn` tool. */
  maxSubAgents: number
  /** Levels of sub-agents below this agent (its children are level 1). Zero exactly when `maxSubAgents` is. */
  maxDepth: number
  /** Custom agents: the memory limit of the agent's QuickJS sandbox, MiB (see {@link MEMORY_LIMIT_BOUNDS}); absent means the sandbox's default. */
  memoryMb?: number
}

export interface AgentManifest {
  manifestVersion: typeof MANIFEST_VERSION
  id: string
  name: string
  description: string
  /** The agent's own version, semver. */
  version: string
  /** Free text (a person, team or organisation). A2A's `provider` object is not used. */
  author?: string
  skills: Skill[]
  /** Unique; defaults to none. */
  tools: ToolName[]
  limits: AgentLimits
}

export interface JsonPosition {
  /** 0-based offset in UTF-16 code units, as JavaScript strings count. */
  offset: number
  /** 1-based. */
  line: number
  /** 1-based. */
  column: number
}

export class ManifestError extends Error {
  /** Path of the offending field, e.g. `skills[1].examples[3]`; `manifest` for the whole manifest. */
  readonly field: string
  readonly reason: string
  /** Where JSON text stopped being valid JSON; only set for syntax errors. */
  readonly position?: JsonPosition

  constructor (field: string, reason: string, position?: JsonPosition) {
    super(`${field}: ${reason}`)
    this.name = 'ManifestError'
    this.field = field
    this.reason = reason
    if (position !== undefined) this.position = position
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

const ROOT = 'manifest'
const MANIFEST_KEYS = ['manifestVersion', 'id', 'name', 'description', 'version', 'author', 'skills', 'tools', 'limits'] as const
const SKILL_KEYS = ['id', 'name', 'description', 'tags', 'examples', 'level'] as const
const LIMIT_KEYS = ['timeoutMs', 'maxConcurrentTasks', 'maxSubAgents', 'maxDepth'] as const
const OPTIONAL_LIMIT_KEYS = ['memoryMb'] as const

/**
 * Validates a manifest given as an object or as JSON text (a string is always read as JSON, so a
 * manifest cannot be a bare string). Returns a fresh manifest with `tools` defaulting to `[]`,
 * each absent `limits` field to its {@link LIMIT_BOUNDS} default and absent skill `examples` to
 * `[]`. Throws {@link ManifestError} at the first problem: unknown fields first, then the fields
 * in schema order.
 */
export function parseManifest (input: unknown): AgentManifest {
  const value = typeof input === 'string' ? parseJson(input) : input
  const r = requireRecord(value, ROOT)
  onlyKeys(r, MANIFEST_KEYS, '')

  if (r.manifestVersion !== MANIFEST_VERSION) {
    fail('manifestVersion', r.manifestVersion === undefined
      ? `is required and must be ${MANIFEST_VERSION}`
      : `must be ${MANIFEST_VERSION}, got ${show(r.manifestVersion)}`)
  }
  const manifestId = id(r.id, 'id')
  const name = text(r.name, 'name', MANIFEST_LIMITS.nameLength)
  const description = text(r.description, 'description', MANIFEST_LIMITS.descriptionLength)
  const version = semver(r.version, 'version')
  const author = r.author === undefined ? undefined : text(r.author, 'author', MANIFEST_LIMITS.authorLength)
  const manifest: AgentManifest = {
    manifestVersion: MANIFEST_VERSION,
    id: manifestId,
    name,
    description,
    version,
    // Keys in schema order, so that serialising a parsed manifest is stable.
    ...(author === undefined ? {} : { author }),
    skills: skills(r.skills, 'skills'),
    tools: r.tools === undefined ? [] : tools(r.tools, 'tools'),
    limits: r.limits === undefined ? defaultLimits() : limits(r.limits, 'limits')
  }
  checkSpawn(manifest)
  return manifest
}

/** The `limits` a manifest gets when it states none. */
export function defaultLimits (): AgentLimits {
  return {
    timeoutMs: LIMIT_BOUNDS.timeoutMs.default,
    maxConcurrentTasks: LIMIT_BOUNDS.maxConcurrentTasks.default,
    maxSubAgents: LIMIT_BOUNDS.maxSubAgents.default,
    maxDepth: LIMIT_BOUNDS.maxDepth.default
  }
}

/**
 * The text a capability index embeds for a skill: its name, description and examples, one per
 * line, in that order. The name leads because it is the shortest statement of the skill; the
 * examples follow because they are phrased the way tasks arrive. Tags and level are left out:
 * tags are labels for filtering, not prose, and level says how well, not what.
 */
export function skillText (skill: Pick<Skill, 'name' | 'description' | 'examples'>): string {
  return [skill.name, skill.description, ...skill.examples].join('\n')
}

function skills (value: unknown, field: string): Skill[] {
  const list = array(value, field)
  if (list.length < MANIFEST_LIMITS.minSkills) fail(field, 'must list at least one skill')
  if (list.length > MANIFEST_LIMITS.maxSkills) fail(field, `must have at most ${MANIFEST_LIMITS.maxSkills} skills, got ${list.length}`)
  const seen = new Map<string, number>()
  return list.map((item, i) => {
    const skill = parseSkill(item, `${field}[${i}]`)
    const first = seen.get(skill.id)
    if (first !== undefined) fail(`${field}[${i}].id`, `duplicate skill id ${JSON.stringify(skill.id)} (also ${field}[${first}].id)`)
    seen.set(skill.id, i)
    return skill
  })
}

function parseSkill (value: unknown, field: string): Skill {
  const r = requireRecord(value, field)
  onlyKeys(r, SKILL_KEYS, field)
  return {
    id: id(r.id, `${field}.id`),
    name: text(r.name, `${field}.name`, MANIFEST_LIMITS.nameLength),
    description: text(r.description, `${field}.description`, MANIFEST_LIMITS.descriptionLength),
    tags: tags(r.tags, `${field}.tags`),
    examples: r.examples === undefined ? [] : examples(r.examples, `${field}.examples`),
    level: oneOf(r.level, SKILL_LEVELS, `${field}.level`)
  }
}

function tags (value: unknown, field: string): string[] {
  const list = array(value, field)
  if (list.length > MANIFEST_LIMITS.tags) fail(field, `must have at most ${MANIFEST_LIMITS.tags} tags, got ${list.length}`)
  const seen = new Set<string>()
  return list.map((item, i) => {
    const tag = str(item, `${field}[${i}]`, MANIFEST_LIMITS.tagLength)
    if (!SKILL_TAG_PATTERN.test(tag)) fail(`${field}[${i}]`, `must match ${SKILL_TAG_PATTERN.source}, got ${JSON.stringify(tag)}`)
    if (seen.has(tag)) fail(`${field}[${i}]`, `duplicate tag ${JSON.stringify(tag)}`)
    seen.add(tag)
    return tag
  })
}

function examples (value: unknown, field: string): string[] {
  const list = array(value, field)
  if (list.length > MANIFEST_LIMITS.examples) fail(field, `must have at most ${MANIFEST_LIMITS.examples} examples, got ${list.length}`)
  return list.map((item, i) => text(item, `${field}[${i}]`, MANIFEST_LIMITS.exampleLength))
}

function tools (value: unknown, field: string): ToolName[] {
  const list = array(value, field)
  const seen = new Set<ToolName>()
  return list.map((item, i) => {
    const tool = oneOf(item, TOOL_NAMES, `${field}[${i}]`)
    if (seen.has(tool)) fail(`${field}[${i}]`, `duplicate tool ${JSON.stringify(tool)}`)
    seen.add(tool)
    return tool
  })
}

function limits (value: unknown, field: string): AgentLimits {
  const r = requireRecord(value, field)
  onlyKeys(r, [...LIMIT_KEYS, ...OPTIONAL_LIMIT_KEYS], field)
  const out = defaultLimits()
  for (const key of LIMIT_KEYS) {
    if (r[key] !== undefined) out[key] = integer(r[key], `${field}.${key}`, LIMIT_BOUNDS[key].min, LIMIT_BOUNDS[key].max)
  }
  if (r.memoryMb !== undefined) out.memoryMb = integer(r.memoryMb, `${field}.memoryMb`, MEMORY_LIMIT_BOUNDS.min, MEMORY_LIMIT_BOUNDS.max)
  return out
}

/**
 * Sub-agent settings must agree with each other and with the `spawn` tool, so a manifest cannot
 * ask for sub-agents it could never start (or a tool it could never use). Reported on the limit,
 * since that is the number a reader would change.
 */
function checkSpawn (m: AgentManifest): void {
  const spawn = m.tools.includes('spawn')
  const { maxSubAgents, maxDepth } = m.limits
  if (spawn && maxSubAgents === 0) fail('limits.maxSubAgents', 'must be at least 1 when tools include "spawn" (default 0)')
  if (!spawn && maxSubAgents > 0) fail('limits.maxSubAgents', `must be 0 unless tools include "spawn", got ${maxSubAgents}`)
  if (maxSubAgents > 0 && maxDepth === 0) fail('limits.maxDepth', 'must be at least 1 when maxSubAgents is above 0 (default 0)')
  if (maxSubAgents === 0 && maxDepth > 0) fail('limits.maxDepth', `must be 0 when maxSubAgents is 0, got ${maxDepth}`)
}

// ---------------------------------------------------------------------------------------------
// Primitive checks

type Rec = Record<string, unknown>

function fail (field: string, reason: string): never {
  throw new ManifestError(field, reason)
}

function isRecord (value: unknown): value is Rec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function describe (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}

/** A value as it would appear in the manifest: strings and numbers literally, others by type. */
function show (value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') return String(value)
  return describe(value)
}

function requireRecord (value: unknown, field: string): Rec {
  if (!isRecord(value)) fail(field, `must be an object, got ${describe(value)}`)
  return value
}

function onlyKeys (record: Rec, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) fail(field === '' ? key : `${field}.${key}`, 'unknown field')
  }
}

function array (value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) fail(field, value === undefined ? 'is required' : `must be an array, got ${describe(value)}`)
  return value
}

function str (value: unknown, field: string, max: number): string {
  if (value === undefined) fail(field, 'is required')
  if (typeof value !== 'string') fail(field, `must be a string, got ${describe(value)}`)
  if (value.length === 0) fail(field, 'must not be empty')
  if (value.length > max) fail(field, `must have at most ${max} characters, got ${value.length}`)
  return value
}

/** Human-readable text: like {@link str}, but whitespace alone does not count as content. */
function text (value: unknown, field: string, max: number): string {
  const s = str(value, field, max)
  if (s.trim() === '') fail(field, 'must not be blank')
  return s
}

function id (value: unknown, field: string): string {
  const s = str(value, field, MANIFEST_LIMITS.idLength)
  if (!MANIFEST_ID_PATTERN.test(s)) fail(field, `must match ${MANIFEST_ID_PATTERN.source}, got ${JSON.stringify(s)}`)
  return s
}

function semver (value: unknown, field: string): string {
  const s = str(value, field, MANIFEST_LIMITS.versionLength)
  if (!SEMVER_PATTERN.test(s)) fail(field, `must be a semantic version such as "1.2.0", got ${JSON.stringify(s)}`)
  return s
}

function integer (value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(field, `must be an integer, got ${show(value)}`)
  if (value < min || value > max) fail(field, `must be between ${min} and ${max}, got ${value}`)
  return value
}

function oneOf<T extends string> (value: unknown, allowed: readonly T[], field: string): T {
  if (value === undefined) fail(field, `is required: one of ${allowed.join(', ')}`)
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(field, `must be one of ${allowed.join(', ')}, got ${show(value)}`)
  }
  return value as T
}

// ---------------------------------------------------------------------------------------------
// JSON text

/**
 * `JSON.parse`, with syntax errors reported by line and column. V8's own messages name the
 * position only for some errors, so on failure the text is scanned again to find where it breaks.
 */
function parseJson (source: string): unknown {
  try {
    return JSON.parse(source)
  } catch (err) {
    const found = findJsonSyntaxError(source)
    if (found === undefined) fail(ROOT, `is not valid JSON: ${err instanceof Error ? err.message : String(err)}`)
    const position = positionOf(source, found.offset)
    throw new ManifestError(ROOT, `is not valid JSON: ${found.problem} at line ${position.line}, column ${position.column}`, position)
  }
}

function positionOf (source: string, offset: number): JsonPosition {
  const before = source.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - (before.lastIndexOf('\n') + 1) + 1
  return { offset, line, column }
}

class JsonSyntax {
  constructor (readonly offset: number, readonly problem: string) {}
}

/** Deeper than any manifest needs; keeps the scanner's recursion far from the stack limit. */
const MAX_JSON_DEPTH = 256

/** The offset of the first JSON syntax error in `source` and what is wrong there, or undefined if it is valid JSON. */
function findJsonSyntaxError (source: string): { offset: number, problem: string } | undefined {
  let i = 0
  const stop = (problem: string): never => { throw new JsonSyntax(i, problem) }
  const found = (): string => i >= source.length ? 'the end of the text' : JSON.stringify(source.charAt(i))
  const skipSpace = (): void => {
    while (i < source.length && ' \t\n\r'.includes(source.charAt(i))) i++
  }
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

  const string = (): void => {
    i++ // opening quote
    while (i < source.length) {
      const c = source.charCodeAt(i)
      if (c === 0x22) { i++; return }
      if (c < 0x20) stop('unescaped control character in a string')
      if (c === 0x5c) {
        const e = source.charAt(i + 1)
        if (e !== '' && '"\\/bfnrt'.includes(e)) { i += 2; continue }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) { i += 6; continue }
        stop('invalid escape in a string')
      }
      i++
    }
    stop('unterminated string')
  }

  const value = (depth: number): void => {
    skipSpace()
    if (depth > MAX_JSON_DEPTH) stop(`nesting deeper than ${MAX_JSON_DEPTH} levels`)
    const c = source.charAt(i)
    if (c === '{') {
      i++
      skipSpace()
      if (source.charAt(i) === '}') { i++; return }
      for (;;) {
        skipSpace()
        if (source.charAt(i) !== '"') stop(`expected a property name in double quotes, found ${found()}`)
        string()
        skipSpace()
        if (source.charAt(i) !== ':') stop(`expected ':' after a property name, found ${found()}`)
        i++
        value(depth + 1)
        skipSpace()
        if (source.charAt(i) === ',') { i++; continue }
        if (source.charAt(i) === '}') { i++; return }
        stop(`expected ',' or '}' after a property value, found ${found()}`)
      }
    }
    if (c === '[') {
      i++
      skipSpace()
      if (source.charAt(i) === ']') { i++; return }
      for (;;) {
        value(depth + 1)
        skipSpace()
        if (source.charAt(i) === ',') { i++; continue }
        if (source.charAt(i) === ']') { i++; return }
        stop(`expected ',' or ']' after an array element, found ${found()}`)
      }
    }
    if (c === '"') { string(); return }
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i
      const m = NUMBER.exec(source)
      if (m === null) stop('invalid number')
      i = NUMBER.lastIndex
      return
    }
    for (const word of ['true', 'false', 'null']) {
      if (source.startsWith(word, i)) { i += word.length; return }
    }
    stop(`expected a value, found ${found()}`)
  }

  try {
    value(0)
    skipSpace()
    if (i < source.length) stop(`unexpected ${found()} after the end of the JSON value`)
    return undefined
  } catch (err) {
    if (err instanceof JsonSyntax) return { offset: err.offset, problem: err.problem }
    throw err
  }
}
