import { Link, type Navigate } from '../router.js';

/** Any path the console does not have (the server answers it with status 404 and this app). */
export function NotFoundPage({ path, signedIn, navigate }: { path: string; signedIn: boolean; navigate: Navigate }) {
  return (
    <section className="card narrow">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{path}</code> in this console. The address may be mistyped, or the page may have
        moved.
      </p>
      <p>
        {signedIn ? (
          <Link to="/account/my-api" navigate={navigate}>
            Go to your API keys
          </Link>
        ) : (
          <Link to="/" navigate={navigate}>
            Go to the start page
          </Link>
        )}
      </p>
    </section>
  );
}
