package io.distill4j.ui;

import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.exception.DL4JException;
import org.deeplearning4j.ui.VertxUIServer;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * DL4J's training UI server (Vert.x, one per JVM), started on a port of our choosing. A port in use is not an error:
 * the next free one (up to {@link #PORT_TRIES} further) is taken and {@link #message()} says so. Runs started while
 * the server is up attach their stats storage to it ({@link #current()}); {@link #open} shows a finished run.
 */
public final class TrainingUi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrainingUi.class);
    public static final int DEFAULT_PORT = VertxUIServer.DEFAULT_UI_PORT;
    /** How many ports after the requested one are tried when it is in use. */
    public static final int PORT_TRIES = 20;

    private static TrainingUi current;

    private final VertxUIServer server;
    private final int requestedPort;
    /** The stats file {@link #open} opened, closed with the server. */
    private StatsStorage owned;

    private TrainingUi(VertxUIServer server, int requestedPort) {
        this.server = server;
        this.requestedPort = requestedPort;
    }

    /**
     * Starts the UI server on {@code port}, or on the next free port when it is taken (0: any free port).
     *
     * @throws IllegalArgumentException when no port in {@code [port, port + PORT_TRIES]} is free
     * @throws IllegalStateException    when a UI server already runs in this JVM
     */
    public static synchronized TrainingUi start(int port) {
        if (current != null) {
            throw new IllegalStateException("the training UI is already running at " + current.address()
                    + "; stop it first");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--ui-port must be in 0..65535, got " + port);
        }
        int chosen = port == 0 ? 0 : freePort(port);
        VertxUIServer server;
        try {
            server = VertxUIServer.getInstance(chosen, false, null);
        } catch (DL4JException e) {
            stopQuietly();
            throw new IllegalArgumentException("the training UI could not listen on port " + chosen + ": "
                    + rootMessage(e), e);
        }
        current = new TrainingUi(server, port);
        log.info("{}", current.message());
        return current;
    }

    /** Serves the stats file of a finished run ({@code <run>/} + {@link TrainingStats#FILE_NAME}, or the file). */
    public static TrainingUi open(Path runOrFile, int port) {
        Path file = Files.isDirectory(runOrFile) ? runOrFile.resolve(TrainingStats.FILE_NAME) : runOrFile;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no training stats in " + runOrFile + " (expected " + file
                    + "; runs record it since the training UI was added)");
        }
        StatsStorage storage;
        try {
            storage = new FileStatsStorage(file.toFile());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read training stats " + file + ": " + rootMessage(e), e);
        }
        if (storage.listSessionIDs().isEmpty()) {
            closeQuietly(storage);
            throw new IllegalArgumentException("training stats " + file + " hold no session (was the run stopped"
                    + " before its first batch?)");
        }
        TrainingUi ui;
        try {
            ui = start(port);
        } catch (RuntimeException e) {
            closeQuietly(storage);
            throw e;
        }
        ui.attach(storage);
        ui.owned = storage;
        return ui;
    }

    /** The running server of this JVM, if any (runs attach their stats to it). */
    public static synchronized Optional<TrainingUi> current() {
        return Optional.ofNullable(current);
    }

    public String address() {
        return server.getAddress() + "/train/overview";
    }

    public int port() {
        return server.getPort();
    }

    /** The address, and why it differs from the requested port when it does. */
    public String message() {
        String where = "DL4J training UI: " + address();
        return requestedPort != 0 && port() != requestedPort
                ? where + " (port " + requestedPort + " is in use, so it took " + port() + ")" : where;
    }

    public void attach(StatsStorage storage) {
        server.attach(storage);
    }

    public void detach(StatsStorage storage) {
        server.detach(storage);
    }

    /** Stops the server and frees its port; stats storages attached to it stay open (their owners close them). */
    @Override
    public void close() {
        synchronized (TrainingUi.class) {
            if (current == this) {
                current = null;
            }
            for (StatsStorage s : server.getStatsStorageInstances()) {
                server.detach(s);
            }
            stopQuietly();
            if (owned != null) {
                closeQuietly(owned);
            }
            log.info("DL4J training UI on port {} stopped", requestedPort);
        }
    }

    private static void stopQuietly() {
        try {
            VertxUIServer.stopInstance();
        } catch (Exception e) {
            log.warn("stopping the training UI failed: {}", e.toString());
        }
    }

    private static void closeQuietly(StatsStorage storage) {
        try {
            storage.close();
        } catch (Exception e) {
            log.warn("closing {} failed: {}", storage, e.toString());
        }
    }

    /** The first port from {@code port} on that nobody listens on. */
    static int freePort(int port) {
        for (int p = port; p <= Math.min(65535, port + PORT_TRIES); p++) {
            if (isFree(p)) {
                return p;
            }
        }
        throw new IllegalArgumentException("ports " + port + " to " + Math.min(65535, port + PORT_TRIES)
                + " are all in use; pass a free one with --ui-port (0 for any free port)");
    }

    static boolean isFree(int port) {
        // Vert.x listens on 0.0.0.0: probe the same address
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
