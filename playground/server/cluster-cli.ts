// `pnpm cluster`: redis-server, three playground instances on it and the round-robin front,
// on 127.0.0.1, port PORT or 5174 (a free one when that is taken; PORT=0: a free one at
// once). Ctrl+C stops all of it: the instances, the front and redis-server.
import { type Cluster, startCluster } from './cluster'

const wanted = Number(process.env.PORT ?? 5174)
if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`)
  process.exit(2)
}

// Not `npm start`'s Vite cache, so that both can run side by side without clearing it.
const CACHE = 'node_modules/.vite-cluster'

console.log('Starting redis-server and three instances…')
let cluster: Cluster
try {
  cluster = await startCluster({ port: wanted, cacheDir: CACHE })
} catch (error) {
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
  console.log(`Port ${wanted} is taken; using a free one.`)
  cluster = await startCluster({ port: 0, cacheDir: CACHE })
}

let stopping = 0
const stop = (signal: string) => {
  // Copies of one Ctrl+C (the terminal's, and the one scripts/run.mjs passes on) arrive
  // together and are one stop; a signal repeated a second later forces the exit.
  if (stopping) {
    if (Date.now() - stopping > 1_000) process.exit(1)
    return
  }
  stopping = Date.now()
  console.log(`\n${signal}: stopping the instances, the front and redis-server…`)
  const force = setTimeout(() => process.exit(1), 8_000)
  force.unref()
  cluster.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGHUP', () => stop('SIGHUP'))

const { playground, redis } = cluster
const faults = playground.pages.filter((p) => p.page === 'faults')
const lines = [
  '',
  `  Tethered playground, cluster  ${playground.url}`,
  `  redis-server                  ${redis.url} (pid ${redis.pid})`,
  ...cluster
    .instances()
    .map((i) => `  instance ${i.name.padEnd(20)} 127.0.0.1:${i.port} (pid ${i.pid})`),
  `  Cluster state                 ${playground.url}api/cluster`,
  `  Kill an instance              curl -X POST '${playground.url}api/cluster/kill?instance=a'`,
  '',
  ...faults.map((p) => `  ${p.framework.padEnd(6)} ${p.title.padEnd(22)} ${p.url}?reliable=1`),
  '',
  '  Ctrl+C to stop.',
  '',
]
console.log(lines.join('\n'))
