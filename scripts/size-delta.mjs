#!/usr/bin/env node
// `useSocket` may add at most 1,040 B (min + gzip) to `useWebSocket` in each binding: the
// 1,000 B budget, 20 B for a request error that names what is missing (no subscriber yet)
// and the fix, and 20 B that the difference grew by when the shared core shrank (gzip: the
// size pass of issue #12 took 13 B off Vue's useWebSocket and 5 B off both together).
// size-limit checks every entry on its own, so this checks the difference between them.
// Run after `pnpm build`, from a package script (size-limit on the PATH): `pnpm size`.
import { execFileSync } from 'node:child_process'

const BUDGET = 1_040
const results = JSON.parse(execFileSync('size-limit', ['--json'], { encoding: 'utf8' }))
const size = (name) => {
  const entry = results.find((r) => r.name === name)
  if (!entry) throw new Error(`.size-limit.cjs has no entry named "${name}"`)
  return entry.size
}

let over = false
for (const binding of ['react', 'vue']) {
  const hook = size(`@tethered/${binding} useWebSocket (core included)`)
  const both = size(`@tethered/${binding} useWebSocket + useSocket`)
  const added = both - hook
  over ||= added > BUDGET
  console.log(
    `@tethered/${binding}: useSocket adds ${added} B to useWebSocket (${hook} B → ${both} B; budget ${BUDGET} B)${added > BUDGET ? ' OVER' : ''}`,
  )
}
process.exit(over ? 1 : 0)
