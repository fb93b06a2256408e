import type { AlgoStore } from './algo.js';
import type { AppStore } from './apps.js';
import type { ClusterStore } from './cluster.js';
import type { ExchangeStore } from './exchange.js';
import type { FundingStore } from './funding.js';
import type { GatewayTokenStore } from './gateway-tokens.js';
import type { KeyStore } from './keys.js';
import type { LedgerStore } from './ledger.js';
import type { Store } from './store.js';
import type { SubTransferStore } from './sub-transfers.js';
import type { SubAccountStore } from './subaccounts.js';
import type { TimerStore } from './timers.js';
import type { UserStore } from './users.js';
import type { NotifyStore } from './webhooks.js';

/** An adapter's aggregates, one object per narrow interface. */
export interface StoreParts {
  users: UserStore;
  keys: KeyStore;
  ledger: LedgerStore;
  exchange: ExchangeStore;
  funding: FundingStore;
  cluster: ClusterStore;
  timers: TimerStore;
  algo: AlgoStore;
  apps: AppStore;
  webhooks: NotifyStore;
  subAccounts: SubAccountStore;
  subTransfers: SubTransferStore;
  gatewayTokens: GatewayTokenStore;
}

/**
 * One Store from an adapter's aggregates: each method is the owning aggregate's, bound to it.
 * Written out method by method so that the compiler checks every one (no reflection).
 *
 * @example const store = composeStore({ users, keys, ledger, exchange, funding, cluster, algo, apps });
 */
