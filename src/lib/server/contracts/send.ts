import type { User } from '../db/schema';
import { failure, type Failure } from '$lib/domain/errors';
import { appendAudit } from '../audit';
import type { ContractSent } from '$lib/domain/api-types';
import { readinessProblems } from '$lib/domain/field-layout';
import { m } from '$lib/paraglide/messages';
import { inviteSigner } from './invite-signer';
import { bilingual, notifierFor } from '../platform/notify';
import { deliver } from '../platform/outbox';
import { type ContractDeps, updateEnvelopeRow, ownContract } from './common';
import { deadlineEnd, isPastDeadline } from '$lib/domain/deadline';
import { queueNextReminder } from './reminders';
import { signersDue } from '$lib/domain/rules';
import {
	highestReachable,
	meetsLevel,
	type CertificationLevel
} from '$lib/domain/personal-certification';

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
): Promise<({ ok: true } & ContractSent) | Failure> {
	const own = await ownContract(deps.db, admin.org_id, id);
	if (!own) return failure('NOT_FOUND', 'No such contract');
	if (own.row.status !== 'draft')
		return failure('CONTRACT_NOT_EDITABLE', 'Already sent or revoked');
	if (own.row.deadline && isPastDeadline(deadlineEnd(own.row.deadline), deps.clock())) {
		return failure('CONTRACT_INVALID', 'The deadline has passed; choose a later one', {
			field: 'deadline'
		});
	}
	const problems = readinessProblems(own.envelope);
	if (problems.length > 0) {
		return failure('CONTRACT_NOT_READY', 'The contract is not ready to send', { problems });
	}
	const rows = await deps.db
		.selectFrom('contract_signers')
		.selectAll()
		.where('envelope_id', '=', id)
		.execute();
	const certified = await certificationProblem(deps, own.row.required_level, rows);
	if (certified) return certified;
	// In a sequential contract only the first signers hear of it now; the rest at their turn (LC8),
	// also those who have no account yet: their invitation waits for their turn too.
	const due = new Set(signersDue(own.envelope, []));
	let invited = 0;
	for (const r of rows) {
		if (r.user_id || !due.has(r.signer_id)) continue;
		const invite = await inviteSigner(deps, admin, id, r);
		if (!invite.ok) return { ...invite, details: { ...invite.details, signerId: r.signer_id } };
		r.user_id = invite.userId;
		r.invite_id = invite.inviteId;
		invited++;
	}
	const now = deps.clock().toISOString();
	const sent = await deps.db.transaction().execute(async (trx) => {
		for (const r of rows) {
			if (!r.user_id) continue;
			await trx
				.insertInto('envelope_signers')
				.values({ envelope_id: id, signer_id: r.signer_id, user_id: r.user_id })
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
			await queueNextReminder(trx, own.row, deps.clock(), deps.clock());
		}
		return moved;
	});
	if (!sent) return failure('CONTRACT_NOT_EDITABLE', 'The contract changed meanwhile');
	let notified = 0;
	let notifyFailed = 0;
	const title = own.row.title;
	for (const r of rows) {
		if (r.invite_id || !r.contact || !due.has(r.signer_id)) continue;
		// The link opens this contract, which downloads it on a device that is online.
		const link = `${deps.origin}/inbox/${encodeURIComponent(id)}`;
		const { subject, body } = bilingual(
			(locale) => m.notify_contract_subject({ title }, { locale }),
			(locale) => m.notify_contract_body({ name: r.name, title, link }, { locale })
		);
		const result = await deliver(deps, admin.org_id, {
			to: r.contact,
			subject,
			body
		});
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
	const waiting = rows.filter((r) => !due.has(r.signer_id)).length;
	// Messages that went to the console channel wait on the admin's outbox page: saying so keeps
	// "notified" from reading as delivered when nobody has received anything yet.
	const held = rows.filter(
		(r) =>
			due.has(r.signer_id) &&
			r.contact &&
			notifierFor(deps.notifiers, r.contact).channel === 'console'
	).length;
	return { ok: true, invited, notified, notifyFailed, waiting, held };
}

/**
 * Whether the signers can meet the contract's required level (PC11): the server must be able to
 * certify anyone to it at all, and every signer who already has an account must be there now.
 * People invited by this send have no account yet; they certify after the link, and a signature
 * below the level is refused at ingest, so they cannot slip through.
 */
async function certificationProblem(
	deps: ContractDeps,
	required: CertificationLevel | null,
	rows: readonly { signer_id: string; user_id: string | null }[]
): Promise<Failure | null> {
	if (!required) return null;
	if (!meetsLevel(highestReachable(Boolean(deps.identity)), required)) {
		return failure(
			'CERTIFICATION_UNREACHABLE',
			`This server cannot certify anyone to ${required}`,
			{
				required
			}
		);
	}
	const accounts = rows.flatMap((r) => (r.user_id ? [r.user_id] : []));
	if (accounts.length === 0) return null;
	const levels = new Map(
		(
			await deps.db
				.selectFrom('users')
				.select(['id', 'cert_level'])
				.where('id', 'in', accounts)
				.execute()
		).map((u) => [u.id, u.cert_level])
	);
	const below = rows
		.filter((r) => r.user_id && !meetsLevel(levels.get(r.user_id) ?? 'self-declared', required))
		.map((r) => r.signer_id);
	if (below.length === 0) return null;
	return failure('SIGNER_NOT_CERTIFIED', `Signers below ${required}: ${below.join(', ')}`, {
		required,
		signerIds: below
	});
}

/**
 * Revokes a draft or sent contract with a reason (1–500 characters after trimming, like a
 * signer's return reason, R16). Signers' later submissions are refused with DOC_REVOKED by the
 * ingest; their devices learn it at the next pull, and the signers of a sent contract are told.
 */
export async function revokeContract(
	deps: Pick<ContractDeps, 'db' | 'clock' | 'notifiers'>,
	admin: Pick<User, 'id' | 'org_id'>,
	id: string,
	reason: string
): Promise<{ ok: true } | Failure> {
	const text = reason.normalize('NFC').trim();
	if ([...text].length < 1 || [...text].length > 500) {
		return failure('REASON_INVALID', 'A reason of 1–500 characters is needed');
	}
	const own = await ownContract(deps.db, admin.org_id, id);
	if (!own) return failure('NOT_FOUND', 'No such contract');
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
	if (!done) return failure('CONTRACT_NOT_EDITABLE', 'Completed or already revoked');
	if (own.row.status === 'sent') await tellRevoked(deps, own.row, text);
	return { ok: true };
}

/**
 * Tells every signer with a contact that a sent contract was withdrawn, with the reason, so nobody
 * signs it offline in vain. After the commit: a failed delivery is in the notifications outbox
 * for the admin and does not undo the revocation.
 */
async function tellRevoked(
	deps: Pick<ContractDeps, 'db' | 'clock' | 'notifiers'>,
	row: { id: string; org_id: string; title: string },
	reason: string
): Promise<void> {
	const signers = await deps.db
		.selectFrom('contract_signers')
		.select(['name', 'contact'])
		.where('envelope_id', '=', row.id)
		.where('contact', 'is not', null)
		.execute();
	const title = row.title;
	for (const signer of signers) {
		const message = bilingual(
			(locale) => m.notify_revoked_subject({ title }, { locale }),
			(locale) => m.notify_revoked_body({ name: signer.name, title, reason }, { locale })
		);
		await deliver(deps, row.org_id, {
			to: signer.contact!,
			...message
		});
	}
}
