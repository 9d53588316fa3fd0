import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import * as v from 'valibot';
import { canonicalJson, sha256Hex } from '$lib/domain/canonical';
import type { AuditAnchor, AuditExportRow } from '$lib/domain/api-types';
import type { Failure } from '$lib/domain/errors';
import { sniffImageType } from '$lib/pdf/images';
import { describeFont, type EvidenceFont } from './font';
import { fromBase64url, toBase64url } from './webauthn';

export type { EvidenceFont };

/*
 * The evidence archive of one finished contract (docs/evidence.md, SPEC EV1–EV4): everything a
 * third party needs to check the signatures, the marks and the final PDF without SealPass and
 * without a network. Bytes in, bytes out: runs in Node and in a browser worker alike.
 */

/** The `format` value of index.json the server writes; a verifier refuses unknown ones (EV2). */
export const EVIDENCE_FORMAT = 'sealpass-evidence/2';
/**
 * The first format, which carried the 10 MB font in every archive with a date; still read (and
 * written, for tests), so archives handed out before format 2 keep verifying.
 */
export const EVIDENCE_FORMAT_1 = 'sealpass-evidence/1';
export type EvidenceFormat = typeof EVIDENCE_FORMAT | typeof EVIDENCE_FORMAT_1;

/** One WebAuthn assertion exactly as the authenticator produced it. */
export interface EvidenceAssertion {
	/** base64url of the credential's raw id. */
	credentialId: string;
	authenticatorData: Uint8Array;
	clientDataJSON: Uint8Array;
	/** As WebAuthn returns it: DER for ECDSA, raw for EdDSA and RSA. */
	signature: Uint8Array;
	userHandle: Uint8Array | null;
}

/** One accepted submission: the manifest's canonical bytes, the assertion over them, receipt. */
export interface EvidenceSubmission {
	id: string;
	/** The canonical JSON of the manifest (SPEC M2), the very bytes whose SHA-256 was signed. */
	manifest: Uint8Array;
	assertion: EvidenceAssertion;
	/** When the server received it (ISO 8601, server clock). */
	receivedAt: string;
}

/** A passkey's public key as stored at enrolment and in the form any crypto library reads. */
export interface EvidenceCredential {
	/** base64url of the credential's raw id. */
	id: string;
	userId: string;
	/** COSE algorithm: -7 ES256, -8 EdDSA (Ed25519), -257 RS256. */
	algorithm: number;
	/** The COSE_Key (RFC 9053) the server stored; the verifier checks with this key. */
	publicKeyCose: Uint8Array;
	/** The same key as SubjectPublicKeyInfo PEM, for readers without a COSE decoder. */
	publicKeySpki: string;
}

/** A single-use challenge ticket: when it was issued to which passkey, and its spend. */
export interface EvidenceTicket {
	id: string;
	credentialId: string;
	/** base64url of the ticket's 32 random bytes (the manifest's ticket.nonce). */
	nonce: string;
	issuedAt: string;
	expiresAt: string;
	spentAt: string | null;
	/** The submission that spent it, or null while unspent. */
	submissionId: string | null;
}

/** One image version of a seal and the time it was the seal's image (SPEC R20). */
export interface EvidenceSealVersion {
	sealId: string;
	version: number;
	/** SHA-256 hex of the PNG, the name manifests give the image. */
	sha256: string;
	sizeMm: { width: number; height: number };
	validFrom: string;
	validUntil: string | null;
}

export interface EvidenceBundle {
	format: EvidenceFormat;
	/**
	 * The software that rendered the final PDF, e.g. "sealpass 0.1.0 (@cantoo/pdf-lib 2.11.1,
	 * @cantoo/fontkit 2.0.12)": render() is reproduced byte for byte by that very code.
	 */
	renderer: string;
	envelope: { id: string; title: string; revision: number };
	/** The relying party id the passkeys are scoped to and the origin(s) the app ran on. */
	webauthn: { rpId: string; origins: string[] };
	/** The original PDF of the revision the manifests sign (its SHA-256 is their docHash). */
	originalPdf: Uint8Array;
	/** render(original, manifests) + certificate + PAdES signature; null when kept apart. */
	finalPdf: Uint8Array | null;
	/**
	 * The platform's signing certificate (DER) the final PDF is sealed with; a reader decides
	 * whether to trust it (its issuer), the verifier checks the signature was made with it.
	 */
	signingCertificate: Uint8Array | null;
	/**
	 * The CJK font render() drew date text with; null when no manifest has a date fill. Format 2
	 * names it (SHA-256, size, where to get it) and the verifier brings it; format 1 carried it.
	 */
	font: EvidenceFont | null;
	/** Accepted submissions in acceptance order: the order render() draws them in. */
	submissions: EvidenceSubmission[];
	credentials: EvidenceCredential[];
	tickets: EvidenceTicket[];
	sealVersions: EvidenceSealVersion[];
	/** Every image a manifest names, keyed by the SHA-256 hex the manifest names it by. */
	images: Map<string, Uint8Array>;
	/**
	 * The audit chain from the contract's first event to the anchored head: the contract's own
	 * rows in full, every other row as its link only (SPEC A11), and the signed head.
	 */
	audit: { rows: AuditExportRow[]; head: AuditAnchor | null };
}

