/** The SQL identifier rule the warehouse kinds share (database, schema, table and column names). */
import { z } from "zod";

export const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
export const IDENT_RULE = "must be 1-128 letters, digits or '_' and not start with a digit";

/** A zod string checked against the identifier rule. */
export const identifier = () => z.string().regex(IDENT, IDENT_RULE);
