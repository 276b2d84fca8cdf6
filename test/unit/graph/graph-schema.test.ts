import { describe, expect, it } from 'vitest'
import {
  GraphValidationError,
  LIMITS,
  SCHEMA_VERSION,
  deriveStatus,
  validateEdge,
  validateEntity,
  validateNewEntity,
  validatePatch,
  validateRelationType,
  type Entity
} from '../../../src/graph/schema.ts'
import { edgeId } from '../../../src/graph/layout.ts'

const T = 1_700_000_000_000

function goodEntity (): Entity {
  return {
    id: 'fact:abc',
    kind: 'fact',
    text: 'Water boils at 100 C at sea level',
    provenance: { agentId: 'agent-1', peerId: '12D3KooWX', createdAt: T, updatedAt: T },
    confidence: 0.8,
    status: 'proposed',
    verifiedBy: [],
    disputedBy: []
  }
}

/** Asserts that validating `value` fails on exactly `field`, with a reason matching `reason`. */
function expectInvalid (value: unknown, field: string, reason?: RegExp): void {
  let error: unknown
  try {
    validateEntity(value)
  } catch (err) {
    error = err
  }
  expect(error).toBeInstanceOf(GraphValidationError)
  const e = error as GraphValidationError
  expect(e.field).toBe(field)
  if (reason !== undefined) expect(e.reason).toMatch(reason)
  expect(e.message).toBe(`${field}: ${e.reason}`)
}

