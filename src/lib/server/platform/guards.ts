import type { User } from '../db/schema';
import { apiError } from './http';

/** The admin behind the request, or the error answer to return instead. */
export function requireAdmin(user: User | null): { user: User } | { response: Response } {
	if (!user) return { response: apiError('UNAUTHENTICATED', 'Sign in first') };
	if (user.role !== 'admin') return { response: apiError('FORBIDDEN', 'Admins only') };
	return { user };
}

/** The signed-in user (any role) behind the request, or the error answer to return instead. */
export function requireUser(user: User | null): { user: User } | { response: Response } {
	if (!user) return { response: apiError('UNAUTHENTICATED', 'Sign in first') };
	return { user };
}
