import { flags, UsageError } from '../args.js';
import { type CliIo, DATA, JSON_OPT, session } from '../io.js';

/**
 * signet sweep [--as-of T] [--dry-run]: writes the expiry warnings due at that moment (default
 * now: keys expiring within 7 days or 1 day, once each) and deletes the keys expired then; with
 * --dry-run lists both and changes nothing. --json prints the deleted keys as `keys list` does.
 */
export async function sweepCommand(argv: string[], io: CliIo): Promise<void> {
  const { print, printJson, withRuntime } = session(io);
  const f = flags(argv, { ...DATA, ...JSON_OPT, 'as-of': { type: 'string' }, 'dry-run': { type: 'boolean' } });
  const asOfText = f['as-of'];
  const asOf = asOfText === undefined ? Date.now() : Date.parse(asOfText);
  if (Number.isNaN(asOf) || (asOfText !== undefined && !/^\d{4}-\d{2}-\d{2}/.test(asOfText))) {
    throw new UsageError(`--as-of must be an ISO-8601 date-time such as 2026-01-31T00:00:00Z, got "${asOfText}"`);
  }
  const dryRun = f['dry-run'] === true;
  await withRuntime(
    f,
    async (rt) => {
      const warnings = dryRun ? await rt.notifier.pendingWarnings(asOf) : await rt.notifier.warn(asOf);
      const keys = dryRun ? await rt.keys.expired(asOf) : await rt.keys.sweep(asOf);
      if (f.json === true) return printJson(keys);
      const at = new Date(asOf).toISOString();
      if (warnings.length > 0) {
        print(
          dryRun
            ? `${warnings.length} expiry warning(s) would be sent as of ${at}`
            : `${warnings.length} expiry warning(s) sent as of ${at}`,
        );
        for (const w of warnings) {
          print(`  ${w.apiKey}  ${w.label}  ${w.stage} before ${new Date(w.expiresAt).toISOString()}`);
        }
      }
      print(
        dryRun
          ? `${keys.length} expired key(s) would be deleted as of ${at} (dry run: nothing deleted)`
          : `${keys.length} expired key(s) deleted as of ${at}`,
      );
      for (const k of keys) print(`  ${k.apiKey}  ${k.label}  last used ${k.lastUsedAt ?? 'never'}`);
    },
    dryRun ? 'read' : 'write',
  );
}
