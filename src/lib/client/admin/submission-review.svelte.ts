import { invalidateAll } from '$app/navigation';
import { m } from '$lib/paraglide/messages';
import type { ReverifyResult } from '$lib/domain/api-types';
import { normaliseComment, type ReviewDecision } from '$lib/domain/review';
import { errorMessage } from '../error-message';
import { decide, reverify, statusLabel } from './review';

/**
 * What the admin does on one submission's review page: verify the stored evidence again, and
 * accept or flag it with a comment. A refused decision keeps the comment in the box, so nothing
 * the admin wrote is lost.
 */
export class SubmissionReview {
	verifying = $state(false);
	verifyResult = $state<ReverifyResult | null>(null);
	verifyError = $state<string | null>(null);
	comment = $state('');
	/** The decision being saved, so only its button says "saving"; null when none is. */
	saving = $state<ReviewDecision | null>(null);
	saveError = $state<string | null>(null);
	/** The sentence after a saved decision, naming the submission's new status. */
	saved = $state<string | null>(null);
	/** The comment's length in characters as the server counts them (trimmed, by code point). */
	readonly commentLength = $derived([...this.comment.trim()].length);

	async verify(fetcher: typeof fetch, id: string) {
		this.verifying = true;
		this.verifyError = null;
		this.verifyResult = null;
		try {
			this.verifyResult = await reverify(fetcher, id);
		} catch (caught) {
			this.verifyError = errorMessage(caught);
		} finally {
			this.verifying = false;
		}
	}

	/** Records the decision, then `reload`s the page so its status and history show it. */
	async decide(
		fetcher: typeof fetch,
		id: string,
		decision: ReviewDecision,
		reload: () => Promise<unknown> = invalidateAll
	) {
		this.saved = null;
		// Checked here too so the admin hears at once; the server checks again (RV3).
		if (normaliseComment(this.comment) === null) {
			this.saveError = m.error_COMMENT_INVALID();
			return;
		}
		this.saving = decision;
		this.saveError = null;
		try {
			const result = await decide(fetcher, id, decision, this.comment);
			this.saved = m.review_saved({ status: statusLabel[result.status]() });
			this.comment = '';
			await reload();
		} catch (caught) {
			this.saveError = errorMessage(caught);
		} finally {
			this.saving = null;
		}
	}
}
