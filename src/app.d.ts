/// <reference types="vite-plugin-pwa/client" />
/// <reference types="vite-plugin-pwa/info" />
/// <reference types="@sveltejs/kit" />
import type { User } from '$lib/server/db/schema';
import type { LiveSession } from '$lib/server/auth/sessions';

declare global {
	namespace App {
		interface Locals {
			user: User | null;
			/** The passkey the session was signed in with; null while enrolling or signed out. */
			credentialId: string | null;
			/** The session behind the request's cookie (API requests), or null. */
			session: LiveSession | null;
		}
		interface Error {
			code?: string;
			/** An API refusal thrown by a guard: the same shape as every JSON error answer. */
			error?: { code: string; message: string };
		}
	}
}

export {};
