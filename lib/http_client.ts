/** Outbound HTTP; the shape of `fetch`, injected so tests can route it. */
export type HttpClient = (request: Request) => Promise<Response>;

/** The runtime's `fetch`. */
export const fetchHttpClient: HttpClient = (request) => fetch(request);
