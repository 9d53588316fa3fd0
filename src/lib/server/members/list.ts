import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { Member } from '$lib/domain/api-types';
import { memberRole } from '$lib/domain/members';
import { certificationOf, enrolledUsers } from '../auth';

/**
 * Every member of an organisation with their role, latest invite contact, whether they hold a
 * passkey and whether they are active, for the members page and the signer picker alike.
 */
export async function listMembers(db: Kysely<Database>, orgId: string): Promise<Member[]> {
	const users = await db
		.selectFrom('users')
		.select([
			'id',
			'display_name',
			'role',
			'seal_keeper',
			'deactivated_at',
			'cert_level',
			'cert_method',
			'cert_document_type',
			'cert_provider',
			'cert_at'
		])
		.where('org_id', '=', orgId)
		.orderBy('display_name')
		.orderBy('id')
		.limit(500)
		.execute();
	const invites = await db
		.selectFrom('invites')
		.select(['user_id', 'contact', 'created_at'])
		.where('org_id', '=', orgId)
		.orderBy('created_at', 'desc')
		.execute();
	const contact = new Map<string, string>();
	for (const i of invites) if (!contact.has(i.user_id)) contact.set(i.user_id, i.contact);
	const enrolled = await enrolledUsers(
		db,
		users.map((u) => u.id)
	);
	return users.map((u) => ({
		id: u.id,
		name: u.display_name,
		role: memberRole(u),
		contact: contact.get(u.id) ?? null,
		enrolled: enrolled.has(u.id),
		active: u.deactivated_at === null,
		deactivatedAt: u.deactivated_at,
		certification: certificationOf(u)
	}));
}
