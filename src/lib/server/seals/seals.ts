import type { Kysely } from 'kysely';
import type { MySeal, MySealsResponse } from '$lib/domain/api-types';
import { failure, type Result } from '$lib/domain/errors';
import { manifestImages, type Manifest } from '$lib/domain/manifest';
import { inspectImage, sniffImageType } from '$lib/pdf/images';
import type { Database, User } from '../db/schema';
import { orgCertState } from '../orgs';
import { storeBlob, type BlobStore } from '../platform/blob-store';
import type { Clock } from '../platform/clock';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Largest saved signature: a signature pad PNG is tens of KB; 1 MB leaves room for a scan. */
export const SIGNATURE_MAX_BYTES = 1024 * 1024;

/**
 * The seals the user may stamp with (SK1): active seals of which they hold an unrevoked
 * authorisation, plus their saved signature. Why: a device downloads exactly this for offline
 * signing, so a seal disabled or revoked here disappears from the device at its next download.
 */
export async function listMySeals(db: Kysely<Database>, user: User): Promise<MySealsResponse> {
	const rows = await db
		.selectFrom('seals')
		.select(['seals.id', 'seals.name', 'seals.shape', 'seals.width_mm', 'seals.height_mm'])
		.select('seals.image_hash')
		.where('seals.status', '=', 'active')
		.where((eb) =>
			eb.exists(
				eb
					.selectFrom('seal_authorisations')
					.select('seal_authorisations.id')
					.whereRef('seal_authorisations.seal_id', '=', 'seals.id')
					.where('seal_authorisations.user_id', '=', user.id)
					.where('seal_authorisations.revoked_at', 'is', null)
			)
		)
		.orderBy('seals.created_at')
		.orderBy('seals.id')
		.execute();
	const seals: MySeal[] = rows.map((r) => ({
		id: r.id,
		name: r.name,
		shape: r.shape,
		sizeMm: { width: r.width_mm, height: r.height_mm },
		image: r.image_hash
	}));
	const me = await db
		.selectFrom('users')
		.select('default_signature')
		.where('id', '=', user.id)
		.executeTakeFirst();
	return {
		seals,
		defaultSignature: me?.default_signature ?? null,
		orgCertState: await orgCertState(db, user.org_id)
	};
}

/**
 * Whether the user may see an image (SK2): a seal image they are authorised for (active seal,
 * unrevoked authorisation), their own saved signature, or an image drawn by an accepted manifest
 * of an envelope they sign. An admin may see every image of their own organisation: its seals,
 * its users' signatures and the images of its envelopes. Why: seal and signature images are
 * what a forger would want; a hash alone must not be a key to them.
 */
export async function mayViewImage(
	db: Kysely<Database>,
	user: User,
	sha256: string
): Promise<boolean> {
	const admin = user.role === 'admin';
	let seal = db
		.selectFrom('seals')
		.select('seals.id')
		.where('seals.image_hash', '=', sha256)
		.where('seals.org_id', '=', user.org_id);
	if (!admin) {
		seal = seal
			.where('seals.status', '=', 'active')
			.where((eb) =>
				eb.exists(
					eb
						.selectFrom('seal_authorisations')
						.select('seal_authorisations.id')
						.whereRef('seal_authorisations.seal_id', '=', 'seals.id')
						.where('seal_authorisations.user_id', '=', user.id)
						.where('seal_authorisations.revoked_at', 'is', null)
				)
			);
	}
	if (await seal.executeTakeFirst()) return true;

	let signature = db.selectFrom('users').select('id').where('default_signature', '=', sha256);
	signature = admin
		? signature.where('org_id', '=', user.org_id)
		: signature.where('id', '=', user.id);
	if (await signature.executeTakeFirst()) return true;

	// A LIKE narrows the candidates cheaply (the hash is 64 hex characters, nothing to escape);
	// parsing decides, so a hash that appears only as, say, the docHash does not count.
	let manifests = db
		.selectFrom('submissions')
		.innerJoin('envelopes', 'envelopes.id', 'submissions.envelope_id')
		.select('submissions.manifest_json')
		.where('submissions.status', '=', 'accepted')
		.where('submissions.manifest_json', 'like', `%${sha256}%`);
	manifests = admin
		? manifests.where('envelopes.org_id', '=', user.org_id)
		: manifests.where((eb) =>
				eb.exists(
					eb
						.selectFrom('envelope_signers')
						.select('envelope_signers.signer_id')
						.whereRef('envelope_signers.envelope_id', '=', 'submissions.envelope_id')
						.where('envelope_signers.user_id', '=', user.id)
				)
			);
	for (const row of await manifests.execute()) {
		if (manifestImages(JSON.parse(row.manifest_json) as Manifest).includes(sha256)) return true;
	}
	return false;
}

/**
 * Whether a manifest of this user may name an image by hash alone, without sending its bytes:
 * an image version of a seal they are authorised for (active, of their organisation), their saved
 * signature, or an image their own accepted submissions drew with. Anything else (another
 * user's signature, another organisation's seal) must come with its bytes. Why: the server
 * holding a file is no permission to use it, and a hash seen once (in a shared envelope, a
 * rendered PDF) must not let a signer stamp someone else's image as if it were their own.
 * The missing-blobs answer asks the same question, so it tells a signer nothing about images
 * outside what they may reuse.
 */
