/** Formatting shared by the views. Pure. */

/** `3.4 KB`, `212 KB`, `14.2 MB`: a byte count for a person; `—` when unknown. */
export function formatBytes (n: number | undefined): string {
  if (n === undefined) return '—'
  if (n < 10_240) return `${(n / 1024).toFixed(1)} KB`
  if (n < 10_485_760) return `${Math.round(n / 1024)} KB`
  return `${(n / 1_048_576).toFixed(1)} MB`
}
