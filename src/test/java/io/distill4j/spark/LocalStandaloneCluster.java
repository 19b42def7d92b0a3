package io.distill4j.spark;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone cluster on 127.0.0.1 started from the Maven jars of the test class path: a master and N workers
 * ({@code org.apache.spark.deploy.master.Master}, {@code org.apache.spark.deploy.worker.Worker}), each a JVM whose
 * command line stays short ({@code java @argfile}: the class path and Spark's add-opens in a file). The workers
 * launch their executors from a SPARK_HOME whose {@code jars/} links every jar of the test class path, so executors
 * load distill4j and its libraries from {@code jars/*} and the class folders given to the driver. {@link #close}
 * stops every process it started, with the executors the workers started, also when the test failed.
 */
final class LocalStandaloneCluster implements AutoCloseable {

    private final Path dir;
    /** The processes this cluster started (master, workers), by name. */
    private final Map<String, Process> daemons = new LinkedHashMap<>();
    private final Thread shutdownHook = new Thread(this::stopAll, "stop the local Spark cluster");
    private final List<String> classFolders = new ArrayList<>();
    private final int masterPort;

    private LocalStandaloneCluster(Path dir) {
        this.dir = dir;
        this.masterPort = freePort();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts the master and {@code workers} workers (one core, {@code workerMemory} each) and waits for the master. */
    static LocalStandaloneCluster start(Path dir, int workers, String workerMemory, Duration timeout) {
        LocalStandaloneCluster cluster = new LocalStandaloneCluster(dir);
        try {
            cluster.launch(workers, workerMemory, timeout);
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void launch(int workers, String workerMemory, Duration timeout) {
        try {
            Path sparkHome = Files.createDirectories(dir.resolve("spark-home"));
            Path jars = Files.createDirectories(sparkHome.resolve("jars"));
            List<String> classPath = testClassPath();
            for (String entry : classPath) {
                Path p = Path.of(entry);
                if (Files.isDirectory(p)) {
                    classFolders.add(p.toAbsolutePath().toString());
                } else if (entry.endsWith(".jar") && Files.isRegularFile(p)
                        && !Files.exists(jars.resolve(p.getFileName()))) {
                    Files.createSymbolicLink(jars.resolve(p.getFileName()), p.toAbsolutePath());
                }
            }
            List<String> args = new ArrayList<>(List.of("-Xmx512m", "-cp", String.join(File.pathSeparator, classPath)));
            args.addAll(Files.readAllLines(Path.of("src/main/jvm/spark.args")));
            Path argFile = dir.resolve("spark-daemon.args");
            // quoted: the argument file format treats spaces and backslashes specially
            Files.write(argFile, args.stream().map(a -> "\"" + a.replace("\\", "\\\\") + "\"").toList(),
                    StandardCharsets.UTF_8);
            Map<String, String> env = new LinkedHashMap<>();
            env.put("SPARK_HOME", sparkHome.toString());
            env.put("SPARK_SCALA_VERSION", "2.12");
            env.put("SPARK_LOCAL_IP", "127.0.0.1");
            env.put("OMP_NUM_THREADS", "1");
            spawn("master", argFile, env, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                    "--port", String.valueOf(masterPort), "--webui-port", String.valueOf(freePort()));
            awaitPort(masterPort, timeout);
            for (int i = 0; i < workers; i++) {
                Path work = Files.createDirectories(dir.resolve("worker-" + i));
                spawn("worker-" + i, argFile, env, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                        "--cores", "1", "--memory", workerMemory, "--work-dir", work.toString(),
                        "--webui-port", String.valueOf(freePort()), masterUrl());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The test JVM's class path (Surefire's, not its booter jar's). */
    private static List<String> testClassPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return List.of(cp.split(File.pathSeparator));
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** The class folders (target/classes, target/test-classes) the executors need besides {@code jars/*}. */
    String executorClassPath() {
        return String.join(File.pathSeparator, classFolders);
    }

    /** Driver settings for this cluster: loopback addresses, one core and 1 GiB per executor, the class folders. */
    Map<String, String> driverSettings() {
        return Map.of("spark.driver.host", "127.0.0.1", "spark.driver.bindAddress", "127.0.0.1",
                "spark.executor.memory", "1g", "spark.executor.cores", "1", "spark.cores.max", "2",
                "spark.executor.extraClassPath", executorClassPath(),
                "spark.executorEnv.OMP_NUM_THREADS", "1");
    }

    /** The last lines of each daemon's log, for a failing test's message. */
    String logs() {
        StringBuilder s = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path log : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(log);
                s.append("--- ").append(log.getFileName()).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())))
                        .append('\n');
            }
        } catch (IOException e) {
            s.append(e);
        }
        return s.toString();
    }

    private void spawn(String name, Path argFile, Map<String, String> env, String... mainAndArgs) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + argFile));
        command.addAll(List.of(mainAndArgs));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        synchronized (daemons) {
            daemons.put(name, pb.start());
        }
    }

    private static void awaitPort(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Spark master did not open port " + port + " within "
                            + timeout.toSeconds() + " s");
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ie);
                }
            }
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The daemons (master, workers) that have exited, with their exit codes. Executors are not counted: a worker
     * stops its executors when an application ends, so they exit on their own while the daemons stay.
     */
    List<String> exitedDaemons() {
        synchronized (daemons) {
            return daemons.entrySet().stream().filter(e -> !e.getValue().isAlive())
                    .map(e -> e.getKey() + " (exit code " + e.getValue().exitValue() + ")").toList();
        }
    }

    /** The processes still alive that this cluster started: daemons and the executors the workers launched. */
    List<ProcessHandle> alive() {
        List<ProcessHandle> all = new ArrayList<>();
        synchronized (daemons) {
            for (Process p : daemons.values()) {
                p.toHandle().descendants().forEach(all::add);
                all.add(p.toHandle());
            }
        }
        return all.stream().filter(ProcessHandle::isAlive).toList();
    }

    private void stopAll() {
        List<ProcessHandle> handles = alive();
        // executors first (children of the workers), then the workers and the master
        handles.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle h : handles) {
            try {
                h.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
