import { type Component, createApp, h } from 'vue'
import type { PageId } from '../shared/pages'
import ChatPage from './ChatPage.vue'
import ConnectionPage from './ConnectionPage.vue'
import DashboardPage from './DashboardPage.vue'
import FaultsPage from './FaultsPage.vue'
import Layout from './Layout.vue'

const PAGES: Record<PageId, Component> = {
  connection: ConnectionPage,
  chat: ChatPage,
  dashboard: DashboardPage,
  faults: FaultsPage,
}

export function mountVue(el: HTMLElement, page: PageId): void {
  createApp({
    render: () => h(Layout, { framework: 'vue', page }, () => h(PAGES[page])),
  }).mount(el)
}
