import { describe, expect, it } from 'vitest'
import { formatBytes } from '../../../src/ui/format.ts'

describe('formatBytes', () => {
  it('reads KB with a decimal below 10 KB, whole KB below 10 MB, MB above; unknown is a dash', () => {
    expect([undefined, 0, 3482, 10_240, 217_600, 10_485_760].map(formatBytes)).toEqual(['—', '0.0 KB', '3.4 KB', '10 KB', '213 KB', '10.0 MB'])
  })
})
