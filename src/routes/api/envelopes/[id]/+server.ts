import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import { recordAudit } from '$lib/server/audit';
import {
	acceptedManifests,
	firstViewInSession,
	loadEnvelope,
	mayRead
} from '$lib/server/contracts';
import type { EnvelopeResponse } from '$lib/domain/api-types';

export async function GET({ locals, params }) {
	const user = requireUser(locals.user);
	const app = getApp();
	const db = app.database.db;
	const stored = await loadEnvelope(db, params.id);
	if (!stored || !mayRead(stored, user)) return apiError('NOT_FOUND', 'No such envelope');
	const body: EnvelopeResponse = {
		envelope: stored.envelope,
		accepted: await acceptedManifests(db, stored.envelope),
		mySignerIds: [...stored.signerUsers]
			.filter(([, userId]) => userId === user.id)
			.map(([signerId]) => signerId)
	};
	const { id, revision } = stored.envelope;
	if (!locals.session || (await firstViewInSession(db, locals.session.idHash, id, revision))) {
		await recordAudit(db, app.clock, user.id, {
			kind: 'envelope.viewed',
			subject: id,
			data: { revision }
		});
	}
	return json(body);
}
