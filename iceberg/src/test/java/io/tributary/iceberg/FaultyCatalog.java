package io.tributary.iceberg;

import java.util.List;
import java.util.Map;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Schema;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * A real Iceberg catalog whose tables' commits pass through a hook, to inject the rare faults the
 * real servers do not produce on demand: a lost swap response, a crash between writing metadata and
 * the swap, a racing publisher committing first. Everything else is the real catalog.
 */
final class FaultyCatalog implements Catalog {
  /** Called with (base, metadata, realCommit) instead of the commit; run realCommit to swap. */
  interface Hook {
    void commit(TableMetadata base, TableMetadata metadata, Runnable realCommit);
  }

  private final Catalog delegate;
  volatile Hook hook;

  FaultyCatalog(Catalog delegate) {
    this.delegate = delegate;
  }

  @Override
  public Table loadTable(TableIdentifier id) {
    Table t = delegate.loadTable(id);
    TableOperations ops = ((HasTableOperations) t).operations();
    return new BaseTable(new Ops(ops), t.name());
  }

  @Override
  public List<TableIdentifier> listTables(org.apache.iceberg.catalog.Namespace namespace) {
    return delegate.listTables(namespace);
  }

  @Override
  public boolean dropTable(TableIdentifier id, boolean purge) {
    return delegate.dropTable(id, purge);
  }

  @Override
  public void renameTable(TableIdentifier from, TableIdentifier to) {
    delegate.renameTable(from, to);
  }

  @Override
  public TableBuilder buildTable(TableIdentifier id, Schema schema) {
    return delegate.buildTable(id, schema);
  }

  @Override
  public Table createTable(TableIdentifier id, Schema schema, PartitionSpec spec, String location,
      Map<String, String> properties) {
    return delegate.createTable(id, schema, spec, location, properties);
  }

  @Override
  public String name() {
    return "faulty-" + delegate.name();
  }

  private final class Ops extends ForwardingTableOperations {
    Ops(TableOperations ops) {
      super(ops);
    }

    @Override
    public void commit(TableMetadata base, TableMetadata metadata) {
      Hook h = hook;
      if (h == null) {
        ops.commit(base, metadata);
      } else {
        h.commit(base, metadata, () -> ops.commit(base, metadata));
      }
    }
  }
}
