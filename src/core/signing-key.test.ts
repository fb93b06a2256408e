import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { describe, test } from 'node:test';
import { SigningKey } from './signing.js';

const reference = (key: Buffer, text: string, body?: Buffer): string => {
  const h = createHmac('sha256', key).update(text, 'utf8');
  if (body !== undefined) h.update(body);
  return h.digest('base64');
};

/** True when `key` accepts `expected` as the signature of `text` (UTF-8) followed by `body`. */
const accepts = (key: SigningKey, text: string, body: Buffer | undefined, expected: string): boolean =>
  key.matches('', '', text, body, expected);

/** An ASCII string of `n` characters (one UTF-8 byte each). */
const ascii = (n: number): string => Buffer.from(randomBytes(n).map((b) => 0x20 + (b % 0x5f))).toString('latin1');

describe('SigningKey', () => {
  test('RFC 4231 test cases 1-4, 6 and 7 (short, long and longer-than-a-block keys and messages)', () => {
    const cases: Array<[key: Buffer, data: Buffer, hex: string]> = [
      [
        Buffer.alloc(20, 0x0b),
        Buffer.from('Hi There'),
        'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
      ],
      [
        Buffer.from('Jefe'),
        Buffer.from('what do ya want for nothing?'),
        '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      ],
      [
        Buffer.alloc(20, 0xaa),
        Buffer.alloc(50, 0xdd),
        '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
      ],
      [
        Buffer.from('0102030405060708090a0b0c0d0e0f10111213141516171819', 'hex'),
        Buffer.alloc(50, 0xcd),
        '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
      ],
      [
        Buffer.alloc(131, 0xaa),
        Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
        '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
      ],
      [
        Buffer.alloc(131, 0xaa),
        Buffer.from(
          'This is a test using a larger than block-size key and a larger than block-size data. ' +
            'The key needs to be hashed before being used by the HMAC algorithm.',
        ),
        '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
      ],
    ];
    for (const [key, data, hex] of cases) {
      const expected = Buffer.from(hex, 'hex').toString('base64');
      const hmac = new SigningKey(key);
      // As text (UTF-8, so only where the bytes are ASCII) and as a body (bytes).
      if (data.every((b) => b < 0x80)) assert.ok(accepts(hmac, data.toString('latin1'), undefined, expected));
      assert.ok(accepts(hmac, '', data, expected));
    }
  });

  test('equals createHmac at every message length over several blocks, as text, text + body and three parts', () => {
    const key = new SigningKey('22582BD0CFF14C41EDBF1AB98506286D');
    const raw = Buffer.from('22582BD0CFF14C41EDBF1AB98506286D');
    for (let n = 0; n <= 300; n++) {
      const text = ascii(n);
      const expected = reference(raw, text);
      assert.ok(accepts(key, text, undefined, expected), `text of ${n}`);
      const cut = n >> 1;
      const body = Buffer.from(text.slice(cut), 'latin1');
      assert.ok(accepts(key, text.slice(0, cut), body, expected), `text ${cut} + body ${n - cut}`);
      // In three parts, as OKX's prehash comes (timestamp, method, target).
      const third = Math.floor(n / 3);
      const [a, b, c] = [text.slice(0, third), text.slice(third, 2 * third), text.slice(2 * third)];
      assert.equal(key.matches(a, b, c, undefined, expected), true, `three parts of ${n}`);
      assert.equal(key.matches(a, b, `${c}x`, undefined, expected), false, `three parts of ${n}, one more byte`);
    }
  });

  test('equals createHmac for random keys (short, 64 bytes, longer than a block) and messages, many sizes', () => {
    for (let i = 0; i < 400; i++) {
      const key = randomBytes([0, 1, 16, 32, 63, 64, 65, 100, 200][i % 9] ?? 32);
      const text = i % 2 === 0 ? ascii(randomInt(0, 300)) : randomBytes(randomInt(0, 300)).toString('latin1');
      const body = i % 3 === 0 ? undefined : randomBytes(randomInt(0, i % 7 === 0 ? 70_000 : 500));
      assert.ok(accepts(new SigningKey(key), text, body, reference(key, text, body)), `case ${i}`);
    }
  });

  test('a string secret is its UTF-8 text; non-ASCII text is hashed as UTF-8', () => {
    const text = '2020-12-08T09:08:57.715ZPOST/api/v5/trade/order{"tag":"é€😀"}';
    const okx = '22582BD0CFF14C41EDBF1AB98506286D';
    assert.ok(accepts(new SigningKey(okx), text, undefined, reference(Buffer.from(okx), text)));
    assert.ok(
      accepts(new SigningKey('pässwörd-€'), text, undefined, reference(Buffer.from('pässwörd-€', 'utf8'), text)),
    );
    // ASCII text with a non-ASCII body: the body is bytes, hashed as they are.
    const body = Buffer.from('{"tag":"é€😀"}');
    assert.ok(accepts(new SigningKey('k'), 'ts', body, reference(Buffer.from('k'), 'ts', body)));
  });

  test('matches: true only for the exact Base64 signature', () => {
    const raw = randomBytes(32);
    const key = new SigningKey(raw);
    const order = '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"market","sz":"100"}';
    const cases = [
      ['2020-12-08T09:08:57.715Z', 'GET', '/api/v5/account/balance', undefined],
      ['2020-12-08T09:08:57.715Z', 'POST', '/api/v5/trade/order', Buffer.from(order)],
      ['x', 'POST', '/', randomBytes(2000)],
      ['t', 'GET', '/é?q=€😀', undefined],
      ['2020-12-08T09:08:57.715Z', 'GET', `/api/v5/market/books?instId=${'é'.repeat(200)}`, undefined],
    ] as const;
    for (const [ts, method, target, body] of cases) {
      const good = reference(raw, ts + method + target, body);
      assert.equal(key.matches(ts, method, target, body, good), true);
      for (let i = 0; i < 44; i++) {
        const changed = `${good.slice(0, i)}${good[i] === 'A' ? 'B' : 'A'}${good.slice(i + 1)}`;
        assert.equal(key.matches(ts, method, target, body, changed), false, `character ${i} changed`);
      }
      const notAscii = [
        `${good.slice(0, 43)}é`,
        `é${good.slice(1)}`,
        'é'.repeat(44),
        '\ud800'.repeat(44),
        `${good.slice(0, 42)}😀`,
        '€'.repeat(44),
      ];
      const base64url = Buffer.from(good, 'base64').toString('base64url');
      for (const wrong of ['', good.slice(0, 43), `${good}=`, good.toLowerCase(), base64url, ...notAscii]) {
        if (wrong !== good) assert.equal(key.matches(ts, method, target, body, wrong), false, wrong);
      }
    }
  });

  test('a character split between the prehash parts is the one character, as in the joined prehash', () => {
    const raw = Buffer.from('k');
    const key = new SigningKey(raw);
    const emoji = '😀';
    const joined = reference(raw, `ts${emoji}/path`);
    assert.equal(key.matches(`ts${emoji[0]}`, `${emoji[1]}/path`, '', undefined, joined), true);
    assert.equal(key.matches('ts', emoji[0] ?? '', `${emoji[1]}/path`, undefined, joined), true);
  });

  test('keys do not disturb each other', () => {
    const a = new SigningKey('A'.repeat(32));
    const b = new SigningKey('B'.repeat(32));
    const rawA = Buffer.from('A'.repeat(32));
    const big = randomBytes(50_000);
    assert.ok(accepts(a, 'x', big, reference(rawA, 'x', big)));
    assert.ok(accepts(b, 'z'.repeat(100), undefined, reference(Buffer.from('B'.repeat(32)), 'z'.repeat(100))));
    assert.ok(accepts(a, 'short', undefined, reference(rawA, 'short')));
    // Another key's signature is refused.
    assert.equal(accepts(b, 'short', undefined, reference(rawA, 'short')), false);
  });
});
