/**
 * Optional vitest globalSetup: builds the embedded model once before any test file runs, so suites
 * outside test/unit/match can load it too. (The match tests also build it themselves if missing.)
 */
import { buildModel } from '../../../scripts/model/build.mjs'

export default async function setup(): Promise<void> {
  await buildModel({ log: (m) => console.log(m) })
}
