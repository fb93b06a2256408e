/**
 * The one catalogue of OKX error codes signet answers with, each with its HTTP status and
 * OKX's message. `{0}` in a message is a placeholder filled by `okxMessage`.
 * A test (errors.test.ts) checks every row that ../shared/okx-v5.md lists against this table.
 */
export const OKX_ERRORS = {
  // General; '1' and '2' are the top-level codes of batch answers (all failed / some failed)
  '1': { status: 200, msg: 'All operations failed' },
  '2': { status: 200, msg: 'Bulk operation partially succeeded.' },
  '400': { status: 400, msg: 'Bad Request' },
  '404': { status: 404, msg: 'Not Found' },
  '50000': { status: 400, msg: 'Body for POST request cannot be empty.' },
  // The gateway's upstream refused the connection or failed mid-way (50001), or sent no answer in time (50004).
  '50001': { status: 503, msg: 'Service temporarily unavailable. Please try again later.' },
  '50004': {
    status: 400,
    msg: 'API endpoint request timeout (does not mean that the request was successful or failed, please check the request result).',
  },
  '50002': { status: 400, msg: 'JSON syntax error' },
  '50008': { status: 413, msg: 'Request body is too large.' },
  '50011': {
    status: 429,
    msg: 'Rate limit reached. Please refer to API documentation and throttle requests accordingly.',
  },
  '50013': { status: 429, msg: 'Systems are busy. Please try again later.' },
  '50014': { status: 400, msg: 'Parameter {0} cannot be empty.' },
  '50026': { status: 500, msg: 'System error. Try again later.' },
  // Authentication
  '50035': { status: 403, msg: 'This endpoint requires that APIKey must be bound to IP' },
  '50100': { status: 400, msg: 'API frozen, please contact customer service.' },
  '50101': { status: 401, msg: 'APIKey does not match current environment.' },
  '50102': { status: 401, msg: 'Timestamp request expired.' },
  '50103': { status: 401, msg: 'Request header "OK-ACCESS-KEY" cannot be empty.' },
  '50104': { status: 401, msg: 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.' },
  '50105': { status: 401, msg: 'Request header "OK-ACCESS-PASSPHRASE" incorrect.' },
  '50106': { status: 401, msg: 'Request header "OK-ACCESS-SIGN" cannot be empty.' },
  '50107': { status: 401, msg: 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty.' },
  '50110': { status: 401, msg: "Your IP {0} is not included in your API key's IP whitelist." },
  '50111': { status: 401, msg: 'Invalid OK-ACCESS-KEY.' },
  '50112': { status: 401, msg: 'Invalid OK-ACCESS-TIMESTAMP.' },
  '50113': { status: 401, msg: 'Invalid signature.' },
  '50114': { status: 401, msg: 'Invalid authorization.' },
  '50115': { status: 405, msg: 'Invalid request method.' },
  // Fast API (Connect): one key per (user, app); only registered apps; bound keys only.
  '50116': { status: 400, msg: 'Fast API allow to create only one API key' },
  '50117': { status: 400, msg: 'Only API Brokers can create Fast API keys' },
  '50118': {
    status: 400,
    msg: 'To link the app using your API key, your broker needs to share their IP whitelist with OKX',
  },
  '50119': { status: 200, msg: "API key doesn't exist" },
  '50120': { status: 200, msg: "This API key doesn't have permission to use this function" },
  // Parameters
  '51000': { status: 200, msg: 'Parameter {0} error' },
  '51001': { status: 200, msg: "Instrument ID doesn't exist." },
  '51008': { status: 200, msg: 'Order failed. Insufficient {0} balance in account.' },
  // Trading
  '51016': { status: 200, msg: 'Duplicated clOrdId' },
  // OKX documents the code (more than 20 live tag-level cancel-all-after countdowns), not its wording.
  '51071': { status: 200, msg: 'You have reached the maximum of 20 tag-level cancel all after timers.' },
  '51020': { status: 200, msg: 'Your order should meet or exceed the minimum order amount.' },
  '51111': { status: 200, msg: 'Maximum {0} orders can be placed in bulk.' },
  // Algo orders (TP/SL, trigger, trailing)
  '51046': { status: 200, msg: 'The take profit trigger price must be higher than the order price' },
  '51047': { status: 200, msg: 'The stop loss trigger price must be lower than the order price' },
  '51048': { status: 200, msg: 'The take profit trigger price must be lower than the order price' },
  '51049': { status: 200, msg: 'The stop loss trigger price must be higher than the order price' },
  '51065': { status: 200, msg: 'algoClOrdId already exists.' },
  '51257': { status: 200, msg: 'Trail order callback rate error' },
  '51258': {
    status: 200,
    msg: 'Trail - order placement failed. The trigger price of a sell order should be higher than the last transaction price',
  },
  '51259': {
    status: 200,
    msg: 'Trail - order placement failed. The trigger price of a buy order should be lower than the last transaction price',
  },
  '51277': { status: 200, msg: 'TP trigger price can not be higher than the last price' },
  '51278': { status: 200, msg: 'SL trigger price can not be lower than the last price' },
  '51279': { status: 200, msg: 'TP trigger price can not be lower than the last price' },
  '51280': { status: 200, msg: 'SL trigger price can not be higher than the last price' },
  '51121': { status: 200, msg: 'Order quantity must be a multiple of the lot size.' },
  '51400': { status: 200, msg: 'Order cancellation failed as the order has been filled, canceled or does not exist.' },
  '51503': { status: 200, msg: 'Order modification failed as the order has been filled, canceled or does not exist.' },
  '51603': { status: 200, msg: "Order doesn't exist." },
  // Funding
  '58114': { status: 200, msg: 'Transfer amount must be greater than 0.' },
  '58115': { status: 200, msg: 'Sub-account does not exist.' },
  '58119': { status: 200, msg: '{0} Sub-account has no permission to transfer out, please set first.' },
  '58123': { status: 200, msg: 'The From parameter cannot be the same as the To parameter.' },
  '58127': {
    status: 200,
    msg: "Main account API key does not support current transfer 'type' parameter. Please refer to the API documentation.",
  },
  '58128': {
    status: 200,
    msg: "Sub-account API key does not support current transfer 'type' parameter. Please refer to the API documentation.",
  },
  '58205': { status: 200, msg: 'Withdrawal amount exceeds the upper limit.' },
  '58206': { status: 200, msg: 'Withdrawal amount is lower than the lower limit.' },
  '58207': { status: 200, msg: "Withdrawal address isn't on the verified address list." },
  '58215': { status: 200, msg: "Withdrawal ID doesn't exist." },
  '58216': { status: 200, msg: 'Operation not allowed.' },
  '58350': { status: 200, msg: 'Insufficient balance.' },
  // Sub-accounts (OKX's master-account endpoints)
  '59500': { status: 200, msg: 'Only the API key of the main account has permission.' },
  // API key management (sub-account key endpoints and the shared key rules)
  '59501': { status: 200, msg: 'Each account can create up to 50 API keys' },
  '59502': { status: 200, msg: 'This note name already exists' },
  '59503': { status: 200, msg: 'Each API key can bind up to 20 IP addresses' },
  '59505': { status: 200, msg: 'The passphrase format is incorrect.' },
  '59506': { status: 200, msg: "API key doesn't exist." },
  '59507': {
    status: 200,
    msg: 'The two accounts involved in a transfer must be 2 different sub-accounts under the same main account.',
  },
  '59508': { status: 200, msg: 'The sub account of {0} is suspended.' },
  '59510': { status: 200, msg: 'Sub-account does not exist' },
  '59601': { status: 200, msg: 'Subaccount name already exists.' },
  '59603': { status: 200, msg: 'Maximum number of subaccounts reached.' },
  // WebSocket API (no HTTP status: sent in `event` messages; status 200 is a placeholder)
  '60001': { status: 200, msg: 'OK-ACCESS-KEY can not be empty' },
  '60002': { status: 200, msg: 'OK-ACCESS-SIGN can not be empty' },
  '60003': { status: 200, msg: 'OK-ACCESS-PASSPHRASE can not be empty' },
  '60004': { status: 200, msg: 'Invalid timestamp' },
  '60005': { status: 200, msg: 'Invalid apiKey' },
  '60006': { status: 200, msg: 'Timestamp request expired' },
  '60007': { status: 200, msg: 'Invalid sign' },
  '60009': { status: 200, msg: 'Login failed.' },
  '60011': { status: 200, msg: 'Please log in' },
  // "Illegal request: <the request>": ccxt reads the request's id back out of this message.
  '60012': { status: 200, msg: 'Illegal request: {0}' },
  '60013': { status: 200, msg: 'Invalid args' },
  '60014': { status: 200, msg: 'Requests too frequent' },
  '60015': { status: 200, msg: 'Connection closed as there was no data transmission in the last {0} seconds' },
  '60016': { status: 200, msg: 'Buffer is full, cannot write data' },
  '60018': {
    status: 200,
    msg: "Wrong URL or channel:{0} doesn't exist. Please use the correct URL, channel and parameters referring to API document.",
  },
  '60019': { status: 200, msg: 'Invalid op: {0}' },
  '60020': { status: 200, msg: 'Subscription amount exceeds the limit {0}.' },
  '60024': { status: 200, msg: 'Wrong passphrase' },
  '60027': { status: 200, msg: 'Parameter {0} can not be empty.' },
  '60028': {
    status: 200,
    msg: 'The current operation is not supported by this URL. Please use the correct WebSocket URL for the operation.',
  },
  '60030': { status: 200, msg: 'The WebSocket endpoint does not allow multiple or repeated logins.' },
  '60031': { status: 200, msg: 'The WebSocket endpoint does not support multiple account batch login.' },
  '60032': { status: 200, msg: "API key doesn't exist." },
  '63999': { status: 200, msg: 'Login failed due to internal error. Please try again later.' },
  '64008': { status: 200, msg: 'The connection will soon be closed for a service upgrade. Please reconnect.' },
} as const satisfies Record<string, { status: number; msg: string }>;

export type OkxCode = keyof typeof OKX_ERRORS;

/** OKX's message for a code, with `{0}` replaced by `arg` when given. */
export function okxMessage(code: OkxCode, arg?: string): string {
  const msg: string = OKX_ERRORS[code].msg;
  // A function replacement, so that '$&' or "$'" in the argument stay literal.
  return arg === undefined ? msg : msg.replace('{0}', () => arg);
}

/**
 * A rule broken by a caller's input: carries the OKX code (for the API) and a readable message
 * that names the field and the rule (for the CLI and console). Thrown by services, mapped to a
 * response in exactly one place per edge.
 */
export class RuleError extends Error {
  readonly code: OkxCode;
  readonly field: string | undefined;
  constructor(code: OkxCode, message: string, field?: string) {
    super(message);
    this.name = 'RuleError';
    this.code = code;
    this.field = field;
  }
}

/**
 * Several rules broken at once (each a RuleError with its field), so a form can show every
 * problem in one answer. Its own code, field and message are the first problem's; the message
 * joins them all for edges that print one line (CLI, V5).
 */
export class RuleErrors extends RuleError {
  readonly problems: readonly RuleError[];
  constructor(problems: readonly RuleError[]) {
    const first = problems[0];
    if (first === undefined) throw new Error('RuleErrors needs at least one problem');
    super(first.code, problems.map((p) => p.message).join('; '), first.field);
    this.name = 'RuleErrors';
    this.problems = problems;
  }
}
