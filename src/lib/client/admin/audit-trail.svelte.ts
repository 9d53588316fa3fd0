import type { AuditEntry, AuditPageResponse, AuditVerifyResponse } from '$lib/domain/api-types';
import { listAudit, verifyAudit } from './audit';
import { errorMessage } from '../error-message';

/**
 * The audit screen's state beyond its first page: the older pages fetched with "load more" and
 * the last chain verification. `reset` starts the list again from a new first page, so a new
 * filter or a reload never shows rows of the previous one.
 */
export class AuditTrail {
	/** Older pages fetched with "load more", kept until the filter or the data changes. */
	older = $state<AuditEntry[]>([]);
	cursor = $state<number | null>(null);
	loading = $state(false);
	loadError = $state<string | null>(null);
	verifying = $state(false);
	verdict = $state<AuditVerifyResponse | null>(null);
	verifyError = $state<string | null>(null);
	#subject: string | null = null;

	reset(page: AuditPageResponse | null, subject: string | null) {
		this.older = [];
		this.cursor = page?.nextCursor ?? null;
		this.#subject = subject;
	}

	async loadMore(fetcher: typeof fetch) {
		if (this.cursor === null) return;
		this.loading = true;
		this.loadError = null;
		try {
			const page = await listAudit(fetcher, { cursor: this.cursor, subject: this.#subject });
			this.older = [...this.older, ...page.entries];
			this.cursor = page.nextCursor;
		} catch (caught) {
			this.loadError = errorMessage(caught);
		} finally {
			this.loading = false;
		}
	}

	async verify(fetcher: typeof fetch) {
		this.verifying = true;
		this.verifyError = null;
		this.verdict = null;
		try {
			this.verdict = await verifyAudit(fetcher);
		} catch (caught) {
			this.verifyError = errorMessage(caught);
		} finally {
			this.verifying = false;
		}
	}
}
