/**
 * Per-endpoint concurrency limits that BigCommerce documents in its OpenAPI descriptions ("The default
 * rate limit for this endpoint is 40 concurrent requests", "Limit of 3 concurrent requests", "Running
 * more than the allowed number of requests concurrently on the same store will result in a 429"). Keys
 * are `METHOD /version/path` with every path parameter written `{}`.
 */
const CAPS: Record<string, number> = {
  // catalog/categories_catalog.v3.yml
  "GET /v3/catalog/categories": 40,
  "GET /v3/catalog/categories/{}": 40,
  "PUT /v3/catalog/categories/{}": 40,
  "DELETE /v3/catalog/categories/{}": 40,
  // catalog/category-trees_catalog.v3.yml
  "GET /v3/catalog/trees/{}/categories": 1,
  // price_lists.v3.yml
  "DELETE /v3/pricelists/{}": 1,
  "POST /v3/pricelists/records": 10,
  "PUT /v3/pricelists/records": 1,
  "GET /v3/pricelists/{}/records": 10,
  "POST /v3/pricelists/{}/records": 10,
  "PUT /v3/pricelists/{}/records": 2,
  "GET /v3/pricelists/{}/records/{}": 40,
  "GET /v3/pricelists/{}/records/{}/{}": 50,
  "PUT /v3/pricelists/{}/records/{}/{}": 40,
  "DELETE /v3/pricelists/{}/records/{}/{}": 25,
  "PUT /v3/pricelists/{}/assignments": 25,
  // customers.v2.yml
  "GET /v2/customer_groups": 40,
  "POST /v2/customer_groups": 40,
  "DELETE /v2/customer_groups/{}": 40,
  // customers.v3.yml
  "PUT /v3/customers": 3,
  "POST /v3/customers/addresses": 10,
  "PUT /v3/customers/addresses": 3,
  "POST /v3/customers/attributes": 3,
  "PUT /v3/customers/attributes": 3,
  "PUT /v3/customers/attribute-values": 3,
  "PUT /v3/customers/form-field-values": 10,
};

/** The documented concurrency limit of a route (by its stats template), if any. */
export function concurrencyCap(template: string): number | undefined {
  return CAPS[template.replace(/\{[^}]*\}/g, "{}")];
}
