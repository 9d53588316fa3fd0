import type { Result } from '$lib/domain/errors';
import type { User } from '../../db/schema';
import { appendAudit } from '../../audit';
import { changeOrgSeal, type AdminSealDeps } from './common';

/**
 * Disables or re-enables a seal (SA3, SA6). A disabled seal is offered to nobody (SK1) but keeps
 * its authorisations, so enabling it again restores exactly who could use it. Audited as
 * seal.disabled / seal.enabled only when the status changes, so a double click writes one row.
 */
export async function setSealStatus(
	deps: AdminSealDeps,
	admin: User,
	sealId: string,
	status: 'active' | 'disabled'
): Promise<Result<object>> {
	return changeOrgSeal(deps, admin, sealId, async (trx) => {
		// Read inside the transaction: two admins toggling at once must not both audit a change.
		const seal = await trx
			.selectFrom('seals')
			.select(['name', 'status'])
			.where('id', '=', sealId)
			.executeTakeFirstOrThrow();
		if (seal.status === status) return;
		await trx.updateTable('seals').set({ status }).where('id', '=', sealId).execute();
		await appendAudit(trx, deps.clock, admin.id, {
			kind: status === 'disabled' ? 'seal.disabled' : 'seal.enabled',
			subject: sealId,
			data: { name: seal.name }
		});
	});
}
