import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RuleError } from './errors.js';
import { IpWhitelist, MAX_IPS_PER_KEY, normalizeIp, parseIpList } from './ip-whitelist.js';

function assertRefused(input: string | readonly string[], code: '51000' | '59503', mentions?: string): void {
  assert.throws(
    () => parseIpList(input),
    (e: unknown) => {
      assert.ok(e instanceof RuleError, `expected RuleError for ${JSON.stringify(input)}`);
      assert.equal(e.code, code, `code for ${JSON.stringify(input)}`);
      assert.equal(e.field, 'ip');
      if (mentions !== undefined)
        assert.ok(e.message.includes(mentions), `message should mention ${mentions}: ${e.message}`);
      return true;
    },
  );
}

/** `count` distinct IPv4 addresses 192.0.2.1, 192.0.2.2, ... */
function distinctAddresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `192.0.2.${i + 1}`);
}

describe('parseIpList: accepted forms', () => {
  test('a single IPv4 address', () => {
    assert.deepEqual(parseIpList('203.0.113.7'), ['203.0.113.7']);
    assert.deepEqual(parseIpList('0.0.0.0'), ['0.0.0.0']);
    assert.deepEqual(parseIpList('255.255.255.255'), ['255.255.255.255']);
  });

  test('a single IPv6 address, written in canonical short lower-case form', () => {
    assert.deepEqual(parseIpList('2001:db8::1'), ['2001:db8::1']);
    assert.deepEqual(parseIpList('2001:DB8:0:0:0:0:0:1'), ['2001:db8::1']);
    assert.deepEqual(parseIpList('2001:0db8:0000:0000:0000:0000:0000:0001'), ['2001:db8::1']);
    assert.deepEqual(parseIpList('::1'), ['::1']);
    assert.deepEqual(parseIpList('::'), ['::']);
  });

  test('IPv4 CIDR segments', () => {
    assert.deepEqual(parseIpList('10.0.0.0/8'), ['10.0.0.0/8']);
    assert.deepEqual(parseIpList('192.168.1.0/24'), ['192.168.1.0/24']);
    assert.deepEqual(parseIpList('0.0.0.0/0'), ['0.0.0.0/0']);
  });

  test('IPv6 CIDR segments', () => {
    assert.deepEqual(parseIpList('2001:db8::/32'), ['2001:db8::/32']);
    assert.deepEqual(parseIpList('::/0'), ['::/0']);
  });

  test('a CIDR is stored as its network address', () => {
    assert.deepEqual(parseIpList('10.1.2.3/8'), ['10.0.0.0/8']);
    assert.deepEqual(parseIpList('192.168.1.77/24'), ['192.168.1.0/24']);
    assert.deepEqual(parseIpList('172.16.255.255/12'), ['172.16.0.0/12']);
    assert.deepEqual(parseIpList('1.2.3.4/0'), ['0.0.0.0/0']);
    assert.deepEqual(parseIpList('2001:db8::1/32'), ['2001:db8::/32']);
    assert.deepEqual(parseIpList('2001:db8:abcd:12::1/48'), ['2001:db8:abcd::/48']);
  });

  test('a full-length prefix is stored as a plain address', () => {
    assert.deepEqual(parseIpList('1.2.3.4/32'), ['1.2.3.4']);
    assert.deepEqual(parseIpList('::1/128'), ['::1']);
  });

  test('IPv4-mapped IPv6 entries become IPv4', () => {
    assert.deepEqual(parseIpList('::ffff:1.2.3.4'), ['1.2.3.4']);
    assert.deepEqual(parseIpList('::FFFF:1.2.3.4'), ['1.2.3.4']);
    assert.deepEqual(parseIpList('::ffff:102:304'), ['1.2.3.4']);
    assert.deepEqual(parseIpList('0:0:0:0:0:ffff:102:304'), ['1.2.3.4']);
  });

  test("several entries, comma-separated, keep the user's order", () => {
    assert.deepEqual(parseIpList('1.2.3.4, 10.0.0.0/8, 2001:db8::/32'), ['1.2.3.4', '10.0.0.0/8', '2001:db8::/32']);
    assert.deepEqual(parseIpList('9.9.9.9,1.1.1.1'), ['9.9.9.9', '1.1.1.1']);
  });

  test('accepts an array as well as a string', () => {
    assert.deepEqual(parseIpList(['1.2.3.4', ' 2001:db8::1 ', '10.1.2.3/8']), ['1.2.3.4', '2001:db8::1', '10.0.0.0/8']);
  });

  test('whitespace around items and empty items are ignored', () => {
    assert.deepEqual(parseIpList('  1.2.3.4 ,\t5.6.7.8\n'), ['1.2.3.4', '5.6.7.8']);
    assert.deepEqual(parseIpList(',,1.2.3.4,, ,'), ['1.2.3.4']);
    assert.deepEqual(parseIpList(['', '1.2.3.4', '   ']), ['1.2.3.4']);
  });

  test('an empty list means no binding', () => {
    assert.deepEqual(parseIpList(''), []);
    assert.deepEqual(parseIpList('   '), []);
    assert.deepEqual(parseIpList(' , ,'), []);
    assert.deepEqual(parseIpList([]), []);
  });
});

