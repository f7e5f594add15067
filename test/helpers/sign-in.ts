// Browser sessions as a person gets them: the sign-in form's CSRF pair, a session signed in through it with the API
// token, and a wearer's session signed in with Oura.
import { browse, CookieJar } from "./browser.ts";

export interface Session {
  cookie: string;
  csrf: string;
}

const setCookies = (response: Response) => response.headers.getSetCookie().map((c) => c.split(";")[0]!);

/** The sign-in form's CSRF cookie and hidden field. */
export async function signInForm(base: URL): Promise<Session> {
  const page = await fetch(new URL("/dashboard", base), { redirect: "manual" });
  const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)?.[1];
  if (!csrf) throw new Error("no _csrf field on the sign-in page");
  return { cookie: setCookies(page).join("; "), csrf };
}

/** A browser session, signed in with the API token through the form, and its CSRF token. */
export async function signInSession(base: URL, apiToken: string): Promise<Session> {
  const form = await signInForm(base);
  const response = await fetch(new URL("/dashboard/sign-in", base), {
    method: "POST",
    redirect: "manual",
    headers: { cookie: form.cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: form.csrf, token: apiToken }),
  });
  const session = setCookies(response).find((c) => c.startsWith("oura_session="));
  if (response.status !== 303 || !session) throw new Error(`sign-in failed: ${response.status}`);
  const status = (await (await fetch(new URL("/auth/status", base), { headers: { cookie: session } })).json()) as { csrf_token: string };
  return { cookie: session, csrf: status.csrf_token };
}

/**
 * A wearer's browser session, signed in with Oura (the fake: `userId` is whom its consent page signs in), as a person
 * gets it: /auth/login, the fake's consent, the callback, back on /dashboard. With its CSRF token and role.
 */
export async function signInWithOura(fake: { nextAuthorizeUser: string }, base: string, userId: string): Promise<Session & { role: string }> {
  fake.nextAuthorizeUser = userId;
  const jar = new CookieJar();
  const visit = await browse(jar, `${base}/auth/login`, ["/dashboard"]);
  if (visit.url.pathname !== "/dashboard") throw new Error(`sign-in with Oura ended at ${visit.url.pathname} (${visit.response.status})`);
  const cookie = jar.header(new URL(base));
  const status = (await (await fetch(`${base}/auth/status`, { headers: { cookie } })).json()) as { csrf_token: string; role: string };
  return { cookie, csrf: status.csrf_token, role: status.role };
}
