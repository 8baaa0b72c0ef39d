/** Names Rivers puts on what it creates in a cluster. */

/** The label prefix of every Rivers label and annotation. */
export const LABEL_PREFIX = 'rivers-orchestrator.io'
