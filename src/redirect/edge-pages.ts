/** The edge's tiny bodies. Kept static: nothing from the request is ever echoed into them. */
export const NOT_FOUND_PAGE =
  '<!doctype html><meta charset="utf-8"><title>Link not found</title><h1>Link not found</h1>\n';
export const GONE_PAGE =
  '<!doctype html><meta charset="utf-8"><title>Link no longer active</title><h1>This link is no longer active</h1>\n';
export const UNAVAILABLE_BODY = 'Temporarily unavailable, please retry.\n';
