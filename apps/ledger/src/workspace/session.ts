import type { FastifyReply, FastifyRequest } from 'fastify';
import { ROLES, type Role } from '@credit-ledger/config';
import type { Principal } from '../auth/roles';

export const SESSION_COOKIE = 'cl_session';
export const WORKSPACE_PATH = '/app';

/** What the signed session cookie carries: the principal of the API key signed in with (never the key) and its expiry. */
export interface Session extends Principal {
  /** Epoch milliseconds after which the session is refused. */
  expiresAt: number;
}

/**
 * Sets the session as a signed, HttpOnly, SameSite=Strict cookie scoped to the workspace. The signature
 * (@fastify/cookie, SESSION_SECRET) makes it tamper-evident; the expiry inside it is checked on every request,
 * so a copied cookie dies with its session even if a client keeps it.
 */
export function startSession(
  req: FastifyRequest,
  reply: FastifyReply,
  principal: Principal,
  ttlMinutes: number,
  now: number,
): void {
  const session: Session = { ...principal, expiresAt: now + ttlMinutes * 60_000 };
  void reply.setCookie(SESSION_COOKIE, Buffer.from(JSON.stringify(session)).toString('base64url'), {
    path: WORKSPACE_PATH,
    httpOnly: true,
    sameSite: 'strict',
    secure: req.protocol === 'https',
    signed: true,
    maxAge: ttlMinutes * 60,
  });
}

export function endSession(reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { path: WORKSPACE_PATH });
}

/** The request's session, or null when absent, tampered with, malformed or expired. */
export function readSession(req: FastifyRequest, now: number): Session | null {
  const raw = req.cookies[SESSION_COOKIE];
  if (!raw) return null;
  const unsigned = req.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return null;
  try {
    const s = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as Partial<Session>;
    if (
      typeof s.name !== 'string' ||
      typeof s.keyId !== 'string' ||
      typeof s.expiresAt !== 'number' ||
      !(ROLES as readonly string[]).includes(s.role as string)
    )
      return null;
    if (s.expiresAt <= now) return null;
    return { name: s.name, role: s.role as Role, keyId: s.keyId, expiresAt: s.expiresAt };
  } catch {
    return null;
  }
}
