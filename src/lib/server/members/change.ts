import type { Kysely } from 'kysely';
import type { Database, User } from '../db/schema';
import type { Clock } from '../platform/clock';
import { appendAudit } from '../audit';
import { endSessionsAndTickets } from './end-access';
import { failure, type Result } from '$lib/domain/errors';
import { checkMemberChange, memberRole, storedRole, type MemberChange } from '$lib/domain/members';

export interface MemberDeps {
	db: Kysely<Database>;
	clock: Clock;
}

/**
 * An administrator changes a member of their organisation (MB2–MB5): a new role, deactivation
 * or reactivation, checked, written and audited in one transaction, so two administrators acting
 * at once cannot both remove the last other administrator.
 */
export async function changeMember(
	deps: MemberDeps,
	admin: User,
	memberId: string,
	change: MemberChange
): Promise<Result<{ sessionsEnded: number; ticketsRevoked: number }>> {
	return deps.db.transaction().execute(async (trx) => {
		const target = await trx
			.selectFrom('users')
			.select(['id', 'role', 'seal_keeper', 'deactivated_at'])
			.where('id', '=', memberId)
			.where('org_id', '=', admin.org_id)
			.executeTakeFirst();
		if (!target) return failure('NOT_FOUND', 'No such member');
		const admins = await trx
			.selectFrom('users')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.where('org_id', '=', admin.org_id)
			.where('role', '=', 'admin')
			.where('deactivated_at', 'is', null)
			.executeTakeFirstOrThrow();
		const from = memberRole(target);
		const refused = checkMemberChange({
			actorId: admin.id,
			target: { id: target.id, role: from, active: target.deactivated_at === null },
			change,
			activeAdmins: Number(admins.n)
		});
		if (refused) return refused;
		const now = deps.clock().toISOString();
		if (change.kind === 'role') {
			if (change.role !== from) {
				await trx
					.updateTable('users')
					.set(storedRole(change.role))
					.where('id', '=', target.id)
					.execute();
				await appendAudit(trx, deps.clock, admin.id, {
					kind: 'member.role-changed',
					subject: target.id,
					data: { from, to: change.role }
				});
			}
			return { ok: true, sessionsEnded: 0, ticketsRevoked: 0 };
		}
		if (change.kind === 'reactivate') {
			await trx
				.updateTable('users')
				.set({ deactivated_at: null })
				.where('id', '=', target.id)
				.execute();
			await appendAudit(trx, deps.clock, admin.id, {
				kind: 'member.reactivated',
				subject: target.id,
				data: {}
			});
			return { ok: true, sessionsEnded: 0, ticketsRevoked: 0 };
		}
		// MB4: marked, and everything the member's devices hold ends with it.
		await trx
			.updateTable('users')
			.set({ deactivated_at: now })
			.where('id', '=', target.id)
			.execute();
		const counts = await endSessionsAndTickets(trx, deps.clock, target.id);
		await appendAudit(trx, deps.clock, admin.id, {
			kind: 'member.deactivated',
			subject: target.id,
			data: counts
		});
		return { ok: true, ...counts };
	});
}