/** An archive that is not a well-formed SealPass evidence archive (Failure's shape, EV2). */
export type ArchiveFailure = Omit<Failure, 'code'> & { code: 'ARCHIVE_INVALID' };

export type UnpackResult = { ok: true; bundle: EvidenceBundle } | ArchiveFailure;

/** Limits that keep a hostile archive (a zip bomb, a million entries) from exhausting memory. */
export const ARCHIVE_LIMITS = { maxEntries: 10_000, maxTotalBytes: 1024 * 1024 * 1024 } as const;

/**
 * Fixed entry time, built from local fields because the zip format stores local time (fflate
 * reads the local fields): the same bytes in every time zone, so packing is deterministic.
 */
const ZIP_TIME = new Date(1980, 0, 1, 12, 0, 0);

/** Format 1's README, kept word for word so a format-1 bundle packs to the bytes it always did. */
const README_1 = `SealPass evidence archive (${EVIDENCE_FORMAT_1})

This archive holds everything needed to check a contract signed with SealPass without SealPass
and without a network: the original PDF, the final PDF, every signer's manifest with its passkey
assertion, the passkeys' public keys, tickets, seal image versions, every image drawn, the font
date text was drawn with, and the contract's audit events with the anchored chain head.

index.json lists every other file with its SHA-256. docs/evidence.md in the SealPass source
describes each file and every check a verifier makes. To check it with SealPass's verifier:

    sealpass verify evidence.zip [final.pdf] [--json]
`;

const README = `SealPass evidence archive (${EVIDENCE_FORMAT})

This archive holds everything needed to check a contract signed with SealPass without SealPass
and without a network: the original PDF, the final PDF, every signer's manifest with its passkey
assertion, the passkeys' public keys, tickets, seal image versions, every image drawn, and the
contract's audit events with the anchored chain head. The font date text was drawn with is not
in it: index.json "font" names it by SHA-256 and size and says where to get it (SealPass ships
it), and a verifier re-renders the contract only with that very file.

index.json lists every other file with its SHA-256. docs/evidence.md in the SealPass source
describes each file and every check a verifier makes. To check it with SealPass's verifier:

    sealpass verify evidence.zip [final.pdf] [--json] [--font FONT.ttf]
`;

const hex64 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));
const b64url = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]*$/));
const text = v.pipe(v.string(), v.maxLength(10_000));
const iso = v.pipe(v.string(), v.isoTimestamp());
const path = v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/), v.excludes('..'));

const auditRow = v.union([
	v.strictObject({
		seq: v.number(),
		prevHash: v.string(),
		hash: v.string(),
		redacted: v.literal(true)
	}),
	v.strictObject({
		seq: v.number(),
		at: v.string(),
		kind: v.string(),
		actor: v.nullable(v.string()),
		subject: v.nullable(v.string()),
		data: v.string(),
		prevHash: v.string(),
		hash: v.string()
	})
]);

/** What format 2 says of the font: enough to find the file and to know it is that file. */
const fontSchema = v.strictObject({
	sha256: hex64,
	size: v.pipe(v.number(), v.integer(), v.minValue(1)),
	name: v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/)),
	sources: v.array(text)
});

/** index.json: everything but the bytes, which live in the files it names (EV1). */
const indexEntries = {
	renderer: text,
	envelope: v.strictObject({ id: text, title: text, revision: v.number() }),
	webauthn: v.strictObject({ rpId: text, origins: v.array(text) }),
	originalPdf: path,
	finalPdf: v.nullable(path),
	signingCertificate: v.nullable(path),
	submissions: v.array(
		v.strictObject({
			id: text,
			manifest: path,
			receivedAt: iso,
			assertion: v.strictObject({
				credentialId: b64url,
				authenticatorData: b64url,
				clientDataJSON: b64url,
				signature: b64url,
				userHandle: v.nullable(b64url)
			})
		})
	),
	credentials: v.array(
		v.strictObject({
			id: b64url,
			userId: text,
			algorithm: v.number(),
			publicKeyCose: b64url,
			publicKeySpki: text
		})
	),
	tickets: v.array(
		v.strictObject({
			id: text,
			credentialId: b64url,
			nonce: b64url,
			issuedAt: iso,
			expiresAt: iso,
			spentAt: v.nullable(iso),
			submissionId: v.nullable(text)
		})
	),
	sealVersions: v.array(
		v.strictObject({
			sealId: text,
			version: v.number(),
			sha256: hex64,
			sizeMm: v.strictObject({ width: v.number(), height: v.number() }),
			validFrom: iso,
			validUntil: v.nullable(iso)
		})
	),
	images: v.array(v.strictObject({ sha256: hex64, file: path })),
	audit: v.strictObject({
		rows: v.array(auditRow),
		head: v.nullable(
			v.strictObject({ seq: v.number(), hash: v.string(), mac: v.string(), at: v.string() })
		)
	}),
	files: v.array(v.strictObject({ path, sha256: hex64, size: v.number() }))
};
const indexSchema = v.variant('format', [
	v.strictObject({
		format: v.literal(EVIDENCE_FORMAT),
		font: v.nullable(fontSchema),
		...indexEntries
	}),
	v.strictObject({ format: v.literal(EVIDENCE_FORMAT_1), font: v.nullable(path), ...indexEntries })
]);

