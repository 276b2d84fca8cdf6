/**
 * Where the explorer draws entities: a deterministic, force-free layout, so nodes stay put
 * while the graph changes around them and a person can find them again.
 *
 * - Overview (nothing selected): one sector of a ring per kind, sized by how many entities of
 *   that kind are drawn; crowded sectors stagger their nodes over several lanes.
 * - Focus (an entity selected): the entity in the middle, its neighbours on a ring, their
 *   neighbours on an outer ring next to the neighbour that reached them (a radial tree from
 *   a breadth-first walk), capped so the drawing stays readable.
 */
import { ENTITY_KINDS, type Edge, type EntityKind, type EntityStatus } from '../../graph/schema.ts'

export const MAX_DRAWN = 150

export interface Point { x: number, y: number }

export interface HoodNode { id: string, depth: number, parent?: string }

export interface DrawNode extends Point {
  id: string
  kind: EntityKind
  status: EntityStatus
  label: string
  /** Full text for the hover title. */
  title: string
  depth: number
  selected: boolean
  showLabel: boolean
}

export interface DrawEdge {
  id: string
  type: string
  from: Point
  to: Point
  /** Where the type label goes (the middle of the edge). */
  mid: Point
  showLabel: boolean
  /** Touches the selected entity. */
  focused: boolean
}

export interface Drawing {
  mode: 'overview' | 'focus'
  nodes: DrawNode[]
  edges: DrawEdge[]
  viewBox: { x: number, y: number, width: number, height: number }
  /** How many entities were candidates but not drawn because of the cap. */
  hidden: number
}

/** What the layout needs to know about an entity. */
export interface DrawableEntity {
  id: string
  kind: EntityKind
  status: EntityStatus
  title?: string | undefined
  text: string
}

/**
 * Breadth-first walk from `focus` up to `maxDepth`, at most `cap` nodes; nearer nodes first,
 * siblings in id order. Returns the nodes and whether the cap cut the walk short.
 */
export function neighbourhood (
  focus: string,
  adjacent: (id: string) => readonly string[],
  cap = MAX_DRAWN,
  maxDepth = 2
): { nodes: HoodNode[], capped: number } {
  const nodes: HoodNode[] = [{ id: focus, depth: 0 }]
  const seen = new Set([focus])
  let capped = 0
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]
    if (node === undefined || node.depth >= maxDepth) continue
    for (const next of adjacent(node.id)) {
      if (seen.has(next)) continue
      seen.add(next)
      if (nodes.length >= cap) { capped++; continue }
      nodes.push({ id: next, depth: node.depth + 1, parent: node.id })
    }
  }
  return { nodes, capped }
}

/**
 * `n` points spread over the arc [a0, a1] at radius r0; when they would sit closer than
 * `spacing`, alternate nodes move out to further lanes.
 */
export function fillArc (n: number, a0: number, a1: number, r0: number, spacing = 30, laneGap = 26): Point[] {
  if (n <= 0) return []
  const arc = Math.max(1e-6, Math.abs(a1 - a0) * r0)
  const lanes = Math.max(1, Math.min(8, Math.ceil((n * spacing) / arc)))
  const out: Point[] = []
  for (let i = 0; i < n; i++) {
    const a = a0 + ((i + 0.5) * (a1 - a0)) / n
    const r = r0 + (i % lanes) * laneGap
    out.push({ x: round(r * Math.cos(a)), y: round(r * Math.sin(a)) })
  }
  return out
}

const round = (v: number): number => Math.round(v * 10) / 10
const TOP = -Math.PI / 2

/** Overview positions: a sector per kind, in the schema's kind order. */
export function kindLayout (entities: readonly Pick<DrawableEntity, 'id' | 'kind'>[], radius = 150): Map<string, Point> {
  const groups = new Map<EntityKind, string[]>()
  for (const k of ENTITY_KINDS) groups.set(k, [])
  for (const e of entities) groups.get(e.kind)?.push(e.id)
  const present = ENTITY_KINDS.filter(k => (groups.get(k)?.length ?? 0) > 0)
  const total = entities.length
  const out = new Map<string, Point>()
  if (total === 1 && entities[0] !== undefined) {
    out.set(entities[0].id, { x: 0, y: 0 })
    return out
  }
  // Every present kind gets at least a small sector, so a lone conflict is not squeezed out.
  const minShare = present.length > 0 ? 0.4 / present.length : 0
  const weight = (k: EntityKind): number => minShare + (0.6 * (groups.get(k)?.length ?? 0)) / Math.max(1, total)
  const weights = present.map(weight)
  const sum = weights.reduce((a, b) => a + b, 0)
  let angle = TOP
  present.forEach((kind, i) => {
    const ids = groups.get(kind) ?? []
    const span = ((weights[i] ?? 0) / sum) * Math.PI * 2
    const gap = present.length > 1 ? Math.min(0.12, span * 0.15) : 0
    const points = fillArc(ids.length, angle + gap / 2, angle + span - gap / 2, radius)
    ids.forEach((id, j) => { const p = points[j]; if (p !== undefined) out.set(id, p) })
    angle += span
  })
  return out
}

