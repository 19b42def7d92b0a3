package io.distill4j.spark;

import io.distill4j.config.RunConfigs;
import io.distill4j.train.DistillationGraphs;
import io.distill4j.train.ModelTraining;
import io.distill4j.train.TrainedModel;
import io.distill4j.train.Trainer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains each model of a sweep or an experiment as one Spark task: the driver (this JVM) keeps the run folder, the
 * search and the records; an executor opens the same data from the run's config, trains the model with the same
 * {@link Trainer} from the teacher tensors the driver computed once and broadcast, and returns its files, which the
 * driver writes into the run folder as a local run would. A task that fails is retried by Spark
 * ({@code spark.task.maxFailures}); when it keeps failing, the model fails (a sweep records the candidate as failed).
 *
 * <p>Executors need distill4j's classes: {@code spark-submit} of an assembly jar ships them; otherwise (the
 * {@code --spark} option) the driver's own jar and {@code lib/} folder are put on the executors' class path, which
 * needs them at the same path on every worker. Spark settings come from {@code spark.*} system properties
 * ({@code JAVA_OPTS=-Dspark.executor.memory=4g}) or the settings given to {@link #connect}.
 */
public final class SparkTraining implements ModelTraining, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SparkTraining.class);
    /** How long to wait for a first executor by default (a worker must start a JVM and load ND4J). */
    public static final Duration EXECUTOR_WAIT = Duration.ofSeconds(120);
    private static final int PROBE_MILLIS = 10_000;

    private final JavaSparkContext spark;
    private final boolean owned;
    private final Function<TrainingJob, TrainedOnExecutor> onExecutor;
    private final Map<ComputationGraph, Broadcast<byte[]>> teachers = new IdentityHashMap<>();
    private final Map<Object, Broadcast<byte[]>> tensors = new HashMap<>();
    /** The executors that trained a model so far (Spark's executor ids). */
    private final java.util.Set<String> executorsUsed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private SparkTraining(JavaSparkContext spark, boolean owned, Function<TrainingJob, TrainedOnExecutor> onExecutor) {
        this.spark = spark;
        this.owned = owned;
        this.onExecutor = onExecutor;
    }

    /** Trains on an existing Spark context (e.g. the one {@code spark-submit} made); {@link #close} leaves it open. */
    public static SparkTraining on(JavaSparkContext spark) {
        return new SparkTraining(spark, false, new ExecutorTraining());
    }

    /** {@link #connect(String, Map, Duration)} with no extra settings and the default wait for an executor. */
    public static SparkTraining connect(String master) {
        return connect(master, Map.of(), EXECUTOR_WAIT);
    }

    /**
     * Connects to a Spark master ({@code local[N]}, {@code spark://host:port}, {@code yarn}, {@code k8s://...}) and waits
     * until an executor has registered, so that a sweep starts (and makes its run folder) only on a working cluster.
     * An unreachable standalone master fails within seconds, a master that gives the application no executor within
     * {@code executorWait}; both name the master and what to check.
     *
     * @param settings Spark settings on top of the {@code spark.*} system properties
     */
    public static SparkTraining connect(String master, Map<String, String> settings, Duration executorWait) {
        return new SparkTraining(open(master, settings, executorWait), true, new ExecutorTraining());
    }

    /** The same cluster with another executor-side function (tests inject failures with it). */
    SparkTraining withExecutorFunction(Function<TrainingJob, TrainedOnExecutor> function) {
        return new SparkTraining(spark, owned, function);
    }

    static JavaSparkContext open(String master, Map<String, String> settings, Duration executorWait) {
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("--spark: no master URL given (local[N], spark://HOST:PORT, yarn, k8s://...)");
        }
        boolean local = master.startsWith("local");
        if (master.startsWith("spark://")) {
            probe(master);
        } else if (!local && !master.equals("yarn") && !master.startsWith("k8s://") && !master.startsWith("mesos://")) {
            throw new IllegalArgumentException("--spark " + master + ": not a Spark master URL (local[N], spark://HOST:PORT,"
                    + " yarn, k8s://..., mesos://...)");
        }
        SparkConf conf = new SparkConf(true).setMaster(master).setAppName("distill4j");
        conf.setIfMissing("spark.ui.enabled", "false");
        settings.forEach(conf::set);
        if (!local && !conf.contains("spark.executor.extraClassPath") && !conf.contains("spark.jars")) {
            String classPath = ownClassPath();
            if (classPath != null) {
                conf.set("spark.executor.extraClassPath", classPath);
                log.info("executors take distill4j from {} (the same path must exist on every worker)", classPath);
            }
        }
        JavaSparkContext spark = new JavaSparkContext(conf);
        if (!local) {
            try {
                awaitExecutors(spark, master, 1, executorWait);
            } catch (RuntimeException e) {
                spark.close();
                throw e;
            }
        }
        log.info("Spark {} ({}): {} task slots", master, spark.sc().applicationId(), spark.defaultParallelism());
        return spark;
    }

    /** A standalone master's address list, each tried with a TCP connection: fails fast when none answers. */
    private static void probe(String master) {
        List<String> errors = new ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            URI uri = URI.create("spark://" + hostPort);
            if (uri.getHost() == null || uri.getPort() < 0) {
                throw new IllegalArgumentException("--spark " + master + ": expected spark://HOST:PORT");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), PROBE_MILLIS);
                return;
            } catch (IOException e) {
                errors.add(hostPort + " (" + e.getMessage() + ")");
            }
        }
        throw new IllegalArgumentException("--spark " + master + ": cannot reach the Spark master at "
                + String.join(", ", errors) + "; is it running, and is this the URL its log and web UI show?");
    }

    /** Waits until {@code count} executors have registered (e.g. every worker's, before timing a sweep). */
    public void awaitExecutors(int count, Duration wait) {
        awaitExecutors(spark, spark.master(), count, wait);
    }

    private static void awaitExecutors(JavaSparkContext spark, String master, int count, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        // the status tracker lists the driver too
        while (spark.sc().statusTracker().getExecutorInfos().length < count + 1) {
            if (System.nanoTime() > deadline || spark.sc().isStopped()) {
                throw new IllegalStateException("--spark " + master + ": the master gave this application "
                        + (spark.sc().statusTracker().getExecutorInfos().length - 1) + " of " + count + " executors"
                        + " within " + wait.toSeconds() + " s: are workers registered and alive, with free cores and"
                        + " the memory spark.executor.memory asks for (the master's web UI lists them)?");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a Spark executor", e);
            }
        }
    }

    /** {@code DIR/distill4j.jar:DIR/lib/*} when distill4j runs from its packaged jar; null otherwise (tests, an IDE). */
    private static String ownClassPath() {
        try {
            Path jar = Path.of(SparkTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path lib = jar.resolveSibling("lib");
            return Files.isRegularFile(jar) && Files.isDirectory(lib) ? jar + java.io.File.pathSeparator + lib + "/*"
                    : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** The Spark context the models train on. */
    public JavaSparkContext context() {
        return spark;
    }

    /** The Spark executor ids that trained a model so far. */
    public java.util.Set<String> executorsUsed() {
        return java.util.Set.copyOf(executorsUsed);
    }

    /** Task slots of the cluster (Spark's default parallelism): how many models train at once. */
    @Override
    public int parallelism() {
        return spark.defaultParallelism();
    }

    @Override
    public TrainedModel train(Trainer trainer, String name, ComputationGraph teacher, int epochs, boolean resume) {
        if (resume && trainer.finished(name, epochs)) {
            return trainer.load(name);
        }
        Broadcast<byte[]> teacherZip = null;
        Broadcast<byte[]> teacherTensors = null;
        if (teacher != null) {
            teacherZip = teacherZip(teacher);
            teacherTensors = teacherTensors(trainer, teacher);
        }
        TrainingJob job = new TrainingJob(name, RunConfigs.toYaml(trainer.config()), trainer.data().fingerprint(),
                new HashMap<>(trainer.modelEntries()), epochs, teacherZip, teacherTensors);
        TrainedOnExecutor trained;
        try {
            spark.setJobDescription("distill4j " + name);
            trained = spark.parallelize(List.of(job), 1).map(onExecutor).collect().get(0);
        } catch (Exception e) {
            throw new IllegalStateException(name + " failed on the Spark cluster, retries included"
                    + " (spark.task.maxFailures; F in local[N,F]): " + rootMessage(e), e);
        }
        executorsUsed.add(trained.executor());
        log.info("{}: trained on executor {} ({}) in {} s", name, trained.executor(), trained.host(),
                String.format(Locale.ROOT, "%.1f", trained.seconds()));
        return trainer.adopt(name, trained.best(), trained.checkpoint(), trained.history());
    }

    private synchronized Broadcast<byte[]> teacherZip(ComputationGraph teacher) {
        return teachers.computeIfAbsent(teacher, t -> {
            ByteArrayOutputStream zip = new ByteArrayOutputStream();
            try {
                ModelSerializer.writeModel(t, zip, false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return spark.broadcast(zip.toByteArray());
        });
    }

    /** The teacher's tensors for this trainer's student and terms: computed once here, broadcast once. */
    private Broadcast<byte[]> teacherTensors(Trainer trainer, ComputationGraph teacher) {
        ComputationGraph student = Trainer.build(Trainer.spec(trainer.config(), trainer.config().student,
                trainer.data(), true), trainer.config().student);
        List<DistillationGraphs.FeatureTap> taps = trainer.tapsFor(student, teacher);
        student.close();
        synchronized (tensors) {
            return tensors.computeIfAbsent(List.of(System.identityHashCode(teacher), taps),
                    k -> spark.broadcast(trainer.teacherLogits(teacher, taps).toBytes()));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        // Spark's job failure message holds the executor's exception as text (class and message) first
        int firstLine = message.indexOf('\n');
        return root != e && root.getMessage() != null ? root.getMessage()
                : firstLine > 0 ? message.substring(0, firstLine) : message;
    }

    @Override
    public void close() {
        if (owned) {
            spark.close();
        }
    }
}