describe('parseIpList: de-duplication', () => {
  test('the same address twice is kept once, at its first position', () => {
    assert.deepEqual(parseIpList('1.2.3.4,5.6.7.8,1.2.3.4'), ['1.2.3.4', '5.6.7.8']);
  });

  test('duplicates are recognised after normalisation', () => {
    assert.deepEqual(parseIpList('1.2.3.4, ::ffff:1.2.3.4'), ['1.2.3.4']);
    assert.deepEqual(parseIpList('1.2.3.4, 1.2.3.4/32'), ['1.2.3.4']);
    assert.deepEqual(parseIpList('2001:db8::1, 2001:DB8:0:0:0:0:0:1'), ['2001:db8::1']);
    assert.deepEqual(parseIpList('10.0.0.0/8, 10.1.2.3/8, 10.255.255.255/8'), ['10.0.0.0/8']);
  });

  test('the same network with different prefixes is not a duplicate', () => {
    assert.deepEqual(parseIpList('10.0.0.0/8, 10.0.0.0/16'), ['10.0.0.0/8', '10.0.0.0/16']);
  });
});

describe('parseIpList: refused input', () => {
  const garbage = [
    '1.2.3',
    '256.1.1.1',
    '0x7f.1',
    '1.2.3.4/33',
    '::1/129',
    'abc',
    '1.2.3.4/',
    '1',
    '4294967295',
    '1.2.3.4.5',
    '010.0.0.1',
    '1.2.3.04',
    '1.2.3.-1',
    '0x7f.0.0.1',
    '1.2.3.4:80',
    '[::1]',
    'localhost',
    '2001:db8::g',
    ':::',
    '1:2:3:4:5:6:7:8:9',
    '12345::1',
    '::ffff:1.2.3',
    '1.2.3.4/-1',
    '1.2.3.4/ 8',
    '1.2.3.4 / 8',
    '1.2.3.4/8/8',
    '/8',
    '1.2.3.4/1234',
    '1.2.3.4/x',
    '::1/0129',
    '2001:db8::/',
  ];
  for (const item of garbage) {
    test(`refuses ${JSON.stringify(item)} with 51000 naming it`, () => {
      assertRefused(item, '51000', `"${item}"`);
    });
  }

  test('one bad item refuses the whole list', () => {
    assertRefused('1.2.3.4, 10.0.0.0/8, nope', '51000', '"nope"');
    assertRefused(['1.2.3.4', '300.0.0.1'], '51000', '"300.0.0.1"');
  });
});

