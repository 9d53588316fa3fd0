import { sql } from 'kysely';
import type { Manifest } from '$lib/domain/manifest';
import type { Credential, Ticket, User } from '../../db/schema';
import { personRowsOf } from '../../auth';
import type { Body, Trx } from './common';

/** The idempotency store's row for a key: the body it was first used with and the answer given. */
export interface StoredAnswer {
	body_hash: string;
	status: number;
	response_json: string;
}

/** What the checks up to the assertion read, each null when there is no such row. */
export interface Attempt {
	stored: StoredAnswer | null;
	ticket: Ticket | null;
	credential: Pick<
		Credential,
		'id' | 'user_id' | 'public_key' | 'counter' | 'transports' | 'revoked_at'
	> | null;
}

/**
 * The idempotency key's stored answer, the manifest's ticket and the user's passkey it names, in
 * ONE query: on PostgreSQL each statement is a round trip, and these three reads do not depend on
 * one another (the key, ticket and credential ids all come with the request). The checks still
 * look at them in their order (submit.ts, authenticate.ts); a row read but not needed costs nothing.
 * Three left joins on one dummy row, so a missing row of any kind reads as nulls, not as no row.
 */
export async function loadAttempt(
	trx: Trx,
	user: User,
	body: Body,
	manifest: Manifest | null
): Promise<Attempt> {
	const row = await trx
		.selectFrom(sql<{ one: number }>`(select 1 as one)`.as('one'))
		.leftJoin('idempotency_keys as i', (join) =>
			join.on('i.user_id', '=', user.id).on('i.key', '=', body.idempotencyKey)
		)
		.leftJoin('tickets as t', (join) => join.on('t.id', '=', manifest?.ticket.id ?? null))
		.leftJoin('credentials as c', (join) =>
			join
				.on('c.id', '=', manifest?.credentialId ?? null)
				// Any passkey of the person (MO6): the ticket already names this row and passkey.
				.on('c.user_id', 'in', personRowsOf(trx, user.id))
		)
		.select([
			'i.body_hash as i_body_hash',
			'i.status as i_status',
			'i.response_json as i_response_json',
			't.id as t_id',
			't.user_id as t_user_id',
			't.credential_id as t_credential_id',
			't.nonce as t_nonce',
			't.issued_at as t_issued_at',
			't.expires_at as t_expires_at',
			't.used_at as t_used_at',
			't.used_by_submission as t_used_by_submission',
			't.revoked_at as t_revoked_at',
			'c.id as c_id',
			'c.user_id as c_user_id',
			'c.public_key as c_public_key',
			'c.counter as c_counter',
			'c.transports as c_transports',
			'c.revoked_at as c_revoked_at'
		])
		.executeTakeFirstOrThrow();
	return {
		stored:
			row.i_body_hash === null
				? null
				: {
						body_hash: row.i_body_hash,
						status: row.i_status!,
						response_json: row.i_response_json!
					},
		ticket:
			row.t_id === null
				? null
				: {
						id: row.t_id,
						user_id: row.t_user_id!,
						credential_id: row.t_credential_id!,
						nonce: row.t_nonce!,
						issued_at: row.t_issued_at!,
						expires_at: row.t_expires_at!,
						used_at: row.t_used_at,
						used_by_submission: row.t_used_by_submission,
						revoked_at: row.t_revoked_at
					},
		credential:
			row.c_id === null
				? null
				: {
						id: row.c_id,
						user_id: row.c_user_id!,
						public_key: row.c_public_key!,
						counter: row.c_counter!,
						transports: row.c_transports!,
						revoked_at: row.c_revoked_at
					}
	};
}
