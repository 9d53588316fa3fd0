import type { Kysely } from 'kysely';
import type { Envelope } from '$lib/domain/envelope';
import { deadlineEnd } from '$lib/domain/deadline';
import type { InboxItem, MyState } from '$lib/domain/api-types';
import { reminderPlan } from './reminder-plan';
import { manifestImages, type Manifest } from '$lib/domain/manifest';
import { render } from '$lib/pdf/render';
import { sha256Hex } from '$lib/domain/canonical';
import { contractState, currentRound, envelopeStatus } from '$lib/domain/lifecycle';
import type { Database, User } from '../db/schema';
import { read, readOne } from '../db/together';
import type { BlobStore } from '../platform/blob-store';
import { loadCjkFont } from '../platform/fonts';
import type { CertificationLevel } from '$lib/domain/personal-certification';

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
	/** The instant signing closes (DL1), or null when the contract has no deadline. */
	deadlineAt: string | null;
	/** The level every signer must be certified to before signing (PC11), or null. */
	requiredLevel: CertificationLevel | null;
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
export function loadEnvelope(db: Kysely<Database>, id: string): Promise<StoredEnvelope | null> {
	return readOne(envelopeRead(db, id));
}

/** loadEnvelope as a Read, to send with other reads (readTogether). */
export function envelopeRead(db: Kysely<Database>, id: string) {
	// The row and its signers in one query (a row per signer, or one with nulls when none): on
	// PostgreSQL every statement is a round trip, and ingest loads an envelope on every upload.
	const query = db
		.selectFrom('envelopes')
		.leftJoin('envelope_signers as s', 's.envelope_id', 'envelopes.id')
		// The columns it maps, named: PostgreSQL then keeps the statement prepared (dialects/postgres.ts).
		.select([
			'envelopes.id',
			'envelopes.doc_sha256',
			'envelopes.revision',
			'envelopes.status',
			'envelopes.returned_at',
			'envelopes.definition',
			'envelopes.org_id',
			'envelopes.title',
			'envelopes.deadline',
			'envelopes.required_level',
			's.signer_id as signer_id',
			's.user_id as signer_user_id'
		])
		.where('envelopes.id', '=', id);
	return read(query, (rows): StoredEnvelope | null => {
		const row = rows[0];
		if (!row || row.definition === null) return null;
		const definition = JSON.parse(row.definition) as EnvelopeDefinition;
		const signers = rows.flatMap((r) =>
			r.signer_id === null ? [] : [{ signer_id: r.signer_id, user_id: r.signer_user_id! }]
		);
		return {
			envelope: {
				id: row.id,
				docHash: row.doc_sha256,
				revision: row.revision,
				status: envelopeStatus(row.status, row.returned_at),
				...definition
			},
			orgId: row.org_id,
			title: row.title,
			signerUsers: new Map(signers.map((s) => [s.signer_id, s.user_id])),
			deadlineAt: row.deadline ? deadlineEnd(row.deadline) : null,
			requiredLevel: row.required_level
		};
	});
}

/**
 * The accepted manifests of the envelope's current round (LC2) in acceptance order: the order
 * the rules (R8, R9) and render() need. The per-envelope sequence number orders them, since
 * receipt times can tie. Decisions on older revisions stay stored as evidence but are not
 * served: a device shown them would think its returner had already decided this round.
 */
export async function acceptedManifests(
	db: Kysely<Database>,
	envelope: Pick<Envelope, 'id' | 'revision'>
): Promise<Manifest[]> {
	return (await readOne(acceptedManifestsRead(db, envelope.id)))(envelope);
}

/**
 * acceptedManifests as a Read, to send before the envelope row is known (readTogether): its
 * answer takes the envelope, whose revision picks the current round.
 */
export function acceptedManifestsRead(db: Kysely<Database>, envelopeId: string) {
	const query = db
		.selectFrom('submissions')
		.select('manifest_json')
		.where('envelope_id', '=', envelopeId)
		.where('status', '=', 'accepted')
		.orderBy('seq');
	return read(query, (rows) => {
		const all = rows.map((r) => JSON.parse(r.manifest_json) as Manifest);
		return (envelope: Pick<Envelope, 'id' | 'revision'>): Manifest[] => {
			if (envelope.id !== envelopeId) throw new Error('accepted manifests of another envelope');
			return currentRound(envelope, all);
		};
	});
}

/**
 * Whether a user may read an envelope: one of its signers, or an admin of its organisation.
 * Everyone else gets "not found", so envelope ids do not leak across organisations.
 */
export function mayRead(stored: StoredEnvelope, user: User): boolean {
	if (user.role === 'admin' && user.org_id === stored.orgId) return true;
	return [...stored.signerUsers.values()].includes(user.id);
}

/**
 * The envelope as it stands: render(original, accepted manifests) (SPEC P), the very bytes a
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
	const manifests = await acceptedManifests(db, envelope);
	const assets = new Map<string, Uint8Array>();
	for (const manifest of manifests) {
		for (const image of manifestImages(manifest)) {
			if (assets.has(image)) continue;
			const bytes = await blobs.get(image);
			if (!bytes) return null;
			assets.set(image, bytes);
		}
	}
	const pdf = await render(original, manifests, assets, { font: await loadCjkFont() });
	return { pdf, sha256: await sha256Hex(pdf) };
}

/**
 * The user's own decision on an envelope from their accepted manifests: returned as soon as one
 * of their signer roles rejected; signed once every role they hold has signed. A user rarely
 * holds two roles in one envelope, but counting roles keeps "signed" from showing too early.
 */
