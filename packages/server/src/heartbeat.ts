/** The part of a connection a sweep needs. */
export interface Sweepable {
  /** Cleared by each sweep; set again by a pong or any inbound traffic. */
  alive: boolean
  ping(): void
  terminate(): void
}

/**
 * Protocol-level ping sweeps: one timer for all clients. A client that has not shown any
 * sign of life (pong or message) since the previous sweep is terminated, so a dead peer
 * goes within two intervals; the half-open sockets it leaves would otherwise stay until
 * TCP gives up, hours later.
 */
export function startSweeps(
  interval: number,
  clients: () => Iterable<Sweepable>,
  onDead: (client: Sweepable) => void,
): () => void {
  const timer = setInterval(() => {
    for (const client of clients()) {
      if (!client.alive) {
        client.terminate()
        onDead(client)
        continue
      }
      client.alive = false
      client.ping()
    }
  }, interval)
  // The server's listening socket keeps the process alive, not this timer.
  timer.unref?.()
  return () => clearInterval(timer)
}
