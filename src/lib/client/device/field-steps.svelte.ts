import { tick } from 'svelte';
import type { Draft } from '$lib/domain/draft';
import type { Field } from '$lib/domain/envelope';
import { isFieldFilled } from '$lib/domain/marking';
import type { PageDrawing } from './page-drawing.svelte';

/** What the steps need of the screen, read when they are used. */
export interface StepsHost {
	/** The fields the signer is walked through, in reading order. */
	fields: () => readonly Field[];
	draft: () => Draft | null;
	drawing: PageDrawing;
}

/**
 * The signer's walk through the fields (the next-field bar): which field is current, and going
 * to another one, which scrolls its overlay into view.
 */
export class FieldSteps {
	current = $state(0);
	/** The field overlays on the pages, by index in `fields`, bound by the screen. */
	readonly overlays: HTMLElement[] = [];
	readonly currentField: Field | null;
	readonly currentFilled: boolean;

	constructor(private readonly host: StepsHost) {
		this.currentField = $derived(host.fields()[this.current] ?? null);
		this.currentFilled = $derived.by(() => {
			const field = this.currentField;
			const draft = host.draft();
			return !!field && !!draft && isFieldFilled(field, draft);
		});
	}

	go(index: number): void {
		// A field further on may sit on a page whose frame is not laid out yet.
		if (this.host.drawing.showAllFrames()) {
			void tick().then(() => this.go(index));
			return;
		}
		this.current = Math.max(0, Math.min(this.host.fields().length - 1, index));
		const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
		this.overlays[this.current]?.scrollIntoView({
			block: 'center',
			inline: 'nearest',
			behavior: reduce ? 'auto' : 'smooth'
		});
	}

	/** A field's state is its description, not its name: the name stays "Seal field, page 3". */
	fieldState(field: Field): 'mark-state-done' | 'mark-state-empty' | undefined {
		const draft = this.host.draft();
		return draft
			? isFieldFilled(field, draft)
				? 'mark-state-done'
				: 'mark-state-empty'
			: undefined;
	}
}