describe('parseIpList: at most 20 entries', () => {
  test('the limit is 20', () => {
    assert.equal(MAX_IPS_PER_KEY, 20);
  });

  test('exactly 20 addresses are accepted', () => {
    const twenty = distinctAddresses(20);
    assert.deepEqual(parseIpList(twenty.join(',')), twenty);
    assert.deepEqual(parseIpList(twenty), twenty);
  });

  test('21 addresses are refused with 59503', () => {
    assertRefused(distinctAddresses(21).join(','), '59503', '21');
    assertRefused(distinctAddresses(21), '59503');
  });

  test('mixed IPv4, IPv6 and segments count alike', () => {
    const mixed = [...distinctAddresses(18), '2001:db8::1', '10.0.0.0/8'];
    assert.equal(parseIpList(mixed).length, 20);
    assertRefused([...mixed, '2001:db8::/32'], '59503');
  });

  test('duplicates and empty items do not count towards the limit', () => {
    const twenty = distinctAddresses(20);
    assert.deepEqual(parseIpList([...twenty, '192.0.2.1', '::ffff:192.0.2.2', '', ' ']), twenty);
    assert.deepEqual(parseIpList(`${twenty.join(',')},,,`), twenty);
  });
});

describe('normalizeIp', () => {
  test('normalises addresses', () => {
    assert.equal(normalizeIp('1.2.3.4'), '1.2.3.4');
    assert.equal(normalizeIp('::ffff:1.2.3.4'), '1.2.3.4');
    assert.equal(normalizeIp('2001:0DB8:0:0::0001'), '2001:db8::1');
  });

  test('returns null for anything that is not a single address', () => {
    for (const text of ['', 'abc', '1.2.3', '0x7f.1', '010.0.0.1', '1.2.3.4/8', '2001:db8::/32', ' 1.2.3.4x']) {
      assert.equal(normalizeIp(text), null, JSON.stringify(text));
    }
  });
});

