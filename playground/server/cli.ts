// `npm start` / `pnpm --filter @tethered/playground start`: the playground on 127.0.0.1,
// port PORT or 5173, or a free one when that is taken (PORT=0: a free one at once).
import { type Playground, startPlayground } from './index'
import { stopOnSignals } from './stop-on-signals'

const wanted = Number(process.env.PORT ?? 5173)
if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`)
  process.exit(2)
}

let playground: Playground
try {
  playground = await startPlayground({ port: wanted })
} catch (error) {
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
  console.log(`Port ${wanted} is taken; using a free one.`)
  playground = await startPlayground({ port: 0 })
}

stopOnSignals('the playground', () => playground.close(), 5_000)

// Printed once the handlers above are in place: whoever waits for this line may stop it.
const width = Math.max(...playground.pages.map((p) => p.title.length))
const lines = [
  '',
  `  Tethered playground  ${playground.url}`,
  `  WebSocket            ${playground.socketUrl}`,
  '',
]
let framework = ''
for (const page of playground.pages) {
  const label = page.framework === framework ? '' : page.framework
  framework = page.framework
  lines.push(`  ${label.padEnd(6)} ${page.title.padEnd(width)}  ${page.url}`)
}
lines.push('', '  Ctrl+C to stop.', '')
console.log(lines.join('\n'))