type EvidenceIndex = v.InferOutput<typeof indexSchema>;

/** Where format 1 kept the font's bytes. */
const FONT_FILE_1 = 'fonts/cjk.ttf';

const b64 = toBase64url;
const unb64 = fromBase64url;

/** The file name of an image: its SHA-256 (as the manifest names it) and its type's extension. */
function imageFile(sha256: string, bytes: Uint8Array): string {
	return `images/${sha256}.${sniffImageType(bytes) === 'jpeg' ? 'jpg' : 'png'}`;
}

/**
 * Writes the archive (EV1): index.json, README.txt and one file per byte string, entries sorted
 * by name, fixed times and attributes, so the same bundle always gives the same bytes and two
 * copies can be compared by hash.
 */
export async function packEvidence(bundle: EvidenceBundle): Promise<Uint8Array> {
	const files = new Map<string, Uint8Array>();
	const legacy = bundle.format === EVIDENCE_FORMAT_1;
	files.set('README.txt', strToU8(legacy ? README_1 : README));
	files.set('original.pdf', bundle.originalPdf);
	if (bundle.finalPdf) files.set('final.pdf', bundle.finalPdf);
	if (legacy && bundle.font) {
		if (!bundle.font.bytes) throw new Error('A format-1 archive carries the font: bytes needed');
		files.set(FONT_FILE_1, bundle.font.bytes);
	}
	if (bundle.signingCertificate) files.set('signing-certificate.der', bundle.signingCertificate);
	const width = String(bundle.submissions.length).length;
	const submissions = bundle.submissions.map((s, i) => {
		const manifest = `manifests/${String(i + 1).padStart(Math.max(3, width), '0')}.json`;
		files.set(manifest, s.manifest);
		const a = s.assertion;
		return {
			id: s.id,
			manifest,
			receivedAt: s.receivedAt,
			assertion: {
				credentialId: a.credentialId,
				authenticatorData: b64(a.authenticatorData),
				clientDataJSON: b64(a.clientDataJSON),
				signature: b64(a.signature),
				userHandle: a.userHandle ? b64(a.userHandle) : null
			}
		};
	});
	const images = [...bundle.images]
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
		.map(([sha256, bytes]) => {
			const file = imageFile(sha256, bytes);
			files.set(file, bytes);
			return { sha256, file };
		});
	const listed = [...files.keys()].sort();
	const { font } = bundle;
	const index: EvidenceIndex = {
		...(legacy
			? { format: EVIDENCE_FORMAT_1, font: font ? FONT_FILE_1 : null }
			: {
					format: EVIDENCE_FORMAT,
					font: font
						? { sha256: font.sha256, size: font.size, name: font.name, sources: font.sources }
						: null
				}),
		renderer: bundle.renderer,
		envelope: bundle.envelope,
		webauthn: bundle.webauthn,
		originalPdf: 'original.pdf',
		finalPdf: bundle.finalPdf ? 'final.pdf' : null,
		signingCertificate: bundle.signingCertificate ? 'signing-certificate.der' : null,
		submissions,
		credentials: bundle.credentials.map((c) => ({ ...c, publicKeyCose: b64(c.publicKeyCose) })),
		tickets: bundle.tickets,
		sealVersions: bundle.sealVersions,
		images,
		audit: bundle.audit,
		files: await Promise.all(
			listed.map(async (name) => {
				const bytes = files.get(name)!;
				return { path: name, sha256: await sha256Hex(bytes), size: bytes.byteLength };
			})
		)
	};
	// Keys sorted (RFC 8785 order), then indented for people: the bytes never depend on the order
	// in which the caller's objects happened to list their keys.
	const sorted: unknown = JSON.parse(canonicalJson(index));
	files.set('index.json', strToU8(`${JSON.stringify(sorted, null, 2)}\n`));
	const zippable: Zippable = {};
	for (const name of [...files.keys()].sort()) {
		// PDFs, images and fonts are compressed already or nearly so; deflating them costs time only.
		const stored = /\.(pdf|png|jpg|ttf|der)$/.test(name);
		zippable[name] = [files.get(name)!, { mtime: ZIP_TIME, level: stored ? 0 : 6 }];
	}
	return zipSync(zippable);
}

