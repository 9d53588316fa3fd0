import { CERTIFICATION_LEVELS, type CertificationLevel } from '$lib/domain/personal-certification';
import { levelLabel } from '../certification';
import { m } from '$lib/paraglide/messages';
import { getLocale, type Locale } from '$lib/paraglide/runtime';
import type { ContractSent, MyState } from '$lib/domain/api-types';
import { INVITE_CODE_TTL_MINUTES } from '$lib/domain/invite';
import { ApiError } from '../api';
import { errorMessage } from '../error-message';
import { formatDateTime, i18n } from '../i18n.svelte';

/** Where one signer stands on a contract, as the admin's progress table says it. */
export const signerProgressLabel: Record<MyState, () => string> = {
	pending: m.progress_pending,
	signed: m.progress_signed,
	rejected: m.progress_returned
};

/** A moment that may not have happened yet: a dash until it has. */
export const formatWhen = (iso: string | null) => (iso ? formatDateTime(iso, 'medium') : '—');

/** A deadline is a calendar day (YYYY-MM-DD), shown as that day wherever the admin is. */
export function formatDeadline(day: string | null): string {
	if (!day) return m.contract_no_deadline();
	return new Intl.DateTimeFormat(i18n.locale, { dateStyle: 'long', timeZone: 'UTC' }).format(
		new Date(`${day}T00:00:00Z`)
	);
}

/** An upload's error; a file that is not a PDF at all gets its own plain sentence. */
export function pdfUploadMessage(caught: unknown): string {
	if (caught instanceof ApiError && caught.code === 'SIGNER_NOT_CERTIFIED') {
		// The signer-facing wording tells a signer to certify; the sender needs who and what.
		const { signerIds, required } = caught.details;
		if (Array.isArray(signerIds) && isLevel(required)) {
			return m.pc_send_below({ count: signerIds.length, level: levelLabel(required) });
		}
	}
	return caught instanceof ApiError && caught.details.notPdf === true
		? m.contract_upload_not_pdf()
		: errorMessage(caught);
}

function isLevel(value: unknown): value is CertificationLevel {
	return (CERTIFICATION_LEVELS as readonly unknown[]).includes(value);
}

/**
 * What a send did, in sentences that count correctly and name only what happened: a bare
 * "0 were notified" alarmed admins whose messages were waiting on the outbox page.
 */
export function sentSummary(r: ContractSent, locale: Locale = getLocale()): string {
	const o = { locale };
	const parts = [m.contract_sent_result({}, o)];
	if (r.invited) {
		const minutes = INVITE_CODE_TTL_MINUTES;
		parts.push(m.contract_sent_invited({ count: r.invited, minutes }, o));
	}
	if (r.notified) parts.push(m.contract_sent_notified({ count: r.notified }, o));
	if (r.waiting) parts.push(m.contract_sent_waiting({ count: r.waiting }, o));
	if (r.held) parts.push(m.contract_sent_held({ count: r.held }, o));
	if (r.notifyFailed) parts.push(m.contract_notify_failed({ count: r.notifyFailed }, o));
	// Chinese sentences end in a full-width stop and need no space between them.
	return parts.join(locale === 'zh-CN' ? '' : ' ');
}
