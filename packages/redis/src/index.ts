export type { RedisAdapterOptions } from './options'
export { type RedisStateAdapter, redisAdapter } from './redis-adapter'
