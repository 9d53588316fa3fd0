import type { Kysely } from 'kysely';
import type { Database } from '../../src/lib/server/db/schema';
import type { Clock } from '../../src/lib/server/platform/clock';
import type { InviteDeps } from '../../src/lib/server/auth';
import {
	ConsoleNotifier,
	type Notifier,
	type NotifyMessage
} from '../../src/lib/server/platform/notify';
import { ORIGIN } from './test-server';

/*
 * What the server tests of invitations, code sign-in, recovery and organisation onboarding share:
 * the invite dependencies with a console notifier that keeps what it sent (the tests read links
 * and codes from it, as a person reads their messages), the operator, and reading a message.
 */

export interface InviteWorld {
	deps: InviteDeps;
	/** Every message the console notifier sent, oldest first. */
	sent: NotifyMessage[];
}

/** Invite dependencies on this database and clock, sending through a recording console. */
export function inviteWorld(db: Kysely<Database>, clock: Clock): InviteWorld {
	const sent: NotifyMessage[] = [];
	const inner = new ConsoleNotifier(() => undefined);
	const recording: Notifier = {
		channel: 'console',
		send: async (message) => {
			sent.push(message);
			await inner.send(message);
		}
	};
	return {
		deps: { db, clock, origin: ORIGIN, notifiers: { console: recording, smtp: null, sms: null } },
		sent
	};
}

/** Makes `userId` the platform operator: the server counts whoever used the first setup link. */
export async function makeOperator(
	db: Kysely<Database>,
	userId: string,
	at: string
): Promise<void> {
	await db
		.insertInto('setup_tokens')
		.values({
			id: 'setup-1',
			token_hash: 'h'.repeat(64),
			user_id: userId,
			created_at: at,
			used_at: at,
			revoked_at: null
		})
		.execute();
}

/** The six-digit code in a message body. */
export function codeIn(body: string): string {
	return /\b(\d{6})\b/.exec(body)![1]!;
}

/** The invite (or recovery) link token and the code in a message body. */
export function linkIn(body: string): { token: string; code: string } {
	return { token: /\/invite\/([\w-]+)/.exec(body)![1]!, code: codeIn(body) };
}

/** A six-digit code that is not `code`: the wrong code a person mistypes. */
export const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
