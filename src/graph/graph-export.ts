/**
 * The JSON export format and the pure logic of importing one into a graph: validate
 * everything first, then plan writes that merge (never replace).
 */
import { fieldWrite, writeCarriedAttestation, writeEdge, writeMessage, writeNewEntity, type Write } from './batch-planner.ts'
import { edgeId, storeTags } from './layout.ts'
import {
  GraphValidationError,
  LIMITS,
  SCHEMA_VERSION,
  deriveStatus,
  validateEdge,
  validateEntity,
  type Attestation,
  type Edge,
  type Entity
} from './schema.ts'

export const EXPORT_FORMAT = 'meshwork.graph'
export const MAX_IMPORT_ITEMS = 100_000

/** JSON export envelope; documented in docs/graph.md. */
export interface GraphExport {
  format: typeof EXPORT_FORMAT
  schemaVersion: number
  exportedAt: number
  entities: Entity[]
  edges: Edge[]
}

export interface ImportReport {
  /** Entities that were not in the graph. */
  added: number
  /** Entities already present that gained attestations, tags or messages. */
  merged: number
  /** Entities already present with nothing to add. */
  unchanged: number
  edgesAdded: number
  /** Fields where the import and the graph disagree; the graph's value was kept. */
  divergent: Array<{ id: string, field: string }>
}

/** Validates a JSON export (object or JSON text) and every entity and edge in it. */
export function parseExport (input: unknown): { entities: Entity[], edges: Edge[] } {
  let value = input
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown
    } catch {
      throw new GraphValidationError('json', 'is not valid JSON text')
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new GraphValidationError('export', 'must be an object')
  const r = value as Record<string, unknown>
  if (r.format !== EXPORT_FORMAT) throw new GraphValidationError('format', `must be ${JSON.stringify(EXPORT_FORMAT)}, got ${JSON.stringify(r.format) ?? 'nothing'}`)
  if (r.schemaVersion !== SCHEMA_VERSION) throw new GraphValidationError('schemaVersion', `must be ${SCHEMA_VERSION}, got ${JSON.stringify(r.schemaVersion) ?? 'nothing'}`)
  if (!Array.isArray(r.entities)) throw new GraphValidationError('entities', 'must be an array')
  if (!Array.isArray(r.edges)) throw new GraphValidationError('edges', 'must be an array')
  if (r.entities.length + r.edges.length > MAX_IMPORT_ITEMS) throw new GraphValidationError('entities', `an import holds at most ${MAX_IMPORT_ITEMS} entities and edges`)
  const ids = new Set<string>()
  const entities = r.entities.map((e: unknown, i: number) => {
    const entity = validateEntity(e, `entities[${i}]`)
    if (ids.has(entity.id)) throw new GraphValidationError(`entities[${i}].id`, `duplicate id ${JSON.stringify(entity.id)}`)
    ids.add(entity.id)
    return entity
  })
  const edges = r.edges.map((e: unknown, i: number) => {
    const edge = validateEdge(e, `edges[${i}]`)
    if (edge.id !== edgeId(edge.from, edge.type, edge.to)) throw new GraphValidationError(`edges[${i}].id`, 'does not match its endpoints and type')
    return edge
  })
  return { entities, edges }
}

function attestationKey (a: Attestation): string {
  return `${a.peerId}\n${a.agentId ?? ''}\n${a.at}`
}

/** What merging `incoming` into `existing` writes, and which scalar fields disagree. */
export function mergeEntity (existing: Entity, incoming: Entity): { writes: Write[], divergent: string[] } {
  const writes: Write[] = []
  const divergent: string[] = []
  const id = existing.id
  const lists = { verifiedBy: existing.verifiedBy, disputedBy: existing.disputedBy }
  for (const list of ['verifiedBy', 'disputedBy'] as const) {
    const have = new Set(existing[list].map(attestationKey))
    const missing = incoming[list].filter(a => !have.has(attestationKey(a)))
    if (missing.length > 0 && existing[list].length + missing.length <= LIMITS.attestations) {
      lists[list] = [...existing[list], ...missing]
      for (const a of missing) writes.push(writeCarriedAttestation(id, list, a))
    }
  }
  // New attestations may change the status (see deriveStatus); a retraction stays final.
  const status = existing.retraction === undefined ? deriveStatus(lists) : existing.status
  if (status !== existing.status) writes.push(fieldWrite('e', id, id, 'status', status))
  if (incoming.tags !== undefined) {
    const have = new Set(existing.tags ?? [])
    const missing = incoming.tags.filter(t => !have.has(t))
    if (missing.length > 0 && have.size + missing.length <= LIMITS.tags) {
      const union = [...(existing.tags ?? []), ...missing]
      writes.push(fieldWrite('e', id, id, 'tags', storeTags(union).val))
    }
  }
  if (existing.kind === 'thread' && incoming.messages !== undefined) {
    const have = new Set((existing.messages ?? []).map(m => m.id))
    const missing = incoming.messages.filter(m => !have.has(m.id))
    if (missing.length > 0 && have.size + missing.length <= LIMITS.messages) {
      for (const m of missing) writes.push(writeMessage(id, m))
    }
  }
  for (const field of ['kind', 'title', 'text', 'confidence', 'taskId'] as const) {
    if (existing[field] !== incoming[field]) divergent.push(field)
  }
  if (status !== incoming.status) divergent.push('status')
  if (JSON.stringify(existing.data ?? null) !== JSON.stringify(incoming.data ?? null)) divergent.push('data')
  return { writes, divergent }
}

/** Plans the merge of validated entities and edges into a graph holding `entities`/`edges`. */
export function planImport (
  entities: ReadonlyMap<string, Entity>,
  edges: ReadonlyMap<string, Edge>,
  incoming: Entity[],
  incomingEdges: Edge[]
): { writes: Write[], report: ImportReport } {
  const report: ImportReport = { added: 0, merged: 0, unchanged: 0, edgesAdded: 0, divergent: [] }
  const writes: Write[] = []
  const known = new Set([...entities.keys(), ...incoming.map(e => e.id)])
  incomingEdges.forEach((edge, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!known.has(edge[end])) throw new GraphValidationError(`edges[${i}].${end}`, `refers to unknown entity ${JSON.stringify(edge[end])}`)
    }
  })
  for (const entity of incoming) {
    const existing = entities.get(entity.id)
    if (existing === undefined) {
      report.added++
      writes.push(...writeNewEntity(entity))
      continue
    }
    const merged = mergeEntity(existing, entity)
    for (const field of merged.divergent) report.divergent.push({ id: entity.id, field })
    if (merged.writes.length === 0) { report.unchanged++; continue }
    report.merged++
    writes.push(...merged.writes)
  }
  for (const edge of incomingEdges) {
    if (edges.has(edge.id)) continue // present (retracted or not): keep ours
    report.edgesAdded++
    writes.push(writeEdge(edge))
  }
  return { writes, report }
}
