// The contracts feature's public operations, one file each; endpoints import from here.
export type { ContractDeps } from './common';
export { listContracts, contractDocument, documentResponse } from './queries';
export { contractProgress, contractDetail, listOrgUsers } from './queries';
export { createContract } from './create';
export { saveFields } from './fields';
export { sendContract, revokeContract } from './send';
export { replaceDocument } from './replace';
export { saveTemplate, listTemplates } from './templates';
export { contractDeps } from './deps';
export {
	acceptedManifests,
	definitionJson,
	firstViewInSession,
	listInbox,
	loadEnvelope,
	mayRead,
	participantDocument,
	renderEnvelope,
	type EnvelopeDefinition,
	type StoredEnvelope
} from './envelopes';
