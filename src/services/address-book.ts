import { type NewAddressInput, validateWithdrawalAddress } from '../core/withdrawal-address.js';
import type { FundingStore, WithdrawalAddress } from '../store/store.js';

/** The withdrawal address book; the rules live in core/withdrawal-address.ts. */
export class AddressBook {
  constructor(private readonly store: FundingStore) {}

  list(userId: number): Promise<WithdrawalAddress[]> {
    return this.store.listWithdrawalAddresses(userId);
  }

  /** Checks the entry (RuleError naming the field) without saving: callers check 2FA after this. */
  validate(input: NewAddressInput): NewAddressInput {
    return validateWithdrawalAddress(input, 0);
  }

  async add(userId: number, input: NewAddressInput, now: number): Promise<WithdrawalAddress> {
    const valid = validateWithdrawalAddress(input, 0);
    return this.store.addWithdrawalAddress({ userId, ...valid, createdAt: now }, (count) => {
      validateWithdrawalAddress(valid, count);
    });
  }

  remove(userId: number, id: number): Promise<boolean> {
    return this.store.deleteWithdrawalAddress(userId, id);
  }
}
