import { randomUUID } from 'node:crypto';
import { failure, type Failure } from '$lib/domain/errors';
import type { User } from '../db/schema';
import { appendAudit } from '../audit';
import { storeBlob } from '../platform/blob-store';
import type { Envelope, Party, Signer } from '$lib/domain/envelope';
import { definitionJson } from './envelopes';
import { normaliseContact, normaliseName } from '../auth';
import { storageFailure } from '../platform/storage-errors';
import { type ContractDeps, insertEnvelopeRow, inspectUpload } from './common';
import { TITLE_MAX, type ContractInput } from '$lib/domain/api-requests';
import {
	customerToday,
	DEFAULT_REMINDERS,
	isCalendarDay,
	isReminderPlan
} from '$lib/domain/deadline';

/**
 * Checks the form beyond its shape: a title of 1–200 characters, a deadline that is a real date
 * not before today in the customer's zone (DL1) with a reminder plan of 1–30 days (DL6), party names, and per signer either an account of this organisation or a
 * new person with a name and an e-mail/phone the configured channels can reach. Returns the
 * domain parties and signers plus the admin-side signer rows.
 */
async function checkInput(deps: ContractDeps, orgId: string, input: ContractInput) {
	const title = input.title.normalize('NFC').trim().replace(/\s+/g, ' ');
	if ([...title].length < 1 || [...title].length > TITLE_MAX) {
		return failure('CONTRACT_INVALID', 'The title needs 1–200 characters', { field: 'title' });
	}
	let deadline: string | null = null;
	if (input.deadline) {
		const day = input.deadline.trim();
		if (!isCalendarDay(day)) {
			return failure('CONTRACT_INVALID', 'The deadline is not a date', { field: 'deadline' });
		}
		if (day < customerToday(deps.clock())) {
			return failure('CONTRACT_INVALID', 'The deadline is in the past', { field: 'deadline' });
		}
		deadline = day;
	}
	const reminders = input.reminders === undefined ? DEFAULT_REMINDERS : input.reminders;
	if (reminders !== null && !isReminderPlan(reminders)) {
		return failure('CONTRACT_INVALID', 'Reminders are 1–30 days apart', { field: 'reminders' });
	}
	const total = input.parties.reduce((n, p) => n + p.signers.length, 0);
	if (total > 20) return failure('CONTRACT_INVALID', 'At most 20 signers', { field: 'signers' });
	const parties: Party[] = [];
	const signers: Signer[] = [];
	const rows: { signerId: string; name: string; contact: string | null; userId: string | null }[] =
		[];
	const userIds = new Set<string>();
	for (const [pi, p] of input.parties.entries()) {
		const partyName = normaliseName(p.name.slice(0, 200)) ?? '';
		if (!partyName || [...partyName].length > 100) {
			return failure('CONTRACT_INVALID', 'A party needs a name', { field: 'party', index: pi });
		}
		const partyId = `party-${pi + 1}`;
		parties.push({ id: partyId, name: partyName, kind: p.kind });
		for (const s of p.signers) {
			const index = signers.length;
			const signerId = `signer-${index + 1}`;
			const order = input.signingOrder === 'parallel' ? 1 : s.order;
			const contact = s.contact?.trim() ? normaliseContact(s.contact) : null;
			if (s.contact?.trim() && !contact) {
				return failure('CONTACT_INVALID', 'Not an e-mail address or phone number', { index });
			}
			if (s.userId) {
				const user = await deps.db
					.selectFrom('users')
					.select(['id', 'display_name'])
					.where('id', '=', s.userId)
					.where('org_id', '=', orgId)
					// A deactivated member cannot sign (MB4): naming them would block the contract.
					.where('deactivated_at', 'is', null)
					.executeTakeFirst();
				if (!user)
					return failure('CONTRACT_INVALID', 'Unknown account', { field: 'signer', index });
				if (userIds.has(user.id)) {
					return failure('CONTRACT_INVALID', 'The same account is named twice', {
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
				return failure('REAL_NAME_INVALID', 'A signer needs a name of 1–50 characters', { index });
			if (!contact) {
				return failure('CONTACT_INVALID', 'A new signer needs an e-mail address or phone number', {
					index
				});
			}
			signers.push({ id: signerId, partyId, name, order });
			rows.push({ signerId, name, contact, userId: null });
		}
	}
	return { ok: true as const, title, deadline, reminders, parties, signers, rows };
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
): Promise<{ ok: true; id: string } | Failure> {
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
		const storage = storageFailure(error);
		if (!storage) throw error;
		return failure(storage.code, storage.message);
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
			// The sender, told when a signer returns it (LC3).
			created_by: admin.id,
			definition: definitionJson(envelope),
			deadline: checked.deadline,
			reminder_first_days: checked.reminders?.firstDaysBefore ?? null,
			reminder_every_days: checked.reminders?.everyDays ?? null,
			required_level: input.requiredLevel ?? null
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
