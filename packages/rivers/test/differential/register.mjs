// Preload of the differential runner: TypeScript through tsx, then the generation hook.
import { register } from 'node:module'
import { pathToFileURL } from 'node:url'
import { register as registerTsx } from 'tsx/esm/api'

registerTsx()
register('./hooks.mjs', import.meta.url, { data: { root: pathToFileURL(process.env.RIVERS_DIFF_ROOT).href } })
