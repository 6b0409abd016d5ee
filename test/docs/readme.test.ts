// The READMEs' code blocks compile under a new user's strict settings, and the runnable
// ones run (conventions in ./blocks.ts). A canary block of each kind, broken on purpose,
// proves the check reports what it should.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Block, extractBlocks, readmes } from './blocks'
import { compile, emitDeclarations, inBlocks, ROOT, runBlock, writeBlocks } from './check'

const CANARY = 'test/docs/canary.md'
const canaries = `
\`\`\`tsx
export function Unused() {
  const { unused } = { unused: 1 }
  return <p />
}
\`\`\`

\`\`\`vue
<script setup lang="ts">
import { useWebSocket } from '@tethered/vue'
const { readyState, sendJsonMessage } = useWebSocket('ws://localhost:1')
</script>
<template><p>{{ readyState }}</p></template>
\`\`\`

\`\`\`ts
// lib.ts
export const answer = 42
\`\`\`

\`\`\`ts node
import { createSocket } from '@tethered/core'
import { answer } from './lib'
type E = { in: Record<never, never>; out: { add: { n: number } } }
createSocket<E>('ws://localhost:1').emit('add', { n: String(answer) })
\`\`\`
`

const blocks = readmes(ROOT).flatMap((f) => extractBlocks(f, readFileSync(join(ROOT, f), 'utf8')))
const byPath = writeBlocks([...blocks, ...extractBlocks(CANARY, canaries)])
const own = (errors: string[]) => errors.filter((e) => !e.startsWith(CANARY))
const canary = (errors: string[]) => errors.filter((e) => e.startsWith(CANARY)).join('\n')

describe('README code blocks', () => {
  beforeAll(() => emitDeclarations(), 120_000)

  it('finds the blocks of every README', () => {
    const count = (kind: Block['kind']) => blocks.filter((b) => b.kind === kind).length
    expect(count('bundler')).toBeGreaterThan(5)
    expect(count('node')).toBeGreaterThan(1)
    expect(blocks.some((b) => b.run)).toBe(true)
  })

  it('browser blocks (ts, tsx, vue) type-check in a strict Vite app', () => {
    const errors = inBlocks(
      compile('vue-tsc', join(ROOT, 'test/docs/.out/tsconfig.bundler.json')),
      byPath,
    )
    // A syntax error anywhere hides every semantic one: README errors first.
    expect(own(errors)).toEqual([])
    expect(canary(errors)).toMatch(/TS6133 'unused' is declared/)
    expect(canary(errors)).toMatch(/TS6133 'sendJsonMessage' is declared/)
  }, 180_000)

  it('Node blocks type-check under NodeNext', () => {
    const errors = inBlocks(compile('tsc', join(ROOT, 'test/docs/.out/tsconfig.node.json')), byPath)
    expect(own(errors)).toEqual([])
    expect(canary(errors)).toMatch(/TS2835 Relative import paths need explicit file extensions/)
    // The packages' types are there, not `any`: a wrong payload is caught.
    expect(canary(errors)).toMatch(/TS2322 Type 'string' is not assignable to type 'number'/)
  }, 120_000)

  const runnable = [...byPath].filter(([, b]) => b.run)
  it.each(runnable.map(([path, b]) => [`${b.readme}:${b.line}`, path]))(
    '%s runs and exits 0',
    async (_name, path) => {
      const result = await runBlock(path, 20_000)
      expect(result.timedOut, `still running after 20 s:\n${result.output}`).toBe(false)
      expect(result.code, result.output).toBe(0)
    },
    30_000,
  )
})
