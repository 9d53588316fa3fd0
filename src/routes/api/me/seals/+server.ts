import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { listMySeals } from '$lib/server/seals/seals';
import type { MySealsResponse } from '$lib/domain/api-types';

export async function GET({ locals }) {
	const auth = requireUser(locals.user);
	if ('response' in auth) return auth.response;
	const body: MySealsResponse = await listMySeals(getApp().database.db, auth.user);
	return json(body);
}
