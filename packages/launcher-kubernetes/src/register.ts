/**
 * Registers the Kubernetes launcher (type `kubernetes`) and nothing else: for `node --import
 * @rivers-orchestrator/launcher-kubernetes/register`, when the program that opens the workspace does
 * not import the package itself.
 *
 * @example
 * // node --import @rivers-orchestrator/launcher-kubernetes/register driver.js
 * import '@rivers-orchestrator/launcher-kubernetes/register'
 */
import { registerKubernetesLauncher } from './index.js'

registerKubernetesLauncher()
