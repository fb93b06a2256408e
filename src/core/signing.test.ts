import assert from 'node:assert/strict';
import { createHash, createHmac, createSecretKey } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  constantTimeEqual,
  parseRestTimestamp,
  parseWsTimestamp,
  SigningKey,
  sign,
  signatureMatches,
  withinWindow,
} from './signing.js';

/** OKX secrets are 32 upper-case hex characters, used as UTF-8 bytes. */
const SECRET = '22582BD0CFF14C41EDBF1AB98506286D';
const OTHER_SECRET = '22582BD0CFF14C41EDBF1AB98506286E';
const TS = '2020-12-08T09:08:57.715Z';

/** HMAC-SHA256 built by hand from RFC 2104 on top of plain SHA-256, to check sign() against. */
function handHmacSha256(key: Buffer, message: Buffer): Buffer {
  const blockSize = 64;
  const k = key.length > blockSize ? createHash('sha256').update(key).digest() : key;
  const padded = Buffer.concat([k, Buffer.alloc(blockSize - k.length)]);
  const ipad = Buffer.from(padded.map((b) => b ^ 0x36));
  const opad = Buffer.from(padded.map((b) => b ^ 0x5c));
  const inner = createHash('sha256')
    .update(Buffer.concat([ipad, message]))
    .digest();
  return createHash('sha256')
    .update(Buffer.concat([opad, inner]))
    .digest();
}

function expectedSign(secret: string, prehash: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(prehash, 'utf8').digest('base64');
}

describe('parseRestTimestamp', () => {
  test('agrees with Date for random instants from 1970 to 2400, at every fraction length', () => {
    for (let i = 0; i < 5000; i++) {
      const at = Math.floor(Math.random() * Date.UTC(2400, 0, 1));
      const iso = new Date(at).toISOString();
      assert.equal(parseRestTimestamp(iso), at, iso);
      assert.equal(parseRestTimestamp(`${iso.slice(0, 19)}Z`), at - (at % 1000), iso);
      assert.equal(parseRestTimestamp(`${iso.slice(0, 21)}Z`), at - (at % 100), iso);
    }
  });

  test("accepts OKX's ISO-8601 UTC timestamp with milliseconds", () => {
    assert.equal(parseRestTimestamp('2020-12-08T09:08:57.715Z'), Date.UTC(2020, 11, 8, 9, 8, 57, 715));
    assert.equal(parseRestTimestamp('1999-01-01T00:00:00.000Z'), Date.UTC(1999, 0, 1, 0, 0, 0, 0));
    assert.equal(parseRestTimestamp('2024-02-29T23:59:59.999Z'), Date.UTC(2024, 1, 29, 23, 59, 59, 999));
  });

  test('accepts 0 to 3 fractional digits, read as a decimal fraction of a second', () => {
    assert.equal(parseRestTimestamp('2020-12-08T09:08:57Z'), Date.UTC(2020, 11, 8, 9, 8, 57, 0));
    assert.equal(parseRestTimestamp('2020-12-08T09:08:57.7Z'), Date.UTC(2020, 11, 8, 9, 8, 57, 700));
    assert.equal(parseRestTimestamp('2020-12-08T09:08:57.71Z'), Date.UTC(2020, 11, 8, 9, 8, 57, 710));
    assert.equal(parseRestTimestamp('2020-12-08T09:08:57.071Z'), Date.UTC(2020, 11, 8, 9, 8, 57, 71));
  });

  test('agrees with Date.parse on a walk through a leap year and a common year', () => {
    for (const year of [2023, 2024]) {
      for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000 + 3_723_001) {
        const text = new Date(t).toISOString();
        assert.equal(parseRestTimestamp(text), Date.parse(text), text);
      }
    }
  });

  test('accepts what new Date().toISOString() produces', () => {
    const ms = Date.UTC(2031, 6, 4, 5, 6, 7, 89);
    assert.equal(parseRestTimestamp(new Date(ms).toISOString()), ms);
  });

  const refused: ReadonlyArray<readonly [string, string]> = [
    ['unix seconds', '1607418537'],
    ['unix milliseconds', '1607418537715'],
    ['unix seconds with fraction', '1607418537.715'],
    ['missing Z', '2020-12-08T09:08:57.715'],
    ['offset instead of Z', '2020-12-08T09:08:57.715+00:00'],
    ['lower-case z and t', '2020-12-08t09:08:57.715z'],
    ['space instead of T', '2020-12-08 09:08:57.715Z'],
    ['four fraction digits (too long)', '2020-12-08T09:08:57.7150Z'],
    ['nanoseconds (too long)', '2020-12-08T09:08:57.715000000Z'],
    ['extended year (too long)', '+002020-12-08T09:08:57.715Z'],
    ['trailing space', '2020-12-08T09:08:57.715Z '],
    ['leading space', ' 2020-12-08T09:08:57.715Z'],
    ['trailing newline', '2020-12-08T09:08:57.715Z\n'],
    ['double Z', '2020-12-08T09:08:57.715ZZ'],
    ['date only', '2020-12-08'],
    ['no seconds', '2020-12-08T09:08Z'],
    ['month 13', '2020-13-08T09:08:57.715Z'],
    ['hour 25', '2020-12-08T25:08:57.715Z'],
    ['minute 60', '2020-12-08T09:60:57.715Z'],
    ['second 60', '2020-12-08T09:08:60.715Z'],
    ['29 February in a common year', '2021-02-29T00:00:00.000Z'],
    ['31 April', '2020-04-31T12:00:00.000Z'],
    ['day 0', '2020-12-00T09:08:57.715Z'],
    ['day 32', '2020-12-32T09:08:57.715Z'],
    ['month 0', '2020-00-08T09:08:57.715Z'],
    ['hour 24', '2020-12-08T24:00:00.000Z'],
    ['a dot without digits', '2020-12-08T09:08:57.Z'],
    ['a comma before the fraction', '2020-12-08T09:08:57,715Z'],
    ['a dash before the fraction', '2020-12-08T09:08:57-715Z'],
    ['letters in the fraction', '2020-12-08T09:08:57.7a5Z'],
    ['letters in the year', '20x0-12-08T09:08:57.715Z'],
    ['slashes in the date', '2020/12/08T09:08:57.715Z'],
    ['one-digit month', '2020-1-08T09:08:57.715Z'],
    ['RFC 1123 date', 'Tue, 08 Dec 2020 09:08:57 GMT'],
    ['non-ASCII digits', '٢٠٢٠-12-08T09:08:57.715Z'],
    ['empty', ''],
    ['garbage', 'yesterday'],
    ['very long garbage', 'x'.repeat(100_000)],
  ];
  for (const [name, text] of refused) {
    test(`refuses ${name}`, () => {
      assert.equal(parseRestTimestamp(text), null);
    });
  }
});

