import { error } from '@sveltejs/kit';
import type { Db, User } from '../db/schema';
import { isPlatformOperator } from '../orgs';
import { ERROR_STATUS, type ErrorCode } from '$lib/domain/errors';
import { errorBody } from './http';
import { mayKeepSeals } from '$lib/domain/members';

/**
 * Ends the request with the API's error answer, thrown so a guard is one line in an endpoint.
 * SvelteKit answers a thrown error with its body as JSON and this status; the body is the same
 * errorBody every returned apiError has, plus the top-level `message` SvelteKit's App.Error needs.
 */
export function refuse(code: ErrorCode, message: string): never {
	error(ERROR_STATUS[code], { message, ...errorBody(code, message) });
}

/** The admin behind the request; anyone else ends the request with 401 or 403. */
export function requireAdmin(user: User | null): User {
	if (!user) refuse('UNAUTHENTICATED', 'Sign in first');
	if (user.role !== 'admin') refuse('FORBIDDEN', 'Admins only');
	return user;
}

/** An administrator or a seal keeper (MB1): who makes seals and grants their use. */
export function requireSealKeeper(user: User | null): User {
	if (!user) refuse('UNAUTHENTICATED', 'Sign in first');
	if (!mayKeepSeals(user)) refuse('FORBIDDEN', 'Administrators and seal keepers only');
	return user;
}

/** The signed-in user (any role) behind the request; a visitor ends the request with 401. */
export function requireUser(user: User | null): User {
	if (!user) refuse('UNAUTHENTICATED', 'Sign in first');
	return user;
}

/**
 * The platform operator behind the request (the user who used the first setup link, SPEC OC10);
 * anyone else ends the request with 401 or 403.
 */
export async function requireOperator(user: User | null, db: Db): Promise<User> {
	const admin = requireAdmin(user);
	if (!(await isPlatformOperator(db, admin.id))) refuse('FORBIDDEN', 'Platform operator only');
	return admin;
}
