import type { User } from '../db/schema';
import { failure, type Failure } from '$lib/domain/errors';
import { customerToday, deadlineEnd, isCalendarDay } from '$lib/domain/deadline';
import type { DeadlineChanged } from '$lib/domain/api-types';
import { appendAudit } from '../audit';
import { type ContractDeps, ownContract, updateEnvelopeRow } from './common';
import { queueNextReminder } from './reminders';

/**
 * Sets a contract's deadline (DL5). A draft takes any day from today on, or none. A contract out
 * for signing, expired or not, only gets a later day: signers were told the old one, and a
 * shorter or removed deadline would change the terms under them. The change, its audit entry
 * and the reminder the new day calls for commit together; reminders queued for the old day find
 * themselves out of plan and end silently.
 */
export async function changeDeadline(
	deps: Pick<ContractDeps, 'db' | 'clock'>,
	admin: Pick<User, 'id' | 'org_id'>,
	id: string,
	day: string | null
): Promise<({ ok: true } & DeadlineChanged) | Failure> {
	const own = await ownContract(deps.db, admin.org_id, id);
	if (!own) return failure('NOT_FOUND', 'No such contract');
	const { row } = own;
	const now = deps.clock();
	if (row.status !== 'draft' && row.status !== 'sent') {
		return failure('CONTRACT_NOT_EDITABLE', 'The contract is completed or revoked');
	}
	if (day !== null && !isCalendarDay(day)) {
		return failure('CONTRACT_INVALID', 'The deadline is not a date', { field: 'deadline' });
	}
	if (day !== null && day < customerToday(now)) {
		return failure('CONTRACT_INVALID', 'The deadline is in the past', { field: 'deadline' });
	}
	if (row.status === 'sent' && (day === null || (row.deadline !== null && day <= row.deadline))) {
		return failure('CONTRACT_INVALID', 'A sent contract’s deadline can only move later', {
			field: 'deadline'
		});
	}
	const changed = await deps.db.transaction().execute(async (trx) => {
		const moved = await updateEnvelopeRow(trx, id, [row.status], { deadline: day });
		if (!moved) return false;
		await appendAudit(trx, deps.clock, admin.id, {
			kind: 'envelope.deadline-changed',
			subject: id,
			data: { from: row.deadline, to: day }
		});
		if (row.status === 'sent') await queueNextReminder(trx, { ...row, deadline: day }, now, now);
		return true;
	});
	if (!changed) return failure('CONTRACT_NOT_EDITABLE', 'The contract changed meanwhile');
	return { ok: true, deadline: day, deadlineAt: day ? deadlineEnd(day) : null };
}
