import type { PageSize } from '$lib/domain/envelope';
import { clampScale, signerFitScale } from '$lib/domain/page-geometry';

/** One press of zoom in or out. */
export const ZOOM_STEP = 1.25;

/**
 * The zoom of the signer's contract view: fit-width follows the available width (rotation,
 * resizing) until the user zooms; from then on the chosen scale holds until "fit width" again.
 */
export class PageZoom {
	/** The CSS width of the page list, bound by the screen. */
	availableWidth = $state(0);
	fitted = $state(true);
	#manualScale = $state(1);
	/** CSS pixels per PDF point the pages are shown at. */
	readonly scale: number;

	constructor(pages: () => readonly PageSize[]) {
		this.scale = $derived(
			this.fitted ? signerFitScale(pages(), this.availableWidth) : clampScale(this.#manualScale)
		);
	}

	zoom(factor: number): void {
		this.#manualScale = clampScale(this.scale * factor);
		this.fitted = false;
	}

	fit(): void {
		this.fitted = true;
	}
}
