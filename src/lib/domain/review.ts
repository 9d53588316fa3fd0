/**
 * Rules of the admin review of synced signatures (SPEC "Review (RV)"). Pure: times come
 * in as ISO strings, so the server, the pages and the tests apply the same rule.
 */

/** RV1: how far the server's receipt may trail the device's clock before a signature counts as made offline. */
export const OFFLINE_AFTER_MS = 5 * 60_000;

/**
 * RV1: a submission was signed offline when its device reported having no network as the signer
 * confirmed, or when the server received it more than five minutes after the time on the device
 * (an online sync takes seconds, so a gap this long means the manifest waited on the device).
 * Without the device's report (older clients, `null`) the gap alone decides. A device clock that
 * runs ahead (negative gap) counts as online; an unreadable time counts as online too, so a bad
 * clock never marks evidence as something it was not.
 */
export function signedOffline(
	deviceTime: string,
	receivedAt: string,
	reportedOffline: boolean | null = null
): boolean {
	if (reportedOffline === true) return true;
	const gap = Date.parse(receivedAt) - Date.parse(deviceTime);
	return Number.isFinite(gap) && gap > OFFLINE_AFTER_MS;
}

/**
 * RV2: where a submission stands for the reviewer, one value per row: `refused` (ingest refused
 * the attempt, nothing was stored but the evidence), `accepted` (stored, not reviewed yet),
 * `reviewed-ok` (an admin accepted it) or `flagged` (an admin flagged it). The latest decision wins.
 */
export const REVIEW_STATUSES = ['accepted', 'refused', 'flagged', 'reviewed-ok'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** RV3: what an admin decides about an accepted submission. */
export const REVIEW_DECISIONS = ['ok', 'flagged'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** RV2: the status a review decision leaves a submission in. */
export function statusAfter(decision: ReviewDecision): ReviewStatus {
	return decision === 'ok' ? 'reviewed-ok' : 'flagged';
}

export const COMMENT_MAX = 500;

/**
 * RV3: a review comment is 1–500 characters (Unicode code points) after trimming; the trimmed
 * text is what is stored. Null when unusable, so the caller answers COMMENT_INVALID instead of
 * silently cutting what the admin wrote.
 */
export function normaliseComment(raw: string): string | null {
	const text = raw.trim();
	const length = [...text].length;
	return length >= 1 && length <= COMMENT_MAX ? text : null;
}
