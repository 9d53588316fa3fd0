import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/*
 * A real RFC 3161 time-stamp authority for tests: `openssl ts -reply` behind a small HTTP
 * server on a free loopback port, with its own CA. The signer asks it exactly as it asks a
 * public TSA, so B-T signatures are proved against a real token, not a stand-in.
 */

const run = promisify(execFile);

export interface LocalTsa {
	/** POST application/timestamp-query here. */
	url: string;
	/** The TSA's CA certificate, PEM (to trust it in a reader). */
	caPem: string;
	/** The TSA's own certificate, PEM. */
	certPem: string;
	/** Requests answered so far. */
	requests: () => number;
	stop: () => Promise<void>;
}

const TSA_CONFIG = (dir: string) => `
[ tsa ]
default_tsa = tsa_config

[ tsa_config ]
dir = ${dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.1.1
other_policies = 1.3.6.1.4.1.55555.1.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;

/** Makes the TSA's CA and certificate, then listens on 127.0.0.1 at a free port. */
export async function startTsa(): Promise<LocalTsa> {
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-tsa-'));
	const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
	openssl(
		'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
		'-days', '3650', '-subj', '/CN=SealPass Test TSA CA/O=SealPass tests',
		'-addext', 'basicConstraints=critical,CA:TRUE',
		'-addext', 'keyUsage=critical,keyCertSign,cRLSign'
	); // prettier-ignore
	openssl(
		'req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tsa.key', '-out', 'tsa.csr',
		'-subj', '/CN=SealPass Test TSA/O=SealPass tests'
	); // prettier-ignore
	// A TSA certificate must carry the critical timeStamping usage, or openssl refuses to sign.
	writeFileSync(
		join(dir, 'tsa.ext'),
		'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n' +
			'extendedKeyUsage=critical,timeStamping\n'
	);
	openssl(
		'x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
		'-out', 'tsa.pem', '-days', '3650', '-extfile', 'tsa.ext'
	); // prettier-ignore
	writeFileSync(join(dir, 'serial'), '01\n');
	writeFileSync(join(dir, 'tsa.cnf'), TSA_CONFIG(dir));

	let count = 0;
	// openssl advances one serial file: requests are answered one at a time.
	let queue: Promise<unknown> = Promise.resolve();
	const answer = async (query: Buffer): Promise<Buffer> => {
		const id = ++count;
		const q = join(dir, `q${id}.tsq`);
		const r = join(dir, `r${id}.tsr`);
		writeFileSync(q, query);
		await run('openssl', ['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', q, '-out', r], {
			cwd: dir
		});
		return readFileSync(r);
	};
	const server: Server = createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (c: Buffer) => chunks.push(c));
		request.on('end', () => {
			if (request.method !== 'POST') {
				response.writeHead(405).end();
				return;
			}
			const job = queue.then(() => answer(Buffer.concat(chunks)));
			queue = job.catch(() => undefined);
			job.then(
				(reply) =>
					response.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(reply),
				(error: unknown) => response.writeHead(500).end(String(error))
			);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/tsr`,
		caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
		certPem: readFileSync(join(dir, 'tsa.pem'), 'utf8'),
		requests: () => count,
		stop: async () => {
			await new Promise<void>((resolve) => server.close(() => resolve()));
			rmSync(dir, { recursive: true, force: true });
		}
	};
}
