// The code blocks of the READMEs that claim to compile. The convention, which the root
// README's "README code blocks" section repeats for contributors:
//
// - every ```ts, ```tsx and ```vue block is type-checked; ```sh, ```js and the rest are not;
// - words after the language in the info string (GitHub shows only the first) say how:
//   `fragment` — not a whole file (a signature, a line of a larger example): not checked;
//   `node`     — a Node program: checked with `module: NodeNext`;
//   `run`      — a Node program that is also run, and must exit 0 by itself within the
//                timeout (servers on port 0, closed at the end);
//   otherwise the block is browser code: `moduleResolution: bundler`, JSX, `.vue` by vue-tsc;
// - a first line `// name.ts` names the file, so the other blocks of the same README can
//   import it (`./events` from a bundler block, `./events.js` from a Node one).
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

export type Kind = 'bundler' | 'node'

export interface Block {
  /** The README, relative to the repository root. */
  readme: string
  /** 1-based line of the block's first code line in the README. */
  line: number
  lang: 'ts' | 'tsx' | 'vue'
  kind: Kind
  run: boolean
  /** The file name the block is written to, in its README's folder. */
  file: string
  code: string
}

const CHECKED = new Set(['ts', 'tsx', 'vue'])
const FLAGS = new Set(['fragment', 'node', 'run'])

/** Every block of one markdown text that is checked; throws on an unknown flag or a clash. */
export function extractBlocks(readme: string, markdown: string): Block[] {
  const lines = markdown.split('\n')
  const blocks: Block[] = []
  const names = new Set<string>()
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(\S*)[ \t]*(.*)$/.exec(lines[i] ?? '')
    if (!open) continue
    const [, indent = '', fence = '', lang = '', rest = ''] = open
    const start = i + 1
    let end = start
    while (end < lines.length && !(lines[end] ?? '').startsWith(`${indent}${fence}`)) end++
    i = end
    if (!CHECKED.has(lang)) continue
    const flags = rest.split(/\s+/).filter(Boolean)
    const unknown = flags.filter((f) => !FLAGS.has(f))
    if (unknown.length > 0) {
      throw new Error(
        `${readme}:${start}: unknown flag ${unknown.join(', ')} on a \`\`\`${lang} block; use ${[...FLAGS].join(', ')}`,
      )
    }
    if (flags.includes('fragment')) continue
    const code = lines
      .slice(start, end)
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
      .join('\n')
    const named = /^\/\/ ([\w.-]+\.(?:ts|tsx))\b/.exec(code)?.[1]
    const file = named ?? `L${start + 1}.${lang}`
    if (named && !named.endsWith(`.${lang}`)) {
      throw new Error(`${readme}:${start + 1}: a \`\`\`${lang} block named ${named}`)
    }
    if (names.has(file)) throw new Error(`${readme}:${start + 1}: a second block named ${file}`)
    names.add(file)
    const run = flags.includes('run')
    if (run && lang !== 'ts') throw new Error(`${readme}:${start + 1}: only ts blocks run`)
    blocks.push({
      readme,
      line: start + 1,
      lang: lang as Block['lang'],
      kind: run || flags.includes('node') ? 'node' : 'bundler',
      run,
      file,
      code: `${code}\n`,
    })
  }
  return blocks
}

/** The READMEs whose blocks are checked: the root's, each package's, the playground's, docs/. */
export function readmes(root: string): string[] {
  const list = ['README.md', 'playground/README.md']
  for (const dir of readdirSync(join(root, 'packages'))) list.push(`packages/${dir}/README.md`)
  if (existsSync(join(root, 'docs'))) {
    for (const f of readdirSync(join(root, 'docs'))) if (f.endsWith('.md')) list.push(`docs/${f}`)
  }
  return list.filter((f) => existsSync(join(root, f)))
}
