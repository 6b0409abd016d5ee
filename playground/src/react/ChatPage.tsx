import { CloseCode, type CloseInfo, useSocket } from '@tethered/react'
import { useEffect, useRef, useState, useSyncExternalStore } from 'react'
import { ChatFeed } from '../shared/chat'
import { describeClose, shortTime } from '../shared/format'
import {
  HEARTBEAT,
  MAX_CHAT_TEXT,
  type PlaygroundEvents,
  SOCKET_PATH,
  validName,
} from '../shared/protocol'
import { SocketWatch } from '../shared/socket-watch'
import source from './ChatPage.tsx?raw'
import { StatusLine } from './StatusLine'
import { UnderTheHood } from './UnderTheHood'

export function ChatPage() {
  const [draftName, setDraftName] = useState('')
  const [name, setName] = useState<string | null>(null)
  const [text, setText] = useState('')
  const [people, setPeople] = useState<string[]>([])
  const [replaced, setReplaced] = useState<CloseInfo | null>(null)
  const [left, setLeft] = useState(false)
  const [feed] = useState(() => new ChatFeed())
  const [watch] = useState(() => new SocketWatch())
  const items = useSyncExternalStore(feed.subscribe, feed.getItems)
  const feedEnd = useRef<HTMLDivElement>(null)

  // #region hook
  // No name, no socket (`url = null`). The name goes in the query: the server's registry
  // keys connections by it, so a second tab with the same name replaces this one.
  const chat = useSocket<PlaygroundEvents>(name ? SOCKET_PATH : null, {
    ...(name ? { queryParams: { name } } : {}),
    heartbeat: HEARTBEAT,
    types: ['message', 'joined', 'left', 'presence'],
    on: {
      message: (message) => feed.message(message),
      joined: (event) => feed.joined(event.name, name, event.at),
      left: (event) => feed.note(`${event.name} left`, event.at),
      presence: (event) => setPeople(event.names),
    },
    onOpen: (event) => {
      watch.opened(event)
      feed.opened()
      setReplaced(null)
    },
    onClose: (info) => {
      feed.lost()
      setPeople([])
      if (info.code === CloseCode.REPLACED) setReplaced(info)
    },
    onError: watch.errored,
  })
  const isOpen = chat.status === 'open'

  // Every (re)connect fetches the history: what was said while away fills in.
  useEffect(() => {
    if (!isOpen) return
    let current = true
    chat.request('history', { limit: 50 }, { timeout: 5_000 }).then(
      (messages) => current && feed.history(messages),
      (error: Error) => current && feed.note(`History unavailable: ${error.message}`),
    )
    return () => {
      current = false
    }
  }, [isOpen, chat.request, feed])
  // #endregion hook

  useEffect(() => {
    if (items.length > 0) feedEnd.current?.scrollIntoView({ block: 'end' })
  }, [items])

  const nameOk = validName(draftName.trim())

  const join = () => {
    if (!nameOk) return
    feed.clear()
    setPeople([])
    setReplaced(null)
    setLeft(false)
    setName(draftName.trim())
  }

  const leave = () => {
    feed.left()
    setName(null)
    setLeft(true)
    setPeople([])
  }

  const send = () => {
    const message = text.trim()
    if (!message || !isOpen) return
    chat.emit('message', { text: message })
    setText('')
  }

  return (
    <div className="grid grid-sidebar">
      <section className="card chat" aria-label="Chat room">
        <div className="chat-head">
          {name ? (
            <>
              <div>
                <div className="card-title">Signed in as</div>
                <strong data-testid="chat-name">{name}</strong>
              </div>
              <button type="button" className="btn btn-ghost" onClick={leave}>
                Leave
              </button>
            </>
          ) : (
            <form
              className="inline-form"
              style={{ flex: 1 }}
              onSubmit={(event) => {
                event.preventDefault()
                join()
              }}
            >
              <input
                className="input"
                aria-label="Your name"
                placeholder="Pick a name, e.g. ada"
                maxLength={24}
                value={draftName}
                onChange={(event) => setDraftName(event.target.value)}
              />
              <button type="submit" className="btn btn-primary" disabled={!nameOk}>
                Join
              </button>
            </form>
          )}
          <StatusLine
            socket={chat}
            watch={watch}
            idle={left ? 'You left the room' : 'Join with a name to connect'}
          />
        </div>

        {replaced && (
          <div
            className="notice notice--warn"
            role="alert"
            data-testid="replaced"
            style={{ margin: 14 }}
          >
            <div>
              <strong>Signed out here: “{name}” joined from another tab.</strong>
              <p>
                The server closed this connection ({describeClose(replaced)}). That close code is
                not retried, so the two tabs do not fight over the name.
              </p>
            </div>
            <button type="button" className="btn" onClick={() => chat.open()}>
              Use this tab
            </button>
          </div>
        )}

        <div className="chat-feed" data-testid="chat-feed">
          {items.length === 0 && (
            <div className="empty">
              {name ? 'No messages yet. Say hello.' : 'Join with a name to chat.'}
            </div>
          )}
          {items.map((item) =>
            item.kind === 'system' ? (
              <div key={item.key} className="chat-note" data-testid="chat-note">
                {item.text}
              </div>
            ) : (
              <div
                key={item.key}
                className={item.message.from === name ? 'chat-message is-mine' : 'chat-message'}
                data-testid="chat-message"
              >
                <div className="chat-meta">
                  <strong>{item.message.from}</strong> · {shortTime(item.message.at)}
                </div>
                <div className="chat-bubble">{item.message.text}</div>
              </div>
            ),
          )}
          <div ref={feedEnd} />
        </div>

        <form
          className="chat-compose"
          onSubmit={(event) => {
            event.preventDefault()
            send()
          }}
        >
          <input
            className="input"
            aria-label="Chat message"
            placeholder={isOpen ? 'Write a message…' : 'Not connected'}
            maxLength={MAX_CHAT_TEXT}
            value={text}
            disabled={!isOpen}
            onChange={(event) => setText(event.target.value)}
          />
          <button type="submit" className="btn btn-primary" disabled={!isOpen || !text.trim()}>
            Send
          </button>
        </form>
      </section>

      <aside className="stack">
        <section className="card" aria-labelledby="people-title">
          <div className="card-head">
            <h2 className="card-title" id="people-title">
              {isOpen ? `In the room · ${people.length}` : 'In the room'}
            </h2>
          </div>
          {!isOpen ? (
            <p className="card-note" data-testid="people-unknown">
              {name
                ? 'Not connected: who is here shows once the socket is open again.'
                : 'Join to see who is here.'}
            </p>
          ) : people.length === 0 ? (
            <p className="card-note">Nobody yet.</p>
          ) : (
            <ul className="people" data-testid="people">
              {people.map((person) => (
                <li key={person} className="person">
                  <span className="avatar">{person.slice(0, 2)}</span>
                  {person}
                  {person === name && <span className="you">(you)</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card">
          <div className="card-head">
            <h2 className="card-title">Try this</h2>
          </div>
          <ul className="hint-list">
            <li>Open this page in a second tab (or the Vue version) with another name and chat.</li>
            <li>
              Join with the same name in another tab: this one is replaced with close code 4409 and
              stays closed.
            </li>
            <li>
              History comes from <code>request('history')</code> on every connect.
            </li>
          </ul>
        </section>
      </aside>
      <div className="span-all">
        <UnderTheHood snapshot={chat} watch={watch} source={source} file="react/ChatPage.tsx" />
      </div>
    </div>
  )
}
