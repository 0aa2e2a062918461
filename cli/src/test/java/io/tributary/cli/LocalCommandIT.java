package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tributary local up|status|down} through the real CLI: endpoints answer, down leaves no process. */
class LocalCommandIT {

    @TempDir
    Path state;

    @AfterEach
    void down() throws Exception {
        CliProcess.run(state, Map.of(), "local", "down");
    }

    @Test
    void upStatusDownLeavesNoProcessBehind() throws Exception {
        CliProcess.Result up = CliProcess.run(state, Map.of(), "local", "up");
        assertThat(up.exitCode()).as(up.stderr()).isZero();
        Map<String, String> env = parse(up.stdout());
        assertThat(env).containsKeys("TRIBUTARY_KAFKA_BOOTSTRAP", "TRIBUTARY_DYNAMODB_ENDPOINT", "TRIBUTARY_S3_ENDPOINT",
                "TRIBUTARY_BUCKET", "TRIBUTARY_CATALOG_TABLE", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                "TRIBUTARY_ICEBERG_CATALOG", "TRIBUTARY_ICEBERG_JDBC_URI", "TRIBUTARY_SCHEMA_REGISTRY_URL");
        assertThat(Files.readString(state.resolve("local.env"))).contains("TRIBUTARY_KAFKA_BOOTSTRAP=" + env.get("TRIBUTARY_KAFKA_BOOTSTRAP"));
        assertThat(answers(env.get("TRIBUTARY_KAFKA_BOOTSTRAP"))).isTrue();
        assertThat(answers(URI.create(env.get("TRIBUTARY_DYNAMODB_ENDPOINT")).getAuthority())).isTrue();
        assertThat(answers(URI.create(env.get("TRIBUTARY_S3_ENDPOINT")).getAuthority())).isTrue();
        assertThat(env.get("TRIBUTARY_SCHEMA_REGISTRY_URL")).startsWith("http://127.0.0.1:").endsWith("/apis/ccompat/v7");
        assertThat(answers(URI.create(env.get("TRIBUTARY_SCHEMA_REGISTRY_URL")).getAuthority())).isTrue();

        // idempotent: the same endpoints, nothing restarted
        CliProcess.Result again = CliProcess.run(state, Map.of(), "local", "up");
        assertThat(again.exitCode()).isZero();
        assertThat(parse(again.stdout())).isEqualTo(env);

        CliProcess.Result status = CliProcess.run(state, Map.of(), "local", "status");
        assertThat(status.exitCode()).isZero();
        List<Long> pids = status.stdout().lines().map(l -> l.split("\\s+")).filter(f -> f.length > 2 && f[1].equals("pid"))
                .map(f -> Long.parseLong(f[2])).toList();
        assertThat(pids).hasSize(4); // kafka, dynamodb, s3, schema-registry

        CliProcess.Result down = CliProcess.run(state, Map.of(), "local", "down");
        assertThat(down.exitCode()).as(down.stderr()).isZero();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d after down", pid).isFalse();
        }
        assertThat(ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().map(c -> c.contains(state.toString())).orElse(false)).count())
                .as("processes still referring to " + state).isZero();
        assertThat(CliProcess.run(state, Map.of(), "local", "status").exitCode()).isEqualTo(3);
        assertThat(state.resolve("local.env")).doesNotExist();
    }

    @Test
    void unknownCommandIsOneClearLineAndNonZero() throws Exception {
        CliProcess.Result r = CliProcess.run(state, Map.of(), "local", "sideways");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("sideways");
    }

    private static Map<String, String> parse(String out) {
        Map<String, String> env = new LinkedHashMap<>();
        out.lines().filter(l -> l.contains("=")).forEach(l -> env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return env;
    }

    private static boolean answers(String hostPort) {
        String[] hp = hostPort.split(":");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 1000);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
