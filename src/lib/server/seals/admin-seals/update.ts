import { failure, type Result } from '$lib/domain/errors';
import type { SealSpec } from '$lib/domain/seal-svg';
import type { User } from '../../db/schema';
import {
	generatedDraft,
	invalidName,
	NOT_FOUND,
	orgSeal,
	renderSpec,
	writeSeal,
	type AdminSealDeps
} from './common';

/**
 * Regenerates a generated seal from an edited spec (a photo seal is refused: it has no spec).
 * The new image is audited as seal.regenerated with the image it replaces, so the audit trail
 * names every image the seal has ever stamped with; manifests keep the hash they stamped, so
 * past evidence still renders with the old image. The old image version is closed and the new
 * one opened in the same transaction (R20), so a device still holding the old image can sync
 * what it confirmed with a ticket issued before the change.
 */
export async function updateSeal(
	deps: AdminSealDeps,
	admin: User,
	sealId: string,
	input: { name: string; spec: Partial<SealSpec> }
): Promise<Result<{ id: string; image: string }>> {
	const seal = await orgSeal(deps.db, admin, sealId);
	if (!seal) return NOT_FOUND;
	if (seal.spec_json === null) {
		// A photo seal's pixels are the physical seal's; a spec would replace them with a drawing.
		return failure(
			'SEAL_NOT_GENERATED',
			'A seal made from a photo cannot be regenerated from a spec'
		);
	}
	const badName = invalidName(input.name);
	if (badName) return badName;
	const rendered = await renderSpec(deps, input.spec);
	if (!rendered.ok) return rendered;
	const draft = generatedDraft(input.name, rendered);
	const image = await writeSeal(deps, admin, sealId, draft, seal.image_hash);
	return { ok: true, id: sealId, image };
}
