/**
 * The `sealpass` command line: inspect an untrusted PDF, render signed marks onto a PDF exactly
 * as the server would, or verify a contract's evidence archive with no server and no database. Bundled by vite.node.config.ts into build/node/cli.mjs and started
 * by bin/sealpass.mjs, which calls `main`. Exit codes: 0 done, 1 usage or I/O problem (or a
 * bug), 2 the input was refused — with its stable error code, so scripts can branch on it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ERROR_CODES, type ErrorCode } from '../../domain/errors';
import type { Manifest } from '../../domain/manifest';
import type { EvidenceCode } from '../../evidence/verify';
import type { EvidenceBundle } from '../../evidence/format';
import { parseManifest } from '../../domain/manifest-schema';
import { inspectImage, sniffImageType } from '../../pdf/images';
import { DEFAULT_PDF_TIMEOUT_MS, type PdfLimits } from '../../pdf/inspect-limits';
import { inspectPdfIsolated } from './pdf-inspect';

/** Where the CLI writes; a parameter so tests can run `main` in-process and read what it said. */
export interface CliIo {
	stdout: { write(text: string): unknown };
	stderr: { write(text: string): unknown };
}

export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_REFUSED = 2;

const USAGE = `Usage:
  sealpass inspect FILE.pdf [--max-pages N] [--max-bytes N] [--timeout-ms N]
      Checks an untrusted PDF (size, header, encryption, structure, pages) in a worker that is
      killed after the timeout, and prints JSON:
      { file, size, pages, encrypted, verdict: "ok" | "refused", code?, message? }

  sealpass render --manifests M.json --assets DIR IN.pdf OUT.pdf
      Draws the marks of the manifests (a JSON array) onto IN.pdf and writes OUT.pdf
      atomically. Every PNG/JPEG file in DIR is an asset, keyed by the SHA-256 of its bytes.

  sealpass verify EVIDENCE.zip [FINAL.pdf] [--json] [--font FONT.ttf]
      Checks a contract's evidence archive offline (docs/evidence.md): every signer's passkey
      assertion over their manifest, the images, that the final PDF begins with the rendered
      marks, its PDF signature and the audit chain. FINAL.pdf, when given, is checked instead of
      the archive's copy. Prints a report for people, or the report as JSON with --json; exit 0
      when valid, 2 when not (with the failed checks' codes: ASSERTION_INVALID,
      CHALLENGE_MISMATCH, RENDER_MISMATCH, PDF_SIGNATURE_INVALID, CHAIN_BROKEN, ARCHIVE_INVALID, ...).
      Dates are re-rendered with the font the archive names by SHA-256: the one installed with
      sealpass, or FONT.ttf. When that font is not the named one, nothing is verified: exit 1
      with FONT_MISMATCH (or FONT_MISSING) and the SHA-256 the archive names.

  sealpass migrate [--database URL]
      Runs the database migrations this release carries, under the lock app servers take at
      start-up, as the schema's owner: --database, else DATABASE_URL, else the SQLite file in
      DATA_DIR. App servers started with MIGRATE=0 then need no right to change the schema
      (docs/deploy.md). Prints JSON: { database, applied, migration }.

  sealpass migrate-data --from sqlite:PATH --to postgres://USER:PASSWORD@HOST/DB
      Copies every table of a SQLite database into an empty PostgreSQL database (migrated to
      the same version first), in one transaction, then verifies the audit chain there with the
      server keys of DATA_DIR (docs/database.md). Prints JSON: { tables, target, audit }; exit 0
      when the chain verifies, 2 when not.

  sealpass --help

Exit status: 0 done; 1 usage error or unreadable file; 2 input refused (the error code is
printed: PDF_ENCRYPTED, PDF_MALFORMED, PDF_TIMEOUT, MANIFEST_INVALID, IMAGE_INVALID, ...).
`;

/** A failure with the exit status and message it ends the command with. */
class CliExit extends Error {
	constructor(
		readonly status: number,
		message: string
	) {
		super(message);
	}
}

const usage = (message: string) => new CliExit(EXIT_USAGE, `${message}\n\n${USAGE}`);
const refused = (code: ErrorCode | EvidenceCode, message: string) =>
	new CliExit(EXIT_REFUSED, `${code}: ${message}`);

