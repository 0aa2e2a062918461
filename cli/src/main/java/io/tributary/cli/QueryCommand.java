package io.tributary.cli;

import io.tributary.catalog.AwsClients;
import io.tributary.catalog.ColumnType;
import io.tributary.catalog.LiveParts;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code tributary query TABLE "SQL"}: SQL (DuckDB) over exactly the parts the catalog lists as
 * committed, exposed as a view named after the table.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = {"Run SQL (DuckDB) over a table's committed Parquet parts.",
            "Reads exactly the live parts its commit chains list (a compacted object instead of the parts it replaced; nothing at or below a retention checkpoint), downloaded to a temporary directory and exposed as a view named after the table.",
            "Example: tributary query clicks \"SELECT country, count(*) FROM clicks GROUP BY 1 ORDER BY 2 DESC\""})
public class QueryCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TABLE", description = "Table name (also the view's name)")
    String table;
    @Parameters(index = "1", paramLabel = "SQL", description = "The query")
    String sql;
    @Option(names = "--max-rows", defaultValue = "50", description = "Print at most this many rows (default ${DEFAULT-VALUE})")
    int maxRows;

    @Override
    public Integer call() {
        if (maxRows < 1) {
            throw new CliException("--max-rows must be >= 1, got " + maxRows);
        }
        System.out.print(run(Home.env(), table, sql, maxRows));
        return 0;
    }

    /** Runs the query and renders the result as a text table with a footer line. */
    static String run(Map<String, String> env, String table, String sql, int maxRows) {
        try (CatalogAccess c = new CatalogAccess(env)) {
            StoredTable t = c.call(cat -> cat.getTable(table))
                    .orElseThrow(() -> new CliException("no table '" + table + "' in catalog " + CatalogAccess.tableName(env)));
            List<String> keys = c.call(cat -> {
                return liveKeys(cat, table);
            });
            try (S3Client s3 = AwsClients.s3(env); PartFiles files = new PartFiles(s3, t.definition().output().bucket())) {
                List<Path> paths;
                try {
                    paths = files.getAll(keys);
                } catch (PartFiles.MissingObject e) {
                    throw new CliException("a committed part cannot be read: " + e.getMessage());
                }
                return execute(t.definition(), paths, sql, maxRows);
            }
        }
    }

    /** The query's result rows as Java values (DuckDB's JDBC types), for callers that compare results. */
    static List<List<Object>> values(Map<String, String> env, String table, String sql) {
        try (CatalogAccess c = new CatalogAccess(env)) {
            StoredTable t = c.call(cat -> cat.getTable(table))
                    .orElseThrow(() -> new CliException("no table '" + table + "' in catalog " + CatalogAccess.tableName(env)));
            List<String> keys = c.call(cat -> {
                return liveKeys(cat, table);
            });
            try (S3Client s3 = AwsClients.s3(env); PartFiles files = new PartFiles(s3, t.definition().output().bucket());
                    Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
                List<Path> paths = files.getAll(keys);
                String view = quoteIdent(t.definition().name());
                if (paths.isEmpty()) {
                    st.execute("CREATE VIEW " + view + " AS SELECT * FROM (SELECT " + emptyColumns(t.definition()) + ") WHERE false");
                } else {
                    StringBuilder list = new StringBuilder("[");
                    for (int i = 0; i < paths.size(); i++) {
                        list.append(i == 0 ? "" : ", ").append('\'').append(paths.get(i).toString().replace("'", "''")).append('\'');
                    }
                    st.execute("CREATE VIEW " + view + " AS SELECT * FROM read_parquet(" + list + "], union_by_name = true)");
                }
                List<List<Object>> out = new ArrayList<>();
                try (ResultSet rs = st.executeQuery(sql)) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        List<Object> row = new ArrayList<>(n);
                        for (int i = 1; i <= n; i++) {
                            row.add(rs.getObject(i));
                        }
                        out.add(row);
                    }
                }
                return out;
            } catch (PartFiles.MissingObject e) {
                throw new CliException("a committed part cannot be read: " + e.getMessage());
            } catch (SQLException e) {
                throw new CliException("DuckDB: " + CatalogAccess.firstLine(e.getMessage()));
            }
        }
    }

    /**
     * The keys of the objects that serve the table's rows now ({@link LiveParts}): each commit record's
     * data parts after the retention checkpoint, a compaction link's one object instead of the parts it
     * replaced.
     */
    static List<String> liveKeys(io.tributary.catalog.Catalog cat, String table) {
        List<String> ks = new ArrayList<>();
        for (int p : cat.partitions(table)) {
            for (LiveParts.Part part : LiveParts.of(cat, table, p)) {
                ks.add(part.object().key());
            }
        }
        return ks;
    }

    static String execute(TableDefinition def, List<Path> paths, String sql, int maxRows) {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
            String view = quoteIdent(def.name());
            if (paths.isEmpty()) {
                st.execute("CREATE VIEW " + view + " AS SELECT * FROM (SELECT " + emptyColumns(def) + ") WHERE false");
            } else {
                StringBuilder list = new StringBuilder("[");
                for (int i = 0; i < paths.size(); i++) {
                    list.append(i == 0 ? "" : ", ").append('\'').append(paths.get(i).toString().replace("'", "''")).append('\'');
                }
                list.append(']');
                st.execute("CREATE VIEW " + view + " AS SELECT * FROM read_parquet(" + list + ", union_by_name = true)");
            }
            long t0 = System.nanoTime();
            boolean hasRows;
            try {
                hasRows = st.execute(sql);
            } catch (SQLException e) {
                throw new CliException("query failed: " + CatalogAccess.firstLine(e.getMessage()));
            }
            if (!hasRows) {
                return "ok (" + paths.size() + " parts)\n";
            }
            try (ResultSet rs = st.getResultSet()) {
                ResultSetMetaData md = rs.getMetaData();
                int n = md.getColumnCount();
                String[] headers = new String[n];
                List<Integer> right = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    headers[i] = md.getColumnLabel(i + 1);
                    if (numeric(md.getColumnType(i + 1))) {
                        right.add(i);
                    }
                }
                TextTable tt = new TextTable(headers).right(right.stream().mapToInt(Integer::intValue).toArray());
                long rows = 0;
                while (rs.next()) {
                    rows++;
                    if (rows <= maxRows) {
                        Object[] cells = new Object[n];
                        for (int i = 0; i < n; i++) {
                            Object v = rs.getObject(i + 1);
                            cells[i] = v == null ? "NULL" : v.toString();
                        }
                        tt.row(cells);
                    }
                }
                double ms = (System.nanoTime() - t0) / 1e6;
                return tt.render("") + String.format("(%,d row%s%s; %d committed parts; %.0f ms)%n", rows, rows == 1 ? "" : "s",
                        rows > maxRows ? ", first " + maxRows + " shown" : "", paths.size(), ms);
            }
        } catch (SQLException e) {
            throw new CliException("DuckDB: " + CatalogAccess.firstLine(e.getMessage()));
        }
    }

    private static boolean numeric(int type) {
        return switch (type) {
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT, Types.DOUBLE, Types.FLOAT, Types.REAL,
                Types.DECIMAL, Types.NUMERIC -> true;
            default -> false;
        };
    }

    static String quoteIdent(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** {@code NULL::TYPE AS name, ...} for every column of a table with no parts yet. */
    static String emptyColumns(TableDefinition def) {
        List<String> cols = new ArrayList<>();
        for (TableDefinition.Column c : def.columns()) {
            cols.add("NULL::" + duckType(c.type()) + " AS " + quoteIdent(c.name()));
        }
        for (String m : def.metadata()) {
            String type = switch (m) {
                case "_partition" -> "INTEGER";
                case "_offset" -> "BIGINT";
                case "_timestamp" -> "TIMESTAMPTZ";
                default -> "VARCHAR";
            };
            cols.add("NULL::" + type + " AS " + quoteIdent(m));
        }
        return String.join(", ", cols);
    }

    static String duckType(ColumnType t) {
        String s = t.toString();
        if (s.startsWith("decimal")) {
            return s.toUpperCase(java.util.Locale.ROOT);
        }
        return switch (s) {
            case "int" -> "INTEGER";
            case "long" -> "BIGINT";
            case "double" -> "DOUBLE";
            case "boolean" -> "BOOLEAN";
            case "timestamp" -> "TIMESTAMPTZ";
            case "date" -> "DATE";
            default -> "VARCHAR";
        };
    }
}
