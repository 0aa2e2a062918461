package io.tributary.catalog;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The TCP ports our processes listen on, chosen so that processes on one host never collide.
 *
 * <p>Why: binding port 0 in several child processes at once (Quarkus {@code quarkus.http.port=0},
 * or "find a free port, close it, pass it on") can hand two of them the same port, because the
 * kernel reuses a just-freed port from its ephemeral range for the next {@code bind(0)} or outgoing
 * connection. {@link #reserve()} therefore picks ports <em>below</em> the ephemeral range (read
 * from {@code /proc/sys/net/ipv4/ip_local_port_range}), which the kernel never hands out on its
 * own, checks that each is bindable now, and never returns the same port twice in one JVM. A parent
 * that reserves a port per child and passes it explicitly gets distinct ports by construction.
 *
 * <p>{@link #choose} is the policy of the {@code scheduler} and {@code runner} processes: a port
 * the user asked for that is taken is an error naming the port and the process kind; the stable
 * default (what containers use) that is taken on a developer machine falls back to a reserved port.
 *
 * <p>A bind check alone races: a scheduler and a runner started at the same moment both find 8080
 * free, and the slower one dies when its HTTP server binds. So every port this class hands out is
 * also <em>claimed</em> on the host first: an exclusive lock on {@code <tmpdir>/tributary-ports/<port>}
 * that this JVM holds until it exits (see {@link #claim}). A port another live process has claimed
 * is "taken". Claims are best effort (an unwritable tmpdir only disables them).
 */
public final class ListenPorts {
    /** The lowest port {@link #reserve()} hands out. */
    static final int LOWEST = 10_000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();
    /** This JVM's claims, held (and so locked) until it exits. */
    private static final Map<Integer, FileLock> CLAIMS = new HashMap<>();

    private ListenPorts() {
    }

    /** The port a process will listen on, and whether it is the fallback for a taken default. */
    public record Choice(int port, boolean fellBack, String note) {
    }

    /**
     * Picks the port for one listener of a process.
     *
     * @param process     what kind of process this is, for messages ({@code scheduler}, {@code runner})
     * @param listener    which listener ({@code HTTP}, {@code gRPC})
     * @param explicit    the port the user asked for ({@code --http-port}, an env variable), or null for
     *                    the default; {@code "0"} means "any free port"
     * @param source      where {@code explicit} came from, for messages ({@code --http-port})
     * @param defaultPort the stable default
     * @throws IllegalArgumentException when {@code explicit} is not a port, or is taken
     */
    public static Choice choose(String process, String listener, String explicit, String source, int defaultPort) {
        if (explicit != null && !explicit.isBlank()) {
            int p;
            try {
                p = Integer.parseInt(explicit.trim());
            } catch (NumberFormatException e) {
                p = -1;
            }
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException(process + ": " + source + " must be a port 0..65535, got '" + explicit + "'");
            }
            if (p == 0) {
                int r = reserve();
                return new Choice(r, false, process + ": " + listener + " on free port " + r + " (" + source + "=0)");
            }
            if (!bindable(p)) {
                throw new IllegalArgumentException(process + ": " + listener + " port " + p + " (" + source
                        + ") is in use by another process; choose another port, or leave " + source + " unset to use "
                        + defaultPort + " or a free port");
            }
            return new Choice(p, false, null);
        }
        if (bindable(defaultPort) && claim(defaultPort)) {
            return new Choice(defaultPort, false, null);
        }
        int r = reserve();
        return new Choice(r, true, process + ": " + listener + " port " + defaultPort + " (the default) is in use on this"
                + " host; listening on " + r + " instead (set " + source + " to choose)");
    }

    /**
     * A port that is bindable now, outside the kernel's ephemeral range, and not returned before by
     * this JVM. Random within the range, so two processes reserving at once rarely meet (and a
     * collision is then caught by the bind check of the later one).
     */
    public static synchronized int reserve() {
        int[] range = ephemeralRange();
        int lo = LOWEST;
        int hi = range[0] - 1;
        if (hi - lo < 1000) { // an unusual kernel setting: use the ports above the range instead
            lo = Math.max(LOWEST, range[1] + 1);
            hi = 65535;
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200 && hi > lo; attempt++) {
            int p = lo + rnd.nextInt(hi - lo + 1);
            if (!HANDED_OUT.contains(p) && bindable(p) && claim(p)) {
                HANDED_OUT.add(p);
                return p;
            }
        }
        try (ServerSocket s = new ServerSocket(0)) { // no room outside the range: let the kernel pick
            HANDED_OUT.add(s.getLocalPort());
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free TCP port on this host: " + e.getMessage(), e);
        }
    }

    /**
     * Claims {@code port} for this process on the host: true when it is now (or already was) this
     * process's claim, false when a live other process holds it.
     *
     * <p>A claim is an exclusive lock on {@code <tmpdir>/tributary-ports/<port>}, held until this JVM
     * exits. The kernel drops the lock when its process dies, however it dies, so there is no stale
     * claim to take over, and taking a lock is atomic: two processes starting at the same moment
     * cannot both win (a pid file with "delete when its process is gone" could, when one deleted the
     * other's fresh claim).
     */
    static synchronized boolean claim(int port) {
        if (CLAIMS.containsKey(port)) {
            return true;
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "tributary-ports");
        FileChannel ch = null;
        try {
            Files.createDirectories(dir);
            ch = FileChannel.open(dir.resolve(Integer.toString(port)), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                return false;
            }
            ch.truncate(0);
            ch.write(java.nio.ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII))); // for people looking: who holds it
            CLAIMS.put(port, lock);
            return true;
        } catch (IOException | SecurityException | java.nio.channels.OverlappingFileLockException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing held
                }
            }
            return true; // claims are best effort: the bind check still applies
        }
    }

    /** Gives up this process's claim on {@code port} (tests). */
    static synchronized void release(int port) throws IOException {
        FileLock lock = CLAIMS.remove(port);
        if (lock != null) {
            lock.channel().close();
        }
    }

    /** True when a listener could bind {@code port} on all interfaces right now. */
    public static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // as the servers do: a port in TIME_WAIT is free, a listening one is not
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** This host's address for others to reach a listener on it ({@code 127.0.0.1} if unknown). */
    public static String hostAddress() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }

    static int[] ephemeralRange() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+");
            return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32768, 60999}; // Linux's default
        }
    }
}
