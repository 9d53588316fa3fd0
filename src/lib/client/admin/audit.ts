import { m } from '$lib/paraglide/messages';
import type { AuditPageResponse, AuditVerifyResponse } from '$lib/domain/api-types';
import type { AuditKind, BreakReason } from '$lib/domain/audit';
import { api } from '../api';

/** One page of the audit trail, newest first; `cursor` continues below the previous page. */
export function listAudit(
	fetcher: typeof fetch,
	query: { cursor?: number | null; subject?: string | null; limit?: number }
): Promise<AuditPageResponse> {
	const params = new URLSearchParams();
	if (query.cursor) params.set('cursor', String(query.cursor));
	if (query.subject) params.set('subject', query.subject);
	if (query.limit) params.set('limit', String(query.limit));
	const search = params.size > 0 ? `?${params}` : '';
	return api<AuditPageResponse>(fetcher, `/api/admin/audit${search}`);
}

/** Asks the server to recompute the whole chain; answers which row breaks it, if any. */
export function verifyAudit(fetcher: typeof fetch): Promise<AuditVerifyResponse> {
	return api<AuditVerifyResponse>(fetcher, '/api/admin/audit/verify', { method: 'POST' });
}

/** The address of the trail, filtered to one subject or not: the filter lives in the URL. */
export function auditHref(subject: string | null): string {
	const trimmed = subject?.trim() ?? '';
	return `/admin/audit${trimmed ? `?subject=${encodeURIComponent(trimmed)}` : ''}`;
}

const kindLabel: Record<AuditKind, () => string> = {
	'invite.created': m.audit_kind_invite_created,
	'session.switched': m.audit_kind_session_switched,
	'person.joined': m.audit_kind_person_joined,
	'invite.code_wrong': m.audit_kind_invite_code_wrong,
	'invite.code_resent': m.audit_kind_invite_code_resent,
	'invite.locked': m.audit_kind_invite_locked,
	'invite.refused': m.audit_kind_invite_refused,
	'invite.redeemed': m.audit_kind_invite_redeemed,
	'recovery.issued': m.audit_kind_recovery_issued,
	'recovery.id_number_wrong': m.audit_kind_recovery_id_number_wrong,
	'recovery.completed': m.audit_kind_recovery_completed,
	'setup.used': m.audit_kind_setup_used,
	'passkey.enrolled': m.audit_kind_passkey_enrolled,
	'passkey.revoked': m.audit_kind_passkey_revoked,
	login: m.audit_kind_login,
	'login.code_sent': m.codelogin_audit_sent,
	'login.code_wrong': m.codelogin_audit_wrong,
	'login.code_locked': m.codelogin_audit_locked,
	'login.code_refused': m.codelogin_audit_refused,
	'login.code': m.codelogin_audit_signed_in,
	'envelope.created': m.audit_kind_envelope_created,
	'envelope.finalised': m.audit_kind_envelope_finalised,
	'envelope.sent': m.audit_kind_envelope_sent,
	'envelope.viewed': m.audit_kind_envelope_viewed,
	'envelope.downloaded': m.audit_kind_envelope_downloaded,
	'envelope.revoked': m.audit_kind_envelope_revoked,
	'envelope.replaced': m.audit_kind_envelope_replaced,
	'envelope.deadline-changed': m.audit_kind_envelope_deadline_changed,
	'member.role-changed': m.members_audit_role_changed,
	'member.deactivated': m.members_audit_deactivated,
	'member.reactivated': m.members_audit_reactivated,
	'envelope.resent': m.life_audit_kind_envelope_resent,
	'submission.signed': m.audit_kind_submission_signed,
	'submission.rejected': m.audit_kind_submission_rejected,
	'submission.refused': m.audit_kind_submission_refused,
	'review.accepted': m.audit_kind_review_accepted,
	'review.flagged': m.audit_kind_review_flagged,
	'seal.created': m.audit_kind_seal_created,
	'seal.regenerated': m.audit_kind_seal_regenerated,
	'seal.disabled': m.audit_kind_seal_disabled,
	'seal.enabled': m.audit_kind_seal_enabled,
	'seal.authorised': m.audit_kind_seal_authorised,
	'seal.revoked': m.audit_kind_seal_revoked,
	'org.cert-applied': m.orgcert_audit_applied,
	'org.cert-verification': m.orgcert_audit_verification,
	'org.cert-approved': m.orgcert_audit_approved,
	'org.cert-rejected': m.orgcert_audit_rejected,
	'org.created': m.operator_audit_org_created,
	'certification.consented': m.pc_audit_kind_consented,
	'certification.certified': m.pc_audit_kind_certified,
	'certification.failed': m.pc_audit_kind_failed
};

/** An event's name in the admin's language; a kind written by a newer server shows by its stored name. */
export function auditKindLabel(kind: string): string {
	return kind in kindLabel ? kindLabel[kind as AuditKind]() : kind;
}

/** Why the chain breaks at a row, in the admin's language. */
export const breakReasonLabel: Record<BreakReason, () => string> = {
	'seq-gap': m.audit_reason_seq_gap,
	'prev-link-broken': m.audit_reason_prev_link_broken,
	'data-invalid': m.audit_reason_data_invalid,
	'hash-mismatch': m.audit_reason_hash_mismatch,
	'anchor-missing': m.audit_reason_anchor_missing,
	'anchor-invalid': m.audit_reason_anchor_invalid,
	'tail-cut': m.audit_reason_tail_cut,
	'after-anchor': m.audit_reason_after_anchor
};
