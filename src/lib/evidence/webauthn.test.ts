import { describe, expect, it } from 'vitest';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';
import {
	decodeCoseMap,
	derToRawEcdsa,
	fromBase64url,
	importCoseKey,
	toBase64url
} from './webauthn';
import { createFakeAuthenticator } from '../../../tests/support/fake-authenticator';

describe('evidence WebAuthn parts', () => {
	it('EV3: reads every kind of COSE key as the WebAuthn library does, and its SPKI', async () => {
		for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
			const key = await createFakeAuthenticator(alg);
			const ours = decodeCoseMap(key.publicKeyCose);
			expect(ours).toEqual(isoCBOR.decodeFirst(new Uint8Array(key.publicKeyCose)));
			const imported = await importCoseKey(key.publicKeyCose);
			expect(imported.ok && imported.key.spkiPem).toBe(key.publicKeySpki);
		}
	});

	it('EV3: refuses truncated, padded and unsupported COSE keys', async () => {
		const key = await createFakeAuthenticator();
		const cases = [
			key.publicKeyCose.slice(0, -1),
			Uint8Array.of(...key.publicKeyCose, 0),
			isoCBOR.encode([1, 2]),
			isoCBOR.encode(
				new Map<number, number>([
					[1, 2],
					[3, -35],
					[-1, 2]
				])
			)
		];
		for (const cose of cases) expect((await importCoseKey(cose)).ok).toBe(false);
	});

	it('EV7: base64url as WebAuthn spells it, both ways', () => {
		for (let n = 0; n < 70; n++) {
			const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
			const text = isoBase64URL.fromBuffer(bytes);
			expect(toBase64url(bytes)).toBe(text);
			expect(fromBase64url(text)).toEqual(bytes);
		}
		expect(() => fromBase64url('ab+/')).toThrow();
	});

	it('EV10: converts DER ECDSA signatures to r ‖ s and refuses anything else', () => {
		const der = Uint8Array.of(0x30, 0x08, 0x02, 0x02, 0x00, 0x80, 0x02, 0x02, 0x01, 0x02);
		const raw = derToRawEcdsa(der)!;
		expect(raw.length).toBe(64);
		expect([raw[31], raw[62], raw[63]]).toEqual([0x80, 0x01, 0x02]);
		expect(derToRawEcdsa(Uint8Array.of(...der, 0))).toBeNull();
		expect(derToRawEcdsa(Uint8Array.of(0x02, 0x01, 0x01))).toBeNull();
	});
});
