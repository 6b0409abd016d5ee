#!/usr/bin/env node
// The README's commands (`npm start`, `npm run cluster`, `npm test`, `npm run bench`) on a machine with only
// Node and npm: bring pnpm and the dependencies first, then run the job.
import { spawn, spawnSync } from 'node:child_process'
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
  start: [], // the playground, run by `startPlayground` below
  cluster: [], // the playground on three instances and Redis, run by `startPlayground` below
  // One suite after another: the fault and browser tests measure timings, and share two cores.
  test: [
    ['lint'],
    ['typecheck'],
    ['test:docs'],
    ['test:unit'],
    ['test:browser'],
    // @tethered/redis against Debian's redis-server, which each test file starts itself.
    ['exec', 'vitest', 'run', '--project', 'redis'],
    ['test:integration'],
    ['test:e2e'],
  ],
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

// The Redis adapter's tests and `pnpm cluster` start Debian's redis-server; nothing downloads one.
function ensureRedis() {
  if (existsSync('/usr/bin/redis-server')) return
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  if (isRoot && spawnSync('apt-get', ['--version']).status === 0) {
    console.log('Installing Debian redis-server (the Redis adapter tests, pnpm cluster)…')
    run('apt-get', ['update', '-qq'])
    if (run('apt-get', ['install', '-y', '-qq', 'redis-server']) === 0) return
  }
  console.warn(
    'No /usr/bin/redis-server: the Redis adapter tests and pnpm cluster will fail. Install it: apt-get install redis-server',
  )
}

// The playground's own process, started here rather than through `pnpm run` (whose
// recursive runner reports a Ctrl+C as a failure: ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL,
// ELIFECYCLE). Its command is the playground's `start` (or `cluster`) script, so there is
// one of it.
function startPlayground(name) {
  const cwd = join(root, 'playground')
  const script = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')).scripts[name]
  const [command, ...args] = script.split(' ')
  if (command !== 'node')
    throw new Error(`playground/package.json: ${name} must run node: ${script}`)
  const child = spawn(process.execPath, args, { cwd, stdio: 'inherit' })
  // Ctrl+C reaches the whole process group, the playground included; a signal sent to this
  // process alone (a parent forwarding it, `kill`) is passed on. The playground stops
  // cleanly on the first and ignores copies that arrive together.
  let stopping = null
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      stopping = signal
      if (child.exitCode === null) child.kill(signal)
    })
  }
  child.on('exit', (code, signal) => {
    // A stop asked for is a success, whichever way the process ended.
    process.exit(stopping && (code === 0 || signal) ? 0 : (code ?? 1))
  })
}

ensureInstalled()
if (job === 'test') {
  ensureChromium()
  ensureRedis()
}
if (job === 'cluster') ensureRedis()
if (job === 'start' || job === 'cluster') startPlayground(job)
for (const step of steps[job]) {
  const args = step[0] === 'exec' ? step : ['run', ...step]
  const status = p(...args)
  if (status !== 0) process.exit(status)
}
