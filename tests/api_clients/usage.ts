// Calling the API from a TypeScript front end through the client `make client` generates
// into ./client. The template's tests compile this file with `tsc --strict`.
import { Api, type ErrorResponse, type UserRead } from './client';
import { client } from './client/client.gen';

// Bearer: the token from `login` goes with every call that needs a user.
let token: string | undefined;
client.setConfig({
  baseUrl: 'http://127.0.0.1:8000',
  auth: (scheme) => (scheme.scheme === 'bearer' ? token : undefined),
});

// A browser app can use the HttpOnly session cookie instead: no token in JavaScript at
// all. Its origin must be in the API's CORS_ORIGINS (cookie-carrying writes from other
// origins are refused).
export function useTheSessionCookie(apiUrl: string): void {
  client.setConfig({ baseUrl: apiUrl, credentials: 'include', auth: undefined });
}

// `code` is a union of the codes the API answers with: a typo is a compile error.
export function explain({ error }: ErrorResponse): string {
  switch (error.code) {
    case 'validation_error':
      return 'Check the highlighted fields.';
    case 'too_many_requests':
      return 'Too many attempts: wait a little.';
    case 'email_not_verified':
      return 'Open the link we emailed you first.';
    // @ts-expect-error: no such code; the API never answers with it.
    case 'no_such_code':
      return 'unreachable';
    default:
      return error.message;
  }
}

export async function signUpAndIn(email: string, password: string): Promise<UserRead> {
  const registered = await Api.auth.register({ body: { email, password, name: 'Ada' } });
  if (registered.error) {
    throw new Error(explain(registered.error));
  }
  const login = await Api.auth.login({ body: { email, password } });
  if (login.error) {
    throw new Error(explain(login.error));
  }
  token = login.data.access_token;
  const me = await Api.users.readMe();
  if (me.error) {
    throw new Error(explain(me.error));
  }
  return me.data;
}

// An error branch narrowed by status, then by code.
export async function renameMe(name: string): Promise<UserRead | null> {
  const { data, error, response } = await Api.users.updateMe({ body: { name } });
  if (error === undefined) {
    return data;
  }
  if (response.status === 401 && error.error.code === 'not_authenticated') {
    token = undefined;
    return null;
  }
  throw new Error(explain(error));
}
