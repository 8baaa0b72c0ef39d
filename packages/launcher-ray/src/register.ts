/**
 * Registers the Ray launcher (type `ray`) and nothing else: for `node --import
 * @rivers-orchestrator/launcher-ray/register`, when the program that opens the workspace does not
 * import the package itself.
 *
 * @example
 * // node --import @rivers-orchestrator/launcher-ray/register driver.js
 * import '@rivers-orchestrator/launcher-ray/register'
 */
import { registerRayLauncher } from './index.js'

registerRayLauncher()
