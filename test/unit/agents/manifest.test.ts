import { describe, expect, it } from 'vitest'
import {
  LIMIT_BOUNDS,
  MANIFEST_LIMITS,
  MANIFEST_VERSION,
  ManifestError,
  TOOL_NAMES,
  defaultLimits,
  parseManifest,
  skillText,
  type AgentManifest
} from '../../../src/agents/manifest.ts'

type Loose = Record<string, unknown>

/** A minimal valid manifest, as a plain object the tests may break. */
function good (): Loose {
  return {
    manifestVersion: 1,
    id: 'researcher',
    name: 'Researcher',
    description: 'Finds and summarises sources on a question.',
    version: '1.2.0',
    skills: [
      {
        id: 'web.search',
        name: 'Web search',
        description: 'Searches the web and returns the most relevant pages.',
        tags: ['search', 'web'],
        examples: ['Find recent papers on CRDTs', 'Who maintains libp2p?'],
        level: 'expert'
      },
      {
        id: 'summarise',
        name: 'Summarise',
        description: 'Writes a short summary of a document.',
        tags: [],
        examples: [],
        level: 'competent'
      }
    ]
  }
}

function skill (m: Loose, i: number): Loose {
  return (m.skills as Loose[])[i] as Loose
}

/** Asserts that parsing `value` fails on exactly `field`, with a reason matching `reason`. */
function expectInvalid (value: unknown, field: string, reason?: RegExp): ManifestError {
  let error: unknown
  try {
    parseManifest(value)
  } catch (err) {
    error = err
  }
  expect(error, `expected ${field} to be rejected`).toBeInstanceOf(ManifestError)
  const e = error as ManifestError
  expect(e.field).toBe(field)
  if (reason !== undefined) expect(e.reason).toMatch(reason)
  expect(e.message).toBe(`${field}: ${e.reason}`)
  return e
}

const m = good
const withSkill = (i: number, patch: Loose): Loose => {
  const x = good()
  Object.assign(skill(x, i), patch)
  return x
}
const without = (key: string): Loose => { const x = good(); delete x[key]; return x }
const manySkills = (n: number): Loose[] => Array.from({ length: n }, (_, i) => ({ ...skill(good(), 1), id: `s${i}` }))
const range = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i))

