import type { Kysely } from 'kysely';
import type { AdminSeal } from '$lib/domain/api-types';
import type { SealSpec } from '$lib/domain/seal-svg';
import type { Database } from '../../db/schema';
import { sealUsageCounts } from '../seal-uses';

/**
 * The organisation's registered name, which a new generated seal carries along its upper arc by
 * default: the editor starts from a seal that is correct as it stands, so 完成制作 works at once.
 */
export async function organisationName(db: Kysely<Database>, orgId: string): Promise<string> {
	const row = await db
		.selectFrom('organisations')
		.select('name')
		.where('id', '=', orgId)
		.executeTakeFirst();
	return row?.name ?? '';
}

/**
 * Every seal of the organisation with its status, who holds an unrevoked authorisation and how
 * many stored submissions stamp with it (SA4, SA7). Why: the admin decides whom to revoke or which
 * seal to disable by seeing who can use a seal and whether it has been used.
 */
export async function listOrgSeals(db: Kysely<Database>, orgId: string): Promise<AdminSeal[]> {
	const seals = await db
		.selectFrom('seals')
		.selectAll()
		.where('org_id', '=', orgId)
		.orderBy('created_at')
		.orderBy('id')
		.execute();
	const grants = await db
		.selectFrom('seal_authorisations')
		.innerJoin('seals', 'seals.id', 'seal_authorisations.seal_id')
		.innerJoin('users', 'users.id', 'seal_authorisations.user_id')
		.select([
			'seal_authorisations.seal_id',
			'seal_authorisations.user_id',
			'seal_authorisations.granted_at',
			'users.display_name'
		])
		.where('seals.org_id', '=', orgId)
		.where('seal_authorisations.revoked_at', 'is', null)
		.orderBy('seal_authorisations.granted_at')
		.execute();
	// Counted from seal_uses (written by ingest), never by parsing the manifests on each load.
	const usage = await sealUsageCounts(db, orgId);
	return seals.map((s) => ({
		id: s.id,
		name: s.name,
		shape: s.shape,
		sizeMm: { width: s.width_mm, height: s.height_mm },
		image: s.image_hash,
		status: s.status,
		spec: s.spec_json ? (JSON.parse(s.spec_json) as SealSpec) : null,
		createdAt: s.created_at,
		authorised: grants
			.filter((g) => g.seal_id === s.id)
			.map((g) => ({ userId: g.user_id, displayName: g.display_name, grantedAt: g.granted_at })),
		usageCount: usage.get(s.id) ?? 0
	}));
}
