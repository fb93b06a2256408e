import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/migrations.js';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.js';

/**
 * A database records how many migrations it has applied, by position: an entry edited, removed or
 * inserted before the end makes every database made earlier run the wrong SQL on upgrade. The
 * released entries' hashes, in order (SHA-256, first 12 hex digits); a new entry is appended to
 * the list and its hash here.
 */
const RELEASED = {
  sqlite: [
    'd176839229eb',
    'b4096fdef1a8',
    'f15fe18d3d68',
    'fa61ce333e02',
    '43f7fc4f07e7',
    '44dbd5b3ea27',
    '9df0d65690de',
    'b465049bdc58',
    'd3bcd47be775',
    '6232de016bc8',
    '69a211e8852c',
    'eed07930d65d',
    '7f21200f76f5',
    '6b0d59d14415',
    '7c4523984986',
    '14fbc94b24dd',
    '15793fd2bb03',
    '355441eb626c',
    '0fd17301774b',
    '082cf5bde856',
    '508180b27080',
    'ab0be8258e7a',
    'fdd6d7541216',
    '03086dc799ad',
    'b97543fdc0af',
  ],
  postgres: [
    'ecbc150fdf93',
    'a43074580700',
    'd3bcd47be775',
    '2f24d656eff2',
    '35e4279f05d5',
    'cc169f8c7d3e',
    '7f21200f76f5',
    'ae9023044b2c',
    '54f8b8c83c22',
    '5ab71c9325af',
    'b443055d4b9b',
    'a048e683e692',
    '1b3ca2c1740d',
    '1a8990fade58',
    '2d9c683b6cf5',
    'da97733ce58b',
    'fdd6d7541216',
    'a6d82d8d34f2',
    '6091d77d34b6',
  ],
};

const hash = (sql: string) => createHash('sha256').update(sql).digest('hex').slice(0, 12);

for (const [name, list] of [
  ['sqlite', SQLITE_MIGRATIONS],
  ['postgres', POSTGRES_MIGRATIONS],
] as const) {
  test(`${name} migrations: released entries unchanged and in place, new ones only appended`, () => {
    const released = RELEASED[name];
    assert.ok(list.length >= released.length, `${released.length - list.length} released entries removed`);
    assert.deepEqual(list.slice(0, released.length).map(hash), released);
  });
}