export function myStateOf(roles: readonly string[], manifests: readonly Manifest[]): MyState {
	const mine = manifests.filter((m) => roles.includes(m.signerId));
	if (mine.some((m) => m.decision.kind === 'rejected')) return 'rejected';
	const signed = new Set(mine.filter((m) => m.decision.kind === 'signed').map((m) => m.signerId));
	return roles.length > 0 && roles.every((r) => signed.has(r)) ? 'signed' : 'pending';
}

/**
 * The envelopes a user signs (GET /api/inbox), newest first, with their own decision state.
 * Drafts are left out: a signer sees a contract only once it was sent. Revoked ones stay, so a
 * device holding a copy learns why it can no longer be signed.
 */
export async function listInbox(
	db: Kysely<Database>,
	userId: string,
	/** Only these envelopes (the pull's changed ones); all when absent. */
	only?: readonly string[],
	/** The moment expiry is judged at (LC7). */
	now: Date = new Date()
): Promise<InboxItem[]> {
	if (only && only.length === 0) return [];
	const rows = await db
		.selectFrom('envelope_signers')
		.innerJoin('envelopes', 'envelopes.id', 'envelope_signers.envelope_id')
		.innerJoin('blobs', 'blobs.sha256', 'envelopes.doc_sha256')
		.innerJoin('organisations', 'organisations.id', 'envelopes.org_id')
		.leftJoin('users as creator', 'creator.id', 'envelopes.created_by')
		.select([
			'envelopes.id',
			'envelopes.title',
			'envelopes.status',
			'envelopes.revision',
			'envelopes.doc_sha256',
			'envelopes.page_count',
			'envelopes.created_at',
			'envelopes.final_sha256',
			'envelopes.returned_at',
			'envelopes.deadline',
			'envelopes.reminder_first_days',
			'envelopes.reminder_every_days',
			'envelopes.org_id',
			'organisations.name as org_name',
			'organisations.name_en as org_name_en',
			'creator.display_name as creator_name',
			'blobs.size',
			'envelope_signers.signer_id'
		])
		.where('envelope_signers.user_id', '=', userId)
		.where('envelopes.status', '!=', 'draft')
		.$if(only !== undefined, (q) => q.where('envelopes.id', 'in', only!))
		.orderBy('envelopes.created_at', 'desc')
		.orderBy('envelopes.id')
		.execute();
	const roles = new Map<string, string[]>();
	for (const r of rows) roles.set(r.id, [...(roles.get(r.id) ?? []), r.signer_id]);
	const ids = [...roles.keys()];
	const submissions = ids.length
		? await db
				.selectFrom('submissions')
				.select(['envelope_id', 'manifest_json'])
				.where('envelope_id', 'in', ids)
				.where('status', '=', 'accepted')
				.orderBy('seq')
				.execute()
		: [];
	const manifests = new Map<string, Manifest[]>();
	for (const s of submissions) {
		const list = manifests.get(s.envelope_id) ?? [];
		list.push(JSON.parse(s.manifest_json) as Manifest);
		manifests.set(s.envelope_id, list);
	}
	const items = new Map<string, InboxItem>();
	for (const r of rows) {
		if (items.has(r.id)) continue;
		// Everyone's decisions of the current round (LC2): the state says whether anybody signed.
		const round = currentRound(r, manifests.get(r.id) ?? []);
		const status = envelopeStatus(r.status, r.returned_at);
		items.set(r.id, {
			id: r.id,
			title: r.title,
			status,
			state: contractState(status, round, r.deadline ? deadlineEnd(r.deadline) : null, now),
			revision: r.revision,
			docHash: r.doc_sha256,
			pageCount: r.page_count,
			size: r.size,
			myState: myStateOf(roles.get(r.id)!, round),
			createdAt: r.created_at,
			finalSha256: r.final_sha256,
			deadlineAt: r.deadline ? deadlineEnd(r.deadline) : null,
			orgId: r.org_id,
			sender: {
				organisation: r.org_name,
				organisationEn: r.org_name_en,
				person: r.creator_name ?? null
			},
			reminders: reminderPlan(r)
		});
	}
	return [...items.values()];
}

/**
 * The original document of an envelope for one of its participants (a signer, or an admin of
 * its organisation), or null for anyone else, so ids do not leak across organisations. Works
 * for envelopes without a definition too: an admin may view a contract before preparing it.
 */
export async function participantDocument(
	db: Kysely<Database>,
	user: User,
	id: string
): Promise<{ sha256: string; title: string } | null> {
	const row = await db
		.selectFrom('envelopes')
		.select(['doc_sha256', 'title', 'org_id'])
		.where('id', '=', id)
		.executeTakeFirst();
	if (!row) return null;
	const admin = user.role === 'admin' && user.org_id === row.org_id;
	const signer =
		admin ||
		(await db
			.selectFrom('envelope_signers')
			.select('signer_id')
			.where('envelope_id', '=', id)
			.where('user_id', '=', user.id)
			.executeTakeFirst()) !== undefined;
	return signer ? { sha256: row.doc_sha256, title: row.title } : null;
}

/**
 * Whether this is the session's first view of this revision of an envelope, remembering it.
 * The view is evidence ("the signer opened revision 3"), but one row per GET would let a page
 * reload or a script fill the audit log; once per session and revision keeps the evidence.
 */
export async function firstViewInSession(
	db: Kysely<Database>,
	sessionIdHash: string,
	envelopeId: string,
	revision: number
): Promise<boolean> {
	const inserted = await db
		.insertInto('envelope_views')
		.values({ session_id_hash: sessionIdHash, envelope_id: envelopeId, revision })
		.onConflict((oc) => oc.doNothing())
		.executeTakeFirst();
	return inserted.numInsertedOrUpdatedRows === 1n;
}
