import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ConsoleGuard } from '../../services/console-guard.js';
import type { AppDeps } from '../../services/container.js';
import { checkPasswordRule } from '../../services/user-service.js';
import { codeSource, setSessionCookie, userOf } from '../console-edge.js';
import { sessionView } from './console-account.js';

const CodeBody = Type.Object({ code: Type.String({ maxLength: 40 }) }, { additionalProperties: false });
const PasswordBody = Type.Object(
  {
    currentPassword: Type.String({ maxLength: 1024 }),
    newPassword: Type.String({ maxLength: 1024 }),
    code: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

/**
 * The account's security: two-factor set-up (a new secret as QR code, setup key and otpauth://
 * link, then enable with a code), new recovery codes, 2FA off, and a password change. Every
 * password and code here goes through the console's guessing limits (ConsoleGuard).
 */
export function consoleSecurityRoutes(app: FastifyInstance, deps: AppDeps, guard: ConsoleGuard): void {
  app.get('/security', async (request) => {
    const user = userOf(request);
    const recoveryCodesLeft = await deps.totp.recoveryCodesLeft(user.id);
    return { totpEnabled: recoveryCodesLeft !== null, recoveryCodesLeft };
  });

  app.post('/security/totp/setup', async (request) => {
    const { secret, uri, qrSvg } = await deps.totp.setup(userOf(request));
    return { secret, uri, qrSvg };
  });

  app.post('/security/totp/enable', { schema: { body: CodeBody } }, async (request) => {
    const recoveryCodes = await deps.totp.enable(
      userOf(request),
      (request.body as Static<typeof CodeBody>).code,
      deps.now(),
    );
    return { enabled: true, recoveryCodes };
  });

  /** New recovery codes (the old ones stop working): needs a code (refused as totp_required while 2FA is off). */
  app.post('/security/recovery-codes', { schema: { body: CodeBody } }, async (request) => {
    const user = userOf(request);
    await guard.checkCode(user, (request.body as Static<typeof CodeBody>).code, codeSource(request), deps.now());
    return { recoveryCodes: await deps.totp.regenerateRecoveryCodes(user, deps.now()) };
  });

  /** 2FA off: needs a code (or a recovery code). Keys stay; what needs a code is refused until set up again. */
  app.post('/security/totp/disable', { schema: { body: CodeBody } }, async (request) => {
    const user = userOf(request);
    await guard.checkCode(user, (request.body as Static<typeof CodeBody>).code, codeSource(request), deps.now());
    await deps.totp.disable(user, 'user', deps.now());
    return { totpEnabled: false };
  });

  /**
   * A new password: the current one (login limits), then a code when 2FA is on. Every session of
   * the account ends; this browser gets a new one (new session id and CSRF token).
   */
  app.post('/security/password', { schema: { body: PasswordBody } }, async (request, reply) => {
    const user = userOf(request);
    const body = request.body as Static<typeof PasswordBody>;
    // The rule first: a weak new password costs neither a password attempt nor an authenticator code.
    checkPasswordRule(body.newPassword, 'newPassword');
    await guard.checkPassword(request.ip, user.email, () => deps.users.passwordMatches(user, body.currentPassword));
    if (await deps.totp.isEnabled(user.id)) await guard.checkCode(user, body.code, codeSource(request), deps.now());
    await deps.users.setPassword(user, body.newPassword, 'user', deps.now(), 'newPassword');
    // setPassword ended every session, this one too: this browser continues on a new one.
    const { token, session } = await deps.sessions.open(user.id, true, deps.now());
    setSessionCookie(request, reply, token, session);
    return sessionView(deps, user, session);
  });
}
