import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database, Db, User } from '../db/schema';
import type { Clock } from '../platform/clock';
import { failure, type Failure } from '$lib/domain/errors';
import type { Membership } from '$lib/domain/api-types';
import { appendAudit } from '../audit';
import { appendAuthEvent } from './auth-events';
import type { LiveSession } from './sessions';

// One person in several organisations (SPEC MO1–MO8): a user row is one membership, person_id
// links the memberships of one person, and a session may move between them.

/** The person a membership belongs to: its person_id, or its own id for a row of one (MO1). */
export function personOf(user: Pick<User, 'id' | 'person_id'>): string {
	return user.person_id ?? user.id;
}

/**
 * The rows of one person, as a where clause. A row whose person_id is null is the person of its
 * own id only: a row linked into another person always has person_id set, so its id never
 * pulls it back into a person it left.
 */
export function ofPerson(person: string) {
	return (eb: ExpressionBuilder<Database, 'users'>) =>
		eb.or([
			eb('users.person_id', '=', person),
			eb.and([eb('users.id', '=', person), eb('users.person_id', 'is', null)])
		]);
}

/** The ids of every membership of the user's person, deactivated ones included. */
export async function personRowIds(
	db: Db,
	user: Pick<User, 'id' | 'person_id'>
): Promise<string[]> {
	const rows = await db
		.selectFrom('users')
		.select('id')
		.where(ofPerson(personOf(user)))
		.execute();
	return rows.map((r) => r.id);
}

/**
 * The organisations a person may work in (MO2): every membership not deactivated, the current
 * one marked, ordered by when they joined so the menu does not reshuffle.
 */
export async function membershipsOf(db: Db, user: User): Promise<Membership[]> {
	const rows = await db
		.selectFrom('users')
		.innerJoin('organisations', 'organisations.id', 'users.org_id')
		.select([
			'users.id',
			'users.org_id',
			'users.role',
			'users.created_at',
			'organisations.name',
			'organisations.name_en'
		])
		.where(ofPerson(personOf(user)))
		.where('users.deactivated_at', 'is', null)
		.orderBy('users.created_at')
		.orderBy('users.id')
		.execute();
	return rows.map((r) => ({
		userId: r.id,
		orgId: r.org_id,
		orgName: r.name,
		orgNameEn: r.name_en,
		role: r.role,
		current: r.id === user.id
	}));
}

/**
 * Moves a session to another membership of its person (MO3). Only a session that a passkey
 * opened or was bound to may move: an invite-code session has proved a contact, not a person.
 * A row of someone else is NOT_FOUND (the same answer as no row at all, so ids cannot be
 * probed); the person's own deactivated membership says so (MO5). The session keeps its
 * passkey, so revoking that passkey still ends it wherever it is.
 */
export async function switchMembership(
	db: Kysely<Database>,
	clock: Clock,
	session: LiveSession,
	targetUserId: string,
	ip: string | null
): Promise<{ ok: true; user: User } | Failure> {
	if (!session.credentialId) {
		return failure('PASSKEY_CHECK_REQUIRED', 'Sign in with a passkey before switching');
	}
	const target = await db
		.selectFrom('users')
		.selectAll()
		.where('id', '=', targetUserId)
		.where(ofPerson(personOf(session.user)))
		.executeTakeFirst();
	if (!target) return failure('NOT_FOUND', 'No such organisation of yours');
	if (target.deactivated_at !== null) {
		return failure('ACCOUNT_DEACTIVATED', 'This membership was deactivated by an administrator');
	}
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('sessions')
			.set({ user_id: target.id })
			.where('id_hash', '=', session.idHash)
			.execute();
		await appendAudit(trx, clock, target.id, {
			kind: 'session.switched',
			subject: target.id,
			data: { ip }
		});
	});
	await appendAuthEvent(db, clock, {
		kind: 'session.switched',
		userId: target.id,
		ip,
		detail: { from: session.user.id }
	});
	return { ok: true, user: target };
}

/**
 * The membership a submission signs as (MO6): the row its ticket was issued to, when that row is
 * the session person's; otherwise the session's own row, which ingest then refuses as ever. A
 * confirmation made in organisation A and synced after switching to B still lands in A.
 */
export async function signingMembership(
	db: Db,
	sessionUser: User,
	ticketId: unknown
): Promise<User> {
	if (typeof ticketId !== 'string') return sessionUser;
	const row = await db
		.selectFrom('tickets')
		.innerJoin('users', 'users.id', 'tickets.user_id')
		.selectAll('users')
		.where('tickets.id', '=', ticketId)
		.where(ofPerson(personOf(sessionUser)))
		.executeTakeFirst();
	return row ?? sessionUser;
}

