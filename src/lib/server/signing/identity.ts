// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata API
// loaded before the library; without it the first import throws.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { CryptoKeySigner, P12Signer, type Signer } from '@libpdf/core';
import {
	createPrivateKey,
	createPublicKey,
	randomBytes,
	webcrypto,
	type KeyObject
} from 'node:crypto';
import {
	chmodSync,
	closeSync,
	fsyncSync,
	mkdirSync,
	openSync,
	readFileSync,
	readdirSync,
	renameSync,
	rmSync,
	statSync,
	writeSync
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { SigningSource } from '../platform/config';

/*
 * The platform's signing identity: the certificate and key that seal every finished contract
 * with one PAdES signature. It never lives in the database, so a copied or restored database
 * alone cannot sign a document as this platform.
 */

x509.cryptoProvider.set(webcrypto as Crypto);

/** The files of a generated identity, in `<DATA_DIR>/signing/`. */
export const GENERATED_FILES = {
	ca: 'ca.pem',
	certificate: 'cert.pem',
	key: 'key.pem'
} as const;

/** RSA, because @libpdf/core's output is repeatable only with RSA (ECDSA signatures are random). */
const RSA: RsaHashedKeyGenParams = {
	name: 'RSASSA-PKCS1-v1_5',
	hash: 'SHA-256',
	publicExponent: new Uint8Array([1, 0, 1]),
	modulusLength: 3072
};
const CA_YEARS = 20;
const CERT_YEARS = 10;

export interface SigningIdentity {
	/** What `signPdf` signs with. */
	signer: Signer;
	/** The signing certificate, DER. */
	certificate: Uint8Array;
	/** The certificates above it (issuer first), DER; embedded in every signature. */
	chain: Uint8Array[];
	/** The signing certificate's subject, as readers show it. */
	subject: string;
	/** The signing certificate's validity: a signature outside it does not verify. */
	notBefore: Date;
	notAfter: Date;
	source: SigningSource['kind'];
}

/** The identity cannot be loaded or made; the message names the file or variable. */
export class SigningIdentityError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SigningIdentityError';
	}
}

/**
 * Loads the platform identity from its configured source. With no P12 or PEM configured, the
 * generated identity in `source.dir` is read, or made once if the folder has none of its files:
 * a local CA (its key discarded once the certificate is issued, so nothing else can be issued
 * in its name) and a signing certificate under it. A folder with only some of the files, or
 * files that cannot be read, stops start-up: making a new identity over them would quietly
 * change the certificate every later contract is sealed with.
 */
export async function loadSigningIdentity(
	source: SigningSource,
	options: { name?: string; now?: Date } = {}
): Promise<SigningIdentity> {
	switch (source.kind) {
		case 'p12':
			return fromP12(source.path, source.password);
		case 'pem':
			return fromPem(source.certPath, source.keyPath, source.chainPath, 'pem');
		case 'generated': {
			const dir = source.dir;
			const present = presentFiles(dir);
			if (present.length === 0) {
				await generateIdentity(dir, options.name ?? 'SealPass', options.now ?? new Date());
			} else if (present.length < Object.keys(GENERATED_FILES).length) {
				const missing = Object.values(GENERATED_FILES).filter((f) => !present.includes(f));
				throw new SigningIdentityError(
					`The signing folder ${dir} has ${present.join(', ')} but not ${missing.join(', ')}. ` +
						'Restore the missing files from a backup. Only if they are lost for good, move the ' +
						'folder away: a new local CA is then made, and readers must trust it anew.'
				);
			}
			return fromPem(
				join(dir, GENERATED_FILES.certificate),
				join(dir, GENERATED_FILES.key),
				join(dir, GENERATED_FILES.ca),
				'generated'
			);
		}
	}
}

function presentFiles(dir: string): string[] {
	let names: string[];
	try {
		names = readdirSync(dir);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
		throw new SigningIdentityError(
			`Cannot read the signing folder ${dir}: ${(error as Error).message}`
		);
	}
	return Object.values(GENERATED_FILES).filter((f) => names.includes(f));
}

function readFile(path: string, what: string): Buffer {
	try {
		return readFileSync(path);
	} catch (error) {
		throw new SigningIdentityError(`Cannot read the ${what} ${path}: ${(error as Error).message}`);
	}
}

async function fromP12(path: string, password: string): Promise<SigningIdentity> {
	const bytes = readFile(path, 'signing PKCS#12 file (SIGNING_P12)');
	let signer: P12Signer;
	try {
		signer = await P12Signer.create(new Uint8Array(bytes), password);
	} catch (error) {
		throw new SigningIdentityError(
			`Cannot open the signing PKCS#12 file ${path} (SIGNING_P12, SIGNING_P12_PASSWORD): ` +
				(error as Error).message
		);
	}
	return describe(signer, 'p12');
}