describe('parseWsTimestamp (WebSocket login: Unix seconds)', () => {
  test('whole seconds and up to three fractional digits', () => {
    assert.equal(parseWsTimestamp('1538054050'), 1_538_054_050_000);
    assert.equal(parseWsTimestamp('1538054050.9'), 1_538_054_050_900);
    assert.equal(parseWsTimestamp('1538054050.975'), 1_538_054_050_975);
    assert.equal(parseWsTimestamp('0'), 0);
  });

  test('anything else is refused', () => {
    for (const bad of [
      '',
      ' 1538054050',
      '1538054050 ',
      '-1538054050',
      '1538054050.',
      '.5',
      '1538054050.1234',
      '1e9',
      '0x10',
      '2020-12-08T09:08:57.715Z',
      '153805405012345',
      '15380540a0',
    ]) {
      assert.equal(parseWsTimestamp(bad), null, JSON.stringify(bad));
    }
  });

  test('milliseconds by mistake are far outside any window', () => {
    const now = 1_538_054_050_000;
    assert.equal(parseWsTimestamp(String(now)), null);
  });
});

describe('withinWindow', () => {
  const now = Date.UTC(2020, 11, 8, 9, 8, 57, 715);
  const window = 30_000;

  test('the same moment is within the window', () => {
    assert.equal(withinWindow(now, now, window), true);
  });

  test('exactly 30 s in the past or the future is still accepted', () => {
    assert.equal(withinWindow(now - 30_000, now, window), true);
    assert.equal(withinWindow(now + 30_000, now, window), true);
  });

  test('one millisecond beyond, in either direction, is refused', () => {
    assert.equal(withinWindow(now - 30_001, now, window), false);
    assert.equal(withinWindow(now + 30_001, now, window), false);
  });

  test('far past and far future are refused', () => {
    assert.equal(withinWindow(now - 3_600_000, now, window), false);
    assert.equal(withinWindow(now + 3_600_000, now, window), false);
    assert.equal(withinWindow(0, now, window), false);
  });

  test('a zero window admits only the exact moment', () => {
    assert.equal(withinWindow(now, now, 0), true);
    assert.equal(withinWindow(now - 1, now, 0), false);
    assert.equal(withinWindow(now + 1, now, 0), false);
  });
});

