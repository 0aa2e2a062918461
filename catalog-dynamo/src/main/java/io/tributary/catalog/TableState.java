package io.tributary.catalog;

/** Lifecycle of a table: only ACTIVE tables are assigned to runners; DROPPED keeps the chains. */
public enum TableState {
  ACTIVE, PAUSED, DROPPED
}
