import { api, ApiError } from '../api';
import type { SessionResponse, SessionUser } from '$lib/domain/api-types';

/** What the admin layout learns once for every admin page: the admin, or why there is none. */
export interface AdminSession {
	admin: SessionUser | null;
	/**
	 * Whoever is signed in, admin or not: the admin area tells a signed-in signer they are no
	 * admin rather than asking them to sign in (read by admin-problem.svelte from the page data).
	 */
	sessionUser: SessionUser | null;
	sessionError: ApiError | null;
}

/** The admin area's one session check (admin/+layout.ts): a signer counts as signed out here. */
export async function adminSession(fetcher: typeof fetch): Promise<AdminSession> {
	try {
		const { user } = await api<SessionResponse>(fetcher, '/api/session');
		return { admin: user?.role === 'admin' ? user : null, sessionUser: user, sessionError: null };
	} catch (error) {
		return {
			admin: null,
			sessionUser: null,
			sessionError: error instanceof ApiError ? error : null
		};
	}
}

/** An admin page's data: signed out, ready with what the page loaded, or a failed load. */
export type AdminPageData<T extends object, E extends object> =
	| (E & { state: 'signed-out' })
	| (E & T & { state: 'ready' })
	| (E & { state: 'error'; error: ApiError | null });

/**
 * Loads an admin page behind the layout's session check. `extra` (the page's filters) comes back
 * in every state, so the page can show them whatever happened. A session that ended after the
 * layout checked it (the page's own request answers 401 or 403) also shows as signed out.
 */
export async function adminPage<T extends object, E extends object = Record<never, never>>(
	parent: () => Promise<AdminSession>,
	extra: E,
	load: (admin: SessionUser) => Promise<T>,
	options: { sealKeepers?: boolean } = {}
): Promise<AdminPageData<T, E>> {
	const { sessionUser, sessionError } = await parent();
	if (sessionError) return { ...extra, state: 'error', error: sessionError };
	// The seal pages are also a seal keeper's (MB1); every other admin page is the admin's alone.
	const admin =
		sessionUser?.role === 'admin' || (options.sealKeepers && sessionUser?.sealKeeper)
			? sessionUser
			: null;
	if (!admin) return { ...extra, state: 'signed-out' };
	try {
		return { ...extra, ...(await load(admin)), state: 'ready' };
	} catch (error) {
		if (
			error instanceof ApiError &&
			(error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN')
		)
			return { ...extra, state: 'signed-out' };
		return { ...extra, state: 'error', error: error instanceof ApiError ? error : null };
	}
}
