import type { Insertable, Kysely, Updateable } from 'kysely';
import * as v from 'valibot';
import { randomUUID } from 'node:crypto';
import type { Database, EnvelopeTable, User } from '../db/schema';
import { appendAudit } from '../audit/audit';
import { storeBlob, type BlobStore } from '../platform/blob-store';
import type {
	ContractDetail,
	ContractReplaced,
	ContractSent,
	ContractSummary,
	EnvelopeStatus,
	FieldTemplateSummary,
	OrgUser,
	SignerProgress
} from '$lib/domain/api-types';
import type { Envelope, Field, Party, Signer } from '$lib/domain/envelope';
import type { ErrorCode } from '$lib/domain/errors';
import type { Manifest } from '$lib/domain/manifest';
import {
	clampRect,
	keepFieldsOnReplace,
	readinessProblems,
	templateFromFields,
	type ReadinessProblem,
	type TemplateField
} from '$lib/domain/field-layout';
import type { IsolatedPdfInspection } from '$lib/pdf/inspect-limits';
import { m } from '$lib/paraglide/messages';
import { inspectPdfIsolated } from '../pdf/pdf-inspect';
import { definitionJson, loadEnvelope } from './envelopes';
import { createInvite, normaliseContact, normaliseName, type InviteDeps } from '../auth/invites';
import { deliver, notifierFor } from '../platform/notify';
import { storageFailure } from '../platform/storage-errors';

/** The contracts of one organisation, newest first (served by the org/created index). */
export async function listContracts(
	db: Kysely<Database>,
	orgId: string
): Promise<ContractSummary[]> {
	const rows = await db
		.selectFrom('envelopes')
		.innerJoin('blobs', 'blobs.sha256', 'envelopes.doc_sha256')
		.select([
			'envelopes.id',
			'envelopes.title',
			'envelopes.page_count',
			'envelopes.revision',
			'envelopes.status',
			'envelopes.created_at',
			'blobs.size'
		])
		.where('envelopes.org_id', '=', orgId)
		.orderBy('envelopes.created_at', 'desc')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		title: r.title,
		pageCount: r.page_count,
		size: r.size,
		revision: r.revision,
		status: r.status,
		createdAt: r.created_at
	}));
}

/** The document hash of a contract, only when it belongs to the given organisation. */
export async function contractDocument(
	db: Kysely<Database>,
	orgId: string,
	id: string
): Promise<{ sha256: string; title: string } | null> {
	const row = await db
		.selectFrom('envelopes')
		.select(['doc_sha256', 'title'])
		.where('id', '=', id)
		.where('org_id', '=', orgId)
		.executeTakeFirst();
	return row ? { sha256: row.doc_sha256, title: row.title } : null;
}

/**
 * The original PDF as an HTTP answer, streamed from the blob store, for every endpoint that
 * serves it (admin view, signer download). The ETag is the document's SHA-256, which is also
 * what the device verifies before keeping a copy; an If-None-Match that names it gets a 304.
 * Null when the blob is missing, which the caller reports as "not found".
 */
export async function documentResponse(
	blobs: BlobStore,
	doc: { sha256: string; title: string },
	request?: Request
): Promise<Response | null> {
	const etag = `"${doc.sha256}"`;
	const headers: Record<string, string> = {
		ETag: etag,
		// The bytes under a hash never change, but access may be revoked: revalidate each time.
		'Cache-Control': 'private, no-cache',
		'X-Content-Type-Options': 'nosniff'
	};
	if (request?.headers.get('if-none-match') === etag && (await blobs.has(doc.sha256))) {
		return new Response(null, { status: 304, headers });
	}
	const blob = await blobs.open(doc.sha256);
	if (!blob) return null;
	return new Response(blob.stream, {
		headers: {
			...headers,
			'Content-Type': 'application/pdf',
			'Content-Length': String(blob.size),
			'Content-Disposition': `inline; filename="contract.pdf"; filename*=UTF-8''${encodeURIComponent(doc.title)}.pdf`
		}
	});
}

