package io.tributary.catalog;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
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
 * also <em>claimed</em> on the host first: a file {@code <tmpdir>/tributary-ports/<port>} created
 * atomically and holding the claimer's pid. A claim of a live process other than this one means
 * "taken"; a claim of a dead process is stale and is taken over. Claims are best effort (an
 * unwritable tmpdir only disables them).
 */
public final class ListenPorts {
    /** The lowest port {@link #reserve()} hands out. */
    static final int LOWEST = 10_000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

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
     */
    static boolean claim(int port) {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "tributary-ports");
        Path file = dir.resolve(Integer.toString(port));
        long me = ProcessHandle.current().pid();
        try {
            Files.createDirectories(dir);
            for (int attempt = 0; attempt < 3; attempt++) {
                try {
                    Files.writeString(file, Long.toString(me), java.nio.file.StandardOpenOption.CREATE_NEW,
                            java.nio.file.StandardOpenOption.WRITE);
                    return true;
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    long holder;
                    try {
                        holder = Long.parseLong(Files.readString(file).trim());
                    } catch (NumberFormatException | java.nio.file.NoSuchFileException partial) {
                        holder = -1; // being written or just removed: look again
                    }
                    if (holder == me) {
                        return true;
                    }
                    if (holder > 0 && ProcessHandle.of(holder).map(ProcessHandle::isAlive).orElse(false)) {
                        return false;
                    }
                    if (holder > 0) {
                        Files.deleteIfExists(file); // stale: its process is gone
                    }
                }
            }
            return false;
        } catch (IOException | SecurityException e) {
            return true; // claims are best effort: the bind check still applies
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
            String[] f = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32768, 60999}; // Linux's default
        }
    }
}