/**
 * Why: one entry point that never calls process.exit, so the launcher decides when the process
 * ends (pending output is flushed) and tests can run commands in-process. Resolves to the exit
 * status.
 */
export async function main(argv: readonly string[], io: CliIo = process): Promise<number> {
	const [command, ...rest] = argv;
	try {
		if (command === undefined) throw usage('No command given.');
		if (command === '--help' || command === '-h' || command === 'help') {
			io.stdout.write(USAGE);
			return EXIT_OK;
		}
		if (command === 'inspect') return await inspectCommand(rest, io);
		if (command === 'render') return await renderCommand(rest, io);
		if (command === 'verify') return await verifyCommand(rest, io);
		if (command === 'migrate') return await migrateCommand(rest, io);
		if (command === 'migrate-data') return await migrateDataCommand(rest, io);
		throw usage(`Unknown command "${command}".`);
	} catch (error) {
		if (error instanceof CliExit) {
			io.stderr.write(`sealpass: ${error.message}\n`);
			return error.status;
		}
		// A bug or an unexpected I/O failure: say what it was, never a silent non-zero exit.
		io.stderr.write(
			`sealpass: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`
		);
		return EXIT_USAGE;
	}
}

async function inspectCommand(args: string[], io: CliIo): Promise<number> {
	const { values, positionals } = parse(args, {
		'max-pages': { type: 'string' },
		'max-bytes': { type: 'string' },
		'timeout-ms': { type: 'string' }
	});
	if (positionals.length !== 1) throw usage('inspect takes exactly one FILE.pdf.');
	const file = positionals[0] as string;
	const limits: PdfLimits = {
		maxPages: positiveInt(values['max-pages'], '--max-pages'),
		maxBytes: positiveInt(values['max-bytes'], '--max-bytes')
	};
	const timeoutMs = positiveInt(values['timeout-ms'], '--timeout-ms') ?? DEFAULT_PDF_TIMEOUT_MS;
	const bytes = await readInput(file);
	const result = await inspectPdfIsolated(bytes, { ...limits, timeoutMs });
	const report = result.ok
		? { file, size: result.size, pages: result.pages, encrypted: false, verdict: 'ok' }
		: {
				file,
				size: result.size,
				pages: 'pages' in result ? (result.pages ?? null) : null,
				encrypted: 'encrypted' in result ? (result.encrypted ?? null) : null,
				verdict: 'refused',
				code: result.code,
				message: result.message
			};
	io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
	if (!result.ok) io.stderr.write(`sealpass: ${result.code}: ${result.message}\n`);
	return result.ok ? EXIT_OK : EXIT_REFUSED;
}

async function renderCommand(args: string[], io: CliIo): Promise<number> {
	const { values, positionals } = parse(args, {
		manifests: { type: 'string' },
		assets: { type: 'string' }
	});
	if (!values.manifests) throw usage('render needs --manifests M.json.');
	if (!values.assets) throw usage('render needs --assets DIR.');
	if (positionals.length !== 2) throw usage('render takes IN.pdf and OUT.pdf.');
	const [input, output] = positionals as [string, string];

	const manifests = parseManifests(await readInput(values.manifests), values.manifests);
	const assets = await readAssets(values.assets, io);

	// The original is as untrusted as any upload: inspected, killably, before pdf-lib loads it.
	const original = await readInput(input);
	const inspection = await inspectPdfIsolated(original);
	if (!inspection.ok) throw refused(inspection.code, `${input}: ${inspection.message}`);

	// Loaded here, not at the top: `inspect` and `--help` then start without pdf-lib and fontkit.
	const [{ render }, { loadCjkFont }] = await Promise.all([
		import('../../pdf/render'),
		import('../platform/fonts')
	]);
	let rendered: Uint8Array;
	try {
		rendered = await render(original, manifests, assets, { font: await loadCjkFont() });
	} catch (error) {
		const code = (error as { code?: unknown } | null)?.code;
		if ((ERROR_CODES as readonly unknown[]).includes(code)) {
			throw refused(code as ErrorCode, error instanceof Error ? error.message : String(error));
		}
		throw error;
	}
	await writeAtomically(output, rendered);
	const sha256 = createHash('sha256').update(rendered).digest('hex');
	io.stdout.write(
		`${JSON.stringify({ file: output, size: rendered.byteLength, sha256 }, null, 2)}\n`
	);
	return EXIT_OK;
}