// --- preparing, sending, revoking and replacing contracts --------------------------------------
//
// Every write to an envelope row goes through insertEnvelopeRow / updateEnvelopeRow below, so a
// change counter for sync or an audit entry is added in one place for all of them.

/** What the contract writes need from the running app. */
export interface ContractDeps extends InviteDeps {
	blobs: BlobStore;
	/** Inspection runner; the killable worker thread unless a test passes limits. */
	inspect?: (bytes: Uint8Array) => Promise<IsolatedPdfInspection>;
}

export type ContractFailure = {
	ok: false;
	code: ErrorCode;
	message: string;
	details?: Record<string, unknown>;
};

function fail(
	code: ErrorCode,
	message: string,
	details?: Record<string, unknown>
): ContractFailure {
	return { ok: false, code, message, details };
}

/** The one place an envelope row is created (see the section comment). */
async function insertEnvelopeRow(trx: Kysely<Database>, row: Insertable<EnvelopeTable>) {
	await trx.insertInto('envelopes').values(row).execute();
}

/**
 * The one place an envelope row changes (see the section comment). Conditional on the status
 * the caller read, so two admins acting at once cannot both move the same contract: the loser
 * updates no row and gets false.
 */
async function updateEnvelopeRow(
	trx: Kysely<Database>,
	id: string,
	expectedStatus: readonly EnvelopeStatus[],
	set: Updateable<EnvelopeTable>
): Promise<boolean> {
	const result = await trx
		.updateTable('envelopes')
		.set(set)
		.where('id', '=', id)
		.where('status', 'in', [...expectedStatus])
		.executeTakeFirst();
	return result.numUpdatedRows === 1n;
}

const Text = (max: number) => v.pipe(v.string(), v.maxLength(max));

/** The upload form's fields (the PDF travels beside them). Checked again in code below. */
export const ContractInput = v.object({
	title: Text(400),
	signingOrder: v.picklist(['parallel', 'sequential']),
	deadline: v.nullable(Text(40)),
	parties: v.pipe(
		v.array(
			v.object({
				name: Text(400),
				kind: v.picklist(['organisation', 'person']),
				signers: v.pipe(
					v.array(
						v.object({
							name: Text(200),
							contact: v.nullable(Text(300)),
							userId: v.nullable(Text(100)),
							order: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(50))
						})
					),
					v.minLength(1),
					v.maxLength(20)
				)
			})
		),
		v.minLength(1),
		v.maxLength(10)
	)
});
export type ContractInput = v.InferOutput<typeof ContractInput>;

export const TITLE_MAX = 200;

/**
 * Checks the form beyond its shape: a title of 1–200 characters, a deadline that is a real date
 * not before today (UTC), party names, and per signer either an account of this organisation or a
 * new person with a name and an e-mail/phone the configured channels can reach. Returns the
 * domain parties and signers plus the admin-side signer rows.
 */
