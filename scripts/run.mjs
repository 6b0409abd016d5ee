#!/usr/bin/env node
// The README's commands (`npm start`, `npm test`, `npm run bench`) on a machine with only
// Node and npm: bring pnpm and the dependencies first, then run the job.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager // pnpm@x.y.z

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options })
  if (result.error) throw result.error
  return result.status ?? 1
}

function pnpmCommand() {
  const found = spawnSync('pnpm', ['--version'], { cwd: root, encoding: 'utf8' })
  const wanted = pinned.split('@')[1]
  if (found.status === 0 && found.stdout.trim() === wanted) return ['pnpm', []]
  // No pnpm, or another version: npx brings the pinned one from the npm registry.
  return ['npx', ['--yes', pinned]]
}

const [pnpm, pnpmArgs] = pnpmCommand()
const p = (...args) => run(pnpm, [...pnpmArgs, ...args])

function ensureInstalled() {
  const marker = join(root, 'node_modules', '.modules.yaml')
  const lock = join(root, 'pnpm-lock.yaml')
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return
  const status = p('install', '--frozen-lockfile')
  if (status !== 0) process.exit(status)
}

const steps = {
  start: [['playground']],
  // One suite after another: the fault and browser tests measure timings, and share two cores.
  test: [['lint'], ['typecheck'], ['test:docs'], ['test:unit'], ['test:integration'], ['test:e2e']],
  bench: [['exec', 'node', 'scripts/bench.mjs']],
}

const job = process.argv[2]
if (!steps[job]) {
  console.error(`usage: node scripts/run.mjs ${Object.keys(steps).join('|')}`)
  process.exit(2)
}
// The browser tests drive Debian's chromium; a test tool never downloads a browser.
function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  if (isRoot && spawnSync('apt-get', ['--version']).status === 0) {
    console.log('Installing Debian chromium for the browser tests…')
    run('apt-get', ['update', '-qq'])
    if (run('apt-get', ['install', '-y', '-qq', 'chromium']) === 0) return
  }
  console.warn(
    'No /usr/bin/chromium: the browser tests will fail. Install it: apt-get install chromium',
  )
}

ensureInstalled()
if (job === 'test') ensureChromium()
for (const step of steps[job]) {
  const args = step[0] === 'exec' ? step : ['run', ...step]
  const status = p(...args)
  if (status !== 0) process.exit(status)
}
