import type { ReactNode } from 'react'
import { FRAMEWORKS, type Framework, PAGES, type PageId, pageInfo, pagePath } from '../shared/pages'

export function Layout(props: { framework: Framework; page: PageId | null; children: ReactNode }) {
  const { framework, page } = props
  const info = page ? pageInfo(page) : null
  const tabs = PAGES.map((p) => (
    <a
      key={p.id}
      className={p.id === page ? 'tab is-active' : 'tab'}
      href={pagePath(framework, p.id)}
      aria-current={p.id === page ? 'page' : undefined}
    >
      {p.title}
    </a>
  ))
  const frameworks = FRAMEWORKS.map((f) => (
    <a
      key={f.id}
      className={f.id === framework ? 'is-active' : undefined}
      href={pagePath(f.id, page ?? 'connection')}
      aria-current={f.id === framework ? 'page' : undefined}
    >
      {f.label}
    </a>
  ))
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="/">
          <span className="brand-mark" aria-hidden="true" />
          Tethered<span className="brand-sub">playground</span>
        </a>
        <nav className="tabs" aria-label="Pages">
          {tabs}
        </nav>
        <nav className="switch" aria-label="Framework">
          {frameworks}
        </nav>
        {/* Narrow screens: the same links behind one button. */}
        <details className="menu">
          <summary aria-label="Menu">
            <span className="menu-icon" aria-hidden="true" />
            {info ? info.title : 'Pages'}
          </summary>
          <nav className="menu-panel" aria-label="Pages (menu)">
            {tabs}
            <div className="switch">{frameworks}</div>
          </nav>
        </details>
      </header>
      <main className="content">
        <div className="page-head">
          <h1>{info ? info.title : 'Page not found'}</h1>
          <span className="framework-badge" data-testid="framework">
            @tethered/react
          </span>
          {info && <p>{info.summary}</p>}
        </div>
        {props.children}
      </main>
    </div>
  )
}
