// Starts the relay as a child process and resolves once it prints its ready line. Used by
// `npm start`, the e2e tests and the benchmarks, so all of them run the real relay the same way.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

export function startRelay ({ host = '127.0.0.1', port = 0, httpPort = 0, keyFile = join(root, '.relay', 'key'), announce = [], quiet = false, env = {} } = {}) {
  const args = ['--import', join(root, 'relay/polyfills.mjs'), '--import', 'tsx', join(root, 'relay/main.ts'),
    `--host=${host}`, `--port=${port}`, `--http-port=${httpPort}`, `--key-file=${keyFile}`]
  if (announce.length > 0) args.push('--announce', announce.join(','))
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`relay did not start within 30 s:\n${out}`)) }, 30_000)
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', d => { out += d; if (!quiet) process.stderr.write(d) })
    child.stdout.on('data', d => {
      out += d
      for (const line of d.split('\n')) {
        if (line.startsWith('MESHWORK_RELAY_READY ')) {
          clearTimeout(timer)
          const info = JSON.parse(line.slice('MESHWORK_RELAY_READY '.length))
          const m = /\/tcp\/(\d+)\//.exec(info.multiaddrs[0] ?? '')
          resolve({
            ...info, host, port: m ? Number(m[1]) : port, announce, child,
            stop: () => new Promise(res => { if (child.exitCode !== null || child.signalCode !== null) { res(); return } child.once('exit', () => res()); child.kill('SIGTERM') }),
            kill: () => new Promise(res => { if (child.exitCode !== null || child.signalCode !== null) { res(); return } child.once('exit', () => res()); child.kill('SIGKILL') })
          })
        } else if (line.trim() !== '' && !quiet) process.stdout.write(line + '\n')
      }
    })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`relay exited with code ${code}:\n${out}`)) })
  })
}
