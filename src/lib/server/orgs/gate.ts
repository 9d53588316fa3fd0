import { failure, type Failure } from '$lib/domain/errors';
import { maySeal, type CertState } from '$lib/domain/org-certification';
import type { Db } from '../db/schema';
import { read, readOne } from '../db/together';

/** The organisation's certification state; a missing organisation reads as uncertified. */
export function orgCertState(db: Db, orgId: string): Promise<CertState> {
	return readOne(orgCertStateRead(db, orgId));
}

/** orgCertState as a Read, to send with other reads (readTogether). */
export function orgCertStateRead(db: Db, orgId: string) {
	const query = db.selectFrom('organisations').select('cert_state').where('id', '=', orgId);
	return read(query, (rows): CertState => rows[0]?.cert_state ?? 'uncertified');
}

/**
 * The refusal for a seal operation of an organisation that is not 已认证 (SPEC OC5), or null
 * when it may go ahead. The state travels in the details so a client can word its explanation.
 */
export async function refuseUnlessCertified(db: Db, orgId: string): Promise<Failure | null> {
	const state = await orgCertState(db, orgId);
	if (maySeal(state)) return null;
	return failure(
		'ORG_NOT_CERTIFIED',
		'The organisation must complete organisation certification before using seals',
		{ state }
	);
}
