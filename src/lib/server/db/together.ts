import type { Compilable, QueryResult, Transaction } from 'kysely';
import type { Database } from './schema';

type Results<Q extends readonly Compilable<unknown>[]> = {
	[K in keyof Q]: Q[K] extends Compilable<infer O> ? QueryResult<O> : never;
};

/**
 * Runs statements of one transaction that do not need one another's answers, in the given order,
 * without waiting for each answer before sending the next. Kysely sends a transaction's statements
 * one at a time; on PostgreSQL every one is then a round trip, and its connections run in pipeline
 * mode (dialects/postgres.ts), so statements handed over together go out together: one round trip
 * for all. SQLite runs them one after another in the process, as it would anyway.
 *
 * The server still runs them in order inside the transaction, so a statement sees the writes of
 * the ones before it. After a failure PostgreSQL refuses the rest of the transaction; the first
 * failure is thrown once every statement has answered, so nothing is still in flight when the
 * caller's transaction rolls back. Only for statements whose result decides nothing the others
 * do: a check that must stop a later write belongs before it, not beside it.
 */
export async function runTogether<const Q extends readonly Compilable<unknown>[]>(
	trx: Transaction<Database>,
	queries: Q
): Promise<Results<Q>> {
	const executor = trx.getExecutor();
	// The connection's raw results skip Kysely's result plugins; the app installs none, and one
	// added later must not be skipped without anyone noticing.
	if (executor.plugins.length > 0) throw new Error('runTogether does not apply result plugins');
	const compiled = queries.map((query) => query.compile());
	return executor.provideConnection(async (connection) => {
		const settled = await Promise.allSettled(compiled.map((q) => connection.executeQuery(q)));
		const failed = settled.find((s) => s.status === 'rejected');
		if (failed) throw failed.reason;
		return settled.map((s) => (s as PromiseFulfilledResult<QueryResult<unknown>>).value);
	}) as Promise<Results<Q>>;
}
