/**
 * Safety: which network addresses a crawl may connect to. Unless `crawl.allow_private_networks`
 * is set, only public unicast addresses are allowed: private (10/8, 172.16/12, 192.168/16),
 * loopback, link-local, unique-local, carrier-grade NAT, unspecified, reserved and every other
 * special range are refused, including IPv4 addresses wrapped in IPv6 (`::ffff:127.0.0.1`).
 *
 * Two checks, because a hostname is only an address once it is resolved: `checkHostLiteral` for
 * URLs that name an IP, and `guardedLookup`, the DNS lookup every connection goes through, which
 * refuses a hostname that resolves to a forbidden address (`localhost`, or a public name pointed
 * at 10.0.0.1). Checking at connect time also covers every redirect hop.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { PermanentFetchError } from './errors.js';

/** Ranges no HTTP server answers from, refused even when private networks are allowed. */
const NEVER = new Set(['multicast', 'broadcast']);

/**
 * The special range an address is in (`loopback`, `private`, …), `unicast` for a public address,
 * or `invalid`.
 *
 * @example
 * addressRange('10.1.2.3')          // → 'private'
 * addressRange('::ffff:127.0.0.1')  // → 'loopback'
 * addressRange('8.8.8.8')           // → 'unicast'
 */
export function addressRange(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!ipaddr.isValid(bare)) return 'invalid';
  let parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range();
}

/** Whether a crawl may connect to this address. */
export function isAllowedAddress(address: string, allowPrivateNetworks: boolean): boolean {
  const range = addressRange(address);
  if (range === 'unicast') return true;
  if (range === 'invalid') return false;
  return allowPrivateNetworks && !NEVER.has(range);
}

function refusal(host: string, address: string): PermanentFetchError {
  const range = addressRange(address);
  return new PermanentFetchError(
    'private-address',
    `refused: ${host === address ? address : `${host} resolves to ${address}`} is a ${range} address (crawl.allow_private_networks is false)`,
  );
}

/** Throws when a URL's host is an IP literal the crawl may not connect to. */
export function checkHostLiteral(hostname: string, allowPrivateNetworks: boolean): void {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare) && !isAllowedAddress(bare, allowPrivateNetworks)) throw refusal(bare, bare);
}

/**
 * Throws when the crawl may not connect to `hostname`: an IP literal in a refused range, or a
 * name that resolves to no allowed address. Used on start URLs, before anything is fetched.
 */
export async function checkHost(hostname: string, allowPrivateNetworks: boolean): Promise<void> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return checkHostLiteral(bare, allowPrivateNetworks);
  const lookup = guardedLookup(allowPrivateNetworks);
  await new Promise<void>((resolve, reject) =>
    lookup(bare, { all: true }, (error) => (error ? reject(error) : resolve())),
  );
}

/**
 * A `lookup` for `http.request` that resolves like `dns.lookup` but only ever returns allowed
 * addresses; a name with no allowed address fails with a `private-address` error.
 */
export function guardedLookup(allowPrivateNetworks: boolean): LookupFunction {
  return ((hostname: string, options: LookupOptions, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      const allowed = addresses.filter((a) => isAllowedAddress(a.address, allowPrivateNetworks));
      if (allowed.length === 0) {
        const first = addresses[0];
        return callback(
          first ? refusal(hostname, first.address) : new Error(`${hostname}: no address`),
          undefined,
          undefined,
        );
      }
      if (options.all) return callback(null, allowed);
      const { address, family } = allowed[0] as LookupAddress;
      return callback(null, address, family);
    });
  }) as LookupFunction;
}
