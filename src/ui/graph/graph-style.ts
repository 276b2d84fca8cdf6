/**
 * How kinds and statuses look, and small formatting helpers shared by the explorer's components.
 */
import type { EntityKind, EntityStatus } from '../../graph/schema.ts'

export const KIND_COLOURS: Record<EntityKind, string> = {
  fact: '#60a5fa',
  hypothesis: '#a78bfa',
  conflict: '#ef4444',
  question: '#facc15',
  decision: '#34d399',
  thread: '#f472b6',
  solution: '#2dd4bf',
  unknown: '#9ca3af'
}

export const STATUS_COLOURS: Record<EntityStatus, string> = {
  proposed: '#9ca3af',
  verified: '#22c55e',
  disputed: '#f59e0b',
  retracted: '#4b5563'
}

export function formatTime (ms: number): string {
  return new Date(ms).toLocaleString()
}

export function percent (confidence: number): string {
  return `${Math.round(confidence * 100)}%`
}
