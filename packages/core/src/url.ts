import { TetheredError } from './errors'
import type { ConnectionOptions } from './types'

/** Validates the url, turns http(s) into ws(s) and appends the query parameters. */
export function toSocketUrl(input: string | URL, query: ConnectionOptions['queryParams']): string {
  let url: URL | undefined
  try {
    url = new URL(input, globalThis.location?.href)
  } catch {}
  if (!url || !/^(http|ws)s?:$/.test(url.protocol)) {
    throw new TetheredError('INVALID_URL', `Invalid url "${input}": use ws:, wss:, http: or https:`)
  }
  url.protocol = url.protocol.replace('http', 'ws')
  for (const [key, value] of Object.entries(query ?? {})) {
    // `set` turns numbers and booleans into their text.
    if (value != null) url.searchParams.set(key, value as string)
  }
  return url.href
}
