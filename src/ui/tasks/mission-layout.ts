/**
 * Where the mission board draws a mission's subtasks: layered left → right by dependency depth
 * (a subtask sits one column right of the deepest part it depends on), parts of one column
 * stacked in plan order, an arrow from each dependency to its dependant. Pure; tolerates plans the
 * engine would refuse (unknown dependencies are ignored, a cycle is cut where it is found).
 */

export interface MissionPart { planId: string, dependsOn: readonly string[] }

export interface LayoutOptions {
  nodeWidth?: number
  nodeHeight?: number
  columnGap?: number
  rowGap?: number
  padding?: number
}

export interface PlacedPart { planId: string, depth: number, row: number, x: number, y: number, width: number, height: number }
export interface DependencyArrow { from: string, to: string, path: string }
export interface MissionLayout { nodes: PlacedPart[], arrows: DependencyArrow[], width: number, height: number, depth: number }

const DEFAULTS: Required<LayoutOptions> = { nodeWidth: 220, nodeHeight: 74, columnGap: 56, rowGap: 16, padding: 8 }

/** Depth of every part: 0 without dependencies, else 1 + the deepest dependency. */
export function dependencyDepths (parts: readonly MissionPart[]): Map<string, number> {
  const byId = new Map(parts.map(p => [p.planId, p]))
  const depth = new Map<string, number>()
  const visiting = new Set<string>()
  const visit = (id: string): number => {
    const known = depth.get(id)
    if (known !== undefined) return known
    // A cycle: count the edge that closes it as absent.
    if (visiting.has(id)) return -1
    visiting.add(id)
    let d = 0
    for (const dep of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(dep) || dep === id) continue
      const dd = visit(dep)
      if (dd >= 0) d = Math.max(d, dd + 1)
    }
    visiting.delete(id)
    depth.set(id, d)
    return d
  }
  for (const p of parts) visit(p.planId)
  return depth
}

export function layoutMission (parts: readonly MissionPart[], options: LayoutOptions = {}): MissionLayout {
  const o = { ...DEFAULTS, ...options }
  const depths = dependencyDepths(parts)
  const columns: string[][] = []
  for (const p of parts) {
    const d = depths.get(p.planId) ?? 0
    ;(columns[d] ??= []).push(p.planId)
  }
  const tallest = Math.max(0, ...columns.map(c => c?.length ?? 0))
  const columnHeight = (n: number): number => n * o.nodeHeight + Math.max(0, n - 1) * o.rowGap
  const fullHeight = columnHeight(tallest)
  const nodes: PlacedPart[] = []
  const at = new Map<string, PlacedPart>()
  columns.forEach((ids, depth) => {
    if (ids === undefined) return
    // Centre shorter columns against the tallest, so arrows fan out symmetrically.
    const top = o.padding + (fullHeight - columnHeight(ids.length)) / 2
    ids.forEach((planId, row) => {
      const n: PlacedPart = {
        planId, depth, row,
        x: o.padding + depth * (o.nodeWidth + o.columnGap),
        y: top + row * (o.nodeHeight + o.rowGap),
        width: o.nodeWidth,
        height: o.nodeHeight
      }
      nodes.push(n)
      at.set(planId, n)
    })
  })
  const arrows: DependencyArrow[] = []
  for (const p of parts) {
    const to = at.get(p.planId)!
    for (const dep of new Set(p.dependsOn)) {
      const from = at.get(dep)
      // Only arrows that point rightwards: the cut edge of a cycle is not drawn.
      if (from === undefined || from.depth >= to.depth) continue
      const x1 = from.x + from.width; const y1 = from.y + from.height / 2
      const x2 = to.x; const y2 = to.y + to.height / 2
      const mid = (x1 + x2) / 2
      arrows.push({ from: dep, to: p.planId, path: `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}` })
    }
  }
  const depth = columns.length
  return {
    nodes,
    arrows,
    depth,
    width: depth === 0 ? 0 : 2 * o.padding + depth * o.nodeWidth + (depth - 1) * o.columnGap,
    height: nodes.length === 0 ? 0 : 2 * o.padding + fullHeight
  }
}
