import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { reached } from '../../../../test/support/reached'

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src')

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
