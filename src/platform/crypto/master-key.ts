import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseMasterKey } from '../config.ts';

/**
 * Embedded mode only: the master key lives in <dataDir>/master-key (mode 0600), generated on first
 * start. With DATABASE_URL the operator must supply MASTER_KEY; config.ts enforces that.
 */
export async function loadOrCreateMasterKey(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, 'master-key');
  const existing = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing !== undefined) {
    const key = parseMasterKey(existing);
    if (!key) throw new Error(`${file} does not hold a 32-byte key (base64); restore it or remove the whole data folder`);
    return key;
  }
  const key = randomBytes(32);
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  // 'wx': never overwrite a key another process wrote a moment ago.
  await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
