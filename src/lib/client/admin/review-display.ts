import { m } from '$lib/paraglide/messages';
import type {
	ReverifyCheck,
	ReverifyResult,
	ReviewDetail,
	ReviewMark
} from '$lib/domain/api-types';
import { i18n } from '../i18n.svelte';

/** A yes/no fact of the evidence (user verified, backed up…) in the admin's language. */
export const yesNo = (value: boolean) => (value ? m.review_yes() : m.review_no());

/**
 * The gap between the device's clock and the server's, in minutes, or in hours from two hours
 * on, so an offline signature confirmed days earlier reads as hours rather than thousands of
 * minutes.
 */
export function formatClockGap(ms: number): string {
	const minutes = ms / 60_000;
	const hours = Math.abs(minutes) >= 120;
	return new Intl.NumberFormat(i18n.locale, {
		style: 'unit',
		unit: hours ? 'hour' : 'minute',
		maximumFractionDigits: 1
	}).format(hours ? minutes / 60 : minutes);
}

/** A measurement of a mark (points, millimetres, percent) with at most one decimal. */
export const formatMeasure = (value: number) =>
	new Intl.NumberFormat(i18n.locale, { maximumFractionDigits: 1 }).format(value);

/** What a mark of a submission is: a signature, seal or date in a field, a free seal, a seam. */
export function reviewMarkKind(mark: ReviewMark): string {
	if (mark.type === 'free-seal') return m.review_mark_free_seal();
	if (mark.type === 'riding-seam') return m.review_mark_riding_seam();
	return mark.kind === 'signature'
		? m.review_mark_signature()
		: mark.kind === 'seal'
			? m.review_mark_seal()
			: m.review_mark_date();
}

/**
 * One step of a re-verification as a plain sentence, passed or failed. The server's own detail
 * (rule ids such as M1, hashes, library reasons) is for whoever investigates a failure; the
 * reviewer deciding the submission reads this.
 */
const checkSentences: Record<ReverifyCheck['check'], [ok: () => string, failed: () => string]> = {
	manifest: [m.rough_review_check_ok_manifest, m.rough_review_check_failed_manifest],
	canonical: [m.rough_review_check_ok_canonical, m.rough_review_check_failed_canonical],
	hash: [m.rough_review_check_ok_hash, m.rough_review_check_failed_hash],
	binding: [m.rough_review_check_ok_binding, m.rough_review_check_failed_binding],
	signature: [m.rough_review_check_ok_signature, m.rough_review_check_failed_signature],
	'user-verified': [
		m.rough_review_check_ok_user_verified,
		m.rough_review_check_failed_user_verified
	],
	seals: [m.rough_review_check_ok_seals, m.rough_review_check_failed_seals]
};

export function checkSentence(check: Pick<ReverifyCheck, 'check' | 'ok'>): string {
	const [ok, failed] = checkSentences[check.check];
	return check.ok ? ok() : failed();
}

/** Why a re-verification failed, in words: its first failing step's sentence. */
export function verifyFailedText(result: Pick<ReverifyResult, 'checks'>): string {
	const failed = result.checks.find((c) => !c.ok);
	return m.review_verify_failed({ reason: failed ? checkSentence(failed) : '' });
}

/** The signer as the contract names them ("张三 (示例科技有限公司)"); their id when it no longer does. */
export function signerRoleText(signer: ReviewDetail['signer']): string {
	if (!signer.role) return signer.signerId;
	return signer.role.party
		? m.rough_review_signer_role({ name: signer.role.name, party: signer.role.party })
		: signer.role.name;
}
