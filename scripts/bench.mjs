#!/usr/bin/env node
// Every benchmark in one command: builds the packages, runs each test/bench/*.ts|*.tsx in
// turn (each prints its table and writes test/bench/results/<name>.json), then size-limit.
//
//   node scripts/bench.mjs [name-filter...] [--skip-build] [--skip-size]
//
// e.g. `node scripts/bench.mjs core-` runs the core benchmarks only (a filter skips size-limit).
//
// A bench runs as `node --expose-gc --import tsx --conditions=@tethered/source <file>`
// (the packages' TypeScript sources). A bench that must measure the build instead, or needs
// other flags, says so in a header line:
//
//   // @bench-flags: --expose-gc
//
// which replaces the default flags (`--import tsx` is always added). If the build fails,
// every bench runs on the sources and size-limit is skipped.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const benchDir = join(root, 'test', 'bench')
const DEFAULT_FLAGS = ['--expose-gc', '--conditions=@tethered/source']
/** A bench that hangs must not hold the others up. */
const TIME_LIMIT = Number(process.env.BENCH_TIME_LIMIT ?? 10 * 60_000)

const args = process.argv.slice(2)
const skipBuild = args.includes('--skip-build')
const skipSize = args.includes('--skip-size')
const filters = args.filter((a) => !a.startsWith('--'))

// pnpm as scripts/run.mjs finds it: on the PATH, or the pinned version through npx.
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager
const hasPnpm =
  spawnSync('pnpm', ['--version'], { cwd: root, shell: process.platform === 'win32' }).status === 0
const pnpm = (...pnpmArgs) =>
  hasPnpm ? ['pnpm', pnpmArgs] : ['npx', ['--yes', pinned, ...pnpmArgs]]

function run(command, commandArgs, options = {}) {
  const start = performance.now()
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', ...options })
  const seconds = (performance.now() - start) / 1000
  const status = result.error
    ? `error: ${result.error.message}`
    : result.signal
      ? `killed (${result.signal})`
      : result.status
  return { ok: result.status === 0, status, seconds }
}

const summary = []
const step = (name, outcome) => {
  summary.push({
    step: name,
    result: outcome.ok ? 'ok' : `FAILED (${outcome.status})`,
    seconds: outcome.seconds.toFixed(1),
  })
  return outcome.ok
}

const banner = (text) =>
  console.log(`\n${'='.repeat(8)} ${text} ${'='.repeat(Math.max(8, 70 - text.length))}`)

let built = false
if (skipBuild) {
  console.log('bench: --skip-build: using the packages as they are')
  built = true
} else {
  banner('pnpm build')
  built = step('pnpm build', run(...pnpm('build'), { stdio: ['inherit', 'ignore', 'inherit'] }))
  if (!built)
    console.log('bench: the build failed: every bench runs on the sources, size-limit is skipped')
}

const benches = readdirSync(benchDir)
  .filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'))
  .filter((f) => filters.length === 0 || filters.some((filter) => f.includes(filter)))
  .sort()

if (benches.length === 0)
  console.log(`bench: no test/bench/*.ts|*.tsx matches ${filters.join(', ')}`)

for (const file of benches) {
  const path = join(benchDir, file)
  const header = /^\/\/ @bench-flags:(.*)$/m.exec(readFileSync(path, 'utf8'))
  const own = header ? header[1].trim().split(/\s+/).filter(Boolean) : null
  const flags = own && built ? own : DEFAULT_FLAGS
  const commandArgs = [...flags, '--import', 'tsx', join('test', 'bench', file)]
  banner(file)
  console.log(`$ node ${commandArgs.join(' ')}`)
  step(file, run(process.execPath, commandArgs, { timeout: TIME_LIMIT, killSignal: 'SIGKILL' }))
}

if (!skipSize && built && filters.length === 0) {
  banner('size-limit')
  step('size-limit', run(...pnpm('size')))
}

banner('summary')
console.table(summary)
console.log('results: test/bench/results/*.json')
process.exit(summary.every((s) => s.result === 'ok') ? 0 : 1)
