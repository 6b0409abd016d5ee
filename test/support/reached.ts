import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

/** Every source file `file` reaches through relative imports (`.ts` where none is written). */
export function reached(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen
  seen.add(file)
  const text = readFileSync(file, 'utf8')
  for (const [, spec] of text.matchAll(/from '(\.[^']+)'/g)) {
    const path = resolve(dirname(file), spec as string)
    reached(/\.tsx?$/.test(path) ? path : `${path}.ts`, seen)
  }
  return seen
}
