import type { AdminSeal } from '$lib/domain/api-types';
import {
	DEFAULT_SEAL_SPECS,
	normaliseSealSpec,
	sealSvg,
	validateSealSpec,
	type SealShape,
	type SealSpec
} from '$lib/domain/seal-svg';
import { ApiError } from '../api';
import { sealProblemMessage } from './admin-seals';

/** The centre texts the form suggests; any other text can still be typed. */
export const CENTRE_TEXTS = ['合同专用章', '公章', '财务专用章', '发票专用章', '人事专用章'];

/**
 * A millimetre field's number. An empty field is NaN, not 0, so the seal check names the field
 * as out of range instead of drawing a seal of nothing.
 */
export function mmInput(value: string): number {
	return value.trim() === '' ? Number.NaN : Number(value);
}

/**
 * What the admin has typed into the generated-seal form (方式一). It holds a whole spec, starting
 * from the round defaults with the organisation's name, so 完成制作 works at once; the preview
 * and the messages beside the fields follow from the same domain check the server runs.
 */
export class SealEditor {
	/** The id of the seal being regenerated, null for a new one. */
	editing = $state<string | null>(null);
	label = $state(DEFAULT_SEAL_SPECS.round.centreText);
	spec = $state<SealSpec>({ ...DEFAULT_SEAL_SPECS.round });
	busy = $state(false);
	/** What the server refused on the last save, by field, until the next attempt. */
	serverProblems = $state<{ field: string; code: string }[]>([]);
	/** Set by the first save attempt: before it, an empty name is not yet the admin's mistake. */
	touched = $state(false);

	readonly normalised = $derived(normaliseSealSpec(this.spec));
	readonly problems = $derived(validateSealSpec(this.normalised));
	/** The seal as an image URL, or null while the spec cannot be drawn. */
	readonly preview = $derived(
		this.problems.length === 0
			? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(sealSvg(this.normalised))}`
			: null
	);
	/** Per-field messages: the live domain check, plus what the server refused. */
	readonly fieldErrors = $derived.by(() => {
		const byField: Record<string, string> = {};
		const shown = this.touched
			? this.problems
			: this.problems.filter((p) => p.code !== 'NAME_EMPTY');
		for (const p of [...shown, ...this.serverProblems])
			byField[p.field] ??= sealProblemMessage(p.field === 'label' ? 'label' : p.code);
		if (this.touched && !this.label.trim()) byField.label ??= sealProblemMessage('label');
		return byField;
	});

	readonly #organisationName: () => string;

	/** `organisationName` is read for each new seal, so a reload's name is the one used. */
	constructor(organisationName: () => string) {
		this.#organisationName = organisationName;
		this.spec = this.#newSpec();
	}

	/** A new seal: the round defaults with the organisation's registered name along the arc. */
	#newSpec(): SealSpec {
		return { ...DEFAULT_SEAL_SPECS.round, orgName: this.#organisationName() };
	}

	chooseShape(shape: SealShape) {
		// A new shape takes its own proportions; the texts the user typed stay.
		const base = DEFAULT_SEAL_SPECS[shape];
		this.spec = {
			...base,
			orgName: this.spec.orgName,
			centreText: shape === 'square' ? '' : this.spec.centreText || base.centreText,
			bottomCode: this.spec.bottomCode,
			colour: this.spec.colour
		};
	}

	/** The width field; a round or square seal keeps its height equal to it. */
	setWidth(value: string) {
		this.spec.widthMm = mmInput(value);
		if (this.spec.shape !== 'oval') this.spec.heightMm = this.spec.widthMm;
	}

	/** Opens a generated seal for editing; a photo seal has no spec and cannot be. */
	load(seal: AdminSeal): boolean {
		if (!seal.spec) return false;
		this.editing = seal.id;
		this.label = seal.name;
		this.spec = { ...seal.spec };
		this.serverProblems = [];
		return true;
	}

	/** Back to a new seal with the defaults. */
	reset() {
		this.editing = null;
		this.label = DEFAULT_SEAL_SPECS.round.centreText;
		this.spec = this.#newSpec();
		this.serverProblems = [];
		this.touched = false;
	}

	/**
	 * Starts a save attempt: from now on every problem shows, and the server's last refusal is
	 * forgotten. False when the form's own check stops the seal from being sent.
	 */
	attempt(): boolean {
		this.touched = true;
		this.serverProblems = [];
		return this.problems.length === 0 && this.label.trim() !== '';
	}

	/** The server refused the seal: its problems mark their fields; what was typed stays. */
	refused(caught: unknown) {
		if (caught instanceof ApiError && Array.isArray(caught.details.problems))
			this.serverProblems = caught.details.problems as { field: string; code: string }[];
	}
}
