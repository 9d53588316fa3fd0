import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireOperator } from '$lib/server/platform/guards';
import { certificationQueue } from '$lib/server/orgs';
import type { OrgCertQueueResponse } from '$lib/domain/api-types';

/** The operator's certification review queue (SPEC OC10). */
export async function GET({ locals }) {
	const app = getApp();
	await requireOperator(locals.user, app.database.db);
	const body: OrgCertQueueResponse = {
		items: await certificationQueue(app.database.db, app.clock().toISOString()),
		bankSimulated: app.bank.simulated
	};
	return json(body);
}