async function checkInput(deps: ContractDeps, orgId: string, input: ContractInput) {
	const title = input.title.normalize('NFC').trim().replace(/\s+/g, ' ');
	if ([...title].length < 1 || [...title].length > TITLE_MAX) {
		return fail('CONTRACT_INVALID', 'The title needs 1–200 characters', { field: 'title' });
	}
	let deadline: string | null = null;
	if (input.deadline) {
		const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.deadline.trim());
		const date = match ? new Date(`${match[0]}T00:00:00Z`) : null;
		if (
			!match ||
			!date ||
			Number.isNaN(date.getTime()) ||
			date.toISOString().slice(0, 10) !== match[0]
		) {
			return fail('CONTRACT_INVALID', 'The deadline is not a date', { field: 'deadline' });
		}
		if (match[0] < deps.clock().toISOString().slice(0, 10)) {
			return fail('CONTRACT_INVALID', 'The deadline is in the past', { field: 'deadline' });
		}
		deadline = match[0];
	}
	const total = input.parties.reduce((n, p) => n + p.signers.length, 0);
	if (total > 20) return fail('CONTRACT_INVALID', 'At most 20 signers', { field: 'signers' });
	const parties: Party[] = [];
	const signers: Signer[] = [];
	const rows: { signerId: string; name: string; contact: string | null; userId: string | null }[] =
		[];
	const userIds = new Set<string>();
	for (const [pi, p] of input.parties.entries()) {
		const partyName = normaliseName(p.name.slice(0, 200)) ?? '';
		if (!partyName || [...partyName].length > 100) {
			return fail('CONTRACT_INVALID', 'A party needs a name', { field: 'party', index: pi });
		}
		const partyId = `party-${pi + 1}`;
		parties.push({ id: partyId, name: partyName, kind: p.kind });
		for (const s of p.signers) {
			const index = signers.length;
			const signerId = `signer-${index + 1}`;
			const order = input.signingOrder === 'parallel' ? 1 : s.order;
			const contact = s.contact?.trim() ? normaliseContact(s.contact) : null;
			if (s.contact?.trim() && !contact) {
				return fail('CONTACT_INVALID', 'Not an e-mail address or phone number', { index });
			}
			if (s.userId) {
				const user = await deps.db
					.selectFrom('users')
					.select(['id', 'display_name'])
					.where('id', '=', s.userId)
					.where('org_id', '=', orgId)
					.executeTakeFirst();
				if (!user) return fail('CONTRACT_INVALID', 'Unknown account', { field: 'signer', index });
				if (userIds.has(user.id)) {
					return fail('CONTRACT_INVALID', 'The same account is named twice', {
						field: 'duplicate',
						index
					});
				}
				userIds.add(user.id);
				const name = normaliseName(s.name) ?? user.display_name;
				signers.push({ id: signerId, partyId, name, order });
				rows.push({ signerId, name, contact, userId: user.id });
				continue;
			}
			const name = normaliseName(s.name);
			if (!name)
				return fail('REAL_NAME_INVALID', 'A signer needs a name of 1–50 characters', { index });
			if (!contact) {
				return fail('CONTACT_INVALID', 'A new signer needs an e-mail address or phone number', {
					index
				});
			}
			if (notifierFor(deps.notifiers, contact).channel === 'sms') {
				return fail('NOTIFY_UNAVAILABLE', 'SMS delivery is not configured; invite by e-mail', {
					index
				});
			}
			signers.push({ id: signerId, partyId, name, order });
			rows.push({ signerId, name, contact, userId: null });
		}
	}
	return { ok: true as const, title, deadline, parties, signers, rows };
}

/**
 * Inspects untrusted PDF bytes in the killable worker before anything is stored, so a crafted
 * file ends in PDF_TIMEOUT instead of pinning a core of the server.
 */
async function inspectUpload(deps: ContractDeps, bytes: Uint8Array) {
	// A file without the PDF header anywhere in its first KB is not a damaged PDF but another
	// kind of file (a Word document, a photo): said apart so the admin knows what to fix.
	const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
	if (!head.includes('%PDF-')) {
		return fail('PDF_MALFORMED', 'The file is not a PDF', { size: bytes.byteLength, notPdf: true });
	}
	const inspection = await (deps.inspect ?? ((b) => inspectPdfIsolated(b)))(bytes);
	if (!inspection.ok) return fail(inspection.code, inspection.message, { size: inspection.size });
	return { ok: true as const, pages: inspection.pageSizes };
}

/**
 * Creates a draft contract from an uploaded PDF and the form. Order matters for "nothing
 * half-created": the form is checked first, then the PDF is inspected in the killable worker,
 * and only a PDF that passed is written — blob first, then every row in one transaction, so a
 * crash leaves at worst an unreferenced blob, never a row naming a missing file.
 */
