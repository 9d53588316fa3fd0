// The contracts feature's public operations, one file each; endpoints import from here.
export type { ContractDeps } from './common';
export { listContracts, contractDocument, documentResponse } from './queries';
export { contractProgress, contractDetail, listOrgUsers } from './queries';
export { createContract } from './create';
export { saveFields } from './fields';
export { sendContract, revokeContract } from './send';
export { changeDeadline } from './deadline';
export { REMINDER_JOB, sendReminder, type ReminderDeps } from './reminders';
export { replaceDocument } from './replace';
export { turnNoticeWrites, notifyTurn, TURN_NOTICE_JOB } from './turn';
export {
	returnWrites,
	resendContract,
	notifyReturned,
	notifyResent,
	RETURNED_NOTICE_JOB,
	RESENT_NOTICE_JOB
} from './lifecycle';
export { saveTemplate, listTemplates } from './templates';
export { contractDeps } from './deps';
export {
	acceptedManifests,
	acceptedManifestsRead,
	definitionJson,
	firstViewInSession,
	listInbox,
	loadEnvelope,
	envelopeRead,
	mayRead,
	participantDocument,
	renderEnvelope,
	type EnvelopeDefinition,
	type StoredEnvelope
} from './envelopes';