export async function mayReuseImage(
	db: Kysely<Database>,
	user: User,
	sha256: string
): Promise<boolean> {
	// Any image version of the seal counts, not only the current one: a device that confirmed
	// with the image it held before a regeneration must not be asked for bytes it may no longer
	// send, and the seal rule (R20) then judges that version against the ticket.
	const seal = await db
		.selectFrom('seals')
		.innerJoin('seal_versions', 'seal_versions.seal_id', 'seals.id')
		.select('seals.id')
		.where('seal_versions.image_hash', '=', sha256)
		.where('seals.org_id', '=', user.org_id)
		.where('seals.status', '=', 'active')
		.where((eb) =>
			eb.exists(
				eb
					.selectFrom('seal_authorisations')
					.select('seal_authorisations.id')
					.whereRef('seal_authorisations.seal_id', '=', 'seals.id')
					.where('seal_authorisations.user_id', '=', user.id)
					.where('seal_authorisations.revoked_at', 'is', null)
			)
		)
		.executeTakeFirst();
	if (seal) return true;
	const signature = await db
		.selectFrom('users')
		.select('id')
		.where('id', '=', user.id)
		.where('default_signature', '=', sha256)
		.executeTakeFirst();
	if (signature) return true;
	// As in mayViewImage: the LIKE narrows, parsing decides.
	const manifests = await db
		.selectFrom('submissions')
		.select('manifest_json')
		.where('user_id', '=', user.id)
		.where('status', '=', 'accepted')
		.where('manifest_json', 'like', `%${sha256}%`)
		.execute();
	return manifests.some((row) =>
		manifestImages(JSON.parse(row.manifest_json) as Manifest).includes(sha256)
	);
}

/**
 * The bytes of an image for GET /api/blobs/[hash], or null for anything the user may not see,
 * is not an image or does not exist (the same answer, so the endpoint leaks no existence).
 * Served immutable: a hash names its bytes forever.
 */
export async function imageResponse(
	db: Kysely<Database>,
	blobs: BlobStore,
	user: User,
	sha256: string
): Promise<Response | null> {
	if (!SHA256_HEX.test(sha256)) return null;
	if (!(await mayViewImage(db, user, sha256))) return null;
	const bytes = await blobs.get(sha256);
	const type = bytes && sniffImageType(bytes);
	if (!bytes || !type) return null;
	return new Response(bytes, {
		headers: {
			'Content-Type': `image/${type}`,
			'Content-Length': String(bytes.byteLength),
			// private: the answer depends on who asks, so no shared cache may keep it.
			'Cache-Control': 'private, max-age=31536000, immutable',
			ETag: `"${sha256}"`,
			'X-Content-SHA256': sha256,
			'X-Content-Type-Options': 'nosniff'
		}
	});
}

/**
 * Saves the user's signature PNG and makes it their default (SK3). The image is checked by its
 * bytes (a complete PNG, at most 1 MB) before anything is stored; the file goes into the blob
 * store before the row that names it, so a crash leaves at most an unreferenced file.
 */
export async function saveSignature(
	deps: { db: Kysely<Database>; blobs: BlobStore; clock: Clock },
	user: User,
	bytes: Uint8Array
): Promise<Result<{ image: string }>> {
	const inspection = inspectImage(bytes, { maxBytes: SIGNATURE_MAX_BYTES });
	if (!inspection.ok) return failure(inspection.code, inspection.message);
	if (inspection.type !== 'png') {
		// A JPEG has no transparency: stamped over the text it would hide it behind a white box.
		return failure('IMAGE_INVALID', 'A signature must be a PNG.');
	}
	const now = deps.clock().toISOString();
	const image = await deps.db.transaction().execute(async (trx) => {
		const image = await storeBlob(trx, deps.blobs, bytes, 'image/png', now);
		await trx
			.updateTable('users')
			.set({ default_signature: image })
			.where('id', '=', user.id)
			.execute();
		return image;
	});
	return { ok: true, image };
}

/**
 * Forgets the user's saved signature. The image itself stays: manifests that drew with it still
 * name it, and evidence is never deleted.
 */
export async function clearSignature(db: Kysely<Database>, user: User): Promise<void> {
	await db
		.updateTable('users')
		.set({ default_signature: null })
		.where('id', '=', user.id)
		.execute();
}

/**
 * Reads a request body of at most `limit` bytes, or null when it is longer: reading stops at the
 * limit, so an oversized upload costs no more memory than an accepted one.
 */
export async function readCapped(
	request: Request,
	limit: number
): Promise<Uint8Array<ArrayBuffer> | null> {
	const announced = Number(request.headers.get('Content-Length'));
	if (Number.isFinite(announced) && announced > limit) return null;
	if (!request.body) return new Uint8Array(0);
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > limit) {
			await reader.cancel();
			return null;
		}
		chunks.push(value);
	}
	const bytes = new Uint8Array(size);
	let at = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, at);
		at += chunk.byteLength;
	}
	return bytes;
}