export async function createContract(
	deps: ContractDeps,
	admin: User,
	input: ContractInput,
	bytes: Uint8Array
): Promise<{ ok: true; id: string } | ContractFailure> {
	const checked = await checkInput(deps, admin.org_id, input);
	if (!checked.ok) return checked;
	const inspected = await inspectUpload(deps, bytes);
	if (!inspected.ok) return inspected;
	try {
		return await storeContract(deps, admin, input, bytes, checked, inspected.pages);
	} catch (error) {
		// A full disk or a busy database: the transaction rolled back and the blob store never
		// leaves a partial file under a hash (at most a whole, unreferenced one), so the upload
		// can simply be repeated.
		const failure = storageFailure(error);
		if (!failure) throw error;
		return fail(failure.code, failure.message);
	}
}

async function storeContract(
	deps: ContractDeps,
	admin: User,
	input: ContractInput,
	bytes: Uint8Array,
	checked: Extract<Awaited<ReturnType<typeof checkInput>>, { ok: true }>,
	pages: Envelope['pages']
): Promise<{ ok: true; id: string }> {
	const id = randomUUID();
	const now = deps.clock().toISOString();
	await deps.db.transaction().execute(async (trx) => {
		const hash = await storeBlob(trx, deps.blobs, bytes, 'application/pdf', now);
		const envelope: Envelope = {
			id,
			docHash: hash,
			revision: 1,
			status: 'draft',
			pages,
			signingOrder: input.signingOrder,
			parties: checked.parties,
			signers: checked.signers,
			fields: []
		};
		await insertEnvelopeRow(trx, {
			id,
			org_id: admin.org_id,
			title: checked.title,
			doc_sha256: hash,
			page_count: envelope.pages.length,
			status: 'draft',
			created_at: now,
			definition: definitionJson(envelope),
			deadline: checked.deadline
		});
		await appendAudit(trx, deps.clock, admin.id, {
			kind: 'envelope.created',
			subject: id,
			data: { docHash: hash, title: checked.title }
		});
		await trx
			.insertInto('envelope_revisions')
			.values({
				envelope_id: id,
				revision: 1,
				doc_sha256: hash,
				page_count: envelope.pages.length,
				created_at: now
			})
			.execute();
		for (const r of checked.rows) {
			await trx
				.insertInto('contract_signers')
				.values({
					envelope_id: id,
					signer_id: r.signerId,
					name: r.name,
					contact: r.contact,
					user_id: r.userId,
					invite_id: null,
					notified_at: null
				})
				.execute();
		}
	});
	return { ok: true, id };
}

/** The envelope row and its loaded definition, only within the admin's organisation. */
async function ownContract(db: Kysely<Database>, orgId: string, id: string) {
	const row = await db
		.selectFrom('envelopes')
		.selectAll()
		.where('id', '=', id)
		.where('org_id', '=', orgId)
		.executeTakeFirst();
	if (!row || row.definition === null) return null;
	const stored = await loadEnvelope(db, id);
	return stored ? { row, envelope: stored.envelope, signerUsers: stored.signerUsers } : null;
}

const FieldInput = v.object({
	id: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
	kind: v.picklist(['signature', 'seal', 'date', 'riding-seam']),
	signerId: Text(100),
	page: v.pipe(v.number(), v.integer(), v.minValue(1)),
	rect: v.object({ x: v.number(), y: v.number(), width: v.number(), height: v.number() }),
	required: v.boolean()
});
/** The body of PUT /api/admin/contracts/[id]/fields. */
export const FieldsInput = v.object({ fields: v.pipe(v.array(FieldInput), v.maxLength(2000)) });

/**
 * Stores the field layout of a draft. Each field is clamped to its page (SPEC L1), so the stored
 * geometry is always fillable; fields of unknown signers or pages, and duplicate ids, are
 * refused rather than dropped, so the editor never believes something was saved that was not.
 * Returns the readiness problems (L8) of the saved layout.
 */
