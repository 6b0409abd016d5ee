// The behaviour suite through @tethered/vue: each mount is a component whose render
// function reads the composable's refs and reports them.
import {
  type UseSocketReturn,
  useConnection,
  useConnectionSocket,
  useSocket,
  useWebSocket,
} from '@tethered/vue'
import { mount } from '@vue/test-utils'
import { h, nextTick, type Ref, ref } from 'vue'
import { describeBehaviour } from './behaviour'
import {
  type AnyEvents,
  type Binding,
  createProbe,
  type EventApi,
  type EventState,
  type Mounted,
  type SocketState,
  track,
} from './harness'

function mountProbe<S>(initial: S, use: (url: Ref<string | null>) => () => S) {
  const probe = createProbe(initial)
  const url = ref<string | null>(null)
  let read!: () => S
  const wrapper = mount({
    setup() {
      read = use(url)
      return () => {
        probe.report(read())
        return h('pre', String(probe.renders))
      }
    },
  })
  return { probe, url, wrapper }
}

const initialState = (): SocketState => ({
  readyState: -1,
  lastMessage: null,
  lastJsonMessage: null,
  reconnectAttempt: 0,
  error: null,
  resumed: null,
  status: 'idle',
  stopped: null,
})

const read = (api: ReturnType<typeof useWebSocket>) => (): SocketState => ({
  readyState: api.readyState.value,
  lastMessage: api.lastMessage.value,
  lastJsonMessage: api.lastJsonMessage.value,
  reconnectAttempt: api.reconnectAttempt.value,
  error: api.error.value,
  resumed: api.resumed.value,
  status: api.status.value,
  stopped: api.stopped.value,
})

// A typed composable (useSocket, useConnectionSocket) in a component, reporting every render.
function mountEvents(
  use: (url: Ref<string | null>) => UseSocketReturn<AnyEvents>,
): Mounted<EventState, EventApi> {
  let api!: UseSocketReturn<AnyEvents>
  const { probe, wrapper } = mountProbe<EventState>(
    { readyState: -1, lastMessage: null, error: null, resumed: null },
    (source) => {
      api = use(source)
      return () => ({
        readyState: api.readyState.value,
        lastMessage: api.lastMessage.value,
        error: api.error.value,
        resumed: api.resumed.value,
      })
    },
  )
  return track(
    probe,
    { emit: (type, data) => api.emit(type, data), request: api.request },
    {
      setUrl: () => Promise.reject(new Error('not used')),
      unmount: () => wrapper.unmount(),
    },
  )
}

const binding: Binding = {
  name: 'vue',
  mountWebSocket(initial, options) {
    let api!: ReturnType<typeof useWebSocket>
    const { probe, url, wrapper } = mountProbe(initialState(), (source) => {
      source.value = initial
      api = useWebSocket(source, options)
      return read(api)
    })
    return track(probe, api, {
      async setUrl(next) {
        url.value = next
        await nextTick()
      },
      unmount: () => wrapper.unmount(),
    })
  },
  mountConnection(connection, options) {
    let api!: ReturnType<typeof useConnection>
    const { probe, wrapper } = mountProbe(initialState(), () => {
      api = useConnection(connection, options)
      return read(api)
    })
    return track(probe, api, {
      setUrl: () => Promise.reject(new Error('not used')),
      unmount: () => wrapper.unmount(),
    })
  },
  mountSocket: (initial, options) =>
    mountEvents((source) => {
      source.value = initial
      return useSocket<AnyEvents>(source, options)
    }),
  mountConnectionSocket: (connection, options) =>
    mountEvents(() => useConnectionSocket<AnyEvents>(connection, options)),
}

describeBehaviour(binding)
