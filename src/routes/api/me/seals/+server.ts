import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { requireUser } from '$lib/server/platform/guards';
import { listMySeals } from '$lib/server/seals';
import type { MySealsResponse } from '$lib/domain/api-types';

export async function GET({ locals }) {
	const user = requireUser(locals.user);
	const body: MySealsResponse = await listMySeals(getApp().database.db, user);
	return json(body);
}
