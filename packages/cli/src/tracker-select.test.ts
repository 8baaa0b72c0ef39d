/**
 * Tracker selection: none without MLFLOW_TRACKING_URI, the MLflow tracker (loaded by import) with it
 * and its settings from the project and the environment, and the errors for a URI that is not a
 * tracking server or a package that is not installed.
 */
import { asset, defineProject, FileIOManager } from '@rivers-orchestrator/rivers'
import { describe, expect, it } from 'vitest'
import { type MlflowSettings, mlflowSettings, trackersFor, warnOn } from './tracker-select.js'

const FILE = '/home/me/shop/rivers.config.ts'
const raw = asset({ key: 'raw' }, () => 1)
const model = asset({ key: 'model/train', group: 'training', deps: { raw } }, ({ raw }) => raw + 1)
const own = asset({ key: 'own', io: new FileIOManager('/data/own'), kinds: ['model'] }, () => 2)
const project = defineProject({ assets: [model, own] })

describe('trackersFor', () => {
  it('gives no tracker without MLFLOW_TRACKING_URI, and imports nothing', async () => {
    const importer = async () => {
      throw new Error('must not import')
    }
    const warn = (m: string) => expect.fail(m)
    expect(await trackersFor({}, FILE, project, '/home/me/shop/.rivers', warn, importer)).toEqual([])
    expect(await trackersFor({ MLFLOW_TRACKING_URI: '' }, FILE, project, '/s', warn, importer)).toEqual([])
  })

  it('gives the MLflow tracker with its settings when MLFLOW_TRACKING_URI names a server', async () => {
    const made: MlflowSettings[] = []
    class FakeTracker {
      readonly name = 'mlflow'
      constructor(s: MlflowSettings) {
        made.push(s)
      }
      async materialized() {}
    }
    const env = { MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000', RIVERS_MLFLOW_ASSETS: 'model/*, raw' }
    const warn = (m: string) => expect.fail(m)
    const trackers = await trackersFor(env, FILE, project, '/home/me/shop/.rivers', warn, async (s) => {
      expect(s).toBe('@rivers-orchestrator/tracker-mlflow')
      return { MlflowTracker: FakeTracker }
    })
    expect(trackers.map((t) => t.name)).toEqual(['mlflow'])
    expect(made[0]).toMatchObject({ trackingUri: 'http://127.0.0.1:5000', project: 'shop', assets: ['model/*', 'raw'] })
    expect(made[0]!.env).toBe(env)
  })

  it('warns, and runs without MLflow, for a URI that is not a tracking server', async () => {
    const warnings: string[] = []
    const trackers = await trackersFor({ MLFLOW_TRACKING_URI: 'file:///home/me/mlruns' }, FILE, project, '/s', (m) =>
      warnings.push(m),
    )
    expect(trackers).toEqual([])
    expect(warnings.length).toBe(1)
    expect(warnings[0]).toContain('this command runs without MLflow')
    expect(warnings[0]).toContain('MLFLOW_TRACKING_URI=http://127.0.0.1:5000')
  })

  it('warns, naming the package and the install command, when it is not installed (without the password)', async () => {
    const missing = async () => {
      throw Object.assign(new Error("Cannot find package '@rivers-orchestrator/tracker-mlflow'"), {
        code: 'ERR_MODULE_NOT_FOUND',
      })
    }
    const warnings: string[] = []
    const env = { MLFLOW_TRACKING_URI: 'https://u:pw@mlflow.internal' }
    expect(await trackersFor(env, FILE, project, '/s', (m) => warnings.push(m), missing)).toEqual([])
    expect(warnings.length).toBe(1)
    expect(warnings[0]).toContain('(cd /home/me/shop && npm install @rivers-orchestrator/tracker-mlflow)')
    expect(warnings[0]).not.toContain(':pw@')
    // Any other failure to load it is an error.
    const broken = async () => {
      throw new SyntaxError('Unexpected token')
    }
    await expect(trackersFor(env, FILE, project, '/s', () => undefined, broken)).rejects.toThrow('Unexpected token')
  })

  it('writes warnings to stderr', () => {
    let written = ''
    warnOn({ write: (c: string) => (written += c) })('MLflow is off')
    expect(written).toBe('warning: MLflow is off\n')
  })
})

describe('mlflowSettings', () => {
  it('names the experiment after the project (or MLFLOW_EXPERIMENT_NAME) and finds groups and output folders', () => {
    const s = mlflowSettings('http://h:1', {}, FILE, project, '/home/me/shop/.rivers')
    expect(s.project).toBe('shop')
    expect(s.experiment).toBeUndefined()
    expect(s.assets).toBeUndefined()
    expect(s.groupOf('model/train')).toBe('training')
    expect(s.groupOf('raw')).toBeUndefined()
    expect(s.storageDir('raw')).toBe('/home/me/shop/.rivers/storage')
    expect(s.storageDir('own')).toBe('/data/own')
    // Models: the kind `model`, or RIVERS_MLFLOW_MODELS.
    expect(['own', 'raw', 'model/train'].map((k) => s.models(k))).toEqual([true, false, false])
    const named = defineProject({ name: 'Shop ML', assets: [raw], io: new FileIOManager('/data/all') })
    const n = mlflowSettings(
      'http://h:1',
      { MLFLOW_EXPERIMENT_NAME: 'exp', RIVERS_MLFLOW_MODELS: 'r*' },
      FILE,
      named,
      '/s',
    )
    expect(n).toMatchObject({ project: 'Shop ML', experiment: 'exp' })
    expect(n.storageDir('raw')).toBe('/data/all')
    expect(n.models('raw')).toBe(true)
  })
})
