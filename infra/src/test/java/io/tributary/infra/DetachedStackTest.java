package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The detached mode behind {@code tributary local up|down|status}: idempotent up, clean down, clear errors. */
class DetachedStackTest {

    @Test
    void upIsIdempotentAndDownLeavesNoProcess(@TempDir Path dir) {
        LocalStack first = LocalStack.detached(dir, LocalStack.Ports.any());
        Map<String, String> env;
        Map<LocalStack.Server, Long> pids;
        try {
            first.startAll();
            env = first.env();
            pids = first.pids();
            assertThat(pids).containsOnlyKeys(LocalStack.Server.values());
            pids.values().forEach(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true));

            // a second "up" (a new JVM in real life) adopts the running servers: same pids, same endpoints
            LocalStack second = LocalStack.detached(dir, LocalStack.Ports.any());
            second.startAll();
            assertThat(second.pids()).isEqualTo(pids);
            assertThat(second.env()).isEqualTo(env);
            assertThat(second.status()).containsOnlyKeys(LocalStack.Server.values());

            // "down"
            LocalStack third = LocalStack.detached(dir, LocalStack.Ports.any());
            third.stopAll();
        } finally {
            first.stopAll();
        }
        for (long pid : pids.values()) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("server pid %d is gone after down", pid).isFalse();
        }
        assertThat(LocalStack.detached(dir, LocalStack.Ports.any()).status()).isEmpty();
        assertThat(dir.resolve("run")).isEmptyDirectory();
        // data stays until purge
        assertThat(Files.exists(dir.resolve("kafka/data/meta.properties"))).isTrue();
    }

    @Test
    void portInUseIsAClearErrorAndNothingIsLeftRunning(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            LocalStack stack = LocalStack.detached(dir, new LocalStack.Ports(0, 0, port, 0));
            assertThatThrownBy(stack::startAll)
                    .isInstanceOf(LocalStackException.class)
                    .hasMessageContaining("port " + port)
                    .hasMessageContaining("dynamodb")
                    .hasMessageContaining("in use");
            assertThat(stack.pids()).isEmpty();
            assertThat(LocalStack.detached(dir, LocalStack.Ports.any()).status()).isEmpty();
        }
    }

    @Test
    void aServerThatDiesAtStartShowsItsLog(@TempDir Path dir) throws Exception {
        // Corrupt the Kafka config dir so the broker cannot start: its log tail must be in the message.
        Files.createDirectories(dir.resolve("kafka/data"));
        Files.writeString(dir.resolve("kafka/data/meta.properties"), "version=1\nnode.id=99\ncluster.id=bad\n");
        LocalStack stack = LocalStack.detached(dir, LocalStack.Ports.any());
        try {
            assertThatThrownBy(stack::kafkaBootstrap)
                    .isInstanceOf(LocalStackException.class)
                    .hasMessageContaining("kafka")
                    .hasMessageContaining("Last lines of");
            assertThat(stack.pids()).doesNotContainKey(LocalStack.Server.KAFKA);
        } finally {
            stack.stopAll();
        }
        List<ProcessHandle> left = ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().map(c -> c.contains(dir.toString())).orElse(false)).toList();
        assertThat(left).isEmpty();
    }
}
