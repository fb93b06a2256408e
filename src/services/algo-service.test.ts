import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TRADING } from '../core/ledger.js';
import { AlgoService } from './algo-service.js';
import { LedgerService } from './ledger-service.js';
import { addUser, balanceOf, memoryStore, ruleError, T0 } from './test-store.test-helpers.js';
import { TradingService } from './trading-service.js';

const FEES = { maker: '0.0008', taker: '0.001' };
/** A market stop-loss selling `sz` BTC when the price falls to 50000. */
const stopLoss = (sz: string) => ({
  instId: 'BTC-USDT',
  tdMode: 'cash',
  side: 'sell',
  ordType: 'conditional',
  sz,
  slTriggerPx: '50000',
  slOrdPx: '-1',
});

async function exchange() {
  const store = memoryStore();
  const ledger = new LedgerService(store);
  const trading = new TradingService(store, ledger, FEES);
  await ledger.start();
  await trading.start();
  const algos = new AlgoService(store, trading, ledger, () => T0);
  await algos.start(T0);
  const user = async (email: string) => {
    const u = await addUser(store, email);
    await ledger.deposit(u.id, 'live', TRADING, 'USDT', '100000', T0);
    await ledger.deposit(u.id, 'live', TRADING, 'BTC', '1', T0);
    return u.id;
  };
  const limit = (side: 'buy' | 'sell', px: string, sz: string) => ({
    instId: 'BTC-USDT',
    tdMode: 'cash',
    side,
    ordType: 'limit',
    px,
    sz,
  });
  return { store, ledger, trading, algos, user, limit };
}

