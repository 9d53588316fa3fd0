import { building } from '$app/environment';
import { loadConfig, type ServerConfig } from './config';
import {
	currentMigration,
	openDatabase,
	prepareSchema,
	withStartupLock,
	type OpenDatabase
} from '../db';
import type { BlobStore } from './blob-store';
import { FolderBlobStore } from './blob-folder';
import { S3BlobStore } from './blob-s3';
import { systemClock, type Clock } from './clock';
import { seedIfEmpty } from './seed';
import { identityVerifierFor, issueSetupToken, type IdentityVerifier } from '../auth';
import { createNotifiers, type Notifiers } from './notify';
import { loadServerKeys } from './secrets';
import { anchorAuditHead } from '../audit';
import { SimulatedBank, type BankTransfer, type CertDeps } from '../orgs';
import { loadSigningIdentity, signPdf, type SigningIdentity } from '../signing';
import { COMPLETED_NOTICE_JOB, finaliseEnvelope, notifyCompleted } from '../finalise';
import {
	notifyResent,
	notifyReturned,
	notifyTurn,
	RESENT_NOTICE_JOB,
	RETURNED_NOTICE_JOB,
	TURN_NOTICE_JOB
} from '../contracts';
import { FINALISE_JOB } from '$lib/domain/completion';
import { SIMULATED_PROVIDER } from '$lib/domain/personal-certification';
import { JobRunner } from './job-runner';
import { MESSAGE_JOB, sendQueuedMessage } from './outbox';
import { REMINDER_JOB, sendReminder } from '../contracts';

export interface App {
	config: ServerConfig;
	database: OpenDatabase;
	blobs: BlobStore;
	clock: Clock;
	version: string;
	/** Message delivery: console outbox by default; SMTP and SMS each when configured. */
	notifiers: Notifiers;
	/** The newest migration, read once at start (the schema changes only by a restart). */
	migration: string | null;
	/** The platform identity that seals finished contracts (docs/signing.md). */
	signing: SigningIdentity;
	/** Background jobs (finalisation); endpoints kick it after a write that queued one. */
	jobs: JobRunner;
	/**
	 * The bank behind 对公打款 (SPEC OC6–OC8). Only the simulated bank exists so far; it says so
	 * wherever it appears. A real bank's adapter implements the same interface.
	 */
	bank: BankTransfer;
	/** The identity provider behind personal certification; null stops at checksum-valid (PC8). */
	identity: IdentityVerifier | null;
}

let app: App | undefined;

/**
 * Opens storage, migrates (or, with MIGRATE=0, checks the schema is current), seeds an empty database and prints the first-admin link. Called
 * once from the server's init hook; throws (with the path in the message) when the database
 * cannot be opened or migrated, which stops start-up instead of serving a broken app.
 */
