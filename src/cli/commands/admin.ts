import { randomBytes } from 'node:crypto';
import { loadMasterKey, parseMasterKey, stageMasterKeyFile } from '../../security/master-key.js';
import { SecretBox } from '../../security/secret-box.js';
import { rotateMasterKey } from '../../services/master-key-rotation.js';
import { flags, secretFlag, UsageError } from '../args.js';
import { type CliIo, DATA, JSON_OPT, session } from '../io.js';

/** signet migrate: opening the store migrates it. */
export async function migrateCommand(argv: string[], io: CliIo): Promise<void> {
  const { print, printJson, withRuntime } = session(io);
  const f = flags(argv, { ...DATA, ...JSON_OPT });
  await withRuntime(f, async () =>
    f.json === true ? printJson({ migrated: true }) : print('database is at the current schema'),
  );
}

/** signet rotate-master-key [--new-key HEX|-]: re-encrypts every stored secret in one transaction. */
export async function rotateMasterKeyCommand(argv: string[], io: CliIo): Promise<void> {
  const { print, printJson, withRuntime } = session(io);
  const f = flags(argv, { ...DATA, ...JSON_OPT, 'new-key': { type: 'string' } });
  const given = f['new-key'];
  await withRuntime(f, async (rt) => {
    const fromEnv = rt.config.masterKeyHex !== null;
    if (fromEnv && given === undefined) {
      throw new UsageError(
        '--new-key is required when the master key comes from SIGNET_MASTER_KEY (generate one with `openssl rand -hex 32`; - reads it from standard input)',
      );
    }
    const newKey = given === undefined ? randomBytes(32) : parseMasterKey(await secretFlag(given, io.stdin));
    const oldKey = loadMasterKey(rt.config.masterKeyHex, rt.config.dataDir);
    if (newKey.equals(oldKey)) throw new UsageError('--new-key is the current master key');
    // With a key file: the new key is on disk before the secrets change, and replaces the old file after.
    const staged = fromEnv ? null : stageMasterKeyFile(rt.config.dataDir, newKey);
    const counts = await rotateMasterKey(rt.store, new SecretBox(oldKey), new SecretBox(newKey));
    staged?.commit();
    if (f.json === true) {
      return printJson({
        apiKeys: counts.apiKeys,
        totp: counts.totp,
        webhooks: counts.webhooks,
        keyFrom: fromEnv ? 'environment' : 'file',
      });
    }
    print(
      `Re-encrypted ${counts.apiKeys} API secret key(s), ${counts.totp} authenticator secret(s) and ${counts.webhooks} webhook signing secret(s) under the new master key.`,
    );
    print(
      fromEnv
        ? 'Now set SIGNET_MASTER_KEY to the new key on every instance and restart them.'
        : `The new key replaced ${rt.config.dataDir}/master.key; restart the server.`,
    );
  });
}
