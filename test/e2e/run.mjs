// Runs the end-to-end suite inside a private network namespace, so that headless Chromium gathers
// ICE candidates (with only loopback it gathers none) while no packet can leave the machine:
// loopback plus a veth pair (198.18.0.1/24, benchmark-test range) whose default route goes to the
// dead-end peer. Needs root and iproute2 (the README's test line installs it).
// Usage: node test/e2e/run.mjs [playwright args…] | --bench NAME   (env MESHWORK_E2E_CMD overrides the command)
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const args = process.argv.slice(2)

export const NETNS_SETUP = [
  'set -e',
  'ip link set lo up',
  'ip link add mw0 type veth peer name mw1',
  'ip addr add 198.18.0.1/24 dev mw0',
  'ip link set mw0 up',
  'ip link set mw1 up',
  'ip route add default via 198.18.0.2 dev mw0'
].join('; ')

function fail (msg) {
  console.error(`e2e: ${msg}`)
  process.exit(1)
}

if (process.env.MESHWORK_IN_NETNS !== '1') {
  if (!existsSync('/usr/bin/chromium')) fail('/usr/bin/chromium is missing: apt-get install -y chromium (see README)')
  if (spawnSync('ip', ['-V']).status !== 0) fail('the ip command is missing: apt-get install -y iproute2 (see README)')
  if (process.getuid?.() !== 0) fail('the e2e suite creates a private network namespace and must run as root (CI and the dev machines do)')
  // MESHWORK_DIST builds to (and serves from) another directory, so that two suites can run side by side.
  // The suite's build goes to dist-e2e (never the dist/ that `npm start` serves) and includes the test
  // pages under test/e2e/pages (MESHWORK_TEST_PAGES, see vite.config.ts).
  const dist = (process.env.MESHWORK_DIST ??= 'dist-e2e')
  process.env.MESHWORK_TEST_PAGES ??= '1'
  if (!existsSync(join(root, dist, 'index.html')) || process.env.MESHWORK_SKIP_BUILD !== '1') {
    // The app serves the embedded model from public/models/; without it no tab's agents ever start.
    // A no-op when the model is built already (the unit tests build it too, but a bench may run first).
    const m = spawnSync(process.execPath, [join(root, 'scripts/build-model.mjs')], { cwd: root, stdio: 'inherit' })
    if (m.status !== 0) fail('building the embedded model failed (node scripts/build-model.mjs)')
    const b = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', dist, '--emptyOutDir'], { cwd: root, stdio: 'inherit' })
    if (b.status !== 0) fail('vite build failed')
  }
  const inner = `${NETNS_SETUP}; exec env MESHWORK_IN_NETNS=1 "${process.execPath}" "${fileURLToPath(import.meta.url)}" ${args.map(a => `'${a.replace(/'/g, "'\\''")}'`).join(' ')}`
  const r = spawnSync('unshare', ['-n', '--', 'bash', '-c', inner], { cwd: root, stdio: 'inherit' })
  if (r.error) fail(`unshare failed: ${r.error.message}`)
  process.exit(r.status ?? 1)
}

const benchAt = args.indexOf('--bench')
const cmd = benchAt >= 0 ? `"${process.execPath}" bench/${args[benchAt + 1]}.mjs` : process.env.MESHWORK_E2E_CMD
const r = cmd
  ? spawnSync('bash', ['-c', cmd], { cwd: root, stdio: 'inherit' })
  : spawnSync(process.execPath, [join(root, 'node_modules/@playwright/test/cli.js'), 'test', '-c', 'playwright.config.ts', ...args], { cwd: root, stdio: 'inherit' })
process.exit(r.status ?? 1)
