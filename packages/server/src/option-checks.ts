import type { Server as HttpServer } from 'node:http'
import { describe, usageError } from './errors'

const WHERE = 'createSocketServer'

export function fail(problem: string, fix: string): never {
  throw usageError(WHERE, problem, fix)
}

/**
 * A positive integer option; `undefined` is the default `fallback` (which the fix shows as
 * the example), or an error when the option is `required`.
 */
export function positiveInteger(
  name: string,
  given: unknown,
  unit: string,
  fallback: number,
  allow: { infinity?: boolean; required?: boolean } = {},
): number {
  const value = (given === undefined || given === null) && !allow.required ? fallback : given
  const ok =
    typeof value === 'number' &&
    value > 0 &&
    (Number.isSafeInteger(value) || (allow.infinity === true && value === Number.POSITIVE_INFINITY))
  if (!ok) {
    const infinity = allow.infinity ? ' or Infinity' : ''
    fail(
      `\`${name}\` must be a positive integer (${unit})${infinity}, got ${describe(value)}`,
      `Pass e.g. \`${name}: ${Number.isFinite(fallback) ? fallback : 1000}\`, or leave it out for the default.`,
    )
  }
  return value
}

export function isHttpServerLike(value: unknown): value is HttpServer {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { on?: unknown }).on === 'function' &&
    typeof (value as { listen?: unknown }).listen === 'function'
  )
}

export function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]!
}