describe('AlgoService', () => {
  test('an attached TP/SL waits for its parent, goes live with the fill, and is canceled with an unfilled parent', async () => {
    const { store, ledger, trading, algos, user, limit } = await exchange();
    const [a, b] = [await user('a@x.io'), await user('b@x.io')];
    const attach = { attachAlgoOrds: [{ slTriggerPx: '50000', slOrdPx: '-1', attachAlgoClOrdId: 'sl1' }] };
    const parent = await algos.placeOrder(a, 'live', { ...limit('buy', '60000', '0.1'), ...attach }, T0);
    assert.equal(parent.state, 'live');
    assert.deepEqual(
      (await algos.attachedTo(a, 'live', parent.ordId)).map((c) => c.state),
      ['waiting'],
    );
    assert.equal(await algos.find(a, 'live', { algoClOrdId: 'sl1' }), null);
    await trading.place(b, 'live', limit('sell', '60000', '0.1'), T0);
    await algos.engine.idle();
    // The buy rested, so it paid the maker fee (0.08%) in BTC: the stop sells what came in.
    const live = await algos.find(a, 'live', { algoClOrdId: 'sl1' });
    assert.deepEqual([live?.state, live?.side, live?.sz, live?.frozen], ['live', 'sell', '0.09992', '0.09992']);
    assert.deepEqual(await balanceOf(ledger, a, 'live', TRADING, 'BTC'), { avail: '1', frozen: '0.09992' });

    const lower = { attachAlgoOrds: [{ slTriggerPx: '35000', slOrdPx: '-1' }] };
    const unfilled = await algos.placeOrder(a, 'live', { ...limit('buy', '40000', '0.1'), ...lower }, T0);
    await trading.cancel(a, 'live', { instId: 'BTC-USDT', ordId: unfilled.ordId }, T0);
    await algos.engine.idle();
    assert.deepEqual(
      (await store.childAlgos(a, 'live', unfilled.ordId)).map((c) => c.state),
      ['canceled'],
    );
  });

  test('a refused parent drops its attached TP/SL; a TP/SL on the wrong side of the price is refused', async () => {
    const { store, algos, user, limit } = await exchange();
    const a = await user('a@x.io');
    const attach = { attachAlgoOrds: [{ tpTriggerPx: '70000', tpOrdPx: '-1' }] };
    await assert.rejects(
      algos.placeOrder(a, 'live', { ...limit('buy', '60000', '5'), ...attach }, T0),
      ruleError('51008'),
    );
    assert.deepEqual(await store.unfinishedAlgos(), []);
    const wrong = { attachAlgoOrds: [{ tpTriggerPx: '50000', tpOrdPx: '-1' }] };
    await assert.rejects(
      algos.placeOrder(a, 'live', { ...limit('buy', '60000', '0.1'), ...wrong }, T0),
      ruleError('51046'),
    );
  });

  test('two engines seeing the same trades fire an algo once (the store decides)', async () => {
    const { store, ledger, trading, algos, user, limit } = await exchange();
    const second = new AlgoService(store, trading, ledger, () => T0);
    await second.start(T0);
    const [a, b, c] = [await user('a@x.io'), await user('b@x.io'), await user('c@x.io')];
    const stop = await algos.place(a, 'live', stopLoss('0.5'), T0);
    await trading.place(b, 'live', limit('buy', '49000', '2'), T0);
    await trading.place(
      c,
      'live',
      { instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'market', sz: '0.01' },
      T0,
    );
    await Promise.all([algos.engine.idle(), second.engine.idle()]);
    const fired = await algos.find(a, 'live', { algoId: stop.algoId });
    assert.deepEqual([fired?.state, fired?.placing, fired?.actualSide], ['effective', false, 'sl']);
    const sells = (await trading.listOrders(a, 'live', { open: false, limit: 100 })).filter((o) => o.side === 'sell');
    assert.deepEqual(
      sells.map((o) => [o.ordId, o.accFillSz]),
      [[fired?.ordId, '0.5']],
    );
    assert.deepEqual(await balanceOf(ledger, a, 'live', TRADING, 'BTC'), { avail: '0.5', frozen: '0' });
  });

  test('crash recovery: a fired algo whose order was not stored is placed once; one whose order was stored is not placed again', async () => {
    const { store, ledger, trading, algos, user, limit } = await exchange();
    const [a, b] = [await user('a@x.io'), await user('b@x.io')];
    await trading.place(b, 'live', limit('buy', '49000', '2'), T0);
    const place = () =>
      algos.place(
        a,
        'live',
        {
          instId: 'BTC-USDT',
          tdMode: 'cash',
          side: 'sell',
          ordType: 'trigger',
          sz: '0.1',
          triggerPx: '45000',
          orderPx: '-1',
        },
        T0,
      );
    // As the engine leaves it when the process dies right after winning live → effective.
    const lost = await place();
    const firedLost = {
      ...lost,
      state: 'effective' as const,
      placing: true,
      ordId: '9000000001',
      actualSz: '0.1',
      actualPx: '-1',
    };
    assert.ok(await store.transitionAlgo(firedLost, { state: 'live' }, [], T0));
    // And one whose order was stored before the process died.
    const stored = await place();
    const firedStored = {
      ...stored,
      state: 'effective' as const,
      placing: true,
      ordId: '9000000002',
      actualSz: '0.1',
      actualPx: '-1',
    };
    assert.ok(await store.transitionAlgo(firedStored, { state: 'live' }, [], T0));
    const req = { instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'market', sz: '0.1', tgtCcy: 'base_ccy' };
    await trading.place(a, 'live', req, T0, { ordId: '9000000002' });

    const restarted = new AlgoService(store, trading, ledger, () => T0);
    await restarted.start(T0);
    assert.deepEqual(await store.unfinishedAlgos(), []);
    const sells = (await trading.listOrders(a, 'live', { open: false, limit: 100 })).map((o) => o.ordId).sort();
    assert.deepEqual(sells, ['9000000001', '9000000002']);
    assert.equal(await restarted.sync(T0), 0);
    assert.deepEqual(await balanceOf(ledger, a, 'live', TRADING, 'BTC'), { avail: '0.8', frozen: '0' });
  });

  test('a trade stored just before a crash, never evaluated, still fires the algos it crossed at start-up', async () => {
    const { store, ledger, trading, algos, user, limit } = await exchange();
    const [a, b, c] = [await user('a@x.io'), await user('b@x.io'), await user('c@x.io')];
    await trading.place(b, 'live', limit('buy', '60000', '0.01'), T0);
    await trading.place(c, 'live', limit('sell', '60000', '0.01'), T0);
    const stop = await algos.place(a, 'live', stopLoss('0.1'), T0);
    await algos.engine.idle();
    // The crossing trade is made by a process whose engine dies before it sees it (a second
    // TradingService on the same store, no algo engine listening).
    const dying = new TradingService(store, ledger, FEES);
    await dying.start();
    await dying.place(b, 'live', limit('buy', '49000', '1'), T0);
    await dying.place(c, 'live', limit('sell', '49000', '0.01'), T0);
    assert.equal((await algos.find(a, 'live', { algoId: stop.algoId }))?.state, 'live');

    const restartedTrading = new TradingService(store, ledger, FEES);
    await restartedTrading.start();
    const restarted = new AlgoService(store, restartedTrading, ledger, () => T0);
    await restarted.start(T0);
    await restarted.engine.idle();
    const fired = await restarted.find(a, 'live', { algoId: stop.algoId });
    assert.deepEqual([fired?.state, fired?.placing, fired?.actualSide], ['effective', false, 'sl']);
    const sells = (await restartedTrading.listOrders(a, 'live', { open: false, limit: 100 })).map((o) => [
      o.ordId,
      o.accFillSz,
    ]);
    assert.deepEqual(sells, [[fired?.ordId, '0.1']]);
    assert.deepEqual(await balanceOf(ledger, a, 'live', TRADING, 'BTC'), { avail: '0.9', frozen: '0' });
  });
  test('a trade made between reading the last price and storing a new algo is checked against it', async () => {
    const { trading, ledger, algos, user, limit } = await exchange();
    const [a, b, c] = [await user('a@x.io'), await user('b@x.io'), await user('c@x.io')];
    await trading.place(b, 'live', limit('buy', '60000', '0.01'), T0);
    await trading.place(c, 'live', limit('sell', '60000', '0.01'), T0);
    await algos.engine.idle();
    // The interleaving forced: the price is read (60000), then a trade at 49000 is made and
    // evaluated while the algo is not stored yet.
    const read = algos.engine.last.bind(algos.engine);
    algos.engine.last = async () => '60000';
    await trading.place(b, 'live', limit('buy', '49000', '1'), T0);
    await trading.place(c, 'live', limit('sell', '49000', '0.01'), T0);
    await algos.engine.idle();
    const stop = await algos.place(a, 'live', stopLoss('0.1'), T0);
    algos.engine.last = read;
    await algos.engine.idle();
    const fired = await algos.find(a, 'live', { algoId: stop.algoId });
    assert.deepEqual([fired?.state, fired?.actualSide], ['effective', 'sl']);
    assert.deepEqual(await balanceOf(ledger, a, 'live', TRADING, 'BTC'), { avail: '0.9', frozen: '0' });
  });
});
