import { afterAll, beforeAll } from 'vitest'
import { type RedisServer, startRedis } from '../../../test/support/redis-server'
import { describeStateAdapter, type TestMember } from '../../server/test/adapter-contract'
import { redisAdapter } from '../src/index'

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(() => redis?.stop())

let n = 0
// A prefix per adapter: each test starts from an empty cluster on the same redis-server.
describeStateAdapter('redisAdapter()', async () => {
  const adapter = redisAdapter<TestMember>({ url: redis.url, prefix: `contract${++n}:` })
  await adapter.ready
  return adapter
})
