// The audit chain and its anchored head: the audit feature's public functions.
export {
	AUDIT_PAGE_MAX,
	anchorAuditHead,
	appendAudit,
	exportAudit,
	listAudit,
	recordAudit,
	verifyAuditLog
} from './audit';
