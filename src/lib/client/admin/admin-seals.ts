import { m } from '$lib/paraglide/messages';
import type { AdminSealsResponse, OrgUsersResponse, SealUsesResponse } from '$lib/domain/api-types';
import type { SealProblemCode, SealShape, SealSpec } from '$lib/domain/seal-svg';
import type { PhotoSealProblem } from '$lib/domain/seal-photo';
import { api } from '../api';
import type { RequestOf, SealBody, SealStatusBody } from '$lib/domain/api-requests';

const problems: Record<SealProblemCode | PhotoSealProblem['code'] | 'label', () => string> = {
	SHAPE_UNKNOWN: m.seal_problem_SHAPE_UNKNOWN,
	SIZE_OUT_OF_RANGE: m.seal_problem_SIZE_OUT_OF_RANGE,
	ROUND_NOT_CIRCLE: m.seal_problem_ROUND_NOT_CIRCLE,
	NAME_EMPTY: m.seal_problem_NAME_EMPTY,
	NAME_TOO_LONG: m.seal_problem_NAME_TOO_LONG,
	SQUARE_NAME_LENGTH: m.seal_problem_SQUARE_NAME_LENGTH,
	CENTRE_TEXT_TOO_LONG: m.seal_problem_CENTRE_TEXT_TOO_LONG,
	BOTTOM_CODE_TOO_LONG: m.seal_problem_BOTTOM_CODE_TOO_LONG,
	TEXT_INVALID: m.seal_problem_TEXT_INVALID,
	COLOUR_INVALID: m.seal_problem_COLOUR_INVALID,
	RING_WIDTH_OUT_OF_RANGE: m.seal_problem_RING_WIDTH_OUT_OF_RANGE,
	ARC_OUT_OF_RANGE: m.seal_problem_ARC_OUT_OF_RANGE,
	FONT_FAMILY_EMPTY: m.seal_problem_FONT_FAMILY_EMPTY,
	IMAGE_PROPORTION: m.seal_problem_IMAGE_PROPORTION,
	label: m.seal_problem_label
};

/** A seal's shape in the admin's language, in the seal list and both ways of making one. */
export const sealShapeLabel: Record<SealShape, () => string> = {
	round: m.aseal_shape_round,
	oval: m.aseal_shape_oval,
	square: m.aseal_shape_square
};

/** The message beside a field for one reason the seal cannot be drawn (client and server checks). */
export function sealProblemMessage(code: string): string {
	return (problems[code as SealProblemCode] ?? m.seal_problem_TEXT_INVALID)();
}

/** The admin's view of the organisation's seals and users, for the seal page. */
export async function loadAdminSeals(fetcher: typeof fetch) {
	const [seals, users] = await Promise.all([
		api<AdminSealsResponse>(fetcher, '/api/admin/seals'),
		api<OrgUsersResponse>(fetcher, '/api/admin/users')
	]);
	return {
		seals: seals.seals,
		users: users.users,
		organisationName: seals.organisation.name,
		certState: seals.organisation.certState
	};
}

/** One page of a seal's usage history (SA8), newest first; pass the last page's cursor for more. */
export function fetchSealUses(fetcher: typeof fetch, sealId: string, cursor: string | null) {
	const query = cursor ? `?${new URLSearchParams({ cursor })}` : '';
	return api<SealUsesResponse>(
		fetcher,
		`/api/admin/seals/${encodeURIComponent(sealId)}/uses${query}`
	);
}

/** Creates (no id) or regenerates (id) a generated seal; the server rasterises it. */
export function saveSeal(id: string | null, name: string, spec: SealSpec) {
	return api<{ id: string; image: string }>(
		fetch,
		id ? `/api/admin/seals/${encodeURIComponent(id)}` : '/api/admin/seals',
		{ method: id ? 'PUT' : 'POST', json: { name, spec } satisfies RequestOf<typeof SealBody> }
	);
}

/** Disables or re-enables a seal for everyone authorised for it. */
export function setSealStatus(id: string, status: 'active' | 'disabled') {
	return api(fetch, `/api/admin/seals/${encodeURIComponent(id)}`, {
		method: 'PATCH',
		json: { status } satisfies RequestOf<typeof SealStatusBody>
	});
}

/** Grants (true) or revokes (false) a user's authorisation to stamp with a seal. */
export function setAuthorised(sealId: string, userId: string, granted: boolean) {
	return api(
		fetch,
		`/api/admin/seals/${encodeURIComponent(sealId)}/authorisations/${encodeURIComponent(userId)}`,
		{ method: granted ? 'PUT' : 'DELETE' }
	);
}

/** What a photo seal is saved with beside its PNG. */
export interface PhotoSealMeta {
	name: string;
	shape: SealShape;
	widthMm: number;
	heightMm: number;
}

/** Uploads the transparent PNG made in the browser as a new seal (SA5); the bytes are the body. */
export function savePhotoSeal(png: Blob, meta: PhotoSealMeta) {
	const query = new URLSearchParams({
		name: meta.name,
		shape: meta.shape,
		widthMm: String(meta.widthMm),
		heightMm: String(meta.heightMm)
	});
	return api<{ id: string; image: string }>(fetch, `/api/admin/seals/photo?${query}`, {
		method: 'POST',
		headers: { 'Content-Type': 'image/png' },
		body: png
	});
}