describe('schema', () => {
  it('has a version', () => {
    expect(SCHEMA_VERSION).toBe(1)
  })

  it('accepts a well-formed entity of every kind and returns a clean copy', () => {
    const fact = validateEntity({ ...goodEntity(), tags: ['physics'], data: { unit: 'C', n: [1, 2, { x: null }] } })
    expect(fact.data).toEqual({ unit: 'C', n: [1, 2, { x: null }] })
    const thread = validateEntity({ ...goodEntity(), id: 't1', kind: 'thread', title: 'Boiling', messages: [{ id: 'm1', agentId: 'a', peerId: 'p', text: 'hi', at: T }] })
    expect(thread.messages).toHaveLength(1)
    const solution = validateEntity({ ...goodEntity(), id: 's1', kind: 'solution', taskId: 'task-42' })
    expect(solution.taskId).toBe('task-42')
    for (const kind of ['hypothesis', 'conflict', 'question', 'decision', 'unknown'] as const) {
      expect(validateEntity({ ...goodEntity(), kind }).kind).toBe(kind)
    }
    const retracted = validateEntity({ ...goodEntity(), status: 'retracted', retraction: { peerId: 'p', at: T, reason: 'wrong' } })
    expect(retracted.retraction?.reason).toBe('wrong')
  })

  it('names the field that is wrong', () => {
    const e = goodEntity()
    expectInvalid(null, 'entity', /must be an object/)
    expectInvalid({ ...e, id: '' }, 'id', /empty/)
    expectInvalid({ ...e, id: 'has space' }, 'id', /must match/)
    expectInvalid({ ...e, id: 'x'.repeat(101) }, 'id', /at most 100/)
    expectInvalid({ ...e, kind: 'opinion' }, 'kind', /one of fact, hypothesis/)
    expectInvalid({ ...e, text: '' }, 'text', /empty/)
    expectInvalid({ ...e, text: 'x'.repeat(LIMITS.textLength + 1) }, 'text', /at most 8000/)
    expectInvalid({ ...e, text: 42 }, 'text', /must be a string, got number/)
    expectInvalid({ ...e, title: 'x'.repeat(201) }, 'title', /at most 200/)
    expectInvalid({ ...e, confidence: 1.5 }, 'confidence', /between 0 and 1/)
    expectInvalid({ ...e, confidence: -0.1 }, 'confidence', /between 0 and 1/)
    expectInvalid({ ...e, confidence: Number.NaN }, 'confidence', /finite/)
    expectInvalid({ ...e, confidence: '0.5' }, 'confidence', /finite number/)
    expectInvalid({ ...e, status: 'approved' }, 'status', /one of proposed/)
    expectInvalid({ ...e, provenance: undefined }, 'provenance', /must be an object/)
    expectInvalid({ ...e, provenance: { ...e.provenance, agentId: '' } }, 'provenance.agentId', /empty/)
    expectInvalid({ ...e, provenance: { ...e.provenance, createdAt: 1.5 } }, 'provenance.createdAt', /integer/)
    expectInvalid({ ...e, provenance: { ...e.provenance, createdAt: 5 } }, 'provenance.createdAt', /outside/)
    expectInvalid({ ...e, provenance: { ...e.provenance, updatedAt: T - 1 } }, 'provenance.updatedAt', /before createdAt/)
    expectInvalid({ ...e, provenance: { ...e.provenance, extra: 1 } }, 'provenance.extra', /unknown field/)
    expectInvalid({ ...e, verifiedBy: {} }, 'verifiedBy', /must be an array/)
    expectInvalid({ ...e, verifiedBy: [{ peerId: 'p', at: T }, { peerId: 'p' }] }, 'verifiedBy[1].at', /integer/)
    expectInvalid({ ...e, disputedBy: [{ peerId: '', at: T }] }, 'disputedBy[0].peerId', /empty/)
    expectInvalid({ ...e, disputedBy: [{ peerId: 'p', at: T, reason: 'x'.repeat(1001) }] }, 'disputedBy[0].reason', /at most 1000/)
    expectInvalid({ ...e, tags: ['ok', 'Not OK'] }, 'tags[1]', /must match/)
    expectInvalid({ ...e, tags: ['a', 'a'] }, 'tags[1]', /duplicate/)
    expectInvalid({ ...e, tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }, 'tags', /at most 32/)
    expectInvalid({ ...e, data: [1] }, 'data', /must be an object/)
    expectInvalid({ ...e, data: { a: { b: undefined } } }, 'data.a.b', /not JSON/)
    expectInvalid({ ...e, data: { a: new Uint8Array(1) } }, 'data.a', /not JSON: bytes/)
    expectInvalid({ ...e, data: { a: Infinity } }, 'data.a', /finite/)
    expectInvalid({ ...e, data: { big: 'x'.repeat(LIMITS.dataBytes) } }, 'data', /at most 32768 bytes/)
    let deep: Record<string, unknown> = {}
    const root = deep
    for (let i = 0; i < 10; i++) { const next = {}; deep.n = next; deep = next }
    expectInvalid({ ...e, data: root }, 'data.n.n.n.n.n.n.n.n.n', /deeper/)
    expectInvalid({ ...e, status: 'retracted' }, 'retraction', /required when status is retracted/)
    expectInvalid({ ...e, retraction: { peerId: 'p', at: T } }, 'retraction', /only allowed when status is retracted/)
    expectInvalid({ ...e, kind: 'solution' }, 'taskId', /must be a string/)
    expectInvalid({ ...e, taskId: 'task-1' }, 'taskId', /only allowed on a solution/)
    expectInvalid({ ...e, kind: 'thread' }, 'title', /required for a thread/)
    expectInvalid({ ...e, kind: 'thread', title: 'x', messages: [{ id: 'm', agentId: 'a', peerId: 'p', text: '', at: T }] }, 'messages[0].text', /empty/)
    expectInvalid({ ...e, messages: [] }, 'messages', /only allowed on a thread/)
    expectInvalid({ ...e, colour: 'red' }, 'colour', /unknown field/)
  })

  it('validates add input and patches', () => {
    expect(validateNewEntity({ kind: 'fact', text: 'x' })).toEqual({ kind: 'fact', text: 'x' })
    expect(() => validateNewEntity({ kind: 'fact', text: 'x', status: 'verified' })).toThrow('entity.status: unknown field')
    expect(() => validatePatch({})).toThrow('patch: must change at least one field')
    expect(() => validatePatch({ kind: 'fact' })).toThrow('patch.kind: unknown field')
    expect(() => validatePatch({ confidence: 2 })).toThrow('patch.confidence: must be between 0 and 1, got 2')
  })

  it('accepts core and custom relation names and rejects unsafe ones', () => {
    for (const name of ['supports', 'contradicts', 'refines', 'answers', 'depends-on', 'derived-from', 'about', 'cites', 'blocks-2']) {
      expect(validateRelationType(name)).toBe(name)
    }
    for (const name of ['', 'Supports', '1st', 'has space', 'a'.repeat(41), '__proto__', 'x_y']) {
      expect(() => validateRelationType(name)).toThrow(GraphValidationError)
    }
  })

  it('validates edges', () => {
    const edge = { id: edgeId('a', 'supports', 'b'), from: 'a', type: 'supports', to: 'b', provenance: { agentId: 'x', peerId: 'p', createdAt: T } }
    expect(validateEdge(edge)).toEqual(edge)
    expect(() => validateEdge({ ...edge, to: 'a' })).toThrow('to: an entity cannot relate to itself')
    expect(() => validateEdge({ ...edge, type: 'Bad Type' })).toThrow(/^type: must match/)
    expect(() => validateEdge({ ...edge, provenance: { ...edge.provenance, createdAt: 'now' } })).toThrow(/^provenance.createdAt:/)
  })

  it('derives status from the latest attestation; retraction is final', () => {
    expect(deriveStatus({ verifiedBy: [], disputedBy: [] })).toBe('proposed')
    expect(deriveStatus({ verifiedBy: [{ peerId: 'a', at: T }], disputedBy: [] })).toBe('verified')
    expect(deriveStatus({ verifiedBy: [{ peerId: 'a', at: T }], disputedBy: [{ peerId: 'b', at: T + 1 }] })).toBe('disputed')
    expect(deriveStatus({ verifiedBy: [{ peerId: 'a', at: T + 2 }], disputedBy: [{ peerId: 'b', at: T + 1 }] })).toBe('verified')
    expect(deriveStatus({ verifiedBy: [{ peerId: 'a', at: T }], disputedBy: [{ peerId: 'b', at: T }] })).toBe('disputed')
    expect(deriveStatus({ verifiedBy: [{ peerId: 'a', at: T + 9 }], disputedBy: [], retraction: { peerId: 'c', at: T } })).toBe('retracted')
  })
})
