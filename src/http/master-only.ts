import type { FastifyRequest } from 'fastify';
import { RuleError } from '../core/errors.js';
import { type MasterRule, masterAccessCode } from '../core/master-access.js';
import type { ActiveKey } from '../services/keyring.js';
import { keyOf } from './auth.js';

/**
 * The calling key of a master-only endpoint (OKX's sub-account management): RuleError 59500 for a
 * sub-account's key, 50035 for a master key without IPs where `rule.boundToIp`. The permission
 * (50120) was checked before, by the authenticator, as OKX does.
 */
export function masterKeyOf(request: FastifyRequest, rule: MasterRule): ActiveKey {
  const key = keyOf(request);
  const code = masterAccessCode(key, rule);
  if (code === '59500') throw new RuleError(code, "only a master account's API key may call this endpoint");
  if (code !== null) throw new RuleError(code, 'this endpoint needs a master API key bound to IP addresses');
  return key;
}
