// The tests' redis-server is the one `pnpm cluster` starts: one way to run Debian's
// redis-server on a free port and stop it by PID (playground/server/redis-server.ts).
export {
  REDIS_SERVER,
  type RedisOptions,
  type RedisServer,
  startRedis,
} from '../../playground/server/redis-server'
