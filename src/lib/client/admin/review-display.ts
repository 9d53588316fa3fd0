import { m } from '$lib/paraglide/messages';
import type { ReviewMark } from '$lib/domain/api-types';
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