export async function saveFields(
	deps: Pick<ContractDeps, 'db'>,
	orgId: string,
	id: string,
	fields: readonly Field[]
): Promise<{ ok: true; fields: Field[]; readiness: ReadinessProblem[] } | ContractFailure> {
	const own = await ownContract(deps.db, orgId, id);
	if (!own) return fail('NOT_FOUND', 'No such contract');
	if (own.row.status !== 'draft') {
		return fail('CONTRACT_NOT_EDITABLE', 'Fields can only change while the contract is a draft');
	}
	const { envelope } = own;
	const signerIds = new Set(envelope.signers.map((s) => s.id));
	const ids = new Set<string>();
	const clamped: Field[] = [];
	for (const f of fields) {
		const page = envelope.pages[f.page - 1];
		if (!page || !signerIds.has(f.signerId) || ids.has(f.id)) {
			return fail('CONTRACT_INVALID', 'A field names an unknown page or signer, or repeats an id', {
				field: 'fields',
				fieldId: f.id
			});
		}
		ids.add(f.id);
		clamped.push({ ...f, rect: clampRect(f.rect, page) });
	}
	const next = { ...envelope, fields: clamped };
	const updated = await deps.db
		.transaction()
		.execute((trx) => updateEnvelopeRow(trx, id, ['draft'], { definition: definitionJson(next) }));
	if (!updated) return fail('CONTRACT_NOT_EDITABLE', 'The contract changed meanwhile');
	return { ok: true, fields: clamped, readiness: readinessProblems(next) };
}

/**
 * Sends a draft: checks it is ready (SPEC L8), invites each new person through the invite
 * machinery (their account is remembered at once, so a retry after a failed delivery does not
 * invite twice), then in one transaction names every signer's account in envelope_signers
 * (which puts the contract in their inbox) and marks it sent. Existing accounts with a contact
 * are then notified; a failed notification does not undo the send and is counted in the answer.
 */
export async function sendContract(
	deps: ContractDeps,
	admin: User,
	id: string
): Promise<({ ok: true } & ContractSent) | ContractFailure> {
	const own = await ownContract(deps.db, admin.org_id, id);
	if (!own) return fail('NOT_FOUND', 'No such contract');
	if (own.row.status !== 'draft') return fail('CONTRACT_NOT_EDITABLE', 'Already sent or revoked');
	const problems = readinessProblems(own.envelope);
	if (problems.length > 0) {
		return fail('CONTRACT_NOT_READY', 'The contract is not ready to send', { problems });
	}
	const rows = await deps.db
		.selectFrom('contract_signers')
		.selectAll()
		.where('envelope_id', '=', id)
		.execute();
	let invited = 0;
	for (const r of rows) {
		if (r.user_id) continue;
		const invite = await createInvite(deps, admin, { name: r.name, contact: r.contact ?? '' });
		if (!invite.ok) return { ...invite, details: { ...invite.details, signerId: r.signer_id } };
		const user = await deps.db
			.selectFrom('invites')
			.select('user_id')
			.where('id', '=', invite.inviteId)
			.executeTakeFirstOrThrow();
		await deps.db
			.updateTable('contract_signers')
			.set({ user_id: user.user_id, invite_id: invite.inviteId })
			.where('envelope_id', '=', id)
			.where('signer_id', '=', r.signer_id)
			.execute();
		r.user_id = user.user_id;
		r.invite_id = invite.inviteId;
		invited++;
	}
	const now = deps.clock().toISOString();
	const sent = await deps.db.transaction().execute(async (trx) => {
		for (const r of rows) {
			await trx
				.insertInto('envelope_signers')
				.values({ envelope_id: id, signer_id: r.signer_id, user_id: r.user_id! })
				.onConflict((oc) => oc.columns(['envelope_id', 'signer_id']).doNothing())
				.execute();
		}
		const moved = await updateEnvelopeRow(trx, id, ['draft'], { status: 'sent', sent_at: now });
		if (moved) {
			await appendAudit(trx, deps.clock, admin.id, {
				kind: 'envelope.sent',
				subject: id,
				data: { revision: own.row.revision }
			});
		}
		return moved;
	});
	if (!sent) return fail('CONTRACT_NOT_EDITABLE', 'The contract changed meanwhile');
	let notified = 0;
	let notifyFailed = 0;
	const title = own.row.title;
	for (const r of rows) {
		if (r.invite_id || !r.contact) continue;
		const link = `${deps.origin}/inbox`;
		const body = (['zh-CN', 'en'] as const)
			.map((locale) => m.notify_contract_body({ name: r.name, title, link }, { locale }))
			.join('\n\n');
		const subject = `${m.notify_contract_subject({ title }, { locale: 'zh-CN' })} / ${m.notify_contract_subject({ title }, { locale: 'en' })}`;
		const result = await deliver(
			deps.db,
			deps.clock,
			admin.org_id,
			notifierFor(deps.notifiers, r.contact),
			{
				to: r.contact,
				subject,
				body
			}
		);
		if (!result.ok) {
			notifyFailed++;
			continue;
		}
		notified++;
		await deps.db
			.updateTable('contract_signers')
			.set({ notified_at: deps.clock().toISOString() })
			.where('envelope_id', '=', id)
			.where('signer_id', '=', r.signer_id)
			.execute();
	}
	return { ok: true, invited, notified, notifyFailed };
}

