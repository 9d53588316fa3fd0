import {
	GetObjectCommand,
	HeadBucketCommand,
	HeadObjectCommand,
	PutObjectCommand,
	S3Client
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
	admit,
	assertSha256,
	verified,
	verifiedStream,
	type BlobStore,
	type OpenBlob
} from './blob-store';
import type { S3Source } from './config';

/**
 * Bytes per part of a multipart upload, and the largest blob sent in one PutObject. Big enough
 * that a contract PDF is a handful of parts, small enough that the parts in flight (QUEUE_SIZE at
 * once) stay a few tens of megabytes of memory.
 */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;
/** The health check's limit: a load balancer's probe must not hang on an unreachable endpoint. */
const CHECK_TIMEOUT_MS = 5_000;

/**
 * Blobs as objects in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, …), one object per blob
 * keyed by its SHA-256, so several app servers share one store. Objects are never deleted or
 * rewritten by the app, so the bucket's policy can deny deletes.
 */
export class S3BlobStore implements BlobStore {
	readonly kind = 's3';
	readonly description: string;
	private readonly client: S3Client;
	private readonly bucket: string;

	constructor(
		source: S3Source,
		readonly maxBytes: number
	) {
		this.bucket = source.bucket;
		this.description = `the S3 bucket ${source.bucket} at ${source.endpoint ?? 'AWS'} (${source.region})`;
		this.client = new S3Client({
			region: source.region,
			endpoint: source.endpoint ?? undefined,
			// Path-style (endpoint/bucket/key) works on every S3-compatible server; virtual hosts
			// need a DNS name per bucket, which self-hosted servers rarely have.
			forcePathStyle: true,
			// Without these the SDK sends streamed bodies in aws-chunked framing with a trailing
			// CRC, which servers that do not speak it (s3rver, older MinIO and Ceph) store as the
			// object's content. Integrity is our own SHA-256, checked both ways.
			requestChecksumCalculation: 'WHEN_REQUIRED',
			responseChecksumValidation: 'WHEN_REQUIRED',
			// Null: the SDK's own chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, roles).
			credentials: source.credentials ?? undefined,
			requestHandler: { connectionTimeout: CHECK_TIMEOUT_MS }
		});
	}

	/**
	 * Bytes up to one part go in a single PutObject that carries our SHA-256, which S3, MinIO and
	 * Ceph check before storing. Larger ones go as a multipart upload, a part at a time, with no
	 * whole-object hash the server could check, so the stored size is read back: it catches a
	 * server that kept something else (chunk framing, a truncated body) before a row ever names
	 * the blob. Reads check the full hash in both cases.
	 */
	async put(bytes: Uint8Array, expected?: string): Promise<string> {
		const sha256 = admit(bytes, this.maxBytes, expected);
		if ((await this.storedSize(sha256)) === bytes.byteLength) return sha256;
		const params = { Bucket: this.bucket, Key: sha256, ContentType: 'application/octet-stream' };
		if (bytes.byteLength <= PART_SIZE) {
			// Sent with its length and checksum in headers, never aws-chunked: nothing to misread.
			await this.client.send(
				new PutObjectCommand({
					...params,
					Body: bytes,
					ContentLength: bytes.byteLength,
					ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64')
				})
			);
		} else {
			await new Upload({
				client: this.client,
				params: { ...params, Body: bytes },
				partSize: PART_SIZE,
				queueSize: QUEUE_SIZE,
				leavePartsOnError: false
			}).done();
			const stored = await this.storedSize(sha256);
			if (stored !== bytes.byteLength) {
				throw new Error(
					`${this.description} kept ${stored ?? 'nothing'} bytes for blob ${sha256} of ${bytes.byteLength}`
				);
			}
		}
		return sha256;
	}

	async get(sha256: string): Promise<Uint8Array<ArrayBuffer> | null> {
		const body = await this.body(sha256);
		if (!body) return null;
		return verified(sha256, await body.Body.transformToByteArray());
	}

	/** The object's body streams from S3 to the reader; nothing holds the whole blob. */
	async open(sha256: string): Promise<OpenBlob | null> {
		const body = await this.body(sha256);
		if (!body) return null;
		const stream = body.Body.transformToWebStream() as ReadableStream<Uint8Array>;
		return { size: body.size, stream: verifiedStream(sha256, stream) };
	}

	async has(sha256: string): Promise<boolean> {
		return (await this.storedSize(sha256)) !== null;
	}

	/**
	 * HeadBucket: the endpoint answers, the credentials are accepted and the bucket exists. No
	 * probe object is written, since the app holds no right to delete it again.
	 */
	async check(): Promise<{ ok: boolean; error?: string }> {
		try {
			await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), {
				abortSignal: AbortSignal.timeout(CHECK_TIMEOUT_MS)
			});
			return { ok: true };
		} catch (error) {
			return { ok: false, error: `${this.description}: ${describeS3Error(error)}` };
		}
	}

	/**
	 * Nothing to sweep: an object appears only when its upload completes, and the parts of an
	 * interrupted multipart upload are removed by the bucket's lifecycle rule (docs/deploy.md).
	 */
	async sweepTemporary(): Promise<number> {
		return 0;
	}

	/** The stored object's size, or null when there is none. */
	private async storedSize(sha256: string): Promise<number | null> {
		assertSha256(sha256);
		try {
			const head = await this.client.send(
				new HeadObjectCommand({ Bucket: this.bucket, Key: sha256 })
			);
			return head.ContentLength ?? 0;
		} catch (error) {
			if (isMissing(error)) return null;
			throw error;
		}
	}

	private async body(sha256: string) {
		assertSha256(sha256);
		try {
			const answer = await this.client.send(
				new GetObjectCommand({ Bucket: this.bucket, Key: sha256 })
			);
			if (!answer.Body) throw new Error(`${this.description} sent no body for blob ${sha256}`);
			return { Body: answer.Body, size: answer.ContentLength ?? 0 };
		} catch (error) {
			if (isMissing(error)) return null;
			throw error;
		}
	}
}

/**
 * A missing key: NoSuchKey from GET, a bare 404 (NotFound) from HEAD. A missing bucket is no
 * missing blob (GET names it; start-up's HeadBucket refuses it before any HEAD is made).
 */
function isMissing(error: unknown): boolean {
	const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
	if (e?.name === 'NoSuchBucket') return false;
	return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/** The SDK's error name and status, which say what failed without echoing the request. */
function describeS3Error(error: unknown): string {
	const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
	const status = e?.$metadata?.httpStatusCode;
	return `${e?.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${e?.message ?? String(error)}`;
}
