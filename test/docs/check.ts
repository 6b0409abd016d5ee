// Writes the README blocks as files under test/docs/.out (gitignored), type-checks them as
// a new user's project would (a create-vite app's strict settings, plus ours), and runs the
// runnable ones. `@tethered/*` are the workspace sources: bundler blocks read them through
// the `@tethered/source` condition; Node blocks (NodeNext) read declarations emitted from
// them, because the sources' extensionless imports are bundler-style and NodeNext would
// reject them rather than the example.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Block, Kind } from './blocks'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const OUT = join(ROOT, 'test/docs/.out')
const TYPES = join(OUT, 'types')
const require = createRequire(join(ROOT, 'package.json'))

/** A create-vite template's strict settings, and the ones this repository holds itself to. */
const STRICT = {
  target: 'ES2022',
  strict: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  erasableSyntaxOnly: true,
  noFallthroughCasesInSwitch: true,
  noUncheckedSideEffectImports: true,
  moduleDetection: 'force',
  isolatedModules: true,
  skipLibCheck: true,
  noEmit: true,
}

const CONFIGS: Record<Kind, Record<string, unknown>> = {
  bundler: {
    ...STRICT,
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    module: 'ESNext',
    moduleResolution: 'bundler',
    customConditions: ['@tethered/source'],
    jsx: 'react-jsx',
    types: [],
  },
  node: {
    ...STRICT,
    lib: ['ES2022'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node'],
    paths: {
      '@tethered/core': [join(TYPES, 'core/src/index.d.ts')],
      '@tethered/core/protocol': [join(TYPES, 'core/src/protocol.d.ts')],
      '@tethered/protocol': [join(TYPES, 'protocol/src/index.d.ts')],
      '@tethered/server': [join(TYPES, 'server/src/index.d.ts')],
      '@tethered/redis': [join(TYPES, 'redis/src/index.d.ts')],
      // Only the redis package depends on it; pnpm does not hoist it to the root.
      ioredis: [join(ROOT, 'packages/redis/node_modules/ioredis')],
    },
  },
}

const folder = (readme: string) => join(OUT, readme.replace(/\.md$/, '').replaceAll('/', '_'))

/** Writes every block; returns them by absolute path. */
export function writeBlocks(blocks: Block[]): Map<string, Block> {
  rmSync(OUT, { recursive: true, force: true })
  const byPath = new Map<string, Block>()
  for (const block of blocks) {
    const path = join(folder(block.readme), block.file)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, block.code)
    byPath.set(path, block)
  }
  for (const kind of ['bundler', 'node'] as const) {
    const files = [...byPath].filter(([, b]) => b.kind === kind).map(([path]) => path)
    const config = { compilerOptions: CONFIGS[kind], files }
    writeFileSync(join(OUT, `tsconfig.${kind}.json`), JSON.stringify(config, null, 2))
  }
  return byPath
}

/** The declarations of protocol, core, server and redis, from their sources, for the NodeNext check. */
export function emitDeclarations(): void {
  const config = {
    compilerOptions: {
      ...CONFIGS.bundler,
      noEmit: false,
      declaration: true,
      emitDeclarationOnly: true,
      rootDir: join(ROOT, 'packages'),
      outDir: TYPES,
    },
    files: [
      'protocol/src/index.ts',
      'core/src/index.ts',
      'core/src/protocol.ts',
      'server/src/index.ts',
      'redis/src/index.ts',
    ].map((f) => join(ROOT, 'packages', f)),
  }
  const path = join(OUT, 'tsconfig.types.json')
  writeFileSync(path, JSON.stringify(config, null, 2))
  // Type errors of the sources are the root typecheck's business; only a missing output stops this.
  compile('tsc', path)
  const index = join(TYPES, 'core/src/index.d.ts')
  if (!statSync(index, { throwIfNoEntry: false })) {
    throw new Error(`emitting the packages' declarations failed: no ${index}`)
  }
  // What tsdown's build gives users: relative specifiers that Node (and NodeNext) resolve.
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
    )
  for (const file of walk(TYPES).filter((f) => f.endsWith('.d.ts'))) {
    const text = readFileSync(file, 'utf8').replace(
      /((?:from |import\()['"])(\.{1,2}\/[^'"]+?)(['"])/g,
      (_m, head: string, spec: string, tail: string) => `${head}${spec}.js${tail}`,
    )
    writeFileSync(file, text)
  }
}

export interface Diagnostic {
  /** Absolute path, or '' for a diagnostic without a file. */
  file: string
  line: number
  column: number
  code: string
  message: string
}

/** Runs tsc or vue-tsc on a config; returns its diagnostics. */
export function compile(tool: 'tsc' | 'vue-tsc', config: string): Diagnostic[] {
  const bin = require.resolve(tool === 'tsc' ? 'typescript/bin/tsc' : 'vue-tsc/bin/vue-tsc.js')
  const result = spawnSync(process.execPath, [bin, '-p', config, '--pretty', 'false'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  })
  if (result.error) throw result.error
  const diagnostics: Diagnostic[] = []
  for (const line of `${result.stdout}${result.stderr}`.split('\n')) {
    const at = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line)
    const bare = /^error (TS\d+): (.*)$/.exec(line)
    if (at) {
      const [, file = '', l = '0', c = '0', code = '', message = ''] = at
      diagnostics.push({ file: resolve(ROOT, file), line: +l, column: +c, code, message })
    } else if (bare) {
      diagnostics.push({ file: '', line: 0, column: 0, code: bare[1]!, message: bare[2]! })
    } else if (line.startsWith(' ') && diagnostics.length > 0) {
      diagnostics[diagnostics.length - 1]!.message += `\n${line}`
    }
  }
  if (result.status !== 0 && diagnostics.length === 0) {
    throw new Error(
      `${tool} -p ${config} failed without diagnostics:\n${result.stdout}${result.stderr}`,
    )
  }
  return diagnostics
}

/** Diagnostics as `README.md:line:column TSxxxx message`, for the blocks' own files only. */
export function inBlocks(diagnostics: Diagnostic[], blocks: Map<string, Block>): string[] {
  return diagnostics.flatMap((d) => {
    const block = blocks.get(d.file)
    if (!block) return d.file ? [] : [`${d.code} ${d.message}`]
    // Line 1 of the file is the block's first code line.
    return [`${block.readme}:${block.line + d.line - 1}:${d.column} ${d.code} ${d.message}`]
  })
}

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  output: string
  timedOut: boolean
}

/** Runs a Node block as a user would (`npx tsx file.ts`), on the workspace sources. */
export function runBlock(path: string, timeout: number): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@tethered/source', '--import', 'tsx', relative(ROOT, path)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeout)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      done({ code, signal, output, timedOut })
    })
  })
}
