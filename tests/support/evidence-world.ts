import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import QRCode from 'qrcode';
import {
	auditAnchorText,
	nextAuditRow,
	type AuditEvent,
	type AuditRow
} from '../../src/lib/domain/audit';
import type { AuditExportRow } from '../../src/lib/domain/api-types';
import { canonicalJson, manifestChallenge, manifestHash } from '../../src/lib/domain/canonical';
import type { CertificateData } from '../../src/lib/domain/certificate';
import {
	placeOf,
	sampleEnvelope,
	sampleManifest,
	SEAL_IMAGE,
	SIGNATURE_IMAGE
} from '../../src/lib/domain/fixtures';
import type { Manifest } from '../../src/lib/domain/manifest';
import { appendCertificate } from '../../src/lib/pdf/certificate';
import { render } from '../../src/lib/pdf/render';
import { describeFont } from '../../src/lib/evidence/font';
import {
	EVIDENCE_FORMAT,
	EVIDENCE_FORMAT_1,
	type EvidenceBundle,
	type EvidenceSubmission
} from '../../src/lib/evidence/format';
import {
	createFakeAuthenticator,
	type FakeAlgorithm,
	type FakeAuthenticator
} from './fake-authenticator';
import { discSealPng, sha256Hex, signaturePng } from './images';
import { cjkFontBytes } from './pdfs';
import { A4, multiPagePdf } from './test-pdfs';
import { loadSigningIdentity, signPdf, type SigningIdentity } from '../../src/lib/server/signing';

/*
 * A finished contract built without a server, from the real parts: a real PDF, manifests made
 * with the domain code, assertions from software passkeys, real PNGs, render() and
 * appendCertificate() for the final PDF, and an audit chain hashed by the real audit code. The
 * evidence tests tamper with copies of it.
 */

export const RP_ID = 'sign.example.cn';
export const ORIGIN = `https://${RP_ID}`;
/** The audit key the test server "holds": the verifier never needs it. */
const AUDIT_KEY = 'evidence-world-audit-key';

export interface EvidenceWorld {
	bundle: EvidenceBundle;
	alice: FakeAuthenticator;
	bob: FakeAuthenticator;
	manifests: { alice: Manifest; bob: Manifest };
	/** render(original, manifests): the prefix the final PDF must start with. */
	rendered: Uint8Array;
	/** The rendered document with the certificate appended: what the platform signs. */
	certified: Uint8Array;
	/** The platform's signing identity (a generated local CA and certificate). */
	identity: SigningIdentity;
	/** The installed CJK font the dates were drawn with: the archive names it, verifiers bring it. */
	font: Uint8Array;
	/** Makes another submission for a manifest, signed by the given passkey. */
	submit: (
		id: string,
		manifest: Manifest,
		key: FakeAuthenticator,
		options?: { rpId?: string; origin?: string; uv?: boolean; bogusSignature?: boolean }
	) => Promise<EvidenceSubmission>;
}

const TICKET_ISSUED = '2026-02-20T08:00:00.000Z';
const TICKET_EXPIRES = '2026-03-20T08:00:00.000Z';
const RECEIVED = { alice: '2026-03-01T08:00:20.000Z', bob: '2026-03-02T09:30:00.000Z' };

/** When the platform sealed the finished contract. */
export const SIGNING_TIME = new Date('2026-03-02T09:31:00.000Z');

/**
 * A signing identity made as the server makes one on first start (a local CA and a certificate
 * under it), in a folder removed at once: the identity lives in memory. `name` tells two apart.
 */
