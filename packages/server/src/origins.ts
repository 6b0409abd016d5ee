import { describe } from './errors'
import { fail } from './option-checks'
import type { ResolvedOptions, SocketServerOptions } from './options-types'

function normalizeOriginEntry(entry: unknown): string {
  if (typeof entry === 'string') {
    try {
      const url = new URL(entry)
      const bare =
        url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password
      if (
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        bare &&
        !entry.endsWith('/.')
      ) {
        return url.origin
      }
    } catch {
      // reported below with the fix
    }
  }
  return fail(
    `\`origins\` entry ${describe(entry)} is not an origin`,
    "Write each as scheme://host[:port] with no path, e.g. 'https://app.example.com'.",
  )
}

export function resolveOrigins(
  option: SocketServerOptions['origins'],
): ResolvedOptions<string>['origins'] {
  if (option === undefined) return null
  if (typeof option === 'function') return option
  if (!Array.isArray(option)) {
    fail(
      `\`origins\` must be an array of origins or a function, got ${describe(option)}`,
      "Pass e.g. `origins: ['https://app.example.com']`.",
    )
  }
  if (option.length === 0) {
    fail(
      '`origins` is empty, so every browser would be refused',
      'List the allowed origins, or leave `origins` out to allow any.',
    )
  }
  const allowed = new Set(option.map(normalizeOriginEntry))
  return (origin) => {
    // Non-browser clients send no Origin and could forge one anyway: authentication, not
    // this list, is what stops them. The list stops other sites' pages (CSWSH).
    if (origin === undefined) return true
    try {
      return allowed.has(new URL(origin).origin)
    } catch {
      return false
    }
  }
}
