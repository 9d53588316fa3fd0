import { ORG_NAME_MAX_CHARS } from './org-certification';

/*
 * An organisation the platform operator creates (SPEC OC11): its names as they are stored and
 * compared. Pure, so the operator's form and the server judge alike.
 */

/** The longest English name, in characters (an English legal name runs longer than its Chinese). */
export const ORG_NAME_EN_MAX_CHARS = 200;

export type NewOrgNameProblem = { field: 'name' | 'nameEn'; code: 'EMPTY' | 'TOO_LONG' };

/** NFC, trimmed, inner whitespace runs as one space: the one spelling stored and compared. */
export function normaliseOrgName(value: string): string {
	return value.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/**
 * The names of a new organisation (OC11): the Chinese name 1–100 characters (code points), the
 * English one optional and at most 200; without one the Chinese name stands for both, so the
 * English pages never show an empty name.
 */
export function newOrgNames(input: {
	name: string;
	nameEn?: string | null;
}): { ok: true; name: string; nameEn: string } | ({ ok: false } & NewOrgNameProblem) {
	const name = normaliseOrgName(input.name);
	const nameEn = normaliseOrgName(input.nameEn ?? '');
	if (!name) return { ok: false, field: 'name', code: 'EMPTY' };
	if ([...name].length > ORG_NAME_MAX_CHARS) return { ok: false, field: 'name', code: 'TOO_LONG' };
	if ([...nameEn].length > ORG_NAME_EN_MAX_CHARS) {
		return { ok: false, field: 'nameEn', code: 'TOO_LONG' };
	}
	return { ok: true, name, nameEn: nameEn || name };
}
