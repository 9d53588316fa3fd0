// Ingesting a signed submission, one step per file: submit.ts holds the one transaction and
// the order of the steps; authenticate.ts the checks up to the passkey assertion; accept.ts the
// checks against the envelope and the writes of an accepted submission; record.ts the evidence
// of every attempt.
export { ingestSubmission } from './submit';
export type { IngestAnswer, IngestDeps } from './common';
