package io.tributary.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ListenPortsTest {

    private static ServerSocket listen() throws Exception {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(ListenPorts.reserve()));
        return s;
    }

    @Test
    void theEphemeralRangeIsReadFromTheKernel() throws Exception {
        Process cat = new ProcessBuilder("cat", "/proc/sys/net/ipv4/ip_local_port_range").start();
        String[] f = new String(cat.getInputStream().readAllBytes()).trim().split("\\s+");
        assertThat(ListenPorts.ephemeralRange()).containsExactly(Integer.parseInt(f[0]), Integer.parseInt(f[1]));
    }

    @Test
    void reservedPortsAreDistinctBindableAndBelowTheEphemeralRange() {
        int[] range = ListenPorts.ephemeralRange();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int p = ListenPorts.reserve();
            assertThat(seen.add(p)).as("port %d handed out twice", p).isTrue();
            assertThat(ListenPorts.bindable(p)).isTrue();
            if (range[0] - 1 - ListenPorts.LOWEST >= 1000) {
                assertThat(p).isBetween(ListenPorts.LOWEST, range[0] - 1);
            }
        }
    }

    @Test
    void aTakenDefaultFallsBackToAFreePortAndSaysSo() throws Exception {
        try (ServerSocket taken = listen()) {
            ListenPorts.Choice c = ListenPorts.choose("runner", "HTTP", null, "--http-port", taken.getLocalPort());
            assertThat(c.fellBack()).isTrue();
            assertThat(c.port()).isNotEqualTo(taken.getLocalPort());
            assertThat(ListenPorts.bindable(c.port())).isTrue();
            assertThat(c.note()).isEqualTo("runner: HTTP port " + taken.getLocalPort() + " (the default) is in use on this"
                    + " host; listening on " + c.port() + " instead (set --http-port to choose)");
        }
    }

    @Test
    void aFreeDefaultIsKept() throws Exception {
        int free;
        try (ServerSocket s = listen()) {
            free = s.getLocalPort();
        }
        ListenPorts.Choice c = ListenPorts.choose("scheduler", "gRPC", null, "--grpc-port", free);
        assertThat(c.port()).isEqualTo(free);
        assertThat(c.fellBack()).isFalse();
        assertThat(c.note()).isNull();
    }

    @Test
    void aTakenExplicitPortIsAnErrorNamingThePortAndTheProcess() throws Exception {
        try (ServerSocket taken = listen()) {
            int p = taken.getLocalPort();
            assertThatThrownBy(() -> ListenPorts.choose("scheduler", "gRPC", Integer.toString(p), "--grpc-port", 9000))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("scheduler: gRPC port " + p + " (--grpc-port) is in use by another process")
                    .hasMessageNotContaining("\n");
        }
        assertThatThrownBy(() -> ListenPorts.choose("runner", "HTTP", "80a", "TRIBUTARY_HTTP_PORT", 8080))
                .hasMessage("runner: TRIBUTARY_HTTP_PORT must be a port 0..65535, got '80a'");
    }

    @Test
    void aPortClaimedByAnotherLiveProcessIsTakenUntilThatProcessDies() throws Exception {
        int p = ListenPorts.reserve();
        ListenPorts.release(p); // reserve() claimed it for this JVM; hand it to the other process
        Process holder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), Holder.class.getName(), Integer.toString(p))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String said = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine();
            assertThat(said).isEqualTo("claimed true");
            // bindable, but a process starting at the same moment already claimed it
            ListenPorts.Choice c = ListenPorts.choose("runner", "HTTP", null, "--http-port", p);
            assertThat(c.fellBack()).isTrue();
            assertThat(c.port()).isNotEqualTo(p);
            assertThat(ListenPorts.claim(p)).isFalse();
        } finally {
            holder.destroyForcibly().waitFor();
        }
        // SIGKILLed: the kernel dropped its lock, so the port is ours with no stale file to clean up
        assertThat(ListenPorts.claim(p)).isTrue();
        assertThat(ListenPorts.claim(p)).as("a claim of this JVM stays ours").isTrue();
        Path claim = Path.of(System.getProperty("java.io.tmpdir"), "tributary-ports", Integer.toString(p));
        assertThat(Files.readString(claim).trim()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        ListenPorts.release(p);
    }

    /** Another process on the host: claims the port given as its argument and holds it until killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            System.out.println("claimed " + ListenPorts.claim(Integer.parseInt(args[0])));
            System.out.flush();
            Thread.sleep(120_000);
        }
    }
}
