/**
 * Start-up work that can wait until the app's first screen is shown: the service worker's
 * registration (its update check fetches /sw.js and, after a release, downloads the new
 * precache) and the sync engine's first run (outbox, seals, pull, each with its device writes).
 * Why: when the app starts on a contract, page 1 of a long PDF is what the signer waits for, and
 * pdf.js needs the main thread between the steps of its parse and drawing (docs/perf.md).
 *
 * A page that has such a first screen holds the gate while its component initialises (the
 * layout's onMount runs only once the whole tree, page included, has been created) and lets it
 * go once the screen is shown, or it cannot be. Without a hold the work runs at once; a hold never
 * delays it by more than `maxWaitMs`, so a page that never settles cannot keep the device from
 * syncing.
 */
export interface FirstScreenGate {
	/** Holds the gate; the returned function lets this hold go (calling it again does nothing). */
	hold(): () => void;
	/** Runs `work` once no hold is left (at once when none is), or after `maxWaitMs` at most. */
	after(work: () => void): void;
}

/** A gate with its own state; the app uses the one below, tests make their own. */
export function createFirstScreenGate(
	maxWaitMs = 3000,
	timers: Pick<typeof globalThis, 'setTimeout' | 'clearTimeout'> = globalThis
): FirstScreenGate {
	let holds = 0;
	// Once work has run (or the wait ran out), later holds are about later screens: not start-up.
	let open = false;
	let waiting: (() => void)[] = [];
	let timer: ReturnType<typeof setTimeout> | null = null;

	function release(): void {
		open = true;
		if (timer !== null) timers.clearTimeout(timer);
		timer = null;
		const work = waiting;
		waiting = [];
		for (const run of work) run();
	}

	return {
		hold() {
			if (open) return () => {};
			holds++;
			let held = true;
			return () => {
				if (!held) return;
				held = false;
				holds--;
				if (holds === 0 && waiting.length) release();
			};
		},
		after(work) {
			if (open || holds === 0) {
				open = true;
				work();
				return;
			}
			waiting.push(work);
			timer ??= timers.setTimeout(release, maxWaitMs);
		}
	};
}

/** The app's gate: held by the contract view until page 1 is drawn, awaited by the layout. */
export const firstScreen = createFirstScreenGate();
