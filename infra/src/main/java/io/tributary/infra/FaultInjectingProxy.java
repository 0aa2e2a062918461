package io.tributary.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 that forwards bytes to a target and injects network faults on demand,
 * so tests can produce the failures that make an outcome unknown: a request that reached the
 * server but whose response was lost, a request that never reached it, or a server that cannot be
 * reached at all. Plain JDK, protocol-agnostic (it sees byte chunks, not HTTP messages), so it
 * works for DynamoDB, S3 and Kafka clients alike.
 *
 * <p>Faults are one-shot and armed before the call they should hit:
 * <ul>
 * <li>{@link #dropNextRequest()}: the next chunk a client sends (on any connection) is not
 * forwarded; the connection is closed on both sides.</li>
 * <li>{@link #dropNextResponse()}: everything the client sends is forwarded; the next chunk the
 * server sends back (on any connection) is not relayed; the connection is closed on both sides.
 * For request/response protocols the server has then received and processed the whole request.</li>
 * </ul>
 * {@link #refuseAll(boolean)} is persistent: while on, every connection is closed as soon as it
 * is accepted or carries data. {@link #faultsInjected()} counts the faults that actually fired, so
 * a test can assert its fault hit.
 *
 * <p>Usage: {@code try (var proxy = FaultInjectingProxy.start("127.0.0.1", port)) { client
 * endpoint = proxy.endpoint(); proxy.dropNextResponse(); ... }}. Thread-safe; threads are daemons.
 */
public final class FaultInjectingProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean dropNextRequest = new AtomicBoolean();
    private final AtomicBoolean dropNextResponse = new AtomicBoolean();
    private final AtomicBoolean refuseAll = new AtomicBoolean();
    private final AtomicInteger faults = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;

    private FaultInjectingProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "fault-proxy-accept-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    /** Starts a proxy on a free loopback port forwarding to {@code targetHost:targetPort}. */
    public static FaultInjectingProxy start(String targetHost, int targetPort) throws IOException {
        return new FaultInjectingProxy(targetHost, targetPort);
    }

    /** Starts a proxy forwarding to the host and port of an http(s) endpoint. */
    public static FaultInjectingProxy start(URI target) throws IOException {
        int port = target.getPort() != -1 ? target.getPort() : ("https".equals(target.getScheme()) ? 443 : 80);
        return new FaultInjectingProxy(target.getHost(), port);
    }

    /** The local port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:port}, e.g. as a Kafka bootstrap address. */
    public String hostPort() {
        return server.getInetAddress().getHostAddress() + ":" + port();
    }

    /** {@code http://127.0.0.1:port}, e.g. as an AWS SDK endpoint override. */
    public URI endpoint() {
        return URI.create("http://" + hostPort());
    }

    /** Arms a one-shot fault: the next client-to-server chunk is dropped and its connection closed. */
    public void dropNextRequest() {
        dropNextRequest.set(true);
    }

    /** Arms a one-shot fault: the next server-to-client chunk is dropped and its connection closed. */
    public void dropNextResponse() {
        dropNextResponse.set(true);
    }

    /** While on, every connection is closed on accept or on its next data. */
    public void refuseAll(boolean on) {
        refuseAll.set(on);
    }

    /** Disarms every fault. */
    public void heal() {
        dropNextRequest.set(false);
        dropNextResponse.set(false);
        refuseAll.set(false);
    }

    /** How many faults have fired (each refused connection under refuseAll counts one). */
    public int faultsInjected() {
        return faults.get();
    }

    /** How many client connections were accepted. */
    public int connectionsAccepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            if (refuseAll.get()) {
                faults.incrementAndGet();
                closeQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            startPump(client, upstream, true);
            startPump(upstream, client, false);
        }
    }

    private void startPump(Socket from, Socket to, boolean clientToServer) {
        Thread t = new Thread(() -> pump(from, to, clientToServer),
                "fault-proxy-" + port() + (clientToServer ? "-up" : "-down"));
        t.setDaemon(true);
        t.start();
    }

    private void pump(Socket from, Socket to, boolean clientToServer) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) != -1) {
                AtomicBoolean oneShot = clientToServer ? dropNextRequest : dropNextResponse;
                if (refuseAll.get() || oneShot.compareAndSet(true, false)) {
                    faults.incrementAndGet();
                    break;
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the other side closed; fall through and close both
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** Stops accepting and closes every open connection. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
    }
}
