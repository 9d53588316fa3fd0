import type { SealUseItem } from '$lib/domain/api-types';
import { errorMessage } from '../error-message';
import { fetchSealUses } from './admin-seals';

/**
 * The usage history of one seal as the admin pages through it (SA8): the uses loaded so far, the
 * cursor of the next page, and whether a page is on its way. Each page is appended, never
 * refetched, so "load more" keeps the admin's place; a failed page keeps what was shown and
 * can be asked for again.
 */
export class SealUsageHistory {
	uses = $state<SealUseItem[]>([]);
	nextCursor = $state<string | null>(null);
	/** True once the first page has arrived: until then "no uses yet" would be a guess. */
	loaded = $state(false);
	loading = $state(false);
	error = $state<string | null>(null);

	constructor(
		readonly sealId: string,
		private readonly fetcher: typeof fetch = fetch
	) {}

	/** Loads the next page (the first one on the first call); a second call while busy is ignored. */
	async more(): Promise<void> {
		if (this.loading || (this.loaded && this.nextCursor === null)) return;
		this.loading = true;
		this.error = null;
		try {
			const page = await fetchSealUses(this.fetcher, this.sealId, this.nextCursor);
			this.uses = [...this.uses, ...page.uses];
			this.nextCursor = page.nextCursor;
			this.loaded = true;
		} catch (caught) {
			this.error = errorMessage(caught);
		} finally {
			this.loading = false;
		}
	}
}

/**
 * The usage histories open on the seal list, by seal id. Closing one forgets it, so reopening
 * fetches afresh and shows uses that arrived in between.
 */
export class OpenSealHistories {
	#open = $state<Record<string, SealUsageHistory>>({});

	constructor(private readonly fetcher: typeof fetch = fetch) {}

	/** The seal's open history, or undefined while it is closed. */
	of(sealId: string): SealUsageHistory | undefined {
		return this.#open[sealId];
	}

	/** Opens the seal's history and loads its first page, or closes it. */
	toggle(sealId: string) {
		if (this.#open[sealId]) {
			delete this.#open[sealId];
			return;
		}
		const history = new SealUsageHistory(sealId, this.fetcher);
		this.#open[sealId] = history;
		void history.more();
	}
}
