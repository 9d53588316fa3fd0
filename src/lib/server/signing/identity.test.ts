import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	unlinkSync,
	writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENERATED_FILES, loadSigningIdentity, SigningIdentityError } from './identity';
import { loadConfig } from '../platform/config';

// The platform signing identity: generated once into the data folder (0600 files in a 0700
// folder), reused on every later start, never silently replaced; or loaded from a P12 or PEM
// files a real CA issued. Real files, real keys.

let dir: string;
let signingDir: string;
const now = new Date('2026-01-01T00:00:00Z');

beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'sealpass-identity-'));
	signingDir = join(dir, 'data', 'signing');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const generated = () => ({ kind: 'generated' as const, dir: signingDir });
const files = () => Object.values(GENERATED_FILES).map((f) => join(signingDir, f));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

describe('generated identity', () => {
	it('PS7: is made once at first start, 0600 files in a 0700 folder, and reused unchanged after', async () => {
		const first = await loadSigningIdentity(generated(), { name: 'sign.example.cn', now });
		expect(first.source).toBe('generated');
		expect(first.subject).toContain('CN=SealPass platform signature (sign.example.cn)');
		expect(first.chain).toHaveLength(1);
		expect(first.signer.signatureAlgorithm).toBe('RSASSA-PKCS1-v1_5');
		expect(statSync(signingDir).mode & 0o777).toBe(0o700);
		for (const file of files()) expect(statSync(file).mode & 0o777).toBe(0o600);
		const before = files().map((f) => readFileSync(f, 'utf8'));
		// The CA's key is not kept: nothing else can be issued in its name.
		expect(readdirSync(signingDir).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
		expect(before.filter((text) => text.includes('PRIVATE KEY'))).toHaveLength(1);

		const again = await loadSigningIdentity(generated(), { name: 'other', now: new Date() });
		expect(Buffer.from(again.certificate).equals(Buffer.from(first.certificate))).toBe(true);
		expect(files().map((f) => readFileSync(f, 'utf8'))).toEqual(before);
	});

	it('PS7: two servers starting at once on a fresh install end up with the same identity', async () => {
		const [a, b] = await Promise.all([
			loadSigningIdentity(generated(), { now }),
			loadSigningIdentity(generated(), { now })
		]);
		expect(Buffer.from(a.certificate).equals(Buffer.from(b.certificate))).toBe(true);
	});

	it('PS7: a folder with only some of its files stops start-up instead of making a new CA', async () => {
		await loadSigningIdentity(generated(), { now });
		unlinkSync(join(signingDir, GENERATED_FILES.key));
		const failure = loadSigningIdentity(generated(), { now });
		await expect(failure).rejects.toBeInstanceOf(SigningIdentityError);
		await expect(failure).rejects.toThrow(/has ca\.pem, cert\.pem but not key\.pem/);
		expect(statSync(join(signingDir, GENERATED_FILES.ca)).isFile()).toBe(true);
	});

	it('PS7: an unreadable or corrupt file stops start-up with its path in the message', async () => {
		await loadSigningIdentity(generated(), { now });
		const key = join(signingDir, GENERATED_FILES.key);
		writeFileSync(key, 'not a key\n');
		await expect(loadSigningIdentity(generated(), { now })).rejects.toThrow(
			new RegExp(`signing key ${key} is not a readable private key`)
		);
		// A folder where the certificate should be: a read error, not a new identity.
		const cert = join(signingDir, GENERATED_FILES.certificate);
		unlinkSync(cert);
		mkdirSync(cert);
		await expect(loadSigningIdentity(generated(), { now })).rejects.toThrow(
			new RegExp(`Cannot read the signing certificate ${cert}`)
		);
	});
});

describe('configured identity', () => {
	async function realCa(): Promise<void> {
		openssl(
			'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
			'-days', '30', '-subj', '/CN=Example Issuing CA', '-addext', 'basicConstraints=critical,CA:TRUE'
		); // prettier-ignore
		openssl(
			'req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'req.csr',
			'-subj', '/CN=Example Co platform/O=Example Co'
		); // prettier-ignore
		writeFileSync(join(dir, 'ext'), 'keyUsage=critical,digitalSignature,nonRepudiation\n');
		openssl(
			'x509', '-req', '-in', 'req.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
			'-out', 'cert.pem', '-days', '30', '-extfile', 'ext'
		); // prettier-ignore
	}

	it('PS8: PEM files (certificate, key, chain) load, with the chain embedded', async () => {
		await realCa();
		const identity = await loadSigningIdentity({
			kind: 'pem',
			certPath: join(dir, 'cert.pem'),
			keyPath: join(dir, 'key.pem'),
			chainPath: join(dir, 'ca.pem')
		});
		expect(identity.source).toBe('pem');
		expect(identity.subject).toBe('CN=Example Co platform, O=Example Co');
		expect(identity.chain).toHaveLength(1);
		// A key that is not the certificate's is refused before anything is signed with it.
		await expect(
			loadSigningIdentity({
				kind: 'pem',
				certPath: join(dir, 'cert.pem'),
				keyPath: join(dir, 'ca.key'),
				chainPath: null
			})
		).rejects.toThrow(/does not belong to the certificate/);
	});

	it('PS8: a PKCS#12 file loads with its password and is refused with a wrong one', async () => {
		await realCa();
		openssl(
			'pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-certfile', 'ca.pem',
			'-out', 'id.p12', '-passout', 'pass:s3cret'
		); // prettier-ignore
		const identity = await loadSigningIdentity({
			kind: 'p12',
			path: join(dir, 'id.p12'),
			password: 's3cret'
		});
		expect(identity.source).toBe('p12');
		expect(identity.subject).toBe('CN=Example Co platform, O=Example Co');
		await expect(
			loadSigningIdentity({ kind: 'p12', path: join(dir, 'id.p12'), password: 'wrong' })
		).rejects.toThrow(/Cannot open the signing PKCS#12 file/);
	});

	it('PS8: the signing variables are checked together when the configuration is read', () => {
		const data = join(dir, 'data');
		expect(loadConfig({ DATA_DIR: data }).signing).toEqual({
			kind: 'generated',
			dir: join(data, 'signing')
		});
		expect(loadConfig({ SIGNING_P12: '/k/id.p12', SIGNING_P12_PASSWORD: '' }).signing).toEqual({
			kind: 'p12',
			path: '/k/id.p12',
			password: ''
		});
		expect(() => loadConfig({ SIGNING_P12: '/k/id.p12' })).toThrow(/SIGNING_P12_PASSWORD/);
		expect(() => loadConfig({ SIGNING_CERT_PEM: '/k/cert.pem' })).toThrow(/SIGNING_KEY_PEM/);
		expect(() =>
			loadConfig({ SIGNING_P12: '/k/id.p12', SIGNING_P12_PASSWORD: 'x', SIGNING_KEY_PEM: '/k' })
		).toThrow(/not both/);
		expect(loadConfig({}).tsaUrl).toBeNull();
		expect(loadConfig({ TSA_URL: 'https://tsa.example.com/tsr' }).tsaUrl).toBe(
			'https://tsa.example.com/tsr'
		);
		expect(() => loadConfig({ TSA_URL: 'tsa.example.com' })).toThrow(/TSA_URL/);
	});
});