/** The personal certification columns, which belong to the person and are the same on every row. */
const PERSONAL = [
	'real_name',
	'id_number_masked',
	'id_number_hash',
	'verified_at',
	'cert_level',
	'cert_method',
	'cert_document_type',
	'cert_provider',
	'cert_reference',
	'cert_at',
	'consent_version',
	'consent_at'
] as const;

/**
 * Joins the invited membership this session holds to the person who just proved a passkey
 * (MO4): the invitation's code proved the contact, the passkey proves the person, and only both
 * together link them; a contact alone never does. The invited row must still be a person of its
 * own with no passkey (a fresh invitation), the person must not already belong to that
 * organisation, and a certified number on the invitation must be the person's. The row takes the
 * person's certification (MO7), the session is bound to that passkey and counts as checked.
 */
export async function joinAsPerson(
	db: Kysely<Database>,
	clock: Clock,
	session: LiveSession,
	prover: User,
	credentialId: string,
	ip: string | null
): Promise<{ ok: true } | Failure> {
	const invited = session.user;
	const person = personOf(prover);
	if (person === personOf(invited)) return failure('ALREADY_MEMBER', 'This is already you');
	const [siblings, passkey] = await Promise.all([
		personRowIds(db, invited),
		db
			.selectFrom('credentials')
			.select('id')
			.where('user_id', '=', invited.id)
			.where('revoked_at', 'is', null)
			.executeTakeFirst()
	]);
	if (siblings.length > 1 || passkey || session.credentialId) {
		return failure('FORBIDDEN', 'Only a fresh invitation can join an existing account');
	}
	const inOrg = await db
		.selectFrom('users')
		.select('id')
		.where(ofPerson(person))
		.where('org_id', '=', invited.org_id)
		.executeTakeFirst();
	if (inOrg) return failure('ALREADY_MEMBER', 'Already a member of this organisation');
	if (
		invited.id_number_hash !== null &&
		prover.id_number_hash !== null &&
		invited.id_number_hash !== prover.id_number_hash
	) {
		return failure('PERSON_MISMATCH', 'The invitation holds another person’s details');
	}
	const now = clock().toISOString();
	const personal = Object.fromEntries(PERSONAL.map((c) => [c, prover[c]])) as Pick<
		User,
		(typeof PERSONAL)[number]
	>;
	await db.transaction().execute(async (trx) => {
		// The person's first row gets its person_id written too, so the link never rests on a null.
		await trx
			.updateTable('users')
			.set({ person_id: person })
			.where('id', '=', person)
			.where('person_id', 'is', null)
			.execute();
		await trx
			.updateTable('users')
			.set({ ...personal, person_id: person })
			.where('id', '=', invited.id)
			.execute();
		await trx
			.updateTable('sessions')
			.set({ credential_id: credentialId, verified_at: now })
			.where('id_hash', '=', session.idHash)
			.execute();
		await appendAudit(trx, clock, invited.id, {
			kind: 'person.joined',
			subject: invited.id,
			data: { credentialId, ip }
		});
	});
	await appendAuthEvent(db, clock, {
		kind: 'person.joined',
		userId: invited.id,
		ip,
		detail: { person }
	});
	return { ok: true };
}

/**
 * The ids of every membership of the person `userId` belongs to, as a subquery for
 * `where('user_id', 'in', …)`: one statement, so it reads the rows of the caller's transaction.
 */
export function personRowsOf(db: Db, userId: string) {
	const person = db
		.selectFrom('users as me')
		.select((eb) => eb.fn.coalesce('me.person_id', 'me.id').as('person'))
		.where('me.id', '=', userId);
	return db
		.selectFrom('users as kin')
		.select('kin.id')
		.where((eb) =>
			eb.or([
				eb('kin.person_id', '=', person),
				eb.and([eb('kin.id', '=', person), eb('kin.person_id', 'is', null)])
			])
		);
}

/**
 * Where a passkey sign-in lands (MO5): the membership the passkey was enrolled in, unless an
 * administrator deactivated it, then the person's earliest membership still active. Only when
 * every membership is deactivated does the caller see a deactivated row (and refuse).
 */
export async function landingMembership(db: Db, ownerId: string): Promise<User> {
	const owner = await db
		.selectFrom('users')
		.selectAll()
		.where('id', '=', ownerId)
		.executeTakeFirstOrThrow();
	if (owner.deactivated_at === null) return owner;
	const active = await db
		.selectFrom('users')
		.selectAll()
		.where(ofPerson(personOf(owner)))
		.where('deactivated_at', 'is', null)
		.orderBy('created_at')
		.orderBy('id')
		.executeTakeFirst();
	return active ?? owner;
}