/**
 * Verifies an evidence archive from its bytes alone: no server, no database, no network. The
 * verdict is the exit status, so a script can check an archive without parsing the report.
 */
async function verifyCommand(args: string[], io: CliIo): Promise<number> {
	const { values, positionals } = parse(args, {
		json: { type: 'boolean' },
		font: { type: 'string' }
	});
	if (positionals.length < 1 || positionals.length > 2) {
		throw usage('verify takes EVIDENCE.zip and optionally FINAL.pdf.');
	}
	const [archive, finalPath] = positionals as [string, string | undefined];
	const bytes = await readInput(archive);
	const finalPdf = finalPath === undefined ? undefined : await readInput(finalPath);
	// Loaded here, not at the top: `inspect` and `--help` then start without pdf-lib.
	const [{ unpackEvidence }, { verifyEvidence }, { formatReport }] = await Promise.all([
		import('../../evidence/format'),
		import('../../evidence/verify'),
		import('../../evidence/report')
	]);
	const unpacked = await unpackEvidence(bytes);
	if (!unpacked.ok) {
		if (values.json) {
			const report = { file: archive, verdict: 'invalid', codes: [unpacked.code], ...unpacked };
			io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
		}
		throw refused(unpacked.code, `${archive}: ${unpacked.message}`);
	}
	const font = await verificationFont(unpacked.bundle, finalPdf, values.font, values.json, io);
	const report = await verifyEvidence(unpacked.bundle, { finalPdf, font });
	io.stdout.write(
		values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`
	);
	if (report.verdict === 'valid') return EXIT_OK;
	io.stderr.write(`sealpass: evidence invalid: ${report.codes.join(', ')}\n`);
	return EXIT_REFUSED;
}

/**
 * The font the re-render needs (EV14), when the archive names one it does not carry: FONT.ttf
 * or else the font installed with sealpass, and only if it has the named SHA-256. Another font
 * would render other bytes, so a mismatch stops the command before any verdict, naming the
 * hash and where to get the file, rather than reporting a valid contract as RENDER_MISMATCH.
 */
async function verificationFont(
	bundle: EvidenceBundle,
	finalPdf: Uint8Array | undefined,
	fontPath: string | undefined,
	json: boolean | undefined,
	io: CliIo
): Promise<Uint8Array | undefined> {
	const named = bundle.font;
	// No render without a final PDF; a format-1 archive carries its font.
	if (!named || named.bytes || !(finalPdf ?? bundle.finalPdf)) return undefined;
	const [{ resolveFont }, { cjkFontPath, loadCjkFont }] = await Promise.all([
		import('../../evidence/font'),
		import('../platform/fonts')
	]);
	let candidate: Uint8Array | null;
	let installed: string | null = null;
	if (fontPath !== undefined) {
		candidate = await readInput(fontPath);
	} else {
		// A missing font package is reported as FONT_MISSING below, with where to get the file.
		installed = await Promise.resolve()
			.then(cjkFontPath)
			.catch(() => null);
		candidate = installed ? await loadCjkFont().catch(() => null) : null;
	}
	const resolved = await resolveFont(named, candidate);
	if (resolved.ok) return resolved.font ?? undefined;
	const code = resolved.reason === 'missing' ? 'FONT_MISSING' : 'FONT_MISMATCH';
	const given = fontPath ?? (installed ? `the installed font ${installed}` : 'no installed font');
	if (json) {
		const { ok: _ok, ...facts } = resolved;
		io.stdout.write(`${JSON.stringify({ verdict: null, code, font: given, ...facts }, null, 2)}\n`);
	}
	throw new CliExit(
		EXIT_USAGE,
		`${code}: not verified: ${resolved.message}. Checked against ${given}; give the named file with --font FILE.`
	);
}

async function migrateCommand(args: string[], io: CliIo): Promise<number> {
	const { values, positionals } = parse(args, { database: { type: 'string' } });
	if (positionals.length) throw usage('migrate takes only --database URL.');
	// Loaded here: the other commands need no database driver.
	const [{ migrateUrl }, { databaseUrlFrom }] = await Promise.all([
		import('../db'),
		import('../platform/config')
	]);
	const result = await migrateUrl(values.database ?? databaseUrlFrom(process.env));
	io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
	return EXIT_OK;
}

async function migrateDataCommand(args: string[], io: CliIo): Promise<number> {
	const { values, positionals } = parse(args, {
		from: { type: 'string' },
		to: { type: 'string' }
	});
	if (!values.from || !values.to || positionals.length) {
		throw usage('migrate-data takes --from sqlite:PATH and --to postgres://….');
	}
	// Loaded here: the other commands need no database driver.
	const { migrateData } = await import('../db/migrate-data');
	const result = await migrateData(values.from, values.to, process.env);
	io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
	if (result.audit.ok) return EXIT_OK;
	io.stderr.write('sealpass: the audit chain does not verify at the target\n');
	return EXIT_REFUSED;
}

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

function parse<T extends OptionSpec>(args: string[], options: T) {
	try {
		return parseArgs({ args, options, allowPositionals: true, strict: true });
	} catch (error) {
		throw usage(error instanceof Error ? error.message : String(error));
	}
}

function positiveInt(value: string | undefined, name: string): number | undefined {
	if (value === undefined) return undefined;
	const n = Number(value);
	if (!Number.isSafeInteger(n) || n <= 0) throw usage(`${name} must be a positive integer.`);
	return n;
}

async function readInput(path: string): Promise<Uint8Array> {
	try {
		return new Uint8Array(await readFile(path));
	} catch (error) {
		throw new CliExit(EXIT_USAGE, `cannot read ${path}: ${(error as Error).message}`);
	}
}

/** The manifests file is a JSON array; each entry must have exactly the manifest's shape. */
function parseManifests(bytes: Uint8Array, path: string): Manifest[] {
	let json: unknown;
	try {
		json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
	} catch (error) {
		throw refused('MANIFEST_INVALID', `${path} is not JSON: ${(error as Error).message}`);
	}
	if (!Array.isArray(json)) throw refused('MANIFEST_INVALID', `${path} must hold a JSON array.`);
	return json.map((entry, index) => {
		const parsed = parseManifest(entry);
		if (!parsed.ok) {
			throw refused('MANIFEST_INVALID', `${path}[${index}]: ${parsed.issues.join('; ')}`);
		}
		return parsed.manifest;
	});
}

/**
 * Every PNG/JPEG file of the directory, keyed by the SHA-256 hex of its bytes — the key manifests
 * use — so file names do not matter. Other files are skipped with a warning (a README next to
 * the images is harmless); a PNG/JPEG that fails inspection is refused, since it would otherwise
 * surface later as a confusing render error.
 */
async function readAssets(dir: string, io: CliIo): Promise<Map<string, Uint8Array>> {
	let entries;
	try {
		entries = await readdir(dir, { withFileTypes: true });
	} catch (error) {
		throw new CliExit(
			EXIT_USAGE,
			`cannot read the assets directory ${dir}: ${(error as Error).message}`
		);
	}
	const assets = new Map<string, Uint8Array>();
	for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
		const path = join(dir, entry.name);
		if (!entry.isFile()) {
			io.stderr.write(`sealpass: warning: skipping ${path}: not a regular file\n`);
			continue;
		}
		const bytes = await readInput(path);
		if (sniffImageType(bytes) === null) {
			io.stderr.write(`sealpass: warning: skipping ${path}: not a PNG or JPEG\n`);
			continue;
		}
		const info = inspectImage(bytes);
		if (!info.ok) throw refused(info.code, `${path}: ${info.message}`);
		assets.set(createHash('sha256').update(bytes).digest('hex'), bytes);
	}
	return assets;
}

/**
 * Temp file in the same directory, synced, then renamed: a crash or a full disk never leaves a
 * half-written OUT.pdf where a finished one is expected (rename is atomic within a file system).
 */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
	const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
	try {
		const handle = await open(temp, 'wx');
		try {
			await handle.writeFile(bytes);
			await handle.sync();
		} finally {
			await handle.close();
		}
		await rename(temp, path);
	} catch (error) {
		await rm(temp, { force: true });
		throw new CliExit(EXIT_USAGE, `cannot write ${path}: ${(error as Error).message}`);
	}
}
