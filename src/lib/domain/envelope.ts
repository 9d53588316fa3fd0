/**
 * The contract being signed (an "envelope"): the immutable original PDF, who signs, in what
 * order, and which fields each signer fills. Geometry is in PDF points (1/72 inch) on the page
 * as displayed (SPEC PG1): origin at the bottom-left of the visible box after /Rotate, y up —
 * the page the admin and the signer see; render() maps it to the PDF's own user space.
 */

import type { EnvelopeStatus } from './lifecycle';

export type FieldKind = 'signature' | 'seal' | 'date' | 'riding-seam';

export interface Rect {
	x: number;
	y: number;
	width: number;
	height: number;
}

export interface PageSize {
	width: number;
	height: number;
}

export interface Field {
	id: string;
	kind: FieldKind;
	/** The signer who must fill it. */
	signerId: string;
	/** 1-based page number; for a riding-seam field, the first page it spans. */
	page: number;
	rect: Rect;
	required: boolean;
}

export interface Party {
	id: string;
	name: string;
	kind: 'organisation' | 'person';
}

export interface Signer {
	id: string;
	partyId: string;
	name: string;
	/** Position in a sequential order (1 = first); equal numbers sign in parallel. */
	order: number;
}

export type SigningOrder = 'parallel' | 'sequential';

export interface Envelope {
	id: string;
	/** SHA-256 (hex) of the original PDF. */
	docHash: string;
	revision: number;
	/** The stored status with a return applied (SPEC LC1); R3 lets only 'sent' be signed. */
	status: EnvelopeStatus;
	pages: PageSize[];
	signingOrder: SigningOrder;
	parties: Party[];
	signers: Signer[];
	fields: Field[];
}

/** Millimetres to PDF points (1 in = 25.4 mm = 72 pt). */
export function mmToPt(mm: number): number {
	return (mm * 72) / 25.4;
}
