import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src')

/** Every source file `file` reaches through relative imports. */
function reached(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen
  seen.add(file)
  const text = readFileSync(file, 'utf8')
  for (const [, spec] of text.matchAll(/from '(\.[^']+)'/g)) {
    const path = resolve(dirname(file), spec as string)
    reached(path.endsWith('.ts') ? path : `${path}.ts`, seen)
  }
  return seen
}

describe('the compat entry', () => {
  it('is never pulled in by the main entry, and pulls in nothing of it but core', () => {
    const main = [...reached(resolve(src, 'index.ts'))]
    expect(main.filter((f) => f.includes('/compat/'))).toEqual([])
    const compat = [...reached(resolve(src, 'compat/index.ts'))]
    expect(compat.filter((f) => !f.includes('/compat/'))).toEqual([])
  })

  it('has its own export path', () => {
    const pkg = JSON.parse(readFileSync(resolve(src, '../package.json'), 'utf8'))
    expect(pkg.exports['./compat']['@tethered/source']).toBe('./src/compat/index.ts')
  })
})
