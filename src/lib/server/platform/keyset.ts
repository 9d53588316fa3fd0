import * as v from 'valibot';

// Keyset paging shared by the admin lists (review, a seal's uses): the query-string entries, their
// parsing, and the opaque cursor. One copy, so both lists refuse the same malformed input the
// same way and a cursor's format cannot drift between them.

/**
 * The `cursor` and `limit` entries of a paged list's query string, with the list's own maximum
 * page size: a limit outside 1–max or a cursor over 400 characters fails the whole query.
 */
export function pagingEntries(max: number) {
	return {
		cursor: v.optional(v.pipe(v.string(), v.maxLength(400))),
		limit: v.optional(
			v.pipe(v.string(), v.regex(/^\d{1,3}$/), v.transform(Number), v.minValue(1), v.maxValue(max))
		)
	};
}

/**
 * Reads a list's query string through its schema; null when any parameter is malformed. Empty
 * values count as absent, because an HTML form sends every field, filled or not.
 */
export function parseListQuery<
	S extends v.GenericSchema<Record<string, string | undefined>, unknown>
>(schema: S, params: URLSearchParams): v.InferOutput<S> | null {
	const raw: Record<string, string> = {};
	for (const [key, value] of params) if (value !== '') raw[key] = value;
	const parsed = v.safeParse(schema, raw);
	return parsed.success ? parsed.output : null;
}

export interface Cursor {
	receivedAt: string;
	id: string;
}

/**
 * The position after the last row of a page, opaque to clients. Keyset, not OFFSET: the next page
 * starts strictly after (received_at, id) of the last row shown, so rows that arrive meanwhile
 * (always newer) never shift a later page, and no row is skipped or shown twice.
 */
export function encodeCursor(cursor: Cursor): string {
	return Buffer.from(JSON.stringify([cursor.receivedAt, cursor.id])).toString('base64url');
}

/** The cursor a client sent back; null when it is not one we made. */
export function decodeCursor(raw: string): Cursor | null {
	try {
		const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
		if (
			Array.isArray(value) &&
			value.length === 2 &&
			typeof value[0] === 'string' &&
			typeof value[1] === 'string' &&
			value[0].length <= 40 &&
			value[1].length <= 200
		) {
			return { receivedAt: value[0], id: value[1] };
		}
	} catch {
		// fall through: not a cursor of ours
	}
	return null;
}