async function fromPem(
	certPath: string,
	keyPath: string,
	chainPath: string | null,
	source: 'pem' | 'generated'
): Promise<SigningIdentity> {
	const certs = pemCertificates(readFile(certPath, 'signing certificate'), certPath);
	// A "fullchain" file carries the issuers after the certificate; a chain file adds more.
	const chain = [
		...certs.slice(1),
		...(chainPath ? pemCertificates(readFile(chainPath, 'certificate chain'), chainPath) : [])
	];
	let key: KeyObject;
	try {
		key = createPrivateKey(readFile(keyPath, 'signing key'));
	} catch (error) {
		if (error instanceof SigningIdentityError) throw error;
		throw new SigningIdentityError(
			`The signing key ${keyPath} is not a readable private key: ${(error as Error).message}`
		);
	}
	const certificate = certs[0]!;
	const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
	if (!Buffer.from(certificate.publicKey.rawData).equals(spki)) {
		throw new SigningIdentityError(
			`The signing key ${keyPath} does not belong to the certificate ${certPath}`
		);
	}
	const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
	const der = new Uint8Array(certificate.rawData);
	const chainDer = chain.map((c) => new Uint8Array(c.rawData));
	let signer: Signer;
	if (key.asymmetricKeyType === 'rsa') {
		const cryptoKey = await webcrypto.subtle.importKey(
			'pkcs8',
			pkcs8,
			{ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
			false,
			['sign']
		);
		signer = new CryptoKeySigner(cryptoKey, der, 'RSA', 'RSASSA-PKCS1-v1_5', chainDer);
	} else if (key.asymmetricKeyType === 'ec') {
		const curve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[
			key.asymmetricKeyDetails?.namedCurve ?? ''
		];
		if (!curve) {
			throw new SigningIdentityError(
				`The signing key ${keyPath} is on curve ${key.asymmetricKeyDetails?.namedCurve}; ` +
					'use P-256, P-384, P-521 or RSA'
			);
		}
		const cryptoKey = await webcrypto.subtle.importKey(
			'pkcs8',
			pkcs8,
			{ name: 'ECDSA', namedCurve: curve },
			false,
			['sign']
		);
		signer = new CryptoKeySigner(cryptoKey, der, 'EC', 'ECDSA', chainDer);
	} else {
		throw new SigningIdentityError(
			`The signing key ${keyPath} is ${key.asymmetricKeyType}; use an RSA or EC key`
		);
	}
	if (source === 'generated') warnIfOpen(keyPath);
	return describe(signer, source);
}

function pemCertificates(bytes: Buffer, path: string): x509.X509Certificate[] {
	try {
		const certs = x509.PemConverter.decode(bytes.toString('utf8')).map(
			(der) => new x509.X509Certificate(der)
		);
		if (certs.length === 0) throw new Error('no CERTIFICATE block');
		return certs;
	} catch (error) {
		throw new SigningIdentityError(
			`${path} is not a PEM certificate file: ${(error as Error).message}`
		);
	}
}

function describe(signer: Signer, source: SigningSource['kind']): SigningIdentity {
	const cert = new x509.X509Certificate(new Uint8Array(signer.certificate));
	return {
		signer,
		certificate: signer.certificate,
		chain: signer.certificateChain ?? [],
		subject: cert.subject,
		notBefore: cert.notBefore,
		notAfter: cert.notAfter,
		source
	};
}

function warnIfOpen(path: string): void {
	if ((statSync(path).mode & 0o077) !== 0) {
		console.warn(`SealPass: the signing key ${path} is readable by others; chmod 600 it.`);
	}
}

/**
 * Makes the local CA and the signing certificate in a temporary folder beside `dir` and
 * renames it into place whole: a crash leaves no half identity, and of two servers starting
 * on a fresh install the second's rename fails and it reads the first's files.
 */
async function generateIdentity(dir: string, name: string, now: Date): Promise<void> {
	const caKeys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
	const keys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
	const notBefore = new Date(now.getTime() - 60_000);
	const years = (n: number) => {
		const d = new Date(now);
		d.setUTCFullYear(d.getUTCFullYear() + n);
		return d;
	};
	const label = name.replace(/[,=+<>#;"\\]/g, ' ').trim() || 'SealPass';
	const ca = await x509.X509CertificateGenerator.createSelfSigned({
		serialNumber: serial(),
		name: `CN=SealPass local CA (${label}), O=SealPass`,
		notBefore,
		notAfter: years(CA_YEARS),
		keys: caKeys,
		signingAlgorithm: RSA,
		extensions: [
			new x509.BasicConstraintsExtension(true, 0, true),
			new x509.KeyUsagesExtension(
				x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
				true
			),
			await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey)
		]
	});
	const cert = await x509.X509CertificateGenerator.create({
		serialNumber: serial(),
		subject: `CN=SealPass platform signature (${label}), O=SealPass`,
		issuer: ca.subject,
		notBefore,
		notAfter: years(CERT_YEARS),
		signingKey: caKeys.privateKey,
		publicKey: keys.publicKey,
		signingAlgorithm: RSA,
		extensions: [
			new x509.BasicConstraintsExtension(false, undefined, true),
			// Readers check a document signer's key usage (digitalSignature, nonRepudiation).
			new x509.KeyUsagesExtension(
				x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
				true
			),
			await x509.AuthorityKeyIdentifierExtension.create(ca),
			await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
		]
	});
	const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);

	mkdirSync(dirname(dir), { recursive: true });
	const temp = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
	mkdirSync(temp, { mode: 0o700 });
	chmodSync(temp, 0o700);
	try {
		writePrivate(join(temp, GENERATED_FILES.ca), ca.toString('pem'));
		writePrivate(join(temp, GENERATED_FILES.certificate), cert.toString('pem'));
		writePrivate(join(temp, GENERATED_FILES.key), x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
		try {
			// Replaces only a missing or empty folder; another server's files make it fail.
			renameSync(temp, dir);
			console.log(`SealPass: new signing identity (local CA) written to ${dir}`);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
		}
	} finally {
		rmSync(temp, { recursive: true, force: true });
	}
}

/** Written 0600 whatever the umask, and to disk before the folder is renamed into place. */
function writePrivate(path: string, text: string): void {
	const fd = openSync(path, 'wx', 0o600);
	try {
		writeSync(fd, text.endsWith('\n') ? text : `${text}\n`);
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
	chmodSync(path, 0o600);
}

/** A positive 128-bit serial, as CAs are asked to use (unpredictable, unique). */
function serial(): string {
	const bytes = randomBytes(16);
	bytes[0] = (bytes[0]! & 0x7f) | 0x01;
	return bytes.toString('hex');
}
