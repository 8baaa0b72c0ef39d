/**
 * `@rivers-orchestrator/tracker-mlflow`: experiment tracking on MLflow for Rivers (the `Tracker`
 * seam of `@rivers-orchestrator/rivers`). The `assets` CLI turns it on when MLFLOW_TRACKING_URI is
 * set; from code, pass it to `openWorkspace(project, { trackers: [new MlflowTracker(…)] })`.
 *
 * @example
 * import { MlflowTracker } from '@rivers-orchestrator/tracker-mlflow'
 * const tracker = new MlflowTracker({ trackingUri: 'http://127.0.0.1:5000', project: 'shop' })
 */
export { MlflowTracker, type MlflowTrackerOptions, type LoggedRun, tagsOf } from './tracker.js'
export { MlflowClient, proxiedPath, type Run, type RunInfo, type ArtifactFile } from './client.js'
export { MlflowHttp, resolveConnection, type MlflowConnection, type RequestOptions } from './http.js'
export { MlflowError } from './errors.js'
export { MlflowRegistry, type ModelVersion, type RegisteredModel } from './registry.js'
export { lineageTags, modelNameOf, registerVersion } from './register.js'
export {
  chunkBatch,
  flattenParams,
  mlflowKey,
  LIMITS,
  type MlflowBatch,
  type MlflowMetric,
  type MlflowKeyValue,
} from './batch.js'
