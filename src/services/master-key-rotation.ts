import type { SecretBox } from '../security/secret-box.js';
import type { ClusterStore, SealedKind } from '../store/store.js';
import { webhookSecretContext } from './notifier.js';
import { sealContext } from './totp-service.js';

/** The additional authenticated data each sealed secret was sealed with. */
function contextOf(kind: SealedKind, id: string): string {
  if (kind === 'webhook') return webhookSecretContext(id);
  if (kind === 'sealed-value') return `sealed:${id}`;
  return kind === 'api-key' ? id : sealContext(Number(id));
}

/**
 * Re-encrypts every stored secret (API secret keys, TOTP secrets, webhook signing secrets) from the old master key to
 * the new one, in one transaction: a secret that does not open under the old key aborts the
 * whole rotation and nothing changes.
 */
export function rotateMasterKey(
  store: ClusterStore,
  oldBox: SecretBox,
  newBox: SecretBox,
): Promise<{ apiKeys: number; totp: number; webhooks: number }> {
  return store.resealSecrets((kind, id, sealed) => {
    const context = contextOf(kind, id);
    return newBox.seal(oldBox.open(sealed, context), context);
  });
}