describe('sign', () => {
  test('the hand-built HMAC reproduces RFC 4231 test case 2', () => {
    // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
    const rfc = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    assert.equal(handHmacSha256(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')).toString('hex'), rfc);
  });

  test('reproduces the RFC 4231 vector when the prehash pieces spell its data', () => {
    const rfcBase64 = Buffer.from('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843', 'hex').toString(
      'base64',
    );
    assert.equal(sign('Jefe', 'what do ya', ' want ', 'for ', 'nothing?'), rfcBase64);
  });

  test('matches a hand-built HMAC of timestamp + METHOD + requestPath + body', () => {
    const target = '/api/v5/account/balance?ccy=BTC';
    const prehash = `${TS}GET${target}`;
    const byHand = handHmacSha256(Buffer.from(SECRET, 'utf8'), Buffer.from(prehash, 'utf8')).toString('base64');
    assert.equal(sign(SECRET, TS, 'GET', target), byHand);
  });

  test('matches node:crypto HMAC for a GET with query (body defaults to "")', () => {
    const target = '/api/v5/public/instruments?instType=SPOT&uly=BTC-USD';
    assert.equal(sign(SECRET, TS, 'GET', target), expectedSign(SECRET, `${TS}GET${target}`));
    assert.equal(sign(SECRET, TS, 'GET', target, ''), expectedSign(SECRET, `${TS}GET${target}`));
  });

  test('matches node:crypto HMAC for a POST with a JSON body, string or Buffer', () => {
    const target = '/api/v5/trade/order';
    const body = '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"2.15","sz":"2"}';
    const expected = expectedSign(SECRET, `${TS}POST${target}${body}`);
    assert.equal(sign(SECRET, TS, 'POST', target, body), expected);
    assert.equal(sign(SECRET, TS, 'POST', target, Buffer.from(body, 'utf8')), expected);
  });

  test('signs non-ASCII bodies as UTF-8', () => {
    const body = '{"clOrdId":"b1","tag":"é€😀"}';
    assert.equal(
      sign(SECRET, TS, 'POST', '/api/v5/trade/order', body),
      expectedSign(SECRET, `${TS}POST/api/v5/trade/order${body}`),
    );
  });

  test('a KeyObject secret signs like the secret string', () => {
    const target = '/api/v5/account/config';
    assert.equal(
      sign(createSecretKey(Buffer.from(SECRET, 'utf8')), TS, 'GET', target),
      sign(SECRET, TS, 'GET', target),
    );
  });

  test("the HMAC key is the secret's UTF-8 text, not its hex-decoded bytes", () => {
    const target = '/api/v5/account/balance';
    const hexDecoded = createHmac('sha256', Buffer.from(SECRET, 'hex')).update(`${TS}GET${target}`).digest('base64');
    assert.notEqual(sign(SECRET, TS, 'GET', target), hexDecoded);
  });

  test('the result is 44 characters of padded Base64', () => {
    assert.match(sign(SECRET, TS, 'GET', '/api/v5/account/balance'), /^[A-Za-z0-9+/]{43}=$/);
  });

  test('every part of the prehash changes the signature', () => {
    const base = sign(SECRET, TS, 'POST', '/api/v5/trade/order', '{"a":1}');
    assert.notEqual(sign(OTHER_SECRET, TS, 'POST', '/api/v5/trade/order', '{"a":1}'), base);
    assert.notEqual(sign(SECRET, '2020-12-08T09:08:57.716Z', 'POST', '/api/v5/trade/order', '{"a":1}'), base);
    assert.notEqual(sign(SECRET, TS, 'GET', '/api/v5/trade/order', '{"a":1}'), base);
    assert.notEqual(sign(SECRET, TS, 'POST', '/api/v5/trade/orders', '{"a":1}'), base);
    assert.notEqual(sign(SECRET, TS, 'POST', '/api/v5/trade/order', '{"a":2}'), base);
  });
});

describe('signatureMatches', () => {
  const key = new SigningKey(SECRET);
  const getTarget = '/api/v5/asset/balances?ccy=BTC%2CETH';
  const postTarget = '/api/v5/trade/order';
  const body = '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"market","sz":"100","tag":"abc"}';
  const getSig = expectedSign(SECRET, `${TS}GET${getTarget}`);
  const postSig = expectedSign(SECRET, `${TS}POST${postTarget}${body}`);

  test('true for the right GET target, with no body or an empty body', () => {
    assert.equal(signatureMatches(key, TS, 'GET', getTarget, undefined, getSig), true);
    assert.equal(signatureMatches(key, TS, 'GET', getTarget, Buffer.alloc(0), getSig), true);
  });

  test('true for the right POST body', () => {
    assert.equal(signatureMatches(key, TS, 'POST', postTarget, Buffer.from(body, 'utf8'), postSig), true);
  });

  test('true for what sign() produces', () => {
    const sig = sign(SECRET, TS, 'POST', postTarget, body);
    assert.equal(signatureMatches(key, TS, 'POST', postTarget, Buffer.from(body), sig), true);
  });

  test('false for a changed query', () => {
    assert.equal(signatureMatches(key, TS, 'GET', '/api/v5/asset/balances?ccy=BTC%2CETC', undefined, getSig), false);
    assert.equal(signatureMatches(key, TS, 'GET', '/api/v5/asset/balances?ccy=BTC,ETH', undefined, getSig), false);
    assert.equal(signatureMatches(key, TS, 'GET', '/api/v5/asset/balances', undefined, getSig), false);
    assert.equal(signatureMatches(key, TS, 'GET', `${getTarget}&extra=1`, undefined, getSig), false);
  });

  test('false for reordered query parameters', () => {
    const target = '/api/v5/trade/order?instId=BTC-USDT&ordId=1';
    const sig = expectedSign(SECRET, `${TS}GET${target}`);
    assert.equal(
      signatureMatches(key, TS, 'GET', '/api/v5/trade/order?ordId=1&instId=BTC-USDT', undefined, sig),
      false,
    );
  });

  test('false for a changed body', () => {
    assert.equal(
      signatureMatches(key, TS, 'POST', postTarget, Buffer.from(body.replace('"100"', '"1000"')), postSig),
      false,
    );
    assert.equal(signatureMatches(key, TS, 'POST', postTarget, Buffer.from(`${body} `), postSig), false);
    assert.equal(signatureMatches(key, TS, 'POST', postTarget, undefined, postSig), false);
    assert.equal(
      signatureMatches(key, TS, 'POST', postTarget, Buffer.from(JSON.stringify(JSON.parse(body), null, 1)), postSig),
      false,
    );
  });

  test('false for a different timestamp or method', () => {
    assert.equal(signatureMatches(key, '2020-12-08T09:08:57.716Z', 'GET', getTarget, undefined, getSig), false);
    assert.equal(signatureMatches(key, TS, 'POST', getTarget, undefined, getSig), false);
    assert.equal(signatureMatches(key, TS, 'get', getTarget, undefined, getSig), false);
  });

  test('false for a different secret', () => {
    const other = new SigningKey(OTHER_SECRET);
    assert.equal(signatureMatches(other, TS, 'GET', getTarget, undefined, getSig), false);
    assert.equal(
      signatureMatches(key, TS, 'GET', getTarget, undefined, expectedSign(OTHER_SECRET, `${TS}GET${getTarget}`)),
      false,
    );
  });

  test('false for a signature of the wrong length', () => {
    for (const provided of ['', getSig.slice(0, 43), `${getSig}A`, ` ${getSig}`, `${getSig}${getSig}`]) {
      assert.equal(signatureMatches(key, TS, 'GET', getTarget, undefined, provided), false, JSON.stringify(provided));
    }
  });

  test('false for 44 characters that are not Base64 of 32 bytes', () => {
    const notBase64 = [
      '!'.repeat(44),
      ' '.repeat(44),
      `${'*'.repeat(43)}=`,
      `${getSig.slice(0, 40)}====`,
      Buffer.from(getSig).toString('hex').slice(0, 44),
    ];
    for (const provided of notBase64) {
      assert.equal(provided.length, 44);
      assert.equal(signatureMatches(key, TS, 'GET', getTarget, undefined, provided), false, JSON.stringify(provided));
    }
  });

  test('false for a well-formed signature with one character changed', () => {
    const first = getSig[0] === 'A' ? 'B' : 'A';
    assert.equal(signatureMatches(key, TS, 'GET', getTarget, undefined, `${first}${getSig.slice(1)}`), false);
  });
});

describe('constantTimeEqual', () => {
  test('true for equal strings', () => {
    assert.equal(constantTimeEqual('', ''), true);
    assert.equal(constantTimeEqual('abc', 'abc'), true);
    assert.equal(
      constantTimeEqual(
        sign(SECRET, TS, 'GET', '/api/v5/account/balance'),
        sign(SECRET, TS, 'GET', '/api/v5/account/balance'),
      ),
      true,
    );
  });

  test('false when any character differs, wherever it is', () => {
    const base = 'TRTJpNbVhdCR8ow91URVh/4ugefpb3zUL+l13aFNQXk=';
    for (let i = 0; i < base.length; i++) {
      const changed = `${base.slice(0, i)}${base[i] === 'A' ? 'B' : 'A'}${base.slice(i + 1)}`;
      assert.equal(constantTimeEqual(base, changed), false, `position ${i}`);
    }
    assert.equal(constantTimeEqual('a', 'A'), false);
    assert.equal(constantTimeEqual('é', 'e'), false);
  });

  test('false when the lengths differ, including prefixes and the empty string', () => {
    assert.equal(constantTimeEqual('abc', 'abcd'), false);
    assert.equal(constantTimeEqual('abcd', 'abc'), false);
    assert.equal(constantTimeEqual('', 'a'), false);
    assert.equal(constantTimeEqual('a', ''), false);
    assert.equal(constantTimeEqual('ab', 'abc'), false);
  });
});

test('years before 1970 are refused rather than misread (Date.UTC maps 0-99 to 19xx)', () => {
  assert.equal(parseRestTimestamp('0099-01-01T00:00:00.000Z'), null);
  assert.equal(parseRestTimestamp('1969-12-31T23:59:59.999Z'), null);
  assert.equal(parseRestTimestamp('2024-02-29T00:00:00.000Z'), Date.UTC(2024, 1, 29));
  assert.equal(parseRestTimestamp('2100-02-29T00:00:00.000Z'), null);
});

describe('the signature covers the request target exactly as sent, as OKX checks it', () => {
  const secret = '0123456789ABCDEF0123456789ABCDEF';
  const key = new SigningKey(secret);
  const ts = '2026-01-01T00:00:00.000Z';
  test('a signature over the target as sent matches, encoded or not', () => {
    const encoded = '/api/v5/x?after=a+b:c&ccy=BTC%2CETH';
    assert.equal(signatureMatches(key, ts, 'GET', encoded, undefined, sign(secret, ts, 'GET', encoded)), true);
    const plain = '/api/v5/x?ccy=BTC,ETH';
    assert.equal(signatureMatches(key, ts, 'GET', plain, undefined, sign(secret, ts, 'GET', plain)), true);
  });
  test('a signature over another spelling of the query does not authenticate the request (OKX answers 50113)', () => {
    const sig = sign(secret, ts, 'GET', '/api/v5/x?after=a b:c&ccy=BTC,ETH');
    assert.equal(signatureMatches(key, ts, 'GET', '/api/v5/x?after=a+b:c&ccy=BTC%2CETH', undefined, sig), false);
    const encodedSig = sign(secret, ts, 'GET', '/api/v5/x?ccy=BTC%2CETH');
    assert.equal(signatureMatches(key, ts, 'GET', '/api/v5/x?ccy=BTC,ETH', undefined, encodedSig), false);
  });
});
