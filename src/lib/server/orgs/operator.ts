import type { Db } from '../db/schema';

/**
 * The platform operator is whoever used the first setup link: the person who installed this
 * server (SPEC OC10). A setup link is only ever issued to the first admin and works once, so a
 * spent setup token names exactly one user, and nobody can become operator later.
 */
export async function isPlatformOperator(db: Db, userId: string): Promise<boolean> {
	const row = await db
		.selectFrom('setup_tokens')
		.select('id')
		.where('user_id', '=', userId)
		.where('used_at', 'is not', null)
		.executeTakeFirst();
	return row !== undefined;
}