/**
 * Revokes a draft or sent contract with a reason (1–500 characters after trimming, like a
 * signer's return reason, R16). Signers' later submissions are refused with DOC_REVOKED by the
 * ingest; their devices learn it at the next pull.
 */
export async function revokeContract(
	deps: Pick<ContractDeps, 'db' | 'clock'>,
	admin: Pick<User, 'id' | 'org_id'>,
	id: string,
	reason: string
): Promise<{ ok: true } | ContractFailure> {
	const text = reason.normalize('NFC').trim();
	if ([...text].length < 1 || [...text].length > 500) {
		return fail('REASON_INVALID', 'A reason of 1–500 characters is needed');
	}
	const own = await ownContract(deps.db, admin.org_id, id);
	if (!own) return fail('NOT_FOUND', 'No such contract');
	const done = await deps.db.transaction().execute(async (trx) => {
		const moved = await updateEnvelopeRow(trx, id, ['draft', 'sent'], {
			status: 'revoked',
			revoked_at: deps.clock().toISOString(),
			revoke_reason: text
		});
		if (moved) {
			await appendAudit(trx, deps.clock, admin.id, {
				kind: 'envelope.revoked',
				subject: id,
				data: { reason: text }
			});
		}
		return moved;
	});
	return done ? { ok: true } : fail('CONTRACT_NOT_EDITABLE', 'Completed or already revoked');
}

/**
 * Replaces the document of a draft or sent contract with a new revision: the new PDF is
 * inspected first (nothing changes when it is refused), the revision goes up by one, and the
 * fields are kept where their page still exists (SPEC L7). Signers still holding the old
 * revision get DOC_REVISED when they sync (R2).
 */
