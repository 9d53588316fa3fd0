import type { Kysely } from 'kysely';
import type { Envelope } from '$lib/domain/envelope';
import type { Manifest } from '$lib/domain/manifest';
import { render } from '$lib/pdf/render';
import { sha256Hex } from '$lib/domain/canonical';
import type { Database, User } from './db/schema';
import type { BlobStore } from './blob-store';
import { loadCjkFont } from './fonts';

/** The parts of a domain Envelope kept as JSON in `envelopes.definition`. */
export type EnvelopeDefinition = Pick<
	Envelope,
	'pages' | 'signingOrder' | 'parties' | 'signers' | 'fields'
>;

/** A loaded envelope with the columns the server needs beside the domain shape. */
export interface StoredEnvelope {
	envelope: Envelope;
	orgId: string;
	title: string;
	/** Signer id → user id: which account's passkey may confirm for each signer. */
	signerUsers: Map<string, string>;
}

/**
 * Serialises the definition the same way everywhere it is written (seed now, the admin
 * editor later), so the column never holds keys that the loader would silently ignore.
 */
export function definitionJson(envelope: Envelope): string {
	const { pages, signingOrder, parties, signers, fields } = envelope;
	const definition: EnvelopeDefinition = { pages, signingOrder, parties, signers, fields };
	return JSON.stringify(definition);
}

/**
 * Loads the domain Envelope the signing rules run against. Null when the envelope does not
 * exist or was never prepared for signing (no definition): such an envelope has no fields to
 * fill, and treating it as empty would let any manifest "complete" it.
 */
export async function loadEnvelope(
	db: Kysely<Database>,
	id: string
): Promise<StoredEnvelope | null> {
	const row = await db.selectFrom('envelopes').selectAll().where('id', '=', id).executeTakeFirst();
	if (!row || row.definition === null) return null;
	const definition = JSON.parse(row.definition) as EnvelopeDefinition;
	const signers = await db
		.selectFrom('envelope_signers')
		.select(['signer_id', 'user_id'])
		.where('envelope_id', '=', id)
		.execute();
	return {
		envelope: {
			id: row.id,
			docHash: row.doc_sha256,
			revision: row.revision,
			status: row.status,
			...definition
		},
		orgId: row.org_id,
		title: row.title,
		signerUsers: new Map(signers.map((s) => [s.signer_id, s.user_id]))
	};
}

/**
 * The envelope's accepted manifests in acceptance order: the order the rules (R8, R9) and
 * render() need. The per-envelope sequence number orders them, since receipt times can tie.
 */
export async function acceptedManifests(db: Kysely<Database>, id: string): Promise<Manifest[]> {
	const rows = await db
		.selectFrom('submissions')
		.select('manifest_json')
		.where('envelope_id', '=', id)
		.where('status', '=', 'accepted')
		.orderBy('seq')
		.execute();
	return rows.map((r) => JSON.parse(r.manifest_json) as Manifest);
}

/**
 * Whether a user may read an envelope: one of its signers, or an admin of its organisation.
 * Everyone else gets "not found", so envelope ids do not leak across organisations.
 */
export function mayRead(stored: StoredEnvelope, user: User): boolean {
	if (user.role === 'admin' && user.org_id === stored.orgId) return true;
	return [...stored.signerUsers.values()].includes(user.id);
}

let cjkFont: Promise<Uint8Array> | null = null;

/**
 * The envelope as it stands: render(original, accepted manifests) (DESIGN §2), the very bytes a
 * signer's preview produced from the same inputs. Returns null when the original or an image
 * is missing from the blob store, which is damage to report, not a document to guess at.
 */
export async function renderEnvelope(
	db: Kysely<Database>,
	blobs: BlobStore,
	envelope: Envelope
): Promise<{ pdf: Uint8Array<ArrayBuffer>; sha256: string } | null> {
	const original = await blobs.get(envelope.docHash);
	if (!original) return null;
	const manifests = await acceptedManifests(db, envelope.id);
	const assets = new Map<string, Uint8Array>();
	for (const manifest of manifests) {
		const images = [
			...manifest.fills.flatMap((f) => (f.kind === 'date' ? [] : [f.image])),
			...manifest.seals.map((s) => s.image),
			...manifest.ridingSeams.map((s) => s.image)
		];
		for (const image of images) {
			if (assets.has(image)) continue;
			const bytes = await blobs.get(image);
			if (!bytes) return null;
			assets.set(image, bytes);
		}
	}
	// Loaded once per process: the font is a few MB and never changes while the server runs.
	cjkFont ??= loadCjkFont();
	const pdf = await render(original, manifests, assets, { font: await cjkFont });
	return { pdf, sha256: await sha256Hex(pdf) };
}
