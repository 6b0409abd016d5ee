// What a user installs: a license and a README in every tarball, one Node range everywhere,
// and READMEs that point only at files a clone has.
import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readmes } from './blocks'
import { ROOT } from './check'

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')
const json = (path: string) => JSON.parse(read(path))
const packages = readdirSync(join(ROOT, 'packages'))
  .map((dir) => `packages/${dir}`)
  .filter((dir) => !json(`${dir}/package.json`).private)
const NODE = json('package.json').engines.node as string

describe('packaging', () => {
  it('the root LICENSE is MIT, and every package says MIT', () => {
    const license = read('LICENSE')
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 Tethered contributors\n/)
    for (const dir of packages) expect(json(`${dir}/package.json`).license, dir).toBe('MIT')
  })

  it.each(packages)(
    '%s: its tarball carries the LICENSE and a README',
    (dir) => {
      expect(read(`${dir}/LICENSE`), `${dir}/LICENSE is a copy of the root's`).toBe(read('LICENSE'))
      // The pnpm running the tests (`npm test` may have brought it through npx), else PATH's.
      const execpath = process.env.npm_execpath
      const [bin, ...pre] = execpath?.includes('pnpm') ? [process.execPath, execpath] : ['pnpm']
      const out = execFileSync(bin!, [...pre, 'pack', '--dry-run', '--json'], {
        cwd: join(ROOT, dir),
        encoding: 'utf8',
        timeout: 30_000,
      })
      const files = (JSON.parse(out) as { files: { path: string }[] }).files.map((f) => f.path)
      expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']))
    },
    40_000,
  )

  it(`one engines range, ${NODE}, in every package and in the READMEs`, () => {
    expect(NODE).toBe('>=20.19')
    for (const dir of packages) {
      expect(json(`${dir}/package.json`).engines?.node, `${dir} engines.node`).toBe(NODE)
    }
    const version = NODE.slice(2)
    for (const readme of readmes(ROOT)) {
      // "Node 20.19 or newer", "Node (20.19 or later)", "Node 20.19+": the minimum, wherever said.
      for (const [said] of read(readme).matchAll(
        /Node \(?\d+(?:\.\d+)*(?=\+| or (?:newer|later))/g,
      )) {
        expect(said.replace(/^Node \(?/, ''), `${readme}: "${said}"`).toBe(version)
      }
    }
  })

  it('no README points at a file git ignores (a results file a clone does not have)', () => {
    const ignored: string[] = []
    for (const readme of readmes(ROOT)) {
      const dir = readme.includes('/') ? readme.slice(0, readme.lastIndexOf('/') + 1) : ''
      const text = read(readme)
      // Backticked repository paths, and relative link targets; files only (with an extension).
      const paths = [
        ...[...text.matchAll(/`((?:test|packages|playground|scripts)\/[\w./-]+\.\w+)`/g)].map(
          (m) => m[1]!,
        ),
        ...[...text.matchAll(/\]\((?!https?:|#)([^)#\s]+\.\w+)/g)].map((m) => `${dir}${m[1]}`),
      ]
      for (const path of paths) {
        const check = spawnSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: ROOT })
        if (check.status === 0) ignored.push(`${readme}: ${path}`)
      }
    }
    expect(ignored).toEqual([])
  })
})
