import { randomUUID } from 'node:crypto';
import { failure, type Result } from '$lib/domain/errors';
import type { SealShape, SealSpec } from '$lib/domain/seal-svg';
import {
	PHOTO_SEAL_MAX_BYTES,
	PHOTO_SEAL_MAX_PX,
	PHOTO_SEAL_MIN_PX,
	validatePhotoSeal
} from '$lib/domain/seal-photo';
import { inspectImage } from '$lib/pdf/images';
import type { User } from '../../db/schema';
import { refuseUnlessCertified } from '../../orgs';
import { generatedDraft, invalidName, renderSpec, writeSeal, type AdminSealDeps } from './common';

/**
 * Creates a generated seal (S1) from a spec: validated first so nothing is written for a spec
 * that cannot be drawn, rasterised on the server so every device stamps the same pixels, and the
 * spec kept so the seal can be edited and regenerated. Audited as seal.created. Only a
 * certified organisation makes seals (ORG_NOT_CERTIFIED, SPEC OC5).
 */
export async function createSeal(
	deps: AdminSealDeps,
	admin: User,
	input: { name: string; spec: Partial<SealSpec> }
): Promise<Result<{ id: string; image: string }>> {
	const uncertified = await refuseUnlessCertified(deps.db, admin.org_id);
	if (uncertified) return uncertified;
	const badName = invalidName(input.name);
	if (badName) return badName;
	const rendered = await renderSpec(deps, input.spec);
	if (!rendered.ok) return rendered;
	const id = randomUUID();
	const image = await writeSeal(deps, admin, id, generatedDraft(input.name, rendered));
	return { ok: true, id, image };
}

/** What a photo seal is stored with beside its PNG (SA5). */
export interface PhotoSealInput {
	name: string;
	shape: string;
	widthMm: number;
	heightMm: number;
}

/**
 * Creates a seal from a photo (方式二, SA5). The browser has already pulled the red ink out into a
 * transparent PNG (SP2); the server trusts none of that: it checks the bytes are a complete PNG of
 * sane dimensions and that the size fits the pixels (SP6) before anything is written, so a
 * refused upload leaves no seal, blob row or audit row. Stored with no spec (it cannot be
 * regenerated) and audited as seal.created.
 */
export async function createPhotoSeal(
	deps: AdminSealDeps,
	admin: User,
	input: PhotoSealInput,
	png: Uint8Array
): Promise<Result<{ id: string; image: string }>> {
	const uncertified = await refuseUnlessCertified(deps.db, admin.org_id);
	if (uncertified) return uncertified;
	const badName = invalidName(input.name);
	if (badName) return badName;
	const inspection = inspectImage(png, {
		maxBytes: PHOTO_SEAL_MAX_BYTES,
		maxPixels: PHOTO_SEAL_MAX_PX * PHOTO_SEAL_MAX_PX
	});
	if (!inspection.ok) return failure(inspection.code, inspection.message);
	if (inspection.type !== 'png') {
		// A JPEG has no transparency: stamped over the text it would hide it behind paper.
		return failure('IMAGE_INVALID', 'A photo seal must be a transparent PNG.');
	}
	const { width, height } = inspection;
	const sides = [width, height];
	if (sides.some((side) => side < PHOTO_SEAL_MIN_PX)) {
		return failure(
			'IMAGE_INVALID',
			`The seal image is ${width}×${height} pixels; each side needs at least ${PHOTO_SEAL_MIN_PX}.`
		);
	}
	if (sides.some((side) => side > PHOTO_SEAL_MAX_PX)) {
		return failure(
			'IMAGE_TOO_LARGE',
			`The seal image is ${width}×${height} pixels; each side may have at most ${PHOTO_SEAL_MAX_PX}.`
		);
	}
	const problems = validatePhotoSeal({ ...input, pixelWidth: width, pixelHeight: height });
	if (problems.length) {
		return failure(
			'SEAL_SPEC_INVALID',
			`Photo seal invalid: ${problems.map((p) => `${p.field} ${p.code}`).join(', ')}`,
			{ problems }
		);
	}
	const id = randomUUID();
	const image = await writeSeal(deps, admin, id, {
		name: input.name.trim(),
		shape: input.shape as SealShape,
		widthMm: input.widthMm,
		heightMm: input.heightMm,
		spec: null,
		png
	});
	return { ok: true, id, image };
}
