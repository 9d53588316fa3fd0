import type { Kysely, Transaction } from 'kysely';
import * as v from 'valibot';
import { ERROR_STATUS, type ErrorCode } from '$lib/domain/errors';
import type { Problem } from '$lib/domain/rules';
import type { SubmissionAccepted, SubmissionRefused } from '$lib/domain/api-types';
import { SubmissionBodySchema } from '$lib/domain/api-requests';
import type { Database } from '../../db/schema';
import type { BlobStore } from '../../platform/blob-store';
import type { Clock } from '../../platform/clock';
import { errorBody } from '../../platform/http';

// What every step of an ingest shares: its dependencies, its answer and how a check refuses.

/** What ingest needs from the running app; tests pass their own database, store and clock. */
export interface IngestDeps {
	db: Kysely<Database>;
	blobs: BlobStore;
	clock: Clock;
	/** The public origin (config ORIGIN): assertions must come from it. */
	origin: string;
}

/**
 * Where an upload came from, kept with the accepted submission for the certificate of
 * completion (the address the server saw, and the browser's User-Agent). Never a proof of
 * anything: the passkey assertion is that; this helps a reader trace a disputed upload.
 */
export interface SubmissionClient {
	ip: string | null;
	userAgent: string | null;
}

export const UNKNOWN_CLIENT: SubmissionClient = { ip: null, userAgent: null };

/** An HTTP answer decided by ingest; the endpoint only turns it into JSON. */
export interface IngestAnswer {
	status: number;
	body: SubmissionAccepted | SubmissionRefused;
}

export type Body = v.InferOutput<typeof SubmissionBodySchema>;
export type Trx = Transaction<Database>;

/** Thrown to leave the checks with a refusal; every check comes before the first write. */
export class Refused extends Error {
	constructor(readonly answer: IngestAnswer) {
		super(answer.body && 'error' in answer.body ? answer.body.error.code : 'refused');
	}
}

/** A refused submission's answer: the API's error body, the failed rules if any, the code's status. */
export function refusal(code: ErrorCode, message: string, problems?: Problem[]): IngestAnswer {
	const body: SubmissionRefused = errorBody(code, message);
	if (problems) body.problems = problems;
	return { status: ERROR_STATUS[code], body };
}