export function composeStore({
  users: u,
  keys: k,
  ledger: l,
  exchange: x,
  funding: f,
  cluster: c,
  timers: t,
  algo: a,
  apps: p,
  webhooks: w,
  subAccounts: s,
  subTransfers: st,
  gatewayTokens: g,
}: StoreParts): Store {
  return {
    createUser: u.createUser.bind(u),
    findUserByEmail: u.findUserByEmail.bind(u),
    findUserById: u.findUserById.bind(u),
    findUsersByIds: u.findUsersByIds.bind(u),
    createSession: u.createSession.bind(u),
    findSession: u.findSession.bind(u),
    verifySession: u.verifySession.bind(u),
    deleteSession: u.deleteSession.bind(u),
    deleteExpiredSessions: u.deleteExpiredSessions.bind(u),
    getTotp: u.getTotp.bind(u),
    saveTotp: u.saveTotp.bind(u),
    acceptTotpStep: u.acceptTotpStep.bind(u),
    useRecoveryCode: u.useRecoveryCode.bind(u),
    changeAccount: u.changeAccount.bind(u),
    recordLogin: u.recordLogin.bind(u),
    listUsers: u.listUsers.bind(u),

    createKey: k.createKey.bind(k),
    updateKey: k.updateKey.bind(k),
    reviseKey: k.reviseKey.bind(k),
    deleteKey: k.deleteKey.bind(k),
    getKey: k.getKey.bind(k),
    recentKeys: k.recentKeys.bind(k),
    listKeys: k.listKeys.bind(k),
    touchKeys: k.touchKeys.bind(k),
    upgradePassphraseHash: k.upgradePassphraseHash.bind(k),
    recordKeyIps: k.recordKeyIps.bind(k),
    listKeyIps: k.listKeyIps.bind(k),
    listKeysIps: k.listKeysIps.bind(k),
    deleteExpiredKeys: k.deleteExpiredKeys.bind(k),
    listExpiredKeys: k.listExpiredKeys.bind(k),
    latestAuditId: k.latestAuditId.bind(k),
    keyChangesSince: k.keyChangesSince.bind(k),
    listAudit: k.listAudit.bind(k),
    listKeyAudit: k.listKeyAudit.bind(k),
    recordRejections: k.recordRejections.bind(k),
    listKeyRejections: k.listKeyRejections.bind(k),

    getBalances: l.getBalances.bind(l),
    latestLedgerId: l.latestLedgerId.bind(l),
    ledgerChangesSince: l.ledgerChangesSince.bind(l),
    applyEntries: l.applyEntries.bind(l),
    listBills: l.listBills.bind(l),
    findTransfer: l.findTransfer.bind(l),
    ensureDepositAddress: l.ensureDepositAddress.bind(l),
    findDepositAddress: l.findDepositAddress.bind(l),
    creditDeposit: l.creditDeposit.bind(l),
    fillBillAmounts: l.fillBillAmounts.bind(l),

    runBookOperation: x.runBookOperation.bind(x),
    runBookBatch: x.runBookBatch.bind(x),
    bookVersions: x.bookVersions.bind(x),
    bookChangesSince: x.bookChangesSince.bind(x),
    openOrders: x.openOrders.bind(x),
    findOrder: x.findOrder.bind(x),
    listOrders: x.listOrders.bind(x),
    listFills: x.listFills.bind(x),
    lastFills: x.lastFills.bind(x),
    listPublicTrades: x.listPublicTrades.bind(x),
    publicTradeHistory: x.publicTradeHistory.bind(x),

    insertWithdrawal: f.insertWithdrawal.bind(f),
    transitionWithdrawal: f.transitionWithdrawal.bind(f),
    findWithdrawal: f.findWithdrawal.bind(f),
    listWithdrawals: f.listWithdrawals.bind(f),
    pendingWithdrawals: f.pendingWithdrawals.bind(f),
    listDeposits: f.listDeposits.bind(f),
    addWithdrawalAddress: f.addWithdrawalAddress.bind(f),
    listWithdrawalAddresses: f.listWithdrawalAddresses.bind(f),
    deleteWithdrawalAddress: f.deleteWithdrawalAddress.bind(f),

    setCancelAfter: t.setCancelAfter.bind(t),
    clearCancelAfter: t.clearCancelAfter.bind(t),
    dueCancelAfter: t.dueCancelAfter.bind(t),
    firedCancelAfter: t.firedCancelAfter.bind(t),

    reserveIds: c.reserveIds.bind(c),
    claimInterval: c.claimInterval.bind(c),
    holdLease: c.holdLease.bind(c),
    releaseLease: c.releaseLease.bind(c),
    onKeyChanges: c.onKeyChanges.bind(c),
    sealedValue: c.sealedValue.bind(c),
    resealSecrets: c.resealSecrets.bind(c),
    schemaVersion: c.schemaVersion.bind(c),
    close: c.close.bind(c),

    insertAlgos: a.insertAlgos.bind(a),
    transitionAlgo: a.transitionAlgo.bind(a),
    findAlgo: a.findAlgo.bind(a),
    listAlgos: a.listAlgos.bind(a),
    liveAlgos: a.liveAlgos.bind(a),
    unfinishedAlgos: a.unfinishedAlgos.bind(a),
    childAlgos: a.childAlgos.bind(a),
    childAlgosOf: a.childAlgosOf.bind(a),
    algoChangesSince: a.algoChangesSince.bind(a),

    createApp: p.createApp.bind(p),
    getApp: p.getApp.bind(p),
    listApps: p.listApps.bind(p),
    updateApp: p.updateApp.bind(p),
    deleteApp: p.deleteApp.bind(p),
    listAppKeys: p.listAppKeys.bind(p),
    saveOAuthCode: p.saveOAuthCode.bind(p),
    takeOAuthCode: p.takeOAuthCode.bind(p),
    saveAccessToken: p.saveAccessToken.bind(p),
    findAccessToken: p.findAccessToken.bind(p),
    latestAppChangeId: p.latestAppChangeId.bind(p),
    appChangesSince: p.appChangesSince.bind(p),
    createWebhook: w.createWebhook.bind(w),
    listWebhooks: w.listWebhooks.bind(w),
    webhooksOf: w.webhooksOf.bind(w),
    deleteWebhook: w.deleteWebhook.bind(w),
    deleteWebhookById: w.deleteWebhookById.bind(w),
    notificationFeed: w.notificationFeed.bind(w),
    addDeliveries: w.addDeliveries.bind(w),
    claimDeliveries: w.claimDeliveries.bind(w),
    finishDelivery: w.finishDelivery.bind(w),
    listDeliveries: w.listDeliveries.bind(w),
    warnExpiringKeys: w.warnExpiringKeys.bind(w),
    listExpiryWarnings: w.listExpiryWarnings.bind(w),

    createSubAccount: s.createSubAccount.bind(s),
    getSubAccount: s.getSubAccount.bind(s),
    subAccountOf: s.subAccountOf.bind(s),
    listSubAccounts: s.listSubAccounts.bind(s),
    updateSubAccount: s.updateSubAccount.bind(s),
    setSubAccountEnabled: s.setSubAccountEnabled.bind(s),
    applySubTransfer: st.applySubTransfer.bind(st),
    findSubTransfer: st.findSubTransfer.bind(st),
    listSubTransfers: st.listSubTransfers.bind(st),
    createGatewayToken: g.createGatewayToken.bind(g),
    listGatewayTokens: g.listGatewayTokens.bind(g),
    findGatewayToken: g.findGatewayToken.bind(g),
    deleteGatewayToken: g.deleteGatewayToken.bind(g),
  };
}