describe('IpWhitelist', () => {
  test('an empty whitelist admits every client', () => {
    const list = new IpWhitelist([]);
    assert.equal(list.empty, true);
    assert.equal(list.admits('203.0.113.7'), true);
    assert.equal(list.admits('2001:db8::1'), true);
    assert.equal(list.admits('::ffff:203.0.113.7'), true);
  });

  test("a whitelist built from parseIpList('') admits every client", () => {
    assert.equal(new IpWhitelist(parseIpList('')).admits('198.51.100.1'), true);
  });

  test('an exact IPv4 entry admits that address only', () => {
    const list = new IpWhitelist(['203.0.113.7']);
    assert.equal(list.empty, false);
    assert.equal(list.admits('203.0.113.7'), true);
    assert.equal(list.admits('203.0.113.8'), false);
    assert.equal(list.admits('203.0.113.6'), false);
    assert.equal(list.admits('3.0.113.7'), false);
  });

  test('an IPv4 segment admits its range and nothing outside', () => {
    const list = new IpWhitelist(['10.0.0.0/8']);
    assert.equal(list.admits('10.0.0.0'), true);
    assert.equal(list.admits('10.1.2.3'), true);
    assert.equal(list.admits('10.255.255.255'), true);
    assert.equal(list.admits('11.0.0.0'), false);
    assert.equal(list.admits('9.255.255.255'), false);
  });

  test('an exact IPv6 entry admits the address in any spelling', () => {
    const list = new IpWhitelist(['2001:db8::1']);
    assert.equal(list.admits('2001:db8::1'), true);
    assert.equal(list.admits('2001:0DB8:0000:0000:0000:0000:0000:0001'), true);
    assert.equal(list.admits('2001:db8::2'), false);
  });

  test('an IPv6 segment admits its range and nothing outside', () => {
    const list = new IpWhitelist(['2001:db8::/32']);
    assert.equal(list.admits('2001:db8::'), true);
    assert.equal(list.admits('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'), true);
    assert.equal(list.admits('2001:db9::'), false);
    assert.equal(list.admits('2001:db7:ffff::1'), false);
  });

  test('an IPv4-mapped client address is matched as IPv4', () => {
    const list = new IpWhitelist(['203.0.113.7', '10.0.0.0/8']);
    assert.equal(list.admits('::ffff:203.0.113.7'), true);
    assert.equal(list.admits('::ffff:10.20.30.40'), true);
    assert.equal(list.admits('::ffff:203.0.113.8'), false);
    assert.equal(list.admits('::ffff:11.0.0.1'), false);
  });

  test('an IPv4-mapped entry, parsed or given directly, admits the IPv4 client', () => {
    const parsed = new IpWhitelist(parseIpList('::ffff:203.0.113.7'));
    assert.equal(parsed.admits('203.0.113.7'), true);
    assert.equal(parsed.admits('::ffff:203.0.113.7'), true);
    const direct = new IpWhitelist(['::ffff:203.0.113.7']);
    assert.equal(direct.admits('203.0.113.7'), true);
    assert.equal(direct.admits('203.0.113.70'), false);
  });

  test('an IPv6 client is refused by an IPv4-only list', () => {
    assert.equal(new IpWhitelist(['203.0.113.7']).admits('2001:db8::1'), false);
    assert.equal(new IpWhitelist(['0.0.0.0/0']).admits('2001:db8::1'), false);
    assert.equal(new IpWhitelist(['0.0.0.0/0']).admits('::1'), false);
  });

  test('an IPv4 client is refused by an IPv6-only list', () => {
    assert.equal(new IpWhitelist(['2001:db8::1']).admits('203.0.113.7'), false);
    assert.equal(new IpWhitelist(['::/0']).admits('203.0.113.7'), false);
    assert.equal(new IpWhitelist(['::/0']).admits('::ffff:203.0.113.7'), false);
  });

  test('0.0.0.0/0 and ::/0 admit every client of their family', () => {
    assert.equal(new IpWhitelist(['0.0.0.0/0']).admits('198.51.100.1'), true);
    assert.equal(new IpWhitelist(['0.0.0.0/0']).admits('::ffff:198.51.100.1'), true);
    assert.equal(new IpWhitelist(['::/0']).admits('2001:db8::1'), true);
  });

  test('a mixed list admits a client matching any entry', () => {
    const list = new IpWhitelist(parseIpList('203.0.113.7, 10.0.0.0/8, 2001:db8::/32'));
    assert.equal(list.admits('203.0.113.7'), true);
    assert.equal(list.admits('10.9.8.7'), true);
    assert.equal(list.admits('2001:db8::abcd'), true);
    assert.equal(list.admits('192.168.0.1'), false);
    assert.equal(list.admits('2001:db9::1'), false);
  });

  test('a client that is not a plain address is refused by a non-empty list', () => {
    const list = new IpWhitelist(['1.2.3.4', '10.0.0.0/8']);
    for (const client of [
      '',
      'abc',
      '1.2.3',
      '0x01.0x02.0x03.0x04',
      '16909060',
      '1.2.3.4/32',
      '10.0.0.0/8',
      ' 1.2.3.4',
    ]) {
      assert.equal(list.admits(client), false, JSON.stringify(client));
    }
  });

  test('a list of normalised CIDRs keeps its meaning', () => {
    const list = new IpWhitelist(parseIpList('10.1.2.3/8'));
    assert.equal(list.admits('10.200.0.1'), true);
    assert.equal(list.admits('11.1.2.3'), false);
  });
});

describe('IPv4-mapped IPv6 entries and odd forms', () => {
  test('an IPv4-mapped entry must hold a dotted-decimal quad, like a plain IPv4 entry', () => {
    for (const item of ['::ffff:0x7f.0.0.1', '::ffff:010.0.0.1']) {
      assert.throws(
        () => parseIpList(item),
        (e: unknown) => e instanceof RuleError && e.code === '51000',
        item,
      );
    }
  });

  test('an IPv4-mapped CIDR takes an IPv6 prefix length', () => {
    assert.deepEqual(parseIpList('::ffff:1.2.3.4/128'), ['1.2.3.4']);
    assert.deepEqual(parseIpList('::ffff:10.1.2.3/104'), ['10.0.0.0/8']);
    assert.throws(() => parseIpList('::ffff:10.1.2.3/8'), RuleError);
  });

  test('zone ids are refused', () => {
    assert.throws(() => parseIpList('fe80::1%eth0'), RuleError);
    assert.throws(() => parseIpList('fe80::%eth0/64'), RuleError);
  });

  test('a whitelist whose entries cannot be read admits nobody', () => {
    assert.equal(new IpWhitelist(['not-an-ip']).admits('198.51.100.1'), false);
    assert.equal(new IpWhitelist(['not-an-ip']).empty, false);
  });
});
