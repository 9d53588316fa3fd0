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

/**
 * A read built apart from the mapping of its rows, so a caller can send several reads together
 * (readTogether) while each module keeps its own query and its own shape of the answer. A null
 * query reads nothing (e.g. no ids to look up) and maps no rows.
 */
export interface Read<T, R = unknown> {
	query: (Compilable<R> & { execute(): Promise<R[]> }) | null;
	map: (rows: R[]) => T;
}

/** Builds a Read; the row type comes from the query. */
export function read<R, T>(
	query: (Compilable<R> & { execute(): Promise<R[]> }) | null,
	map: (rows: R[]) => T
): Read<T, R> {
	return { query, map };
}

/** Runs one Read on its own. */
export async function readOne<T, R>({ query, map }: Read<T, R>): Promise<T> {
	return map(query ? await query.execute() : []);
}

/** Any Read, whatever its rows: only the answer's type is kept. */
type AnyRead = { query: Read<unknown>['query']; map: (rows: never[]) => unknown };

type Answers<M extends Record<string, AnyRead>> = { [K in keyof M]: ReturnType<M[K]['map']> };

/**
 * Runs independent reads of one transaction together (runTogether: one round trip on
 * PostgreSQL) and maps each answer. Only for reads whose queries do not depend on one another's
 * answers; the checks that use them still run afterwards, in their order, in TypeScript.
 */
export async function readTogether<const M extends Record<string, AnyRead>>(
	trx: Transaction<Database>,
	reads: M
): Promise<Answers<M>> {
	const entries = Object.entries(reads) as [string, Read<unknown, unknown>][];
	const sent = entries.filter(([, r]) => r.query !== null);
	const results = await runTogether(
		trx,
		sent.map(([, r]) => r.query!)
	);
	const rows = new Map(sent.map(([key], i) => [key, results[i]!.rows]));
	return Object.fromEntries(
		entries.map(([key, r]) => [key, r.map((rows.get(key) as unknown[]) ?? [])])
	) as Answers<M>;
}
