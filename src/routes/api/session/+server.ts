import { json } from '@sveltejs/kit';
import { getApp } from '$lib/server/app';
import { deleteSession, SESSION_COOKIE } from '$lib/server/sessions';
import type { SessionResponse } from '$lib/domain/api-types';

export async function GET({ locals }) {
	const user = locals.user;
	const body: SessionResponse = {
		user: user ? { id: user.id, name: user.display_name, role: user.role } : null
	};
	return json(body);
}

export async function DELETE({ cookies }) {
	const token = cookies.get(SESSION_COOKIE);
	if (token) await deleteSession(getApp().database.db, token);
	cookies.delete(SESSION_COOKIE, { path: '/' });
	return json({ ok: true });
}
