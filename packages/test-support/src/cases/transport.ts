/** The transport domain's calls as data, shared by the client's unit test and the server's OpenAPI test. */

/** A URL builder call as data: arguments and the exact URL. */
export interface UrlCase {
  method: 'workspaceEventsUrl' | 'sessionEventsUrl';
  args: unknown[];
  url: string;
}

export const transportUrlCases: UrlCase[] = [
  { method: 'workspaceEventsUrl', args: [], url: 'https://cloud.test/api/events' },
  { method: 'workspaceEventsUrl', args: [0], url: 'https://cloud.test/api/events' },
  { method: 'workspaceEventsUrl', args: [12], url: 'https://cloud.test/api/events?after=12' },
  { method: 'sessionEventsUrl', args: ['s1'], url: 'https://cloud.test/api/sessions/s1/events' },
  { method: 'sessionEventsUrl', args: ['s1', 0], url: 'https://cloud.test/api/sessions/s1/events' },
  { method: 'sessionEventsUrl', args: ['a/b?c#d', 3], url: 'https://cloud.test/api/sessions/a%2Fb%3Fc%23d/events?after=3' },
];
