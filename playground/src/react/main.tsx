import { type ComponentType, StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import type { PageId } from '../shared/pages'
import { ChatPage } from './ChatPage'
import { ConnectionPage } from './ConnectionPage'
import { DashboardPage } from './DashboardPage'
import { FaultsPage } from './FaultsPage'
import { Layout } from './Layout'

const PAGES: Record<PageId, ComponentType> = {
  connection: ConnectionPage,
  chat: ChatPage,
  dashboard: DashboardPage,
  faults: FaultsPage,
}

export function mountReact(el: HTMLElement, page: PageId): void {
  const Page = PAGES[page]
  // StrictMode on purpose: it mounts twice in development, and still one socket reaches the server.
  createRoot(el).render(
    <StrictMode>
      <Layout framework="react" page={page}>
        <Page />
      </Layout>
    </StrictMode>,
  )
}