export async function replaceDocument(
	deps: ContractDeps,
	admin: Pick<User, 'id' | 'org_id'>,
	id: string,
	bytes: Uint8Array
): Promise<({ ok: true } & ContractReplaced) | ContractFailure> {
	const own = await ownContract(deps.db, admin.org_id, id);
	if (!own) return fail('NOT_FOUND', 'No such contract');
	if (own.row.status !== 'draft' && own.row.status !== 'sent') {
		return fail('CONTRACT_NOT_EDITABLE', 'Completed or revoked contracts keep their document');
	}
	const inspected = await inspectUpload(deps, bytes);
	if (!inspected.ok) return inspected;
	const revision = own.row.revision + 1;
	const kept = keepFieldsOnReplace(own.envelope.fields, inspected.pages);
	const next: Envelope = { ...own.envelope, pages: inspected.pages, fields: kept.fields };
	const done = await deps.db.transaction().execute(async (trx) => {
		const hash = await storeBlob(
			trx,
			deps.blobs,
			bytes,
			'application/pdf',
			deps.clock().toISOString()
		);
		const ok = await updateEnvelopeRow(trx, id, [own.row.status], {
			doc_sha256: hash,
			page_count: inspected.pages.length,
			revision,
			definition: definitionJson(next)
		});
		if (!ok) return false;
		await trx
			.insertInto('envelope_revisions')
			.values({
				envelope_id: id,
				revision,
				doc_sha256: hash,
				page_count: inspected.pages.length,
				created_at: deps.clock().toISOString()
			})
			.execute();
		await appendAudit(trx, deps.clock, admin.id, {
			kind: 'envelope.replaced',
			subject: id,
			data: { revision, docHash: hash, previousDocHash: own.row.doc_sha256 }
		});
		return true;
	});
	if (!done) return fail('CONTRACT_NOT_EDITABLE', 'The contract changed meanwhile');
	return { ok: true, revision, dropped: kept.dropped };
}

/**
 * Each signer's answer from the accepted submissions (R10: at most one per signer), with the
 * device time and the server receipt time side by side, since offline signing can part them.
 */
export async function contractProgress(
	db: Kysely<Database>,
	envelope: Envelope
): Promise<SignerProgress[]> {
	const rows = await db
		.selectFrom('submissions')
		.select(['manifest_json', 'device_time', 'received_at'])
		.where('envelope_id', '=', envelope.id)
		.where('status', '=', 'accepted')
		.orderBy('seq')
		.execute();
	const bySigner = new Map<string, SignerProgress>();
	for (const r of rows) {
		const manifest = JSON.parse(r.manifest_json) as Manifest;
		if (bySigner.has(manifest.signerId)) continue;
		bySigner.set(manifest.signerId, {
			signerId: manifest.signerId,
			state: manifest.decision.kind,
			reason: manifest.decision.kind === 'rejected' ? manifest.decision.reason : null,
			deviceTime: r.device_time,
			receivedAt: r.received_at,
			revision: manifest.revision
		});
	}
	return envelope.signers.map(
		(s) =>
			bySigner.get(s.id) ?? {
				signerId: s.id,
				state: 'pending',
				reason: null,
				deviceTime: null,
				receivedAt: null,
				revision: null
			}
	);
}

/** Which of these accounts hold an active passkey (can sign as soon as a contract is sent). */
async function enrolledUsers(db: Kysely<Database>, userIds: string[]): Promise<Set<string>> {
	if (userIds.length === 0) return new Set();
	const rows = await db
		.selectFrom('credentials')
		.select('user_id')
		.where('user_id', 'in', userIds)
		.where('revoked_at', 'is', null)
		.execute();
	return new Set(rows.map((r) => r.user_id));
}

/** Everything the progress page and the field editor show, within the admin's organisation. */
export async function contractDetail(
	db: Kysely<Database>,
	orgId: string,
	id: string
): Promise<ContractDetail | null> {
	const own = await ownContract(db, orgId, id);
	if (!own) return null;
	const { row, envelope } = own;
	const people = await db
		.selectFrom('contract_signers')
		.selectAll()
		.where('envelope_id', '=', id)
		.execute();
	const byId = new Map(people.map((p) => [p.signer_id, p]));
	// Contracts made before this module (the seeded demo) name their accounts only in
	// envelope_signers.
	const userOf = (signerId: string) =>
		byId.get(signerId)?.user_id ?? own.signerUsers.get(signerId) ?? null;
	const enrolled = await enrolledUsers(
		db,
		envelope.signers.flatMap((s) => userOf(s.id) ?? [])
	);
	return {
		id,
		title: row.title,
		status: row.status,
		revision: row.revision,
		docHash: row.doc_sha256,
		deadline: row.deadline,
		createdAt: row.created_at,
		sentAt: row.sent_at,
		revokedAt: row.revoked_at,
		revokeReason: row.revoke_reason,
		signingOrder: envelope.signingOrder,
		pages: envelope.pages,
		parties: envelope.parties,
		signers: envelope.signers.map((s) => {
			const userId = userOf(s.id);
			return {
				...s,
				contact: byId.get(s.id)?.contact ?? null,
				userId,
				enrolled: userId ? enrolled.has(userId) : false
			};
		}),
		fields: envelope.fields,
		progress: await contractProgress(db, envelope),
		readiness: readinessProblems(envelope)
	};
}

