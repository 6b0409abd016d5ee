import { usageError } from './errors'

/** The close codes a server may send: as `ws` allows them, minus the reserved 1004–1006. */
export const isServerCloseCode = (code: number): boolean =>
  Number.isInteger(code) &&
  ((code >= 3000 && code <= 4999) ||
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006))

/**
 * Checks a close code and reason given to `client.close()` or `server.close()`; `where`
 * names the call, `fix` says what to pass instead of a bad code.
 */
export function assertCloseArgs(
  code: number,
  reason: unknown,
  where: { code: string; reason: string; fix: string; reasonFix: string },
): void {
  if (!isServerCloseCode(code)) {
    throw usageError(where.code, 'the code is not one a server may send', where.fix)
  }
  if (typeof reason !== 'string' || Buffer.byteLength(reason) > 123) {
    throw usageError(
      where.reason,
      'the reason must be a string of at most 123 bytes of UTF-8',
      where.reasonFix,
    )
  }
}
