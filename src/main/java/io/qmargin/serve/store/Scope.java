package io.qmargin.serve.store;

/**
 * What an API key may do: enrol (and remove), verify and identify, administer keys and subjects.
 */
public enum Scope {
  ENROL,
  VERIFY,
  ADMIN
}
