import type { Kysely } from 'kysely';
import type { Database, User } from '../../src/lib/server/db/schema';
import { manifestChallenge } from '../../src/lib/domain/canonical';
import { placeOf, sampleEnvelope, sampleManifest } from '../../src/lib/domain/fixtures';
import type { Envelope } from '../../src/lib/domain/envelope';
import type { Manifest } from '../../src/lib/domain/manifest';
import { type FakeAuthenticator } from './fake-authenticator';
import { sha256Hex, signaturePng } from './images';
import { addPasskey, insertContract, insertDocBlob, insertOrgs, insertUsers } from './test-server';

/*
 * Many signers, each with a software passkey and contracts of their own, written straight into a
 * real database: the fault tests and the load test need hundreds of real, verifiable submissions
 * quickly, without a browser ceremony per signer. Each contract asks one signature of its one
 * signer, so a submission carries one image and no seal (seal rules are tested elsewhere).
 */

export const WORLD_ORG = 'org-world';
const DOC_HASH = 'e'.repeat(64);

export interface WorldSigner {
	user: User;
	key: FakeAuthenticator;
	envelopeIds: string[];
}

export interface SignerWorld {
	signers: WorldSigner[];
	/** The signature image every submission carries, base64 by its hash. */
	images: Record<string, string>;
	/** A submission body for one contract, confirmed with the signer's passkey over `ticket`. */
	body: (
		signer: WorldSigner,
		envelopeId: string,
		ticket: { id: string; nonce: string },
		options?: { deviceTime?: string; idempotencyKey?: string }
	) => Promise<{ idempotencyKey: string; manifest: Manifest; assertion: unknown; images: object }>;
}

/** The contract every world signer gets: one required signature field, one signer. */
export function worldEnvelope(id: string): Envelope {
	const base = sampleEnvelope({ id, docHash: DOC_HASH });
	return {
		...base,
		signers: base.signers.filter((s) => s.id === 'alice'),
		fields: base.fields.filter((f) => f.id === 'f-sig-a')
	};
}

/**
 * Adds an organisation, `count` signers with one passkey each, and `contracts` sent contracts
 * per signer. `origin` is the server's public origin, which every assertion names.
 */
export async function createSignerWorld(
	db: Kysely<Database>,
	options: { count: number; contracts: number; origin: string; at: string }
): Promise<SignerWorld> {
	const { at } = options;
	const rpId = new URL(options.origin).hostname;
	const sigPng = await signaturePng();
	const sig = sha256Hex(sigPng);
	const images = { [sig]: Buffer.from(sigPng).toString('base64') };
	await insertOrgs(db, at, [{ id: WORLD_ORG, name: '负载', nameEn: 'Load' }]);
	await insertDocBlob(db, at, DOC_HASH);
	const signers: WorldSigner[] = [];
	for (let i = 0; i < options.count; i++) {
		const [user] = (await insertUsers(db, at, [
			{ id: `world-signer-${i}`, org: WORLD_ORG, displayName: `Signer ${i}` }
		])) as [User];
		const key = await addPasskey(db, user.id, at);
		const envelopeIds: string[] = [];
		for (let c = 0; c < options.contracts; c++) {
			const id = `world-${i}-${c}`;
			await insertContract(db, {
				id,
				org: WORLD_ORG,
				title: `Contract ${i}-${c}`,
				at,
				envelope: worldEnvelope(id),
				signers: { alice: user.id }
			});
			envelopeIds.push(id);
		}
		signers.push({ user, key, envelopeIds });
	}

	return {
		signers,
		images,
		body: async (signer, envelopeId, ticket, bodyOptions = {}) => {
			const envelope = worldEnvelope(envelopeId);
			const manifest = sampleManifest({
				envelopeId,
				docHash: DOC_HASH,
				credentialId: signer.key.credentialId,
				ticket: { id: ticket.id, nonce: ticket.nonce },
				deviceTime: bodyOptions.deviceTime ?? at,
				decision: { kind: 'signed' },
				fills: [{ ...placeOf('f-sig-a', envelope), kind: 'signature', image: sig }],
				seals: [],
				ridingSeams: []
			});
			const assertion = await signer.key.assert({
				challenge: await manifestChallenge(manifest),
				origin: options.origin,
				rpId,
				userHandle: signer.user.id
			});
			return {
				idempotencyKey: bodyOptions.idempotencyKey ?? `key-${crypto.randomUUID()}`,
				manifest,
				assertion,
				images
			};
		}
	};
}
