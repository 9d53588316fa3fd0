/**
 * Where the contract view showed page 1, remembered on the device so the boot script can draw
 * page 1 in that place before the app has started (contract-boot.ts). The app renders nothing
 * on the server, so the boot cannot measure where the header and title will push the page: it
 * uses what the view measured the last time, and the page then does not move when the app
 * appears around it. Light on purpose: it is bundled into the boot script.
 */

/** One measurement of page 1 in the view, at fit width, in CSS pixels of the document. */
export interface FirstPagePlace {
	/** The contract it was measured on (its title's height decides `top`). */
	id: string;
	/** The window's innerWidth and devicePixelRatio it was measured at. */
	screenWidth: number;
	screenRatio: number;
	/** The page list's width, from which the fit-width scale follows (signerFitScale). */
	listWidth: number;
	/** Page 1's top edge and horizontal centre in the document. */
	top: number;
	centre: number;
}

const KEY = 'sealpass:first-page-place';
/** Enough for the contracts a signer has on a phone; the oldest measurement goes first. */
const KEEP = 20;

function read(storage: Storage): FirstPagePlace[] {
	try {
		const list: unknown = JSON.parse(storage.getItem(KEY) ?? '[]');
		return Array.isArray(list) ? list.filter(isPlace) : [];
	} catch {
		return [];
	}
}

function isPlace(value: unknown): value is FirstPagePlace {
	const p = value as FirstPagePlace;
	return (
		typeof p?.id === 'string' &&
		[p.screenWidth, p.screenRatio, p.listWidth, p.top, p.centre].every(Number.isFinite)
	);
}

/**
 * The place to draw contract `id`'s page 1 on this screen: its own last measurement, else the
 * latest of any contract on a screen of the same width and ratio (a title of another height
 * moves the page a little when the app appears); null when the screen was never measured.
 */
export function placeFor(
	storage: Storage,
	id: string,
	screenWidth: number,
	screenRatio: number
): FirstPagePlace | null {
	const same = read(storage).filter(
		(p) => p.screenWidth === screenWidth && p.screenRatio === screenRatio
	);
	return same.find((p) => p.id === id) ?? same[0] ?? null;
}

/** Keeps `place` as the newest measurement (replacing the contract's earlier one on this screen). */
export function rememberPlace(storage: Storage, place: FirstPagePlace): void {
	const others = read(storage).filter(
		(p) =>
			!(
				p.id === place.id &&
				p.screenWidth === place.screenWidth &&
				p.screenRatio === place.screenRatio
			)
	);
	try {
		storage.setItem(KEY, JSON.stringify([place, ...others].slice(0, KEEP)));
	} catch {
		// A full or refused storage only costs the next open its head start.
	}
}