const invalid = (message: string, details?: Record<string, unknown>): ArchiveFailure =>
	details
		? { ok: false, code: 'ARCHIVE_INVALID', message, details }
		: { ok: false, code: 'ARCHIVE_INVALID', message };

/**
 * Reads an archive back (EV2): a zip whose index.json has exactly the index's shape and whose
 * listed files are all present with their listed SHA-256 and nothing else beside them. Anything
 * else is ARCHIVE_INVALID: a verifier must not judge a contract from a partial or padded archive.
 */
export async function unpackEvidence(bytes: Uint8Array): Promise<UnpackResult> {
	let entries: Record<string, Uint8Array>;
	try {
		let count = 0;
		let total = 0;
		entries = unzipSync(bytes, {
			filter: (file) => {
				count += 1;
				total += file.originalSize;
				if (count > ARCHIVE_LIMITS.maxEntries || total > ARCHIVE_LIMITS.maxTotalBytes) {
					throw new Error('The archive is larger than a verifier unpacks');
				}
				return true;
			}
		});
	} catch (error) {
		return invalid(`Not a zip archive: ${error instanceof Error ? error.message : String(error)}`);
	}
	const indexBytes = entries['index.json'];
	if (!indexBytes) return invalid('The archive has no index.json');
	let json: unknown;
	try {
		json = JSON.parse(strFromU8(indexBytes));
	} catch {
		return invalid('index.json is not JSON');
	}
	const parsed = v.safeParse(indexSchema, json);
	if (!parsed.success) {
		return invalid('index.json is not a SealPass evidence index', {
			issues: parsed.issues.slice(0, 20).map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`)
		});
	}
	const index = parsed.output;

	const listed = new Set(index.files.map((f) => f.path));
	for (const name of Object.keys(entries)) {
		if (name.endsWith('/') && entries[name]!.byteLength === 0) continue;
		if (name !== 'index.json' && !listed.has(name)) {
			return invalid(`${name} is in the archive but not in index.json`, { file: name });
		}
	}
	for (const file of index.files) {
		const content = entries[file.path];
		if (!content) return invalid(`${file.path} is listed but missing`, { file: file.path });
		if (content.byteLength !== file.size || (await sha256Hex(content)) !== file.sha256) {
			return invalid(`${file.path} does not have its listed SHA-256`, { file: file.path });
		}
	}
	const named = [
		index.originalPdf,
		index.finalPdf,
		index.signingCertificate,
		index.format === EVIDENCE_FORMAT_1 ? index.font : null,
		...index.submissions.map((s) => s.manifest),
		...index.images.map((i) => i.file)
	];
	for (const name of named) {
		if (name !== null && !listed.has(name)) {
			return invalid(`${name} is named in index.json but not listed`, { file: name });
		}
	}
	const file = (name: string) => entries[name]!;
	let font: EvidenceFont | null = null;
	if (index.format === EVIDENCE_FORMAT_1) {
		font = index.font
			? { ...(await describeFont(file(index.font), 'cjk.ttf', [])), bytes: file(index.font) }
			: null;
	} else if (index.font) {
		font = { ...index.font, bytes: null };
	}
	try {
		return {
			ok: true,
			bundle: {
				format: index.format,
				renderer: index.renderer,
				envelope: index.envelope,
				webauthn: index.webauthn,
				originalPdf: file(index.originalPdf),
				finalPdf: index.finalPdf ? file(index.finalPdf) : null,
				signingCertificate: index.signingCertificate ? file(index.signingCertificate) : null,
				font,
				submissions: index.submissions.map((s) => ({
					id: s.id,
					manifest: file(s.manifest),
					receivedAt: s.receivedAt,
					assertion: {
						credentialId: s.assertion.credentialId,
						authenticatorData: unb64(s.assertion.authenticatorData),
						clientDataJSON: unb64(s.assertion.clientDataJSON),
						signature: unb64(s.assertion.signature),
						userHandle: s.assertion.userHandle === null ? null : unb64(s.assertion.userHandle)
					}
				})),
				credentials: index.credentials.map((c) => ({
					...c,
					publicKeyCose: unb64(c.publicKeyCose)
				})),
				tickets: index.tickets,
				sealVersions: index.sealVersions,
				images: new Map(index.images.map((i) => [i.sha256, file(i.file)])),
				audit: index.audit
			}
		};
	} catch (error) {
		return invalid(`index.json holds unreadable base64url: ${(error as Error).message}`);
	}
}
