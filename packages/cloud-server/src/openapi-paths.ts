// Apart from openapi.ts so that the start banner names them without loading the server.

/** The OpenAPI 3.1 document. */
export const OPENAPI_DOCUMENT_PATH = '/api/openapi.json';

/** The rendered API reference (Swagger UI). */
export const API_REFERENCE_PATH = '/docs';
