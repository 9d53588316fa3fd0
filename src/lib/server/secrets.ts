import type { Kysely } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { Database } from './db/schema';

const cache = new WeakMap<Kysely<Database>, Map<string, Buffer>>();

/**
 * A 256-bit secret generated on first use and kept in the database. Keys the hashes of short
 * values (6-digit codes, ID numbers) so a stolen table alone cannot be brute-forced offline.
 * Insert-if-absent then read, so two processes starting at once agree on one value.
 */
export async function serverSecret(db: Kysely<Database>, name: string): Promise<Buffer> {
	const known = cache.get(db)?.get(name);
	if (known) return known;
	await db
		.insertInto('server_secrets')
		.values({
			name,
			value: randomBytes(32).toString('base64'),
			created_at: new Date().toISOString()
		})
		.onConflict((oc) => oc.column('name').doNothing())
		.execute();
	const row = await db
		.selectFrom('server_secrets')
		.select('value')
		.where('name', '=', name)
		.executeTakeFirstOrThrow();
	const secret = Buffer.from(row.value, 'base64');
	if (!cache.has(db)) cache.set(db, new Map());
	cache.get(db)!.set(name, secret);
	return secret;
}
