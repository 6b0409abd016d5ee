import { TetheredError } from './errors'
import type { ConnectionOptions, UrlSource } from './types'

type QueryParams = ConnectionOptions['queryParams']

/** Resolves a url source for one attempt: sync when it can be, so a plain url opens without a tick. */
export function resolveUrl(
  source: Exclude<UrlSource, null>,
  query: QueryParams,
): string | Promise<string> {
  let value: string | URL | Promise<string | URL>
  try {
    value = typeof source === 'function' ? source() : source
  } catch (cause) {
    return Promise.reject(providerError(cause))
  }
  if (value instanceof Promise || typeof (value as { then?: unknown }).then === 'function') {
    return Promise.resolve(value).then(
      (url) => toSocketUrl(url, query),
      (cause) => {
        throw providerError(cause)
      },
    )
  }
  return toSocketUrl(value as string | URL, query)
}

function providerError(cause: unknown): TetheredError {
  return cause instanceof TetheredError
    ? cause
    : new TetheredError('URL_PROVIDER', `Url provider failed: ${describe(cause)}`, cause)
}

/** Validates the url, turns http(s) into ws(s) and appends the query parameters. */
export function toSocketUrl(input: string | URL, query: QueryParams): string {
  let url: URL
  try {
    const base = typeof location === 'undefined' ? undefined : location.href
    url = new URL(String(input), base)
  } catch (cause) {
    throw new TetheredError(
      'INVALID_URL',
      `Invalid url "${String(input)}": pass an absolute ws(s):// url`,
      cause,
    )
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:'
  } else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TetheredError(
      'INVALID_URL',
      `Invalid url "${url.href}": use ws:, wss:, http: or https:`,
    )
  }
  if (query) {
    for (const key of Object.keys(query)) {
      const value = query[key]
      if (value !== null && value !== undefined) url.searchParams.set(key, String(value))
    }
  }
  return url.href
}

export function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause)
}
