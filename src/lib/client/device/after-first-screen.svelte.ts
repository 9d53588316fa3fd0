import { untrack } from 'svelte';

/** Where a module loaded after the first screen is: not asked for yet, on its way, or there. */
export type LaterState = 'waiting' | 'loading' | 'ready' | 'failed';

/**
 * A module a page needs only once its first screen is shown, loaded after that screen instead of
 * before it. Why: on a contract, everything the route's code holds is downloaded, compiled and
 * started before page 1 can be drawn, and the signing tools (signature pad, dialogs, the confirm
 * flow and its device reads) are most of it (docs/perf.md). Loaded when `shown()` turns true, at
 * the latest `maxWaitMs` after the page started, and at once when the signer reaches for a tool
 * (`need`), so a tool is never missing for long: the page shows that it is on its way meanwhile.
 *
 * Made during the page's initialisation: its effects belong to the page.
 */
export class AfterFirstScreen<T> {
	state = $state<LaterState>('waiting');
	/** The module once loaded. */
	module = $state.raw<T | null>(null);
	/** The signer reached for it before it was there: the page says it is on its way. */
	wanted = $state(false);

	constructor(
		private readonly importer: () => Promise<T>,
		shown: () => boolean,
		maxWaitMs = 3000
	) {
		$effect(() => {
			if (shown()) untrack(() => this.load());
		});
		$effect(() => {
			const timer = setTimeout(() => this.load(), maxWaitMs);
			return () => clearTimeout(timer);
		});
	}

	/** Starts loading, unless it is loading or there; after a failure, tries again. */
	load(): void {
		if (this.state === 'loading' || this.state === 'ready') return;
		this.state = 'loading';
		this.importer().then(
			(module) => {
				this.module = module;
				this.state = 'ready';
			},
			() => {
				this.state = 'failed';
			}
		);
	}

	/** The signer reached for a tool: load it now, and say so until it is there. */
	need(): void {
		if (this.state !== 'ready') this.wanted = true;
		this.load();
	}
}