export async function startApp(
	env: Record<string, string | undefined>,
	version: string
): Promise<App> {
	if (app) return app;
	const config = loadConfig(env);
	const blobs = openBlobStore(config);
	const blobCheck = await blobs.check();
	if (!blobCheck.ok) throw new Error(`Cannot use ${blobs.description}: ${blobCheck.error}`);
	console.log(`SealPass: blobs in ${blobs.description}`);
	// Listing the blob folder grows with the store, so the sweep runs beside start-up, not before
	// it: a leftover temporary file is never read (names are hashes), only disk space waits.
	void blobs.sweepTemporary().then(
		(swept) => {
			if (swept)
				console.log(`SealPass: removed ${swept} unfinished blob file(s) from a crashed run`);
		},
		(error: unknown) => console.warn('SealPass: could not sweep unfinished blob files:', error)
	);
	// Several app servers may start together on one database (docs/multi-server.md): the
	// signing identity they share, the migrations, the first keys, the seed and the setup link are
	// made by one of them at a time, so none is made twice or read half-made.
	const { signing, database, migration } = await withStartupLock(config.databaseUrl, async () => {
		// Made or read before the database opens: a half-present identity stops start-up here, not
		// at the first finished contract.
		const signing = await loadSigningIdentity(config.signing, {
			name: new URL(config.origin).hostname
		});
		const database = openDatabase(config.databaseUrl);
		try {
			await prepareSchema(database, config.migrate);
			await loadServerKeys(database.db, { file: config.secretsFile, env, clock: systemClock });
			// A log from before the anchor existed is signed as it stands at this start (SPEC A10).
			await anchorAuditHead(database.db, systemClock);
			const migration = await currentMigration(database);
			const seeded = await seedIfEmpty(database.db, blobs, systemClock, config.seedDemo);
			const token = await issueSetupToken(database.db, systemClock);
			if (seeded) console.log(`SealPass: new database at ${database.location}, demo data seeded`);
			if (token) {
				console.log(
					`SealPass: first admin setup link (works once): ${config.origin}/setup/${token}`
				);
			}
			return { signing, database, migration };
		} catch (error) {
			await database.close();
			throw error;
		}
	});
	const notifiers = createNotifiers(config);
	app = {
		config,
		database,
		blobs,
		clock: systemClock,
		version,
		notifiers,
		migration,
		signing,
		jobs: finalisationJobs(database, blobs, config, signing, notifiers),
		bank: new SimulatedBank(systemClock),
		identity: identityVerifierFor(config.identityVerifier)
	};
	if (app.identity?.provider === SIMULATED_PROVIDER) {
		console.warn(
			'SealPass: identity certification uses the SIMULATED provider: nobody is really verified (IDENTITY_VERIFIER)'
		);
	}
	// Runs what is due now, including jobs a crashed or stopped process left (SPEC C5).
	app.jobs.start();
	return app;
}

/** The store BLOB_STORE names: the data folder's `blobs` by default, or an S3 bucket. */
function openBlobStore(config: ServerConfig): BlobStore {
	const source = config.blobStore;
	return source.kind === 's3'
		? new S3BlobStore(source, config.blobMaxBytes)
		: new FolderBlobStore(source.dir, config.blobMaxBytes);
}

/** The running app; endpoints call this. Fails loudly if called before start-up finished. */
export function getApp(): App {
	if (!app) {
		if (building) throw new Error('The server app is not available while prerendering');
		throw new Error('SealPass server used before start-up finished');
	}
	return app;
}

/** The job runner: finalisation of completed contracts (SPEC C4), its notices, reminders (DL6). */
function finalisationJobs(
	database: OpenDatabase,
	blobs: BlobStore,
	config: ServerConfig,
	signing: SigningIdentity,
	notifiers: Notifiers
): JobRunner {
	const deps = {
		db: database.db,
		blobs,
		clock: systemClock,
		origin: config.origin,
		signPdf: (pdf: Uint8Array, signingTime: Date) =>
			signPdf(pdf, signing, { signingTime, tsaUrl: config.tsaUrl ?? undefined })
	};
	return new JobRunner(database.db, systemClock)
		.register(FINALISE_JOB, (job, owner) => finaliseEnvelope(deps, job, owner))
		.register(COMPLETED_NOTICE_JOB, (job, owner) =>
			notifyCompleted({ ...deps, notifiers }, job, owner)
		)
		.register(REMINDER_JOB, (job, owner) => sendReminder({ ...deps, notifiers }, job, owner))
		.register(RETURNED_NOTICE_JOB, (job, owner) =>
			notifyReturned({ ...deps, notifiers }, job, owner)
		)
		.register(RESENT_NOTICE_JOB, (job, owner) => notifyResent({ ...deps, notifiers }, job, owner))
		.register(TURN_NOTICE_JOB, (job, owner) => notifyTurn({ ...deps, notifiers }, job, owner))
		.register(MESSAGE_JOB, (job, owner) => sendQueuedMessage({ ...deps, notifiers }, job, owner));
}

/** What the certification operations need, from the running app (one place for every endpoint). */
export function certDeps(): CertDeps {
	const { database, blobs, clock, bank } = getApp();
	return { db: database.db, blobs, clock, bank };
}