/** [what is wrong, the manifest, the field the error must name, what the reason must say] */
const BAD: Array<[string, () => unknown, string, RegExp]> = [
  // The manifest as a whole
  ['null', () => null, 'manifest', /must be an object, got null/],
  ['an array', () => [good()], 'manifest', /must be an object, got an array/],
  ['a number', () => 42, 'manifest', /must be an object, got number/],
  ['JSON text of a string', () => '"just a string"', 'manifest', /must be an object, got string/],
  ['an unknown top-level field', () => ({ ...m(), colour: 'red' }), 'colour', /unknown field/],
  ['a missing manifestVersion', () => without('manifestVersion'), 'manifestVersion', /required/],
  ['a future manifestVersion', () => ({ ...m(), manifestVersion: 2 }), 'manifestVersion', /must be 1, got 2/],
  // Identity
  ['a missing id', () => without('id'), 'id', /is required/],
  ['an empty id', () => ({ ...m(), id: '' }), 'id', /empty/],
  ['an id with upper case and a space', () => ({ ...m(), id: 'Research Bot' }), 'id', /must match/],
  ['an id starting with a digit', () => ({ ...m(), id: '1st' }), 'id', /must match/],
  ['an id of 65 characters', () => ({ ...m(), id: 'a'.repeat(65) }), 'id', /at most 64/],
  ['a name of 81 characters', () => ({ ...m(), name: 'n'.repeat(81) }), 'name', /at most 80 characters, got 81/],
  ['a blank name', () => ({ ...m(), name: '   ' }), 'name', /blank/],
  ['a description of 2001 characters', () => ({ ...m(), description: 'd'.repeat(2001) }), 'description', /at most 2000/],
  ['a numeric description', () => ({ ...m(), description: 7 }), 'description', /must be a string, got number/],
  ['a version with a v prefix', () => ({ ...m(), version: 'v1.0.0' }), 'version', /semantic version/],
  ['a two-part version', () => ({ ...m(), version: '1.2' }), 'version', /semantic version/],
  ['a version with a leading zero', () => ({ ...m(), version: '01.2.3' }), 'version', /semantic version/],
  ['a numeric version', () => ({ ...m(), version: 1 }), 'version', /must be a string, got number/],
  ['an empty author', () => ({ ...m(), author: '' }), 'author', /empty/],
  // Skills
  ['missing skills', () => without('skills'), 'skills', /is required/],
  ['empty skills', () => ({ ...m(), skills: [] }), 'skills', /at least one skill/],
  ['skills as an object', () => ({ ...m(), skills: {} }), 'skills', /must be an array/],
  ['65 skills', () => ({ ...m(), skills: manySkills(65) }), 'skills', /at most 64 skills, got 65/],
  ['a skill that is a string', () => ({ ...m(), skills: [skill(m(), 0), 'search'] }), 'skills[1]', /must be an object, got string/],
  ['duplicate skill ids', () => withSkill(1, { id: 'web.search' }), 'skills[1].id', /duplicate skill id "web.search" \(also skills\[0\]\.id\)/],
  ['a skill id with bad characters', () => withSkill(0, { id: 'Web_Search' }), 'skills[0].id', /must match/],
  ['an unknown skill field', () => withSkill(1, { priority: 3 }), 'skills[1].priority', /unknown field/],
  ['A2A inputModes (not part of the manifest)', () => withSkill(0, { inputModes: ['text/plain'] }), 'skills[0].inputModes', /unknown field/],
  ['a missing skill description', () => withSkill(0, { description: undefined }), 'skills[0].description', /is required/],
  ['missing skill tags', () => withSkill(0, { tags: undefined }), 'skills[0].tags', /is required/],
  ['a tag with a space', () => withSkill(0, { tags: ['ok', 'Not OK'] }), 'skills[0].tags[1]', /must match/],
  ['a duplicate tag', () => withSkill(0, { tags: ['a', 'a'] }), 'skills[0].tags[1]', /duplicate tag/],
  ['33 tags', () => withSkill(0, { tags: range(33, i => `t${i}`) }), 'skills[0].tags', /at most 32 tags/],
  ['an example of 501 characters', () => withSkill(1, { examples: ['a', 'b', 'c', 'x'.repeat(501)] }), 'skills[1].examples[3]', /at most 500 characters, got 501/],
  ['an empty example', () => withSkill(1, { examples: ['a', ''] }), 'skills[1].examples[1]', /empty/],
  ['51 examples', () => withSkill(1, { examples: range(51, () => 'x') }), 'skills[1].examples', /at most 50 examples/],
  ['an unknown level', () => withSkill(0, { level: 'master' }), 'skills[0].level', /one of novice, competent, expert, got "master"/],
  ['a missing level', () => withSkill(0, { level: undefined }), 'skills[0].level', /required/],
  // Tools
  ['tools as a string', () => ({ ...m(), tools: 'llm' }), 'tools', /must be an array, got string/],
  ['an unknown tool', () => ({ ...m(), tools: ['graph.read', 'shell'] }), 'tools[1]', /must be one of graph\.read, .*got "shell"/],
  ['a duplicate tool', () => ({ ...m(), tools: ['llm', 'llm'] }), 'tools[1]', /duplicate tool/],
  // Limits
  ['limits as an array', () => ({ ...m(), limits: [] }), 'limits', /must be an object/],
  ['an unknown limit', () => ({ ...m(), limits: { timeout: 1000 } }), 'limits.timeout', /unknown field/],
  ['timeoutMs below 100', () => ({ ...m(), limits: { timeoutMs: 99 } }), 'limits.timeoutMs', /between 100 and 600000, got 99/],
  ['timeoutMs above 600000', () => ({ ...m(), limits: { timeoutMs: 600_001 } }), 'limits.timeoutMs', /between 100 and 600000/],
  ['timeoutMs as a string', () => ({ ...m(), limits: { timeoutMs: '30s' } }), 'limits.timeoutMs', /integer, got "30s"/],
  ['maxConcurrentTasks of 0', () => ({ ...m(), limits: { maxConcurrentTasks: 0 } }), 'limits.maxConcurrentTasks', /between 1 and 64/],
  ['fractional maxConcurrentTasks', () => ({ ...m(), limits: { maxConcurrentTasks: 1.5 } }), 'limits.maxConcurrentTasks', /integer/],
  ['maxSubAgents of 17', () => ({ ...m(), tools: ['spawn'], limits: { maxSubAgents: 17, maxDepth: 1 } }), 'limits.maxSubAgents', /between 0 and 16/],
  ['maxDepth of 5', () => ({ ...m(), tools: ['spawn'], limits: { maxSubAgents: 1, maxDepth: 5 } }), 'limits.maxDepth', /between 0 and 4/],
  // Sub-agent settings agree with each other and with the spawn tool
  ['sub-agents without the spawn tool', () => ({ ...m(), limits: { maxSubAgents: 2, maxDepth: 1 } }), 'limits.maxSubAgents', /0 unless tools include "spawn"/],
  ['the spawn tool without sub-agents', () => ({ ...m(), tools: ['spawn'] }), 'limits.maxSubAgents', /at least 1 when tools include "spawn"/],
  ['sub-agents with maxDepth 0', () => ({ ...m(), tools: ['spawn'], limits: { maxSubAgents: 2 } }), 'limits.maxDepth', /at least 1 when maxSubAgents/],
  ['maxDepth without sub-agents', () => ({ ...m(), limits: { maxDepth: 2 } }), 'limits.maxDepth', /must be 0 when maxSubAgents is 0/],
  // The optional memory limit of a custom agent's sandbox
  ['memoryMb below 16', () => ({ ...m(), limits: { memoryMb: 8 } }), 'limits.memoryMb', /between 16 and 1024, got 8/],
  ['memoryMb above 1024', () => ({ ...m(), limits: { memoryMb: 2048 } }), 'limits.memoryMb', /between 16 and 1024/],
  ['fractional memoryMb', () => ({ ...m(), limits: { memoryMb: 64.5 } }), 'limits.memoryMb', /integer/]
]