export async function makeSigningIdentity(
	name = 'SealPass evidence world'
): Promise<SigningIdentity> {
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-evidence-'));
	try {
		return await loadSigningIdentity(
			{ kind: 'generated', dir: join(dir, 'signing') },
			{ name, now: new Date('2026-01-01T00:00:00.000Z') }
		);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

let platform: Promise<SigningIdentity> | null = null;

const nonce = (seed: string) =>
	isoBase64URL.fromBuffer(new TextEncoder().encode(seed.padEnd(32, '.')));

/** Deep copies of a bundle, so a test can tamper with one without touching the others. */
export function cloneBundle(bundle: EvidenceBundle): EvidenceBundle {
	return structuredClone(bundle);
}

/**
 * The same contract as a format-1 archive, as the server wrote them before fonts were named:
 * the font's bytes inside the archive.
 */
export function formatOneBundle(bundle: EvidenceBundle, font: Uint8Array): EvidenceBundle {
	return {
		...bundle,
		format: EVIDENCE_FORMAT_1,
		font: bundle.font ? { ...bundle.font, name: 'cjk.ttf', sources: [], bytes: font } : null
	};
}

/**
 * Builds the world: alice (sequential order 1) signs, seals, dates and stamps a riding seam;
 * bob signs his field. `algorithms` picks each passkey's algorithm.
 */
export async function createEvidenceWorld(
	algorithms: { alice?: FakeAlgorithm; bob?: FakeAlgorithm } = {}
): Promise<EvidenceWorld> {
	const original = await multiPagePdf([A4, A4, A4]);
	const docHash = sha256Hex(original);
	const envelope = sampleEnvelope({ docHash });
	const signature = await signaturePng();
	const seal = await discSealPng(300);
	const images = new Map([
		[sha256Hex(signature), signature],
		[sha256Hex(seal), seal]
	]);
	const alice = await createFakeAuthenticator(algorithms.alice ?? 'ES256');
	const bob = await createFakeAuthenticator(algorithms.bob ?? 'ES256');

	const withImages = (manifest: Manifest): Manifest =>
		JSON.parse(
			JSON.stringify(manifest)
				.replaceAll(SIGNATURE_IMAGE, sha256Hex(signature))
				.replaceAll(SEAL_IMAGE, sha256Hex(seal))
		) as Manifest;
	const aliceManifest = withImages(
		sampleManifest({
			docHash,
			credentialId: alice.credentialId,
			ticket: { id: 'ticket-alice', nonce: nonce('alice') }
		})
	);
	const bobManifest = withImages({
		...sampleManifest({
			docHash,
			signerId: 'bob',
			credentialId: bob.credentialId,
			ticket: { id: 'ticket-bob', nonce: nonce('bob') },
			deviceTime: '2026-03-02T09:29:50.000Z',
			seals: [],
			ridingSeams: []
		}),
		fills: [{ ...placeOf('f-sig-b', envelope), kind: 'signature', image: SIGNATURE_IMAGE }]
	});

	const submit: EvidenceWorld['submit'] = async (id, manifest, key, options = {}) => {
		const response = await key.assert({
			challenge: await manifestChallenge(manifest),
			origin: options.origin ?? ORIGIN,
			rpId: options.rpId ?? RP_ID,
			uv: options.uv,
			bogusSignature: options.bogusSignature,
			userHandle: manifest.signerId
		});
		const b = (text: string) => new Uint8Array(isoBase64URL.toBuffer(text));
		return {
			id,
			manifest: new TextEncoder().encode(canonicalJson(manifest)),
			receivedAt: manifest.signerId === 'bob' ? RECEIVED.bob : RECEIVED.alice,
			assertion: {
				credentialId: key.credentialId,
				authenticatorData: b(response.response.authenticatorData),
				clientDataJSON: b(response.response.clientDataJSON),
				signature: b(response.response.signature),
				userHandle: response.response.userHandle ? b(response.response.userHandle) : null
			}
		};
	};
	const submissions = [
		await submit('sub-alice', aliceManifest, alice),
		await submit('sub-bob', bobManifest, bob)
	];

	const font = cjkFontBytes();
	const rendered = await render(original, [aliceManifest, bobManifest], images, { font });

	// The audit chain: our contract's events among another organisation's (links only).
	const events: [string | null, AuditEvent | null][] = [
		[
			'admin',
			{ kind: 'envelope.created', subject: envelope.id, data: { docHash, title: '采购合同' } }
		],
		[null, null],
		['admin', { kind: 'envelope.sent', subject: envelope.id, data: { revision: 1 } }],
		[null, null],
		['user-alice', submissionEvent('sub-alice', aliceManifest, await manifestHash(aliceManifest))],
		['user-bob', submissionEvent('sub-bob', bobManifest, await manifestHash(bobManifest))],
		[null, null]
	];
	const rows: AuditExportRow[] = [];
	let head: AuditRow | null = null;
	for (const [i, [actor, event]] of events.entries()) {
		const other: AuditEvent = {
			kind: 'login',
			subject: `other-user-${i}`,
			data: { credentialId: 'x' }
		};
		const at = new Date(Date.parse('2026-02-27T08:00:00.000Z') + i * 3_600_000).toISOString();
		const row: AuditRow = await nextAuditRow(head, at, actor ?? 'other-user', event ?? other);
		rows.push(
			event ? row : { seq: row.seq, prevHash: row.prevHash, hash: row.hash, redacted: true }
		);
		head = row;
	}
	const anchor = {
		seq: head!.seq,
		hash: head!.hash,
		mac: createHmac('sha256', AUDIT_KEY)
			.update(auditAnchorText(head!.seq, head!.hash))
			.digest('hex'),
		at: head!.at
	};

	const qr = QRCode.create(`${ORIGIN}/verify?doc=${envelope.id}`, { errorCorrectionLevel: 'M' });
	const size = qr.modules.size;
	const data: CertificateData = {
		documentId: envelope.id,
		title: '采购合同',
		revisions: [{ number: 1, at: '2026-02-27T08:00:00.000Z', sha256: docHash }],
		originalSha256: docHash,
		renderedSha256: sha256Hex(rendered),
		sender: { name: '合同管理员', contact: 'ad***@example.com' },
		createdAt: '2026-02-27T08:00:00.000Z',
		sentAt: '2026-02-27T10:00:00.000Z',
		completedAt: RECEIVED.bob,
		utcOffsetMinutes: 480,
		signers: [],
		events: [],
		chainHead: { seq: anchor.seq, hash: anchor.hash, hmac: anchor.mac },
		verifyUrl: `${ORIGIN}/verify?doc=${envelope.id}`,
		qr: Array.from({ length: size }, (_, r) =>
			Array.from({ length: size }, (_, c) => qr.modules.get(r, c) === 1)
		)
	};
	const certified = await appendCertificate(rendered, data, { font, images });
	// One platform identity per test process: an RSA 3072 key takes a while to make.
	platform ??= makeSigningIdentity();
	const identity = await platform;
	const finalPdf = new Uint8Array(
		await signPdf(certified, identity, { signingTime: SIGNING_TIME, reason: 'Contract completed' })
	);

	const bundle: EvidenceBundle = {
		format: EVIDENCE_FORMAT,
		renderer: 'sealpass test world',
		envelope: { id: envelope.id, title: '采购合同', revision: 1 },
		webauthn: { rpId: RP_ID, origins: [ORIGIN] },
		originalPdf: original,
		finalPdf,
		signingCertificate: identity.certificate,
		font: await describeFont(font, 'NotoSansSC_400Regular.ttf', [`${ORIGIN}/api/fonts/cjk`]),
		submissions,
		credentials: [alice, bob].map((key, i) => ({
			id: key.credentialId,
			userId: i === 0 ? 'user-alice' : 'user-bob',
			algorithm: key.coseAlgorithm,
			publicKeyCose: key.publicKeyCose,
			publicKeySpki: key.publicKeySpki
		})),
		tickets: [
			ticket('ticket-alice', alice, nonce('alice'), 'sub-alice', RECEIVED.alice),
			ticket('ticket-bob', bob, nonce('bob'), 'sub-bob', RECEIVED.bob)
		],
		sealVersions: [
			{
				sealId: 'seal-contract',
				version: 1,
				sha256: sha256Hex(seal),
				sizeMm: { width: 42, height: 42 },
				validFrom: '2026-01-01T00:00:00.000Z',
				validUntil: null
			}
		],
		images,
		audit: { rows, head: anchor }
	};
	return {
		bundle,
		alice,
		bob,
		manifests: { alice: aliceManifest, bob: bobManifest },
		rendered,
		certified,
		identity,
		font,
		submit
	};
}

function ticket(
	id: string,
	key: FakeAuthenticator,
	value: string,
	submissionId: string,
	spentAt: string
) {
	return {
		id,
		credentialId: key.credentialId,
		nonce: value,
		issuedAt: TICKET_ISSUED,
		expiresAt: TICKET_EXPIRES,
		spentAt,
		submissionId
	};
}

function submissionEvent(id: string, manifest: Manifest, hash: string): AuditEvent {
	return {
		kind: 'submission.signed',
		subject: id,
		data: {
			envelopeId: manifest.envelopeId,
			manifestHash: hash,
			ticketId: manifest.ticket.id,
			credentialId: manifest.credentialId
		}
	};
}