/** Focus positions: a radial tree; each node's angular share grows with its children. */
export function radialLayout (nodes: readonly HoodNode[], ringGap = 150): Map<string, Point> {
  const out = new Map<string, Point>()
  const root = nodes[0]
  if (root === undefined) return out
  out.set(root.id, { x: 0, y: 0 })
  const children = new Map<string, HoodNode[]>()
  for (const n of nodes) {
    if (n.parent === undefined) continue
    let list = children.get(n.parent)
    if (list === undefined) children.set(n.parent, list = [])
    list.push(n)
  }
  const place = (parent: HoodNode, a0: number, a1: number): void => {
    const kids = children.get(parent.id) ?? []
    if (kids.length === 0) return
    const depth = parent.depth + 1
    const weights = kids.map(k => 1 + (children.get(k.id)?.length ?? 0) * 0.5)
    const sum = weights.reduce((a, b) => a + b, 0)
    // Crowded rings stagger alternate nodes outwards, like fillArc.
    const r = depth * ringGap
    const lanes = Math.max(1, Math.min(6, Math.ceil((kids.length * 30) / Math.max(1e-6, (a1 - a0) * r))))
    let angle = a0
    kids.forEach((kid, i) => {
      const span = ((weights[i] ?? 1) / sum) * (a1 - a0)
      out.set(kid.id, polar(r + (i % lanes) * 24, angle + span / 2))
      place(kid, angle, angle + span)
      angle += span
    })
  }
  place(root, TOP, TOP + Math.PI * 2)
  return out
}

function polar (r: number, a: number): Point {
  return { x: round(r * Math.cos(a)), y: round(r * Math.sin(a)) }
}

export function labelOf (e: Pick<DrawableEntity, 'title' | 'text'>, max = 28): string {
  const s = (e.title ?? e.text).replace(/\s+/g, ' ').trim()
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

export interface DrawingInput {
  /** Entities to draw, in order of importance (the first `MAX_DRAWN` are kept). */
  entities: readonly DrawableEntity[]
  edges: readonly Edge[]
  /** Radial-tree nodes when an entity is selected; overview otherwise. */
  hood?: readonly HoodNode[] | undefined
  selected?: string | undefined
  /** Candidates beyond `entities` that were not drawn (for the "n hidden" note). */
  hidden?: number
}

/** Everything the SVG needs: positions, which labels to show, and a view box that fits. */
export function buildDrawing (input: DrawingInput): Drawing {
  const focus = input.hood !== undefined && input.hood.length > 0
  const entities = input.entities.slice(0, MAX_DRAWN)
  const hidden = (input.hidden ?? 0) + Math.max(0, input.entities.length - entities.length)
  const depthOf = new Map((input.hood ?? []).map(n => [n.id, n.depth]))
  const positions = focus ? radialLayout(input.hood ?? []) : kindLayout(entities)
  const firstRing = focus ? (input.hood ?? []).filter(n => n.depth === 1).length : 0
  const nodes: DrawNode[] = []
  for (const e of entities) {
    const p = positions.get(e.id)
    if (p === undefined) continue
    const depth = depthOf.get(e.id) ?? 0
    const selected = e.id === input.selected
    nodes.push({
      id: e.id,
      kind: e.kind,
      status: e.status,
      label: labelOf(e),
      title: `${e.kind} · ${e.status}\n${e.title !== undefined ? `${e.title}\n` : ''}${e.text}`.slice(0, 500),
      x: p.x,
      y: p.y,
      depth,
      selected,
      showLabel: selected || entities.length <= 40 || (focus && depth === 1 && firstRing <= 24)
    })
  }
  const at = new Map(nodes.map(n => [n.id, n]))
  const edges: DrawEdge[] = []
  for (const edge of input.edges) {
    const a = at.get(edge.from)
    const b = at.get(edge.to)
    if (a === undefined || b === undefined || edge.retracted === true) continue
    const focused = input.selected !== undefined && (edge.from === input.selected || edge.to === input.selected)
    edges.push({
      id: edge.id,
      type: edge.type,
      from: { x: a.x, y: a.y },
      // Stop at the target's circle so the arrow head shows.
      to: towards(b, a, b.selected ? 15 : 11),
      mid: { x: round((a.x + b.x) / 2), y: round((a.y + b.y) / 2) },
      showLabel: focused || input.edges.length <= 40,
      focused
    })
  }
  return { mode: focus ? 'focus' : 'overview', nodes, edges, viewBox: fit(nodes), hidden }
}

/** `from` moved `by` units towards `to`. */
function towards (from: Point, to: Point, by: number): Point {
  const dx = to.x - from.x
  const dy = to.y - from.y
  const len = Math.hypot(dx, dy)
  if (len <= by) return { x: from.x, y: from.y }
  return { x: round(from.x + (dx / len) * by), y: round(from.y + (dy / len) * by) }
}

function fit (nodes: readonly Point[]): Drawing['viewBox'] {
  // Labels run sideways, so leave more room left and right than above and below.
  const mx = 100
  const my = 40
  // A minimum size keeps a handful of nodes from being blown up to fill the pane.
  const minWidth = 640
  const minHeight = 360
  if (nodes.length === 0) return { x: -minWidth / 2, y: -minHeight / 2, width: minWidth, height: minHeight }
  let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity
  for (const n of nodes) {
    minX = Math.min(minX, n.x); maxX = Math.max(maxX, n.x)
    minY = Math.min(minY, n.y); maxY = Math.max(maxY, n.y)
  }
  const width = Math.max(minWidth, maxX - minX + mx * 2)
  const height = Math.max(minHeight, maxY - minY + my * 2)
  const cx = (minX + maxX) / 2
  const cy = (minY + maxY) / 2
  return { x: round(cx - width / 2), y: round(cy - height / 2), width: round(width), height: round(height) }
}