describe('parseManifest', () => {
  it('accepts a valid manifest and fills the defaults', () => {
    const m = parseManifest(good())
    expect(m).toEqual({ ...good(), tools: [], limits: { timeoutMs: 30_000, maxConcurrentTasks: 1, maxSubAgents: 0, maxDepth: 0 } })
    expect(m.manifestVersion).toBe(MANIFEST_VERSION)
    expect(defaultLimits()).toEqual(m.limits)
  })

  it('takes an optional limits.memoryMb, and does not fill it in when absent', () => {
    const m = parseManifest({ ...good(), limits: { memoryMb: 128 } })
    expect(m.limits).toEqual({ timeoutMs: 30_000, maxConcurrentTasks: 1, maxSubAgents: 0, maxDepth: 0, memoryMb: 128 })
    expect('memoryMb' in parseManifest(good()).limits).toBe(false)
    expect(parseManifest(JSON.stringify(m))).toEqual(m)
  })

  it('round-trips: a parsed manifest, serialised and parsed again, is unchanged', () => {
    const full: Loose = {
      ...good(),
      author: 'Meshwork team',
      tools: ['graph.read', 'graph.write', 'llm', 'spawn'],
      limits: { timeoutMs: 120_000, maxConcurrentTasks: 4, maxSubAgents: 3, maxDepth: 2 }
    }
    const once = parseManifest(full)
    expect(once).toEqual(full)
    const text = JSON.stringify(once, null, 2)
    const twice = parseManifest(text)
    expect(twice).toEqual(once)
    expect(JSON.stringify(twice, null, 2)).toBe(text)
    expect(Object.keys(once)).toEqual(['manifestVersion', 'id', 'name', 'description', 'version', 'author', 'skills', 'tools', 'limits'])
  })

  it('fills individual limits that are absent and defaults missing skill examples', () => {
    const m = parseManifest({ ...good(), limits: { timeoutMs: 100 } })
    expect(m.limits).toEqual({ timeoutMs: 100, maxConcurrentTasks: 1, maxSubAgents: 0, maxDepth: 0 })
    const noExamples = good()
    delete skill(noExamples, 1).examples
    expect(parseManifest(noExamples).skills[1]?.examples).toEqual([])
  })

  it('returns a fresh value that does not share arrays with the input', () => {
    const input = good()
    const m = parseManifest(input)
    m.skills[0]?.tags.push('mutated')
    expect(skill(input, 0).tags).toEqual(['search', 'web'])
  })

  it('accepts the bounds themselves', () => {
    const m = good()
    skill(m, 0).id = 'a'.repeat(64)
    skill(m, 0).name = 'n'.repeat(MANIFEST_LIMITS.nameLength)
    skill(m, 0).examples = Array.from({ length: MANIFEST_LIMITS.examples }, () => 'e'.repeat(MANIFEST_LIMITS.exampleLength))
    skill(m, 0).tags = Array.from({ length: MANIFEST_LIMITS.tags }, (_, i) => `t${i}`)
    m.skills = [...(m.skills as Loose[]), ...Array.from({ length: 62 }, (_, i) => ({ ...skill(m, 1), id: `s${i}` }))]
    m.limits = { timeoutMs: 600_000, maxConcurrentTasks: 64, maxSubAgents: 16, maxDepth: 4 }
    m.tools = [...TOOL_NAMES]
    m.version = '10.0.0-rc.1+build.5'
    expect(parseManifest(m).skills).toHaveLength(64)
  })

  it.each(BAD)('rejects %s', (_what, make, field, reason) => {
    expectInvalid(make(), field, reason)
  })

  it('reports the first problem in schema order', () => {
    expectInvalid({ ...good(), id: 'BAD', limits: { timeoutMs: 1 } }, 'id')
    expectInvalid({ ...good(), limits: { timeoutMs: 1 }, extra: true }, 'extra')
  })

  it('reads JSON text and reports syntax errors with their position', () => {
    expect(parseManifest(JSON.stringify(good()))).toEqual(parseManifest(good()))

    const broken = '{\n  "manifestVersion": 1,\n  "id": "x",\n  "name": "X",\n}'
    const e = expectInvalid(broken, 'manifest', /not valid JSON: expected a property name in double quotes, found "}" at line 5, column 1/)
    expect(e.position).toEqual({ offset: broken.length - 1, line: 5, column: 1 })

    expect(expectInvalid('{"id": tru}', 'manifest', /expected a value, found "t" at line 1, column 8/).position?.offset).toBe(7)
    expect(expectInvalid('{"id" "x"}', 'manifest', /expected ':'.*column 7/).position?.column).toBe(7)
    expect(expectInvalid('{"skills": [1, 2,]}', 'manifest', /expected a value, found "]" at line 1, column 18/).position?.offset).toBe(17)
    expectInvalid('{"id": "x"', 'manifest', /expected ',' or '}'.*found the end of the text at line 1, column 11/)
    expectInvalid('{"id": "x\n"}', 'manifest', /unescaped control character.*line 1, column 10/)
    expectInvalid('{"id": "\\q"}', 'manifest', /invalid escape.*column 9/)
    expectInvalid('', 'manifest', /expected a value, found the end of the text at line 1, column 1/)
    expectInvalid('{} {}', 'manifest', /unexpected "\{" after the end of the JSON value at line 1, column 4/)
    expectInvalid('{"a": 01}', 'manifest', /found "1" at line 1, column 8/)
    expectInvalid('{"a": "unterminated', 'manifest', /unterminated string/)
    expect(expectInvalid('[' + '['.repeat(300), 'manifest', /nesting deeper/).position).toBeDefined()
  })

  it('validates JSON text as strictly as objects', () => {
    const text = JSON.stringify({ ...good(), limits: { timeoutMs: 5 } })
    expectInvalid(text, 'limits.timeoutMs', /between 100 and 600000, got 5/)
    const proto = '{"manifestVersion": 1, "__proto__": {"id": "x"}}'
    expectInvalid(proto, '__proto__', /unknown field/)
  })

  it('has sensible defaults within their own bounds', () => {
    for (const b of Object.values(LIMIT_BOUNDS)) {
      expect(b.default).toBeGreaterThanOrEqual(b.min)
      expect(b.default).toBeLessThanOrEqual(b.max)
    }
  })
})

describe('skillText', () => {
  it('is the name, description and examples, one per line, without tags or level', () => {
    const m: AgentManifest = parseManifest(good())
    const first = m.skills[0]
    expect(first).toBeDefined()
    if (first === undefined) return
    expect(skillText(first)).toBe([
      'Web search',
      'Searches the web and returns the most relevant pages.',
      'Find recent papers on CRDTs',
      'Who maintains libp2p?'
    ].join('\n'))
    expect(skillText({ name: 'Summarise', description: 'Writes a short summary.', examples: [] })).toBe('Summarise\nWrites a short summary.')
  })
})
