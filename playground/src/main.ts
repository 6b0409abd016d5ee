import 'uplot/dist/uPlot.min.css'
import './shared/styles.css'
import { pageInfo, parsePath } from './shared/pages'

// One document for every page (Vite serves it for any path): the path picks the framework,
// and only that framework's code is loaded. A path that is no page gets a 404 (the server
// answers it with that status too), in its framework's layout when it named one.
const el = document.getElementById('app') as HTMLElement
const route = parsePath(location.pathname)

if (route.kind === 'home' || (route.kind === 'missing' && route.framework === null)) {
  const { renderHome, renderNotFound } = await import('./home/home')
  if (route.kind === 'home') renderHome(el)
  else renderNotFound(el, route.path)
} else {
  const page = route.kind === 'page' ? route.page : null
  const name = route.framework === 'react' ? 'React' : 'Vue'
  document.title = `${page ? pageInfo(page).title : 'Page not found'} · ${name} · Tethered`
  if (route.framework === 'react') {
    const { mountReact } = await import('./react/main')
    mountReact(el, page)
  } else {
    const { mountVue } = await import('./vue/main')
    mountVue(el, page)
  }
}
