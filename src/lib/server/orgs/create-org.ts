import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Database, User } from '../db/schema';
import { failure, type Failure } from '$lib/domain/errors';
import { newOrgNames } from '$lib/domain/new-organisation';
import type { OperatorOrgSummary, OrganisationCreated, OutboxEntry } from '$lib/domain/api-types';
import {
	finishInvite,
	normaliseContact,
	normaliseName,
	writeInvite,
	type InviteDeps
} from '../auth';
import { appendAudit } from '../audit';

// The platform operator's organisations (SPEC OC11): every organisation on the server, and a new
// one created together with the invitation of its first administrator.

/** Every organisation, newest first, with its certification state and how many people it has. */
export async function listOrganisations(db: Kysely<Database>): Promise<OperatorOrgSummary[]> {
	const rows = await db
		.selectFrom('organisations')
		.leftJoin('users', (join) =>
			join.onRef('users.org_id', '=', 'organisations.id').on('users.deactivated_at', 'is', null)
		)
		.select((eb) => [
			'organisations.id',
			'organisations.name',
			'organisations.name_en',
			'organisations.cert_state',
			'organisations.created_at',
			eb.fn.count<number>('users.id').as('members')
		])
		.groupBy([
			'organisations.id',
			'organisations.name',
			'organisations.name_en',
			'organisations.cert_state',
			'organisations.created_at'
		])
		.orderBy('organisations.created_at', 'desc')
		.orderBy('organisations.id')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		name: r.name,
		nameEn: r.name_en,
		certState: r.cert_state,
		members: Number(r.members),
		createdAt: r.created_at
	}));
}

/**
 * The console messages to the people this operator invited into other organisations, newest
 * first: the operator is the only one who can hand a new organisation's administrator their
 * link and code when no mail or SMS is configured. Other organisations' messages stay theirs.
 */
export async function operatorOutbox(db: Kysely<Database>, operator: User): Promise<OutboxEntry[]> {
	const rows = await db
		.selectFrom('notifications')
		.selectAll()
		.where('channel', '=', 'console')
		.where('org_id', '!=', operator.org_id)
		.where(({ exists, selectFrom }) =>
			exists(
				selectFrom('invites')
					.select('invites.id')
					.whereRef('invites.org_id', '=', 'notifications.org_id')
					.whereRef('invites.contact', '=', 'notifications.recipient')
					.where('invites.created_by', '=', operator.id)
			)
		)
		.orderBy('created_at', 'desc')
		.limit(100)
		.execute();
	return rows.map((r) => ({
		id: r.id,
		recipient: r.recipient,
		subject: r.subject,
		body: r.body,
		createdAt: r.created_at
	}));
}

/** Thrown inside the transaction to undo the organisation when its invitation is refused. */
class InviteRefused extends Error {
	constructor(readonly refusal: Failure) {
		super(refusal.message);
	}
}

/**
 * Creates an organisation (未认证, OC3) and invites its first administrator by phone or e-mail,
 * in one transaction with the invitation's message and both audit entries, which are filed under
 * the new organisation. Every field is judged before anything is written, and a name already
 * taken (the Chinese name, or the English one in any case) is refused inside the transaction,
 * where the writer lock makes the check and the insert one step. The caller checks the operator.
 */
export async function createOrganisation(
	deps: InviteDeps,
	operator: User,
	input: { name: string; nameEn?: string | null; adminName: string; adminContact: string }
): Promise<({ ok: true } & OrganisationCreated) | Failure> {
	const names = newOrgNames(input);
	if (!names.ok) {
		return failure('ORG_NAME_INVALID', `Organisation ${names.field}: ${names.code}`, {
			field: names.field,
			problem: names.code
		});
	}
	if (!normaliseName(input.adminName)) {
		return failure('REAL_NAME_INVALID', 'Name needs 1–50 characters', { field: 'adminName' });
	}
	if (!normaliseContact(input.adminContact)) {
		return failure('CONTACT_INVALID', 'Not an e-mail address or phone number', {
			field: 'adminContact'
		});
	}
	const orgId = randomUUID();
	const issuer = { id: operator.id, org_id: orgId };
	let written;
	try {
		written = await deps.db.transaction().execute(async (trx) => {
			const taken = await trx
				.selectFrom('organisations')
				.select(['name', 'name_en'])
				.where((eb) =>
					eb.or([
						eb('name', '=', names.name),
						eb(eb.fn('lower', ['name_en']), '=', names.nameEn.toLowerCase())
					])
				)
				.executeTakeFirst();
			if (taken) {
				const field = taken.name === names.name ? 'name' : 'nameEn';
				throw new InviteRefused(
					failure('ORG_NAME_TAKEN', 'An organisation with this name exists', { field })
				);
			}
			const now = deps.clock().toISOString();
			await trx
				.insertInto('organisations')
				.values({ id: orgId, name: names.name, name_en: names.nameEn, created_at: now })
				.execute();
			await appendAudit(
				trx,
				deps.clock,
				operator.id,
				{ kind: 'org.created', subject: orgId, data: { name: names.name, nameEn: names.nameEn } },
				orgId
			);
			const invite = await writeInvite(trx, deps, issuer, {
				name: input.adminName,
				contact: input.adminContact,
				role: 'admin'
			});
			if (!invite.ok) throw new InviteRefused(invite);
			return invite;
		});
	} catch (error) {
		if (error instanceof InviteRefused) return error.refusal;
		throw error;
	}
	const sent = await finishInvite(deps, issuer, written);
	if (!sent.ok) return { ...sent, details: { ...sent.details, orgId } };
	return { ok: true, orgId, inviteId: sent.inviteId, expiresAt: sent.expiresAt };
}
