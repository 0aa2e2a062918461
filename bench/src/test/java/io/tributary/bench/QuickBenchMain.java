package io.tributary.bench;

import java.nio.file.Path;
import java.util.LinkedHashSet;

/**
 * {@code tributary bench --quick --out DIR} without the CLI (which is built after this module):
 * what {@link BenchQuickIT} runs in a child JVM. Home is {@code -Dtributary.home}.
 */
final class QuickBenchMain {
    private QuickBenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("--out")) {
            System.err.println("usage: QuickBenchMain --out DIR");
            System.exit(2);
        }
        Path home = Path.of(System.getProperty("tributary.home", ".")).toAbsolutePath().normalize();
        Benchmark.run(home, Path.of(args[1]).toAbsolutePath(), true, null, new LinkedHashSet<>(Benchmark.STAGES), false, false);
        System.exit(0);
    }
}
