/**
 * Stops with `close()` on SIGINT, SIGTERM and SIGHUP. Copies of one Ctrl+C (the terminal's,
 * and the one `npm start` / scripts/run.mjs pass on) arrive together and are one stop; a
 * signal repeated a second later, or a close that takes longer than `grace` ms, forces the exit.
 */
export function stopOnSignals(what: string, close: () => Promise<unknown>, grace: number): void {
  let stopping = 0
  const stop = (signal: string) => {
    if (stopping) {
      if (Date.now() - stopping > 1_000) process.exit(1)
      return
    }
    stopping = Date.now()
    console.log(`\n${signal}: stopping ${what}…`)
    setTimeout(() => process.exit(1), grace).unref()
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => stop(signal))
}
