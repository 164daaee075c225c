// An S3-protocol bucket for the bench's workers: s3rver in the bench's own process, on a free port of
// 127.0.0.1, its objects in a temporary folder. The worker reaches it as it reaches a real bucket
// (S3_ENDPOINT, path-style, static credentials), so its AWS SDK and S3 store are loaded and measured.
import S3rver from 's3rver';
import { releaseOnInterrupt, temporaryFolder } from './interrupt.ts';

export type BenchBucket = {
  /** what a worker needs in its environment to publish to s3://<bucket>/… on this server */
  env: Record<string, string>;
  bucket: string;
  close(): Promise<void>;
};

export async function startBenchBucket(bucket = 'governance-bench'): Promise<BenchBucket> {
  const { path: directory, remove } = await temporaryFolder('governance-bench-s3-');
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (error) {
    await remove();
    throw error;
  }
  // s3rver accepts any signature made with its own fixed key pair.
  const credentials = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
  const close = async () => {
    forget();
    await server.close();
    await remove();
  };
  const forget = releaseOnInterrupt(close);
  return {
    bucket,
    env: { S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_FORCE_PATH_STYLE: 'true', AWS_REGION: 'us-east-1', ...credentials },
    close,
  };
}
