import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/platform/app';
import { deleteSession, membershipsOf, sessionCookieName, sessionUser } from '$lib/server/auth';
import type { SessionResponse } from '$lib/domain/api-types';

export async function GET({ locals }) {
	const user = locals.user;
	const body: SessionResponse = {
		user: user ? sessionUser(user) : null,
		memberships: user ? await membershipsOf(getApp().database.db, user) : []
	};
	return json(body);
}

export async function DELETE({ cookies, url }) {
	const name = sessionCookieName(url);
	const token = cookies.get(name);
	if (token) await deleteSession(getApp().database.db, token);
	cookies.delete(name, { path: '/' });
	return json({ ok: true });
}
