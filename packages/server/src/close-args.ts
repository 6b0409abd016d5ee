import { isCloseReason, isServerCloseCode } from '@tethered/protocol'
import { usageError } from './errors'

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
  if (typeof reason !== 'string' || !isCloseReason(reason)) {
    throw usageError(
      where.reason,
      'the reason must be a string of at most 123 bytes of UTF-8',
      where.reasonFix,
    )
  }
}
