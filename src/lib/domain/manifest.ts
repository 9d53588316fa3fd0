import type { Rect } from './envelope';

/**
 * A signer's action as a small JSON fact (SPEC M1–M4). The signed PDF is a pure function of the
 * original and the accepted manifests; the passkey assertion signs the manifest's hash.
 */

export interface TicketRef {
	id: string;
	/** base64url of the ticket's 32 random bytes. */
	nonce: string;
}

/**
 * Where a filled field is: copied from the envelope into the manifest, so the passkey signs the
 * geometry too and render() needs nothing but manifests (R7 checks the copy is exact).
 */
export interface FillPlace {
	fieldId: string;
	page: number;
	rect: Rect;
}

/** A field filled with an image (signature or seal) or with text (date). */
export type Fill =
	| (FillPlace & { kind: 'signature'; image: string })
	| (FillPlace & { kind: 'seal'; sealId: string; image: string; sizeMm: SizeMm })
	| (FillPlace & { kind: 'date'; text: string });

export interface SizeMm {
	width: number;
	height: number;
}

/** A seal dragged anywhere on a page; centre in PDF points, size in millimetres (real size). */
export interface FreeSeal {
	sealId: string;
	image: string;
	page: number;
	centre: { x: number; y: number };
	sizeMm: SizeMm;
}

/**
 * A riding-seam seal (骑缝章): one seal split across pages at a page edge, so each page carries a
 * slice and the slices of all pages make up the whole seal.
 */
export interface RidingSeam {
	sealId: string;
	image: string;
	/** 'all' pages, or an ascending list of 1-based page numbers (at least two). */
	pages: 'all' | number[];
	edge: 'left' | 'right';
	/** Vertical position of the seal's centre: 0 = bottom of the page, 1 = top. */
	position: number;
	sizeMm: SizeMm;
	/** The riding-seam field this fills, when the envelope asked for one. */
	fieldId?: string;
}

export type Decision = { kind: 'signed' } | { kind: 'rejected'; reason: string };

export interface Manifest {
	v: 1;
	envelopeId: string;
	docHash: string;
	revision: number;
	signerId: string;
	credentialId: string;
	ticket: TicketRef;
	/** The device's clock when the signer confirmed, ISO-8601; evidence only, never trusted for order. */
	deviceTime: string;
	decision: Decision;
	fills: Fill[];
	seals: FreeSeal[];
	ridingSeams: RidingSeam[];
}

/**
 * Every image hash a manifest draws with (signature and seal fills, free seals, riding seams), in
 * first-use order without repeats. Why: whoever renders a manifest (server, browser preview) or
 * decides who may see an image must agree on exactly which images it names.
 */
export function manifestImages(manifest: Manifest): string[] {
	const images = new Set<string>();
	for (const fill of manifest.fills) if (fill.kind !== 'date') images.add(fill.image);
	for (const seal of manifest.seals) images.add(seal.image);
	for (const seam of manifest.ridingSeams) images.add(seam.image);
	return [...images];
}

/** How a manifest stamps with a seal: in a seal field, placed freely, or across pages (骑缝章). */
export type SealMarkKind = 'seal-field' | 'free-seal' | 'riding-seam';

/** One stamp of a seal in a manifest: its kind and the page(s) it is drawn on (1-based). */
export interface SealMark {
	kind: SealMarkKind;
	pages: number[] | 'all';
}

/** Every stamp a manifest makes with one seal, in manifest order (SPEC SA7). */
export interface SealUse {
	sealId: string;
	marks: SealMark[];
}

/**
 * The seals a manifest stamps with, one entry per seal in first-use order (seal fields, then
 * free seals, then riding seams), each with all of its stamps. Why: a seal's usage count and
 * history (SA7, SA8) count manifests, not stamps, so one manifest that both fills a seal field and
 * adds a riding seam with the same seal is one use showing both marks; ingest and the seal list
 * must agree on exactly that reading. A rejected manifest (退回) stamps nothing and has no uses.
 */
export function manifestSealUses(manifest: Manifest): SealUse[] {
	const uses = new Map<string, SealMark[]>();
	const add = (sealId: string, mark: SealMark) => {
		const marks = uses.get(sealId);
		if (marks) marks.push(mark);
		else uses.set(sealId, [mark]);
	};
	for (const fill of manifest.fills) {
		if (fill.kind === 'seal') add(fill.sealId, { kind: 'seal-field', pages: [fill.page] });
	}
	for (const seal of manifest.seals) add(seal.sealId, { kind: 'free-seal', pages: [seal.page] });
	for (const seam of manifest.ridingSeams) {
		add(seam.sealId, {
			kind: 'riding-seam',
			pages: seam.pages === 'all' ? 'all' : [...seam.pages]
		});
	}
	return [...uses].map(([sealId, marks]) => ({ sealId, marks }));
}
