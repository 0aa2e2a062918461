package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Bad arguments: one clear line on stderr and a non-zero exit, nothing on stdout, no stack trace. */
class ArgumentErrorsTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = CliMain.commandLine(null);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static void oneLine(Run r, String... contains) {
        assertThat(r.code()).as(r.err()).isNotZero();
        assertThat(r.err().strip()).as("one line").doesNotContain("\n").startsWith("tributary: ");
        assertThat(r.err()).doesNotContain("Exception").contains(contains);
    }

    @Test
    void usageErrorsAreOneLineWithExit2() {
        Run missing = run("produce", "--count", "10");
        oneLine(missing, "--topic");
        assertThat(missing.code()).isEqualTo(2);
        oneLine(run("table", "create"), "--file");
        oneLine(run("audit"), "TABLE");
        oneLine(run("query", "clicks"), "SQL");
        oneLine(run("compact"), "TABLE");
        oneLine(run("sweep", "t", "--dry-run", "--bogus"), "--bogus");
        oneLine(run("retention"), "TABLE");
        oneLine(run("produce", "--topic", "t", "--count", "many"), "--count", "many");
        oneLine(run("nonsense"), "nonsense");
    }

    @Test
    void badValuesAreOneLineWithExit1() {
        Run r = run("produce", "--topic", "t", "--count", "-1");
        oneLine(r, "--count must be >= 0");
        assertThat(r.code()).isEqualTo(1);
        oneLine(run("produce", "--topic", "t", "--count", "5", "--bad-ratio", "2"), "--bad-ratio must be between 0 and 1");
        oneLine(run("produce", "--topic", "bad topic!", "--count", "5"), "not a valid Kafka topic name");
        oneLine(run("table", "create", "-f", "/nonexistent/t.yaml"), "/nonexistent/t.yaml: no such file");
        oneLine(run("status", "--interval", "0"), "--interval must be positive");
        oneLine(run("table", "list", "--scheduler", "nohost"), "--scheduler: expected host:port");
        oneLine(run("demo", "--events", "0"), "--events must be >= 1");
        oneLine(run("compact", "t", "--target-size", "lots"), "--target-size must be a size like 128MB");
        oneLine(run("compact", "t", "--target-size", "0MB"), "--target-size must be positive");
        oneLine(run("sweep", "t", "--grace", "soon"), "--grace must be a duration like 1s");
    }

    @Test
    void helpListsEveryCommand() {
        Run r = run("--help");
        assertThat(r.code()).isZero();
        for (String c : new String[] {"demo", "local", "scheduler", "runner", "table", "status", "audit", "produce", "query", "compact",
            "sweep", "retention"}) {
            assertThat(r.out()).containsPattern("(?m)^\\s+" + c + "\\s");
        }
        for (String c : new String[] {"table create", "status", "audit", "produce", "query", "demo", "runner", "scheduler",
            "compact", "sweep", "retention"}) {
            Run h = run((c + " --help").split(" "));
            assertThat(h.code()).as(c).isZero();
            assertThat(h.out()).as(c).contains("Usage: tributary " + c);
        }
    }
}
