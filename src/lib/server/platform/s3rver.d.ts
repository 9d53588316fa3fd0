// s3rver ships no types; only what the tests and the blob benchmark call is declared.
declare module 's3rver' {
	interface S3rverOptions {
		address?: string;
		port?: number;
		silent?: boolean;
		directory?: string;
		resetOnClose?: boolean;
		vhostBuckets?: boolean;
		configureBuckets?: { name: string }[];
	}
	export default class S3rver {
		constructor(options: S3rverOptions);
		run(): Promise<{ address: string; port: number }>;
		close(): Promise<void>;
		/** s3rver's S3-style event notifications ('event'); listeners get the event's JSON. */
		on(event: 'event', listener: (event: never) => void): this;
	}
}