/** The accounts of an organisation an admin may name as signers, with their latest contact. */
export async function listOrgUsers(db: Kysely<Database>, orgId: string): Promise<OrgUser[]> {
	const users = await db
		.selectFrom('users')
		.select(['id', 'display_name', 'role'])
		.where('org_id', '=', orgId)
		.orderBy('display_name')
		.limit(500)
		.execute();
	const invites = await db
		.selectFrom('invites')
		.select(['user_id', 'contact', 'created_at'])
		.where('org_id', '=', orgId)
		.orderBy('created_at', 'desc')
		.execute();
	const contact = new Map<string, string>();
	for (const i of invites) if (!contact.has(i.user_id)) contact.set(i.user_id, i.contact);
	const enrolled = await enrolledUsers(
		db,
		users.map((u) => u.id)
	);
	return users.map((u) => ({
		id: u.id,
		name: u.display_name,
		role: u.role,
		contact: contact.get(u.id) ?? null,
		enrolled: enrolled.has(u.id)
	}));
}

/**
 * Saves a contract's stored layout as a named template (SPEC L5). Names are unique per
 * organisation; saving under an existing name replaces that template, which is what "save" means
 * to the person who typed the same name again.
 */
export async function saveTemplate(
	deps: Pick<ContractDeps, 'db' | 'clock'>,
	admin: User,
	input: { name: string; contractId: string }
): Promise<{ ok: true; template: FieldTemplateSummary } | ContractFailure> {
	const name = normaliseName(input.name);
	if (!name) return fail('CONTRACT_INVALID', 'A template needs a name', { field: 'template' });
	const own = await ownContract(deps.db, admin.org_id, input.contractId);
	if (!own) return fail('NOT_FOUND', 'No such contract');
	const fields = templateFromFields(own.envelope.fields, own.envelope.signers);
	if (fields.length === 0) {
		return fail('CONTRACT_INVALID', 'The contract has no fields to save', { field: 'template' });
	}
	const now = deps.clock().toISOString();
	const id = randomUUID();
	await deps.db
		.insertInto('field_templates')
		.values({
			id,
			org_id: admin.org_id,
			name,
			fields_json: JSON.stringify(fields),
			created_by: admin.id,
			created_at: now
		})
		.onConflict((oc) =>
			oc
				.columns(['org_id', 'name'])
				.doUpdateSet({ fields_json: JSON.stringify(fields), created_at: now })
		)
		.execute();
	const row = await deps.db
		.selectFrom('field_templates')
		.select('id')
		.where('org_id', '=', admin.org_id)
		.where('name', '=', name)
		.executeTakeFirstOrThrow();
	return { ok: true, template: { id: row.id, name, fields, createdAt: now } };
}

/** The organisation's templates, newest first. */
export async function listTemplates(
	db: Kysely<Database>,
	orgId: string
): Promise<FieldTemplateSummary[]> {
	const rows = await db
		.selectFrom('field_templates')
		.selectAll()
		.where('org_id', '=', orgId)
		.orderBy('created_at', 'desc')
		.limit(200)
		.execute();
	return rows.map((r) => ({
		id: r.id,
		name: r.name,
		fields: JSON.parse(r.fields_json) as TemplateField[],
		createdAt: r.created_at
	}));
}
