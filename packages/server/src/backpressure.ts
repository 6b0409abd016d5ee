/** What to do with one outgoing message given how much the client has not yet taken. */
export type BackpressureVerdict = 'send' | 'drop' | 'close'

/**
 * Checked before every write. Data is written only while the client's buffer is at or
 * under the limit, so what the server holds for a slow client stays below
 * `maxBufferedBytes` plus one message, whatever the send rate.
 */
export function backpressureVerdict(
  bufferedAmount: number,
  maxBufferedBytes: number,
  policy: 'drop' | 'close',
): BackpressureVerdict {
  if (bufferedAmount <= maxBufferedBytes) return 'send'
  return policy
}
