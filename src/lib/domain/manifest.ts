import type { Rect } from './envelope';

/**
 * A signer's action as a small JSON fact (DESIGN §2). The signed PDF is a pure function of the
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
