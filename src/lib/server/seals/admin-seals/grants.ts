import { randomUUID } from 'node:crypto';
import { failure, type Result } from '$lib/domain/errors';
import type { User } from '../../db/schema';
import { appendAudit } from '../../audit';
import { refuseUnlessCertified } from '../../orgs';
import { changeOrgSeal, type AdminSealDeps } from './common';

/**
 * Authorises a user of the organisation to stamp with a seal (R13); a user already authorised
 * keeps their grant, so a double click does not write two rows. Audited as seal.authorised.
 */
export async function authoriseSeal(
	deps: AdminSealDeps,
	admin: User,
	sealId: string,
	userId: string
): Promise<Result<object>> {
	// An uncertified organisation authorises nobody (SPEC OC5); revoking stays possible.
	const uncertified = await refuseUnlessCertified(deps.db, admin.org_id);
	if (uncertified) return uncertified;
	return changeOrgSeal(deps, admin, sealId, async (trx) => {
		const user = await trx
			.selectFrom('users')
			.select('id')
			.where('id', '=', userId)
			.where('org_id', '=', admin.org_id)
			.executeTakeFirst();
		if (!user) return failure('NOT_FOUND', 'No such user in your organisation');
		const held = await trx
			.selectFrom('seal_authorisations')
			.select('id')
			.where('seal_id', '=', sealId)
			.where('user_id', '=', userId)
			.where('revoked_at', 'is', null)
			.executeTakeFirst();
		if (held) return;
		await trx
			.insertInto('seal_authorisations')
			.values({
				id: randomUUID(),
				seal_id: sealId,
				user_id: userId,
				granted_at: deps.clock().toISOString(),
				revoked_at: null
			})
			.execute();
		await appendAudit(trx, deps.clock, admin.id, {
			kind: 'seal.authorised',
			subject: sealId,
			data: { userId }
		});
	});
}

/**
 * Revokes a user's authorisation: the row stays with revoked_at set, so evidence stamped before
 * can still be explained, while ingest refuses new stamps (SEAL_NOT_AUTHORISED) and the device
 * drops the seal at its next kit download. Audited as seal.revoked.
 */
export async function revokeSeal(
	deps: AdminSealDeps,
	admin: User,
	sealId: string,
	userId: string
): Promise<Result<object>> {
	return changeOrgSeal(deps, admin, sealId, async (trx) => {
		const result = await trx
			.updateTable('seal_authorisations')
			.set({ revoked_at: deps.clock().toISOString() })
			.where('seal_id', '=', sealId)
			.where('user_id', '=', userId)
			.where('revoked_at', 'is', null)
			.executeTakeFirst();
		if (Number(result.numUpdatedRows) === 0) return;
		await appendAudit(trx, deps.clock, admin.id, {
			kind: 'seal.revoked',
			subject: sealId,
			data: { userId }
		});
	});
}
