/** A JSON exchange with the test server; `cookies` are sent as a Cookie header. */
export interface CallOptions {
  method?: string;
  body?: unknown;
  bearer?: string;
  cookies?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface CallResult<Body = any> {
  status: number;
  body: Body;
  headers: Headers;
  /** Name → value of every Set-Cookie (empty value = cleared). */
  setCookies: Record<string, string>;
  rawSetCookies: string[];
}

export async function call<Body = any>(baseUrl: string, path: string, options: CallOptions = {}): Promise<CallResult<Body>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  if (options.cookies) {
    headers.cookie = Object.entries(options.cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
  }
  const response = await fetch(`${baseUrl}${path}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  const rawSetCookies = response.headers.getSetCookie();
  const setCookies = Object.fromEntries(
    rawSetCookies.map((cookie) => {
      const [pair] = cookie.split(';');
      const index = pair!.indexOf('=');
      return [pair!.slice(0, index), decodeURIComponent(pair!.slice(index + 1))];
    }),
  );
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers, setCookies, rawSetCookies };
}
