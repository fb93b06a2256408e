import { Link, type Navigate } from '../router.js';

/** `/` when logged out: what signet is, and where to go. */
export function LandingPage({ navigate }: { navigate: Navigate }) {
  return (
    <section className="card narrow landing">
      <h1>signet</h1>
      <p>
        signet gives your trading tools and bots OKX V5 API keys on your own server. Programs written for OKX (ccxt,
        okx-api and others) work unchanged against its paper exchange, with live and demo environments.
      </p>
      <p>In this console you create and manage your API keys, bind them to IP addresses, and see how they are used.</p>
      <div className="actions">
        <Link to="/login" navigate={navigate} className="button">
          Log in
        </Link>
        <Link to="/signup" navigate={navigate} className="button secondary">
          Create an account
        </Link>
      </div>
    </section>
  );
}
