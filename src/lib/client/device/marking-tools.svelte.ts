import { tick } from 'svelte';
import { m } from '$lib/paraglide/messages';
import type { Field } from '$lib/domain/envelope';
import { isFieldFilled } from '$lib/domain/marking';
import type { Marking } from './marking.svelte';

/**
 * The signer's tools on the marks in progress: the seal chosen in the picker, the signature pad
 * (open for one field, or for every signature field: 'all'), and the actions that need a seal,
 * which say so instead of doing nothing when none is chosen. The marks themselves are the
 * Marking's; this holds only what the tools show.
 */
export class MarkingTools {
	/** The seal picked in the picker; until the signer picks, the first seal is used. */
	pickedSealId = $state<string | null>(null);
	readonly chosenSeal = $derived.by(() => {
		const marking = this.marking();
		return marking?.seals.find((s) => s.id === this.pickedSealId) ?? marking?.seals[0] ?? null;
	});
	/** Why the last seal action did nothing, or left fields out. */
	sealNotice = $state<string | null>(null);
	/** The field the signature pad is open for, 'all', or null when it is closed. */
	padTarget = $state<string | null>(null);
	padError = $state<string | null>(null);
	/** The free seals' elements on the pages, so a new seal can take the focus. */
	readonly freeSealEls: (HTMLElement | undefined)[] = $state([]);

	/**
	 * `missing` is told when a field is tapped while there is no Marking yet (the view loads the
	 * signing tools after page 1), with the tap to do again once there is one.
	 */
	constructor(
		private readonly marking: () => Marking | null,
		private readonly missing: (retry: () => void) => void = () => {}
	) {}

	/** The pad's drawing is kept on the device, then fills the field(s) it was opened for. */
	async padDone(png: Uint8Array, asDefault: boolean): Promise<void> {
		const marking = this.marking();
		if (!marking || this.padTarget === null) return;
		try {
			const image = await marking.keepSignature(png, asDefault);
			marking.sign(image, this.padTarget === 'all' ? undefined : this.padTarget);
			this.padTarget = null;
			this.padError = null;
		} catch (error) {
			this.padError = m.pad_failed({
				reason: error instanceof Error ? error.message : String(error)
			});
		}
	}

	openPad(target: string): void {
		this.padError = null;
		this.padTarget = target;
	}

	/** Stamps the chosen seal into one seal field, or every one it fits. */
	stamp(fieldId?: string): void {
		const marking = this.marking();
		if (!marking) return;
		if (!this.chosenSeal) {
			this.sealNotice = m.mark_choose_seal_first();
			return;
		}
		const skipped = marking.stamp(this.chosenSeal, fieldId);
		this.sealNotice = skipped.length ? m.mark_stamp_skipped({ count: skipped.length }) : null;
	}

	/** Tapping an empty field fills it with what the signer has; a filled one is only selected. */
	fillField(field: Field): void {
		const marking = this.marking();
		if (!marking) return this.missing(() => this.fillField(field));
		if (isFieldFilled(field, marking.draft)) return;
		if (field.kind === 'signature') {
			if (marking.defaultSignature) marking.sign(marking.defaultSignature, field.id);
			else this.openPad(field.id);
		} else if (field.kind === 'seal') {
			this.stamp(field.id);
		} else if (field.kind === 'riding-seam') {
			this.addSeam(field);
		}
	}

	/**
	 * A free seal at the centre of the page whose button was pressed (each page has one, so the
	 * seal lands where the signer is reading), then focused so the keys move it at once.
	 */
	async addFreeSeal(pageNo: number): Promise<void> {
		const marking = this.marking();
		if (!marking) return;
		if (!this.chosenSeal) {
			this.sealNotice = m.mark_choose_seal_first();
			return;
		}
		this.sealNotice = null;
		const index = marking.addFreeSeal(this.chosenSeal, pageNo);
		await tick();
		this.freeSealEls[index]?.focus({ preventScroll: true });
		this.freeSealEls[index]?.scrollIntoView({ block: 'center', inline: 'nearest' });
	}

	/** A riding seam with the chosen seal: for a riding-seam field, or placed freely. */
	addSeam(field?: Field): void {
		const marking = this.marking();
		if (!marking) return;
		if (!this.chosenSeal) {
			this.sealNotice = m.mark_choose_seal_first();
			return;
		}
		this.sealNotice = null;
		marking.addSeam(this.chosenSeal, field);
	}

	sealName(sealId: string): string {
		return this.marking()?.seals.find((s) => s.id === sealId)?.name ?? sealId;
	}
}
