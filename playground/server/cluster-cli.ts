// `pnpm cluster`: redis-server, three playground instances on it and the round-robin front,
// on 127.0.0.1, port PORT or 5174 (a free one when that is taken; PORT=0: a free one at
// once). Ctrl+C stops all of it: the instances, the front and redis-server.
import { type Cluster, startCluster } from './cluster'
import { stopOnSignals } from './stop-on-signals'

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

stopOnSignals('the instances, the front and redis-server', () => cluster.close(), 8_000)

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
