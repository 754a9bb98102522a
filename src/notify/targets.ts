/**
 * Webhook target addresses and the addresses Berth refuses to call (SSRF).
 *
 * Always refused: link-local and cloud metadata addresses (169.254.0.0/16,
 * fe80::/10, fd00:ec2::254), unspecified, multicast and broadcast addresses.
 * Refused unless `webhookAllowPrivateTargets`: loopback and private ranges.
 * An address is checked when a policy is saved (IP literals and names that
 * resolve then) and again for the address each connection actually uses
 * (src/notify/http-client.ts), so a name that later resolves elsewhere (DNS
 * rebinding) is still refused.
 */
import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';

export class TargetError extends Error {}

const ALWAYS_REFUSED = new BlockList();
ALWAYS_REFUSED.addSubnet('169.254.0.0', 16, 'ipv4');
ALWAYS_REFUSED.addSubnet('0.0.0.0', 8, 'ipv4');
ALWAYS_REFUSED.addSubnet('224.0.0.0', 4, 'ipv4');
ALWAYS_REFUSED.addSubnet('240.0.0.0', 4, 'ipv4');
ALWAYS_REFUSED.addSubnet('fe80::', 10, 'ipv6');
ALWAYS_REFUSED.addSubnet('ff00::', 8, 'ipv6');
ALWAYS_REFUSED.addAddress('fd00:ec2::254', 'ipv6');
ALWAYS_REFUSED.addAddress('::', 'ipv6');

const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addSubnet('198.18.0.0', 15, 'ipv4');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');

export interface TargetPolicy {
  /** Loopback and private ranges allowed (tests, in-cluster receivers). */
  allowPrivate: boolean;
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is checked as the IPv4 address it is. */
function normalize(ip: string): { ip: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return { ip: mapped[1]!, family: 'ipv4' };
  return { ip, family: isIP(ip) === 6 ? 'ipv6' : 'ipv4' };
}

/** Why `ip` may not be called, or undefined when it may. */
export function refusalOf(ip: string, policy: TargetPolicy): string | undefined {
  if (isIP(ip) === 0) return `${ip} is not an IP address`;
  const n = normalize(ip);
  if (n.ip === '255.255.255.255') return `${ip} is a broadcast address`;
  if (ALWAYS_REFUSED.check(n.ip, n.family)) return `${ip} is a link-local, cloud metadata, multicast or unspecified address; webhooks never call it`;
  if (!policy.allowPrivate && PRIVATE.check(n.ip, n.family)) return `${ip} is a loopback or private address; set webhookAllowPrivateTargets to allow it`;
  return undefined;
}

/** The host part of a URL without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * Parses and checks a target address: an http(s) URL without credentials,
 * whose host (if an IP or a name that resolves now) is allowed. Throws
 * TargetError with a message for the caller.
 */
export async function validateAddress(address: string, policy: TargetPolicy, resolve: (host: string) => Promise<string[]> = resolveAll): Promise<URL> {
  if (address.length > 2048) throw new TargetError('address is longer than 2048 characters');
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new TargetError(`address ${JSON.stringify(address.slice(0, 100))} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetError(`address must be an http:// or https:// URL, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw new TargetError('address must not contain credentials: give them as the auth header');
  if (url.hash !== '') throw new TargetError('address must not have a #fragment');
  const host = hostOf(url);
  if (host === '') throw new TargetError('address has no host');
  const ips = isIP(host) !== 0 ? [host] : await resolve(host).catch(() => [] as string[]);
  for (const ip of ips) {
    const why = refusalOf(ip, policy);
    if (why) throw new TargetError(`address ${url.origin} refused: ${isIP(host) !== 0 ? why : `${host} resolves to ${why}`}`);
  }
  return url;
}

async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}
