/**
 * Tests run the TypeScript sources of the workspace packages, never their compiled dist/: the
 * `@rivers-orchestrator/source` export condition (packages/rivers/package.json) points at src/. Vite
 * resolves with it here; NODE_OPTIONS carries it to what Node resolves itself in the test workers
 * (`tsImport`) and to every process a test starts (`node --import tsx worker.ts`, the `assets` binary).
 */
import { defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

const SOURCE = '@rivers-orchestrator/source'
const flag = `--conditions=${SOURCE}`
if (!(process.env.NODE_OPTIONS ?? '').includes(flag))
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${flag}`.trim()

export default defineConfig({
  resolve: { conditions: [SOURCE, ...defaultServerConditions] },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions] } },
})
