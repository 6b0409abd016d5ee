import { FRAMEWORKS, PAGES, pagePath } from '../shared/pages'

const ICONS: Record<string, string> = {
  connection: '⇄',
  chat: '✉',
  dashboard: '◔',
  faults: '⚡',
}

const TOPBAR = `
      <header class="topbar">
        <a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span>Tethered<span class="brand-sub">playground</span></a>
      </header>`

/** The index: every page, each in React and in Vue. Static markup, no user input. */
export function renderHome(el: HTMLElement): void {
  document.title = 'Tethered playground'
  const cards = PAGES.map(
    (page) => `
      <article class="card home-card">
        <div class="home-icon" aria-hidden="true">${ICONS[page.id] ?? '•'}</div>
        <h2>${page.title}</h2>
        <p>${page.summary}</p>
        <div class="home-links">
          ${FRAMEWORKS.map(
            (f) => `<a class="btn btn-secondary" href="${pagePath(f.id, page.id)}">${f.label}</a>`,
          ).join('')}
        </div>
      </article>`,
  ).join('')

  el.innerHTML = `
    <div class="app">
${TOPBAR}
      <main class="content">
        <section class="hero">
          <h1>UI components tethered to a live WebSocket</h1>
          <p>Each page exists twice, once with <code>@tethered/react</code> and once with
          <code>@tethered/vue</code>, against the same <code>@tethered/server</code> backend on this
          origin at <code>/ws</code>. Open two tabs to chat with yourself; use the fault page to break
          the connection and watch it come back.</p>
        </section>
        <section class="home-grid">${cards}</section>
      </main>
    </div>`
}

/** A path that names no framework: a 404 with the way back. The path is escaped, not trusted. */
export function renderNotFound(el: HTMLElement, path: string): void {
  document.title = 'Page not found · Tethered playground'
  const links = PAGES.flatMap((page) =>
    FRAMEWORKS.map(
      (f) => `<li><a href="${pagePath(f.id, page.id)}">${page.title} · ${f.label}</a></li>`,
    ),
  ).join('')
  el.innerHTML = `
    <div class="app">
      ${TOPBAR}
      <main class="content">
        <section class="card not-found" data-testid="not-found">
          <h1>Page not found</h1>
          <p>There is no page at <code></code>. The playground has these:</p>
          <ul class="not-found-links">${links}</ul>
          <p><a class="btn btn-secondary" href="/">Back to the index</a></p>
        </section>
      </main>
    </div>`
  const code = el.querySelector('.not-found code')
  if (code) code.textContent = path
}
